//! SQLite engine: one OS thread owns the write connection (rusqlite, cached statements, group
//! commit in `BEGIN IMMEDIATE` batches); reads run on a small pool of read-only connections,
//! which WAL lets proceed while the writer commits. Durability: `journal_mode=WAL`,
//! `synchronous=NORMAL` (a commit survives a process crash; the bench's raw engine uses the same).

use std::path::Path;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use tokio::sync::{Semaphore, mpsc};

use crate::writer::{self, WriterHandle};
use crate::{Conn, Dialect, Error, Result, Row, Value};

const READERS: usize = 4;
/// `yield_now` rounds the writer polls its queue before it parks.
const SPIN_BEFORE_PARK: usize = 50;
/// At most this many `yield_now` rounds spent waiting for announced writes to arrive.
const COLLECT_ROUNDS: usize = 20;
/// How often the checkpointer copies committed WAL frames into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);
/// WAL frames the checkpointer may leave behind before the writer checkpoints itself (see
/// `Checkpoints`); SQLite's own default, checkpointing in the committing thread, is 1,000.
const WAL_FRAMES_MAX: i64 = 8_000;

pub(crate) struct SqliteBackend {
    readers: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
}

/// The pragmas both the server and the benchmark's raw engine use.
pub const PRAGMAS: &str = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; \
                           PRAGMA foreign_keys=ON;";

fn open_conn(path: &Path, read_only: bool) -> Result<Connection> {
    let conn = if read_only {
        Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    } else {
        // The writer appends to the WAL through the coalescing VFS (see `sqlite_vfs`).
        crate::sqlite_vfs::register().map_err(Error::Backend)?;
        Connection::open_with_flags_and_vfs(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            crate::sqlite_vfs::NAME,
        )
    }
    .map_err(map_err)?;
    conn.execute_batch(if read_only {
        "PRAGMA busy_timeout=5000; PRAGMA query_only=ON;"
    } else {
        PRAGMAS
    })
    .map_err(map_err)?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

impl SqliteBackend {
    pub(crate) fn open(path: &Path) -> Result<(Self, WriterHandle)> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Backend(format!("creating {}: {e}", dir.display())))?;
        }
        let mut wconn = open_conn(path, false)?;
        futures::executor::block_on(crate::migrate::run(&mut SqliteConn { conn: &mut wconn }))?;
        // Checkpoints leave the writer's thread (see `Checkpoints`).
        let checkpoints = Checkpoints::start(path, &wconn, CHECKPOINT_EVERY, WAL_FRAMES_MAX)?;

        let (tx, mut rx) = mpsc::channel::<writer::Job>(1024);
        let handle = WriterHandle::new(tx);
        let intents = handle.intents();
        std::thread::Builder::new()
            .name("posdesk-sqlite-writer".into())
            .spawn(move || {
                let mut heads = writer::HeadCache::default();
                loop {
                    // Spin briefly (yielding the core) before parking: in a closed loop the next
                    // requests arrive within tens of microseconds, and catching them here both
                    // grows the batch and saves a futex sleep/wake per commit.
                    let mut first = None;
                    for _ in 0..SPIN_BEFORE_PARK {
                        match rx.try_recv() {
                            Ok(j) => {
                                first = Some(j);
                                break;
                            }
                            Err(mpsc::error::TryRecvError::Empty) => std::thread::yield_now(),
                            Err(mpsc::error::TryRecvError::Disconnected) => return,
                        }
                    }
                    let Some(first) = first.or_else(|| rx.blocking_recv()) else {
                        return;
                    };
                    let mut batch = writer::drain(first, &mut rx);
                    // Requests already being handled will write in a moment: let them join this
                    // commit (each page is then written once for all of them), within a bound.
                    let mut waited = 0;
                    while batch.len() < writer::MAX_BATCH
                        && intents.load(std::sync::atomic::Ordering::Acquire) > 0
                        && waited < COLLECT_ROUNDS
                    {
                        std::thread::yield_now();
                        waited += 1;
                        while let Ok(j) = rx.try_recv() {
                            batch.push(j);
                        }
                    }
                    let now = crate::now();
                    futures::executor::block_on(writer::run_batch(
                        &mut SqliteConn { conn: &mut wconn },
                        batch,
                        now,
                        &mut heads,
                    ));
                    checkpoints.after_commit(&wconn);
                }
            })
            .map_err(|e| Error::Backend(format!("starting the writer thread: {e}")))?;

        let readers = (0..READERS)
            .map(|_| open_conn(path, true))
            .collect::<Result<Vec<_>>>()?;
        Ok((
            Self {
                readers: Arc::new(Mutex::new(readers)),
                permits: Arc::new(Semaphore::new(READERS)),
            },
            handle,
        ))
    }

    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Unavailable)?;
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut conn = readers
                .lock()
                .map_err(|_| Error::Unavailable)?
                .pop()
                .ok_or_else(|| Error::Backend("reader pool empty".into()))?;
            let out = futures::executor::block_on(f(&mut SqliteConn { conn: &mut conn }));
            if let Ok(mut pool) = readers.lock() {
                pool.push(conn);
            }
            out
        })
        .await
        .map_err(|e| Error::Backend(format!("reader task: {e}")))?
    }
}

/// Checkpointing off the writer's thread. SQLite checkpoints by default in whichever
/// connection commits past 1,000 WAL frames: the writer would then copy pages into the database
/// file and `fsync` it twice while every caller waits. Here the writer's connection does not
/// (`wal_autocheckpoint=0`); a thread with its own connection runs a `PASSIVE` checkpoint every
/// `CHECKPOINT_EVERY`, copying what is committed while the writer goes on. A passive
/// checkpoint never blocks the writer, but under steady writes it seldom finishes between two
/// commits, and SQLite rewinds the WAL only when a write begins on a fully copied log. So when
/// the log passes `WAL_FRAMES_MAX` the writer checkpoints once itself, between batches: by
/// then only the frames since the thread's last pass are left to copy, and the next write
/// rewinds the log. The writer knows the log's size from SQLite itself after each of its
/// commits (the WAL hook), so the bound holds even when the thread is starved of CPU.
/// Durability is unchanged (`synchronous=NORMAL`: a commit is in the WAL, and a checkpoint
/// syncs before it overwrites the database file).
struct Checkpoints {
    /// Held by the writer: the thread ends when it is gone.
    _alive: Arc<()>,
    max_frames: i64,
}

thread_local! {
    /// The WAL's size in frames after this thread's last commit (SQLite's WAL hook).
    static LOG_FRAMES: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

fn count_frames(_: &rusqlite::hooks::Wal, frames: std::ffi::c_int) -> rusqlite::Result<()> {
    LOG_FRAMES.set(i64::from(frames));
    Ok(())
}

impl Checkpoints {
    /// Takes checkpointing off `writer` (its connection to `path`) and starts the thread.
    fn start(
        path: &Path,
        writer: &Connection,
        every: std::time::Duration,
        max_frames: i64,
    ) -> Result<Self> {
        // The pragma replaces SQLite's own hook, so it comes first.
        writer
            .execute_batch("PRAGMA wal_autocheckpoint=0;")
            .map_err(map_err)?;
        writer.wal_hook(Some(count_frames));
        let conn = open_conn(path, false)?;
        let alive = Arc::new(());
        let seen = Arc::downgrade(&alive);
        std::thread::Builder::new()
            .name("posdesk-ckpt".into())
            .spawn(move || {
                while seen.strong_count() > 0 {
                    std::thread::sleep(every);
                    if let Err(e) = checkpoint(&conn) {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                }
            })
            .map_err(|e| Error::Backend(format!("starting the checkpoint thread: {e}")))?;
        Ok(Self {
            _alive: alive,
            max_frames,
        })
    }

    /// Called by the writer, on its thread, after each batch.
    fn after_commit(&self, conn: &Connection) {
        if LOG_FRAMES.get() < self.max_frames {
            return;
        }
        match checkpoint(conn) {
            // Fully copied: the next write rewinds the log.
            Ok((log, copied)) if log == copied => LOG_FRAMES.set(0),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }
}

/// Runs a passive checkpoint; returns the log's size and how much of it is copied, in frames.
fn checkpoint(conn: &Connection) -> Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
    })
    .map_err(map_err)
}

pub(crate) struct SqliteConn<'a> {
    pub(crate) conn: &'a mut Connection,
}

/// `$1` → `?1`: SQLite's explicit-index form, so a reused or reordered placeholder binds right.
/// Byte-wise (`$` and `?` are ASCII, so UTF-8 text passes through untouched); runs for every
/// statement the writer executes.
fn rewrite(sql: &str) -> String {
    let mut out = sql.as_bytes().to_vec();
    for i in 0..out.len().saturating_sub(1) {
        if out[i] == b'$' && out[i + 1].is_ascii_digit() {
            out[i] = b'?';
        }
    }
    // Only an ASCII byte was replaced by another: still valid UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| sql.to_owned())
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn from_ref(v: ValueRef<'_>) -> Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Text(t) => {
            Value::Text(String::from_utf8(t.to_vec()).map_err(|e| Error::Backend(e.to_string()))?)
        }
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        ValueRef::Real(r) => return Err(Error::Backend(format!("unexpected REAL value {r}"))),
    })
}

pub(crate) fn map_err(e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        let msg = msg.clone().unwrap_or_default();
        match f.code {
            rusqlite::ErrorCode::ConstraintViolation
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                // "UNIQUE constraint failed: users.tenant_id, users.login" → "tenant_id, login"
                let cols = msg.rsplit(": ").next().unwrap_or("");
                let columns = cols
                    .split(", ")
                    .map(|c| c.rsplit('.').next().unwrap_or(c))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Error::Unique { columns };
            }
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                return Error::Transient(msg);
            }
            _ => {}
        }
    }
    Error::Backend(e.to_string())
}

impl Conn for SqliteConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> BoxFuture<'a, Result<u64>> {
        let r = (|| {
            let mut st = self.conn.prepare_cached(&rewrite(sql)).map_err(map_err)?;
            st.execute(rusqlite::params_from_iter(params.iter()))
                .map(|n| n as u64)
                .map_err(map_err)
        })();
        Box::pin(async move { r })
    }

    fn query<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<Vec<Row>>> {
        let r = (|| {
            let mut st = self.conn.prepare_cached(&rewrite(sql)).map_err(map_err)?;
            let n = st.column_count();
            let mut rows = st
                .query(rusqlite::params_from_iter(params.iter()))
                .map_err(map_err)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(map_err)? {
                let mut vals = Vec::with_capacity(n);
                for i in 0..n {
                    vals.push(from_ref(row.get_ref(i).map_err(map_err)?)?);
                }
                out.push(Row(vals));
            }
            Ok(out)
        })();
        Box::pin(async move { r })
    }

    fn execute_deferred<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { self.execute(sql, params).await.map(|_| ()) })
    }

    fn set_deferral(&mut self, _on: bool) {}

    fn query_all<'a>(
        &'a mut self,
        stmts: &'a [(&'a str, Vec<Value>)],
    ) -> BoxFuture<'a, Result<Vec<Vec<Row>>>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(stmts.len());
            for (sql, params) in stmts {
                out.push(self.query(sql, params).await?);
            }
            Ok(out)
        })
    }

    fn execute_all_and_commit<'a>(
        &'a mut self,
        stmts: &'a [(String, Vec<Value>)],
    ) -> BoxFuture<'a, Result<Vec<u64>>> {
        Box::pin(async move {
            let mut counts = Vec::with_capacity(stmts.len());
            for (sql, params) in stmts {
                counts.push(self.execute(sql, params).await?);
            }
            self.execute("COMMIT", &[]).await?;
            Ok(counts)
        })
    }

    fn batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        let r = self.conn.execute_batch(sql).map_err(map_err);
        Box::pin(async move { r })
    }
}

#[cfg(test)]
mod tests {
    /// The writer's connection never checkpoints by itself, yet the log stays bounded under
    /// steady commits and nothing is lost: with the thread copying every 5 ms, and with the
    /// thread asleep throughout (as a thread starved of CPU would be), when the writer's own
    /// checkpoints past the limit are what keeps the log bounded.
    #[test]
    fn checkpoints_bound_the_log() {
        for every in [
            std::time::Duration::from_millis(5),
            std::time::Duration::from_secs(3600),
        ] {
            let dir = std::env::temp_dir().join(format!("posdesk-ckpt-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("t.db");
            let w = super::open_conn(&path, false).unwrap();
            w.execute_batch("CREATE TABLE t (v TEXT NOT NULL);")
                .unwrap();
            let ck = super::Checkpoints::start(&path, &w, every, 50).unwrap();
            let n = 3_000;
            for i in 0..n {
                w.execute("INSERT INTO t (v) VALUES (?1)", [format!("row {i}")])
                    .unwrap();
                ck.after_commit(&w);
            }
            // Each autocommit insert appends at least one 4 KiB frame: unbounded, the log
            // would hold 3,000 (12 MB).
            let wal = std::fs::metadata(dir.join("t.db-wal")).unwrap().len();
            assert!(
                wal < 1_000 * 4_096,
                "every {every:?}: WAL grew to {wal} bytes"
            );
            drop(w);
            let r = rusqlite::Connection::open(&path).unwrap();
            let count: i64 = r
                .query_row("SELECT COUNT(*) FROM t", [], |x| x.get(0))
                .unwrap();
            assert_eq!(count, n);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    #[test]
    fn rewrite_placeholders() {
        assert_eq!(
            super::rewrite("SELECT $1, $12 WHERE a = $2"),
            "SELECT ?1, ?12 WHERE a = ?2"
        );
        assert_eq!(super::rewrite("SELECT '$' || x"), "SELECT '$' || x");
        assert_eq!(
            super::rewrite("SELECT '压测$', $3 FROM t WHERE x = '¥$'"),
            "SELECT '压测$', ?3 FROM t WHERE x = '¥$'"
        );
        assert_eq!(super::rewrite("$"), "$");
        assert_eq!(super::rewrite("$1"), "?1");
    }
}
