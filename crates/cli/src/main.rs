//! `posdesk`: the one binary. Subcommands: serve, migrate, demo, admin, backup, restore, bench.
//! Configuration comes from the environment (`DATABASE_URL`, `POSDESK_LISTEN`,
//! `POSDESK_DATA_DIR`, …; see README) with flags overriding it.

mod bench;
mod bench_mail;

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use posdesk_core::authz::Role;
use posdesk_core::text::{DisplayName, Email, Label, Login, NewPassword};
use posdesk_server::service::{self, Ctx, operator_principal};
use posdesk_server::{AppState, Config};
use posdesk_storage::Store;

#[derive(Parser)]
#[command(
    name = "posdesk",
    version,
    about = "After-sales service platform for POS payment service providers"
)]
struct Cli {
    /// Database URL: sqlite://PATH or postgres://… (default: SQLite under POSDESK_DATA_DIR)
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (API, web UI, background jobs). Applies migrations first.
    Serve {
        /// Address to listen on (default POSDESK_LISTEN or 127.0.0.1:8080)
        #[arg(long)]
        listen: Option<String>,
        /// Fill the database with demo data first (idempotent) and print the demo logins
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Fill the database with realistic demo data (idempotent) and print the logins.
    Demo,
    /// Administration from the server's console.
    #[command(subcommand)]
    Admin(Admin),
    /// Write a portable backup (JSON lines, one read snapshot) of the whole database.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty database (either engine) and verify its audit chains.
    Restore {
        #[arg(long = "in")]
        input: PathBuf,
    },
    /// Bulk import into a provider's registry (CSV in UTF-8/GBK/GB18030/UTF-16, auto-detected,
    /// or XLSX).
    #[command(subcommand)]
    Import(ImportCmd),
    /// Export a provider's registry as CSV (UTF-8 with BOM, Chinese headers) or XLSX.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Working-day calendars: print a year's days, load a national holiday arrangement.
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Benchmark: drive a server with concurrent clients and compare with the raw engine.
    Bench(bench::Args),
    /// Ingest inbound e-mail (RFC 5322 files, stdin or an IMAP mailbox) for a provider: new
    /// tickets, threaded replies, ignored machine mail, quarantined mail. Prints
    /// `created N, threaded N, ignored N, quarantined N` (adds up to the number of mails).
    MailIngest {
        /// Provider id or short name
        #[arg(long)]
        provider: String,
        /// Ingest every file of this folder (in name order)
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Ingest one mail read from stdin
        #[arg(long)]
        stdin: bool,
        /// Ingest this one file
        file: Option<PathBuf>,
        /// Read the unread mail of an IMAP mailbox: imaps://USER[:PASSWORD]@HOST[:PORT]
        /// (imap:// without TLS only to a loopback address; the password from the environment
        /// variable POSDESK_IMAP_PASSWORD when the URL holds none). Each mail is marked \Seen
        /// only after its outcome is committed.
        #[arg(long, value_name = "URL")]
        imap: Option<String>,
        /// The IMAP mailbox to read
        #[arg(long, default_value = posdesk_server::service::mail_imap::DEFAULT_MAILBOX)]
        mailbox: String,
        /// An extra CA certificate (PEM) to trust for imaps:// besides the public roots
        #[arg(long = "imap-ca-file", env = "POSDESK_IMAP_CA_FILE")]
        imap_ca_file: Option<PathBuf>,
        /// With --imap: poll the mailbox every SECONDS until interrupted (one summary line per
        /// pass)
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
        watch: Option<u64>,
        /// The gateway's own addresses (mail from them is a loop)
        #[arg(
            long = "own-address",
            env = "POSDESK_MAIL_ADDRESSES",
            value_delimiter = ','
        )]
        own_address: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// Terminals, idempotent by SN: columns sn, tid, model, manufacturer, firmware, status, mid,
    /// install_date, warranty_end, installed_address (or 序列号, 终端号, 型号, 厂商, …).
    /// Bad rows are listed with row, column and rule; good rows go in.
    Terminals {
        file: PathBuf,
        /// Provider id or short name
        #[arg(long)]
        provider: String,
        /// `csv` or `xlsx` (default: from the file's extension, else its first bytes)
        #[arg(long)]
        format: Option<String>,
        /// Print the summary as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Merchants, idempotent by MID: columns mid, name, kind (required), uscc, owner_id,
    /// risk_level, division_code, address, contact_name, contact_phone, business_hours, status
    /// (or 商户号, 商户名称, 商户类型, …). A blank cell leaves a known merchant's value alone.
    Merchants {
        file: PathBuf,
        /// Provider id or short name
        #[arg(long)]
        provider: String,
        /// `csv` or `xlsx` (default: from the file's extension, else its first bytes)
        #[arg(long)]
        format: Option<String>,
        /// Print the summary as one JSON object
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ExportCmd {
    /// Terminals in SN order (re-importable).
    Terminals {
        #[arg(long)]
        provider: String,
        #[arg(long)]
        out: PathBuf,
        /// `csv` or `xlsx` (default: from the extension of --out, else csv)
        #[arg(long)]
        format: Option<String>,
    },
    /// Merchants in MID order (re-importable).
    Merchants {
        #[arg(long)]
        provider: String,
        #[arg(long)]
        out: PathBuf,
        /// `csv` or `xlsx` (default: from the extension of --out, else csv)
        #[arg(long)]
        format: Option<String>,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Print every day of a year as `YYYY-MM-DD<TAB>work|off`, for the national default calendar
    /// or a provider's. Days whose national arrangement is not loaded are provisional: a
    /// warning on stderr says so.
    Days {
        #[arg(long)]
        year: i32,
        /// Provider id or short name (default: the national calendar, Mon–Fri 08:00–18:00)
        #[arg(long)]
        provider: Option<String>,
    },
    /// Load national years from a file in the schedule format (`year`, `source`, `off`, `work`
    /// lines, see posdesk-core/data/cn-holidays.txt), e.g. next year's State Council notice.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum Admin {
    /// Register a provider (tenant); prints its id.
    CreateProvider {
        #[arg(long)]
        name: String,
        #[arg(long)]
        short_name: String,
        #[arg(long)]
        uscc: Option<String>,
        #[arg(long)]
        hotline: Option<String>,
    },
    /// Create a user; prints its id. The password is read from POSDESK_PASSWORD or --password.
    CreateUser {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        /// Provider id (required for every role but platform_admin)
        #[arg(long)]
        provider: Option<String>,
        #[arg(long)]
        merchant: Option<String>,
        #[arg(long)]
        terminal: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, env = "POSDESK_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Set a new password for a user (their sessions end).
    ResetPassword {
        #[arg(long)]
        user: String,
        #[arg(long, env = "POSDESK_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Issue an API token for a user and print it on stdout.
    IssueToken {
        #[arg(long)]
        user: String,
        /// A role no wider than the user's (default: the user's role)
        #[arg(long)]
        role: Option<String>,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Expiry in days (default: none)
        #[arg(long)]
        days: Option<i64>,
    },
    /// Verify every audit hash chain from genesis; exits non-zero if any is broken.
    VerifyAudit,
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("POSDESK_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn"));
    let json = std::env::var("POSDESK_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn config(cli_db: &Option<String>) -> Result<Config> {
    let mut cfg = Config::from_env().map_err(|e| anyhow!(e))?;
    if let Some(url) = cli_db {
        cfg.database = posdesk_storage::Location::parse(url).map_err(|e| anyhow!(e))?;
    }
    Ok(cfg)
}

async fn state(cfg: Config) -> Result<AppState> {
    let store = Store::open(&cfg.database)
        .await
        .context("opening the database")?;
    Ok(AppState::new(store, cfg, None))
}

fn print_demo(logins: &[posdesk_server::demo::DemoLogin]) {
    println!(
        "demo logins (password for all: {}):",
        posdesk_server::demo::DEMO_PASSWORD
    );
    for l in logins {
        println!(
            "  {:<18} {:<20} {}",
            l.login,
            l.role.code(),
            l.provider.as_deref().unwrap_or("(platform)")
        );
    }
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> Result<()> {
    init_tracing();
    match cli.command {
        Command::Serve { listen, demo } => {
            let mut cfg = config(&cli.database_url)?;
            if let Some(l) = listen {
                cfg.listen = l.parse().context("--listen")?;
            }
            let store = Store::open(&cfg.database)
                .await
                .context("opening the database")?;
            if demo {
                let st = AppState::new(store.clone(), cfg.clone(), None);
                let logins = posdesk_server::demo::seed(&st)
                    .await
                    .map_err(|e| anyhow!("demo data: {e}"))?;
                print_demo(&logins);
            }
            let running = posdesk_server::start_with_store(store, cfg).await?;
            println!("posdesk listening on http://{}/", running.addr);
            tokio::select! {
                r = tokio::signal::ctrl_c() => r?,
                _ = terminate() => {}
            }
            running.stop().await;
            Ok(())
        }
        Command::Migrate => {
            let cfg = config(&cli.database_url)?;
            let store = Store::open(&cfg.database).await?;
            let n = store
                .read(|c| {
                    Box::pin(async move {
                        c.query_one("SELECT MAX(version) FROM schema_migrations", &[])
                            .await?
                            .int(0)
                    })
                })
                .await?;
            println!("database is at schema version {n}");
            Ok(())
        }
        Command::Demo => {
            let st = state(config(&cli.database_url)?).await?;
            let logins = posdesk_server::demo::seed(&st)
                .await
                .map_err(|e| anyhow!("demo data: {e}"))?;
            print_demo(&logins);
            Ok(())
        }
        Command::Admin(a) => admin(a, config(&cli.database_url)?).await,
        Command::Calendar(c) => calendar(c, config(&cli.database_url)?).await,
        Command::Import(ImportCmd::Terminals {
            file,
            provider,
            format,
            json,
        }) => {
            let what = posdesk_server::service::imports::Registry::Terminals;
            import_registry(
                config(&cli.database_url)?,
                what,
                &file,
                &provider,
                format,
                json,
            )
            .await
        }
        Command::Import(ImportCmd::Merchants {
            file,
            provider,
            format,
            json,
        }) => {
            let what = posdesk_server::service::imports::Registry::Merchants;
            import_registry(
                config(&cli.database_url)?,
                what,
                &file,
                &provider,
                format,
                json,
            )
            .await
        }
        Command::Export(ExportCmd::Terminals {
            provider,
            out,
            format,
        }) => {
            let what = posdesk_server::service::imports::Registry::Terminals;
            export_registry(config(&cli.database_url)?, what, &provider, &out, format).await
        }
        Command::Export(ExportCmd::Merchants {
            provider,
            out,
            format,
        }) => {
            let what = posdesk_server::service::imports::Registry::Merchants;
            export_registry(config(&cli.database_url)?, what, &provider, &out, format).await
        }
        Command::Backup { out } => {
            let st = state(config(&cli.database_url)?).await?;
            let rows = posdesk_storage::backup::dump(&st.store, out.clone()).await?;
            println!("wrote {rows} rows to {}", out.display());
            Ok(())
        }
        Command::Restore { input } => {
            let st = state(config(&cli.database_url)?).await?;
            let rows = posdesk_storage::backup::load(&st.store, input).await?;
            let reports = st
                .store
                .read(|c| {
                    Box::pin(async move { posdesk_storage::repo::audit::verify_all(c).await })
                })
                .await?;
            let broken: Vec<_> = reports.iter().filter(|r| r.result.is_err()).collect();
            println!(
                "restored {rows} rows; {} audit chains verified",
                reports.len() - broken.len()
            );
            if !broken.is_empty() {
                bail!("audit chains broken after restore: {broken:?}");
            }
            Ok(())
        }
        Command::Bench(args) => bench::run(args).await,
        Command::MailIngest {
            provider,
            dir,
            stdin,
            file,
            imap,
            mailbox,
            imap_ca_file,
            watch,
            own_address,
        } => {
            let Some(url) = imap else {
                if watch.is_some() {
                    bail!("--watch needs --imap");
                }
                let st = state(config(&cli.database_url)?).await?;
                let tenant = find_provider(&st, &provider).await?;
                return mail_ingest(&st, tenant, dir, stdin, file, &own_address).await;
            };
            if dir.is_some() || stdin || file.is_some() {
                bail!("give exactly one of --dir FOLDER, --stdin, a FILE or --imap URL");
            }
            use posdesk_server::service::mail_imap::{Account, TlsOptions};
            // Read from the environment only, so the password need not be on the command line.
            let password = std::env::var("POSDESK_IMAP_PASSWORD").ok();
            let account = Account::parse(&url, password.as_deref(), &mailbox)
                .map_err(|e| anyhow::anyhow!("--imap: {e}"))?;
            let tls = TlsOptions {
                extra_ca: imap_ca_file,
            };
            let st = state(config(&cli.database_url)?).await?;
            let tenant = find_provider(&st, &provider).await?;
            mail_ingest_imap(&st, tenant, &account, &tls, watch, &own_address).await
        }
    }
}

#[cfg(unix)]
async fn terminate() {
    if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        s.recv().await;
    } else {
        std::future::pending::<()>().await;
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await;
}

async fn find_user(st: &AppState, login: &str) -> Result<posdesk_storage::repo::users::User> {
    let l = login.to_owned();
    let creds = st
        .store
        .read(move |c| {
            Box::pin(async move { posdesk_storage::repo::users::find_credentials(c, &l).await })
        })
        .await?;
    creds
        .map(|c| c.user)
        .ok_or_else(|| anyhow!("no user with login {login:?}"))
}

fn api_error(e: posdesk_server::error::ApiError) -> anyhow::Error {
    let p = e.problem();
    match (p.field, p.rule) {
        (Some(f), Some(r)) => anyhow!("{} (field {f}, rule {r})", p.detail),
        _ => anyhow!("{}", p.detail),
    }
}

/// Finds a provider by id or short name.
async fn find_provider(st: &AppState, p: &str) -> Result<posdesk_core::ids::TenantId> {
    let principal = operator_principal();
    let ctx = Ctx::operator(st, &principal, "cli");
    let all = posdesk_server::service::providers::list(&ctx)
        .await
        .map_err(api_error)?;
    all.iter()
        .find(|x| x.id.to_string() == p || x.short_name == p)
        .map(|x| x.id)
        .ok_or_else(|| anyhow!("no provider with id or short name {p:?}"))
}

/// The console acting as the provider's administrator (recorded as `system:import`).
fn provider_operator(
    tenant: posdesk_core::ids::TenantId,
) -> Result<posdesk_core::authz::Principal> {
    posdesk_core::authz::Principal::new(
        posdesk_core::ids::UserId::from_uuid(uuid::Uuid::nil()),
        posdesk_core::authz::Role::ProviderAdmin,
        Some(tenant),
        None,
        None,
    )
    .map_err(|e| anyhow!("{e}"))
}

/// Counts the bytes read through it (for the progress bar).
struct Counting<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// `--format`, else the file name's extension, else (for an import) the file's first bytes.
fn file_kind(
    format: Option<&str>,
    path: &std::path::Path,
    sniff: bool,
) -> Result<posdesk_core::registry::import::FileKind> {
    use posdesk_core::registry::import::{FileKind, sniff_file};
    if let Some(f) = format {
        return match f.to_ascii_lowercase().as_str() {
            "csv" => Ok(FileKind::Csv),
            "xlsx" => Ok(FileKind::Xlsx),
            other => bail!("--format must be csv or xlsx, not {other:?}"),
        };
    }
    if let Some(k) = path.to_str().and_then(FileKind::from_extension) {
        return Ok(k);
    }
    if !sniff {
        return Ok(FileKind::Csv);
    }
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let n = std::io::Read::read(&mut f, &mut head)
        .with_context(|| format!("reading {}", path.display()))?;
    sniff_file(&head[..n]).map_err(|e| anyhow!("{e}"))
}

async fn import_registry(
    cfg: Config,
    what: posdesk_server::service::imports::Registry,
    file: &std::path::Path,
    provider: &str,
    format: Option<String>,
    json: bool,
) -> Result<()> {
    use posdesk_core::registry::import::FileKind;
    use posdesk_server::service::imports::{self, Registry};
    let kind = file_kind(format.as_deref(), file, true)?;
    let st = state(cfg).await?;
    let tenant = find_provider(&st, provider).await?;
    let principal = provider_operator(tenant)?;
    let ctx = Ctx::operator(&st, &principal, "import");
    let f = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(size),
        indicatif::ProgressDrawTarget::stderr_with_hz(4),
    );
    let summary = match kind {
        FileKind::Csv => {
            // Streams: the bar follows the bytes read.
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {msg} ({elapsed}, ETA {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let reader = std::io::BufReader::with_capacity(
                256 * 1024,
                Counting {
                    inner: f,
                    read: read.clone(),
                },
            );
            let progress = |s: &imports::ImportSummary| {
                bar.set_position(read.load(std::sync::atomic::Ordering::Relaxed));
                bar.set_message(format!("{} rows", s.rows));
            };
            match what {
                Registry::Terminals => imports::import_terminals(&ctx, reader, progress).await,
                Registry::Merchants => imports::import_merchants(&ctx, reader, progress).await,
            }
        }
        FileKind::Xlsx => {
            // A workbook is read by rows: the bar follows the rows its sheet declares.
            bar.set_length(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} rows ({elapsed}, ETA {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            imports::import_file(&ctx, what, Some(FileKind::Xlsx), f, |s| {
                if let Some(n) = s.expected_rows {
                    bar.set_length(n);
                }
                bar.set_position(s.rows);
            })
            .await
        }
    };
    bar.finish_and_clear();
    let summary = summary.map_err(api_error)?;
    for e in &summary.errors {
        eprintln!("{e}");
    }
    if summary.rejected as usize > summary.errors.len() {
        eprintln!(
            "… and {} more rejected rows",
            summary.rejected as usize - summary.errors.len()
        );
    }
    if json {
        println!(
            "{}",
            serde_json::json!({
                "rows": summary.rows, "inserted": summary.inserted, "updated": summary.updated,
                "unchanged": summary.unchanged, "rejected": summary.rejected,
                "encoding": summary.encoding, "format": summary.format,
            })
        );
    } else {
        println!(
            "{} rows: {} inserted, {} updated, {} unchanged, {} rejected",
            summary.rows, summary.inserted, summary.updated, summary.unchanged, summary.rejected
        );
    }
    Ok(())
}

async fn export_registry(
    cfg: Config,
    what: posdesk_server::service::imports::Registry,
    provider: &str,
    out: &std::path::Path,
    format: Option<String>,
) -> Result<()> {
    use posdesk_core::registry::import::FileKind;
    use posdesk_server::service::imports::{self, Registry};
    let kind = file_kind(format.as_deref(), out, false)?;
    let st = state(cfg).await?;
    let tenant = find_provider(&st, provider).await?;
    let principal = provider_operator(tenant)?;
    let ctx = Ctx::operator(&st, &principal, "export");
    let f = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?,
    );
    let n = match (kind, what) {
        (FileKind::Csv, Registry::Terminals) => imports::export_terminals_csv(&ctx, f).await,
        (FileKind::Csv, Registry::Merchants) => imports::export_merchants_csv(&ctx, f).await,
        (FileKind::Xlsx, _) => imports::export_xlsx(&ctx, what, f).await,
    }
    .map_err(api_error)?;
    let noun = match what {
        Registry::Terminals => "terminals",
        Registry::Merchants => "merchants",
    };
    println!("wrote {n} {noun} to {}", out.display());
    Ok(())
}

async fn calendar(c: CalendarCmd, cfg: Config) -> Result<()> {
    use posdesk_core::calendar::Calendar;
    let st = state(cfg).await?;
    let principal = operator_principal();
    let ctx = Ctx::operator(&st, &principal, "cli");
    match c {
        CalendarCmd::Days { year, provider } => {
            if !(1..=9999).contains(&year) {
                bail!("--year must be between 1 and 9999");
            }
            let cal = match provider {
                None => Calendar::builder()
                    .schedule(
                        posdesk_server::service::calendars::national_schedule(&st)
                            .await
                            .map_err(api_error)?,
                    )
                    .build(),
                Some(p) => {
                    let all = posdesk_server::service::providers::list(&ctx)
                        .await
                        .map_err(api_error)?;
                    let found = all
                        .iter()
                        .find(|x| x.id.to_string() == p || x.short_name == p)
                        .ok_or_else(|| anyhow!("no provider with id or short name {p:?}"))?;
                    posdesk_server::service::calendars::for_tenant(&st, found.id)
                        .await
                        .map_err(api_error)?
                }
            };
            let mut out = String::new();
            let mut provisional = 0;
            for d in posdesk_server::service::calendars::day_views(&cal, year) {
                out.push_str(&format!("{}\t{}\n", d.date, d.kind));
                provisional += usize::from(d.provisional);
            }
            print!("{out}");
            if provisional > 0 {
                eprintln!(
                    "warning: {provisional} days of {year} are provisional (no national arrangement loaded): weekends and 1 Jan, 1 May, 1–3 Oct only; load the notice with `posdesk calendar import`"
                );
            }
            Ok(())
        }
        CalendarCmd::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let years = posdesk_server::service::calendars::load_holiday_years(&ctx, &text)
                .await
                .map_err(api_error)?;
            for y in years {
                println!("loaded {} (version {})", y.year, y.version);
            }
            Ok(())
        }
    }
}

async fn admin(a: Admin, cfg: Config) -> Result<()> {
    let st = state(cfg).await?;
    let principal = operator_principal();
    let ctx = Ctx::operator(&st, &principal, "cli");
    let e = |e: posdesk_server::error::ApiError| {
        let p = e.problem();
        match (p.field, p.rule) {
            (Some(f), Some(r)) => anyhow!("{} (field {f}, rule {r})", p.detail),
            _ => anyhow!("{}", p.detail),
        }
    };
    match a {
        Admin::CreateProvider {
            name,
            short_name,
            uscc,
            hotline,
        } => {
            let p = service::providers::create(
                &ctx,
                service::providers::NewProvider {
                    name: DisplayName::parse("name", &name)?,
                    short_name: Label::parse("short_name", &short_name)?,
                    uscc,
                    hotline,
                },
            )
            .await
            .map_err(e)?;
            println!("{}", p.id);
        }
        Admin::CreateUser {
            login,
            name,
            role,
            provider,
            merchant,
            terminal,
            email,
            password,
        } => {
            let u = service::users::create(
                &ctx,
                service::users::NewUser {
                    provider: provider
                        .map(|p| posdesk_core::ids::TenantId::parse("provider", &p))
                        .transpose()?,
                    login: Login::parse("login", &login)?,
                    display_name: DisplayName::parse("name", &name)?,
                    email: email.map(|m| Email::parse("email", &m)).transpose()?,
                    role: Role::parse("role", &role)?,
                    merchant: merchant
                        .map(|m| posdesk_core::ids::MerchantId::parse("merchant", &m))
                        .transpose()?,
                    terminal: terminal
                        .map(|t| posdesk_core::ids::TerminalId::parse("terminal", &t))
                        .transpose()?,
                    password: password
                        .map(|p| NewPassword::parse("password", &p))
                        .transpose()?,
                    locale: Default::default(),
                },
            )
            .await
            .map_err(e)?;
            println!("{}", u.id);
        }
        Admin::ResetPassword { user, password } => {
            let u = find_user(&st, &user).await?;
            service::users::reset_password(&ctx, u.id, NewPassword::parse("password", &password)?)
                .await
                .map_err(e)?;
            eprintln!("password of {} reset; their sessions ended", u.login);
        }
        Admin::IssueToken {
            user,
            role,
            name,
            days,
        } => {
            let u = find_user(&st, &user).await?;
            let role = match role {
                Some(r) => Role::parse("role", &r)?,
                None => u.role,
            };
            let issued =
                service::tokens::issue_for(&ctx, u.id, Label::parse("name", &name)?, role, days)
                    .await
                    .map_err(e)?;
            println!("{}", issued.secret);
        }
        Admin::VerifyAudit => {
            let reports = st
                .store
                .read(|c| {
                    Box::pin(async move { posdesk_storage::repo::audit::verify_all(c).await })
                })
                .await?;
            let mut broken = 0;
            for r in &reports {
                match &r.result {
                    Ok(()) => println!("ok      {:<40} {} events", r.chain, r.events),
                    Err(b) => {
                        broken += 1;
                        println!("BROKEN  {:<40} {b}", r.chain);
                    }
                }
            }
            if broken > 0 {
                bail!("{broken} of {} audit chains are broken", reports.len());
            }
            println!("all {} audit chains intact", reports.len());
        }
    }
    Ok(())
}

fn print_outcome(name: &str, o: &posdesk_server::service::mail_ingest::Outcome) {
    use posdesk_server::service::mail_ingest::Outcome;
    match o {
        Outcome::Created { number } => eprintln!("{name}: created {number}"),
        Outcome::Threaded { number } => eprintln!("{name}: threaded {number}"),
        Outcome::Ignored { kind } => eprintln!("{name}: ignored ({})", kind.code()),
        Outcome::Quarantined { reason } => {
            eprintln!("{name}: quarantined ({})", reason.code())
        }
    }
}

/// `posdesk mail-ingest --imap`: one pass over the mailbox (or one every `watch` seconds until
/// SIGINT/SIGTERM), one outcome per mail on stderr, the summary of each pass on stdout. With
/// `--watch`, a failed pass is reported and the next one tried; without, it fails the command.
async fn mail_ingest_imap(
    st: &AppState,
    tenant: posdesk_core::ids::TenantId,
    account: &posdesk_server::service::mail_imap::Account,
    tls: &posdesk_server::service::mail_imap::TlsOptions,
    watch: Option<u64>,
    own: &[String],
) -> Result<()> {
    use posdesk_server::service::mail_imap::{Timeouts, ingest_mailbox};
    use posdesk_server::service::mail_ingest::Summary;
    loop {
        let mut so_far = Summary::default();
        let result = ingest_mailbox(
            st,
            tenant,
            own,
            account,
            tls,
            Timeouts::default(),
            &mut |uid, o| {
                so_far.add(o);
                print_outcome(&format!("UID {uid}"), o);
            },
        )
        .await;
        match (result, watch) {
            (Ok(pass), _) => {
                if pass.skipped > 0 {
                    eprintln!(
                        "{} unread mail vanished before it was fetched",
                        pass.skipped
                    );
                }
                println!("{}", pass.summary);
            }
            (Err(e), None) => {
                return Err(anyhow::Error::new(e).context(format!("so far: {so_far}")));
            }
            (Err(e), Some(_)) => eprintln!("IMAP pass failed (so far: {so_far}): {e}"),
        }
        let Some(secs) = watch else { return Ok(()) };
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(secs)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = terminate() => return Ok(()),
        }
    }
}

/// `posdesk mail-ingest`: every mail of the source through the gateway, one outcome each on
/// stderr, the summary on stdout.
async fn mail_ingest(
    st: &AppState,
    tenant: posdesk_core::ids::TenantId,
    dir: Option<PathBuf>,
    stdin: bool,
    file: Option<PathBuf>,
    own: &[String],
) -> Result<()> {
    use posdesk_server::service::mail_ingest::{Gateway, Summary};
    let mut mails: Vec<(String, Vec<u8>)> = Vec::new();
    match (dir, stdin, file) {
        (Some(d), false, None) => {
            let mut paths = Vec::new();
            for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
                let p = e?.path();
                if p.is_file() {
                    paths.push(p);
                }
            }
            paths.sort();
            for p in paths {
                let b = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
                mails.push((p.display().to_string(), b));
            }
        }
        (None, true, None) => {
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).context("reading stdin")?;
            mails.push(("stdin".to_owned(), b));
        }
        (None, false, Some(p)) => {
            let b = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
            mails.push((p.display().to_string(), b));
        }
        _ => bail!("give exactly one of --dir FOLDER, --stdin, a FILE or --imap URL"),
    }
    let mut summary = Summary::default();
    let mut gateway = Gateway::new(st, tenant, own);
    for (name, raw) in &mails {
        let o = gateway
            .ingest(raw)
            .await
            .map_err(api_error)
            .with_context(|| format!("{name} (so far: {summary})"))?;
        print_outcome(name, &o);
        summary.add(&o);
    }
    println!("{summary}");
    Ok(())
}
