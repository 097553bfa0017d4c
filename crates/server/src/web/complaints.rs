//! Complaints (投诉) in the web UI.
//!
//! * `/complaints`: the staff queues (open, mine, unassigned, overdue, all) via
//!   `service::complaints::list`; the overdue queue is the management dashboard (rows past a
//!   deadline in red, with the deadline). Merchant users see their own (我的投诉).
//! * `/complaints/new`: the staff intake (hotline, branch, e-mail, referral with its source,
//!   reference and deadline) or, for merchant users, the portal form (no channel: the service
//!   files it on `portal`). Success goes to the complaint's page with its receipt number.
//! * `/complaints/{id}`: facts, the receipt number, the two clocks (acknowledge, decision), the
//!   timeline (merchant users: public entries only), evidence with SHA-256 and versions, linked
//!   tickets, and the forms the role and the status allow. Every step form posts the page's
//!   `version` (If-Match) to `/complaints/{id}/action`, mapped to one
//!   `service::complaints::change`; evidence goes to `/complaints/{id}/evidence` (multipart).
//! * `/complaints/{id}/letter`: the decision letter (答复函) as printable HTML, always in
//!   Simplified Chinese (it is sent to the complainant), with the outside routes.
//! * Public, no account: `/public/{provider_id}/complaint` (the form with a honeypot field
//!   `website`, rate-limited per client address and phone by the service) and `/track` (receipt
//!   number + the phone's last four digits → status, deadlines, public steps; a wrong pair reads
//!   exactly like an unknown receipt). Their forms carry CSRF like the login form: the cookie
//!   is set by the GET, the POST must echo it.
//!
//! A field's error is shown under that field; an error without a field of the form (a status
//! step not allowed, a stale version) above the form. The services decide; this module parses
//! and renders.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::authz::Permission;
use posdesk_core::complaint::{
    ComplaintCategory, ComplaintChannel, ComplaintEvent, ComplaintOutcome, ComplaintStatus,
    ContactChannel, ContactOutcome, EntryKind, EvidenceKind, MAX_EVIDENCE_BYTES, PublicView,
    RawIntake, ResolutionKind,
};
use posdesk_core::ids::{ComplaintId, EvidenceId, MerchantId, TenantId, UserId};
use posdesk_core::page::{MAX_LIMIT, PageRequest};
use posdesk_core::ticket::{Basis, Clock, ClockState};
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::complaints::{Complaint, Entry, Evidence, Queue};
use posdesk_storage::repo::users::Filter;

use super::kit::{
    Chrome, CsrfForm, CsrfMultipart, Fields, Flash, Opt, Query, Web, is_form_error, link,
};
use super::labels;
use super::session::WebUser;
use crate::api::tickets::parse_instant;
use crate::error::{ApiError, ApiResult};
use crate::i18n::{Locale, Tr};
use crate::service;
use crate::service::complaints::{ChangeInput, ComplaintDetail, Letter};
use crate::state::AppState;

// ---- The stylesheet ---------------------------------------------------------------------------

const COMPLAINTS_CSS: &str = include_str!("../../assets/complaints.css");

/// `/assets/complaints.css`: the complaint pages' rules (overdue rows, the receipt box, the
/// honeypot, the printable letter).
pub async fn css() -> Response {
    let mut res = COMPLAINTS_CSS.into_response();
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

// ---- Labels -----------------------------------------------------------------------------------

pub fn status_label(tr: &Tr, s: ComplaintStatus) -> String {
    match s {
        ComplaintStatus::Received => tr.t("complaint-status-received"),
        ComplaintStatus::InProgress => tr.t("complaint-status-in-progress"),
        ComplaintStatus::Decided => tr.t("complaint-status-decided"),
        ComplaintStatus::Rejected => tr.t("complaint-status-rejected"),
        ComplaintStatus::UnderReview => tr.t("complaint-status-under-review"),
        ComplaintStatus::Closed => tr.t("complaint-status-closed"),
    }
}

pub fn category_label(tr: &Tr, c: ComplaintCategory) -> String {
    match c {
        ComplaintCategory::Fees => tr.t("complaint-category-fees"),
        ComplaintCategory::ServiceAttitude => tr.t("complaint-category-service-attitude"),
        ComplaintCategory::RepairQuality => tr.t("complaint-category-repair-quality"),
        ComplaintCategory::ResponseTime => tr.t("complaint-category-response-time"),
        ComplaintCategory::Settlement => tr.t("complaint-category-settlement"),
        ComplaintCategory::Suspension => tr.t("complaint-category-suspension"),
        ComplaintCategory::UnauthorisedTransactions => {
            tr.t("complaint-category-unauthorised-transactions")
        }
        ComplaintCategory::Privacy => tr.t("complaint-category-privacy"),
        ComplaintCategory::Other => tr.t("complaint-category-other"),
    }
}

pub fn channel_label(tr: &Tr, c: ComplaintChannel) -> String {
    match c {
        ComplaintChannel::Hotline => tr.t("complaint-channel-hotline"),
        ComplaintChannel::Portal => tr.t("complaint-channel-portal"),
        ComplaintChannel::PublicWeb => tr.t("complaint-channel-public-web"),
        ComplaintChannel::Branch => tr.t("complaint-channel-branch"),
        ComplaintChannel::Email => tr.t("complaint-channel-email"),
        ComplaintChannel::Referral => tr.t("complaint-channel-referral"),
    }
}

pub fn resolution_label(tr: &Tr, r: ResolutionKind) -> String {
    match r {
        ResolutionKind::Refund => tr.t("complaint-resolution-refund"),
        ResolutionKind::FeeWaiver => tr.t("complaint-resolution-fee-waiver"),
        ResolutionKind::Repair => tr.t("complaint-resolution-repair"),
        ResolutionKind::Apology => tr.t("complaint-resolution-apology"),
        ResolutionKind::Explanation => tr.t("complaint-resolution-explanation"),
    }
}

pub fn outcome_label(tr: &Tr, o: ComplaintOutcome) -> String {
    match o {
        ComplaintOutcome::Accepted => tr.t("complaint-outcome-accepted"),
        ComplaintOutcome::NotAccepted => tr.t("complaint-outcome-not-accepted"),
        ComplaintOutcome::NoResponse => tr.t("complaint-outcome-no-response"),
    }
}

pub fn entry_label(tr: &Tr, k: EntryKind) -> String {
    match k {
        EntryKind::Received => tr.t("complaint-entry-received"),
        EntryKind::Acknowledged => tr.t("complaint-entry-acknowledged"),
        EntryKind::Assigned => tr.t("complaint-entry-assigned"),
        EntryKind::Note => tr.t("complaint-entry-note"),
        EntryKind::ContactAttempt => tr.t("complaint-entry-contact-attempt"),
        EntryKind::Extended => tr.t("complaint-entry-extended"),
        EntryKind::Proposal => tr.t("complaint-entry-proposal"),
        EntryKind::Decided => tr.t("complaint-entry-decided"),
        EntryKind::Accepted => tr.t("complaint-entry-accepted"),
        EntryKind::Rejected => tr.t("complaint-entry-rejected"),
        EntryKind::ReviewStarted => tr.t("complaint-entry-review-started"),
        EntryKind::Closed => tr.t("complaint-entry-closed"),
        EntryKind::EvidenceAdded => tr.t("complaint-entry-evidence-added"),
        EntryKind::Linked => tr.t("complaint-entry-linked"),
        EntryKind::Satisfaction => tr.t("complaint-entry-satisfaction"),
        EntryKind::Escalated => tr.t("complaint-entry-escalated"),
    }
}

fn contact_channel_label(tr: &Tr, c: ContactChannel) -> String {
    match c {
        ContactChannel::Phone => tr.t("complaint-contact-phone"),
        ContactChannel::Sms => tr.t("complaint-contact-sms"),
        ContactChannel::Email => tr.t("complaint-contact-email"),
        ContactChannel::Visit => tr.t("complaint-contact-visit"),
        ContactChannel::Letter => tr.t("complaint-contact-letter"),
    }
}

fn contact_outcome_label(tr: &Tr, o: ContactOutcome) -> String {
    match o {
        ContactOutcome::Reached => tr.t("complaint-contact-reached"),
        ContactOutcome::NoAnswer => tr.t("complaint-contact-no-answer"),
        ContactOutcome::LeftMessage => tr.t("complaint-contact-left-message"),
        ContactOutcome::Declined => tr.t("complaint-contact-declined"),
    }
}

fn escalation_action_label(tr: &Tr, code: &str) -> String {
    match code {
        "notify_assignee" => tr.t("complaint-escalation-notify-handler"),
        "notify_supervisor" => tr.t("complaint-escalation-notify-supervisors"),
        "notify_management" => tr.t("complaint-escalation-notify-management"),
        other => other.to_owned(),
    }
}

fn clock_state_label(tr: &Tr, s: ClockState) -> String {
    match s {
        ClockState::Pending => tr.t("complaint-clock-pending"),
        ClockState::Running => tr.t("complaint-clock-running"),
        ClockState::Paused => tr.t("complaint-clock-paused"),
        ClockState::Met => tr.t("complaint-clock-met"),
        ClockState::Breached => tr.t("complaint-clock-breached"),
    }
}

fn view_label(tr: &Tr, code: &str) -> String {
    match code {
        "open" => tr.t("complaint-view-open"),
        "mine" => tr.t("complaint-view-mine"),
        "unassigned" => tr.t("complaint-view-unassigned"),
        "overdue" => tr.t("complaint-view-overdue"),
        _ => tr.t("complaint-view-all"),
    }
}

/// The label of a complaint form's field named in an error (other names: the shared labels).
fn field_label(tr: &Tr, name: &str) -> String {
    match name {
        "channel" => tr.t("complaint-field-channel"),
        "category" => tr.t("complaint-field-category"),
        "complainant_name" => tr.t("complaint-field-complainant-name"),
        "phone" => tr.t("complaint-field-phone"),
        "email" => tr.t("complaint-field-email"),
        "mid" => tr.t("complaint-field-mid"),
        "tid" => tr.t("complaint-field-tid"),
        "occurred_at" => tr.t("complaint-field-occurred-at"),
        "place" => tr.t("complaint-field-place"),
        "narrative" => tr.t("complaint-field-narrative"),
        "request" => tr.t("complaint-field-request"),
        "referral_source" => tr.t("complaint-field-referral-source"),
        "referral_reference" => tr.t("complaint-field-referral-reference"),
        "referral_deadline" => tr.t("complaint-field-referral-deadline"),
        "text" => tr.t("complaint-field-text"),
        "resolution" => tr.t("complaint-field-resolution"),
        "to_days" => tr.t("complaint-field-to-days"),
        "reason" => tr.t("complaint-field-reason"),
        "contact_at" => tr.t("complaint-field-contact-at"),
        "contact_channel" => tr.t("complaint-field-contact-channel"),
        "contact_outcome" => tr.t("complaint-field-contact-outcome"),
        "handler_id" => tr.t("complaint-field-handler"),
        "satisfaction" => tr.t("complaint-field-satisfaction"),
        "ticket_id" => tr.t("complaint-field-ticket"),
        "file" => tr.t("complaint-field-file"),
        "file_name" => tr.t("complaint-field-file-name"),
        "supersedes" => tr.t("complaint-field-supersedes"),
        "description" => tr.t("complaint-field-description"),
        "receipt_no" => tr.t("complaint-field-receipt-no"),
        "phone_last4" => tr.t("complaint-field-phone-last4"),
        "action" => tr.t("complaint-field-action"),
        "view" => tr.t("complaint-field-view"),
        other => labels::field(tr, other),
    }
}

/// A refused change in the reader's words: the complaint rules' refusals by name, the rest as
/// every page says them.
fn error_text(tr: &Tr, e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) | ApiError::BadRequest(f) if f.field == "file" => match f.rule {
            Rule::Required => tr.t("complaint-evidence-error-no-file"),
            Rule::Range { .. } => tr.ta(
                "complaint-evidence-error-too-large",
                &[("max", super::mail::human_size(MAX_EVIDENCE_BYTES as u64))],
            ),
            Rule::OneOf { .. } => tr.t("complaint-evidence-error-type"),
            _ => tr.t("complaint-evidence-error-mismatch"),
        },
        ApiError::Invalid(f) | ApiError::BadRequest(f) => tr.ta(
            "error-field",
            &[
                ("field", field_label(tr, &f.field)),
                ("rule", labels::rule(tr, &f.rule)),
            ],
        ),
        ApiError::Conflict { field: Some(f), .. } if f == "target_id" => {
            tr.t("complaint-error-already-linked")
        }
        ApiError::Conflict {
            detail,
            field: None,
        } => {
            let d = detail.as_str();
            if d.contains("someone other than the first decider") {
                tr.t("complaint-error-own-review")
            } else if d.contains("closed without a decision") {
                tr.t("complaint-error-close-without-decision")
            } else if d.contains("every extension step has been used") {
                tr.t("complaint-error-no-further-extension")
            } else if d.contains("awaiting its decision can be extended") {
                tr.t("complaint-error-not-awaiting-decision")
            } else if d.contains("deadline has passed") {
                tr.t("complaint-error-extension-overdue")
            } else if d.contains("manager's approval") {
                tr.t("complaint-error-needs-manager")
            } else if d.contains("referrer's deadline") {
                tr.t("complaint-error-referral-extension")
            } else if d.contains("may only accept or reject") {
                tr.t("complaint-error-complainant-only")
            } else if d.contains("satisfaction is recorded after") {
                tr.t("complaint-error-satisfaction-early")
            } else if d.contains("has no decision yet") {
                tr.t("complaint-error-no-decision")
            } else if d.contains("is closed") {
                tr.t("complaint-error-closed")
            } else if d.starts_with("cannot ") {
                tr.t("complaint-error-illegal-step")
            } else {
                labels::error_message(tr, e)
            }
        }
        _ => labels::error_message(tr, e),
    }
}

/// An error as a form shows it: the field it names (if any) and the message.
#[derive(Debug, Clone)]
struct Problem {
    field: Option<String>,
    message: String,
}

fn problem(tr: &Tr, e: &ApiError) -> Problem {
    let field = match e {
        ApiError::Invalid(f) | ApiError::BadRequest(f) => Some(match f.field.as_str() {
            // The contact attempt's time is checked by storage as `at`.
            "at" => "contact_at".to_owned(),
            other => other.to_owned(),
        }),
        ApiError::Conflict { field: Some(f), .. } if f == "target_id" => Some("ticket_id".into()),
        _ => None,
    };
    Problem {
        field,
        message: error_text(tr, e),
    }
}

// ---- Shared helpers ---------------------------------------------------------------------------

fn href(id: ComplaintId) -> String {
    format!("/complaints/{id}")
}

fn parse_id(id: &str) -> ApiResult<ComplaintId> {
    ComplaintId::parse("id", id).map_err(|_| ApiError::NotFound)
}

fn now() -> Timestamp {
    posdesk_storage::now()
}

/// Merchant users (the portal) act for one merchant.
fn is_portal(user: &WebUser) -> bool {
    user.principal.merchant().is_some()
}

/// The address the login throttle counts by (the connection's peer).
fn client_of(web: &Web) -> String {
    web.ip.clone().unwrap_or_else(|| "unknown".to_owned())
}

/// A badge: its text and CSS class (`sla-ok`, `sla-warn`, `sla-breached`, `sla-none`).
pub struct Badge {
    pub text: String,
    pub class: &'static str,
}

/// `2 天 3 小时` (around the clock, a day or more), `3 小时 20 分`, `20 分`.
fn duration(tr: &Tr, minutes: i64, days: bool) -> String {
    let m = minutes.max(0);
    if days && m >= 24 * 60 {
        tr.ta(
            "complaint-duration-dh",
            &[
                ("d", (m / (24 * 60)).to_string()),
                ("h", ((m % (24 * 60)) / 60).to_string()),
            ],
        )
    } else if m >= 60 {
        tr.ta(
            "complaint-duration-hm",
            &[("h", (m / 60).to_string()), ("m", (m % 60).to_string())],
        )
    } else {
        tr.ta("complaint-duration-m", &[("m", m.to_string())])
    }
}

fn no_badge(tr: &Tr) -> Badge {
    Badge {
        text: tr.t("complaint-badge-none"),
        class: "sla-none",
    }
}

/// Under this (a working day / a day) a running clock's badge turns amber.
const AMBER_MINUTES: i64 = 24 * 60;

/// The badge of one of the complaint's clocks (its remaining time, or how late it is).
fn clock_badge(tr: &Tr, c: &Clock) -> Badge {
    let days = c.basis == Basis::AroundTheClock;
    let live = c.started_at.is_some() && c.stopped_at.is_none();
    if !live {
        return Badge {
            text: clock_state_label(tr, c.state),
            class: if c.state == ClockState::Breached {
                "sla-breached"
            } else {
                "sla-none"
            },
        };
    }
    let basis = match c.basis {
        Basis::Working => tr.t("complaint-basis-working"),
        Basis::AroundTheClock => tr.t("complaint-basis-around-the-clock"),
    };
    if c.remaining_minutes < 0 || c.state == ClockState::Breached {
        return Badge {
            text: tr.ta(
                "complaint-badge-overdue",
                &[
                    (
                        "duration",
                        duration(tr, c.remaining_minutes.saturating_abs(), days),
                    ),
                    ("basis", basis),
                ],
            ),
            class: "sla-breached",
        };
    }
    Badge {
        text: tr.ta(
            "complaint-badge-remaining",
            &[
                ("duration", duration(tr, c.remaining_minutes, days)),
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

/// The staff who may handle complaints (id → name), for those who may list users; others
/// get none and the assignment form offers "me" and "nobody".
async fn handlers(ctx: &service::Ctx<'_>, user: &WebUser) -> Vec<(UserId, String)> {
    if !user.role().allows(Permission::UserRead) {
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
            .filter(|u| u.status == posdesk_core::lifecycle::AccountStatus::Active)
            .filter(|u| u.role.allows(Permission::ComplaintHandle))
            .map(|u| (u.id, u.display_name))
            .collect(),
        Err(_) => Vec::new(),
    }
}

// ---- The list ---------------------------------------------------------------------------------

pub struct Row {
    pub id: String,
    pub href: String,
    pub receipt: String,
    pub complainant: String,
    pub category: String,
    pub channel: String,
    pub status: String,
    pub status_code: &'static str,
    pub received: String,
    /// The acknowledgement deadline while unacknowledged (empty otherwise).
    pub ack_deadline: String,
    /// The decision deadline while undecided (empty otherwise).
    pub deadline: String,
    pub badge: Badge,
    pub overdue: bool,
    pub handler: String,
}

pub struct Tab {
    pub id: String,
    pub href: String,
    pub label: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ListPage {
    c: Chrome,
    portal: bool,
    can_create: bool,
    tabs: Vec<Tab>,
    view: String,
    rows: Vec<Row>,
    dashboard: bool,
    /// Links to the statistics and the clock rules, for the staff who may open them.
    can_stats: bool,
    can_rules: bool,
}

const VIEWS: [&str; 5] = ["open", "mine", "unassigned", "overdue", "all"];

/// How many complaints a queue shows.
const LIST_LIMIT: i64 = 200;

/// The deadlines still pending on a listed complaint, as the list shows them: the
/// acknowledgement while unacknowledged, the decision until the first decision.
fn pending_deadlines(k: &Complaint) -> (Option<Timestamp>, Option<Timestamp>) {
    if !k.status.is_open() {
        return (None, None);
    }
    let ack = k
        .acknowledge_deadline
        .filter(|_| k.acknowledged_at.is_none());
    let decision = k.first_decided_at.is_none().then_some(k.decision_deadline);
    (ack, decision)
}

fn row(tr: &Tr, k: &Complaint, names: &HashMap<UserId, String>, now: Timestamp) -> Row {
    let (ack, decision) = pending_deadlines(k);
    let next = [ack, decision].into_iter().flatten().min();
    let overdue = next.is_some_and(|d| d < now);
    let badge = match next {
        None => no_badge(tr),
        Some(d) => {
            let minutes = (d.millis() - now.millis()).div_euclid(60_000);
            if minutes < 0 {
                Badge {
                    text: tr.ta(
                        "complaint-badge-overdue-plain",
                        &[("duration", duration(tr, -minutes, true))],
                    ),
                    class: "sla-breached",
                }
            } else {
                Badge {
                    text: tr.ta(
                        "complaint-badge-remaining-plain",
                        &[("duration", duration(tr, minutes, true))],
                    ),
                    class: if minutes < AMBER_MINUTES {
                        "sla-warn"
                    } else {
                        "sla-ok"
                    },
                }
            }
        }
    };
    Row {
        id: format!("complaint-{}", k.receipt_no),
        href: href(k.id),
        receipt: k.receipt_no.clone(),
        complainant: k.complainant_name.clone(),
        category: category_label(tr, k.category),
        channel: channel_label(tr, k.channel),
        status: status_label(tr, k.status),
        status_code: k.status.code(),
        received: k.received_at.to_shanghai_display(),
        ack_deadline: ack.map(|d| d.to_shanghai_display()).unwrap_or_default(),
        deadline: decision
            .map(|d| d.to_shanghai_display())
            .unwrap_or_default(),
        badge,
        overdue,
        handler: match k.handler_id {
            None => tr.t("complaint-unassigned"),
            Some(h) => names
                .get(&h)
                .cloned()
                .unwrap_or_else(|| tr.t("complaint-assigned")),
        },
    }
}

pub async fn list(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(&state);
    let portal = is_portal(&user);
    let view = match q.opt("view") {
        _ if portal => "all".to_owned(),
        None => "open".to_owned(),
        Some(v) if VIEWS.contains(&v) => v.to_owned(),
        Some(_) => {
            let e = FieldError::new(
                "view",
                Rule::OneOf {
                    allowed: VIEWS.to_vec(),
                },
            );
            let err = ApiError::Invalid(e);
            return web.error_page(Some(&user), err.status(), error_text(&web.tr, &err));
        }
    };
    let now = now();
    let queue = match view.as_str() {
        "open" => Queue::Open,
        "mine" => Queue::Mine(user.user.id),
        "unassigned" => Queue::Unassigned,
        "overdue" => Queue::Overdue(now),
        _ => Queue::All,
    };
    let items = match service::complaints::list(&ctx, queue, LIST_LIMIT).await {
        Ok(v) => v,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let mut names: HashMap<UserId, String> = handlers(&ctx, &user).await.into_iter().collect();
    names.insert(user.user.id, user.user.display_name.clone());
    let tabs = if portal {
        Vec::new()
    } else {
        VIEWS
            .iter()
            .map(|code| Tab {
                id: format!("view-{code}"),
                href: link("/complaints", &[("view", code)]),
                label: view_label(&tr, code),
                active: *code == view,
            })
            .collect()
    };
    let tpl = ListPage {
        c: web.chrome(
            Some(&user),
            if portal {
                tr.t("complaints-portal-title")
            } else {
                tr.t("complaints-title")
            },
        ),
        portal,
        can_create: user.role().allows(Permission::ComplaintCreate),
        tabs,
        dashboard: view == "overdue",
        can_stats: user.role().allows(Permission::ComplaintStats),
        can_rules: !portal && user.role().allows(Permission::CalendarRead),
        rows: items.iter().map(|k| row(&tr, k, &names, now)).collect(),
        view,
    };
    web.render(StatusCode::OK, &tpl)
}

// ---- Intake -----------------------------------------------------------------------------------

/// The intake form's options and values (as typed, after an error).
pub struct IntakeForm {
    pub channels: Vec<Opt>,
    pub categories: Vec<Opt>,
    pub referral: bool,
    pub complainant_name: String,
    pub phone: String,
    pub email: String,
    pub mid: String,
    pub tid: String,
    pub occurred_at: String,
    pub place: String,
    pub narrative: String,
    pub request: String,
    pub referral_source: String,
    pub referral_reference: String,
    pub referral_deadline: String,
    pub max_occurred: String,
    /// The complainant may give the merchant's MID (staff and the public form; a merchant
    /// user's complaint is their own merchant's).
    pub show_mid: bool,
    problem: Option<Problem>,
}

/// The intake form's fields (an error naming another shows above the form).
const INTAKE_FIELDS: [&str; 14] = [
    "channel",
    "category",
    "complainant_name",
    "phone",
    "email",
    "mid",
    "tid",
    "occurred_at",
    "place",
    "narrative",
    "request",
    "referral_source",
    "referral_reference",
    "referral_deadline",
];

impl IntakeForm {
    /// The error of `field`, shown under it.
    pub fn err(&self, field: &str) -> Option<&str> {
        self.problem
            .as_ref()
            .filter(|p| p.field.as_deref() == Some(field))
            .map(|p| p.message.as_str())
    }

    /// The error that names no field of the form.
    pub fn general(&self) -> Option<&str> {
        self.problem
            .as_ref()
            .filter(|p| {
                p.field
                    .as_deref()
                    .is_none_or(|f| !INTAKE_FIELDS.contains(&f))
            })
            .map(|p| p.message.as_str())
    }

    fn new(tr: &Tr, f: &Fields, staff: bool, show_mid: bool, problem: Option<Problem>) -> Self {
        let channel = f.opt("channel").unwrap_or("hotline");
        let category = f.opt("category").unwrap_or("");
        let mut categories = vec![Opt::new("", tr.t("complaint-category-choose"), category)];
        categories.extend(
            ComplaintCategory::ALL
                .iter()
                .map(|c| Opt::new(c.code(), category_label(tr, *c), category)),
        );
        IntakeForm {
            channels: if staff {
                ComplaintChannel::STAFF
                    .iter()
                    .map(|c| Opt::new(c.code(), channel_label(tr, *c), channel))
                    .collect()
            } else {
                Vec::new()
            },
            categories,
            referral: staff && channel == ComplaintChannel::Referral.code(),
            complainant_name: f.get("complainant_name").to_owned(),
            phone: f.get("phone").to_owned(),
            email: f.get("email").to_owned(),
            mid: f.get("mid").to_owned(),
            tid: f.get("tid").to_owned(),
            occurred_at: f.get("occurred_at").to_owned(),
            place: f.get("place").to_owned(),
            narrative: f.get("narrative").to_owned(),
            request: f.get("request").to_owned(),
            referral_source: f.get("referral_source").to_owned(),
            referral_reference: f.get("referral_reference").to_owned(),
            referral_deadline: f.get("referral_deadline").to_owned(),
            max_occurred: now().to_shanghai_input(),
            show_mid,
            problem,
        }
    }
}

#[derive(Template)]
#[template(path = "complaint_new.html")]
struct NewPage {
    c: Chrome,
    portal: bool,
    form: IntakeForm,
    /// The ticket (id or number) the complaint is registered from, kept through the form.
    ticket: String,
}

fn render_new(
    web: &Web,
    user: &WebUser,
    f: &Fields,
    failed: Option<(Problem, StatusCode)>,
) -> Response {
    if let Err(e) = user.principal.authorize(Permission::ComplaintCreate) {
        return web.fail(Some(user), &e.into());
    }
    let portal = is_portal(user);
    let (problem, status) = match failed {
        Some((p, s)) => (Some(p), s),
        None => (None, StatusCode::OK),
    };
    let tpl = NewPage {
        c: web.chrome(
            Some(user),
            web.tr.t(if portal {
                "complaint-portal-new-title"
            } else {
                "complaint-new-title"
            }),
        ),
        portal,
        form: IntakeForm::new(&web.tr, f, !portal, !portal, problem),
        ticket: if portal {
            String::new()
        } else {
            f.get("ticket").trim().to_owned()
        },
    };
    web.render(status, &tpl)
}

/// The intake form, pre-filled from the query string (the e-mail gateway's "登记为投诉" link
/// passes `channel`, `complainant_name`, `email`, `mid`, `narrative` and the `ticket` to link:
/// nothing is registered until the agent submits the form).
pub async fn new_page(web: Web, user: WebUser, Query(q): Query) -> Response {
    render_new(&web, &user, &q, None)
}

/// The form's facts as the core's raw intake (dates of `datetime-local` inputs are Beijing
/// time). Referral fields count only when the channel is a referral: elsewhere they are
/// hidden, and what was typed there before the channel changed is not part of the complaint.
fn raw_intake<'a>(
    f: &'a Fields,
    occurred_at: Option<Timestamp>,
    referral_deadline: Option<Timestamp>,
) -> RawIntake<'a> {
    let referral = f.get("channel").trim() == ComplaintChannel::Referral.code();
    RawIntake {
        channel: f.get("channel"),
        category: f.get("category"),
        complainant_name: f.get("complainant_name"),
        phone: f.get("phone"),
        email: f.opt("email"),
        mid: f.opt("mid"),
        tid: f.opt("tid"),
        occurred_at,
        place: f.opt("place"),
        narrative: f.get("narrative"),
        request: f.get("request"),
        referral_source: f.opt("referral_source").filter(|_| referral),
        referral_reference: f.opt("referral_reference").filter(|_| referral),
        referral_deadline: referral_deadline.filter(|_| referral),
    }
}

pub async fn create(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result: ApiResult<Complaint> = async {
        let occurred_at = parse_instant("occurred_at", f.opt("occurred_at"))?;
        let referral_deadline = parse_instant("referral_deadline", f.opt("referral_deadline"))?;
        let raw = raw_intake(&f, occurred_at, referral_deadline);
        let ctx = user.ctx(&state);
        // The ticket the complaint came in as (an e-mail the gateway flagged) is checked
        // before anything is written, then linked to the new complaint.
        let ticket = match f.opt("ticket").filter(|_| !is_portal(&user)) {
            Some(t) => Some(service::tickets::resolve_ticket(&ctx, "ticket", t).await?),
            None => None,
        };
        let k = service::complaints::create(&ctx, raw).await?;
        match ticket {
            Some(t) => {
                let id = t.to_string();
                service::complaints::change(
                    &ctx,
                    k.id,
                    Some(k.version),
                    service::complaints::ChangeInput {
                        action: "link",
                        ticket: Some(&id),
                        ..Default::default()
                    },
                )
                .await
            }
            None => Ok(k),
        }
    }
    .await;
    match result {
        Ok(k) => web.redirect_flash(&href(k.id), Flash::ComplaintCreated),
        Err(e) if is_form_error(&e) => {
            let p = problem(&web.tr, &e);
            render_new(&web, &user, &f, Some((p, e.status())))
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

// ---- One complaint ----------------------------------------------------------------------------

pub struct Facts {
    pub receipt: String,
    pub version: i64,
    pub status: String,
    pub status_code: &'static str,
    pub outcome: String,
    pub channel: String,
    pub category: String,
    pub complainant: String,
    pub phone: String,
    pub email: String,
    pub merchant: String,
    pub mid: String,
    pub tid: String,
    pub occurred: String,
    pub place: String,
    pub narrative: String,
    pub request: String,
    pub referral_source: String,
    pub referral_reference: String,
    pub referral_deadline: String,
    pub handler: String,
    pub first_decider: String,
    pub reviewer: String,
    pub received: String,
    pub acknowledged: String,
    pub first_decided: String,
    pub closed: String,
    pub resolution: String,
    pub decision_text: String,
    pub satisfaction: String,
    pub decision_days: i64,
    /// `答复期限：受理后 15 日`.
    pub decision_period: String,
    pub extended: bool,
}

pub struct ClockRow {
    pub id: &'static str,
    pub label: String,
    pub state: String,
    pub state_code: &'static str,
    pub deadline: String,
    pub badge: Badge,
    pub breached: bool,
    pub provisional: bool,
}

pub struct EntryRow {
    pub id: String,
    pub kind: String,
    pub kind_code: &'static str,
    pub public: bool,
    pub at: String,
    pub who: String,
    pub text: String,
}

pub struct EvidenceRow {
    pub id: String,
    pub href: String,
    pub name: String,
    pub kind: String,
    pub size: String,
    pub sha256: String,
    pub version: usize,
    pub superseded: bool,
    pub description: String,
    pub by: String,
    pub at: String,
}

pub struct TicketLink {
    pub href: String,
    pub number: String,
}

/// Which forms the page shows.
#[derive(Default)]
pub struct Forms {
    pub acknowledge: bool,
    pub note: bool,
    pub contact: bool,
    pub propose: bool,
    pub extend: bool,
    pub decide: bool,
    /// Record (staff) or give (merchant users) the complainant's answer: accept / reject.
    pub respond: bool,
    pub review: bool,
    pub close: bool,
    pub assign: bool,
    pub link: bool,
    pub satisfaction: bool,
    pub evidence: bool,
    /// Deciding under review (the form says it is the second-level decision).
    pub review_decision: bool,
    /// The user made the first decision, so may not review it (the page says why).
    pub own_decision: bool,
}

impl Forms {
    /// Whether the page shows `form` (a form not shown has its error at the top).
    fn visible(&self, form: &str) -> bool {
        match form {
            "acknowledge" => self.acknowledge,
            "note" => self.note,
            "contact" => self.contact,
            "propose" => self.propose,
            "extend" => self.extend,
            "decide" => self.decide,
            "respond" => self.respond,
            "review" => self.review,
            "close" => self.close,
            "assign" => self.assign,
            "link" => self.link,
            "satisfaction" => self.satisfaction,
            "evidence" => self.evidence,
            _ => false,
        }
    }

    fn any(&self) -> bool {
        self.acknowledge
            || self.note
            || self.contact
            || self.propose
            || self.extend
            || self.decide
            || self.respond
            || self.review
            || self.close
            || self.assign
            || self.link
            || self.satisfaction
    }
}

/// The failed form: which one, its error, and what was typed.
struct Failed {
    form: &'static str,
    problem: Problem,
    status: StatusCode,
    values: Fields,
}

/// The form each action belongs to.
fn form_of(action: &str) -> &'static str {
    match action.trim() {
        "acknowledge" => "acknowledge",
        "note" => "note",
        "contact" => "contact",
        "propose" => "propose",
        "extend" => "extend",
        "decide" => "decide",
        "accept" | "reject" => "respond",
        "review" => "review",
        "close" => "close",
        "assign" => "assign",
        "link" => "link",
        "satisfaction" => "satisfaction",
        "evidence" => "evidence",
        _ => "action",
    }
}

/// The fields each form shows (an error naming another shows above the form).
const FORM_FIELDS: [(&str, &[&str]); 13] = [
    ("acknowledge", &["text"]),
    ("note", &["text"]),
    (
        "contact",
        &["contact_at", "contact_channel", "contact_outcome", "text"],
    ),
    ("propose", &["resolution", "text"]),
    ("extend", &["to_days", "reason"]),
    ("decide", &["resolution", "text"]),
    ("respond", &["text"]),
    ("review", &["text"]),
    ("close", &["text"]),
    ("assign", &["handler_id"]),
    ("link", &["ticket_id", "repair_id"]),
    ("satisfaction", &["satisfaction"]),
    (
        "evidence",
        &["file", "file_name", "supersedes", "description"],
    ),
];

fn form_has(form: &str, field: &str) -> bool {
    FORM_FIELDS
        .iter()
        .any(|(f, fields)| *f == form && fields.contains(&field))
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct DetailPage {
    c: Chrome,
    portal: bool,
    action: String,
    k: Facts,
    clocks: Vec<ClockRow>,
    entries: Vec<EntryRow>,
    evidence: Vec<EvidenceRow>,
    tickets: Vec<TicketLink>,
    forms: Forms,
    show_forms: bool,
    has_letter: bool,
    resolutions: Vec<Opt>,
    contact_channels: Vec<Opt>,
    contact_outcomes: Vec<Opt>,
    handlers: Vec<Opt>,
    /// The newest version of each evidence file (a new upload may supersede one).
    supersedable: Vec<Opt>,
    now_input: String,
    next_days: i64,
    failed: Option<Failed>,
}

impl DetailPage {
    /// The error of `field` on `form`, shown under the field.
    fn err(&self, form: &str, field: &str) -> Option<&str> {
        self.failed
            .as_ref()
            .filter(|f| f.form == form && f.problem.field.as_deref() == Some(field))
            .filter(|_| form_has(form, field))
            .map(|f| f.problem.message.as_str())
    }

    /// The error of `form` that names none of its fields, shown above the form.
    fn form_err(&self, form: &str) -> Option<&str> {
        self.failed
            .as_ref()
            .filter(|f| f.form == form)
            .filter(|f| {
                f.problem
                    .field
                    .as_deref()
                    .is_none_or(|field| !form_has(form, field))
            })
            .map(|f| f.problem.message.as_str())
    }

    /// What was typed into `field` of `form` (after its error), else "".
    fn val(&self, form: &str, field: &str) -> &str {
        self.failed
            .as_ref()
            .filter(|f| f.form == form)
            .map_or("", |f| f.values.get(field))
    }

    /// Whether the form failed with an error (it stays open).
    fn failed_form(&self, form: &str) -> bool {
        self.failed.as_ref().is_some_and(|f| f.form == form)
    }

    /// The error of a step whose form the page does not show (an unknown action, a step
    /// the status or the role does not offer), shown at the top.
    fn stray_err(&self) -> Option<&str> {
        self.failed
            .as_ref()
            .filter(|f| !self.forms.visible(f.form))
            .map(|f| f.problem.message.as_str())
    }
}

/// Who wrote an entry, as the reader may see it: the reader's own name, a staff member's
/// name (staff only; the portal sees "the provider"), the public form, or the system.
fn who(tr: &Tr, user: &WebUser, portal: bool, e: &Entry) -> String {
    if e.actor_id == user.user.id.to_string() {
        return user.user.display_name.clone();
    }
    if let Some(what) = e.actor_id.strip_prefix("system:") {
        return if what.starts_with("public") {
            tr.t("complaint-actor-public")
        } else {
            tr.t("complaint-actor-system")
        };
    }
    if portal {
        return tr.t("complaint-actor-provider");
    }
    e.actor_name
        .clone()
        .unwrap_or_else(|| tr.t("complaint-actor-system"))
}

fn body_str<'a>(e: &'a Entry, key: &str) -> &'a str {
    e.body[key].as_str().unwrap_or_default()
}

/// An entry's text: what it records, in words.
fn entry_text(
    tr: &Tr,
    e: &Entry,
    people: &HashMap<String, String>,
    tickets: &HashMap<String, String>,
) -> String {
    let resolution = |e: &Entry| ResolutionKind::from_code(body_str(e, "resolution"));
    match e.kind {
        EntryKind::Received => {
            let channel = ComplaintChannel::from_code(body_str(e, "channel"))
                .map(|c| channel_label(tr, c))
                .unwrap_or_default();
            match e.body["referral_reference"].as_str() {
                Some(r) => format!("{channel} · {r}"),
                None => channel,
            }
        }
        EntryKind::Assigned => match e.body["handler_id"].as_str() {
            Some(h) => people
                .get(h)
                .cloned()
                .unwrap_or_else(|| tr.t("complaint-assigned")),
            None => tr.t("complaint-unassigned"),
        },
        EntryKind::Note => body_str(e, "text").to_owned(),
        EntryKind::ContactAttempt => {
            let at = e.body["at"]
                .as_i64()
                .map(|ms| Timestamp::from_millis(ms).to_shanghai_display())
                .unwrap_or_default();
            let channel = ContactChannel::from_code(body_str(e, "channel"))
                .map(|c| contact_channel_label(tr, c))
                .unwrap_or_default();
            let outcome = ContactOutcome::from_code(body_str(e, "outcome"))
                .map(|o| contact_outcome_label(tr, o))
                .unwrap_or_default();
            let note = body_str(e, "note");
            let head = format!("{at} · {channel} · {outcome}");
            if note.is_empty() {
                head
            } else {
                format!("{head} — {note}")
            }
        }
        EntryKind::Extended => tr.ta(
            "complaint-entry-extended-text",
            &[
                ("days", e.body["to_days"].as_i64().unwrap_or(0).to_string()),
                ("reason", body_str(e, "reason").to_owned()),
            ],
        ),
        EntryKind::Proposal | EntryKind::Decided => {
            let what = resolution(e)
                .map(|r| resolution_label(tr, r))
                .unwrap_or_default();
            let text = if e.kind == EntryKind::Decided {
                body_str(e, "summary")
            } else {
                body_str(e, "text")
            };
            let line = tr.ta(
                "complaint-entry-decision-text",
                &[("resolution", what), ("text", text.to_owned())],
            );
            if e.body["review"].as_bool().unwrap_or(false) {
                format!("{} {line}", tr.t("complaint-entry-review-decision"))
            } else {
                line
            }
        }
        EntryKind::Closed => {
            let outcome = ComplaintOutcome::from_code(body_str(e, "outcome"))
                .map(|o| outcome_label(tr, o))
                .unwrap_or_default();
            let text = body_str(e, "text");
            if text.is_empty() {
                outcome
            } else {
                format!("{outcome} — {text}")
            }
        }
        EntryKind::EvidenceAdded => {
            let sha: String = body_str(e, "sha256").chars().take(12).collect();
            format!("{} · SHA-256 {sha}…", body_str(e, "file_name"))
        }
        EntryKind::Linked => {
            let id = body_str(e, "ticket_id");
            tickets.get(id).cloned().unwrap_or_else(|| id.to_owned())
        }
        EntryKind::Satisfaction => tr.ta(
            "complaint-satisfaction-of",
            &[(
                "n",
                e.body["satisfaction"].as_i64().unwrap_or(0).to_string(),
            )],
        ),
        EntryKind::Escalated => {
            let clock = match body_str(e, "clock") {
                "acknowledge" => tr.t("complaint-clock-acknowledge"),
                _ => tr.t("complaint-clock-decision"),
            };
            format!(
                "{clock} · {}",
                escalation_action_label(tr, body_str(e, "action"))
            )
        }
        EntryKind::Acknowledged
        | EntryKind::Accepted
        | EntryKind::Rejected
        | EntryKind::ReviewStarted => body_str(e, "text").to_owned(),
    }
}

/// The version number of each evidence file (1 for a first file, n + 1 for a new version).
fn versions(ev: &[Evidence]) -> HashMap<EvidenceId, usize> {
    let by_id: HashMap<EvidenceId, &Evidence> = ev.iter().map(|e| (e.id, e)).collect();
    ev.iter()
        .map(|e| {
            let mut n = 1;
            let mut cur = e.supersedes;
            while let Some(prev) = cur {
                n += 1;
                if n > ev.len() {
                    break;
                }
                cur = by_id.get(&prev).and_then(|p| p.supersedes);
            }
            (e.id, n)
        })
        .collect()
}

fn evidence_kind(tr: &Tr, content_type: &str) -> String {
    match EvidenceKind::from_stored(content_type) {
        Some(EvidenceKind::Jpeg) => "JPEG".into(),
        Some(EvidenceKind::Png) => "PNG".into(),
        Some(EvidenceKind::Webp) => "WebP".into(),
        Some(EvidenceKind::Pdf) => "PDF".into(),
        Some(EvidenceKind::Text) => tr.t("complaint-evidence-kind-text"),
        Some(k) if k.is_audio() => tr.t("complaint-evidence-kind-audio"),
        _ => content_type.to_owned(),
    }
}

/// The merchant's name and MID for staff (a merchant it may not read shows by its MID).
async fn merchant_label(ctx: &service::Ctx<'_>, m: Option<MerchantId>) -> String {
    let Some(m) = m else {
        return String::new();
    };
    match service::directory::merchant(ctx, m).await {
        Ok(m) => format!("{}（{}）", m.name, m.mid),
        Err(_) => m.to_string(),
    }
}

async fn render_detail(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: ComplaintId,
    failed: Option<Failed>,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let d: ComplaintDetail = match service::complaints::get(&ctx, id).await {
        Ok(d) => d,
        Err(e) => return web.fail(Some(user), &e),
    };
    let k = &d.complaint;
    let portal = is_portal(user);
    let role = user.role();
    let me = user.user.id;
    // Names: the staff list (those who may read users), the timeline's actors, and the reader.
    let staff = handlers(&ctx, user).await;
    let mut people: HashMap<String, String> = staff
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    for e in &d.entries {
        if let Some(n) = &e.actor_name {
            people
                .entry(e.actor_id.clone())
                .or_insert_with(|| n.clone());
        }
    }
    people.insert(me.to_string(), user.user.display_name.clone());
    let name_of = |u: Option<UserId>| match u {
        None => String::new(),
        Some(u) if portal && u != me => tr.t("complaint-actor-provider"),
        Some(u) => people
            .get(&u.to_string())
            .cloned()
            .unwrap_or_else(|| tr.t("complaint-assigned")),
    };
    let tickets: HashMap<String, String> = d
        .tickets
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    let clocks = [
        (
            "clock-acknowledge",
            tr.t("complaint-clock-acknowledge"),
            &d.clocks.acknowledge,
        ),
        (
            "clock-decision",
            tr.t("complaint-clock-decision"),
            &d.clocks.decision,
        ),
    ]
    .into_iter()
    .map(|(id, label, c)| ClockRow {
        id,
        label,
        state: clock_state_label(&tr, c.state),
        state_code: c.state.code(),
        deadline: c
            .deadline
            .map(|x| x.to_shanghai_display())
            .unwrap_or_default(),
        badge: clock_badge(&tr, c),
        breached: c.state == ClockState::Breached,
        provisional: c.provisional,
    })
    .collect();
    let entries = d
        .entries
        .iter()
        .map(|e| EntryRow {
            id: format!("entry-{}", e.seq),
            kind: entry_label(&tr, e.kind),
            kind_code: e.kind.code(),
            public: e.public,
            at: e.at.to_shanghai_display(),
            who: who(&tr, user, portal, e),
            text: entry_text(&tr, e, &people, &tickets),
        })
        .collect();
    let version_of = versions(&d.evidence);
    let evidence: Vec<EvidenceRow> = d
        .evidence
        .iter()
        .map(|e| EvidenceRow {
            id: format!("evidence-{}", e.id),
            href: format!("{}/evidence/{}", href(k.id), e.id),
            name: e.file_name.clone(),
            kind: evidence_kind(&tr, &e.content_type),
            size: super::mail::human_size(u64::try_from(e.size).unwrap_or_default()),
            sha256: e.sha256.clone(),
            version: version_of.get(&e.id).copied().unwrap_or(1),
            superseded: e.superseded_by.is_some(),
            description: e.description.clone().unwrap_or_default(),
            by: if e.added_by == me.to_string() {
                user.user.display_name.clone()
            } else if e.added_by.starts_with("system:public") {
                tr.t("complaint-actor-public")
            } else if portal {
                tr.t("complaint-actor-provider")
            } else {
                people
                    .get(&e.added_by)
                    .cloned()
                    .unwrap_or_else(|| tr.t("complaint-actor-system"))
            },
            at: e.created_at.to_shanghai_display(),
        })
        .collect();
    let open = k.status.is_open();
    let allowed = |ev: ComplaintEvent| d.allowed.contains(&ev);
    let handle = role.allows(Permission::ComplaintHandle);
    let respond = role.allows(Permission::ComplaintRespond);
    let own_decision = k.first_decider_id == Some(me);
    let under_review = k.status == ComplaintStatus::UnderReview;
    let forms = Forms {
        acknowledge: handle && allowed(ComplaintEvent::Acknowledge),
        note: handle,
        contact: handle && open,
        propose: handle && open && k.status.awaits_decision(),
        extend: handle && k.status.awaits_decision() && k.referral_deadline.is_none(),
        decide: handle && allowed(ComplaintEvent::Decide) && !(under_review && own_decision),
        respond: (handle || respond) && allowed(ComplaintEvent::Accept),
        review: handle && allowed(ComplaintEvent::Review) && !own_decision,
        close: handle && allowed(ComplaintEvent::Close),
        assign: handle && open,
        link: handle && !portal,
        satisfaction: (handle || respond) && k.first_decided_at.is_some(),
        evidence: (handle || respond) && open,
        review_decision: under_review,
        own_decision: handle && own_decision && (allowed(ComplaintEvent::Review) || under_review),
    };
    let cur_handler = k.handler_id.map(|h| h.to_string()).unwrap_or_default();
    let mut handler_opts = vec![Opt::new("", tr.t("complaint-unassigned"), &cur_handler)];
    if staff.is_empty() {
        if let Some(h) = k.handler_id.filter(|h| *h != me) {
            handler_opts.push(Opt::new(h.to_string(), name_of(Some(h)), &cur_handler));
        }
        handler_opts.push(Opt::new(
            me.to_string(),
            tr.ta(
                "complaint-assign-me",
                &[("name", user.user.display_name.clone())],
            ),
            &cur_handler,
        ));
    } else {
        handler_opts.extend(
            staff
                .iter()
                .map(|(id, n)| Opt::new(id.to_string(), n.clone(), &cur_handler)),
        );
    }
    let rules = service::complaints::clock_ctx(state, k.tenant_id)
        .await
        .map(|c| c.rules)
        .unwrap_or_default();
    let next_days = rules
        .extension_steps
        .iter()
        .map(|s| s.to_days)
        .find(|d| *d > k.decision_days)
        .unwrap_or(k.decision_days + 1);
    let facts = Facts {
        receipt: k.receipt_no.clone(),
        version: k.version,
        status: status_label(&tr, k.status),
        status_code: k.status.code(),
        outcome: k.outcome.map(|o| outcome_label(&tr, o)).unwrap_or_default(),
        channel: channel_label(&tr, k.channel),
        category: category_label(&tr, k.category),
        complainant: k.complainant_name.clone(),
        phone: k.phone.clone(),
        email: k.email.clone().unwrap_or_default(),
        merchant: if portal {
            String::new()
        } else {
            merchant_label(&ctx, k.merchant_id).await
        },
        mid: k.mid.clone().unwrap_or_default(),
        tid: k.tid.clone().unwrap_or_default(),
        occurred: k
            .occurred_at
            .map(|t| t.to_shanghai_display())
            .unwrap_or_default(),
        place: k.place.clone().unwrap_or_default(),
        narrative: k.narrative.clone(),
        request: k.request.clone(),
        referral_source: k.referral_source.clone().unwrap_or_default(),
        referral_reference: k.referral_reference.clone().unwrap_or_default(),
        referral_deadline: k
            .referral_deadline
            .map(|t| t.to_shanghai_display())
            .unwrap_or_default(),
        handler: match k.handler_id {
            None => tr.t("complaint-unassigned"),
            h => name_of(h),
        },
        first_decider: name_of(k.first_decider_id),
        reviewer: name_of(k.reviewer_id),
        received: k.received_at.to_shanghai_display(),
        acknowledged: k
            .acknowledged_at
            .map(|t| t.to_shanghai_display())
            .unwrap_or_default(),
        first_decided: k
            .first_decided_at
            .map(|t| t.to_shanghai_display())
            .unwrap_or_default(),
        closed: k
            .closed_at
            .map(|t| t.to_shanghai_display())
            .unwrap_or_default(),
        resolution: k
            .resolution
            .map(|r| resolution_label(&tr, r))
            .unwrap_or_default(),
        decision_text: k.decision_text.clone().unwrap_or_default(),
        satisfaction: k
            .satisfaction
            .map(|s| tr.ta("complaint-satisfaction-of", &[("n", s.to_string())]))
            .unwrap_or_default(),
        decision_days: k.decision_days,
        decision_period: tr.ta(
            "complaint-decision-period",
            &[("days", k.decision_days.to_string())],
        ),
        extended: k.decision_days > rules.decision_days,
    };
    let status = failed.as_ref().map_or(StatusCode::OK, |f| f.status);
    let tpl = DetailPage {
        c: web.chrome(
            Some(user),
            tr.ta("complaint-page-title", &[("receipt", k.receipt_no.clone())]),
        ),
        portal,
        action: href(k.id),
        clocks,
        entries,
        supersedable: {
            let mut v = vec![Opt::new("", tr.t("complaint-evidence-new-file"), "")];
            v.extend(
                evidence
                    .iter()
                    .zip(&d.evidence)
                    .filter(|(_, e)| e.superseded_by.is_none())
                    .map(|(r, e)| {
                        Opt::new(
                            e.id.to_string(),
                            tr.ta(
                                "complaint-evidence-version-of",
                                &[("name", r.name.clone()), ("n", r.version.to_string())],
                            ),
                            "",
                        )
                    }),
            );
            v
        },
        evidence,
        tickets: d
            .tickets
            .iter()
            .map(|(id, n)| TicketLink {
                href: format!("/tickets/{id}"),
                number: n.clone(),
            })
            .chain(d.repairs.iter().map(|(id, n)| TicketLink {
                href: format!("/repairs/{id}"),
                number: tr.ta("complaint-linked-repair", &[("number", n.clone())]),
            }))
            .collect(),
        show_forms: forms.any(),
        forms,
        has_letter: k.resolution.is_some(),
        resolutions: ResolutionKind::ALL
            .iter()
            .map(|r| Opt::new(r.code(), resolution_label(&tr, *r), ""))
            .collect(),
        contact_channels: ContactChannel::ALL
            .iter()
            .map(|c| Opt::new(c.code(), contact_channel_label(&tr, *c), ""))
            .collect(),
        contact_outcomes: ContactOutcome::ALL
            .iter()
            .map(|o| Opt::new(o.code(), contact_outcome_label(&tr, *o), ""))
            .collect(),
        handlers: handler_opts,
        now_input: now().to_shanghai_input(),
        next_days,
        failed,
        k: facts,
    };
    web.render(status, &tpl)
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

/// A GET on a form's action returns to the complaint's page.
pub async fn back(web: Web, Path(id): Path<String>) -> Response {
    match parse_id(&id) {
        Ok(id) => web.redirect(&href(id)),
        Err(_) => web.error_page(None, StatusCode::NOT_FOUND, web.tr.t("error-not-found")),
    }
}

fn int_field(f: &Fields, name: &'static str) -> Result<Option<i64>, FieldError> {
    f.opt(name)
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                FieldError::new(
                    name,
                    Rule::Invalid {
                        reason: "not a whole number",
                    },
                )
            })
        })
        .transpose()
}

/// `POST /complaints/{id}/action`: one form of the page (`action` names the step) as a
/// `ChangeInput`, applied with the page's `version` as If-Match. The extension's reason is the
/// form's `reason`; the ticket to link may be given by its number.
pub async fn action(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let action = f.get("action").trim().to_owned();
    let ctx = user.ctx(&state);
    let result: ApiResult<Complaint> = async {
        let version = int_field(&f, "version")?;
        let repair = f.opt("repair_id").filter(|_| action == "link");
        let ticket = if action == "link" && repair.is_none() {
            Some(
                service::tickets::resolve_ticket(&ctx, "ticket_id", f.get("ticket_id"))
                    .await?
                    .to_string(),
            )
        } else {
            None
        };
        let input = ChangeInput {
            action: &action,
            text: if action == "extend" {
                f.opt("reason")
            } else {
                f.opt("text")
            },
            resolution: f.opt("resolution"),
            to_days: int_field(&f, "to_days")?,
            contact_at: parse_instant("contact_at", f.opt("contact_at"))?,
            contact_channel: f.opt("contact_channel"),
            contact_outcome: f.opt("contact_outcome"),
            handler_id: f.opt("handler_id"),
            satisfaction: int_field(&f, "satisfaction")?,
            ticket: ticket.as_deref(),
            repair,
        };
        service::complaints::change(&ctx, id, version, input).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash(&href(id), Flash::ComplaintUpdated),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: form_of(&action),
                problem: problem(&web.tr, &e),
                status: e.status(),
                values: f,
            };
            render_detail(&state, &web, &user, id, Some(failed)).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

// ---- Evidence ---------------------------------------------------------------------------------

/// The upload route's body limit: one evidence file (50 MiB) and the form's other parts.
pub const MAX_UPLOAD_BYTES: usize = MAX_EVIDENCE_BYTES + 64 * 1024;

/// `POST /complaints/{id}/evidence`: `file`, optional `description`, and optionally the file
/// it is a new version of (`supersedes`).
pub async fn upload(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    form: CsrfMultipart,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result = service::complaints::add_evidence(
        &user.ctx(&state),
        id,
        form.fields.opt("supersedes"),
        form.file_name("file"),
        form.file_type("file"),
        form.file("file").map(<[u8]>::to_vec).unwrap_or_default(),
        form.fields.opt("description"),
    )
    .await;
    match result {
        Ok(_) => web.redirect_flash(
            &format!("{}#complaint-evidence", href(id)),
            Flash::ComplaintEvidenceAdded,
        ),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: "evidence",
                problem: problem(&web.tr, &e),
                status: e.status(),
                values: form.fields,
            };
            render_detail(&state, &web, &user, id, Some(failed)).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// `GET /complaints/{id}/evidence/{evidence}`: the file as a download (never rendered inline:
/// `attachment`, `nosniff`, a sandboxing policy), its SHA-256 as the ETag.
pub async fn download(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path((id, evidence)): Path<(String, String)>,
) -> Response {
    let result: ApiResult<_> = async {
        let id = parse_id(&id)?;
        let evidence = EvidenceId::parse("evidence", &evidence).map_err(|_| ApiError::NotFound)?;
        service::complaints::evidence_file(&user.ctx(&state), id, evidence).await
    }
    .await;
    let (e, blob) = match result {
        Ok(x) => x,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let mut res = blob.bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&e.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) =
        HeaderValue::from_str(&crate::api::ticket_files::content_disposition(&e.file_name))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", e.sha256)) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    res
}

// ---- The decision letter ----------------------------------------------------------------------

pub struct RouteRow {
    pub code: &'static str,
    pub name: &'static str,
    pub hotline: &'static str,
}

#[derive(Template)]
#[template(path = "complaint_letter.html")]
struct LetterPage {
    c: Chrome,
    /// The letter's own language: Simplified Chinese, whatever the reader's.
    tr: Tr,
    back: String,
    title: String,
    to: String,
    opening: String,
    contact: String,
    receipt: String,
    complainant: String,
    received: String,
    decided: String,
    resolution: String,
    text: String,
    provider: String,
    hotline: String,
    review: bool,
    routes: Vec<RouteRow>,
}

fn letter_page(web: &Web, user: &WebUser, id: ComplaintId, l: Letter) -> LetterPage {
    let page_title = web.tr.ta(
        "complaint-letter-page-title",
        &[("receipt", l.receipt_no.clone())],
    );
    let tr = Tr::new(Locale::ZhCn);
    let received = l.received_at.to_shanghai_display();
    LetterPage {
        c: web.chrome(Some(user), page_title),
        tr,
        back: href(id),
        title: tr.ta(
            "complaint-letter-title",
            &[("provider", l.provider_name.clone())],
        ),
        to: tr.ta(
            "complaint-letter-to",
            &[("name", l.complainant_name.clone())],
        ),
        opening: tr.ta(
            "complaint-letter-opening",
            &[
                ("received", received.clone()),
                ("receipt", l.receipt_no.clone()),
            ],
        ),
        contact: l
            .provider_hotline
            .as_ref()
            .map(|h| tr.ta("complaint-letter-contact", &[("hotline", h.clone())]))
            .unwrap_or_default(),
        complainant: l.complainant_name,
        received,
        decided: l.decided_at.to_shanghai_display(),
        resolution: resolution_label(&tr, l.resolution),
        text: l.decision_text,
        provider: l.provider_name,
        hotline: l.provider_hotline.unwrap_or_default(),
        review: l.review,
        routes: l
            .routes
            .iter()
            .map(|r| RouteRow {
                code: r.code,
                name: r.name,
                hotline: r.hotline.unwrap_or_default(),
            })
            .collect(),
        receipt: l.receipt_no,
    }
}

/// `GET /complaints/{id}/letter`: the decision letter (409 before a decision).
pub async fn letter(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    let result: ApiResult<_> = async {
        let id = parse_id(&id)?;
        Ok((
            id,
            service::complaints::letter(&user.ctx(&state), id).await?,
        ))
    }
    .await;
    match result {
        Ok((id, l)) => web.render(StatusCode::OK, &letter_page(&web, &user, id, l)),
        Err(e @ ApiError::Conflict { .. }) => {
            web.error_page(Some(&user), e.status(), error_text(&web.tr, &e))
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

// ---- The public form --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "complaint_public.html")]
struct PublicPage {
    c: Chrome,
    action: String,
    form: IntakeForm,
    /// The complaint was filed: its receipt number.
    done: Option<Done>,
    throttled: bool,
}

/// A filed public complaint: its receipt number, and what to keep with it.
struct Done {
    receipt: String,
    keep: String,
}

fn parse_provider(id: &str) -> ApiResult<TenantId> {
    TenantId::parse("provider_id", id).map_err(|_| ApiError::NotFound)
}

fn render_public(
    web: &Web,
    provider: TenantId,
    f: &Fields,
    problem: Option<Problem>,
    status: StatusCode,
    throttled: bool,
) -> Response {
    let tpl = PublicPage {
        c: web.chrome(None, web.tr.t("complaint-public-title")),
        action: format!("/public/{provider}/complaint"),
        form: IntakeForm::new(&web.tr, f, false, true, problem),
        done: None,
        throttled,
    };
    web.render(status, &tpl)
}

/// `GET /public/{provider_id}/complaint`: the public complaint form (sets the CSRF cookie its
/// POST must echo, as the login page does).
pub async fn public_page(web: Web, Path(provider): Path<String>) -> Response {
    match parse_provider(&provider) {
        Ok(p) => render_public(&web, p, &Fields::default(), None, StatusCode::OK, false),
        Err(e) => web.fail(None, &e),
    }
}

/// `POST /public/{provider_id}/complaint`: files the complaint (`service::complaints::
/// create_public`, counted against the client's address and the phone). Success shows the
/// receipt number; too many submissions a friendly 429; a filled honeypot a refusal that says
/// nothing about why.
pub async fn public_submit(
    State(state): State<AppState>,
    web: Web,
    Path(provider): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let provider = match parse_provider(&provider) {
        Ok(p) => p,
        Err(e) => return web.fail(None, &e),
    };
    let client = client_of(&web);
    let result: ApiResult<Complaint> = async {
        let occurred_at = parse_instant("occurred_at", f.opt("occurred_at"))?;
        let raw = raw_intake(&f, occurred_at, None);
        service::complaints::create_public(&state, provider, raw, f.get("website"), &client).await
    }
    .await;
    match result {
        Ok(k) => {
            let tpl = PublicPage {
                c: web.chrome(None, web.tr.t("complaint-public-done-title")),
                action: format!("/public/{provider}/complaint"),
                form: IntakeForm::new(&web.tr, &Fields::default(), false, true, None),
                done: Some(Done {
                    keep: web
                        .tr
                        .ta("complaint-public-keep", &[("last4", k.phone_last4.clone())]),
                    receipt: k.receipt_no,
                }),
                throttled: false,
            };
            web.render(StatusCode::CREATED, &tpl)
        }
        Err(ApiError::TooManyRequests) => render_public(
            &web,
            provider,
            &f,
            None,
            StatusCode::TOO_MANY_REQUESTS,
            true,
        ),
        Err(ApiError::Invalid(e)) if e.field == "website" => {
            let p = Problem {
                field: None,
                message: web.tr.t("complaint-public-refused"),
            };
            render_public(
                &web,
                provider,
                &Fields::default(),
                Some(p),
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            )
        }
        Err(e) if is_form_error(&e) => {
            let p = problem(&web.tr, &e);
            render_public(&web, provider, &f, Some(p), e.status(), false)
        }
        Err(e) => web.fail(None, &e),
    }
}

// ---- Public tracking --------------------------------------------------------------------------

pub struct StepRow {
    pub id: String,
    pub kind: String,
    pub kind_code: &'static str,
    pub at: String,
    pub text: String,
}

pub struct TrackView {
    pub receipt: String,
    pub status: String,
    pub status_code: &'static str,
    pub received: String,
    pub ack_deadline: String,
    pub decision_deadline: String,
    pub decision_days: i64,
    pub outcome: String,
    pub steps: Vec<StepRow>,
}

#[derive(Template)]
#[template(path = "complaint_track.html")]
struct TrackPage {
    c: Chrome,
    receipt: String,
    last4: String,
    /// The answer: not found (unknown receipt and wrong digits alike), throttled, a malformed
    /// input, or the view.
    error: Option<Problem>,
    view: Option<TrackView>,
}

impl TrackPage {
    fn err(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|p| p.field.as_deref() == Some(field))
            .map(|p| p.message.as_str())
    }
    fn general(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|p| p.field.is_none())
            .map(|p| p.message.as_str())
    }
}

fn track_view(tr: &Tr, v: PublicView) -> TrackView {
    TrackView {
        status: status_label(tr, v.status),
        status_code: v.status.code(),
        received: v.received_at.to_shanghai_display(),
        ack_deadline: v
            .acknowledge_deadline
            .map(|t| t.to_shanghai_display())
            .unwrap_or_default(),
        decision_deadline: v
            .decision_deadline
            .map(|t| t.to_shanghai_display())
            .unwrap_or_default(),
        decision_days: v.decision_days,
        outcome: v.outcome.map(|o| outcome_label(tr, o)).unwrap_or_default(),
        steps: v
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepRow {
                id: format!("step-{}", i + 1),
                kind: entry_label(tr, s.kind),
                kind_code: s.kind.code(),
                at: s.at.to_shanghai_display(),
                text: match s.kind {
                    EntryKind::Closed => s
                        .text
                        .as_deref()
                        .and_then(ComplaintOutcome::from_code)
                        .map(|o| outcome_label(tr, o))
                        .unwrap_or_default(),
                    EntryKind::Extended => tr.ta(
                        "complaint-step-extended",
                        &[
                            ("days", s.days.unwrap_or_default().to_string()),
                            ("reason", s.text.clone().unwrap_or_default()),
                        ],
                    ),
                    _ => s.text.clone().unwrap_or_default(),
                },
            })
            .collect(),
        receipt: v.receipt_no,
    }
}

/// `GET /track`: the tracking form.
pub async fn track_page(web: Web) -> Response {
    let tpl = TrackPage {
        c: web.chrome(None, web.tr.t("complaint-track-title")),
        receipt: String::new(),
        last4: String::new(),
        error: None,
        view: None,
    };
    web.render(StatusCode::OK, &tpl)
}

/// `POST /track`: receipt number + last four digits → the public view (a POST, so neither
/// lands in an address bar, a history or a log).
pub async fn track_submit(
    State(state): State<AppState>,
    web: Web,
    CsrfForm(f): CsrfForm,
) -> Response {
    let tr = web.tr;
    let receipt = f.get("receipt_no").trim().to_owned();
    let last4 = f.get("phone_last4").trim().to_owned();
    let result = service::complaints::track(&state, &receipt, &last4, &client_of(&web)).await;
    let (status, error, view) = match result {
        Ok(v) => (StatusCode::OK, None, Some(track_view(&tr, v))),
        Err(ApiError::NotFound) => (
            StatusCode::NOT_FOUND,
            Some(Problem {
                field: None,
                message: tr.t("complaint-track-not-found"),
            }),
            None,
        ),
        Err(ApiError::TooManyRequests) => (
            StatusCode::TOO_MANY_REQUESTS,
            Some(Problem {
                field: None,
                message: tr.t("complaint-track-throttled"),
            }),
            None,
        ),
        Err(e) if is_form_error(&e) => (e.status(), Some(problem(&tr, &e)), None),
        Err(e) => return web.fail(None, &e),
    };
    let tpl = TrackPage {
        c: web.chrome(None, tr.t("complaint-track-title")),
        receipt,
        last4,
        error,
        view,
    };
    web.render(status, &tpl)
}
