//! What kind of mail this is, so the gateway never answers a machine: loops, bounces and
//! auto-replies are ignored (kept, not answered, no ticket).
//!
//! Checked in this order, first match wins:
//! 1. `Loop`: our own `X-Posdesk-Loop` or `X-Posdesk-Ticket` header, or the sender is one of the
//!    gateway's own addresses.
//! 2. `Bounce`: the sender's local part is `mailer-daemon` or `postmaster`, or the top-level type
//!    is `multipart/report; report-type=delivery-status`.
//! 3. `AutoReply`: `Auto-Submitted` other than `no`, `X-Autoreply`/`X-Autorespond` present (and
//!    not `no`), `Precedence: auto_reply|bulk|junk|list`, or a subject starting with an
//!    auto-reply prefix (自动回复, 自动答复, 自動回覆, Auto Reply, Automatic reply, Out of Office …).
//! 4. `Bounce`: an empty `Return-Path: <>` (RFC 5321 null sender) with none of the above.
//! 5. `Normal`.

use serde::Serialize;

use super::Inbound;

/// The kind of an inbound message, with the signal that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "signal", rename_all = "snake_case")]
pub enum Kind {
    Normal,
    AutoReply(Signal),
    Bounce(Signal),
    Loop(Signal),
}

impl Kind {
    /// Loops, bounces and auto-replies are ignored by the gateway (never answered).
    pub fn is_ignored(self) -> bool {
        !matches!(self, Kind::Normal)
    }
}

/// The header or property that decided the [`Kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    LoopHeader,
    TicketHeader,
    OwnAddress,
    MailerDaemon,
    DeliveryReport,
    NullReturnPath,
    AutoSubmitted,
    XAutoreply,
    XAutorespond,
    Precedence,
    Subject,
}

/// Subject prefixes of auto-replies (compared case-insensitively, after trimming).
const AUTO_SUBJECTS: [&str; 14] = [
    "自动回复",
    "自动答复",
    "自動回覆",
    "自動回復",
    "自动应答",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "automatic reply",
    "out of office",
    "out of the office",
    "vacation reply",
];

/// Classifies `msg`; `own_addresses` are the gateway's own mailbox addresses (any case).
pub fn classify(msg: &Inbound, own_addresses: &[impl AsRef<str>]) -> Kind {
    let s = &msg.signals;
    if s.posdesk_loop.is_some() {
        return Kind::Loop(Signal::LoopHeader);
    }
    if s.posdesk_ticket.is_some() {
        return Kind::Loop(Signal::TicketHeader);
    }
    let sender = msg.from.address.as_str();
    if own_addresses
        .iter()
        .any(|a| a.as_ref().trim().eq_ignore_ascii_case(sender))
    {
        return Kind::Loop(Signal::OwnAddress);
    }
    let local = sender.split('@').next().unwrap_or("");
    if local == "mailer-daemon" || local == "postmaster" {
        return Kind::Bounce(Signal::MailerDaemon);
    }
    if s.report_type.as_deref() == Some("delivery-status") {
        return Kind::Bounce(Signal::DeliveryReport);
    }
    if let Some(v) = &s.auto_submitted {
        let token = v.split(';').next().unwrap_or("").trim();
        if !token.is_empty() && token != "no" {
            return Kind::AutoReply(Signal::AutoSubmitted);
        }
    }
    if s.x_autoreply.as_deref().is_some_and(is_yes) {
        return Kind::AutoReply(Signal::XAutoreply);
    }
    if s.x_autorespond.as_deref().is_some_and(is_yes) {
        return Kind::AutoReply(Signal::XAutorespond);
    }
    if let Some(p) = &s.precedence
        && matches!(p.as_str(), "auto_reply" | "bulk" | "junk" | "list")
    {
        return Kind::AutoReply(Signal::Precedence);
    }
    let subject = msg.subject.trim().to_lowercase();
    if AUTO_SUBJECTS.iter().any(|p| subject.starts_with(p)) {
        return Kind::AutoReply(Signal::Subject);
    }
    if s.null_return_path {
        return Kind::Bounce(Signal::NullReturnPath);
    }
    Kind::Normal
}

fn is_yes(v: &str) -> bool {
    !matches!(v.trim(), "" | "no" | "false" | "0")
}
