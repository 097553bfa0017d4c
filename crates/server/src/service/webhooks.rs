use posdesk_core::authz::Permission;
use posdesk_core::ids::WebhookId;
use posdesk_core::text::WebhookUrl;
use posdesk_storage::repo::webhooks::{self, CreateWebhook, Created, DeactivateWebhook, Webhook};

use super::{Ctx, new_uuid};
use crate::auth::secret::random_token;
use crate::error::{ApiError, ApiResult};

/// Events a webhook may subscribe to (`*` for all): announcements and every ticket event
/// (`posdesk_core::ticket::WEBHOOK_EVENTS`).
pub fn events() -> Vec<&'static str> {
    let mut all = vec!["*", "announcement.published"];
    all.extend_from_slice(posdesk_core::ticket::WEBHOOK_EVENTS);
    all
}

pub async fn create(ctx: &Ctx<'_>, url: WebhookUrl, events: Vec<String>) -> ApiResult<Created> {
    let scope = ctx.authorize(Permission::WebhookManage)?;
    let tenant = scope
        .tenant()
        .ok_or_else(|| ApiError::Forbidden("no provider".into()))?;
    if events.is_empty() {
        return Err(ApiError::invalid("events", posdesk_core::Rule::Required));
    }
    let allowed = self::events();
    if events.iter().any(|e| !allowed.contains(&e.as_str())) {
        return Err(ApiError::invalid(
            "events",
            posdesk_core::Rule::OneOf { allowed },
        ));
    }
    let m = CreateWebhook {
        id: WebhookId::from_uuid(new_uuid()),
        tenant,
        url,
        events,
        secret: format!("whsec_{}", random_token()),
    };
    ctx.write(ctx.meta(), m).await
}

pub async fn list(ctx: &Ctx<'_>) -> ApiResult<Vec<Webhook>> {
    let scope = ctx.authorize(Permission::WebhookManage)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { webhooks::list(c, &scope).await }))
        .await?)
}

pub async fn deactivate(ctx: &Ctx<'_>, id: WebhookId) -> ApiResult<Webhook> {
    let scope = ctx.authorize(Permission::WebhookManage)?;
    ctx.write(ctx.meta(), DeactivateWebhook { scope, id }).await
}
