//! Content-addressed files: bytes stored once per tenant under their SHA-256, never updated or
//! deleted. Records that own a file (onboarding documents; later ticket attachments and
//! complaint evidence) reference it by `(tenant_id, sha256)`; a second upload of the same bytes
//! stores nothing new.

use posdesk_core::Timestamp;
use posdesk_core::ids::TenantId;

use crate::{Conn, Error, Result, Value};

/// A file as uploaded: its bytes, the content type the core recognised, and its digest
/// (computed by the caller, which also checked the content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBlob {
    pub sha256: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Stores `blob` for `tenant` unless the same digest is already there. Runs inside the caller's
/// mutation, so the file and the record that references it commit together.
pub async fn put(c: &mut dyn Conn, tenant: TenantId, blob: &NewBlob, now: Timestamp) -> Result<()> {
    if blob.sha256.len() != 64 || !blob.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Backend(format!(
            "not a SHA-256 digest: {}",
            blob.sha256
        )));
    }
    c.execute(
        "INSERT INTO blobs (tenant_id, sha256, content_type, size, bytes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, sha256) DO NOTHING",
        &[
            tenant.into(),
            blob.sha256.as_str().into(),
            blob.content_type.as_str().into(),
            Value::Int(i64::try_from(blob.bytes.len()).unwrap_or(i64::MAX)),
            Value::Blob(blob.bytes.clone()),
            now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The bytes stored under `sha256` for `tenant`. Callers reach this only through a record the
/// scope lets them see; the tenant is part of the key, so another provider's file is never
/// found.
pub async fn get(c: &mut dyn Conn, tenant: TenantId, sha256: &str) -> Result<Blob> {
    let r = c
        .query_one(
            "SELECT content_type, bytes FROM blobs WHERE tenant_id = $1 AND sha256 = $2",
            &[tenant.into(), sha256.into()],
        )
        .await?;
    Ok(Blob {
        content_type: r.text(0)?,
        bytes: r.blob(1)?,
    })
}
