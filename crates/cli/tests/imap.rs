//! `posdesk mail-ingest --imap` against a real IMAP server, on SQLite and PostgreSQL: each test
//! starts its own Dovecot (`dovecot -F`, a config in a temporary directory, plain IMAP and IMAPS
//! on free loopback ports, a passwd-file user, a maildir) and delivers mail by writing files
//! into the maildir's `new/`.
//!
//! Checked: unread mail becomes a ticket, an ignored machine mail and quarantined mail (raw
//! bytes kept), the summary adds up, every ingested message is `\Seen` afterwards, a second pass
//! ingests nothing, a reply over IMAPS (TLS, a private CA) threads, a message un-flagged again
//! (a crash between the commit and the flag) is re-fetched and ignored as a duplicate, and the
//! refusals (plain IMAP to a non-loopback host, a wrong password, an unknown CA) fail the command.
//!
//! Without Dovecot the tests print why and pass; with `CI=true` they fail instead.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use posdesk_storage::Location;

const BIN: &str = env!("CARGO_BIN_EXE_posdesk");
const DOVECOT: &str = "/usr/sbin/dovecot";
const USER: &str = "support";
const PASSWORD: &str = "s3cret-pw";

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether the tools are here; with `CI=true` a missing one is a failure.
fn tools_present() -> bool {
    let missing: Vec<&str> = [(DOVECOT, "dovecot-imapd"), ("/usr/bin/openssl", "openssl")]
        .into_iter()
        .filter(|(p, _)| !Path::new(p).exists())
        .map(|(_, pkg)| pkg)
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        !ci(),
        "CI=true but {missing:?} is not installed (.ci/run installs it)"
    );
    eprintln!("note: {missing:?} not installed; skipping the IMAP tests");
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn sh(cmd: &mut Command) {
    let out = cmd.output().expect("run a tool");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a `localhost`/127.0.0.1 server certificate it signed; returns (ca.pem, cert, key).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let p = |n: &str| dir.join(n);
    sh(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=posdesk test CA", "-keyout"])
        .arg(p("ca.key"))
        .arg("-out")
        .arg(p("ca.pem")));
    sh(Command::new("openssl")
        .args([
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(p("server.key"))
        .arg("-out")
        .arg(p("server.csr")));
    std::fs::write(
        p("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    sh(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-CAcreateserial", "-in"])
        .arg(p("server.csr"))
        .arg("-CA")
        .arg(p("ca.pem"))
        .arg("-CAkey")
        .arg(p("ca.key"))
        .arg("-out")
        .arg(p("server.pem"))
        .arg("-extfile")
        .arg(p("server.ext")));
    (p("ca.pem"), p("server.pem"), p("server.key"))
}

/// A Dovecot of this test's own, stopped (SIGTERM, then SIGKILL) when dropped.
struct Dovecot {
    child: Child,
    root: PathBuf,
    port: u16,
    tls_port: u16,
    ca: PathBuf,
    delivered: usize,
}

impl Dovecot {
    fn start(dir: &Path) -> Self {
        let root = dir.join("dovecot");
        let maildir = root.join("mail").join(USER).join("Maildir");
        for d in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(d)).unwrap();
        }
        // Dovecot refuses mail access as root: it reads the maildir as its own `dovecot` user.
        sh(Command::new("chmod")
            .args(["-R", "0777"])
            .arg(root.join("mail")));
        let (ca, cert, key) = certificates(&root);
        std::fs::write(
            root.join("passwd"),
            format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n"),
        )
        .unwrap();
        let (port, tls_port) = (free_port(), free_port());
        let r = root.display();
        let conf = format!(
            "protocols = imap\n\
             listen = 127.0.0.1\n\
             base_dir = {r}/run\n\
             state_dir = {r}/state\n\
             log_path = {r}/dovecot.log\n\
             ssl = yes\n\
             ssl_cert = <{cert}\n\
             ssl_key = <{key}\n\
             disable_plaintext_auth = no\n\
             auth_mechanisms = plain login\n\
             mail_uid = dovecot\n\
             mail_gid = dovecot\n\
             first_valid_uid = 1\n\
             first_valid_gid = 1\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%n {r}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = home={r}/mail/%n\n}}\n\
             mail_location = maildir:~/Maildir\n\
             service imap-login {{\n  chroot =\n\
               inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n\
               inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls_port}\n    ssl = yes\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n\
             service stats {{\n  unix_listener stats-writer {{\n    mode = 0666\n  }}\n}}\n",
            cert = cert.display(),
            key = key.display(),
        );
        let conf_path = root.join("dovecot.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dovecot");
        let d = Self {
            child,
            root,
            port,
            tls_port,
            ca,
            delivered: 0,
        };
        d.wait_ready();
        d
    }

    /// Until both listeners greet (10 s at most).
    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        for port in [self.port, self.tls_port] {
            loop {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "dovecot did not listen on {port}: {}",
                    self.log()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.root.join("dovecot.log")).unwrap_or_default()
    }

    fn maildir(&self) -> PathBuf {
        self.root.join("mail").join(USER).join("Maildir")
    }

    /// Delivers a mail as an MTA does: written into `tmp/`, then moved into `new/`.
    fn deliver(&mut self, raw: &[u8]) {
        self.delivered += 1;
        // Dovecot numbers new mail in the order of the names' timestamps.
        let name = format!("{}.M1P1.posdesk-test", 1_764_556_800 + self.delivered);
        let tmp = self.maildir().join("tmp").join(&name);
        std::fs::write(&tmp, raw).unwrap();
        sh(Command::new("chmod").arg("0666").arg(&tmp));
        std::fs::rename(&tmp, self.maildir().join("new").join(&name)).unwrap();
    }

    /// The maildir flags of every delivered message (`""` for one still in `new/`).
    fn flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            for e in std::fs::read_dir(self.maildir().join(sub)).unwrap() {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                out.push(
                    name.split_once(":2,")
                        .map(|(_, f)| f.to_owned())
                        .unwrap_or_default(),
                );
            }
        }
        out
    }

    /// Clears `\Seen` of the message holding `needle` (as if the flag never reached the server).
    fn unsee(&self, needle: &str) {
        let cur = self.maildir().join("cur");
        for e in std::fs::read_dir(&cur).unwrap() {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if String::from_utf8_lossy(&bytes).contains(needle) {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let (base, flags) = name.split_once(":2,").expect("a flagged maildir name");
                let flags: String = flags.chars().filter(|c| *c != 'S').collect();
                std::fs::rename(&path, cur.join(format!("{base}:2,{flags}"))).unwrap();
                return;
            }
        }
        panic!("no message holds {needle}");
    }

    fn url(&self) -> String {
        format!("imap://{USER}@127.0.0.1:{}", self.port)
    }

    fn tls_url(&self) -> String {
        format!("imaps://{USER}@localhost:{}", self.tls_port)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its login, auth and imap processes.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn url(loc: &Location) -> String {
    match loc {
        Location::Sqlite(p) => format!("sqlite://{}", p.display()),
        Location::Postgres(u) => u.clone(),
    }
}

fn run(db: &str, dir: &Path, args: &[&str], password: Option<&str>) -> Output {
    command(db, dir, args, password)
        .output()
        .expect("run posdesk")
}

fn command(db: &str, dir: &Path, args: &[&str], password: Option<&str>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("DATABASE_URL", db)
        .env("POSDESK_DATA_DIR", dir)
        .env("POSDESK_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .env_remove("POSDESK_IMAP_PASSWORD")
        .env_remove("POSDESK_IMAP_CA_FILE");
    if let Some(p) = password {
        cmd.env("POSDESK_IMAP_PASSWORD", p);
    }
    cmd
}

fn ok(db: &str, dir: &Path, args: &[&str], password: Option<&str>) -> (String, String) {
    let out = run(db, dir, args, password);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "posdesk {args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn fails(db: &str, dir: &Path, args: &[&str], password: Option<&str>) -> String {
    let out = run(db, dir, args, password);
    assert!(!out.status.success(), "posdesk {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `f` against the database on a thread of its own (callers may be inside a runtime).
fn db<T: Send + 'static>(
    loc: &Location,
    f: impl FnOnce(posdesk_storage::Store) -> futures::future::BoxFuture<'static, T> + Send + 'static,
) -> T {
    let loc = loc.clone();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move { f(posdesk_storage::Store::open(&loc).await.unwrap()).await })
    })
    .join()
    .unwrap()
}

fn scalar(loc: &Location, sql: &'static str) -> i64 {
    db(loc, move |store| {
        Box::pin(async move {
            store
                .read(move |c| Box::pin(async move { c.query_one(sql, &[]).await?.int(0) }))
                .await
                .unwrap()
        })
    })
}

fn text(loc: &Location, sql: &'static str) -> String {
    db(loc, move |store| {
        Box::pin(async move {
            store
                .read(move |c| Box::pin(async move { c.query_one(sql, &[]).await?.text(0) }))
                .await
                .unwrap()
        })
    })
}

fn quarantined_raw(loc: &Location, reason: &'static str) -> Vec<u8> {
    db(loc, move |store| {
        Box::pin(async move {
            store
                .read(move |c| {
                    Box::pin(async move {
                        c.query_one(
                            "SELECT raw FROM mail_inbound WHERE outcome = 'quarantined' \
                             AND reason = $1",
                            &[reason.into()],
                        )
                        .await?
                        .blob(0)
                    })
                })
                .await
                .unwrap()
        })
    })
}

fn mail(from: &str, subject: &str, id: &str, body: &str, extra: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: support@posdesk.example\r\nSubject: {subject}\r\n\
         Message-ID: <{id}>\r\nDate: Tue, 01 Dec 2026 10:15:00 +0800\r\n{extra}MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

fn corpus(name: &str) -> Vec<u8> {
    let p = format!(
        "{}/../core/tests/mail_corpus/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn imap_ingest(loc: Location, dir: &Path) {
    let mut dovecot = Dovecot::start(dir);
    let db_url = url(&loc);
    let db_url = db_url.as_str();
    ok(db_url, dir, &["migrate"], None);
    let (provider, _) = ok(
        db_url,
        dir,
        &[
            "admin",
            "create-provider",
            "--name",
            "邮箱支付",
            "--short-name",
            "邮箱",
        ],
        None,
    );
    let csv = dir.join("merchants.csv");
    std::fs::write(
        &csv,
        "商户号,商户名称,商户类型,统一社会信用代码,经营者身份证号,联系电话,营业时间\n\
         102330154129301,湖滨咖啡,company,91110000600037341L,,13805710001,\n",
    )
    .unwrap();
    ok(
        db_url,
        dir,
        &[
            "import",
            "merchants",
            csv.to_str().unwrap(),
            "--provider",
            "邮箱",
        ],
        None,
    );
    let merchant = text(&loc, "SELECT id FROM merchants ORDER BY mid LIMIT 1");
    ok(
        db_url,
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
        None,
    );

    // Four unread mails: a fault report, an auto-reply, an unparseable mail, a stranger's.
    let unparseable = corpus("unparseable-bad-sender.eml");
    let stranger = mail(
        "stranger@nowhere.example",
        "你好",
        "s1@nowhere.example",
        "请问怎么申请终端？",
        "",
    );
    dovecot.deliver(&mail(
        "张三 <zhang.san@shop.example.cn>",
        "终端无法开机",
        "imap-1@shop.example.cn",
        "早上开机黑屏，充电也没有反应。",
        "",
    ));
    dovecot.deliver(&corpus("auto-submitted.eml"));
    dovecot.deliver(&unparseable);
    dovecot.deliver(&stranger);
    assert_eq!(dovecot.flags(), vec![""; 4]);

    let plain = dovecot.url();
    let args = [
        "mail-ingest",
        "--provider",
        "邮箱",
        "--imap",
        plain.as_str(),
        "--own-address",
        "support@posdesk.example",
    ];
    let (out, err) = ok(db_url, dir, &args, Some(PASSWORD));
    assert_eq!(
        out.trim(),
        "created 1, threaded 0, ignored 1, quarantined 2",
        "{err}\n{}",
        dovecot.log()
    );
    let number = err
        .lines()
        .find_map(|l| l.strip_prefix("UID 1: created "))
        .unwrap_or_else(|| panic!("{err}"))
        .to_owned();
    assert!(err.contains("UID 2: ignored (auto_reply)"), "{err}");
    assert!(err.contains("UID 3: quarantined (unparseable)"), "{err}");
    assert!(err.contains("UID 4: quarantined (unknown_sender)"), "{err}");
    assert_eq!(
        scalar(
            &loc,
            "SELECT COUNT(*) FROM tickets WHERE channel = 'email' AND subject = '终端无法开机'"
        ),
        1
    );
    // Quarantined with the bytes exactly as the server delivered them.
    assert_eq!(quarantined_raw(&loc, "unparseable"), unparseable);
    assert_eq!(quarantined_raw(&loc, "unknown_sender"), stranger);
    // Every message is \Seen now, and a second pass finds nothing unread.
    let flags = dovecot.flags();
    assert_eq!(flags.len(), 4);
    assert!(flags.iter().all(|f| f.contains('S')), "{flags:?}");
    let (out, _) = ok(db_url, dir, &args, Some(PASSWORD));
    assert_eq!(
        out.trim(),
        "created 0, threaded 0, ignored 0, quarantined 0"
    );
    assert_eq!(scalar(&loc, "SELECT COUNT(*) FROM mail_inbound"), 4);

    // A reply over IMAPS (the server's certificate from a private CA, the password in the URL):
    // threads into the ticket by its tag.
    dovecot.deliver(&mail(
        "zhang.san@shop.example.cn",
        &format!("Re: [#{number}] 终端无法开机"),
        "imap-2@shop.example.cn",
        "换了充电器也不行。\r\n\r\n> 您好，请尝试更换充电器。",
        "In-Reply-To: <imap-1@shop.example.cn>\r\n",
    ));
    let tls = format!("imaps://{USER}:{}@localhost:{}", PASSWORD, dovecot.tls_port);
    let ca = dovecot.ca.display().to_string();
    let tls_args = [
        "mail-ingest",
        "--provider",
        "邮箱",
        "--imap",
        tls.as_str(),
        "--imap-ca-file",
        ca.as_str(),
        "--mailbox",
        "INBOX",
    ];
    let (out, err) = ok(db_url, dir, &tls_args, None);
    assert_eq!(
        out.trim(),
        "created 0, threaded 1, ignored 0, quarantined 0",
        "{err}"
    );
    assert!(err.contains(&format!("UID 5: threaded {number}")), "{err}");
    assert_eq!(scalar(&loc, "SELECT COUNT(*) FROM ticket_messages"), 1);

    // The flag lost after the commit (a crash): the next pass fetches the reply again and the
    // gateway's duplicate check ignores it; the ticket is not replied to twice.
    dovecot.unsee("imap-2@shop.example.cn");
    let (out, err) = ok(db_url, dir, &tls_args, None);
    assert_eq!(
        out.trim(),
        "created 0, threaded 0, ignored 1, quarantined 0",
        "{err}"
    );
    assert!(err.contains("ignored (duplicate)"), "{err}");
    assert_eq!(scalar(&loc, "SELECT COUNT(*) FROM ticket_messages"), 1);
    assert!(dovecot.flags().iter().all(|f| f.contains('S')));

    // Refusals: each fails the command and ingests nothing.
    let before = scalar(&loc, "SELECT COUNT(*) FROM mail_inbound");
    dovecot.deliver(&mail(
        "zhang.san@shop.example.cn",
        "打印机不出纸",
        "imap-3@shop.example.cn",
        "小票打印不出来。",
        "",
    ));
    let e = fails(
        db_url,
        dir,
        &[
            "mail-ingest",
            "--provider",
            "邮箱",
            "--imap",
            "imap://support@mail.example.com",
        ],
        Some(PASSWORD),
    );
    assert!(e.contains("only allowed to a loopback address"), "{e}");
    let e = fails(db_url, dir, &args, Some("wrong-password"));
    assert!(e.contains("login as support refused"), "{e}");
    let e = fails(db_url, dir, &args, None);
    assert!(e.contains("POSDESK_IMAP_PASSWORD"), "{e}");
    // The server's certificate is not trusted without the private CA.
    let untrusted = dovecot.tls_url();
    let e = fails(
        db_url,
        dir,
        &[
            "mail-ingest",
            "--provider",
            "邮箱",
            "--imap",
            untrusted.as_str(),
        ],
        Some(PASSWORD),
    );
    assert!(e.contains("TLS handshake with localhost"), "{e}");
    let e = fails(
        db_url,
        dir,
        &[
            "mail-ingest",
            "--provider",
            "邮箱",
            "--imap",
            plain.as_str(),
            "--stdin",
        ],
        Some(PASSWORD),
    );
    assert!(e.contains("exactly one of"), "{e}");
    let e = fails(
        db_url,
        dir,
        &[
            "mail-ingest",
            "--provider",
            "邮箱",
            "--stdin",
            "--watch",
            "5",
        ],
        None,
    );
    assert!(e.contains("--watch needs --imap"), "{e}");
    assert_eq!(scalar(&loc, "SELECT COUNT(*) FROM mail_inbound"), before);
    // The last mail is still unread and is taken by the next good pass.
    let (out, _) = ok(db_url, dir, &args, Some(PASSWORD));
    assert_eq!(
        out.trim(),
        "created 1, threaded 0, ignored 0, quarantined 0"
    );

    // --watch: a pass every second, one summary line each, until SIGTERM; mail delivered while
    // it runs is taken by a later pass.
    let mut watch_args = args.to_vec();
    watch_args.extend(["--watch", "1"]);
    let mut child = command(db_url, dir, &watch_args, Some(PASSWORD))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start posdesk --watch");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = || {
        rx.recv_timeout(Duration::from_secs(30))
            .expect("a summary line within 30 s")
            .expect("readable output")
    };
    let idle = "created 0, threaded 0, ignored 0, quarantined 0";
    assert_eq!(next(), idle);
    dovecot.deliver(&mail(
        "zhang.san@shop.example.cn",
        "扫码枪没有反应",
        "imap-4@shop.example.cn",
        "扫码枪没有反应。",
        "",
    ));
    let line = loop {
        let l = next();
        if l != idle {
            break l;
        }
    };
    assert_eq!(line, "created 1, threaded 0, ignored 0, quarantined 0");
    sh(Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string()));
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "--watch ends cleanly on SIGTERM: {status}"
    );
    assert!(dovecot.flags().iter().all(|f| f.contains('S')));
}

#[test]
fn imap_ingest_sqlite() {
    if !tools_present() {
        return;
    }
    let (loc, dir) = posdesk_storage::testing::sqlite();
    imap_ingest(loc, &dir.path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_ingest_postgres() {
    if !tools_present() {
        return;
    }
    if let Some(loc) = posdesk_storage::testing::postgres().await {
        let dir = posdesk_storage::testing::TempDir::new();
        tokio::task::spawn_blocking(move || imap_ingest(loc, &dir.path))
            .await
            .unwrap();
    }
}
