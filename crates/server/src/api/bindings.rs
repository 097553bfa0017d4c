//! Terminal bindings (PBoC 银发〔2021〕259号): a terminal's binding history, bind, relocate (移机)
//! and unbind. Each change answers the terminal (with its new version as `ETag`) and the
//! bindings it started and ended; `If-Match` guards against acting on a stale read (412).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::ids::TerminalId;
use posdesk_core::registry::terminal::{AcquirerCode, BindingNote, PlacementAddress};
use posdesk_core::registry::{BankCardMasked, DivisionCode, Fen, Mid, Tid};
use posdesk_storage::repo::bindings::{BindingChange, RentalTerms, TerminalBinding};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::TerminalOut;
use super::extract::{IfMatch, JsonBody, QueryMap, parse_date, path_id};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::bindings::{self, BindInput, RelocateInput};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct BindingOut {
    pub id: String,
    pub terminal_id: String,
    pub merchant_id: String,
    /// The terminal's serial number (SN).
    pub sn: String,
    /// The TID used under this binding.
    pub tid: String,
    /// 3 digits, the MID's first three.
    pub acquirer_code: String,
    /// Merchant number (15 digits).
    pub mid: String,
    /// `uscc` or `resident_id`.
    pub merchant_identity_kind: String,
    /// The merchant's USCC, or its owner's resident ID — masked (`110***********002X`) for
    /// roles that may not see it in full.
    pub merchant_identity: String,
    /// Masked: first 6 and last 4 digits only.
    pub settlement_account: String,
    pub placement_address: String,
    /// City- or district-level administrative division code.
    pub division_code: String,
    pub verification_note: Option<String>,
    /// Who verified the binding (a user id).
    pub verified_by: String,
    pub verified_by_role: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// `relocated`, `unbound` or `status_change`.
    pub end_reason: Option<String>,
    pub end_note: Option<String>,
    pub ended_by: Option<String>,
    /// Whether this is the terminal's current binding.
    pub current: bool,
    /// Monthly rental in fen, if any.
    pub rental_fen_per_month: Option<i64>,
    /// Deposit in fen, if any.
    pub deposit_fen: Option<i64>,
}

impl From<TerminalBinding> for BindingOut {
    fn from(b: TerminalBinding) -> Self {
        Self {
            current: b.is_current(),
            rental_fen_per_month: b.rental_fen_per_month,
            deposit_fen: b.deposit_fen,
            id: b.id.to_string(),
            terminal_id: b.terminal_id.to_string(),
            merchant_id: b.merchant_id.to_string(),
            sn: b.sn,
            tid: b.tid,
            acquirer_code: b.acquirer_code,
            mid: b.mid,
            merchant_identity_kind: b.identity_kind,
            merchant_identity: b.identity_number,
            settlement_account: b.settlement_account,
            placement_address: b.placement_address,
            division_code: b.division_code,
            verification_note: b.verification_note,
            verified_by: b.verified_by,
            verified_by_role: b.verified_role,
            started_at: b.started_at.to_rfc3339(),
            ended_at: b.ended_at.map(|t| t.to_rfc3339()),
            end_reason: b.end_reason,
            end_note: b.end_note,
            ended_by: b.ended_by,
        }
    }
}

/// One page of bindings, newest first; pass `next_cursor` as `cursor` for the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct BindingPage {
    pub items: Vec<BindingOut>,
    pub next_cursor: Option<String>,
}

/// What a bind, relocation or unbind did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BindingChangeOut {
    /// The terminal afterwards.
    pub terminal: TerminalOut,
    /// The binding that started (bind, relocate).
    pub binding: Option<BindingOut>,
    /// The binding that ended (relocate, unbind).
    pub ended: Option<BindingOut>,
}

impl From<BindingChange> for BindingChangeOut {
    fn from(c: BindingChange) -> Self {
        Self {
            terminal: c.terminal.into(),
            binding: c.binding.map(Into::into),
            ended: c.ended.map(Into::into),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindIn {
    /// 3 digits; must equal the MID's first three.
    pub acquirer_code: String,
    /// The merchant's MID (a merchant of this provider, `pending` or `active`, with its USCC or
    /// owner's ID on record).
    pub mid: String,
    /// 8 characters; default the terminal's own TID.
    pub tid: Option<String>,
    /// The settlement card number in full (Luhn-checked); only first 6 + last 4 are kept.
    pub settlement_account: String,
    /// Placement address, 1–200 characters.
    pub address: String,
    /// The placement's city- or district-level division code.
    pub division_code: String,
    /// `YYYY-MM-DD`; default today (Asia/Shanghai).
    pub install_date: Option<String>,
    /// `YYYY-MM-DD`, not before the install date; default install date + the model's warranty
    /// months from the provider's profile.
    pub warranty_end: Option<String>,
    /// What was verified, 1–200 characters.
    pub note: Option<String>,
    /// Monthly rental for this placement in fen (integer, ≥ 0); absent: no rental.
    pub rental_fen_per_month: Option<i64>,
    /// Deposit taken for this placement in fen (integer, ≥ 0); absent: none.
    pub deposit_fen: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelocateIn {
    /// Must be `true`: the five items were verified again at the new placement.
    pub reverified: bool,
    /// The new placement address.
    pub address: String,
    pub division_code: String,
    /// Items that change with the move; those absent are carried over.
    pub acquirer_code: Option<String>,
    pub mid: Option<String>,
    pub tid: Option<String>,
    /// A new settlement card number in full.
    pub settlement_account: Option<String>,
    pub note: Option<String>,
    /// Monthly rental at the new placement in fen; absent: carried over.
    pub rental_fen_per_month: Option<i64>,
    /// Deposit at the new placement in fen; absent: carried over.
    pub deposit_fen: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnbindIn {
    /// Why (e.g. the merchant's agreement ended), 1–200 characters.
    pub reason: String,
}

/// `Some(text)` unless absent or blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.trim().is_empty())
}

fn rental_terms(rental: Option<i64>, deposit: Option<i64>) -> ApiResult<RentalTerms> {
    let fen = |field: &str, v: Option<i64>| -> ApiResult<Option<i64>> {
        Ok(v.map(|v| Fen::non_negative(field, v))
            .transpose()?
            .map(Fen::fen))
    };
    Ok(RentalTerms {
        rental_fen_per_month: fen("rental_fen_per_month", rental)?,
        deposit_fen: fen("deposit_fen", deposit)?,
    })
}

/// Parses a bind body or form (shared with the web UI).
pub fn parse_bind(b: &BindIn) -> ApiResult<BindInput> {
    Ok(BindInput {
        acquirer_code: AcquirerCode::parse("acquirer_code", &b.acquirer_code)?,
        mid: Mid::parse("mid", &b.mid)?,
        tid: given(&b.tid).map(|t| Tid::parse("tid", t)).transpose()?,
        settlement_account: BankCardMasked::parse("settlement_account", &b.settlement_account)?,
        address: PlacementAddress::parse("address", &b.address)?,
        division: DivisionCode::parse("division_code", &b.division_code)?,
        install_date: given(&b.install_date)
            .map(|d| parse_date("install_date", d.trim()))
            .transpose()?,
        warranty_end: given(&b.warranty_end)
            .map(|d| parse_date("warranty_end", d.trim()))
            .transpose()?,
        note: given(&b.note)
            .map(|n| BindingNote::parse("note", n))
            .transpose()?,
        rental: rental_terms(b.rental_fen_per_month, b.deposit_fen)?,
    })
}

/// Parses a relocation body or form (shared with the web UI).
pub fn parse_relocate(b: &RelocateIn) -> ApiResult<RelocateInput> {
    Ok(RelocateInput {
        reverified: b.reverified,
        address: PlacementAddress::parse("address", &b.address)?,
        division: DivisionCode::parse("division_code", &b.division_code)?,
        acquirer_code: given(&b.acquirer_code)
            .map(|a| AcquirerCode::parse("acquirer_code", a))
            .transpose()?,
        mid: given(&b.mid).map(|m| Mid::parse("mid", m)).transpose()?,
        tid: given(&b.tid).map(|t| Tid::parse("tid", t)).transpose()?,
        settlement_account: given(&b.settlement_account)
            .map(|a| BankCardMasked::parse("settlement_account", a))
            .transpose()?,
        note: given(&b.note)
            .map(|n| BindingNote::parse("note", n))
            .transpose()?,
        rental: rental_terms(b.rental_fen_per_month, b.deposit_fen)?,
    })
}

/// Parses an unbind reason (shared with the web UI).
pub fn parse_unbind(b: &UnbindIn) -> ApiResult<BindingNote> {
    Ok(BindingNote::parse("reason", &b.reason)?)
}

fn answer(status: StatusCode, c: BindingChange) -> Response {
    let mut res = super::with_etag(c.terminal.version, BindingChangeOut::from(c));
    *res.status_mut() = status;
    res
}

/// A terminal's bindings, newest first: the current one (if any) and the ended ones with why
/// they ended. A merchant user sees only their own merchant's terminals and bindings.
#[utoipa::path(get, path = "/api/v1/terminals/{id}/bindings", tag = "terminals",
    params(("id" = String, Path), ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = BindingPage), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<BindingPage>> {
    let id = path_id(&id, TerminalId::parse)?;
    let p = bindings::history(&super::ctx(&state, &caller), id, q.page()?).await?;
    Ok(Json(BindingPage {
        items: p.items.into_iter().map(Into::into).collect(),
        next_cursor: p.next.map(|c| c.encode()),
    }))
}

/// Binds a terminal (in stock, or placed without a recorded binding) to a merchant at a
/// placement: sets its merchant, TID, installed address, install date and warranty end. A
/// terminal already bound, a TID in another current binding, or a merchant that may not take
/// a terminal answer 409; dates out of order 422.
#[utoipa::path(post, path = "/api/v1/terminals/{id}/bindings", tag = "terminals", params(("id" = String, Path)),
    request_body = BindIn,
    responses((status = 201, body = BindingChangeOut, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)))]
pub async fn bind(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<BindIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, TerminalId::parse)?;
    let input = parse_bind(&body.value)?;
    let c = bindings::bind(&super::ctx(&state, &caller), id, input, version).await?;
    Ok(answer(StatusCode::CREATED, c))
}

/// Relocates a terminal (移机): ends its current binding and starts a new one at the new
/// placement, after re-verification (`reverified: true`), in one transaction. The ended
/// binding stays in the history.
#[utoipa::path(post, path = "/api/v1/terminals/{id}/relocate", tag = "terminals", params(("id" = String, Path)),
    request_body = RelocateIn,
    responses((status = 201, body = BindingChangeOut, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)))]
pub async fn relocate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<RelocateIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, TerminalId::parse)?;
    let input = parse_relocate(&body.value)?;
    let c = bindings::relocate(&super::ctx(&state, &caller), id, input, version).await?;
    Ok(answer(StatusCode::CREATED, c))
}

/// Unbinds a terminal (e.g. the merchant leaves): ends its current binding with the reason and
/// takes it back to stock.
#[utoipa::path(post, path = "/api/v1/terminals/{id}/unbind", tag = "terminals", params(("id" = String, Path)),
    request_body = UnbindIn,
    responses((status = 200, body = BindingChangeOut, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)))]
pub async fn unbind(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<UnbindIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, TerminalId::parse)?;
    let reason = parse_unbind(&body.value)?;
    let c = bindings::unbind(&super::ctx(&state, &caller), id, reason, version).await?;
    Ok(answer(StatusCode::OK, c))
}
