//! Service points (服务网点, `/service-points`): the provider's points grouped by province, with
//! opening hours, skills and technicians; the create form; and each point's page
//! (`/service-points/{id}`) with its edit form, its year calendar (the provider's calendar with
//! the point's hours and its own date overrides on top) and the override forms.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::authz::{Permission, Role};
use posdesk_core::calendar::{LocalDate, Weekday, WeeklyHours};
use posdesk_core::ids::{ServicePointId, UserId};
use posdesk_core::page::PageRequest;
use posdesk_core::registry::DivisionCode;
use posdesk_core::registry::service_point::{Skill, province_name};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::service_points::ServicePoint;
use posdesk_storage::repo::users::Filter;

use super::calendar::{MonthGrid, OverrideForm, OverrideRow};
use super::kit::{Chrome, CsrfForm, Fields, Flash, Query, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::api::calendars::parse_override;
use crate::api::service_points::{ServicePointIn, parse_service_point};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::service;
use crate::service::calendars::{MAX_YEAR, MIN_YEAR, this_year};
use crate::state::AppState;

pub fn skill_label(tr: &Tr, code: &str) -> String {
    match code {
        "install" => tr.t("skill-install"),
        "hardware_repair" => tr.t("skill-hardware-repair"),
        "peripherals" => tr.t("skill-peripherals"),
        "software" => tr.t("skill-software"),
        "network" => tr.t("skill-network"),
        "training" => tr.t("skill-training"),
        "mail_in" => tr.t("skill-mail-in"),
        other => other.to_owned(),
    }
}

/// A checkbox or multi-select entry.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct HoursInput {
    pub field: String,
    pub id: String,
    pub label: String,
    pub value: String,
}

/// The create/edit form as stored or as typed.
pub struct PointForm {
    pub name: String,
    pub division_code: String,
    pub address: String,
    pub hours: Vec<HoursInput>,
    pub skills: Vec<Choice>,
    pub technicians: Vec<Choice>,
    pub active: bool,
    pub version: String,
    pub error: Option<String>,
}

pub struct PointRow {
    pub id: String,
    pub href: String,
    pub name: String,
    pub division_code: String,
    pub address: String,
    pub active: bool,
    pub hours: Vec<(String, String)>,
    pub skills: Vec<String>,
    pub technicians: Vec<String>,
}

pub struct Region {
    pub id: String,
    pub name: String,
    pub points: Vec<PointRow>,
}

#[derive(Template)]
#[template(path = "service_points.html")]
struct ListPage {
    c: Chrome,
    regions: Vec<Region>,
    can_manage: bool,
    form: PointForm,
}

#[derive(Template)]
#[template(path = "service_point.html")]
struct DetailPage {
    c: Chrome,
    point: PointRow,
    can_manage: bool,
    form: PointForm,
    year: i32,
    heading: String,
    prev_link: Option<String>,
    next_link: Option<String>,
    weekday_heads: Vec<String>,
    months: Vec<MonthGrid>,
    overrides: Vec<OverrideRow>,
    override_form: OverrideForm,
    override_action: String,
}

/// The provider's technicians (id → name) for those who may read users; others see none.
async fn technicians(ctx: &service::Ctx<'_>, role: Role) -> Vec<(UserId, String)> {
    if !role.allows(Permission::UserRead) {
        return Vec::new();
    }
    let filter = Filter {
        tenant: None,
        role: Some(Role::Technician),
    };
    match service::users::list(
        ctx,
        filter,
        PageRequest::first(posdesk_core::page::MAX_LIMIT),
    )
    .await
    {
        Ok(page) => page
            .items
            .into_iter()
            .map(|u| (u.id, format!("{} ({})", u.display_name, u.login)))
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn hours_inputs(tr: &Tr, value: impl Fn(Weekday) -> String) -> Vec<HoursInput> {
    Weekday::ALL
        .iter()
        .map(|d| HoursInput {
            field: format!("weekly.{}", d.as_str()),
            id: format!("sp-hours-{}", d.as_str()),
            label: labels::weekday(tr, *d),
            value: value(*d),
        })
        .collect()
}

fn skill_choices(tr: &Tr, chosen: &[&str]) -> Vec<Choice> {
    Skill::ALL
        .iter()
        .map(|s| Choice {
            value: s.code().to_owned(),
            label: skill_label(tr, s.code()),
            checked: chosen.contains(&s.code()),
        })
        .collect()
}

fn technician_choices(all: &[(UserId, String)], chosen: &[String]) -> Vec<Choice> {
    all.iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name.clone(),
            checked: chosen.contains(&id.to_string()),
        })
        .collect()
}

fn empty_form(tr: &Tr, techs: &[(UserId, String)]) -> PointForm {
    let std = WeeklyHours::standard();
    PointForm {
        name: String::new(),
        division_code: String::new(),
        address: String::new(),
        hours: hours_inputs(tr, |d| std.get(d).to_string()),
        skills: skill_choices(tr, &[]),
        technicians: technician_choices(techs, &[]),
        active: true,
        version: String::new(),
        error: None,
    }
}

fn stored_form(tr: &Tr, sp: &ServicePoint, techs: &[(UserId, String)]) -> ApiResult<PointForm> {
    let weekly = service::calendars::weekly_from_text(&sp.weekly)?;
    let skills: Vec<&str> = sp.skills.iter().map(String::as_str).collect();
    let chosen: Vec<String> = sp.technicians.iter().map(ToString::to_string).collect();
    Ok(PointForm {
        name: sp.name.clone(),
        division_code: sp.division_code.clone(),
        address: sp.address.clone(),
        hours: hours_inputs(tr, |d| weekly.get(d).to_string()),
        skills: skill_choices(tr, &skills),
        technicians: technician_choices(techs, &chosen),
        active: sp.active,
        version: sp.version.to_string(),
        error: None,
    })
}

fn submitted_form(tr: &Tr, f: &Fields, techs: &[(UserId, String)], error: String) -> PointForm {
    let chosen: Vec<String> = f
        .all("technicians")
        .into_iter()
        .map(str::to_owned)
        .collect();
    PointForm {
        name: f.get("name").to_owned(),
        division_code: f.get("division_code").to_owned(),
        address: f.get("address").to_owned(),
        hours: hours_inputs(tr, |d| f.get(&format!("weekly.{}", d.as_str())).to_owned()),
        skills: skill_choices(tr, &f.all("skills")),
        technicians: technician_choices(techs, &chosen),
        active: f.checked("active"),
        version: f.get("version").to_owned(),
        error: Some(error),
    }
}

/// The form's fields as the API's body; `create` forms are always active.
fn point_in(f: &Fields, create: bool) -> ServicePointIn {
    let weekly: BTreeMap<String, String> = Weekday::ALL
        .iter()
        .map(|d| {
            (
                d.as_str().to_owned(),
                f.get(&format!("weekly.{}", d.as_str())).to_owned(),
            )
        })
        .collect();
    ServicePointIn {
        name: f.get("name").to_owned(),
        division_code: f.get("division_code").trim().to_owned(),
        address: f.get("address").to_owned(),
        weekly: Some(weekly),
        skills: f.all("skills").into_iter().map(str::to_owned).collect(),
        technicians: f
            .all("technicians")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        active: Some(create || f.checked("active")),
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

fn province_of(code: &str) -> (String, String) {
    match DivisionCode::parse("division_code", code) {
        Ok(d) => {
            let p = d.province();
            let name = province_name(&d).map_or_else(|| p.as_str().to_owned(), str::to_owned);
            (p.as_str().to_owned(), name)
        }
        Err(_) => (code.to_owned(), code.to_owned()),
    }
}

fn row(tr: &Tr, sp: &ServicePoint, names: &HashMap<UserId, String>) -> PointRow {
    let weekly = service::calendars::weekly_from_text(&sp.weekly).ok();
    PointRow {
        id: format!("sp-{}", sp.id),
        href: format!("/service-points/{}", sp.id),
        name: sp.name.clone(),
        division_code: sp.division_code.clone(),
        address: sp.address.clone(),
        active: sp.active,
        hours: weekly
            .map(|w| {
                Weekday::ALL
                    .iter()
                    .map(|d| (labels::weekday_short(tr, *d), labels::hours(tr, w.get(*d))))
                    .collect()
            })
            .unwrap_or_default(),
        skills: sp.skills.iter().map(|s| skill_label(tr, s)).collect(),
        // Names for those who may read users; a count for the others.
        technicians: if names.is_empty() && !sp.technicians.is_empty() {
            vec![tr.ta(
                "service-point-technician-count",
                &[("count", sp.technicians.len().to_string())],
            )]
        } else {
            sp.technicians
                .iter()
                .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string()))
                .collect()
        },
    }
}

/// Consecutive points of one province under one heading (the list is ordered by division).
fn regions(tr: &Tr, points: &[ServicePoint], names: &HashMap<UserId, String>) -> Vec<Region> {
    let mut out: Vec<Region> = Vec::new();
    for sp in points {
        let (code, name) = province_of(&sp.division_code);
        let id = format!("region-{code}");
        match out.last_mut() {
            Some(r) if r.id == id => r.points.push(row(tr, sp, names)),
            _ => out.push(Region {
                id,
                name,
                points: vec![row(tr, sp, names)],
            }),
        }
    }
    out
}

async fn render_list(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    input: Option<(&Fields, String, StatusCode)>,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let points = match service::service_points::list(&ctx, false).await {
        Ok(p) => p,
        Err(e) => return web.fail(Some(user), &e),
    };
    let techs = technicians(&ctx, user.role()).await;
    let names: HashMap<UserId, String> = techs.iter().cloned().collect();
    let (form, status) = match input {
        Some((f, msg, status)) => (submitted_form(&tr, f, &techs, msg), status),
        None => (empty_form(&tr, &techs), StatusCode::OK),
    };
    let tpl = ListPage {
        c: web.chrome(Some(user), tr.t("service-points-title")),
        regions: regions(&tr, &points, &names),
        can_manage: user.role().allows(Permission::ServicePointManage),
        form,
    };
    web.render(status, &tpl)
}

pub async fn list(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    render_list(&state, &web, &user, None).await
}

pub async fn create(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result: ApiResult<_> = async {
        let input = parse_service_point(point_in(&f, true))?;
        service::service_points::create(&user.ctx(&state), input).await
    }
    .await;
    match result {
        Ok(sp) => web.redirect_flash(
            &format!("/service-points#sp-{}", sp.id),
            Flash::ServicePointCreated,
        ),
        Err(e) if is_form_error(&e) => {
            let msg = labels::error_message(&web.tr, &e);
            render_list(&state, &web, &user, Some((&f, msg, e.status()))).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

// ---- One service point ------------------------------------------------------------------------

/// `?year=` or the form's hidden `year`: within 2000–2100, else this year.
fn year_of(f: &Fields) -> i32 {
    f.opt("year")
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
        .unwrap_or_else(this_year)
}

fn parse_id(id: &str) -> ApiResult<ServicePointId> {
    ServicePointId::parse("id", id).map_err(|_| ApiError::NotFound)
}

fn detail_link(id: ServicePointId, year: i32) -> String {
    format!("/service-points/{id}?year={year}")
}

#[derive(Default)]
struct Extras {
    status: Option<StatusCode>,
    /// The edit form as typed, with its error.
    edit: Option<(Fields, String)>,
    override_error: Option<String>,
    override_input: Option<(String, String, String, String)>,
}

async fn render_detail(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: ServicePointId,
    year: i32,
    x: Extras,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let sp = match service::service_points::get(&ctx, id).await {
        Ok(sp) => sp,
        Err(e) => return web.fail(Some(user), &e),
    };
    let views = match service::calendars::service_point_days(&ctx, id, year).await {
        Ok(v) => v,
        Err(e) => return web.fail(Some(user), &e),
    };
    let overrides = match service::calendars::service_point_overrides(&ctx, id).await {
        Ok(o) => o,
        Err(e) => return web.fail(Some(user), &e),
    };
    let techs = technicians(&ctx, user.role()).await;
    let names: HashMap<UserId, String> = techs.iter().cloned().collect();
    let form = match x.edit {
        Some((f, msg)) => submitted_form(&tr, &f, &techs, msg),
        None => match stored_form(&tr, &sp, &techs) {
            Ok(f) => f,
            Err(e) => return web.fail(Some(user), &e),
        },
    };
    let base = format!("/service-points/{id}/overrides");
    let (od, or, oh, on) = x.override_input.unwrap_or_else(|| {
        (
            String::new(),
            "closed".to_owned(),
            String::new(),
            String::new(),
        )
    });
    let today = LocalDate::of_timestamp(posdesk_storage::now());
    let link_to = |y: i32| {
        (MIN_YEAR..=MAX_YEAR)
            .contains(&y)
            .then(|| detail_link(id, y))
    };
    let tpl = DetailPage {
        c: web.chrome(Some(user), sp.name.clone()),
        point: row(&tr, &sp, &names),
        can_manage: user.role().allows(Permission::ServicePointManage),
        form,
        year,
        heading: tr.ta("calendar-year", &[("year", year.to_string())]),
        prev_link: link_to(year - 1),
        next_link: link_to(year + 1),
        weekday_heads: super::calendar::weekday_heads(&tr),
        months: super::calendar::month_grids(&tr, year, &views, today),
        overrides: super::calendar::override_rows(&tr, &overrides, &base),
        override_form: OverrideForm {
            date: od,
            rules: super::calendar::rule_options(&tr, &or),
            hours: oh,
            note: on,
            error: x.override_error,
        },
        override_action: base,
    };
    web.render(x.status.unwrap_or(StatusCode::OK), &tpl)
}

pub async fn detail(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    Query(q): Query,
) -> Response {
    match parse_id(&id) {
        Ok(id) => render_detail(&state, &web, &user, id, year_of(&q), Extras::default()).await,
        Err(e) => web.fail(Some(&user), &e),
    }
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
    let year = year_of(&f);
    let result: ApiResult<_> = async {
        let input = parse_service_point(point_in(&f, false))?;
        let version = version_field(&f)?;
        service::service_points::update(&user.ctx(&state), id, input, version).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash(&detail_link(id, year), Flash::ServicePointSaved),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                edit: Some((f, labels::error_message(&web.tr, &e))),
                ..Extras::default()
            };
            render_detail(&state, &web, &user, id, year, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn set_override(
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
        let day = parse_override(
            f.get("date").trim(),
            f.get("rule"),
            f.opt("hours"),
            f.opt("note"),
        )?;
        let year = day.date.year();
        service::calendars::change_service_point_day(&user.ctx(&state), id, Some(day), None)
            .await?;
        Ok(year)
    }
    .await;
    match result {
        Ok(year) => web.redirect_flash(&detail_link(id, year), Flash::CalendarOverrideSaved),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                override_error: Some(labels::error_message(&web.tr, &e)),
                override_input: Some((
                    f.get("date").to_owned(),
                    f.get("rule").to_owned(),
                    f.get("hours").to_owned(),
                    f.get("note").to_owned(),
                )),
                ..Extras::default()
            };
            render_detail(&state, &web, &user, id, year_of(&f), x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn remove_override(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path((id, date)): Path<(String, String)>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let (Ok(id), Ok(date)) = (parse_id(&id), LocalDate::parse(&date)) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    match service::calendars::change_service_point_day(&user.ctx(&state), id, None, Some(date))
        .await
    {
        Ok(_) => web.redirect_flash(
            &detail_link(id, date.year()),
            Flash::CalendarOverrideRemoved,
        ),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                override_error: Some(labels::error_message(&web.tr, &e)),
                ..Extras::default()
            };
            render_detail(&state, &web, &user, id, year_of(&f), x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}
