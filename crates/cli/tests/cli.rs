//! The registry commands of the `posdesk` binary, on SQLite and PostgreSQL: `calendar days`
//! (its exact output format), `calendar import` (a year settles; a bad file stores nothing),
//! `import terminals` / `export terminals` (summary, row errors, idempotence, round trip).

use std::process::{Command, Output};

use posdesk_storage::Location;

const BIN: &str = env!("CARGO_BIN_EXE_posdesk");

fn url(loc: &Location) -> String {
    match loc {
        Location::Sqlite(p) => format!("sqlite://{}", p.display()),
        Location::Postgres(u) => u.clone(),
    }
}

fn run(db: &str, dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", db)
        .env("POSDESK_DATA_DIR", dir)
        .env("POSDESK_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run posdesk")
}

/// Runs a command that must succeed; returns (stdout, stderr).
fn ok(db: &str, dir: &std::path::Path, args: &[&str]) -> (String, String) {
    let out = run(db, dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "posdesk {args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// Runs a command that must fail; returns its stderr.
fn fails(db: &str, dir: &std::path::Path, args: &[&str]) -> String {
    let out = run(db, dir, args);
    assert!(!out.status.success(), "posdesk {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn day<'a>(days: &'a str, date: &str) -> &'a str {
    days.lines()
        .find_map(|l| l.strip_prefix(date).and_then(|r| r.strip_prefix('\t')))
        .unwrap_or_else(|| panic!("{date} missing"))
}

fn registry_commands(loc: Location, dir: &std::path::Path) {
    let db = url(&loc);
    ok(&db, dir, &["migrate"]);
    ok(
        &db,
        dir,
        &[
            "admin",
            "create-provider",
            "--name",
            "测试支付",
            "--short-name",
            "测试",
        ],
    );

    // `calendar days`: one line per day, exactly `YYYY-MM-DD<TAB>work|off`.
    let (days, warn) = ok(&db, dir, &["calendar", "days", "--year", "2026"]);
    let lines: Vec<&str> = days.lines().collect();
    assert_eq!(lines.len(), 365);
    for l in &lines {
        let (d, k) = l.split_once('\t').unwrap();
        assert_eq!(d.len(), 10, "{l}");
        assert!(k == "work" || k == "off", "{l}");
    }
    assert_eq!(lines.iter().filter(|l| l.ends_with("\toff")).count(), 117);
    assert_eq!(day(&days, "2026-10-01"), "off");
    assert_eq!(day(&days, "2026-02-14"), "work", "调休 Saturday");
    // 26–31 December 2026 stay provisional until 2027 is loaded.
    assert!(warn.contains("6 days of 2026 are provisional"), "{warn}");
    let (p_days, _) = ok(
        &db,
        dir,
        &["calendar", "days", "--year", "2026", "--provider", "测试"],
    );
    assert_eq!(
        p_days, days,
        "a provider without settings follows the national calendar"
    );
    let e = fails(
        &db,
        dir,
        &["calendar", "days", "--year", "2026", "--provider", "nope"],
    );
    assert!(e.contains("no provider"), "{e}");

    // 2027 is provisional; a bad file names its line and stores nothing; a good one settles it.
    let (d27, warn) = ok(&db, dir, &["calendar", "days", "--year", "2027"]);
    assert_eq!(day(&d27, "2027-02-08"), "work");
    assert!(warn.contains("365 days of 2027 are provisional"), "{warn}");
    let bad = dir.join("bad.txt");
    std::fs::write(&bad, "year 2027\nsource 测试\noff 2027-13-01 春节\n").unwrap();
    let e = fails(&db, dir, &["calendar", "import", bad.to_str().unwrap()]);
    assert!(e.contains("line 3") && e.contains("field schedule"), "{e}");
    let (d27b, _) = ok(&db, dir, &["calendar", "days", "--year", "2027"]);
    assert_eq!(d27b, d27, "nothing stored");
    let good = dir.join("2027.txt");
    std::fs::write(
        &good,
        "year 2027\nsource 测试通知\noff 2027-02-06..2027-02-13 春节 Spring Festival\nwork 2027-02-20 春节\n",
    )
    .unwrap();
    let (out, _) = ok(&db, dir, &["calendar", "import", good.to_str().unwrap()]);
    assert_eq!(out.trim(), "loaded 2027 (version 1)");
    let (d27c, warn) = ok(&db, dir, &["calendar", "days", "--year", "2027"]);
    assert_eq!(day(&d27c, "2027-02-08"), "off");
    assert_eq!(day(&d27c, "2027-02-20"), "work");
    assert!(
        warn.contains("6 days of 2027 are provisional"),
        "late December waits for 2028: {warn}"
    );

    // `import terminals`: a JSON summary, bad rows on stderr with row and column, idempotent.
    let csv = dir.join("terminals.csv");
    std::fs::write(
        &csv,
        "序列号,型号,厂商,终端号\nCLI-0001,A920,百富,81000001\nCLI-0002,N910,新大陆,\nCLI 3,N910,新大陆,\n",
    )
    .unwrap();
    let args = [
        "import",
        "terminals",
        csv.to_str().unwrap(),
        "--provider",
        "测试",
        "--json",
    ];
    let (out, err) = ok(&db, dir, &args);
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["rows"], 3);
    assert_eq!(summary["inserted"], 2);
    assert_eq!(summary["rejected"], 1);
    assert!(err.contains("row 4, column sn"), "{err}");
    let (out, _) = ok(&db, dir, &args);
    let again: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (again["inserted"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    // Export, then import the export: nothing changes.
    let exported = dir.join("export.csv");
    let (out, _) = ok(
        &db,
        dir,
        &[
            "export",
            "terminals",
            "--provider",
            "测试",
            "--out",
            exported.to_str().unwrap(),
        ],
    );
    assert!(out.contains("wrote 2 terminals"), "{out}");
    let (out, _) = ok(
        &db,
        dir,
        &[
            "import",
            "terminals",
            exported.to_str().unwrap(),
            "--provider",
            "测试",
            "--json",
        ],
    );
    let round: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (round["unchanged"].as_u64(), round["rejected"].as_u64()),
        (Some(2), Some(0))
    );
    let e = fails(
        &db,
        dir,
        &[
            "import",
            "terminals",
            dir.join("missing.csv").to_str().unwrap(),
            "--provider",
            "测试",
        ],
    );
    assert!(e.contains("missing.csv"), "{e}");
}

#[test]
fn sqlite() {
    let (loc, dir) = posdesk_storage::testing::sqlite();
    registry_commands(loc, &dir.path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(loc) = posdesk_storage::testing::postgres().await {
        let dir = posdesk_storage::testing::TempDir::new();
        tokio::task::spawn_blocking(move || registry_commands(loc, &dir.path))
            .await
            .unwrap();
    }
}
