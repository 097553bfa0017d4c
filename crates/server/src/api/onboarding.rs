//! Merchant onboarding applications (入网申请) under `/api/v1/onboarding-applications`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::Timestamp;
use posdesk_core::ids::{ApplicationId, DocumentId, MerchantId, ServicePointId, UserId};
use posdesk_core::page::Page;
use posdesk_core::registry::Fen;
use posdesk_core::registry::onboarding::{
    ApplicationStatus, DocumentKind, MAX_DOCUMENT_BYTES, RejectionReason,
};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::onboarding::{Document, FeeLine, Step};
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{IfMatch, JsonBody, QueryMap, path_id};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::onboarding::{self, ApplicationDetail, ApplicationView, Upload};
use crate::state::AppState;

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationView>,
}

fn app_id(raw: &str) -> ApiResult<ApplicationId> {
    path_id(raw, ApplicationId::parse)
}

fn status_param(q: &QueryMap) -> ApiResult<Option<ApplicationStatus>> {
    q.get("status")
        .map(|s| ApplicationStatus::parse("status", s).map_err(ApiError::Invalid))
        .transpose()
}

/// The scope's applications, newest first (`?status=`, `?limit=`, `?cursor=`). A merchant user
/// sees only their own merchant's.
#[utoipa::path(get, path = "/api/v1/onboarding-applications", tag = "onboarding",
    params(("status" = Option<String>, Query), ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ApplicationPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<ApplicationPage>> {
    let status = status_param(&q)?;
    let page = q.page()?;
    let Page { items, next } = onboarding::list(&super::ctx(&state, &caller), status, page).await?;
    Ok(Json(ApplicationPage {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// Applications under review with their review clocks (5 working days on the provider's
/// calendar), soonest deadline first; `?overdue=true` lists only those past it.
#[utoipa::path(get, path = "/api/v1/onboarding-applications/review-queue", tag = "onboarding",
    params(("overdue" = Option<bool>, Query)),
    responses((status = 200, body = ApplicationList), (status = 403, body = Problem)))]
pub async fn review_queue(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<ApplicationList>> {
    let overdue = match q.get("overdue") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::Invalid(FieldError::new(
                "overdue",
                Rule::OneOf {
                    allowed: vec!["true", "false"],
                },
            )));
        }
    };
    let items = onboarding::review_queue(&super::ctx(&state, &caller), overdue).await?;
    Ok(Json(ApplicationList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenIn {
    /// A merchant of the provider in status `pending`.
    pub merchant_id: String,
}

/// Opens a draft application for a pending merchant (one open application per merchant: a
/// second is 409).
#[utoipa::path(post, path = "/api/v1/onboarding-applications", tag = "onboarding", request_body = OpenIn,
    responses((status = 201, body = Object), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<OpenIn>,
) -> ApiResult<Response> {
    let merchant = MerchantId::parse("merchant_id", &body.value.merchant_id)?;
    let app = onboarding::open(&super::ctx(&state, &caller), merchant).await?;
    let version = app.version;
    let mut res = super::with_etag(version, app);
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// One application: its documents, what is still missing, its review clock.
#[utoipa::path(get, path = "/api/v1/onboarding-applications/{id}", tag = "onboarding", params(("id" = String, Path)),
    responses((status = 200, body = ApplicationDetail, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let d = onboarding::get(&super::ctx(&state, &caller), app_id(&id)?).await?;
    Ok(super::with_etag(d.view.application.version, d))
}

/// Attaches a document: the raw file as the body with its `Content-Type` (image/jpeg, image/png,
/// image/webp or application/pdf; premises photos must be images), at most 10 MiB;
/// `?kind=` (`business_licence`, `id_card`, `bank_account_proof`, `premises_photo`, `other`),
/// `?file_name=`, and `?replaces=` a current document's id. The bytes must be what the type says;
/// they are stored under their SHA-256. Only while the application is a draft or rejected.
#[utoipa::path(post, path = "/api/v1/onboarding-applications/{id}/documents", tag = "onboarding",
    params(("id" = String, Path), ("kind" = String, Query), ("file_name" = String, Query), ("replaces" = Option<String>, Query)),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 201, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn attach(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: QueryMap,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<Response> {
    let id = app_id(&id)?;
    let kind = DocumentKind::parse("kind", q.get("kind").unwrap_or_default())?;
    let file_name = q.get("file_name").unwrap_or_default().to_owned();
    let replaces = q
        .get("replaces")
        .map(|r| DocumentId::parse("replaces", r))
        .transpose()?;
    let limit = MAX_DOCUMENT_BYTES;
    let bytes: Bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge { limit })?;
    let declared_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let doc = onboarding::attach(
        &super::ctx(&state, &caller),
        id,
        Upload {
            kind,
            file_name,
            declared_type,
            bytes: bytes.to_vec(),
            replaces,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(doc)).into_response())
}

/// A document's file, with its stored content type and SHA-256 as the ETag.
#[utoipa::path(get, path = "/api/v1/onboarding-applications/{id}/documents/{document}", tag = "onboarding",
    params(("id" = String, Path), ("document" = String, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = Problem)))]
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, document)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (doc, blob) = onboarding::document_file(
        &super::ctx(&state, &caller),
        app_id(&id)?,
        path_id(&document, DocumentId::parse)?,
    )
    .await?;
    Ok(file_response(&doc, blob.content_type, blob.bytes))
}

/// The bytes of a stored document as a download (never rendered inline by type guessing).
pub fn file_response(doc: &Document, content_type: String, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", doc.sha256)) {
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
    res
}

/// Removes a current document (it stays in the record, marked removed).
#[utoipa::path(delete, path = "/api/v1/onboarding-applications/{id}/documents/{document}", tag = "onboarding",
    params(("id" = String, Path), ("document" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn remove_document(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, document)): Path<(String, String)>,
) -> ApiResult<Json<Document>> {
    Ok(Json(
        onboarding::remove_document(
            &super::ctx(&state, &caller),
            app_id(&id)?,
            path_id(&document, DocumentId::parse)?,
        )
        .await?,
    ))
}

async fn step(
    state: &AppState,
    caller: &Caller,
    id: &str,
    version: Option<i64>,
    step: Step,
) -> ApiResult<Response> {
    let v = onboarding::advance(&super::ctx(state, caller), app_id(id)?, step, version).await?;
    Ok(super::with_etag(v.application.version, v))
}

macro_rules! plain_step {
    ($name:ident, $path:literal, $step:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "onboarding", params(("id" = String, Path)),
            responses((status = 200, body = ApplicationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            Path(id): Path<String>,
            IfMatch(version): IfMatch,
        ) -> ApiResult<Response> {
            step(&state, &caller, &id, version, $step).await
        }
    };
}

plain_step!(
    submit,
    "/api/v1/onboarding-applications/{id}/submit",
    Step::Submit,
    "Submits (or resubmits after a rejection): every document the merchant's kind requires must be attached (else 422 naming `documents.<kind>`). Starts the review clock."
);
plain_step!(
    approve,
    "/api/v1/onboarding-applications/{id}/approve",
    Step::Approve,
    "Approves a submitted application."
);
plain_step!(
    activate,
    "/api/v1/onboarding-applications/{id}/activate",
    Step::Activate,
    "Activates an installed application: training recorded and at least one terminal bound; the merchant becomes active."
);
plain_step!(
    withdraw,
    "/api/v1/onboarding-applications/{id}/withdraw",
    Step::Withdraw,
    "Withdraws an application before approval."
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectIn {
    /// 1–500 characters, shown to the applicant.
    pub reason: String,
}

/// Rejects a submitted application with a reason; the applicant may fix and resubmit.
#[utoipa::path(post, path = "/api/v1/onboarding-applications/{id}/reject", tag = "onboarding",
    params(("id" = String, Path)), request_body = RejectIn,
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<RejectIn>,
) -> ApiResult<Response> {
    let reason = RejectionReason::parse("reason", &body.value.reason)?;
    step(&state, &caller, &id, version, Step::Reject { reason }).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallationIn {
    /// An active service point of the provider.
    pub service_point_id: String,
    /// One of the service point's technicians (optional).
    pub technician_id: Option<String>,
    /// RFC 3339, not in the past.
    pub appointment_at: String,
}

/// Parses an installation booking (shared with the web form).
pub fn parse_installation(
    service_point: &str,
    technician: Option<&str>,
    at: &str,
) -> ApiResult<Step> {
    let at = Timestamp::parse_rfc3339(at).ok_or_else(|| {
        FieldError::new(
            "appointment_at",
            Rule::Pattern {
                expected: "an RFC 3339 date-time",
            },
        )
    })?;
    Ok(Step::Schedule {
        service_point: ServicePointId::parse("service_point_id", service_point)?,
        technician: technician
            .filter(|t| !t.is_empty())
            .map(|t| UserId::parse("technician_id", t))
            .transpose()?,
        at,
    })
}

/// Books the installation visit (from `approved`) or moves it (while scheduled).
#[utoipa::path(post, path = "/api/v1/onboarding-applications/{id}/installation", tag = "onboarding",
    params(("id" = String, Path)), request_body = InstallationIn,
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn installation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<InstallationIn>,
) -> ApiResult<Response> {
    let b = body.value;
    let s = parse_installation(
        &b.service_point_id,
        b.technician_id.as_deref(),
        &b.appointment_at,
    )?;
    step(&state, &caller, &id, version, s).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotesIn {
    /// 1–2000 characters.
    pub notes: String,
}

/// Records the on-site installation and its passed acceptance test.
#[utoipa::path(post, path = "/api/v1/onboarding-applications/{id}/acceptance", tag = "onboarding",
    params(("id" = String, Path)), request_body = NotesIn,
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn acceptance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<NotesIn>,
) -> ApiResult<Response> {
    let notes = onboarding::parse_notes("notes", &body.value.notes)?;
    step(
        &state,
        &caller,
        &id,
        version,
        Step::PassAcceptance { notes },
    )
    .await
}

/// Records the operation training given (after acceptance).
#[utoipa::path(post, path = "/api/v1/onboarding-applications/{id}/training", tag = "onboarding",
    params(("id" = String, Path)), request_body = NotesIn,
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn training(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<NotesIn>,
) -> ApiResult<Response> {
    let notes = onboarding::parse_notes("notes", &body.value.notes)?;
    step(
        &state,
        &caller,
        &id,
        version,
        Step::RecordTraining { notes },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeIn {
    /// 1–100 characters.
    pub item: String,
    /// Amount in fen (integer, ≥ 0).
    pub fen: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeesIn {
    /// Deposit in fen (integer, ≥ 0).
    pub deposit_fen: i64,
    #[serde(default)]
    pub fees: Vec<FeeIn>,
}

/// An amount in whole fen, 0 to 10¹².
fn non_negative(field: &str, fen: i64) -> ApiResult<i64> {
    Ok(Fen::non_negative(field, fen)?.fen())
}

/// Parses the deposit and fee lines (shared with the web form): amounts are whole fen.
pub fn parse_fees(deposit_fen: i64, fees: &[(String, i64)]) -> ApiResult<Step> {
    let deposit = non_negative("deposit_fen", deposit_fen)?;
    let fees = fees
        .iter()
        .enumerate()
        .map(|(i, (item, fen))| {
            let item = item.trim();
            if item.is_empty() || item.chars().count() > 100 {
                return Err(ApiError::Invalid(FieldError::new(
                    format!("fees[{i}].item"),
                    if item.is_empty() {
                        Rule::Required
                    } else {
                        Rule::TooLong { max: 100 }
                    },
                )));
            }
            Ok(FeeLine {
                item: item.to_owned(),
                fen: non_negative(&format!("fees[{i}].fen"), *fen)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Step::RecordFees {
        deposit_fen: deposit,
        fees,
    })
}

/// Records the deposit and one-off fees (from approval until activation).
#[utoipa::path(post, path = "/api/v1/onboarding-applications/{id}/fees", tag = "onboarding",
    params(("id" = String, Path)), request_body = FeesIn,
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn fees(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<FeesIn>,
) -> ApiResult<Response> {
    let b = body.value;
    let lines: Vec<(String, i64)> = b.fees.into_iter().map(|f| (f.item, f.fen)).collect();
    let s = parse_fees(b.deposit_fen, &lines)?;
    step(&state, &caller, &id, version, s).await
}
