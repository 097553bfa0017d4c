//! Merchants and terminals: reads, a terminal's status transitions and its history.

use posdesk_core::authz::Permission;
use posdesk_core::ids::{MerchantId, TerminalId};
use posdesk_core::page::{Page, PageRequest};
use posdesk_storage::repo::merchants::{self, Merchant};
use posdesk_storage::repo::terminals::{self, Terminal};

use super::Ctx;
use crate::error::{ApiError, ApiResult};

/// A merchant as the caller may see it: the owner's resident ID in full only where
/// `registry::shows_full_id` allows (the decision is the core's), masked otherwise.
fn present(ctx: &Ctx<'_>, m: Merchant) -> Merchant {
    if posdesk_core::registry::merchant::shows_full_id(ctx.principal, m.tenant_id, m.id) {
        m
    } else {
        merchants::audit_view(&m)
    }
}

pub async fn merchants(ctx: &Ctx<'_>, page: PageRequest) -> ApiResult<Page<Merchant>> {
    let scope = ctx.authorize(Permission::MerchantRead)?;
    let mut p = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { merchants::list(c, &scope, &page).await }))
        .await?;
    p.items = p.items.into_iter().map(|m| present(ctx, m)).collect();
    Ok(p)
}

pub async fn merchant(ctx: &Ctx<'_>, id: MerchantId) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantRead)?;
    let m = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { merchants::get(c, &scope, id).await }))
        .await?;
    Ok(present(ctx, m))
}

/// Registers a merchant (status `pending` until onboarding completes).
pub async fn create_merchant(ctx: &Ctx<'_>, m: merchants::CreateMerchant) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let m = merchants::CreateMerchant { tenant, ..m };
    let created = ctx.write(ctx.meta(), m).await?;
    Ok(present(ctx, created))
}

/// Moves a merchant through its status machine.
pub async fn transition_merchant(
    ctx: &Ctx<'_>,
    id: MerchantId,
    event: posdesk_core::registry::MerchantEvent,
    if_match: Option<i64>,
) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let m = ctx
        .write(
            ctx.meta(),
            merchants::TransitionMerchant {
                tenant,
                id,
                event,
                expected_version: if_match,
            },
        )
        .await?;
    Ok(present(ctx, m))
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

/// Moves a terminal through its status machine (binding it to the merchant with `mid` on
/// `install` and `lend`). `if_match` is the version read.
pub async fn transition_terminal(
    ctx: &Ctx<'_>,
    id: TerminalId,
    event: posdesk_core::registry::TerminalEvent,
    mid: Option<posdesk_core::registry::Mid>,
    if_match: Option<i64>,
) -> ApiResult<Terminal> {
    let scope = ctx.authorize(Permission::TerminalManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    ctx.write(
        ctx.meta(),
        terminals::TransitionTerminal {
            tenant,
            id,
            event,
            mid: mid.map(|m| m.as_str().to_owned()),
            expected_version: if_match,
        },
    )
    .await
}

/// A terminal's history from the audit trail (newest first): creation, imports, every status
/// change and binding. Visible to whoever may see the terminal.
pub async fn terminal_history(
    ctx: &Ctx<'_>,
    id: TerminalId,
    page: PageRequest,
) -> ApiResult<Page<posdesk_core::audit::StoredEvent>> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let t = terminals::get(c, &scope, id).await?;
                let filter = posdesk_storage::repo::audit::Filter {
                    entity_type: Some("terminal".into()),
                    entity_id: Some(id.to_string()),
                    ..Default::default()
                };
                posdesk_storage::repo::audit::list(
                    c,
                    &posdesk_core::authz::Scope::Tenant(t.tenant_id),
                    &filter,
                    &page,
                )
                .await
            })
        })
        .await?)
}
