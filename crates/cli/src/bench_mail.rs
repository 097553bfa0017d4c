//! `posdesk bench --scenario mail-ingest`: the e-mail gateway in-process (no HTTP, no SMTP/IMAP),
//! `--clients` closed-loop clients (each its own `Gateway`, as `posdesk mail-ingest` runs one),
//! `--rows` mails in all (at most 10,000), on a fresh database of either engine. Generated
//! mail from a known merchant user, in rounds of four: a new mail (a ticket), a reply by the
//! ticket tag, a reply by In-Reply-To, a reply by the tag again, so three quarters of the mail
//! exercise threading. Each mail is parsed, classified, checked for a duplicate, its sender
//! looked up, threaded and written with its audit events. Afterwards the database must hold
//! exactly one inbound record per mail, one ticket per new mail and one message per reply.
//! Target: ≥ 500 messages/s including threading.

use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use posdesk_core::authz::Role;
use posdesk_core::ids::{MerchantId, TenantId};
use posdesk_core::text::{DisplayName, Email, Label, Login};
use posdesk_server::service::mail_ingest::{Gateway, Outcome, Summary};
use posdesk_server::service::{self, Ctx, operator_principal};
use posdesk_server::{AppState, Config};
use posdesk_storage::{Location, Store};
use serde_json::json;

/// At most this many mails per run.
const MAX_MAILS: u64 = 10_000;

fn mail(c: u64, i: u64, subject: &str, in_reply_to: Option<&str>) -> Vec<u8> {
    let mut m = format!(
        "From: 张三 <bench@shop.example.cn>\r\nTo: support@posdesk.example\r\n\
         Subject: {subject}\r\nMessage-ID: <bench-{c}-{i}@shop.example.cn>\r\n\
         Date: Tue, 01 Dec 2026 10:15:00 +0800\r\nMIME-Version: 1.0\r\n"
    );
    if let Some(r) = in_reply_to {
        m.push_str(&format!("In-Reply-To: <{r}>\r\nReferences: <{r}>\r\n"));
    }
    m.push_str(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         终端刷卡无反应，重启后仍然不行，请尽快派人处理。\r\n门店：湖滨路店\r\n\r\n\
         > 您好，请提供终端序列号。\r\n> posdesk客服\r\n",
    );
    m.into_bytes()
}

async fn setup(location: &Location, dir: &std::path::Path) -> Result<(AppState, TenantId)> {
    let store = Store::open(location).await?;
    let st = AppState::new(
        store,
        Config::for_test(location.clone(), dir.to_path_buf()),
        None,
    );
    let principal = operator_principal();
    let ctx = Ctx::operator(&st, &principal, "bench");
    let e = |e: posdesk_server::error::ApiError| anyhow!("{e}");
    let p = service::providers::create(
        &ctx,
        service::providers::NewProvider {
            name: DisplayName::parse("name", "压测服务商")?,
            short_name: Label::parse("short_name", "压测")?,
            uscc: None,
            hotline: None,
        },
    )
    .await
    .map_err(e)?;
    let m = ctx
        .write(
            ctx.meta(),
            posdesk_storage::repo::merchants::CreateMerchant {
                id: MerchantId::from_uuid(uuid::Uuid::now_v7()),
                tenant: p.id,
                name: "湖滨咖啡".into(),
                mid: "102330154129301".into(),
                contact_name: None,
                contact_phone: None,
                address: None,
                registry: None,
            },
        )
        .await
        .map_err(e)?;
    service::users::create(
        &ctx,
        service::users::NewUser {
            provider: Some(p.id),
            login: Login::parse("login", "bench.merchant")?,
            display_name: DisplayName::parse("name", "张三")?,
            email: Some(Email::parse("email", "bench@shop.example.cn")?),
            role: Role::MerchantUser,
            merchant: Some(m.id),
            terminal: None,
            password: None,
            locale: Default::default(),
        },
    )
    .await
    .map_err(e)?;
    Ok((st, p.id))
}

/// One client's closed loop: `n` mails in rounds of four (new, tag, In-Reply-To, tag), each
/// checked against the expected outcome; returns the counts and the latencies (µs).
async fn client(st: &AppState, tenant: TenantId, c: u64, n: u64) -> Result<(Summary, Vec<u64>)> {
    let own = vec!["support@posdesk.example".to_owned()];
    let mut gateway = Gateway::new(st, tenant, &own);
    let mut summary = Summary::default();
    let mut lat = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    let mut number = String::new();
    let mut first_id = String::new();
    for i in 0..n {
        let raw = match i % 4 {
            0 => mail(c, i, &format!("终端故障 {c}-{i}"), None),
            2 => mail(c, i, "补充说明", Some(&first_id)),
            _ => mail(c, i, &format!("Re: [#{number}] 终端故障"), None),
        };
        let t0 = Instant::now();
        let o = gateway.ingest(&raw).await.map_err(|e| anyhow!("{e}"))?;
        lat.push(t0.elapsed().as_micros() as u64);
        match (&o, i % 4) {
            (Outcome::Created { number: nb }, 0) => {
                number = nb.clone();
                first_id = format!("bench-{c}-{i}@shop.example.cn");
            }
            (Outcome::Threaded { number: nb }, _) if *nb == number => {}
            (other, _) => bail!("client {c}, mail {i}: unexpected {other:?}"),
        }
        summary.add(&o);
    }
    Ok((summary, lat))
}

async fn count(st: &AppState, sql: &'static str) -> Result<i64> {
    Ok(st
        .store
        .read(move |c| Box::pin(async move { c.query_one(sql, &[]).await?.int(0) }))
        .await?)
}

/// Runs the scenario on a fresh database of `backend` (SQLite in a temporary folder, or a fresh
/// PostgreSQL schema on `pg_url`, dropped afterwards) with `rows` mails (at most
/// [`MAX_MAILS`]); prints the figure (and one JSON line with `json_out`).
pub async fn run(
    backend: &str,
    pg_url: &str,
    rows: u64,
    clients: usize,
    json_out: bool,
) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("posdesk-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let mut schema = None;
    let location = match backend {
        "sqlite" => Location::Sqlite(dir.join("posdesk.db")),
        "postgres" => {
            let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
            let (client, conn) = tokio_postgres::connect(pg_url, tokio_postgres::NoTls)
                .await
                .context("connecting to PostgreSQL")?;
            tokio::spawn(conn);
            client
                .batch_execute(&format!("CREATE SCHEMA {name}"))
                .await?;
            let sep = if pg_url.contains('?') { '&' } else { '?' };
            schema = Some(name.clone());
            Location::Postgres(format!("{pg_url}{sep}options=-csearch_path%3D{name}"))
        }
        other => bail!("unknown backend {other:?}: use sqlite or postgres"),
    };
    let result = measure(backend, location, &dir, rows, clients, json_out).await;
    if let Some(name) = schema
        && let Ok((client, conn)) = tokio_postgres::connect(pg_url, tokio_postgres::NoTls).await
    {
        tokio::spawn(conn);
        let _ = client
            .batch_execute(&format!("DROP SCHEMA {name} CASCADE"))
            .await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(
    backend: &str,
    location: Location,
    dir: &std::path::Path,
    rows: u64,
    clients: usize,
    json_out: bool,
) -> Result<()> {
    let n = rows.clamp(4, MAX_MAILS);
    let (st, tenant) = setup(&location, dir).await.context("setting up")?;
    let clients = clients.clamp(1, 64) as u64;
    let n = n - n % (4 * clients);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let st = st.clone();
        tasks.push(tokio::spawn(async move {
            client(&st, tenant, c, n / clients).await
        }));
    }
    let mut summary = Summary::default();
    let mut lat = Vec::new();
    for t in tasks {
        let (s, l) = t.await??;
        summary.created += s.created;
        summary.threaded += s.threaded;
        summary.ignored += s.ignored;
        summary.quarantined += s.quarantined;
        lat.extend(l);
    }
    let secs = start.elapsed().as_secs_f64();
    let inbound = count(&st, "SELECT COUNT(*) FROM mail_inbound").await?;
    let tickets = count(&st, "SELECT COUNT(*) FROM tickets").await?;
    let messages = count(&st, "SELECT COUNT(*) FROM ticket_messages").await?;
    if inbound != n as i64
        || tickets != summary.created as i64
        || messages != summary.threaded as i64
    {
        bail!(
            "the database holds {inbound} inbound, {tickets} tickets, {messages} messages; expected {n}, {summary}"
        );
    }
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize] as f64 / 1000.0;
    let rate = n as f64 / secs;
    println!(
        "mail-ingest {backend}, {clients} client(s): {n} mails ({summary}) in {secs:.1} s = {rate:.0} messages/s, p50 {:.2} ms, p99 {:.2} ms; target ≥ 500/s: {}",
        pct(0.5),
        pct(0.99),
        if rate >= 500.0 { "met" } else { "NOT met" }
    );
    if json_out {
        println!(
            "{}",
            json!({"scenario": "mail-ingest", "backend": backend, "clients": clients, "rows": n,
                   "seconds": (secs * 10.0).round() / 10.0, "ops_per_s": rate.round(),
                   "p50_ms": pct(0.5), "p99_ms": pct(0.99),
                   "created": summary.created, "threaded": summary.threaded})
        );
    }
    Ok(())
}
