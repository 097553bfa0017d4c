//! PostgreSQL engine: tokio-postgres through a deadpool pool with per-connection statement
//! caches. Each server process runs one writer task that group-commits batches on one pooled
//! connection; several servers share the database safely because audit chain heads are taken
//! with `FOR UPDATE` and job claims use `FOR UPDATE SKIP LOCKED`.

use bytes::BytesMut;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::writer::{self, WriterHandle};
use crate::{Conn, Dialect, Error, Result, Row, Value};

pub(crate) struct PgBackend {
    pool: Pool,
}

impl PgBackend {
    pub(crate) async fn open(url: &str) -> Result<(Self, WriterHandle)> {
        let cfg: tokio_postgres::Config = url
            .parse()
            .map_err(|e| Error::Backend(format!("DATABASE_URL: {e}")))?;
        let mgr = Manager::from_config(
            cfg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(mgr)
            .max_size(16)
            .build()
            .map_err(|e| Error::Backend(format!("pool: {e}")))?;
        {
            let client = pool.get().await.map_err(pool_err)?;
            crate::migrate::run(&mut PgConn::new(&client)).await?;
        }
        let (tx, mut rx) = mpsc::channel::<writer::Job>(1024);
        let wpool = pool.clone();
        tokio::spawn(async move {
            let mut heads = writer::HeadCache::default();
            while let Some(first) = rx.recv().await {
                let batch = writer::drain(first, &mut rx);
                match wpool.get().await {
                    Ok(client) => {
                        writer::run_batch(
                            &mut PgConn::new(&client),
                            batch,
                            crate::now(),
                            &mut heads,
                        )
                        .await
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "writer could not get a connection");
                        writer::fail_all(batch, Error::Unavailable);
                    }
                }
            }
        });
        Ok((Self { pool }, WriterHandle::new(tx)))
    }

    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let client = self.pool.get().await.map_err(pool_err)?;
        f(&mut PgConn::new(&client)).await
    }
}

fn pool_err(e: deadpool_postgres::PoolError) -> Error {
    Error::Transient(format!("connection pool: {e}"))
}

pub(crate) struct PgConn<'a> {
    client: &'a deadpool_postgres::Client,
    /// A `BEGIN` not sent yet: it goes out pipelined with the transaction's first statement,
    /// saving a round trip per transaction.
    pending_begin: bool,
    /// Statements from `execute_deferred`, sent pipelined ahead of the next statement.
    deferred: Vec<(String, Vec<Value>)>,
    deferral: bool,
}

impl<'a> PgConn<'a> {
    pub(crate) fn new(client: &'a deadpool_postgres::Client) -> Self {
        Self {
            client,
            pending_begin: false,
            deferred: Vec::new(),
            deferral: true,
        }
    }

    /// Sends `op` with whatever is held back (a deferred `BEGIN`, deferred statements) in front
    /// of it, in one round trip.
    async fn with_begin<T>(
        &mut self,
        op: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        let begin = std::mem::take(&mut self.pending_begin);
        let deferred = std::mem::take(&mut self.deferred);
        if !begin && deferred.is_empty() {
            return op.await.map_err(map_err);
        }
        let client = self.client;
        let deferred_err = |e: tokio_postgres::Error| Error::Deferred(Box::new(map_err(e)));
        let mut prepared = Vec::with_capacity(deferred.len());
        for (sql, _) in &deferred {
            prepared.push(client.prepare_cached(sql).await.map_err(deferred_err)?);
        }
        let all_refs: Vec<Vec<&(dyn ToSql + Sync)>> =
            deferred.iter().map(|(_, p)| refs(p)).collect();
        let begin_fut = async {
            if begin {
                client.batch_execute("BEGIN").await
            } else {
                Ok(())
            }
        };
        let deferred_fut = futures::future::join_all(
            prepared
                .iter()
                .zip(&all_refs)
                .map(|(st, r)| client.execute(st, r)),
        );
        let (b, d, r) = futures::join!(begin_fut, deferred_fut, op);
        b.map_err(map_err)?;
        for x in d {
            x.map_err(deferred_err)?;
        }
        r.map_err(map_err)
    }
}

/// The statements, prepared (from the connection's cache after the first time).
async fn prepare_all<'s>(
    client: &deadpool_postgres::Client,
    sqls: impl Iterator<Item = &'s str>,
) -> Result<Vec<tokio_postgres::Statement>> {
    let mut prepared = Vec::new();
    for sql in sqls {
        prepared.push(client.prepare_cached(sql).await.map_err(map_err)?);
    }
    Ok(prepared)
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                _ => Err(format!("cannot bind an integer to a {ty} parameter").into()),
            },
            Value::Text(s) => s.to_sql(ty, out),
            Value::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn map_err(e: tokio_postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        if *db.code() == SqlState::UNIQUE_VIOLATION {
            // detail: "Key (tenant_id, login)=(…) already exists."
            let columns = db
                .detail()
                .and_then(|d| d.strip_prefix("Key ("))
                .and_then(|d| d.split(")=").next())
                .unwrap_or_else(|| db.constraint().unwrap_or(""))
                .to_owned();
            return Error::Unique { columns };
        }
        if *db.code() == SqlState::T_R_DEADLOCK_DETECTED
            || *db.code() == SqlState::T_R_SERIALIZATION_FAILURE
        {
            return Error::Transient(db.message().to_owned());
        }
        return Error::Backend(format!("{}: {}", db.code().code(), db.message()));
    }
    if e.is_closed() {
        return Error::Transient(e.to_string());
    }
    Error::Backend(e.to_string())
}

fn to_row(r: &tokio_postgres::Row) -> Result<Row> {
    let mut vals = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i).map(|o| o.map(Value::Int)),
            Type::INT4 => r
                .try_get::<_, Option<i32>>(i)
                .map(|o| o.map(|v| Value::Int(v.into()))),
            Type::INT2 => r
                .try_get::<_, Option<i16>>(i)
                .map(|o| o.map(|v| Value::Int(v.into()))),
            Type::BOOL => r.try_get::<_, Option<bool>>(i).map(|o| o.map(Value::from)),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => r
                .try_get::<_, Option<String>>(i)
                .map(|o| o.map(Value::Text)),
            Type::BYTEA => r
                .try_get::<_, Option<Vec<u8>>>(i)
                .map(|o| o.map(Value::Blob)),
            ref other => {
                return Err(Error::Backend(format!(
                    "column {}: unsupported type {other}",
                    col.name()
                )));
            }
        }
        .map_err(map_err)?;
        vals.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(vals))
}

impl Conn for PgConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            let client = self.client;
            let st = client.prepare_cached(sql).await.map_err(map_err)?;
            let refs = refs(params);
            self.with_begin(client.execute(&st, &refs)).await
        })
    }

    fn query<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<Vec<Row>>> {
        Box::pin(async move {
            let client = self.client;
            let st = client.prepare_cached(sql).await.map_err(map_err)?;
            let refs = refs(params);
            let rows = self.with_begin(client.query(&st, &refs)).await?;
            rows.iter().map(to_row).collect()
        })
    }

    fn execute_deferred<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if self.deferral {
                self.deferred.push((sql.to_owned(), params.to_vec()));
                Ok(())
            } else {
                self.execute(sql, params).await.map(|_| ())
            }
        })
    }

    fn set_deferral(&mut self, on: bool) {
        self.deferral = on;
    }

    fn query_all<'a>(
        &'a mut self,
        stmts: &'a [(&'a str, Vec<Value>)],
    ) -> BoxFuture<'a, Result<Vec<Vec<Row>>>> {
        Box::pin(async move {
            let client = self.client;
            let prepared = prepare_all(client, stmts.iter().map(|(sql, _)| *sql)).await?;
            let all_refs: Vec<Vec<&(dyn ToSql + Sync)>> =
                stmts.iter().map(|(_, p)| refs(p)).collect();
            let futs = prepared
                .iter()
                .zip(&all_refs)
                .map(|(st, r)| client.query(st, r));
            let joined =
                async { Ok::<_, tokio_postgres::Error>(futures::future::join_all(futs).await) };
            let results = self.with_begin(joined).await?;
            results
                .into_iter()
                .map(|r| r.map_err(map_err)?.iter().map(to_row).collect())
                .collect()
        })
    }

    fn execute_all_and_commit<'a>(
        &'a mut self,
        stmts: &'a [(String, Vec<Value>)],
    ) -> BoxFuture<'a, Result<Vec<u64>>> {
        Box::pin(async move {
            let client = self.client;
            let prepared = prepare_all(client, stmts.iter().map(|(sql, _)| sql.as_str())).await?;
            let all_refs: Vec<Vec<&(dyn ToSql + Sync)>> =
                stmts.iter().map(|(_, p)| refs(p)).collect();
            let futs = prepared
                .iter()
                .zip(&all_refs)
                .map(|(st, r)| client.execute(st, r));
            // The statements and COMMIT go out together. If a statement fails, the server ends
            // the transaction with a rollback (COMMIT of a failed transaction rolls back), and
            // the statement's error is what we report.
            let joined = async {
                let (results, commit) = futures::join!(
                    futures::future::join_all(futs),
                    client.batch_execute("COMMIT")
                );
                Ok::<_, tokio_postgres::Error>((results, commit))
            };
            let (results, commit) = self.with_begin(joined).await?;
            let counts = results
                .into_iter()
                .map(|r| r.map_err(map_err))
                .collect::<Result<Vec<_>>>()?;
            commit.map_err(map_err)?;
            Ok(counts)
        })
    }

    fn batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            match sql {
                "BEGIN" => {
                    self.pending_begin = true;
                    Ok(())
                }
                "ROLLBACK" => {
                    self.deferred.clear();
                    if std::mem::take(&mut self.pending_begin) {
                        // Nothing was sent since the deferred BEGIN: no transaction to end.
                        return Ok(());
                    }
                    self.client.batch_execute(sql).await.map_err(map_err)
                }
                "COMMIT" if self.pending_begin && self.deferred.is_empty() => {
                    self.pending_begin = false;
                    Ok(())
                }
                _ => {
                    let client = self.client;
                    self.with_begin(client.batch_execute(sql)).await
                }
            }
        })
    }
}
