//! Stored first responses of POST requests carrying an `Idempotency-Key`.

use posdesk_core::Timestamp;

use crate::{Conn, IdemTag, Result, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
}

pub(crate) async fn store(
    c: &mut dyn Conn,
    tag: &IdemTag,
    body: &str,
    now: Timestamp,
) -> Result<()> {
    c.execute(
        "INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            Value::from(tag.scope.as_str()),
            Value::from(tag.key.as_str()),
            Value::from(tag.fingerprint.as_str()),
            Value::Int(i64::from(tag.status)),
            Value::from(body),
            Value::from(now),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn find(c: &mut dyn Conn, scope: &str, key: &str) -> Result<Option<Stored>> {
    let row = c
        .query_opt(
            "SELECT fingerprint, status, body FROM idempotency WHERE scope = $1 AND key = $2",
            &[Value::from(scope), Value::from(key)],
        )
        .await?;
    row.map(|r| {
        Ok(Stored {
            fingerprint: r.text(0)?,
            status: u16::try_from(r.int(1)?).unwrap_or(200),
            body: r.text(2)?,
        })
    })
    .transpose()
}
