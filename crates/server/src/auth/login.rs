//! Password login for the web UI, with throttling per account and per client address (counted
//! in the database, so it holds across several servers) and one generic failure message that
//! does not reveal whether an account exists.

use posdesk_storage::repo::{sessions, throttle, users};
use posdesk_storage::{Actor, WriteMeta};

use super::{password, secret, totp};
use crate::state::AppState;

/// Failures allowed per account within the window before further attempts are refused.
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
/// Failures allowed per client address within the window.
pub const MAX_IP_FAILURES: i64 = 30;
pub const WINDOW_MS: i64 = 15 * 60_000;

#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Wrong login or password, disabled account, or an account that cannot use the web UI.
    Invalid,
    /// Too many recent failures for this account or address.
    Throttled,
    Internal(String),
}

/// A new session: the cookie value (secret) and its CSRF token.
#[derive(Debug)]
pub struct NewSession {
    pub cookie: String,
    pub csrf: String,
    pub needs_second_factor: bool,
}

fn meta(request_id: &str) -> WriteMeta {
    WriteMeta::new(Actor::system("login"), request_id)
}

fn keys(login: &str, ip: Option<&str>) -> (String, Option<String>) {
    (
        format!("acct:{}", login.trim().to_ascii_lowercase()),
        ip.map(|i| format!("ip:{i}")),
    )
}

pub async fn login(
    state: &AppState,
    login: &str,
    password_input: String,
    ip: Option<String>,
    request_id: &str,
) -> Result<NewSession, LoginError> {
    let (acct_key, ip_key) = keys(login, ip.as_deref());
    let now = posdesk_storage::now();
    let (ak, ik) = (acct_key.clone(), ip_key.clone());
    let (acct_fail, ip_fail) = state
        .store
        .read(move |c| {
            Box::pin(async move {
                let a = throttle::failures(c, &ak, now, WINDOW_MS).await?;
                let i = match &ik {
                    Some(k) => throttle::failures(c, k, now, WINDOW_MS).await?,
                    None => 0,
                };
                Ok((a, i))
            })
        })
        .await
        .map_err(|e| LoginError::Internal(e.to_string()))?;
    if acct_fail >= MAX_ACCOUNT_FAILURES || ip_fail >= MAX_IP_FAILURES {
        return Err(LoginError::Throttled);
    }

    let login_owned = login.trim().to_owned();
    let creds = state
        .store
        .read(move |c| Box::pin(async move { users::find_credentials(c, &login_owned).await }))
        .await
        .map_err(|e| LoginError::Internal(e.to_string()))?;
    let stored_hash = creds.as_ref().and_then(|c| c.password_hash.clone());
    let password_ok = password::verify(password_input, stored_hash).await;
    let usable = creds.as_ref().filter(|c| {
        password_ok
            && c.user.status == posdesk_core::lifecycle::AccountStatus::Active
            && c.user.role.can_use_web()
            && c.user.principal().is_ok()
    });
    let Some(creds) = usable else {
        let keys: Vec<String> = std::iter::once(acct_key).chain(ip_key).collect();
        state
            .store
            .write(
                meta(request_id),
                throttle::RecordFailure {
                    keys,
                    window_ms: WINDOW_MS,
                },
            )
            .await
            .map_err(|e| LoginError::Internal(e.to_string()))?;
        return Err(LoginError::Invalid);
    };

    state
        .store
        .write(meta(request_id), throttle::Clear { key: acct_key })
        .await
        .map_err(|e| LoginError::Internal(e.to_string()))?;
    let cookie = secret::random_token();
    let csrf = secret::random_token();
    let needs_second_factor = creds.totp_secret.is_some();
    let actor = Actor::user(creds.user.id, creds.user.role.code());
    state
        .store
        .write(
            WriteMeta::new(actor, request_id),
            sessions::CreateSession {
                id_hash: secret::sha256_hex(&cookie),
                user_id: creds.user.id,
                csrf_token: csrf.clone(),
                second_factor_pending: needs_second_factor,
                ttl_ms: state.config.session_ttl_ms,
                ip,
            },
        )
        .await
        .map_err(|e| LoginError::Internal(e.to_string()))?;
    Ok(NewSession {
        cookie,
        csrf,
        needs_second_factor,
    })
}

/// Completes a login that waits for a TOTP code. Wrong codes count as failures of the account.
pub async fn second_factor(
    state: &AppState,
    cookie: &str,
    code: &str,
    request_id: &str,
) -> Result<(), LoginError> {
    let id_hash = secret::sha256_hex(cookie);
    let now = posdesk_storage::now();
    let h = id_hash.clone();
    let found = state
        .store
        .read(move |c| {
            Box::pin(async move {
                let Some((s, u)) = sessions::find_live(c, &h, now).await? else {
                    return Ok(None);
                };
                let creds = users::credentials_by_id(c, u.id).await?;
                let fails =
                    throttle::failures(c, &format!("acct:{}", u.login), now, WINDOW_MS).await?;
                Ok(Some((s, u, creds.totp_secret, fails)))
            })
        })
        .await
        .map_err(|e| LoginError::Internal(e.to_string()))?;
    let Some((session, user, Some(secret_b32), fails)) = found else {
        return Err(LoginError::Invalid);
    };
    if !session.second_factor_pending {
        return Ok(());
    }
    if fails >= MAX_ACCOUNT_FAILURES {
        return Err(LoginError::Throttled);
    }
    if !totp::check(&secret_b32, code) {
        state
            .store
            .write(
                meta(request_id),
                throttle::RecordFailure {
                    keys: vec![format!("acct:{}", user.login)],
                    window_ms: WINDOW_MS,
                },
            )
            .await
            .map_err(|e| LoginError::Internal(e.to_string()))?;
        return Err(LoginError::Invalid);
    }
    state
        .store
        .write(
            WriteMeta::new(Actor::user(user.id, user.role.code()), request_id),
            sessions::CompleteSecondFactor { id_hash },
        )
        .await
        .map_err(|e| LoginError::Internal(e.to_string()))?;
    Ok(())
}

pub async fn logout(state: &AppState, cookie: &str, request_id: &str) {
    let id_hash = secret::sha256_hex(cookie);
    if let Err(e) = state
        .store
        .write(meta(request_id), sessions::EndSession { id_hash })
        .await
    {
        tracing::warn!(error = %e, "logout");
    }
}
