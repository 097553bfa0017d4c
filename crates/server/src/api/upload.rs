//! The one reader of the API's file-upload forms (`multipart/form-data`): exactly one `file`
//! part (its file name and content type as sent) and the named text parts an endpoint allows;
//! any other part is refused by name, as unknown JSON fields are. Also the upload's
//! `Idempotency-Key` fingerprint. Ticket attachments and complaint evidence use it.

use std::collections::BTreeMap;

use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::http::{HeaderMap, StatusCode, header};
use posdesk_core::{FieldError, Rule};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// A read upload form.
pub struct FileForm {
    pub file_name: String,
    pub declared_type: String,
    pub bytes: Vec<u8>,
    /// The allowed text parts that were sent, by name.
    pub texts: BTreeMap<&'static str, String>,
}

fn multipart_error(e: &MultipartError, limit: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge { limit }
    } else {
        ApiError::BadRequest(FieldError::new(
            "file",
            Rule::Invalid {
                reason: "malformed multipart body",
            },
        ))
    }
}

/// Reads `form`: one `file`, text parts named in `texts`. A body over `limit` is 413 (at once
/// when its `Content-Length` says so), a body that is not `multipart/form-data` 400.
pub async fn read_file_form(
    headers: &HeaderMap,
    form: Result<Multipart, MultipartRejection>,
    limit: usize,
    texts: &[&'static str],
) -> ApiResult<FileForm> {
    let declared_len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared_len.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::TooLarge { limit });
    }
    let mut form = form.map_err(|_| {
        ApiError::BadRequest(FieldError::new(
            "Content-Type",
            Rule::Pattern {
                expected: "multipart/form-data with a boundary",
            },
        ))
    })?;
    let err = |e: MultipartError| multipart_error(&e, limit);
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut values = BTreeMap::new();
    while let Some(field) = form.next_field().await.map_err(err)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if file.is_some() {
                return Err(ApiError::invalid(
                    "file",
                    Rule::Invalid {
                        reason: "one file per request",
                    },
                ));
            }
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let declared = field.content_type().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(err)?;
            file = Some((file_name, declared, bytes.to_vec()));
        } else if let Some(known) = texts.iter().find(|t| **t == name) {
            values.insert(*known, field.text().await.map_err(err)?);
        } else {
            return Err(ApiError::invalid(
                &name,
                Rule::Invalid {
                    reason: "unknown form field",
                },
            ));
        }
    }
    let (file_name, declared_type, bytes) =
        file.ok_or_else(|| ApiError::invalid("file", Rule::Required))?;
    Ok(FileForm {
        file_name,
        declared_type,
        bytes,
        texts: values,
    })
}

/// What makes two uploads "the same request" for `Idempotency-Key`: the length-prefixed
/// `parts` (target id, form values) and the file's SHA-256.
pub fn fingerprint(parts: &[&[u8]], bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.len().to_string().as_bytes());
        h.update(b":");
        h.update(part);
    }
    h.update(Sha256::digest(bytes));
    hex::encode(h.finalize())
}
