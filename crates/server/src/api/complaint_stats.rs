//! Monthly complaint statistics (`service::complaint_stats`): the figures as JSON, and the same
//! table as a CSV or XLSX download. `from`/`to` are `YYYY-MM` (Asia/Shanghai), at most 24
//! months; both optional (the last 12 months).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::complaint::MonthStats;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::QueryMap;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::complaint_stats::{self, Export, StatsTable};
use crate::state::AppState;

/// The media type of an XLSX workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One month's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthStatsOut {
    /// `YYYY-MM` (Asia/Shanghai), the month the complaints were received in.
    pub month: String,
    pub total: u64,
    /// Complaints per category code (every category, zeros included).
    pub by_category: BTreeMap<String, u64>,
    /// Complaints per channel code (every channel, zeros included).
    pub by_channel: BTreeMap<String, u64>,
    /// Closed complaints per outcome (`accepted`, `not_accepted`, `no_response`); the others
    /// under `open`.
    pub by_outcome: BTreeMap<String, u64>,
    /// Complaints with a (first) decision.
    pub decided: u64,
    /// Minutes from receipt to the first decision: median and 90th percentile (nearest rank);
    /// absent when nothing was decided.
    pub decision_minutes_median: Option<i64>,
    pub decision_minutes_p90: Option<i64>,
    /// Of the decided, the share decided by the deadline in force (0–1).
    pub on_time_share: Option<f64>,
    /// Complainants (by phone number) with more than one complaint in the month.
    pub repeat_complainants: u64,
    /// `total × 1000 / active_terminals`; absent without active terminals.
    pub per_1000_terminals: Option<f64>,
}

fn owned(m: BTreeMap<&'static str, u64>) -> BTreeMap<String, u64> {
    m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

impl From<MonthStats> for MonthStatsOut {
    fn from(m: MonthStats) -> Self {
        Self {
            month: m.month,
            total: m.total,
            by_category: owned(m.by_category),
            by_channel: owned(m.by_channel),
            by_outcome: owned(m.by_outcome),
            decided: m.decided,
            decision_minutes_median: m.decision_minutes_median,
            decision_minutes_p90: m.decision_minutes_p90,
            on_time_share: m.on_time_share,
            repeat_complainants: m.repeat_complainants,
            per_1000_terminals: m.per_1000_terminals,
        }
    }
}

/// The figures of a range of months, oldest first (every month of the range has a row).
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintStatsOut {
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM` (included).
    pub to: String,
    /// The provider's active terminals now.
    pub active_terminals: u64,
    pub months: Vec<MonthStatsOut>,
}

impl From<StatsTable> for ComplaintStatsOut {
    fn from(t: StatsTable) -> Self {
        Self {
            from: t.from,
            to: t.to,
            active_terminals: t.active_terminals,
            months: t.months.into_iter().map(Into::into).collect(),
        }
    }
}

/// A download: `attachment` with its (ASCII) file name, never sniffed or cached.
pub fn attachment(e: Export, content_type: &'static str) -> Response {
    let mut res = e.bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", e.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// Monthly complaint statistics of the caller's provider (`ComplaintStats`: provider admins,
/// supervisors, complaints officers, auditors). `from`/`to`: `YYYY-MM`, at most 24 months;
/// default the last 12 months up to the current one.
#[utoipa::path(get, path = "/api/v1/complaints/stats", tag = "complaints",
    params(("from" = Option<String>, Query, description = "First month, YYYY-MM (Asia/Shanghai)"),
        ("to" = Option<String>, Query, description = "Last month, YYYY-MM, included")),
    responses((status = 200, body = ComplaintStatsOut), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn stats(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<ComplaintStatsOut>> {
    let t =
        complaint_stats::monthly(&super::ctx(&state, &caller), q.get("from"), q.get("to")).await?;
    Ok(Json(t.into()))
}

/// The same table as CSV (UTF-8 with a BOM, zh-CN headers), as an attachment.
#[utoipa::path(get, path = "/api/v1/complaints/stats.csv", tag = "complaints",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn stats_csv(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Response> {
    let e = complaint_stats::export_csv(&super::ctx(&state, &caller), q.get("from"), q.get("to"))
        .await?;
    Ok(attachment(e, "text/csv; charset=utf-8"))
}

/// The same table as an XLSX workbook (zh-CN headers, figures as numbers), as an attachment.
#[utoipa::path(get, path = "/api/v1/complaints/stats.xlsx", tag = "complaints",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body = Vec<u8>),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn stats_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Response> {
    let e = complaint_stats::export_xlsx(&super::ctx(&state, &caller), q.get("from"), q.get("to"))
        .await?;
    Ok(attachment(e, XLSX_TYPE))
}
