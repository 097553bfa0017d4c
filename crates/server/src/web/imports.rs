//! Bulk import pages (`/terminals/import`, `/merchants/import`): an upload of CSV (UTF-8,
//! UTF-16 or GBK/GB18030) or XLSX — told apart by the file's first bytes, not its name — up to
//! [`MAX_UPLOAD_BYTES`], and what it did: rows, inserted, updated, unchanged, rejected, the
//! format and encoding found, and the rejected rows (row, column, rule). And the downloads:
//! `/terminals/export.csv|xlsx`, `/merchants/export.csv|xlsx`.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::authz::Permission;
use posdesk_core::registry::import::{FileKind, TextEncoding};

use super::kit::{Chrome, CsrfMultipart, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::i18n::Tr;
use crate::service;
use crate::service::imports::{ImportSummary, Registry};
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
    pub format: String,
    pub encoding: String,
    pub errors: Vec<RejectedRow>,
    /// More rows were rejected than are listed.
    pub truncated: bool,
}

/// What the page imports: its texts, links and element ids.
pub struct Target {
    pub action: &'static str,
    pub form_id: &'static str,
    pub back_href: &'static str,
    pub back_id: &'static str,
    pub back: String,
    pub intro: String,
    pub hint: String,
    pub export_csv: &'static str,
    pub export_xlsx: &'static str,
}

fn target(tr: &Tr, what: Registry) -> (String, Target) {
    match what {
        Registry::Terminals => (
            tr.t("import-title"),
            Target {
                action: "/terminals/import",
                form_id: "terminal-import-form",
                back_href: "/terminals",
                back_id: "back-to-terminals",
                back: tr.t("import-back"),
                intro: tr.t("import-intro"),
                hint: tr.t("import-hint"),
                export_csv: "/terminals/export.csv",
                export_xlsx: "/terminals/export.xlsx",
            },
        ),
        Registry::Merchants => (
            tr.t("merchant-import-title"),
            Target {
                action: "/merchants/import",
                form_id: "merchant-import-form",
                back_href: "/merchants",
                back_id: "back-to-merchants",
                back: tr.t("merchant-back"),
                intro: tr.t("merchant-import-intro"),
                hint: tr.t("merchant-import-hint"),
                export_csv: "/merchants/export.csv",
                export_xlsx: "/merchants/export.xlsx",
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    t: Target,
    summary: Option<Summary>,
    error: Option<String>,
}

fn encoding_name(tr: &Tr, format: Option<FileKind>, e: Option<TextEncoding>) -> String {
    match (format, e) {
        (Some(FileKind::Xlsx), _) => tr.t("import-encoding-na"),
        (_, Some(TextEncoding::Utf8)) => "UTF-8".to_owned(),
        (_, Some(TextEncoding::Utf16Le)) => "UTF-16LE".to_owned(),
        (_, Some(TextEncoding::Utf16Be)) => "UTF-16BE".to_owned(),
        (_, Some(TextEncoding::Gb18030)) => "GB18030 (GBK)".to_owned(),
        (_, None) => tr.t("import-encoding-unknown"),
    }
}

fn column_label(tr: &Tr, what: Registry, column: &str) -> String {
    match (what, column) {
        (Registry::Merchants, "status") => tr.t("field-status"),
        (Registry::Merchants, "name") => tr.t("field-name"),
        (Registry::Merchants, other) => super::merchant::field_label(tr, other),
        (Registry::Terminals, "sn") => tr.t("field-sn"),
        (Registry::Terminals, "tid") => tr.t("field-tid"),
        (Registry::Terminals, "model") => tr.t("field-model"),
        (Registry::Terminals, "manufacturer") => tr.t("field-manufacturer"),
        (Registry::Terminals, "firmware") => tr.t("field-firmware"),
        (Registry::Terminals, "status") => tr.t("field-status"),
        (Registry::Terminals, "mid") => tr.t("field-mid"),
        (Registry::Terminals, "install_date") => tr.t("field-install-date"),
        (Registry::Terminals, "warranty_end") => tr.t("field-warranty-end"),
        (Registry::Terminals, "installed_address") => tr.t("field-installed-address"),
        (Registry::Terminals, other) => labels::field(tr, other),
    }
}

fn summary(tr: &Tr, what: Registry, s: ImportSummary) -> Summary {
    Summary {
        rows: s.rows,
        inserted: s.inserted,
        updated: s.updated,
        unchanged: s.unchanged,
        rejected: s.rejected,
        format: match s.format {
            Some(FileKind::Xlsx) => "XLSX".to_owned(),
            _ => "CSV".to_owned(),
        },
        encoding: encoding_name(tr, s.format, s.encoding),
        truncated: s.rejected > s.errors.len() as u64,
        errors: s
            .errors
            .into_iter()
            .map(|e| RejectedRow {
                row: e.row,
                column: column_label(tr, what, &e.column),
                rule: labels::rule(tr, &e.rule),
            })
            .collect(),
    }
}

fn render(
    web: &Web,
    user: &WebUser,
    what: Registry,
    status: StatusCode,
    s: Option<Summary>,
    error: Option<String>,
) -> Response {
    let (title, t) = target(&web.tr, what);
    let tpl = ImportPage {
        c: web.chrome(Some(user), title),
        t,
        summary: s,
        error,
    };
    web.render(status, &tpl)
}

fn permission(what: Registry) -> Permission {
    match what {
        Registry::Terminals => Permission::TerminalImport,
        Registry::Merchants => Permission::MerchantImport,
    }
}

async fn show(state: &AppState, web: &Web, user: &WebUser, what: Registry) -> Response {
    // The form is for those who may import (the one permission decision; others get a 403).
    if let Err(e) = user.ctx(state).authorize(permission(what)) {
        return web.fail(Some(user), &e);
    }
    render(web, user, what, StatusCode::OK, None, None)
}

async fn receive(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    what: Registry,
    form: CsrfMultipart,
) -> Response {
    let bytes = form
        .files
        .into_iter()
        .find(|(k, v)| k == "file" && !v.is_empty())
        .map(|(_, v)| v)
        .unwrap_or_default();
    let ctx = user.ctx(state);
    match service::imports::import_file(&ctx, what, None, std::io::Cursor::new(bytes), |_| {}).await
    {
        Ok(s) => {
            let s = summary(&web.tr, what, s);
            render(web, user, what, StatusCode::OK, Some(s), None)
        }
        Err(e) if is_form_error(&e) => {
            let msg = super::merchant::error_message(&web.tr, &e);
            render(web, user, what, e.status(), None, Some(msg))
        }
        Err(e) => web.fail(Some(user), &e),
    }
}

pub async fn page(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    show(&state, &web, &user, Registry::Terminals).await
}

pub async fn upload(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    form: CsrfMultipart,
) -> Response {
    receive(&state, &web, &user, Registry::Terminals, form).await
}

pub async fn merchants_page(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    show(&state, &web, &user, Registry::Merchants).await
}

pub async fn merchants_upload(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    form: CsrfMultipart,
) -> Response {
    receive(&state, &web, &user, Registry::Merchants, form).await
}

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn download(body: Vec<u8>, content_type: &'static str, file_name: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(file_name),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

async fn export(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    what: Registry,
    format: FileKind,
) -> Response {
    let ctx = user.ctx(state);
    let mut out = Vec::new();
    let done = match (format, what) {
        (FileKind::Csv, Registry::Terminals) => {
            service::imports::export_terminals_csv(&ctx, &mut out).await
        }
        (FileKind::Csv, Registry::Merchants) => {
            service::imports::export_merchants_csv(&ctx, &mut out).await
        }
        (FileKind::Xlsx, _) => service::imports::export_xlsx(&ctx, what, &mut out).await,
    };
    if let Err(e) = done {
        return web.fail(Some(user), &e);
    }
    match (format, what) {
        (FileKind::Csv, Registry::Terminals) => download(
            out,
            "text/csv; charset=utf-8",
            "attachment; filename=\"posdesk-terminals.csv\"",
        ),
        (FileKind::Csv, Registry::Merchants) => download(
            out,
            "text/csv; charset=utf-8",
            "attachment; filename=\"posdesk-merchants.csv\"",
        ),
        (FileKind::Xlsx, Registry::Terminals) => download(
            out,
            XLSX_TYPE,
            "attachment; filename=\"posdesk-terminals.xlsx\"",
        ),
        (FileKind::Xlsx, Registry::Merchants) => download(
            out,
            XLSX_TYPE,
            "attachment; filename=\"posdesk-merchants.xlsx\"",
        ),
    }
}

pub async fn export_csv(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    export(&state, &web, &user, Registry::Terminals, FileKind::Csv).await
}

pub async fn export_terminals_xlsx(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
) -> Response {
    export(&state, &web, &user, Registry::Terminals, FileKind::Xlsx).await
}

pub async fn export_merchants_csv(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
) -> Response {
    export(&state, &web, &user, Registry::Merchants, FileKind::Csv).await
}

pub async fn export_merchants_xlsx(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
) -> Response {
    export(&state, &web, &user, Registry::Merchants, FileKind::Xlsx).await
}
