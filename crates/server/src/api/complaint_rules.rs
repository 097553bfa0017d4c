//! A provider's complaint clock rules: acknowledgement time, decision period and extension
//! steps (`posdesk_core::complaint::ComplaintRules`; the 2020 rules' 15 / 30 / 60 days until a
//! provider stores its own).

use axum::extract::State;
use axum::response::Response;
use posdesk_core::complaint::ExtensionStep;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{IfMatch, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::complaints;
use crate::state::AppState;

/// One extension step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// The decision deadline may be extended to this many days after receipt.
    pub to_days: i64,
    /// Whether only a manager (supervisor or provider admin) may grant this step.
    pub needs_manager: bool,
}

/// The rules as `GET` returns them under `rules`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    /// Working minutes from receipt to acknowledgement (1–6,000; default 600 = one working day).
    pub acknowledge_working_minutes: i64,
    /// Days from receipt to the decision (1–366; default 15).
    pub decision_days: i64,
    /// Extension steps, each longer than the one before (default 30 by the handler, 60 by a
    /// manager).
    pub extension_steps: Vec<StepBody>,
}

/// The provider's complaint rules (`{"rules": {...}, "version": n}`; version 0 = the defaults).
#[utoipa::path(get, path = "/api/v1/complaint-rules", tag = "complaints",
    responses((status = 200, body = Object, headers(("ETag" = String))), (status = 403, body = Problem)))]
pub async fn get(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let r = complaints::rules(&super::ctx(&state, &caller)).await?;
    Ok(super::with_etag(r.version, r))
}

/// Replaces the provider's complaint rules (provider admins). Errors name the field
/// (`extension_steps[1].to_days`); `If-Match` guards against lost updates. Open complaints
/// are recomputed under the new rules at their next read or change.
#[utoipa::path(put, path = "/api/v1/complaint-rules", tag = "complaints", request_body = RulesBody,
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(version): IfMatch,
    body: JsonBody<RulesBody>,
) -> ApiResult<Response> {
    let b = body.value;
    let steps = b
        .extension_steps
        .into_iter()
        .map(|s| ExtensionStep {
            to_days: s.to_days,
            needs_manager: s.needs_manager,
        })
        .collect();
    let r = complaints::save_rules(
        &super::ctx(&state, &caller),
        b.acknowledge_working_minutes,
        b.decision_days,
        steps,
        version,
    )
    .await?;
    Ok(super::with_etag(r.version, r))
}
