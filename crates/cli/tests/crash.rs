//! Crash safety: SIGKILL `posdesk serve` in the middle of a write load, restart it, and check
//! that every create that got a 2xx is there, that nothing is half-written (every stored record
//! has its audit event, and every audit chain verifies). Runs on SQLite and PostgreSQL.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use posdesk_storage::{Location, Store};

const BIN: &str = env!("CARGO_BIN_EXE_posdesk");

fn url(loc: &Location) -> String {
    match loc {
        Location::Sqlite(p) => format!("sqlite://{}", p.display()),
        Location::Postgres(u) => u.clone(),
    }
}

fn posdesk(db: &str, dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", db)
        .env("POSDESK_DATA_DIR", dir)
        .env("POSDESK_LOG", "warn")
        .output()
        .expect("run posdesk");
    assert!(
        out.status.success(),
        "posdesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn serve(db: &str, dir: &std::path::Path, port: u16) -> Child {
    Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", db)
        .env("POSDESK_DATA_DIR", dir)
        .env("POSDESK_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve")
}

async fn wait_ready(base: &str) {
    let c = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if c.get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("server at {base} not ready");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn sigkill_mid_write_loses_nothing_acknowledged(loc: Location) {
    let dir = posdesk_storage::testing::TempDir::new();
    let db = url(&loc);
    let provider = posdesk(
        &db,
        &dir.path,
        &[
            "admin",
            "create-provider",
            "--name",
            "崩溃测试服务商",
            "--short-name",
            "崩溃",
        ],
    );
    posdesk(
        &db,
        &dir.path,
        &[
            "admin",
            "create-user",
            "--login",
            "crash.sup",
            "--name",
            "主管",
            "--role",
            "supervisor",
            "--provider",
            &provider,
        ],
    );
    let token = posdesk(
        &db,
        &dir.path,
        &["admin", "issue-token", "--user", "crash.sup"],
    );

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = serve(&db, &dir.path, port);
    wait_ready(&base).await;

    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for c in 0..4 {
        let (client, acked, base, token) =
            (client.clone(), acked.clone(), base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut failures = 0;
            for i in 0.. {
                let title = format!("crash-{c}-{i}");
                let r = client
                    .post(format!("{base}/api/v1/announcements"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"title": title, "body": "断电测试", "audience": "staff"}))
                    .send()
                    .await;
                match r {
                    Ok(resp) if resp.status().is_success() => {
                        acked.lock().unwrap().insert(title);
                    }
                    _ => {
                        failures += 1;
                        if failures > 20 {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().expect("SIGKILL"); // std's kill() sends SIGKILL on Unix
    child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 50,
        "the load ran ({} acknowledged)",
        acked.len()
    );

    // Restart on the same database: it must come up and still hold every acknowledged create.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = serve(&db, &dir.path, port);
    wait_ready(&base).await;
    let mut stored = BTreeSet::new();
    let mut cursor = String::new();
    loop {
        let page: serde_json::Value = client
            .get(format!(
                "{base}/api/v1/announcements?limit=200&cursor={cursor}"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in page["items"].as_array().unwrap() {
            stored.insert(item["title"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    let missing: Vec<_> = acked.difference(&stored).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");

    // Nothing half-written: each stored announcement has exactly its one audit event.
    let store = Store::open(&loc).await.unwrap();
    let (records, events) = store
        .read(|c| {
            Box::pin(async move {
                let r = c
                    .query_one("SELECT COUNT(*) FROM announcements", &[])
                    .await?
                    .int(0)?;
                let e = c
                    .query_one(
                        "SELECT COUNT(*) FROM audit_events WHERE entity_type = 'announcement'",
                        &[],
                    )
                    .await?
                    .int(0)?;
                Ok((r, e))
            })
        })
        .await
        .unwrap();
    assert_eq!(records, stored.len() as i64);
    assert_eq!(
        records, events,
        "every record has its audit event and no event lacks its record"
    );
    drop(store);
    let verify = posdesk(&db, &dir.path, &["admin", "verify-audit"]);
    assert!(verify.contains("intact"), "{verify}");
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let (loc, _dir) = posdesk_storage::testing::sqlite();
    sigkill_mid_write_loses_nothing_acknowledged(loc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(loc) = posdesk_storage::testing::postgres().await {
        sigkill_mid_write_loses_nothing_acknowledged(loc).await;
    }
}
