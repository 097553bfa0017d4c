//! Failed-login counters per account and per client address, shared by every server process
//! (they live in the database, not in one process's memory).

use futures::future::BoxFuture;
use posdesk_core::Timestamp;

use crate::{Applied, Conn, Ctx, Mutation, Result, Value};

/// Failures counted in the current window for `key` (0 once the window has passed).
pub async fn failures(c: &mut dyn Conn, key: &str, now: Timestamp, window_ms: i64) -> Result<i64> {
    let row = c
        .query_opt(
            "SELECT failures FROM login_failures WHERE key = $1 AND window_start > $2",
            &[key.into(), Value::Int(now.millis() - window_ms)],
        )
        .await?;
    row.map_or(Ok(0), |r| r.int(0))
}

pub struct RecordFailure {
    pub keys: Vec<String>,
    pub window_ms: i64,
}

impl Mutation for RecordFailure {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            for k in &self.keys {
                c.execute(
                    "INSERT INTO login_failures (key, window_start, failures) VALUES ($1, $2, 1) \
                     ON CONFLICT (key) DO UPDATE SET \
                     failures = CASE WHEN login_failures.window_start <= $3 THEN 1 ELSE login_failures.failures + 1 END, \
                     window_start = CASE WHEN login_failures.window_start <= $3 THEN $2 ELSE login_failures.window_start END",
                    &[k.as_str().into(), ctx.now.into(), Value::Int(ctx.now.millis() - self.window_ms)],
                )
                .await?;
            }
            Ok(Applied::unaudited(()))
        })
    }
}

pub struct Clear {
    pub key: String,
}

impl Mutation for Clear {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "DELETE FROM login_failures WHERE key = $1",
                &[self.key.as_str().into()],
            )
            .await?;
            Ok(Applied::unaudited(()))
        })
    }
}
