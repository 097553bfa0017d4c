//! The caller's own account: profile, password, second factor. Needs only `SelfRead`.

use posdesk_core::authz::Permission;
use posdesk_core::text::NewPassword;
use posdesk_storage::repo::users::{self, SetPassword, SetTotp, User};

use super::Ctx;
use crate::auth::{password, totp};
use crate::error::{ApiError, ApiResult};

pub async fn me(ctx: &Ctx<'_>) -> ApiResult<User> {
    ctx.authorize(Permission::SelfRead)?;
    let id = ctx.principal.user_id();
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { users::get_self(c, id).await }))
        .await?)
}

pub async fn change_password(
    ctx: &Ctx<'_>,
    current: String,
    new: NewPassword,
    keep_session: Option<String>,
) -> ApiResult<User> {
    let scope = ctx.authorize(Permission::SelfRead)?;
    let id = ctx.principal.user_id();
    let creds = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { users::credentials_by_id(c, id).await }))
        .await?;
    if !password::verify(current, creds.password_hash).await {
        return Err(ApiError::invalid(
            "current_password",
            posdesk_core::Rule::Invalid {
                reason: "does not match",
            },
        ));
    }
    let hash = password::hash(new.expose().to_owned()).await?;
    let m = SetPassword {
        scope,
        id,
        password_hash: hash,
        keep_session,
        action: "change_password",
    };
    ctx.write(ctx.meta(), m).await
}

/// Turns on TOTP after the user proved they hold `secret` by entering a current code.
pub async fn enable_totp(ctx: &Ctx<'_>, secret: String, code: &str) -> ApiResult<User> {
    ctx.authorize(Permission::SelfRead)?;
    if !ctx.principal.role().may_enroll_totp() {
        return Err(ApiError::Forbidden(
            "only staff accounts use a second factor".into(),
        ));
    }
    if !totp::check(&secret, code) {
        return Err(ApiError::invalid(
            "code",
            posdesk_core::Rule::Invalid {
                reason: "wrong or expired code",
            },
        ));
    }
    ctx.write(
        ctx.meta(),
        SetTotp {
            id: ctx.principal.user_id(),
            secret: Some(secret),
        },
    )
    .await
}

pub async fn disable_totp(ctx: &Ctx<'_>, code: &str) -> ApiResult<User> {
    ctx.authorize(Permission::SelfRead)?;
    let id = ctx.principal.user_id();
    let creds = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { users::credentials_by_id(c, id).await }))
        .await?;
    let secret = creds.totp_secret.ok_or_else(|| ApiError::Conflict {
        detail: "TOTP is not enabled".into(),
        field: None,
    })?;
    if !totp::check(&secret, code) {
        return Err(ApiError::invalid(
            "code",
            posdesk_core::Rule::Invalid {
                reason: "wrong or expired code",
            },
        ));
    }
    ctx.write(ctx.meta(), SetTotp { id, secret: None }).await
}
