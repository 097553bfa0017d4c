//! API integration tests: one binary (fast link), every test on SQLite and PostgreSQL.

mod helpers;

mod authz_matrix;
mod bad_input;
mod calendars;
mod conventions;
mod imports;
mod merchants;
mod outbox;
mod profiles;
mod service_points;
mod terminals;
