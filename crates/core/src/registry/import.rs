//! Bulk import of terminals: the header (English or Chinese column names), each row checked into
//! a [`TerminalRow`] or a [`RowError`] naming the row, the column and the rule, and encoding
//! detection for files as they arrive from Excel and legacy systems (UTF-8 with or without BOM,
//! UTF-16 with BOM, GBK/GB18030). Pure: callers stream the bytes and rows in.

use serde::Serialize;

use super::identifiers::{Mid, SerialNumber, Tid};
use super::terminal::TerminalStatus;
use crate::calendar::LocalDate;
use crate::{FieldError, Rule};

/// A column of the terminal import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Sn,
    Tid,
    Model,
    Manufacturer,
    Firmware,
    Status,
    Mid,
    InstallDate,
    WarrantyEnd,
    InstalledAddress,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Sn,
        Column::Tid,
        Column::Model,
        Column::Manufacturer,
        Column::Firmware,
        Column::Status,
        Column::Mid,
        Column::InstallDate,
        Column::WarrantyEnd,
        Column::InstalledAddress,
    ];

    /// The English column name (also used in errors and exports).
    pub fn code(self) -> &'static str {
        match self {
            Column::Sn => "sn",
            Column::Tid => "tid",
            Column::Model => "model",
            Column::Manufacturer => "manufacturer",
            Column::Firmware => "firmware",
            Column::Status => "status",
            Column::Mid => "mid",
            Column::InstallDate => "install_date",
            Column::WarrantyEnd => "warranty_end",
            Column::InstalledAddress => "installed_address",
        }
    }

    /// The Chinese header an export writes and an import accepts.
    pub fn zh(self) -> &'static str {
        match self {
            Column::Sn => "序列号",
            Column::Tid => "终端号",
            Column::Model => "型号",
            Column::Manufacturer => "厂商",
            Column::Firmware => "固件版本",
            Column::Status => "状态",
            Column::Mid => "商户号",
            Column::InstallDate => "安装日期",
            Column::WarrantyEnd => "保修截止",
            Column::InstalledAddress => "装机地址",
        }
    }

    fn from_header(h: &str) -> Option<Column> {
        let h = h.trim().trim_start_matches('\u{feff}');
        Column::ALL
            .into_iter()
            .find(|c| h.eq_ignore_ascii_case(c.code()) || h == c.zh())
    }
}

/// Which column of the file each known column is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    positions: Vec<(Column, usize)>,
}

impl Header {
    /// Reads the header row: every name must be known, none twice, and `sn`, `model` and
    /// `manufacturer` must be present.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, FieldError> {
        let mut positions: Vec<(Column, usize)> = Vec::new();
        for (i, n) in names.into_iter().enumerate() {
            let col = Column::from_header(n).ok_or_else(|| {
                FieldError::new(
                    format!("header[{i}]"),
                    Rule::OneOf {
                        allowed: Column::ALL.iter().map(|c| c.code()).collect(),
                    },
                )
            })?;
            if positions.iter().any(|(c, _)| *c == col) {
                return Err(FieldError::new(
                    format!("header[{i}]"),
                    Rule::Invalid {
                        reason: "column given twice",
                    },
                ));
            }
            positions.push((col, i));
        }
        for need in [Column::Sn, Column::Model, Column::Manufacturer] {
            if !positions.iter().any(|(c, _)| *c == need) {
                return Err(FieldError::new(
                    format!("header.{}", need.code()),
                    Rule::Required,
                ));
            }
        }
        Ok(Self { positions })
    }

    fn get<'r>(&self, record: &'r [&'r str], col: Column) -> Option<&'r str> {
        self.positions
            .iter()
            .find(|(c, _)| *c == col)
            .and_then(|(_, i)| record.get(*i).copied())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// One checked row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminalRow {
    pub sn: SerialNumber,
    pub tid: Option<Tid>,
    pub model: String,
    pub manufacturer: String,
    pub firmware: Option<String>,
    pub status: TerminalStatus,
    pub mid: Option<Mid>,
    pub install_date: Option<LocalDate>,
    pub warranty_end: Option<LocalDate>,
    pub installed_address: Option<String>,
}

/// A rejected row: its 1-based row number in the file (the header is row 1), the column and
/// the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: u64,
    pub column: String,
    #[serde(flatten)]
    pub rule: Rule,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, column {}: {}", self.row, self.column, self.rule)
    }
}

fn text(
    row: u64,
    col: Column,
    v: Option<&str>,
    max: usize,
    required: bool,
) -> Result<Option<String>, RowError> {
    match v {
        None if required => Err(RowError {
            row,
            column: col.code().into(),
            rule: Rule::Required,
        }),
        None => Ok(None),
        Some(s) if s.chars().count() > max => Err(RowError {
            row,
            column: col.code().into(),
            rule: Rule::TooLong { max },
        }),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

fn field_err(row: u64, col: Column, e: FieldError) -> RowError {
    RowError {
        row,
        column: col.code().into(),
        rule: e.rule,
    }
}

fn date(row: u64, col: Column, v: Option<&str>) -> Result<Option<LocalDate>, RowError> {
    v.map(|s| {
        // Excel writes 2026/3/9 as often as 2026-03-09.
        let norm: String = s.replace('/', "-");
        let parts: Vec<&str> = norm.split('-').collect();
        let parsed = match parts.as_slice() {
            [y, m, d] => match (y.parse(), m.parse(), d.parse()) {
                (Ok(y), Ok(m), Ok(d)) => LocalDate::new(y, m, d).ok(),
                _ => None,
            },
            _ => None,
        };
        parsed.ok_or_else(|| RowError {
            row,
            column: col.code().into(),
            rule: Rule::Pattern {
                expected: "a date YYYY-MM-DD",
            },
        })
    })
    .transpose()
}

impl TerminalRow {
    /// Checks one data row (`row` is its number in the file, for errors).
    pub fn parse(header: &Header, row: u64, record: &[&str]) -> Result<Self, RowError> {
        let get = |c| header.get(record, c);
        let sn = SerialNumber::parse("sn", get(Column::Sn).unwrap_or(""))
            .map_err(|e| field_err(row, Column::Sn, e))?;
        let tid = get(Column::Tid)
            .map(|s| Tid::parse("tid", s))
            .transpose()
            .map_err(|e| field_err(row, Column::Tid, e))?;
        let mid = get(Column::Mid)
            .map(|s| Mid::parse("mid", s))
            .transpose()
            .map_err(|e| field_err(row, Column::Mid, e))?;
        let status = match get(Column::Status) {
            None => TerminalStatus::InStock,
            Some(s) => {
                TerminalStatus::parse("status", s).map_err(|e| field_err(row, Column::Status, e))?
            }
        };
        if status == TerminalStatus::Retired {
            return Err(RowError {
                row,
                column: Column::Status.code().into(),
                rule: Rule::Invalid {
                    reason: "a retired terminal is not imported",
                },
            });
        }
        // A terminal at a merchant needs the merchant; one in stock must not name one.
        let at_merchant = matches!(
            status,
            TerminalStatus::Installed
                | TerminalStatus::Active
                | TerminalStatus::Suspended
                | TerminalStatus::Loaner
        );
        if at_merchant && mid.is_none() {
            return Err(RowError {
                row,
                column: Column::Mid.code().into(),
                rule: Rule::Required,
            });
        }
        if status == TerminalStatus::InStock && mid.is_some() {
            return Err(RowError {
                row,
                column: Column::Mid.code().into(),
                rule: Rule::Invalid {
                    reason: "a terminal in stock is bound to no merchant",
                },
            });
        }
        let install_date = date(row, Column::InstallDate, get(Column::InstallDate))?;
        let warranty_end = date(row, Column::WarrantyEnd, get(Column::WarrantyEnd))?;
        if let (Some(i), Some(w)) = (install_date, warranty_end)
            && w < i
        {
            return Err(RowError {
                row,
                column: Column::WarrantyEnd.code().into(),
                rule: Rule::Invalid {
                    reason: "ends before the install date",
                },
            });
        }
        Ok(Self {
            sn,
            tid,
            model: text(row, Column::Model, get(Column::Model), 64, true)?.unwrap_or_default(),
            manufacturer: text(
                row,
                Column::Manufacturer,
                get(Column::Manufacturer),
                64,
                true,
            )?
            .unwrap_or_default(),
            firmware: text(row, Column::Firmware, get(Column::Firmware), 64, false)?,
            status,
            mid,
            install_date,
            warranty_end,
            installed_address: text(
                row,
                Column::InstalledAddress,
                get(Column::InstalledAddress),
                200,
                false,
            )?,
        })
    }
}

/// The text encoding of an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// GBK and GB2312 files are GB18030 (a superset).
    Gb18030,
}

impl TextEncoding {
    pub fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
        }
    }
}

/// Decides a file's encoding from its first bytes (at least a few KB when the file has them):
/// a byte-order mark decides; else valid UTF-8 is UTF-8; else GB18030 — unless the same
/// bytes also hold well-formed multi-byte UTF-8, which means a file of mixed encodings (e.g.
/// rows pasted from two sources), refused because no single decoding is right.
pub fn detect_encoding(head: &[u8], is_whole_file: bool) -> Result<TextEncoding, FieldError> {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(TextEncoding::Utf8);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok(TextEncoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok(TextEncoding::Utf16Be);
    }
    match std::str::from_utf8(head) {
        Ok(_) => return Ok(TextEncoding::Utf8),
        // A multi-byte character cut by the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() && !is_whole_file => return Ok(TextEncoding::Utf8),
        Err(_) => {}
    }
    if has_utf8_text(head) {
        return Err(mixed());
    }
    // A sample may end inside a two- or four-byte character: that is not an error unless the
    // sample is the whole file.
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut sink = String::with_capacity(head.len() * 2);
    let (result, _) = decoder.decode_to_string_without_replacement(head, &mut sink, is_whole_file);
    let had_errors = matches!(result, encoding_rs::DecoderResult::Malformed(_, _));
    if had_errors {
        // Neither decoding works: if UTF-8 characters are there, say why.
        if std::str::from_utf8(head).is_err() && utf8_sequences(head) >= 2 {
            return Err(mixed());
        }
        return Err(FieldError::new(
            "file",
            Rule::Invalid {
                reason: "not UTF-8, UTF-16 or GBK/GB18030 text",
            },
        ));
    }
    Ok(TextEncoding::Gb18030)
}

/// The error for a file whose bytes are partly UTF-8 and partly another encoding.
pub fn mixed() -> FieldError {
    FieldError::new(
        "file",
        Rule::Invalid {
            reason: "mixed text encodings (part UTF-8, part GBK): save the file in one encoding",
        },
    )
}

/// Well-formed 3- and 4-byte UTF-8 sequences in `b`.
fn utf8_sequences(b: &[u8]) -> usize {
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        let len = match b[i] {
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        if len > 0
            && i + len <= b.len()
            && b[i + 1..i + len].iter().all(|x| (0x80..=0xBF).contains(x))
        {
            n += 1;
            i += len;
        } else {
            i += 1;
        }
    }
    n
}

/// Whether `b` holds UTF-8 text: a run of at least four consecutive well-formed 3- or 4-byte
/// UTF-8 sequences (four CJK characters in a row). GBK text forms a single such sequence by
/// chance now and then (about one character in sixty), four in a row practically never, so this
/// tells a GBK file with UTF-8 rows pasted into it from a plain GBK file.
pub fn has_utf8_text(b: &[u8]) -> bool {
    let cont = |x: u8| (0x80..=0xBF).contains(&x);
    let mut i = 0;
    let mut run = 0;
    while i < b.len() {
        let len = match b[i] {
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        if len > 0 && i + len <= b.len() && b[i + 1..i + len].iter().all(|x| cont(*x)) {
            run += 1;
            if run >= 4 {
                return true;
            }
            i += len;
        } else {
            run = 0;
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header::parse([
            "序列号",
            "tid",
            "型号",
            "厂商",
            "status",
            "商户号",
            "安装日期",
            "warranty_end",
        ])
        .unwrap()
    }

    #[test]
    fn header_rules() {
        assert!(Header::parse(["sn", "model", "manufacturer"]).is_ok());
        assert_eq!(
            Header::parse(["sn", "model"]).unwrap_err().field,
            "header.manufacturer"
        );
        assert_eq!(
            Header::parse(["sn", "model", "manufacturer", "colour"])
                .unwrap_err()
                .field,
            "header[3]"
        );
        assert_eq!(
            Header::parse(["sn", "序列号", "model", "manufacturer"])
                .unwrap_err()
                .field,
            "header[1]"
        );
    }

    #[test]
    fn rows() {
        let h = header();
        let ok = TerminalRow::parse(
            &h,
            2,
            &[
                "pax-a920-0001",
                "10000001",
                "A920",
                "百富",
                "active",
                "102330154110001",
                "2026/3/9",
                "2027-03-08",
            ],
        )
        .unwrap();
        assert_eq!(ok.sn.as_str(), "PAX-A920-0001");
        assert_eq!(ok.status, TerminalStatus::Active);
        assert_eq!(ok.install_date, LocalDate::new(2026, 3, 9).ok());
        let e = |rec: &[&str]| TerminalRow::parse(&h, 7, rec).unwrap_err();
        let r = e(&["SN0001", "1", "A920", "百富", "", "", "", ""]);
        assert_eq!((r.row, r.column.as_str()), (7, "tid"));
        let r = e(&["SN0001", "", "A920", "百富", "active", "", "", ""]);
        assert_eq!((r.column.as_str(), &r.rule), ("mid", &Rule::Required));
        let r = e(&[
            "SN0001",
            "",
            "A920",
            "百富",
            "in_stock",
            "102330154110001",
            "",
            "",
        ]);
        assert_eq!(r.column, "mid");
        let r = e(&["SN0001", "", "", "百富", "", "", "", ""]);
        assert_eq!(r.column, "model");
        let r = e(&["SN0001", "", "A920", "百富", "broken", "", "", ""]);
        assert_eq!(r.column, "status");
        let r = e(&["SN0001", "", "A920", "百富", "", "", "2026-02-30", ""]);
        assert_eq!(r.column, "install_date");
        let r = e(&[
            "SN0001",
            "",
            "A920",
            "百富",
            "",
            "",
            "2026-03-09",
            "2026-03-08",
        ]);
        assert_eq!(r.column, "warranty_end");
        let r = e(&["SN 1", "", "A920", "百富", "", "", "", ""]);
        assert_eq!(r.column, "sn");
        assert!(r.to_string().starts_with("row 7, column sn"));
        // Short records: missing trailing columns are empty.
        assert!(TerminalRow::parse(&h, 3, &["SN0002", "", "A920", "百富"]).is_ok());
    }

    #[test]
    fn encodings() {
        let utf8 = "序列号,型号\nSN1,新大陆\n".as_bytes();
        assert_eq!(detect_encoding(utf8, true), Ok(TextEncoding::Utf8));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(utf8);
        assert_eq!(detect_encoding(&bom, true), Ok(TextEncoding::Utf8));
        let (gbk, _, _) = encoding_rs::GBK.encode("序列号,型号\nSN1,新大陆\n");
        assert_eq!(detect_encoding(&gbk, true), Ok(TextEncoding::Gb18030));
        let mut mixed_bytes = utf8.to_vec();
        mixed_bytes.extend_from_slice(&gbk);
        assert_eq!(detect_encoding(&mixed_bytes, true), Err(mixed()));
        // A long GBK text is not mistaken for mixed, though single UTF-8-shaped byte triples
        // occur in it by chance.
        let long: String = "新大陆百富联迪惠尔丰升腾新国都天喻智能终端刷卡机打印纸电池键盘读卡器"
            .chars()
            .cycle()
            .take(20_000)
            .collect();
        let (long_gbk, _, _) = encoding_rs::GBK.encode(&long);
        assert_eq!(detect_encoding(&long_gbk, true), Ok(TextEncoding::Gb18030));
        // A sample cut inside a GBK character is still GBK (but a whole file may not end so).
        assert_eq!(
            detect_encoding(&long_gbk[..1001], false),
            Ok(TextEncoding::Gb18030)
        );
        assert!(detect_encoding(&long_gbk[..1001], true).is_err());
        // A sample cut inside a UTF-8 character is still UTF-8.
        let cut = &utf8[..4];
        assert_eq!(detect_encoding(cut, false), Ok(TextEncoding::Utf8));
        assert_eq!(
            detect_encoding(&[0xFF, 0xFE, b'a', 0], true),
            Ok(TextEncoding::Utf16Le)
        );
        assert!(detect_encoding(&[0x81, 0x20, 0xFF, 0xFF], true).is_err());
    }
}
