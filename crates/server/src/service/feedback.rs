//! The merchant's confirmation and rating of a resolved ticket (seed 001): through the one-time
//! link of the resolve e-mail (no login) or in the portal; low ratings in the supervisors'
//! follow-up queue; unanswered requests close the ticket after 3 working days (the scan).

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::ids::{TenantId, TicketId};
use posdesk_core::repair::Rating;
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::feedback::{
    self as repo, AutoClose, Feedback, FollowUp, Rate, Via, token_hash,
};
use posdesk_storage::{Actor, WriteMeta};

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn tenant_of(scope: &Scope) -> ApiResult<TenantId> {
    scope.tenant().ok_or(ApiError::NotFound)
}

/// A link secret is 32 lowercase hex characters; anything else is not looked up.
fn check_token(token: &str) -> ApiResult<String> {
    let t = token.trim();
    if t.len() != 32 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::NotFound);
    }
    Ok(token_hash(&t.to_ascii_lowercase()))
}

/// The request a one-time link names (for its page).
pub async fn by_link(state: &AppState, token: &str) -> ApiResult<Feedback> {
    let hash = check_token(token)?;
    state
        .store
        .read(move |c| Box::pin(async move { repo::by_token(c, &hash).await }))
        .await?
        .ok_or(ApiError::NotFound)
}

/// Rates through the one-time link (no login); the actor is `system:feedback-link`.
pub async fn rate_by_link(
    state: &AppState,
    token: &str,
    stars: i64,
    comment: Option<&str>,
) -> ApiResult<Feedback> {
    let rating = Rating::parse(stars, comment)?;
    let f = by_link(state, token).await?;
    let hash = check_token(token)?;
    let sla = super::tickets::sla_context(state, f.tenant_id).await?;
    let meta = WriteMeta::new(
        Actor::system("feedback-link"),
        format!("feedback-{}", new_uuid()),
    );
    Ok(state
        .store
        .write(
            meta,
            Rate {
                tenant: f.tenant_id,
                via: Via::Link(hash),
                rating,
                sla,
            },
        )
        .await?)
}

/// A merchant user rates their own merchant's resolved ticket in the portal.
pub async fn rate(
    ctx: &Ctx<'_>,
    ticket: TicketId,
    stars: i64,
    comment: Option<&str>,
) -> ApiResult<Feedback> {
    let scope = ctx.authorize(Permission::TicketRate)?;
    let tenant = tenant_of(&scope)?;
    let Some(merchant) = scope.merchant() else {
        return Err(ApiError::Forbidden(
            "the merchant rates the service; staff see the rating".into(),
        ));
    };
    let rating = Rating::parse(stars, comment)?;
    let sla = super::tickets::sla_context(ctx.state, tenant).await?;
    ctx.write(
        ctx.meta(),
        Rate {
            tenant,
            via: Via::Portal { merchant, ticket },
            rating,
            sla,
        },
    )
    .await
}

/// The rating request of a ticket, if it was resolved (staff and the ticket's merchant).
pub async fn of_ticket(ctx: &Ctx<'_>, ticket: TicketId) -> ApiResult<Option<Feedback>> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::of_ticket(c, &scope, ticket).await }))
        .await?)
}

/// Low ratings waiting for a supervisor's follow-up.
pub async fn follow_ups(ctx: &Ctx<'_>) -> ApiResult<Vec<Feedback>> {
    let scope = ctx.authorize(Permission::RatingFollowUp)?;
    let tenant = tenant_of(&scope)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::follow_ups(c, tenant).await }))
        .await?)
}

/// A supervisor (or provider admin) records the follow-up of a low rating (1–1,000 characters).
pub async fn follow_up(ctx: &Ctx<'_>, ticket: TicketId, note: &str) -> ApiResult<()> {
    let scope = ctx.authorize(Permission::RatingFollowUp)?;
    let tenant = tenant_of(&scope)?;
    // Another provider's ticket is not found, whatever its ratings.
    ctx.state
        .store
        .read(move |c| {
            Box::pin(async move {
                posdesk_storage::repo::tickets::get(c, &scope, ticket)
                    .await
                    .map(|_| ())
            })
        })
        .await?;
    let note = note.trim();
    if note.is_empty() {
        return Err(FieldError::new("note", Rule::Required).into());
    }
    if note.chars().count() > 1000 {
        return Err(FieldError::new("note", Rule::TooLong { max: 1000 }).into());
    }
    ctx.write(
        ctx.meta(),
        FollowUp {
            tenant,
            ticket,
            note: note.to_owned(),
        },
    )
    .await
}

/// Closes resolved tickets whose confirmation went unanswered for 3 working days.
pub async fn scan_auto_close(state: &AppState, now: Timestamp) -> ApiResult<usize> {
    let due = state
        .store
        .read(move |c| Box::pin(async move { repo::due_auto_close(c, now).await }))
        .await?;
    let mut n = 0;
    for (tenant, ticket) in due {
        let sla = super::tickets::sla_context(state, tenant).await?;
        let meta = WriteMeta::new(
            Actor::system("auto-close"),
            format!("auto-close-{}", new_uuid()),
        );
        match state
            .store
            .write(
                meta,
                AutoClose {
                    tenant,
                    ticket,
                    sla,
                },
            )
            .await
        {
            Ok(true) => n += 1,
            Ok(false) | Err(posdesk_storage::Error::Stale { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(n)
}
