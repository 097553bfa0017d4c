//! The merchant's confirmation and rating of a resolved ticket, and the supervisors' follow-up
//! of low ratings (`service::feedback`).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use posdesk_core::ids::TicketId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{JsonBody, path_id};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::feedback;
use crate::state::AppState;

/// A rating: 1–5 stars and an optional comment (≤ 500 characters).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    pub stars: i64,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A supervisor's follow-up note of a low rating.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpBody {
    pub note: String,
}

/// The merchant (a merchant user of the ticket's merchant) rates a resolved ticket; the rating
/// confirms the fix and closes the ticket. 409 when already rated or closed.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/rating", tag = "tickets", request_body = RatingBody,
    params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody<RatingBody>,
) -> ApiResult<Response> {
    let b = body.value;
    let f = feedback::rate(
        &super::ctx(&state, &caller),
        path_id(&id, TicketId::parse)?,
        b.stars,
        b.comment.as_deref(),
    )
    .await?;
    Ok(Json(f).into_response())
}

/// The rating request of a resolved ticket and its answer (`null` before the first resolve).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/rating", tag = "tickets", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let f =
        feedback::of_ticket(&super::ctx(&state, &caller), path_id(&id, TicketId::parse)?).await?;
    Ok(Json(f).into_response())
}

/// Low ratings (1–2 stars) waiting for a supervisor's follow-up, oldest first.
#[utoipa::path(get, path = "/api/v1/feedback/follow-ups", tag = "tickets",
    responses((status = 200, body = Object), (status = 403, body = Problem)))]
pub async fn follow_ups(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    Ok(Json(feedback::follow_ups(&super::ctx(&state, &caller)).await?).into_response())
}

/// A supervisor records the follow-up of a ticket's low rating.
#[utoipa::path(post, path = "/api/v1/feedback/follow-ups/{ticket_id}", tag = "tickets", request_body = FollowUpBody,
    params(("ticket_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn follow_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody<FollowUpBody>,
) -> ApiResult<Response> {
    feedback::follow_up(
        &super::ctx(&state, &caller),
        path_id(&id, TicketId::parse)?,
        &body.value.note,
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// Rates through the one-time link of the resolve e-mail (no authentication; the link's secret
/// is the credential). An unknown or malformed secret is 404.
#[utoipa::path(post, path = "/api/v1/public/feedback/{token}", tag = "public", request_body = RatingBody,
    params(("token" = String, Path)), security(()),
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn rate_by_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: JsonBody<RatingBody>,
) -> ApiResult<Response> {
    let b = body.value;
    let f = feedback::rate_by_link(&state, &token, b.stars, b.comment.as_deref()).await?;
    Ok(Json(f).into_response())
}
