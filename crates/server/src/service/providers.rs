use posdesk_core::authz::{Permission, Scope};
use posdesk_core::ids::TenantId;
use posdesk_core::text::{DisplayName, Label};
use posdesk_storage::repo::providers::{self, CreateProvider, Provider};

use super::{Ctx, new_uuid};
use crate::error::ApiResult;

pub struct NewProvider {
    pub name: DisplayName,
    pub short_name: Label,
    pub uscc: Option<String>,
    pub hotline: Option<String>,
}

pub async fn create(ctx: &Ctx<'_>, p: NewProvider) -> ApiResult<Provider> {
    ctx.authorize(Permission::ProviderCreate)?;
    let m = CreateProvider {
        id: TenantId::from_uuid(new_uuid()),
        name: p.name,
        short_name: p.short_name,
        uscc: p.uscc,
        hotline: p.hotline,
    };
    ctx.write(ctx.meta(), m).await
}

pub async fn list(ctx: &Ctx<'_>) -> ApiResult<Vec<Provider>> {
    let scope = ctx.authorize(Permission::ProviderRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { providers::list(c, &scope).await }))
        .await?)
}

pub async fn get(ctx: &Ctx<'_>, id: TenantId) -> ApiResult<Provider> {
    let scope: Scope = ctx.authorize(Permission::ProviderRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { providers::get(c, &scope, id).await }))
        .await?)
}
