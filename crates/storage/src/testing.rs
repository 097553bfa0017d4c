//! Test databases for both engines: a fresh SQLite file, and a fresh PostgreSQL schema on the
//! server named by `POSDESK_TEST_PG_URL`. With `CI=true` a missing or unreachable PostgreSQL is
//! a failure, never a silent skip.

use crate::Location;

pub const PG_ENV: &str = "POSDESK_TEST_PG_URL";

/// A fresh SQLite database in a new temporary directory (removed when the guard drops).
pub fn sqlite() -> (Location, TempDir) {
    let dir = TempDir::new();
    (Location::Sqlite(dir.path.join("posdesk.db")), dir)
}

/// A fresh PostgreSQL schema, or `None` (outside CI only) when no server is configured.
pub async fn postgres() -> Option<Location> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let url = match std::env::var(PG_ENV) {
        Ok(u) if !u.is_empty() => u,
        _ if ci => panic!("{PG_ENV} is not set; CI must run the suite on PostgreSQL too"),
        _ => {
            eprintln!("note: {PG_ENV} not set; skipping the PostgreSQL variant");
            return None;
        }
    };
    let (client, conn) = match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
        Ok(x) => x,
        Err(e) => panic!("PostgreSQL at {PG_ENV}={url} is unreachable: {e}"),
    };
    tokio::spawn(conn);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Drop schemas that earlier runs left behind more than an hour ago.
    if let Ok(rows) = client
        .query(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'pdt\\_%'",
            &[],
        )
        .await
    {
        for r in rows {
            let name: String = r.get(0);
            let stamp = name
                .split('_')
                .nth(1)
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(u64::MAX);
            if stamp.saturating_add(3600) < now {
                let _ = client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                    .await;
            }
        }
    }
    let schema = format!("pdt_{now}_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap_or_else(|e| panic!("creating test schema: {e}"));
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(Location::Postgres(format!(
        "{url}{sep}options=-csearch_path%3D{schema}"
    )))
}

/// A directory removed on drop.
pub struct TempDir {
    pub path: std::path::PathBuf,
}

impl TempDir {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let path =
            std::env::temp_dir().join(format!("posdesk-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("temp dir {}: {e}", path.display()));
        Self { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Generates one `#[tokio::test]` per engine for an `async fn(Location)` test body:
/// `both_backends!(my_test);` defines `my_test::sqlite` and `my_test::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (loc, _dir) = $crate::testing::sqlite();
                super::$name(loc).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(loc) = $crate::testing::postgres().await {
                    super::$name(loc).await;
                }
            }
        }
    )*};
}
