//! posdesk storage: one repository layer, two engines.
//!
//! API boundary: callers get a `Store`; they read with `Store::read` (a closure over `dyn Conn`)
//! and change state only with `Store::write` (a `Mutation`), which commits the change, its audit
//! events and any idempotent response in one transaction. Repository functions in `repo::*` take
//! a `Scope` from `posdesk_core::authz` and filter by it, so a query cannot leave its tenant.

pub mod backup;
mod conn;
pub mod migrate;
mod postgres;
pub mod repo;
mod sqlite;
mod sqlite_vfs;
pub mod testing;
mod value;
mod writer;

use std::sync::Arc;

use futures::future::BoxFuture;
use posdesk_core::{FieldError, Timestamp, lifecycle::IllegalTransition};

pub use conn::{Conn, Dialect};
pub use sqlite::PRAGMAS as SQLITE_PRAGMAS;
pub use value::{Row, Value, parse_id, parse_opt_id};
pub use writer::{Actor, Applied, Ctx, IdemTag, MAX_BATCH, Mutation, WriteMeta};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("already exists: unique on {columns}")]
    Unique { columns: String },
    #[error("the record was changed by someone else (current version {current})")]
    Stale { current: i64 },
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("{0}")]
    Rejected(String),
    #[error("the idempotency key was used by an earlier request")]
    IdempotencyReplay,
    #[error("database busy: {0}")]
    Transient(String),
    #[error("database error: {0}")]
    Backend(String),
    #[error("storage unavailable")]
    Unavailable,
    /// A statement sent with `Conn::execute_deferred` failed; which mutation it belonged to is
    /// not known here, so the writer re-runs the batch without deferral to find out.
    #[error("a deferred statement failed: {0}")]
    Deferred(Box<Error>),
}

impl Error {
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Transient(_))
    }
}

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    pub fn parse(url: &str) -> std::result::Result<Self, String> {
        if let Some(p) = url.strip_prefix("sqlite://") {
            let p = p.split('?').next().unwrap_or(p);
            if p.is_empty() {
                return Err(
                    "sqlite:// URL needs a file path, e.g. sqlite://./posdesk-data/posdesk.db"
                        .into(),
                );
            }
            Ok(Location::Sqlite(p.into()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Location::Postgres(url.to_owned()))
        } else {
            Err(format!(
                "unsupported DATABASE_URL {url:?}: use sqlite://PATH or postgres://..."
            ))
        }
    }
}

enum Engine {
    Sqlite(sqlite::SqliteBackend),
    Postgres(postgres::PgBackend),
}

/// The handle every layer above storage uses. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    engine: Arc<Engine>,
    writer: writer::WriterHandle,
}

impl Store {
    /// Opens the database, applies pending migrations and starts the writer.
    pub async fn open(location: &Location) -> Result<Self> {
        match location {
            Location::Sqlite(path) => {
                let (backend, writer) = sqlite::SqliteBackend::open(path)?;
                Ok(Self {
                    engine: Arc::new(Engine::Sqlite(backend)),
                    writer,
                })
            }
            Location::Postgres(url) => {
                let (backend, writer) = postgres::PgBackend::open(url).await?;
                Ok(Self {
                    engine: Arc::new(Engine::Postgres(backend)),
                    writer,
                })
            }
        }
    }

    pub fn dialect(&self) -> Dialect {
        match &*self.engine {
            Engine::Sqlite(_) => Dialect::Sqlite,
            Engine::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs a read on a pooled connection (SQLite: a read-only connection in WAL mode).
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        match &*self.engine {
            Engine::Sqlite(b) => b.read(f).await,
            Engine::Postgres(b) => b.read(f).await,
        }
    }

    /// Runs a read inside one snapshot (a consistent view across several statements).
    pub async fn read_snapshot<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.read(move |c| {
            Box::pin(async move {
                let begin = match c.dialect() {
                    Dialect::Sqlite => "BEGIN",
                    Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                };
                c.batch(begin).await?;
                let out = f(c).await;
                let _ = c.batch("ROLLBACK").await;
                out
            })
        })
        .await
    }

    /// Commits a state change with its audit events, batched with concurrent writes.
    pub async fn write<M: Mutation>(&self, meta: WriteMeta, m: M) -> Result<M::Output> {
        self.writer.submit(meta, m).await
    }

    /// Marks `fut` as a request that is about to write (see `writer::WriteIntent`).
    pub async fn announce_write<F: Future>(&self, fut: F) -> F::Output {
        self.writer.with_intent(fut).await
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        self.read(|c| Box::pin(async move { c.query("SELECT 1", &[]).await.map(|_| ()) }))
            .await
    }
}

/// The wall clock, read only by storage and the layers above (never by the core).
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Timestamp::from_millis(ms)
}
