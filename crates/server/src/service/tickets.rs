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

/// The provider's calendar and SLA document, assembled once per request.
pub async fn sla_context(state: &AppState, tenant: TenantId) -> ApiResult<SlaContext> {
    let calendar = super::calendars::for_tenant(state, tenant).await?;
    let doc = state
        .store
        .read(move |c| Box::pin(async move { repo::sla_document(c, tenant).await }))
        .await?;
    Ok(SlaContext {
        calendar: Arc::new(calendar),
        sla: Arc::new(doc.unwrap_or_else(SlaDocument::builtin)),
    })
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
    ctx.write(
        ctx.meta(),
        CreateTicket {
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
        },
    )
    .await
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
}

pub async fn get(ctx: &Ctx<'_>, id: TicketId) -> ApiResult<TicketDetail> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    let tenant = tenant_of(&scope)?;
    let public_only = acting_merchant(&scope).is_some();
    let (t, messages, dups) = ctx
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
                Ok((t, m, d))
            })
        })
        .await?;
    let sla = sla_context(ctx.state, tenant).await?;
    let duplicates = dups
        .into_iter()
        .filter(|d| d.id != t.id)
        .map(|d| d.number)
        .collect();
    Ok(TicketDetail {
        view: view(ctx, &sla, t, posdesk_storage::now()).await?,
        messages,
        duplicates,
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

/// One pass of the SLA scan: the tickets whose next check has come (by the index), each
/// recomputed and its due escalations fired once. Run by the job loop; safe on any number of
/// servers (escalation keys are unique, changes are version-checked).
pub async fn scan(state: &AppState, now: Timestamp, limit: u32) -> ApiResult<ScanOutcome> {
    let due = state
        .store
        .read(move |c| Box::pin(async move { repo::due_checks(c, now, limit).await }))
        .await?;
    let mut out = ScanOutcome::default();
    // One calendar and SLA document per provider per pass (assembling it is the dearest part
    // of a recompute).
    let mut contexts: std::collections::HashMap<TenantId, SlaContext> = Default::default();
    for (tenant, id) in due {
        let sla = match contexts.get(&tenant) {
            Some(c) => c.clone(),
            None => {
                let c = sla_context(state, tenant).await?;
                contexts.insert(tenant, c.clone());
                c
            }
        };
        let meta = WriteMeta::new(
            Actor::system("sla-scan"),
            format!("sla-scan-{}", new_uuid()),
        );
        match state
            .store
            .write(
                meta,
                ChangeTicket {
                    tenant,
                    acting_merchant: None,
                    id,
                    expected_version: None,
                    change: Change::Recompute,
                    message_id: MessageId::from_uuid(new_uuid()),
                    reopen_window: ReopenWindow::default(),
                    sla,
                },
            )
            .await
        {
            Ok(c) => {
                out.checked += 1;
                out.escalations += c.fired.len();
            }
            // Another server changed it in between: it recomputed it too.
            Err(posdesk_storage::Error::Stale { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
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
    ctx.write(
        ctx.meta(),
        repo::SaveSlaDocument {
            tenant,
            doc,
            expected_version: if_match,
        },
    )
    .await
}
