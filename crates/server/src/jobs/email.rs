//! E-mail from the outbox: rendered from the message catalogue in the recipient's language and
//! sent over SMTP (lettre), or written as `.eml` files under `<data_dir>/mail-outbox` when no
//! SMTP server is configured.

use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

use super::JobError;
use crate::i18n::{Locale, Tr};
use crate::state::AppState;

/// `Auto-Submitted: auto-generated` (RFC 3834): every notice is machine-made, so well-behaved
/// autoresponders do not answer it and mail loops cannot start (the gateway ignores such mail
/// coming in, too).
#[derive(Clone)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// `X-Posdesk-Loop: notice`: a notice of ours that comes back into the gateway (a forwarding
/// rule, a mailbox that is also the sender) is recognised as a loop (`mail::classify`).
#[derive(Clone)]
struct PosdeskLoop;

impl lettre::message::header::Header for PosdeskLoop {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("X-Posdesk-Loop")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(PosdeskLoop)
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "notice".to_owned())
    }
}

#[derive(Deserialize)]
struct Payload {
    to: String,
    template: String,
    locale: String,
    #[serde(default)]
    params: serde_json::Map<String, serde_json::Value>,
    /// The Message-ID (without brackets) the gateway already knows, for ticket notices.
    #[serde(default)]
    message_id: Option<String>,
}

pub fn render(
    template: &str,
    locale: Locale,
    params: &serde_json::Map<String, serde_json::Value>,
) -> (String, String) {
    let tr = Tr::new(locale);
    let args: Vec<(&str, String)> = params
        .iter()
        .map(|(k, v)| {
            (
                k.as_str(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        })
        .collect();
    (
        tr.ta(&format!("email-{template}-subject"), &args),
        tr.ta(&format!("email-{template}-body"), &args),
    )
}

pub async fn send(state: &AppState, payload: &str) -> Result<(), JobError> {
    let p: Payload =
        serde_json::from_str(payload).map_err(|e| JobError::Permanent(format!("payload: {e}")))?;
    let locale = Locale::parse("locale", &p.locale).unwrap_or_default();
    let mut params = p.params.clone();
    params.insert(
        "public_url".into(),
        serde_json::Value::String(state.config.public_url.clone()),
    );
    let (subject, body) = render(&p.template, locale, &params);
    let msg = Message::builder()
        .message_id(p.message_id.as_ref().map(|m| format!("<{m}>")))
        .from(
            state
                .config
                .mail_from
                .parse()
                .map_err(|e| JobError::Permanent(format!("from: {e}")))?,
        )
        .to(p
            .to
            .parse()
            .map_err(|e| JobError::Permanent(format!("to: {e}")))?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .header(AutoSubmitted)
        .header(PosdeskLoop)
        .body(body)
        .map_err(|e| JobError::Permanent(format!("message: {e}")))?;
    match &state.config.smtp_url {
        Some(url) => {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                .map_err(|e| JobError::Permanent(format!("smtp url: {e}")))?
                .build();
            transport
                .send(msg)
                .await
                .map(|_| ())
                .map_err(|e| JobError::Retry(format!("smtp: {e}")))
        }
        None => {
            let dir = state.config.data_dir.join("mail-outbox");
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|e| JobError::Retry(format!("{}: {e}", dir.display())))?;
            AsyncFileTransport::<Tokio1Executor>::new(dir)
                .send(msg)
                .await
                .map(|_| ())
                .map_err(|e| JobError::Retry(format!("mail file: {e}")))
        }
    }
}
