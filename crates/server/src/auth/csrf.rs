//! CSRF protection for the web UI (double-submit): a random token lives in an HttpOnly,
//! SameSite=Strict cookie and in a hidden `_csrf` field of every form; a POST whose field does
//! not match the cookie, or whose `Origin` names another host, is refused. Session cookies are
//! SameSite=Lax on top of that. The JSON API takes bearer tokens only, so it needs no CSRF token.

use axum::http::HeaderMap;

pub const COOKIE: &str = "posdesk_csrf";
pub const FIELD: &str = "_csrf";

/// Whether a form POST is same-origin and carries the cookie's token.
pub fn valid(headers: &HeaderMap, cookie_token: Option<&str>, form_token: Option<&str>) -> bool {
    if let (Some(origin), Some(host)) = (
        headers.get("origin").and_then(|v| v.to_str().ok()),
        headers.get("host").and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split("://").nth(1).unwrap_or(origin);
        if origin != "null" && origin_host != host {
            return false;
        }
    }
    match (cookie_token, form_token) {
        (Some(c), Some(f)) if !c.is_empty() => super::secret::eq_ct(c, f),
        _ => false,
    }
}
