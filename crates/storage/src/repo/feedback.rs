//! The merchant's confirmation and rating of a resolved ticket (seed 001 反馈与评估). On resolve
//! (`tickets::ChangeTicket`) a `ticket_feedback` row is written with the SHA-256 of a one-time
//! link secret and the instant the ticket closes itself if nobody answers (3 working days,
//! `repair::auto_close_at`); the resolve e-mail carries the link. The merchant rates 1–5 with a
//! comment in the portal or through the link (once); a rating closes the ticket; a low rating
//! (≤ 2) waits in the supervisors' follow-up queue until one records what was done.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{MerchantId, MessageId, TenantId, TicketId};
use posdesk_core::repair::{Rating, needs_follow_up};
use posdesk_core::ticket::{ReopenWindow, TicketEvent, TicketStatus};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::tickets::{self, ChangeTicket, SlaContext, Ticket};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, parse_id};

/// The SHA-256 (hex) of a one-time link secret: what is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A feedback request and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feedback {
    pub ticket_id: TicketId,
    pub tenant_id: TenantId,
    pub merchant_id: MerchantId,
    pub ticket_number: String,
    pub ticket_subject: String,
    pub asked_at: Timestamp,
    pub close_at: Timestamp,
    pub stars: Option<i64>,
    pub comment: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub follow_up_note: Option<String>,
    pub followed_up_by: Option<String>,
    pub followed_up_at: Option<Timestamp>,
}

const COLS: &str = "f.ticket_id, f.tenant_id, f.merchant_id, t.number, t.subject, f.asked_at, f.close_at, \
    f.stars, f.comment, f.answered_at, f.closed_at, f.follow_up_note, f.followed_up_by, f.followed_up_at";
const FROM: &str = "ticket_feedback f JOIN tickets t ON t.id = f.ticket_id";

fn to_feedback(r: &Row) -> Result<Feedback> {
    Ok(Feedback {
        ticket_id: parse_id(r, 0, TicketId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        merchant_id: parse_id(r, 2, MerchantId::parse)?,
        ticket_number: r.text(3)?,
        ticket_subject: r.text(4)?,
        asked_at: r.ts(5)?,
        close_at: r.ts(6)?,
        stars: r.opt_int(7)?,
        comment: r.opt_text(8)?,
        answered_at: r.opt_ts(9)?,
        closed_at: r.opt_ts(10)?,
        follow_up_note: r.opt_text(11)?,
        followed_up_by: r.opt_text(12)?,
        followed_up_at: r.opt_ts(13)?,
    })
}

/// Writes (or, after a reopen and a new resolve, renews) the request for `t`, inside the
/// resolve's transaction.
pub(crate) async fn ask(
    c: &mut dyn Conn,
    t: &Ticket,
    token_hash: &str,
    close_at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    c.execute(
        "INSERT INTO ticket_feedback (ticket_id, tenant_id, merchant_id, token_hash, asked_at, close_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ticket_id) DO UPDATE SET token_hash = $4, asked_at = $5, \
         close_at = $6, stars = NULL, comment = NULL, answered_at = NULL, closed_at = NULL",
        &[
            t.id.into(),
            t.tenant_id.into(),
            t.merchant_id.into(),
            token_hash.into(),
            now.into(),
            close_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The request of a ticket the scope can see.
pub async fn of_ticket(
    c: &mut dyn Conn,
    scope: &Scope,
    ticket: TicketId,
) -> Result<Option<Feedback>> {
    let t = tickets::get(c, scope, ticket).await?;
    c.query_opt(
        &format!("SELECT {COLS} FROM {FROM} WHERE f.tenant_id = $1 AND f.ticket_id = $2"),
        &[t.tenant_id.into(), t.id.into()],
    )
    .await?
    .as_ref()
    .map(to_feedback)
    .transpose()
}

/// The request a one-time link names (by the secret's hash), in any tenant.
pub async fn by_token(c: &mut dyn Conn, hash: &str) -> Result<Option<Feedback>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM {FROM} WHERE f.token_hash = $1"),
        &[hash.into()],
    )
    .await?
    .as_ref()
    .map(to_feedback)
    .transpose()
}

/// Low ratings not yet followed up, oldest first (the supervisors' queue).
pub async fn follow_ups(c: &mut dyn Conn, tenant: TenantId) -> Result<Vec<Feedback>> {
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE f.tenant_id = $1 AND f.stars <= 2 AND f.followed_up_at IS NULL \
                 ORDER BY f.answered_at"
            ),
            &[tenant.into()],
        )
        .await?;
    rows.iter().map(to_feedback).collect()
}

/// Every answered rating of the provider in `[from, to)` (for reports).
pub async fn ratings(
    c: &mut dyn Conn,
    tenant: TenantId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Feedback>> {
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE f.tenant_id = $1 AND f.answered_at >= $2 AND f.answered_at < $3 \
                 ORDER BY f.answered_at"
            ),
            &[tenant.into(), from.into(), to.into()],
        )
        .await?;
    rows.iter().map(to_feedback).collect()
}

async fn close_ticket(
    c: &mut dyn Conn,
    ctx: &Ctx,
    tenant: TenantId,
    ticket: TicketId,
    sla: &SlaContext,
) -> Result<Vec<AuditDraft>> {
    let t = tickets::get(c, &Scope::system(tenant), ticket).await?;
    if t.status != TicketStatus::Resolved {
        return Ok(vec![]);
    }
    let applied = ChangeTicket {
        tenant,
        acting_merchant: None,
        id: ticket,
        expected_version: None,
        change: tickets::Change::Event(TicketEvent::Close),
        message_id: MessageId::from_uuid(uuid::Uuid::now_v7()),
        reopen_window: ReopenWindow::default(),
        sla: sla.clone(),
    }
    .apply(c, ctx)
    .await?;
    Ok(applied.audit)
}

/// How a rating reaches us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The one-time link (the secret's hash).
    Link(String),
    /// A merchant user in the portal, on their own merchant's ticket.
    Portal {
        merchant: MerchantId,
        ticket: TicketId,
    },
}

/// Records the merchant's rating (once), closes the resolved ticket, and for a low rating
/// e-mails the supervisors (the follow-up queue lists it). One `rate` audit event on the
/// ticket, plus the close's.
/// `tenant` is the ticket's provider (for a link, as read by [`by_token`] before; the
/// mutation re-reads the request inside its transaction and refuses another tenant's).
pub struct Rate {
    pub tenant: TenantId,
    pub via: Via,
    pub rating: Rating,
    pub sla: SlaContext,
}

impl Mutation for Rate {
    type Output = Feedback;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Feedback>>> {
        Box::pin(async move {
            let found = match &self.via {
                Via::Link(hash) => by_token(c, hash).await?,
                Via::Portal { merchant, ticket } => {
                    of_ticket(
                        c,
                        &Scope::Merchant {
                            tenant: self.tenant,
                            merchant: *merchant,
                        },
                        *ticket,
                    )
                    .await?
                }
            };
            let f = match (found, &self.via) {
                (Some(f), _) if f.tenant_id == self.tenant => f,
                // The merchant's own ticket (the scope found it), not resolved yet.
                (None, Via::Portal { .. }) => {
                    return Err(Error::Rejected(
                        "the ticket is not resolved yet: there is nothing to confirm".into(),
                    ));
                }
                _ => return Err(Error::NotFound),
            };
            if f.answered_at.is_some() {
                return Err(Error::Rejected("this ticket was already rated".into()));
            }
            if f.closed_at.is_some() {
                return Err(Error::Rejected(
                    "the ticket closed before it was rated".into(),
                ));
            }
            let n = c
                .execute(
                    "UPDATE ticket_feedback SET stars = $1, comment = $2, answered_at = $3 \
                     WHERE ticket_id = $4 AND answered_at IS NULL AND closed_at IS NULL",
                    &[
                        crate::Value::Int(i64::from(self.rating.stars)),
                        self.rating.comment.clone().into(),
                        ctx.now.into(),
                        f.ticket_id.into(),
                    ],
                )
                .await?;
            if n != 1 {
                return Err(Error::Rejected("this ticket was already rated".into()));
            }
            let mut audit = close_ticket(c, ctx, f.tenant_id, f.ticket_id, &self.sla).await?;
            if needs_follow_up(&self.rating) {
                let rows = c
                    .query(
                        "SELECT id, email, locale FROM users WHERE tenant_id = $1 AND role = 'supervisor' \
                         AND status = 'active' AND email IS NOT NULL ORDER BY id",
                        &[f.tenant_id.into()],
                    )
                    .await?;
                for r in rows {
                    super::jobs::enqueue(
                        c,
                        &super::jobs::NewJob {
                            id: format!("email:low-rating:{}:{}", f.ticket_id, r.text(0)?),
                            tenant: Some(f.tenant_id),
                            kind: "email".into(),
                            payload: json!({
                                "to": r.text(1)?,
                                "template": "ticket-low-rating",
                                "locale": r.text(2)?,
                                "params": {
                                    "number": f.ticket_number,
                                    "stars": self.rating.stars,
                                    "comment": self.rating.comment.clone().unwrap_or_default(),
                                },
                            }),
                            run_at: ctx.now,
                            max_attempts: 8,
                        },
                        ctx.now,
                    )
                    .await?;
                }
            }
            audit.push(AuditDraft::changed(
                Some(f.tenant_id),
                "ticket",
                f.ticket_id,
                "rate",
                serde_json::Value::Null,
                json!({"stars": self.rating.stars, "comment": self.rating.comment}),
            ));
            let after = by_token_or_ticket(c, &f).await?;
            Ok(Applied::new(after, audit))
        })
    }
}

async fn by_token_or_ticket(c: &mut dyn Conn, f: &Feedback) -> Result<Feedback> {
    c.query_one(
        &format!("SELECT {COLS} FROM {FROM} WHERE f.ticket_id = $1"),
        &[f.ticket_id.into()],
    )
    .await
    .and_then(|r| to_feedback(&r))
}

/// A supervisor records the follow-up of a low rating.
pub struct FollowUp {
    pub tenant: TenantId,
    pub ticket: TicketId,
    pub note: String,
}

impl Mutation for FollowUp {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            let n = c
                .execute(
                    "UPDATE ticket_feedback SET follow_up_note = $1, followed_up_by = $2, followed_up_at = $3 \
                     WHERE tenant_id = $4 AND ticket_id = $5 AND stars <= 2 AND followed_up_at IS NULL",
                    &[
                        self.note.as_str().into(),
                        ctx.actor.id.as_str().into(),
                        ctx.now.into(),
                        self.tenant.into(),
                        self.ticket.into(),
                    ],
                )
                .await?;
            if n != 1 {
                return Err(Error::Rejected(
                    "no low rating waits for follow-up on this ticket".into(),
                ));
            }
            let audit = AuditDraft::changed(
                Some(self.tenant),
                "ticket",
                self.ticket,
                "follow_up",
                serde_json::Value::Null,
                json!({"note": self.note}),
            );
            Ok(Applied::new((), vec![audit]))
        })
    }
}

/// Unanswered requests whose time has come (the auto-close scan's input).
pub async fn due_auto_close(c: &mut dyn Conn, now: Timestamp) -> Result<Vec<(TenantId, TicketId)>> {
    let rows = c
        .query(
            "SELECT tenant_id, ticket_id FROM ticket_feedback WHERE answered_at IS NULL AND closed_at IS NULL \
             AND close_at <= $1 ORDER BY close_at LIMIT 500",
            &[now.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                parse_id(r, 0, TenantId::parse)?,
                parse_id(r, 1, TicketId::parse)?,
            ))
        })
        .collect()
}

/// Closes a resolved ticket whose confirmation went unanswered (3 working days), once.
pub struct AutoClose {
    pub tenant: TenantId,
    pub ticket: TicketId,
    pub sla: SlaContext,
}

impl Mutation for AutoClose {
    type Output = bool;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<bool>>> {
        Box::pin(async move {
            let n = c
                .execute(
                    "UPDATE ticket_feedback SET closed_at = $1 WHERE tenant_id = $2 AND ticket_id = $3 \
                     AND answered_at IS NULL AND closed_at IS NULL AND close_at <= $1",
                    &[ctx.now.into(), self.tenant.into(), self.ticket.into()],
                )
                .await?;
            if n == 0 {
                return Ok(Applied::new(false, vec![]));
            }
            let mut audit = close_ticket(c, ctx, self.tenant, self.ticket, &self.sla).await?;
            audit.push(AuditDraft::changed(
                Some(self.tenant),
                "ticket",
                self.ticket,
                "auto_close",
                serde_json::Value::Null,
                json!({"reason": "unconfirmed for 3 working days"}),
            ));
            Ok(Applied::new(true, audit))
        })
    }
}
