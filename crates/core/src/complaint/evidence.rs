//! Complaint evidence (证据材料): receipts, photos, screenshots, recordings. What may be kept
//! and how it is identified. Storage keeps the bytes content-addressed by SHA-256 and never
//! alters or deletes them; a later file is a new version that names the one it follows
//! (`supersedes`), never an overwrite.
//!
//! Pictures, PDF and text are recognised by the ticket attachments' rule
//! ([`crate::ticket::attachment::check_content`]); recordings by their magic bytes here: MP3
//! (an ID3 tag or an MPEG audio frame sync), M4A (an ISO media `ftyp` box of an audio brand),
//! WAV (`RIFF…WAVE`) and AMR (`#!AMR`, what Chinese phones record calls in).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ticket::attachment::{AttachmentKind, check_content};
use crate::{FieldError, Rule};

/// Largest evidence file accepted (50 MiB: a long call recording). A 500 MB upload is refused
/// by the HTTP layer's body limit (413) before it is read.
pub const MAX_EVIDENCE_BYTES: usize = 50 * 1024 * 1024;

/// What an evidence file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Jpeg,
    Png,
    Webp,
    Pdf,
    Text,
    Mp3,
    M4a,
    Wav,
    Amr,
}

impl EvidenceKind {
    pub const ALL: &'static [EvidenceKind] = &[
        EvidenceKind::Jpeg,
        EvidenceKind::Png,
        EvidenceKind::Webp,
        EvidenceKind::Pdf,
        EvidenceKind::Text,
        EvidenceKind::Mp3,
        EvidenceKind::M4a,
        EvidenceKind::Wav,
        EvidenceKind::Amr,
    ];

    /// The MIME type stored and served.
    pub fn mime(self) -> &'static str {
        match self {
            EvidenceKind::Jpeg => AttachmentKind::Jpeg.mime(),
            EvidenceKind::Png => AttachmentKind::Png.mime(),
            EvidenceKind::Webp => AttachmentKind::Webp.mime(),
            EvidenceKind::Pdf => AttachmentKind::Pdf.mime(),
            EvidenceKind::Text => AttachmentKind::Text.mime(),
            EvidenceKind::Mp3 => "audio/mpeg",
            EvidenceKind::M4a => "audio/mp4",
            EvidenceKind::Wav => "audio/wav",
            EvidenceKind::Amr => "audio/amr",
        }
    }

    /// The kind stored under `mime`.
    pub fn from_stored(mime: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.mime() == mime)
    }

    pub fn is_audio(self) -> bool {
        matches!(
            self,
            EvidenceKind::Mp3 | EvidenceKind::M4a | EvidenceKind::Wav | EvidenceKind::Amr
        )
    }

    fn from_attachment(k: AttachmentKind) -> Self {
        match k {
            AttachmentKind::Jpeg => EvidenceKind::Jpeg,
            AttachmentKind::Png => EvidenceKind::Png,
            AttachmentKind::Webp => EvidenceKind::Webp,
            AttachmentKind::Pdf => EvidenceKind::Pdf,
            AttachmentKind::Text => EvidenceKind::Text,
        }
    }

    /// The audio kind a declared MIME type names (`audio/mp3`, `audio/x-wav`, `audio/x-m4a`
    /// and `audio/amr-wb` spellings included).
    fn audio_from_mime(declared: &str) -> Option<Self> {
        let essence = declared
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        Some(match essence.as_str() {
            "audio/mpeg" | "audio/mp3" => EvidenceKind::Mp3,
            "audio/mp4" | "audio/x-m4a" | "audio/m4a" => EvidenceKind::M4a,
            "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => EvidenceKind::Wav,
            "audio/amr" | "audio/amr-wb" => EvidenceKind::Amr,
            _ => return None,
        })
    }
}

/// The audio kind `bytes` start with.
pub fn sniff_audio(bytes: &[u8]) -> Option<EvidenceKind> {
    if bytes.starts_with(b"ID3")
        || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0)
    {
        return Some(EvidenceKind::Mp3);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE" {
        return Some(EvidenceKind::Wav);
    }
    if bytes.starts_with(b"#!AMR") {
        return Some(EvidenceKind::Amr);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        if [b"M4A ", b"M4B ", b"mp42", b"isom", b"3gp4", b"3gp5"]
            .iter()
            .any(|b| brand == *b)
        {
            return Some(EvidenceKind::M4a);
        }
    }
    None
}

/// Checks an evidence file against its declared type. Errors on field `file`: `range` for a
/// file over [`MAX_EVIDENCE_BYTES`], `required` for none, `one_of` for a type not accepted,
/// `invalid` when the bytes are not what the type claims.
pub fn check_evidence(declared_mime: &str, bytes: &[u8]) -> Result<EvidenceKind, FieldError> {
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(FieldError::new(
            "file",
            Rule::Range {
                min: 1,
                max: MAX_EVIDENCE_BYTES as i64,
            },
        ));
    }
    if bytes.is_empty() {
        return Err(FieldError::new("file", Rule::Required));
    }
    if let Some(audio) = EvidenceKind::audio_from_mime(declared_mime) {
        return match sniff_audio(bytes) {
            Some(k) if k == audio => Ok(k),
            _ => Err(FieldError::new(
                "file",
                Rule::Invalid {
                    reason: "content does not match its declared type",
                },
            )),
        };
    }
    // The attachment rule caps at its own 10 MiB; larger pictures and PDFs are evidence too.
    let head = &bytes[..bytes.len().min(crate::ticket::MAX_ATTACHMENT_BYTES)];
    match check_content(declared_mime, head) {
        Ok(AttachmentKind::Text) if !crate::ticket::attachment::is_plain_text(bytes) => {
            Err(FieldError::new(
                "file",
                Rule::Invalid {
                    reason: "content does not match its declared type",
                },
            ))
        }
        Ok(k) => Ok(EvidenceKind::from_attachment(k)),
        Err(FieldError {
            rule: Rule::OneOf { .. },
            ..
        }) => Err(FieldError::new(
            "file",
            Rule::OneOf {
                allowed: EvidenceKind::ALL.iter().map(|k| k.mime()).collect(),
            },
        )),
        Err(e) => Err(e),
    }
}

/// The lowercase hex SHA-256 of `bytes`: the evidence file's address.
pub fn evidence_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recordings_pictures_and_lies() {
        assert_eq!(
            check_evidence("audio/amr", b"#!AMR\n\x3c\x00").unwrap(),
            EvidenceKind::Amr
        );
        assert_eq!(
            check_evidence("audio/mpeg", b"ID3\x04\x00rest").unwrap(),
            EvidenceKind::Mp3
        );
        assert_eq!(
            check_evidence("audio/x-wav", b"RIFF\x24\x00\x00\x00WAVEfmt ").unwrap(),
            EvidenceKind::Wav
        );
        assert_eq!(
            check_evidence("audio/mp4", b"\x00\x00\x00\x20ftypM4A \x00\x00").unwrap(),
            EvidenceKind::M4a
        );
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        assert_eq!(check_evidence("image/png", png).unwrap(), EvidenceKind::Png);
        // A PDF that claims to be a recording, a script that claims to be a picture.
        let e = check_evidence("audio/mpeg", b"%PDF-1.7").unwrap_err();
        assert_eq!((e.field.as_str(), e.rule.code()), ("file", "invalid"));
        let e = check_evidence("image/jpeg", b"<script>").unwrap_err();
        assert_eq!(e.rule.code(), "invalid");
        let e = check_evidence("application/x-msdownload", b"MZ").unwrap_err();
        assert_eq!(e.rule.code(), "one_of");
        assert_eq!(
            check_evidence("text/plain", b"").unwrap_err().rule.code(),
            "required"
        );
    }

    #[test]
    fn the_size_limit_and_the_address() {
        let big = vec![0xFFu8; MAX_EVIDENCE_BYTES + 1];
        assert_eq!(
            check_evidence("audio/mpeg", &big).unwrap_err().rule.code(),
            "range"
        );
        assert_eq!(
            evidence_sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
