//! The job queue and transactional outbox. A mutation enqueues a job in its own transaction, so
//! a notification exists if and only if its change committed. Workers claim jobs with a lease:
//! PostgreSQL uses `FOR UPDATE SKIP LOCKED` so several servers never claim the same job; SQLite's
//! single writer serialises claims. A lease that runs out (a crashed worker) makes the job
//! claimable again; `attempts` counts every claim.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::ids::TenantId;
use serde::Serialize;

use crate::{Applied, Conn, Ctx, Dialect, Mutation, Result, Row, Value, parse_opt_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewJob {
    pub id: String,
    pub tenant: Option<TenantId>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: Timestamp,
    pub max_attempts: i64,
}

/// Inserts a job (held back and pipelined on PostgreSQL: nothing reads its result).
pub async fn enqueue(c: &mut dyn Conn, j: &NewJob, now: Timestamp) -> Result<()> {
    c.execute_deferred(
        "INSERT INTO jobs (id, tenant_id, kind, payload, state, attempts, max_attempts, run_at, locked_by, \
         locked_until, last_error, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, NULL, NULL, NULL, $7, $7)",
        &[
            j.id.as_str().into(),
            j.tenant.into(),
            j.kind.as_str().into(),
            j.payload.to_string().into(),
            Value::Int(j.max_attempts),
            j.run_at.into(),
            now.into(),
        ],
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claimed {
    pub id: String,
    pub tenant: Option<TenantId>,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

fn to_claimed(r: &Row) -> Result<Claimed> {
    Ok(Claimed {
        id: r.text(0)?,
        tenant: parse_opt_id(r, 1, TenantId::parse)?,
        kind: r.text(2)?,
        payload: r.text(3)?,
        attempts: r.int(4)?,
        max_attempts: r.int(5)?,
    })
}

pub struct Claim {
    pub worker: String,
    pub limit: i64,
    pub lease_ms: i64,
}

impl Mutation for Claim {
    type Output = Vec<Claimed>;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Vec<Claimed>>>> {
        Box::pin(async move {
            let lock = match c.dialect() {
                Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
                Dialect::Sqlite => "",
            };
            let sql = format!(
                "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $3, attempts = attempts + 1, \
                 updated_at = $2 WHERE id IN (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $2) \
                 OR (state = 'running' AND locked_until < $2) ORDER BY run_at LIMIT $4{lock}) \
                 RETURNING id, tenant_id, kind, payload, attempts, max_attempts"
            );
            let rows = c
                .query(
                    &sql,
                    &[
                        self.worker.as_str().into(),
                        ctx.now.into(),
                        Value::Int(ctx.now.millis() + self.lease_ms),
                        Value::Int(self.limit),
                    ],
                )
                .await?;
            Ok(Applied::unaudited(
                rows.iter().map(to_claimed).collect::<Result<Vec<_>>>()?,
            ))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Try again at `run_at`, unless the attempts are used up (then the job is dead).
    Retry {
        error: String,
        run_at: Timestamp,
    },
    Dead {
        error: String,
    },
}

/// Records a job's outcome, if the worker still holds its lease. Returns whether it did.
pub struct Finish {
    pub id: String,
    pub worker: String,
    pub outcome: Outcome,
}

impl Mutation for Finish {
    type Output = bool;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<bool>>> {
        Box::pin(async move {
            let (state, error, run_at) = match &self.outcome {
                Outcome::Done => ("done", None, None),
                Outcome::Retry { error, run_at } => ("queued", Some(error.clone()), Some(*run_at)),
                Outcome::Dead { error } => ("dead", Some(error.clone()), None),
            };
            let n = c
                .execute(
                    "UPDATE jobs SET state = CASE WHEN $3 = 'queued' AND attempts >= max_attempts THEN 'dead' ELSE $3 END, \
                     last_error = $4, run_at = COALESCE($5, run_at), locked_by = NULL, locked_until = NULL, \
                     updated_at = $6 WHERE id = $1 AND locked_by = $2 AND state = 'running'",
                    &[
                        self.id.as_str().into(),
                        self.worker.as_str().into(),
                        state.into(),
                        error.into(),
                        run_at.into(),
                        ctx.now.into(),
                    ],
                )
                .await?;
            Ok(Applied::unaudited(n == 1))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobInfo {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub payload: String,
    pub last_error: Option<String>,
}

/// Jobs of a tenant (or all, for `None`), newest first: for admins and tests.
pub async fn list(
    c: &mut dyn Conn,
    tenant: Option<TenantId>,
    kind: Option<&str>,
) -> Result<Vec<JobInfo>> {
    let mut params: Vec<Value> = Vec::new();
    let mut sql =
        "SELECT id, kind, state, attempts, payload, last_error FROM jobs WHERE 1 = 1".to_owned();
    if let Some(t) = tenant {
        params.push(t.into());
        sql.push_str(&format!(" AND tenant_id = ${}", params.len()));
    }
    if let Some(k) = kind {
        params.push(k.into());
        sql.push_str(&format!(" AND kind = ${}", params.len()));
    }
    sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT 500");
    c.query(&sql, &params)
        .await?
        .iter()
        .map(|r| {
            Ok(JobInfo {
                id: r.text(0)?,
                kind: r.text(1)?,
                state: r.text(2)?,
                attempts: r.int(3)?,
                payload: r.text(4)?,
                last_error: r.opt_text(5)?,
            })
        })
        .collect()
}
