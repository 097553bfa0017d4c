//! The e-mail gateway: one inbound mail (raw RFC 5322 bytes) for one provider becomes a new
//! ticket, a public reply on one of the provider's tickets, an ignored machine mail or a
//! quarantined mail an agent assigns. Nothing is lost: every mail is recorded in
//! `mail_inbound` with its outcome, and a quarantined mail keeps its raw bytes.
//!
//! The steps, in order:
//! 1. Larger than [`MAX_MAIL_BYTES`] → quarantined (`too_large`, digest and size only).
//! 2. `mail::parse` fails → quarantined (`unparseable`, bytes kept).
//! 3. `mail::classify` says auto-reply, bounce or loop → ignored (recorded, never answered).
//! 4. The provider already read this mail (same Message-ID, same bytes) → ignored
//!    (`duplicate`): re-running a folder changes nothing.
//! 5. The sender is not an active merchant user of the provider (`users.email`; merchant
//!    contacts carry no e-mail address) → quarantined (`unknown_sender`).
//! 6. Threading, within the provider only: the ticket tag in the subject (`[#T-YYYYMMDD-NNNN]`,
//!    looked up by `tickets.number`), else the first In-Reply-To/References Message-ID the
//!    provider holds in `mail_messages`. A forged In-Reply-To naming another provider's
//!    message finds nothing and the mail is handled as a new one.
//!    - The ticket is another merchant's → quarantined (`not_merchants_ticket`).
//!    - The ticket is closed or merged (final) → quarantined (`ticket_closed`): an agent decides
//!      whether it is a new problem or a thank-you, so a "谢谢" does not open a ticket.
//!    - The quoted text stripped (`mail::reply_text`) leaves nothing → quarantined (`empty`).
//!    - Otherwise a public message from the sender (`Change::Message`, the sender's
//!      `TicketReply` permission) → threaded.
//! 7. A new mail from a known merchant user (the sender's `TicketCreate` permission) → a ticket
//!    (channel `email`, kind `request`, category `other`, priority `p3`), subject and
//!    description from the mail → created. A mail that looks like a complaint
//!    (`complaint::looks_like_complaint`: addressed to a `complaints@` or `tousu@` mailbox, or a
//!    keyword such as 投诉 / 12363 in the subject or text) gets the tag
//!    [`COMPLAINT_SUSPECTED`]; it stays a ticket. Staff who may register complaints see it on
//!    the ticket page with a prefilled link to the complaint form ([`complaint_hint`]): nothing
//!    becomes a complaint without an agent's confirmation.
//!
//! Each outcome is one `Store::write` (the ticket change, the Message-ID and the inbound record
//! in one transaction, audited). Attachments are recorded by file name, type, size and SHA-256;
//! their bytes are not stored.
//!
//! The provider's admins see the quarantine ([`quarantine_list`], newest first) and download a
//! quarantined mail's raw bytes ([`quarantined_raw`]); both need `MailQuarantineRead`.

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::complaint::looks_like_complaint;
use posdesk_core::ids::{AttachmentId, MessageId, TenantId, TicketId, UserId};
use posdesk_core::mail::{self, Inbound, Kind};
use posdesk_core::page::{Page, PageRequest};
use posdesk_core::ticket::{AttachmentFile, Category, Channel, Priority, ReopenWindow, TicketKind};
use posdesk_storage::repo::mail::{
    AttachmentRecord, CreateFromMail, InboundRecord, MailOutcome, QuarantineEntry, RecordInbound,
    ReplyFromMail,
};
use posdesk_storage::repo::tickets::{
    Change, ChangeTicket, CreateTicket, SlaContext, Ticket, Visibility,
};
use posdesk_storage::repo::users::User;
use posdesk_storage::{Actor, WriteMeta};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The largest mail the gateway accepts (attachments included): 50 MB.
pub const MAX_MAIL_BYTES: usize = 50 * 1024 * 1024;
/// Subject of a ticket (longer subjects are cut).
const SUBJECT_MAX: usize = 200;
/// Description of a ticket and body of a reply (longer texts are cut).
const BODY_MAX: usize = 10_000;

/// The tag of a ticket opened from a mail that may be a complaint (an agent decides).
pub const COMPLAINT_SUSPECTED: &str = "complaint-suspected";
/// The local parts of the mailboxes whose mail counts as addressed to complaints.
const COMPLAINT_MAILBOXES: [&str; 2] = ["complaints", "tousu"];
/// The most of a ticket's text the complaint form's link carries as the narrative.
const HINT_NARRATIVE_MAX: usize = 2_000;

/// Why a mail was ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ignored {
    AutoReply,
    Bounce,
    Loop,
    /// The provider already read this mail (same Message-ID and bytes).
    Duplicate,
}

impl Ignored {
    pub fn code(self) -> &'static str {
        match self {
            Ignored::AutoReply => "auto_reply",
            Ignored::Bounce => "bounce",
            Ignored::Loop => "loop",
            Ignored::Duplicate => "duplicate",
        }
    }
}

/// Why a mail was quarantined (kept for an agent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    TooLarge,
    Unparseable,
    UnknownSender,
    NotMerchantsTicket,
    TicketClosed,
    Empty,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::TooLarge => "too_large",
            Reason::Unparseable => "unparseable",
            Reason::UnknownSender => "unknown_sender",
            Reason::NotMerchantsTicket => "not_merchants_ticket",
            Reason::TicketClosed => "ticket_closed",
            Reason::Empty => "empty",
        }
    }
}

/// What the gateway did with one mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A new ticket (its number).
    Created {
        number: String,
    },
    /// A reply on a ticket (its number).
    Threaded {
        number: String,
    },
    Ignored {
        kind: Ignored,
    },
    Quarantined {
        reason: Reason,
    },
}

/// The four counts of a run; they always add up to the number of mails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub created: usize,
    pub threaded: usize,
    pub ignored: usize,
    pub quarantined: usize,
}

impl Summary {
    pub fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::Created { .. } => self.created += 1,
            Outcome::Threaded { .. } => self.threaded += 1,
            Outcome::Ignored { .. } => self.ignored += 1,
            Outcome::Quarantined { .. } => self.quarantined += 1,
        }
    }
    pub fn total(&self) -> usize {
        self.created + self.threaded + self.ignored + self.quarantined
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "created {}, threaded {}, ignored {}, quarantined {}",
            self.created, self.threaded, self.ignored, self.quarantined
        )
    }
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn cut(s: &str, max: usize) -> String {
    s.trim()
        .chars()
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

fn attachments(msg: &Inbound) -> Vec<AttachmentRecord> {
    msg.attachments
        .iter()
        .map(|a| AttachmentRecord {
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            size: u64::try_from(a.size()).unwrap_or(u64::MAX),
            sha256: sha256_hex(&a.bytes),
        })
        .collect()
}

/// The mail's attachments that the ticket attachment rule accepts (images, PDF, text; ≤ 10 MiB,
/// the declared type matching the bytes), each with a fresh id. The others stay listed in the
/// inbound record only.
fn ticket_files(msg: &Inbound) -> Vec<(AttachmentId, AttachmentFile)> {
    msg.attachments
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let name = a
                .file_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("attachment-{}", i + 1));
            AttachmentFile::check(&name, &a.content_type, a.bytes.clone())
                .ok()
                .map(|f| (AttachmentId::from_uuid(new_uuid()), f))
        })
        .collect()
}

fn record(tenant: TenantId, raw: &[u8], msg: Option<&Inbound>) -> InboundRecord {
    InboundRecord {
        id: new_uuid().to_string(),
        tenant,
        outcome: MailOutcome::Quarantined,
        reason: None,
        sender: msg.map(|m| m.from.address.clone()),
        subject: msg.map(|m| cut(&m.subject, SUBJECT_MAX)),
        message_id: msg.and_then(|m| m.message_id.clone()),
        ticket_id: None,
        raw_sha256: sha256_hex(raw),
        raw_size: u64::try_from(raw.len()).unwrap_or(u64::MAX),
        raw: None,
        attachments: msg.map(attachments).unwrap_or_default(),
    }
}

fn system_meta() -> WriteMeta {
    WriteMeta::new(Actor::system("mail-ingest"), format!("mail-{}", new_uuid()))
}

async fn ignore(state: &AppState, mut r: InboundRecord, kind: Ignored) -> ApiResult<Outcome> {
    r.outcome = MailOutcome::Ignored;
    r.reason = Some(kind.code().to_owned());
    state.store.write(system_meta(), RecordInbound(r)).await?;
    Ok(Outcome::Ignored { kind })
}

async fn quarantine(
    state: &AppState,
    mut r: InboundRecord,
    raw: Option<&[u8]>,
    reason: Reason,
) -> ApiResult<Outcome> {
    r.outcome = MailOutcome::Quarantined;
    r.reason = Some(reason.code().to_owned());
    r.raw = raw.map(<[u8]>::to_vec);
    state.store.write(system_meta(), RecordInbound(r)).await?;
    Ok(Outcome::Quarantined { reason })
}

/// The gateway for one provider: ingests mail one at a time (a folder or a mailbox is read in
/// one go); the provider's calendar and SLA document come from the one per-provider cache
/// (`service::tickets::sla_context`).
pub struct Gateway<'a> {
    state: &'a AppState,
    provider: TenantId,
    own_addresses: Vec<String>,
}

impl<'a> Gateway<'a> {
    /// `own_addresses` are the gateway's own addresses (mail from them is a loop).
    pub fn new(state: &'a AppState, provider: TenantId, own_addresses: &[String]) -> Self {
        Self {
            state,
            provider,
            own_addresses: own_addresses.to_vec(),
        }
    }

    async fn sla(&mut self) -> ApiResult<SlaContext> {
        super::tickets::sla_context(self.state, self.provider).await
    }

    /// Ingests one mail. Errors are only the store's: every mail has an outcome.
    pub async fn ingest(&mut self, raw: &[u8]) -> ApiResult<Outcome> {
        ingest_one(self, raw).await
    }
}

/// Ingests one mail for `provider` (see [`Gateway`] for many). `own_addresses` are the
/// gateway's own addresses (mail from them is a loop). Errors are only the store's: every mail
/// has an outcome.
pub async fn ingest(
    state: &AppState,
    provider: TenantId,
    raw: &[u8],
    own_addresses: &[String],
) -> ApiResult<Outcome> {
    Gateway::new(state, provider, own_addresses)
        .ingest(raw)
        .await
}

async fn ingest_one(g: &mut Gateway<'_>, raw: &[u8]) -> ApiResult<Outcome> {
    let (state, provider) = (g.state, g.provider);
    if raw.len() > MAX_MAIL_BYTES {
        return quarantine(state, record(provider, raw, None), None, Reason::TooLarge).await;
    }
    let msg = match mail::parse(raw) {
        Ok(m) => m,
        Err(_) => {
            return quarantine(
                state,
                record(provider, raw, None),
                Some(raw),
                Reason::Unparseable,
            )
            .await;
        }
    };
    let rec = record(provider, raw, Some(&msg));
    match mail::classify(&msg, &g.own_addresses) {
        Kind::Normal => {}
        Kind::AutoReply(_) => return ignore(state, rec, Ignored::AutoReply).await,
        Kind::Bounce(_) => return ignore(state, rec, Ignored::Bounce).await,
        Kind::Loop(_) => return ignore(state, rec, Ignored::Loop).await,
    }
    let keys = mail::thread_keys(&msg);
    let sender = msg.from.address.clone();
    let own_id = msg.message_id.clone();
    let sha = rec.raw_sha256.clone();
    let (seen, user, ticket) = state
        .store
        .read(move |c| {
            Box::pin(async move {
                posdesk_storage::repo::mail::inbound_lookup(
                    c,
                    provider,
                    own_id.as_deref(),
                    &sha,
                    &sender,
                    keys.ticket_tag.as_deref(),
                    &keys.message_ids,
                )
                .await
            })
        })
        .await?;
    if seen {
        return ignore(state, rec, Ignored::Duplicate).await;
    }
    let Some(user) = user else {
        return quarantine(state, rec, Some(raw), Reason::UnknownSender).await;
    };
    let text = cut(&mail::reply_text(&msg), BODY_MAX);
    match ticket {
        Some(t) => {
            if Some(t.merchant_id) != user.merchant_id {
                return quarantine(state, rec, Some(raw), Reason::NotMerchantsTicket).await;
            }
            if t.status.is_final() {
                return quarantine(state, rec, Some(raw), Reason::TicketClosed).await;
            }
            if text.is_empty() {
                return quarantine(state, rec, Some(raw), Reason::Empty).await;
            }
            let sla = g.sla().await?;
            reply(state, &user, t.id, text, rec, sla, ticket_files(&msg)).await
        }
        None => {
            let description = if text.is_empty() {
                cut(&msg.body, BODY_MAX)
            } else {
                text
            };
            let subject = cut(&msg.subject, SUBJECT_MAX);
            let (subject, description) = match (subject.is_empty(), description.is_empty()) {
                (true, true) => return quarantine(state, rec, Some(raw), Reason::Empty).await,
                (true, false) => (cut(&description, SUBJECT_MAX), description),
                (false, true) => (subject.clone(), subject),
                (false, false) => (subject, description),
            };
            let sla = g.sla().await?;
            let files = ticket_files(&msg);
            let tags =
                if looks_like_complaint(addressed_to_complaints(&msg), &msg.subject, &msg.body) {
                    vec![COMPLAINT_SUSPECTED.to_owned()]
                } else {
                    Vec::new()
                };
            let new = NewFromMail {
                subject,
                description,
                tags,
            };
            create(state, &user, new, rec, sla, files).await
        }
    }
}

/// The sender's scope for `p` (the one permission check) and its audit actor.
fn sender_scope(user: &User, p: Permission) -> ApiResult<(Scope, Actor)> {
    let principal = user.principal()?;
    let scope = principal.authorize(p)?;
    Ok((scope, Actor::user(user.id, user.role.code())))
}

fn merchant_of(scope: &Scope) -> ApiResult<(TenantId, posdesk_core::ids::MerchantId)> {
    match scope {
        Scope::Merchant { tenant, merchant } => Ok((*tenant, *merchant)),
        _ => Err(ApiError::NotFound),
    }
}

async fn reply(
    state: &AppState,
    user: &User,
    ticket: TicketId,
    body: String,
    mut rec: InboundRecord,
    sla: SlaContext,
    files: Vec<(AttachmentId, AttachmentFile)>,
) -> ApiResult<Outcome> {
    let (scope, actor) = sender_scope(user, Permission::TicketReply)?;
    let (tenant, merchant) = merchant_of(&scope)?;
    rec.outcome = MailOutcome::Threaded;
    let changed = state
        .store
        .write(
            WriteMeta::new(actor, format!("mail-{}", new_uuid())),
            ReplyFromMail {
                change: ChangeTicket {
                    tenant,
                    acting_merchant: Some(merchant),
                    id: ticket,
                    expected_version: None,
                    change: Change::Message {
                        visibility: Visibility::Public,
                        body,
                    },
                    message_id: MessageId::from_uuid(new_uuid()),
                    reopen_window: ReopenWindow::default(),
                    sla,
                },
                record: rec,
                files,
            },
        )
        .await?;
    Ok(Outcome::Threaded {
        number: changed.ticket.number,
    })
}

/// Whether a recipient (To or Cc) is a complaints mailbox (`complaints@…`, `tousu@…`).
fn addressed_to_complaints(msg: &Inbound) -> bool {
    msg.to.iter().chain(&msg.cc).any(|m| {
        m.address.rsplit_once('@').is_some_and(|(local, _)| {
            COMPLAINT_MAILBOXES
                .iter()
                .any(|b| local.trim().eq_ignore_ascii_case(b))
        })
    })
}

/// What a new mail's ticket says.
struct NewFromMail {
    subject: String,
    description: String,
    tags: Vec<String>,
}

async fn create(
    state: &AppState,
    user: &User,
    new: NewFromMail,
    mut rec: InboundRecord,
    sla: SlaContext,
    files: Vec<(AttachmentId, AttachmentFile)>,
) -> ApiResult<Outcome> {
    let (scope, actor) = sender_scope(user, Permission::TicketCreate)?;
    let (tenant, merchant) = merchant_of(&scope)?;
    rec.outcome = MailOutcome::Created;
    let t = state
        .store
        .write(
            WriteMeta::new(actor, format!("mail-{}", new_uuid())),
            CreateFromMail {
                create: CreateTicket {
                    id: TicketId::from_uuid(new_uuid()),
                    tenant,
                    acting_merchant: Some(merchant),
                    kind: TicketKind::Request,
                    channel: Channel::Email,
                    category: Category::Other,
                    priority: Priority::P3,
                    merchant,
                    terminal: None,
                    subject: new.subject,
                    description: new.description,
                    tags: new.tags,
                    sla,
                },
                record: rec,
                files,
            },
        )
        .await?;
    Ok(Outcome::Created { number: t.number })
}

/// The provider's quarantined mail, newest first (`MailQuarantineRead`: the provider's admins).
pub async fn quarantine_list(ctx: &Ctx<'_>, page: PageRequest) -> ApiResult<Page<QuarantineEntry>> {
    let scope = ctx.authorize(Permission::MailQuarantineRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| {
            Box::pin(
                async move { posdesk_storage::repo::mail::quarantine_page(c, &scope, &page).await },
            )
        })
        .await?)
}

/// One quarantined mail of the provider and its raw bytes, exactly as received. Not found: an
/// id that is no quarantined mail of the caller's provider, or a mail whose bytes were not kept
/// (over [`MAX_MAIL_BYTES`]; the list shows `raw_kept: false`).
pub async fn quarantined_raw(ctx: &Ctx<'_>, id: &str) -> ApiResult<(QuarantineEntry, Vec<u8>)> {
    let scope = ctx.authorize(Permission::MailQuarantineRead)?;
    // Ids are UUIDs written in their canonical form; anything else names no record.
    let id = uuid::Uuid::parse_str(id)
        .map_err(|_| ApiError::NotFound)?
        .to_string();
    let found = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(
                async move { posdesk_storage::repo::mail::quarantined_mail(c, &scope, &id).await },
            )
        })
        .await?;
    match found {
        Some((entry, Some(raw))) => Ok((entry, raw)),
        Some((_, None)) | None => Err(ApiError::NotFound),
    }
}

/// What the complaint form is prefilled with from a ticket the gateway opened from a mail that
/// may be a complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintHint {
    pub ticket: TicketId,
    /// The sender (the merchant user who wrote), when the account is still there.
    pub complainant_name: Option<String>,
    pub email: Option<String>,
    /// The MID of the ticket's merchant.
    pub mid: Option<String>,
    /// The mail's text as the ticket holds it, cut to 2,000 characters.
    pub narrative: String,
}

/// The prefill for registering `ticket` as a complaint: only for a ticket opened from a mail and
/// tagged [`COMPLAINT_SUSPECTED`], and only for provider staff who may register complaints
/// (`ComplaintCreate`); `None` otherwise. It registers nothing.
pub async fn complaint_hint(ctx: &Ctx<'_>, ticket: &Ticket) -> ApiResult<Option<ComplaintHint>> {
    let role = ctx.principal.role();
    if ticket.channel != Channel::Email
        || !ticket.tags.iter().any(|t| t == COMPLAINT_SUSPECTED)
        || !role.is_provider_staff()
        || !role.allows(Permission::ComplaintCreate)
    {
        return Ok(None);
    }
    let scope = ctx.authorize(Permission::ComplaintCreate)?;
    let sender = UserId::parse("created_by", &ticket.created_by).ok();
    let merchant = ticket.merchant_id;
    let (user, mid) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                use posdesk_storage::Error::NotFound;
                let user = match sender {
                    Some(id) => match posdesk_storage::repo::users::get(c, &scope, id).await {
                        Ok(u) => Some(u),
                        Err(NotFound) => None,
                        Err(e) => return Err(e),
                    },
                    None => None,
                };
                let mid = match posdesk_storage::repo::merchants::get(c, &scope, merchant).await {
                    Ok(m) => Some(m.mid),
                    Err(NotFound) => None,
                    Err(e) => return Err(e),
                };
                Ok((user, mid))
            })
        })
        .await?;
    Ok(Some(ComplaintHint {
        ticket: ticket.id,
        complainant_name: user.as_ref().map(|u| u.display_name.clone()),
        email: user.and_then(|u| u.email),
        mid,
        narrative: cut(&ticket.description, HINT_NARRATIVE_MAX),
    }))
}
