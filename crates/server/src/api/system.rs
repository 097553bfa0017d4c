use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::dto::UserOut;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service;
use crate::state::AppState;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "system", security(()), responses((status = 200, description = "alive")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "system", security(()),
    responses((status = 200, description = "ready"), (status = 503, body = Problem)))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<&'static str> {
    state
        .store
        .ping()
        .await
        .map_err(|_| ApiError::Unavailable)?;
    Ok("ready")
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(h) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            h.render(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder not installed",
        )
            .into_response(),
    }
}

pub async fn openapi() -> Json<serde_json::Value> {
    Json(super::openapi_json())
}

/// Unknown paths: an HTML page for browsers, problem+json for API clients.
pub async fn not_found(State(state): State<AppState>, req: axum::extract::Request) -> Response {
    let accepts_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if accepts_html && !req.uri().path().starts_with("/api/") {
        let (mut parts, _) = req.into_parts();
        let web = match <crate::web::kit::Web as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, &state,
        )
        .await
        {
            Ok(w) => w,
            Err(never) => match never {},
        };
        return crate::web::not_found(web).await;
    }
    ApiError::NotFound.into_response()
}

/// The calling account.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = UserOut), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<UserOut>> {
    let ctx = super::ctx(&state, &caller);
    let mut out = UserOut::from(service::account::me(&ctx).await?);
    // A token scoped to a narrower role acts with that role.
    out.role = caller.principal.role().code().into();
    Ok(Json(out))
}
