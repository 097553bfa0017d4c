//! Web sessions. The cookie holds a random id; only its SHA-256 is stored, so a database leak
//! does not leak live sessions. Sessions expire absolutely and after idling.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::ids::UserId;

use crate::repo::users::{self, User};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Value};

/// A session idle this long is over, whatever its absolute expiry.
pub const IDLE_MS: i64 = 2 * 3_600_000;
/// `last_seen_at` is refreshed at most this often (a write per request would be waste).
pub const TOUCH_EVERY_MS: i64 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub second_factor_pending: bool,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// A live session and its user, or `None` if unknown, expired or idle too long.
pub async fn find_live(
    c: &mut dyn Conn,
    id_hash: &str,
    now: Timestamp,
) -> Result<Option<(Session, User)>> {
    let row = c
        .query_opt(
            "SELECT id_hash, user_id, csrf_token, second_factor_pending, created_at, expires_at, last_seen_at \
             FROM sessions WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3",
            &[id_hash.into(), now.into(), Value::Int(now.millis() - IDLE_MS)],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let s = Session {
        id_hash: r.text(0)?,
        user_id: crate::parse_id(&r, 1, UserId::parse)?,
        csrf_token: r.text(2)?,
        second_factor_pending: r.bool(3)?,
        created_at: r.ts(4)?,
        expires_at: r.ts(5)?,
        last_seen_at: r.ts(6)?,
    };
    let u = users::get_self(c, s.user_id).await?;
    Ok(Some((s, u)))
}

pub struct CreateSession {
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub second_factor_pending: bool,
    pub ttl_ms: i64,
    pub ip: Option<String>,
}

impl Mutation for CreateSession {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            let u = users::get_self(c, self.user_id).await?;
            c.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, second_factor_pending, created_at, expires_at, \
                 last_seen_at, ip) VALUES ($1, $2, $3, $4, $5, $6, $5, $7)",
                &[
                    self.id_hash.as_str().into(),
                    self.user_id.into(),
                    self.csrf_token.as_str().into(),
                    self.second_factor_pending.into(),
                    ctx.now.into(),
                    Value::Int(ctx.now.millis() + self.ttl_ms),
                    self.ip.clone().into(),
                ],
            )
            .await?;
            let action = if self.second_factor_pending {
                "login_password"
            } else {
                "login"
            };
            let audit = vec![AuditDraft::changed(
                u.tenant_id,
                "user",
                u.id,
                action,
                serde_json::Value::Null,
                serde_json::json!({"ip": self.ip}),
            )];
            Ok(Applied::new((), audit))
        })
    }
}

/// Completes a login that waited for its TOTP code.
pub struct CompleteSecondFactor {
    pub id_hash: String,
}

impl Mutation for CompleteSecondFactor {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            let (s, u) = find_live(c, &self.id_hash, ctx.now)
                .await?
                .ok_or(Error::NotFound)?;
            c.execute(
                "UPDATE sessions SET second_factor_pending = 0, last_seen_at = $2 WHERE id_hash = $1",
                &[s.id_hash.as_str().into(), ctx.now.into()],
            )
            .await?;
            let audit = vec![AuditDraft::changed(
                u.tenant_id,
                "user",
                u.id,
                "login",
                serde_json::Value::Null,
                serde_json::json!({"second_factor": "totp"}),
            )];
            Ok(Applied::new((), audit))
        })
    }
}

pub struct EndSession {
    pub id_hash: String,
}

impl Mutation for EndSession {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            let found = find_live(c, &self.id_hash, ctx.now).await?;
            c.execute(
                "DELETE FROM sessions WHERE id_hash = $1",
                &[self.id_hash.as_str().into()],
            )
            .await?;
            let audit = found
                .map(|(_, u)| {
                    vec![AuditDraft::changed(
                        u.tenant_id,
                        "user",
                        u.id,
                        "logout",
                        serde_json::Value::Null,
                        serde_json::Value::Null,
                    )]
                })
                .unwrap_or_default();
            Ok(Applied::new((), audit))
        })
    }
}

/// Refreshes `last_seen_at` (technical bookkeeping, not audited) and drops long-expired rows.
pub struct Touch {
    pub id_hash: String,
}

impl Mutation for Touch {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1",
                &[self.id_hash.as_str().into(), ctx.now.into()],
            )
            .await?;
            Ok(Applied::unaudited(()))
        })
    }
}

/// Deletes sessions past their expiry and idempotency records older than a day (periodic).
pub struct Sweep;

impl Mutation for Sweep {
    type Output = u64;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<u64>>> {
        Box::pin(async move {
            let n = c
                .execute(
                    "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
                    &[ctx.now.into(), Value::Int(ctx.now.millis() - IDLE_MS)],
                )
                .await?;
            // Stored idempotent responses are kept for a day.
            c.execute(
                "DELETE FROM idempotency WHERE created_at <= $1",
                &[Value::Int(ctx.now.millis() - 86_400_000)],
            )
            .await?;
            Ok(Applied::unaudited(n))
        })
    }
}
