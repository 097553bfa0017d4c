-- Working-day calendars (issue: registry and calendars).
-- National holiday arrangements loaded at run time (on top of the ones built into the binary):
-- one row per year, the year's text in the schedule format of posdesk-core's cn-holidays.txt.
CREATE TABLE holiday_years (
    year BIGINT PRIMARY KEY,
    schedule TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);

-- A provider's calendar settings: weekly business hours and the weekday whose hours a
-- make-up working day (调休) gets. No row = the defaults (Mon–Fri 08:00–18:00, Monday).
CREATE TABLE provider_calendars (
    tenant_id TEXT PRIMARY KEY REFERENCES providers(id),
    weekly TEXT NOT NULL,
    makeup_weekday TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);

-- Date overrides per calendar layer: layer 'provider' now, 'service_point:<id>' later.
-- rule: closed | open (make-up hours) | hours (then `hours` holds HH:MM-HH:MM[,…]).
CREATE TABLE calendar_overrides (
    tenant_id TEXT NOT NULL REFERENCES providers(id),
    layer TEXT NOT NULL,
    day TEXT NOT NULL,
    rule TEXT NOT NULL,
    hours TEXT,
    note TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, layer, day)
);
