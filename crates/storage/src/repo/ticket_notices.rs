//! What happens to a ticket, told to the outside: every [`Occurrence`] becomes a webhook event
//! for the provider's subscribed endpoints and the e-mail notices the core asks for
//! ([`Occurrence::notices`]), both as outbox jobs inside the transaction of the change. Who the
//! audiences are is resolved here (active users with an e-mail address); the person who caused
//! the change is not told about it, except by a receipt (`Notice::to_actor`). Job ids are derived from the ticket, its version and the
//! occurrence's position, so a re-run batch never enqueues twice. Each notice's Message-ID is
//! recorded in `mail_messages` (direction `out`), so a reply threads by In-Reply-To too.

use posdesk_core::authz::Role;
use posdesk_core::ticket::{Audience, Occurrence};
use serde_json::json;

use super::jobs::{self, NewJob};
use super::tickets::Ticket;
use crate::{Conn, Ctx, Result};

/// One occurrence and what the notices and the webhook event carry besides the ticket
/// (a reply's body, a late notice's reason, the other ticket of a merge).
pub struct Told {
    pub occurrence: Occurrence,
    pub extra: serde_json::Value,
}

impl Told {
    pub fn new(occurrence: Occurrence) -> Self {
        Self {
            occurrence,
            extra: json!({}),
        }
    }
    pub fn with(occurrence: Occurrence, extra: serde_json::Value) -> Self {
        Self { occurrence, extra }
    }
}

/// What the provider's systems receive about the ticket (no description: that may be long
/// and is one `GET` away).
fn summary(t: &Ticket) -> serde_json::Value {
    json!({
        "id": t.id,
        "number": t.number,
        "kind": t.kind.code(),
        "channel": t.channel.code(),
        "category": t.category.code(),
        "priority": t.priority.code(),
        "status": t.status.code(),
        "merchant_id": t.merchant_id,
        "terminal_id": t.terminal_id,
        "assignee_id": t.assignee_id,
        "team": t.team,
        "breached": t.breached,
        "version": t.version,
    })
}

struct Recipient {
    user: String,
    email: String,
    locale: String,
}

async fn recipients(c: &mut dyn Conn, t: &Ticket, audience: Audience) -> Result<Vec<Recipient>> {
    let rows = match audience {
        Audience::Merchant => {
            c.query(
                "SELECT id, email, locale FROM users WHERE tenant_id = $1 AND merchant_id = $2 \
                 AND role = $3 AND status = 'active' AND email IS NOT NULL ORDER BY id",
                &[
                    t.tenant_id.into(),
                    t.merchant_id.into(),
                    Role::MerchantUser.code().into(),
                ],
            )
            .await?
        }
        Audience::Assignee => match t.assignee_id {
            None => Vec::new(),
            Some(u) => {
                c.query(
                    "SELECT id, email, locale FROM users WHERE id = $1 AND tenant_id = $2 \
                     AND status = 'active' AND email IS NOT NULL",
                    &[u.into(), t.tenant_id.into()],
                )
                .await?
            }
        },
        Audience::Supervisors => {
            c.query(
                "SELECT id, email, locale FROM users WHERE tenant_id = $1 AND role = $2 \
                 AND status = 'active' AND email IS NOT NULL ORDER BY id",
                &[t.tenant_id.into(), Role::Supervisor.code().into()],
            )
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            Ok(Recipient {
                user: r.text(0)?,
                email: r.text(1)?,
                locale: r.text(2)?,
            })
        })
        .collect()
}

/// Active webhook endpoints of the provider with the events they subscribe to.
async fn subscribers(c: &mut dyn Conn, t: &Ticket) -> Result<Vec<(String, String)>> {
    let rows = c
        .query(
            "SELECT id, events FROM webhooks WHERE tenant_id = $1 AND active = 1",
            &[t.tenant_id.into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect()
}

/// What a webhook receives of a change's extra facts: everything but the one-time feedback
/// link's secret (meant for the merchant's e-mail only).
fn webhook_detail(extra: &serde_json::Value) -> serde_json::Value {
    let mut d = extra.clone();
    if let Some(o) = d.as_object_mut() {
        o.remove("feedback_token");
    }
    d
}

/// Puts the webhook events and e-mail notices for `told` (in order) into the outbox. `t` is
/// the ticket as the change left it.
pub async fn publish(c: &mut dyn Conn, ctx: &Ctx, t: &Ticket, told: &[Told]) -> Result<()> {
    if told.is_empty() {
        return Ok(());
    }
    let endpoints = subscribers(c, t).await?;
    let ticket = summary(t);
    // Several escalations in one change notify the same people: look each audience up once.
    let mut audiences: std::collections::HashMap<Audience, Vec<Recipient>> =
        std::collections::HashMap::new();
    for (i, item) in told.iter().enumerate() {
        let o = &item.occurrence;
        let event = o.webhook_event();
        let event_id = format!("ticket:{}:v{}:{event}:{i}", t.id, t.version);
        for (endpoint, events) in &endpoints {
            if !events.split(',').any(|e| e == "*" || e == event) {
                continue;
            }
            jobs::enqueue(
                c,
                &NewJob {
                    id: format!("{event_id}:{endpoint}"),
                    tenant: Some(t.tenant_id),
                    kind: "webhook".into(),
                    payload: json!({
                        "webhook_id": endpoint,
                        "event": event,
                        "event_id": event_id,
                        "at": ctx.now,
                        "data": {"ticket": ticket, "detail": webhook_detail(&item.extra)},
                    }),
                    run_at: ctx.now,
                    max_attempts: 8,
                },
                ctx.now,
            )
            .await?;
        }
        for n in o.notices(t.assignee_id.is_some()) {
            if let std::collections::hash_map::Entry::Vacant(e) = audiences.entry(n.audience) {
                e.insert(recipients(c, t, n.audience).await?);
            }
            for r in audiences.get(&n.audience).into_iter().flatten() {
                if r.user == ctx.actor.id && !n.to_actor {
                    continue;
                }
                let mut params = json!({
                    "number": t.number,
                    "subject": t.subject,
                    "tag": posdesk_core::mail::format_ticket_tag(&t.number).unwrap_or_default(),
                    "status": t.status.code(),
                    "priority": t.priority.code(),
                });
                if let (Some(p), Some(extra)) = (params.as_object_mut(), item.extra.as_object()) {
                    for (k, v) in extra {
                        p.insert(k.clone(), v.clone());
                    }
                }
                // The notice's Message-ID is known to the gateway before it is sent: a reply
                // whose client dropped the subject tag still threads by In-Reply-To.
                let message_id = format!(
                    "ticket.{}.v{}.{i}.{}@posdesk.notice",
                    t.id, t.version, r.user
                );
                c.execute_deferred(
                    "INSERT INTO mail_messages (tenant_id, message_id, ticket_id, direction, created_at) \
                     VALUES ($1, $2, $3, 'out', $4) ON CONFLICT (tenant_id, message_id) DO NOTHING",
                    &[
                        t.tenant_id.into(),
                        message_id.as_str().into(),
                        t.id.into(),
                        ctx.now.into(),
                    ],
                )
                .await?;
                jobs::enqueue(
                    c,
                    &NewJob {
                        id: format!("email:{event_id}:{}", r.user),
                        tenant: Some(t.tenant_id),
                        kind: "email".into(),
                        payload: json!({
                            "to": r.email,
                            "template": n.template,
                            "locale": r.locale,
                            "params": params,
                            "message_id": message_id,
                        }),
                        run_at: ctx.now,
                        max_attempts: 8,
                    },
                    ctx.now,
                )
                .await?;
            }
        }
    }
    Ok(())
}
