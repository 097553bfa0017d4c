//! The write path: every state change is a `Mutation` run by the backend's single writer, which
//! groups concurrent mutations into one transaction (group commit), appends their audit events to
//! the hash chains in that same transaction, stores idempotent responses, and answers each caller
//! only after the commit. The loop below is shared by both engines; only the connection differs.
//!
//! Failure isolation: if one mutation fails, the transaction is rolled back, that caller gets its
//! error, and the rest of the batch is run again without it. Mutations are therefore re-runnable:
//! all ids and random values are minted before the mutation is submitted, and `now` comes from
//! `Ctx`.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::{AuditDraft, GENESIS_HASH, StoredEvent, chain_key};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use crate::{Conn, Dialect, Error, Result, Value};

/// The largest number of mutations committed together.
pub const MAX_BATCH: usize = 64;

/// What a mutation sees besides the connection.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub now: Timestamp,
    pub request_id: String,
    pub actor: Actor,
}

/// Who caused a change, as recorded in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub role: String,
}

impl Actor {
    pub fn user(id: impl ToString, role: &str) -> Self {
        Self {
            id: id.to_string(),
            role: role.to_owned(),
        }
    }
    /// The CLI, background jobs and demo data act as `system:<what>`.
    pub fn system(what: &str) -> Self {
        Self {
            id: format!("system:{what}"),
            role: "system".to_owned(),
        }
    }
}

/// Stores the first response to a POST under its `Idempotency-Key` in the same transaction.
#[derive(Debug, Clone)]
pub struct IdemTag {
    pub scope: String,
    pub key: String,
    pub fingerprint: String,
    pub status: u16,
}

#[derive(Debug, Clone)]
pub struct WriteMeta {
    pub actor: Actor,
    pub request_id: String,
    pub idempotency: Option<IdemTag>,
    /// Outbox: jobs (notifications) enqueued in the same transaction, only if the mutation
    /// succeeds. Their ids are minted by the caller, so a re-run does not duplicate them.
    pub outbox: Vec<crate::repo::jobs::NewJob>,
}

impl WriteMeta {
    pub fn new(actor: Actor, request_id: impl Into<String>) -> Self {
        Self {
            actor,
            request_id: request_id.into(),
            idempotency: None,
            outbox: Vec::new(),
        }
    }
    pub fn with_outbox(mut self, job: crate::repo::jobs::NewJob) -> Self {
        self.outbox.push(job);
        self
    }
    pub fn with_idempotency(mut self, tag: Option<IdemTag>) -> Self {
        self.idempotency = tag;
        self
    }
}

/// The result of a mutation: its value and the audit events it must be recorded with.
#[derive(Debug)]
pub struct Applied<T> {
    pub value: T,
    pub audit: Vec<AuditDraft>,
}

impl<T> Applied<T> {
    pub fn new(value: T, audit: Vec<AuditDraft>) -> Self {
        Self { value, audit }
    }
    /// A technical change with no business meaning (session bookkeeping, job leases).
    pub fn unaudited(value: T) -> Self {
        Self {
            value,
            audit: Vec::new(),
        }
    }
}

/// A state change, written once for both engines. `apply` may run more than once (see above).
pub trait Mutation: Send + Sync + 'static {
    type Output: Serialize + Send + 'static;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Self::Output>>>;
}

struct Erased {
    value: Box<dyn Any + Send>,
    body: Option<String>,
    audit: Vec<AuditDraft>,
}

trait ErasedMutation: Send + Sync {
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
        want_body: bool,
    ) -> BoxFuture<'a, Result<Erased>>;
}

impl<M: Mutation> ErasedMutation for M {
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
        want_body: bool,
    ) -> BoxFuture<'a, Result<Erased>> {
        Box::pin(async move {
            let applied = Mutation::apply(self, c, ctx).await?;
            let body = if want_body {
                Some(
                    serde_json::to_string(&applied.value)
                        .map_err(|e| Error::Backend(e.to_string()))?,
                )
            } else {
                None
            };
            Ok(Erased {
                value: Box::new(applied.value),
                body,
                audit: applied.audit,
            })
        })
    }
}

pub(crate) struct Job {
    meta: WriteMeta,
    mutation: Arc<dyn ErasedMutation>,
    reply: oneshot::Sender<Result<Box<dyn Any + Send>>>,
}

impl Job {
    /// Sends the caller its result.
    fn answer(self, result: Result<Box<dyn Any + Send>>) {
        let _ = self.reply.send(result);
    }
}

/// The submitting side of a writer.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Job>,
    intents: Arc<std::sync::atomic::AtomicUsize>,
}

tokio::task_local! {
    /// The write intent of the request this task serves (see `Store::announce_write`).
    static INTENT: std::cell::RefCell<Option<WriteIntent>>;
}

/// A request that is on its way to the writer: counted from when the HTTP layer sees a
/// state-changing request until its mutation is queued (or the request ends without one). The
/// SQLite writer briefly holds a commit open while such requests are in flight, so they share it.
pub struct WriteIntent {
    intents: Arc<std::sync::atomic::AtomicUsize>,
}

impl Drop for WriteIntent {
    fn drop(&mut self) {
        self.intents
            .fetch_sub(1, std::sync::atomic::Ordering::Release);
    }
}

impl WriterHandle {
    pub(crate) fn new(tx: mpsc::Sender<Job>) -> Self {
        Self {
            tx,
            intents: Arc::default(),
        }
    }

    pub(crate) fn intents(&self) -> Arc<std::sync::atomic::AtomicUsize> {
        self.intents.clone()
    }

    /// Runs `fut` (one request) with a write intent counted until its first write is queued.
    pub async fn with_intent<F: Future>(&self, fut: F) -> F::Output {
        self.intents
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        let guard = WriteIntent {
            intents: self.intents.clone(),
        };
        INTENT
            .scope(std::cell::RefCell::new(Some(guard)), fut)
            .await
    }

    pub async fn submit<M: Mutation>(&self, meta: WriteMeta, m: M) -> Result<M::Output> {
        // This request's write is about to be queued: it no longer needs to be waited for.
        let _ = INTENT.try_with(|cell| cell.borrow_mut().take());
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job {
                meta,
                mutation: Arc::new(m),
                reply,
            })
            .await
            .map_err(|_| Error::Unavailable)?;
        let boxed = rx.await.map_err(|_| Error::Unavailable)??;
        boxed
            .downcast::<M::Output>()
            .map(|b| *b)
            .map_err(|_| Error::Backend("writer returned a value of the wrong type".into()))
    }
}

/// Takes the first job and whatever else is already queued, up to `MAX_BATCH`.
pub(crate) fn drain(first: Job, rx: &mut mpsc::Receiver<Job>) -> Vec<Job> {
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(j) => batch.push(j),
            Err(_) => break,
        }
    }
    batch
}

fn begin_sql(d: Dialect) -> &'static str {
    match d {
        Dialect::Sqlite => "BEGIN IMMEDIATE",
        Dialect::Postgres => "BEGIN",
    }
}

/// BEGIN/COMMIT: prepared (cached) statements on SQLite, one simple-protocol round trip on
/// PostgreSQL.
async fn begin(c: &mut dyn Conn) -> Result<()> {
    match c.dialect() {
        Dialect::Sqlite => c.execute(begin_sql(Dialect::Sqlite), &[]).await.map(|_| ()),
        Dialect::Postgres => c.batch(begin_sql(Dialect::Postgres)).await,
    }
}

async fn commit(c: &mut dyn Conn) -> Result<()> {
    match c.dialect() {
        Dialect::Sqlite => c.execute("COMMIT", &[]).await.map(|_| ()),
        Dialect::Postgres => c.batch("COMMIT").await,
    }
}

/// The writer's knowledge of each audit chain's head (last sequence number and hash), so a
/// commit need not read it back. It is only a hint: a head moved by another process makes the
/// batch retry with a fresh read (see `append_audit`). Entries change only after a commit.
pub(crate) type HeadCache = std::collections::HashMap<String, (i64, String)>;

/// Runs one batch to completion and answers every caller.
pub(crate) async fn run_batch(
    c: &mut dyn Conn,
    jobs: Vec<Job>,
    now: Timestamp,
    heads: &mut HeadCache,
) {
    let mut results: Vec<Option<Result<Box<dyn Any + Send>>>> = jobs.iter().map(|_| None).collect();
    let mut pending: Vec<usize> = (0..jobs.len()).collect();
    let mut transient_failures = 0;
    let mut strict = false;

    while !pending.is_empty() {
        match attempt(c, &jobs, &pending, now, heads).await {
            Ok((values, new_heads)) => {
                heads.extend(new_heads);
                for (i, v) in pending.iter().zip(values) {
                    results[*i] = Some(Ok(v));
                }
                pending.clear();
            }
            Err(Failure::Mutation(i, e)) => {
                let _ = c.batch("ROLLBACK").await;
                results[i] = Some(Err(e));
                pending.retain(|j| *j != i);
            }
            Err(Failure::Batch(Error::Deferred(_))) if !strict => {
                // A held-back statement failed: run the batch again statement by statement, so
                // the failure lands on the mutation that caused it.
                let _ = c.batch("ROLLBACK").await;
                strict = true;
                c.set_deferral(false);
            }
            Err(Failure::Batch(e)) => {
                let _ = c.batch("ROLLBACK").await;
                transient_failures += 1;
                if transient_failures >= 3 {
                    tracing::error!(error = %e, "write batch failed three times");
                    for i in pending.drain(..) {
                        results[i] = Some(Err(e.clone()));
                    }
                }
            }
        }
    }

    for (job, result) in jobs.into_iter().zip(results) {
        job.answer(result.unwrap_or(Err(Error::Unavailable)));
    }
}

enum Failure {
    Mutation(usize, Error),
    Batch(Error),
}

type Attempt = (Vec<Box<dyn Any + Send>>, Vec<(String, (i64, String))>);

async fn attempt(
    c: &mut dyn Conn,
    jobs: &[Job],
    pending: &[usize],
    now: Timestamp,
    heads: &mut HeadCache,
) -> std::result::Result<Attempt, Failure> {
    begin(c).await.map_err(Failure::Batch)?;
    let mut values = Vec::with_capacity(pending.len());
    let mut events: Vec<(AuditDraft, &WriteMeta)> = Vec::new();
    for &i in pending {
        let job = &jobs[i];
        let ctx = Ctx {
            now,
            request_id: job.meta.request_id.clone(),
            actor: job.meta.actor.clone(),
        };
        let idem = job.meta.idempotency.as_ref();
        let out = match job.mutation.apply(c, &ctx, idem.is_some()).await {
            Ok(out) => out,
            Err(e) if e.is_transient() || matches!(e, Error::Deferred(_)) => {
                return Err(Failure::Batch(e));
            }
            Err(e) => return Err(Failure::Mutation(i, e)),
        };
        if let (Some(tag), Some(body)) = (idem, out.body.as_ref()) {
            crate::repo::idempotency::store(c, tag, body, now)
                .await
                .map_err(|e| match e {
                    Error::Unique { .. } => Failure::Mutation(i, Error::IdempotencyReplay),
                    e => Failure::Batch(e),
                })?;
        }
        for j in &job.meta.outbox {
            crate::repo::jobs::enqueue(c, j, now)
                .await
                .map_err(|e| Failure::Mutation(i, e))?;
        }
        events.extend(out.audit.into_iter().map(|d| (d, &job.meta)));
        values.push(out.value);
    }
    let new_heads = if events.is_empty() {
        commit(c).await.map_err(Failure::Batch)?;
        Vec::new()
    } else {
        // Appends the events and commits.
        append_audit(c, events, now, heads)
            .await
            .map_err(Failure::Batch)?
    };
    Ok((values, new_heads))
}

/// Appends events to their chains, commits, and returns the new heads (the caller puts them in
/// the cache).
///
/// A chain's head is its last event; the writer remembers it between batches (`HeadCache`) and
/// reads it back only when it does not know it. Chains extend one event at a time across every
/// process on the database because `(chain, seq)` is the primary key: if another process
/// appended first, our insert of the same sequence number fails (PostgreSQL makes us wait for
/// the other transaction to end first), the transaction rolls back, the remembered head is
/// dropped and the batch is retried as transient with a fresh read. On PostgreSQL the event
/// inserts and the COMMIT go out pipelined in one round trip.
async fn append_audit(
    c: &mut dyn Conn,
    events: Vec<(AuditDraft, &WriteMeta)>,
    now: Timestamp,
    heads: &mut HeadCache,
) -> Result<Vec<(String, (i64, String))>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_chain: BTreeMap<String, Vec<(AuditDraft, &WriteMeta)>> = BTreeMap::new();
    for (d, m) in events {
        by_chain
            .entry(chain_key(d.tenant))
            .or_default()
            .push((d, m));
    }
    let mut current: BTreeMap<String, (i64, String)> = BTreeMap::new();
    for chain in by_chain.keys() {
        let head = match heads.get(chain) {
            Some(h) => h.clone(),
            None => {
                let row = c
                    .query_opt(
                        "SELECT seq, hash FROM audit_events WHERE chain = $1 ORDER BY seq DESC LIMIT 1",
                        &[Value::from(chain.as_str())],
                    )
                    .await?;
                match row {
                    Some(r) => (r.int(0)?, r.text(1)?),
                    None => (0, GENESIS_HASH.to_owned()),
                }
            }
        };
        current.insert(chain.clone(), head);
    }
    let mut sealed = Vec::new();
    let mut new_heads = Vec::new();
    for (chain, drafts) in by_chain {
        let (mut seq, mut prev) = current
            .remove(&chain)
            .ok_or_else(|| Error::Backend(format!("audit head for {chain} missing")))?;
        for (d, meta) in drafts {
            seq += 1;
            let e = StoredEvent {
                chain: chain.clone(),
                seq,
                at: now,
                actor: meta.actor.id.clone(),
                actor_role: meta.actor.role.clone(),
                entity_type: d.entity_type.to_owned(),
                entity_id: d.entity_id,
                action: d.action.to_owned(),
                before: d.before.map(|v| v.to_string()),
                after: d.after.map(|v| v.to_string()),
                request_id: meta.request_id.clone(),
                prev_hash: prev,
                hash: String::new(),
            }
            .seal();
            prev = e.hash.clone();
            sealed.push(e);
        }
        new_heads.push((chain, (seq, prev)));
    }
    let statements = crate::repo::audit::insert_statements(&sealed);
    match c.execute_all_and_commit(&statements).await {
        Ok(_) => Ok(new_heads),
        Err(e) => {
            // Whatever failed, the heads we remembered may be stale: read them next time.
            for (chain, _) in &new_heads {
                heads.remove(chain);
            }
            match e {
                Error::Unique { .. } => Err(Error::Transient(
                    "an audit chain head moved; retrying".into(),
                )),
                e => Err(e),
            }
        }
    }
}

/// Answers every job in a batch with the same error (the writer could not run it at all).
pub(crate) fn fail_all(jobs: Vec<Job>, e: Error) {
    for j in jobs {
        j.answer(Err(e.clone()));
    }
}
