//! API integration tests: one binary (fast link), every test on SQLite and PostgreSQL.

mod helpers;

mod authz_matrix;
mod bad_input;
mod bindings;
mod calendars;
mod complaint_rules;
mod complaint_stats;
mod complaints;
mod conventions;
mod demo;
mod feedback;
mod imports;
mod intake;
mod mail_ingest;
mod merchant_details;
mod merchant_imports;
mod merchants;
mod onboarding;
mod outbox;
mod profiles;
mod repair_reports;
mod repairs;
mod service_points;
mod terminals;
mod ticket_files;
mod ticket_notices;
mod tickets;
