//! API integration tests: one binary (fast link), every test on SQLite and PostgreSQL.

mod helpers;

mod authz_matrix;
mod bad_input;
mod bindings;
mod calendars;
mod conventions;
mod demo;
mod imports;
mod intake;
mod mail_ingest;
mod merchant_details;
mod merchant_imports;
mod merchants;
mod onboarding;
mod outbox;
mod profiles;
mod service_points;
mod terminals;
mod ticket_files;
mod ticket_notices;
mod tickets;
