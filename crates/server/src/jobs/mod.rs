//! The background job runner inside `serve`: claims due jobs from the table-backed queue (see
//! `posdesk_storage::repo::jobs`), runs them, records the outcome with exponential backoff, and
//! does periodic upkeep. Any number of server processes may run it on one PostgreSQL database;
//! a job is claimed by one of them at a time.

pub mod email;
pub mod webhook;

use std::time::{Duration, Instant};

use posdesk_core::Timestamp;
use posdesk_storage::repo::jobs::{Claim, Claimed, Finish, Outcome};
use posdesk_storage::repo::sessions::Sweep;
use posdesk_storage::{Actor, WriteMeta};

use crate::state::AppState;

const LEASE_MS: i64 = 5 * 60_000;
const SWEEP_EVERY: Duration = Duration::from_secs(600);
/// How often the SLA scan looks for tickets whose next check (a deadline or an escalation) has
/// come; a pass reads only those, through the `next_check` index.
const SLA_SCAN_EVERY: Duration = Duration::from_secs(30);
/// Most tickets one scan pass handles (the rest wait for the next pass).
const SLA_SCAN_BATCH: u32 = 1000;

pub fn worker_id() -> String {
    format!(
        "pid{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

fn meta() -> WriteMeta {
    WriteMeta::new(Actor::system("jobs"), "jobs")
}

pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let worker = worker_id();
        let mut last_sweep: Option<Instant> = None;
        let mut last_scan: Option<Instant> = None;
        loop {
            if last_scan.is_none_or(|t| t.elapsed() >= SLA_SCAN_EVERY) {
                let now = posdesk_storage::now();
                if let Err(e) = crate::service::tickets::scan(&state, now, SLA_SCAN_BATCH).await {
                    tracing::warn!(error = %e, "sla scan");
                }
                if let Err(e) =
                    crate::service::complaints::scan(&state, now, i64::from(SLA_SCAN_BATCH)).await
                {
                    tracing::warn!(error = %e, "complaint scan");
                }
                if let Err(e) = crate::service::repairs::scan_loans(&state, now).await {
                    tracing::warn!(error = %e, "loaner scan");
                }
                if let Err(e) = crate::service::feedback::scan_auto_close(&state, now).await {
                    tracing::warn!(error = %e, "auto-close scan");
                }
                last_scan = Some(Instant::now());
            }
            if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
                if let Err(e) = state.store.write(meta(), Sweep).await {
                    tracing::warn!(error = %e, "session sweep");
                }
                last_sweep = Some(Instant::now());
            }
            match run_once(&state, &worker, 8).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "job runner"),
            }
            tokio::select! {
                _ = state.jobs_wakeup.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(state.config.job_poll_ms)) => {}
            }
        }
    });
}

/// Claims and runs up to `limit` due jobs; returns how many ran. Tests call it to drain the
/// queue deterministically.
pub async fn run_once(
    state: &AppState,
    worker: &str,
    limit: i64,
) -> posdesk_storage::Result<usize> {
    let claimed = state
        .store
        .write(
            meta(),
            Claim {
                worker: worker.to_owned(),
                limit,
                lease_ms: LEASE_MS,
            },
        )
        .await?;
    let n = claimed.len();
    let outcomes = futures::future::join_all(claimed.iter().map(|j| run(state, j))).await;
    for (job, outcome) in claimed.into_iter().zip(outcomes) {
        if let Outcome::Retry { error, .. } | Outcome::Dead { error } = &outcome {
            tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
        }
        state
            .store
            .write(
                meta(),
                Finish {
                    id: job.id,
                    worker: worker.to_owned(),
                    outcome,
                },
            )
            .await?;
    }
    Ok(n)
}

/// Exponential backoff: 10 s, 20 s, 40 s … capped at one hour.
pub fn backoff(attempts: i64, now: Timestamp) -> Timestamp {
    let exp = attempts.clamp(1, 20) - 1;
    let secs = (10i64 << exp).min(3600);
    now.plus_secs(secs)
}

async fn run(state: &AppState, job: &Claimed) -> Outcome {
    let result = match job.kind.as_str() {
        "email" => email::send(state, &job.payload).await,
        "webhook" => webhook::deliver(state, &job.payload).await,
        other => {
            return Outcome::Dead {
                error: format!("unknown job kind {other}"),
            };
        }
    };
    match result {
        Ok(()) => Outcome::Done,
        Err(JobError::Permanent(e)) => Outcome::Dead { error: e },
        Err(JobError::Retry(e)) => Outcome::Retry {
            error: e,
            run_at: backoff(job.attempts, posdesk_storage::now()),
        },
    }
}

#[derive(Debug)]
pub enum JobError {
    /// Worth trying again later (network, remote 5xx).
    Retry(String),
    /// Will never succeed (bad payload, unknown target).
    Permanent(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let t0 = Timestamp::from_millis(0);
        assert_eq!(backoff(1, t0).millis(), 10_000);
        assert_eq!(backoff(2, t0).millis(), 20_000);
        assert_eq!(backoff(4, t0).millis(), 80_000);
        assert_eq!(backoff(30, t0).millis(), 3_600_000);
    }
}
