-- Service tickets (工单, issue 5). The status machine, the SLA policies and the clocks are the
-- core's (`ticket::*`): the clocks are recomputed from ticket_status_history on every change,
-- and the next instant the scan must look at (a deadline or an escalation) is kept in
-- next_check, indexed, so the breach scan never reads the whole table.
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    terminal_id TEXT REFERENCES terminals(id),
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    team TEXT,
    tags TEXT NOT NULL,
    policy_code TEXT NOT NULL,
    first_response_at BIGINT,
    last_update_at BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT,
    next_check BIGINT,
    breached BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (tenant_id, number)
);
CREATE INDEX tickets_next_check ON tickets (next_check) WHERE next_check IS NOT NULL;
CREATE INDEX tickets_by_created ON tickets (tenant_id, created_at);
CREATE INDEX tickets_by_merchant ON tickets (tenant_id, merchant_id, created_at);
CREATE INDEX tickets_by_terminal ON tickets (tenant_id, terminal_id, status);
CREATE INDEX tickets_by_assignee ON tickets (tenant_id, assignee_id, status);

-- Every status a ticket has been in, in order: the clocks' only source of elapsed and paused time.
CREATE TABLE ticket_status_history (
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (ticket_id, seq)
);

-- Public replies (the merchant sees them) and internal notes.
CREATE TABLE ticket_messages (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    visibility TEXT NOT NULL,
    author TEXT NOT NULL,
    author_role TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_messages_of ON ticket_messages (ticket_id, created_at);

-- Per-provider daily ticket numbers (T-YYYYMMDD-NNNN).
CREATE TABLE ticket_counters (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

-- Escalations that fired: the key (`ticket::EscalationKey::code`, clock:level[@cycle]) makes
-- each level fire once per ticket, on any number of servers.
CREATE TABLE ticket_escalations (
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    escalation_key TEXT NOT NULL,
    action TEXT NOT NULL,
    fired_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, escalation_key)
);

-- A provider's SLA policies and selection rules, as one JSON document the core checks.
CREATE TABLE sla_policies (
    tenant_id TEXT PRIMARY KEY REFERENCES providers(id),
    doc TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
