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
            crate::migrate::run(&mut PgConn { client: &client }).await?;
        }
        let (tx, mut rx) = mpsc::channel::<writer::Job>(1024);
        let wpool = pool.clone();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let batch = writer::drain(first, &mut rx);
                match wpool.get().await {
                    Ok(client) => {
                        writer::run_batch(&mut PgConn { client: &client }, batch, crate::now())
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
        f(&mut PgConn { client: &client }).await
    }
}

fn pool_err(e: deadpool_postgres::PoolError) -> Error {
    Error::Transient(format!("connection pool: {e}"))
}

pub(crate) struct PgConn<'a> {
    pub(crate) client: &'a deadpool_postgres::Client,
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
            let st = self.client.prepare_cached(sql).await.map_err(map_err)?;
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
            self.client.execute(&st, &refs).await.map_err(map_err)
        })
    }

    fn query<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<Vec<Row>>> {
        Box::pin(async move {
            let st = self.client.prepare_cached(sql).await.map_err(map_err)?;
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
            let rows = self.client.query(&st, &refs).await.map_err(map_err)?;
            rows.iter().map(to_row).collect()
        })
    }

    fn batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { self.client.batch_execute(sql).await.map_err(map_err) })
    }
}
