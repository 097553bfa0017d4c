use posdesk_core::Timestamp;
use posdesk_core::authz::{Permission, Role};
use posdesk_core::ids::TokenId;
use posdesk_core::text::Label;
use posdesk_storage::repo::tokens::{self, ApiToken, CreateToken, RevokeToken};
use serde::Serialize;

use super::{Ctx, new_uuid};
use crate::auth::secret::new_api_token;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Serialize)]
pub struct Issued {
    #[serde(flatten)]
    pub token: ApiToken,
    /// The bearer secret, shown once.
    pub secret: String,
}

/// Issues a token for the caller, carrying `role` (default: the caller's own) for `days`.
pub async fn issue(
    ctx: &Ctx<'_>,
    name: Label,
    role: Option<Role>,
    days: Option<i64>,
) -> ApiResult<Issued> {
    ctx.authorize(Permission::TokenManage)?;
    issue_for(
        ctx,
        ctx.principal.user_id(),
        name,
        role.unwrap_or(ctx.principal.role()),
        days,
    )
    .await
}

/// Issues without a permission check: for `posdesk admin issue-token` (the operator at the
/// console) and the caller's own tokens above.
pub async fn issue_for(
    ctx: &Ctx<'_>,
    user: posdesk_core::ids::UserId,
    name: Label,
    role: Role,
    days: Option<i64>,
) -> ApiResult<Issued> {
    if let Some(d) = days
        && !(1..=3650).contains(&d)
    {
        return Err(ApiError::invalid(
            "expires_in_days",
            posdesk_core::Rule::Range { min: 1, max: 3650 },
        ));
    }
    let (secret, prefix, hash) = new_api_token();
    let expires_at =
        days.map(|d| Timestamp::from_millis(posdesk_storage::now().millis() + d * 86_400_000));
    let m = CreateToken {
        id: TokenId::from_uuid(new_uuid()),
        user_id: user,
        role,
        name: name.into_inner(),
        token_hash: hash,
        prefix,
        expires_at,
    };
    let token = ctx.write(ctx.meta(), m).await?;
    Ok(Issued { token, secret })
}

/// The caller's own tokens, or with `all` (user managers) every token of their provider.
pub async fn list(ctx: &Ctx<'_>, all: bool) -> ApiResult<Vec<ApiToken>> {
    let scope = ctx.authorize(Permission::TokenManage)?;
    let owner = if all && ctx.principal.role().allows(Permission::UserManage) {
        None
    } else {
        Some(ctx.principal.user_id())
    };
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { tokens::list(c, &scope, owner).await }))
        .await?)
}

pub async fn revoke(ctx: &Ctx<'_>, id: TokenId) -> ApiResult<ApiToken> {
    let scope = ctx.authorize(Permission::TokenManage)?;
    let owner = if ctx.principal.role().allows(Permission::UserManage) {
        None
    } else {
        Some(ctx.principal.user_id())
    };
    let revoked = ctx
        .write(ctx.meta(), RevokeToken { scope, owner, id })
        .await?;
    ctx.state.token_cache.forget_user(revoked.user_id);
    Ok(revoked)
}
