use posdesk_core::authz::{Permission, Role, Scope};
use posdesk_core::ids::{MerchantId, TenantId, TerminalId, UserId};
use posdesk_core::lifecycle::AccountEvent;
use posdesk_core::page::{Page, PageRequest};
use posdesk_core::text::{DisplayName, Email, Login, NewPassword};
use posdesk_storage::repo::jobs::NewJob;
use posdesk_storage::repo::users::{
    self, ChangeStatus, CreateUser, Filter, SetPassword, UpdateUser, User,
};

use super::{Ctx, new_uuid};
use crate::auth::password;
use crate::error::{ApiError, ApiResult};

pub struct NewUser {
    /// Required for the platform admin; a provider admin creates users in their own provider.
    pub provider: Option<TenantId>,
    pub login: Login,
    pub display_name: DisplayName,
    pub email: Option<Email>,
    pub role: Role,
    pub merchant: Option<MerchantId>,
    pub terminal: Option<TerminalId>,
    pub password: Option<NewPassword>,
    pub locale: crate::i18n::Locale,
}

/// An e-mail notice through the outbox, rendered in the recipient's language when sent.
pub fn email_job(
    tenant: Option<TenantId>,
    to: &str,
    template: &str,
    locale: &str,
    params: serde_json::Value,
) -> NewJob {
    NewJob {
        id: format!("email:{}", new_uuid()),
        tenant,
        kind: "email".into(),
        payload: serde_json::json!({"to": to, "template": template, "locale": locale, "params": params}),
        run_at: posdesk_storage::now(),
        max_attempts: 8,
    }
}

pub async fn create(ctx: &Ctx<'_>, u: NewUser) -> ApiResult<User> {
    let scope = ctx.authorize(Permission::UserManage)?;
    let tenant = match (&scope, u.provider) {
        (Scope::Platform, None) if u.role != Role::PlatformAdmin => {
            return Err(ApiError::invalid(
                "provider_id",
                posdesk_core::Rule::Required,
            ));
        }
        (Scope::Platform, p) => p,
        (s, None) => s.tenant(),
        (s, Some(p)) if s.tenant() == Some(p) => Some(p),
        // Another provider's id: answer as if it did not exist.
        (_, Some(_)) => return Err(ApiError::NotFound),
    };
    let password_hash = match u.password {
        Some(p) => Some(password::hash(p.expose().to_owned()).await?),
        None => None,
    };
    let mut meta = ctx.meta();
    let notify = u.email.is_some();
    if let Some(email) = &u.email {
        meta = meta.with_outbox(email_job(
            tenant,
            email.as_str(),
            "welcome",
            u.locale.code(),
            serde_json::json!({"name": u.display_name.as_str(), "login": u.login.as_str()}),
        ));
    }
    let m = CreateUser {
        id: UserId::from_uuid(new_uuid()),
        scope,
        tenant,
        login: u.login,
        display_name: u.display_name,
        email: u.email,
        role: u.role,
        merchant: u.merchant,
        terminal: u.terminal,
        password_hash,
        locale: u.locale.code().to_owned(),
    };
    let out = ctx.write(meta, m).await?;
    if notify {
        ctx.state.jobs_wakeup.notify_one();
    }
    Ok(out)
}

pub async fn list(ctx: &Ctx<'_>, filter: Filter, page: PageRequest) -> ApiResult<Page<User>> {
    let scope = ctx.authorize(Permission::UserRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { users::list(c, &scope, &filter, &page).await }))
        .await?)
}

pub async fn get(ctx: &Ctx<'_>, id: UserId) -> ApiResult<User> {
    let scope = ctx.authorize(Permission::UserRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { users::get(c, &scope, id).await }))
        .await?)
}

pub struct Patch {
    pub display_name: Option<DisplayName>,
    pub email: Option<Option<Email>>,
    pub locale: Option<crate::i18n::Locale>,
}

pub async fn update(ctx: &Ctx<'_>, id: UserId, version: Option<i64>, p: Patch) -> ApiResult<User> {
    let scope = ctx.authorize(Permission::UserManage)?;
    let m = UpdateUser {
        scope,
        id,
        expected_version: version,
        display_name: p.display_name,
        email: p.email,
        locale: p.locale.map(|l| l.code().to_owned()),
    };
    ctx.write(ctx.meta(), m).await
}

pub async fn set_status(
    ctx: &Ctx<'_>,
    id: UserId,
    version: Option<i64>,
    event: AccountEvent,
) -> ApiResult<User> {
    let scope = ctx.authorize(Permission::UserManage)?;
    if id == ctx.principal.user_id() && event == AccountEvent::Disable {
        return Err(ApiError::Conflict {
            detail: "you cannot disable your own account".into(),
            field: None,
        });
    }
    let out = ctx
        .write(
            ctx.meta(),
            ChangeStatus {
                scope,
                id,
                expected_version: version,
                event,
            },
        )
        .await?;
    ctx.state.token_cache.forget_user(id);
    Ok(out)
}

/// An administrator sets a new password; the user's sessions end and they are told by e-mail.
pub async fn reset_password(ctx: &Ctx<'_>, id: UserId, new: NewPassword) -> ApiResult<User> {
    let scope = ctx.authorize(Permission::UserManage)?;
    let target = get(ctx, id).await?;
    let hash = password::hash(new.expose().to_owned()).await?;
    let mut meta = ctx.meta();
    let notify = target.email.is_some();
    if let Some(email) = &target.email {
        meta = meta.with_outbox(email_job(
            target.tenant_id,
            email,
            "password-reset",
            &target.locale,
            serde_json::json!({"name": target.display_name, "login": target.login}),
        ));
    }
    let out = ctx
        .write(
            meta,
            SetPassword {
                scope,
                id,
                password_hash: hash,
                keep_session: None,
                action: "reset_password",
            },
        )
        .await?;
    ctx.state.token_cache.forget_user(id);
    if notify {
        ctx.state.jobs_wakeup.notify_one();
    }
    Ok(out)
}
