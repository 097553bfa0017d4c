//! Bulk import of terminals and merchants: the header (English or Chinese column names), each
//! row checked into a [`TerminalRow`] or a [`MerchantRow`] — or a [`RowError`] naming the row,
//! the column and the rule — and the file itself: CSV or XLSX ([`sniff_file`]), and for CSV the
//! encoding as files arrive from Excel and legacy systems (UTF-8 with or without BOM, UTF-16
//! with BOM, GBK/GB18030). Pure: callers stream the bytes and rows in.
//!
//! One validation, two readers: a CSV record and a spreadsheet row both reach the same
//! `parse(header, row, &[&str])`; a spreadsheet reader only turns its cells into the text a
//! CSV file would hold ([`number_text`]).

use serde::Serialize;

use super::identifiers::{Mid, Phone, SerialNumber, Tid};
use super::merchant::{MerchantFields, MerchantInput, MerchantStatus};
use super::merchant_details::{BusinessHours, parse_contact_name};
use super::terminal::TerminalStatus;
use crate::calendar::LocalDate;
use crate::{FieldError, Rule};

/// The columns of one kind of import: their codes (English, used in errors and exports), the
/// Chinese headers an export writes, other accepted header names, and the required ones.
pub trait ImportColumn: Copy + Eq + 'static {
    /// Every column, in export order.
    const COLUMNS: &'static [Self];
    /// Columns the header must name.
    const REQUIRED: &'static [Self];
    /// The English column name (also used in errors and exports).
    fn code(self) -> &'static str;
    /// The Chinese header an export writes and an import accepts.
    fn zh(self) -> &'static str;
    /// Further header names an import accepts (common names in other systems' files).
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }

    /// The column a header cell names (case-insensitive for English; a BOM is ignored).
    fn from_header(h: &str) -> Option<Self> {
        let h = h.trim().trim_start_matches('\u{feff}').trim();
        Self::COLUMNS
            .iter()
            .copied()
            .find(|c| h.eq_ignore_ascii_case(c.code()) || h == c.zh() || c.aliases().contains(&h))
    }
}

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
}

impl ImportColumn for Column {
    const COLUMNS: &'static [Column] = &Column::ALL;
    const REQUIRED: &'static [Column] = &[Column::Sn, Column::Model, Column::Manufacturer];
    fn code(self) -> &'static str {
        Column::code(self)
    }
    fn zh(self) -> &'static str {
        Column::zh(self)
    }
}

/// Which column of the file each known column is in (terminal columns unless said otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<C: ImportColumn = Column> {
    positions: Vec<(C, usize)>,
}

impl<C: ImportColumn> Header<C> {
    /// Reads the header row: every name must be known, none twice, and the required columns
    /// (for terminals `sn`, `model` and `manufacturer`) must be present. Blank cells after the
    /// last name (a spreadsheet's formatted but empty columns) are ignored.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, FieldError> {
        let names: Vec<&str> = names.into_iter().collect();
        let used = names
            .iter()
            .rposition(|n| !n.trim().trim_start_matches('\u{feff}').trim().is_empty())
            .map_or(0, |i| i + 1);
        let mut positions: Vec<(C, usize)> = Vec::new();
        for (i, n) in names[..used].iter().enumerate() {
            let col = C::from_header(n).ok_or_else(|| {
                FieldError::new(
                    format!("header[{i}]"),
                    Rule::OneOf {
                        allowed: C::COLUMNS.iter().map(|c| c.code()).collect(),
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
        for need in C::REQUIRED {
            if !positions.iter().any(|(c, _)| c == need) {
                return Err(FieldError::new(
                    format!("header.{}", need.code()),
                    Rule::Required,
                ));
            }
        }
        Ok(Self { positions })
    }

    /// Whether the file has column `col`.
    pub fn has(&self, col: C) -> bool {
        self.positions.iter().any(|(c, _)| *c == col)
    }

    /// The trimmed, non-blank value of `col` in `record`.
    fn get<'r>(&self, record: &'r [&'r str], col: C) -> Option<&'r str> {
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

fn text<C: ImportColumn>(
    row: u64,
    col: C,
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

fn field_err<C: ImportColumn>(row: u64, col: C, e: FieldError) -> RowError {
    RowError {
        row,
        column: col.code().into(),
        rule: e.rule,
    }
}

fn date<C: ImportColumn>(row: u64, col: C, v: Option<&str>) -> Result<Option<LocalDate>, RowError> {
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
    pub fn parse(header: &Header<Column>, row: u64, record: &[&str]) -> Result<Self, RowError> {
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

/// A column of the merchant import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MerchantColumn {
    Mid,
    Name,
    Kind,
    Uscc,
    OwnerId,
    RiskLevel,
    DivisionCode,
    Address,
    ContactName,
    ContactPhone,
    BusinessHours,
    Status,
}

impl ImportColumn for MerchantColumn {
    const COLUMNS: &'static [MerchantColumn] = &[
        MerchantColumn::Mid,
        MerchantColumn::Name,
        MerchantColumn::Kind,
        MerchantColumn::Uscc,
        MerchantColumn::OwnerId,
        MerchantColumn::RiskLevel,
        MerchantColumn::DivisionCode,
        MerchantColumn::Address,
        MerchantColumn::ContactName,
        MerchantColumn::ContactPhone,
        MerchantColumn::BusinessHours,
        MerchantColumn::Status,
    ];
    const REQUIRED: &'static [MerchantColumn] = &[
        MerchantColumn::Mid,
        MerchantColumn::Name,
        MerchantColumn::Kind,
    ];

    /// The same names as the merchant API's fields.
    fn code(self) -> &'static str {
        match self {
            MerchantColumn::Mid => "mid",
            MerchantColumn::Name => "name",
            MerchantColumn::Kind => "kind",
            MerchantColumn::Uscc => "uscc",
            MerchantColumn::OwnerId => "owner_id",
            MerchantColumn::RiskLevel => "risk_level",
            MerchantColumn::DivisionCode => "division_code",
            MerchantColumn::Address => "address",
            MerchantColumn::ContactName => "contact_name",
            MerchantColumn::ContactPhone => "contact_phone",
            MerchantColumn::BusinessHours => "business_hours",
            MerchantColumn::Status => "status",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            MerchantColumn::Mid => "商户号",
            MerchantColumn::Name => "商户名称",
            MerchantColumn::Kind => "商户类型",
            MerchantColumn::Uscc => "统一社会信用代码",
            MerchantColumn::OwnerId => "经营者身份证号",
            MerchantColumn::RiskLevel => "风险等级",
            MerchantColumn::DivisionCode => "行政区划代码",
            MerchantColumn::Address => "经营地址",
            MerchantColumn::ContactName => "联系人",
            MerchantColumn::ContactPhone => "联系电话",
            MerchantColumn::BusinessHours => "营业时间",
            MerchantColumn::Status => "状态",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            MerchantColumn::Mid => &["商户编号"],
            MerchantColumn::Name => &["商户名", "名称"],
            MerchantColumn::Kind => &["类型"],
            MerchantColumn::Uscc => &["信用代码", "社会信用代码"],
            MerchantColumn::OwnerId => &["身份证号", "法人身份证号", "店主身份证号"],
            MerchantColumn::DivisionCode => &["区划代码"],
            MerchantColumn::Address => &["地址"],
            MerchantColumn::ContactPhone => &["电话", "手机", "手机号"],
            MerchantColumn::RiskLevel
            | MerchantColumn::ContactName
            | MerchantColumn::BusinessHours
            | MerchantColumn::Status => &[],
        }
    }
}

/// One checked merchant row. A blank cell (or a column the file lacks) of an optional field
/// leaves a known merchant's stored value as it is: a file never clears what it does not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRow {
    /// The registry fields, checked by [`MerchantFields::parse`] (the same rules as the API);
    /// `risk_level` is `low` when the row gives none.
    pub fields: MerchantFields,
    /// The row gave a risk level.
    pub risk_given: bool,
    /// For a new merchant: its status (default `pending`); for a known one it must match.
    pub status: Option<MerchantStatus>,
    /// The primary contact: optional name and phone.
    pub contact: Option<(Option<String>, Phone)>,
    pub business_hours: Option<BusinessHours>,
}

/// Chinese values an import accepts for `kind` and `risk_level` besides the codes.
fn merchant_value_alias(col: MerchantColumn, v: &str) -> &str {
    match (col, v) {
        (MerchantColumn::Kind, "企业" | "公司") => "company",
        (MerchantColumn::Kind, "个体工商户" | "个体") => "individual",
        (MerchantColumn::Kind, "小微商户" | "小微") => "micro",
        (MerchantColumn::RiskLevel, "低") => "low",
        (MerchantColumn::RiskLevel, "中") => "medium",
        (MerchantColumn::RiskLevel, "高") => "high",
        _ => v,
    }
}

impl MerchantRow {
    /// Checks one data row (`row` is its number in the file, for errors).
    pub fn parse(
        header: &Header<MerchantColumn>,
        row: u64,
        record: &[&str],
    ) -> Result<Self, RowError> {
        use MerchantColumn as C;
        let get = |c| header.get(record, c);
        let risk = get(C::RiskLevel).map(|v| merchant_value_alias(C::RiskLevel, v));
        let fields = MerchantFields::parse(&MerchantInput {
            name: get(C::Name).unwrap_or(""),
            mid: get(C::Mid).unwrap_or(""),
            kind: get(C::Kind).map_or("", |v| merchant_value_alias(C::Kind, v)),
            uscc: get(C::Uscc),
            owner_id: get(C::OwnerId),
            address: get(C::Address),
            division_code: get(C::DivisionCode),
            risk_level: risk,
        })
        // The fields are named as the columns are.
        .map_err(|e| RowError {
            row,
            column: e.field,
            rule: e.rule,
        })?;
        let status = get(C::Status)
            .map(|s| MerchantStatus::parse("status", s))
            .transpose()
            .map_err(|e| field_err(row, C::Status, e))?;
        if status == Some(MerchantStatus::Closed) {
            return Err(RowError {
                row,
                column: C::Status.code().into(),
                rule: Rule::Invalid {
                    reason: "a closed merchant is not imported",
                },
            });
        }
        let contact_name = parse_contact_name("contact_name", get(C::ContactName))
            .map_err(|e| field_err(row, C::ContactName, e))?;
        let contact = match (contact_name, get(C::ContactPhone)) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(RowError {
                    row,
                    column: C::ContactPhone.code().into(),
                    rule: Rule::Required,
                });
            }
            (name, Some(p)) => Some((
                name,
                Phone::parse("contact_phone", p).map_err(|e| field_err(row, C::ContactPhone, e))?,
            )),
        };
        let business_hours = get(C::BusinessHours)
            .map(|h| BusinessHours::parse("business_hours", h))
            .transpose()
            .map_err(|e| field_err(row, C::BusinessHours, e))?;
        Ok(Self {
            fields,
            risk_given: risk.is_some(),
            status,
            contact,
            business_hours,
        })
    }
}

/// What an upload is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Text: its encoding is [`detect_encoding`]'s to decide.
    Csv,
    /// A zip container (`PK\x03\x04`): an Office Open XML workbook, if the reader agrees.
    Xlsx,
}

impl FileKind {
    /// From a file name's extension (`.csv`, `.xlsx`; case-insensitive), if it names one.
    pub fn from_extension(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.')?.1;
        if ext.eq_ignore_ascii_case("xlsx") {
            Some(FileKind::Xlsx)
        } else if ext.eq_ignore_ascii_case("csv") || ext.eq_ignore_ascii_case("txt") {
            Some(FileKind::Csv)
        } else {
            None
        }
    }
}

/// The error for a file that is neither CSV text nor an XLSX workbook.
pub fn not_a_table() -> FieldError {
    FieldError::new(
        "file",
        Rule::Invalid {
            reason: "is neither CSV text nor an XLSX workbook",
        },
    )
}

/// Tells an XLSX workbook (a zip container) from CSV text by the first bytes. An old binary
/// Excel workbook (`.xls`, an OLE2 compound file) is refused with a reason that says what to do.
pub fn sniff_file(head: &[u8]) -> Result<FileKind, FieldError> {
    if head.starts_with(b"PK\x03\x04") {
        return Ok(FileKind::Xlsx);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(FieldError::new(
            "file",
            Rule::Invalid {
                reason: "is an old Excel .xls workbook: save it as .xlsx or CSV",
            },
        ));
    }
    Ok(FileKind::Csv)
}

/// The text a CSV file would hold for a spreadsheet number: whole numbers without a decimal
/// point or exponent (a 15-digit MID typed into Excel is stored as a number), others in the
/// shortest form that reads back the same.
pub fn number_text(f: f64) -> String {
    // Integers up to 2^53 are exact in an f64.
    if f.is_finite() && f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
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
    // No text file holds a NUL byte (UTF-16 without a BOM is not taken): a binary file.
    if head.contains(&0) {
        return Err(not_a_table());
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
        assert!(Header::<Column>::parse(["sn", "model", "manufacturer"]).is_ok());
        assert_eq!(
            Header::<Column>::parse(["sn", "model"]).unwrap_err().field,
            "header.manufacturer"
        );
        assert_eq!(
            Header::<Column>::parse(["sn", "model", "manufacturer", "colour"])
                .unwrap_err()
                .field,
            "header[3]"
        );
        assert_eq!(
            Header::<Column>::parse(["sn", "序列号", "model", "manufacturer"])
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
    fn header_ignores_trailing_blank_cells() {
        let h: Header = Header::parse(["sn", "model", "manufacturer", "", " "]).unwrap();
        assert!(h.has(Column::Sn) && !h.has(Column::Tid));
        assert_eq!(
            Header::<Column>::parse(["sn", "", "model", "manufacturer"])
                .unwrap_err()
                .field,
            "header[1]"
        );
    }

    fn merchant_header() -> Header<MerchantColumn> {
        Header::parse([
            "商户号",
            "商户名称",
            "商户类型",
            "统一社会信用代码",
            "经营者身份证号",
            "风险等级",
            "联系人",
            "电话",
            "营业时间",
            "status",
        ])
        .unwrap()
    }

    #[test]
    fn merchant_rows() {
        let h = merchant_header();
        assert!(!h.has(MerchantColumn::Address));
        let ok = MerchantRow::parse(
            &h,
            2,
            &[
                "102330154110001",
                "西湖茶社",
                "企业",
                "91110000600037341L",
                "",
                "中",
                "周老板",
                "138 0571 1000",
                "周一至周五 09:00-21:00",
                "active",
            ],
        )
        .unwrap();
        assert_eq!(ok.fields.mid.as_str(), "102330154110001");
        assert_eq!(ok.fields.kind, super::super::MerchantKind::Company);
        assert_eq!(ok.fields.risk_level, super::super::RiskLevel::Medium);
        assert!(ok.risk_given);
        assert_eq!(ok.status, Some(MerchantStatus::Active));
        let (name, phone) = ok.contact.clone().unwrap();
        assert_eq!(
            (name.as_deref(), phone.as_str()),
            (Some("周老板"), "13805711000")
        );
        assert_eq!(
            ok.business_hours
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("mon-fri 09:00-21:00")
        );
        let bare = MerchantRow::parse(
            &h,
            3,
            &[
                "102330154110002",
                "张三早餐铺",
                "micro",
                "",
                "11010519491231002X",
            ],
        )
        .unwrap();
        assert!(!bare.risk_given && bare.contact.is_none() && bare.status.is_none());

        let e = |rec: &[&str]| MerchantRow::parse(&h, 9, rec).unwrap_err();
        let base = [
            "102330154110001",
            "西湖茶社",
            "company",
            "91110000600037341L",
            "",
            "",
            "",
            "",
            "",
            "",
        ];
        let with = |i: usize, v: &'static str| {
            let mut r = base;
            r[i] = v;
            r
        };
        for (rec, column) in [
            (with(0, "10233015411000"), "mid"),
            (with(1, ""), "name"),
            (with(2, "shop"), "kind"),
            (with(3, "91110000600037341A"), "uscc"),
            (with(2, "micro"), "owner_id"),
            (with(5, "extreme"), "risk_level"),
            (with(6, "周老板"), "contact_phone"),
            (with(7, "123"), "contact_phone"),
            (with(8, "weekdays 9-5"), "business_hours"),
            (with(9, "closed"), "status"),
            (with(9, "open"), "status"),
        ] {
            let r = e(&rec);
            assert_eq!((r.row, r.column.as_str()), (9, column), "{rec:?}: {r}");
        }
        assert_eq!(
            Header::<MerchantColumn>::parse(["商户号", "商户名称"])
                .unwrap_err()
                .field,
            "header.kind"
        );
    }

    #[test]
    fn files_and_cells() {
        assert_eq!(sniff_file(b"PK\x03\x04rest"), Ok(FileKind::Xlsx));
        assert_eq!(sniff_file("序列号,型号".as_bytes()), Ok(FileKind::Csv));
        let xls = sniff_file(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]).unwrap_err();
        assert_eq!(xls.field, "file");
        assert_eq!(
            detect_encoding(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", true),
            Err(not_a_table())
        );
        assert_eq!(
            FileKind::from_extension("a/b/商户.XLSX"),
            Some(FileKind::Xlsx)
        );
        assert_eq!(FileKind::from_extension("x.csv"), Some(FileKind::Csv));
        assert_eq!(FileKind::from_extension("x.pdf"), None);
        assert_eq!(FileKind::from_extension("noext"), None);
        assert_eq!(number_text(102330154110001.0), "102330154110001");
        assert_eq!(number_text(91000001.0), "91000001");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(number_text(f64::NAN), "NaN");
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
