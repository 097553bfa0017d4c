//! Service tickets (工单, `/tickets`): the staff queues (mine, unassigned, due soon, breached,
//! all) with an SLA badge per row, the intake form (`/tickets/new`), and each ticket's page
//! (`/tickets/{id}`) with its facts, its three clocks, the duplicate warning, the messages and
//! the forms (reply, internal note, status steps, assignment, priority, reopen).
//!
//! Merchant users see the same paths as their portal (我的报修): their own tickets with the
//! expected times, the fault report form with their terminals, replies and reopen, and the
//! provider's service hours and hotlines. Which forms a page shows follows the permissions
//! (`TicketWork` for staff work, `TicketReply` for replies and reopen); the services decide.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::authz::{Permission, Role};
use posdesk_core::ids::{MerchantId, TicketId, UserId};
use posdesk_core::page::{MAX_LIMIT, PageRequest};
use posdesk_core::ticket::{
    Basis, Category, Channel, Clock, ClockKind, ClockState, Clocks, Priority, TeamCode,
    TicketEvent, TicketStatus,
};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::tickets::{Change, Ticket, Visibility};
use posdesk_storage::repo::users::Filter;

use super::kit::{Chrome, CsrfForm, Fields, Flash, Opt, Query, Web, is_form_error, link};
use super::labels;
use super::session::WebUser;
use crate::api::tickets::{TicketIn, parse_ticket};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::service;
use crate::service::tickets::{Queue, TicketView};
use crate::state::AppState;

// ---- Labels -----------------------------------------------------------------------------------

pub fn status_label(tr: &Tr, s: TicketStatus) -> String {
    tr.t(match s {
        TicketStatus::New => "ticket-status-new",
        TicketStatus::Open => "ticket-status-open",
        TicketStatus::WaitingMerchant => "ticket-status-waiting-merchant",
        TicketStatus::WaitingQuote => "ticket-status-waiting-quote",
        TicketStatus::WaitingParts => "ticket-status-waiting-parts",
        TicketStatus::InTransit => "ticket-status-in-transit",
        TicketStatus::Resolved => "ticket-status-resolved",
        TicketStatus::Closed => "ticket-status-closed",
        TicketStatus::Merged => "ticket-status-merged",
    })
}

pub fn event_label(tr: &Tr, e: TicketEvent) -> String {
    tr.t(match e {
        TicketEvent::Triage => "ticket-event-triage",
        TicketEvent::WaitMerchant => "ticket-event-wait-merchant",
        TicketEvent::WaitQuote => "ticket-event-wait-quote",
        TicketEvent::WaitParts => "ticket-event-wait-parts",
        TicketEvent::AwaitDevice => "ticket-event-await-device",
        TicketEvent::Resume => "ticket-event-resume",
        TicketEvent::Resolve => "ticket-event-resolve",
        TicketEvent::Reopen => "ticket-event-reopen",
        TicketEvent::Close => "ticket-event-close",
        TicketEvent::Merge => "ticket-event-merge",
    })
}

pub fn priority_label(tr: &Tr, p: Priority) -> String {
    tr.t(match p {
        Priority::P1 => "ticket-priority-p1",
        Priority::P2 => "ticket-priority-p2",
        Priority::P3 => "ticket-priority-p3",
        Priority::P4 => "ticket-priority-p4",
    })
}

pub fn category_label(tr: &Tr, c: Category) -> String {
    tr.t(match c {
        Category::Hardware => "ticket-category-hardware",
        Category::Software => "ticket-category-software",
        Category::Network => "ticket-category-network",
        Category::CardReading => "ticket-category-card-reading",
        Category::Printing => "ticket-category-printing",
        Category::Settlement => "ticket-category-settlement",
        Category::OperationQuestion => "ticket-category-operation-question",
        Category::Other => "ticket-category-other",
    })
}

pub fn channel_label(tr: &Tr, c: Channel) -> String {
    tr.t(match c {
        Channel::Hotline => "ticket-channel-hotline",
        Channel::Portal => "ticket-channel-portal",
        Channel::Email => "ticket-channel-email",
        Channel::Api => "ticket-channel-api",
        Channel::WalkIn => "ticket-channel-walk-in",
        Channel::Terminal => "ticket-channel-terminal",
    })
}

fn clock_label(tr: &Tr, k: ClockKind) -> String {
    tr.t(match k {
        ClockKind::FirstResponse => "ticket-clock-first-response",
        ClockKind::NextUpdate => "ticket-clock-next-update",
        ClockKind::Resolution => "ticket-clock-resolution",
    })
}

fn clock_state_label(tr: &Tr, s: ClockState) -> String {
    tr.t(match s {
        ClockState::Pending => "ticket-clock-pending",
        ClockState::Running => "ticket-clock-running",
        ClockState::Paused => "ticket-clock-paused",
        ClockState::Met => "ticket-clock-met",
        ClockState::Breached => "ticket-clock-breached",
    })
}

/// `3 小时 20 分` / `20 分` (minutes, non-negative).
fn duration(tr: &Tr, minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if h > 0 {
        tr.ta(
            "ticket-duration-hm",
            &[("h", h.to_string()), ("m", m.to_string())],
        )
    } else {
        tr.ta("ticket-duration-m", &[("m", m.to_string())])
    }
}

fn basis_label(tr: &Tr, b: Basis) -> String {
    tr.t(match b {
        Basis::Working => "ticket-basis-working",
        Basis::AroundTheClock => "ticket-basis-around-the-clock",
    })
}

/// Two hours: under this a running clock's badge turns amber.
const AMBER_MINUTES: i64 = 120;

/// An SLA badge: its text and its CSS class (`sla-ok`, `sla-warn`, `sla-breached`,
/// `sla-paused`, `sla-none`).
pub struct Badge {
    pub text: String,
    pub class: &'static str,
}

fn clock_badge(tr: &Tr, c: &Clock) -> Badge {
    let basis = basis_label(tr, c.basis);
    if c.state == ClockState::Paused {
        return Badge {
            text: tr.t("ticket-sla-paused"),
            class: "sla-paused",
        };
    }
    if c.remaining_minutes < 0 || c.state == ClockState::Breached {
        return Badge {
            text: tr.ta(
                "ticket-sla-overdue",
                &[
                    (
                        "duration",
                        duration(tr, c.remaining_minutes.saturating_abs()),
                    ),
                    ("basis", basis),
                ],
            ),
            class: "sla-breached",
        };
    }
    Badge {
        text: tr.ta(
            "ticket-sla-remaining",
            &[
                ("duration", duration(tr, c.remaining_minutes)),
                ("basis", basis),
            ],
        ),
        class: if c.remaining_minutes < AMBER_MINUTES {
            "sla-warn"
        } else {
            "sla-ok"
        },
    }
}

/// The badge of the nearest running clock: the counting clock with the least time left; if none
/// counts but one is paused, "paused"; if every clock has stopped or not started, none.
pub fn sla_badge(tr: &Tr, clocks: &Clocks) -> Badge {
    let live = |c: &&Clock| c.stopped_at.is_none() && c.started_at.is_some();
    if let Some(c) = clocks
        .iter()
        .filter(live)
        .filter(|c| c.counting)
        .min_by_key(|c| c.remaining_minutes)
    {
        return clock_badge(tr, c);
    }
    if clocks
        .iter()
        .filter(live)
        .any(|c| c.state == ClockState::Paused)
    {
        return Badge {
            text: tr.t("ticket-sla-paused"),
            class: "sla-paused",
        };
    }
    Badge {
        text: tr.t("ticket-sla-none"),
        class: "sla-none",
    }
}

// ---- Pages ------------------------------------------------------------------------------------

pub struct TicketRow {
    pub id: String,
    /// The ticket's id (the bulk form's checkbox value).
    pub key: String,
    pub href: String,
    pub number: String,
    pub subject: String,
    pub merchant: String,
    pub priority: String,
    pub priority_code: &'static str,
    pub status: String,
    pub status_code: &'static str,
    pub badge: Badge,
    /// The resolution deadline (Shanghai time), for the merchant's "expected" column.
    pub expected: String,
    pub team: String,
}

pub struct Tab {
    pub id: String,
    pub href: String,
    pub label: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    c: Chrome,
    portal: bool,
    can_create: bool,
    can_work: bool,
    tabs: Vec<Tab>,
    view: String,
    rows: Vec<TicketRow>,
    next_link: Option<String>,
    support: Option<Support>,
    bulk_error: Option<String>,
}

/// The provider's service hours and hotlines, for the merchant portal.
pub struct Support {
    pub hours: String,
    pub hotlines: Vec<String>,
}

pub struct IntakeForm {
    pub merchants: Vec<Opt>,
    pub mid: String,
    pub terminals: Vec<Opt>,
    pub categories: Vec<Opt>,
    pub priorities: Vec<Opt>,
    pub channels: Vec<Opt>,
    pub subject: String,
    pub description: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "ticket_new.html")]
struct NewPage {
    c: Chrome,
    portal: bool,
    form: IntakeForm,
    support: Option<Support>,
    /// The look-up's text (submitted without JavaScript) and its list.
    lookup_q: String,
    results: Option<LookupResults>,
    /// The chosen terminal's intake panel.
    panel: Option<Panel>,
}

pub struct ClockRow {
    pub id: String,
    pub label: String,
    pub state: String,
    pub state_code: &'static str,
    pub deadline: String,
    pub badge: Badge,
    pub provisional: bool,
}

pub struct MessageRow {
    pub id: String,
    pub internal: bool,
    pub author: String,
    pub at: String,
    pub body: String,
}

/// One form's error and the text as typed.
#[derive(Default)]
struct FormState {
    error: Option<String>,
    text: String,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct DetailPage {
    c: Chrome,
    portal: bool,
    action: String,
    t: TicketFacts,
    badge: Badge,
    clocks: Vec<ClockRow>,
    duplicates: Vec<String>,
    messages: Vec<MessageRow>,
    can_work: bool,
    can_reply: bool,
    can_reopen: bool,
    events: Vec<Opt>,
    staff: Vec<Opt>,
    priorities: Vec<Opt>,
    reply: FormState,
    note: FormState,
    status_error: Option<String>,
    assign_error: Option<String>,
    priority_error: Option<String>,
    reopen_error: Option<String>,
    support: Option<Support>,
    /// Ticket attachments (H4, `web::ticket_files`).
    attachments: super::ticket_files::AttachmentsSection,
    /// The ticket's repairs (issue 6, `web::repairs`).
    repairs: super::repairs::RepairsSection,
    /// The latest late notice's estimate or the resolution deadline (empty: none).
    expected_fix: String,
    links: Vec<LinkRow>,
    late_notices: Vec<LateRow>,
    /// Merge and split (staff who work tickets, ticket not closed or merged).
    can_link: bool,
    /// A late-fix notice (staff, active ticket).
    can_late: bool,
    late: FormState,
    late_estimate: String,
    merge_error: Option<String>,
    split: SplitForm,
    /// The gateway's guess that the mail is a complaint: the prefilled complaint form's link
    /// (staff who may register complaints; `service::mail_ingest::complaint_hint`).
    complaint_hint: Option<String>,
}

struct LinkRow {
    relation: String,
    href: String,
    number: String,
    at: String,
}

struct LateRow {
    reason: String,
    estimate: String,
    at: String,
}

#[derive(Default)]
struct SplitForm {
    error: Option<String>,
    subject: String,
    description: String,
    categories: Vec<Opt>,
}

pub struct TicketFacts {
    pub number: String,
    pub subject: String,
    pub description: String,
    pub status: String,
    pub status_code: &'static str,
    pub priority: String,
    pub priority_code: &'static str,
    pub category: String,
    pub channel: String,
    pub merchant: String,
    pub terminal: String,
    pub assignee: String,
    pub team: String,
    pub created: String,
    pub resolved: String,
    pub version: i64,
    pub breached: bool,
}

fn parse_id(id: &str) -> ApiResult<TicketId> {
    TicketId::parse("id", id).map_err(|_| ApiError::NotFound)
}

fn href(id: TicketId) -> String {
    format!("/tickets/{id}")
}

/// Merchant users (the portal) act for one merchant.
fn is_portal(user: &WebUser) -> bool {
    user.principal.merchant().is_some()
}

async fn support(state: &AppState, user: &WebUser) -> Option<Support> {
    let tenant = user.user.tenant_id?;
    let p = service::profiles::get(&user.ctx(state), tenant)
        .await
        .ok()?;
    Some(Support {
        hours: p.doc.service_hours,
        hotlines: p.doc.hotlines,
    })
}

/// Merchant names by id (every merchant the caller may read).
async fn merchant_names(ctx: &service::Ctx<'_>) -> HashMap<MerchantId, (String, String)> {
    let mut out = HashMap::new();
    let mut page = PageRequest::first(MAX_LIMIT);
    loop {
        let Ok(p) = service::directory::merchants(ctx, page.clone()).await else {
            break;
        };
        for m in p.items {
            out.insert(m.id, (m.name, m.mid));
        }
        match p.next {
            Some(c) => {
                page = PageRequest {
                    limit: MAX_LIMIT,
                    after: Some(c),
                }
            }
            None => break,
        }
    }
    out
}

/// The names and MIDs of the merchants of the tickets shown (the caller's reads; a merchant it
/// may not read is shown by its id).
async fn names_of(
    ctx: &service::Ctx<'_>,
    ids: Vec<MerchantId>,
) -> HashMap<MerchantId, (String, String)> {
    let mut out = HashMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        if let Ok(m) = service::directory::merchant(ctx, id).await {
            out.insert(id, (m.name, m.mid));
        }
    }
    out
}

/// The provider's staff (id → "name (login)") for those who may read users; others see none.
async fn staff(ctx: &service::Ctx<'_>, role: Role) -> Vec<(UserId, String)> {
    if !role.allows(Permission::UserRead) {
        return Vec::new();
    }
    let filter = Filter {
        tenant: None,
        role: None,
    };
    match service::users::list(ctx, filter, PageRequest::first(MAX_LIMIT)).await {
        Ok(page) => page
            .items
            .into_iter()
            .filter(|u| u.merchant_id.is_none() && u.terminal_id.is_none())
            .filter(|u| u.role.allows(Permission::TicketWork))
            .map(|u| (u.id, format!("{} ({})", u.display_name, u.login)))
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn row(tr: &Tr, v: &TicketView, names: &HashMap<MerchantId, (String, String)>) -> TicketRow {
    let t = &v.ticket;
    TicketRow {
        id: format!("ticket-{}", t.number),
        key: t.id.to_string(),
        href: href(t.id),
        number: t.number.clone(),
        subject: t.subject.clone(),
        merchant: names
            .get(&t.merchant_id)
            .map_or_else(|| t.merchant_id.to_string(), |(n, _)| n.clone()),
        priority: priority_label(tr, t.priority),
        priority_code: t.priority.code(),
        status: status_label(tr, t.status),
        status_code: t.status.code(),
        badge: if t.status.is_active() {
            sla_badge(tr, &v.clocks)
        } else {
            Badge {
                text: tr.t("ticket-sla-none"),
                class: "sla-none",
            }
        },
        expected: v
            .clocks
            .resolution
            .deadline
            .filter(|_| t.status.is_active())
            .map(|d| d.to_shanghai_display())
            .unwrap_or_default(),
        team: t.team.clone().unwrap_or_default(),
    }
}

const VIEWS: [(&str, &str); 5] = [
    ("mine", "ticket-view-mine"),
    ("unassigned", "ticket-view-unassigned"),
    ("due_soon", "ticket-view-due-soon"),
    ("breached", "ticket-view-breached"),
    ("all", "ticket-view-all"),
];

async fn render_list(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    q: &Fields,
    bulk_error: Option<(String, StatusCode)>,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let portal = is_portal(user);
    let can_work = user.role().allows(Permission::TicketWork);
    // Staff start on their own queue; merchants see all of theirs.
    let default_view = if can_work { "mine" } else { "all" };
    let view = q.opt("view").unwrap_or(default_view).to_owned();
    let result: ApiResult<_> = async {
        let queue = Queue::parse(Some(&view))?;
        let page = super::kit::page_request(q)?;
        service::tickets::list(&ctx, queue, page).await
    }
    .await;
    let page = match result {
        Ok(p) => p,
        Err(e) => return web.fail(Some(user), &e),
    };
    let ids: Vec<MerchantId> = page.items.iter().map(|v| v.ticket.merchant_id).collect();
    let names = names_of(&ctx, ids).await;
    let tabs = if can_work {
        VIEWS
            .iter()
            .map(|(code, key)| Tab {
                id: format!("view-{code}"),
                href: link("/tickets", &[("view", code)]),
                label: tr.t(key),
                active: *code == view,
            })
            .collect()
    } else {
        Vec::new()
    };
    let next_link = page.next.map(|c| {
        link(
            "/tickets",
            &[("view", view.as_str()), ("cursor", &c.encode())],
        )
    });
    let (status, bulk_error) = match bulk_error {
        Some((m, s)) => (s, Some(m)),
        None => (StatusCode::OK, None),
    };
    let tpl = ListPage {
        c: web.chrome(
            Some(user),
            tr.t(if portal {
                "tickets-portal-title"
            } else {
                "tickets-title"
            }),
        ),
        portal,
        can_create: user.role().allows(Permission::TicketCreate),
        can_work,
        tabs,
        rows: page.items.iter().map(|v| row(&tr, v, &names)).collect(),
        view,
        next_link,
        support: if portal {
            support(state, user).await
        } else {
            None
        },
        bulk_error,
    };
    web.render(status, &tpl)
}

pub async fn list(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    render_list(&state, &web, &user, &q, None).await
}

// ---- Intake -----------------------------------------------------------------------------------

/// One candidate of the intake look-up, as the list shows it.
pub struct LookupItem {
    pub merchant_id: String,
    pub merchant_label: String,
    pub terminal_id: String,
    pub terminal_label: String,
    /// What matched, in words (`TID、SN`).
    pub matched: String,
    /// The page with this candidate filled in (the link without JavaScript).
    pub href: String,
}

/// The look-up's answer (or why there is none).
pub struct LookupResults {
    pub items: Vec<LookupItem>,
    pub error: Option<String>,
}

/// A ticket listed on the intake panel.
pub struct PanelTicket {
    pub href: String,
    pub number: String,
    pub status: String,
    pub priority: String,
    pub subject: String,
    /// Created (open tickets) or resolved (recent ones), Beijing time.
    pub when: String,
}

/// The intake panel of the chosen terminal.
pub struct Panel {
    pub terminal_id: String,
    pub merchant_id: String,
    pub sn: String,
    pub tid: String,
    pub model: String,
    pub firmware: String,
    pub status: String,
    pub merchant: String,
    pub phone: String,
    pub placement: String,
    /// A `WarrantyState` code (CSS hook and test id).
    pub warranty_code: String,
    pub warranty: String,
    pub warranty_end: String,
    pub open: Vec<PanelTicket>,
    pub recent: Vec<PanelTicket>,
    pub recent_title: String,
}

#[derive(Template)]
#[template(path = "ticket_new.html", block = "lookup_results")]
struct LookupFragment {
    c: Chrome,
    results: Option<LookupResults>,
}

#[derive(Template)]
#[template(path = "ticket_new.html", block = "intake_panel")]
struct PanelFragment {
    c: Chrome,
    portal: bool,
    panel: Option<Panel>,
}

fn matched_label(tr: &Tr, m: posdesk_storage::repo::lookup::MatchField) -> String {
    use posdesk_storage::repo::lookup::MatchField as M;
    match m {
        M::Tid => tr.t("intake-match-tid"),
        M::Sn => tr.t("intake-match-sn"),
        M::Mid => tr.t("intake-match-mid"),
        M::Phone => tr.t("intake-match-phone"),
        M::Name => tr.t("intake-match-name"),
    }
}

fn terminal_label(sn: &str, tid: Option<&str>, model: &str) -> String {
    match tid {
        Some(tid) => format!("{sn} · {tid} · {model}"),
        None => format!("{sn} · {model}"),
    }
}

/// The look-up of `raw` for the list (the staff intake only; a bad text is the list's error).
async fn lookup_results(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    raw: &str,
) -> Result<LookupResults, ApiError> {
    let tr = web.tr;
    let q = match service::intake::LookupQuery::parse("q", raw) {
        Ok(q) => q,
        Err(e) => {
            return Ok(LookupResults {
                items: Vec::new(),
                error: Some(labels::error_message(&tr, &ApiError::Invalid(e))),
            });
        }
    };
    let found = service::intake::lookup(&user.ctx(state), &q).await?;
    let items = found
        .into_iter()
        .map(|c| {
            let (merchant_id, merchant_label) = match &c.merchant {
                Some(m) => (
                    m.id.to_string(),
                    match &m.phone {
                        Some(p) => format!("{}（{}）· {p}", m.name, m.mid),
                        None => format!("{}（{}）", m.name, m.mid),
                    },
                ),
                None => (String::new(), tr.t("intake-no-merchant")),
            };
            let (terminal_id, terminal_label) = match &c.terminal {
                Some(t) => (
                    t.id.to_string(),
                    terminal_label(&t.sn, t.tid.as_deref(), &t.model),
                ),
                None => (String::new(), tr.t("intake-no-terminal")),
            };
            let mut pairs = Vec::new();
            if !merchant_id.is_empty() {
                pairs.push(("merchant", merchant_id.as_str()));
            }
            if !terminal_id.is_empty() {
                pairs.push(("terminal", terminal_id.as_str()));
            }
            let href = link("/tickets/new", &pairs);
            LookupItem {
                matched: c
                    .matched
                    .iter()
                    .map(|m| matched_label(&tr, *m))
                    .collect::<Vec<_>>()
                    .join("、"),
                merchant_id,
                merchant_label,
                terminal_id,
                terminal_label,
                href,
            }
        })
        .collect();
    Ok(LookupResults { items, error: None })
}

fn panel_ticket(
    tr: &Tr,
    t: &posdesk_storage::repo::lookup::TicketBrief,
    resolved: bool,
) -> PanelTicket {
    let when = if resolved {
        t.resolved_at.unwrap_or(t.created_at)
    } else {
        t.created_at
    };
    PanelTicket {
        href: href(t.id),
        number: t.number.clone(),
        status: status_label(tr, t.status),
        priority: priority_label(tr, t.priority),
        subject: t.subject.clone(),
        when: when.to_shanghai_display(),
    }
}

/// The intake panel of a terminal.
async fn panel(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    terminal: posdesk_core::ids::TerminalId,
) -> ApiResult<Panel> {
    use posdesk_core::registry::terminal::WarrantyState;
    let tr = web.tr;
    let s = service::intake::summary(&user.ctx(state), terminal).await?;
    let warranty = match s.warranty.state {
        WarrantyState::Unknown => tr.t("warranty-unknown"),
        WarrantyState::NotStarted => tr.t("warranty-not-started"),
        WarrantyState::InWarranty => tr.t("warranty-in"),
        WarrantyState::Expired => tr.t("warranty-expired"),
    };
    let dash = || "—".to_owned();
    Ok(Panel {
        terminal_id: s.terminal.id.to_string(),
        merchant_id: s
            .merchant
            .as_ref()
            .map(|m| m.id.to_string())
            .unwrap_or_default(),
        sn: s.terminal.sn.clone(),
        tid: s.terminal.tid.clone().unwrap_or_else(dash),
        model: format!("{} · {}", s.terminal.manufacturer, s.terminal.model),
        firmware: s.terminal.firmware.clone().unwrap_or_else(dash),
        status: labels::record_status(&tr, &s.terminal.status),
        merchant: s.merchant.as_ref().map_or_else(
            || tr.t("intake-no-merchant"),
            |m| format!("{}（{}）", m.name, m.mid),
        ),
        phone: s
            .merchant
            .as_ref()
            .and_then(|m| m.phone.clone())
            .unwrap_or_else(dash),
        placement: s
            .binding
            .as_ref()
            .map(|b| b.placement_address.clone())
            .unwrap_or_else(dash),
        warranty_code: s.warranty.state.code().to_owned(),
        warranty,
        warranty_end: s.warranty.end.clone().unwrap_or_else(dash),
        open: s
            .open_tickets
            .iter()
            .map(|t| panel_ticket(&tr, t, false))
            .collect(),
        recent: s
            .recent_resolved
            .iter()
            .map(|t| panel_ticket(&tr, t, true))
            .collect(),
        recent_title: tr.ta("intake-recent", &[("days", s.recent_days.to_string())]),
    })
}

/// The terminal the form or the query names, if it parses.
fn chosen_terminal(f: &Fields, name: &str) -> Option<posdesk_core::ids::TerminalId> {
    f.opt(name)
        .and_then(|t| posdesk_core::ids::TerminalId::parse(name, t).ok())
}

async fn intake_form(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    f: Option<&Fields>,
    error: Option<String>,
) -> ApiResult<IntakeForm> {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let empty = Fields::default();
    let f = f.unwrap_or(&empty);
    let portal = is_portal(user);
    let merchants = if portal {
        Vec::new()
    } else {
        let mut all: Vec<(MerchantId, (String, String))> =
            merchant_names(&ctx).await.into_iter().collect();
        all.sort_by(|a, b| a.1.1.cmp(&b.1.1));
        let mut v = vec![Opt::new("", tr.t("ticket-merchant-choose"), "")];
        v.extend(all.into_iter().map(|(id, (name, mid))| {
            Opt::new(
                id.to_string(),
                format!("{name}（{mid}）"),
                f.get("merchant_id"),
            )
        }));
        v
    };
    let terms = service::directory::terminals(&ctx, PageRequest::first(MAX_LIMIT)).await?;
    let mut terminals = vec![Opt::new("", tr.t("ticket-terminal-none"), "")];
    terminals.extend(
        terms
            .items
            .into_iter()
            .filter(|t| t.merchant_id.is_some())
            .map(|t| {
                let label = terminal_label(&t.sn, t.tid.as_deref(), &t.model);
                Opt::new(t.id.to_string(), label, f.get("terminal_id"))
            }),
    );
    // The chosen terminal (by the look-up) may lie beyond the picker's first page.
    if let Some(id) = chosen_terminal(f, "terminal_id")
        && !terminals.iter().any(|o| o.selected)
        && let Ok(t) = service::directory::terminal(&ctx, id).await
    {
        let label = terminal_label(&t.sn, t.tid.as_deref(), &t.model);
        terminals.push(Opt::new(t.id.to_string(), label, f.get("terminal_id")));
    }
    let category = f.opt("category").unwrap_or("hardware");
    let priority = f.opt("priority").unwrap_or("p3");
    let channel = f.opt("channel").unwrap_or("hotline");
    Ok(IntakeForm {
        merchants,
        mid: f.get("mid").to_owned(),
        terminals,
        categories: Category::ALL
            .iter()
            .map(|c| Opt::new(c.code(), category_label(&tr, *c), category))
            .collect(),
        priorities: Priority::ALL
            .iter()
            .map(|p| Opt::new(p.code(), priority_label(&tr, *p), priority))
            .collect(),
        channels: [Channel::Hotline, Channel::WalkIn]
            .iter()
            .map(|c| Opt::new(c.code(), channel_label(&tr, *c), channel))
            .collect(),
        subject: f.get("subject").to_owned(),
        description: f.get("description").to_owned(),
        error,
    })
}

/// The intake page. Staff get the look-up first (`lookup`: its text, when submitted without
/// JavaScript) and the panel of the chosen terminal; merchant users the portal's report form.
/// `f` is the form's input (re-shown after an error, or a picked candidate).
async fn render_new(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    f: Option<&Fields>,
    error: Option<(String, StatusCode)>,
    lookup: Option<&str>,
) -> Response {
    if let Err(e) = user.principal.authorize(Permission::TicketCreate) {
        return web.fail(Some(user), &e.into());
    }
    let (error, status) = match error {
        Some((m, s)) => (Some(m), s),
        None => (None, StatusCode::OK),
    };
    let portal = is_portal(user);
    // The look-up and the panel are staff work (the services refuse merchant users).
    let (results, panel_view) = if portal {
        (None, None)
    } else {
        let results = match lookup {
            Some(q) => match lookup_results(state, web, user, q).await {
                Ok(r) => Some(r),
                Err(e) => return web.fail(Some(user), &e),
            },
            None => None,
        };
        let panel_view = match f.and_then(|f| chosen_terminal(f, "terminal_id")) {
            Some(t) => panel(state, web, user, t).await.ok(),
            None => None,
        };
        (results, panel_view)
    };
    let form = match intake_form(state, web, user, f, error).await {
        Ok(f) => f,
        Err(e) => return web.fail(Some(user), &e),
    };
    let tpl = NewPage {
        c: web.chrome(
            Some(user),
            web.tr.t(if portal {
                "ticket-report-title"
            } else {
                "ticket-new-title"
            }),
        ),
        portal,
        form,
        support: if portal {
            support(state, user).await
        } else {
            None
        },
        lookup_q: lookup.unwrap_or_default().to_owned(),
        results,
        panel: panel_view,
    };
    let mut res = web.render(status, &tpl);
    if !portal {
        // The intake page runs one script of our own (`/assets/intake.js`); every other page
        // keeps `script-src 'none'`.
        res.headers_mut().insert(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_static(INTAKE_CSP),
        );
    }
    res
}

/// The pages' policy with same-origin scripts allowed (the intake page only).
const INTAKE_CSP: &str = "default-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'";

/// `/tickets/new`: `?q=` looks up (the form without JavaScript); `?terminal=` and `?merchant=`
/// fill in a candidate picked from the list, with the terminal's panel.
pub async fn new_page(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let mut pairs = Vec::new();
    if let Some(t) = chosen_terminal(&q, "terminal") {
        pairs.push(format!("terminal_id={t}"));
    }
    if let Some(m) = q
        .opt("merchant")
        .and_then(|m| MerchantId::parse("merchant", m).ok())
    {
        pairs.push(format!("merchant_id={m}"));
    }
    let chosen = Fields::parse(pairs.join("&").as_bytes());
    let f = (!pairs.is_empty()).then_some(&chosen);
    render_new(&state, &web, &user, f, None, q.opt("q")).await
}

/// `/tickets/lookup?q=`: the look-up's list as an HTML fragment for `assets/intake.js`
/// (a text that breaks the rule answers 422 with the message in the fragment).
pub async fn lookup(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let results = match lookup_results(&state, &web, &user, q.get("q")).await {
        Ok(r) => r,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let status = if results.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let tpl = LookupFragment {
        c: web.chrome(Some(&user), String::new()),
        results: Some(results),
    };
    web.render(status, &tpl)
}

/// `/tickets/intake-panel?terminal=ID`: the terminal's intake panel as an HTML fragment.
pub async fn intake_panel(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let Some(t) = chosen_terminal(&q, "terminal") else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    match panel(&state, &web, &user, t).await {
        Ok(p) => {
            let tpl = PanelFragment {
                c: web.chrome(Some(&user), String::new()),
                portal: false,
                panel: Some(p),
            };
            web.render(StatusCode::OK, &tpl)
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// The merchant chosen in the select, or the one whose MID was typed (found by the unique
/// index, `service::intake::merchant_by_mid`).
async fn merchant_field(ctx: &service::Ctx<'_>, f: &Fields) -> ApiResult<Option<String>> {
    if let Some(m) = f.opt("merchant_id") {
        return Ok(Some(m.to_owned()));
    }
    let Some(mid) = f.opt("mid") else {
        return Ok(None);
    };
    Ok(Some(
        service::intake::merchant_by_mid(ctx, mid)
            .await?
            .id
            .to_string(),
    ))
}

/// The intake form: urlencoded (staff), or multipart when it carries photos (the portal's
/// report; staff forms may too). Both check the CSRF token.
pub struct IntakeBody {
    fields: Fields,
    photos: Vec<service::ticket_files::Upload>,
}

impl axum::extract::FromRequest<AppState> for IntakeBody {
    type Rejection = Response;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let CsrfForm(fields) = CsrfForm::from_request(req, state).await?;
            return Ok(Self {
                fields,
                photos: Vec::new(),
            });
        }
        let m = super::kit::CsrfMultipart::from_request(req, state).await?;
        // A file input left empty sends an empty part: not a photo.
        let photos = m
            .files
            .iter()
            .zip(&m.file_names)
            .zip(&m.file_types)
            .filter(|(((field, bytes), _), _)| field == "photo" && !bytes.is_empty())
            .map(
                |(((_, bytes), (_, name)), (_, declared))| service::ticket_files::Upload {
                    visibility: Visibility::Public,
                    file_name: name.clone(),
                    declared_type: declared.clone(),
                    bytes: bytes.clone(),
                },
            )
            .collect();
        Ok(Self {
            fields: m.fields,
            photos,
        })
    }
}

/// The largest intake body: the report's photos at 10 MiB each, and the form.
pub const INTAKE_BODY_BYTES: usize = service::ticket_files::MAX_REPORT_FILES
    * posdesk_core::ticket::MAX_ATTACHMENT_BYTES
    + 64 * 1024;

pub async fn create(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    body: IntakeBody,
) -> Response {
    let IntakeBody { fields: f, photos } = body;
    let portal = is_portal(&user);
    let result: ApiResult<Ticket> = async {
        let ctx = user.ctx(&state);
        let merchant_id = if portal {
            None
        } else {
            merchant_field(&ctx, &f).await?
        };
        // A merchant's report is a fault; its subject is the category and the first line.
        let description = f.get("description").to_owned();
        let subject = match f.opt("subject") {
            Some(s) => s.to_owned(),
            None if portal => {
                let first: String = description
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .unwrap_or_default()
                    .chars()
                    .take(60)
                    .collect();
                first
            }
            None => String::new(),
        };
        let body = TicketIn {
            kind: None,
            channel: if portal {
                None
            } else {
                f.opt("channel").map(str::to_owned)
            },
            category: f.get("category").to_owned(),
            priority: if portal {
                None
            } else {
                f.opt("priority").map(str::to_owned)
            },
            merchant_id,
            terminal_id: f.opt("terminal_id").map(str::to_owned),
            subject,
            description,
            tags: Vec::new(),
        };
        let input = parse_ticket(&body)?;
        if !portal && input.merchant.is_none() {
            return Err(FieldError::new("merchant_id", Rule::Required).into());
        }
        if photos.is_empty() {
            service::tickets::create(&ctx, input).await
        } else {
            service::ticket_files::create_with_files(&ctx, input, photos).await
        }
    }
    .await;
    match result {
        Ok(t) => web.redirect_flash(&href(t.id), Flash::TicketCreated),
        Err(e) if is_form_error(&e) => {
            let msg = labels::error_message(&web.tr, &e);
            render_new(&state, &web, &user, Some(&f), Some((msg, e.status())), None).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

// ---- Bulk actions -----------------------------------------------------------------------------

/// Assigns the selected tickets to the caller (`action=assign_me`) or sets their team
/// (`action=team`, `team=`); each is one change of its own.
pub async fn bulk(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let ctx = user.ctx(&state);
    let back = Fields::parse(format!("view={}", f.get("view")).as_bytes());
    let result: ApiResult<usize> = async {
        let ids = f
            .all("ticket")
            .into_iter()
            .map(|s| TicketId::parse("ticket", s).map_err(ApiError::from))
            .collect::<ApiResult<Vec<_>>>()?;
        if ids.is_empty() {
            return Err(FieldError::new("ticket", Rule::Required).into());
        }
        for id in &ids {
            let current = service::tickets::get(&ctx, *id).await?.view.ticket;
            let change = match f.get("action") {
                "assign_me" => Change::Assign {
                    assignee: Some(user.user.id),
                    team: current
                        .team
                        .as_deref()
                        .map(|t| TeamCode::parse("team", t))
                        .transpose()?,
                },
                "team" => Change::Assign {
                    assignee: current.assignee_id,
                    team: Some(TeamCode::parse("team", f.get("team").trim())?),
                },
                _ => {
                    return Err(FieldError::new(
                        "action",
                        Rule::OneOf {
                            allowed: vec!["assign_me", "team"],
                        },
                    )
                    .into());
                }
            };
            service::tickets::change(&ctx, *id, change, Some(current.version)).await?;
        }
        Ok(ids.len())
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash(
            &link("/tickets", &[("view", f.get("view"))]),
            Flash::TicketUpdated,
        ),
        Err(e) if is_form_error(&e) => {
            let msg = labels::error_message(&web.tr, &e);
            render_list(&state, &web, &user, &back, Some((msg, e.status()))).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

// ---- One ticket -------------------------------------------------------------------------------

/// Which form an error belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Reply,
    Note,
    Status,
    Assign,
    Priority,
    Reopen,
    LateNotice,
    Merge,
    Split,
}

struct Failed {
    form: Form,
    message: String,
    status: StatusCode,
    /// The form's main text as typed (reply/note body, late reason, split description).
    text: String,
    /// A second field as typed (late estimate, split subject).
    extra: String,
}

async fn render_detail(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: TicketId,
    failed: Option<Failed>,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let d = match service::tickets::get(&ctx, id).await {
        Ok(d) => d,
        Err(e) => return web.fail(Some(user), &e),
    };
    let t = &d.view.ticket;
    let complaint_hint = match service::mail_ingest::complaint_hint(&ctx, t).await {
        Ok(h) => h.map(|h| complaint_form_link(&h)),
        Err(e) => return web.fail(Some(user), &e),
    };
    let portal = is_portal(user);
    let role = user.role();
    let names = names_of(&ctx, vec![t.merchant_id]).await;
    let staff = staff(&ctx, role).await;
    let people: HashMap<String, String> = staff
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    let terminal = match t.terminal_id {
        Some(tid) => match service::directory::terminal(&ctx, tid).await {
            Ok(term) => match term.tid {
                Some(x) => format!("{} · {}", term.sn, x),
                None => term.sn,
            },
            Err(_) => tid.to_string(),
        },
        None => String::new(),
    };
    let me = user.user.id.to_string();
    let author = |m: &posdesk_storage::repo::tickets::Message| {
        if m.author == me {
            user.user.display_name.clone()
        } else if let Some(n) = people.get(&m.author) {
            n.clone()
        } else {
            labels::actor_role(&tr, &m.author_role)
        }
    };
    let clocks = d
        .view
        .clocks
        .iter()
        .map(|c| ClockRow {
            id: format!("clock-{}", c.kind.code()),
            label: clock_label(&tr, c.kind),
            state: clock_state_label(&tr, c.state),
            state_code: c.state.code(),
            deadline: c
                .deadline
                .map(|d| d.to_shanghai_display())
                .unwrap_or_default(),
            badge: if c.stopped_at.is_none() && c.started_at.is_some() {
                clock_badge(&tr, c)
            } else {
                Badge {
                    text: clock_state_label(&tr, c.state),
                    class: if c.state == ClockState::Breached {
                        "sla-breached"
                    } else {
                        "sla-none"
                    },
                }
            },
            provisional: c.provisional,
        })
        .collect();
    let current_priority = t.priority.code();
    let status = failed.as_ref().map_or(StatusCode::OK, |f| f.status);
    // The error (and the text as typed) of the form that failed, if it is `form`.
    let take = |form: Form| {
        failed
            .as_ref()
            .filter(|f| f.form == form)
            .map(|f| (f.message.clone(), f.text.clone()))
    };
    let form_state = |form: Form| match take(form) {
        Some((e, text)) => FormState {
            error: Some(e),
            text,
        },
        None => FormState::default(),
    };
    let can_work = role.allows(Permission::TicketWork);
    let can_reply = role.allows(Permission::TicketReply);
    let events: Vec<Opt> = t
        .status
        .events()
        .into_iter()
        .filter(|e| !matches!(e, TicketEvent::Merge | TicketEvent::Reopen))
        .map(|e| Opt::new(e.code(), event_label(&tr, e), ""))
        .collect();
    let mut staff_opts = vec![Opt::new("", tr.t("ticket-unassigned"), "")];
    let assignee = t.assignee_id.map(|a| a.to_string()).unwrap_or_default();
    if staff.is_empty() {
        // Those who cannot list the staff: keep the current assignee, take it, or release it.
        if let Some(a) = t.assignee_id.filter(|a| *a != user.user.id) {
            staff_opts.push(Opt::new(a.to_string(), tr.t("ticket-assigned"), &assignee));
        }
        staff_opts.push(Opt::new(
            me.as_str(),
            format!("{}（{}）", tr.t("ticket-assign-me"), user.user.display_name),
            &assignee,
        ));
    } else {
        staff_opts.extend(
            staff
                .iter()
                .map(|(id, n)| Opt::new(id.to_string(), n.clone(), &assignee)),
        );
    }
    let facts = TicketFacts {
        number: t.number.clone(),
        subject: t.subject.clone(),
        description: t.description.clone(),
        status: status_label(&tr, t.status),
        status_code: t.status.code(),
        priority: priority_label(&tr, t.priority),
        priority_code: current_priority,
        category: category_label(&tr, t.category),
        channel: channel_label(&tr, t.channel),
        merchant: names
            .get(&t.merchant_id)
            .map_or_else(|| t.merchant_id.to_string(), |(n, m)| format!("{n}（{m}）")),
        terminal,
        assignee: match t.assignee_id {
            None => tr.t("ticket-unassigned"),
            Some(a) if a == user.user.id => user.user.display_name.clone(),
            Some(a) => people
                .get(&a.to_string())
                .cloned()
                .unwrap_or_else(|| tr.t("ticket-assigned")),
        },
        team: t.team.clone().unwrap_or_default(),
        created: t.created_at.to_shanghai_display(),
        resolved: t
            .resolved_at
            .map(|r| r.to_shanghai_display())
            .unwrap_or_default(),
        version: t.version,
        breached: t.breached,
    };
    let tpl = DetailPage {
        c: web.chrome(Some(user), format!("{} {}", t.number, t.subject)),
        portal,
        action: href(t.id),
        badge: if t.status.is_active() {
            sla_badge(&tr, &d.view.clocks)
        } else {
            Badge {
                text: tr.t("ticket-sla-none"),
                class: "sla-none",
            }
        },
        clocks,
        duplicates: d.duplicates.clone(),
        messages: d
            .messages
            .iter()
            .map(|m| MessageRow {
                id: format!("message-{}", m.id),
                internal: m.visibility == Visibility::Internal,
                author: author(m),
                at: m.created_at.to_shanghai_display(),
                body: m.body.clone(),
            })
            .collect(),
        can_work,
        can_reply: can_reply && t.status.is_active(),
        can_reopen: can_reply && t.status == TicketStatus::Resolved,
        events,
        staff: staff_opts,
        priorities: Priority::ALL
            .iter()
            .map(|p| Opt::new(p.code(), priority_label(&tr, *p), current_priority))
            .collect(),
        reply: form_state(Form::Reply),
        note: form_state(Form::Note),
        status_error: take(Form::Status).map(|e| e.0),
        assign_error: take(Form::Assign).map(|e| e.0),
        priority_error: take(Form::Priority).map(|e| e.0),
        reopen_error: take(Form::Reopen).map(|e| e.0),
        support: if portal {
            support(state, user).await
        } else {
            None
        },
        attachments: super::ticket_files::section(state, web, user, t).await,
        repairs: super::repairs::section(state, web, user, t).await,
        expected_fix: d
            .expected_fix
            .map(|x| x.to_shanghai_display())
            .unwrap_or_default(),
        links: d
            .links
            .iter()
            .map(|l| LinkRow {
                relation: tr.t(&format!("ticket-link-{}", l.relation.replace('_', "-"))),
                href: href(l.other_id),
                number: l.other_number.clone(),
                at: l.created_at.to_shanghai_display(),
            })
            .collect(),
        late_notices: d
            .late_notices
            .iter()
            .map(|n| LateRow {
                reason: n.reason.clone(),
                estimate: n.new_estimate.to_shanghai_display(),
                at: n.created_at.to_shanghai_display(),
            })
            .collect(),
        can_link: can_work && !portal && !t.status.is_final(),
        can_late: can_work && !portal && t.status.is_active(),
        late: form_state(Form::LateNotice),
        late_estimate: failed
            .as_ref()
            .filter(|f| f.form == Form::LateNotice)
            .map(|f| f.extra.clone())
            .unwrap_or_default(),
        merge_error: take(Form::Merge).map(|e| e.0),
        split: {
            let (error, subject, description) =
                match failed.as_ref().filter(|f| f.form == Form::Split) {
                    Some(f) => (Some(f.message.clone()), f.extra.clone(), f.text.clone()),
                    None => (None, String::new(), String::new()),
                };
            SplitForm {
                error,
                subject,
                description,
                categories: Category::ALL
                    .iter()
                    .map(|c| Opt::new(c.code(), category_label(&tr, *c), t.category.code()))
                    .collect(),
            }
        },
        t: facts,
        complaint_hint,
    };
    web.render(status, &tpl)
}

/// The complaint form, prefilled from a ticket the gateway opened from a mail.
fn complaint_form_link(h: &service::mail_ingest::ComplaintHint) -> String {
    let ticket = h.ticket.to_string();
    link(
        "/complaints/new",
        &[
            ("channel", "email"),
            ("ticket", &ticket),
            (
                "complainant_name",
                h.complainant_name.as_deref().unwrap_or(""),
            ),
            ("email", h.email.as_deref().unwrap_or("")),
            ("mid", h.mid.as_deref().unwrap_or("")),
            ("narrative", &h.narrative),
        ],
    )
}

pub async fn detail(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    match parse_id(&id) {
        Ok(id) => render_detail(&state, &web, &user, id, None).await,
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// A GET on the bulk form's action returns to the list.
pub async fn to_list(web: Web) -> Response {
    web.redirect("/tickets")
}

/// A GET on a form's action returns to the ticket's page.
pub async fn back(web: Web, Path(id): Path<String>) -> Response {
    match parse_id(&id) {
        Ok(id) => web.redirect(&href(id)),
        Err(_) => web.error_page(None, StatusCode::NOT_FOUND, web.tr.t("error-not-found")),
    }
}

fn version_field(f: &Fields) -> Result<Option<i64>, FieldError> {
    f.opt("version")
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                FieldError::new(
                    "version",
                    Rule::Invalid {
                        reason: "not a number",
                    },
                )
            })
        })
        .transpose()
}

/// Parses the form into a change, applies it with the page's version, and answers.
async fn apply(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: &str,
    f: &Fields,
    form: Form,
    parse: impl FnOnce(&Fields) -> ApiResult<Change>,
) -> Response {
    let Ok(id) = parse_id(id) else {
        return web.fail(Some(user), &ApiError::NotFound);
    };
    let result: ApiResult<_> = async {
        let change = parse(f)?;
        let version = version_field(f)?;
        service::tickets::change(&user.ctx(state), id, change, version).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash(&href(id), Flash::TicketUpdated),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form,
                message: labels::error_message(&web.tr, &e),
                status: e.status(),
                text: f
                    .opt("body")
                    .or(f.opt("reason"))
                    .unwrap_or_default()
                    .to_owned(),
                extra: f.get("new_estimate").to_owned(),
            };
            render_detail(state, web, user, id, Some(failed)).await
        }
        Err(e) => web.fail(Some(user), &e),
    }
}

pub async fn late_notice(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    apply(&state, &web, &user, &id, &f, Form::LateNotice, |f| {
        Ok(Change::LateNotice {
            reason: f.get("reason").to_owned(),
            new_estimate: crate::api::tickets::parse_instant(
                "new_estimate",
                f.opt("new_estimate"),
            )?,
        })
    })
    .await
}

/// Merge (`target`: the number of the ticket that carries on) or split, then back to the page
/// (merge: the ticket that carries on; split: the new ticket).
async fn link_step(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: &str,
    f: &Fields,
    form: Form,
) -> Response {
    let Ok(id) = parse_id(id) else {
        return web.fail(Some(user), &ApiError::NotFound);
    };
    let ctx = user.ctx(state);
    let result: ApiResult<TicketId> = async {
        let version = version_field(f)?;
        if form == Form::Merge {
            let target = service::tickets::resolve_ticket(&ctx, "target", f.get("target")).await?;
            Ok(service::tickets::merge(&ctx, id, target, version)
                .await?
                .target
                .id)
        } else {
            let new = service::tickets::SplitOff {
                category: Category::parse("category", f.get("category"))?,
                priority: None,
                terminal: None,
                subject: service::tickets::parse_text("subject", f.get("subject"), 200)?,
                description: service::tickets::parse_text(
                    "description",
                    f.get("description"),
                    10_000,
                )?,
            };
            Ok(service::tickets::split(&ctx, id, new, version)
                .await?
                .created
                .id)
        }
    }
    .await;
    match result {
        Ok(next) => web.redirect_flash(&href(next), Flash::TicketUpdated),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form,
                message: labels::error_message(&web.tr, &e),
                status: e.status(),
                text: f.get("description").to_owned(),
                extra: f.get("subject").to_owned(),
            };
            render_detail(state, web, user, id, Some(failed)).await
        }
        Err(e) => web.fail(Some(user), &e),
    }
}

pub async fn merge(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    link_step(&state, &web, &user, &id, &f, Form::Merge).await
}

pub async fn split(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    link_step(&state, &web, &user, &id, &f, Form::Split).await
}

fn message(f: &Fields, visibility: Visibility) -> ApiResult<Change> {
    Ok(Change::Message {
        visibility,
        body: service::tickets::parse_text("body", f.get("body"), 10_000)?,
    })
}

pub async fn reply(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    apply(&state, &web, &user, &id, &f, Form::Reply, |f| {
        message(f, Visibility::Public)
    })
    .await
}

pub async fn note(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    apply(&state, &web, &user, &id, &f, Form::Note, |f| {
        message(f, Visibility::Internal)
    })
    .await
}

pub async fn transition(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    apply(&state, &web, &user, &id, &f, Form::Status, |f| {
        Ok(Change::Event(TicketEvent::parse("event", f.get("event"))?))
    })
    .await
}

pub async fn reopen(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    apply(&state, &web, &user, &id, &f, Form::Reopen, |_| {
        Ok(Change::Event(TicketEvent::Reopen))
    })
    .await
}

pub async fn assign(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    apply(&state, &web, &user, &id, &f, Form::Assign, |f| {
        Ok(Change::Assign {
            assignee: f
                .opt("assignee_id")
                .map(|u| UserId::parse("assignee_id", u))
                .transpose()?,
            team: f
                .opt("team")
                .map(|t| TeamCode::parse("team", t))
                .transpose()?,
        })
    })
    .await
}

pub async fn priority(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    apply(&state, &web, &user, &id, &f, Form::Priority, |f| {
        Ok(Change::Priority(Priority::parse(
            "priority",
            f.get("priority"),
        )?))
    })
    .await
}
