//! Working-day calendars: the national arrangements in force (built into the binary, plus years
//! loaded at run time), each provider's weekly hours and date overrides, import/export, and the
//! one place a tenant's `posdesk_core::calendar::Calendar` is assembled for clocks to run on.

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::calendar::{
    Calendar, DayEntry, DayHours, DayOverride, HolidaySchedule, LocalDate, OverrideLayer,
    ScheduleParseError, Weekday, WeeklyHours, import_days, to_csv, to_ical,
};
use posdesk_core::ids::{ServicePointId, TenantId};
use posdesk_core::registry::service_point::calendar_layer;
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::calendars::{
    self, CalendarSettings, ChangeOverrides, HolidayYear, LoadHolidayYears, OverridesChanged,
    PROVIDER_LAYER, SetCalendarSettings, StoredOverride,
};
use posdesk_storage::repo::service_points;
use serde::Serialize;

use super::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Largest schedule or import text accepted (a year's notice is a few KB).
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

fn line_error(field: &str, line: usize, message: String) -> ApiError {
    ApiError::Invalid(FieldError::new(field, Rule::Line { line, message }))
}

fn schedule_error(e: ScheduleParseError) -> ApiError {
    line_error("schedule", e.line, e.error.to_string())
}

fn check_size(field: &str, text: &str) -> ApiResult<()> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid(field, Rule::Required));
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(ApiError::invalid(
            field,
            Rule::TooLong {
                max: MAX_TEXT_BYTES,
            },
        ));
    }
    Ok(())
}

/// The national arrangements in force: the built-in years, replaced or extended by the years
/// loaded at run time. Stored text that no longer parses is an internal error, never skipped.
pub async fn national_schedule(state: &AppState) -> ApiResult<HolidaySchedule> {
    let loaded = state
        .store
        .read(|c| Box::pin(async move { calendars::holiday_years(c).await }))
        .await?;
    merged_schedule(&loaded)
}

/// The years a calendar can be shown and edited for.
pub const MIN_YEAR: i32 = 2000;
pub const MAX_YEAR: i32 = 2100;

/// The current year in Asia/Shanghai.
pub fn this_year() -> i32 {
    LocalDate::of_timestamp(posdesk_storage::now()).map_or(2026, |d| d.year())
}

/// This year and next, where `schedule` has no arrangement for them.
fn missing_years(schedule: &HolidaySchedule) -> Vec<i32> {
    let this_year = this_year();
    [this_year, this_year + 1]
        .into_iter()
        .filter(|y| !schedule.contains_year(*y))
        .collect()
}

fn merged_schedule(loaded: &[HolidayYear]) -> ApiResult<HolidaySchedule> {
    let mut schedule = HolidaySchedule::builtin();
    for y in loaded {
        let parsed = HolidaySchedule::parse(&y.schedule)
            .map_err(|e| ApiError::Internal(format!("stored holiday year {}: {e}", y.year)))?;
        schedule.merge(parsed);
    }
    Ok(schedule)
}

/// One national year as listed.
#[derive(Debug, Clone, Serialize)]
pub struct YearInfo {
    pub year: i32,
    pub sources: Vec<String>,
    /// `builtin` or `loaded`.
    pub origin: &'static str,
    pub days_off: usize,
    pub make_up_days: usize,
    pub loaded_by: Option<String>,
    pub loaded_at: Option<posdesk_core::Timestamp>,
}

/// The national years in force, and the years after them that are still provisional.
#[derive(Debug, Clone, Serialize)]
pub struct NationalYears {
    pub years: Vec<YearInfo>,
    /// This year and next, if either has no arrangement: clocks there run provisionally.
    pub missing: Vec<i32>,
}

pub async fn holiday_years(ctx: &Ctx<'_>) -> ApiResult<NationalYears> {
    ctx.authorize(Permission::HolidayRead)?;
    let loaded = ctx
        .state
        .store
        .read(|c| Box::pin(async move { calendars::holiday_years(c).await }))
        .await?;
    let schedule = merged_schedule(&loaded)?;
    let years = schedule
        .iter()
        .map(|y| {
            let stored = loaded.iter().find(|l| l.year == i64::from(y.year()));
            let off = y
                .entries()
                .iter()
                .filter(|e| e.kind == posdesk_core::calendar::DayKind::Off)
                .count();
            YearInfo {
                year: y.year(),
                sources: y.sources().to_vec(),
                origin: if stored.is_some() {
                    "loaded"
                } else {
                    "builtin"
                },
                days_off: off,
                make_up_days: y.entries().len() - off,
                loaded_by: stored.map(|s| s.loaded_by.clone()),
                loaded_at: stored.map(|s| s.loaded_at),
            }
        })
        .collect();
    Ok(NationalYears {
        years,
        missing: missing_years(&schedule),
    })
}

/// Loads national years from text in the schedule format (see `posdesk-core/data/cn-holidays.txt`):
/// every year in it is checked first, then all are stored in one transaction, replacing a
/// year loaded before (the built-in copy of a year stays in the binary but is overridden).
pub async fn load_holiday_years(ctx: &Ctx<'_>, text: &str) -> ApiResult<Vec<HolidayYear>> {
    ctx.authorize(Permission::HolidayManage)?;
    check_size("schedule", text)?;
    let parsed = HolidaySchedule::parse(text).map_err(schedule_error)?;
    if parsed.is_empty() {
        return Err(ApiError::invalid(
            "schedule",
            Rule::Invalid {
                reason: "contains no year",
            },
        ));
    }
    let years = parsed
        .iter()
        .map(|y| {
            let one = HolidaySchedule::new().with_year(y.clone());
            (i64::from(y.year()), one.to_text())
        })
        .collect();
    let loaded = ctx.write(ctx.meta(), LoadHolidayYears { years }).await;
    // Every provider's SLA context (service::tickets::sla_context) has the national years.
    ctx.state.sla_cache.invalidate_all();
    loaded
}

/// A provider's calendar as shown and edited.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderCalendar {
    pub tenant_id: TenantId,
    pub weekly: Vec<(Weekday, DayHours)>,
    pub makeup_weekday: Weekday,
    pub overrides: Vec<DayOverrideView>,
    /// 0 while the defaults are in force (no settings stored yet).
    pub version: i64,
    /// This year and next, if either has no national arrangement loaded.
    pub missing_years: Vec<i32>,
}

/// One date override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayOverrideView {
    pub date: LocalDate,
    pub rule: DayOverride,
    pub note: String,
}

fn tenant(scope: &Scope) -> ApiResult<TenantId> {
    scope.tenant().ok_or(ApiError::NotFound)
}

pub(crate) fn weekly_to_text(w: &WeeklyHours) -> String {
    let map: serde_json::Map<String, serde_json::Value> = Weekday::ALL
        .iter()
        .map(|d| (d.as_str().to_owned(), w.get(*d).to_string().into()))
        .collect();
    serde_json::Value::Object(map).to_string()
}

pub(crate) fn weekly_from_text(s: &str) -> ApiResult<WeeklyHours> {
    let bad = |e: String| ApiError::Internal(format!("stored weekly hours: {e}"));
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_str(s).map_err(|e| bad(e.to_string()))?;
    let mut w = WeeklyHours::standard();
    for d in Weekday::ALL {
        let h = map
            .get(d.as_str())
            .ok_or_else(|| bad(format!("{d} missing")))?;
        w.set(d, DayHours::parse(h).map_err(|e| bad(e.to_string()))?);
    }
    Ok(w)
}

fn to_stored(v: &DayOverrideView) -> StoredOverride {
    let (rule, hours) = match &v.rule {
        DayOverride::Closed => ("closed", None),
        DayOverride::Open => ("open", None),
        DayOverride::Hours(h) => ("hours", Some(h.to_string())),
    };
    StoredOverride {
        day: v.date.to_string(),
        rule: rule.to_owned(),
        hours,
        note: v.note.clone(),
    }
}

fn from_stored(o: &StoredOverride) -> ApiResult<DayOverrideView> {
    let bad = |e: String| ApiError::Internal(format!("stored override {}: {e}", o.day));
    let rule = match (o.rule.as_str(), &o.hours) {
        ("closed", _) => DayOverride::Closed,
        ("open", _) => DayOverride::Open,
        ("hours", Some(h)) => {
            DayOverride::Hours(DayHours::parse(h).map_err(|e| bad(e.to_string()))?)
        }
        (r, _) => return Err(bad(format!("rule {r}"))),
    };
    Ok(DayOverrideView {
        date: LocalDate::parse(&o.day).map_err(|e| bad(e.to_string()))?,
        rule,
        note: o.note.clone(),
    })
}

struct Loaded {
    settings: Option<CalendarSettings>,
    overrides: Vec<StoredOverride>,
    years: Vec<HolidayYear>,
    /// For a service point's calendar: its weekly hours (text) and its own overrides.
    service_point: Option<(String, Vec<StoredOverride>)>,
}

async fn load(
    state: &AppState,
    scope: Scope,
    service_point: Option<ServicePointId>,
) -> ApiResult<Loaded> {
    Ok(state
        .store
        .read(move |c| {
            Box::pin(async move {
                let sp = match service_point {
                    Some(id) => {
                        let sp = service_points::get(c, &scope, id).await?;
                        let layer = calendar_layer(&id.to_string());
                        Some((sp.weekly, calendars::overrides(c, &scope, &layer).await?))
                    }
                    None => None,
                };
                Ok(Loaded {
                    settings: calendars::settings(c, &scope).await?,
                    overrides: calendars::overrides(c, &scope, PROVIDER_LAYER).await?,
                    years: calendars::holiday_years(c).await?,
                    service_point: sp,
                })
            })
        })
        .await?)
}

fn assemble(tenant_id: TenantId, l: &Loaded) -> ApiResult<(ProviderCalendar, Calendar)> {
    let weekly = match &l.settings {
        Some(s) => weekly_from_text(&s.weekly)?,
        None => WeeklyHours::standard(),
    };
    let makeup = match &l.settings {
        Some(s) => s
            .makeup_weekday
            .parse::<Weekday>()
            .map_err(|e| ApiError::Internal(format!("stored make-up weekday: {e}")))?,
        None => Weekday::Mon,
    };
    let overrides = l
        .overrides
        .iter()
        .map(from_stored)
        .collect::<ApiResult<Vec<_>>>()?;
    let mut layer = OverrideLayer::new(PROVIDER_LAYER);
    for o in &overrides {
        layer.set(o.date, o.rule.clone(), o.note.clone());
    }
    let schedule = merged_schedule(&l.years)?;
    let missing_years = missing_years(&schedule);
    let mut builder = Calendar::builder()
        .schedule(schedule)
        .makeup_weekday(makeup)
        .layer(layer);
    builder = match &l.service_point {
        // A service point keeps its own opening hours; the provider's overrides apply, and its
        // own overrides lie on top of them.
        Some((sp_weekly, sp_overrides)) => {
            let mut sp_layer = OverrideLayer::new("service_point");
            for o in sp_overrides {
                let v = from_stored(o)?;
                sp_layer.set(v.date, v.rule, v.note);
            }
            builder.weekly(weekly_from_text(sp_weekly)?).layer(sp_layer)
        }
        None => builder.weekly(weekly.clone()),
    };
    let cal = builder.build();
    let view = ProviderCalendar {
        tenant_id,
        weekly: Weekday::ALL
            .iter()
            .map(|d| (*d, weekly.get(*d).clone()))
            .collect(),
        makeup_weekday: makeup,
        overrides,
        version: l.settings.as_ref().map_or(0, |s| s.version),
        missing_years,
    };
    Ok((view, cal))
}

/// The caller's provider calendar (settings and overrides).
pub async fn get(ctx: &Ctx<'_>) -> ApiResult<ProviderCalendar> {
    let scope = ctx.authorize(Permission::CalendarRead)?;
    let t = tenant(&scope)?;
    let l = load(ctx.state, scope, None).await?;
    Ok(assemble(t, &l)?.0)
}

/// The working-day calendar a tenant's clocks run on: national arrangements, the provider's
/// weekly hours, make-up weekday and overrides. The one way the product builds a `Calendar`.
pub async fn for_tenant(state: &AppState, tenant_id: TenantId) -> ApiResult<Calendar> {
    let l = load(state, Scope::Tenant(tenant_id), None).await?;
    Ok(assemble(tenant_id, &l)?.1)
}

/// The calendar for work at a service point: its opening hours, the provider's overrides and
/// the service point's own on top.
pub async fn for_service_point(
    state: &AppState,
    tenant_id: TenantId,
    id: ServicePointId,
) -> ApiResult<Calendar> {
    let l = load(state, Scope::Tenant(tenant_id), Some(id)).await?;
    Ok(assemble(tenant_id, &l)?.1)
}

/// A service point's date overrides.
pub async fn service_point_overrides(
    ctx: &Ctx<'_>,
    id: ServicePointId,
) -> ApiResult<Vec<DayOverrideView>> {
    let scope = ctx.authorize(Permission::ServicePointRead)?;
    tenant(&scope)?;
    let l = load(ctx.state, scope, Some(id)).await?;
    l.service_point
        .map(|(_, o)| o)
        .unwrap_or_default()
        .iter()
        .map(from_stored)
        .collect()
}

/// Every day of `year` at a service point.
pub async fn service_point_days(
    ctx: &Ctx<'_>,
    id: ServicePointId,
    year: i32,
) -> ApiResult<Vec<DayView>> {
    let scope = ctx.authorize(Permission::ServicePointRead)?;
    let t = tenant(&scope)?;
    check_year(year)?;
    let l = load(ctx.state, scope, Some(id)).await?;
    Ok(day_views(&assemble(t, &l)?.1, year))
}

/// Sets or removes one date's override at a service point (its provider admin).
pub async fn change_service_point_day(
    ctx: &Ctx<'_>,
    id: ServicePointId,
    set: Option<DayOverrideView>,
    remove: Option<LocalDate>,
) -> ApiResult<OverridesChanged> {
    let scope = ctx.authorize(Permission::ServicePointManage)?;
    let t = tenant(&scope)?;
    // The service point must be the caller's (404 otherwise).
    ctx.state
        .store
        .read(move |c| Box::pin(async move { service_points::get(c, &scope, id).await }))
        .await?;
    ctx.write(
        ctx.meta(),
        ChangeOverrides {
            tenant: t,
            layer: calendar_layer(&id.to_string()),
            set: set.iter().map(to_stored).collect(),
            remove: remove.iter().map(|d| d.to_string()).collect(),
            remove_others: false,
        },
    )
    .await
}

/// A year within [`MIN_YEAR`]..=[`MAX_YEAR`], or a `range` error on `year`.
pub fn check_year(year: i32) -> ApiResult<()> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(ApiError::invalid(
            "year",
            Rule::Range {
                min: i64::from(MIN_YEAR),
                max: i64::from(MAX_YEAR),
            },
        ));
    }
    Ok(())
}

/// One day as the calendar decides it.
#[derive(Debug, Clone, Serialize)]
pub struct DayView {
    pub date: LocalDate,
    /// `work` or `off`.
    pub kind: String,
    pub hours: DayHours,
    /// `weekly`, `holiday`, `make_up_workday`, `provisional_holiday` or `override`.
    pub reason: &'static str,
    /// The holiday's name or the override's note.
    pub note: String,
    pub provisional: bool,
}

/// Every day of `year` on the caller's calendar.
pub async fn days(ctx: &Ctx<'_>, year: i32) -> ApiResult<Vec<DayView>> {
    let scope = ctx.authorize(Permission::CalendarRead)?;
    let t = tenant(&scope)?;
    check_year(year)?;
    let l = load(ctx.state, scope, None).await?;
    let cal = assemble(t, &l)?.1;
    Ok(day_views(&cal, year))
}

/// Every day of `year` on `cal`, explained.
pub fn day_views(cal: &Calendar, year: i32) -> Vec<DayView> {
    use posdesk_core::calendar::DayReason;
    cal.days(year)
        .map(|(date, kind)| {
            let info = cal.day_info(date);
            let (reason, note) = match info.reason {
                DayReason::Weekly => ("weekly", String::new()),
                DayReason::Holiday { name } => ("holiday", name.to_owned()),
                DayReason::MakeUpWorkday { name } => ("make_up_workday", name.to_owned()),
                DayReason::ProvisionalHoliday { name } => ("provisional_holiday", name.to_owned()),
                DayReason::Override { note, .. } => ("override", note.to_owned()),
            };
            DayView {
                date,
                kind: kind.to_string(),
                hours: info.hours.clone(),
                reason,
                note,
                provisional: info.provisional,
            }
        })
        .collect()
}

/// Sets the weekly hours and the make-up weekday. `if_match` is the version last read (0 while
/// the defaults are in force).
pub async fn set_hours(
    ctx: &Ctx<'_>,
    weekly: WeeklyHours,
    makeup: Weekday,
    if_match: Option<i64>,
) -> ApiResult<ProviderCalendar> {
    let scope = ctx.authorize(Permission::CalendarManage)?;
    let t = tenant(&scope)?;
    if weekly.week_minutes() == 0 {
        return Err(ApiError::invalid(
            "weekly",
            Rule::Invalid {
                reason: "a calendar needs some working hours in the week",
            },
        ));
    }
    let saved = ctx
        .write(
            ctx.meta(),
            SetCalendarSettings {
                tenant: t,
                weekly: weekly_to_text(&weekly),
                makeup_weekday: makeup.as_str().to_owned(),
                expected_version: if_match,
            },
        )
        .await;
    // The tickets' SLA context (service::tickets::sla_context) uses these hours.
    ctx.state.sla_cache.invalidate(t);
    saved?;
    get(ctx).await
}

/// Text fields of an override: the note is 0–100 characters.
pub fn parse_note(raw: Option<&str>) -> ApiResult<String> {
    let note = raw.unwrap_or("").trim().to_owned();
    if note.chars().count() > 100 {
        return Err(ApiError::invalid("note", Rule::TooLong { max: 100 }));
    }
    Ok(note)
}

/// Sets (or replaces) one date's override.
pub async fn set_day(ctx: &Ctx<'_>, day: DayOverrideView) -> ApiResult<OverridesChanged> {
    let scope = ctx.authorize(Permission::CalendarManage)?;
    let t = tenant(&scope)?;
    let changed = ctx
        .write(
            ctx.meta(),
            ChangeOverrides {
                tenant: t,
                layer: PROVIDER_LAYER.into(),
                set: vec![to_stored(&day)],
                remove: vec![],
                remove_others: false,
            },
        )
        .await;
    // The tickets' SLA context (service::tickets::sla_context) has the provider's overrides.
    ctx.state.sla_cache.invalidate(t);
    changed
}

/// Removes one date's override (404 if it has none).
pub async fn remove_day(ctx: &Ctx<'_>, date: LocalDate) -> ApiResult<OverridesChanged> {
    let scope = ctx.authorize(Permission::CalendarManage)?;
    let t = tenant(&scope)?;
    let changed = ctx
        .write(
            ctx.meta(),
            ChangeOverrides {
                tenant: t,
                layer: PROVIDER_LAYER.into(),
                set: vec![],
                remove: vec![date.to_string()],
                remove_others: false,
            },
        )
        .await;
    // The tickets' SLA context (service::tickets::sla_context) has the provider's overrides.
    ctx.state.sla_cache.invalidate(t);
    changed
}

/// Imports overrides from iCalendar or CSV (`date,kind,name`; kind `off` or `work`), told apart
/// by content. Nothing is stored unless every line is valid. `replace` removes the provider's
/// other overrides in the same transaction.
pub async fn import(ctx: &Ctx<'_>, text: &str, replace: bool) -> ApiResult<OverridesChanged> {
    let scope = ctx.authorize(Permission::CalendarManage)?;
    let t = tenant(&scope)?;
    check_size("file", text)?;
    let entries = import_days(text).map_err(|e| line_error("file", e.line, e.rule.to_string()))?;
    let layer = OverrideLayer::from_entries(PROVIDER_LAYER, &entries);
    let set = layer
        .iter()
        .map(|(date, o)| {
            to_stored(&DayOverrideView {
                date,
                rule: o.rule.clone(),
                note: o.note.chars().take(100).collect(),
            })
        })
        .collect();
    let changed = ctx
        .write(
            ctx.meta(),
            ChangeOverrides {
                tenant: t,
                layer: PROVIDER_LAYER.into(),
                set,
                remove: vec![],
                remove_others: replace,
            },
        )
        .await;
    // The tickets' SLA context (service::tickets::sla_context) has the provider's overrides.
    ctx.state.sla_cache.invalidate(t);
    changed
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Ical,
}

/// The provider's overrides as CSV or iCalendar (special hours export as working days).
pub async fn export(ctx: &Ctx<'_>, format: ExportFormat) -> ApiResult<String> {
    let cal = get(ctx).await?;
    let mut layer = OverrideLayer::new(PROVIDER_LAYER);
    for o in &cal.overrides {
        layer.set(o.date, o.rule.clone(), o.note.clone());
    }
    let entries: Vec<DayEntry> = layer.to_entries();
    Ok(match format {
        ExportFormat::Csv => to_csv(&entries),
        ExportFormat::Ical => to_ical(&entries, "posdesk", posdesk_storage::now()),
    })
}
