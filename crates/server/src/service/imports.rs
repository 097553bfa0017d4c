//! Bulk import and export of terminals. An import streams: bytes are decoded as they are read
//! (encoding detected from the first 64 KiB), CSV rows are checked by the core one by one, and
//! every `CHUNK` good rows are written in one transaction (`ImportTerminals`), so memory stays
//! flat for a file of any length. Bad rows are reported with row, column and rule; good rows go
//! in; running the same file again changes nothing.

use std::io::{self, Read};

use encoding_rs::{Decoder, DecoderResult};
use posdesk_core::authz::Permission;
use posdesk_core::ids::{TenantId, TerminalId};
use posdesk_core::registry::import::{
    Column, Header, RowError, TerminalRow, TextEncoding, detect_encoding, has_utf8_text, mixed,
};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::terminals::{self, ImportOutcome, ImportRow, ImportTerminals};
use serde::Serialize;

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};

/// Rows written per transaction.
pub const CHUNK: usize = 2_000;
/// At most this many row errors are kept for the report (all are counted).
pub const MAX_REPORTED_ERRORS: usize = 1_000;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub encoding: Option<TextEncoding>,
    /// Data rows read (the header not counted).
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// The first [`MAX_REPORTED_ERRORS`] rejected rows.
    pub errors: Vec<RowError>,
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

/// Imports terminals from CSV (`reader`) into the caller's provider. `progress` is called after
/// each chunk with the rows read so far. A file-level problem (encoding, header, CSV syntax)
/// stops the import with an error; chunks written before it stay (re-running is idempotent).
pub async fn import_terminals<R: Read>(
    ctx: &Ctx<'_>,
    mut reader: R,
    mut progress: impl FnMut(&ImportSummary),
) -> ApiResult<ImportSummary> {
    let scope = ctx.authorize(Permission::TerminalImport)?;
    let tenant: TenantId = scope.tenant().ok_or(ApiError::NotFound)?;
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
    head.truncate(filled);
    if head.is_empty() {
        return Err(ApiError::invalid("file", Rule::Required));
    }
    let encoding = detect_encoding(&head, filled < 64 * 1024)?;
    let decoded = DecodingReader::new(io::Cursor::new(head).chain(reader), encoding);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded);
    let mut summary = ImportSummary {
        encoding: Some(encoding),
        ..ImportSummary::default()
    };
    let mut record = csv::StringRecord::new();
    let mut header: Option<Header> = None;
    let mut chunk: Vec<ImportRow> = Vec::with_capacity(CHUNK);
    let mut seen_in_chunk = std::collections::HashSet::new();
    loop {
        let read = csv.read_record(&mut record);
        let more = match read {
            Ok(more) => more,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line()) as usize;
                return Err(match (csv.get_ref().failure.clone(), e.into_kind()) {
                    (Some(why), _) => ApiError::Invalid(why),
                    (None, csv::ErrorKind::Io(io)) => unreadable(&io),
                    (None, other) => ApiError::Invalid(FieldError::new(
                        "file",
                        Rule::Line {
                            line,
                            message: format!("not CSV: {other:?}"),
                        },
                    )),
                });
            }
        };
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let fields: Vec<&str> = record.iter().collect();
        let Some(h) = &header else {
            header = Some(Header::parse(fields.iter().copied())?);
            continue;
        };
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        summary.rows += 1;
        match TerminalRow::parse(h, line, &fields) {
            Err(e) => summary.reject(e),
            Ok(r) => {
                // The same SN twice in one chunk: the later row wins in the next chunk.
                if !seen_in_chunk.insert(r.sn.as_str().to_owned()) {
                    flush(ctx, tenant, &mut chunk, &mut summary).await?;
                    seen_in_chunk.clear();
                    seen_in_chunk.insert(r.sn.as_str().to_owned());
                }
                chunk.push(ImportRow {
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
                });
                if chunk.len() >= CHUNK {
                    flush(ctx, tenant, &mut chunk, &mut summary).await?;
                    seen_in_chunk.clear();
                    progress(&summary);
                }
            }
        }
    }
    if header.is_none() {
        return Err(ApiError::invalid("header", Rule::Required));
    }
    flush(ctx, tenant, &mut chunk, &mut summary).await?;
    summary.errors.sort_by_key(|e| e.row);
    progress(&summary);
    Ok(summary)
}

async fn flush(
    ctx: &Ctx<'_>,
    tenant: TenantId,
    chunk: &mut Vec<ImportRow>,
    summary: &mut ImportSummary,
) -> ApiResult<()> {
    if chunk.is_empty() {
        return Ok(());
    }
    let rows = std::mem::replace(chunk, Vec::with_capacity(CHUNK));
    let outcome = ctx
        .write(ctx.meta(), ImportTerminals { tenant, rows })
        .await?;
    summary.add(outcome);
    Ok(())
}

/// Writes the caller's terminals as CSV (UTF-8 with a BOM, so Excel in zh-CN opens it right;
/// Chinese headers), streaming page by page into `out`.
pub async fn export_terminals_csv<W: std::io::Write>(ctx: &Ctx<'_>, out: W) -> ApiResult<u64> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    let mut w = csv::Writer::from_writer(out);
    let io_err = |e: csv::Error| ApiError::Internal(format!("writing CSV: {e}"));
    w.write_field("\u{feff}序列号").map_err(io_err)?;
    for c in &Column::ALL[1..] {
        w.write_field(c.zh()).map_err(io_err)?;
    }
    w.write_record(None::<&[u8]>).map_err(io_err)?;
    let mut after: Option<String> = None;
    let mut n = 0;
    loop {
        let (scope2, after2) = (scope, after.clone());
        let page = ctx
            .state
            .store
            .read(move |c| {
                Box::pin(async move {
                    terminals::export_page(c, &scope2, after2.as_deref(), 5_000).await
                })
            })
            .await?;
        if page.is_empty() {
            break;
        }
        for (t, mid) in &page {
            w.write_record([
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
            ])
            .map_err(io_err)?;
            n += 1;
        }
        after = page.last().map(|(t, _)| t.sn.clone());
    }
    w.flush()
        .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))?;
    Ok(n)
}
