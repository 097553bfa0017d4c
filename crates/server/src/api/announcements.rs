use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use posdesk_core::ids::AnnouncementId;
use posdesk_core::lifecycle::{AnnouncementEvent, AnnouncementStatus, Audience};
use posdesk_core::text::{Body, Title};
use posdesk_core::{FieldError, Rule};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{AnnouncementOut, AnnouncementPage};
use super::extract::{IfMatch, JsonBody, QueryMap, path_id};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::announcements::{self, NewAnnouncement, Patch};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAnnouncementIn {
    /// 1–200 characters.
    pub title: String,
    /// 1–20,000 characters.
    pub body: String,
    /// `staff` or `merchants`.
    pub audience: String,
    /// Publish at once (default: save as draft).
    #[serde(default)]
    pub publish: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAnnouncementIn {
    pub title: Option<String>,
    pub body: Option<String>,
    pub audience: Option<String>,
}

fn audience(s: &str) -> Result<Audience, FieldError> {
    Audience::from_code(s).ok_or_else(|| {
        FieldError::new(
            "audience",
            Rule::OneOf {
                allowed: vec!["staff", "merchants"],
            },
        )
    })
}

/// Announcements visible to the caller (merchant users: published ones for merchants).
#[utoipa::path(get, path = "/api/v1/announcements", tag = "announcements",
    params(("status" = Option<String>, Query), ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = AnnouncementPage), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<AnnouncementPage>> {
    let status = q
        .get("status")
        .map(|s| {
            AnnouncementStatus::from_code(s).ok_or_else(|| {
                FieldError::new(
                    "status",
                    Rule::OneOf {
                        allowed: vec!["draft", "published", "archived"],
                    },
                )
            })
        })
        .transpose()?;
    let page = announcements::list(&super::ctx(&state, &caller), status, q.page()?).await?;
    Ok(Json(page.into()))
}

/// Creates an announcement; publishing notifies subscribed webhooks. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/announcements", tag = "announcements", request_body = CreateAnnouncementIn,
    responses((status = 201, body = AnnouncementOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<CreateAnnouncementIn>,
) -> ApiResult<Response> {
    let b = &body.value;
    let input = NewAnnouncement {
        title: Title::parse("title", &b.title)?,
        body: Body::parse("body", &b.body)?,
        audience: audience(&b.audience)?,
        publish: b.publish,
    };
    super::create_idempotent::<_, AnnouncementOut, _, _>(
        &state,
        &caller,
        &headers,
        "announcements",
        &body.sha256,
        |tag| async {
            announcements::create(&super::ctx(&state, &caller).with_idempotency(tag), input).await
        },
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "announcements", params(("id" = String, Path)),
    responses((status = 200, body = AnnouncementOut, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let a = announcements::get(
        &super::ctx(&state, &caller),
        path_id(&id, AnnouncementId::parse)?,
    )
    .await?;
    Ok(super::with_etag(a.version, AnnouncementOut::from(a)))
}

/// Edits a draft or published announcement. `If-Match` guards against lost updates (412).
#[utoipa::path(patch, path = "/api/v1/announcements/{id}", tag = "announcements", params(("id" = String, Path)),
    request_body = UpdateAnnouncementIn,
    responses((status = 200, body = AnnouncementOut), (status = 409, body = Problem), (status = 412, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<UpdateAnnouncementIn>,
) -> ApiResult<Response> {
    let b = body.value;
    let patch = Patch {
        title: b
            .title
            .as_deref()
            .map(|s| Title::parse("title", s))
            .transpose()?,
        body: b
            .body
            .as_deref()
            .map(|s| Body::parse("body", s))
            .transpose()?,
        audience: b.audience.as_deref().map(audience).transpose()?,
    };
    let a = announcements::update(
        &super::ctx(&state, &caller),
        path_id(&id, AnnouncementId::parse)?,
        version,
        patch,
    )
    .await?;
    Ok(super::with_etag(a.version, AnnouncementOut::from(a)))
}

async fn transition(
    state: AppState,
    caller: Caller,
    id: String,
    v: Option<i64>,
    e: AnnouncementEvent,
) -> ApiResult<Response> {
    let a = announcements::transition(
        &super::ctx(&state, &caller),
        path_id(&id, AnnouncementId::parse)?,
        v,
        e,
    )
    .await?;
    Ok(super::with_etag(a.version, AnnouncementOut::from(a)))
}

#[utoipa::path(post, path = "/api/v1/announcements/{id}/publish", tag = "announcements", params(("id" = String, Path)),
    responses((status = 200, body = AnnouncementOut), (status = 409, body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    transition(state, caller, id, v, AnnouncementEvent::Publish).await
}

#[utoipa::path(post, path = "/api/v1/announcements/{id}/archive", tag = "announcements", params(("id" = String, Path)),
    responses((status = 200, body = AnnouncementOut), (status = 409, body = Problem)))]
pub async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    transition(state, caller, id, v, AnnouncementEvent::Archive).await
}
