-- Terminals, registry issue: install date, warranty end, installed address; a TID is unique
-- within a provider (NULL for terminals not yet given one).
ALTER TABLE terminals ADD COLUMN install_date TEXT;
ALTER TABLE terminals ADD COLUMN warranty_end TEXT;
ALTER TABLE terminals ADD COLUMN installed_address TEXT;
CREATE UNIQUE INDEX terminals_tid ON terminals (tenant_id, tid);
