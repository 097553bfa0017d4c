//! E-mail from the outbox: rendered from the message catalogue in the recipient's language and
//! sent over SMTP (lettre), or written as `.eml` files under `<data_dir>/mail-outbox` when no
//! SMTP server is configured.

use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

use super::JobError;
use crate::i18n::{Locale, Tr};
use crate::state::AppState;

#[derive(Deserialize)]
struct Payload {
    to: String,
    template: String,
    locale: String,
    #[serde(default)]
    params: serde_json::Map<String, serde_json::Value>,
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
    let (subject, body) = render(&p.template, locale, &p.params);
    let msg = Message::builder()
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
