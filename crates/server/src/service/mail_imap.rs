//! The e-mail gateway's IMAP source (`posdesk mail-ingest --imap URL`): reads a provider's
//! mailbox and runs every unread mail through the same gateway as a folder
//! ([`super::mail_ingest::Gateway`]).
//!
//! One pass, in order:
//! 1. Connect (`imaps://` over TLS with Mozilla's roots plus an optional extra CA file;
//!    `imap://` in the clear only to a loopback address, for tests), read the greeting, LOGIN,
//!    SELECT the mailbox.
//! 2. `UID SEARCH UNSEEN`, oldest UID first.
//! 3. Per message: `UID FETCH <uid> (UID BODY.PEEK[])` (PEEK: fetching marks nothing read), the
//!    gateway ingests the bytes and commits its outcome, and only then
//!    `UID STORE <uid> +FLAGS.SILENT (\Seen)`. A crash between the commit and the flag leaves the
//!    mail unread; the next pass fetches it again and the gateway's duplicate check (same
//!    Message-ID and bytes) records it as ignored, so nothing is ingested twice and nothing is
//!    lost. A message that vanished before its FETCH (expunged by another client) is skipped
//!    and left alone.
//! 4. LOGOUT.
//!
//! Every network step runs under a timeout ([`Timeouts`]); a step that times out or fails ends
//! the pass with an [`ImapError`] naming the step, and the mail not yet flagged stays unread for
//! the next pass.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use posdesk_core::ids::TenantId;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use super::mail_ingest::{Gateway, Outcome, Summary};
use crate::error::ApiError;
use crate::state::AppState;

/// The mailbox read when none is named.
pub const DEFAULT_MAILBOX: &str = "INBOX";

/// A password that never shows in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Why an IMAP URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("not a URL (expected imaps://user@host[:port])")]
    Syntax,
    #[error("the scheme must be imaps:// (TLS) or imap:// (loopback only)")]
    Scheme,
    #[error(
        "imap:// sends the password in the clear: only allowed to a loopback address; use imaps://"
    )]
    PlainNotLoopback,
    #[error("no host")]
    NoHost,
    #[error("no user name (imaps://USER@host)")]
    NoUser,
    #[error("no password: put it in the URL or in POSDESK_IMAP_PASSWORD")]
    NoPassword,
    #[error("the user name or password is not valid percent-encoded UTF-8")]
    Encoding,
    #[error("a path, query or fragment is not allowed (name the mailbox with --mailbox)")]
    Extra,
    #[error("the mailbox name is empty or holds a line break")]
    Mailbox,
}

/// What went wrong in a pass.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("--imap: {0}")]
    Url(#[from] UrlError),
    #[error("reading the CA file {path}: {source}")]
    CaFile {
        path: PathBuf,
        source: tokio_rustls::rustls::pki_types::pem::Error,
    },
    #[error("the CA file {path} holds no usable certificate")]
    CaFileEmpty { path: PathBuf },
    #[error("connecting to {addr}: {source}")]
    Connect {
        addr: String,
        source: std::io::Error,
    },
    #[error("TLS settings: {0}")]
    TlsSetup(tokio_rustls::rustls::Error),
    #[error("TLS handshake with {host}: {source}")]
    Tls {
        host: String,
        source: std::io::Error,
    },
    #[error("{step}: no answer within {} s", timeout.as_secs())]
    Timeout {
        step: &'static str,
        timeout: Duration,
    },
    #[error("the server closed the connection before its greeting")]
    NoGreeting,
    #[error("the server's greeting: {0}")]
    Greeting(std::io::Error),
    #[error("login as {user} refused: {source}")]
    Login {
        user: String,
        source: async_imap::error::Error,
    },
    #[error("{step}: {source}")]
    Command {
        step: &'static str,
        source: async_imap::error::Error,
    },
    /// The gateway could not record a mail (the store failed); the mail stays unread.
    #[error("ingesting UID {uid}: {source}")]
    Ingest { uid: u32, source: ApiError },
}

/// Where to read mail: parsed once from `--imap URL` (+ `--mailbox`, the password from the
/// environment when the URL holds none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: String,
    password: Password,
    pub mailbox: String,
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        // `imap(s)` is not a special scheme to the URL parser: an IPv4 address comes back as a
        // name.
        url::Host::Domain(d) => {
            d.eq_ignore_ascii_case("localhost")
                || d.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

fn decode(s: &str) -> Result<String, UrlError> {
    urlencoding::decode(s)
        .map(|c| c.into_owned())
        .map_err(|_| UrlError::Encoding)
}

impl Account {
    /// `imaps://user[:password]@host[:port]` (port 993 by default) or `imap://…` (143, loopback
    /// only). User and password are percent-decoded (`%40` for `@`). `password` is used when the
    /// URL holds none (`POSDESK_IMAP_PASSWORD`).
    pub fn parse(url: &str, password: Option<&str>, mailbox: &str) -> Result<Self, UrlError> {
        let u = url::Url::parse(url).map_err(|_| UrlError::Syntax)?;
        let tls = match u.scheme() {
            "imaps" => true,
            "imap" => false,
            _ => return Err(UrlError::Scheme),
        };
        let host = u.host().ok_or(UrlError::NoHost)?;
        if !tls && !is_loopback(&host) {
            return Err(UrlError::PlainNotLoopback);
        }
        if !matches!(u.path(), "" | "/") || u.query().is_some() || u.fragment().is_some() {
            return Err(UrlError::Extra);
        }
        let user = decode(u.username())?;
        if user.is_empty() {
            return Err(UrlError::NoUser);
        }
        let password = match u.password() {
            Some(p) => decode(p)?,
            None => password
                .filter(|p| !p.is_empty())
                .ok_or(UrlError::NoPassword)?
                .to_owned(),
        };
        let mailbox = mailbox.trim();
        if mailbox.is_empty() || mailbox.contains(['\r', '\n']) {
            return Err(UrlError::Mailbox);
        }
        let host = match host {
            url::Host::Domain(d) => d.to_owned(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        Ok(Self {
            tls,
            port: u.port().unwrap_or(if tls { 993 } else { 143 }),
            host,
            user,
            password: Password::new(password),
            mailbox: mailbox.to_owned(),
        })
    }
}

/// How long each step may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect and TLS handshake, each.
    pub connect: Duration,
    /// Every IMAP command (greeting, LOGIN, SELECT, SEARCH, one FETCH, one STORE, LOGOUT).
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(30),
            // One FETCH carries up to the gateway's 50 MB limit.
            command: Duration::from_secs(120),
        }
    }
}

/// TLS settings: Mozilla's roots, plus the certificates of `extra_ca` (a PEM file) for a
/// mail server with a private CA.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    pub extra_ca: Option<PathBuf>,
}

/// What one pass did: the gateway's four counts (they add up to the mails fetched) and the
/// unread messages that vanished before they could be fetched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub summary: Summary,
    pub skipped: usize,
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Stream for T {}
type Session = async_imap::Session<Box<dyn Stream>>;

async fn within<T, E>(
    step: &'static str,
    limit: Duration,
    f: impl Future<Output = Result<T, E>>,
    wrap: impl FnOnce(E) -> ImapError,
) -> Result<T, ImapError> {
    match tokio::time::timeout(limit, f).await {
        Err(_) => Err(ImapError::Timeout {
            step,
            timeout: limit,
        }),
        Ok(r) => r.map_err(wrap),
    }
}

fn command(step: &'static str) -> impl FnOnce(async_imap::error::Error) -> ImapError {
    move |source| ImapError::Command { step, source }
}

fn tls_config(opts: &TlsOptions) -> Result<ClientConfig, ImapError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &opts.extra_ca {
        let mut added = 0;
        for cert in CertificateDer::pem_file_iter(path).map_err(|source| ImapError::CaFile {
            path: path.clone(),
            source,
        })? {
            let cert = cert.map_err(|source| ImapError::CaFile {
                path: path.clone(),
                source,
            })?;
            if roots.add(cert).is_ok() {
                added += 1;
            }
        }
        if added == 0 {
            return Err(ImapError::CaFileEmpty { path: path.clone() });
        }
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(ImapError::TlsSetup)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

async fn connect(
    account: &Account,
    tls: &TlsOptions,
    t: Timeouts,
) -> Result<Box<dyn Stream>, ImapError> {
    let addr = format!("{}:{}", account.host, account.port);
    let tcp = within(
        "connect",
        t.connect,
        TcpStream::connect((account.host.as_str(), account.port)),
        |source| ImapError::Connect {
            addr: addr.clone(),
            source,
        },
    )
    .await?;
    if !account.tls {
        return Ok(Box::new(tcp));
    }
    let config = tls_config(tls)?;
    let name = ServerName::try_from(account.host.clone()).map_err(|e| ImapError::Tls {
        host: account.host.clone(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
    })?;
    let stream = within(
        "TLS handshake",
        t.connect,
        TlsConnector::from(Arc::new(config)).connect(name, tcp),
        |source| ImapError::Tls {
            host: account.host.clone(),
            source,
        },
    )
    .await?;
    Ok(Box::new(stream))
}

async fn open(account: &Account, tls: &TlsOptions, t: Timeouts) -> Result<Session, ImapError> {
    let stream = connect(account, tls, t).await?;
    let mut client = async_imap::Client::new(stream);
    let greeting = within(
        "greeting",
        t.command,
        client.read_response(),
        ImapError::Greeting,
    )
    .await?;
    if greeting.is_none() {
        return Err(ImapError::NoGreeting);
    }
    let user = account.user.clone();
    let mut session = within(
        "LOGIN",
        t.command,
        client.login(&account.user, account.password.expose()),
        |(source, _)| ImapError::Login { user, source },
    )
    .await?;
    within(
        "SELECT",
        t.command,
        session.select(&account.mailbox),
        command("SELECT"),
    )
    .await?;
    Ok(session)
}

/// The raw bytes of message `uid`, `None` if the server returned none (it was expunged).
async fn fetch(session: &mut Session, uid: u32, t: Timeouts) -> Result<Option<Vec<u8>>, ImapError> {
    within(
        "UID FETCH",
        t.command,
        async {
            let fetches: Vec<_> = session
                .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                .await?
                .try_collect()
                .await?;
            Ok::<_, async_imap::error::Error>(
                fetches
                    .iter()
                    .find(|f| f.uid == Some(uid))
                    .and_then(|f| f.body())
                    .map(<[u8]>::to_vec),
            )
        },
        command("UID FETCH"),
    )
    .await
}

async fn mark_seen(session: &mut Session, uid: u32, t: Timeouts) -> Result<(), ImapError> {
    within(
        "UID STORE",
        t.command,
        async {
            let _: Vec<_> = session
                .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                .await?
                .try_collect()
                .await?;
            Ok::<_, async_imap::error::Error>(())
        },
        command("UID STORE"),
    )
    .await
}

/// One pass over `account`'s mailbox for `provider` (see the module documentation).
/// `on_mail` hears each outcome with the message's UID as it is committed (the CLI prints it).
pub async fn ingest_mailbox(
    state: &AppState,
    provider: TenantId,
    own_addresses: &[String],
    account: &Account,
    tls: &TlsOptions,
    timeouts: Timeouts,
    on_mail: &mut (dyn FnMut(u32, &Outcome) + Send),
) -> Result<Pass, ImapError> {
    let mut session = open(account, tls, timeouts).await?;
    let mut uids: Vec<u32> = within(
        "UID SEARCH",
        timeouts.command,
        session.uid_search("UNSEEN"),
        command("UID SEARCH"),
    )
    .await?
    .into_iter()
    .collect();
    uids.sort_unstable();
    let mut pass = Pass::default();
    let mut gateway = Gateway::new(state, provider, own_addresses);
    for uid in uids {
        let Some(raw) = fetch(&mut session, uid, timeouts).await? else {
            tracing::warn!(uid, "unread message vanished before it was fetched");
            pass.skipped += 1;
            continue;
        };
        let outcome = gateway
            .ingest(&raw)
            .await
            .map_err(|source| ImapError::Ingest { uid, source })?;
        pass.summary.add(&outcome);
        on_mail(uid, &outcome);
        mark_seen(&mut session, uid, timeouts).await?;
    }
    // Everything is committed and flagged: a failed LOGOUT loses nothing.
    if let Err(e) = within(
        "LOGOUT",
        timeouts.command,
        session.logout(),
        command("LOGOUT"),
    )
    .await
    {
        tracing::warn!(error = %e, "IMAP logout failed");
    }
    Ok(pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let a = Account::parse(
            "imaps://support%40sp.example:p%3Ass@mail.sp.example",
            None,
            "INBOX",
        )
        .unwrap();
        assert!(a.tls);
        assert_eq!(a.host, "mail.sp.example");
        assert_eq!(a.port, 993);
        assert_eq!(a.user, "support@sp.example");
        assert_eq!(a.password.expose(), "p:ss");
        assert!(!format!("{a:?}").contains("p:ss"));
        let a = Account::parse("imap://u@127.0.0.1:10143/", Some("env-pw"), " Support ").unwrap();
        assert!(!a.tls);
        assert_eq!((a.port, a.password.expose()), (10143, "env-pw"));
        assert_eq!(a.mailbox, "Support");
        assert_eq!(
            Account::parse("imap://u:p@[::1]", None, "INBOX")
                .unwrap()
                .port,
            143
        );
        assert!(Account::parse("imap://u:p@localhost", None, "INBOX").is_ok());
        // The URL's password wins over the environment's.
        let a = Account::parse("imaps://u:url-pw@h", Some("env-pw"), "INBOX").unwrap();
        assert_eq!(a.password.expose(), "url-pw");
        for (url, err) in [
            ("not a url", UrlError::Syntax),
            ("pop3://u:p@h", UrlError::Scheme),
            ("imap://u:p@mail.sp.example", UrlError::PlainNotLoopback),
            ("imap://u:p@10.0.0.1", UrlError::PlainNotLoopback),
            ("imaps://h", UrlError::NoUser),
            ("imaps://u@h", UrlError::NoPassword),
            ("imaps://u:p@h/INBOX", UrlError::Extra),
            ("imaps://u:p@h?x=1", UrlError::Extra),
            ("imaps://u:%FF@h", UrlError::Encoding),
        ] {
            assert_eq!(Account::parse(url, None, "INBOX"), Err(err), "{url}");
        }
        assert_eq!(
            Account::parse("imaps://u@h", Some(""), "INBOX"),
            Err(UrlError::NoPassword)
        );
        assert_eq!(
            Account::parse("imaps://u:p@h", None, "a\r\nb"),
            Err(UrlError::Mailbox)
        );
        assert_eq!(
            Account::parse("imaps://u:p@h", None, "  "),
            Err(UrlError::Mailbox)
        );
    }

    #[test]
    fn extra_ca_file_must_hold_a_certificate() {
        let dir = std::env::temp_dir().join(format!("posdesk-ca-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        let r = tls_config(&TlsOptions {
            extra_ca: Some(empty),
        });
        assert!(matches!(r, Err(ImapError::CaFileEmpty { .. })), "{r:?}");
        let missing = tls_config(&TlsOptions {
            extra_ca: Some(dir.join("missing.pem")),
        });
        assert!(
            matches!(missing, Err(ImapError::CaFile { .. })),
            "{missing:?}"
        );
        assert!(tls_config(&TlsOptions::default()).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
