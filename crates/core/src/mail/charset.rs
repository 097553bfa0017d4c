//! Bytes to text: the charset policy for Chinese mail, and lenient transfer decoders.
//!
//! The policy (one function, `decode_text`, used for bodies, RFC 2047 words and raw header
//! bytes):
//! 1. Stateful 7-bit charsets (ISO-2022-JP, UTF-16) are decoded as labelled.
//! 2. Bytes that are valid UTF-8 and carry at least a few non-ASCII bytes are UTF-8, whatever the
//!    label says (web forms that label UTF-8 as GB2312 are common; GBK/Big5 text of that length
//!    is practically never valid UTF-8).
//! 3. Every GB label (GB2312, GBK, GB18030, CP936, EUC-CN …) is decoded as GB18030, the superset:
//!    "GB2312" mail really is GBK more often than not.
//! 4. A missing, `us-ascii` or unknown label: UTF-8, else GB18030.
//! 5. A label whose decoder reports malformed input (e.g. `utf-8` over GBK bytes): GB18030 if
//!    that decodes cleanly, else the label's decoder with U+FFFD replacements.
//!
//! Every deviation from the label is reported as a [`Defect`] so the gateway can show it.

use encoding_rs::{Encoding, GB18030, UTF_8};

use super::Defect;

/// Below this many non-ASCII bytes a valid-UTF-8 reading does not override a label.
const UTF8_OVERRIDE_MIN_HIGH_BYTES: usize = 6;

/// What a charset label means for decoding.
enum Label {
    /// No usable label: absent, `us-ascii`, or UTF-8 itself.
    Utf8OrNone,
    /// A label encoding_rs knows (GB labels already mapped to GB18030).
    Known(&'static Encoding),
    /// A label nobody knows.
    Unknown,
}

fn classify_label(label: Option<&str>) -> Label {
    let Some(label) = label else {
        return Label::Utf8OrNone;
    };
    let label = label.trim().trim_matches(['"', '\'']).trim();
    if label.is_empty() {
        return Label::Utf8OrNone;
    }
    let lower = label.to_ascii_lowercase();
    match lower.as_str() {
        "us-ascii" | "ascii" | "us_ascii" | "ansi_x3.4-1968" | "iso646-us" | "utf-8" | "utf8"
        | "unicode-1-1-utf-8" | "x-unknown" | "unknown" | "unknown-8bit" | "default" => {
            return Label::Utf8OrNone;
        }
        _ => {}
    }
    if is_gb_label(&lower) {
        return Label::Known(GB18030);
    }
    match Encoding::for_label_no_replacement(lower.as_bytes()) {
        Some(enc) if enc == UTF_8 => Label::Utf8OrNone,
        Some(enc) if enc == encoding_rs::GBK => Label::Known(GB18030),
        Some(enc) => Label::Known(enc),
        None => Label::Unknown,
    }
}

fn is_gb_label(lower: &str) -> bool {
    matches!(
        lower,
        "gb2312"
            | "gb_2312"
            | "gb_2312-80"
            | "gb-2312"
            | "gbk"
            | "x-gbk"
            | "gb18030"
            | "gb-18030"
            | "cp936"
            | "ms936"
            | "windows-936"
            | "euc-cn"
            | "x-euc-cn"
            | "csgb2312"
            | "csgbk"
            | "csgb18030"
            | "chinese"
            | "iso-ir-58"
            | "csiso58gb231280"
    )
}

fn is_stateful(enc: &'static Encoding) -> bool {
    enc == encoding_rs::ISO_2022_JP || enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE
}

/// Decodes `bytes` labelled `label` (None when the part or word carries no charset) by the
/// policy above. Returns the text and, when the label was not simply followed, the defect.
pub(crate) fn decode_text(bytes: &[u8], label: Option<&str>) -> (String, Option<Defect>) {
    let declared = || label.unwrap_or("").trim().to_string();
    let high = bytes.iter().filter(|b| **b >= 0x80).count();
    match classify_label(label) {
        Label::Known(enc) if is_stateful(enc) => {
            let (text, _, had_errors) = enc.decode(bytes);
            let defect = had_errors.then(|| Defect::Undecodable {
                charset: enc.name().to_string(),
            });
            (text.into_owned(), defect)
        }
        Label::Known(enc) => {
            if high >= UTF8_OVERRIDE_MIN_HIGH_BYTES
                && let Ok(s) = std::str::from_utf8(bytes)
            {
                return (
                    s.to_string(),
                    Some(Defect::WrongCharset {
                        declared: declared(),
                        used: "UTF-8",
                    }),
                );
            }
            if let Some(text) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
                return (text.into_owned(), None);
            }
            if enc != GB18030
                && let Some(text) =
                    GB18030.decode_without_bom_handling_and_without_replacement(bytes)
            {
                return (
                    text.into_owned(),
                    Some(Defect::WrongCharset {
                        declared: declared(),
                        used: "GB18030",
                    }),
                );
            }
            let (text, _) = enc.decode_without_bom_handling(bytes);
            (
                text.into_owned(),
                Some(Defect::Undecodable {
                    charset: enc.name().to_string(),
                }),
            )
        }
        Label::Utf8OrNone | Label::Unknown => {
            let unknown = matches!(classify_label(label), Label::Unknown);
            let labelled_utf8 = label.is_some_and(|l| {
                let l = l.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
                l == "utf-8" || l == "utf8"
            });
            if let Ok(s) = std::str::from_utf8(bytes) {
                let defect = if unknown {
                    Some(Defect::UnknownCharset {
                        declared: declared(),
                        used: "UTF-8",
                    })
                } else if label.is_none() && high > 0 {
                    Some(Defect::MissingCharset { used: "UTF-8" })
                } else {
                    None
                };
                return (s.to_string(), defect);
            }
            if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                let defect = if unknown {
                    Defect::UnknownCharset {
                        declared: declared(),
                        used: "GB18030",
                    }
                } else if label.is_none() {
                    Defect::MissingCharset { used: "GB18030" }
                } else {
                    Defect::WrongCharset {
                        declared: declared(),
                        used: "GB18030",
                    }
                };
                return (text.into_owned(), Some(defect));
            }
            let text = String::from_utf8_lossy(bytes).into_owned();
            let charset = if labelled_utf8 || label.is_none() {
                "UTF-8".to_string()
            } else {
                declared()
            };
            (text, Some(Defect::Undecodable { charset }))
        }
    }
}

/// The three transfer encodings a part can declare, as far as decoding goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transfer {
    Identity,
    Base64,
    QuotedPrintable,
}

/// Reads a `Content-Transfer-Encoding` value. Unknown tokens decode as identity and are reported.
pub(crate) fn transfer(declared: Option<&str>) -> (Transfer, Option<Defect>) {
    let Some(value) = declared else {
        return (Transfer::Identity, None);
    };
    let v = value.trim().trim_matches('"').to_ascii_lowercase();
    match v.as_str() {
        "" | "7bit" | "8bit" | "binary" => (Transfer::Identity, None),
        "base64" => (Transfer::Base64, None),
        "quoted-printable" => (Transfer::QuotedPrintable, None),
        _ => (
            Transfer::Identity,
            Some(Defect::UnknownTransferEncoding {
                declared: value.trim().to_string(),
            }),
        ),
    }
}

/// Undoes a transfer encoding leniently: never fails, reports damaged input.
pub(crate) fn decode_transfer(
    raw: &[u8],
    how: Transfer,
    declared: &str,
) -> (Vec<u8>, Option<Defect>) {
    let bad = || {
        Some(Defect::BadTransferEncoding {
            declared: declared.trim().to_string(),
        })
    };
    match how {
        Transfer::Identity => (raw.to_vec(), None),
        Transfer::Base64 => match base64_lenient(raw) {
            Base64::Clean(bytes) => (bytes, None),
            Base64::Damaged(bytes) => (bytes, bad()),
            // Not base64 at all (8-bit text under a base64 label): keep the bytes as they are.
            Base64::NotEncoded => (raw.to_vec(), bad()),
        },
        Transfer::QuotedPrintable => {
            let (bytes, damaged) = quoted_printable_lenient(raw);
            (bytes, if damaged { bad() } else { None })
        }
    }
}

enum Base64 {
    Clean(Vec<u8>),
    Damaged(Vec<u8>),
    NotEncoded,
}

fn b64_value(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Base64 that skips line breaks, stops at padding, and steps over stray characters. Input that
/// holds 8-bit bytes or is mostly not base64 is reported as `NotEncoded`.
fn base64_lenient(raw: &[u8]) -> Base64 {
    let mut out = Vec::with_capacity(raw.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut n = 0u8;
    let mut invalid = 0usize;
    let mut significant = 0usize;
    let mut padded = false;
    let mut data_after_padding = false;
    for &b in raw {
        if b.is_ascii_whitespace() {
            continue;
        }
        if b >= 0x80 {
            return Base64::NotEncoded;
        }
        significant += 1;
        if b == b'=' {
            padded = true;
            continue;
        }
        match b64_value(b) {
            Some(v) => {
                if padded {
                    // Concatenated base64 chunks ("...==" then more): keep decoding, note it.
                    data_after_padding = true;
                    padded = false;
                    flush_partial(&mut out, acc, n);
                    acc = 0;
                    n = 0;
                }
                acc = (acc << 6) | v;
                n += 1;
                if n == 4 {
                    out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
                    acc = 0;
                    n = 0;
                }
            }
            None => invalid += 1,
        }
    }
    if invalid > 3 && invalid * 20 > significant {
        return Base64::NotEncoded;
    }
    let partial_garbage = n == 1;
    flush_partial(&mut out, acc, n);
    if invalid > 0 || partial_garbage || data_after_padding {
        Base64::Damaged(out)
    } else {
        Base64::Clean(out)
    }
}

fn flush_partial(out: &mut Vec<u8>, acc: u32, n: u8) {
    match n {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {}
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Quoted-printable with soft line breaks; an `=` not followed by two hex digits or a line
/// break is kept literally and reported. Line ends are kept as they are (CRLF or LF).
fn quoted_printable_lenient(raw: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(raw.len());
    let mut damaged = false;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        // Soft line break: "=" then optional trailing whitespace then CRLF/LF (or the end).
        let mut j = i + 1;
        while j < raw.len() && (raw[j] == b' ' || raw[j] == b'\t') {
            j += 1;
        }
        if j >= raw.len() {
            i = j;
            continue;
        }
        if raw[j] == b'\n' {
            i = j + 1;
            continue;
        }
        if raw[j] == b'\r' && raw.get(j + 1) == Some(&b'\n') {
            i = j + 2;
            continue;
        }
        match (
            raw.get(i + 1).copied().and_then(hex),
            raw.get(i + 2).copied().and_then(hex),
        ) {
            (Some(h), Some(l)) => {
                out.push((h << 4) | l);
                i += 3;
            }
            _ => {
                damaged = true;
                out.push(b'=');
                i += 1;
            }
        }
    }
    (out, damaged)
}

/// Decodes RFC 2047 encoded words in an unstructured header value (already unfolded or not).
/// Adjacent encoded words in the same charset are joined *before* charset decoding, so a
/// multi-byte character split across two words (a common client bug) survives. Text outside
/// encoded words that is not valid UTF-8 goes through the same charset policy.
pub(crate) fn decode_unstructured(raw: &[u8], defects: &mut Vec<Defect>) -> String {
    // Unfold: drop CR and LF, keep the whitespace that follows them.
    let unfolded: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    let mut out = String::new();
    // Pending run of encoded words in one charset.
    let mut run: Option<(String, Vec<u8>)> = None;
    // Literal bytes waiting to be flushed (whitespace between words is dropped, RFC 2047 §6.2).
    let mut literal: Vec<u8> = Vec::new();
    let mut i = 0;
    let flush_run =
        |run: &mut Option<(String, Vec<u8>)>, out: &mut String, defects: &mut Vec<Defect>| {
            if let Some((charset, bytes)) = run.take() {
                let (text, defect) = decode_text(&bytes, Some(&charset));
                push_defect(defects, defect);
                out.push_str(&text);
            }
        };
    let flush_literal = |literal: &mut Vec<u8>, out: &mut String, defects: &mut Vec<Defect>| {
        if !literal.is_empty() {
            match std::str::from_utf8(literal) {
                Ok(s) => out.push_str(s),
                Err(_) => {
                    let (text, defect) = decode_text(literal, None);
                    push_defect(defects, defect.map(|_| Defect::RawHeaderBytes));
                    out.push_str(&text);
                }
            }
            literal.clear();
        }
    };
    while i < unfolded.len() {
        if unfolded[i] == b'='
            && unfolded.get(i + 1) == Some(&b'?')
            && let Some((charset, bytes, end)) = encoded_word(&unfolded, i)
        {
            // Whitespace-only literal between two encoded words is dropped.
            let only_ws = literal.iter().all(|b| b.is_ascii_whitespace());
            if run.is_some() && only_ws {
                literal.clear();
            } else {
                flush_run(&mut run, &mut out, defects);
                flush_literal(&mut literal, &mut out, defects);
            }
            match &mut run {
                Some((cs, buf)) if cs.eq_ignore_ascii_case(&charset) => {
                    buf.extend_from_slice(&bytes)
                }
                _ => {
                    flush_run(&mut run, &mut out, defects);
                    run = Some((charset, bytes));
                }
            }
            i = end;
            continue;
        }
        if run.is_some() && !unfolded[i].is_ascii_whitespace() {
            flush_run(&mut run, &mut out, defects);
        }
        literal.push(unfolded[i]);
        i += 1;
    }
    flush_run(&mut run, &mut out, defects);
    flush_literal(&mut literal, &mut out, defects);
    collapse_ws(out.trim())
}

fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut ws = false;
    for c in s.chars() {
        if c == ' ' || c == '\t' {
            if !ws {
                out.push(' ');
            }
            ws = true;
        } else {
            out.push(c);
            ws = false;
        }
    }
    out
}

pub(crate) fn push_defect(defects: &mut Vec<Defect>, defect: Option<Defect>) {
    if let Some(d) = defect
        && !defects.contains(&d)
    {
        defects.push(d);
    }
}

/// Parses `=?charset?B|Q?data?=` at `start`; returns (charset, decoded bytes, end offset).
fn encoded_word(s: &[u8], start: usize) -> Option<(String, Vec<u8>, usize)> {
    let rest = s.get(start + 2..)?;
    let q1 = rest.iter().position(|b| *b == b'?')?;
    let charset_full = std::str::from_utf8(&rest[..q1]).ok()?;
    // RFC 2231 language suffix: charset*lang.
    let charset = charset_full.split('*').next().unwrap_or("").to_string();
    if charset.is_empty() || charset.len() > 40 {
        return None;
    }
    let enc = *rest.get(q1 + 1)?;
    if rest.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let data_start = q1 + 3;
    let data_len = rest
        .get(data_start..)?
        .windows(2)
        .position(|w| w == b"?=")?;
    let data = &rest[data_start..data_start + data_len];
    if data.iter().any(|b| *b == b' ' || *b == b'\t') {
        return None;
    }
    let bytes = match enc {
        b'B' | b'b' => match base64_lenient(data) {
            Base64::Clean(v) | Base64::Damaged(v) => v,
            Base64::NotEncoded => return None,
        },
        b'Q' | b'q' => {
            let mut v = Vec::with_capacity(data.len());
            let mut k = 0;
            while k < data.len() {
                match data[k] {
                    b'_' => {
                        v.push(b' ');
                        k += 1;
                    }
                    b'=' => match (
                        data.get(k + 1).copied().and_then(hex),
                        data.get(k + 2).copied().and_then(hex),
                    ) {
                        (Some(h), Some(l)) => {
                            v.push((h << 4) | l);
                            k += 3;
                        }
                        _ => {
                            v.push(b'=');
                            k += 1;
                        }
                    },
                    b => {
                        v.push(b);
                        k += 1;
                    }
                }
            }
            v
        }
        _ => return None,
    };
    Some((charset, bytes, start + 2 + data_start + data_len + 2))
}

/// An RFC 2231 parameter (`name*=charset''%XX…`, or continuations `name*0*=…; name*1*=…`) from
/// a raw `Content-Disposition`/`Content-Type` value. The percent-decoded bytes of all segments
/// are joined *before* charset decoding (clients split multi-byte characters across segments).
/// `None` when the parameter is not in the extended or continued form.
pub(crate) fn rfc2231_param(header: &str, name: &str, defects: &mut Vec<Defect>) -> Option<String> {
    let mut segments: Vec<(u32, bool, String)> = Vec::new();
    let mut single: Option<String> = None;
    for param in split_params(header) {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value)
            .to_string();
        let Some(rest) = key.strip_prefix(name).and_then(|r| r.strip_prefix('*')) else {
            continue;
        };
        if rest.is_empty() {
            single = Some(value);
            continue;
        }
        let (index, extended) = match rest.strip_suffix('*') {
            Some(n) => (n, true),
            None => (rest, false),
        };
        if let Ok(i) = index.parse::<u32>()
            && i < 100
        {
            segments.push((i, extended, value));
        }
    }
    let (charset, bytes) = if let Some(value) = single {
        let (charset, encoded) = split_charset(&value);
        (charset.map(str::to_string), percent_decode(encoded))
    } else if !segments.is_empty() {
        segments.sort_by_key(|s| s.0);
        let mut charset = None;
        let mut bytes = Vec::new();
        for (i, extended, value) in &segments {
            if *extended {
                let encoded = if *i == 0 {
                    let (cs, enc) = split_charset(value);
                    charset = cs.map(str::to_string);
                    enc
                } else {
                    value.as_str()
                };
                bytes.extend(percent_decode(encoded));
            } else {
                bytes.extend_from_slice(value.as_bytes());
            }
        }
        (charset, bytes)
    } else {
        return None;
    };
    let (text, defect) = decode_text(&bytes, charset.as_deref());
    push_defect(defects, defect);
    Some(text)
}

/// `charset'language'value` → (charset, value); a value without the two quotes has no charset.
fn split_charset(value: &str) -> (Option<&str>, &str) {
    let mut it = value.splitn(3, '\'');
    match (it.next(), it.next(), it.next()) {
        (Some(cs), Some(_lang), Some(v)) => ((!cs.is_empty()).then_some(cs), v),
        _ => (None, value),
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h << 4) | l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Splits a header value on `;` outside double quotes (CR/LF folding removed).
fn split_params(header: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '\r' | '\n' => {}
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb2312_label_decodes_gbk_only_characters() {
        // 镕 (U+9555) is in GBK but not in GB2312.
        let (bytes, _, _) = encoding_rs::GBK.encode("朱镕基");
        let (text, defect) = decode_text(&bytes, Some("gb2312"));
        assert_eq!(text, "朱镕基");
        assert_eq!(defect, None);
    }

    #[test]
    fn missing_label_falls_back_to_gb18030() {
        let (bytes, _, _) = encoding_rs::GBK.encode("终端无法开机");
        let (text, defect) = decode_text(&bytes, None);
        assert_eq!(text, "终端无法开机");
        assert_eq!(defect, Some(Defect::MissingCharset { used: "GB18030" }));
        let (text, defect) = decode_text("终端无法开机".as_bytes(), None);
        assert_eq!(text, "终端无法开机");
        assert_eq!(defect, Some(Defect::MissingCharset { used: "UTF-8" }));
        assert_eq!(decode_text(b"plain", None), ("plain".to_string(), None));
    }

    #[test]
    fn utf8_label_over_gbk_bytes() {
        let (bytes, _, _) = encoding_rs::GBK.encode("打印机卡纸");
        let (text, defect) = decode_text(&bytes, Some("UTF-8"));
        assert_eq!(text, "打印机卡纸");
        assert_eq!(
            defect,
            Some(Defect::WrongCharset {
                declared: "UTF-8".into(),
                used: "GB18030"
            })
        );
    }

    #[test]
    fn gbk_label_over_utf8_bytes() {
        let (text, defect) = decode_text("刷卡没有反应".as_bytes(), Some("gbk"));
        assert_eq!(text, "刷卡没有反应");
        assert!(matches!(
            defect,
            Some(Defect::WrongCharset { used: "UTF-8", .. })
        ));
    }

    #[test]
    fn base64_lenient_variants() {
        assert!(
            matches!(base64_lenient(b"5Lit5paH\r\n"), Base64::Clean(v) if v == "中文".as_bytes())
        );
        assert!(
            matches!(base64_lenient(b"5Lit*5paH"), Base64::Damaged(v) if v == "中文".as_bytes())
        );
        assert!(matches!(
            base64_lenient("中文".as_bytes()),
            Base64::NotEncoded
        ));
        assert!(matches!(base64_lenient(b"aGk=aGk="), Base64::Damaged(v) if v == b"hihi"));
    }

    #[test]
    fn quoted_printable_lenient_variants() {
        assert_eq!(
            quoted_printable_lenient(b"a=3Db=\r\nc"),
            (b"a=bc".to_vec(), false)
        );
        assert_eq!(
            quoted_printable_lenient(b"100% = ok=zz"),
            (b"100% = ok=zz".to_vec(), true)
        );
    }

    #[test]
    fn split_multibyte_across_encoded_words() {
        // "终端" in UTF-8 is E7 BB 88 E7 AB AF; split after the fourth byte.
        let raw = b"=?UTF-8?B?57uI5w==?= =?UTF-8?B?q68=?= ok";
        let mut defects = Vec::new();
        assert_eq!(decode_unstructured(raw, &mut defects), "终端 ok");
        assert!(defects.is_empty());
    }

    #[test]
    fn rfc2231_segments_join_before_decoding() {
        let mut d = Vec::new();
        // "南" = E5 8D 97 split after E5 8D.
        let h = "attachment;\r\n filename*0*=UTF-8''%E5%8D;\r\n filename*1*=%97.txt";
        assert_eq!(
            rfc2231_param(h, "filename", &mut d).as_deref(),
            Some("南.txt")
        );
        let h = "attachment; filename*=gbk''%C4%CF.pdf";
        assert_eq!(
            rfc2231_param(h, "filename", &mut d).as_deref(),
            Some("南.pdf")
        );
        assert_eq!(
            rfc2231_param("attachment; filename=\"a.pdf\"", "filename", &mut d),
            None
        );
        assert_eq!(
            rfc2231_param("inline; name*0=\"ab\"; name*1=\"c\"", "name", &mut d).as_deref(),
            Some("abc")
        );
        assert!(d.is_empty());
    }

    #[test]
    fn unstructured_keeps_space_between_word_and_text() {
        let mut defects = Vec::new();
        assert_eq!(
            decode_unstructured(
                b"Re: =?GB2312?B?1tDOxA==?=  test\r\n =?gbk?Q?=D6=D0?=",
                &mut defects
            ),
            "Re: 中文 test 中"
        );
    }
}
