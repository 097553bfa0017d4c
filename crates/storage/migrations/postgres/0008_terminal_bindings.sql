-- Terminal bindings (PBoC 银发〔2021〕259号): what a terminal's serial number is bound to — the
-- acquirer code, the merchant number (MID), the merchant's USCC or its owner's resident ID (kept
-- in full as a record; shown masked to roles that may not see it, and only ever masked in the
-- audit trail), the settlement account (first 6 + last 4 only) and the placement address with
-- its division code — plus the TID used under the binding, who verified it and when it started
-- and ended and why. Ended bindings are the terminal's history. The database enforces at most
-- one current binding per terminal and per TID within a provider.
CREATE TABLE terminal_bindings (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    id TEXT NOT NULL,
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    sn TEXT NOT NULL,
    tid TEXT NOT NULL,
    acquirer_code TEXT NOT NULL,
    mid TEXT NOT NULL,
    identity_kind TEXT NOT NULL,
    identity_number TEXT NOT NULL,
    settlement_account TEXT NOT NULL,
    placement_address TEXT NOT NULL,
    division_code TEXT NOT NULL,
    verification_note TEXT,
    verified_by TEXT NOT NULL,
    verified_role TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT,
    end_note TEXT,
    ended_by TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX terminal_bindings_current ON terminal_bindings (tenant_id, terminal_id) WHERE ended_at IS NULL;
CREATE UNIQUE INDEX terminal_bindings_current_tid ON terminal_bindings (tenant_id, tid) WHERE ended_at IS NULL;
CREATE INDEX terminal_bindings_history ON terminal_bindings (tenant_id, terminal_id, started_at);
