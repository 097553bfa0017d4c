//! API bearer tokens: stored as SHA-256 of the secret, scoped to a role no wider than their
//! owner's, optionally expiring, revocable.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::{Role, Scope};
use posdesk_core::ids::{TenantId, TokenId, UserId};
use posdesk_core::{FieldError, Rule};
use serde::Serialize;

use crate::repo::users::{self, User};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id, parse_opt_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub tenant_id: Option<TenantId>,
    pub user_id: UserId,
    pub role: Role,
    pub name: String,
    pub prefix: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

const COLS: &str =
    "id, tenant_id, user_id, role, name, prefix, created_at, expires_at, revoked_at, last_used_at";

fn to_token(r: &Row) -> Result<ApiToken> {
    let role = r.text(3)?;
    Ok(ApiToken {
        id: parse_id(r, 0, TokenId::parse)?,
        tenant_id: parse_opt_id(r, 1, TenantId::parse)?,
        user_id: parse_id(r, 2, UserId::parse)?,
        role: Role::parse("role", &role)
            .map_err(|_| Error::Backend(format!("stored role {role}")))?,
        name: r.text(4)?,
        prefix: r.text(5)?,
        created_at: r.ts(6)?,
        expires_at: r.opt_ts(7)?,
        revoked_at: r.opt_ts(8)?,
        last_used_at: r.opt_ts(9)?,
    })
}

/// A usable token and its owner: not revoked, not expired, owner active.
pub async fn find_usable(
    c: &mut dyn Conn,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<(ApiToken, User)>> {
    let row = c
        .query_opt(
            &format!(
                "SELECT {COLS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL \
                 AND (expires_at IS NULL OR expires_at > $2)"
            ),
            &[token_hash.into(), now.into()],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let t = to_token(&r)?;
    let u = users::get_self(c, t.user_id).await?;
    Ok(Some((t, u)))
}

/// Tokens the caller may see: their own, or (with `all_in_scope`) every token in their scope.
pub async fn list(c: &mut dyn Conn, scope: &Scope, owner: Option<UserId>) -> Result<Vec<ApiToken>> {
    let (cond, mut params) = match scope {
        Scope::Platform => ("1 = 1".to_owned(), vec![]),
        Scope::Tenant(t)
        | Scope::Merchant { tenant: t, .. }
        | Scope::Terminal { tenant: t, .. } => ("tenant_id = $1".to_owned(), vec![Value::from(*t)]),
    };
    let mut sql = format!("SELECT {COLS} FROM api_tokens WHERE {cond}");
    if let Some(o) = owner {
        params.push(o.into());
        sql.push_str(&format!(" AND user_id = ${}", params.len()));
    }
    sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT 500");
    c.query(&sql, &params).await?.iter().map(to_token).collect()
}

pub struct CreateToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub role: Role,
    pub name: String,
    pub token_hash: String,
    pub prefix: String,
    pub expires_at: Option<Timestamp>,
}

impl Mutation for CreateToken {
    type Output = ApiToken;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<ApiToken>>> {
        Box::pin(async move {
            let owner = users::get_self(c, self.user_id).await?;
            if !owner.role.may_delegate_to(self.role) {
                return Err(Error::Invalid(FieldError::new(
                    "role",
                    Rule::Invalid {
                        reason: "a token cannot carry more rights than its owner",
                    },
                )));
            }
            if owner.status != posdesk_core::lifecycle::AccountStatus::Active {
                return Err(Error::Rejected("the account is disabled".into()));
            }
            c.execute(
                &format!("INSERT INTO api_tokens ({COLS}, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, $9)"),
                &[
                    self.id.into(),
                    owner.tenant_id.into(),
                    self.user_id.into(),
                    self.role.code().into(),
                    self.name.as_str().into(),
                    self.prefix.as_str().into(),
                    ctx.now.into(),
                    self.expires_at.into(),
                    self.token_hash.as_str().into(),
                ],
            )
            .await?;
            let r = c
                .query_one(
                    &format!("SELECT {COLS} FROM api_tokens WHERE id = $1"),
                    &[self.id.into()],
                )
                .await?;
            let t = to_token(&r)?;
            let audit = vec![AuditDraft::created(t.tenant_id, "api_token", t.id, &t)];
            Ok(Applied::new(t, audit))
        })
    }
}

/// Revokes a token. `owner` limits it to the caller's own tokens; `None` lets a manager revoke
/// any token in scope.
pub struct RevokeToken {
    pub scope: Scope,
    pub owner: Option<UserId>,
    pub id: TokenId,
}

impl Mutation for RevokeToken {
    type Output = ApiToken;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<ApiToken>>> {
        Box::pin(async move {
            let r = c
                .query_one(
                    &format!("SELECT {COLS} FROM api_tokens WHERE id = $1"),
                    &[self.id.into()],
                )
                .await?;
            let before = to_token(&r)?;
            let in_scope = match self.scope {
                Scope::Platform => true,
                s => s.tenant().is_some() && s.tenant() == before.tenant_id,
            };
            if !in_scope || self.owner.is_some_and(|o| o != before.user_id) {
                return Err(Error::NotFound);
            }
            if before.revoked_at.is_some() {
                return Err(Error::Rejected("the token is already revoked".into()));
            }
            let n = c
                .execute(
                    "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    &[self.id.into(), ctx.now.into()],
                )
                .await?;
            if n != 1 {
                return Err(Error::Rejected("the token is already revoked".into()));
            }
            let after = ApiToken {
                revoked_at: Some(ctx.now),
                ..before.clone()
            };
            let audit = vec![AuditDraft::changed(
                after.tenant_id,
                "api_token",
                after.id,
                "revoke",
                &before,
                &after,
            )];
            Ok(Applied::new(after, audit))
        })
    }
}

/// Records use (technical, unaudited); the auth layer calls it at most once a minute per token.
pub struct MarkUsed {
    pub id: TokenId,
}

impl Mutation for MarkUsed {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
                &[self.id.into(), ctx.now.into()],
            )
            .await?;
            Ok(Applied::unaudited(()))
        })
    }
}
