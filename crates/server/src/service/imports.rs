//! Bulk import and export of terminals and merchants, as CSV or XLSX.
//!
//! **One validation, two readers.** A file becomes records (the header, then data rows with
//! their row numbers) through one of two readers, and every record goes through the same core
//! check (`registry::import`: `Header::parse`, `TerminalRow::parse`, `MerchantRow::parse`):
//!
//! * CSV streams: bytes are decoded as they are read (encoding detected from the first 64 KiB),
//!   the `csv` reader splits records, and memory stays flat for a file of any length;
//! * XLSX (detected by its zip signature, `registry::import::sniff_file`) is read by `calamine`
//!   on a blocking thread, the first worksheet's cells in stream order, turned into the text a
//!   CSV file would hold (`number_text`, dates as `YYYY-MM-DD`) and handed over in batches.
//!
//! Every `CHUNK` good rows are written in one transaction (`ImportTerminals`,
//! `ImportMerchants`). Bad rows are reported with row, column and rule; good rows go in; running
//! the same file again changes nothing (idempotent by SN / MID).
//!
//! Exports write the same columns (Chinese headers, re-importable) as CSV (UTF-8 with a BOM, so
//! Excel in zh-CN opens it right) or XLSX (`rust_xlsxwriter` in constant-memory mode, every cell
//! text so SNs and MIDs keep their digits, column widths from the widest value counting CJK
//! characters double).

use std::io::{self, Read, Seek, Write};

use encoding_rs::{Decoder, DecoderResult};
use posdesk_core::authz::Permission;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId};
use posdesk_core::registry::import::{
    Column, FileKind, Header, ImportColumn, MerchantColumn, MerchantRow, RowError, TerminalRow,
    TextEncoding, detect_encoding, has_utf8_text, mixed, not_a_table, number_text, sniff_file,
};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::Mutation;
use posdesk_storage::repo::merchants::{self, ImportMerchantRow, ImportMerchants, Merchant};
use posdesk_storage::repo::terminals::{self, ImportOutcome, ImportRow, ImportTerminals};
use serde::Serialize;

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};

/// Rows written per transaction.
pub const CHUNK: usize = 2_000;
/// At most this many row errors are kept for the report (all are counted).
pub const MAX_REPORTED_ERRORS: usize = 1_000;
/// Spreadsheet columns past this one are ignored (no import has that many).
const MAX_XLSX_COLUMNS: u32 = 256;
/// Spreadsheet rows handed from the reader thread at a time.
const XLSX_BATCH: usize = 500;

/// What is imported or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Registry {
    Terminals,
    Merchants,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    /// The text encoding of a CSV file (`None` for XLSX).
    pub encoding: Option<TextEncoding>,
    /// `csv` or `xlsx`.
    pub format: Option<FileKind>,
    /// Data rows read (the header not counted).
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// The first [`MAX_REPORTED_ERRORS`] rejected rows.
    pub errors: Vec<RowError>,
    /// For a spreadsheet, the rows its dimensions declare (for a progress bar).
    #[serde(skip)]
    pub expected_rows: Option<u64>,
}

impl ImportSummary {
    fn add(&mut self, o: ImportOutcome) {
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        for (row, column, reason) in o.rejected {
            self.reject(RowError {
                row,
                column: column.to_owned(),
                rule: Rule::Invalid { reason },
            });
        }
    }

    fn reject(&mut self, e: RowError) {
        self.rejected += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(e);
        }
    }
}

// ---- Reading CSV -------------------------------------------------------------------------------

/// Decodes `inner` from `encoding` to UTF-8 as it is read; malformed input is an error, never
/// replaced. For GBK/GB18030 input each raw chunk is also checked for UTF-8 text (a mixed
/// file).
struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    check_mixed: bool,
    raw: Vec<u8>,
    raw_len: usize,
    raw_pos: usize,
    out: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    eof: bool,
    failure: Option<FieldError>,
}

impl<R: Read> DecodingReader<R> {
    fn new(inner: R, encoding: TextEncoding) -> Self {
        Self {
            inner,
            decoder: encoding.encoding().new_decoder_with_bom_removal(),
            check_mixed: encoding == TextEncoding::Gb18030,
            raw: vec![0; 64 * 1024],
            raw_len: 0,
            raw_pos: 0,
            out: vec![0; 192 * 1024 + 16],
            out_pos: 0,
            out_len: 0,
            eof: false,
            failure: None,
        }
    }

    /// Remembers why decoding stopped (the CSV reader only passes an `io::Error` on).
    fn fail(&mut self, e: FieldError) -> io::Error {
        let err = io::Error::new(io::ErrorKind::InvalidData, e.to_string());
        self.failure = Some(e);
        err
    }

    fn fill(&mut self) -> io::Result<()> {
        loop {
            if self.raw_pos == self.raw_len && !self.eof {
                self.raw_len = self.inner.read(&mut self.raw)?;
                self.raw_pos = 0;
                if self.raw_len == 0 {
                    self.eof = true;
                } else if self.check_mixed && has_utf8_text(&self.raw[..self.raw_len]) {
                    return Err(self.fail(mixed()));
                }
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.raw[self.raw_pos..self.raw_len],
                &mut self.out,
                self.eof,
            );
            self.raw_pos += read;
            self.out_pos = 0;
            self.out_len = written;
            match result {
                DecoderResult::Malformed(_, _) => {
                    return Err(self.fail(FieldError::new(
                        "file",
                        Rule::Invalid {
                            reason: "holds bytes that are not in the file's encoding (a file of mixed encodings?)",
                        },
                    )));
                }
                DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
            }
            if written > 0 || (self.eof && self.raw_pos == self.raw_len) {
                return Ok(());
            }
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out_len {
            self.fill()?;
            if self.out_len == 0 {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out_len - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// The upload could not be read (the connection or the file failed).
fn unreadable(e: &io::Error) -> ApiError {
    tracing::warn!(error = %e, "reading an import");
    ApiError::Invalid(FieldError::new(
        "file",
        Rule::Invalid {
            reason: "could not be read to the end",
        },
    ))
}

/// Up to the first 64 KiB of `reader` (the sample encodings and formats are told from), and
/// whether that is the whole file.
fn read_head<R: Read>(reader: &mut R) -> ApiResult<(Vec<u8>, bool)> {
    let mut head = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < head.len() {
        let n = reader
            .read(&mut head[filled..])
            .map_err(|e| unreadable(&e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    let whole = filled < head.len();
    head.truncate(filled);
    if head.is_empty() {
        return Err(ApiError::invalid("file", Rule::Required));
    }
    Ok((head, whole))
}

/// CSV records, decoded as they are read.
struct CsvRecords<R: Read> {
    csv: csv::Reader<DecodingReader<io::Chain<io::Cursor<Vec<u8>>, R>>>,
}

impl<R: Read> CsvRecords<R> {
    /// Detects the encoding from `head` (the file's first bytes, `whole` if that is all of it)
    /// and reads on from `rest`.
    fn new(head: Vec<u8>, whole: bool, rest: R) -> ApiResult<(Self, TextEncoding)> {
        let encoding = detect_encoding(&head, whole)?;
        let decoded = DecodingReader::new(io::Cursor::new(head).chain(rest), encoding);
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(decoded);
        Ok((Self { csv }, encoding))
    }

    /// The next record and its line number; `None` at the end.
    fn next(&mut self, record: &mut csv::StringRecord) -> ApiResult<Option<u64>> {
        match self.csv.read_record(record) {
            Ok(true) => Ok(Some(record.position().map_or(0, |p| p.line()))),
            Ok(false) => Ok(None),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line()) as usize;
                Err(match (self.csv.get_ref().failure.clone(), e.into_kind()) {
                    (Some(why), _) => ApiError::Invalid(why),
                    (None, csv::ErrorKind::Io(io)) => unreadable(&io),
                    (None, other) => ApiError::Invalid(FieldError::new(
                        "file",
                        Rule::Line {
                            line,
                            message: format!("not CSV: {other:?}"),
                        },
                    )),
                })
            }
        }
    }
}

// ---- Reading XLSX ------------------------------------------------------------------------------

type XlsxBatch = Result<Vec<(u64, Vec<String>)>, FieldError>;

/// The rows of an XLSX workbook's first worksheet, read on a blocking thread.
struct XlsxRecords {
    rx: tokio::sync::mpsc::Receiver<XlsxBatch>,
    batch: std::vec::IntoIter<(u64, Vec<String>)>,
}

fn not_xlsx(e: &calamine::XlsxError) -> FieldError {
    tracing::info!(error = %e, "an upload that is not a readable XLSX workbook");
    FieldError::new(
        "file",
        Rule::Invalid {
            reason: "is not a readable XLSX workbook",
        },
    )
}

/// The text a CSV file would hold for a cell.
fn cell_text(v: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef as D;
    match v {
        D::Int(i) => i.to_string(),
        D::Float(f) => number_text(*f),
        D::String(s) => s.clone(),
        D::SharedString(s) => (*s).to_owned(),
        D::Bool(b) => b.to_string(),
        D::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        D::DateTime(dt) => number_text(dt.as_f64()),
        D::DateTimeIso(s) | D::DurationIso(s) => s.clone(),
        D::Error(e) => e.to_string(),
        D::Empty => String::new(),
    }
}

/// Reads the first worksheet row by row into `tx` (blocking).
fn read_xlsx<RS: Read + Seek>(
    reader: RS,
    tx: &tokio::sync::mpsc::Sender<XlsxBatch>,
    rows_tx: tokio::sync::oneshot::Sender<u64>,
) -> Result<(), FieldError> {
    use calamine::Reader as _;
    let mut wb = calamine::Xlsx::new(reader).map_err(|e| not_xlsx(&e))?;
    let sheet = wb
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(not_a_table)?;
    let mut cells = wb
        .worksheet_cells_reader(&sheet)
        .map_err(|e| not_xlsx(&e))?;
    let _ = rows_tx.send(u64::from(cells.dimensions().end.0));
    let mut batch = Vec::with_capacity(XLSX_BATCH);
    let mut current: Option<(u32, Vec<String>)> = None;
    loop {
        let next = cells.next_cell().map_err(|e| not_xlsx(&e))?;
        let Some(cell) = next else { break };
        let (r, c) = cell.get_position();
        if c >= MAX_XLSX_COLUMNS {
            continue;
        }
        if current.as_ref().is_some_and(|(row, _)| *row != r)
            && let Some((row, fields)) = current.take()
        {
            batch.push((u64::from(row) + 1, fields));
            if batch.len() >= XLSX_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(XLSX_BATCH));
                if tx.blocking_send(Ok(full)).is_err() {
                    return Ok(()); // the import stopped
                }
            }
        }
        let (_, fields) = current.get_or_insert_with(|| (r, Vec::new()));
        let at = c as usize;
        if fields.len() < at {
            fields.resize(at, String::new());
        }
        let text = cell_text(cell.get_value());
        if fields.len() == at {
            fields.push(text);
        } else {
            fields[at] = text;
        }
    }
    if let Some((row, fields)) = current {
        batch.push((u64::from(row) + 1, fields));
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(Ok(batch));
    }
    Ok(())
}

impl XlsxRecords {
    /// Starts reading `reader`; also answers the rows the sheet declares.
    async fn start<RS: Read + Seek + Send + 'static>(reader: RS) -> (Self, Option<u64>) {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let (rows_tx, rows_rx) = tokio::sync::oneshot::channel();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = read_xlsx(reader, &tx, rows_tx) {
                let _ = tx.blocking_send(Err(e));
            }
        });
        let expected = rows_rx.await.ok();
        (
            Self {
                rx,
                batch: Vec::new().into_iter(),
            },
            expected,
        )
    }

    async fn next(&mut self, record: &mut csv::StringRecord) -> ApiResult<Option<u64>> {
        loop {
            if let Some((row, fields)) = self.batch.next() {
                record.clear();
                for f in &fields {
                    record.push_field(f);
                }
                return Ok(Some(row));
            }
            match self.rx.recv().await {
                None => return Ok(None),
                Some(Err(e)) => return Err(ApiError::Invalid(e)),
                Some(Ok(b)) => self.batch = b.into_iter(),
            }
        }
    }
}

/// Records from either reader.
enum Records<R: Read> {
    Csv(Box<CsvRecords<R>>),
    Xlsx(XlsxRecords),
}

impl<R: Read> Records<R> {
    async fn next(&mut self, record: &mut csv::StringRecord) -> ApiResult<Option<u64>> {
        match self {
            Records::Csv(c) => c.next(record),
            Records::Xlsx(x) => x.next(record).await,
        }
    }
}

// ---- The two kinds of rows ---------------------------------------------------------------------

/// What differs between a terminal and a merchant import: the columns, the core check of a row,
/// the key a file must not repeat within a chunk, and the chunk's mutation.
trait ImportKind {
    type Col: ImportColumn;
    type Row;
    type Write: Mutation<Output = ImportOutcome>;
    const PERMISSION: Permission;
    fn parse(header: &Header<Self::Col>, line: u64, fields: &[&str])
    -> Result<Self::Row, RowError>;
    fn key(row: &Self::Row) -> &str;
    fn write(tenant: TenantId, rows: Vec<Self::Row>) -> Self::Write;
}

struct Terminals;

impl ImportKind for Terminals {
    type Col = Column;
    type Row = ImportRow;
    type Write = ImportTerminals;
    const PERMISSION: Permission = Permission::TerminalImport;

    fn parse(header: &Header<Column>, line: u64, fields: &[&str]) -> Result<ImportRow, RowError> {
        let r = TerminalRow::parse(header, line, fields)?;
        Ok(ImportRow {
            row: line,
            new_id: TerminalId::from_uuid(new_uuid()),
            sn: r.sn.as_str().to_owned(),
            tid: r.tid.map(|t| t.as_str().to_owned()),
            model: r.model,
            manufacturer: r.manufacturer,
            firmware: r.firmware,
            status: r.status.code().to_owned(),
            mid: r.mid.map(|m| m.as_str().to_owned()),
            install_date: r.install_date.map(|d| d.to_string()),
            warranty_end: r.warranty_end.map(|d| d.to_string()),
            installed_address: r.installed_address,
        })
    }

    fn key(row: &ImportRow) -> &str {
        &row.sn
    }

    fn write(tenant: TenantId, rows: Vec<ImportRow>) -> ImportTerminals {
        ImportTerminals { tenant, rows }
    }
}

struct Merchants;

impl ImportKind for Merchants {
    type Col = MerchantColumn;
    type Row = ImportMerchantRow;
    type Write = ImportMerchants;
    const PERMISSION: Permission = Permission::MerchantImport;

    fn parse(
        header: &Header<MerchantColumn>,
        line: u64,
        fields: &[&str],
    ) -> Result<ImportMerchantRow, RowError> {
        let r = MerchantRow::parse(header, line, fields)?;
        let (id_kind, id_number) = r.fields.identity_parts();
        Ok(ImportMerchantRow {
            row: line,
            new_id: MerchantId::from_uuid(new_uuid()),
            mid: r.fields.mid.as_str().to_owned(),
            name: r.fields.name.clone(),
            kind: r.fields.kind.code().to_owned(),
            id_kind: id_kind.to_owned(),
            id_number: id_number.to_owned(),
            address: r.fields.address.clone(),
            division_code: r.fields.division.as_ref().map(|d| d.as_str().to_owned()),
            risk_level: r.risk_given.then(|| r.fields.risk_level.code().to_owned()),
            status: r.status.map(|s| s.code().to_owned()),
            contact: r
                .contact
                .map(|(name, phone)| (name, phone.as_str().to_owned())),
            business_hours: r.business_hours.map(|h| h.to_string()),
        })
    }

    fn key(row: &ImportMerchantRow) -> &str {
        &row.mid
    }

    fn write(tenant: TenantId, rows: Vec<ImportMerchantRow>) -> ImportMerchants {
        ImportMerchants { tenant, rows }
    }
}

/// The one import loop: header, rows checked by the core, chunks written.
async fn drive<K: ImportKind, R: Read>(
    ctx: &Ctx<'_>,
    tenant: TenantId,
    records: &mut Records<R>,
    summary: &mut ImportSummary,
    progress: &mut impl FnMut(&ImportSummary),
) -> ApiResult<()> {
    let mut record = csv::StringRecord::new();
    let mut header: Option<Header<K::Col>> = None;
    let mut chunk: Vec<K::Row> = Vec::with_capacity(CHUNK);
    let mut seen_in_chunk = std::collections::HashSet::new();
    while let Some(line) = records.next(&mut record).await? {
        let fields: Vec<&str> = record.iter().collect();
        let Some(h) = &header else {
            header = Some(Header::parse(fields.iter().copied())?);
            continue;
        };
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        summary.rows += 1;
        match K::parse(h, line, &fields) {
            Err(e) => summary.reject(e),
            Ok(r) => {
                // The same key twice in one chunk: the later row goes into the next chunk.
                if !seen_in_chunk.insert(K::key(&r).to_owned()) {
                    flush::<K>(ctx, tenant, &mut chunk, summary).await?;
                    seen_in_chunk.clear();
                    seen_in_chunk.insert(K::key(&r).to_owned());
                }
                chunk.push(r);
                if chunk.len() >= CHUNK {
                    flush::<K>(ctx, tenant, &mut chunk, summary).await?;
                    seen_in_chunk.clear();
                    progress(summary);
                }
            }
        }
    }
    if header.is_none() {
        return Err(ApiError::invalid("header", Rule::Required));
    }
    flush::<K>(ctx, tenant, &mut chunk, summary).await?;
    summary.errors.sort_by_key(|e| e.row);
    progress(summary);
    Ok(())
}

async fn flush<K: ImportKind>(
    ctx: &Ctx<'_>,
    tenant: TenantId,
    chunk: &mut Vec<K::Row>,
    summary: &mut ImportSummary,
) -> ApiResult<()> {
    if chunk.is_empty() {
        return Ok(());
    }
    let rows = std::mem::replace(chunk, Vec::with_capacity(CHUNK));
    let outcome = ctx.write(ctx.meta(), K::write(tenant, rows)).await?;
    summary.add(outcome);
    Ok(())
}

async fn import_csv<K: ImportKind, R: Read>(
    ctx: &Ctx<'_>,
    mut reader: R,
    mut progress: impl FnMut(&ImportSummary),
) -> ApiResult<ImportSummary> {
    let scope = ctx.authorize(K::PERMISSION)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let (head, whole) = read_head(&mut reader)?;
    if sniff_file(&head)? == FileKind::Xlsx {
        // A workbook given as CSV (e.g. by its file name): not text.
        return Err(ApiError::Invalid(not_a_table()));
    }
    let (csv, encoding) = CsvRecords::new(head, whole, reader)?;
    let mut summary = ImportSummary {
        encoding: Some(encoding),
        format: Some(FileKind::Csv),
        ..ImportSummary::default()
    };
    drive::<K, R>(
        ctx,
        tenant,
        &mut Records::Csv(Box::new(csv)),
        &mut summary,
        &mut progress,
    )
    .await?;
    Ok(summary)
}

async fn import_xlsx<K: ImportKind, RS: Read + Seek + Send + 'static>(
    ctx: &Ctx<'_>,
    reader: RS,
    mut progress: impl FnMut(&ImportSummary),
) -> ApiResult<ImportSummary> {
    let scope = ctx.authorize(K::PERMISSION)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let (xlsx, expected) = XlsxRecords::start(reader).await;
    let mut summary = ImportSummary {
        format: Some(FileKind::Xlsx),
        // The header row is not a data row.
        expected_rows: expected.map(|n| n.saturating_sub(1)),
        ..ImportSummary::default()
    };
    progress(&summary);
    drive::<K, io::Empty>(
        ctx,
        tenant,
        &mut Records::Xlsx(xlsx),
        &mut summary,
        &mut progress,
    )
    .await?;
    Ok(summary)
}

/// Imports terminals from CSV (`reader`) into the caller's provider. `progress` is called after
/// each chunk with the rows read so far. A file-level problem (encoding, header, CSV syntax)
/// stops the import with an error; chunks written before it stay (re-running is idempotent).
pub async fn import_terminals<R: Read>(
    ctx: &Ctx<'_>,
    reader: R,
    progress: impl FnMut(&ImportSummary),
) -> ApiResult<ImportSummary> {
    import_csv::<Terminals, R>(ctx, reader, progress).await
}

/// Imports merchants from CSV, idempotent by MID; otherwise as [`import_terminals`].
pub async fn import_merchants<R: Read>(
    ctx: &Ctx<'_>,
    reader: R,
    progress: impl FnMut(&ImportSummary),
) -> ApiResult<ImportSummary> {
    import_csv::<Merchants, R>(ctx, reader, progress).await
}

/// Imports `what` from a CSV or XLSX file: `format` as the caller says (a file name's
/// extension, a `--format` flag), or, when `None`, told from the first bytes (an XLSX workbook
/// is a zip container). A file that is neither is refused (422 on `file`).
pub async fn import_file<R: Read + Seek + Send + 'static>(
    ctx: &Ctx<'_>,
    what: Registry,
    format: Option<FileKind>,
    mut reader: R,
    progress: impl FnMut(&ImportSummary),
) -> ApiResult<ImportSummary> {
    ctx.authorize(match what {
        Registry::Terminals => Permission::TerminalImport,
        Registry::Merchants => Permission::MerchantImport,
    })?;
    let format = match format {
        Some(f) => f,
        None => {
            let mut head = [0u8; 8];
            let n = read_up_to(&mut reader, &mut head)?;
            reader
                .seek(io::SeekFrom::Start(0))
                .map_err(|e| unreadable(&e))?;
            if n == 0 {
                return Err(ApiError::invalid("file", Rule::Required));
            }
            sniff_file(&head[..n])?
        }
    };
    match (format, what) {
        (FileKind::Csv, Registry::Terminals) => import_terminals(ctx, reader, progress).await,
        (FileKind::Csv, Registry::Merchants) => import_merchants(ctx, reader, progress).await,
        (FileKind::Xlsx, Registry::Terminals) => {
            import_xlsx::<Terminals, R>(ctx, reader, progress).await
        }
        (FileKind::Xlsx, Registry::Merchants) => {
            import_xlsx::<Merchants, R>(ctx, reader, progress).await
        }
    }
}

fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> ApiResult<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => return Err(unreadable(&e)),
        }
    }
    Ok(filled)
}

// ---- Export ------------------------------------------------------------------------------------

/// Where exported rows go: a CSV or an XLSX writer.
trait Sink {
    fn row(&mut self, cells: &[&str]) -> ApiResult<()>;
}

fn write_err(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("writing an export: {e}"))
}

/// CSV, UTF-8 with a BOM before the first header.
struct CsvSink<W: Write> {
    w: csv::Writer<W>,
    first: bool,
}

impl<W: Write> Sink for CsvSink<W> {
    fn row(&mut self, cells: &[&str]) -> ApiResult<()> {
        for (i, c) in cells.iter().enumerate() {
            if i == 0 && std::mem::replace(&mut self.first, false) {
                self.w
                    .write_field(format!("\u{feff}{c}"))
                    .map_err(write_err)?;
            } else {
                self.w.write_field(c).map_err(write_err)?;
            }
        }
        self.w.write_record(None::<&[u8]>).map_err(write_err)
    }
}

/// The display width of `s` in spreadsheet column units: East Asian wide characters count two.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = u32::from(c);
            let wide = matches!(u,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// An XLSX workbook with one worksheet in constant-memory mode (rows go to a temporary file as
/// they are written): every cell is text, the header bold and frozen, and each column as wide
/// as its widest value (CJK characters counted double, capped).
struct XlsxSink {
    wb: rust_xlsxwriter::Workbook,
    row: u32,
    widths: Vec<usize>,
    bold: rust_xlsxwriter::Format,
}

impl XlsxSink {
    fn new(sheet: &str) -> ApiResult<Self> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet_with_constant_memory().map_err(write_err)?;
        ws.set_name(sheet).map_err(write_err)?;
        ws.set_freeze_panes(1, 0).map_err(write_err)?;
        Ok(Self {
            wb,
            row: 0,
            widths: Vec::new(),
            bold: rust_xlsxwriter::Format::new().set_bold(),
        })
    }

    fn finish<W: Write + Send>(mut self, out: W) -> ApiResult<()> {
        let ws = self.wb.worksheet_from_index(0).map_err(write_err)?;
        for (i, w) in self.widths.iter().enumerate() {
            let width = (*w).clamp(6, 60) as f64 + 2.0;
            ws.set_column_width(i as u16, width).map_err(write_err)?;
        }
        self.wb.save_to_writer(out).map_err(write_err)
    }
}

impl Sink for XlsxSink {
    fn row(&mut self, cells: &[&str]) -> ApiResult<()> {
        let ws = self.wb.worksheet_from_index(0).map_err(write_err)?;
        for (i, c) in cells.iter().enumerate() {
            let col = i as u16;
            if self.row == 0 {
                ws.write_string_with_format(self.row, col, *c, &self.bold)
                    .map_err(write_err)?;
            } else if !c.is_empty() {
                ws.write_string(self.row, col, *c).map_err(write_err)?;
            }
            if self.widths.len() <= i {
                self.widths.resize(i + 1, 0);
            }
            self.widths[i] = self.widths[i].max(display_width(c));
        }
        self.row += 1;
        Ok(())
    }
}

/// Rows per page read for an export.
const EXPORT_PAGE: i64 = 5_000;

async fn terminals_to(ctx: &Ctx<'_>, sink: &mut impl Sink) -> ApiResult<u64> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.zh()).collect();
    sink.row(&header)?;
    let mut after: Option<String> = None;
    let mut n = 0;
    loop {
        let (scope2, after2) = (scope, after.clone());
        let page = ctx
            .state
            .store
            .read(move |c| {
                Box::pin(async move {
                    terminals::export_page(c, &scope2, after2.as_deref(), EXPORT_PAGE).await
                })
            })
            .await?;
        if page.is_empty() {
            break;
        }
        for (t, mid) in &page {
            sink.row(&[
                t.sn.as_str(),
                t.tid.as_deref().unwrap_or(""),
                t.model.as_str(),
                t.manufacturer.as_str(),
                t.firmware.as_deref().unwrap_or(""),
                t.status.as_str(),
                mid.as_deref().unwrap_or(""),
                t.install_date.as_deref().unwrap_or(""),
                t.warranty_end.as_deref().unwrap_or(""),
                t.installed_address.as_deref().unwrap_or(""),
            ])?;
            n += 1;
        }
        after = page.last().map(|(t, _)| t.sn.clone());
    }
    Ok(n)
}

/// One merchant as an export row, in [`MerchantColumn::COLUMNS`] order. The owner's ID is
/// shown as the caller may see it (`directory::present`).
fn merchant_cells(m: &Merchant) -> [&str; 12] {
    let (uscc, owner_id) = match m.id_kind.as_deref() {
        Some("uscc") => (m.id_number.as_deref().unwrap_or(""), ""),
        Some("resident_id") => ("", m.id_number.as_deref().unwrap_or("")),
        _ => ("", ""),
    };
    [
        m.mid.as_str(),
        m.name.as_str(),
        m.kind.as_deref().unwrap_or(""),
        uscc,
        owner_id,
        m.risk_level.as_deref().unwrap_or(""),
        m.division_code.as_deref().unwrap_or(""),
        m.address.as_deref().unwrap_or(""),
        m.contact_name.as_deref().unwrap_or(""),
        m.contact_phone.as_deref().unwrap_or(""),
        m.business_hours.as_deref().unwrap_or(""),
        m.status.as_str(),
    ]
}

async fn merchants_to(ctx: &Ctx<'_>, sink: &mut impl Sink) -> ApiResult<u64> {
    let scope = ctx.authorize(Permission::MerchantRead)?;
    let header: Vec<&str> = MerchantColumn::COLUMNS.iter().map(|c| c.zh()).collect();
    sink.row(&header)?;
    let mut after: Option<String> = None;
    let mut n = 0;
    loop {
        let (scope2, after2) = (scope, after.clone());
        let page = ctx
            .state
            .store
            .read(move |c| {
                Box::pin(async move {
                    merchants::export_page(c, &scope2, after2.as_deref(), EXPORT_PAGE).await
                })
            })
            .await?;
        if page.is_empty() {
            break;
        }
        after = page.last().map(|m| m.mid.clone());
        for m in page {
            let m = super::directory::present(ctx, m);
            sink.row(&merchant_cells(&m))?;
            n += 1;
        }
    }
    Ok(n)
}

/// Writes the caller's terminals as CSV (UTF-8 with a BOM, so Excel in zh-CN opens it right;
/// Chinese headers), streaming page by page into `out`.
pub async fn export_terminals_csv<W: Write>(ctx: &Ctx<'_>, out: W) -> ApiResult<u64> {
    let mut sink = CsvSink {
        w: csv::Writer::from_writer(out),
        first: true,
    };
    let n = terminals_to(ctx, &mut sink).await?;
    sink.w.flush().map_err(write_err)?;
    Ok(n)
}

/// Writes the merchants the caller may see as CSV (as [`export_terminals_csv`]); the owner's
/// resident ID in full only for roles that may see it (an export by others re-imports every
/// merchant except those with a masked ID, which are rejected on `owner_id`).
pub async fn export_merchants_csv<W: Write>(ctx: &Ctx<'_>, out: W) -> ApiResult<u64> {
    let mut sink = CsvSink {
        w: csv::Writer::from_writer(out),
        first: true,
    };
    let n = merchants_to(ctx, &mut sink).await?;
    sink.w.flush().map_err(write_err)?;
    Ok(n)
}

/// Writes `what` as an XLSX workbook into `out` (the same columns as the CSV export).
pub async fn export_xlsx<W: Write + Send>(ctx: &Ctx<'_>, what: Registry, out: W) -> ApiResult<u64> {
    let (permission, sheet) = match what {
        Registry::Terminals => (Permission::TerminalRead, "终端"),
        Registry::Merchants => (Permission::MerchantRead, "商户"),
    };
    ctx.authorize(permission)?;
    let mut sink = XlsxSink::new(sheet)?;
    let n = match what {
        Registry::Terminals => terminals_to(ctx, &mut sink).await?,
        Registry::Merchants => merchants_to(ctx, &mut sink).await?,
    };
    sink.finish(out)?;
    Ok(n)
}
