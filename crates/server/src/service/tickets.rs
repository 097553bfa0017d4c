//! Service tickets: intake, queues, replies and notes, status steps, assignment, priority, and
//! the SLA scan. The clocks are the core's (`ticket::compute_clocks`) on the provider's calendar
//! (`calendars::for_tenant`) with the provider's SLA document (the brief's defaults until it has
//! its own); they are computed on every read and recomputed by every change.

use std::sync::Arc;

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::ids::{MerchantId, MessageId, TenantId, TerminalId, TicketId};
use posdesk_core::page::{Page, PageRequest};
use posdesk_core::registry::RiskLevel;
use posdesk_core::ticket::{
    Category, Channel, Clocks, Priority, ReopenWindow, SlaDocument, TicketEvent, TicketKind,
};
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::merchants;
use posdesk_storage::repo::tickets::{
    self as repo, Change, ChangeTicket, Changed, CreateTicket, Message, SlaContext, Ticket, View,
    Visibility,
};
use posdesk_storage::{Actor, WriteMeta};
use serde::Serialize;

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The provider's calendar and SLA document, from the per-provider cache
/// (`AppState::sla_cache`, [`SlaCache::TTL`](super::sla_cache::SlaCache::TTL) = 1 s; a change
/// through this server applies at once, another server's within the TTL), else read and
/// assembled.
pub async fn sla_context(state: &AppState, tenant: TenantId) -> ApiResult<SlaContext> {
    sla_context_since(state, tenant, None).await
}

/// [`sla_context`] assembled from reads that began at or after `since` (the scan asks for one
/// at least as new as its read of the due tickets).
pub async fn sla_context_since(
    state: &AppState,
    tenant: TenantId,
    since: Option<std::time::Instant>,
) -> ApiResult<SlaContext> {
    if let Some(c) = state.sla_cache.get(tenant, since) {
        return Ok(c);
    }
    let load = state.sla_cache.begin();
    let calendar = super::calendars::for_tenant(state, tenant).await?;
    let doc = state
        .store
        .read(move |c| Box::pin(async move { repo::sla_document(c, tenant).await }))
        .await?;
    let ctx = SlaContext {
        calendar: Arc::new(calendar),
        sla: Arc::new(doc.unwrap_or_else(SlaDocument::builtin)),
    };
    state.sla_cache.put(tenant, load, ctx.clone());
    Ok(ctx)
}

fn tenant_of(scope: &Scope) -> ApiResult<TenantId> {
    scope.tenant().ok_or(ApiError::NotFound)
}

fn acting_merchant(scope: &Scope) -> Option<MerchantId> {
    match scope {
        Scope::Merchant { merchant, .. } => Some(*merchant),
        _ => None,
    }
}

/// Subject: 1–200 characters; description: 1–10,000.
pub fn parse_text(field: &'static str, raw: &str, max: usize) -> ApiResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, Rule::Required).into());
    }
    if t.chars().count() > max {
        return Err(FieldError::new(field, Rule::TooLong { max }).into());
    }
    Ok(t.to_owned())
}

/// A checked intake.
pub struct NewTicket {
    pub kind: TicketKind,
    pub channel: Channel,
    pub category: Category,
    pub priority: Priority,
    /// Required for staff; a merchant user's own merchant when absent.
    pub merchant: Option<MerchantId>,
    pub terminal: Option<TerminalId>,
    pub subject: String,
    pub description: String,
    pub tags: Vec<String>,
}

/// Opens a ticket: numbered, its policy selected and its clocks started, audited.
pub async fn create(ctx: &Ctx<'_>, t: NewTicket) -> ApiResult<Ticket> {
    let m = intake(ctx, t).await?;
    ctx.write(ctx.meta(), m).await
}

/// The checked, authorised creation of `t` (who may report for which merchant, the channel a
/// merchant's report is on, the SLA context), ready to write alone or with the report's files
/// (`service::ticket_files::create_with_files`).
pub async fn intake(ctx: &Ctx<'_>, t: NewTicket) -> ApiResult<CreateTicket> {
    let scope = ctx.authorize(Permission::TicketCreate)?;
    let tenant = tenant_of(&scope)?;
    let acting = acting_merchant(&scope);
    let merchant = match (t.merchant, acting) {
        (Some(m), _) => m,
        (None, Some(m)) => m,
        (None, None) => return Err(FieldError::new("merchant_id", Rule::Required).into()),
    };
    // A merchant reports through the portal, whatever the client says.
    let channel = if acting.is_some() {
        Channel::Portal
    } else {
        t.channel
    };
    let sla = sla_context(ctx.state, tenant).await?;
    Ok(CreateTicket {
        id: TicketId::from_uuid(new_uuid()),
        tenant,
        acting_merchant: acting,
        kind: t.kind,
        channel,
        category: t.category,
        priority: t.priority,
        merchant,
        terminal: t.terminal,
        subject: t.subject,
        description: t.description,
        tags: t.tags,
        sla,
    })
}

/// Which queue a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    All,
    Mine,
    Unassigned,
    Breached,
    /// Next check (deadline or escalation) within the coming working hours' window.
    DueSoon,
}

impl Queue {
    pub const CODES: [&'static str; 5] = ["all", "mine", "unassigned", "breached", "due_soon"];
    pub fn parse(raw: Option<&str>) -> ApiResult<Self> {
        Ok(match raw.unwrap_or("all") {
            "all" => Queue::All,
            "mine" => Queue::Mine,
            "unassigned" => Queue::Unassigned,
            "breached" => Queue::Breached,
            "due_soon" => Queue::DueSoon,
            _ => {
                return Err(FieldError::new(
                    "view",
                    Rule::OneOf {
                        allowed: Self::CODES.to_vec(),
                    },
                )
                .into());
            }
        })
    }
}

/// How far ahead "due soon" looks: 2 hours.
pub const DUE_SOON_SECS: i64 = 2 * 3600;

/// A ticket with its clocks at the instant of the read.
#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub clocks: Clocks,
}

async fn view(ctx: &Ctx<'_>, sla: &SlaContext, t: Ticket, now: Timestamp) -> ApiResult<TicketView> {
    let (id, tenant, merchant) = (t.id, t.tenant_id, t.merchant_id);
    let (history, risk) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let h = repo::history(c, id).await?;
                let m = merchants::get(c, &Scope::Tenant(tenant), merchant).await?;
                Ok((h, m.risk_level.as_deref().and_then(RiskLevel::from_code)))
            })
        })
        .await?;
    let (_, clocks) = repo::clocks_of(sla, &t, risk, &history, now);
    Ok(TicketView { ticket: t, clocks })
}

/// The scope's tickets in a queue, newest first, each with its clocks.
pub async fn list(ctx: &Ctx<'_>, queue: Queue, page: PageRequest) -> ApiResult<Page<TicketView>> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    let tenant = tenant_of(&scope)?;
    let now = posdesk_storage::now();
    let v = match queue {
        Queue::All => View::All,
        Queue::Mine => View::Mine(ctx.principal.user_id()),
        Queue::Unassigned => View::Unassigned,
        Queue::Breached => View::Breached,
        Queue::DueSoon => View::DueBefore(now.plus_secs(DUE_SOON_SECS)),
    };
    let p = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::list(c, &scope, v, None, &page).await }))
        .await?;
    let sla = sla_context(ctx.state, tenant).await?;
    let mut items = Vec::with_capacity(p.items.len());
    for t in p.items {
        items.push(view(ctx, &sla, t, now).await?);
    }
    Ok(Page {
        items,
        next: p.next,
    })
}

/// One ticket: clocks, messages (public only for merchant users), and the other open tickets on
/// its terminal (the duplicate warning).
#[derive(Debug, Clone, Serialize)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub view: TicketView,
    pub messages: Vec<Message>,
    /// Other active tickets on the same terminal.
    pub duplicates: Vec<String>,
    /// Merged and split tickets, both directions.
    pub links: Vec<repo::Link>,
    /// Late-fix notices told to the merchant, oldest first.
    pub late_notices: Vec<repo::LateNotice>,
    /// When the merchant may expect the fix: the latest late notice's estimate, else the
    /// resolution deadline (`None` while paused or once resolved).
    pub expected_fix: Option<Timestamp>,
}

pub async fn get(ctx: &Ctx<'_>, id: TicketId) -> ApiResult<TicketDetail> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    let tenant = tenant_of(&scope)?;
    let public_only = acting_merchant(&scope).is_some();
    let (t, messages, dups, links, late_notices) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let t = repo::get(c, &scope, id).await?;
                let m = repo::messages(c, id, public_only).await?;
                let d = match t.terminal_id {
                    Some(term) => repo::open_on_terminal(c, t.tenant_id, term).await?,
                    None => Vec::new(),
                };
                let l = repo::links(c, id).await?;
                let n = repo::late_notices(c, id).await?;
                Ok((t, m, d, l, n))
            })
        })
        .await?;
    let sla = sla_context(ctx.state, tenant).await?;
    let duplicates = dups
        .into_iter()
        .filter(|d| d.id != t.id)
        .map(|d| d.number)
        .collect();
    let view = view(ctx, &sla, t, posdesk_storage::now()).await?;
    let expected_fix = if view.ticket.status.is_active() {
        late_notices
            .last()
            .map(|n| n.new_estimate)
            .or(view.clocks.resolution.deadline)
    } else {
        None
    };
    Ok(TicketDetail {
        view,
        messages,
        duplicates,
        links,
        late_notices,
        expected_fix,
    })
}

/// The permission a change needs: merchants reply publicly and reopen; everything else is work.
pub fn change_permission(change: &Change) -> Permission {
    match change {
        Change::Message {
            visibility: Visibility::Public,
            ..
        }
        | Change::Event(TicketEvent::Reopen) => Permission::TicketReply,
        _ => Permission::TicketWork,
    }
}

/// Applies one change (`If-Match` optional).
pub async fn change(
    ctx: &Ctx<'_>,
    id: TicketId,
    change: Change,
    if_match: Option<i64>,
) -> ApiResult<Changed> {
    if matches!(change, Change::Event(TicketEvent::Merge)) {
        return Err(FieldError::new(
            "event",
            Rule::Invalid {
                reason: "a merge names the ticket to merge into: use the merge action",
            },
        )
        .into());
    }
    let scope = ctx.authorize(change_permission(&change))?;
    let tenant = tenant_of(&scope)?;
    let sla = sla_context(ctx.state, tenant).await?;
    ctx.write(
        ctx.meta(),
        ChangeTicket {
            tenant,
            acting_merchant: acting_merchant(&scope),
            id,
            expected_version: if_match,
            change,
            message_id: MessageId::from_uuid(new_uuid()),
            reopen_window: ReopenWindow::default(),
            sla,
        },
    )
    .await
}

/// What one scan pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanOutcome {
    pub checked: usize,
    pub escalations: usize,
}

/// How many due tickets one scan write recomputes (one transaction): large enough that a
/// pass's commits are few, small enough that the writer interleaves other requests between
/// them (about 10 ms of writer time on SQLite).
pub const SCAN_CHUNK: usize = 100;

/// One pass of the SLA scan: the tickets whose next check has come (by the index), recomputed
/// and their due escalations fired once, [`SCAN_CHUNK`] tickets per transaction
/// (`repo::RecomputeDue`). Run by the job loop; safe on any number of servers: escalation keys
/// are unique, a ticket is recomputed only if its `next_check` is still the one read (on
/// PostgreSQL under `FOR UPDATE SKIP LOCKED`), and each provider's context is assembled from
/// reads made after the due read, so a calendar or SLA change that marked tickets before it is
/// in the context and one after it moved their `next_check`.
pub async fn scan(state: &AppState, now: Timestamp, limit: u32) -> ApiResult<ScanOutcome> {
    let due = state
        .store
        .read(move |c| Box::pin(async move { repo::due_checks(c, now, limit).await }))
        .await?;
    let read_done = std::time::Instant::now();
    // Per provider, in the order found (earliest check first within each).
    let mut groups: Vec<(TenantId, Vec<(TicketId, Timestamp)>)> = Vec::new();
    for d in due {
        match groups.iter_mut().find(|(t, _)| *t == d.tenant) {
            Some((_, items)) => items.push((d.id, d.next_check)),
            None => groups.push((d.tenant, vec![(d.id, d.next_check)])),
        }
    }
    let mut out = ScanOutcome::default();
    for (tenant, items) in groups {
        let sla = sla_context_since(state, tenant, Some(read_done)).await?;
        for chunk in items.chunks(SCAN_CHUNK) {
            match recompute_due(state, tenant, &sla, chunk.to_vec()).await {
                Ok(r) => {
                    out.checked += r.checked;
                    out.escalations += r.escalations;
                }
                // One ticket of the chunk failed (another server changed it between our read
                // and our update): each on its own, so the others go ahead.
                Err(_) if chunk.len() > 1 => {
                    for one in chunk {
                        match recompute_due(state, tenant, &sla, vec![*one]).await {
                            Ok(r) => {
                                out.checked += r.checked;
                                out.escalations += r.escalations;
                            }
                            // Changed in between by another server: it recomputed it.
                            Err(posdesk_storage::Error::Stale { .. }) => {}
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
                Err(posdesk_storage::Error::Stale { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(out)
}

async fn recompute_due(
    state: &AppState,
    tenant: TenantId,
    sla: &SlaContext,
    due: Vec<(TicketId, Timestamp)>,
) -> Result<repo::Recomputed, posdesk_storage::Error> {
    let meta = WriteMeta::new(
        Actor::system("sla-scan"),
        format!("sla-scan-{}", new_uuid()),
    );
    state
        .store
        .write(
            meta,
            repo::RecomputeDue {
                tenant,
                due,
                sla: sla.clone(),
            },
        )
        .await
}

/// The provider's SLA document (the built-in defaults, version 0, until it stores its own).
pub async fn sla_policies(ctx: &Ctx<'_>) -> ApiResult<repo::StoredSla> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    let tenant = tenant_of(&scope)?;
    let (doc, version) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                Ok((
                    repo::sla_document(c, tenant).await?,
                    repo::sla_document_version(c, tenant).await?,
                ))
            })
        })
        .await?;
    let json = doc.unwrap_or_else(SlaDocument::builtin).to_json();
    Ok(repo::StoredSla {
        document: serde_json::from_str(&json).map_err(|e| ApiError::Internal(e.to_string()))?,
        version,
        tickets_rechecked: 0,
    })
}

/// Replaces the provider's SLA document: checked whole by the core (every field error names its
/// path), stored with its version, and every active ticket is marked for the scan to recompute
/// its clocks under the new policies.
pub async fn save_sla_policies(
    ctx: &Ctx<'_>,
    json: &str,
    if_match: Option<i64>,
) -> ApiResult<repo::StoredSla> {
    let scope = ctx.authorize(Permission::SlaManage)?;
    let tenant = tenant_of(&scope)?;
    let doc = SlaDocument::from_json(json).map_err(|e| ApiError::Invalid(e.to_field_error()))?;
    let saved = ctx
        .write(
            ctx.meta(),
            repo::SaveSlaDocument {
                tenant,
                doc,
                expected_version: if_match,
            },
        )
        .await;
    // After the commit (or the failure): a load begun before this sees the old document and
    // is not stored.
    ctx.state.sla_cache.invalidate(tenant);
    saved
}

/// Merges the duplicate `id` into `target` (staff who work tickets; `If-Match` on the duplicate).
pub async fn merge(
    ctx: &Ctx<'_>,
    id: TicketId,
    target: TicketId,
    if_match: Option<i64>,
) -> ApiResult<repo::Merged> {
    let scope = ctx.authorize(Permission::TicketWork)?;
    if acting_merchant(&scope).is_some() {
        return Err(ApiError::NotFound);
    }
    let tenant = tenant_of(&scope)?;
    let sla = sla_context(ctx.state, tenant).await?;
    ctx.write(
        ctx.meta(),
        repo::MergeTickets {
            tenant,
            source: id,
            target,
            expected_version: if_match,
            message_id: MessageId::from_uuid(new_uuid()),
            reopen_window: ReopenWindow::default(),
            sla,
        },
    )
    .await
}

/// What a split-off ticket is about (the merchant, kind and channel are the source's).
pub struct SplitOff {
    pub category: Category,
    /// `None`: the source's priority.
    pub priority: Option<Priority>,
    pub terminal: Option<TerminalId>,
    pub subject: String,
    pub description: String,
}

/// Splits a new ticket off `id` (staff who work tickets; `If-Match` on the source).
pub async fn split(
    ctx: &Ctx<'_>,
    id: TicketId,
    new: SplitOff,
    if_match: Option<i64>,
) -> ApiResult<repo::Split> {
    let scope = ctx.authorize(Permission::TicketWork)?;
    if acting_merchant(&scope).is_some() {
        return Err(ApiError::NotFound);
    }
    let tenant = tenant_of(&scope)?;
    let source = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::get(c, &scope, id).await }))
        .await?;
    let sla = sla_context(ctx.state, tenant).await?;
    ctx.write(
        ctx.meta(),
        repo::SplitTicket {
            tenant,
            source: id,
            expected_version: if_match,
            new: CreateTicket {
                id: TicketId::from_uuid(new_uuid()),
                tenant,
                acting_merchant: None,
                kind: source.kind,
                channel: source.channel,
                category: new.category,
                priority: new.priority.unwrap_or(source.priority),
                merchant: source.merchant_id,
                terminal: new.terminal,
                subject: new.subject,
                description: new.description,
                tags: source.tags.clone(),
                sla,
            },
        },
    )
    .await
}

/// The id of the ticket a person named: its number (`T-20261201-0001`, as staff say it) or its
/// id; `field` names the form field in the error.
pub async fn resolve_ticket(ctx: &Ctx<'_>, field: &'static str, raw: &str) -> ApiResult<TicketId> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, Rule::Required).into());
    }
    if let Ok(id) = TicketId::parse(field, raw) {
        return Ok(id);
    }
    let scope = ctx.authorize(Permission::TicketRead)?;
    let number = raw.to_ascii_uppercase();
    ctx.state
        .store
        .read(move |c| Box::pin(async move { repo::by_number(c, &scope, &number).await }))
        .await
        .map(|t| t.id)
        .map_err(|e| match ApiError::from(e) {
            ApiError::NotFound => FieldError::new(
                field,
                Rule::Invalid {
                    reason: "is not a ticket number of this provider",
                },
            )
            .into(),
            e => e,
        })
}
