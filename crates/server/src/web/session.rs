//! The signed-in web user, from the `posdesk_session` cookie (HttpOnly, SameSite=Lax, Path=/,
//! Secure when configured). The cookie holds the session secret; the database keeps only its
//! SHA-256. A request without a live, fully authenticated session of an active web account is
//! redirected to `/login` (or to `/login/totp` while the second factor is pending).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use posdesk_core::authz::{Principal, Role};
use posdesk_core::lifecycle::AccountStatus;
use posdesk_storage::repo::sessions::{self, Session, TOUCH_EVERY_MS};
use posdesk_storage::repo::users::User;
use posdesk_storage::{Actor, WriteMeta};

use super::kit::{SameSite, Web, link, set_cookie};
use crate::auth::secret;
use crate::error::ApiError;
use crate::service::Ctx;
use crate::state::AppState;

pub const COOKIE: &str = "posdesk_session";

/// The `Set-Cookie` value for a new session.
pub fn cookie_header(value: &str, state: &AppState) -> HeaderValue {
    set_cookie(
        COOKIE,
        value,
        SameSite::Lax,
        Some(state.config.session_ttl_ms / 1000),
        state.config.secure_cookies,
    )
}

/// Deletes the session cookie.
pub fn clear_cookie_header(state: &AppState) -> HeaderValue {
    set_cookie(
        COOKIE,
        "",
        SameSite::Lax,
        Some(0),
        state.config.secure_cookies,
    )
}

#[derive(Debug, Clone)]
pub struct WebUser {
    pub user: User,
    pub principal: Principal,
    /// SHA-256 of the session cookie: the session's key in storage.
    pub session_hash: String,
    pub request_id: String,
}

impl WebUser {
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// The service context for this user's request.
    pub fn ctx<'a>(&'a self, state: &'a AppState) -> Ctx<'a> {
        Ctx::new(state, &self.principal, self.request_id.clone())
    }
}

/// The live session behind `cookie`, with its user.
pub async fn find(state: &AppState, cookie: &str) -> Result<Option<(Session, User)>, ApiError> {
    let hash = secret::sha256_hex(cookie);
    let now = posdesk_storage::now();
    Ok(state
        .store
        .read(move |c| Box::pin(async move { sessions::find_live(c, &hash, now).await }))
        .await?)
}

fn to_login(web: &Web, state: &AppState, clear: bool) -> Response {
    let target = if web.method_is_get && web.path != "/" {
        link("/login", &[("next", web.path.as_str())])
    } else {
        "/login".to_owned()
    };
    let mut res = web.redirect(&target);
    if clear {
        res.headers_mut()
            .append(header::SET_COOKIE, clear_cookie_header(state));
    }
    res
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let web = Web::from_parts(parts, state);
        let Some(cookie) = web.session_cookie.clone() else {
            return Err(to_login(&web, state, false));
        };
        let Some((session, user)) = find(state, &cookie).await.map_err(|e| web.fail(None, &e))?
        else {
            return Err(to_login(&web, state, true));
        };
        if session.second_factor_pending {
            return Err(web.redirect("/login/totp"));
        }
        if user.status != AccountStatus::Active || !user.role.can_use_web() {
            return Err(to_login(&web, state, true));
        }
        let principal = user.principal().map_err(|e| web.fail(None, &e.into()))?;
        // Page views keep the session alive; a POST writes nothing before its CSRF check (and
        // every successful POST is followed by the GET of its redirect).
        let now = posdesk_storage::now();
        if web.method_is_get && now.millis() - session.last_seen_at.millis() >= TOUCH_EVERY_MS {
            let meta = WriteMeta::new(Actor::system("session"), web.request_id.clone());
            if let Err(e) = state
                .store
                .write(
                    meta,
                    sessions::Touch {
                        id_hash: session.id_hash.clone(),
                    },
                )
                .await
            {
                tracing::warn!(error = %e, "refreshing a session");
            }
        }
        Ok(WebUser {
            user,
            principal,
            session_hash: session.id_hash,
            request_id: web.request_id,
        })
    }
}
