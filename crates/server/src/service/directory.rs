//! Read access to merchants and terminals (the registry issue adds their write side).

use posdesk_core::authz::Permission;
use posdesk_core::ids::{MerchantId, TerminalId};
use posdesk_core::page::{Page, PageRequest};
use posdesk_storage::repo::merchants::{self, Merchant};
use posdesk_storage::repo::terminals::{self, Terminal};

use super::Ctx;
use crate::error::ApiResult;

pub async fn merchants(ctx: &Ctx<'_>, page: PageRequest) -> ApiResult<Page<Merchant>> {
    let scope = ctx.authorize(Permission::MerchantRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { merchants::list(c, &scope, &page).await }))
        .await?)
}

pub async fn merchant(ctx: &Ctx<'_>, id: MerchantId) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { merchants::get(c, &scope, id).await }))
        .await?)
}

pub async fn terminals(ctx: &Ctx<'_>, page: PageRequest) -> ApiResult<Page<Terminal>> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { terminals::list(c, &scope, &page).await }))
        .await?)
}

pub async fn terminal(ctx: &Ctx<'_>, id: TerminalId) -> ApiResult<Terminal> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { terminals::get(c, &scope, id).await }))
        .await?)
}
