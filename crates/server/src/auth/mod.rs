//! Authentication: who is calling. API calls carry a bearer token; web pages a session cookie.
//! Both end in a `posdesk_core::authz::Principal`; what it may do is decided only by
//! `Principal::authorize`.

pub mod csrf;
pub mod login;
pub mod password;
pub mod secret;
pub mod totp;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use posdesk_core::authz::Principal;
use posdesk_storage::repo::tokens;
use posdesk_storage::repo::users::User;

use crate::error::ApiError;
use crate::state::AppState;

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub user: User,
    pub token_id: Option<String>,
    pub request_id: String,
}

pub fn request_id(parts: &Parts) -> String {
    parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::Unauthenticated)?;
        let raw = header.to_str().map_err(|_| ApiError::Unauthenticated)?;
        let token = raw
            .strip_prefix("Bearer ")
            .or_else(|| raw.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or(ApiError::Unauthenticated)?;
        let hash = secret::sha256_hex(token);
        let (tok, user) = match state.token_cache.get(&hash) {
            Some(hit) => hit,
            None => {
                let now = posdesk_storage::now();
                let h = hash.clone();
                let found = state
                    .store
                    .read(move |c| Box::pin(async move { tokens::find_usable(c, &h, now).await }))
                    .await?;
                let (tok, user) = found.ok_or(ApiError::Unauthenticated)?;
                state.token_cache.put(hash, tok.clone(), user.clone());
                (tok, user)
            }
        };
        if user.status != posdesk_core::lifecycle::AccountStatus::Active {
            return Err(ApiError::Unauthenticated);
        }
        let principal = user.principal_as(tok.role)?;
        touch_token(state, &tok);
        Ok(Caller {
            principal,
            user,
            token_id: Some(tok.id.to_string()),
            request_id: request_id(parts),
        })
    }
}

/// Records token use at most once a minute per token per process, off the request path.
fn touch_token(state: &AppState, tok: &tokens::ApiToken) {
    let key = tok.id.to_string();
    let due = {
        let Ok(mut map) = state.token_touched.lock() else {
            return;
        };
        let due = map.get(&key).is_none_or(|t| t.elapsed().as_secs() >= 60);
        if due {
            map.insert(key, std::time::Instant::now());
        }
        due
    };
    if due {
        let store = state.store.clone();
        let id = tok.id;
        tokio::spawn(async move {
            let meta = posdesk_storage::WriteMeta::new(
                posdesk_storage::Actor::system("auth"),
                "token-touch",
            );
            if let Err(e) = store.write(meta, tokens::MarkUsed { id }).await {
                tracing::warn!(error = %e, "recording token use");
            }
        });
    }
}

/// Recently verified tokens, so a busy API client does not cost a database read per request.
///
/// Entries live `TTL`; a revocation, a disabled account or a password reset made through this
/// process drops the user's entries at once. Another server process on the same PostgreSQL
/// database sees such a change within `TTL` (the documented bound on revocation latency), and
/// an expiring token is re-checked against its expiry on every hit.
#[derive(Default)]
pub struct TokenCache {
    map: std::sync::Mutex<
        std::collections::HashMap<String, (std::time::Instant, tokens::ApiToken, User)>,
    >,
}

impl TokenCache {
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(1);
    const MAX: usize = 10_000;

    fn get(&self, hash: &str) -> Option<(tokens::ApiToken, User)> {
        let map = self.map.lock().ok()?;
        let (at, tok, user) = map.get(hash)?;
        let now = posdesk_storage::now();
        if at.elapsed() >= Self::TTL || tok.expires_at.is_some_and(|e| e <= now) {
            return None;
        }
        Some((tok.clone(), user.clone()))
    }

    fn put(&self, hash: String, tok: tokens::ApiToken, user: User) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= Self::MAX {
                map.retain(|_, (at, _, _)| at.elapsed() < Self::TTL);
            }
            map.insert(hash, (std::time::Instant::now(), tok, user));
        }
    }

    /// Drops every cached token of `user` (after revocation, disabling, password change).
    pub fn forget_user(&self, user: posdesk_core::ids::UserId) {
        if let Ok(mut map) = self.map.lock() {
            map.retain(|_, (_, t, _)| t.user_id != user);
        }
    }
}
