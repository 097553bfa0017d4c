-- Merchants, registry issue: kind (company, individual, micro), identity (USCC, or the owner's
-- resident ID, stored in full and shown masked to roles that don't need it), risk level,
-- administrative division.
ALTER TABLE merchants ADD COLUMN kind TEXT;
ALTER TABLE merchants ADD COLUMN id_kind TEXT;
ALTER TABLE merchants ADD COLUMN id_number TEXT;
ALTER TABLE merchants ADD COLUMN risk_level TEXT;
ALTER TABLE merchants ADD COLUMN division_code TEXT;
