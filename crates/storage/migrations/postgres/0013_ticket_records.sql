-- What a ticket carries besides its record and messages (issue 5).
-- Attachments: the bytes are in `blobs` (content-addressed by tenant + SHA-256, never changed);
-- a row says which ticket (and message, if any) a file belongs to and who may see it.
CREATE TABLE ticket_attachments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    message_id TEXT REFERENCES ticket_messages(id),
    visibility TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_attachments_of ON ticket_attachments (ticket_id, created_at);

-- Merge and split: a merged duplicate points at the ticket that absorbed it; a split-off ticket
-- at the ticket it came from. One row per link, read from either side.
CREATE TABLE ticket_links (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    from_id TEXT NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    to_id TEXT NOT NULL REFERENCES tickets(id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (from_id, kind, to_id)
);
CREATE INDEX ticket_links_to ON ticket_links (to_id);

-- Late-fix notices told to the merchant (reason + new estimate); the latest is the expected
-- fix time shown in the portal.
CREATE TABLE ticket_late_notices (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    reason TEXT NOT NULL,
    new_estimate BIGINT NOT NULL,
    deadline BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_late_notices_of ON ticket_late_notices (ticket_id, created_at);
