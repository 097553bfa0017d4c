-- The e-mail gateway (issue 5, item 5). Every inbound mail the gateway read is recorded in
-- mail_inbound with its outcome: created (a new ticket), threaded (a reply on a ticket),
-- ignored (auto-reply, bounce, loop, duplicate: recorded, never answered) or quarantined
-- (unparseable, unknown sender, reply to a closed ticket, too large: kept for an agent, with the
-- raw bytes in `raw`). attachments: a JSON array of {"file_name", "content_type", "size",
-- "sha256"}; the attachments themselves are not stored.
CREATE TABLE mail_inbound (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    outcome TEXT NOT NULL,
    reason TEXT,
    sender TEXT,
    subject TEXT,
    message_id TEXT,
    ticket_id TEXT REFERENCES tickets(id),
    raw_sha256 TEXT NOT NULL,
    raw_size BIGINT NOT NULL,
    raw BYTEA,
    attachments TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX mail_inbound_by_outcome ON mail_inbound (tenant_id, outcome, created_at);
CREATE INDEX mail_inbound_by_message_id ON mail_inbound (tenant_id, message_id);

-- The Message-ID of every mail on a ticket, unique per provider: threading looks a reply's
-- In-Reply-To/References up here, within the receiving provider only.
CREATE TABLE mail_messages (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    message_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    direction TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, message_id)
);
CREATE INDEX mail_messages_of ON mail_messages (ticket_id);
