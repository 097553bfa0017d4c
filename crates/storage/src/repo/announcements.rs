//! Provider announcements (服务公告): maintenance windows, fee changes, holiday service hours.
//! Staff with the right permission draft, edit, publish and archive them; merchant users see the
//! published ones addressed to merchants. Publishing emits an `announcement.published` event.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{AnnouncementId, TenantId};
use posdesk_core::lifecycle::{AnnouncementEvent, AnnouncementStatus, Audience};
use posdesk_core::page::{Cursor, Page, PageRequest};
use posdesk_core::text::{Body, Title};
use serde::Serialize;

use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Announcement {
    pub id: AnnouncementId,
    pub tenant_id: TenantId,
    pub title: String,
    pub body: String,
    pub audience: Audience,
    pub status: AnnouncementStatus,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub published_at: Option<Timestamp>,
    pub version: i64,
}

const COLS: &str = "id, tenant_id, title, body, audience, status, created_by, created_at, updated_at, published_at, version";

fn to_announcement(r: &Row) -> Result<Announcement> {
    let audience = r.text(4)?;
    let status = r.text(5)?;
    Ok(Announcement {
        id: parse_id(r, 0, AnnouncementId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        title: r.text(2)?,
        body: r.text(3)?,
        audience: Audience::from_code(&audience)
            .ok_or_else(|| Error::Backend(format!("audience {audience}")))?,
        status: AnnouncementStatus::from_code(&status)
            .ok_or_else(|| Error::Backend(format!("status {status}")))?,
        created_by: r.text(6)?,
        created_at: r.ts(7)?,
        updated_at: r.ts(8)?,
        published_at: r.opt_ts(9)?,
        version: r.int(10)?,
    })
}

/// Staff see their provider's announcements; merchant users only published ones for merchants.
fn visible(scope: &Scope, first: usize) -> (String, Vec<Value>) {
    match scope {
        Scope::Tenant(t) => (format!("tenant_id = ${first}"), vec![(*t).into()]),
        Scope::Merchant { tenant, .. } => (
            format!("tenant_id = ${first} AND audience = 'merchants' AND status = 'published'"),
            vec![(*tenant).into()],
        ),
        Scope::Platform | Scope::Terminal { .. } => ("1 = 0".into(), vec![]),
    }
}

pub async fn get(c: &mut dyn Conn, scope: &Scope, id: AnnouncementId) -> Result<Announcement> {
    let (cond, mut params) = visible(scope, 2);
    params.insert(0, id.into());
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM announcements WHERE id = $1 AND {cond}"),
            &params,
        )
        .await?;
    to_announcement(&r)
}

pub async fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    status: Option<AnnouncementStatus>,
    page: &PageRequest,
) -> Result<Page<Announcement>> {
    let (cond, mut params) = visible(scope, 1);
    let mut sql = format!("SELECT {COLS} FROM announcements WHERE {cond}");
    if let Some(s) = status {
        params.push(s.code().into());
        sql.push_str(&format!(" AND status = ${}", params.len()));
    }
    let (after, p2) = super::after_clause(&page.after, "created_at", "id", params.len() + 1);
    params.extend(p2);
    sql.push_str(&format!(
        "{after} ORDER BY created_at DESC, id DESC LIMIT {}",
        page.limit + 1
    ));
    let rows = c.query(&sql, &params).await?;
    let items = rows
        .iter()
        .map(to_announcement)
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |a| Cursor {
        at: a.created_at.millis(),
        id: a.id.to_string(),
    }))
}

async fn published_event(c: &mut dyn Conn, a: &Announcement, ctx: &Ctx) -> Result<()> {
    let data = serde_json::json!({"id": a.id, "title": a.title, "audience": a.audience});
    super::webhooks::emit(
        c,
        a.tenant_id,
        "announcement.published",
        &data,
        &format!("{}:published", a.id),
        ctx.now,
    )
    .await
    .map(|_| ())
}

pub struct CreateAnnouncement {
    pub id: AnnouncementId,
    pub tenant: TenantId,
    pub title: Title,
    pub body: Body,
    pub audience: Audience,
    pub publish: bool,
}

impl Mutation for CreateAnnouncement {
    type Output = Announcement;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Announcement>>> {
        Box::pin(async move {
            let status = if self.publish {
                AnnouncementStatus::Published
            } else {
                AnnouncementStatus::Draft
            };
            let a = Announcement {
                id: self.id,
                tenant_id: self.tenant,
                title: self.title.to_string(),
                body: self.body.to_string(),
                audience: self.audience,
                status,
                created_by: ctx.actor.id.clone(),
                created_at: ctx.now,
                updated_at: ctx.now,
                published_at: self.publish.then_some(ctx.now),
                version: 1,
            };
            c.execute_deferred(
                &format!("INSERT INTO announcements ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
                &[
                    a.id.into(),
                    a.tenant_id.into(),
                    a.title.as_str().into(),
                    a.body.as_str().into(),
                    a.audience.code().into(),
                    a.status.code().into(),
                    a.created_by.as_str().into(),
                    a.created_at.into(),
                    a.updated_at.into(),
                    a.published_at.into(),
                    Value::Int(a.version),
                ],
            )
            .await?;
            if self.publish {
                published_event(c, &a, ctx).await?;
            }
            let audit = vec![AuditDraft::created(
                Some(a.tenant_id),
                "announcement",
                a.id,
                &a,
            )];
            Ok(Applied::new(a, audit))
        })
    }
}

pub struct UpdateAnnouncement {
    pub scope: Scope,
    pub id: AnnouncementId,
    pub expected_version: Option<i64>,
    pub title: Option<Title>,
    pub body: Option<Body>,
    pub audience: Option<Audience>,
}

impl Mutation for UpdateAnnouncement {
    type Output = Announcement;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Announcement>>> {
        Box::pin(async move {
            let before = get(c, &self.scope, self.id).await?;
            super::check_version(self.expected_version, before.version)?;
            if !before.status.editable() {
                return Err(Error::Rejected(
                    "an archived announcement cannot be edited".into(),
                ));
            }
            let after = Announcement {
                title: self
                    .title
                    .as_ref()
                    .map_or(before.title.clone(), |t| t.to_string()),
                body: self
                    .body
                    .as_ref()
                    .map_or(before.body.clone(), |b| b.to_string()),
                audience: self.audience.unwrap_or(before.audience),
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            let n = c
                .execute(
                    "UPDATE announcements SET title = $2, body = $3, audience = $4, updated_at = $5, version = $6 \
                     WHERE id = $1 AND version = $7",
                    &[
                        self.id.into(),
                        after.title.as_str().into(),
                        after.body.as_str().into(),
                        after.audience.code().into(),
                        ctx.now.into(),
                        Value::Int(after.version),
                        Value::Int(before.version),
                    ],
                )
                .await?;
            super::updated_one(n, before.version)?;
            let audit = vec![AuditDraft::changed(
                Some(after.tenant_id),
                "announcement",
                after.id,
                "update",
                &before,
                &after,
            )];
            Ok(Applied::new(after, audit))
        })
    }
}

pub struct TransitionAnnouncement {
    pub scope: Scope,
    pub id: AnnouncementId,
    pub expected_version: Option<i64>,
    pub event: AnnouncementEvent,
}

impl Mutation for TransitionAnnouncement {
    type Output = Announcement;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Announcement>>> {
        Box::pin(async move {
            let before = get(c, &self.scope, self.id).await?;
            super::check_version(self.expected_version, before.version)?;
            let status = before.status.transition(self.event)?;
            let published_at = if status == AnnouncementStatus::Published {
                Some(ctx.now)
            } else {
                before.published_at
            };
            let after = Announcement {
                status,
                published_at,
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            let n = c.execute(
                "UPDATE announcements SET status = $2, published_at = $3, updated_at = $4, version = $5 WHERE id = $1 AND version = $6",
                &[
                    self.id.into(),
                    status.code().into(),
                    published_at.into(),
                    ctx.now.into(),
                    Value::Int(after.version),
                    Value::Int(before.version),
                ],
            )
            .await?;
            super::updated_one(n, before.version)?;
            if status == AnnouncementStatus::Published {
                published_event(c, &after, ctx).await?;
            }
            let action = match self.event {
                AnnouncementEvent::Publish => "publish",
                AnnouncementEvent::Archive => "archive",
            };
            let audit = vec![AuditDraft::changed(
                Some(after.tenant_id),
                "announcement",
                after.id,
                action,
                &before,
                &after,
            )];
            Ok(Applied::new(after, audit))
        })
    }
}
