//! Ticket attachments: adding a file (checked by the core, stored content-addressed), listing a
//! ticket's files and reading one back. Permissions are the ticket's: reading needs
//! `TicketRead`; adding a public file needs `TicketReply` (merchants add photos to their own
//! fault reports), an internal one `TicketWork` (staff only) — the same split as replies and
//! internal notes (`service::tickets::change_permission`).

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::ids::{MerchantId, TicketId};
use posdesk_core::ticket::{AttachmentFile, AttachmentId};
use posdesk_storage::repo::blobs::Blob;
use posdesk_storage::repo::ticket_files::{self as repo, AddAttachment, Attachment};
use posdesk_storage::repo::tickets::Visibility;

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};

/// A file as received, before the core checked it.
pub struct Upload {
    pub visibility: Visibility,
    /// The name the client sent with the file part.
    pub file_name: String,
    /// The content type the client declared for the file part.
    pub declared_type: String,
    pub bytes: Vec<u8>,
}

/// The permission adding a file of `visibility` needs.
pub fn add_permission(visibility: Visibility) -> Permission {
    match visibility {
        Visibility::Public => Permission::TicketReply,
        Visibility::Internal => Permission::TicketWork,
    }
}

fn tenant_of(scope: &Scope) -> ApiResult<posdesk_core::ids::TenantId> {
    scope.tenant().ok_or(ApiError::NotFound)
}

fn acting_merchant(scope: &Scope) -> Option<MerchantId> {
    match scope {
        Scope::Merchant { merchant, .. } => Some(*merchant),
        _ => None,
    }
}

/// What a caller may see of an attachment: a merchant user does not see the names of the
/// provider's staff (only their role), as with messages.
fn present(ctx: &Ctx<'_>, scope: &Scope, mut a: Attachment) -> Attachment {
    if acting_merchant(scope).is_some() && a.uploaded_by != ctx.principal.user_id().to_string() {
        a.uploader_name = None;
    }
    a
}

/// Attaches a file to a ticket: authorised by its visibility, checked by the core (size, kind,
/// declared type against the bytes, file name), stored under its SHA-256 with an `attach` audit
/// event. `Idempotency-Key` is honoured through `ctx`.
#[tracing::instrument(skip_all, fields(ticket = %ticket))]
pub async fn add(ctx: &Ctx<'_>, ticket: TicketId, up: Upload) -> ApiResult<Attachment> {
    let scope = ctx.authorize(add_permission(up.visibility))?;
    let tenant = tenant_of(&scope)?;
    let file = AttachmentFile::check(&up.file_name, &up.declared_type, up.bytes)?;
    let a = ctx
        .write(
            ctx.meta(),
            AddAttachment {
                tenant,
                acting_merchant: acting_merchant(&scope),
                ticket,
                id: AttachmentId::from_uuid(new_uuid()),
                visibility: up.visibility,
                file,
            },
        )
        .await?;
    Ok(present(ctx, &scope, a))
}

/// A ticket's files the caller may see, oldest first (a merchant user: public ones of their own
/// merchant's tickets; anything else is 404).
pub async fn list(ctx: &Ctx<'_>, ticket: TicketId) -> ApiResult<Vec<Attachment>> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    tenant_of(&scope)?;
    let s = scope;
    let items = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::list(c, &s, ticket).await }))
        .await?;
    Ok(items.into_iter().map(|a| present(ctx, &scope, a)).collect())
}

/// One file and its bytes, for whoever may see it.
pub async fn file(
    ctx: &Ctx<'_>,
    ticket: TicketId,
    attachment: AttachmentId,
) -> ApiResult<(Attachment, Blob)> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    tenant_of(&scope)?;
    let s = scope;
    let (a, blob) = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::get(c, &s, ticket, attachment).await }))
        .await?;
    Ok((present(ctx, &scope, a), blob))
}

/// The most files a report may carry at intake (more can be added on the ticket's page).
pub const MAX_REPORT_FILES: usize = 3;

/// Opens a ticket with the files of its report (the portal's photos), in one transaction: each
/// file is checked first (422 on `file` naming the rule), then ticket and files are written
/// together. Adding them is part of creating: `TicketCreate` is the permission.
pub async fn create_with_files(
    ctx: &Ctx<'_>,
    t: super::tickets::NewTicket,
    uploads: Vec<Upload>,
) -> ApiResult<posdesk_storage::repo::tickets::Ticket> {
    if uploads.len() > MAX_REPORT_FILES {
        return Err(posdesk_core::FieldError::new(
            "file",
            posdesk_core::Rule::Range {
                min: 0,
                max: MAX_REPORT_FILES as i64,
            },
        )
        .into());
    }
    let files = uploads
        .into_iter()
        .map(|u| {
            AttachmentFile::check(&u.file_name, &u.declared_type, u.bytes)
                .map(|f| (AttachmentId::from_uuid(new_uuid()), f))
                .map_err(ApiError::from)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let create = super::tickets::intake(ctx, t).await?;
    let (ticket, _) = ctx
        .write(
            ctx.meta(),
            posdesk_storage::repo::ticket_files::CreateWithFiles { create, files },
        )
        .await?;
    Ok(ticket)
}
