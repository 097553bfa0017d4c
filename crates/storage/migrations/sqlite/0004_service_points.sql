-- Service points (服务网点): address in an administrative division, opening hours (weekly, as
-- the calendar's JSON text), skills and assigned technicians (JSON arrays), active flag.
CREATE TABLE service_points (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    division_code TEXT NOT NULL,
    address TEXT NOT NULL,
    weekly TEXT NOT NULL,
    skills TEXT NOT NULL,
    technicians TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX service_points_name ON service_points (tenant_id, name);
