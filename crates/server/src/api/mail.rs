//! The e-mail gateway's quarantine for the provider's admins: the list of mail the gateway kept
//! for a person (unparseable, unknown sender, reply to a closed ticket, …) and each mail's raw
//! bytes as a `message/rfc822` download.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use posdesk_storage::repo::mail::QuarantineEntry;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::QueryMap;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::mail_ingest;
use crate::state::AppState;

/// A quarantined inbound mail (without its bytes).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinedMailOut {
    pub id: String,
    /// `unparseable`, `unknown_sender`, `not_merchants_ticket`, `ticket_closed`, `empty` or
    /// `too_large`.
    pub reason: String,
    /// The From address, when the mail could be parsed.
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    /// When the gateway read it (RFC 3339, UTC).
    pub received_at: String,
    /// Size of the raw mail in bytes.
    pub size: u64,
    /// SHA-256 of the raw mail (hex).
    pub sha256: String,
    /// Whether the raw bytes are kept (`false` only for mail over 50 MB).
    pub raw_kept: bool,
}

impl From<QuarantineEntry> for QuarantinedMailOut {
    fn from(e: QuarantineEntry) -> Self {
        Self {
            id: e.id,
            reason: e.reason,
            sender: e.sender,
            subject: e.subject,
            message_id: e.message_id,
            received_at: e.received_at.to_rfc3339(),
            size: e.raw_size,
            sha256: e.raw_sha256,
            raw_kept: e.raw_kept,
        }
    }
}

/// One page; pass `next_cursor` as `cursor` to get the next (absent on the last page).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinePage {
    pub items: Vec<QuarantinedMailOut>,
    pub next_cursor: Option<String>,
}

/// The provider's quarantined inbound mail, newest first (provider admins).
#[utoipa::path(get, path = "/api/v1/mail/quarantine", tag = "mail",
    params(("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = QuarantinePage), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn quarantine(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<QuarantinePage>> {
    let page = mail_ingest::quarantine_list(&super::ctx(&state, &caller), q.page()?).await?;
    Ok(Json(QuarantinePage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// A quarantined mail's raw bytes as received, as a `message/rfc822` attachment. 404 for a mail
/// of another provider and for one whose bytes were not kept (over 50 MB).
#[utoipa::path(get, path = "/api/v1/mail/quarantine/{id}/raw", tag = "mail",
    params(("id" = String, Path)),
    responses((status = 200, content_type = "message/rfc822", body = Vec<u8>),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn raw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (entry, bytes) = mail_ingest::quarantined_raw(&super::ctx(&state, &caller), &id).await?;
    Ok(eml_response(&entry, bytes))
}

/// The bytes of a quarantined mail as a download named `<id>.eml` (never rendered inline).
pub fn eml_response(entry: &QuarantineEntry, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("message/rfc822"),
    );
    // The id is a UUID: safe in a header and a file name.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.eml\"", entry.id)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", entry.raw_sha256)) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
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
