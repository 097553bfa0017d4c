use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use posdesk_core::ids::{MerchantId, TerminalId};

use posdesk_core::registry::merchant::{MerchantFields, MerchantInput};
use posdesk_core::registry::merchant_details::{ContactInput, parse_contact_name, parse_contacts};

use super::dto::{MerchantOut, MerchantPage, TerminalOut, TerminalPage};
use super::extract::{QueryMap, path_id};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::directory;
use crate::state::AppState;

/// Merchants in scope (a merchant user sees only their own).
#[utoipa::path(get, path = "/api/v1/merchants", tag = "merchants",
    params(("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = MerchantPage), (status = 403, body = Problem)))]
pub async fn merchants(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<MerchantPage>> {
    Ok(Json(
        directory::merchants(&super::ctx(&state, &caller), q.page()?)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/merchants/{id}", tag = "merchants", params(("id" = String, Path)),
    responses((status = 200, body = MerchantOut), (status = 404, body = Problem)))]
pub async fn merchant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = directory::merchant(
        &super::ctx(&state, &caller),
        path_id(&id, MerchantId::parse)?,
    )
    .await?;
    Ok(super::with_etag(m.version, MerchantOut::from(m)))
}

/// Terminals in scope (a merchant user sees only their merchant's).
#[utoipa::path(get, path = "/api/v1/terminals", tag = "terminals",
    params(("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = TerminalPage), (status = 403, body = Problem)))]
pub async fn terminals(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<TerminalPage>> {
    Ok(Json(
        directory::terminals(&super::ctx(&state, &caller), q.page()?)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/terminals/{id}", tag = "terminals", params(("id" = String, Path)),
    responses((status = 200, body = TerminalOut), (status = 404, body = Problem)))]
pub async fn terminal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let t = directory::terminal(
        &super::ctx(&state, &caller),
        path_id(&id, TerminalId::parse)?,
    )
    .await?;
    Ok(super::with_etag(t.version, TerminalOut::from(t)))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// `install`, `activate`, `uninstall`, `suspend`, `reinstate`, `recover`, `send_to_repair`,
    /// `return_to_merchant`, `return_to_stock`, `lend`, `return_loaner`, `retire`.
    pub event: String,
    /// The merchant's MID, required for `install` and `lend`.
    pub mid: Option<String>,
}

/// Moves a terminal through its status machine; an illegal move answers 409 and changes
/// nothing. `If-Match` guards against lost updates (412).
#[utoipa::path(post, path = "/api/v1/terminals/{id}/transition", tag = "terminals", params(("id" = String, Path)),
    request_body = TransitionIn,
    responses((status = 200, body = TerminalOut), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    super::extract::IfMatch(version): super::extract::IfMatch,
    body: super::extract::JsonBody<TransitionIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, TerminalId::parse)?;
    let b = body.value;
    let event = posdesk_core::registry::TerminalEvent::parse("event", &b.event)?;
    let mid = b
        .mid
        .as_deref()
        .map(|m| posdesk_core::registry::Mid::parse("mid", m))
        .transpose()?;
    let t = directory::transition_terminal(&super::ctx(&state, &caller), id, event, mid, version)
        .await?;
    Ok(super::with_etag(t.version, TerminalOut::from(t)))
}

/// A terminal's history from the audit trail, newest first: creation, imports, status changes
/// and bindings (who, when, before and after).
#[utoipa::path(get, path = "/api/v1/terminals/{id}/history", tag = "terminals", params(("id" = String, Path),
    ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = super::dto::AuditPage), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult<Json<super::dto::AuditPage>> {
    // The same events the terminal page shows: a merchant user only those of their tenure.
    let page = crate::service::bindings::terminal_events(
        &super::ctx(&state, &caller),
        path_id(&id, TerminalId::parse)?,
        q.page()?,
    )
    .await?;
    Ok(Json(page.into()))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMerchantIn {
    /// 1–100 characters.
    pub name: String,
    /// 15 digits.
    pub mid: String,
    /// `company` (needs `uscc`), `individual` (either) or `micro` (needs `owner_id`).
    pub kind: String,
    /// 统一社会信用代码, checked.
    pub uscc: Option<String>,
    /// The owner's resident ID number (居民身份证号), checked; shown masked to most roles.
    pub owner_id: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub division_code: Option<String>,
    /// `low` (default), `medium` or `high`.
    pub risk_level: Option<String>,
}

/// Checks a registration (shared with the web form): the registry fields by the core's
/// `MerchantFields`, the single contact as the primary one.
pub fn new_merchant(
    b: &CreateMerchantIn,
) -> ApiResult<posdesk_storage::repo::merchants::CreateMerchant> {
    let f = MerchantFields::parse(&MerchantInput {
        name: &b.name,
        mid: &b.mid,
        kind: &b.kind,
        uscc: b.uscc.as_deref(),
        owner_id: b.owner_id.as_deref(),
        address: b.address.as_deref(),
        division_code: b.division_code.as_deref(),
        risk_level: b.risk_level.as_deref(),
    })?;
    let phone = b
        .contact_phone
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|p| posdesk_core::registry::Phone::parse("contact_phone", p))
        .transpose()?;
    let (id_kind, number) = f.identity_parts();
    Ok(posdesk_storage::repo::merchants::CreateMerchant {
        id: MerchantId::from_uuid(crate::service::new_uuid()),
        tenant: posdesk_core::ids::TenantId::from_uuid(uuid::Uuid::nil()),
        name: f.name.clone(),
        mid: f.mid.as_str().to_owned(),
        contact_name: parse_contact_name("contact_name", b.contact_name.as_deref())?,
        contact_phone: phone.map(|p| p.as_str().to_owned()),
        address: f.address.clone(),
        registry: Some(posdesk_storage::repo::merchants::MerchantRegistry {
            kind: f.kind.code().to_owned(),
            id_kind: id_kind.to_owned(),
            id_number: number.to_owned(),
            risk_level: f.risk_level.code().to_owned(),
            division_code: f.division.as_ref().map(|d| d.as_str().to_owned()),
        }),
    })
}

/// Registers a merchant (status `pending` until onboarding completes). Honours
/// `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/merchants", tag = "merchants", request_body = CreateMerchantIn,
    responses((status = 201, body = MerchantOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_merchant(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    body: super::extract::JsonBody<CreateMerchantIn>,
) -> ApiResult<Response> {
    let m = new_merchant(&body.value)?;
    super::create_idempotent::<_, MerchantOut, _, _>(
        &state,
        &caller,
        &headers,
        "merchants",
        &body.sha256,
        |tag| async {
            directory::create_merchant(&super::ctx(&state, &caller).with_idempotency(tag), m).await
        },
    )
    .await
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MerchantTransitionIn {
    /// `activate`, `suspend`, `reinstate` or `close`.
    pub event: String,
}

/// Moves a merchant through its status machine; an illegal move answers 409.
#[utoipa::path(post, path = "/api/v1/merchants/{id}/transition", tag = "merchants", params(("id" = String, Path)),
    request_body = MerchantTransitionIn,
    responses((status = 200, body = MerchantOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn transition_merchant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    super::extract::IfMatch(version): super::extract::IfMatch,
    body: super::extract::JsonBody<MerchantTransitionIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, MerchantId::parse)?;
    let event = posdesk_core::registry::MerchantEvent::parse("event", &body.value.event)?;
    let m =
        directory::transition_merchant(&super::ctx(&state, &caller), id, event, version).await?;
    Ok(super::with_etag(m.version, MerchantOut::from(m)))
}

/// A field that must be present but may be `null`.
fn nullable<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d)
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    use serde::Deserialize as _;
    Option::<String>::deserialize(d).map(Some)
}

/// A merchant edit: fields left out keep their value; `null` clears an optional one. The
/// merged merchant is checked as a whole, like a registration.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMerchantIn {
    /// 1–100 characters.
    pub name: Option<String>,
    /// 15 digits, unique within the provider.
    pub mid: Option<String>,
    /// `company` (needs a USCC), `individual` (either) or `micro` (needs the owner's ID).
    pub kind: Option<String>,
    /// Giving `uscc` or `owner_id` replaces the identity.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub uscc: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub division_code: Option<Option<String>>,
    /// `low`, `medium` or `high`.
    pub risk_level: Option<String>,
}

impl From<UpdateMerchantIn> for directory::MerchantPatch {
    fn from(b: UpdateMerchantIn) -> Self {
        Self {
            name: b.name,
            mid: b.mid,
            kind: b.kind,
            uscc: b.uscc,
            owner_id: b.owner_id,
            address: b.address,
            division_code: b.division_code,
            risk_level: b.risk_level,
        }
    }
}

/// Edits a merchant's registry fields (contacts and hours have their own routes). Send
/// `If-Match` with the ETag read; a stale one answers 412, a MID another merchant of the
/// provider has 409, a bad field 422 naming it. Audited with the owner's ID masked.
#[utoipa::path(patch, path = "/api/v1/merchants/{id}", tag = "merchants", params(("id" = String, Path)),
    request_body = UpdateMerchantIn,
    responses((status = 200, body = MerchantOut, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_merchant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    super::extract::IfMatch(version): super::extract::IfMatch,
    body: super::extract::JsonBody<UpdateMerchantIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, MerchantId::parse)?;
    let m =
        directory::update_merchant(&super::ctx(&state, &caller), id, body.value.into(), version)
            .await?;
    Ok(super::with_etag(m.version, MerchantOut::from(m)))
}

#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    /// At most 50 characters.
    pub name: Option<String>,
    /// A mobile number (11 digits, 13–19…) or a landline (`0571-88886666[-ext]`).
    pub phone: String,
    /// `owner`, `manager`, `cashier`, `finance`, `technical` or `other` (default).
    pub role: Option<String>,
    /// Exactly one contact is primary (none marked: the first).
    #[serde(default)]
    pub primary: bool,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactsIn {
    /// Up to 10; the whole list replaces the stored one (`[]` removes every contact).
    pub contacts: Vec<ContactIn>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ContactOut {
    pub name: Option<String>,
    pub phone: String,
    pub role: String,
    pub primary: bool,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ContactsOut {
    /// The primary contact first.
    pub contacts: Vec<ContactOut>,
    /// The merchant's version (also the `ETag`).
    pub version: i64,
}

fn contacts_out(m: posdesk_storage::repo::merchants::Merchant) -> Response {
    let body = ContactsOut {
        contacts: m
            .contacts
            .into_iter()
            .map(|c| ContactOut {
                name: c.name,
                phone: c.phone,
                role: c.role,
                primary: c.primary,
            })
            .collect(),
        version: m.version,
    };
    super::with_etag(m.version, body)
}

/// Checks a contact list (shared with the web UI).
pub fn parse_contact_list(
    list: &[ContactIn],
) -> ApiResult<Vec<posdesk_core::registry::merchant_details::Contact>> {
    let raw: Vec<ContactInput<'_>> = list
        .iter()
        .map(|c| ContactInput {
            name: c.name.as_deref(),
            phone: &c.phone,
            role: c.role.as_deref(),
            primary: c.primary,
        })
        .collect();
    Ok(parse_contacts(&raw)?)
}

/// A merchant's contacts, the primary first (a merchant user: only their own merchant's).
#[utoipa::path(get, path = "/api/v1/merchants/{id}/contacts", tag = "merchants", params(("id" = String, Path)),
    responses((status = 200, body = ContactsOut, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn contacts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = directory::merchant(
        &super::ctx(&state, &caller),
        path_id(&id, MerchantId::parse)?,
    )
    .await?;
    Ok(contacts_out(m))
}

/// Replaces a merchant's contacts. Each phone is checked (`contacts[i].phone`), none twice, at
/// most one primary; the primary contact is also the merchant's `contact_name`/`contact_phone`.
/// `If-Match` with the merchant's ETag guards against lost updates (412).
#[utoipa::path(put, path = "/api/v1/merchants/{id}/contacts", tag = "merchants", params(("id" = String, Path)),
    request_body = ContactsIn,
    responses((status = 200, body = ContactsOut, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn set_contacts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    super::extract::IfMatch(version): super::extract::IfMatch,
    body: super::extract::JsonBody<ContactsIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, MerchantId::parse)?;
    let list = parse_contact_list(&body.value.contacts)?;
    let m = directory::set_contacts(&super::ctx(&state, &caller), id, list, version).await?;
    Ok(contacts_out(m))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursIn {
    /// Weekday (`mon` … `sun`, all seven) → `HH:MM-HH:MM[,…]` or `closed`; hours past midnight
    /// go on the next day. `null` removes the hours (not stated); the field is required.
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub weekly: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HoursOut {
    /// Whether the merchant has stated its hours.
    pub stated: bool,
    /// Weekday → hours (`closed` for none); absent when not stated.
    pub weekly: Option<std::collections::BTreeMap<String, String>>,
    /// The same as text: `mon-fri 09:00-21:00; sat-sun 10:00-22:00`.
    pub text: Option<String>,
    /// The merchant's version (also the `ETag`).
    pub version: i64,
}

fn hours_out(m: posdesk_storage::repo::merchants::Merchant) -> ApiResult<Response> {
    let hours = directory::business_hours(&m)?;
    let body = HoursOut {
        stated: hours.is_some(),
        weekly: hours.as_ref().map(|h| {
            posdesk_core::calendar::Weekday::ALL
                .iter()
                .map(|d| (d.as_str().to_owned(), h.day(*d).to_string()))
                .collect()
        }),
        text: hours.map(|h| h.to_string()),
        version: m.version,
    };
    Ok(super::with_etag(m.version, body))
}

/// A merchant's business hours (营业时间): when technicians may visit and when firmware may
/// not be pushed.
#[utoipa::path(get, path = "/api/v1/merchants/{id}/hours", tag = "merchants", params(("id" = String, Path)),
    responses((status = 200, body = HoursOut, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn hours(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = directory::merchant(
        &super::ctx(&state, &caller),
        path_id(&id, MerchantId::parse)?,
    )
    .await?;
    hours_out(m)
}

/// Sets (or, with `weekly: null`, removes) a merchant's business hours; bad hours answer 422
/// naming the day (`weekly.sat`). `If-Match` with the merchant's ETag (412 when stale).
#[utoipa::path(put, path = "/api/v1/merchants/{id}/hours", tag = "merchants", params(("id" = String, Path)),
    request_body = HoursIn,
    responses((status = 200, body = HoursOut, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn set_hours(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    super::extract::IfMatch(version): super::extract::IfMatch,
    body: super::extract::JsonBody<HoursIn>,
) -> ApiResult<Response> {
    let id = path_id(&id, MerchantId::parse)?;
    let hours = body
        .value
        .weekly
        .as_ref()
        .map(super::calendars::parse_weekly)
        .transpose()?
        .map(posdesk_core::registry::merchant_details::BusinessHours::new);
    let m = directory::set_business_hours(&super::ctx(&state, &caller), id, hours, version).await?;
    hours_out(m)
}
