-- Intake look-up (issue 5, hotline and walk-in entry): MID, TID and SN prefixes are index
-- ranges (`col >= q AND col < q || U+10FFFF`). SQLite compares text bytewise (BINARY), so the
-- unique indexes (tenant_id, mid), (tenant_id, tid) and (tenant_id, sn) already serve them; the
-- primary contact's phone (the foundation's contact_phone) gets an index of its own.
CREATE INDEX merchants_contact_phone ON merchants (tenant_id, contact_phone) WHERE contact_phone IS NOT NULL;
