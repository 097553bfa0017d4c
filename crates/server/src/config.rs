//! Server configuration: defaults, then environment (`POSDESK_*`, `DATABASE_URL`), then CLI
//! flags (applied by the binary). Secrets are wrapped so `Debug` never prints them.

use std::net::SocketAddr;
use std::path::PathBuf;

use posdesk_storage::Location;

/// A secret string whose `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: Location,
    pub data_dir: PathBuf,
    /// Mark cookies `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    pub session_ttl_ms: i64,
    /// `smtp://user:pass@host:587` (STARTTLS) or `smtps://…:465`; without it mail is written as
    /// .eml files under `<data_dir>/mail-outbox` (development and tests).
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    /// Run the background job runner in this process.
    pub run_jobs: bool,
    /// How often the job runner polls when idle.
    pub job_poll_ms: u64,
    /// Largest JSON request body accepted.
    pub max_body_bytes: usize,
    /// The address people reach this server at, for links in e-mails (the one-time rating
    /// link): `POSDESK_PUBLIC_URL`, default `http://<listen>`.
    pub public_url: String,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Config {
    /// Defaults overridden by the environment.
    pub fn from_env() -> Result<Self, String> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let data_dir =
            PathBuf::from(env("POSDESK_DATA_DIR").unwrap_or_else(|| "./posdesk-data".into()));
        let database = match env("DATABASE_URL") {
            Some(url) => Location::parse(&url)?,
            None => Location::Sqlite(data_dir.join("posdesk.db")),
        };
        let listen = env("POSDESK_LISTEN")
            .unwrap_or_else(|| DEFAULT_LISTEN.into())
            .parse()
            .map_err(|e| format!("POSDESK_LISTEN: {e}"))?;
        Ok(Self {
            listen,
            database,
            data_dir,
            secure_cookies: env("POSDESK_SECURE_COOKIES").is_some_and(|v| v == "1" || v == "true"),
            session_ttl_ms: 12 * 3_600_000,
            smtp_url: env("POSDESK_SMTP_URL").map(Secret::new),
            mail_from: env("POSDESK_MAIL_FROM")
                .unwrap_or_else(|| "posdesk <noreply@posdesk.local>".into()),
            run_jobs: env("POSDESK_NO_JOBS").is_none(),
            job_poll_ms: 1000,
            max_body_bytes: 1024 * 1024,
            public_url: env("POSDESK_PUBLIC_URL")
                .map(|u| u.trim_end_matches('/').to_owned())
                .unwrap_or_else(|| format!("http://{listen}")),
        })
    }

    /// A configuration for tests: given database, temporary data dir, port 0.
    pub fn for_test(database: Location, data_dir: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database,
            data_dir,
            secure_cookies: false,
            session_ttl_ms: 12 * 3_600_000,
            smtp_url: None,
            mail_from: "posdesk <noreply@posdesk.local>".into(),
            run_jobs: true,
            job_poll_ms: 100,
            max_body_bytes: 1024 * 1024,
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}
