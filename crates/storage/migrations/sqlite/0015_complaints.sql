-- Complaints (投诉, issue 7, seed 003): a record a regulator may ask to see.
-- The complaint row holds the facts and the clock inputs; what was said and done is in
-- complaint_entries, evidence files in complaint_evidence (bytes in blobs, by SHA-256). Entries,
-- evidence rows and blobs are append-only: triggers refuse UPDATE and DELETE.
CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    receipt_no TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    version BIGINT NOT NULL,
    complainant_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    phone_last4 TEXT NOT NULL,
    email TEXT,
    merchant_id TEXT REFERENCES merchants(id),
    mid TEXT,
    tid TEXT,
    occurred_at BIGINT,
    place TEXT,
    narrative TEXT NOT NULL,
    request TEXT NOT NULL,
    referral_source TEXT,
    referral_reference TEXT,
    referral_deadline BIGINT,
    handler_id TEXT REFERENCES users(id),
    first_decider_id TEXT,
    reviewer_id TEXT,
    received_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    first_decided_at BIGINT,
    closed_at BIGINT,
    -- The decision period in force (days after receipt) and the deadline it gives, kept for
    -- lists and the overdue dashboard; recomputed by the core on every change.
    decision_days BIGINT NOT NULL,
    decision_deadline BIGINT NOT NULL,
    acknowledge_deadline BIGINT,
    resolution TEXT,
    decision_text TEXT,
    satisfaction BIGINT,
    next_escalation_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX complaints_by_received ON complaints (tenant_id, received_at);
CREATE INDEX complaints_by_merchant ON complaints (tenant_id, merchant_id, received_at);
CREATE INDEX complaints_by_phone ON complaints (tenant_id, phone);
CREATE INDEX complaints_escalation_due ON complaints (next_escalation_at)
    WHERE next_escalation_at IS NOT NULL;

CREATE TABLE complaint_entries (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    complaint_id TEXT NOT NULL REFERENCES complaints(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    public BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    body TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (complaint_id, seq)
);
CREATE TRIGGER complaint_entries_no_update BEFORE UPDATE ON complaint_entries
BEGIN SELECT RAISE(ABORT, 'complaint entries are append-only'); END;
CREATE TRIGGER complaint_entries_no_delete BEFORE DELETE ON complaint_entries
BEGIN SELECT RAISE(ABORT, 'complaint entries are append-only'); END;

CREATE TABLE complaint_evidence (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    complaint_id TEXT NOT NULL REFERENCES complaints(id),
    supersedes TEXT UNIQUE REFERENCES complaint_evidence(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    description TEXT,
    added_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX complaint_evidence_of ON complaint_evidence (complaint_id, created_at);
CREATE TRIGGER complaint_evidence_no_update BEFORE UPDATE ON complaint_evidence
BEGIN SELECT RAISE(ABORT, 'complaint evidence is append-only'); END;
CREATE TRIGGER complaint_evidence_no_delete BEFORE DELETE ON complaint_evidence
BEGIN SELECT RAISE(ABORT, 'complaint evidence is append-only'); END;
CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
BEGIN SELECT RAISE(ABORT, 'stored files are append-only'); END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
BEGIN SELECT RAISE(ABORT, 'stored files are append-only'); END;

-- Escalation levels that fired: the primary key makes each fire once, across servers.
CREATE TABLE complaint_escalations (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    complaint_id TEXT NOT NULL REFERENCES complaints(id),
    escalation TEXT NOT NULL,
    action TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    fired_at BIGINT NOT NULL,
    PRIMARY KEY (complaint_id, escalation)
);

-- Links to tickets (later repair orders and suspension cases).
CREATE TABLE complaint_links (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    complaint_id TEXT NOT NULL REFERENCES complaints(id),
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (complaint_id, kind, target_id)
);

-- A provider's complaint clock rules (acknowledgement, decision period, extension steps) as a
-- JSON document the core checks (`ComplaintRules::new`); none stored = the defaults.
CREATE TABLE complaint_rules (
    tenant_id TEXT PRIMARY KEY REFERENCES providers(id),
    doc TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
