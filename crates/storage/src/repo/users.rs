//! User accounts of every role. Password hashes and TOTP secrets never leave this module except
//! through `find_credentials`, which only the authentication service calls.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::{Principal, Role, Scope};
use posdesk_core::ids::{MerchantId, TenantId, TerminalId, UserId};
use posdesk_core::lifecycle::{AccountEvent, AccountStatus};
use posdesk_core::page::{Cursor, Page, PageRequest};
use posdesk_core::text::{DisplayName, Email, Login};
use posdesk_core::{FieldError, Rule};
use serde::Serialize;

use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id, parse_opt_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct User {
    pub id: UserId,
    pub tenant_id: Option<TenantId>,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub merchant_id: Option<MerchantId>,
    pub terminal_id: Option<TerminalId>,
    pub locale: String,
    pub status: AccountStatus,
    pub totp_enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl User {
    /// The acting identity of this account (fails only if stored bindings are inconsistent).
    pub fn principal(&self) -> Result<Principal> {
        self.principal_as(self.role)
    }
    /// The identity with a narrower role (API tokens scoped to a role).
    pub fn principal_as(&self, role: Role) -> Result<Principal> {
        Principal::new(
            self.id,
            role,
            self.tenant_id,
            self.merchant_id,
            self.terminal_id,
        )
        .map_err(|e| Error::Backend(format!("user {}: {e}", self.id)))
    }
}

pub(crate) const COLS: &str = "id, tenant_id, login, display_name, email, role, merchant_id, terminal_id, locale, status, \
                    totp_secret IS NOT NULL, created_at, updated_at, version";

pub(crate) fn to_user(r: &Row) -> Result<User> {
    let role = r.text(5)?;
    let status = r.text(9)?;
    Ok(User {
        id: parse_id(r, 0, UserId::parse)?,
        tenant_id: parse_opt_id(r, 1, TenantId::parse)?,
        login: r.text(2)?,
        display_name: r.text(3)?,
        email: r.opt_text(4)?,
        role: Role::parse("role", &role)
            .map_err(|_| Error::Backend(format!("stored role {role}")))?,
        merchant_id: parse_opt_id(r, 6, MerchantId::parse)?,
        terminal_id: parse_opt_id(r, 7, TerminalId::parse)?,
        locale: r.text(8)?,
        status: AccountStatus::from_code(&status)
            .ok_or_else(|| Error::Backend(format!("stored status {status}")))?,
        totp_enabled: r.bool(10)?,
        created_at: r.ts(11)?,
        updated_at: r.ts(12)?,
        version: r.int(13)?,
    })
}

/// Users a scope may see: the platform sees all; a provider its own; nobody else any.
fn user_scope(scope: &Scope, first: usize) -> (String, Vec<Value>) {
    match scope {
        Scope::Platform => ("1 = 1".into(), vec![]),
        Scope::Tenant(t) => (format!("tenant_id = ${first}"), vec![(*t).into()]),
        _ => ("1 = 0".into(), vec![]),
    }
}

pub async fn get(c: &mut dyn Conn, scope: &Scope, id: UserId) -> Result<User> {
    let (cond, mut params) = user_scope(scope, 2);
    params.insert(0, id.into());
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM users WHERE id = $1 AND {cond}"),
            &params,
        )
        .await?;
    to_user(&r)
}

/// The account itself, for `/me` and session checks (no scope: it is the caller's own record).
pub async fn get_self(c: &mut dyn Conn, id: UserId) -> Result<User> {
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM users WHERE id = $1"),
            &[id.into()],
        )
        .await?;
    to_user(&r)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub tenant: Option<TenantId>,
    pub role: Option<Role>,
}

pub async fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &Filter,
    page: &PageRequest,
) -> Result<Page<User>> {
    let (cond, mut params) = user_scope(scope, 1);
    let mut sql = format!("SELECT {COLS} FROM users WHERE {cond}");
    if let Some(t) = f.tenant {
        params.push(t.into());
        sql.push_str(&format!(" AND tenant_id = ${}", params.len()));
    }
    if let Some(r) = f.role {
        params.push(r.code().into());
        sql.push_str(&format!(" AND role = ${}", params.len()));
    }
    let (after, p2) = super::after_clause(&page.after, "created_at", "id", params.len() + 1);
    params.extend(p2);
    sql.push_str(&format!(
        "{after} ORDER BY created_at DESC, id DESC LIMIT {}",
        page.limit + 1
    ));
    let rows = c.query(&sql, &params).await?;
    let items = rows.iter().map(to_user).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |u| Cursor {
        at: u.created_at.millis(),
        id: u.id.to_string(),
    }))
}

/// What authentication needs: the account and its secrets. Deliberately unscoped (login names
/// are unique across the instance); only the auth service calls it.
pub struct Credentials {
    pub user: User,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
}

pub async fn find_credentials(c: &mut dyn Conn, login: &str) -> Result<Option<Credentials>> {
    let row = c
        .query_opt(
            &format!("SELECT {COLS}, password_hash, totp_secret FROM users WHERE login = $1"),
            &[login.to_ascii_lowercase().into()],
        )
        .await?;
    row.map(|r| {
        Ok(Credentials {
            user: to_user(&r)?,
            password_hash: r.opt_text(14)?,
            totp_secret: r.opt_text(15)?,
        })
    })
    .transpose()
}

pub async fn credentials_by_id(c: &mut dyn Conn, id: UserId) -> Result<Credentials> {
    let r = c
        .query_one(
            &format!("SELECT {COLS}, password_hash, totp_secret FROM users WHERE id = $1"),
            &[id.into()],
        )
        .await?;
    Ok(Credentials {
        user: to_user(&r)?,
        password_hash: r.opt_text(14)?,
        totp_secret: r.opt_text(15)?,
    })
}

fn invalid(field: &str, reason: &'static str) -> Error {
    Error::Invalid(FieldError::new(field, Rule::Invalid { reason }))
}

pub struct CreateUser {
    pub id: UserId,
    /// The creator's scope: a provider admin creates users in their own provider only.
    pub scope: Scope,
    pub tenant: Option<TenantId>,
    pub login: Login,
    pub display_name: DisplayName,
    pub email: Option<Email>,
    pub role: Role,
    pub merchant: Option<MerchantId>,
    pub terminal: Option<TerminalId>,
    pub password_hash: Option<String>,
    pub locale: String,
}

impl Mutation for CreateUser {
    type Output = User;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<User>>> {
        Box::pin(async move {
            match (&self.scope, self.tenant) {
                (Scope::Platform, _) => {}
                (Scope::Tenant(t), Some(target)) if *t == target => {
                    if self.role == Role::PlatformAdmin {
                        return Err(invalid(
                            "role",
                            "only the platform can create platform admins",
                        ));
                    }
                }
                _ => return Err(Error::NotFound),
            }
            Principal::new(
                self.id,
                self.role,
                self.tenant,
                self.merchant,
                self.terminal,
            )
            .map_err(|e| {
                Error::Invalid(FieldError::new(
                    match e {
                        posdesk_core::authz::BindingError::MerchantBinding => "merchant_id",
                        posdesk_core::authz::BindingError::TerminalBinding => "terminal_id",
                        _ => "provider_id",
                    },
                    Rule::Invalid {
                        reason: "does not fit the role",
                    },
                ))
            })?;
            if let Some(t) = self.tenant {
                super::providers::get(c, &Scope::Platform, t)
                    .await
                    .map_err(|_| invalid("provider_id", "no such provider"))?;
                if let Some(m) = self.merchant {
                    super::merchants::get(c, &Scope::system(t), m)
                        .await
                        .map_err(|_| invalid("merchant_id", "no such merchant at this provider"))?;
                }
                if let Some(term) = self.terminal {
                    super::terminals::get(c, &Scope::system(t), term)
                        .await
                        .map_err(|_| invalid("terminal_id", "no such terminal at this provider"))?;
                }
            }
            c.execute(
                "INSERT INTO users (id, tenant_id, login, display_name, email, role, merchant_id, terminal_id, \
                 password_hash, totp_secret, locale, status, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, 'active', $11, $11, 1)",
                &[
                    self.id.into(),
                    self.tenant.into(),
                    self.login.as_str().into(),
                    self.display_name.as_str().into(),
                    self.email.as_ref().map(|e| e.as_str()).into(),
                    self.role.code().into(),
                    self.merchant.into(),
                    self.terminal.into(),
                    self.password_hash.clone().into(),
                    self.locale.as_str().into(),
                    ctx.now.into(),
                ],
            )
            .await?;
            let u = get_self(c, self.id).await?;
            let audit = vec![AuditDraft::created(u.tenant_id, "user", u.id, &u)];
            Ok(Applied::new(u, audit))
        })
    }
}

/// Edits profile fields; `expected_version` guards against lost updates.
pub struct UpdateUser {
    pub scope: Scope,
    pub id: UserId,
    pub expected_version: Option<i64>,
    pub display_name: Option<DisplayName>,
    pub email: Option<Option<Email>>,
    pub locale: Option<String>,
}

impl Mutation for UpdateUser {
    type Output = User;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<User>>> {
        Box::pin(async move {
            let before = get(c, &self.scope, self.id).await?;
            super::check_version(self.expected_version, before.version)?;
            let name = self
                .display_name
                .as_ref()
                .map_or(before.display_name.clone(), |d| d.to_string());
            let email = match &self.email {
                Some(e) => e.as_ref().map(|e| e.as_str().to_owned()),
                None => before.email.clone(),
            };
            let locale = self.locale.clone().unwrap_or_else(|| before.locale.clone());
            let n = c
                .execute(
                    "UPDATE users SET display_name = $2, email = $3, locale = $4, updated_at = $5, version = version + 1 \
                     WHERE id = $1 AND version = $6",
                    &[self.id.into(), name.into(), email.into(), locale.into(), ctx.now.into(), Value::Int(before.version)],
                )
                .await?;
            super::updated_one(n, before.version)?;
            let after = get_self(c, self.id).await?;
            let audit = vec![AuditDraft::changed(
                after.tenant_id,
                "user",
                after.id,
                "update",
                &before,
                &after,
            )];
            Ok(Applied::new(after, audit))
        })
    }
}

/// Disables or re-enables an account; disabling ends its sessions and revokes its tokens.
pub struct ChangeStatus {
    pub scope: Scope,
    pub id: UserId,
    pub expected_version: Option<i64>,
    pub event: AccountEvent,
}

impl Mutation for ChangeStatus {
    type Output = User;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<User>>> {
        Box::pin(async move {
            let before = get(c, &self.scope, self.id).await?;
            super::check_version(self.expected_version, before.version)?;
            let next = before.status.transition(self.event)?;
            let n = c
                .execute(
                    "UPDATE users SET status = $2, updated_at = $3, version = version + 1 WHERE id = $1 AND version = $4",
                    &[self.id.into(), next.code().into(), ctx.now.into(), Value::Int(before.version)],
                )
                .await?;
            super::updated_one(n, before.version)?;
            if next == AccountStatus::Disabled {
                c.execute("DELETE FROM sessions WHERE user_id = $1", &[self.id.into()])
                    .await?;
                c.execute(
                    "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                    &[self.id.into(), ctx.now.into()],
                )
                .await?;
            }
            let after = get_self(c, self.id).await?;
            let action = match self.event {
                AccountEvent::Disable => "disable",
                AccountEvent::Enable => "enable",
            };
            let audit = vec![AuditDraft::changed(
                after.tenant_id,
                "user",
                after.id,
                action,
                &before,
                &after,
            )];
            Ok(Applied::new(after, audit))
        })
    }
}

/// Sets a new password hash (an admin's reset or the user's own change) and ends other sessions.
pub struct SetPassword {
    pub scope: Scope,
    pub id: UserId,
    pub password_hash: String,
    /// The session to keep (the user's own, when they change their password).
    pub keep_session: Option<String>,
    pub action: &'static str,
}

impl Mutation for SetPassword {
    type Output = User;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<User>>> {
        Box::pin(async move {
            let before = match &self.scope {
                Scope::Tenant(_) | Scope::Platform => get(c, &self.scope, self.id).await?,
                _ => get_self(c, self.id).await?,
            };
            let n = c
                .execute(
                    "UPDATE users SET password_hash = $2, updated_at = $3, version = version + 1 WHERE id = $1 AND version = $4",
                    &[self.id.into(), self.password_hash.as_str().into(), ctx.now.into(), Value::Int(before.version)],
                )
                .await?;
            super::updated_one(n, before.version)?;
            c.execute(
                "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2",
                &[
                    self.id.into(),
                    self.keep_session.clone().unwrap_or_default().into(),
                ],
            )
            .await?;
            let after = get_self(c, self.id).await?;
            let audit = vec![AuditDraft::changed(
                after.tenant_id,
                "user",
                after.id,
                self.action,
                serde_json::json!({"version": before.version}),
                serde_json::json!({"version": after.version, "password": "changed"}),
            )];
            Ok(Applied::new(after, audit))
        })
    }
}

/// Enrols or removes the user's own TOTP second factor.
pub struct SetTotp {
    pub id: UserId,
    pub secret: Option<String>,
}

impl Mutation for SetTotp {
    type Output = User;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<User>>> {
        Box::pin(async move {
            let before = get_self(c, self.id).await?;
            if !before.role.may_enroll_totp() {
                return Err(invalid("totp", "only staff accounts use a second factor"));
            }
            let n = c
                .execute(
                    "UPDATE users SET totp_secret = $2, updated_at = $3, version = version + 1 WHERE id = $1 AND version = $4",
                    &[self.id.into(), self.secret.clone().into(), ctx.now.into(), Value::Int(before.version)],
                )
                .await?;
            super::updated_one(n, before.version)?;
            let after = get_self(c, self.id).await?;
            let action = if self.secret.is_some() {
                "enable_totp"
            } else {
                "disable_totp"
            };
            let audit = vec![AuditDraft::changed(
                after.tenant_id,
                "user",
                after.id,
                action,
                &before,
                &after,
            )];
            Ok(Applied::new(after, audit))
        })
    }
}
