use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use posdesk_core::ids::{MerchantId, TerminalId};

use super::dto::{MerchantOut, MerchantPage, TerminalOut, TerminalPage};
use super::extract::{QueryMap, path_id};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::directory;
use crate::state::AppState;

/// Merchants in scope (a merchant user sees only their own).
#[utoipa::path(get, path = "/api/v1/merchants", tag = "merchants",
    params(("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = MerchantPage), (status = 403, body = Problem)))]
pub async fn merchants(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<MerchantPage>> {
    Ok(Json(
        directory::merchants(&super::ctx(&state, &caller), q.page()?)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/merchants/{id}", tag = "merchants", params(("id" = String, Path)),
    responses((status = 200, body = MerchantOut), (status = 404, body = Problem)))]
pub async fn merchant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = directory::merchant(
        &super::ctx(&state, &caller),
        path_id(&id, MerchantId::parse)?,
    )
    .await?;
    Ok(super::with_etag(m.version, MerchantOut::from(m)))
}

/// Terminals in scope (a merchant user sees only their merchant's).
#[utoipa::path(get, path = "/api/v1/terminals", tag = "terminals",
    params(("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = TerminalPage), (status = 403, body = Problem)))]
pub async fn terminals(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<TerminalPage>> {
    Ok(Json(
        directory::terminals(&super::ctx(&state, &caller), q.page()?)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/terminals/{id}", tag = "terminals", params(("id" = String, Path)),
    responses((status = 200, body = TerminalOut), (status = 404, body = Problem)))]
pub async fn terminal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let t = directory::terminal(
        &super::ctx(&state, &caller),
        path_id(&id, TerminalId::parse)?,
    )
    .await?;
    Ok(super::with_etag(t.version, TerminalOut::from(t)))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// `install`, `activate`, `uninstall`, `suspend`, `reinstate`, `recover`, `send_to_repair`,
    /// `return_to_merchant`, `return_to_stock`, `lend`, `return_loaner`, `retire`.
    pub event: String,
    /// The merchant's MID, required for `install` and `lend`.
    pub mid: Option<String>,
}

/// Moves a terminal through its status machine; an illegal move answers 409 and changes
/// nothing. `If-Match` guards against lost updates (412).
#[utoipa::path(post, path = "/api/v1/terminals/{id}/transition", tag = "terminals", params(("id" = String, Path)),
    request_body = TransitionIn,
    responses((status = 200, body = TerminalOut), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    super::extract::IfMatch(version): super::extract::IfMatch,
    body: super::extract::JsonBody<TransitionIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, TerminalId::parse)?;
    let b = body.value;
    let event = posdesk_core::registry::TerminalEvent::parse("event", &b.event)?;
    let mid = b
        .mid
        .as_deref()
        .map(|m| posdesk_core::registry::Mid::parse("mid", m))
        .transpose()?;
    let t = directory::transition_terminal(&super::ctx(&state, &caller), id, event, mid, version)
        .await?;
    Ok(super::with_etag(t.version, TerminalOut::from(t)))
}

/// A terminal's history from the audit trail, newest first: creation, imports, status changes
/// and bindings (who, when, before and after).
#[utoipa::path(get, path = "/api/v1/terminals/{id}/history", tag = "terminals", params(("id" = String, Path),
    ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = super::dto::AuditPage), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<super::dto::AuditPage>> {
    let page = directory::terminal_history(
        &super::ctx(&state, &caller),
        path_id(&id, TerminalId::parse)?,
        q.page()?,
    )
    .await?;
    Ok(Json(page.into()))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMerchantIn {
    /// 1–100 characters.
    pub name: String,
    /// 15 digits.
    pub mid: String,
    /// `company` (needs `uscc`), `individual` (either) or `micro` (needs `owner_id`).
    pub kind: String,
    /// 统一社会信用代码, checked.
    pub uscc: Option<String>,
    /// The owner's resident ID number (居民身份证号), checked; shown masked to most roles.
    pub owner_id: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub division_code: Option<String>,
    /// `low` (default), `medium` or `high`.
    pub risk_level: Option<String>,
}

fn opt_text(field: &str, v: Option<String>, max: usize) -> ApiResult<Option<String>> {
    match v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => Err(crate::error::ApiError::invalid(
            field,
            posdesk_core::Rule::TooLong { max },
        )),
        other => Ok(other),
    }
}

/// Registers a merchant (status `pending` until onboarding completes). Honours
/// `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/merchants", tag = "merchants", request_body = CreateMerchantIn,
    responses((status = 201, body = MerchantOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_merchant(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    body: super::extract::JsonBody<CreateMerchantIn>,
) -> ApiResult<Response> {
    use posdesk_core::registry::{
        DivisionCode, Mid, OwnerIdOrUscc, merchant::MerchantKind, merchant::RiskLevel,
    };
    let b = body.value;
    let name = posdesk_core::text::DisplayName::parse("name", &b.name)?;
    let mid = Mid::parse("mid", &b.mid)?;
    let kind = MerchantKind::parse("kind", &b.kind)?;
    let identity = posdesk_core::registry::merchant::parse_identity(
        kind,
        b.uscc.as_deref(),
        b.owner_id.as_deref(),
    )?;
    let phone = b
        .contact_phone
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|p| posdesk_core::registry::Phone::parse("contact_phone", p))
        .transpose()?;
    let division = b
        .division_code
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|d| DivisionCode::parse("division_code", d))
        .transpose()?;
    let risk = match b.risk_level.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(r) => RiskLevel::parse("risk_level", r)?,
        None => RiskLevel::Low,
    };
    let number = match &identity {
        OwnerIdOrUscc::Uscc(u) => u.as_str().to_owned(),
        OwnerIdOrUscc::ResidentId(r) => r.expose().to_owned(),
    };
    let m = posdesk_storage::repo::merchants::CreateMerchant {
        id: MerchantId::from_uuid(crate::service::new_uuid()),
        tenant: posdesk_core::ids::TenantId::from_uuid(uuid::Uuid::nil()),
        name: name.to_string(),
        mid: mid.as_str().to_owned(),
        contact_name: opt_text("contact_name", b.contact_name, 50)?,
        contact_phone: phone.map(|p| p.as_str().to_owned()),
        address: opt_text("address", b.address, 200)?,
        registry: Some(posdesk_storage::repo::merchants::MerchantRegistry {
            kind: kind.code().to_owned(),
            id_kind: identity.kind_code().to_owned(),
            id_number: number,
            risk_level: risk.code().to_owned(),
            division_code: division.map(|d| d.as_str().to_owned()),
        }),
    };
    super::create_idempotent::<_, MerchantOut, _, _>(
        &state,
        &caller,
        &headers,
        "merchants",
        &body.sha256,
        |tag| async {
            directory::create_merchant(&super::ctx(&state, &caller).with_idempotency(tag), m).await
        },
    )
    .await
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MerchantTransitionIn {
    /// `activate`, `suspend`, `reinstate` or `close`.
    pub event: String,
}

/// Moves a merchant through its status machine; an illegal move answers 409.
#[utoipa::path(post, path = "/api/v1/merchants/{id}/transition", tag = "merchants", params(("id" = String, Path)),
    request_body = MerchantTransitionIn,
    responses((status = 200, body = MerchantOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn transition_merchant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    super::extract::IfMatch(version): super::extract::IfMatch,
    body: super::extract::JsonBody<MerchantTransitionIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, MerchantId::parse)?;
    let event = posdesk_core::registry::MerchantEvent::parse("event", &body.value.event)?;
    let m =
        directory::transition_merchant(&super::ctx(&state, &caller), id, event, version).await?;
    Ok(super::with_etag(m.version, MerchantOut::from(m)))
}
