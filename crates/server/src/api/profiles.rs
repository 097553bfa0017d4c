//! Provider profiles and logos under `/api/v1/providers/{id}/…`.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::Rule;
use posdesk_core::ids::TenantId;
use posdesk_core::registry::Uscc;
use posdesk_core::registry::provider::{
    Authorisation, FeeItem, Validity, WarrantyTerms, check_fee_schedule, parse_hotlines,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{IfMatch, JsonBody, parse_date, path_id};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::profiles::{self, ProfileInput, ProfileView, parse_text};
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FeeItemIo {
    /// 1–32 of `A-Z 0-9 - _`, unique within the schedule (lowercase is uppercased).
    pub code: String,
    pub name: String,
    /// `part`, `labour` or `other`.
    pub kind: String,
    /// Price in fen (integer, ≥ 0): ¥50.00 is 5000.
    pub price_fen: i64,
    /// Per what: 件, 次, 小时 (0–10 characters).
    #[serde(default)]
    pub unit: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileOut {
    pub provider_id: String,
    pub name: String,
    pub short_name: String,
    pub uscc: Option<String>,
    /// `payment_licence` (支付业务许可证) or `bank_authorisation` (收单机构授权).
    pub licence_kind: Option<String>,
    pub licence_number: Option<String>,
    pub licence_valid_from: Option<String>,
    pub licence_valid_to: Option<String>,
    /// `missing`, `not_yet_valid`, `valid`, `expires_soon` (within 60 days) or `expired`.
    pub licence_status: String,
    /// Days left for `expires_soon`, days since for `expired`.
    pub licence_days: Option<i64>,
    pub hotlines: Vec<String>,
    pub service_hours: String,
    pub warranty_policy: String,
    pub warranty_default_months: u32,
    pub warranty_months_by_model: BTreeMap<String, u32>,
    pub fees: Vec<FeeItemIo>,
    pub version: i64,
}

impl From<ProfileView> for ProfileOut {
    fn from(v: ProfileView) -> Self {
        use posdesk_core::registry::provider::LicenceStatus as S;
        let days = match v.licence_status {
            S::ExpiresSoon { days_left } => Some(days_left),
            S::Expired { days_ago } => Some(days_ago),
            _ => None,
        };
        Self {
            provider_id: v.provider_id.to_string(),
            name: v.name,
            short_name: v.short_name,
            uscc: v.uscc,
            licence_kind: v.doc.licence_kind,
            licence_number: v.doc.licence_number,
            licence_valid_from: v.doc.licence_valid_from,
            licence_valid_to: v.doc.licence_valid_to,
            licence_status: v.licence_status.code().to_owned(),
            licence_days: days,
            hotlines: v.doc.hotlines,
            service_hours: v.doc.service_hours,
            warranty_policy: v.doc.warranty_policy,
            warranty_default_months: v.doc.warranty_default_months,
            warranty_months_by_model: v.doc.warranty_months_by_model,
            fees: v
                .doc
                .fees
                .into_iter()
                .map(|f| FeeItemIo {
                    code: f.code,
                    name: f.name,
                    kind: f.kind,
                    price_fen: f.price_fen,
                    unit: f.unit,
                })
                .collect(),
            version: v.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileIn {
    /// 统一社会信用代码, checked (GB 32100-2015).
    pub uscc: Option<String>,
    /// `payment_licence` or `bank_authorisation`; with number and both dates, or all absent.
    pub licence_kind: Option<String>,
    pub licence_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub licence_valid_from: Option<String>,
    pub licence_valid_to: Option<String>,
    /// Up to 5 phone numbers (mobile or landline).
    #[serde(default)]
    pub hotlines: Vec<String>,
    /// Published service hours as shown to merchants (0–200 characters).
    #[serde(default)]
    pub service_hours: String,
    /// 0–4,000 characters.
    #[serde(default)]
    pub warranty_policy: String,
    /// Months of warranty for models not listed (0–120; default 12).
    pub warranty_default_months: Option<i64>,
    #[serde(default)]
    pub warranty_months_by_model: BTreeMap<String, i64>,
    #[serde(default)]
    pub fees: Vec<FeeItemIo>,
}

/// Parses a profile form or body (shared with the web UI).
pub fn parse_profile(b: ProfileIn) -> ApiResult<ProfileInput> {
    let uscc = b
        .uscc
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Uscc::parse("uscc", s))
        .transpose()?;
    let present = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
    let licence = match (
        present(&b.licence_kind),
        present(&b.licence_number),
        present(&b.licence_valid_from),
        present(&b.licence_valid_to),
    ) {
        (false, false, false, false) => None,
        _ => {
            let get = |o: &Option<String>, f: &str| -> ApiResult<String> {
                o.clone()
                    .filter(|s| !s.trim().is_empty())
                    .ok_or_else(|| ApiError::invalid(f, Rule::Required))
            };
            let kind = get(&b.licence_kind, "licence_kind")?;
            let number = get(&b.licence_number, "licence_number")?;
            let from = parse_date(
                "licence_valid_from",
                &get(&b.licence_valid_from, "licence_valid_from")?,
            )?;
            let to = parse_date(
                "licence_valid_to",
                &get(&b.licence_valid_to, "licence_valid_to")?,
            )?;
            Some((
                Authorisation::parse(&kind, &number)?,
                Validity::new(from, to)?,
            ))
        }
    };
    let fees = b
        .fees
        .iter()
        .enumerate()
        .map(|(i, f)| {
            FeeItem::parse(
                &format!("fees[{i}]"),
                &f.code,
                &f.name,
                &f.kind,
                f.price_fen,
                &f.unit,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_fee_schedule(&fees)?;
    Ok(ProfileInput {
        uscc,
        licence,
        hotlines: parse_hotlines(&b.hotlines)?,
        service_hours: parse_text("service_hours", &b.service_hours, 200)?,
        warranty_policy: parse_text("warranty_policy", &b.warranty_policy, 4000)?,
        warranty: WarrantyTerms::parse(
            b.warranty_default_months.unwrap_or(12),
            &b.warranty_months_by_model,
        )?,
        fees,
    })
}

/// A provider's profile: licence (with its standing today), hotlines, service hours, warranty
/// terms, fee schedule. Staff and merchant users see their own provider's; the platform admin
/// any. Another provider's answers 404.
#[utoipa::path(get, path = "/api/v1/providers/{id}/profile", tag = "providers", params(("id" = String, Path)),
    responses((status = 200, body = ProfileOut, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let v = profiles::get(&super::ctx(&state, &caller), path_id(&id, TenantId::parse)?).await?;
    Ok(super::with_etag(v.version, ProfileOut::from(v)))
}

/// Replaces the provider's profile (its provider admin). `If-Match` with the version read
/// (`"0"` before the first save) guards against lost updates (412).
#[utoipa::path(put, path = "/api/v1/providers/{id}/profile", tag = "providers", params(("id" = String, Path)),
    request_body = ProfileIn,
    responses((status = 200, body = ProfileOut), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<ProfileIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, TenantId::parse)?;
    let input = parse_profile(body.value)?;
    let v = profiles::save(&super::ctx(&state, &caller), id, input, version).await?;
    Ok(super::with_etag(v.version, ProfileOut::from(v)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogoOut {
    pub content_type: String,
    pub sha256: String,
    pub size: usize,
}

/// Sets the provider's logo: the raw image as the body with `Content-Type` image/png,
/// image/jpeg or image/webp, at most 256 KiB; the bytes must be what the type says.
#[utoipa::path(put, path = "/api/v1/providers/{id}/logo", tag = "providers", params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = LogoOut), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn put_logo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<Json<LogoOut>> {
    let id = path_id(&id, TenantId::parse)?;
    let limit = profiles::MAX_LOGO_BYTES;
    let body: Bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge { limit })?;
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let info =
        profiles::set_logo(&super::ctx(&state, &caller), id, declared, body.to_vec()).await?;
    Ok(Json(LogoOut {
        content_type: info.content_type,
        sha256: info.sha256,
        size: info.size,
    }))
}

/// The provider's logo image (404 if it has none).
#[utoipa::path(get, path = "/api/v1/providers/{id}/logo", tag = "providers", params(("id" = String, Path)),
    responses((status = 200, content_type = "image/png"), (status = 404, body = Problem)))]
pub async fn get_logo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let logo = profiles::logo(&super::ctx(&state, &caller), path_id(&id, TenantId::parse)?).await?;
    let mut res = logo.bytes.into_response();
    if let Ok(v) = HeaderValue::from_str(&logo.content_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", logo.sha256)) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}
