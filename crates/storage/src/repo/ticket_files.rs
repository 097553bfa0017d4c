//! Ticket attachments (附件). What may be attached is `posdesk_core::ticket::attachment`'s
//! ([`AttachmentFile`] is a checked file); this module keeps the bytes content-addressed in
//! [`blobs`] (keyed by tenant + SHA-256, never updated or deleted) and a `ticket_attachments` row
//! saying which ticket (and message, if any) the file belongs to and who may see it. Merchant
//! users see only public files of their own merchant's tickets: every read goes through the
//! ticket under the caller's scope first, so another merchant's or provider's ticket is
//! `NotFound`.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{MerchantId, MessageId, TenantId, TicketId};
use posdesk_core::ticket::{AttachmentFile, AttachmentId, accepts_attachments};
use posdesk_core::{FieldError, Rule};
use serde::{Deserialize, Serialize};

use super::blobs::{self, Blob, NewBlob};
use super::tickets::{self, Ticket, Visibility};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id, parse_opt_id};

/// A file attached to a ticket, as stored (the bytes are in `blobs` under `sha256`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub ticket_id: TicketId,
    /// The reply or note the file came with (e-mail attachments), if any.
    pub message_id: Option<MessageId>,
    pub visibility: Visibility,
    pub file_name: String,
    /// The canonical MIME type the core recognised (`AttachmentKind::mime`).
    pub content_type: String,
    pub size: i64,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    /// The actor id that attached it (a user id, or `system:<what>`).
    pub uploaded_by: String,
    /// The uploader's role, when the uploader is a user.
    pub uploader_role: Option<String>,
    /// The uploader's display name, when the uploader is a user. Services blank it for
    /// merchant users looking at staff uploads.
    pub uploader_name: Option<String>,
    pub created_at: Timestamp,
}

const COLS: &str = "a.id, a.ticket_id, a.message_id, a.visibility, a.file_name, a.content_type, \
    a.size, a.sha256, a.uploaded_by, u.role, u.display_name, a.created_at";

/// `ticket_attachments a` with the uploader, if a user.
const FROM: &str = "ticket_attachments a LEFT JOIN users u ON u.id = a.uploaded_by";

fn visibility(code: &str) -> Result<Visibility> {
    match code {
        "public" => Ok(Visibility::Public),
        "internal" => Ok(Visibility::Internal),
        other => Err(Error::Backend(format!("stored visibility {other}"))),
    }
}

fn to_attachment(r: &Row) -> Result<Attachment> {
    Ok(Attachment {
        id: parse_id(r, 0, AttachmentId::parse)?,
        ticket_id: parse_id(r, 1, TicketId::parse)?,
        message_id: parse_opt_id(r, 2, MessageId::parse)?,
        visibility: visibility(&r.text(3)?)?,
        file_name: r.text(4)?,
        content_type: r.text(5)?,
        size: r.int(6)?,
        sha256: r.text(7)?,
        uploaded_by: r.text(8)?,
        uploader_role: r.opt_text(9)?,
        uploader_name: r.opt_text(10)?,
        created_at: r.ts(11)?,
    })
}

/// Whether the scope sees only public files (merchant users).
fn public_only(scope: &Scope) -> bool {
    matches!(scope, Scope::Merchant { .. })
}

/// The files of a ticket the scope can see, oldest first; merchant users see public ones only.
/// `NotFound` when the scope cannot see the ticket.
pub async fn list(c: &mut dyn Conn, scope: &Scope, ticket: TicketId) -> Result<Vec<Attachment>> {
    let t = tickets::get(c, scope, ticket).await?;
    let only = if public_only(scope) {
        " AND a.visibility = 'public'"
    } else {
        ""
    };
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE a.tenant_id = $1 AND a.ticket_id = $2{only} \
                 ORDER BY a.created_at, a.id"
            ),
            &[t.tenant_id.into(), t.id.into()],
        )
        .await?;
    rows.iter().map(to_attachment).collect()
}

/// One file of a ticket and its bytes, if the scope can see both (an internal file is
/// `NotFound` for a merchant user).
pub async fn get(
    c: &mut dyn Conn,
    scope: &Scope,
    ticket: TicketId,
    attachment: AttachmentId,
) -> Result<(Attachment, Blob)> {
    let t = tickets::get(c, scope, ticket).await?;
    let only = if public_only(scope) {
        " AND a.visibility = 'public'"
    } else {
        ""
    };
    let r = c
        .query_one(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE a.tenant_id = $1 AND a.ticket_id = $2 AND a.id = $3{only}"
            ),
            &[
                t.tenant_id.into(),
                t.id.into(),
                attachment.into(),
            ],
        )
        .await?;
    let a = to_attachment(&r)?;
    let blob = blobs::get(c, t.tenant_id, &a.sha256).await?;
    Ok((a, blob))
}

/// What the audit trail records about an attached file: everything but the bytes.
#[derive(Debug, Serialize)]
struct AuditView<'a> {
    attachment_id: String,
    message_id: Option<String>,
    visibility: &'static str,
    file_name: &'a str,
    content_type: &'a str,
    size: i64,
    sha256: &'a str,
}

/// Stores a checked file for `ticket` inside the caller's mutation: the bytes into `blobs`
/// (nothing new when the tenant already has them), the row, and returns it with its `attach`
/// audit event on entity `ticket` (name, type, size, SHA-256 — never the bytes) for the caller
/// to report. The caller has loaded the ticket under its scope and decided it takes files
/// ([`accepts_attachments`]); the e-mail gateway calls this for a mail's attachments.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    c: &mut dyn Conn,
    tenant: TenantId,
    ticket: TicketId,
    message: Option<MessageId>,
    visibility: Visibility,
    id: AttachmentId,
    file: &AttachmentFile,
    uploaded_by: &str,
    now: Timestamp,
) -> Result<(Attachment, AuditDraft)> {
    let content_type = file.kind().mime();
    blobs::put(
        c,
        tenant,
        &NewBlob {
            sha256: file.sha256().to_owned(),
            content_type: content_type.to_owned(),
            bytes: file.bytes().to_vec(),
        },
        now,
    )
    .await?;
    c.execute(
        "INSERT INTO ticket_attachments (id, tenant_id, ticket_id, message_id, visibility, file_name, \
         content_type, size, sha256, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            id.into(),
            tenant.into(),
            ticket.into(),
            message.into(),
            visibility.code().into(),
            file.name().as_str().into(),
            content_type.into(),
            Value::Int(file.size()),
            file.sha256().into(),
            uploaded_by.into(),
            now.into(),
        ],
    )
    .await?;
    let row = c
        .query_opt(
            "SELECT role, display_name FROM users WHERE id = $1",
            &[uploaded_by.into()],
        )
        .await?;
    let (uploader_role, uploader_name) = match row {
        Some(r) => (Some(r.text(0)?), Some(r.text(1)?)),
        None => (None, None),
    };
    let a = Attachment {
        id,
        ticket_id: ticket,
        message_id: message,
        visibility,
        file_name: file.name().as_str().to_owned(),
        content_type: content_type.to_owned(),
        size: file.size(),
        sha256: file.sha256().to_owned(),
        uploaded_by: uploaded_by.to_owned(),
        uploader_role,
        uploader_name,
        created_at: now,
    };
    let audit = AuditDraft {
        tenant: Some(tenant),
        entity_type: "ticket",
        entity_id: ticket.to_string(),
        action: "attach",
        before: None,
        after: serde_json::to_value(AuditView {
            attachment_id: id.to_string(),
            message_id: message.map(|m| m.to_string()),
            visibility: visibility.code(),
            file_name: &a.file_name,
            content_type: &a.content_type,
            size: a.size,
            sha256: &a.sha256,
        })
        .ok(),
    };
    Ok((a, audit))
}

/// Attaches a checked file to a ticket the acting scope can see (a merchant user only their
/// own merchant's: anything else is `NotFound`). Refused on a closed or merged ticket
/// (`Rejected`, a conflict) and, for merchant users, for internal files (`invalid` on
/// `visibility`). The ticket row is re-read under its status (`WHERE status = <read>`), so a
/// close committed in between by another server makes this refuse instead of attaching to a
/// closed ticket. One `attach` audit event.
pub struct AddAttachment {
    pub tenant: TenantId,
    pub acting_merchant: Option<MerchantId>,
    pub ticket: TicketId,
    pub id: AttachmentId,
    pub visibility: Visibility,
    pub file: AttachmentFile,
}

fn closed(t: &Ticket) -> Error {
    Error::Rejected(format!(
        "ticket {} is {}: no more attachments",
        t.number,
        t.status.code()
    ))
}

impl Mutation for AddAttachment {
    type Output = Attachment;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Attachment>>> {
        Box::pin(async move {
            let scope = Scope::acting(self.tenant, self.acting_merchant);
            let t = tickets::get(c, &scope, self.ticket).await?;
            if self.acting_merchant.is_some() && self.visibility != Visibility::Public {
                return Err(FieldError::new(
                    "visibility",
                    Rule::Invalid {
                        reason: "merchant users may only add public files",
                    },
                )
                .into());
            }
            if !accepts_attachments(t.status) {
                return Err(closed(&t));
            }
            // Locks the ticket row (PostgreSQL) and proves its status is still the one read.
            let n = c
                .execute(
                    "UPDATE tickets SET status = status WHERE id = $1 AND status = $2",
                    &[t.id.into(), t.status.code().into()],
                )
                .await?;
            if n != 1 {
                return Err(Error::Rejected(format!(
                    "ticket {} changed while the file was being attached; try again",
                    t.number
                )));
            }
            let (a, audit) = insert(
                c,
                self.tenant,
                t.id,
                None,
                self.visibility,
                self.id,
                &self.file,
                &ctx.actor.id,
                ctx.now,
            )
            .await?;
            Ok(Applied::new(a, vec![audit]))
        })
    }
}

/// A new ticket with the files of its report (the merchant's photos), in one transaction: a
/// refused file leaves no ticket behind, and no ticket is left without its photos.
pub struct CreateWithFiles {
    pub create: tickets::CreateTicket,
    pub files: Vec<(AttachmentId, AttachmentFile)>,
}

impl Mutation for CreateWithFiles {
    type Output = (Ticket, Vec<Attachment>);
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<(Ticket, Vec<Attachment>)>>> {
        Box::pin(async move {
            let created = self.create.apply(c, ctx).await?;
            let mut audit = created.audit;
            let mut attached = Vec::with_capacity(self.files.len());
            for (id, file) in &self.files {
                let (a, event) = insert(
                    c,
                    self.create.tenant,
                    created.value.id,
                    None,
                    Visibility::Public,
                    *id,
                    file,
                    &ctx.actor.id,
                    ctx.now,
                )
                .await?;
                audit.push(event);
                attached.push(a);
            }
            Ok(Applied::new((created.value, attached), audit))
        })
    }
}
