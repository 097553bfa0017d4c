use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use posdesk_core::authz::Role;
use posdesk_core::ids::TokenId;
use posdesk_core::text::Label;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{TokenList, TokenOut};
use super::extract::{JsonBody, QueryMap, idempotency_key, path_id};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::tokens;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenIn {
    pub name: String,
    /// A role no wider than the caller's; defaults to the caller's role.
    pub role: Option<String>,
    pub expires_in_days: Option<i64>,
}

/// The caller's tokens (`all=true`: every token of the provider, for user managers).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(("all" = Option<bool>, Query)),
    responses((status = 200, body = TokenList), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<TokenList>> {
    let all = q.get("all") == Some("true");
    let items = tokens::list(&super::ctx(&state, &caller), all).await?;
    Ok(Json(TokenList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Issues a token for the caller. The secret is in this response only; it is stored hashed, so
/// `Idempotency-Key` is refused here (a replay could not return the secret).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = CreateTokenIn,
    responses((status = 201, body = TokenOut), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<CreateTokenIn>,
) -> ApiResult<Response> {
    if idempotency_key(&headers)?.is_some() {
        return Err(ApiError::BadRequest(posdesk_core::FieldError::new(
            "Idempotency-Key",
            posdesk_core::Rule::Invalid {
                reason: "not supported for token creation (the secret is shown once)",
            },
        )));
    }
    let b = body.value;
    let name = Label::parse("name", &b.name)?;
    let role = b
        .role
        .as_deref()
        .map(|r| Role::parse("role", r))
        .transpose()?;
    let issued = tokens::issue(&super::ctx(&state, &caller), name, role, b.expires_in_days).await?;
    let mut out = TokenOut::from(issued.token);
    out.secret = Some(issued.secret);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Revokes a token (your own; user managers: any of the provider's).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = String, Path)),
    responses((status = 200, body = TokenOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenOut>> {
    let t = tokens::revoke(&super::ctx(&state, &caller), path_id(&id, TokenId::parse)?).await?;
    Ok(Json(t.into()))
}
