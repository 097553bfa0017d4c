//! Repositories: one module per aggregate, written once against `dyn Conn`. Reads take a `Scope`
//! and filter by it; writes are `Mutation`s that return their audit events.

pub mod announcements;
pub mod audit;
pub mod bindings;
pub mod blobs;
pub mod calendars;
pub mod complaints;
pub mod feedback;
pub mod idempotency;
pub mod jobs;
pub mod loans;
pub mod lookup;
pub mod mail;
pub mod merchants;
pub mod onboarding;
pub mod profiles;
pub mod providers;
pub mod repair_reports;
pub mod repairs;
pub mod service_points;
pub mod sessions;
pub mod terminals;
pub mod throttle;
pub mod ticket_files;
pub mod ticket_notices;
pub mod tickets;
pub mod tokens;
pub mod users;
pub mod webhooks;

use posdesk_core::authz::Scope;

use crate::{Error, Result, Value};

/// The WHERE fragment that confines a query to a scope, with its parameters numbered from
/// `first`. `merchant_col` is the column binding a row to a merchant, if the table has one;
/// tables without one are invisible to merchant scopes unless the caller adds its own rule.
pub(crate) fn scope_filter(
    scope: &Scope,
    tenant_col: &str,
    merchant_col: Option<&str>,
    first: usize,
) -> (String, Vec<Value>) {
    match (scope, merchant_col) {
        (Scope::Platform, _) => ("1 = 1".into(), vec![]),
        (Scope::Tenant(t), _) => (format!("{tenant_col} = ${first}"), vec![Value::from(*t)]),
        (Scope::Merchant { tenant, merchant }, Some(mc)) => (
            format!("{tenant_col} = ${first} AND {mc} = ${}", first + 1),
            vec![Value::from(*tenant), Value::from(*merchant)],
        ),
        (Scope::Merchant { .. }, None) | (Scope::Terminal { .. }, _) => ("1 = 0".into(), vec![]),
    }
}

/// A stored code column read back into its enum (`from_code`); an unknown code is a backend
/// fault (the database holds only what the code wrote).
pub(crate) fn code<T>(r: &crate::Row, i: usize, f: fn(&str) -> Option<T>) -> Result<T> {
    let s = r.text(i)?;
    f(&s).ok_or_else(|| Error::Backend(format!("stored code {s} in column {i}")))
}

/// [`code`] for a nullable column.
pub(crate) fn opt_code<T>(r: &crate::Row, i: usize, f: fn(&str) -> Option<T>) -> Result<Option<T>> {
    match r.opt_text(i)? {
        None => Ok(None),
        Some(s) => f(&s)
            .map(Some)
            .ok_or_else(|| Error::Backend(format!("stored code {s} in column {i}"))),
    }
}

/// Optimistic concurrency: the caller's expected version must match the stored one.
pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<()> {
    match expected {
        Some(v) if v != current => Err(Error::Stale { current }),
        _ => Ok(()),
    }
}

/// A read-then-write mutation's UPDATE is conditional on the version (or state) it read; if it
/// touched no row, another transaction changed the record in between (possible with several
/// servers on PostgreSQL), and the caller gets `Stale` (with the lowest version the record can
/// now have) instead of a lost update.
pub(crate) fn updated_one(rows: u64, read_version: i64) -> Result<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(Error::Stale {
            current: read_version + 1,
        })
    }
}

/// A `(created_at, id) < (cursor)` keyset condition for DESC pagination.
pub(crate) fn after_clause(
    after: &Option<posdesk_core::page::Cursor>,
    at_col: &str,
    id_col: &str,
    next: usize,
) -> (String, Vec<Value>) {
    match after {
        None => (String::new(), vec![]),
        Some(c) => (
            format!(
                " AND ({at_col} < ${next} OR ({at_col} = ${next} AND {id_col} < ${}))",
                next + 1
            ),
            vec![Value::Int(c.at), Value::from(c.id.as_str())],
        ),
    }
}
