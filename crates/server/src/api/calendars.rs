//! Working-day calendars: the national holiday arrangements (platform-wide) and the caller's
//! provider calendar (weekly hours, make-up weekday, date overrides, import/export, the days of a
//! year as the clocks see them).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::calendar::{DayHours, DayOverride, Weekday, WeeklyHours};
use posdesk_core::{FieldError, Rule};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{IfMatch, JsonBody, QueryMap, parse_date};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::calendars::{self, DayOverrideView, ExportFormat, ProviderCalendar};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayYearOut {
    pub year: i32,
    pub sources: Vec<String>,
    /// `builtin` (shipped in the binary) or `loaded` (loaded at run time, overrides the built-in).
    pub origin: String,
    pub days_off: usize,
    pub make_up_days: usize,
    pub loaded_by: Option<String>,
    pub loaded_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayYearsOut {
    pub items: Vec<HolidayYearOut>,
    /// This year and next, when no arrangement is loaded for them: clocks there are provisional.
    pub missing: Vec<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadHolidayYearsIn {
    /// One or more years in the schedule format (`year`, `source`, `off`, `work` lines).
    pub schedule: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoadedYearsOut {
    pub years: Vec<i64>,
}

async fn years_out(ctx: &crate::service::Ctx<'_>) -> ApiResult<HolidayYearsOut> {
    let n = calendars::holiday_years(ctx).await?;
    Ok(HolidayYearsOut {
        items: n
            .years
            .into_iter()
            .map(|y| HolidayYearOut {
                year: y.year,
                sources: y.sources,
                origin: y.origin.to_owned(),
                days_off: y.days_off,
                make_up_days: y.make_up_days,
                loaded_by: y.loaded_by,
                loaded_at: y.loaded_at.map(|t| t.to_rfc3339()),
            })
            .collect(),
        missing: n.missing,
    })
}

/// The national holiday arrangements in force (built-in and loaded years).
#[utoipa::path(get, path = "/api/v1/holiday-years", tag = "calendars",
    responses((status = 200, body = HolidayYearsOut), (status = 403, body = Problem)))]
pub async fn holiday_years(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<HolidayYearsOut>> {
    Ok(Json(years_out(&super::ctx(&state, &caller)).await?))
}

/// Loads national years (platform admin), e.g. next year's State Council notice. Every line is
/// checked before anything is stored; a loaded year replaces the built-in one. Honours
/// `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/holiday-years", tag = "calendars", request_body = LoadHolidayYearsIn,
    responses((status = 201, body = LoadedYearsOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn load_holiday_years(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<LoadHolidayYearsIn>,
) -> ApiResult<Response> {
    let text = body.value.schedule;
    super::create_idempotent::<_, LoadedYearsOut, _, _>(
        &state,
        &caller,
        &headers,
        "holiday-years",
        &body.sha256,
        |tag| async {
            let ctx = super::ctx(&state, &caller).with_idempotency(tag);
            let years = calendars::load_holiday_years(&ctx, &text).await?;
            Ok(LoadedYearsOut {
                years: years.into_iter().map(|y| y.year).collect(),
            })
        },
    )
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideOut {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `closed`, `open` (the make-up weekday's hours) or `hours`.
    pub rule: String,
    /// For `hours`: `HH:MM-HH:MM[,…]`.
    pub hours: Option<String>,
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarOut {
    /// Weekday (`mon` … `sun`) → `HH:MM-HH:MM[,…]` or `closed`.
    pub weekly: BTreeMap<String, String>,
    pub makeup_weekday: String,
    pub overrides: Vec<OverrideOut>,
    /// 0 while the defaults are in force.
    pub version: i64,
    pub missing_years: Vec<i32>,
}

fn rule_parts(rule: &DayOverride) -> (String, Option<String>) {
    match rule {
        DayOverride::Closed => ("closed".into(), None),
        DayOverride::Open => ("open".into(), None),
        DayOverride::Hours(h) => ("hours".into(), Some(h.to_string())),
    }
}

impl From<ProviderCalendar> for CalendarOut {
    fn from(c: ProviderCalendar) -> Self {
        Self {
            weekly: c
                .weekly
                .iter()
                .map(|(d, h)| (d.as_str().to_owned(), h.to_string()))
                .collect(),
            makeup_weekday: c.makeup_weekday.as_str().to_owned(),
            overrides: c
                .overrides
                .iter()
                .map(|o| {
                    let (rule, hours) = rule_parts(&o.rule);
                    OverrideOut {
                        date: o.date.to_string(),
                        rule,
                        hours,
                        note: o.note.clone(),
                    }
                })
                .collect(),
            version: c.version,
            missing_years: c.missing_years,
        }
    }
}

fn calendar_response(c: ProviderCalendar) -> Response {
    super::with_etag(c.version, CalendarOut::from(c))
}

/// The caller's provider calendar.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendars",
    responses((status = 200, body = CalendarOut, headers(("ETag" = String))), (status = 403, body = Problem)))]
pub async fn get(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    Ok(calendar_response(
        calendars::get(&super::ctx(&state, &caller)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetHoursIn {
    /// Weekday (`mon` … `sun`) → `HH:MM-HH:MM[,…]` or `closed`; all seven are required.
    pub weekly: BTreeMap<String, String>,
    /// The weekday whose hours a make-up working day (调休) gets; default `mon`.
    pub makeup_weekday: Option<String>,
}

fn parse_weekday(field: &str, s: &str) -> ApiResult<Weekday> {
    s.parse::<Weekday>().map_err(|_| {
        ApiError::Invalid(FieldError::new(
            field,
            Rule::OneOf {
                allowed: vec!["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            },
        ))
    })
}

fn parse_hours(field: &str, s: &str) -> ApiResult<DayHours> {
    DayHours::parse(s).map_err(|_| {
        ApiError::Invalid(FieldError::new(
            field,
            Rule::Pattern {
                expected: "HH:MM-HH:MM[,HH:MM-HH:MM…] or closed",
            },
        ))
    })
}

/// Parses the seven weekdays' hours (unknown keys and missing days are refused).
pub fn parse_weekly(map: &BTreeMap<String, String>) -> ApiResult<WeeklyHours> {
    for k in map.keys() {
        parse_weekday(&format!("weekly.{k}"), k)?;
    }
    let mut w = WeeklyHours::standard();
    for d in Weekday::ALL {
        let field = format!("weekly.{d}");
        let raw = map
            .iter()
            .find(|(k, _)| k.parse::<Weekday>().ok() == Some(d))
            .map(|(_, v)| v)
            .ok_or_else(|| ApiError::invalid(&field, Rule::Required))?;
        w.set(d, parse_hours(&field, raw)?);
    }
    Ok(w)
}

/// Sets the weekly business hours and the make-up weekday. `If-Match` with the version read
/// (`"0"` while the defaults are in force) guards against lost updates (412).
#[utoipa::path(put, path = "/api/v1/calendar", tag = "calendars", request_body = SetHoursIn,
    responses((status = 200, body = CalendarOut), (status = 403, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn set_hours(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(version): IfMatch,
    body: JsonBody<SetHoursIn>,
) -> ApiResult<Response> {
    let weekly = parse_weekly(&body.value.weekly)?;
    let makeup = match body.value.makeup_weekday.as_deref() {
        Some(s) => parse_weekday("makeup_weekday", s)?,
        None => Weekday::Mon,
    };
    Ok(calendar_response(
        calendars::set_hours(&super::ctx(&state, &caller), weekly, makeup, version).await?,
    ))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OverridesChangedOut {
    pub added: usize,
    pub replaced: usize,
    pub removed: usize,
    pub unchanged: usize,
}

impl From<posdesk_storage::repo::calendars::OverridesChanged> for OverridesChangedOut {
    fn from(c: posdesk_storage::repo::calendars::OverridesChanged) -> Self {
        Self {
            added: c.added,
            replaced: c.replaced,
            removed: c.removed,
            unchanged: c.unchanged,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetDayIn {
    /// `closed`, `open` (the make-up weekday's hours) or `hours`.
    pub rule: String,
    /// Required for `hours`: `HH:MM-HH:MM[,…]`.
    pub hours: Option<String>,
    /// Up to 100 characters (e.g. 年会 staff party).
    pub note: Option<String>,
}

/// Parses an override (shared with the web form).
pub fn parse_override(
    date: &str,
    rule: &str,
    hours: Option<&str>,
    note: Option<&str>,
) -> ApiResult<DayOverrideView> {
    let date = parse_date("date", date)?;
    let rule = match rule {
        "closed" => DayOverride::Closed,
        "open" => DayOverride::Open,
        "hours" => {
            let h = hours
                .filter(|h| !h.trim().is_empty())
                .ok_or_else(|| ApiError::invalid("hours", Rule::Required))?;
            DayOverride::Hours(parse_hours("hours", h)?)
        }
        _ => {
            return Err(ApiError::Invalid(FieldError::new(
                "rule",
                Rule::OneOf {
                    allowed: vec!["closed", "open", "hours"],
                },
            )));
        }
    };
    Ok(DayOverrideView {
        date,
        rule,
        note: calendars::parse_note(note)?,
    })
}

/// Sets one date's override on the provider's calendar (replacing any earlier one).
#[utoipa::path(put, path = "/api/v1/calendar/overrides/{date}", tag = "calendars", params(("date" = String, Path)),
    request_body = SetDayIn,
    responses((status = 200, body = OverridesChangedOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_day(
    State(state): State<AppState>,
    caller: Caller,
    Path(date): Path<String>,
    body: JsonBody<SetDayIn>,
) -> ApiResult<Json<OverridesChangedOut>> {
    let b = body.value;
    let day = parse_override(&date, &b.rule, b.hours.as_deref(), b.note.as_deref())?;
    Ok(Json(
        calendars::set_day(&super::ctx(&state, &caller), day)
            .await?
            .into(),
    ))
}

/// Removes one date's override (404 if the date has none).
#[utoipa::path(delete, path = "/api/v1/calendar/overrides/{date}", tag = "calendars", params(("date" = String, Path)),
    responses((status = 200, body = OverridesChangedOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_day(
    State(state): State<AppState>,
    caller: Caller,
    Path(date): Path<String>,
) -> ApiResult<Json<OverridesChangedOut>> {
    let date = parse_date("date", &date)?;
    Ok(Json(
        calendars::remove_day(&super::ctx(&state, &caller), date)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportIn {
    /// iCalendar (all-day events) or CSV (`date,kind[,name]`, kind `off` or `work`), UTF-8.
    pub content: String,
    /// Remove the provider's other overrides (default: merge).
    #[serde(default)]
    pub replace: bool,
}

/// Imports date overrides from iCalendar or CSV. All lines are checked before anything is
/// stored; an error names the line and the rule.
#[utoipa::path(post, path = "/api/v1/calendar/import", tag = "calendars", request_body = ImportIn,
    responses((status = 200, body = OverridesChangedOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<ImportIn>,
) -> ApiResult<Json<OverridesChangedOut>> {
    let b = body.value;
    Ok(Json(
        calendars::import(&super::ctx(&state, &caller), &b.content, b.replace)
            .await?
            .into(),
    ))
}

/// The provider's date overrides as `?format=csv` (default) or `?format=ics`.
#[utoipa::path(get, path = "/api/v1/calendar/export", tag = "calendars",
    params(("format" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv"), (status = 403, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Response> {
    let format = match q.get("format").unwrap_or("csv") {
        "csv" => ExportFormat::Csv,
        "ics" | "ical" => ExportFormat::Ical,
        _ => {
            return Err(ApiError::Invalid(FieldError::new(
                "format",
                Rule::OneOf {
                    allowed: vec!["csv", "ics"],
                },
            )));
        }
    };
    let text = calendars::export(&super::ctx(&state, &caller), format).await?;
    let (ct, name) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "calendar.csv"),
        ExportFormat::Ical => ("text/calendar; charset=utf-8", "calendar.ics"),
    };
    let mut res = text.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayOut {
    pub date: String,
    /// `work` or `off`.
    pub kind: String,
    /// `HH:MM-HH:MM[,…]` or `closed`.
    pub hours: String,
    /// `weekly`, `holiday`, `make_up_workday`, `provisional_holiday` or `override`.
    pub reason: String,
    pub note: String,
    /// The year's national arrangement is not loaded: this day may still change.
    pub provisional: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DaysOut {
    pub year: i32,
    pub items: Vec<DayOut>,
}

/// Every day of `?year=YYYY` (2000–2100) on the caller's calendar, as the clocks see it.
#[utoipa::path(get, path = "/api/v1/calendar/days", tag = "calendars",
    params(("year" = i32, Query)),
    responses((status = 200, body = DaysOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn days(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<DaysOut>> {
    let year = year_param(&q)?;
    let items = calendars::days(&super::ctx(&state, &caller), year).await?;
    Ok(Json(DaysOut {
        year,
        items: items.into_iter().map(DayOut::from).collect(),
    }))
}

/// `?year=YYYY`, default the current year.
pub fn year_param(q: &QueryMap) -> ApiResult<i32> {
    match q.get("year") {
        None => Ok(calendars::this_year()),
        Some(y) => y.parse::<i32>().map_err(|_| {
            ApiError::invalid(
                "year",
                Rule::Range {
                    min: i64::from(calendars::MIN_YEAR),
                    max: i64::from(calendars::MAX_YEAR),
                },
            )
        }),
    }
}

impl From<calendars::DayView> for DayOut {
    fn from(d: calendars::DayView) -> Self {
        Self {
            date: d.date.to_string(),
            kind: d.kind,
            hours: d.hours.to_string(),
            reason: d.reason.to_owned(),
            note: d.note,
            provisional: d.provisional,
        }
    }
}
