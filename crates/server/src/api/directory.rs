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
