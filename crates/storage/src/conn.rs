//! The one seam between repositories and engines: a connection that runs SQL with portable
//! values. Repository functions are written once against `dyn Conn`; SQL uses `$1`-style
//! placeholders (rewritten to `?1` for SQLite) and only syntax both engines accept. Where they
//! differ (row locking, upserts of a special kind), code branches on `dialect()`.

use futures::future::BoxFuture;

use crate::{Result, Row, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

pub trait Conn: Send {
    fn dialect(&self) -> Dialect;
    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> BoxFuture<'a, Result<u64>>;
    fn query<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<Vec<Row>>>;
    /// Executes a statement whose result the caller does not need (a plain INSERT). PostgreSQL
    /// holds it back and sends it pipelined with the next statement or the COMMIT, saving a
    /// round trip; its failure then surfaces later as `Error::Deferred`. SQLite runs it at once.
    fn execute_deferred<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<()>>;
    /// Turns deferral on or off (the writer turns it off to attribute a deferred failure).
    fn set_deferral(&mut self, on: bool);
    /// Runs independent queries and returns each one's rows, in order. PostgreSQL sends them
    /// pipelined (one round trip, behind whatever is deferred); SQLite runs them in order.
    fn query_all<'a>(
        &'a mut self,
        stmts: &'a [(&'a str, Vec<Value>)],
    ) -> BoxFuture<'a, Result<Vec<Vec<Row>>>>;
    /// Runs independent statements, then `COMMIT` (one round trip on PostgreSQL: pipelined), and
    /// returns each statement's affected-row count. If any statement
    /// fails the transaction ends rolled back and that error is returned.
    fn execute_all_and_commit<'a>(
        &'a mut self,
        stmts: &'a [(String, Vec<Value>)],
    ) -> BoxFuture<'a, Result<Vec<u64>>>;
    /// Runs several statements separated by `;` with no parameters (migrations, BEGIN/ROLLBACK).
    fn batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>>;
}

impl dyn Conn + '_ {
    pub async fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row> {
        self.query_opt(sql, params)
            .await?
            .ok_or(crate::Error::NotFound)
    }
    pub async fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }
}
