//! The repair reports (`service::repair_reports`) as JSON: repairs by method, cause and model,
//! first-time-fix rate, mean time to restore with and without a loaner, parts used, loaners
//! out and overdue. `from`/`to` are `YYYY-MM-DD` (Asia/Shanghai), at most 366 days; both
//! optional (the last 30 days).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use posdesk_storage::repo::loans::Loan;
use posdesk_storage::repo::repair_reports::PartUsage;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::QueryMap;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::repair_reports::{self, ModelCount, RepairReport};
use crate::state::AppState;

/// Repairs of one terminal model.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelCountOut {
    pub model: String,
    pub repairs: u64,
}

/// First-time fix and time to restore, over the completed repairs.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestoreOut {
    /// Completed repairs the figures are over.
    pub repairs: u64,
    /// Share (0–1) not repeated by a later repair within 30 days; absent without completed
    /// repairs.
    pub first_time_fix_rate: Option<f64>,
    /// Minutes from the fault's report to restored payments (a loaner lent, else the repair
    /// completed), whole minutes per repair, averaged.
    pub mean_restore_minutes: Option<f64>,
    pub mean_restore_minutes_with_loaner: Option<f64>,
    pub mean_restore_minutes_without_loaner: Option<f64>,
    /// Completed repairs where a loaner restored payments.
    pub with_loaner: u64,
    /// Completed repairs a later repair repeats.
    pub repeated: u64,
}

/// A part used by the range's repairs.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartUsageOut {
    pub code: String,
    pub name: String,
    /// Units used.
    pub qty: i64,
    /// Repairs that used it.
    pub repairs: i64,
    /// Units × the catalogue's current unit price, in fen.
    pub value_fen: i64,
}

impl From<PartUsage> for PartUsageOut {
    fn from(p: PartUsage) -> Self {
        Self {
            code: p.code,
            name: p.name,
            qty: p.qty,
            repairs: p.repairs,
            value_fen: p.value_fen,
        }
    }
}

/// A loan out now.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenLoanOut {
    pub id: String,
    pub loaner_id: String,
    pub loaner_sn: String,
    /// The merchant's terminal under repair.
    pub terminal_id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub tid: String,
    /// UTC milliseconds.
    pub lent_at: i64,
    pub due_at: i64,
    /// Past its due time now.
    pub overdue: bool,
}

impl From<Loan> for OpenLoanOut {
    fn from(l: Loan) -> Self {
        Self {
            id: l.id.to_string(),
            loaner_id: l.loaner_id.to_string(),
            loaner_sn: l.loaner_sn,
            terminal_id: l.terminal_id.to_string(),
            merchant_id: l.merchant_id.to_string(),
            merchant_name: l.merchant_name,
            tid: l.tid,
            lent_at: l.lent_at.millis(),
            due_at: l.due_at.millis(),
            overdue: l.overdue,
        }
    }
}

/// Loaners now.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoansOut {
    /// Out now.
    pub out: i64,
    /// Out and past their due time.
    pub overdue: i64,
    /// Lent in the range.
    pub lent_in_range: i64,
    /// The loans out, overdue first, then by due time (at most 500).
    pub open: Vec<OpenLoanOut>,
}

/// The repair report of a range of days.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepairReportOut {
    /// `YYYY-MM-DD` (Asia/Shanghai).
    pub from: String,
    /// `YYYY-MM-DD`, included.
    pub to: String,
    /// Repairs opened in the range (cancelled ones left out).
    pub repairs: u64,
    /// Of those, completed.
    pub completed: u64,
    /// Repairs opened in the range and cancelled.
    pub cancelled: u64,
    /// Repairs per method (`remote`, `on_site`, `mail_in`; zeros included).
    pub by_method: BTreeMap<String, u64>,
    /// Repairs per fault cause (every cause and `undiagnosed`; zeros included).
    pub by_cause: BTreeMap<String, u64>,
    /// Repairs per terminal model, most first.
    pub by_model: Vec<ModelCountOut>,
    pub restore: RestoreOut,
    /// Parts used by the range's repairs, most used first.
    pub parts: Vec<PartUsageOut>,
    pub loans: LoansOut,
}

fn owned(m: BTreeMap<&'static str, u64>) -> BTreeMap<String, u64> {
    m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

impl From<RepairReport> for RepairReportOut {
    fn from(r: RepairReport) -> Self {
        Self {
            from: r.from,
            to: r.to,
            repairs: r.repairs,
            completed: r.completed,
            cancelled: r.cancelled,
            by_method: owned(r.by_method),
            by_cause: owned(r.by_cause),
            by_model: r
                .by_model
                .into_iter()
                .map(|ModelCount { model, repairs }| ModelCountOut { model, repairs })
                .collect(),
            restore: RestoreOut {
                repairs: r.restore.repairs,
                first_time_fix_rate: r.restore.first_time_fix_rate,
                mean_restore_minutes: r.restore.mean_restore_minutes,
                mean_restore_minutes_with_loaner: r.restore.mean_restore_minutes_with_loaner,
                mean_restore_minutes_without_loaner: r.restore.mean_restore_minutes_without_loaner,
                with_loaner: r.completed_with_loaner,
                repeated: r.repeated,
            },
            parts: r.parts.into_iter().map(Into::into).collect(),
            loans: LoansOut {
                out: r.loans.out,
                overdue: r.loans.overdue,
                lent_in_range: r.loans.lent_in_range,
                open: r.loans.open.into_iter().map(Into::into).collect(),
            },
        }
    }
}

/// The repair report of the caller's provider over the repairs opened in `from`..=`to`
/// (`TicketRead`, provider staff only: merchant users get 403). Loans out and overdue are as
/// of now.
#[utoipa::path(get, path = "/api/v1/repairs/report", tag = "repairs",
    params(("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (Asia/Shanghai); default 29 days before `to`"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD, included; default today; at most 366 days")),
    responses((status = 200, body = RepairReportOut), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<RepairReportOut>> {
    let r =
        repair_reports::report(&super::ctx(&state, &caller), q.get("from"), q.get("to")).await?;
    Ok(Json(r.into()))
}
