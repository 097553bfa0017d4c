//! Repair and field service (issue 6) under `/api/v1`: repair orders under fault tickets and
//! their actions (diagnosis, quotes and answers, dispatch, work steps, the post-repair
//! checklist), mail-in shipments, the parts catalogue with stock per service point, the loaner
//! pool and loans (the merchant's MID/TID moves to the loaner and back), a technician's day
//! list. Rules are `posdesk_core::repair`'s, who may do what `service::repairs`'s; this module
//! parses and presents.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use posdesk_core::ids::{RepairId, TerminalId, TicketId};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::loans::{Loan, PoolEntry};
use posdesk_storage::repo::repairs::{PartStock, Repair, Shipment};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::extract::{IfMatch, JsonBody, QueryMap, parse_date, path_id};
use super::tickets::parse_instant;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::repairs::{self, RepairDetail, RepairInput};
use crate::state::AppState;

fn repair_id(raw: &str) -> ApiResult<RepairId> {
    path_id(raw, RepairId::parse)
}

fn internal(e: serde_json::Error) -> ApiError {
    ApiError::Internal(e.to_string())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairIn {
    /// `remote` (远程), `on_site` (上门) or `mail_in` (寄修).
    pub method: String,
}

/// Opens a repair order under an active fault ticket that names a terminal. Honours
/// `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/repairs", tag = "repairs", params(("id" = String, Path)),
    request_body = RepairIn,
    responses((status = 201, body = Object), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: JsonBody<RepairIn>,
) -> ApiResult<Response> {
    let ticket = path_id(&id, TicketId::parse)?;
    let method = body.value.method.clone();
    super::create_idempotent::<_, Value, _, _>(
        &state,
        &caller,
        &headers,
        "repairs",
        &body.sha256,
        |tag| async {
            let r = repairs::open(
                &super::ctx(&state, &caller).with_idempotency(tag),
                ticket,
                &method,
            )
            .await?;
            serde_json::to_value(r).map_err(internal)
        },
    )
    .await
}

/// The repair orders of a ticket, oldest first (a merchant user: their own merchant's tickets).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/repairs", tag = "repairs", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn of_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Repair>>> {
    let ticket = path_id(&id, TicketId::parse)?;
    Ok(Json(
        repairs::of_ticket(&super::ctx(&state, &caller), ticket).await?,
    ))
}

/// One repair with its quotes, checklist records and the loans of its terminal; its work steps
/// for staff only. A merchant user sees only their own merchant's repairs.
#[utoipa::path(get, path = "/api/v1/repairs/{id}", tag = "repairs", params(("id" = String, Path)),
    responses((status = 200, body = Object, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let d: RepairDetail = repairs::get(&super::ctx(&state, &caller), repair_id(&id)?).await?;
    Ok(super::with_etag(d.repair.version, d))
}

/// One quote line. `qty` and `unit_fen` are taken as given so that a fraction or a negative
/// amount is refused naming the line's field (`items[0].unit_fen`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteItemIn {
    /// `part` (from the catalogue; reserved on approval) or `labour` (from the fee schedule).
    #[serde(default)]
    pub kind: String,
    /// The part's or fee item's code, 1–32 characters.
    #[serde(default)]
    pub code: String,
    /// 1–100 characters.
    #[serde(default)]
    pub name: String,
    /// Whole units, 1–99.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub qty: Value,
    /// Unit price in fen: a whole number ≥ 0.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub unit_fen: Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairActionIn {
    /// `diagnose` (`cause`, `text`), `quote` (`items`, `valid_days`), `approve` / `reject`
    /// (`quote_id`; staff recording a phone answer also `answered_by_name`, `answered_at`),
    /// `dispatch` (`service_point_id`, `technician_id`, `appointment_start`,
    /// `appointment_end`), `start`, `use_part` (`code`, `qty`), `labour` (`code`, `qty`), `note`
    /// (`text`), `depart`, `arrive`, `sign` (`confirmation_code`), `check` (`item`, `result`,
    /// evidence in `text`), `override` (reason in `text`), `complete` (result in `text`),
    /// `cancel`.
    pub action: String,
    /// `normal_wear`, `human_damage`, `environment`, `unknown`.
    pub cause: Option<String>,
    pub text: Option<String>,
    #[serde(default)]
    pub items: Vec<QuoteItemIn>,
    /// Days the quote stays valid, 1–30 (default 7).
    pub valid_days: Option<i64>,
    pub quote_id: Option<String>,
    /// Who answered on the phone, 1–50 characters (a phone answer recorded by staff).
    pub answered_by_name: Option<String>,
    /// When they answered, RFC 3339, not in the future.
    pub answered_at: Option<String>,
    pub service_point_id: Option<String>,
    /// A technician of that service point.
    pub technician_id: Option<String>,
    /// RFC 3339; the window lies within the merchant's business hours.
    pub appointment_start: Option<String>,
    pub appointment_end: Option<String>,
    /// A part code (`use_part`) or fee code (`labour`).
    pub code: Option<String>,
    /// 1–99.
    pub qty: Option<i64>,
    /// `test_transaction`, `log_clean`, `firmware_current`, `keys_rebound`.
    pub item: Option<String>,
    /// `pass` or `fail`.
    pub result: Option<String>,
    /// 4–8 digits read out by the merchant.
    pub confirmation_code: Option<String>,
}

/// One step on a repair, answered with the repair (200, new `ETag`). A merchant user may only
/// `approve` or `reject` a quote of their own merchant's repair (in the portal); every other
/// action is staff work (403). Illegal steps (work before an approved quote, an answered or
/// expired quote, a checklist item by someone who is neither the repair's technician nor the
/// ticket's assignee) are 409; a stale `If-Match` is 412; bad fields 422 naming the field.
#[utoipa::path(post, path = "/api/v1/repairs/{id}/actions", tag = "repairs",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)), request_body = RepairActionIn,
    responses((status = 200, body = Object, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)))]
pub async fn action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<RepairActionIn>,
) -> ApiResult<Response> {
    let id = repair_id(&id)?;
    let b = &body.value;
    let input = RepairInput {
        action: &b.action,
        cause: b.cause.as_deref(),
        text: b.text.as_deref(),
        items: b
            .items
            .iter()
            .map(|i| {
                (
                    i.kind.clone(),
                    i.code.clone(),
                    i.name.clone(),
                    i.qty.clone(),
                    i.unit_fen.clone(),
                )
            })
            .collect(),
        valid_days: b.valid_days,
        quote_id: b.quote_id.as_deref(),
        answered_by_name: b.answered_by_name.as_deref(),
        answered_at: parse_instant("answered_at", b.answered_at.as_deref())?,
        service_point_id: b.service_point_id.as_deref(),
        technician_id: b.technician_id.as_deref(),
        appointment_start: parse_instant("appointment_start", b.appointment_start.as_deref())?,
        appointment_end: parse_instant("appointment_end", b.appointment_end.as_deref())?,
        code: b.code.as_deref(),
        qty: b.qty,
        item: b.item.as_deref(),
        result: b.result.as_deref(),
        confirmation_code: b.confirmation_code.as_deref(),
    };
    let check = b.action.trim() == "check";
    let r = repairs::change(&super::ctx(&state, &caller), id, version, input)
        .await
        .map_err(|e| match e {
            // A checklist record's evidence is the body's `text`.
            ApiError::Invalid(mut f) if check && f.field == "evidence" => {
                f.field = "text".into();
                ApiError::Invalid(f)
            }
            other => other,
        })?;
    Ok(super::with_etag(r.version, r))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentIn {
    /// `in` (寄入: the merchant ships the terminal to the repair centre) or `back` (寄回).
    pub direction: String,
    /// `dispatch` (sent, with carrier and tracking number) or `receive` (scanned at the other
    /// end).
    pub step: String,
    /// 1–50 characters (dispatch).
    pub carrier: Option<String>,
    /// 1–40 of `A-Z a-z 0-9 -` (dispatch).
    pub tracking_no: Option<String>,
}

/// Records a mail-in shipment step. Ship-in dispatch puts the ticket `in_transit` (its clocks
/// pause while the device travels from the merchant); the receipt resumes it. Only mail-in
/// repairs; a step recorded twice or a receipt before the dispatch is 409.
#[utoipa::path(post, path = "/api/v1/repairs/{id}/shipments", tag = "repairs", params(("id" = String, Path)),
    request_body = ShipmentIn,
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn shipment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody<ShipmentIn>,
) -> ApiResult<Json<Shipment>> {
    let id = repair_id(&id)?;
    let b = &body.value;
    Ok(Json(
        repairs::shipment(
            &super::ctx(&state, &caller),
            id,
            &b.direction,
            &b.step,
            b.carrier.as_deref(),
            b.tracking_no.as_deref(),
        )
        .await?,
    ))
}

/// The shipments of a mail-in repair, oldest first.
#[utoipa::path(get, path = "/api/v1/repairs/{id}/shipments", tag = "repairs", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn shipments(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Shipment>>> {
    let id = repair_id(&id)?;
    Ok(Json(
        repairs::shipments(&super::ctx(&state, &caller), id).await?,
    ))
}

/// The provider's technicians ranked for the repair's dispatch: the service point nearest the
/// merchant's division first, then the skill the repair needs, then the lightest load.
#[utoipa::path(get, path = "/api/v1/repairs/{id}/technicians", tag = "repairs", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn technicians(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<repairs::TechnicianSuggestion>>> {
    let id = repair_id(&id)?;
    Ok(Json(
        repairs::suggest_technicians(&super::ctx(&state, &caller), id).await?,
    ))
}

/// The parts catalogue with the stock (on hand, reserved) at each service point; a part with
/// no stock anywhere appears once with zeros.
#[utoipa::path(get, path = "/api/v1/parts", tag = "repairs",
    responses((status = 200, body = Vec<Object>), (status = 403, body = Problem)))]
pub async fn parts(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<PartStock>>> {
    Ok(Json(repairs::stock(&super::ctx(&state, &caller)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartIn {
    /// 1–100 characters.
    pub name: String,
    /// Unit price in fen: a whole number ≥ 0.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub unit_fen: Value,
}

/// Adds a part to the catalogue or edits it (code: 1–32 of `A-Z 0-9 - _`).
#[utoipa::path(put, path = "/api/v1/parts/{code}", tag = "repairs", params(("code" = String, Path)),
    request_body = PartIn,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_part(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: JsonBody<PartIn>,
) -> ApiResult<StatusCode> {
    let b = &body.value;
    repairs::upsert_part(&super::ctx(&state, &caller), &code, &b.name, &b.unit_fen).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockIn {
    /// A service point of the provider.
    pub service_point_id: String,
    /// Received (`> 0`) or written off (`< 0`, never below what is reserved); ±1–10,000.
    pub delta: i64,
}

/// Receives parts into a service point's stock or writes them off.
#[utoipa::path(post, path = "/api/v1/parts/{code}/stock", tag = "repairs", params(("code" = String, Path)),
    request_body = StockIn,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn adjust_stock(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: JsonBody<StockIn>,
) -> ApiResult<StatusCode> {
    let b = &body.value;
    repairs::adjust_stock(
        &super::ctx(&state, &caller),
        &b.service_point_id,
        &code,
        b.delta,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The provider's loaner pool: each loaner with its status (`in_stock`, or `loaner` while out).
#[utoipa::path(get, path = "/api/v1/loaners", tag = "repairs",
    responses((status = 200, body = Vec<Object>), (status = 403, body = Problem)))]
pub async fn pool(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<PoolEntry>>> {
    Ok(Json(repairs::pool(&super::ctx(&state, &caller)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolIn {
    /// A terminal of the provider in stock.
    pub terminal_id: String,
    /// The service point whose pool it joins.
    pub service_point_id: String,
}

/// Puts a terminal in stock into a service point's loaner pool (a terminal already in the pool
/// moves to that service point).
#[utoipa::path(post, path = "/api/v1/loaners", tag = "repairs", request_body = PoolIn,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_to_pool(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<PoolIn>,
) -> ApiResult<StatusCode> {
    let b = &body.value;
    let terminal = TerminalId::parse("terminal_id", &b.terminal_id)?;
    repairs::add_to_pool(&super::ctx(&state, &caller), terminal, &b.service_point_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Loans, newest first: `?open=true` only those still out; `?loaner_id=` one loaner's history
/// (every merchant that held it). A merchant user sees their own merchant's.
#[utoipa::path(get, path = "/api/v1/loans", tag = "repairs",
    params(("open" = Option<bool>, Query), ("loaner_id" = Option<String>, Query)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn loans(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<Vec<Loan>>> {
    let open = match q.get("open") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(FieldError::new(
                "open",
                Rule::OneOf {
                    allowed: vec!["true", "false"],
                },
            )
            .into());
        }
    };
    let loaner = q
        .get("loaner_id")
        .map(|l| TerminalId::parse("loaner_id", l))
        .transpose()?;
    Ok(Json(
        repairs::loans(&super::ctx(&state, &caller), loaner, open).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LendIn {
    /// A terminal of the loaner pool, in stock.
    pub loaner_id: String,
    /// The merchant's terminal (bound, `active` or `in_repair`) whose identity moves.
    pub terminal_id: String,
    /// The repair the loan belongs to, if any.
    pub repair_id: Option<String>,
    /// Days until due back (default 14).
    pub due_days: Option<i64>,
}

/// Lends a loaner to the merchant of `terminal_id`: the terminal's binding ends, one with the
/// same MID, TID and binding items starts on the loaner (`loaner`), the terminal goes
/// `in_repair`. A loaner that is out, a terminal that already has one, or a TID that would be
/// bound twice is 409 — the database refuses double bindings even under concurrency. Honours
/// `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/loans", tag = "repairs", request_body = LendIn,
    responses((status = 201, body = Object), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn lend(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<LendIn>,
) -> ApiResult<Response> {
    let b = &body.value;
    let loaner = TerminalId::parse("loaner_id", &b.loaner_id)?;
    let terminal = TerminalId::parse("terminal_id", &b.terminal_id)?;
    let repair = b
        .repair_id
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(|r| RepairId::parse("repair_id", r))
        .transpose()?;
    let due_days = b.due_days;
    super::create_idempotent::<_, Value, _, _>(
        &state,
        &caller,
        &headers,
        "loans",
        &body.sha256,
        |tag| async {
            let l = repairs::lend(
                &super::ctx(&state, &caller).with_idempotency(tag),
                loaner,
                terminal,
                repair,
                due_days,
            )
            .await?;
            serde_json::to_value(l).map_err(internal)
        },
    )
    .await
}

/// Returns a loan: the loaner's binding ends, the identity is bound again on the merchant's
/// own terminal (`active`), the loaner goes back to stock. Returning twice is 409.
#[utoipa::path(post, path = "/api/v1/loans/{id}/return", tag = "repairs", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn return_loan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Loan>> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    Ok(Json(
        repairs::return_loan(&super::ctx(&state, &caller), id).await?,
    ))
}

/// The caller's day list (a technician's): their open repairs with an appointment on `day`
/// (`YYYY-MM-DD`, default today in Asia/Shanghai) or without one yet, earliest first.
#[utoipa::path(get, path = "/api/v1/me/day-list", tag = "repairs", params(("day" = Option<String>, Query)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn day_list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<Vec<Repair>>> {
    let day = q.get("day").map(|d| parse_date("day", d)).transpose()?;
    Ok(Json(
        repairs::day_list(&super::ctx(&state, &caller), day).await?,
    ))
}
