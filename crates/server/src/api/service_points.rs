//! Service points (服务网点) and their calendars.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use posdesk_core::calendar::WeeklyHours;
use posdesk_core::ids::{ServicePointId, UserId};
use posdesk_core::registry::DivisionCode;
use posdesk_core::registry::service_point::{
    parse_address, parse_name, parse_skills, province_name,
};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::service_points::ServicePoint;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendars::{
    DayOut, DaysOut, OverridesChangedOut, SetDayIn, parse_override, parse_weekly,
};
use super::extract::{IfMatch, JsonBody, QueryMap, parse_date, path_id};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::calendars;
use crate::service::service_points::{self, ServicePointInput};
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ServicePointOut {
    pub id: String,
    pub name: String,
    /// 6-digit administrative division code (GB/T 2260).
    pub division_code: String,
    pub province_code: String,
    pub province_name: Option<String>,
    pub city_code: String,
    pub address: String,
    /// Weekday (`mon` … `sun`) → opening hours.
    pub weekly: BTreeMap<String, String>,
    pub skills: Vec<String>,
    pub technicians: Vec<String>,
    pub active: bool,
    pub version: i64,
}

fn out(sp: ServicePoint) -> ApiResult<ServicePointOut> {
    let div = DivisionCode::parse("division_code", &sp.division_code)
        .map_err(|e| ApiError::Internal(format!("stored division code: {e}")))?;
    let weekly = calendars::weekly_from_text(&sp.weekly)?;
    Ok(ServicePointOut {
        id: sp.id.to_string(),
        name: sp.name,
        province_code: div.province().as_str().to_owned(),
        province_name: province_name(&div).map(str::to_owned),
        city_code: div.city().as_str().to_owned(),
        division_code: sp.division_code,
        address: sp.address,
        weekly: weekly_map(&weekly),
        skills: sp.skills,
        technicians: sp.technicians.iter().map(ToString::to_string).collect(),
        active: sp.active,
        version: sp.version,
    })
}

fn weekly_map(w: &WeeklyHours) -> BTreeMap<String, String> {
    posdesk_core::calendar::Weekday::ALL
        .iter()
        .map(|d| (d.as_str().to_owned(), w.get(*d).to_string()))
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServicePointList {
    /// Ordered by division code, then name: consecutive items share a province and city.
    pub items: Vec<ServicePointOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePointIn {
    /// 1–100 characters, unique within the provider.
    pub name: String,
    /// City- or district-level code, e.g. `330106`.
    pub division_code: String,
    /// 1–200 characters.
    pub address: String,
    /// Weekday → `HH:MM-HH:MM[,…]` or `closed`, all seven (default Mon–Fri 08:00–18:00).
    pub weekly: Option<BTreeMap<String, String>>,
    /// `install`, `hardware_repair`, `peripherals`, `software`, `network`, `training`, `mail_in`.
    #[serde(default)]
    pub skills: Vec<String>,
    /// User ids of the provider's active technicians.
    #[serde(default)]
    pub technicians: Vec<String>,
    /// Default true.
    pub active: Option<bool>,
}

/// Parses a service point body or form (shared with the web UI).
pub fn parse_service_point(b: ServicePointIn) -> ApiResult<ServicePointInput> {
    let technicians = b
        .technicians
        .iter()
        .enumerate()
        .map(|(i, s)| UserId::parse(&format!("technicians[{i}]"), s).map_err(ApiError::Invalid))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(ServicePointInput {
        name: parse_name(&b.name)?,
        division: DivisionCode::parse("division_code", &b.division_code)?,
        address: parse_address(&b.address)?,
        weekly: match &b.weekly {
            Some(w) => parse_weekly(w)?,
            None => WeeklyHours::standard(),
        },
        skills: parse_skills(&b.skills)?,
        technicians,
        active: b.active.unwrap_or(true),
    })
}

/// The provider's service points, grouped by region (ordered by division code). `?active=true`
/// lists only active ones.
#[utoipa::path(get, path = "/api/v1/service-points", tag = "service points",
    params(("active" = Option<bool>, Query)),
    responses((status = 200, body = ServicePointList), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<ServicePointList>> {
    let active_only = match q.get("active") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::Invalid(FieldError::new(
                "active",
                Rule::OneOf {
                    allowed: vec!["true", "false"],
                },
            )));
        }
    };
    let items = service_points::list(&super::ctx(&state, &caller), active_only).await?;
    Ok(Json(ServicePointList {
        items: items.into_iter().map(out).collect::<ApiResult<_>>()?,
    }))
}

/// Creates a service point. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/service-points", tag = "service points", request_body = ServicePointIn,
    responses((status = 201, body = ServicePointOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<ServicePointIn>,
) -> ApiResult<Response> {
    let input = parse_service_point(body.value)?;
    super::create_idempotent::<_, ServicePointOut, _, _>(
        &state,
        &caller,
        &headers,
        "service-points",
        &body.sha256,
        |tag| async {
            let sp =
                service_points::create(&super::ctx(&state, &caller).with_idempotency(tag), input)
                    .await?;
            out(sp)
        },
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/service-points/{id}", tag = "service points", params(("id" = String, Path)),
    responses((status = 200, body = ServicePointOut, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let sp = service_points::get(
        &super::ctx(&state, &caller),
        path_id(&id, ServicePointId::parse)?,
    )
    .await?;
    Ok(super::with_etag(sp.version, out(sp)?))
}

/// Replaces a service point's fields (set `active: false` to close it). `If-Match` guards
/// against lost updates (412).
#[utoipa::path(put, path = "/api/v1/service-points/{id}", tag = "service points", params(("id" = String, Path)),
    request_body = ServicePointIn,
    responses((status = 200, body = ServicePointOut), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<ServicePointIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, ServicePointId::parse)?;
    let input = parse_service_point(body.value)?;
    let sp = service_points::update(&super::ctx(&state, &caller), id, input, version).await?;
    Ok(super::with_etag(sp.version, out(sp)?))
}

/// Every day of `?year=` at this service point: its opening hours, the provider's overrides and
/// its own.
#[utoipa::path(get, path = "/api/v1/service-points/{id}/calendar/days", tag = "service points",
    params(("id" = String, Path), ("year" = i32, Query)),
    responses((status = 200, body = DaysOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn days(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<DaysOut>> {
    let id = path_id(&id, ServicePointId::parse)?;
    let year = super::calendars::year_param(&q)?;
    let items = calendars::service_point_days(&super::ctx(&state, &caller), id, year).await?;
    Ok(Json(DaysOut {
        year,
        items: items.into_iter().map(DayOut::from).collect(),
    }))
}

/// Sets one date's override at this service point.
#[utoipa::path(put, path = "/api/v1/service-points/{id}/calendar/overrides/{date}", tag = "service points",
    params(("id" = String, Path), ("date" = String, Path)), request_body = SetDayIn,
    responses((status = 200, body = OverridesChangedOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_day(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, date)): Path<(String, String)>,
    body: JsonBody<SetDayIn>,
) -> ApiResult<Json<OverridesChangedOut>> {
    let id = path_id(&id, ServicePointId::parse)?;
    let b = body.value;
    let day = parse_override(&date, &b.rule, b.hours.as_deref(), b.note.as_deref())?;
    Ok(Json(
        calendars::change_service_point_day(&super::ctx(&state, &caller), id, Some(day), None)
            .await?
            .into(),
    ))
}

/// Removes one date's override at this service point (404 if it has none).
#[utoipa::path(delete, path = "/api/v1/service-points/{id}/calendar/overrides/{date}", tag = "service points",
    params(("id" = String, Path), ("date" = String, Path)),
    responses((status = 200, body = OverridesChangedOut), (status = 404, body = Problem)))]
pub async fn remove_day(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, date)): Path<(String, String)>,
) -> ApiResult<Json<OverridesChangedOut>> {
    let id = path_id(&id, ServicePointId::parse)?;
    let date = parse_date("date", &date)?;
    Ok(Json(
        calendars::change_service_point_day(&super::ctx(&state, &caller), id, None, Some(date))
            .await?
            .into(),
    ))
}
