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
