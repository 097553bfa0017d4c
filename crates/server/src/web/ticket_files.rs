//! Ticket attachments on the ticket page (`/tickets/{id}`, staff and the merchant portal): the
//! section listing a ticket's files (name, type, size, SHA-256 prefix, uploader, time, download
//! link) with the upload form, the upload (`POST /tickets/{id}/attachments`, a
//! [`CsrfMultipart`]) and the download (`/tickets/{id}/attachments/{attachment}`, the API's
//! `file_response`). Staff choose whether a file is public or internal; merchant users add
//! public files (photos of the fault) and see only those. The services decide; this module
//! parses and renders.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::Rule;
use posdesk_core::authz::Permission;
use posdesk_core::ids::TicketId;
use posdesk_core::ticket::{AttachmentId, AttachmentKind, accepts_attachments};
use posdesk_storage::repo::ticket_files::Attachment;
use posdesk_storage::repo::tickets::{Ticket, Visibility};

use super::kit::{Chrome, CsrfMultipart, Flash, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::api::ticket_files::{file_response, parse_visibility};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::service;
use crate::service::ticket_files::Upload;
use crate::state::AppState;

/// The upload route's body limit (the API's: one attachment plus the form's other parts).
pub const MAX_UPLOAD_BYTES: usize = crate::api::ticket_files::MAX_UPLOAD_BYTES;

/// How many hex digits of the SHA-256 the list shows (the full digest is the cell's title).
const SHA_PREFIX: usize = 12;

/// One file in the list.
#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub id: String,
    pub href: String,
    pub name: String,
    pub kind: String,
    pub size: String,
    pub sha256: String,
    pub sha_prefix: String,
    pub uploader: String,
    pub at: String,
    pub internal: bool,
}

/// The ticket page's attachments section (`templates/ticket_attachments.html`, included by
/// `ticket.html`; it reads `c` — the page's chrome — and `attachments`).
#[derive(Debug, Clone, Default)]
pub struct AttachmentsSection {
    /// Where the upload form posts.
    pub action: String,
    pub rows: Vec<AttachmentRow>,
    /// The list could not be read (the rest of the page still renders).
    pub unavailable: bool,
    /// The user may add files here (`TicketReply`, and the ticket is not closed or merged).
    pub can_upload: bool,
    /// Staff choose the visibility; merchant users' files are public.
    pub staff: bool,
    /// The failed upload's message.
    pub error: Option<String>,
    pub internal_selected: bool,
}

fn href(ticket: TicketId) -> String {
    format!("/tickets/{ticket}")
}

fn kind_label(tr: &Tr, content_type: &str) -> String {
    match AttachmentKind::from_stored(content_type) {
        Some(AttachmentKind::Jpeg) => "JPEG".into(),
        Some(AttachmentKind::Png) => "PNG".into(),
        Some(AttachmentKind::Webp) => "WebP".into(),
        Some(AttachmentKind::Pdf) => "PDF".into(),
        Some(AttachmentKind::Text) => tr.t("attachment-kind-text"),
        None => content_type.to_owned(),
    }
}

fn uploader(tr: &Tr, user: &WebUser, a: &Attachment) -> String {
    if a.uploaded_by == user.user.id.to_string() {
        return user.user.display_name.clone();
    }
    match (&a.uploader_name, &a.uploader_role) {
        (Some(name), _) => name.clone(),
        (None, Some(role)) => labels::actor_role(tr, role),
        (None, None) => labels::actor_role(tr, "system"),
    }
}

fn row(tr: &Tr, user: &WebUser, a: &Attachment) -> AttachmentRow {
    AttachmentRow {
        id: format!("attachment-{}", a.id),
        href: format!("{}/attachments/{}", href(a.ticket_id), a.id),
        name: a.file_name.clone(),
        kind: kind_label(tr, &a.content_type),
        size: super::mail::human_size(u64::try_from(a.size).unwrap_or_default()),
        sha_prefix: a.sha256.chars().take(SHA_PREFIX).collect(),
        sha256: a.sha256.clone(),
        uploader: uploader(tr, user, a),
        at: a.created_at.to_shanghai_display(),
        internal: a.visibility == Visibility::Internal,
    }
}

/// The attachments section for `ticket` as `user` sees it. Never fails the page: a list that
/// cannot be read shows as unavailable.
pub async fn section(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    ticket: &Ticket,
) -> AttachmentsSection {
    let tr = web.tr;
    let role = user.role();
    let (rows, unavailable) = match service::ticket_files::list(&user.ctx(state), ticket.id).await {
        Ok(items) => (items.iter().map(|a| row(&tr, user, a)).collect(), false),
        Err(e) => {
            tracing::warn!(error = %e, ticket = %ticket.id, "listing attachments");
            (Vec::new(), true)
        }
    };
    AttachmentsSection {
        action: format!("{}/attachments", href(ticket.id)),
        rows,
        unavailable,
        can_upload: role.allows(Permission::TicketReply) && accepts_attachments(ticket.status),
        staff: role.allows(Permission::TicketWork),
        error: None,
        internal_selected: false,
    }
}

/// The message for a refused upload, in the user's words.
fn form_message(tr: &Tr, e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) if f.field == "file" => match f.rule {
            Rule::Required => tr.t("attachment-error-no-file"),
            Rule::Range { .. } => tr.ta(
                "attachment-error-too-large",
                &[("max", super::mail::human_size(MAX_ATTACHMENT_U64))],
            ),
            Rule::OneOf { .. } => tr.t("attachment-error-type"),
            _ => tr.t("attachment-error-mismatch"),
        },
        ApiError::Invalid(f) if f.field == "file_name" => tr.t("attachment-error-name"),
        ApiError::Conflict { field: None, .. } => tr.t("attachment-error-closed"),
        _ => labels::error_message(tr, e),
    }
}

const MAX_ATTACHMENT_U64: u64 = posdesk_core::ticket::MAX_ATTACHMENT_BYTES as u64;

/// A refused upload: the ticket's attachments again, with the error above the form.
#[derive(Template)]
#[template(path = "ticket_attachments_page.html")]
struct FailedPage {
    c: Chrome,
    back: String,
    number: String,
    subject: String,
    attachments: AttachmentsSection,
}

async fn failed(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: TicketId,
    err: &ApiError,
    internal: bool,
) -> Response {
    let detail = match service::tickets::get(&user.ctx(state), id).await {
        Ok(d) => d,
        Err(e) => return web.fail(Some(user), &e),
    };
    let t = &detail.view.ticket;
    let mut attachments = section(state, web, user, t).await;
    attachments.error = Some(form_message(&web.tr, err));
    attachments.internal_selected = internal;
    let tpl = FailedPage {
        c: web.chrome(Some(user), web.tr.t("attachment-failed-title")),
        back: href(id),
        number: t.number.clone(),
        subject: t.subject.clone(),
        attachments,
    };
    web.render(err.status(), &tpl)
}

fn parse_ticket(id: &str) -> ApiResult<TicketId> {
    TicketId::parse("id", id).map_err(|_| ApiError::NotFound)
}

/// `POST /tickets/{id}/attachments`: `file` and, for staff, `visibility`. Success returns to
/// the ticket's attachments with a flash; a refused file shows why, with the form again.
pub async fn upload(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    form: CsrfMultipart,
) -> Response {
    let Ok(id) = parse_ticket(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let internal = form.fields.get("visibility").trim() == "internal";
    let result = async {
        let visibility = match form.fields.opt("visibility") {
            Some(v) => parse_visibility(v)?,
            None => Visibility::Public,
        };
        let up = Upload {
            visibility,
            file_name: form.file_name("file").to_owned(),
            declared_type: form.file_type("file").to_owned(),
            bytes: form.file("file").map(<[u8]>::to_vec).unwrap_or_default(),
        };
        service::ticket_files::add(&user.ctx(&state), id, up).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash(
            &format!("{}#ticket-attachments", href(id)),
            Flash::TicketUpdated,
        ),
        Err(e) if is_form_error(&e) => failed(&state, &web, &user, id, &e, internal).await,
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// A GET on the upload form's action returns to the ticket's page.
pub async fn back(web: Web, Path(id): Path<String>) -> Response {
    match parse_ticket(&id) {
        Ok(id) => web.redirect(&href(id)),
        Err(_) => web.error_page(None, StatusCode::NOT_FOUND, web.tr.t("error-not-found")),
    }
}

/// `GET /tickets/{id}/attachments/{attachment}`: the file as a download.
pub async fn download(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path((id, attachment)): Path<(String, String)>,
) -> Response {
    let result: ApiResult<_> = async {
        let id = parse_ticket(&id)?;
        let attachment =
            AttachmentId::parse("attachment", &attachment).map_err(|_| ApiError::NotFound)?;
        service::ticket_files::file(&user.ctx(&state), id, attachment).await
    }
    .await;
    match result {
        Ok((a, blob)) => file_response(&a, blob.bytes),
        Err(e) => web.fail(Some(&user), &e),
    }
}
