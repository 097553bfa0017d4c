-- Content-addressed files: bytes kept once per tenant under their SHA-256 and never updated or
-- deleted (onboarding documents now; ticket attachments and complaint evidence reuse it).
CREATE TABLE blobs (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);

-- Merchant onboarding applications (入网申请, seed 001). The status machine is
-- registry::onboarding; the review deadline is not stored but computed from submitted_at on the
-- provider's calendar, so loading a holiday schedule later moves it.
CREATE TABLE onboarding_applications (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    status TEXT NOT NULL,
    submitted_at BIGINT,
    submissions BIGINT NOT NULL,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    rejection_reason TEXT,
    service_point_id TEXT,
    technician_id TEXT REFERENCES users(id),
    appointment_at BIGINT,
    acceptance_at BIGINT,
    acceptance_by TEXT,
    acceptance_notes TEXT,
    training_at BIGINT,
    training_by TEXT,
    training_notes TEXT,
    deposit_fen BIGINT,
    fees TEXT NOT NULL,
    activated_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, service_point_id) REFERENCES service_points (tenant_id, id)
);
CREATE INDEX onboarding_by_status ON onboarding_applications (tenant_id, status, submitted_at);
CREATE INDEX onboarding_by_merchant ON onboarding_applications (tenant_id, merchant_id);
-- At most one open (not active, not withdrawn) application per merchant.
CREATE UNIQUE INDEX onboarding_one_open ON onboarding_applications (tenant_id, merchant_id)
    WHERE status NOT IN ('active', 'withdrawn');

-- Documents attached to an application; replacing one marks the old row removed (kept).
CREATE TABLE onboarding_documents (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    application_id TEXT NOT NULL REFERENCES onboarding_applications(id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    removed_at BIGINT,
    FOREIGN KEY (tenant_id, sha256) REFERENCES blobs (tenant_id, sha256)
);
CREATE INDEX onboarding_documents_of ON onboarding_documents (application_id, uploaded_at);
