//! The repair reports (issue 6 item 8) for a provider's staff: repairs by method, fault cause
//! and terminal model; first-time-fix rate; mean time to restore, with and without a loaner;
//! the parts used; loaners out now and overdue.
//!
//! Who: `TicketRead` and provider staff — a merchant user (whose `TicketRead` is scoped to their
//! own merchant) and every other non-tenant scope get 403.
//!
//! What is counted: the repairs **opened** in `from`..=`to` (`YYYY-MM-DD`, days in
//! Asia/Shanghai, at most [`MAX_DAYS`] days; without them the last [`DEFAULT_DAYS`] days up to
//! today). Method, cause and model counts leave cancelled repairs out (they are counted
//! apart); repairs not diagnosed yet are under cause `undiagnosed`. The restore figures are
//! `posdesk_core::repair::restore_stats` over the completed ones: reported when the ticket was
//! created, restored when a loaner was lent (if one was, at or before completion) else when
//! the repair completed; a repair a later repair repeats (`repeat_of`, a fault on the same
//! terminal within 30 days of its completion) is not a first-time fix. Parts are the
//! `use_part` steps of those repairs, valued at the catalogue's current unit price. Loans out
//! and overdue are as of now, whatever the range (`repo::repair_reports`).

use std::collections::BTreeMap;

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::calendar::LocalDate;
use posdesk_core::repair::{
    FaultCause, RepairMethod, RepairStatus, RestoreRow, RestoreStats, restore_stats,
};
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::repair_reports::{self as repo, LoanFigures, PartUsage};
use serde::Serialize;

use super::Ctx;
use crate::error::{ApiError, ApiResult};

/// The longest range one request may ask for, in days (both ends included).
pub const MAX_DAYS: i64 = 366;
/// The range when none is given: this many days up to today.
pub const DEFAULT_DAYS: i64 = 30;
/// The rule broken by a `to` before `from`.
pub const REASON_ORDER: &str = "must not be before from";
/// The rule broken by a range longer than [`MAX_DAYS`].
pub const REASON_SPAN: &str = "the range is at most 366 days";
/// A day at the edge of the representable range.
pub const REASON_OUT_OF_RANGE: &str = "out of range";
/// The cause bucket of repairs not diagnosed yet.
pub const UNDIAGNOSED: &str = "undiagnosed";

fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

fn day(field: &str, s: &str) -> Result<LocalDate, FieldError> {
    LocalDate::parse(s).map_err(|_| {
        FieldError::new(
            field,
            Rule::Pattern {
                expected: "a date YYYY-MM-DD",
            },
        )
    })
}

/// A checked range of days (Asia/Shanghai), both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: LocalDate,
    pub to: LocalDate,
    /// `from` at 00:00 Shanghai.
    pub start: Timestamp,
    /// The day after `to` at 00:00 Shanghai (excluded).
    pub end: Timestamp,
}

impl DayRange {
    /// Checks `from` and `to` (each `YYYY-MM-DD`, `to` not before `from`, at most
    /// [`MAX_DAYS`] days); a missing `to` is `today`, a missing `from` [`DEFAULT_DAYS`] − 1
    /// days before `to`.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: LocalDate,
    ) -> Result<Self, FieldError> {
        let rule = |field: &str, reason| FieldError::new(field, Rule::Invalid { reason });
        let to = match given(to) {
            Some(t) => day("to", t)?,
            None => today,
        };
        let from = match given(from) {
            Some(f) => day("from", f)?,
            None => to.add_days(-(DEFAULT_DAYS - 1)).unwrap_or(LocalDate::MIN),
        };
        if to < from {
            return Err(rule("to", REASON_ORDER));
        }
        if to.days_since(from) + 1 > MAX_DAYS {
            return Err(rule("to", REASON_SPAN));
        }
        let end = to
            .succ()
            .map(LocalDate::start)
            .ok_or_else(|| rule("to", REASON_OUT_OF_RANGE))?;
        Ok(Self {
            from,
            to,
            start: from.start(),
            end,
        })
    }

    /// Days in the range.
    pub fn days(&self) -> i64 {
        self.to.days_since(self.from) + 1
    }
}

/// Repairs of one terminal model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelCount {
    pub model: String,
    pub repairs: u64,
}

/// The figures of a range.
#[derive(Debug, Clone, Serialize)]
pub struct RepairReport {
    /// `YYYY-MM-DD`.
    pub from: String,
    /// `YYYY-MM-DD`, included.
    pub to: String,
    /// Repairs opened in the range, cancelled ones left out.
    pub repairs: u64,
    /// Of those, completed (repaired).
    pub completed: u64,
    /// Repairs opened in the range and cancelled.
    pub cancelled: u64,
    /// Every method with a count.
    pub by_method: BTreeMap<&'static str, u64>,
    /// Every cause with a count, and [`UNDIAGNOSED`].
    pub by_cause: BTreeMap<&'static str, u64>,
    /// Most repaired model first (then by name).
    pub by_model: Vec<ModelCount>,
    /// Over the completed repairs.
    pub restore: RestoreStats,
    /// Completed repairs where a loaner restored the merchant's payments.
    pub completed_with_loaner: u64,
    /// Completed repairs that a later repair repeats (not first-time fixes).
    pub repeated: u64,
    /// Most used first.
    pub parts: Vec<PartUsage>,
    pub loans: LoanFigures,
}

fn today() -> ApiResult<LocalDate> {
    LocalDate::of_timestamp(posdesk_storage::now())
        .ok_or_else(|| ApiError::Internal("today out of range".into()))
}

/// Counts and statistics over the rows the repository read.
pub fn summarise(range: &DayRange, data: repo::ReportData) -> RepairReport {
    let mut by_method: BTreeMap<&'static str, u64> =
        RepairMethod::ALL.iter().map(|m| (m.code(), 0)).collect();
    let mut by_cause: BTreeMap<&'static str, u64> =
        FaultCause::ALL.iter().map(|c| (c.code(), 0)).collect();
    by_cause.insert(UNDIAGNOSED, 0);
    let mut models: BTreeMap<String, u64> = BTreeMap::new();
    let (mut repairs, mut cancelled) = (0u64, 0u64);
    let mut restore_rows: Vec<RestoreRow> = Vec::new();
    for r in &data.repairs {
        if r.status == RepairStatus::Cancelled {
            cancelled += 1;
            continue;
        }
        repairs += 1;
        *by_method.entry(r.method.code()).or_insert(0) += 1;
        *by_cause
            .entry(r.cause.map_or(UNDIAGNOSED, FaultCause::code))
            .or_insert(0) += 1;
        *models.entry(r.model.clone()).or_insert(0) += 1;
        restore_rows.extend(r.restore_row());
    }
    let mut by_model: Vec<ModelCount> = models
        .into_iter()
        .map(|(model, repairs)| ModelCount { model, repairs })
        .collect();
    by_model.sort_by(|a, b| b.repairs.cmp(&a.repairs).then(a.model.cmp(&b.model)));
    RepairReport {
        from: range.from.to_string(),
        to: range.to.to_string(),
        repairs,
        completed: restore_rows.len() as u64,
        cancelled,
        by_method,
        by_cause,
        by_model,
        restore: restore_stats(&restore_rows),
        completed_with_loaner: restore_rows.iter().filter(|r| r.with_loaner).count() as u64,
        repeated: restore_rows.iter().filter(|r| r.repeated).count() as u64,
        parts: data.parts,
        loans: data.loans,
    }
}

/// The report of the caller's provider for `from`..=`to` (see [`DayRange::parse`]).
pub async fn report(
    ctx: &Ctx<'_>,
    from: Option<&str>,
    to: Option<&str>,
) -> ApiResult<RepairReport> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    // Staff of a provider only: a merchant user's TicketRead is scoped to their merchant.
    if !matches!(scope, Scope::Tenant(_)) {
        return Err(ApiError::Forbidden(
            "repair reports are for the provider's staff".into(),
        ));
    }
    let range = DayRange::parse(from, to, today()?)?;
    let (start, end, now) = (range.start, range.end, posdesk_storage::now());
    let data = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::report(c, &scope, start, end, now).await }))
        .await?;
    Ok(summarise(&range, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> LocalDate {
        LocalDate::new(y, m, day).unwrap()
    }

    #[test]
    fn ranges_are_days_in_shanghai() {
        let r = DayRange::parse(Some("2026-03-01"), Some("2026-03-31"), d(2026, 6, 1)).unwrap();
        assert_eq!(r.days(), 31);
        // 2026-03-01 00:00 Shanghai is 2026-02-28 16:00 UTC; the end is 1 April 00:00.
        assert_eq!(r.start.to_rfc3339(), "2026-02-28T16:00:00.000Z");
        assert_eq!(r.end.to_rfc3339(), "2026-03-31T16:00:00.000Z");
    }

    #[test]
    fn defaults_are_the_last_thirty_days() {
        let r = DayRange::parse(None, None, d(2026, 6, 15)).unwrap();
        assert_eq!((r.from, r.to), (d(2026, 5, 17), d(2026, 6, 15)));
        assert_eq!(r.days(), 30);
        let r = DayRange::parse(None, Some("2026-03-01"), d(2026, 6, 15)).unwrap();
        assert_eq!(r.from, d(2026, 1, 31));
        let r = DayRange::parse(Some("2026-06-01"), Some(" "), d(2026, 6, 15)).unwrap();
        assert_eq!(r.to, d(2026, 6, 15));
    }

    #[test]
    fn bad_ranges_name_the_field() {
        let today = d(2026, 6, 15);
        for (from, to, field, code) in [
            (Some("2026-3-01"), None, "from", "pattern"),
            (Some("2026-02-30"), None, "from", "pattern"),
            (None, Some("20260301"), "to", "pattern"),
            (Some("2026-03-02"), Some("2026-03-01"), "to", "invalid"),
            (Some("2025-03-01"), Some("2026-03-02"), "to", "invalid"),
            (Some("2025-06-14"), None, "to", "invalid"),
            (Some("9999-12-31"), Some("9999-12-31"), "to", "invalid"),
        ] {
            let e = DayRange::parse(from, to, today).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.rule.code()),
                (field, code),
                "{from:?} {to:?}"
            );
        }
        // 366 days is the most (a leap year's worth, both ends included).
        assert!(DayRange::parse(Some("2025-03-01"), Some("2026-03-01"), today).is_ok());
        assert!(DayRange::parse(Some("2024-01-01"), Some("2024-12-31"), today).is_ok());
    }
}
