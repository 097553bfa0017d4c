//! Merchants (商户): the list (`/merchants`, with the downloads and, for those who may, the
//! registration and import links), the registration form (`/merchants/new`), and each
//! merchant's page (`/merchants/{id}`): its registry facts (the owner's ID masked unless the
//! role may see it), contacts and business hours, with forms to edit all three.
//!
//! A successful post redirects to the merchant's page with `?done=created|saved|contacts|hours`,
//! which the page shows as a notice; an error re-renders the form as typed with the error and
//! its status.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::authz::Permission;
use posdesk_core::calendar::Weekday;
use posdesk_core::ids::MerchantId;
use posdesk_core::registry::merchant::{MerchantKind, RiskLevel};
use posdesk_core::registry::merchant_details::{ContactRole, MAX_CONTACTS};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::merchants::Merchant;

use super::kit::{Chrome, CsrfForm, Fields, Opt, Query, Web, is_form_error, link};
use super::labels;
use super::session::WebUser;
use crate::api::directory::{ContactIn, CreateMerchantIn, new_merchant, parse_contact_list};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::service;
use crate::service::directory::MerchantPatch;
use crate::state::AppState;

// ---- Labels -------------------------------------------------------------------------------------

pub fn kind_label(tr: &Tr, code: &str) -> String {
    match code {
        "company" => tr.t("merchant-kind-company"),
        "individual" => tr.t("merchant-kind-individual"),
        "micro" => tr.t("merchant-kind-micro"),
        other => other.to_owned(),
    }
}

pub fn risk_label(tr: &Tr, code: &str) -> String {
    match code {
        "low" => tr.t("merchant-risk-low"),
        "medium" => tr.t("merchant-risk-medium"),
        "high" => tr.t("merchant-risk-high"),
        other => other.to_owned(),
    }
}

pub fn status_label(tr: &Tr, code: &str) -> String {
    match code {
        "pending" => tr.t("merchant-status-pending"),
        "active" => tr.t("merchant-status-active"),
        "suspended" => tr.t("merchant-status-suspended"),
        "closed" => tr.t("merchant-status-closed"),
        other => other.to_owned(),
    }
}

pub fn contact_role_label(tr: &Tr, code: &str) -> String {
    match code {
        "owner" => tr.t("merchant-contact-role-owner"),
        "manager" => tr.t("merchant-contact-role-manager"),
        "cashier" => tr.t("merchant-contact-role-cashier"),
        "finance" => tr.t("merchant-contact-role-finance"),
        "technical" => tr.t("merchant-contact-role-technical"),
        "other" => tr.t("merchant-contact-role-other"),
        other => other.to_owned(),
    }
}

/// A merchant field's name on these pages (falls back to the shared labels).
pub fn field_label(tr: &Tr, name: &str) -> String {
    match name {
        "mid" => tr.t("field-mid"),
        "kind" => tr.t("merchant-field-kind"),
        "owner_id" => tr.t("merchant-field-owner-id"),
        "risk_level" => tr.t("merchant-field-risk"),
        "contact_name" => tr.t("field-contact"),
        "contact_phone" => tr.t("field-phone"),
        "business_hours" => tr.t("field-hours"),
        "contacts" => tr.t("merchant-contacts"),
        other => match other
            .strip_prefix("contacts[")
            .and_then(|r| r.split_once(']'))
        {
            Some((n, part)) => {
                let part = match part.trim_start_matches('.') {
                    "name" => tr.t("merchant-contact-name"),
                    "phone" => tr.t("field-phone"),
                    "role" => tr.t("merchant-contact-role"),
                    "primary" => tr.t("merchant-contact-primary"),
                    _ => String::new(),
                };
                let n = n.parse::<usize>().map_or(1, |i| i.saturating_add(1));
                tr.ta(
                    "merchant-contact-field",
                    &[("n", n.to_string()), ("part", part)],
                )
            }
            None => labels::field(tr, other),
        },
    }
}

/// The message for a service error shown on a merchant form (or a merchant import).
pub(super) fn error_message(tr: &Tr, e: &ApiError) -> String {
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
        other => labels::error_message(tr, other),
    }
}

// ---- The list -----------------------------------------------------------------------------------

pub struct MerchantRow {
    pub id: String,
    pub href: String,
    pub name: String,
    pub mid: String,
    pub kind: String,
    pub contact: String,
    pub phone: String,
    pub address: String,
    pub status: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "merchants.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<MerchantRow>,
    next_link: Option<String>,
    can_manage: bool,
    can_import: bool,
}

pub async fn list(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let tr = web.tr;
    let page = match super::kit::page_request(&q) {
        Ok(p) => p,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let page = match service::directory::merchants(&user.ctx(&state), page).await {
        Ok(p) => p,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let next_link = page
        .next
        .as_ref()
        .map(|c| link("/merchants", &[("cursor", &c.encode())]));
    let rows = page
        .items
        .into_iter()
        .map(|m| MerchantRow {
            id: format!("merchant-{}", m.id),
            href: format!("/merchants/{}", m.id),
            name: m.name,
            mid: m.mid,
            kind: m
                .kind
                .as_deref()
                .map(|k| kind_label(&tr, k))
                .unwrap_or_default(),
            contact: m.contact_name.unwrap_or_default(),
            phone: m.contact_phone.unwrap_or_default(),
            address: m.address.unwrap_or_default(),
            status: status_label(&tr, &m.status),
            created: m.created_at.to_shanghai_display(),
        })
        .collect();
    let tpl = ListPage {
        c: web.chrome(Some(&user), tr.t("merchants-title")),
        rows,
        next_link,
        can_manage: user.role().allows(Permission::MerchantManage),
        can_import: user.role().allows(Permission::MerchantImport),
    };
    web.render(StatusCode::OK, &tpl)
}

// ---- The registry form (registration and edit) -------------------------------------------------

/// The registry fields as stored or as typed.
pub struct MerchantForm {
    pub name: String,
    pub mid: String,
    pub kinds: Vec<Opt>,
    pub uscc: String,
    pub owner_id: String,
    pub risks: Vec<Opt>,
    pub division_code: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub version: String,
    pub error: Option<String>,
}

fn kind_options(tr: &Tr, current: &str) -> Vec<Opt> {
    MerchantKind::ALL
        .iter()
        .map(|k| Opt::new(k.code(), kind_label(tr, k.code()), current))
        .collect()
}

fn risk_options(tr: &Tr, current: &str) -> Vec<Opt> {
    RiskLevel::ALL
        .iter()
        .map(|r| Opt::new(r.code(), risk_label(tr, r.code()), current))
        .collect()
}

fn empty_form(tr: &Tr) -> MerchantForm {
    MerchantForm {
        name: String::new(),
        mid: String::new(),
        kinds: kind_options(tr, "company"),
        uscc: String::new(),
        owner_id: String::new(),
        risks: risk_options(tr, "low"),
        division_code: String::new(),
        address: String::new(),
        contact_name: String::new(),
        contact_phone: String::new(),
        version: String::new(),
        error: None,
    }
}

/// The edit form of a stored merchant. The identity fields start blank ("keep"): a masked
/// number could not be sent back, and the page shows the identity above the form.
fn stored_form(tr: &Tr, m: &Merchant) -> MerchantForm {
    MerchantForm {
        name: m.name.clone(),
        mid: m.mid.clone(),
        kinds: kind_options(tr, m.kind.as_deref().unwrap_or("")),
        uscc: String::new(),
        owner_id: String::new(),
        risks: risk_options(tr, m.risk_level.as_deref().unwrap_or("low")),
        division_code: m.division_code.clone().unwrap_or_default(),
        address: m.address.clone().unwrap_or_default(),
        contact_name: String::new(),
        contact_phone: String::new(),
        version: m.version.to_string(),
        error: None,
    }
}

fn submitted_form(tr: &Tr, f: &Fields, error: String) -> MerchantForm {
    MerchantForm {
        name: f.get("name").to_owned(),
        mid: f.get("mid").to_owned(),
        kinds: kind_options(tr, f.get("kind")),
        uscc: f.get("uscc").to_owned(),
        owner_id: f.get("owner_id").to_owned(),
        risks: risk_options(tr, f.get("risk_level")),
        division_code: f.get("division_code").to_owned(),
        address: f.get("address").to_owned(),
        contact_name: f.get("contact_name").to_owned(),
        contact_phone: f.get("contact_phone").to_owned(),
        version: f.get("version").to_owned(),
        error: Some(error),
    }
}

fn opt(f: &Fields, name: &str) -> Option<String> {
    f.opt(name).map(str::to_owned)
}

#[derive(Template)]
#[template(path = "merchant_new.html")]
struct NewPage {
    c: Chrome,
    form: MerchantForm,
}

fn render_new(web: &Web, user: &WebUser, form: MerchantForm, status: StatusCode) -> Response {
    let tpl = NewPage {
        c: web.chrome(Some(user), web.tr.t("merchant-new-title")),
        form,
    };
    web.render(status, &tpl)
}

pub async fn new_page(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    // The form is for those who may register (the one permission decision; others get a 403).
    if let Err(e) = user.ctx(&state).authorize(Permission::MerchantManage) {
        return web.fail(Some(&user), &e);
    }
    render_new(&web, &user, empty_form(&web.tr), StatusCode::OK)
}

pub async fn create(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result: ApiResult<_> = async {
        let input = new_merchant(&CreateMerchantIn {
            name: f.get("name").to_owned(),
            mid: f.get("mid").trim().to_owned(),
            kind: f.get("kind").to_owned(),
            uscc: opt(&f, "uscc"),
            owner_id: opt(&f, "owner_id"),
            contact_name: opt(&f, "contact_name"),
            contact_phone: opt(&f, "contact_phone"),
            address: opt(&f, "address"),
            division_code: opt(&f, "division_code"),
            risk_level: opt(&f, "risk_level"),
        })?;
        service::directory::create_merchant(&user.ctx(&state), input).await
    }
    .await;
    match result {
        Ok(m) => web.redirect(&format!("/merchants/{}?done=created", m.id)),
        Err(e) if is_form_error(&e) => {
            let msg = error_message(&web.tr, &e);
            render_new(&web, &user, submitted_form(&web.tr, &f, msg), e.status())
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

// ---- One merchant -------------------------------------------------------------------------------

pub struct Fact {
    pub id: &'static str,
    pub label: String,
    pub value: String,
}

pub struct ContactRow {
    pub name: String,
    pub phone: String,
    pub role: String,
    pub primary: bool,
}

pub struct HoursRow {
    pub day: String,
    pub hours: String,
}

/// One line of the contacts form.
pub struct ContactLine {
    pub index: usize,
    pub name: String,
    pub phone: String,
    pub roles: Vec<Opt>,
    pub primary: bool,
}

pub struct HoursInput {
    pub field: String,
    pub id: String,
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "merchant.html")]
struct DetailPage {
    c: Chrome,
    href: String,
    name: String,
    status: String,
    notice: Option<String>,
    facts: Vec<Fact>,
    contacts: Vec<ContactRow>,
    hours_stated: bool,
    hours: Vec<HoursRow>,
    can_manage: bool,
    version: String,
    form: MerchantForm,
    contact_lines: Vec<ContactLine>,
    contacts_error: Option<String>,
    hours_inputs: Vec<HoursInput>,
    hours_error: Option<String>,
}

fn parse_id(id: &str) -> ApiResult<MerchantId> {
    MerchantId::parse("id", id).map_err(|_| ApiError::NotFound)
}

fn role_options(tr: &Tr, current: &str) -> Vec<Opt> {
    ContactRole::ALL
        .iter()
        .map(|r| Opt::new(r.code(), contact_role_label(tr, r.code()), current))
        .collect()
}

/// The contacts form: every stored contact and blank lines to add more (up to the maximum).
fn stored_lines(tr: &Tr, m: &Merchant) -> Vec<ContactLine> {
    let n = (m.contacts.len() + 2).min(MAX_CONTACTS);
    (0..n)
        .map(|i| match m.contacts.get(i) {
            Some(c) => ContactLine {
                index: i,
                name: c.name.clone().unwrap_or_default(),
                phone: c.phone.clone(),
                roles: role_options(tr, &c.role),
                primary: c.primary,
            },
            None => ContactLine {
                index: i,
                name: String::new(),
                phone: String::new(),
                roles: role_options(tr, "other"),
                primary: false,
            },
        })
        .collect()
}

fn submitted_lines(tr: &Tr, f: &Fields) -> Vec<ContactLine> {
    let primary = f.get("primary");
    let filled = |i: usize| {
        !f.get(&format!("contact_name_{i}")).trim().is_empty()
            || !f.get(&format!("contact_phone_{i}")).trim().is_empty()
    };
    // The lines as typed, and one blank line more.
    let n = (0..MAX_CONTACTS)
        .rev()
        .find(|i| filled(*i))
        .map_or(2, |last| last + 2)
        .min(MAX_CONTACTS);
    (0..n)
        .map(|i| ContactLine {
            index: i,
            name: f.get(&format!("contact_name_{i}")).to_owned(),
            phone: f.get(&format!("contact_phone_{i}")).to_owned(),
            roles: role_options(tr, f.get(&format!("contact_role_{i}"))),
            primary: primary == i.to_string(),
        })
        .collect()
}

fn hours_inputs(tr: &Tr, value: impl Fn(Weekday) -> String) -> Vec<HoursInput> {
    Weekday::ALL
        .iter()
        .map(|d| HoursInput {
            field: format!("weekly.{}", d.as_str()),
            id: format!("merchant-hours-{}", d.as_str()),
            label: labels::weekday(tr, *d),
            value: value(*d),
        })
        .collect()
}

#[derive(Default)]
struct Extras {
    status: Option<StatusCode>,
    edit: Option<(Fields, String)>,
    contacts: Option<(Fields, String)>,
    hours: Option<(Fields, String)>,
    notice: Option<String>,
}

fn facts(tr: &Tr, m: &Merchant) -> Vec<Fact> {
    let id_label = match m.id_kind.as_deref() {
        Some("resident_id") => tr.t("merchant-field-owner-id"),
        _ => tr.t("field-uscc"),
    };
    vec![
        Fact {
            id: "fact-mid",
            label: tr.t("field-mid"),
            value: m.mid.clone(),
        },
        Fact {
            id: "fact-kind",
            label: tr.t("merchant-field-kind"),
            value: m
                .kind
                .as_deref()
                .map(|k| kind_label(tr, k))
                .unwrap_or_default(),
        },
        Fact {
            id: "fact-identity",
            label: id_label,
            value: m.id_number.clone().unwrap_or_default(),
        },
        Fact {
            id: "fact-risk",
            label: tr.t("merchant-field-risk"),
            value: m
                .risk_level
                .as_deref()
                .map(|r| risk_label(tr, r))
                .unwrap_or_default(),
        },
        Fact {
            id: "fact-division",
            label: tr.t("field-division-code"),
            value: m.division_code.clone().unwrap_or_default(),
        },
        Fact {
            id: "fact-address",
            label: tr.t("field-address"),
            value: m.address.clone().unwrap_or_default(),
        },
        Fact {
            id: "fact-created",
            label: tr.t("field-created"),
            value: m.created_at.to_shanghai_display(),
        },
    ]
}

async fn render_detail(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: MerchantId,
    x: Extras,
) -> Response {
    let tr = web.tr;
    let m = match service::directory::merchant(&user.ctx(state), id).await {
        Ok(m) => m,
        Err(e) => return web.fail(Some(user), &e),
    };
    let hours = match service::directory::business_hours(&m) {
        Ok(h) => h,
        Err(e) => return web.fail(Some(user), &e),
    };
    let form = match x.edit {
        Some((f, msg)) => submitted_form(&tr, &f, msg),
        None => stored_form(&tr, &m),
    };
    let (contact_lines, contacts_error) = match x.contacts {
        Some((f, msg)) => (submitted_lines(&tr, &f), Some(msg)),
        None => (stored_lines(&tr, &m), None),
    };
    let (hours_inputs, hours_error) = match x.hours {
        Some((f, msg)) => (
            hours_inputs(&tr, |d| f.get(&format!("weekly.{}", d.as_str())).to_owned()),
            Some(msg),
        ),
        None => (
            hours_inputs(&tr, |d| {
                hours
                    .as_ref()
                    .map(|h| h.day(d).to_string())
                    .unwrap_or_default()
            }),
            None,
        ),
    };
    let tpl = DetailPage {
        c: web.chrome(Some(user), m.name.clone()),
        href: format!("/merchants/{}", m.id),
        name: m.name.clone(),
        status: status_label(&tr, &m.status),
        notice: x.notice,
        facts: facts(&tr, &m),
        contacts: m
            .contacts
            .iter()
            .map(|c| ContactRow {
                name: c.name.clone().unwrap_or_default(),
                phone: c.phone.clone(),
                role: contact_role_label(&tr, &c.role),
                primary: c.primary,
            })
            .collect(),
        hours_stated: hours.is_some(),
        hours: hours
            .as_ref()
            .map(|h| {
                Weekday::ALL
                    .iter()
                    .map(|d| HoursRow {
                        day: labels::weekday(&tr, *d),
                        hours: labels::hours(&tr, h.day(*d)),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        can_manage: user.role().allows(Permission::MerchantManage),
        version: m.version.to_string(),
        form,
        contact_lines,
        contacts_error,
        hours_inputs,
        hours_error,
    };
    web.render(x.status.unwrap_or(StatusCode::OK), &tpl)
}

fn notice(tr: &Tr, q: &Fields) -> Option<String> {
    Some(match q.get("done") {
        "created" => tr.t("merchant-done-created"),
        "saved" => tr.t("merchant-done-saved"),
        "contacts" => tr.t("merchant-done-contacts"),
        "hours" => tr.t("merchant-done-hours"),
        _ => return None,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    Query(q): Query,
) -> Response {
    match parse_id(&id) {
        Ok(id) => {
            let x = Extras {
                notice: notice(&web.tr, &q),
                ..Extras::default()
            };
            render_detail(&state, &web, &user, id, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
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

/// After a failed post: the page again, the form as typed with its error.
async fn form_failed(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: MerchantId,
    e: &ApiError,
    put: impl FnOnce(&mut Extras, String),
) -> Response {
    if !is_form_error(e) {
        return web.fail(Some(user), e);
    }
    let mut x = Extras {
        status: Some(e.status()),
        ..Extras::default()
    };
    put(&mut x, error_message(&web.tr, e));
    render_detail(state, web, user, id, x).await
}

pub async fn save(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result: ApiResult<_> = async {
        let version = version_field(&f)?;
        // Blank identity fields keep the identity on file.
        let (uscc, owner_id) = match (opt(&f, "uscc"), opt(&f, "owner_id")) {
            (None, None) => (None, None),
            (u, o) => (Some(u), Some(o)),
        };
        let patch = MerchantPatch {
            name: Some(f.get("name").to_owned()),
            mid: Some(f.get("mid").trim().to_owned()),
            kind: Some(f.get("kind").to_owned()),
            uscc,
            owner_id,
            address: Some(opt(&f, "address")),
            division_code: Some(opt(&f, "division_code")),
            risk_level: Some(f.get("risk_level").to_owned()),
        };
        service::directory::update_merchant(&user.ctx(&state), id, patch, version).await
    }
    .await;
    match result {
        Ok(m) => web.redirect(&format!("/merchants/{}?done=saved", m.id)),
        Err(e) => {
            form_failed(&state, &web, &user, id, &e, |x, msg| {
                x.edit = Some((f, msg))
            })
            .await
        }
    }
}

/// The form's lines that were filled in, as the API's contacts, and for each its form line.
fn contacts_in(f: &Fields) -> (Vec<ContactIn>, Vec<usize>) {
    let primary = f.get("primary");
    let mut list = Vec::new();
    let mut lines = Vec::new();
    for i in 0..MAX_CONTACTS {
        let name = opt(f, &format!("contact_name_{i}"));
        let phone = f.get(&format!("contact_phone_{i}")).trim().to_owned();
        if name.is_none() && phone.is_empty() {
            continue;
        }
        list.push(ContactIn {
            name,
            phone,
            role: opt(f, &format!("contact_role_{i}")),
            primary: primary == i.to_string(),
        });
        lines.push(i);
    }
    (list, lines)
}

/// `contacts[k].x` of the filled-in lines → `contacts[line].x` of the form.
fn to_form_line(e: ApiError, lines: &[usize]) -> ApiError {
    match e {
        ApiError::Invalid(mut fe) => {
            if let Some((k, rest)) = fe
                .field
                .strip_prefix("contacts[")
                .and_then(|r| r.split_once(']'))
                && let Some(line) = k.parse::<usize>().ok().and_then(|k| lines.get(k))
            {
                fe.field = format!("contacts[{line}]{rest}");
            }
            ApiError::Invalid(fe)
        }
        other => other,
    }
}

pub async fn save_contacts(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let (list, lines) = contacts_in(&f);
    let result: ApiResult<_> = async {
        let version = version_field(&f)?;
        let contacts = parse_contact_list(&list).map_err(|e| to_form_line(e, &lines))?;
        service::directory::set_contacts(&user.ctx(&state), id, contacts, version).await
    }
    .await;
    match result {
        Ok(m) => web.redirect(&format!("/merchants/{}?done=contacts#contacts", m.id)),
        Err(e) => {
            form_failed(&state, &web, &user, id, &e, |x, msg| {
                x.contacts = Some((f, msg))
            })
            .await
        }
    }
}

pub async fn save_hours(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result: ApiResult<_> = async {
        let version = version_field(&f)?;
        let weekly: std::collections::BTreeMap<String, String> = Weekday::ALL
            .iter()
            .map(|d| {
                let field = format!("weekly.{}", d.as_str());
                (d.as_str().to_owned(), f.get(&field).trim().to_owned())
            })
            .collect();
        // Every day blank: the hours are not stated; a blank day among others is closed.
        let hours = if weekly.values().all(String::is_empty) {
            None
        } else {
            let w = crate::api::calendars::parse_weekly(&weekly)?;
            Some(posdesk_core::registry::merchant_details::BusinessHours::new(w))
        };
        service::directory::set_business_hours(&user.ctx(&state), id, hours, version).await
    }
    .await;
    match result {
        Ok(m) => web.redirect(&format!("/merchants/{}?done=hours#hours", m.id)),
        Err(e) => {
            form_failed(&state, &web, &user, id, &e, |x, msg| {
                x.hours = Some((f, msg))
            })
            .await
        }
    }
}

/// `GET /merchants/{id}/contacts|hours` (where the language switch returns to after a failed
/// post): the merchant's page.
pub async fn to_page(web: Web, _user: WebUser, Path(id): Path<String>) -> Response {
    match parse_id(&id) {
        Ok(id) => web.redirect(&format!("/merchants/{id}")),
        Err(e) => web.fail(None, &e),
    }
}
