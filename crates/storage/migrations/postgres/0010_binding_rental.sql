-- Terminal rental and deposit (registry issue): the terms agreed with the merchant for this
-- placement, in fen; NULL when the terminal is sold or lent without charge.
ALTER TABLE terminal_bindings ADD COLUMN rental_fen_per_month BIGINT;
ALTER TABLE terminal_bindings ADD COLUMN deposit_fen BIGINT;
