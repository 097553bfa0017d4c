//! Ticket attachments (附件): photos of a faulty terminal, a scanned delivery note, a terminal's
//! log file. The rule for what may be attached — size, kind, declared type against the bytes,
//! file name — and for which tickets still take files. Pure: the caller stores what passes.
//!
//! Binary kinds are recognised by the registry's one sniffer
//! ([`crate::registry::onboarding::sniff`], [`ContentKind`]): JPEG, PNG, WebP, PDF. Plain
//! text (`.txt`, `.log`) has no magic bytes; it is accepted when it is valid UTF-8 without NUL
//! bytes and does not start like one of the binary kinds, which is enough to serve it safely as
//! `text/plain; charset=utf-8` (downloads are always `attachment` with `nosniff`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::TicketStatus;
use crate::registry::onboarding::{ContentKind, check_declared, sniff};
use crate::{FieldError, Rule};

/// Largest attachment accepted, in bytes (10 MiB: a phone photo or a multi-page scan). A 50 MB
/// file is refused (`range` on `file`); the HTTP layer limits the request body to this plus a
/// little room for the form's other parts and answers 413 beyond that.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Longest file name accepted, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// The canonical MIME type of plain-text attachments.
pub const TEXT_MIME: &str = "text/plain; charset=utf-8";

/// Declared types taken as plain text (case-insensitive, parameters ignored).
const TEXT_DECLARED: &[&str] = &["text/plain", "text/x-log"];

pub use crate::ids::AttachmentId;

/// What an attachment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
    /// `image/webp`.
    Webp,
    /// `application/pdf`.
    Pdf,
    /// `text/plain; charset=utf-8`: a note or a terminal log.
    Text,
}

impl AttachmentKind {
    /// Every kind, in the order the upload form lists them.
    pub const ALL: &'static [AttachmentKind] = &[
        AttachmentKind::Jpeg,
        AttachmentKind::Png,
        AttachmentKind::Webp,
        AttachmentKind::Pdf,
        AttachmentKind::Text,
    ];

    /// The MIME type stored and served.
    pub fn mime(self) -> &'static str {
        match self.content() {
            Some(k) => k.mime(),
            None => TEXT_MIME,
        }
    }

    /// Whether the file is a picture (shown as a photo in the portal).
    pub fn is_image(self) -> bool {
        matches!(
            self,
            AttachmentKind::Jpeg | AttachmentKind::Png | AttachmentKind::Webp
        )
    }

    /// The registry's content kind, for the binary kinds.
    fn content(self) -> Option<ContentKind> {
        match self {
            AttachmentKind::Jpeg => Some(ContentKind::Jpeg),
            AttachmentKind::Png => Some(ContentKind::Png),
            AttachmentKind::Webp => Some(ContentKind::Webp),
            AttachmentKind::Pdf => Some(ContentKind::Pdf),
            AttachmentKind::Text => None,
        }
    }

    fn from_content(k: ContentKind) -> Self {
        match k {
            ContentKind::Jpeg => AttachmentKind::Jpeg,
            ContentKind::Png => AttachmentKind::Png,
            ContentKind::Webp => AttachmentKind::Webp,
            ContentKind::Pdf => AttachmentKind::Pdf,
        }
    }

    /// The kind a declared MIME type names, if it is one accepted: the registry's
    /// ([`ContentKind::from_mime`]: `image/jpg` and `image/pjpeg` are JPEG) or `text/plain`,
    /// `text/x-log`.
    pub fn from_mime(declared: &str) -> Option<Self> {
        if let Some(k) = ContentKind::from_mime(declared) {
            return Some(Self::from_content(k));
        }
        let essence = declared.split(';').next().unwrap_or_default().trim();
        TEXT_DECLARED
            .iter()
            .any(|m| m.eq_ignore_ascii_case(essence))
            .then_some(AttachmentKind::Text)
    }

    /// The kind stored under `mime` (what [`AttachmentKind::mime`] wrote).
    pub fn from_stored(mime: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.mime() == mime)
    }
}

/// Whether `bytes` are plain text: valid UTF-8 without NUL bytes.
pub fn is_plain_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

fn file_error(reason: &'static str) -> FieldError {
    FieldError::new("file", Rule::Invalid { reason })
}

/// Checks an uploaded file against the type the client declared. Errors, all on field `file`:
/// `range` (1 to [`MAX_ATTACHMENT_BYTES`]) for a larger file; `required` for no bytes; `one_of`
/// (the accepted MIME types) for a declared type that is not accepted; `invalid` "content does
/// not match its declared type" when the bytes are something else.
pub fn check_content(declared_mime: &str, bytes: &[u8]) -> Result<AttachmentKind, FieldError> {
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(FieldError::new(
            "file",
            Rule::Range {
                min: 1,
                max: MAX_ATTACHMENT_BYTES as i64,
            },
        ));
    }
    if bytes.is_empty() {
        return Err(FieldError::new("file", Rule::Required));
    }
    let declared = AttachmentKind::from_mime(declared_mime).ok_or_else(|| {
        FieldError::new(
            "file",
            Rule::OneOf {
                allowed: AttachmentKind::ALL.iter().map(|k| k.mime()).collect(),
            },
        )
    })?;
    match declared.content() {
        Some(_) => check_declared(declared_mime, bytes).map(AttachmentKind::from_content),
        None if sniff(bytes).is_none() && is_plain_text(bytes) => Ok(AttachmentKind::Text),
        None => Err(file_error("content does not match its declared type")),
    }
}

/// Bidirectional formatting characters: they can make `gpj.exe` display as `exe.jpg`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A file name as shown and offered on download: trimmed, 1–[`MAX_FILE_NAME_CHARS`]
/// characters, no path separators (`/`, `\`), no control or bidirectional formatting
/// characters, not only dots. Errors name `field` (`file_name` for uploads).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileName(String);

impl FileName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        let n = t.chars().count();
        if n == 0 {
            return Err(FieldError::new(field, Rule::Required));
        }
        if n > MAX_FILE_NAME_CHARS {
            return Err(FieldError::new(
                field,
                Rule::TooLong {
                    max: MAX_FILE_NAME_CHARS,
                },
            ));
        }
        let invalid = |reason| Err(FieldError::new(field, Rule::Invalid { reason }));
        if t.contains(['/', '\\']) {
            return invalid("must not contain path separators");
        }
        if t.chars().any(|c| c.is_control() || is_bidi_control(c)) {
            return invalid("must not contain control characters");
        }
        if t.chars().all(|c| c == '.') {
            return invalid("must name a file");
        }
        Ok(FileName(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FileName {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse("file_name", &s)
    }
}

impl From<FileName> for String {
    fn from(n: FileName) -> String {
        n.0
    }
}

impl std::fmt::Display for FileName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file that passed [`AttachmentFile::check`]: its name, kind, bytes and SHA-256. Holding one
/// means it may be attached to a ticket; storage keeps the bytes under the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentFile {
    name: FileName,
    kind: AttachmentKind,
    sha256: String,
    bytes: Vec<u8>,
}

impl AttachmentFile {
    /// Checks the content first ([`check_content`], field `file`: a 50 MB file is refused
    /// before anything else is looked at), then the name ([`FileName`], field `file_name`).
    pub fn check(file_name: &str, declared_mime: &str, bytes: Vec<u8>) -> Result<Self, FieldError> {
        let kind = check_content(declared_mime, &bytes)?;
        let name = FileName::parse("file_name", file_name)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Ok(AttachmentFile {
            name,
            kind,
            sha256,
            bytes,
        })
    }

    pub fn name(&self) -> &FileName {
        &self.name
    }
    pub fn kind(&self) -> AttachmentKind {
        self.kind
    }
    /// Lowercase hex SHA-256 of the bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// Size in bytes (at most [`MAX_ATTACHMENT_BYTES`]).
    pub fn size(&self) -> i64 {
        i64::try_from(self.bytes.len()).unwrap_or(i64::MAX)
    }
}

/// Whether a ticket in `status` still takes attachments: every status but the final ones
/// (`closed`, `merged`). A resolved ticket does, so a merchant can show the fault is back
/// before reopening.
pub fn accepts_attachments(status: TicketStatus) -> bool {
    !status.is_final()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const WEBP: &[u8] = b"RIFF\x24\0\0\0WEBPVP8 ";
    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";

    fn rule(e: FieldError) -> (String, &'static str) {
        (e.field, e.rule.code())
    }

    #[test]
    fn accepted_kinds_by_declared_type_and_bytes() {
        assert_eq!(check_content("image/jpeg", JPEG), Ok(AttachmentKind::Jpeg));
        assert_eq!(check_content("image/pjpeg", JPEG), Ok(AttachmentKind::Jpeg));
        assert_eq!(check_content("IMAGE/PNG", PNG), Ok(AttachmentKind::Png));
        assert_eq!(check_content("image/webp", WEBP), Ok(AttachmentKind::Webp));
        assert_eq!(
            check_content("application/pdf", PDF),
            Ok(AttachmentKind::Pdf)
        );
        let log = "2026-11-25 10:00:01 读卡模块 超时 E201\r\n\tretry=3\n".as_bytes();
        assert_eq!(check_content("text/plain", log), Ok(AttachmentKind::Text));
        assert_eq!(
            check_content("text/plain; charset=UTF-8", log),
            Ok(AttachmentKind::Text)
        );
        assert_eq!(check_content("text/x-log", log), Ok(AttachmentKind::Text));
    }

    #[test]
    fn declared_type_must_match_the_bytes() {
        let mismatch = ("file".to_owned(), "invalid");
        assert_eq!(
            rule(check_content("application/pdf", PNG).unwrap_err()),
            mismatch
        );
        assert_eq!(
            rule(check_content("image/jpeg", PNG).unwrap_err()),
            mismatch
        );
        assert_eq!(
            rule(check_content("image/png", b"hello").unwrap_err()),
            mismatch
        );
        // Binary bytes, or a binary kind, declared as text.
        assert_eq!(
            rule(check_content("text/plain", PNG).unwrap_err()),
            mismatch
        );
        assert_eq!(
            rule(check_content("text/plain", PDF).unwrap_err()),
            mismatch
        );
        assert_eq!(
            rule(check_content("text/plain", b"%PDF-1.4 all ascii").unwrap_err()),
            mismatch
        );
        // Text that is not UTF-8 (GBK) or carries NUL bytes.
        assert_eq!(
            rule(check_content("text/plain", b"\xB6\xC1\xBF\xA8\xCA\xA7\xB0\xDC").unwrap_err()),
            mismatch
        );
        assert_eq!(
            rule(check_content("text/plain", b"ab\0cd").unwrap_err()),
            mismatch
        );
    }

    #[test]
    fn unaccepted_types_name_the_accepted_ones() {
        for declared in ["image/gif", "text/html", "application/octet-stream", ""] {
            let e = check_content(declared, b"GIF89a").unwrap_err();
            assert_eq!(e.field, "file");
            match e.rule {
                Rule::OneOf { allowed } => assert_eq!(
                    allowed,
                    vec![
                        "image/jpeg",
                        "image/png",
                        "image/webp",
                        "application/pdf",
                        TEXT_MIME
                    ]
                ),
                other => panic!("{declared}: {other:?}"),
            }
        }
    }

    #[test]
    fn size_limit_names_file_and_the_limit() {
        assert_eq!(
            rule(check_content("image/png", b"").unwrap_err()),
            ("file".into(), "required")
        );
        let mut at_limit = PNG.to_vec();
        at_limit.resize(MAX_ATTACHMENT_BYTES, 0);
        assert_eq!(
            check_content("image/png", &at_limit),
            Ok(AttachmentKind::Png)
        );
        at_limit.push(0);
        let e = check_content("image/png", &at_limit).unwrap_err();
        assert_eq!(e.field, "file");
        assert_eq!(
            e.rule,
            Rule::Range {
                min: 1,
                max: MAX_ATTACHMENT_BYTES as i64
            }
        );
        // 50 MB: refused on size, whatever the declared type.
        let big = vec![b'a'; 50_000_000];
        assert_eq!(
            rule(check_content("image/gif", &big).unwrap_err()).1,
            "range"
        );
        assert_eq!(
            rule(AttachmentFile::check("", "image/gif", big).unwrap_err()),
            ("file".into(), "range")
        );
    }

    #[test]
    fn file_names() {
        for ok in [
            "门头照片.jpg",
            "  a.png ",
            "E201 读卡超时.log",
            "x",
            &"长".repeat(200),
        ] {
            let n = FileName::parse("file_name", ok).unwrap();
            assert_eq!(n.as_str(), ok.trim());
        }
        let code = |raw: &str| rule(FileName::parse("file_name", raw).unwrap_err());
        assert_eq!(code(""), ("file_name".into(), "required"));
        assert_eq!(code("   "), ("file_name".into(), "required"));
        assert_eq!(code(&"长".repeat(201)), ("file_name".into(), "too_long"));
        for bad in [
            "../etc/passwd",
            "a/b.png",
            "C:\\fakepath\\a.png",
            "a\nb.png",
            "a\u{0}.png",
            "a\u{7F}.png",
            "photo\u{202E}gpj.exe",
            "..",
            ".",
        ] {
            assert_eq!(code(bad).1, "invalid", "{bad:?}");
        }
        // Serde goes through the same check.
        assert!(serde_json::from_str::<FileName>("\"a/b\"").is_err());
        assert_eq!(
            serde_json::to_string(&FileName::parse("f", "发票.pdf").unwrap()).unwrap(),
            "\"发票.pdf\""
        );
    }

    #[test]
    fn checked_file_carries_name_kind_digest() {
        let f = AttachmentFile::check("门头.png", "image/png", PNG.to_vec()).unwrap();
        assert_eq!(f.name().as_str(), "门头.png");
        assert_eq!(f.kind(), AttachmentKind::Png);
        assert_eq!(f.size(), PNG.len() as i64);
        assert_eq!(f.bytes(), PNG);
        assert_eq!(f.sha256(), hex::encode(Sha256::digest(PNG)));
        assert_eq!(f.sha256().len(), 64);
        // Content is checked before the name.
        let e = AttachmentFile::check("a/b.png", "application/pdf", PNG.to_vec()).unwrap_err();
        assert_eq!(rule(e), ("file".into(), "invalid"));
        let e = AttachmentFile::check("a/b.png", "image/png", PNG.to_vec()).unwrap_err();
        assert_eq!(rule(e), ("file_name".into(), "invalid"));
    }

    #[test]
    fn kinds_and_stored_types_round_trip() {
        for k in AttachmentKind::ALL {
            assert_eq!(AttachmentKind::from_stored(k.mime()), Some(*k));
            assert_eq!(AttachmentKind::from_mime(k.mime()), Some(*k));
        }
        assert!(AttachmentKind::Jpeg.is_image() && !AttachmentKind::Pdf.is_image());
        assert!(!AttachmentKind::Text.is_image());
        assert_eq!(AttachmentKind::from_stored("image/gif"), None);
    }

    #[test]
    fn attachment_ids_parse() {
        let s = "0192f5c0-7a1b-7cc3-9d2e-1234567890ab";
        assert_eq!(AttachmentId::parse("id", s).unwrap().to_string(), s);
        assert_eq!(
            rule(AttachmentId::parse("attachment_id", "x").unwrap_err()),
            ("attachment_id".into(), "pattern")
        );
    }

    #[test]
    fn only_final_tickets_refuse_files() {
        for s in TicketStatus::ALL {
            assert_eq!(accepts_attachments(*s), !s.is_final(), "{s}");
        }
        assert!(accepts_attachments(TicketStatus::Resolved));
        assert!(!accepts_attachments(TicketStatus::Closed));
        assert!(!accepts_attachments(TicketStatus::Merged));
    }
}
