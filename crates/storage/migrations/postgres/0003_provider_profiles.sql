-- A provider's public profile (seed 000): licence, hotlines, service hours, warranty policy and
-- months per model, fee schedule. `doc` is the JSON the core's registry::provider types check;
-- the licence's end date is also a column so expiring licences can be listed.
CREATE TABLE provider_profiles (
    tenant_id TEXT PRIMARY KEY REFERENCES providers(id),
    doc TEXT NOT NULL,
    licence_valid_to TEXT,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);

-- The provider's logo: content-sniffed image bytes with their SHA-256.
CREATE TABLE provider_logos (
    tenant_id TEXT PRIMARY KEY REFERENCES providers(id),
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);
