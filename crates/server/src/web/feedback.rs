//! The merchant's confirmation and rating of a resolved ticket: `/feedback/{token}` (the
//! one-time link of the resolve e-mail, no login), `/tickets/{id}/feedback` (a merchant user in
//! the portal), and `/feedback/follow-ups` (supervisors: low ratings to follow up).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::ids::TicketId;
use posdesk_storage::repo::feedback::Feedback;

use super::kit::{Chrome, CsrfForm, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::error::ApiError;
use crate::service;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    c: Chrome,
    /// Where the form posts.
    action: String,
    number: String,
    subject: String,
    /// Already answered: the stars given.
    stars: Option<i64>,
    closed: bool,
    error: Option<String>,
    comment: String,
}

fn page(
    web: &Web,
    user: Option<&WebUser>,
    action: String,
    f: &Feedback,
    error: Option<String>,
    comment: &str,
) -> FeedbackPage {
    FeedbackPage {
        c: web.chrome(user, web.tr.t("fb-title")),
        action,
        number: f.ticket_number.clone(),
        subject: f.ticket_subject.clone(),
        stars: f.stars,
        closed: f.closed_at.is_some(),
        error,
        comment: comment.to_owned(),
    }
}

fn stars_of(f: &super::kit::Fields) -> i64 {
    f.get("stars").trim().parse().unwrap_or(0)
}

pub async fn link_page(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
) -> Response {
    match service::feedback::by_link(&state, &token).await {
        Ok(f) => web.render(
            StatusCode::OK,
            &page(&web, None, format!("/feedback/{token}"), &f, None, ""),
        ),
        Err(e) => web.fail(None, &e),
    }
}

pub async fn link_submit(
    State(state): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let comment = f.get("comment").to_owned();
    match service::feedback::rate_by_link(&state, &token, stars_of(&f), Some(&comment)).await {
        Ok(fb) => web.render(
            StatusCode::OK,
            &page(&web, None, format!("/feedback/{token}"), &fb, None, ""),
        ),
        Err(e) if is_form_error(&e) || matches!(e, ApiError::Conflict { .. }) => {
            match service::feedback::by_link(&state, &token).await {
                Ok(fb) => {
                    let msg = labels::error_message(&web.tr, &e);
                    web.render(
                        e.status(),
                        &page(
                            &web,
                            None,
                            format!("/feedback/{token}"),
                            &fb,
                            Some(msg),
                            &comment,
                        ),
                    )
                }
                Err(e2) => web.fail(None, &e2),
            }
        }
        Err(e) => web.fail(None, &e),
    }
}

fn ticket_id(raw: &str) -> Result<TicketId, ApiError> {
    TicketId::parse("id", raw).map_err(|_| ApiError::NotFound)
}

pub async fn portal_page(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = ticket_id(&id)?;
        service::feedback::of_ticket(&user.ctx(&state), id)
            .await?
            .ok_or(ApiError::NotFound)
    }
    .await;
    match result {
        Ok(f) => web.render(
            StatusCode::OK,
            &page(
                &web,
                Some(&user),
                format!("/tickets/{}/feedback", f.ticket_id),
                &f,
                None,
                "",
            ),
        ),
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn portal_submit(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let id = match ticket_id(&id) {
        Ok(id) => id,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let comment = f.get("comment").to_owned();
    let ctx = user.ctx(&state);
    match service::feedback::rate(&ctx, id, stars_of(&f), Some(&comment)).await {
        Ok(_) => web.redirect(&format!("/tickets/{id}/feedback")),
        Err(e) if is_form_error(&e) || matches!(e, ApiError::Conflict { .. }) => {
            match service::feedback::of_ticket(&ctx, id).await {
                Ok(Some(fb)) => {
                    let msg = labels::error_message(&web.tr, &e);
                    web.render(
                        e.status(),
                        &page(
                            &web,
                            Some(&user),
                            format!("/tickets/{id}/feedback"),
                            &fb,
                            Some(msg),
                            &comment,
                        ),
                    )
                }
                Ok(None) => web.fail(Some(&user), &ApiError::NotFound),
                Err(e2) => web.fail(Some(&user), &e2),
            }
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub struct FollowUpRow {
    pub ticket_id: String,
    pub number: String,
    pub stars: i64,
    pub comment: String,
    pub answered: String,
}

#[derive(Template)]
#[template(path = "feedback_follow_ups.html")]
struct FollowUpsPage {
    c: Chrome,
    rows: Vec<FollowUpRow>,
    error: Option<String>,
}

async fn follow_ups_render(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    error: Option<(StatusCode, String)>,
) -> Response {
    match service::feedback::follow_ups(&user.ctx(state)).await {
        Ok(list) => {
            let rows = list
                .into_iter()
                .map(|f| FollowUpRow {
                    ticket_id: f.ticket_id.to_string(),
                    number: f.ticket_number,
                    stars: f.stars.unwrap_or(0),
                    comment: f.comment.unwrap_or_default(),
                    answered: f
                        .answered_at
                        .map(|t| t.to_shanghai_display())
                        .unwrap_or_default(),
                })
                .collect();
            let (status, error) = match error {
                Some((s, m)) => (s, Some(m)),
                None => (StatusCode::OK, None),
            };
            web.render(
                status,
                &FollowUpsPage {
                    c: web.chrome(Some(user), web.tr.t("fb-follow-ups-title")),
                    rows,
                    error,
                },
            )
        }
        Err(e) => web.fail(Some(user), &e),
    }
}

pub async fn follow_ups(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    follow_ups_render(&state, &web, &user, None).await
}

pub async fn follow_up_submit(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result = async {
        let id = ticket_id(&id)?;
        service::feedback::follow_up(&user.ctx(&state), id, f.get("note")).await
    }
    .await;
    match result {
        Ok(()) => web.redirect("/feedback/follow-ups"),
        Err(e) if is_form_error(&e) || matches!(e, ApiError::Conflict { .. }) => {
            let msg = labels::error_message(&web.tr, &e);
            follow_ups_render(&state, &web, &user, Some((e.status(), msg))).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}
