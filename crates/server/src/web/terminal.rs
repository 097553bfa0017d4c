//! One terminal's page (`/terminals/{id}`): its data and warranty today, its current binding
//! with the five items PBoC 银发〔2021〕259号 ties a serial number to (the merchant's ID masked as
//! the reader may see it), its bindings and its history from the audit trail; and, for roles
//! that manage terminals, the forms to bind, relocate (移机), unbind and move it through its
//! status machine. A successful form redirects back with `?done=<what>`, shown as a notice.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::audit::StoredEvent;
use posdesk_core::authz::Permission;
use posdesk_core::calendar::LocalDate;
use posdesk_core::ids::TerminalId;
use posdesk_core::page::PageRequest;
use posdesk_core::registry::TerminalStatus;
use posdesk_core::registry::terminal::{
    self as rules, BindingEnd, BindingRefusal, TerminalEvent, WarrantyState,
};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::bindings::TerminalBinding;
use serde_json::Value;

use super::kit::{Chrome, CsrfForm, Fields, Query, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::api::bindings::{
    BindIn, RelocateIn, UnbindIn, parse_bind, parse_relocate, parse_unbind,
};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::service;
use crate::state::AppState;

/// How many bindings and history events the page lists.
const LISTED: u32 = 100;

pub struct Facts {
    pub sn: String,
    pub tid: String,
    pub model: String,
    pub manufacturer: String,
    pub firmware: String,
    pub status: String,
    pub merchant: String,
    pub installed_address: String,
    pub install_date: String,
    pub warranty_end: String,
    /// A `WarrantyState` code (CSS hook and test id).
    pub warranty_code: &'static str,
    pub warranty: String,
    pub created: String,
}

pub struct BindingRow {
    pub id: String,
    pub current: bool,
    pub started: String,
    pub ended: String,
    pub end_reason: String,
    pub end_note: String,
    pub tid: String,
    pub acquirer_code: String,
    pub mid: String,
    pub identity_label: String,
    pub identity: String,
    pub settlement_account: String,
    pub address: String,
    pub division_code: String,
    pub verified_by: String,
    pub note: String,
    /// `¥1,280.00` per month, or empty.
    pub rental: String,
    pub deposit: String,
}

pub struct EventRow {
    pub seq: i64,
    pub time: String,
    pub actor_role: String,
    pub action: String,
    pub summary: String,
}

pub struct EventButton {
    pub code: &'static str,
    pub label: String,
}

/// A form as typed (or empty), with its error.
#[derive(Default)]
pub struct FormState {
    values: Vec<(&'static str, String)>,
    pub error: Option<String>,
}

impl FormState {
    /// The value typed into `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
    }
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "1" | "true" | "yes")
    }
}

/// The fields the forms show again after an error. Never the settlement card number: a full
/// card number is not echoed back into a page.
const TYPED: [&str; 10] = [
    "mid",
    "acquirer_code",
    "tid",
    "address",
    "division_code",
    "install_date",
    "warranty_end",
    "note",
    "reason",
    "reverified",
];

#[derive(Template)]
#[template(path = "terminal.html")]
struct TerminalPage {
    c: Chrome,
    href: String,
    version: i64,
    facts: Facts,
    current: Option<BindingRow>,
    bindings: Vec<BindingRow>,
    events: Vec<EventRow>,
    done: Option<String>,
    can_manage: bool,
    can_bind: bool,
    can_relocate: bool,
    can_unbind: bool,
    buttons: Vec<EventButton>,
    today: String,
    bind: FormState,
    relocate: FormState,
    unbind: FormState,
    transition_error: Option<String>,
}

fn parse_id(id: &str) -> ApiResult<TerminalId> {
    TerminalId::parse("id", id).map_err(|_| ApiError::NotFound)
}

fn href(id: TerminalId) -> String {
    format!("/terminals/{id}")
}

pub fn event_label(tr: &Tr, e: TerminalEvent) -> String {
    match e {
        TerminalEvent::Install => tr.t("terminal-event-install"),
        TerminalEvent::Activate => tr.t("terminal-event-activate"),
        TerminalEvent::Uninstall => tr.t("terminal-event-uninstall"),
        TerminalEvent::Suspend => tr.t("terminal-event-suspend"),
        TerminalEvent::Reinstate => tr.t("terminal-event-reinstate"),
        TerminalEvent::Recover => tr.t("terminal-event-recover"),
        TerminalEvent::SendToRepair => tr.t("terminal-event-send-to-repair"),
        TerminalEvent::ReturnToMerchant => tr.t("terminal-event-return-to-merchant"),
        TerminalEvent::ReturnToStock => tr.t("terminal-event-return-to-stock"),
        TerminalEvent::Lend => tr.t("terminal-event-lend"),
        TerminalEvent::ReturnLoaner => tr.t("terminal-event-return-loaner"),
        TerminalEvent::Retire => tr.t("terminal-event-retire"),
    }
}

/// A terminal audit action: its status events, the binding changes, the rest as the audit
/// browser names them.
fn action_label(tr: &Tr, code: &str) -> String {
    match code {
        "bind" => tr.t("terminal-action-bind"),
        "relocate" => tr.t("terminal-action-relocate"),
        "unbind" => tr.t("terminal-action-unbind"),
        "end_binding" => tr.t("terminal-action-end-binding"),
        "import_update" => tr.t("terminal-action-import-update"),
        other => match TerminalEvent::from_code(other) {
            Some(e) => event_label(tr, e),
            None => labels::action(tr, other),
        },
    }
}

fn end_label(tr: &Tr, code: &str) -> String {
    match BindingEnd::from_code(code) {
        Some(BindingEnd::Relocated) => tr.t("binding-end-relocated"),
        Some(BindingEnd::Unbound) => tr.t("binding-end-unbound"),
        Some(BindingEnd::StatusChange) => tr.t("binding-end-status-change"),
        Some(BindingEnd::LoanedOut) => tr.t("binding-end-loaned-out"),
        Some(BindingEnd::LoanerReturned) => tr.t("binding-end-loaner-returned"),
        None => code.to_owned(),
    }
}

fn warranty_label(tr: &Tr, s: WarrantyState) -> String {
    match s {
        WarrantyState::Unknown => tr.t("warranty-unknown"),
        WarrantyState::NotStarted => tr.t("warranty-not-started"),
        WarrantyState::InWarranty => tr.t("warranty-in"),
        WarrantyState::Expired => tr.t("warranty-expired"),
    }
}

/// The labels of this page's fields; the others as every form names them.
fn field_label(tr: &Tr, name: &str) -> String {
    match name {
        "acquirer_code" => tr.t("binding-acquirer-code"),
        "mid" => tr.t("field-mid"),
        "tid" => tr.t("field-tid"),
        "settlement_account" => tr.t("binding-settlement-account"),
        "address" => tr.t("binding-placement-address"),
        "install_date" => tr.t("field-install-date"),
        "warranty_end" => tr.t("field-warranty-end"),
        "reverified" => tr.t("binding-reverified"),
        "reason" => tr.t("binding-unbind-reason"),
        "event" => tr.t("terminal-transition"),
        "terminal_id" => tr.t("field-terminal"),
        other => labels::field(tr, other),
    }
}

/// A service error on one of this page's forms, in the reader's language.
fn form_message(tr: &Tr, e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) | ApiError::BadRequest(f) => tr.ta(
            "error-field",
            &[
                ("field", field_label(tr, &f.field)),
                ("rule", labels::rule(tr, &f.rule)),
            ],
        ),
        ApiError::Conflict { field: Some(f), .. } if f != "status" => {
            tr.ta("error-taken", &[("field", field_label(tr, f))])
        }
        ApiError::Conflict {
            detail,
            field: None,
        } => {
            if *detail == BindingRefusal::AlreadyBound.to_string() {
                tr.t("binding-error-already-bound")
            } else if *detail == BindingRefusal::NotBound.to_string() {
                tr.t("binding-error-not-bound")
            } else if *detail == BindingRefusal::PlacedElsewhere.to_string() {
                tr.t("binding-error-placed-elsewhere")
            } else if detail.starts_with("a merchant that is ") {
                tr.t("binding-error-merchant-status")
            } else {
                labels::error_message(tr, e)
            }
        }
        other => labels::error_message(tr, other),
    }
}

fn done_message(tr: &Tr, q: &Fields) -> Option<String> {
    Some(match q.get("done") {
        "bound" => tr.t("binding-done-bound"),
        "relocated" => tr.t("binding-done-relocated"),
        "unbound" => tr.t("binding-done-unbound"),
        "moved" => tr.t("terminal-done-moved"),
        _ => return None,
    })
}

fn binding_row(tr: &Tr, b: TerminalBinding) -> BindingRow {
    BindingRow {
        id: format!("binding-{}", b.id),
        current: b.is_current(),
        started: b.started_at.to_shanghai_display(),
        ended: b
            .ended_at
            .map(|t| t.to_shanghai_display())
            .unwrap_or_default(),
        end_reason: b
            .end_reason
            .as_deref()
            .map(|r| end_label(tr, r))
            .unwrap_or_default(),
        end_note: b
            .end_note
            .as_deref()
            .map(|n| match TerminalEvent::from_code(n) {
                Some(e) => event_label(tr, e),
                None => n.to_owned(),
            })
            .unwrap_or_default(),
        tid: b.tid,
        acquirer_code: b.acquirer_code,
        mid: b.mid,
        identity_label: if b.identity_kind == "resident_id" {
            tr.t("binding-owner-id")
        } else {
            tr.t("field-uscc")
        },
        identity: b.identity_number,
        settlement_account: b.settlement_account,
        address: b.placement_address,
        division_code: b.division_code,
        verified_by: labels::actor_role(tr, &b.verified_role),
        note: b.verification_note.unwrap_or_default(),
        rental: b.rental_fen_per_month.map(labels::yuan).unwrap_or_default(),
        deposit: b.deposit_fen.map(labels::yuan).unwrap_or_default(),
    }
}

fn json(raw: &Option<String>) -> Value {
    raw.as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

/// What an event changed, in a line: the status move, the placement bound, the binding ended.
fn summary(tr: &Tr, e: &StoredEvent) -> String {
    let (before, after) = (json(&e.before), json(&e.after));
    let mut parts = Vec::new();
    let status = |v: &Value| v["status"].as_str().map(|s| labels::record_status(tr, s));
    match (status(&before), status(&after)) {
        (Some(b), Some(a)) if b != a => parts.push(format!("{b} → {a}")),
        (None, Some(a)) if e.action == "create" => parts.push(a),
        _ => {}
    }
    let binding = &after["binding"];
    match e.action.as_str() {
        "bind" | "relocate" => {
            if let Some(addr) = binding["placement_address"].as_str() {
                parts.push(tr.ta(
                    "terminal-history-placed",
                    &[
                        ("address", addr.to_owned()),
                        (
                            "mid",
                            binding["mid"].as_str().unwrap_or_default().to_owned(),
                        ),
                    ],
                ));
            }
        }
        "unbind" | "end_binding" => {
            if let Some(r) = binding["end_reason"].as_str() {
                let mut s = end_label(tr, r);
                if let Some(n) = binding["end_note"].as_str().filter(|_| r == "unbound") {
                    s = format!("{s}：{n}");
                }
                parts.push(s);
            }
        }
        _ => {}
    }
    parts.join("；")
}

fn event_row(tr: &Tr, e: &StoredEvent) -> EventRow {
    EventRow {
        seq: e.seq,
        time: e.at.to_shanghai_display(),
        actor_role: labels::actor_role(tr, &e.actor_role),
        action: action_label(tr, &e.action),
        summary: summary(tr, e),
    }
}

#[derive(Default)]
struct Extras {
    status: Option<StatusCode>,
    bind: FormState,
    relocate: FormState,
    unbind: FormState,
    transition_error: Option<String>,
    done: Option<String>,
}

async fn render(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: TerminalId,
    x: Extras,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let (t, current) = match service::bindings::current(&ctx, id).await {
        Ok(v) => v,
        Err(e) => return web.fail(Some(user), &e),
    };
    let bindings = match service::bindings::history(&ctx, id, PageRequest::first(LISTED)).await {
        Ok(p) => p.items,
        Err(e) => return web.fail(Some(user), &e),
    };
    let events =
        match service::bindings::terminal_events(&ctx, id, PageRequest::first(LISTED)).await {
            Ok(p) => p.items,
            Err(e) => return web.fail(Some(user), &e),
        };
    let merchant = match t.merchant_id {
        Some(m) if user.role().allows(Permission::MerchantRead) => {
            service::directory::merchant(&ctx, m)
                .await
                .map(|m| format!("{} ({})", m.name, m.mid))
                .unwrap_or_default()
        }
        _ => String::new(),
    };
    let status = TerminalStatus::from_code(&t.status);
    let has_current = current.is_some();
    let today = LocalDate::of_timestamp(posdesk_storage::now());
    let date = |s: &Option<String>| s.as_deref().and_then(|d| LocalDate::parse(d).ok());
    let warranty = match today {
        Some(on) => rules::warranty_on(date(&t.install_date), date(&t.warranty_end), on),
        None => WarrantyState::Unknown,
    };
    let can_manage = user.role().allows(Permission::TerminalManage);
    let buttons = status
        .map(|s| s.legal_events())
        .unwrap_or_default()
        .into_iter()
        // Installing is the bind form; lending a loaner is the loaner pool's business.
        .filter(|e| !matches!(e, TerminalEvent::Install | TerminalEvent::Lend))
        .map(|e| EventButton {
            code: e.code(),
            label: event_label(&tr, e),
        })
        .collect();
    let tpl = TerminalPage {
        c: web.chrome(Some(user), format!("{} {}", tr.t("terminal-title"), t.sn)),
        href: href(t.id),
        version: t.version,
        facts: Facts {
            sn: t.sn.clone(),
            tid: t.tid.clone().unwrap_or_default(),
            model: t.model.clone(),
            manufacturer: t.manufacturer.clone(),
            firmware: t.firmware.clone().unwrap_or_default(),
            status: labels::record_status(&tr, &t.status),
            merchant,
            installed_address: t.installed_address.clone().unwrap_or_default(),
            install_date: t.install_date.clone().unwrap_or_default(),
            warranty_end: t.warranty_end.clone().unwrap_or_default(),
            warranty_code: warranty.code(),
            warranty: warranty_label(&tr, warranty),
            created: t.created_at.to_shanghai_display(),
        },
        current: current.map(|b| binding_row(&tr, b)),
        bindings: bindings.into_iter().map(|b| binding_row(&tr, b)).collect(),
        events: events.iter().map(|e| event_row(&tr, e)).collect(),
        done: x.done,
        can_manage,
        can_bind: can_manage && status.is_some_and(|s| rules::bindable(s, has_current)),
        can_relocate: can_manage
            && status.is_some_and(|s| rules::relocation_allowed(s, has_current).is_ok()),
        can_unbind: can_manage
            && status.is_some_and(|s| rules::unbind_event(s, has_current).is_ok()),
        buttons: if can_manage { buttons } else { Vec::new() },
        today: today.map(|d| d.to_string()).unwrap_or_default(),
        bind: x.bind,
        relocate: x.relocate,
        unbind: x.unbind,
        transition_error: x.transition_error,
    };
    web.render(x.status.unwrap_or(StatusCode::OK), &tpl)
}

pub async fn page(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    Query(q): Query,
) -> Response {
    match parse_id(&id) {
        Ok(id) => {
            let x = Extras {
                done: done_message(&web.tr, &q),
                ..Extras::default()
            };
            render(&state, &web, &user, id, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// A GET of a form's action (the language switch returns to the page a POST came from): the
/// terminal's page.
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

fn text(f: &Fields, name: &str) -> Option<String> {
    f.opt(name).map(str::to_owned)
}

/// An amount typed in yuan (`1280`, `99.50`), as whole fen; blank is `None`.
fn yuan(f: &Fields, name: &str) -> Result<Option<i64>, posdesk_core::FieldError> {
    f.opt(name)
        .filter(|v| !v.trim().is_empty())
        .map(|v| posdesk_core::registry::Fen::parse_non_negative(name, v.trim()).map(|x| x.fen()))
        .transpose()
}

/// The form as typed, to show again with its error.
fn typed(f: &Fields, error: String) -> FormState {
    FormState {
        values: TYPED
            .iter()
            .map(|name| (*name, f.get(name).to_owned()))
            .collect(),
        error: Some(error),
    }
}

/// Which form a failed POST re-renders.
enum Which {
    Bind,
    Relocate,
    Unbind,
    Transition,
}

async fn finish(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: TerminalId,
    f: Fields,
    which: Which,
    result: ApiResult<&'static str>,
) -> Response {
    match result {
        Ok(done) => web.redirect(&format!("{}?done={done}", href(id))),
        Err(e) if is_form_error(&e) => {
            let msg = form_message(&web.tr, &e);
            let mut x = Extras {
                status: Some(e.status()),
                ..Extras::default()
            };
            match which {
                Which::Bind => x.bind = typed(&f, msg),
                Which::Relocate => x.relocate = typed(&f, msg),
                Which::Unbind => x.unbind = typed(&f, msg),
                Which::Transition => x.transition_error = Some(msg),
            }
            render(state, web, user, id, x).await
        }
        Err(e) => web.fail(Some(user), &e),
    }
}

pub async fn bind(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result = async {
        let input = parse_bind(&BindIn {
            acquirer_code: f.get("acquirer_code").to_owned(),
            mid: f.get("mid").to_owned(),
            tid: text(&f, "tid"),
            settlement_account: f.get("settlement_account").to_owned(),
            address: f.get("address").to_owned(),
            division_code: f.get("division_code").to_owned(),
            install_date: text(&f, "install_date"),
            warranty_end: text(&f, "warranty_end"),
            note: text(&f, "note"),
            rental_fen_per_month: yuan(&f, "rental_fen_per_month")?,
            deposit_fen: yuan(&f, "deposit_fen")?,
        })?;
        let version = version_field(&f)?;
        service::bindings::bind(&user.ctx(&state), id, input, version).await?;
        Ok("bound")
    }
    .await;
    finish(&state, &web, &user, id, f, Which::Bind, result).await
}

pub async fn relocate(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result = async {
        let input = parse_relocate(&RelocateIn {
            reverified: f.checked("reverified"),
            address: f.get("address").to_owned(),
            division_code: f.get("division_code").to_owned(),
            acquirer_code: text(&f, "acquirer_code"),
            mid: text(&f, "mid"),
            tid: text(&f, "tid"),
            settlement_account: text(&f, "settlement_account"),
            note: text(&f, "note"),
            rental_fen_per_month: yuan(&f, "rental_fen_per_month")?,
            deposit_fen: yuan(&f, "deposit_fen")?,
        })?;
        let version = version_field(&f)?;
        service::bindings::relocate(&user.ctx(&state), id, input, version).await?;
        Ok("relocated")
    }
    .await;
    finish(&state, &web, &user, id, f, Which::Relocate, result).await
}

pub async fn unbind(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result = async {
        let reason = parse_unbind(&UnbindIn {
            reason: f.get("reason").to_owned(),
        })?;
        let version = version_field(&f)?;
        service::bindings::unbind(&user.ctx(&state), id, reason, version).await?;
        Ok("unbound")
    }
    .await;
    finish(&state, &web, &user, id, f, Which::Unbind, result).await
}

pub async fn transition(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result = async {
        let event = TerminalEvent::parse("event", f.get("event"))?;
        let version = version_field(&f)?;
        service::directory::transition_terminal(&user.ctx(&state), id, event, None, version)
            .await?;
        Ok("moved")
    }
    .await;
    finish(&state, &web, &user, id, f, Which::Transition, result).await
}
