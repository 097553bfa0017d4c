use posdesk_core::audit::StoredEvent;
use posdesk_core::authz::Permission;
use posdesk_core::page::{Page, PageRequest};
use posdesk_storage::repo::audit::{self, Filter};

use super::Ctx;
use crate::error::ApiResult;

pub async fn list(
    ctx: &Ctx<'_>,
    filter: Filter,
    page: PageRequest,
) -> ApiResult<Page<StoredEvent>> {
    let scope = ctx.authorize(Permission::AuditRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { audit::list(c, &scope, &filter, &page).await }))
        .await?)
}
