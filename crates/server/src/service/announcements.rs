use posdesk_core::authz::Permission;
use posdesk_core::ids::{AnnouncementId, TenantId};
use posdesk_core::lifecycle::{AnnouncementEvent, AnnouncementStatus, Audience};
use posdesk_core::page::{Page, PageRequest};
use posdesk_core::text::{Body, Title};
use posdesk_storage::repo::announcements::{
    self, Announcement, CreateAnnouncement, TransitionAnnouncement, UpdateAnnouncement,
};

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};

pub struct NewAnnouncement {
    pub title: Title,
    pub body: Body,
    pub audience: Audience,
    pub publish: bool,
}

fn own_tenant(ctx: &Ctx<'_>, scope: &posdesk_core::authz::Scope) -> ApiResult<TenantId> {
    scope.tenant().ok_or_else(|| {
        ApiError::Forbidden(format!("{} has no provider", ctx.principal.role().code()))
    })
}

pub async fn create(ctx: &Ctx<'_>, a: NewAnnouncement) -> ApiResult<Announcement> {
    let scope = ctx.authorize(Permission::AnnouncementWrite)?;
    let tenant = own_tenant(ctx, &scope)?;
    let publish = a.publish;
    let m = CreateAnnouncement {
        id: AnnouncementId::from_uuid(new_uuid()),
        tenant,
        title: a.title,
        body: a.body,
        audience: a.audience,
        publish,
    };
    let out = ctx.write(ctx.meta(), m).await?;
    if publish {
        // Publishing may have queued webhook deliveries.
        ctx.state.jobs_wakeup.notify_one();
    }
    Ok(out)
}

pub async fn list(
    ctx: &Ctx<'_>,
    status: Option<AnnouncementStatus>,
    page: PageRequest,
) -> ApiResult<Page<Announcement>> {
    let scope = ctx.authorize(Permission::AnnouncementRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { announcements::list(c, &scope, status, &page).await }))
        .await?)
}

pub async fn get(ctx: &Ctx<'_>, id: AnnouncementId) -> ApiResult<Announcement> {
    let scope = ctx.authorize(Permission::AnnouncementRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { announcements::get(c, &scope, id).await }))
        .await?)
}

pub struct Patch {
    pub title: Option<Title>,
    pub body: Option<Body>,
    pub audience: Option<Audience>,
}

pub async fn update(
    ctx: &Ctx<'_>,
    id: AnnouncementId,
    version: Option<i64>,
    p: Patch,
) -> ApiResult<Announcement> {
    let scope = ctx.authorize(Permission::AnnouncementWrite)?;
    let m = UpdateAnnouncement {
        scope,
        id,
        expected_version: version,
        title: p.title,
        body: p.body,
        audience: p.audience,
    };
    ctx.write(ctx.meta(), m).await
}

pub async fn transition(
    ctx: &Ctx<'_>,
    id: AnnouncementId,
    version: Option<i64>,
    event: AnnouncementEvent,
) -> ApiResult<Announcement> {
    let scope = ctx.authorize(Permission::AnnouncementWrite)?;
    let out = ctx
        .write(
            ctx.meta(),
            TransitionAnnouncement {
                scope,
                id,
                expected_version: version,
                event,
            },
        )
        .await?;
    ctx.state.jobs_wakeup.notify_one();
    Ok(out)
}
