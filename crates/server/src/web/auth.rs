//! Signing in and out, the second factor, and the language switch.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use posdesk_core::lifecycle::AccountStatus;

use super::kit::{
    Chrome, CsrfForm, LANG_COOKIE, Query, SameSite, Web, link, safe_next, set_cookie,
};
use super::session;
use crate::auth::login::{self, LoginError};
use crate::error::ApiError;
use crate::i18n::Locale;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    login: String,
    next: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    c: Chrome,
    next: String,
    error: Option<String>,
}

fn login_page_with(
    web: &Web,
    status: StatusCode,
    login: &str,
    next: &str,
    error: Option<String>,
) -> Response {
    let tpl = LoginPage {
        c: web.chrome(None, web.tr.t("login-title")),
        login: login.to_owned(),
        next: next.to_owned(),
        error,
    };
    web.render(status, &tpl)
}

pub async fn login_page(State(state): State<AppState>, web: Web, Query(q): Query) -> Response {
    let next = safe_next(q.opt("next"));
    if let Some(cookie) = &web.session_cookie
        && let Ok(Some((s, u))) = session::find(&state, cookie).await
        && u.status == AccountStatus::Active
    {
        return web.redirect(if s.second_factor_pending {
            "/login/totp"
        } else {
            next.as_str()
        });
    }
    login_page_with(&web, StatusCode::OK, "", &next, None)
}

pub async fn login_submit(
    State(state): State<AppState>,
    web: Web,
    CsrfForm(f): CsrfForm,
) -> Response {
    let name = f.get("login").trim().to_owned();
    let next = safe_next(f.opt("next"));
    match login::login(
        &state,
        &name,
        f.get("password").to_owned(),
        web.ip.clone(),
        &web.request_id,
    )
    .await
    {
        Ok(s) => {
            if let Some(old) = &web.session_cookie {
                login::logout(&state, old, &web.request_id).await;
            }
            let target = if s.needs_second_factor {
                link("/login/totp", &[("next", next.as_str())])
            } else {
                next
            };
            let mut res = web.redirect(&target);
            res.headers_mut().append(
                header::SET_COOKIE,
                session::cookie_header(&s.cookie, &state),
            );
            res
        }
        Err(LoginError::Invalid) => login_page_with(
            &web,
            StatusCode::UNAUTHORIZED,
            &name,
            &next,
            Some(web.tr.t("login-failed")),
        ),
        Err(LoginError::Throttled) => login_page_with(
            &web,
            StatusCode::TOO_MANY_REQUESTS,
            &name,
            &next,
            Some(web.tr.t("login-throttled")),
        ),
        Err(LoginError::Internal(e)) => web.fail(None, &ApiError::Internal(e)),
    }
}

fn totp_page_with(web: &Web, status: StatusCode, next: &str, error: Option<String>) -> Response {
    let tpl = TotpPage {
        c: web.chrome(None, web.tr.t("totp-title")),
        next: next.to_owned(),
        error,
    };
    web.render(status, &tpl)
}

pub async fn totp_page(State(state): State<AppState>, web: Web, Query(q): Query) -> Response {
    let next = safe_next(q.opt("next"));
    let Some(cookie) = &web.session_cookie else {
        return web.redirect("/login");
    };
    match session::find(&state, cookie).await {
        Ok(Some((s, _))) if s.second_factor_pending => {
            totp_page_with(&web, StatusCode::OK, &next, None)
        }
        Ok(Some(_)) => web.redirect(&next),
        Ok(None) => web.redirect("/login"),
        Err(e) => web.fail(None, &e),
    }
}

pub async fn totp_submit(
    State(state): State<AppState>,
    web: Web,
    CsrfForm(f): CsrfForm,
) -> Response {
    let next = safe_next(f.opt("next"));
    let Some(cookie) = &web.session_cookie else {
        return web.redirect("/login");
    };
    match login::second_factor(&state, cookie, f.get("code"), &web.request_id).await {
        Ok(()) => web.redirect(&next),
        Err(LoginError::Invalid) => totp_page_with(
            &web,
            StatusCode::UNAUTHORIZED,
            &next,
            Some(web.tr.t("totp-failed")),
        ),
        Err(LoginError::Throttled) => totp_page_with(
            &web,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            Some(web.tr.t("login-throttled")),
        ),
        Err(LoginError::Internal(e)) => web.fail(None, &ApiError::Internal(e)),
    }
}

pub async fn logout(State(state): State<AppState>, web: Web, CsrfForm(_): CsrfForm) -> Response {
    if let Some(cookie) = &web.session_cookie {
        login::logout(&state, cookie, &web.request_id).await;
    }
    let mut res = web.redirect_flash("/login", super::kit::Flash::LoggedOut);
    res.headers_mut()
        .append(header::SET_COOKIE, session::clear_cookie_header(&state));
    res
}

/// Sets the `posdesk_lang` cookie and returns to the page the switch was on.
pub async fn set_lang(State(state): State<AppState>, web: Web, CsrfForm(f): CsrfForm) -> Response {
    let next = safe_next(f.opt("next"));
    let Ok(locale) = Locale::parse("lang", f.get("lang")) else {
        return web.redirect(&next);
    };
    let mut res = web.redirect(&next);
    let year = 365 * 86_400;
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            locale.code(),
            SameSite::Lax,
            Some(year),
            state.config.secure_cookies,
        ),
    );
    res
}
