//! Complaints (投诉) under `/api/v1/complaints`: intake by staff or in the merchant portal,
//! queues, the complaint with its clocks and timeline, handling actions, evidence (append-only
//! uploads, downloads, integrity check), the decision letter; and the public form and tracking
//! look-up under `/api/v1/public/…` (no account). Rules are `posdesk_core::complaint`'s, who may
//! do what is `service::complaints`'s; this module parses and presents.
//!
//! What a merchant user sees of a complaint (`present_*`): no staff identities (handler, first
//! decider, reviewer, who registered it, who wrote an entry or added a file), no escalation
//! schedule, no linked tickets, public entries only (the repository filters those); and on a
//! complaint that did not come from the portal (someone else named the merchant's MID) the
//! complainant's phone only as its last four digits and no e-mail address.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::complaint::{ComplaintChannel, MAX_EVIDENCE_BYTES, RawIntake};
use posdesk_core::ids::{ComplaintId, EvidenceId, TenantId};
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::complaints::{Complaint, Entry, Evidence, Queue};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::extract::{IfMatch, JsonBody, QueryMap, path_id};
use super::tickets::parse_instant;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::complaints::{self, ChangeInput, ComplaintDetail};
use crate::state::AppState;

/// The evidence upload route's body limit: the largest evidence file plus room for the form's
/// other parts. A larger body is a 413 before anything is checked (a declared `Content-Length`
/// beyond it is refused without reading the body); a file between the two limits is a 422 on
/// `file` from the core.
pub const MAX_EVIDENCE_UPLOAD_BYTES: usize = MAX_EVIDENCE_BYTES + 64 * 1024;

/// Default and largest `limit` of a list.
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 500;

fn complaint_id(raw: &str) -> ApiResult<ComplaintId> {
    path_id(raw, ComplaintId::parse)
}

fn internal(e: serde_json::Error) -> ApiError {
    ApiError::Internal(e.to_string())
}

// ---------------------------------------------------------------------------------------------
// What clients see.

/// Complaint fields only the provider's staff see.
const STAFF_ONLY: [&str; 5] = [
    "handler_id",
    "first_decider_id",
    "reviewer_id",
    "created_by",
    "next_escalation_at",
];

/// A complaint as the caller may see it (`staff`: the provider's staff; otherwise a merchant
/// user, see the module docs).
pub fn present_complaint(k: &Complaint, staff: bool) -> ApiResult<Value> {
    let mut v = serde_json::to_value(k).map_err(internal)?;
    if !staff && let Some(o) = v.as_object_mut() {
        for f in STAFF_ONLY {
            o.remove(f);
        }
        if k.channel != ComplaintChannel::Portal {
            o.insert("phone".into(), json!(format!("*******{}", k.phone_last4)));
            o.insert("email".into(), Value::Null);
        }
    }
    Ok(v)
}

fn present_entry(e: &Entry, staff: bool) -> ApiResult<Value> {
    let mut v = serde_json::to_value(e).map_err(internal)?;
    if !staff && let Some(o) = v.as_object_mut() {
        o.remove("actor_id");
        o.remove("actor_name");
    }
    Ok(v)
}

fn present_evidence(e: &Evidence, staff: bool) -> ApiResult<Value> {
    let mut v = serde_json::to_value(e).map_err(internal)?;
    if !staff && let Some(o) = v.as_object_mut() {
        o.remove("added_by");
    }
    Ok(v)
}

fn present_detail(d: &ComplaintDetail, staff: bool) -> ApiResult<Value> {
    let mut out = json!({
        "complaint": present_complaint(&d.complaint, staff)?,
        "clocks": serde_json::to_value(d.clocks).map_err(internal)?,
        "entries": d.entries.iter().map(|e| present_entry(e, staff)).collect::<ApiResult<Vec<_>>>()?,
        "evidence": d.evidence.iter().map(|e| present_evidence(e, staff)).collect::<ApiResult<Vec<_>>>()?,
        "allowed": serde_json::to_value(&d.allowed).map_err(internal)?,
    });
    if staff {
        out["tickets"] = d
            .tickets
            .iter()
            .map(|(id, number)| json!({"id": id, "number": number}))
            .collect();
        out["repairs"] = d
            .repairs
            .iter()
            .map(|(id, number)| json!({"id": id, "ticket_number": number}))
            .collect();
    }
    Ok(out)
}

fn is_staff(caller: &Caller) -> bool {
    caller.principal.merchant().is_none()
}

// ---------------------------------------------------------------------------------------------
// Staff and portal routes.

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
}

fn parse_queue(raw: Option<&str>, caller: &Caller) -> ApiResult<Queue> {
    Ok(match raw.unwrap_or("all") {
        "all" => Queue::All,
        "open" => Queue::Open,
        "mine" => Queue::Mine(caller.principal.user_id()),
        "unassigned" => Queue::Unassigned,
        "overdue" => Queue::Overdue(posdesk_storage::now()),
        _ => {
            return Err(ApiError::invalid(
                "queue",
                Rule::OneOf {
                    allowed: vec!["all", "open", "mine", "unassigned", "overdue"],
                },
            ));
        }
    })
}

fn parse_limit(q: &QueryMap) -> ApiResult<i64> {
    let Some(raw) = q.get("limit") else {
        return Ok(DEFAULT_LIMIT);
    };
    let n = raw.parse::<i64>().map_err(|_| {
        ApiError::BadRequest(FieldError::new(
            "limit",
            Rule::Pattern {
                expected: "an integer",
            },
        ))
    })?;
    if !(1..=MAX_LIMIT).contains(&n) {
        return Err(ApiError::invalid(
            "limit",
            Rule::Range {
                min: 1,
                max: MAX_LIMIT,
            },
        ));
    }
    Ok(n)
}

/// The scope's complaints in a queue: `all` (newest first, the default), `open`, `mine` (open
/// and assigned to the caller), `unassigned`, `overdue` (open and past the acknowledgement or
/// decision deadline); the last four earliest decision deadline first. `limit` 1–500
/// (default 100). A merchant user sees only their own merchant's complaints.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints",
    params(("queue" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = ComplaintList), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<ComplaintList>> {
    let queue = parse_queue(q.get("queue"), &caller)?;
    let limit = parse_limit(&q)?;
    let staff = is_staff(&caller);
    let items = complaints::list(&super::ctx(&state, &caller), queue, limit).await?;
    Ok(Json(ComplaintList {
        items: items
            .iter()
            .map(|k| present_complaint(k, staff))
            .collect::<ApiResult<_>>()?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintIn {
    /// Staff: `hotline`, `branch`, `email` or `referral`. A merchant user's complaint is always
    /// `portal`, whatever is sent.
    pub channel: Option<String>,
    /// `fees`, `service_attitude`, `repair_quality`, `response_time`, `settlement`,
    /// `suspension`, `unauthorised_transactions`, `privacy`, `other`.
    pub category: String,
    /// 1–100 characters.
    pub complainant_name: String,
    /// A mobile or landline number (the tracking page asks for its last four digits).
    pub phone: String,
    /// The complainant is e-mailed the receipt, acknowledgement, extensions and decision.
    pub email: Option<String>,
    /// A MID the provider knows links the complaint to that merchant.
    pub mid: Option<String>,
    pub tid: Option<String>,
    /// When the problem happened, RFC 3339; not in the future.
    pub occurred_at: Option<String>,
    /// Where (shop address, branch), up to 200 characters.
    pub place: Option<String>,
    /// What happened.
    pub narrative: String,
    /// What the complainant asks for.
    pub request: String,
    /// Referral only: who referred it (the platform or regulator), up to 100 characters.
    pub referral_source: Option<String>,
    /// Referral only: the referrer's reference number.
    pub referral_reference: Option<String>,
    /// Referral only: the referrer's deadline for the decision, RFC 3339, after now (it
    /// replaces the statutory one when earlier).
    pub referral_deadline: Option<String>,
}

/// Registers a complaint (201): a receipt number `TS-YYYYMMDD-XXXXXXX` (the last character a
/// check character), the acknowledgement (1 working day) and decision (15 days) clocks
/// started, the receipt e-mailed when an address was given. Staff enter hotline, branch,
/// e-mail and referral complaints; a merchant user files one in the portal for their own
/// merchant. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = ComplaintIn,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Object), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<ComplaintIn>,
) -> ApiResult<Response> {
    let b = &body.value;
    let occurred_at = parse_instant("occurred_at", b.occurred_at.as_deref())?;
    let referral_deadline = parse_instant("referral_deadline", b.referral_deadline.as_deref())?;
    let raw = RawIntake {
        channel: b.channel.as_deref().unwrap_or(""),
        category: &b.category,
        complainant_name: &b.complainant_name,
        phone: &b.phone,
        email: b.email.as_deref(),
        mid: b.mid.as_deref(),
        tid: b.tid.as_deref(),
        occurred_at,
        place: b.place.as_deref(),
        narrative: &b.narrative,
        request: &b.request,
        referral_source: b.referral_source.as_deref(),
        referral_reference: b.referral_reference.as_deref(),
        referral_deadline,
    };
    let staff = is_staff(&caller);
    super::create_idempotent::<Value, Value, _, _>(
        &state,
        &caller,
        &headers,
        "complaints",
        &body.sha256,
        |tag| async {
            let k =
                complaints::create(&super::ctx(&state, &caller).with_idempotency(tag), raw).await?;
            present_complaint(&k, staff)
        },
    )
    .await
}

/// One complaint: its facts, the acknowledgement and decision clocks, the timeline (public
/// entries only for a merchant user), every evidence version, linked tickets (staff) and the
/// status steps allowed now. `ETag` is the version (for `If-Match` on actions).
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints", params(("id" = String, Path)),
    responses((status = 200, body = Object, headers(("ETag" = String))), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let d = complaints::get(&super::ctx(&state, &caller), complaint_id(&id)?).await?;
    Ok(super::with_etag(
        d.complaint.version,
        present_detail(&d, is_staff(&caller))?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    /// `acknowledge`, `decide` (`resolution` + `text`), `accept`, `reject`, `review`, `close`
    /// (`text` optional on these), `extend` (`to_days` + `text` as the reason), `note`
    /// (`text`), `contact` (`contact_at`, `contact_channel`, `contact_outcome`, `text`
    /// optional), `propose` (`resolution` + `text`), `assign` (`handler_id`, absent or null:
    /// unassigned), `satisfaction` (`satisfaction`), `link` (`ticket_id`).
    pub action: String,
    /// The version read, when not sent as `If-Match` (the header wins).
    pub version: Option<i64>,
    /// 1–5,000 characters.
    pub text: Option<String>,
    /// `refund`, `fee_waiver`, `repair`, `apology`, `explanation`.
    pub resolution: Option<String>,
    /// The new decision period in days after receipt: the next extension step (default 30 by
    /// the handler, then 60 by a manager).
    pub to_days: Option<i64>,
    /// When the contact attempt was made, RFC 3339, not in the future.
    pub contact_at: Option<String>,
    /// `phone`, `sms`, `email`, `visit`, `letter`.
    pub contact_channel: Option<String>,
    /// `reached`, `no_answer`, `left_message`, `declined`.
    pub contact_outcome: Option<String>,
    /// An active complaints officer, supervisor or provider admin of the provider.
    pub handler_id: Option<String>,
    /// 1–5.
    pub satisfaction: Option<i64>,
    /// A ticket of the provider (`link`).
    pub ticket_id: Option<String>,
    /// A repair order of the provider (`link`, instead of a ticket).
    pub repair_id: Option<String>,
}

/// A handling step, answered with the complaint (200, new `ETag`). Staff with the handling
/// permission take every action; the 60-day extension step needs a manager (supervisor or
/// provider admin); a second-level review is started and decided by someone other than the
/// first decider. A merchant user may only `accept` or `reject` the decision on their own
/// complaint and record `satisfaction`. Illegal steps (closing without a decision, an
/// extension with no step left, one's own review) are 409; a stale `If-Match` is 412.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/actions", tag = "complaints",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)), request_body = ActionIn,
    responses((status = 200, body = Object, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)))]
pub async fn action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(if_match): IfMatch,
    body: JsonBody<ActionIn>,
) -> ApiResult<Response> {
    let id = complaint_id(&id)?;
    let b = &body.value;
    let input = ChangeInput {
        action: &b.action,
        text: b.text.as_deref(),
        resolution: b.resolution.as_deref(),
        to_days: b.to_days,
        contact_at: parse_instant("contact_at", b.contact_at.as_deref())?,
        contact_channel: b.contact_channel.as_deref(),
        contact_outcome: b.contact_outcome.as_deref(),
        handler_id: b.handler_id.as_deref(),
        satisfaction: b.satisfaction,
        ticket: b.ticket_id.as_deref(),
        repair: b.repair_id.as_deref(),
    };
    let extend = b.action.trim() == "extend";
    let k = complaints::change(
        &super::ctx(&state, &caller),
        id,
        if_match.or(b.version),
        input,
    )
    .await
    .map_err(|e| match e {
        // The extension's reason is the body's `text`.
        ApiError::Invalid(mut f) if extend && f.field == "reason" => {
            f.field = "text".into();
            ApiError::Invalid(f)
        }
        other => other,
    })?;
    Ok(super::with_etag(
        k.version,
        present_complaint(&k, is_staff(&caller))?,
    ))
}

/// The multipart form of an evidence upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceForm {
    /// The file with its name and type: pictures (JPEG, PNG, WebP), PDF, UTF-8 text or a
    /// recording (MP3, WAV, M4A, AMR, …), at most 50 MiB; the bytes must be what the type says.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The id of an earlier file of this complaint that this one is a new version of (both
    /// are kept).
    supersedes: Option<String>,
    /// 1–5,000 characters.
    description: Option<String>,
}

struct EvidenceUpload {
    file_name: String,
    declared_type: String,
    bytes: Vec<u8>,
    supersedes: Option<String>,
    description: Option<String>,
}

/// Exactly one `file` part, optional `supersedes` and `description`
/// (`upload::read_file_form`).
async fn read_evidence_form(
    headers: &HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<EvidenceUpload> {
    let mut f = super::upload::read_file_form(
        headers,
        form,
        MAX_EVIDENCE_UPLOAD_BYTES,
        &["supersedes", "description"],
    )
    .await?;
    Ok(EvidenceUpload {
        supersedes: f.texts.remove("supersedes"),
        description: f.texts.remove("description"),
        file_name: f.file_name,
        declared_type: f.declared_type,
        bytes: f.bytes,
    })
}

/// What makes two uploads "the same request" for `Idempotency-Key`.
fn fingerprint(id: ComplaintId, up: &EvidenceUpload) -> String {
    super::upload::fingerprint(
        &[
            id.to_string().as_bytes(),
            up.file_name.as_bytes(),
            up.declared_type.as_bytes(),
            up.supersedes.as_deref().unwrap_or("").as_bytes(),
            up.description.as_deref().unwrap_or("").as_bytes(),
        ],
        &up.bytes,
    )
}

/// Adds an evidence file (201 with its record and SHA-256): `multipart/form-data` with a `file`
/// part (its file name and content type as sent), optionally `supersedes` (an earlier file of
/// this complaint without a newer version: the new file is its next version, both are kept)
/// and `description`. Evidence is never changed or deleted. The bytes must be what the type
/// says, at most 50 MiB (a larger body is 413, refused by its `Content-Length` before it is
/// read). Staff who handle complaints, or a merchant user on their own open complaint; refused
/// on a closed complaint (409). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/evidence", tag = "complaints",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = EvidenceForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Object), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let id = complaint_id(&id)?;
    let up = read_evidence_form(&headers, form).await?;
    let fp = if headers.contains_key("idempotency-key") {
        fingerprint(id, &up)
    } else {
        String::new()
    };
    let staff = is_staff(&caller);
    let route = format!("complaints/{id}/evidence");
    super::create_idempotent::<Value, Value, _, _>(
        &state,
        &caller,
        &headers,
        &route,
        &fp,
        |tag| async {
            let e = complaints::add_evidence(
                &super::ctx(&state, &caller).with_idempotency(tag),
                id,
                up.supersedes.as_deref(),
                &up.file_name,
                &up.declared_type,
                up.bytes,
                up.description.as_deref(),
            )
            .await?;
            present_evidence(&e, staff)
        },
    )
    .await
}

/// One evidence file's bytes as a download: `Content-Type` as stored, `Content-Disposition:
/// attachment` with the file name (RFC 6266 / RFC 5987 UTF-8), `X-Content-Type-Options:
/// nosniff`, the SHA-256 as the ETag. Evidence cannot be changed or deleted (other methods
/// are 405).
#[utoipa::path(get, path = "/api/v1/complaints/{id}/evidence/{evidence_id}", tag = "complaints",
    params(("id" = String, Path), ("evidence_id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", headers(("Content-Disposition" = String), ("ETag" = String))),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn evidence_file(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, evidence)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (e, blob) = complaints::evidence_file(
        &super::ctx(&state, &caller),
        complaint_id(&id)?,
        path_id(&evidence, EvidenceId::parse)?,
    )
    .await?;
    Ok(download(&e, blob.bytes))
}

/// The bytes as a download, never rendered inline by type guessing (the headers of
/// `api::ticket_files::file_response`).
fn download(e: &Evidence, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    let content_type = HeaderValue::from_str(&e.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, content_type);
    if let Ok(v) = HeaderValue::from_str(&super::ticket_files::content_disposition(&e.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", e.sha256)) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    res
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceCheck {
    pub evidence_id: String,
    /// The SHA-256 recorded when the file was added.
    pub sha256: String,
    /// Whether the stored bytes still hash to it (and have the recorded size).
    pub intact: bool,
}

/// Recomputes every evidence file's SHA-256 from the stored bytes and compares it with the one
/// recorded when the file was added.
#[utoipa::path(get, path = "/api/v1/complaints/{id}/evidence-check", tag = "complaints",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<EvidenceCheck>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn evidence_check(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<EvidenceCheck>>> {
    let v = complaints::verify_evidence(&super::ctx(&state, &caller), complaint_id(&id)?).await?;
    Ok(Json(
        v.into_iter()
            .map(|x| EvidenceCheck {
                evidence_id: x.evidence_id.to_string(),
                sha256: x.sha256,
                intact: x.intact,
            })
            .collect(),
    ))
}

/// The decision letter's data (答复函): receipt number, complainant, dates, the resolution and
/// decision text, the provider and its hotline, and the outside routes the complainant may take
/// if unsatisfied (acquiring bank, UnionPay 95516, PBoC 12363, market regulation 12315,
/// consumer association, mediation, court). 409 before a decision.
#[utoipa::path(get, path = "/api/v1/complaints/{id}/letter", tag = "complaints",
    params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn letter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let l = complaints::letter(&super::ctx(&state, &caller), complaint_id(&id)?).await?;
    Ok(Json(l).into_response())
}

// ---------------------------------------------------------------------------------------------
// Public routes (no account).

/// The client's address, as the web login throttle takes it (the connection's peer address);
/// `unknown` when the server runs without connection info (in-process tests).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |ci| ci.0.ip().to_string()),
        ))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicComplaintIn {
    /// As for `POST /api/v1/complaints`.
    pub category: String,
    pub complainant_name: String,
    pub phone: String,
    pub email: Option<String>,
    pub mid: Option<String>,
    pub tid: Option<String>,
    /// RFC 3339.
    pub occurred_at: Option<String>,
    pub place: Option<String>,
    pub narrative: String,
    pub request: String,
    /// Hidden from people on the form: must be absent or empty.
    pub website: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReceipt {
    /// Keep it: with the phone's last four digits it is the key to the tracking page.
    pub receipt_no: String,
    #[schema(value_type = i64)]
    pub received_at: Timestamp,
    #[schema(value_type = i64)]
    pub decision_deadline: Timestamp,
    pub status: String,
}

/// The public complaint form of a provider (no account, channel `public_web`): 201 with the
/// receipt number and the decision deadline. The `website` field must stay empty (422
/// otherwise, nothing stored). At most 5 complaints an hour per client address and 3 a day
/// per phone number (429 beyond).
#[utoipa::path(post, path = "/api/v1/public/providers/{provider_id}/complaints", tag = "complaints",
    security(()), params(("provider_id" = String, Path)), request_body = PublicComplaintIn,
    responses((status = 201, body = PublicReceipt), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn public_create(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(provider): Path<String>,
    body: JsonBody<PublicComplaintIn>,
) -> ApiResult<Response> {
    let tenant = path_id(&provider, TenantId::parse)?;
    let b = &body.value;
    let raw = RawIntake {
        channel: "",
        category: &b.category,
        complainant_name: &b.complainant_name,
        phone: &b.phone,
        email: b.email.as_deref(),
        mid: b.mid.as_deref(),
        tid: b.tid.as_deref(),
        occurred_at: parse_instant("occurred_at", b.occurred_at.as_deref())?,
        place: b.place.as_deref(),
        narrative: &b.narrative,
        request: &b.request,
        referral_source: None,
        referral_reference: None,
        referral_deadline: None,
    };
    let k = complaints::create_public(
        &state,
        tenant,
        raw,
        b.website.as_deref().unwrap_or(""),
        &client,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(PublicReceipt {
            receipt_no: k.receipt_no,
            received_at: k.received_at,
            decision_deadline: k.decision_deadline,
            status: k.status.code().to_owned(),
        }),
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackIn {
    pub receipt_no: String,
    /// The last four digits of the phone number given with the complaint.
    pub phone_last4: String,
}

/// The tracking look-up: status, deadlines and the public steps (no staff names, no internal
/// notes). An unknown receipt and wrong digits answer the same 404; every look-up counts
/// against the client address (20 per 10 minutes, 429 beyond).
#[utoipa::path(post, path = "/api/v1/public/complaints/track", tag = "complaints",
    security(()), request_body = TrackIn,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn track(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: JsonBody<TrackIn>,
) -> ApiResult<Response> {
    let b = &body.value;
    let v = complaints::track(&state, &b.receipt_no, &b.phone_last4, &client).await?;
    Ok(Json(v).into_response())
}
