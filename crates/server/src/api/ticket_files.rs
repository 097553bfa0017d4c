//! Ticket attachments under `/api/v1/tickets/{id}/attachments`: upload (multipart), list,
//! download. What a file may be is the core's (`ticket::attachment`); who may add or see it is
//! `service::ticket_files`'s.

use std::fmt::Write as _;

use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::ids::TicketId;
use posdesk_core::ticket::{AttachmentId, MAX_ATTACHMENT_BYTES};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::ticket_files::Attachment;
use posdesk_storage::repo::tickets::Visibility;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::path_id;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::ticket_files::{self, Upload};
use crate::state::AppState;

/// The upload route's body limit: the largest attachment plus room for the form's other parts.
/// A larger body is a 413 before anything is checked; a file between the two limits is a 422
/// on `file` from the core.
pub const MAX_UPLOAD_BYTES: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AttachmentForm {
    /// The file with its name and type: `image/jpeg`, `image/png`, `image/webp`,
    /// `application/pdf` or `text/plain` (UTF-8), at most 10 MiB; the bytes must be what the
    /// type says.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `public` (default: the merchant sees it) or `internal` (staff only).
    visibility: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Attachment>,
}

fn ticket_id(raw: &str) -> ApiResult<TicketId> {
    path_id(raw, TicketId::parse)
}

/// `public` or `internal`, or a `one_of` error naming `visibility`.
pub fn parse_visibility(raw: &str) -> Result<Visibility, FieldError> {
    match raw.trim() {
        "public" => Ok(Visibility::Public),
        "internal" => Ok(Visibility::Internal),
        _ => Err(FieldError::new(
            "visibility",
            Rule::OneOf {
                allowed: vec!["public", "internal"],
            },
        )),
    }
}

/// The parts of an upload form: exactly one `file` part, an optional `visibility`
/// (`upload::read_file_form`).
async fn read_form(
    headers: &HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Upload> {
    let f = super::upload::read_file_form(headers, form, MAX_UPLOAD_BYTES, &["visibility"]).await?;
    let visibility = match f.texts.get("visibility") {
        Some(v) => parse_visibility(v)?,
        None => Visibility::Public,
    };
    Ok(Upload {
        visibility,
        file_name: f.file_name,
        declared_type: f.declared_type,
        bytes: f.bytes,
    })
}

/// What makes two uploads "the same request" for `Idempotency-Key`.
fn fingerprint(ticket: TicketId, up: &Upload) -> String {
    super::upload::fingerprint(
        &[
            ticket.to_string().as_bytes(),
            up.visibility.code().as_bytes(),
            up.file_name.as_bytes(),
            up.declared_type.as_bytes(),
        ],
        &up.bytes,
    )
}

/// Attaches a file to a ticket: `multipart/form-data` with a `file` part (its file name and
/// content type as sent) and an optional `visibility` (`public` by default; `internal` needs
/// the ticket-work permission, so merchant users add public files only). The bytes must be
/// what the declared type says (JPEG, PNG, WebP, PDF, or UTF-8 text), at most 10 MiB (a larger
/// body is 413); they are stored once per provider under their SHA-256, which the answer
/// carries. Refused on a closed or merged ticket (409). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/attachments", tag = "tickets",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = AttachmentForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Object), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let id = ticket_id(&id)?;
    let up = read_form(&headers, form).await?;
    // Hashing 10 MiB only matters when the request may be a replay.
    let fp = if headers.contains_key("idempotency-key") {
        fingerprint(id, &up)
    } else {
        String::new()
    };
    let route = format!("tickets/{id}/attachments");
    super::create_idempotent::<Attachment, Attachment, _, _>(
        &state,
        &caller,
        &headers,
        &route,
        &fp,
        |tag| async {
            ticket_files::add(&super::ctx(&state, &caller).with_idempotency(tag), id, up).await
        },
    )
    .await
}

/// A ticket's files, oldest first: name, type, size, SHA-256, visibility, uploader. A merchant
/// user sees the public files of their own merchant's tickets (another ticket is 404).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/attachments", tag = "tickets",
    params(("id" = String, Path)),
    responses((status = 200, body = AttachmentList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AttachmentList>> {
    let items = ticket_files::list(&super::ctx(&state, &caller), ticket_id(&id)?).await?;
    Ok(Json(AttachmentList { items }))
}

/// One file's bytes as a download: `Content-Type` as stored, `Content-Disposition: attachment`
/// with the file name (RFC 6266 / RFC 5987 UTF-8), `X-Content-Type-Options: nosniff`, the
/// SHA-256 as the ETag.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/attachments/{attachment_id}", tag = "tickets",
    params(("id" = String, Path), ("attachment_id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", headers(("Content-Disposition" = String), ("ETag" = String))),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, attachment)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (a, blob) = ticket_files::file(
        &super::ctx(&state, &caller),
        ticket_id(&id)?,
        path_id(&attachment, AttachmentId::parse)?,
    )
    .await?;
    Ok(file_response(&a, blob.bytes))
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>`: the
/// fallback replaces what is not printable ASCII (and `"`, `\`) with `_`; the encoded form keeps
/// RFC 5987 `attr-char`s and percent-encodes every other UTF-8 byte.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            let _ = write!(encoded, "%{b:02X}");
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The bytes of an attachment as a download, never rendered inline by type guessing.
pub fn file_response(a: &Attachment, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    let content_type = HeaderValue::from_str(&a.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, content_type);
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&a.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", a.sha256)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_encodes_utf8_names() {
        assert_eq!(
            content_disposition("门头.jpg"),
            "attachment; filename=\"__.jpg\"; filename*=UTF-8''%E9%97%A8%E5%A4%B4.jpg"
        );
        assert_eq!(
            content_disposition("a \"b\";c%.log"),
            "attachment; filename=\"a _b_;c%.log\"; filename*=UTF-8''a%20%22b%22%3Bc%25.log"
        );
        // Always a valid header value.
        for n in ["门头.jpg", "x y.pdf", "é\u{1F600}.png"] {
            assert!(
                HeaderValue::from_str(&content_disposition(n)).is_ok(),
                "{n}"
            );
        }
    }

    #[test]
    fn visibility_codes() {
        assert_eq!(parse_visibility("public"), Ok(Visibility::Public));
        assert_eq!(parse_visibility(" internal "), Ok(Visibility::Internal));
        let e = parse_visibility("secret").unwrap_err();
        assert_eq!((e.field.as_str(), e.rule.code()), ("visibility", "one_of"));
    }
}
