use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use posdesk_core::ids::TenantId;
use posdesk_core::text::{DisplayName, Label};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{ProviderList, ProviderOut};
use super::extract::{JsonBody, path_id};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::providers::{self, NewProvider};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProviderIn {
    /// Legal name, 1–100 characters.
    pub name: String,
    /// Short name shown in the UI.
    pub short_name: String,
    pub uscc: Option<String>,
    pub hotline: Option<String>,
}

fn optional_text(field: &str, v: Option<String>, max: usize) -> ApiResult<Option<String>> {
    match v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => Err(crate::error::ApiError::invalid(
            field,
            posdesk_core::Rule::TooLong { max },
        )),
        other => Ok(other),
    }
}

/// Providers the caller may see: all for the platform admin, otherwise their own.
#[utoipa::path(get, path = "/api/v1/providers", tag = "providers",
    responses((status = 200, body = ProviderList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<ProviderList>> {
    let items = providers::list(&super::ctx(&state, &caller)).await?;
    Ok(Json(ProviderList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Registers a provider (tenant). Platform admin only. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/providers", tag = "providers", request_body = CreateProviderIn,
    responses((status = 201, body = ProviderOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<CreateProviderIn>,
) -> ApiResult<Response> {
    let b = body.value;
    let input = NewProvider {
        name: DisplayName::parse("name", &b.name)?,
        short_name: Label::parse("short_name", &b.short_name)?,
        uscc: optional_text("uscc", b.uscc, 18)?,
        hotline: optional_text("hotline", b.hotline, 40)?,
    };
    super::create_idempotent::<_, ProviderOut, _, _>(
        &state,
        &caller,
        &headers,
        "providers",
        &body.sha256,
        |tag| async {
            providers::create(&super::ctx(&state, &caller).with_idempotency(tag), input).await
        },
    )
    .await
}

/// One provider (404 for another tenant's).
#[utoipa::path(get, path = "/api/v1/providers/{id}", tag = "providers", params(("id" = String, Path)),
    responses((status = 200, body = ProviderOut), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id, TenantId::parse)?;
    let p = providers::get(&super::ctx(&state, &caller), id).await?;
    Ok(super::with_etag(p.version, ProviderOut::from(p)))
}
