//! The provider's working-day calendar (`/calendar`): a year's month grids as the clocks see
//! them (weekly hours, national holidays and 调休 make-up days, the provider's own overrides),
//! the weekly hours form, date overrides, CSV/iCalendar import and export; and the national
//! arrangements in force (`/holidays`), which the platform admin loads year by year.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::authz::Permission;
use posdesk_core::calendar::{LocalDate, Weekday};
use posdesk_core::ids::UserId;
use posdesk_core::{FieldError, Rule};

use super::kit::{Chrome, CsrfForm, CsrfMultipart, Fields, Flash, Opt, Query, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::api::calendars::{parse_override, parse_weekly};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::service;
use crate::service::calendars::{DayOverrideView, DayView, ExportFormat};
use crate::state::AppState;

use crate::service::calendars::{MAX_YEAR, MIN_YEAR, this_year};

/// One day of a month grid.
pub struct DayCell {
    pub day: u32,
    /// `day-YYYY-MM-DD`.
    pub id: String,
    /// `day day-work|day-off r-<reason>` plus `day-prov` and `today` where they apply.
    pub class: String,
    /// The tooltip: date, work or off, why, hours.
    pub title: String,
    /// 休 or 班 on national and provider days (empty on plain weekly days).
    pub mark: String,
}

pub struct MonthGrid {
    pub id: String,
    pub name: String,
    pub weeks: Vec<Vec<Option<DayCell>>>,
}

/// A run of consecutive days with the same reason, for the list under the grid.
pub struct SpecialDays {
    pub dates: String,
    pub off: bool,
    pub kind: String,
    pub what: String,
}

pub struct WeeklyRow {
    /// The form field: `weekly.mon` … `weekly.sun`.
    pub field: String,
    pub id: String,
    pub label: String,
    /// As the input shows it (`08:00-18:00` or `closed`).
    pub value: String,
    /// As people read it.
    pub display: String,
}

pub struct OverrideRow {
    pub id: String,
    pub date: String,
    pub weekday: String,
    pub rule: String,
    pub hours: String,
    pub note: String,
    pub remove_action: String,
}

pub struct HoursForm {
    pub rows: Vec<WeeklyRow>,
    pub makeup: Vec<Opt>,
    pub makeup_label: String,
    pub version: String,
    pub error: Option<String>,
}

pub struct OverrideForm {
    pub date: String,
    pub rules: Vec<Opt>,
    pub hours: String,
    pub note: String,
    pub error: Option<String>,
}

pub struct ImportForm {
    pub content: String,
    pub replace: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    c: Chrome,
    year: i32,
    heading: String,
    prev_link: Option<String>,
    next_link: Option<String>,
    today_link: Option<String>,
    warning: Option<String>,
    weekday_heads: Vec<String>,
    months: Vec<MonthGrid>,
    special: Vec<SpecialDays>,
    special_title: String,
    can_manage: bool,
    hours: HoursForm,
    overrides: Vec<OverrideRow>,
    override_form: OverrideForm,
    import: ImportForm,
    override_action: String,
}

/// What a POST wants shown besides the fresh state: the section's error and the kept input.
#[derive(Default)]
struct Extras {
    status: Option<StatusCode>,
    hours_error: Option<String>,
    /// The submitted weekly hours (field → text) and make-up weekday, version.
    hours_input: Option<(BTreeMap<String, String>, String, String)>,
    override_error: Option<String>,
    override_input: Option<(String, String, String, String)>,
    import_error: Option<String>,
    import_input: Option<(String, bool)>,
}

fn year_link(year: i32) -> String {
    format!("/calendar?year={year}")
}

/// `?year=` or the hidden `year` field of a form: a number, else the current year.
fn year_of(f: &Fields) -> Result<i32, ApiError> {
    match f.opt("year") {
        None => Ok(this_year()),
        Some(y) => y.parse::<i32>().map_err(|_| {
            ApiError::invalid(
                "year",
                Rule::Range {
                    min: i64::from(MIN_YEAR),
                    max: i64::from(MAX_YEAR),
                },
            )
        }),
    }
}

/// The year a form came from, for the page it returns to (out of range: this year).
fn form_year(f: &Fields) -> i32 {
    year_of(f)
        .ok()
        .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
        .unwrap_or_else(this_year)
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

fn date_label(tr: &Tr, d: LocalDate) -> String {
    tr.ta(
        "day-date",
        &[
            ("date", d.to_string()),
            ("weekday", labels::weekday(tr, d.weekday())),
        ],
    )
}

/// Why a day is what it is, in words (without the date and hours).
fn reason_text(tr: &Tr, v: &DayView) -> String {
    let off = v.kind == "off";
    let name = labels::holiday_name(tr, &v.note);
    match v.reason {
        "holiday" => tr.ta("day-reason-holiday", &[("name", name)]),
        "make_up_workday" => tr.ta("day-reason-makeup", &[("name", name)]),
        "provisional_holiday" => tr.ta("day-reason-provisional-holiday", &[("name", name)]),
        "override" if v.note.is_empty() => tr.t("day-reason-override"),
        "override" => tr.ta("day-reason-override-note", &[("note", v.note.clone())]),
        _ if off => tr.t("day-reason-weekly-off"),
        _ => tr.t("day-reason-weekly-work"),
    }
}

fn kind_text(tr: &Tr, off: bool) -> String {
    if off {
        tr.t("day-kind-off")
    } else {
        tr.t("day-kind-work")
    }
}

fn cell(tr: &Tr, v: &DayView, today: Option<LocalDate>) -> DayCell {
    let off = v.kind == "off";
    let reason_class = match v.reason {
        "holiday" => "r-holiday",
        "make_up_workday" => "r-makeup",
        "provisional_holiday" => "r-provisional",
        "override" => "r-override",
        _ => "r-weekly",
    };
    let mark = match v.reason {
        "weekly" => String::new(),
        _ if off => tr.t("day-mark-off"),
        _ => tr.t("day-mark-work"),
    };
    let mut class = format!(
        "day {} {reason_class}",
        if off { "day-off" } else { "day-work" }
    );
    if v.provisional {
        class.push_str(" day-prov");
    }
    if today == Some(v.date) {
        class.push_str(" today");
    }
    let hours = if v.hours.is_closed() {
        tr.t("hours-closed")
    } else {
        tr.ta("day-hours", &[("hours", labels::hours(tr, &v.hours))])
    };
    let mut title = vec![
        date_label(tr, v.date),
        format!("{} · {}", kind_text(tr, off), reason_text(tr, v)),
        hours,
    ];
    if v.provisional {
        title.push(tr.t("day-provisional"));
    }
    DayCell {
        day: v.date.day(),
        id: format!("day-{}", v.date),
        class,
        title: title.join("\n"),
        mark,
    }
}

pub(super) fn month_grids(
    tr: &Tr,
    year: i32,
    views: &[DayView],
    today: Option<LocalDate>,
) -> Vec<MonthGrid> {
    let mut cells: Vec<Vec<Option<DayCell>>> = (0..12).map(|_| Vec::new()).collect();
    for v in views {
        let Some(month) = (v.date.month() as usize)
            .checked_sub(1)
            .and_then(|m| cells.get_mut(m))
        else {
            continue;
        };
        if month.is_empty() {
            month.extend((0..v.date.weekday().index()).map(|_| None));
        }
        month.push(Some(cell(tr, v, today)));
    }
    cells
        .into_iter()
        .zip(1u32..)
        .map(|(mut days, m)| {
            while days.len() % 7 != 0 {
                days.push(None);
            }
            let mut weeks = Vec::new();
            let mut it = days.into_iter().peekable();
            while it.peek().is_some() {
                weeks.push(it.by_ref().take(7).collect());
            }
            MonthGrid {
                id: format!("month-{year}-{m:02}"),
                name: labels::month(tr, m),
                weeks,
            }
        })
        .collect()
}

/// The year's national and provider days (not plain weekly ones), consecutive days with the
/// same reason merged into one line.
fn special_days(tr: &Tr, views: &[DayView]) -> Vec<SpecialDays> {
    let mut runs: Vec<(LocalDate, LocalDate, &DayView)> = Vec::new();
    for v in views.iter().filter(|v| v.reason != "weekly") {
        if let Some(last) = runs.last_mut() {
            let same = last.2.kind == v.kind && last.2.reason == v.reason && last.2.note == v.note;
            if same && last.1.succ() == Some(v.date) {
                last.1 = v.date;
                continue;
            }
        }
        runs.push((v.date, v.date, v));
    }
    runs.into_iter()
        .map(|(from, to, v)| {
            let off = v.kind == "off";
            let dates = if from == to {
                date_label(tr, from)
            } else {
                tr.ta(
                    "date-range",
                    &[
                        ("from", date_label(tr, from)),
                        ("to", date_label(tr, to)),
                        ("count", (to.days() - from.days() + 1).to_string()),
                    ],
                )
            };
            SpecialDays {
                dates,
                off,
                kind: kind_text(tr, off),
                what: reason_text(tr, v),
            }
        })
        .collect()
}

fn list_sep(tr: &Tr, items: &[i32]) -> String {
    items
        .iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(&tr.t("list-separator"))
}

/// The grid's column heads, Monday first.
pub(super) fn weekday_heads(tr: &Tr) -> Vec<String> {
    Weekday::ALL
        .iter()
        .map(|d| labels::weekday_short(tr, *d))
        .collect()
}

/// A layer's overrides as table rows; each removes itself at `{base}/{date}/remove`.
pub(super) fn override_rows(
    tr: &Tr,
    overrides: &[DayOverrideView],
    base: &str,
) -> Vec<OverrideRow> {
    overrides
        .iter()
        .map(|o| OverrideRow {
            id: format!("override-{}", o.date),
            date: o.date.to_string(),
            weekday: labels::weekday(tr, o.date.weekday()),
            rule: labels::day_rule(tr, &o.rule),
            hours: match &o.rule {
                posdesk_core::calendar::DayOverride::Hours(h) => labels::hours(tr, h),
                _ => String::new(),
            },
            note: o.note.clone(),
            remove_action: format!("{base}/{}/remove", o.date),
        })
        .collect()
}

fn makeup_options(tr: &Tr, current: &str) -> Vec<Opt> {
    Weekday::ALL
        .iter()
        .map(|d| Opt::new(d.as_str(), labels::weekday(tr, *d), current))
        .collect()
}

pub(super) fn rule_options(tr: &Tr, current: &str) -> Vec<Opt> {
    vec![
        Opt::new("closed", tr.t("day-rule-closed"), current),
        Opt::new("open", tr.t("day-rule-open"), current),
        Opt::new("hours", tr.t("day-rule-hours"), current),
    ]
}

async fn render(state: &AppState, web: &Web, user: &WebUser, year: i32, x: Extras) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let cal = match service::calendars::get(&ctx).await {
        Ok(c) => c,
        Err(e) => return web.fail(Some(user), &e),
    };
    let views = match service::calendars::days(&ctx, year).await {
        Ok(v) => v,
        Err(e) => return web.fail(Some(user), &e),
    };
    let can_manage = user.role().allows(Permission::CalendarManage);
    let today = LocalDate::of_timestamp(posdesk_storage::now());

    // This year and next when unloaded (from the service), and the year shown: all its days
    // are provisional when it is unloaded; only 26–31 December when the next one is.
    let mut missing = cal.missing_years.clone();
    match (views.first(), views.last()) {
        (Some(first), _) if first.provisional => missing.push(year),
        (_, Some(last)) if last.provisional => missing.push(year + 1),
        _ => {}
    }
    missing.sort_unstable();
    missing.dedup();
    let warning = (!missing.is_empty()).then(|| {
        tr.ta(
            "calendar-missing-years",
            &[("years", list_sep(&tr, &missing))],
        )
    });

    let (weekly_input, makeup_current, version) = match x.hours_input {
        Some((m, mk, v)) => (Some(m), mk, v),
        None => (
            None,
            cal.makeup_weekday.as_str().to_owned(),
            cal.version.to_string(),
        ),
    };
    let rows = cal
        .weekly
        .iter()
        .map(|(d, h)| {
            let field = format!("weekly.{}", d.as_str());
            let value = weekly_input
                .as_ref()
                .and_then(|m| m.get(&field).cloned())
                .unwrap_or_else(|| h.to_string());
            WeeklyRow {
                id: format!("hours-{}", d.as_str()),
                field,
                label: labels::weekday(&tr, *d),
                value,
                display: labels::hours(&tr, h),
            }
        })
        .collect();
    let hours = HoursForm {
        rows,
        makeup_label: labels::weekday(&tr, cal.makeup_weekday),
        makeup: makeup_options(&tr, &makeup_current),
        version,
        error: x.hours_error,
    };

    let overrides = override_rows(&tr, &cal.overrides, "/calendar/overrides");
    let (od, or, oh, on) = x.override_input.unwrap_or_else(|| {
        (
            String::new(),
            "closed".to_owned(),
            String::new(),
            String::new(),
        )
    });
    let override_form = OverrideForm {
        date: od,
        rules: rule_options(&tr, &or),
        hours: oh,
        note: on,
        error: x.override_error,
    };
    let (content, replace) = x.import_input.unwrap_or_default();
    let import = ImportForm {
        content,
        replace,
        error: x.import_error,
    };

    let link_to = |y: i32| (MIN_YEAR..=MAX_YEAR).contains(&y).then(|| year_link(y));
    let current = this_year();
    let tpl = CalendarPage {
        c: web.chrome(Some(user), tr.t("calendar-title")),
        year,
        heading: tr.ta("calendar-year", &[("year", year.to_string())]),
        prev_link: link_to(year - 1),
        next_link: link_to(year + 1),
        today_link: (year != current).then(|| year_link(current)),
        warning,
        weekday_heads: weekday_heads(&tr),
        months: month_grids(&tr, year, &views, today),
        special: special_days(&tr, &views),
        special_title: tr.ta("calendar-special-days", &[("year", year.to_string())]),
        can_manage,
        hours,
        overrides,
        override_form,
        import,
        override_action: "/calendar/overrides".to_owned(),
    };
    web.render(x.status.unwrap_or(StatusCode::OK), &tpl)
}

pub async fn page(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    match year_of(&q) {
        Ok(year) => render(&state, &web, &user, year, Extras::default()).await,
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// A form error's message; a week without any hours gets its own explanation.
fn form_message(tr: &Tr, e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) if f.field == "weekly" => tr.t("calendar-error-no-hours"),
        _ => labels::error_message(tr, e),
    }
}

pub async fn set_hours(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let year = form_year(&f);
    let weekly: BTreeMap<String, String> = Weekday::ALL
        .iter()
        .map(|d| {
            let field = format!("weekly.{}", d.as_str());
            let value = f.get(&field).to_owned();
            (field, value)
        })
        .collect();
    let result: ApiResult<_> = async {
        let by_day: BTreeMap<String, String> = weekly
            .iter()
            .map(|(k, v)| (k.trim_start_matches("weekly.").to_owned(), v.clone()))
            .collect();
        let hours = parse_weekly(&by_day)?;
        let makeup = f.get("makeup_weekday").parse::<Weekday>().map_err(|_| {
            FieldError::new(
                "makeup_weekday",
                Rule::OneOf {
                    allowed: vec!["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                },
            )
        })?;
        let version = version_field(&f)?;
        service::calendars::set_hours(&user.ctx(&state), hours, makeup, version).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash(&year_link(year), Flash::CalendarHoursSaved),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                hours_error: Some(form_message(&web.tr, &e)),
                hours_input: Some((
                    weekly,
                    f.get("makeup_weekday").to_owned(),
                    f.get("version").to_owned(),
                )),
                ..Extras::default()
            };
            render(&state, &web, &user, year, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn set_override(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result: ApiResult<_> = async {
        let day = parse_override(
            f.get("date").trim(),
            f.get("rule"),
            f.opt("hours"),
            f.opt("note"),
        )?;
        let year = day.date.year();
        service::calendars::set_day(&user.ctx(&state), day).await?;
        Ok(year)
    }
    .await;
    match result {
        Ok(year) => web.redirect_flash(&year_link(year), Flash::CalendarOverrideSaved),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                override_error: Some(form_message(&web.tr, &e)),
                override_input: Some((
                    f.get("date").to_owned(),
                    f.get("rule").to_owned(),
                    f.get("hours").to_owned(),
                    f.get("note").to_owned(),
                )),
                ..Extras::default()
            };
            render(&state, &web, &user, form_year(&f), x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn remove_override(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(date): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(date) = LocalDate::parse(&date) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    match service::calendars::remove_day(&user.ctx(&state), date).await {
        Ok(_) => web.redirect_flash(&year_link(date.year()), Flash::CalendarOverrideRemoved),
        // Removed meanwhile (another tab, another admin): say so on the page.
        Err(ApiError::NotFound) => {
            let x = Extras {
                status: Some(StatusCode::NOT_FOUND),
                override_error: Some(
                    web.tr
                        .ta("calendar-override-gone", &[("date", date.to_string())]),
                ),
                ..Extras::default()
            };
            render(&state, &web, &user, form_year(&f), x).await
        }
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                override_error: Some(form_message(&web.tr, &e)),
                ..Extras::default()
            };
            render(&state, &web, &user, form_year(&f), x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn import(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    form: CsrfMultipart,
) -> Response {
    let f = &form.fields;
    let year = form_year(f);
    let replace = f.checked("replace");
    let pasted = f.get("content").to_owned();
    let text = match form.file("file") {
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(t) => t.to_owned(),
            Err(_) => {
                let x = Extras {
                    status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                    import_error: Some(web.tr.t("calendar-import-not-utf8")),
                    import_input: Some((pasted, replace)),
                    ..Extras::default()
                };
                return render(&state, &web, &user, year, x).await;
            }
        },
        None => pasted.clone(),
    };
    match service::calendars::import(&user.ctx(&state), &text, replace).await {
        Ok(c) => web.redirect_flash(
            &year_link(year),
            Flash::CalendarImported {
                added: c.added,
                replaced: c.replaced,
                removed: c.removed,
                unchanged: c.unchanged,
            },
        ),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                import_error: Some(form_message(&web.tr, &e)),
                import_input: Some((pasted, replace)),
                ..Extras::default()
            };
            render(&state, &web, &user, year, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

async fn export(state: AppState, web: Web, user: WebUser, format: ExportFormat) -> Response {
    let text = match service::calendars::export(&user.ctx(&state), format).await {
        Ok(t) => t,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let (content_type, name) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "posdesk-calendar.csv"),
        ExportFormat::Ical => ("text/calendar; charset=utf-8", "posdesk-calendar.ics"),
    };
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

pub async fn export_csv(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    export(state, web, user, ExportFormat::Csv).await
}

pub async fn export_ics(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    export(state, web, user, ExportFormat::Ical).await
}

// ---- National years ---------------------------------------------------------------------------

/// The format, briefly: what a pasted year looks like.
const SCHEDULE_SAMPLE: &str = "year 2027
source 国办发明电〔2026〕N号 国务院办公厅关于2027年部分节假日安排的通知
off 2027-01-01 元旦 New Year's Day
off 2027-02-06..2027-02-13 春节 Spring Festival
work 2027-02-20 春节 Spring Festival";

pub struct YearRow {
    pub id: String,
    pub year: i32,
    pub loaded: bool,
    pub origin: String,
    pub sources: Vec<String>,
    pub days_off: usize,
    pub make_up_days: usize,
    pub loaded_by: String,
    pub loaded_at: String,
}

#[derive(Template)]
#[template(path = "holidays.html")]
struct HolidaysPage {
    c: Chrome,
    rows: Vec<YearRow>,
    warning: Option<String>,
    can_manage: bool,
    sample: &'static str,
    schedule: String,
    error: Option<String>,
}

/// Who loaded a year, as this reader may know them: a user's name where they may read that
/// user, else the recorded id.
async fn loaded_by(ctx: &service::Ctx<'_>, may_read_users: bool, id: &str) -> String {
    if may_read_users
        && let Ok(uid) = UserId::parse("loaded_by", id)
        && let Ok(u) = service::users::get(ctx, uid).await
    {
        return format!("{} ({})", u.display_name, u.login);
    }
    id.to_owned()
}

async fn render_holidays(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    schedule: String,
    error: Option<(StatusCode, String)>,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let national = match service::calendars::holiday_years(&ctx).await {
        Ok(n) => n,
        Err(e) => return web.fail(Some(user), &e),
    };
    let can_manage = user.role().allows(Permission::HolidayManage);
    let may_read_users = user.role().allows(Permission::UserRead);
    let mut rows = Vec::with_capacity(national.years.len());
    for y in national.years.into_iter().rev() {
        let loaded = y.origin == "loaded";
        let by = match &y.loaded_by {
            Some(id) => loaded_by(&ctx, may_read_users, id).await,
            None => String::new(),
        };
        rows.push(YearRow {
            id: format!("year-{}", y.year),
            year: y.year,
            loaded,
            origin: if loaded {
                tr.t("holidays-origin-loaded")
            } else {
                tr.t("holidays-origin-builtin")
            },
            sources: y.sources,
            days_off: y.days_off,
            make_up_days: y.make_up_days,
            loaded_by: by,
            loaded_at: y
                .loaded_at
                .map(|t| t.to_shanghai_display())
                .unwrap_or_default(),
        });
    }
    let warning = (!national.missing.is_empty()).then(|| {
        let years = list_sep(&tr, &national.missing);
        if can_manage {
            tr.ta("holidays-missing-manage", &[("years", years)])
        } else {
            tr.ta("holidays-missing", &[("years", years)])
        }
    });
    let (status, error) = match error {
        Some((s, m)) => (s, Some(m)),
        None => (StatusCode::OK, None),
    };
    let tpl = HolidaysPage {
        c: web.chrome(Some(user), tr.t("holidays-title")),
        rows,
        warning,
        can_manage,
        sample: SCHEDULE_SAMPLE,
        schedule,
        error,
    };
    web.render(status, &tpl)
}

pub async fn holidays(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    render_holidays(&state, &web, &user, String::new(), None).await
}

pub async fn load_holidays(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let text = f.get("schedule").to_owned();
    match service::calendars::load_holiday_years(&user.ctx(&state), &text).await {
        Ok(years) => {
            let from = years.iter().map(|y| y.year).min().unwrap_or_default();
            let to = years.iter().map(|y| y.year).max().unwrap_or_default();
            let (Ok(from), Ok(to)) = (i32::try_from(from), i32::try_from(to)) else {
                return web.redirect("/holidays");
            };
            web.redirect_flash("/holidays", Flash::HolidaysLoaded { from, to })
        }
        Err(e) if is_form_error(&e) => {
            let msg = labels::error_message(&web.tr, &e);
            render_holidays(&state, &web, &user, text, Some((e.status(), msg))).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}
