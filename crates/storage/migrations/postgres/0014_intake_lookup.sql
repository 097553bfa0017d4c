-- Intake look-up (issue 5, hotline and walk-in entry): MID, TID and SN prefixes are index
-- ranges (`col COLLATE "C" >= q AND col COLLATE "C" < q || U+10FFFF`). Under a linguistic
-- collation (zh_CN.UTF-8, ICU) strings sharing a prefix need not be contiguous, so the ranges
-- compare bytewise (COLLATE "C") and need indexes in that collation; the unique indexes in the
-- database's collation keep enforcing uniqueness.
CREATE INDEX merchants_mid_c ON merchants (tenant_id, mid COLLATE "C");
CREATE INDEX terminals_sn_c ON terminals (tenant_id, sn COLLATE "C");
CREATE INDEX terminals_tid_c ON terminals (tenant_id, tid COLLATE "C") WHERE tid IS NOT NULL;
CREATE INDEX merchants_contact_phone_c ON merchants (tenant_id, contact_phone COLLATE "C") WHERE contact_phone IS NOT NULL;
