//! Terminal bulk import (`/terminals/import`): a CSV upload (UTF-8, UTF-16 or GBK/GB18030, up
//! to [`MAX_UPLOAD_BYTES`]) and what it did — rows, inserted, updated, unchanged, rejected, the
//! encoding found, and the rejected rows (row, column, rule); and the export
//! (`/terminals/export.csv`).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::authz::Permission;
use posdesk_core::registry::import::TextEncoding;

use super::kit::{Chrome, CsrfMultipart, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::i18n::Tr;
use crate::service;
use crate::service::imports::ImportSummary;
use crate::state::AppState;

/// The largest upload this page takes (the route's body limit).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

pub struct RejectedRow {
    pub row: u64,
    pub column: String,
    pub rule: String,
}

pub struct Summary {
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub encoding: String,
    pub errors: Vec<RejectedRow>,
    /// More rows were rejected than are listed.
    pub truncated: bool,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    summary: Option<Summary>,
    error: Option<String>,
}

fn encoding_name(tr: &Tr, e: Option<TextEncoding>) -> String {
    match e {
        Some(TextEncoding::Utf8) => "UTF-8".to_owned(),
        Some(TextEncoding::Utf16Le) => "UTF-16LE".to_owned(),
        Some(TextEncoding::Utf16Be) => "UTF-16BE".to_owned(),
        Some(TextEncoding::Gb18030) => "GB18030 (GBK)".to_owned(),
        None => tr.t("import-encoding-unknown"),
    }
}

fn column_label(tr: &Tr, column: &str) -> String {
    match column {
        "sn" => tr.t("field-sn"),
        "tid" => tr.t("field-tid"),
        "model" => tr.t("field-model"),
        "manufacturer" => tr.t("field-manufacturer"),
        "firmware" => tr.t("field-firmware"),
        "status" => tr.t("field-status"),
        "mid" => tr.t("field-mid"),
        "install_date" => tr.t("field-install-date"),
        "warranty_end" => tr.t("field-warranty-end"),
        "installed_address" => tr.t("field-installed-address"),
        other => labels::field(tr, other),
    }
}

fn summary(tr: &Tr, s: ImportSummary) -> Summary {
    Summary {
        rows: s.rows,
        inserted: s.inserted,
        updated: s.updated,
        unchanged: s.unchanged,
        rejected: s.rejected,
        encoding: encoding_name(tr, s.encoding),
        truncated: s.rejected > s.errors.len() as u64,
        errors: s
            .errors
            .into_iter()
            .map(|e| RejectedRow {
                row: e.row,
                column: column_label(tr, &e.column),
                rule: labels::rule(tr, &e.rule),
            })
            .collect(),
    }
}

fn render(
    web: &Web,
    user: &WebUser,
    status: StatusCode,
    s: Option<Summary>,
    error: Option<String>,
) -> Response {
    let tpl = ImportPage {
        c: web.chrome(Some(user), web.tr.t("import-title")),
        summary: s,
        error,
    };
    web.render(status, &tpl)
}

pub async fn page(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    // The form is for those who may import (the one permission decision; others get a 403).
    if let Err(e) = user.ctx(&state).authorize(Permission::TerminalImport) {
        return web.fail(Some(&user), &e);
    }
    render(&web, &user, StatusCode::OK, None, None)
}

pub async fn upload(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    form: CsrfMultipart,
) -> Response {
    let bytes = form.file("file").unwrap_or_default();
    match service::imports::import_terminals(&user.ctx(&state), std::io::Cursor::new(bytes), |_| {})
        .await
    {
        Ok(s) => {
            let status = StatusCode::OK;
            render(&web, &user, status, Some(summary(&web.tr, s)), None)
        }
        Err(e) if is_form_error(&e) => {
            let msg = labels::error_message(&web.tr, &e);
            render(&web, &user, e.status(), None, Some(msg))
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn export_csv(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    let mut out = Vec::new();
    if let Err(e) = service::imports::export_terminals_csv(&user.ctx(&state), &mut out).await {
        return web.fail(Some(&user), &e);
    }
    let mut res = out.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"posdesk-terminals.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}
