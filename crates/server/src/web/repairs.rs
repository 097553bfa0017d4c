//! Repair orders (维修单, issue 6) in the web UI: the ticket page's repairs section (the
//! ticket's repairs, a form to open one, and for the merchant the pending quote with 同意 /
//! 拒绝), and each repair's page (`/repairs/{id}`): facts, quotes, the steps timeline, the
//! post-repair checklist, the terminal's loans, the mail-in shipments, and the forms the role
//! and status allow. Every repair form posts `action` and the repair's `version` (If-Match) to
//! `/repairs/{id}/action` → `service::repairs::change`; shipments post to
//! `/repairs/{id}/shipment` → `service::repairs::shipment`.
//!
//! The loaner pool, the parts catalogue and the technician's day list are in
//! `web::repairs_pool`. The services decide; this module parses and renders.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::authz::{Permission, Role};
use posdesk_core::ids::{RepairId, TicketId};
use posdesk_core::registry::Fen;
use posdesk_core::repair::{
    AnswerChannel, CheckItem, CheckResult, Coverage, CoverageReason, FaultCause, ItemKind,
    QuoteStatus, RepairMethod, RepairStatus,
};
use posdesk_core::ticket::TicketKind;
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::loans::Loan;
use posdesk_storage::repo::repairs::{Check, Repair, Shipment, Step, StoredQuote};
use posdesk_storage::repo::tickets::Ticket;

use super::kit::{Chrome, CsrfForm, Fields, Flash, NavItem, Opt, Web, is_form_error, safe_next};
use super::labels;
use super::session::WebUser;
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::service;
use crate::service::repairs::RepairInput;
use crate::state::AppState;

// ---- Style ------------------------------------------------------------------------------------

/// The repair pages' few rules (overdue loans in red, the phone day list's big buttons). The
/// pages' policy allows only same-origin styles, so they are a stylesheet, not attributes.
const REPAIRS_CSS: &str = "\
.rep-overdue td { color: var(--danger); }\n\
.rep-overdue .badge { font-weight: 600; }\n\
.rep-fail { color: var(--danger); font-weight: 600; }\n\
.rep-pass { color: #166534; font-weight: 600; }\n\
.rep-total { font-weight: 700; }\n\
.rep-quote { border-top: 1px solid #e2e8f0; padding-top: 10px; margin-top: 10px; }\n\
.rep-field-error { color: var(--danger); font-size: .82rem; }\n\
.rep-rows { display: grid; grid-template-columns: 7em 9em 1fr 5em 8em; gap: 6px; align-items: start; }\n\
.rep-rows .rep-head { font-size: .8rem; font-weight: 600; color: #334155; }\n\
.rep-day { max-width: 34rem; margin: 0 auto; display: flex; flex-direction: column; gap: 14px; }\n\
.rep-day .card { margin: 0; }\n\
.rep-day .btn { width: 100%; padding: 14px 16px; font-size: 1.05rem; margin-top: 8px; }\n\
@media (max-width: 700px) { .rep-rows { grid-template-columns: 1fr 1fr; } .rep-rows .rep-head { display: none; } }\n";

/// `/assets/repairs.css`.
pub async fn css() -> Response {
    let mut res = REPAIRS_CSS.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

// ---- Navigation -------------------------------------------------------------------------------

/// The repair entries of the navigation (after 工单, `templates/base.html`): 今日任务 for
/// technicians, 备用机 and 配件 for staff who work tickets. The chrome carries the role's
/// localised name, so the role is found by its name.
pub fn nav_extra(c: &Chrome) -> Vec<NavItem> {
    let Some(u) = &c.user else {
        return Vec::new();
    };
    let Some(role) = Role::ALL.iter().copied().find(|r| c.tr.role(*r) == u.role) else {
        return Vec::new();
    };
    if !role.allows(Permission::TicketWork) {
        return Vec::new();
    }
    let path = c.next.split('?').next().unwrap_or("/");
    let item = |id: &'static str, href: &'static str, label: String| NavItem {
        id,
        href,
        label,
        active: path == href || path.starts_with(&format!("{href}/")),
    };
    let mut out = Vec::new();
    if role == Role::Technician {
        out.push(item(
            "nav-day-list",
            "/me/day-list",
            c.tr.t("rep-nav-day-list"),
        ));
    }
    out.push(item("nav-loaners", "/loaners", c.tr.t("rep-nav-loaners")));
    out.push(item("nav-parts", "/parts", c.tr.t("rep-nav-parts")));
    if matches!(role, Role::Supervisor | Role::ProviderAdmin) {
        out.push(item(
            "nav-repair-report",
            "/repairs/report",
            c.tr.t("rrep-title"),
        ));
    }
    out
}

// ---- Labels -----------------------------------------------------------------------------------

pub fn method_label(tr: &Tr, m: RepairMethod) -> String {
    tr.t(match m {
        RepairMethod::Remote => "rep-method-remote",
        RepairMethod::OnSite => "rep-method-on-site",
        RepairMethod::MailIn => "rep-method-mail-in",
    })
}

pub fn status_label(tr: &Tr, s: RepairStatus) -> String {
    tr.t(match s {
        RepairStatus::Open => "rep-status-open",
        RepairStatus::Diagnosed => "rep-status-diagnosed",
        RepairStatus::Quoted => "rep-status-quoted",
        RepairStatus::Approved => "rep-status-approved",
        RepairStatus::Declined => "rep-status-declined",
        RepairStatus::InRepair => "rep-status-in-repair",
        RepairStatus::Repaired => "rep-status-repaired",
        RepairStatus::Cancelled => "rep-status-cancelled",
    })
}

fn cause_label(tr: &Tr, c: FaultCause) -> String {
    tr.t(match c {
        FaultCause::NormalWear => "rep-cause-normal-wear",
        FaultCause::HumanDamage => "rep-cause-human-damage",
        FaultCause::Environment => "rep-cause-environment",
        FaultCause::Unknown => "rep-cause-unknown",
    })
}

pub fn coverage_label(tr: &Tr, c: Option<Coverage>) -> String {
    tr.t(match c {
        None => "rep-coverage-undecided",
        Some(Coverage::Warranty) => "rep-coverage-warranty",
        Some(Coverage::Chargeable) => "rep-coverage-chargeable",
    })
}

fn reason_label(tr: &Tr, r: CoverageReason) -> String {
    tr.t(match r {
        CoverageReason::InWarranty => "rep-reason-in-warranty",
        CoverageReason::HumanDamage => "rep-reason-human-damage",
        CoverageReason::WarrantyExpired => "rep-reason-warranty-expired",
        CoverageReason::NoWarrantyOnRecord => "rep-reason-no-warranty-on-record",
        CoverageReason::WarrantyNotStarted => "rep-reason-warranty-not-started",
    })
}

fn quote_status_label(tr: &Tr, s: QuoteStatus) -> String {
    tr.t(match s {
        QuoteStatus::Pending => "rep-quote-pending",
        QuoteStatus::Approved => "rep-quote-approved",
        QuoteStatus::Rejected => "rep-quote-rejected",
        QuoteStatus::Superseded => "rep-quote-superseded",
    })
}

fn channel_label(tr: &Tr, c: AnswerChannel) -> String {
    tr.t(match c {
        AnswerChannel::Portal => "rep-channel-portal",
        AnswerChannel::Phone => "rep-channel-phone",
    })
}

fn kind_label(tr: &Tr, k: ItemKind) -> String {
    tr.t(match k {
        ItemKind::Part => "rep-kind-part",
        ItemKind::Labour => "rep-kind-labour",
    })
}

fn item_label(tr: &Tr, i: CheckItem) -> String {
    tr.t(match i {
        CheckItem::TestTransaction => "rep-check-test-transaction",
        CheckItem::LogClean => "rep-check-log-clean",
        CheckItem::FirmwareCurrent => "rep-check-firmware-current",
        CheckItem::KeysRebound => "rep-check-keys-rebound",
    })
}

fn result_label(tr: &Tr, r: Option<CheckResult>) -> String {
    tr.t(match r {
        None => "rep-result-missing",
        Some(CheckResult::Pass) => "rep-result-pass",
        Some(CheckResult::Fail) => "rep-result-fail",
    })
}

fn step_label(tr: &Tr, kind: &str) -> String {
    match kind {
        "diagnose" => tr.t("rep-step-diagnose"),
        "quote" => tr.t("rep-step-quote"),
        "approve_quote" => tr.t("rep-step-approve-quote"),
        "reject_quote" => tr.t("rep-step-reject-quote"),
        "dispatch" => tr.t("rep-step-dispatch"),
        "start" => tr.t("rep-step-start"),
        "use_part" => tr.t("rep-step-use-part"),
        "labour" => tr.t("rep-step-labour"),
        "note" => tr.t("rep-step-note"),
        "depart" => tr.t("rep-step-depart"),
        "arrive" => tr.t("rep-step-arrive"),
        "sign" => tr.t("rep-step-sign"),
        "check" => tr.t("rep-step-check"),
        "override_checklist" => tr.t("rep-step-override"),
        "complete" => tr.t("rep-step-complete"),
        "cancel" => tr.t("rep-step-cancel"),
        "shipment" => tr.t("rep-step-shipment"),
        other => other.to_owned(),
    }
}

fn direction_label(tr: &Tr, code: &str) -> String {
    match code {
        "in" => tr.t("rep-ship-in"),
        "back" => tr.t("rep-ship-back"),
        other => other.to_owned(),
    }
}

/// A form field named in an error, in the reader's words.
fn field_label(tr: &Tr, name: &str) -> String {
    if let Some(rest) = name.strip_prefix("items[") {
        let (n, part) = rest.split_once(']').unwrap_or((rest, ""));
        let n = n.parse::<usize>().map_or(0, |n| n.saturating_add(1));
        let part = match part.trim_start_matches('.') {
            "kind" => tr.t("rep-item-kind"),
            "code" => tr.t("rep-item-code"),
            "name" => tr.t("rep-item-name"),
            "qty" => tr.t("rep-item-qty"),
            "unit_fen" => tr.t("rep-item-price"),
            _ => String::new(),
        };
        return tr.ta("rep-item-field", &[("n", n.to_string()), ("part", part)]);
    }
    match name {
        "items" => tr.t("rep-quote-items"),
        "cause" => tr.t("rep-cause"),
        "text" => tr.t("rep-text"),
        "valid_days" => tr.t("rep-valid-days"),
        "quote_id" => tr.t("rep-quote"),
        "answered_by_name" => tr.t("rep-answered-by-name"),
        "answered_at" => tr.t("rep-answered-at"),
        "service_point_id" => tr.t("rep-service-point"),
        "technician_id" => tr.t("rep-technician"),
        "appointment_start" => tr.t("rep-appointment-start"),
        "appointment_end" => tr.t("rep-appointment-end"),
        "code" => tr.t("rep-item-code"),
        "qty" => tr.t("rep-item-qty"),
        "item" => tr.t("rep-check-item"),
        "result" => tr.t("rep-check-result"),
        "evidence" => tr.t("rep-evidence"),
        "confirmation_code" => tr.t("rep-confirmation-code"),
        "method" => tr.t("rep-method"),
        "carrier" => tr.t("rep-carrier"),
        "tracking_no" => tr.t("rep-tracking-no"),
        "direction" => tr.t("rep-direction"),
        "step" => tr.t("rep-ship-step"),
        "loaner_id" => tr.t("rep-loaner"),
        "terminal_id" => tr.t("field-terminal"),
        "due_days" => tr.t("rep-due-days"),
        "sn" => tr.t("field-sn"),
        "name" => tr.t("rep-part-name"),
        "unit_fen" => tr.t("rep-unit-price"),
        "delta" => tr.t("rep-delta"),
        "ticket_id" => tr.t("field-ticket"),
        other => labels::field(tr, other),
    }
}

/// The reason of an `invalid` rule the repair services give, in the reader's words.
fn reason_text(tr: &Tr, reason: &str) -> Option<String> {
    let key = if reason.contains("not enough of this part") {
        "rep-why-no-stock"
    } else if reason.contains("not a technician of that service point") {
        "rep-why-not-technician"
    } else if reason.contains("business hours") {
        "rep-why-outside-hours"
    } else if reason.contains("must be after the start") {
        "rep-why-end-before-start"
    } else if reason.contains("whole number") {
        "rep-why-whole-fen"
    } else if reason.contains("no such part") {
        "rep-why-no-such-part"
    } else if reason.contains("free stock") {
        "rep-why-free-stock"
    } else if reason.contains("loaner pool") {
        "rep-why-not-in-pool"
    } else if reason.contains("its own loaner") {
        "rep-why-own-loaner"
    } else if reason.contains("in the future") {
        "rep-why-future"
    } else if reason.contains("service point") {
        "rep-why-no-service-point"
    } else if reason.contains("fault tickets") {
        "rep-why-fault-only"
    } else if reason.contains("names no terminal") {
        "rep-why-no-terminal"
    } else if reason.contains("at most 30 lines") {
        "rep-why-too-many-lines"
    } else {
        return None;
    };
    Some(tr.t(key))
}

/// Why the service refused a step (a `409` without a field), in the reader's words; the
/// service's own text when it is not one of the known refusals.
fn refusal(tr: &Tr, detail: &str) -> String {
    let key = if detail.contains("needs an approved quote") {
        "rep-refused-needs-quote"
    } else if detail.contains("is not quoted") {
        "rep-refused-not-chargeable"
    } else if detail.contains("diagnose the fault first") {
        "rep-refused-not-diagnosed"
    } else if detail.contains("technician or the ticket's assignee") {
        "rep-refused-checklist-who"
    } else if detail.contains("after the repair work") {
        "rep-refused-checklist-when"
    } else if detail.contains("only a supervisor") {
        "rep-refused-override"
    } else if detail.contains("expired") {
        "rep-refused-quote-expired"
    } else if detail.contains("already answered") || detail.contains("answered by another") {
        "rep-refused-quote-answered"
    } else if detail.contains("before approving a quote with parts") {
        "rep-refused-needs-dispatch"
    } else if detail.contains("no service point to take parts") {
        "rep-refused-no-service-point"
    } else if detail.contains("out or not available") {
        "rep-refused-loaner-out"
    } else if detail.contains("no current binding") {
        "rep-refused-no-binding"
    } else if detail.contains("gets a loaner") {
        "rep-refused-terminal-status"
    } else if detail.contains("already returned") {
        "rep-refused-returned"
    } else if detail.contains("joins the loaner pool") {
        "rep-refused-pool-stock"
    } else if detail.contains("shipment is already recorded") {
        "rep-refused-shipped"
    } else if detail.contains("already received") {
        "rep-refused-received"
    } else if detail.contains("dispatch before the receipt") {
        "rep-refused-receive-first"
    } else if detail.contains("belong to mail-in") {
        "rep-refused-not-mail-in"
    } else if detail.contains("only answer a quote") {
        "rep-refused-merchant"
    } else if detail.contains("cannot ") {
        "rep-refused-illegal"
    } else if detail.starts_with("ticket ") {
        "rep-refused-ticket-inactive"
    } else {
        return tr.ta("rep-refused", &[("detail", detail.to_owned())]);
    };
    tr.t(key)
}

/// A service error shown on a repair form.
pub fn error_text(tr: &Tr, e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) | ApiError::BadRequest(f) => {
            let rule = match &f.rule {
                Rule::Invalid { reason } => {
                    reason_text(tr, reason).unwrap_or_else(|| labels::rule(tr, &f.rule))
                }
                r => labels::rule(tr, r),
            };
            tr.ta(
                "error-field",
                &[("field", field_label(tr, &f.field)), ("rule", rule)],
            )
        }
        ApiError::Conflict {
            detail,
            field: None,
        } => refusal(tr, detail),
        _ => labels::error_message(tr, e),
    }
}

/// The field an error names ("" for a refusal without one).
pub fn error_field(e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) | ApiError::BadRequest(f) => f.field.clone(),
        _ => String::new(),
    }
}

// ---- Shared helpers ---------------------------------------------------------------------------

fn parse_repair(id: &str) -> ApiResult<RepairId> {
    RepairId::parse("id", id).map_err(|_| ApiError::NotFound)
}

pub fn repair_href(id: RepairId) -> String {
    format!("/repairs/{id}")
}

/// `version` as typed (the If-Match of every repair form).
pub fn version_field(f: &Fields) -> Result<Option<i64>, FieldError> {
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

/// Where a successful form returns: its `next` (a local path) or `fallback`.
pub fn next_or(f: &Fields, fallback: &str) -> String {
    match f.opt("next") {
        Some(n) => safe_next(Some(n)),
        None => fallback.to_owned(),
    }
}

fn ts(t: Option<posdesk_core::Timestamp>) -> String {
    t.map(|t| t.to_shanghai_display()).unwrap_or_default()
}

/// User id → display name, as far as the caller may know them: themself, the provider's
/// technicians (whoever sees service points) and, for those who read users, the staff.
pub async fn people(state: &AppState, user: &WebUser) -> HashMap<String, String> {
    let ctx = user.ctx(state);
    let mut out = HashMap::new();
    if let Ok(t) = service::service_points::technician_names(&ctx).await {
        out.extend(t.into_iter().map(|(id, n)| (id.to_string(), n)));
    }
    if user.role().allows(Permission::UserRead) {
        let filter = posdesk_storage::repo::users::Filter {
            tenant: None,
            role: None,
        };
        let page = posdesk_core::page::PageRequest::first(posdesk_core::page::MAX_LIMIT);
        if let Ok(p) = service::users::list(&ctx, filter, page).await {
            out.extend(
                p.items
                    .into_iter()
                    .map(|u| (u.id.to_string(), u.display_name)),
            );
        }
    }
    out.insert(user.user.id.to_string(), user.user.display_name.clone());
    out
}

fn who(tr: &Tr, people: &HashMap<String, String>, id: &str) -> String {
    people
        .get(id)
        .cloned()
        .unwrap_or_else(|| tr.t("rep-someone"))
}

// ---- Quotes as shown --------------------------------------------------------------------------

pub struct QuoteLine {
    pub kind: String,
    pub code: String,
    pub name: String,
    pub qty: i64,
    pub unit: String,
    pub amount: String,
}

pub struct QuoteView {
    pub id: String,
    pub quote_id: String,
    pub status: String,
    pub status_code: &'static str,
    pub lines: Vec<QuoteLine>,
    pub total: String,
    pub valid_until: String,
    pub created: String,
    pub created_by: String,
    /// "电话确认 王老板 · 2026-12-01 10:00" once answered.
    pub answer: String,
    pub pending: bool,
}

fn quote_view(tr: &Tr, people: &HashMap<String, String>, q: &StoredQuote) -> QuoteView {
    let answer = match (q.answer_channel, q.answered_at) {
        (Some(ch), Some(at)) => {
            let name = q
                .answered_by_name
                .clone()
                .or_else(|| q.answered_by.as_deref().map(|id| who(tr, people, id)))
                .unwrap_or_default();
            tr.ta(
                "rep-quote-answer",
                &[
                    ("channel", channel_label(tr, ch)),
                    ("name", name),
                    ("at", at.to_shanghai_display()),
                ],
            )
        }
        _ => String::new(),
    };
    QuoteView {
        id: format!("quote-{}", q.id),
        quote_id: q.id.to_string(),
        status: quote_status_label(tr, q.status),
        status_code: q.status.code(),
        lines: q
            .items
            .iter()
            .map(|i| QuoteLine {
                kind: kind_label(tr, i.kind),
                code: i.code.clone(),
                name: i.name.clone(),
                qty: i.qty,
                unit: i.unit_fen.to_string(),
                amount: i.amount_fen.to_string(),
            })
            .collect(),
        total: labels::yuan(q.total_fen),
        valid_until: q.valid_until.to_shanghai_display(),
        created: q.created_at.to_shanghai_display(),
        created_by: who(tr, people, &q.created_by),
        answer,
        pending: q.status == QuoteStatus::Pending,
    }
}

// ---- The ticket page's section ----------------------------------------------------------------

/// A repair in the ticket's list.
pub struct SectionRow {
    pub id: String,
    pub href: String,
    pub method: String,
    pub status: String,
    pub status_code: &'static str,
    pub coverage: String,
    pub created: String,
}

/// A pending quote the merchant answers from the ticket page.
pub struct PendingQuote {
    pub repair_action: String,
    pub version: i64,
    pub quote: QuoteView,
}

/// The ticket page's repairs section (`templates/repair_section.html`, included by
/// `ticket.html`; it reads `c` and `repairs`).
#[derive(Default)]
pub struct RepairsSection {
    /// Where the open form posts.
    pub action: String,
    /// Where the merchant's answer returns.
    pub back: String,
    pub rows: Vec<SectionRow>,
    pub pending: Vec<PendingQuote>,
    /// The list could not be read (the rest of the page still renders).
    pub unavailable: bool,
    /// Staff who work tickets, on an active fault ticket with a terminal.
    pub can_open: bool,
    /// Merchant users answer pending quotes.
    pub can_answer: bool,
    pub methods: Vec<Opt>,
    /// Why the ticket cannot be resolved yet (staff).
    pub blocker: Option<String>,
    pub error: Option<String>,
    /// A fault ticket (the section is shown only for those).
    pub shown: bool,
}

/// The repairs section for `ticket` as `user` sees it. Never fails the page.
pub async fn section(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    ticket: &Ticket,
) -> RepairsSection {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let role = user.role();
    let portal = user.principal.merchant().is_some();
    let staff = role.allows(Permission::TicketWork) && !portal;
    let href = format!("/tickets/{}", ticket.id);
    let mut s = RepairsSection {
        action: format!("{href}/repairs"),
        back: format!("{href}#ticket-repairs"),
        shown: ticket.kind == TicketKind::Fault,
        can_open: staff && ticket.status.is_active() && ticket.terminal_id.is_some(),
        can_answer: portal && role.allows(Permission::TicketReply),
        methods: RepairMethod::ALL
            .iter()
            .map(|m| Opt::new(m.code(), method_label(&tr, *m), "mail_in"))
            .collect(),
        ..RepairsSection::default()
    };
    if !s.shown {
        return s;
    }
    let repairs = match service::repairs::of_ticket(&ctx, ticket.id).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, ticket = %ticket.id, "listing repairs");
            s.unavailable = true;
            return s;
        }
    };
    let people = HashMap::new();
    for r in &repairs {
        s.rows.push(SectionRow {
            id: format!("repair-{}", r.id),
            href: repair_href(r.id),
            method: method_label(&tr, r.method),
            status: status_label(&tr, r.status),
            status_code: r.status.code(),
            coverage: coverage_label(&tr, r.coverage),
            created: r.created_at.to_shanghai_display(),
        });
        if r.status == RepairStatus::Quoted
            && let Ok(d) = service::repairs::get(&ctx, r.id).await
        {
            for q in d.quotes.iter().filter(|q| q.status == QuoteStatus::Pending) {
                s.pending.push(PendingQuote {
                    repair_action: format!("{}/action", repair_href(r.id)),
                    version: r.version,
                    quote: quote_view(&tr, &people, q),
                });
            }
        }
    }
    if staff && !repairs.is_empty() && ticket.status.is_active() {
        s.blocker = service::repairs::resolve_blocker(&ctx, ticket.id)
            .await
            .ok()
            .flatten()
            .map(|b| tr.ta("rep-resolve-blocked", &[("detail", blocker_text(&tr, &b))]));
    }
    s
}

/// The resolve gate's reason in the reader's words.
fn blocker_text(tr: &Tr, detail: &str) -> String {
    if detail.contains("check not recorded") {
        tr.t("rep-blocked-missing")
    } else if detail.contains("check failed") {
        tr.t("rep-blocked-failed")
    } else if detail.contains("finish or cancel") {
        tr.t("rep-blocked-open")
    } else {
        detail.to_owned()
    }
}

/// A refused open: the ticket's repairs again, with the error above the form.
#[derive(Template)]
#[template(path = "repair_ticket_failed.html")]
struct OpenFailedPage {
    c: Chrome,
    back: String,
    number: String,
    subject: String,
    repairs: RepairsSection,
}

fn parse_ticket(id: &str) -> ApiResult<TicketId> {
    TicketId::parse("id", id).map_err(|_| ApiError::NotFound)
}

/// `POST /tickets/{id}/repairs`: opens a repair (`method`) and shows it.
pub async fn open(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_ticket(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let ctx = user.ctx(&state);
    match service::repairs::open(&ctx, id, f.get("method")).await {
        Ok(r) => web.redirect_flash(&repair_href(r.id), Flash::TicketUpdated),
        Err(e) if is_form_error(&e) => {
            let detail = match service::tickets::get(&ctx, id).await {
                Ok(d) => d,
                Err(e) => return web.fail(Some(&user), &e),
            };
            let t = &detail.view.ticket;
            let mut repairs = section(&state, &web, &user, t).await;
            repairs.error = Some(error_text(&web.tr, &e));
            let tpl = OpenFailedPage {
                c: web.chrome(Some(&user), web.tr.t("rep-open-failed-title")),
                back: format!("/tickets/{id}"),
                number: t.number.clone(),
                subject: t.subject.clone(),
                repairs,
            };
            web.render(e.status(), &tpl)
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// A GET on the open form's action returns to the ticket's page.
pub async fn back_to_ticket(web: Web, Path(id): Path<String>) -> Response {
    match parse_ticket(&id) {
        Ok(id) => web.redirect(&format!("/tickets/{id}")),
        Err(_) => web.error_page(None, StatusCode::NOT_FOUND, web.tr.t("error-not-found")),
    }
}

// ---- The repair page --------------------------------------------------------------------------

struct Facts {
    ticket_href: String,
    ticket_number: String,
    terminal_href: String,
    terminal: String,
    merchant: String,
    method: String,
    method_code: &'static str,
    status: String,
    status_code: &'static str,
    cause: String,
    diagnosis: String,
    coverage: String,
    coverage_code: &'static str,
    coverage_reason: String,
    service_point: String,
    technician: String,
    appointment: String,
    departed: String,
    arrived: String,
    confirmation: String,
    override_reason: String,
    override_by: String,
    result: String,
    created: String,
    completed: String,
}

struct StepRow {
    id: String,
    at: String,
    who: String,
    kind: String,
    kind_code: String,
    summary: String,
}

struct CheckRow {
    id: String,
    item: String,
    item_code: &'static str,
    result: String,
    result_code: &'static str,
    who: String,
    at: String,
    evidence: String,
}

pub struct LoanRow {
    pub id: String,
    pub loan_id: String,
    pub loaner_sn: String,
    pub loaner_href: String,
    pub terminal_href: String,
    pub merchant: String,
    pub mid: String,
    pub tid: String,
    pub lent: String,
    pub due: String,
    pub returned: String,
    pub open: bool,
    pub overdue: bool,
}

pub fn loan_row(l: &Loan) -> LoanRow {
    LoanRow {
        id: format!("loan-{}", l.id),
        loan_id: l.id.to_string(),
        loaner_sn: l.loaner_sn.clone(),
        loaner_href: format!("/terminals/{}", l.loaner_id),
        terminal_href: format!("/terminals/{}", l.terminal_id),
        merchant: l.merchant_name.clone(),
        mid: l.mid.clone(),
        tid: l.tid.clone(),
        lent: l.lent_at.to_shanghai_display(),
        due: l.due_at.to_shanghai_display(),
        returned: ts(l.returned_at),
        open: l.returned_at.is_none(),
        overdue: l.overdue,
    }
}

struct ShipRow {
    id: String,
    direction: String,
    direction_code: String,
    carrier: String,
    tracking_no: String,
    dispatched: String,
    received: String,
}

/// A mail-in shipment's form (ship-in or ship-back): dispatch, then receive.
struct ShipForm {
    dir: &'static str,
    title: String,
    existing: Option<ShipRow>,
    error: Option<String>,
    carrier_error: Option<String>,
    tracking_error: Option<String>,
    carrier: String,
    tracking: String,
}

/// One row of the quote form.
struct QuoteRowInput {
    i: usize,
    n: usize,
    kinds: Vec<Opt>,
    code: String,
    name: String,
    qty: String,
    price: String,
    error: Option<String>,
}

/// Which forms the page shows (the service decides whether each step is allowed).
#[derive(Default)]
struct Can {
    diagnose: bool,
    quote: bool,
    phone_answer: bool,
    portal_answer: bool,
    dispatch: bool,
    start: bool,
    work: bool,
    note: bool,
    visit: bool,
    sign: bool,
    check: bool,
    override_checklist: bool,
    complete: bool,
    cancel: bool,
    ship: bool,
    lend: bool,
}

/// The form that failed, its message and the input as typed.
#[derive(Default)]
pub struct Failed {
    pub form: String,
    pub field: String,
    pub message: String,
    pub status: Option<StatusCode>,
    pub typed: Fields,
}

/// The fields each form shows its errors next to (others go above the form).
const INLINE: [(&str, &[&str]); 9] = [
    ("diagnose", &["cause", "text"]),
    ("answer", &["answered_by_name", "answered_at"]),
    (
        "dispatch",
        &[
            "service_point_id",
            "technician_id",
            "appointment_start",
            "appointment_end",
        ],
    ),
    ("use_part", &["code", "qty"]),
    ("labour", &["code", "qty"]),
    ("note", &["text"]),
    ("sign", &["confirmation_code"]),
    ("check", &["item", "evidence"]),
    ("complete", &["text"]),
];

#[derive(Template)]
#[template(path = "repair.html")]
struct RepairPage {
    c: Chrome,
    portal: bool,
    action: String,
    ship_action: String,
    version: i64,
    f: Facts,
    quotes: Vec<QuoteView>,
    pending_quote: String,
    steps: Vec<StepRow>,
    checks: Vec<CheckRow>,
    loans: Vec<LoanRow>,
    shipments: Vec<ShipRow>,
    ship_forms: Vec<ShipForm>,
    can: Can,
    failed: Failed,
    causes: Vec<Opt>,
    check_items: Vec<Opt>,
    service_points: Vec<Opt>,
    technicians: Vec<Opt>,
    parts: Vec<Opt>,
    fees: Vec<Opt>,
    quote_rows: Vec<QuoteRowInput>,
    lend: super::repairs_pool::LendForm,
    answered_at_default: String,
}

impl RepairPage {
    /// The message above `form` (when its field is not one shown next to a field).
    fn form_error(&self, form: &str) -> Option<&str> {
        let f = &self.failed;
        if f.form != form || f.message.is_empty() {
            return None;
        }
        let inline = INLINE
            .iter()
            .any(|(k, fields)| *k == form && fields.contains(&f.field.as_str()))
            || (form == "quote" && f.field.starts_with("row"));
        (!inline).then_some(f.message.as_str())
    }

    /// The message next to `field` of `form`.
    fn field_error(&self, form: &str, field: &str) -> Option<&str> {
        let f = &self.failed;
        (f.form == form && f.field == field && !f.message.is_empty()).then_some(f.message.as_str())
    }

    /// The value typed into `field` of `form` when it failed ("" otherwise).
    fn typed(&self, form: &str, field: &str) -> &str {
        if self.failed.form == form {
            self.failed.typed.get(field)
        } else {
            ""
        }
    }
}

fn step_summary(
    tr: &Tr,
    s: &Step,
    points: &HashMap<String, String>,
    people: &HashMap<String, String>,
) -> String {
    let b = &s.body;
    let text = |k: &str| {
        b.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let int = |k: &str| b.get(k).and_then(serde_json::Value::as_i64).unwrap_or(0);
    match s.kind.as_str() {
        "diagnose" => tr.ta(
            "rep-summary-diagnose",
            &[
                (
                    "cause",
                    FaultCause::from_code(&text("cause"))
                        .map(|c| cause_label(tr, c))
                        .unwrap_or_default(),
                ),
                ("diagnosis", text("diagnosis")),
                (
                    "coverage",
                    coverage_label(tr, Coverage::from_code(&text("coverage"))),
                ),
            ],
        ),
        "quote" => tr.ta(
            "rep-summary-quote",
            &[("total", labels::yuan(int("total_fen")))],
        ),
        "approve_quote" | "reject_quote" => {
            let channel = AnswerChannel::from_code(&text("channel"))
                .map(|c| channel_label(tr, c))
                .unwrap_or_default();
            let name = text("answered_by_name");
            if name.is_empty() {
                channel
            } else {
                format!("{channel} · {name}")
            }
        }
        "dispatch" => {
            let sp = text("service_point_id");
            let tech = text("technician_id");
            tr.ta(
                "rep-summary-dispatch",
                &[
                    ("point", points.get(&sp).cloned().unwrap_or(sp)),
                    ("technician", who(tr, people, &tech)),
                ],
            )
        }
        "use_part" | "labour" => format!("{} × {}", text("code"), int("qty")),
        "note" => text("text"),
        "sign" => text("confirmation_code"),
        "check" => {
            let item = CheckItem::from_code(&text("item"))
                .map(|i| item_label(tr, i))
                .unwrap_or_default();
            let result = result_label(tr, CheckResult::from_code(&text("result")));
            format!("{item}：{result} — {}", text("evidence"))
        }
        "override_checklist" => text("reason"),
        "complete" => text("result"),
        "shipment" => {
            let received = b.get("received_at").is_some_and(|v| !v.is_null());
            tr.ta(
                if received {
                    "rep-summary-shipment-received"
                } else {
                    "rep-summary-shipment-dispatched"
                },
                &[
                    ("direction", direction_label(tr, &text("direction"))),
                    ("carrier", text("carrier")),
                    ("tracking", text("tracking_no")),
                ],
            )
        }
        _ => String::new(),
    }
}

fn latest_checks(tr: &Tr, checks: &[Check], people: &HashMap<String, String>) -> Vec<CheckRow> {
    CheckItem::ALL
        .iter()
        .map(|item| {
            let last = checks.iter().rev().find(|c| c.item == *item);
            CheckRow {
                id: format!("check-{}", item.code()),
                item: item_label(tr, *item),
                item_code: item.code(),
                result: result_label(tr, last.map(|c| c.result)),
                result_code: last.map_or("missing", |c| c.result.code()),
                who: last
                    .map(|c| who(tr, people, &c.actor_id))
                    .unwrap_or_default(),
                at: last.map(|c| c.at.to_shanghai_display()).unwrap_or_default(),
                evidence: last.map(|c| c.evidence.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

fn ship_row(tr: &Tr, s: &Shipment) -> ShipRow {
    ShipRow {
        id: format!("shipment-{}", s.direction),
        direction: direction_label(tr, &s.direction),
        direction_code: s.direction.clone(),
        carrier: s.carrier.clone(),
        tracking_no: s.tracking_no.clone(),
        dispatched: ts(s.dispatched_at),
        received: ts(s.received_at),
    }
}

/// How many rows the quote form offers.
const QUOTE_ROWS: usize = 4;

fn quote_rows(tr: &Tr, failed: &Failed) -> Vec<QuoteRowInput> {
    let typed = |name: &str| {
        if failed.form == "quote" {
            failed.typed.get(name).to_owned()
        } else {
            String::new()
        }
    };
    (0..QUOTE_ROWS)
        .map(|i| {
            let kind = typed(&format!("item_kind_{i}"));
            let kind = if kind.is_empty() {
                if i == 0 { "part" } else { "labour" }.to_owned()
            } else {
                kind
            };
            let error = (failed.form == "quote"
                && failed.field.starts_with("row")
                && failed.field == format!("row{i}"))
            .then(|| failed.message.clone());
            QuoteRowInput {
                i,
                n: i + 1,
                kinds: ItemKind::ALL
                    .iter()
                    .map(|k| Opt::new(k.code(), kind_label(tr, *k), &kind))
                    .collect(),
                code: typed(&format!("item_code_{i}")),
                name: typed(&format!("item_name_{i}")),
                qty: typed(&format!("item_qty_{i}")),
                price: typed(&format!("item_price_{i}")),
                error,
            }
        })
        .collect()
}

async fn render_repair(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: RepairId,
    mut failed: Failed,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let d = match service::repairs::get(&ctx, id).await {
        Ok(d) => d,
        Err(e) => return web.fail(Some(user), &e),
    };
    let r: &Repair = &d.repair;
    let portal = user.principal.merchant().is_some();
    let role = user.role();
    let staff = role.allows(Permission::TicketWork) && !portal;
    let supervisor = matches!(role, Role::Supervisor | Role::ProviderAdmin);
    let people = people(state, user).await;
    let points: Vec<posdesk_storage::repo::service_points::ServicePoint> = if staff {
        service::service_points::list(&ctx, true)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let point_names: HashMap<String, String> = points
        .iter()
        .map(|p| (p.id.to_string(), p.name.clone()))
        .collect();
    let ticket_number = match service::tickets::get(&ctx, r.ticket_id).await {
        Ok(t) => t.view.ticket.number,
        Err(_) => r.ticket_id.to_string(),
    };
    let terminal = match service::directory::terminal(&ctx, r.terminal_id).await {
        Ok(t) => match t.tid {
            Some(tid) => format!("{} · {}", t.sn, tid),
            None => t.sn,
        },
        Err(_) => r.terminal_id.to_string(),
    };
    let merchant = match service::directory::merchant(&ctx, r.merchant_id).await {
        Ok(m) => format!("{}（{}）", m.name, m.mid),
        Err(_) => r.merchant_id.to_string(),
    };
    let shipments: Vec<Shipment> = if r.method == RepairMethod::MailIn {
        service::repairs::shipments(&ctx, id)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let pending = d.quotes.iter().find(|q| q.status == QuoteStatus::Pending);
    let open_loan = d.loans.iter().any(|l| l.returned_at.is_none());
    let status = r.status;
    let fin = status.is_final();
    let working = matches!(status, RepairStatus::InRepair | RepairStatus::Repaired);
    let can = Can {
        diagnose: staff && matches!(status, RepairStatus::Open | RepairStatus::Diagnosed),
        quote: staff
            && r.coverage == Some(Coverage::Chargeable)
            && matches!(
                status,
                RepairStatus::Diagnosed | RepairStatus::Quoted | RepairStatus::Declined
            ),
        phone_answer: staff && pending.is_some(),
        portal_answer: portal && role.allows(Permission::TicketReply) && pending.is_some(),
        dispatch: staff && !fin,
        start: staff
            && (status == RepairStatus::Approved
                || (status == RepairStatus::Diagnosed && r.coverage == Some(Coverage::Warranty))),
        work: staff && status == RepairStatus::InRepair,
        note: staff,
        visit: staff && r.method == RepairMethod::OnSite && !fin,
        sign: staff && r.method == RepairMethod::OnSite && working,
        check: staff && working,
        override_checklist: staff && supervisor && working,
        complete: staff && status == RepairStatus::InRepair,
        cancel: staff && !fin && status != RepairStatus::InRepair,
        ship: staff && r.method == RepairMethod::MailIn && status != RepairStatus::Cancelled,
        lend: staff && !fin && !open_loan,
    };
    // An error of a form the page no longer shows (the step is not possible now) goes above
    // everything.
    let shown = match failed.form.as_str() {
        "diagnose" => can.diagnose,
        "quote" => can.quote,
        "answer" => can.phone_answer || can.portal_answer,
        "dispatch" => can.dispatch,
        "start" => can.start,
        "use_part" | "labour" => can.work,
        "note" => can.note,
        "visit" => can.visit,
        "sign" => can.sign,
        "check" => can.check,
        "override" => can.override_checklist,
        "complete" => can.complete,
        "cancel" => can.cancel,
        f if f.starts_with("ship-") => can.ship,
        _ => false,
    };
    if !shown && !failed.form.is_empty() {
        failed.form = "action".into();
    }
    let stock = if can.work || can.quote {
        service::repairs::stock(&ctx).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let parts: Vec<Opt> = stock
        .iter()
        .filter(|s| s.service_point_id.is_some() && s.service_point_id == r.service_point_id)
        .map(|s| {
            Opt::new(
                s.code.clone(),
                tr.ta(
                    "rep-part-option",
                    &[
                        ("code", s.code.clone()),
                        ("name", s.name.clone()),
                        ("price", labels::yuan(s.unit_fen)),
                        ("free", (s.on_hand - s.reserved).to_string()),
                    ],
                ),
                failed.typed.get("code"),
            )
        })
        .collect();
    let mut catalogue: Vec<Opt> = Vec::new();
    for s in &stock {
        if !catalogue.iter().any(|o| o.value == s.code) {
            catalogue.push(Opt::new(
                s.code.clone(),
                format!("{} · {}", s.name, labels::yuan(s.unit_fen)),
                "",
            ));
        }
    }
    let fees: Vec<Opt> = match user.user.tenant_id {
        Some(t) if can.work || can.quote => match service::profiles::get(&ctx, t).await {
            Ok(p) => p
                .doc
                .fees
                .iter()
                .map(|f| {
                    Opt::new(
                        f.code.clone(),
                        format!("{} · {}", f.name, labels::yuan(f.price_fen)),
                        "",
                    )
                })
                .collect(),
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut codes = catalogue;
    codes.extend(fees);
    let sp_current = if failed.form == "dispatch" {
        failed.typed.get("service_point_id").to_owned()
    } else {
        r.service_point_id
            .map(|s| s.to_string())
            .unwrap_or_default()
    };
    let tech_current = if failed.form == "dispatch" {
        failed.typed.get("technician_id").to_owned()
    } else {
        r.technician_id.map(|s| s.to_string()).unwrap_or_default()
    };
    let mut technicians: Vec<Opt> = vec![Opt::new("", tr.t("rep-choose"), &tech_current)];
    // The dispatcher's ranking first (nearest service point, then skill, then load).
    let ranked = if staff && !r.status.is_final() {
        service::repairs::suggest_technicians(&ctx, r.id)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    for (i, sgt) in ranked.iter().enumerate() {
        let key = sgt.technician_id.to_string();
        if technicians.iter().any(|o| o.value == key) {
            continue;
        }
        let label = tr.ta(
            if i == 0 {
                "rep-tech-suggested-first"
            } else {
                "rep-tech-suggested"
            },
            &[
                ("name", who(&tr, &people, &key)),
                ("point", sgt.service_point.clone()),
                ("load", sgt.load.to_string()),
            ],
        );
        technicians.push(Opt::new(key, label, &tech_current));
    }
    for p in &points {
        for t in &p.technicians {
            let key = t.to_string();
            if !technicians.iter().any(|o| o.value == key) {
                let name = who(&tr, &people, &key);
                technicians.push(Opt::new(key, name, &tech_current));
            }
        }
    }
    let mut service_points = vec![Opt::new("", tr.t("rep-choose"), &sp_current)];
    service_points.extend(
        points
            .iter()
            .map(|p| Opt::new(p.id.to_string(), p.name.clone(), &sp_current)),
    );
    let cause_current = if failed.form == "diagnose" {
        failed.typed.get("cause").to_owned()
    } else {
        r.cause.map(|c| c.code().to_owned()).unwrap_or_default()
    };
    let mut causes = vec![Opt::new("", tr.t("rep-choose"), &cause_current)];
    causes.extend(
        FaultCause::ALL
            .iter()
            .map(|c| Opt::new(c.code(), cause_label(&tr, *c), &cause_current)),
    );
    let item_current = if failed.form == "check" {
        failed.typed.get("item").to_owned()
    } else {
        String::new()
    };
    let check_items = CheckItem::ALL
        .iter()
        .map(|i| Opt::new(i.code(), item_label(&tr, *i), &item_current))
        .collect();
    let lend = if can.lend {
        super::repairs_pool::lend_form(state, web, user, r, &repair_href(id), None).await
    } else {
        super::repairs_pool::LendForm::default()
    };
    let f = Facts {
        ticket_href: format!("/tickets/{}", r.ticket_id),
        ticket_number,
        terminal_href: format!("/terminals/{}", r.terminal_id),
        terminal,
        merchant,
        method: method_label(&tr, r.method),
        method_code: r.method.code(),
        status: status_label(&tr, r.status),
        status_code: r.status.code(),
        cause: r.cause.map(|c| cause_label(&tr, c)).unwrap_or_default(),
        diagnosis: r.diagnosis.clone().unwrap_or_default(),
        coverage: coverage_label(&tr, r.coverage),
        coverage_code: r.coverage.map_or("undecided", |c| c.code()),
        coverage_reason: r
            .coverage_reason
            .map(|x| reason_label(&tr, x))
            .unwrap_or_default(),
        service_point: r
            .service_point_id
            .map(|s| {
                point_names
                    .get(&s.to_string())
                    .cloned()
                    .unwrap_or_else(|| s.to_string())
            })
            .unwrap_or_default(),
        technician: r
            .technician_id
            .map(|t| who(&tr, &people, &t.to_string()))
            .unwrap_or_default(),
        appointment: match (r.appointment_start, r.appointment_end) {
            (Some(s), Some(e)) => {
                format!("{} – {}", s.to_shanghai_display(), e.to_shanghai_display())
            }
            (Some(s), None) => s.to_shanghai_display(),
            _ => String::new(),
        },
        departed: ts(r.departed_at),
        arrived: ts(r.arrived_at),
        confirmation: match (&r.confirmation_code, &r.signature_sha256) {
            (Some(c), _) => tr.ta("rep-confirmed-code", &[("code", c.clone())]),
            (None, Some(_)) => tr.t("rep-confirmed-signature"),
            _ => String::new(),
        },
        override_reason: r.override_reason.clone().unwrap_or_default(),
        override_by: r
            .override_by
            .as_deref()
            .map(|b| who(&tr, &people, b))
            .unwrap_or_default(),
        result: r.result.clone().unwrap_or_default(),
        created: r.created_at.to_shanghai_display(),
        completed: ts(r.completed_at),
    };
    let ship_rows: Vec<ShipRow> = shipments.iter().map(|s| ship_row(&tr, s)).collect();
    let ship_forms: Vec<ShipForm> = ["in", "back"]
        .into_iter()
        .map(|dir| {
            let key = format!("ship-{dir}");
            let mine = failed.form == key && !failed.message.is_empty();
            let at = |field: &str| (mine && failed.field == field).then(|| failed.message.clone());
            let typed = |field: &str| {
                if mine {
                    failed.typed.get(field).to_owned()
                } else {
                    String::new()
                }
            };
            ShipForm {
                dir,
                title: direction_label(&tr, dir),
                existing: shipments
                    .iter()
                    .find(|s| s.direction == dir)
                    .map(|s| ship_row(&tr, s)),
                error: (mine && !["carrier", "tracking_no"].contains(&failed.field.as_str()))
                    .then(|| failed.message.clone()),
                carrier_error: at("carrier"),
                tracking_error: at("tracking_no"),
                carrier: typed("carrier"),
                tracking: typed("tracking_no"),
            }
        })
        .collect();
    let status_code = failed.status.unwrap_or(StatusCode::OK);
    let tpl = RepairPage {
        c: web.chrome(
            Some(user),
            tr.ta("rep-title", &[("ticket", f.ticket_number.clone())]),
        ),
        portal,
        action: format!("{}/action", repair_href(id)),
        ship_action: format!("{}/shipment", repair_href(id)),
        version: r.version,
        quotes: d
            .quotes
            .iter()
            .map(|q| quote_view(&tr, &people, q))
            .collect(),
        pending_quote: pending.map(|q| q.id.to_string()).unwrap_or_default(),
        steps: d
            .steps
            .iter()
            .map(|s| StepRow {
                id: format!("step-{}", s.seq),
                at: s.at.to_shanghai_display(),
                who: who(&tr, &people, &s.actor_id),
                kind: step_label(&tr, &s.kind),
                kind_code: s.kind.clone(),
                summary: step_summary(&tr, s, &point_names, &people),
            })
            .collect(),
        checks: latest_checks(&tr, &d.checks, &people),
        loans: d.loans.iter().map(loan_row).collect(),
        shipments: ship_rows,
        ship_forms,
        can,
        quote_rows: quote_rows(&tr, &failed),
        causes,
        check_items,
        service_points,
        technicians,
        parts,
        fees: codes,
        lend,
        answered_at_default: posdesk_storage::now().to_shanghai_input(),
        failed,
        f,
    };
    web.render(status_code, &tpl)
}

pub async fn detail(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    match parse_repair(&id) {
        Ok(id) => render_repair(&state, &web, &user, id, Failed::default()).await,
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// A GET on a form's action returns to the repair's page.
pub async fn back(web: Web, Path(id): Path<String>) -> Response {
    match parse_repair(&id) {
        Ok(id) => web.redirect(&repair_href(id)),
        Err(_) => web.error_page(None, StatusCode::NOT_FOUND, web.tr.t("error-not-found")),
    }
}

/// Which form an action belongs to (where its error shows).
fn form_of(action: &str) -> &'static str {
    match action {
        "diagnose" => "diagnose",
        "quote" => "quote",
        "approve" | "reject" => "answer",
        "dispatch" => "dispatch",
        "start" => "start",
        "use_part" => "use_part",
        "labour" => "labour",
        "note" => "note",
        "depart" | "arrive" => "visit",
        "sign" => "sign",
        "check" => "check",
        "override" => "override",
        "complete" => "complete",
        "cancel" => "cancel",
        _ => "action",
    }
}

/// The quote form's rows as the service takes them (blank rows skipped), with the form row of
/// each line; prices are typed in yuan (`12.50`) and become whole fen here.
type Lines = Vec<(String, String, String, serde_json::Value, serde_json::Value)>;

fn quote_lines(f: &Fields, rows: &mut Vec<usize>) -> Result<Lines, FieldError> {
    let mut lines = Vec::new();
    for i in 0..QUOTE_ROWS {
        let get = |p: &str| f.get(&format!("item_{p}_{i}")).trim().to_owned();
        let (code, name, qty, price) = (get("code"), get("name"), get("qty"), get("price"));
        if code.is_empty() && name.is_empty() && qty.is_empty() && price.is_empty() {
            continue;
        }
        let k = lines.len();
        rows.push(i);
        let qty = if qty.is_empty() {
            serde_json::Value::Null
        } else {
            // A number the core checks (whole, 1–99); anything else it refuses as not whole.
            serde_json::from_str::<serde_json::Value>(&qty)
                .ok()
                .filter(serde_json::Value::is_number)
                .unwrap_or(serde_json::Value::String(qty))
        };
        let field = format!("items[{k}].unit_fen");
        let unit = if price.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::Value::from(Fen::parse_non_negative(&field, &price)?.fen())
        };
        lines.push((get("kind"), code, name, qty, unit));
    }
    Ok(lines)
}

/// `items[k].…` → `row{i}` (the form row), so the error shows on its row.
fn row_field(field: &str, rows: &[usize]) -> String {
    let Some(rest) = field.strip_prefix("items[") else {
        return field.to_owned();
    };
    match rest
        .split_once(']')
        .and_then(|(k, _)| k.parse::<usize>().ok())
    {
        Some(k) => rows
            .get(k)
            .map_or_else(|| field.to_owned(), |i| format!("row{i}")),
        None => field.to_owned(),
    }
}

fn parse_time(field: &'static str, f: &Fields) -> ApiResult<Option<posdesk_core::Timestamp>> {
    crate::api::tickets::parse_instant(field, f.opt(field))
}

fn parse_int(field: &'static str, f: &Fields) -> Result<Option<i64>, FieldError> {
    f.opt(field)
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                FieldError::new(
                    field,
                    Rule::Invalid {
                        reason: "must be a whole number",
                    },
                )
            })
        })
        .transpose()
}

/// `POST /repairs/{id}/action`: one step (`action`) of the repair with its fields and the
/// page's `version`; success returns to `next` (the day list, the ticket) or the repair.
pub async fn action(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_repair(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let action = f.get("action").trim().to_owned();
    let form = form_of(&action);
    let mut rows: Vec<usize> = Vec::new();
    let result: ApiResult<Repair> = async {
        let version = version_field(&f)?;
        let items = if action == "quote" {
            quote_lines(&f, &mut rows)?
        } else {
            Vec::new()
        };
        // The checklist's evidence is the `text` the service reads.
        let text = if action == "check" {
            f.opt("evidence")
        } else {
            f.opt("text")
        };
        let input = RepairInput {
            action: &action,
            cause: f.opt("cause"),
            text,
            items,
            valid_days: parse_int("valid_days", &f)?,
            quote_id: f.opt("quote_id"),
            answered_by_name: f.opt("answered_by_name"),
            answered_at: parse_time("answered_at", &f)?,
            service_point_id: f.opt("service_point_id"),
            technician_id: f.opt("technician_id"),
            appointment_start: parse_time("appointment_start", &f)?,
            appointment_end: parse_time("appointment_end", &f)?,
            code: f.opt("code"),
            qty: parse_int("qty", &f)?,
            item: f.opt("item"),
            result: f.opt("result"),
            confirmation_code: f.opt("confirmation_code"),
        };
        service::repairs::change(&user.ctx(&state), id, version, input).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash(&next_or(&f, &repair_href(id)), Flash::TicketUpdated),
        Err(e) if is_form_error(&e) => {
            let mut field = error_field(&e);
            if form == "quote" {
                field = row_field(&field, &rows);
            }
            if form == "check" && field == "text" {
                field = "evidence".into();
            }
            let failed = Failed {
                form: form.to_owned(),
                field,
                message: error_text(&web.tr, &e),
                status: Some(e.status()),
                typed: f,
            };
            render_repair(&state, &web, &user, id, failed).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// `POST /repairs/{id}/shipment`: a mail-in shipment's dispatch (`step=dispatch`, carrier and
/// tracking number) or receipt (`step=receive`), ship-in (`direction=in`) or ship-back.
pub async fn shipment(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_repair(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result = service::repairs::shipment(
        &user.ctx(&state),
        id,
        f.get("direction"),
        f.get("step"),
        f.opt("carrier"),
        f.opt("tracking_no"),
    )
    .await;
    match result {
        Ok(_) => web.redirect_flash(
            &format!("{}#repair-shipments", repair_href(id)),
            Flash::TicketUpdated,
        ),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: format!("ship-{}", f.get("direction").trim()),
                field: error_field(&e),
                message: error_text(&web.tr, &e),
                status: Some(e.status()),
                typed: f,
            };
            render_repair(&state, &web, &user, id, failed).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}
