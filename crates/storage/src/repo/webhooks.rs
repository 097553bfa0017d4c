//! Outgoing webhook endpoints of a provider. Events are fanned out to matching endpoints as
//! `webhook` jobs inside the transaction that caused them (the outbox).

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{TenantId, WebhookId};
use posdesk_core::text::WebhookUrl;
use serde::Serialize;

use crate::repo::jobs::{self, NewJob};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, parse_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub tenant_id: TenantId,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: Timestamp,
    pub version: i64,
}

const COLS: &str = "id, tenant_id, url, events, active, created_at, version";

fn to_webhook(r: &Row) -> Result<Webhook> {
    Ok(Webhook {
        id: parse_id(r, 0, WebhookId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        url: r.text(2)?,
        events: r
            .text(3)?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        active: r.bool(4)?,
        created_at: r.ts(5)?,
        version: r.int(6)?,
    })
}

pub async fn list(c: &mut dyn Conn, scope: &Scope) -> Result<Vec<Webhook>> {
    let (cond, params) = super::scope_filter(scope, "tenant_id", None, 1);
    let rows = c
        .query(
            &format!("SELECT {COLS} FROM webhooks WHERE {cond} ORDER BY created_at DESC, id DESC"),
            &params,
        )
        .await?;
    rows.iter().map(to_webhook).collect()
}

/// URL and signing secret for delivery (system use by the job runner).
pub async fn target(c: &mut dyn Conn, id: WebhookId) -> Result<Option<(String, String, bool)>> {
    let row = c
        .query_opt(
            "SELECT url, secret, active FROM webhooks WHERE id = $1",
            &[id.into()],
        )
        .await?;
    row.map(|r| Ok((r.text(0)?, r.text(1)?, r.bool(2)?)))
        .transpose()
}

/// Fans an event out to the tenant's active endpoints subscribed to it (or to `*`).
pub async fn emit(
    c: &mut dyn Conn,
    tenant: TenantId,
    event: &str,
    data: &serde_json::Value,
    event_id: &str,
    now: Timestamp,
) -> Result<usize> {
    let rows = c
        .query(
            "SELECT id, events FROM webhooks WHERE tenant_id = $1 AND active = 1",
            &[tenant.into()],
        )
        .await?;
    let mut n = 0;
    for r in rows {
        let id = r.text(0)?;
        let events = r.text(1)?;
        if !events.split(',').any(|e| e == "*" || e == event) {
            continue;
        }
        let job = NewJob {
            id: format!("{event_id}:{id}"),
            tenant: Some(tenant),
            kind: "webhook".into(),
            payload: serde_json::json!({"webhook_id": id, "event": event, "event_id": event_id, "at": now, "data": data}),
            run_at: now,
            max_attempts: 8,
        };
        jobs::enqueue(c, &job, now).await?;
        n += 1;
    }
    Ok(n)
}

pub struct CreateWebhook {
    pub id: WebhookId,
    pub tenant: TenantId,
    pub url: WebhookUrl,
    pub events: Vec<String>,
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Created {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// Shown once, at creation.
    pub secret: String,
}

impl Mutation for CreateWebhook {
    type Output = Created;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Created>>> {
        Box::pin(async move {
            c.execute(
                "INSERT INTO webhooks (id, tenant_id, url, secret, events, active, created_at, version) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6, 1)",
                &[
                    self.id.into(),
                    self.tenant.into(),
                    self.url.as_str().into(),
                    self.secret.as_str().into(),
                    self.events.join(",").into(),
                    ctx.now.into(),
                ],
            )
            .await?;
            let r = c
                .query_one(
                    &format!("SELECT {COLS} FROM webhooks WHERE id = $1"),
                    &[self.id.into()],
                )
                .await?;
            let w = to_webhook(&r)?;
            let audit = vec![AuditDraft::created(Some(w.tenant_id), "webhook", w.id, &w)];
            Ok(Applied::new(
                Created {
                    webhook: w,
                    secret: self.secret.clone(),
                },
                audit,
            ))
        })
    }
}

/// Deactivates an endpoint (kept for the record; deliveries stop).
pub struct DeactivateWebhook {
    pub scope: Scope,
    pub id: WebhookId,
}

impl Mutation for DeactivateWebhook {
    type Output = Webhook;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Webhook>>> {
        Box::pin(async move {
            let (cond, mut params) = super::scope_filter(&self.scope, "tenant_id", None, 2);
            params.insert(0, self.id.into());
            let r = c
                .query_one(
                    &format!("SELECT {COLS} FROM webhooks WHERE id = $1 AND {cond}"),
                    &params,
                )
                .await?;
            let before = to_webhook(&r)?;
            if !before.active {
                return Err(Error::Rejected("the webhook is already inactive".into()));
            }
            let n = c
                .execute(
                    "UPDATE webhooks SET active = 0, version = version + 1 WHERE id = $1 AND active = 1",
                    &[self.id.into()],
                )
                .await?;
            super::updated_one(n, before.version)?;
            let after = Webhook {
                active: false,
                version: before.version + 1,
                ..before.clone()
            };
            let _ = ctx;
            let audit = vec![AuditDraft::changed(
                Some(after.tenant_id),
                "webhook",
                after.id,
                "deactivate",
                &before,
                &after,
            )];
            Ok(Applied::new(after, audit))
        })
    }
}
