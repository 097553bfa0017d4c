//! Service tickets under `/api/v1/tickets`: intake, queues, replies, notes, status steps,
//! assignment and priority. Every ticket carries its SLA clocks computed at the read.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use posdesk_core::ids::{MerchantId, TerminalId, TicketId, UserId};
use posdesk_core::page::Page;
use posdesk_core::ticket::{Category, Channel, Priority, TeamCode, TicketEvent, TicketKind};
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::tickets::{Change, Ticket, Visibility};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{IfMatch, JsonBody, QueryMap, path_id};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::tickets::{self, NewTicket, Queue, TicketView};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<TicketView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketIn {
    /// `fault` (报修, default) or `request` (咨询).
    pub kind: Option<String>,
    /// `hotline`, `portal`, `email`, `api` (default), `walk_in`, `terminal`; a merchant user's
    /// ticket is always `portal`.
    pub channel: Option<String>,
    /// `hardware`, `software`, `network`, `card_reading`, `printing`, `settlement`,
    /// `operation_question`, `other`.
    pub category: String,
    /// `p1` … `p4` (default `p3`).
    pub priority: Option<String>,
    /// Required for staff; a merchant user's own merchant when absent.
    pub merchant_id: Option<String>,
    /// A terminal placed at that merchant.
    pub terminal_id: Option<String>,
    /// 1–200 characters.
    pub subject: String,
    /// 1–10,000 characters.
    pub description: String,
    /// Up to 20 codes (1–40 of `a-z 0-9 _ -`).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Parses an intake body or form (shared with the web UI).
pub fn parse_ticket(b: &TicketIn) -> ApiResult<NewTicket> {
    let tags = b
        .tags
        .iter()
        .enumerate()
        .map(|(i, t)| {
            TeamCode::parse(&format!("tags[{i}]"), t)
                .map(|x| x.as_str().to_owned())
                .map_err(ApiError::Invalid)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    if tags.len() > 20 {
        return Err(FieldError::new("tags", Rule::Range { min: 0, max: 20 }).into());
    }
    Ok(NewTicket {
        kind: match b.kind.as_deref() {
            None => TicketKind::Fault,
            Some(k) => TicketKind::parse("kind", k)?,
        },
        channel: match b.channel.as_deref() {
            None => Channel::Api,
            Some(c) => Channel::parse("channel", c)?,
        },
        category: Category::parse("category", &b.category)?,
        priority: match b.priority.as_deref() {
            None => Priority::P3,
            Some(p) => Priority::parse("priority", p)?,
        },
        merchant: b
            .merchant_id
            .as_deref()
            .map(|m| MerchantId::parse("merchant_id", m))
            .transpose()?,
        terminal: b
            .terminal_id
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|t| TerminalId::parse("terminal_id", t))
            .transpose()?,
        subject: tickets::parse_text("subject", &b.subject, 200)?,
        description: tickets::parse_text("description", &b.description, 10_000)?,
        tags,
    })
}

/// The scope's tickets in a queue (`?view=all|mine|unassigned|breached|due_soon`), newest
/// first, each with its SLA clocks. A merchant user sees only their own merchant's.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets",
    params(("view" = Option<String>, Query), ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = TicketPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<TicketPage>> {
    let queue = Queue::parse(q.get("view"))?;
    let page = q.page()?;
    let Page { items, next } = tickets::list(&super::ctx(&state, &caller), queue, page).await?;
    Ok(Json(TicketPage {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// Opens a ticket: numbered `T-YYYYMMDD-NNNN`, its SLA policy selected (priority, category,
/// merchant risk level) and its clocks started. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = TicketIn,
    responses((status = 201, body = Object), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<TicketIn>,
) -> ApiResult<Response> {
    let input = parse_ticket(&body.value)?;
    super::create_idempotent::<Ticket, Ticket, _, _>(
        &state,
        &caller,
        &headers,
        "tickets",
        &body.sha256,
        |tag| async {
            tickets::create(&super::ctx(&state, &caller).with_idempotency(tag), input).await
        },
    )
    .await
}

fn ticket_id(raw: &str) -> ApiResult<TicketId> {
    path_id(raw, TicketId::parse)
}

/// One ticket with its clocks, its messages (public ones only for a merchant user) and the
/// other open tickets on its terminal.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = String, Path)),
    responses((status = 200, body = Object, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let d = tickets::get(&super::ctx(&state, &caller), ticket_id(&id)?).await?;
    Ok(super::with_etag(d.view.ticket.version, d))
}

async fn apply(
    state: &AppState,
    caller: &Caller,
    id: &str,
    version: Option<i64>,
    change: Change,
) -> ApiResult<Response> {
    let c = tickets::change(&super::ctx(state, caller), ticket_id(id)?, change, version).await?;
    Ok(super::with_etag(c.ticket.version, c))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    /// 1–10,000 characters.
    pub body: String,
}

/// A public reply: the merchant sees it; a staff reply is the first response / an update.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/replies", tag = "tickets", params(("id" = String, Path)),
    request_body = MessageIn,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<MessageIn>,
) -> ApiResult<Response> {
    let body = tickets::parse_text("body", &body.value.body, 10_000)?;
    let change = Change::Message {
        visibility: Visibility::Public,
        body,
    };
    apply(&state, &caller, &id, version, change).await
}

/// An internal note: staff only.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/notes", tag = "tickets", params(("id" = String, Path)),
    request_body = MessageIn,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<MessageIn>,
) -> ApiResult<Response> {
    let body = tickets::parse_text("body", &body.value.body, 10_000)?;
    let change = Change::Message {
        visibility: Visibility::Internal,
        body,
    };
    apply(&state, &caller, &id, version, change).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// `triage`, `wait_merchant`, `wait_quote`, `wait_parts`, `await_device`, `resume`,
    /// `resolve`, `reopen`, `close` (a merge is `POST …/merge`, naming the target).
    pub event: String,
}

/// A status step from the ticket's state machine (illegal ones are 409).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/transition", tag = "tickets", params(("id" = String, Path)),
    request_body = TransitionIn,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<TransitionIn>,
) -> ApiResult<Response> {
    let e = TicketEvent::parse("event", &body.value.event)?;
    apply(&state, &caller, &id, version, Change::Event(e)).await
}

/// Reopens a resolved ticket within the reopen window (7 days): the merchant's "not fixed".
#[utoipa::path(post, path = "/api/v1/tickets/{id}/reopen", tag = "tickets", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    apply(
        &state,
        &caller,
        &id,
        version,
        Change::Event(TicketEvent::Reopen),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    /// An active staff member of the provider; absent or null: unassigned.
    pub assignee_id: Option<String>,
    /// A team code (`a-z 0-9 _ -`); absent or null: no team.
    pub team: Option<String>,
}

/// Assigns the ticket to a person and/or a team.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "tickets", params(("id" = String, Path)),
    request_body = AssignIn,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<AssignIn>,
) -> ApiResult<Response> {
    let b = body.value;
    let change = Change::Assign {
        assignee: b
            .assignee_id
            .as_deref()
            .map(|u| UserId::parse("assignee_id", u))
            .transpose()?,
        team: b
            .team
            .as_deref()
            .map(|t| TeamCode::parse("team", t))
            .transpose()?,
    };
    apply(&state, &caller, &id, version, change).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityIn {
    /// `p1` … `p4`.
    pub priority: String,
}

/// Changes the priority: the policy is selected again and every clock recomputed from the
/// ticket's status history.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/priority", tag = "tickets", params(("id" = String, Path)),
    request_body = PriorityIn,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn priority(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<PriorityIn>,
) -> ApiResult<Response> {
    let p = Priority::parse("priority", &body.value.priority)?;
    apply(&state, &caller, &id, version, Change::Priority(p)).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LateNoticeIn {
    /// Why the fix will be late, told to the merchant: 1–500 characters.
    pub reason: String,
    /// The new expected fix time, RFC 3339 (without an offset: Asia/Shanghai); after now and
    /// after the current resolution deadline.
    pub new_estimate: Option<String>,
}

/// Parses an optional RFC 3339 instant in `field`.
pub fn parse_instant(field: &'static str, raw: Option<&str>) -> ApiResult<Option<Timestamp>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Timestamp::parse_rfc3339(s).map(Some).ok_or_else(|| {
            FieldError::new(
                field,
                Rule::Invalid {
                    reason: "must be an RFC 3339 date-time",
                },
            )
            .into()
        }),
    }
}

/// Tells the merchant the fix will be late (only while the resolution clock is breached or has
/// less than 2 working hours left: otherwise 409), with the reason and a new estimate; the
/// merchant is e-mailed and sees the estimate as the expected fix time.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/late-notice", tag = "tickets", params(("id" = String, Path)),
    request_body = LateNoticeIn,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn late_notice(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<LateNoticeIn>,
) -> ApiResult<Response> {
    let b = body.value;
    let change = Change::LateNotice {
        reason: b.reason,
        new_estimate: parse_instant("new_estimate", b.new_estimate.as_deref())?,
    };
    apply(&state, &caller, &id, version, change).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The ticket that carries on (active, same merchant).
    pub target_id: String,
}

/// Merges this ticket (the duplicate) into `target_id`: the duplicate becomes `merged` (its
/// clocks stop), both are linked, the merchant is told which ticket carries on. `If-Match`
/// applies to the duplicate.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/merge", tag = "tickets", params(("id" = String, Path)),
    request_body = MergeIn,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<MergeIn>,
) -> ApiResult<Response> {
    let target = TicketId::parse("target_id", &body.value.target_id)?;
    let m = tickets::merge(
        &super::ctx(&state, &caller),
        ticket_id(&id)?,
        target,
        version,
    )
    .await?;
    Ok(super::with_etag(m.source.version, m))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitIn {
    /// The category of the new problem.
    pub category: String,
    /// `p1` … `p4` (default: the source's).
    pub priority: Option<String>,
    /// A terminal of the same merchant (default: none).
    pub terminal_id: Option<String>,
    /// 1–200 characters.
    pub subject: String,
    /// 1–10,000 characters.
    pub description: String,
}

/// Splits a new ticket off this one for a second problem (same merchant, its own number and
/// clocks from now), linked both ways. `If-Match` applies to the source. 201 with both.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/split", tag = "tickets", params(("id" = String, Path)),
    request_body = SplitIn,
    responses((status = 201, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn split(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<SplitIn>,
) -> ApiResult<Response> {
    let b = body.value;
    let new = tickets::SplitOff {
        category: Category::parse("category", &b.category)?,
        priority: match b.priority.as_deref() {
            None => None,
            Some(p) => Some(Priority::parse("priority", p)?),
        },
        terminal: b
            .terminal_id
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|t| TerminalId::parse("terminal_id", t))
            .transpose()?,
        subject: tickets::parse_text("subject", &b.subject, 200)?,
        description: tickets::parse_text("description", &b.description, 10_000)?,
    };
    let s = tickets::split(&super::ctx(&state, &caller), ticket_id(&id)?, new, version).await?;
    Ok((axum::http::StatusCode::CREATED, Json(s)).into_response())
}

/// The provider's SLA policies and selection rules (the built-in defaults from the brief,
/// version 0, until it stores its own).
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "tickets",
    responses((status = 200, body = Object, headers(("ETag" = String))), (status = 403, body = Problem)))]
pub async fn sla_policies(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let s = tickets::sla_policies(&super::ctx(&state, &caller)).await?;
    Ok(super::with_etag(s.version, s))
}

/// Replaces the SLA document (`{"policies": [...], "rules": [...], "defaults": {...}}`, the
/// format `GET` returns). Every rule is checked (targets positive, pause statuses waiting ones,
/// escalation levels unique); errors name the field path. Active tickets are recomputed under
/// the new policies by the next scan pass. `If-Match` guards against lost updates.
#[utoipa::path(put, path = "/api/v1/sla-policies", tag = "tickets", request_body = Object,
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn save_sla_policies(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(version): IfMatch,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::Invalid(FieldError::new(
            "document",
            Rule::Invalid {
                reason: "not UTF-8 JSON",
            },
        ))
    })?;
    let s = tickets::save_sla_policies(&super::ctx(&state, &caller), text, version).await?;
    Ok(super::with_etag(s.version, s))
}
