//! What happens to a ticket, told to the outside: every [`Occurrence`] becomes a webhook event
//! for the provider's subscribed endpoints and the e-mail notices the core asks for
//! ([`Occurrence::notices`]), both as outbox jobs inside the transaction of the change. Who the
//! audiences are is resolved here (active users with an e-mail address); the person who caused
//! the change is not told about it, except by a receipt (`Notice::to_actor`). Job ids are derived from the ticket, its version and the
//! occurrence's position, so a re-run batch never enqueues twice. Each notice's Message-ID is
//! recorded in `mail_messages` (direction `out`), so a reply threads by In-Reply-To too.

use std::collections::HashMap;

use posdesk_core::authz::Role;
use posdesk_core::ids::{MerchantId, TenantId, UserId};
use posdesk_core::ticket::{Audience, Occurrence};
use serde_json::json;

use super::jobs::{self, NewJob};
use super::tickets::Ticket;
use crate::{Conn, Ctx, Result, Row, Value};

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

/// One look-up a notice may need: the provider's webhook endpoints, or one audience's people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lookup {
    Endpoints,
    /// The merchant's active users with an e-mail address.
    Merchant(MerchantId),
    /// One staff member (a ticket's assignee), if active with an e-mail address.
    Assignee(UserId),
    /// The provider's active supervisors with an e-mail address.
    Supervisors,
}

/// Who a provider's ticket notices go to, looked up once and reused: by every occurrence of a
/// change, and by every ticket of a scan chunk (one provider, one transaction). A caller may
/// fill it ahead with [`Targets::query`] run pipelined with its own reads (`Conn::query_all`);
/// whatever is missing when a notice needs it is read then.
pub struct Targets {
    tenant: TenantId,
    endpoints: Option<Vec<(String, String)>>,
    people: HashMap<Lookup, Vec<Recipient>>,
}

impl Targets {
    pub fn new(tenant: TenantId) -> Self {
        Self {
            tenant,
            endpoints: None,
            people: HashMap::new(),
        }
    }

    /// The statement that answers `l` (rows for [`Targets::fill`]).
    pub fn query(&self, l: Lookup) -> (&'static str, Vec<Value>) {
        let tenant: Value = self.tenant.into();
        match l {
            Lookup::Endpoints => (
                "SELECT id, events FROM webhooks WHERE tenant_id = $1 AND active = 1",
                vec![tenant],
            ),
            Lookup::Merchant(m) => (
                recipient_sql::MERCHANT,
                vec![tenant, m.into(), Role::MerchantUser.code().into()],
            ),
            Lookup::Assignee(u) => (recipient_sql::ASSIGNEE, vec![u.into(), tenant]),
            Lookup::Supervisors => (
                recipient_sql::SUPERVISORS,
                vec![tenant, Role::Supervisor.code().into()],
            ),
        }
    }

    /// Keeps the answer to `l`.
    pub fn fill(&mut self, l: Lookup, rows: &[Row]) -> Result<()> {
        match l {
            Lookup::Endpoints => {
                self.endpoints = Some(
                    rows.iter()
                        .map(|r| Ok((r.text(0)?, r.text(1)?)))
                        .collect::<Result<_>>()?,
                );
            }
            l => {
                let people = rows
                    .iter()
                    .map(|r| {
                        Ok(Recipient {
                            user: r.text(0)?,
                            email: r.text(1)?,
                            locale: r.text(2)?,
                        })
                    })
                    .collect::<Result<_>>()?;
                self.people.insert(l, people);
            }
        }
        Ok(())
    }

    /// Those of `ls` not known yet.
    pub fn missing(&self, ls: &[Lookup]) -> Vec<Lookup> {
        ls.iter().copied().filter(|l| !self.has(*l)).collect()
    }

    fn has(&self, l: Lookup) -> bool {
        match l {
            Lookup::Endpoints => self.endpoints.is_some(),
            l => self.people.contains_key(&l),
        }
    }

    /// Reads `l` unless it is known.
    async fn ensure(&mut self, c: &mut dyn Conn, l: Lookup) -> Result<()> {
        if !self.has(l) {
            let (sql, params) = self.query(l);
            let rows = c.query(sql, &params).await?;
            self.fill(l, &rows)?;
        }
        Ok(())
    }
}

/// The recipient queries (one text each, so each is prepared once).
mod recipient_sql {
    pub(super) const MERCHANT: &str = "SELECT id, email, locale FROM users WHERE tenant_id = $1 AND merchant_id = $2 \
         AND role = $3 AND status = 'active' AND email IS NOT NULL ORDER BY id";
    pub(super) const ASSIGNEE: &str = "SELECT id, email, locale FROM users WHERE id = $1 AND tenant_id = $2 \
         AND status = 'active' AND email IS NOT NULL";
    pub(super) const SUPERVISORS: &str = "SELECT id, email, locale FROM users WHERE tenant_id = $1 AND role = $2 \
         AND status = 'active' AND email IS NOT NULL ORDER BY id";
}

/// Which look-up an audience of `t` is (`None`: an unassigned ticket's assignee, nobody).
fn lookup_of(t: &Ticket, audience: Audience) -> Option<Lookup> {
    match audience {
        Audience::Merchant => Some(Lookup::Merchant(t.merchant_id)),
        Audience::Assignee => t.assignee_id.map(Lookup::Assignee),
        Audience::Supervisors => Some(Lookup::Supervisors),
    }
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
    publish_to(c, ctx, t, told, &mut Targets::new(t.tenant_id)).await
}

/// [`publish`] with the look-ups kept in `targets` (the provider's, filled ahead or not).
pub async fn publish_to(
    c: &mut dyn Conn,
    ctx: &Ctx,
    t: &Ticket,
    told: &[Told],
    targets: &mut Targets,
) -> Result<()> {
    if told.is_empty() {
        return Ok(());
    }
    if targets.tenant != t.tenant_id {
        return Err(crate::Error::Backend(
            "notice targets of another provider".into(),
        ));
    }
    targets.ensure(c, Lookup::Endpoints).await?;
    let endpoints = targets.endpoints.take().unwrap_or_default();
    let result = publish_each(c, ctx, t, told, &endpoints, targets).await;
    targets.endpoints = Some(endpoints);
    result
}

async fn publish_each(
    c: &mut dyn Conn,
    ctx: &Ctx,
    t: &Ticket,
    told: &[Told],
    endpoints: &[(String, String)],
    targets: &mut Targets,
) -> Result<()> {
    let ticket = summary(t);
    for (i, item) in told.iter().enumerate() {
        let o = &item.occurrence;
        let event = o.webhook_event();
        let event_id = format!("ticket:{}:v{}:{event}:{i}", t.id, t.version);
        for (endpoint, events) in endpoints {
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
            let Some(lookup) = lookup_of(t, n.audience) else {
                continue;
            };
            targets.ensure(c, lookup).await?;
            for r in targets.people.get(&lookup).into_iter().flatten() {
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
