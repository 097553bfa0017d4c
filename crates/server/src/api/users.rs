use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use posdesk_core::authz::Role;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId, UserId};
use posdesk_core::lifecycle::AccountEvent;
use posdesk_core::text::{DisplayName, Email, Login, NewPassword};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{UserOut, UserPage};
use super::extract::{IfMatch, JsonBody, QueryMap, path_id};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::i18n::Locale;
use crate::service::users::{self, NewUser, Patch};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserIn {
    /// Required when the platform admin creates a provider's user.
    pub provider_id: Option<String>,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    /// One of the role codes, e.g. `agent`, `merchant_user`.
    pub role: String,
    /// Required for `merchant_user`.
    pub merchant_id: Option<String>,
    /// Required for `terminal_agent`.
    pub terminal_id: Option<String>,
    /// At least 10 characters; omit for API-only accounts.
    pub password: Option<String>,
    /// `zh-CN` (default) or `en`.
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserIn {
    pub display_name: Option<String>,
    /// `null` removes the address.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordIn {
    pub password: String,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn opt_id<T>(
    field: &str,
    v: &Option<String>,
    parse: fn(&str, &str) -> Result<T, posdesk_core::FieldError>,
) -> ApiResult<Option<T>> {
    v.as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| parse(field, s))
        .transpose()
        .map_err(ApiError::from)
}

/// Users of the caller's provider (the platform admin: of all, or `provider_id=`). Filters: `role`.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    params(("role" = Option<String>, Query), ("provider_id" = Option<String>, Query), ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = UserPage), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<UserPage>> {
    let filter = posdesk_storage::repo::users::Filter {
        tenant: q
            .get("provider_id")
            .map(|s| TenantId::parse("provider_id", s))
            .transpose()?,
        role: q.get("role").map(|s| Role::parse("role", s)).transpose()?,
    };
    let page = users::list(&super::ctx(&state, &caller), filter, q.page()?).await?;
    Ok(Json(page.into()))
}

/// Creates a user. Provider admins create users of their own provider. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserIn,
    responses((status = 201, body = UserOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<CreateUserIn>,
) -> ApiResult<Response> {
    let b = &body.value;
    let input = NewUser {
        provider: opt_id("provider_id", &b.provider_id, TenantId::parse)?,
        login: Login::parse("login", &b.login)?,
        display_name: DisplayName::parse("display_name", &b.display_name)?,
        email: b
            .email
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| Email::parse("email", s))
            .transpose()?,
        role: Role::parse("role", &b.role)?,
        merchant: opt_id("merchant_id", &b.merchant_id, MerchantId::parse)?,
        terminal: opt_id("terminal_id", &b.terminal_id, TerminalId::parse)?,
        password: b
            .password
            .as_deref()
            .map(|p| NewPassword::parse("password", p))
            .transpose()?,
        locale: b
            .locale
            .as_deref()
            .map(|l| Locale::parse("locale", l))
            .transpose()?
            .unwrap_or_default(),
    };
    super::create_idempotent::<_, UserOut, _, _>(
        &state,
        &caller,
        &headers,
        "users",
        &body.sha256,
        |tag| async {
            users::create(&super::ctx(&state, &caller).with_idempotency(tag), input).await
        },
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserOut, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let u = users::get(&super::ctx(&state, &caller), path_id(&id, UserId::parse)?).await?;
    Ok(super::with_etag(u.version, UserOut::from(u)))
}

/// Edits a profile. Send `If-Match` with the ETag you read; a stale one gets 412.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), request_body = UpdateUserIn,
    responses((status = 200, body = UserOut), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<UpdateUserIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, UserId::parse)?;
    let b = body.value;
    let patch = Patch {
        display_name: b
            .display_name
            .as_deref()
            .map(|s| DisplayName::parse("display_name", s))
            .transpose()?,
        email: match b.email {
            None => None,
            Some(None) => Some(None),
            Some(Some(e)) => Some(Some(Email::parse("email", &e)?)),
        },
        locale: b
            .locale
            .as_deref()
            .map(|l| Locale::parse("locale", l))
            .transpose()?,
    };
    let u = users::update(&super::ctx(&state, &caller), id, version, patch).await?;
    Ok(super::with_etag(u.version, UserOut::from(u)))
}

async fn status(
    state: AppState,
    caller: Caller,
    id: String,
    version: Option<i64>,
    e: AccountEvent,
) -> ApiResult<Response> {
    let u = users::set_status(
        &super::ctx(&state, &caller),
        path_id(&id, UserId::parse)?,
        version,
        e,
    )
    .await?;
    Ok(super::with_etag(u.version, UserOut::from(u)))
}

/// Disables an account: its sessions end and its tokens are revoked.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserOut), (status = 409, body = Problem)))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    status(state, caller, id, v, AccountEvent::Disable).await
}

#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = UserOut), (status = 409, body = Problem)))]
pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    status(state, caller, id, v, AccountEvent::Enable).await
}

/// Sets a new password for a user (administrators); the user's sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = String, Path)), request_body = PasswordIn,
    responses((status = 200, body = UserOut), (status = 422, body = Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody<PasswordIn>,
) -> ApiResult<Json<UserOut>> {
    let pw = NewPassword::parse("password", &body.value.password)?;
    let u = users::reset_password(
        &super::ctx(&state, &caller),
        path_id(&id, UserId::parse)?,
        pw,
    )
    .await?;
    Ok(Json(u.into()))
}
