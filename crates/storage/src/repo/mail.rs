//! The e-mail gateway's records: every inbound mail with its outcome (`mail_inbound`, the raw
//! bytes kept for quarantined mail) and the Message-ID of every mail on a ticket
//! (`mail_messages`, unique per provider), which threading looks replies up in. All lookups
//! take the receiving provider: a Message-ID or ticket number of another provider is never
//! found, so a forged In-Reply-To cannot thread into another provider's ticket.
//!
//! The quarantine reads (`quarantine_page`, `quarantined_mail`) take the caller's `Scope`: a
//! provider's staff read their provider's quarantined mail; every other scope reads none.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::{Role, Scope};
use posdesk_core::ids::{AttachmentId, MessageId, TenantId, TicketId};
use posdesk_core::page::{Cursor, Page, PageRequest};
use posdesk_core::ticket::AttachmentFile;
use serde::Serialize;

use super::tickets::{ChangeTicket, Changed, CreateTicket, Ticket, Visibility};
use super::users::User;
use crate::{Applied, Conn, Ctx, Mutation, Result, Value};

/// What the gateway did with a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailOutcome {
    Created,
    Threaded,
    Ignored,
    Quarantined,
}

impl MailOutcome {
    pub fn code(self) -> &'static str {
        match self {
            MailOutcome::Created => "created",
            MailOutcome::Threaded => "threaded",
            MailOutcome::Ignored => "ignored",
            MailOutcome::Quarantined => "quarantined",
        }
    }
}

/// An attachment as recorded (its bytes are not stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRecord {
    pub file_name: Option<String>,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

/// One inbound mail as recorded in `mail_inbound`. `raw` is kept for quarantined mail only (an
/// agent reads and assigns it); the others keep the digest and size.
#[derive(Debug, Clone, Serialize)]
pub struct InboundRecord {
    pub id: String,
    pub tenant: TenantId,
    pub outcome: MailOutcome,
    /// Why it was ignored or quarantined (`auto_reply`, `unknown_sender`, …).
    pub reason: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub ticket_id: Option<TicketId>,
    pub raw_sha256: String,
    pub raw_size: u64,
    #[serde(skip)]
    pub raw: Option<Vec<u8>>,
    pub attachments: Vec<AttachmentRecord>,
}

fn size(n: u64) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

async fn insert_inbound(c: &mut dyn Conn, r: &InboundRecord, ctx: &Ctx) -> Result<()> {
    // Plain INSERTs: held back and pipelined with what follows on PostgreSQL.
    c.execute_deferred(
        "INSERT INTO mail_inbound (id, tenant_id, outcome, reason, sender, subject, message_id, \
         ticket_id, raw_sha256, raw_size, raw, attachments, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            r.id.as_str().into(),
            r.tenant.into(),
            r.outcome.code().into(),
            r.reason.clone().into(),
            r.sender.clone().into(),
            r.subject.clone().into(),
            r.message_id.clone().into(),
            r.ticket_id.into(),
            r.raw_sha256.as_str().into(),
            size(r.raw_size),
            r.raw.clone().map(Value::Blob).unwrap_or(Value::Null),
            serde_json::to_string(&r.attachments)
                .map_err(|e| crate::Error::Backend(e.to_string()))?
                .into(),
            ctx.now.into(),
        ],
    )
    .await?;
    Ok(())
}

async fn insert_message_id(
    c: &mut dyn Conn,
    tenant: TenantId,
    message_id: &str,
    ticket: TicketId,
    ctx: &Ctx,
) -> Result<()> {
    // A Message-ID seen again (a re-sent mail) keeps its first ticket.
    c.execute_deferred(
        "INSERT INTO mail_messages (tenant_id, message_id, ticket_id, direction, created_at) \
         VALUES ($1, $2, $3, 'in', $4) ON CONFLICT (tenant_id, message_id) DO NOTHING",
        &[
            tenant.into(),
            message_id.into(),
            ticket.into(),
            ctx.now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// What an inbound mail is, as far as the provider's records tell: whether it was read before
/// (the same Message-ID and the same bytes: a re-delivered mail is a duplicate), which active
/// merchant user sent it (by address, case-insensitively), and — for a known sender only — the
/// provider's ticket it replies to: by the ticket tag first, else by the first candidate
/// Message-ID (In-Reply-To, then References, in order) the provider holds. The independent
/// look-ups go out in one round trip (pipelined on PostgreSQL).
pub async fn inbound_lookup(
    c: &mut dyn Conn,
    tenant: TenantId,
    own_message_id: Option<&str>,
    sha256: &str,
    sender: &str,
    ticket_tag: Option<&str>,
    candidates: &[String],
) -> Result<(bool, Option<User>, Option<Ticket>)> {
    let t: Value = tenant.into();
    let user_sql = format!(
        "SELECT {} FROM users WHERE tenant_id = $1 AND role = $2 AND status = 'active' \
         AND merchant_id IS NOT NULL AND LOWER(email) = LOWER($3) ORDER BY created_at LIMIT 1",
        super::users::COLS
    );
    let by_tag_sql = format!(
        "SELECT {} FROM tickets WHERE tenant_id = $1 AND number = $2",
        super::tickets::COLS
    );
    let by_message_sql = format!(
        "SELECT {} FROM tickets WHERE tenant_id = $1 AND id = \
         (SELECT ticket_id FROM mail_messages WHERE tenant_id = $1 AND message_id = $2)",
        super::tickets::COLS
    );
    let mut stmts: Vec<(&str, Vec<Value>)> = vec![
        (
            &user_sql,
            vec![t.clone(), Role::MerchantUser.code().into(), sender.into()],
        ),
        (
            "SELECT 1 FROM mail_inbound WHERE tenant_id = $1 AND message_id = $2 AND raw_sha256 = $3",
            vec![
                t.clone(),
                own_message_id.unwrap_or("").into(),
                sha256.into(),
            ],
        ),
        (
            &by_tag_sql,
            vec![t.clone(), ticket_tag.unwrap_or("").into()],
        ),
    ];
    stmts.extend(
        candidates
            .iter()
            .map(|m| (by_message_sql.as_str(), vec![t.clone(), m.as_str().into()])),
    );
    let answers = c.query_all(&stmts).await?;
    let first = |i: usize| answers.get(i).and_then(|rows| rows.first());
    let seen = own_message_id.is_some() && first(1).is_some();
    let Some(user_row) = first(0) else {
        return Ok((seen, None, None));
    };
    let user = super::users::to_user(user_row)?;
    let by_tag = match ticket_tag {
        Some(_) => first(2),
        None => None,
    };
    let by_message = (3..answers.len()).find_map(first);
    let ticket = by_tag
        .or(by_message)
        .map(super::tickets::to_ticket)
        .transpose()?;
    Ok((seen, Some(user), ticket))
}

/// A quarantined mail's record, as an agent sees it (with the raw bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub id: String,
    pub reason: String,
    pub sender: Option<String>,
    pub raw: Vec<u8>,
}

/// The provider's quarantined mail, oldest first.
pub async fn quarantined(
    c: &mut dyn Conn,
    tenant: TenantId,
    limit: u32,
) -> Result<Vec<Quarantined>> {
    let rows = c
        .query(
            &format!(
                "SELECT id, reason, sender, raw FROM mail_inbound WHERE tenant_id = $1 \
                 AND outcome = 'quarantined' ORDER BY created_at, id LIMIT {limit}"
            ),
            &[tenant.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Quarantined {
                id: r.text(0)?,
                reason: r.opt_text(1)?.unwrap_or_default(),
                sender: r.opt_text(2)?,
                raw: match r.values().get(3) {
                    Some(Value::Null) | None => Vec::new(),
                    Some(_) => r.blob(3)?,
                },
            })
        })
        .collect()
}

/// A quarantined mail as the provider's admins list it (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantineEntry {
    pub id: String,
    /// Why it was quarantined (`unparseable`, `unknown_sender`, `too_large`, …).
    pub reason: String,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    /// When the gateway read it.
    pub received_at: Timestamp,
    /// Size of the raw mail in bytes, and its SHA-256 (hex).
    pub raw_size: u64,
    pub raw_sha256: String,
    /// Whether the raw bytes are kept (not for mail over the gateway's size limit).
    pub raw_kept: bool,
}

const QUARANTINE_COLS: &str = "id, reason, sender, subject, message_id, created_at, raw_size, \
     raw_sha256, CASE WHEN raw IS NULL THEN 0 ELSE 1 END";

fn to_entry(r: &crate::Row) -> Result<QuarantineEntry> {
    Ok(QuarantineEntry {
        id: r.text(0)?,
        reason: r.opt_text(1)?.unwrap_or_default(),
        sender: r.opt_text(2)?,
        subject: r.opt_text(3)?,
        message_id: r.opt_text(4)?,
        received_at: r.ts(5)?,
        raw_size: u64::try_from(r.int(6)?).unwrap_or(0),
        raw_sha256: r.text(7)?,
        raw_kept: r.bool(8)?,
    })
}

/// The provider whose quarantine `scope` may read: a provider's staff only (the platform, a
/// merchant or a terminal reads none).
fn quarantine_tenant(scope: &Scope) -> Option<TenantId> {
    match scope {
        Scope::Tenant(t) => Some(*t),
        Scope::Platform | Scope::Merchant { .. } | Scope::Terminal { .. } => None,
    }
}

/// The quarantined mail of the scope's provider, newest first (cursor page over
/// `mail_inbound_by_outcome`).
pub async fn quarantine_page(
    c: &mut dyn Conn,
    scope: &Scope,
    page: &PageRequest,
) -> Result<Page<QuarantineEntry>> {
    let Some(tenant) = quarantine_tenant(scope) else {
        return Ok(Page {
            items: Vec::new(),
            next: None,
        });
    };
    let mut params: Vec<Value> = vec![tenant.into()];
    let (after, p2) = super::after_clause(&page.after, "created_at", "id", params.len() + 1);
    params.extend(p2);
    let rows = c
        .query(
            &format!(
                "SELECT {QUARANTINE_COLS} FROM mail_inbound WHERE tenant_id = $1 \
                 AND outcome = 'quarantined'{after} ORDER BY created_at DESC, id DESC LIMIT {}",
                page.limit + 1
            ),
            &params,
        )
        .await?;
    let items = rows.iter().map(to_entry).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |e| Cursor {
        at: e.received_at.millis(),
        id: e.id.clone(),
    }))
}

/// One quarantined mail of the scope's provider and its raw bytes (`None` when they were not
/// kept); `None` when the scope's provider has no such quarantined mail.
pub async fn quarantined_mail(
    c: &mut dyn Conn,
    scope: &Scope,
    id: &str,
) -> Result<Option<(QuarantineEntry, Option<Vec<u8>>)>> {
    let Some(tenant) = quarantine_tenant(scope) else {
        return Ok(None);
    };
    let row = c
        .query_opt(
            &format!(
                "SELECT {QUARANTINE_COLS}, raw FROM mail_inbound WHERE tenant_id = $1 \
                 AND id = $2 AND outcome = 'quarantined'"
            ),
            &[tenant.into(), id.into()],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let entry = to_entry(&r)?;
    let raw = match r.values().get(9) {
        Some(Value::Null) | None => None,
        Some(_) => Some(r.blob(9)?),
    };
    Ok(Some((entry, raw)))
}

/// Records a mail that made no ticket change (ignored or quarantined).
pub struct RecordInbound(pub InboundRecord);

impl Mutation for RecordInbound {
    type Output = String;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<String>>> {
        Box::pin(async move {
            insert_inbound(c, &self.0, ctx).await?;
            let audit = vec![AuditDraft::created(
                Some(self.0.tenant),
                "mail_inbound",
                &self.0.id,
                &self.0,
            )];
            Ok(Applied::new(self.0.id.clone(), audit))
        })
    }
}

/// A new ticket from a mail: the ticket, its Message-ID and the inbound record, in one
/// transaction.
pub struct CreateFromMail {
    pub create: CreateTicket,
    pub record: InboundRecord,
    /// The mail's attachments the ticket rule accepts (`ticket::AttachmentFile`), kept as
    /// public files of the ticket.
    pub files: Vec<(AttachmentId, AttachmentFile)>,
}

/// Attaches the mail's accepted files to the ticket (and the reply they came with).
async fn attach(
    c: &mut dyn Conn,
    ctx: &Ctx,
    tenant: TenantId,
    ticket: TicketId,
    message: Option<MessageId>,
    files: &[(AttachmentId, AttachmentFile)],
    audit: &mut Vec<AuditDraft>,
) -> Result<()> {
    for (id, file) in files {
        let (_, event) = super::ticket_files::insert(
            c,
            tenant,
            ticket,
            message,
            Visibility::Public,
            *id,
            file,
            &ctx.actor.id,
            ctx.now,
        )
        .await?;
        audit.push(event);
    }
    Ok(())
}

impl Mutation for CreateFromMail {
    type Output = Ticket;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Ticket>>> {
        Box::pin(async move {
            let mut applied = self.create.apply(c, ctx).await?;
            let t = &applied.value;
            let record = InboundRecord {
                ticket_id: Some(t.id),
                ..self.record.clone()
            };
            attach(
                c,
                ctx,
                record.tenant,
                t.id,
                None,
                &self.files,
                &mut applied.audit,
            )
            .await?;
            if let Some(m) = &record.message_id {
                insert_message_id(c, record.tenant, m, t.id, ctx).await?;
            }
            insert_inbound(c, &record, ctx).await?;
            applied.audit.push(AuditDraft::created(
                Some(record.tenant),
                "mail_inbound",
                &record.id,
                &record,
            ));
            Ok(applied)
        })
    }
}

/// A reply from a mail: the public message on the ticket, its Message-ID and the inbound
/// record, in one transaction.
pub struct ReplyFromMail {
    pub change: ChangeTicket,
    pub record: InboundRecord,
    /// As for [`CreateFromMail::files`]; attached to the reply.
    pub files: Vec<(AttachmentId, AttachmentFile)>,
}

impl Mutation for ReplyFromMail {
    type Output = Changed;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Changed>>> {
        Box::pin(async move {
            let mut applied = self.change.apply(c, ctx).await?;
            let id = applied.value.ticket.id;
            let record = InboundRecord {
                ticket_id: Some(id),
                ..self.record.clone()
            };
            let message = applied.value.message.as_ref().map(|m| m.id);
            attach(
                c,
                ctx,
                record.tenant,
                id,
                message,
                &self.files,
                &mut applied.audit,
            )
            .await?;
            if let Some(m) = &record.message_id {
                insert_message_id(c, record.tenant, m, id, ctx).await?;
            }
            insert_inbound(c, &record, ctx).await?;
            applied.audit.push(AuditDraft::created(
                Some(record.tenant),
                "mail_inbound",
                &record.id,
                &record,
            ));
            Ok(applied)
        })
    }
}
