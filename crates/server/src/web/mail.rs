//! `/mail/quarantine`: the e-mail gateway's quarantine for the provider's admins, newest first,
//! with the reason in words and a download of each mail's raw bytes (`.eml`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::kit::{Chrome, Query, Web, is_form_error, link};
use super::labels;
use super::session::WebUser;
use crate::i18n::Tr;
use crate::service::mail_ingest;
use crate::state::AppState;

pub struct QuarantineRow {
    pub id: String,
    pub received: String,
    pub reason: String,
    pub reason_code: String,
    pub sender: String,
    pub subject: String,
    pub size: String,
    /// The download link, when the bytes are kept.
    pub raw_href: Option<String>,
}

#[derive(Template)]
#[template(path = "mail_quarantine.html")]
struct QuarantinePage {
    c: Chrome,
    rows: Vec<QuarantineRow>,
    error: Option<String>,
    next_link: Option<String>,
    first_link: Option<String>,
}

/// The reason a mail was quarantined, in words.
pub fn reason_label(tr: &Tr, code: &str) -> String {
    match code {
        "too_large" => tr.t("mail-reason-too-large"),
        "unparseable" => tr.t("mail-reason-unparseable"),
        "unknown_sender" => tr.t("mail-reason-unknown-sender"),
        "not_merchants_ticket" => tr.t("mail-reason-not-merchants-ticket"),
        "ticket_closed" => tr.t("mail-reason-ticket-closed"),
        "empty" => tr.t("mail-reason-empty"),
        other => other.to_owned(),
    }
}

/// A byte count for people: `812 B`, `12.3 KB`, `4.0 MB` (powers of 1024).
pub fn human_size(n: u64) -> String {
    const KB: u64 = 1024;
    if n < KB {
        return format!("{n} B");
    }
    // Tenths, in integers (no float rounding surprises).
    let tenths = |unit: u64| n.saturating_mul(10).saturating_add(unit / 2) / unit;
    if n < KB * KB {
        let t = tenths(KB);
        return format!("{}.{} KB", t / 10, t % 10);
    }
    let t = tenths(KB * KB);
    format!("{}.{} MB", t / 10, t % 10)
}

pub async fn quarantine(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(&state);
    let mut rows = Vec::new();
    let mut error = None;
    let mut status = StatusCode::OK;
    let mut next_link = None;
    let result = match super::kit::page_request(&q) {
        Ok(page) => mail_ingest::quarantine_list(&ctx, page).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(page) => {
            next_link = page
                .next
                .as_ref()
                .map(|c| link("/mail/quarantine", &[("cursor", &c.encode())]));
            rows = page
                .items
                .into_iter()
                .map(|e| QuarantineRow {
                    received: e.received_at.to_shanghai_display(),
                    reason: reason_label(&tr, &e.reason),
                    reason_code: e.reason,
                    sender: e.sender.unwrap_or_default(),
                    subject: e.subject.unwrap_or_default(),
                    size: human_size(e.raw_size),
                    raw_href: e.raw_kept.then(|| format!("/mail/quarantine/{}/raw", e.id)),
                    id: e.id,
                })
                .collect();
        }
        Err(e) if is_form_error(&e) => {
            status = e.status();
            error = Some(labels::error_message(&tr, &e));
        }
        Err(e) => return web.fail(Some(&user), &e),
    }
    let tpl = QuarantinePage {
        c: web.chrome(Some(&user), tr.t("mail-quarantine-title")),
        rows,
        error,
        next_link,
        first_link: q.opt("cursor").map(|_| "/mail/quarantine".to_owned()),
    };
    web.render(status, &tpl)
}

/// The raw bytes of one quarantined mail, as an `.eml` download.
pub async fn raw(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    match mail_ingest::quarantined_raw(&user.ctx(&state), &id).await {
        Ok((entry, bytes)) => crate::api::mail::eml_response(&entry, bytes),
        Err(e) => web.fail(Some(&user), &e),
    }
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1024), "1.0 KB");
        assert_eq!(human_size(12_595), "12.3 KB");
        assert_eq!(human_size(1024 * 1024 - 1), "1024.0 KB");
        assert_eq!(human_size(50 * 1024 * 1024 + 1), "50.0 MB");
        // Saturates instead of overflowing.
        assert!(human_size(u64::MAX).ends_with(" MB"));
    }
}
