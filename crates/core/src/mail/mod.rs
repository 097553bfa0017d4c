//! Inbound e-mail for the ticket gateway: RFC 5322 bytes in, a typed [`Inbound`] out.
//!
//! Pure: no I/O, no clock. The gateway (`posdesk mail-ingest`, storage, ticket creation) is built
//! on top: [`parse`] the raw bytes (an [`Unparseable`] message is quarantined with its raw bytes,
//! never dropped), [`classify`] it (loops, bounces and auto-replies are ignored), take
//! [`thread_keys`] (ticket tag, candidate Message-IDs — looked up within the tenant only) and
//! [`reply_text`] (the new text without quoted history).
//!
//! MIME structure and header syntax come from `mail-parser` (with `full_encoding`: without it
//! GBK/Big5/ISO-2022-JP silently become U+FFFD). Text is decoded here, by one charset policy
//! (`charset.rs`): GB labels as GB18030, missing labels as UTF-8 then GB18030, wrong labels
//! detected; transfer encodings are undone leniently from the raw bytes, so broken base64,
//! quoted-printable or an unterminated multipart still yield their content. Every repair is
//! listed in [`Inbound::defects`].

mod charset;
mod classify;
mod html;
mod reply;
mod thread;

use mail_parser::{
    Address, Encoding, Header, HeaderName, HeaderValue, MessageParser, MessagePart, MimeHeaders,
    PartType,
};
use serde::Serialize;

use crate::Timestamp;
use charset::{decode_text, decode_transfer, decode_unstructured, push_defect, transfer};

pub use classify::{Kind, Signal, classify};
pub use html::html_to_text;
pub use reply::{reply_text, strip_quoted};
pub use thread::{
    MAX_CANDIDATES, ThreadKeys, candidate_message_ids, format_ticket_tag, thread_keys, ticket_tag,
};

/// At most this many References are kept (a longer chain adds nothing to threading).
const MAX_REFERENCES: usize = 100;

/// An address with its display name. The address is lower-cased and checked to look like
/// `local@domain`; the name is decoded (RFC 2047, raw 8-bit GBK) and `None` when absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    pub address: String,
    pub name: Option<String>,
}

/// A part kept as an attachment: everything that is not the body text (files, inline images,
/// forwarded messages, delivery reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// Decoded file name (RFC 2231 / RFC 2047 / raw 8-bit), reduced to its last path segment,
    /// control characters removed; `None` when the part names no file.
    pub file_name: Option<String>,
    /// Declared `type/subtype`, lower-cased (`application/octet-stream` when undeclared).
    pub content_type: String,
    pub content_id: Option<String>,
    /// Shown inline (`Content-Disposition: inline`, or no disposition and a Content-ID).
    pub inline: bool,
    /// The bytes with the transfer encoding undone (text attachments keep their charset).
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

impl Attachment {
    pub fn size(&self) -> usize {
        self.bytes.len()
    }
}

/// Where the body text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodySource {
    Plain,
    /// No usable text/plain part: converted from text/html.
    Html,
    /// No text part at all.
    None,
}

/// The header values [`classify`] decides on, lower-cased and trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Signals {
    pub auto_submitted: Option<String>,
    pub x_autoreply: Option<String>,
    pub x_autorespond: Option<String>,
    pub precedence: Option<String>,
    /// `report-type` of a top-level `multipart/report`.
    pub report_type: Option<String>,
    /// `Return-Path: <>` (the null sender of bounces and RFC 3834 auto-replies).
    pub null_return_path: bool,
    /// `X-Posdesk-Loop`, set on everything the product sends.
    pub posdesk_loop: Option<String>,
    /// `X-Posdesk-Ticket`, set on ticket notifications the product sends.
    pub posdesk_ticket: Option<String>,
}

/// Something that was wrong with the message and was repaired while decoding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "defect", rename_all = "snake_case")]
pub enum Defect {
    /// A text without a charset label that was not plain ASCII.
    MissingCharset { used: &'static str },
    /// The label did not fit the bytes; `used` decoded them cleanly.
    WrongCharset {
        declared: String,
        used: &'static str,
    },
    /// A label nobody knows.
    UnknownCharset {
        declared: String,
        used: &'static str,
    },
    /// No charset decoded the bytes cleanly; U+FFFD stands in for what could not be read.
    Undecodable { charset: String },
    /// Unencoded 8-bit bytes in a header (decoded as UTF-8, else GB18030).
    RawHeaderBytes,
    /// Invalid base64 / quoted-printable data, decoded leniently (or kept raw when it was not
    /// encoded at all).
    BadTransferEncoding { declared: String },
    /// A transfer encoding nobody knows; the bytes were taken as they are.
    UnknownTransferEncoding { declared: String },
    /// A multipart whose closing boundary (`--boundary--`) never comes.
    UnterminatedMultipart,
    /// A multipart without a usable boundary; its raw text became the body.
    BrokenMultipart,
}

/// A parsed inbound message. Owns everything (no borrow of the raw bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inbound {
    /// `From` (or `Sender` when `From` is missing).
    pub from: Mailbox,
    pub reply_to: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// Decoded subject, whitespace collapsed; empty when absent.
    pub subject: String,
    /// Message-IDs are without angle brackets, case kept.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    /// In header order (oldest first), at most 100.
    pub references: Vec<String>,
    pub date: Option<Timestamp>,
    /// The text body: text/plain parts joined, else text/html converted. Line ends are `\n`,
    /// trailing whitespace trimmed.
    pub body: String,
    pub body_source: BodySource,
    pub attachments: Vec<Attachment>,
    pub signals: Signals,
    pub defects: Vec<Defect>,
}

/// Why a message could not be read. The gateway quarantines the raw bytes with this reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
pub enum Unparseable {
    #[error("the message is empty")]
    Empty,
    #[error("no RFC 5322 header section was found")]
    NoHeaders,
    #[error("the message names no sender (no From or Sender header)")]
    NoSender,
    #[error("the sender {0:?} is not an e-mail address")]
    BadSender(String),
    #[error("nothing readable: no subject, no text and no attachment")]
    NothingReadable,
}

/// Parses RFC 5322 bytes (CRLF or LF line ends) into an [`Inbound`]. Never panics.
pub fn parse(raw: &[u8]) -> Result<Inbound, Unparseable> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(Unparseable::Empty);
    }
    if !starts_with_header_field(raw) {
        return Err(Unparseable::NoHeaders);
    }
    let parser = MessageParser::default();
    let msg = parser.parse(raw).ok_or(Unparseable::NoHeaders)?;
    let root = msg.parts.first().ok_or(Unparseable::NoHeaders)?;
    if root.headers.is_empty() {
        return Err(Unparseable::NoHeaders);
    }
    let mut defects = Vec::new();

    // Raw 8-bit header bytes (old clients send GBK unencoded): re-read the header section with
    // such lines transcoded, for the structured headers (addresses, names).
    let fixed = fix_header_block(raw, root.offset_header, root.offset_body);
    let fixed_msg = fixed.as_deref().and_then(|f| parser.parse_headers(f));
    if fixed.is_some() {
        push_defect(&mut defects, Some(Defect::RawHeaderBytes));
    }
    let headers: &[Header<'_>] = match &fixed_msg {
        Some(m) => m
            .parts
            .first()
            .map_or(&root.headers[..], |p| &p.headers[..]),
        None => &root.headers[..],
    };

    let from = sender(headers)?;
    let reply_to = mailboxes(headers, &HeaderName::ReplyTo);
    let to = mailboxes(headers, &HeaderName::To);
    let cc = mailboxes(headers, &HeaderName::Cc);
    let subject = root
        .headers
        .iter()
        .find(|h| h.name == HeaderName::Subject)
        .map(|h| decode_unstructured(header_bytes(raw, h), &mut defects))
        .unwrap_or_default();
    let message_id = header_value(headers, &HeaderName::MessageId)
        .map(ids)
        .and_then(|v| v.into_iter().next());
    let in_reply_to = header_value(headers, &HeaderName::InReplyTo)
        .map(ids)
        .unwrap_or_default();
    let mut references = header_value(headers, &HeaderName::References)
        .map(ids)
        .unwrap_or_default();
    if references.len() > MAX_REFERENCES {
        references.drain(..references.len() - MAX_REFERENCES);
    }
    let date = match header_value(headers, &HeaderName::Date) {
        Some(HeaderValue::DateTime(d)) if d.is_valid() => Some(Timestamp::from_millis(
            d.to_timestamp().saturating_mul(1000),
        )),
        _ => None,
    };
    let signals = signals(raw, root);

    // Walk the parts: text bodies, attachments, structure defects.
    let mut plain: Vec<String> = Vec::new();
    let mut html: Vec<&MessagePart<'_>> = Vec::new();
    let mut attachments = Vec::new();
    for (index, part) in msg.parts.iter().enumerate() {
        let (ctype, subtype) = declared_type(part);
        match &part.body {
            PartType::Multipart(_) => {
                if let Some(boundary) = part.content_type().and_then(|c| c.attribute("boundary")) {
                    let closing = format!("--{boundary}--");
                    let from_body = raw.get(part.offset_body as usize..).unwrap_or_default();
                    if !contains(from_body, closing.as_bytes()) {
                        push_defect(&mut defects, Some(Defect::UnterminatedMultipart));
                    }
                }
                continue;
            }
            PartType::Message(nested) => {
                let bytes = if part.encoding == Encoding::None {
                    slice(raw, part.offset_body, part.offset_end).to_vec()
                } else {
                    nested.raw_message.to_vec()
                };
                attachments.push(Attachment {
                    file_name: file_name(raw, &parser, part, &mut defects),
                    content_type: format!("{ctype}/{subtype}"),
                    content_id: part
                        .content_id()
                        .map(|s| s.trim_matches(['<', '>']).to_string()),
                    inline: false,
                    bytes,
                });
                continue;
            }
            _ => {}
        }
        if ctype == "multipart" {
            // A multipart whose boundary is missing or never found: its raw text is the body.
            push_defect(&mut defects, Some(Defect::BrokenMultipart));
            let (text, defect) = decode_text(&part_bytes(raw, part, &mut defects), None);
            push_defect(&mut defects, defect);
            plain.push(normalise(&text));
            continue;
        }
        let disposition = part
            .content_disposition()
            .map(|d| d.ctype().to_ascii_lowercase());
        let name = file_name(raw, &parser, part, &mut defects);
        let is_text_body = ctype == "text"
            && (subtype == "plain" || subtype == "html")
            && disposition.as_deref() != Some("attachment")
            && name.is_none();
        if is_text_body {
            if subtype == "plain" {
                plain.push(normalise(&part_text(raw, part, &mut defects)));
            } else {
                // Decoded only when no text/plain part carries the body.
                html.push(part);
            }
            continue;
        }
        if index == 0 && part.offset_body as usize >= raw.len() {
            continue; // header-only message: no body part to keep
        }
        let bytes = match &part.body {
            PartType::Binary(b) | PartType::InlineBinary(b) if !part.is_encoding_problem => {
                b.to_vec()
            }
            _ => part_bytes(raw, part, &mut defects),
        };
        let content_id = part
            .content_id()
            .map(|s| s.trim_matches(['<', '>']).to_string());
        let inline = match disposition.as_deref() {
            Some("inline") => true,
            Some(_) => false,
            None => content_id.is_some(),
        };
        attachments.push(Attachment {
            file_name: name,
            content_type: format!("{ctype}/{subtype}"),
            content_id,
            inline,
            bytes,
        });
    }

    let plain_text = plain.join("\n").trim_end().to_string();
    let (body, body_source) = if !plain_text.trim().is_empty() {
        (trim_leading_blank_lines(&plain_text), BodySource::Plain)
    } else if !html.is_empty() {
        let text = html
            .iter()
            .map(|part| html_to_text(&part_text(raw, part, &mut defects)))
            .collect::<Vec<_>>()
            .join("\n");
        let text = normalise(&text);
        if text.is_empty() {
            (String::new(), BodySource::None)
        } else {
            (text, BodySource::Html)
        }
    } else {
        (String::new(), BodySource::None)
    };

    if subject.trim().is_empty() && body.trim().is_empty() && attachments.is_empty() {
        return Err(Unparseable::NothingReadable);
    }

    Ok(Inbound {
        from,
        reply_to,
        to,
        cc,
        subject,
        message_id,
        in_reply_to,
        references,
        date,
        body,
        body_source,
        attachments,
        signals,
        defects,
    })
}

/// The first line is a header field (`name:` in RFC 5322 field-name characters), after an
/// optional mbox `From ` separator line.
fn starts_with_header_field(raw: &[u8]) -> bool {
    let mut rest = raw;
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'\r' || first == b'\n' {
            rest = tail;
        } else {
            break;
        }
    }
    if rest.starts_with(b"From ") {
        rest = rest
            .iter()
            .position(|b| *b == b'\n')
            .map_or(&[][..], |p| &rest[p + 1..]);
    }
    let name_len = rest
        .iter()
        .take_while(|b| (33..=126).contains(*b) && **b != b':')
        .count();
    name_len > 0 && rest.get(name_len) == Some(&b':')
}

fn trim_leading_blank_lines(s: &str) -> String {
    let mut start = 0;
    for line in s.split_inclusive('\n') {
        if line.trim().is_empty() {
            start += line.len();
        } else {
            break;
        }
    }
    s[start..].to_string()
}

/// CRLF/CR → LF, trailing whitespace trimmed, leading blank lines dropped.
fn normalise(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    trim_leading_blank_lines(text.trim_end())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return false;
    };
    let mut i = 0;
    while let Some(p) = hay
        .get(i..)
        .and_then(|h| h.iter().position(|b| *b == first))
    {
        let at = i + p;
        if hay.get(at + 1..at + 1 + rest.len()) == Some(rest) {
            return true;
        }
        i = at + 1;
    }
    false
}

fn slice(raw: &[u8], start: u32, end: u32) -> &[u8] {
    let (s, e) = (start as usize, end as usize);
    if s <= e {
        raw.get(s..e).unwrap_or_default()
    } else {
        &[]
    }
}

fn header_bytes<'a>(raw: &'a [u8], h: &Header<'_>) -> &'a [u8] {
    slice(raw, h.offset_start, h.offset_end)
}

/// A part's content with its declared transfer encoding undone (leniently), from the raw bytes.
fn part_bytes(raw: &[u8], part: &MessagePart<'_>, defects: &mut Vec<Defect>) -> Vec<u8> {
    let declared = part.content_transfer_encoding();
    let (how, defect) = transfer(declared);
    push_defect(defects, defect);
    let (bytes, defect) = decode_transfer(
        slice(raw, part.offset_body, part.offset_end),
        how,
        declared.unwrap_or(""),
    );
    push_defect(defects, defect);
    bytes
}

/// A text part decoded: transfer encoding undone, then the charset policy.
fn part_text(raw: &[u8], part: &MessagePart<'_>, defects: &mut Vec<Defect>) -> String {
    let bytes = part_bytes(raw, part, defects);
    let label = part.content_type().and_then(|c| c.attribute("charset"));
    let (text, defect) = decode_text(&bytes, label);
    push_defect(defects, defect);
    text
}

/// `(type, subtype)` lower-cased; a part without Content-Type is text/plain (RFC 2045).
fn declared_type(part: &MessagePart<'_>) -> (String, String) {
    match part.content_type() {
        Some(ct) => (
            ct.ctype().trim().to_ascii_lowercase(),
            ct.subtype()
                .map(|s| s.trim().to_ascii_lowercase())
                .unwrap_or_else(|| match ct.ctype().to_ascii_lowercase().as_str() {
                    "text" => "plain".into(),
                    _ => "octet-stream".into(),
                }),
        ),
        None => match &part.body {
            PartType::Text(_) | PartType::Html(_) => ("text".into(), "plain".into()),
            PartType::Message(_) => ("message".into(), "rfc822".into()),
            _ => ("application".into(), "octet-stream".into()),
        },
    }
}

/// The header section with every line that is not UTF-8 transcoded (UTF-8, else GB18030);
/// `None` when the section is valid UTF-8 already.
fn fix_header_block(raw: &[u8], start: u32, end: u32) -> Option<Vec<u8>> {
    let block = slice(raw, start, end);
    if std::str::from_utf8(block).is_ok() {
        return None;
    }
    let mut out = Vec::with_capacity(block.len() + block.len() / 2);
    for line in block.split_inclusive(|b| *b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(_) => out.extend_from_slice(line),
            Err(_) => out.extend_from_slice(decode_text(line, None).0.as_bytes()),
        }
    }
    Some(out)
}

fn file_name(
    raw: &[u8],
    parser: &MessageParser,
    part: &MessagePart<'_>,
    defects: &mut Vec<Defect>,
) -> Option<String> {
    // RFC 2231 extended/continued parameters: decoded here (segments joined as bytes).
    for (header, param) in [
        (HeaderName::ContentDisposition, "filename"),
        (HeaderName::ContentType, "name"),
    ] {
        if let Some(h) = part.headers.iter().find(|h| h.name == header) {
            let value = String::from_utf8_lossy(header_bytes(raw, h));
            if let Some(name) = charset::rfc2231_param(&value, param, defects) {
                return sanitize_file_name(&name);
            }
        }
    }
    let name = match fix_header_block(raw, part.offset_header, part.offset_body) {
        Some(fixed) => parser.parse_headers(&fixed).and_then(|m| {
            m.parts
                .first()
                .and_then(|p| p.attachment_name().map(str::to_string))
        }),
        None => part.attachment_name().map(str::to_string),
    }?;
    sanitize_file_name(&name)
}

fn sanitize_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_matches('"').trim();
    (!cleaned.is_empty() && cleaned != "." && cleaned != "..").then(|| cleaned.to_string())
}

fn header_value<'a, 'x>(
    headers: &'a [Header<'x>],
    name: &HeaderName<'_>,
) -> Option<&'a HeaderValue<'x>> {
    headers.iter().find(|h| &h.name == name).map(|h| &h.value)
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let raw: Vec<&str> = match value {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.as_ref()).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    for id in raw {
        let id: String = id
            .trim()
            .trim_matches(['<', '>'])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !id.is_empty() && id.len() <= 998 && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn clean_address(a: &str) -> Option<String> {
    let a = a.trim().trim_matches(['<', '>']).trim().to_lowercase();
    let (local, domain) = a.rsplit_once('@')?;
    let ok = !local.is_empty()
        && !domain.is_empty()
        && a.len() <= 254
        && !a
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    ok.then_some(a)
}

fn clean_name(n: Option<&str>) -> Option<String> {
    let n = n?.trim().trim_matches(['"', '\'']).trim();
    (!n.is_empty()).then(|| n.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn addrs<'a>(value: &'a HeaderValue<'_>) -> Vec<&'a mail_parser::Addr<'a>> {
    match value {
        HeaderValue::Address(Address::List(l)) => l.iter().collect(),
        HeaderValue::Address(Address::Group(g)) => {
            g.iter().flat_map(|g| g.addresses.iter()).collect()
        }
        _ => Vec::new(),
    }
}

fn mailboxes(headers: &[Header<'_>], name: &HeaderName<'_>) -> Vec<Mailbox> {
    let mut out: Vec<Mailbox> = Vec::new();
    for h in headers.iter().filter(|h| &h.name == name) {
        for a in addrs(&h.value) {
            if let Some(address) = a.address().and_then(clean_address)
                && !out.iter().any(|m| m.address == address)
            {
                out.push(Mailbox {
                    address,
                    name: clean_name(a.name()),
                });
            }
        }
    }
    out
}

fn sender(headers: &[Header<'_>]) -> Result<Mailbox, Unparseable> {
    let mut seen: Option<String> = None;
    for name in [HeaderName::From, HeaderName::Sender] {
        let Some(value) = header_value(headers, &name) else {
            continue;
        };
        let list = addrs(value);
        for a in &list {
            if let Some(address) = a.address().and_then(clean_address) {
                return Ok(Mailbox {
                    address,
                    name: clean_name(a.name()),
                });
            }
        }
        if seen.is_none() {
            seen = Some(
                list.iter()
                    .map(|a| a.address().or(a.name()).unwrap_or("").to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
    }
    Err(match seen {
        Some(text) => Unparseable::BadSender(text),
        None => Unparseable::NoSender,
    })
}

fn signals(raw: &[u8], root: &MessagePart<'_>) -> Signals {
    let mut s = Signals::default();
    let mut seen_return_path = false;
    let text = |h: &Header<'_>| -> String {
        String::from_utf8_lossy(header_bytes(raw, h))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    for h in &root.headers {
        let name = h.name.as_str().to_ascii_lowercase();
        let slot = match name.as_str() {
            "auto-submitted" => &mut s.auto_submitted,
            "x-autoreply" => &mut s.x_autoreply,
            "x-autorespond" => &mut s.x_autorespond,
            "precedence" => &mut s.precedence,
            "x-posdesk-loop" => &mut s.posdesk_loop,
            "x-posdesk-ticket" => &mut s.posdesk_ticket,
            "return-path" => {
                // The topmost Return-Path is the one the final MTA wrote.
                if !seen_return_path {
                    seen_return_path = true;
                    let v: String = text(h).chars().filter(|c| !c.is_whitespace()).collect();
                    s.null_return_path = v == "<>";
                }
                continue;
            }
            _ => continue,
        };
        if slot.is_none() {
            let value = text(h);
            *slot = Some(if name.starts_with("x-posdesk-") {
                value
            } else {
                value.to_lowercase()
            });
        }
    }
    if let Some(ct) = root.content_type()
        && ct.ctype().eq_ignore_ascii_case("multipart")
        && ct
            .subtype()
            .is_some_and(|st| st.eq_ignore_ascii_case("report"))
    {
        s.report_type = ct
            .attribute("report-type")
            .map(|v| v.trim().to_ascii_lowercase());
    }
    s
}
