-- Repair and field service (issue 6, seeds 001 and 002).
-- Parts catalogue and stock per service point: CHECK constraints keep stock from going
-- negative and reservations within what is on hand, whatever the code does.
CREATE TABLE parts (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_fen BIGINT NOT NULL CHECK (unit_fen >= 0),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
CREATE TABLE part_stock (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    service_point_id TEXT NOT NULL,
    part_code TEXT NOT NULL,
    on_hand BIGINT NOT NULL CHECK (on_hand >= 0),
    reserved BIGINT NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, service_point_id, part_code)
);

-- A repair order under a fault ticket.
CREATE TABLE repair_orders (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    service_point_id TEXT,
    technician_id TEXT REFERENCES users(id),
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    cause TEXT,
    diagnosis TEXT,
    coverage TEXT,
    coverage_reason TEXT,
    result TEXT,
    appointment_start BIGINT,
    appointment_end BIGINT,
    departed_at BIGINT,
    arrived_at BIGINT,
    signature_sha256 TEXT,
    confirmation_code TEXT,
    override_reason TEXT,
    override_by TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT,
    -- An earlier repair of the same terminal completed within 30 days of this fault's report:
    -- this one is a repeat (counts against first-time fix).
    repeat_of TEXT
);
CREATE INDEX repair_orders_of_ticket ON repair_orders (ticket_id);
CREATE INDEX repair_orders_of_terminal ON repair_orders (tenant_id, terminal_id, created_at);
CREATE INDEX repair_orders_of_technician ON repair_orders (tenant_id, technician_id, appointment_start);

-- Quotes: the approved one is the invoice record. At most one pending quote per repair.
CREATE TABLE repair_quotes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    repair_id TEXT NOT NULL REFERENCES repair_orders(id),
    status TEXT NOT NULL,
    items TEXT NOT NULL,
    total_fen BIGINT NOT NULL CHECK (total_fen >= 0),
    valid_until BIGINT NOT NULL,
    answer_channel TEXT,
    answered_by TEXT,
    answered_by_name TEXT,
    answered_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX repair_quotes_of ON repair_quotes (repair_id, created_at);
CREATE UNIQUE INDEX repair_quotes_one_pending ON repair_quotes (repair_id) WHERE status = 'pending';

-- What was done, in order: diagnosis, notes, parts used, labour, photos, arrival — append-only.
CREATE TABLE repair_steps (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    repair_id TEXT NOT NULL REFERENCES repair_orders(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (repair_id, seq)
);

-- Post-repair checklist records (the latest per item counts), append-only.
CREATE TABLE repair_checks (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    repair_id TEXT NOT NULL REFERENCES repair_orders(id),
    seq BIGINT NOT NULL,
    item TEXT NOT NULL,
    result TEXT NOT NULL,
    evidence TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (repair_id, seq)
);

-- Mail-in shipments: ship-in from the merchant, ship-back to them.
CREATE TABLE repair_shipments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    repair_id TEXT NOT NULL REFERENCES repair_orders(id),
    direction TEXT NOT NULL,
    carrier TEXT NOT NULL,
    tracking_no TEXT NOT NULL,
    dispatched_at BIGINT,
    received_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (repair_id, direction)
);

-- Loans of loaner terminals. One open loan per loaner and per repaired terminal.
CREATE TABLE loans (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    loaner_id TEXT NOT NULL REFERENCES terminals(id),
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    repair_id TEXT REFERENCES repair_orders(id),
    service_point_id TEXT,
    tid TEXT NOT NULL,
    mid TEXT NOT NULL,
    lent_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    returned_at BIGINT,
    escalated_at BIGINT,
    lent_by TEXT NOT NULL,
    returned_by TEXT
);
CREATE UNIQUE INDEX loans_open_loaner ON loans (loaner_id) WHERE returned_at IS NULL;
CREATE UNIQUE INDEX loans_open_terminal ON loans (terminal_id) WHERE returned_at IS NULL;
CREATE INDEX loans_history ON loans (tenant_id, loaner_id, lent_at);
CREATE INDEX loans_due ON loans (due_at) WHERE returned_at IS NULL;

-- Which terminals are in a service point's loaner pool.
CREATE TABLE loaner_pool (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    service_point_id TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, terminal_id)
);

-- The merchant's confirmation and rating of a resolved ticket (one-time link token hashed).
CREATE TABLE ticket_feedback (
    ticket_id TEXT PRIMARY KEY REFERENCES tickets(id),
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    token_hash TEXT NOT NULL UNIQUE,
    asked_at BIGINT NOT NULL,
    close_at BIGINT NOT NULL,
    stars BIGINT,
    comment TEXT,
    answered_at BIGINT,
    closed_at BIGINT,
    -- A low rating (1–2 stars) waits in the supervisors' follow-up queue until one of them
    -- records what was done.
    follow_up_note TEXT,
    followed_up_by TEXT,
    followed_up_at BIGINT
);
CREATE INDEX ticket_feedback_follow_up ON ticket_feedback (tenant_id, answered_at) WHERE stars <= 2 AND followed_up_at IS NULL;
CREATE INDEX ticket_feedback_due ON ticket_feedback (close_at) WHERE answered_at IS NULL AND closed_at IS NULL;
