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

/// `import merchants` / `export merchants` and XLSX for both registries: the format from the
/// extension or `--format`, JSON summaries, row errors on stderr, idempotent re-runs, round trips.
fn merchant_and_xlsx_commands(loc: Location, dir: &std::path::Path) {
    let db = url(&loc);
    ok(&db, dir, &["migrate"]);
    ok(
        &db,
        dir,
        &[
            "admin",
            "create-provider",
            "--name",
            "表格支付",
            "--short-name",
            "表格",
        ],
    );
    let summary = |out: &str| -> serde_json::Value { serde_json::from_str(out.trim()).unwrap() };
    let counts = |s: &serde_json::Value, keys: &[&str]| -> Vec<u64> {
        keys.iter().map(|k| s[*k].as_u64().unwrap()).collect()
    };

    // `import merchants`: a JSON summary, bad rows on stderr with row and column, idempotent.
    let csv = dir.join("merchants.csv");
    std::fs::write(
        &csv,
        "商户号,商户名称,商户类型,统一社会信用代码,经营者身份证号,联系电话,营业时间\n\
         102330154129301,湖滨咖啡,company,91110000600037341L,,13805710001,mon-sun 08:00-22:00\n\
         102330154129302,坏电话,company,91110000600037341L,,123,\n\
         102330154129303,张三早餐铺,micro,,11010519491231002X,,\n",
    )
    .unwrap();
    let import = |file: &std::path::Path, what: &str, extra: &[&str]| {
        let mut args = vec![
            "import",
            what,
            file.to_str().unwrap(),
            "--provider",
            "表格",
            "--json",
        ];
        args.extend_from_slice(extra);
        ok(&db, dir, &args)
    };
    let (out, err) = import(&csv, "merchants", &[]);
    let s = summary(&out);
    assert_eq!(counts(&s, &["rows", "inserted", "rejected"]), [3, 2, 1]);
    assert_eq!(s["format"], "csv");
    assert!(err.contains("row 3, column contact_phone"), "{err}");
    let (out, _) = import(&csv, "merchants", &[]);
    assert_eq!(counts(&summary(&out), &["inserted", "unchanged"]), [0, 2]);

    // Merchants out as XLSX (by the extension) and back in: nothing changes.
    let xlsx = dir.join("merchants.xlsx");
    let export = |what: &str, out: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "export",
            what,
            "--provider",
            "表格",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        ok(&db, dir, &args).0
    };
    let out = export("merchants", &xlsx, &[]);
    assert!(out.contains("wrote 2 merchants"), "{out}");
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK\x03\x04"));
    let (out, _) = import(&xlsx, "merchants", &[]);
    let s = summary(&out);
    assert_eq!(s["format"], "xlsx");
    assert_eq!(counts(&s, &["unchanged", "rejected", "updated"]), [2, 0, 0]);
    // `--format` wins over the name: CSV written to a `.dat` file, read back as CSV.
    let dat = dir.join("merchants.dat");
    export("merchants", &dat, &["--format", "csv"]);
    assert!(
        std::fs::read(&dat)
            .unwrap()
            .starts_with(&[0xEF, 0xBB, 0xBF])
    );
    let (out, _) = import(&dat, "merchants", &["--format", "csv"]);
    assert_eq!(counts(&summary(&out), &["unchanged"]), [2]);
    // No extension: the first bytes decide.
    let bare = dir.join("merchants-workbook");
    std::fs::copy(&xlsx, &bare).unwrap();
    let (out, _) = import(&bare, "merchants", &[]);
    assert_eq!(summary(&out)["format"], "xlsx");

    // Terminals: CSV in, XLSX out, XLSX in.
    let tcsv = dir.join("terminals-x.csv");
    std::fs::write(
        &tcsv,
        "序列号,型号,厂商,状态,商户号\nXL-0001,A920,百富,active,102330154129301\nXL-0002,N910,新大陆,,\n",
    )
    .unwrap();
    let (out, _) = import(&tcsv, "terminals", &[]);
    assert_eq!(counts(&summary(&out), &["inserted"]), [2]);
    let txlsx = dir.join("terminals.xlsx");
    let out = export("terminals", &txlsx, &[]);
    assert!(out.contains("wrote 2 terminals"), "{out}");
    let (out, _) = import(&txlsx, "terminals", &[]);
    assert_eq!(
        counts(&summary(&out), &["unchanged", "inserted", "rejected"]),
        [2, 0, 0]
    );

    // Refused: an unknown --format, a file that is neither CSV nor XLSX.
    let e = fails(
        &db,
        dir,
        &[
            "import",
            "merchants",
            csv.to_str().unwrap(),
            "--provider",
            "表格",
            "--format",
            "ods",
        ],
    );
    assert!(e.contains("--format must be csv or xlsx"), "{e}");
    let png = dir.join("logo.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let e = fails(
        &db,
        dir,
        &[
            "import",
            "merchants",
            png.to_str().unwrap(),
            "--provider",
            "表格",
        ],
    );
    assert!(e.contains("neither CSV text nor an XLSX workbook"), "{e}");
}

#[test]
fn merchants_and_xlsx_sqlite() {
    let (loc, dir) = posdesk_storage::testing::sqlite();
    merchant_and_xlsx_commands(loc, &dir.path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merchants_and_xlsx_postgres() {
    if let Some(loc) = posdesk_storage::testing::postgres().await {
        let dir = posdesk_storage::testing::TempDir::new();
        tokio::task::spawn_blocking(move || merchant_and_xlsx_commands(loc, &dir.path))
            .await
            .unwrap();
    }
}

/// The first merchant's id, read from the database (on a thread of its own: the callers may
/// already run inside a runtime).
fn first_merchant(loc: &Location) -> String {
    let loc = loc.clone();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let store = posdesk_storage::Store::open(&loc).await.unwrap();
                store
                    .read(|c| {
                        Box::pin(async move {
                            c.query_one("SELECT id FROM merchants ORDER BY mid LIMIT 1", &[])
                                .await?
                                .text(0)
                        })
                    })
                    .await
                    .unwrap()
            })
    })
    .join()
    .unwrap()
}

/// The four counts of a `mail-ingest` summary line.
fn mail_counts(out: &str) -> [usize; 4] {
    let line = out.trim();
    let mut n = [0; 4];
    for (i, (part, label)) in line
        .split(", ")
        .zip(["created", "threaded", "ignored", "quarantined"])
        .enumerate()
    {
        let (l, v) = part.split_once(' ').unwrap_or_else(|| panic!("{line}"));
        assert_eq!(l, label, "{line}");
        n[i] = v.parse().unwrap_or_else(|_| panic!("{line}"));
    }
    n
}

/// `mail-ingest`: the corpus folder (the four counts add up to the number of files), generated
/// replies that thread by tag (a FILE) and by In-Reply-To (stdin), a re-run that creates nothing.
fn mail_ingest_commands(loc: Location, dir: &std::path::Path) {
    let db = url(&loc);
    ok(&db, dir, &["migrate"]);
    let (provider, _) = ok(
        &db,
        dir,
        &[
            "admin",
            "create-provider",
            "--name",
            "邮件支付",
            "--short-name",
            "邮件",
        ],
    );
    let csv = dir.join("merchants.csv");
    std::fs::write(
        &csv,
        "商户号,商户名称,商户类型,统一社会信用代码,经营者身份证号,联系电话,营业时间\n\
         102330154129301,湖滨咖啡,company,91110000600037341L,,13805710001,\n",
    )
    .unwrap();
    ok(
        &db,
        dir,
        &[
            "import",
            "merchants",
            csv.to_str().unwrap(),
            "--provider",
            "邮件",
        ],
    );
    let merchant = first_merchant(&loc);
    ok(
        &db,
        dir,
        &[
            "admin",
            "create-user",
            "--login",
            "zhang.san",
            "--name",
            "张三",
            "--role",
            "merchant_user",
            "--provider",
            provider.trim(),
            "--merchant",
            &merchant,
            "--email",
            "zhang.san@shop.example.cn",
        ],
    );

    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/mail_corpus");
    let files = std::fs::read_dir(corpus)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_file())
        .count();
    let args = [
        "mail-ingest",
        "--provider",
        "邮件",
        "--dir",
        corpus,
        "--own-address",
        "support@posdesk.example",
    ];
    let (out, err) = ok(&db, dir, &args);
    let [created, threaded, ignored, quarantined] = mail_counts(&out);
    assert_eq!(created + threaded + ignored + quarantined, files, "{out}");
    assert!(created >= 10, "{out}\n{err}");
    assert!(ignored >= 10, "{out}\n{err}");
    assert!(quarantined >= 5, "{out}\n{err}");
    assert!(
        err.contains("unparseable-garbage.eml: quarantined (unparseable)"),
        "{err}"
    );
    assert!(
        err.contains("bounce-postmaster.eml: ignored (bounce)"),
        "{err}"
    );

    // A generated reply to a ticket the corpus created: threads by the tag in the subject.
    let number = err
        .lines()
        .find(|l| l.contains("multipart-alternative.eml: created "))
        .and_then(|l| l.rsplit(' ').next())
        .unwrap_or_else(|| panic!("{err}"))
        .to_owned();
    let reply = dir.join("reply.eml");
    std::fs::write(
        &reply,
        format!(
            "From: 张三 <zhang.san@shop.example.cn>\r\nTo: support@posdesk.example\r\n\
             Subject: Re: [#{number}] 终端\r\nMessage-ID: <gen-reply-1@shop.example.cn>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n已经重启，还是不行。\r\n"
        ),
    )
    .unwrap();
    let (out, err) = ok(
        &db,
        dir,
        &["mail-ingest", "--provider", "邮件", reply.to_str().unwrap()],
    );
    assert_eq!(
        out.trim(),
        "created 0, threaded 1, ignored 0, quarantined 0",
        "{err}"
    );
    assert!(err.contains(&format!("threaded {number}")), "{err}");

    // A reply on stdin pointing at the generated reply's Message-ID (no tag) threads too.
    let mut child = Command::new(BIN)
        .args(["mail-ingest", "--provider", "邮件", "--stdin"])
        .env("DATABASE_URL", &db)
        .env("POSDESK_DATA_DIR", dir)
        .env("POSDESK_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        b"From: zhang.san@shop.example.cn\r\nTo: support@posdesk.example\r\nSubject: more\r\n\
          Message-ID: <gen-reply-2@shop.example.cn>\r\n\
          In-Reply-To: <gen-reply-1@shop.example.cn>\r\n\r\nStill broken.\r\n",
    )
    .unwrap();
    drop(child.stdin.take());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "created 0, threaded 1, ignored 0, quarantined 0",
        "{stderr}"
    );
    assert!(stderr.contains(&format!("threaded {number}")), "{stderr}");

    // The folder again: the same mails create nothing (their Message-IDs are known).
    let (out, _) = ok(&db, dir, &args);
    let [created, threaded, ignored, quarantined] = mail_counts(&out);
    assert_eq!(created + threaded + ignored + quarantined, files, "{out}");
    assert_eq!((created, threaded), (0, 0), "{out}");

    // Exactly one source.
    let e = fails(&db, dir, &["mail-ingest", "--provider", "邮件"]);
    assert!(e.contains("exactly one of"), "{e}");
    let e = fails(
        &db,
        dir,
        &["mail-ingest", "--provider", "nobody", "--stdin"],
    );
    assert!(e.contains("no provider"), "{e}");
}

#[test]
fn mail_ingest_sqlite() {
    let (loc, dir) = posdesk_storage::testing::sqlite();
    mail_ingest_commands(loc, &dir.path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_ingest_postgres() {
    if let Some(loc) = posdesk_storage::testing::postgres().await {
        let dir = posdesk_storage::testing::TempDir::new();
        tokio::task::spawn_blocking(move || mail_ingest_commands(loc, &dir.path))
            .await
            .unwrap();
    }
}

/// `bench --scenario sla-scan` on a small fixture: the scan's query uses the `next_check`
/// index, the due tickets are found (by posdesk and by the raw engine) and the passes drain them.
#[test]
fn bench_sla_scan_smoke() {
    let dir = posdesk_storage::testing::TempDir::new();
    let (out, _) = ok(
        "sqlite://unused.db",
        &dir.path,
        &[
            "bench",
            "--scenario",
            "sla-scan",
            "--rows",
            "1000",
            "--json",
        ],
    );
    let last = out.trim().lines().last().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(last).expect("a JSON summary");
    assert_eq!(v["uses_index"], true, "{out}");
    assert_eq!(v["due"], 10, "{out}");
    assert_eq!(v["checked"], 10, "{out}");
    assert_eq!(v["left_due"], 0, "{out}");
}
