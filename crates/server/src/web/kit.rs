//! What every page needs: the request's locale, CSRF token and flash message ([`Web`]), the
//! page frame given to templates ([`Chrome`]), rendering with the right cookies and headers,
//! error pages, and the CSRF-checked form body ([`CsrfForm`]).

use std::convert::Infallible;
use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use posdesk_core::authz::{Permission, Role};

use super::session::{self, WebUser};
use crate::auth::{csrf, secret};
use crate::error::ApiError;
use crate::i18n::{Locale, Tr};
use crate::state::AppState;

pub const LANG_COOKIE: &str = "posdesk_lang";
pub const FLASH_COOKIE: &str = "posdesk_flash";

/// The value of cookie `name` in the request, if any.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name && !v.is_empty()).then_some(v)
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
}

/// A `Set-Cookie` header: always `Path=/` and `HttpOnly`; `max_age` 0 deletes the cookie.
pub fn set_cookie(
    name: &str,
    value: &str,
    same_site: SameSite,
    max_age: Option<i64>,
    secure: bool,
) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly");
    s.push_str(match same_site {
        SameSite::Lax => "; SameSite=Lax",
        SameSite::Strict => "; SameSite=Strict",
    });
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s)
        .unwrap_or_else(|_| HeaderValue::from_static("posdesk_invalid=; Max-Age=0"))
}

/// A one-shot message shown on the page a successful POST redirects to. Most are fixed texts;
/// a few carry numbers (kept in the cookie as `code-n-n…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    LoggedOut,
    LanguageChanged,
    UserCreated,
    UserSaved,
    UserDisabled,
    UserEnabled,
    PasswordReset,
    AnnouncementCreated,
    AnnouncementPublished,
    AnnouncementArchived,
    ProviderCreated,
    PasswordChanged,
    TotpEnabled,
    TotpDisabled,
    TokenRevoked,
    CalendarHoursSaved,
    CalendarOverrideSaved,
    CalendarOverrideRemoved,
    ProfileSaved,
    LogoSaved,
    ServicePointCreated,
    ServicePointSaved,
    OnboardingOpened,
    OnboardingDocumentUploaded,
    OnboardingDocumentRemoved,
    OnboardingSubmitted,
    OnboardingWithdrawn,
    OnboardingApproved,
    OnboardingRejected,
    OnboardingInstallationBooked,
    OnboardingAcceptanceRecorded,
    OnboardingTrainingRecorded,
    OnboardingFeesRecorded,
    OnboardingActivated,
    TicketCreated,
    TicketUpdated,
    ComplaintCreated,
    ComplaintUpdated,
    ComplaintEvidenceAdded,
    /// The counts of a calendar import.
    CalendarImported {
        added: usize,
        replaced: usize,
        removed: usize,
        unchanged: usize,
    },
    /// National years `from`..=`to` were loaded.
    HolidaysLoaded {
        from: i32,
        to: i32,
    },
}

const CALENDAR_IMPORTED: &str = "calendar-imported";
const HOLIDAYS_LOADED: &str = "holidays-loaded";

impl Flash {
    /// The flashes without numbers.
    const FIXED: [Flash; 39] = [
        Flash::LoggedOut,
        Flash::LanguageChanged,
        Flash::UserCreated,
        Flash::UserSaved,
        Flash::UserDisabled,
        Flash::UserEnabled,
        Flash::PasswordReset,
        Flash::AnnouncementCreated,
        Flash::AnnouncementPublished,
        Flash::AnnouncementArchived,
        Flash::ProviderCreated,
        Flash::PasswordChanged,
        Flash::TotpEnabled,
        Flash::TotpDisabled,
        Flash::TokenRevoked,
        Flash::CalendarHoursSaved,
        Flash::CalendarOverrideSaved,
        Flash::CalendarOverrideRemoved,
        Flash::ProfileSaved,
        Flash::LogoSaved,
        Flash::ServicePointCreated,
        Flash::ServicePointSaved,
        Flash::OnboardingOpened,
        Flash::OnboardingDocumentUploaded,
        Flash::OnboardingDocumentRemoved,
        Flash::OnboardingSubmitted,
        Flash::OnboardingWithdrawn,
        Flash::OnboardingApproved,
        Flash::OnboardingRejected,
        Flash::OnboardingInstallationBooked,
        Flash::OnboardingAcceptanceRecorded,
        Flash::OnboardingTrainingRecorded,
        Flash::OnboardingFeesRecorded,
        Flash::OnboardingActivated,
        Flash::TicketCreated,
        Flash::TicketUpdated,
        Flash::ComplaintCreated,
        Flash::ComplaintUpdated,
        Flash::ComplaintEvidenceAdded,
    ];

    fn fixed_code(self) -> Option<&'static str> {
        Some(match self {
            Flash::LoggedOut => "logged-out",
            Flash::LanguageChanged => "lang",
            Flash::UserCreated => "user-created",
            Flash::UserSaved => "user-saved",
            Flash::UserDisabled => "user-disabled",
            Flash::UserEnabled => "user-enabled",
            Flash::PasswordReset => "password-reset",
            Flash::AnnouncementCreated => "announcement-created",
            Flash::AnnouncementPublished => "announcement-published",
            Flash::AnnouncementArchived => "announcement-archived",
            Flash::ProviderCreated => "provider-created",
            Flash::PasswordChanged => "password-changed",
            Flash::TotpEnabled => "totp-enabled",
            Flash::TotpDisabled => "totp-disabled",
            Flash::TokenRevoked => "token-revoked",
            Flash::CalendarHoursSaved => "calendar-hours-saved",
            Flash::CalendarOverrideSaved => "calendar-override-saved",
            Flash::CalendarOverrideRemoved => "calendar-override-removed",
            Flash::ProfileSaved => "profile-saved",
            Flash::LogoSaved => "logo-saved",
            Flash::ServicePointCreated => "service-point-created",
            Flash::ServicePointSaved => "service-point-saved",
            Flash::OnboardingOpened => "onboarding-opened",
            Flash::OnboardingDocumentUploaded => "onboarding-document-uploaded",
            Flash::OnboardingDocumentRemoved => "onboarding-document-removed",
            Flash::OnboardingSubmitted => "onboarding-submitted",
            Flash::OnboardingWithdrawn => "onboarding-withdrawn",
            Flash::OnboardingApproved => "onboarding-approved",
            Flash::OnboardingRejected => "onboarding-rejected",
            Flash::OnboardingInstallationBooked => "onboarding-installation-booked",
            Flash::OnboardingAcceptanceRecorded => "onboarding-acceptance-recorded",
            Flash::OnboardingTrainingRecorded => "onboarding-training-recorded",
            Flash::OnboardingFeesRecorded => "onboarding-fees-recorded",
            Flash::OnboardingActivated => "onboarding-activated",
            Flash::TicketCreated => "ticket-created",
            Flash::TicketUpdated => "ticket-updated",
            Flash::ComplaintCreated => "complaint-created",
            Flash::ComplaintUpdated => "complaint-updated",
            Flash::ComplaintEvidenceAdded => "complaint-evidence-added",
            Flash::CalendarImported { .. } | Flash::HolidaysLoaded { .. } => return None,
        })
    }

    fn code(self) -> String {
        match self {
            Flash::CalendarImported {
                added,
                replaced,
                removed,
                unchanged,
            } => format!("{CALENDAR_IMPORTED}-{added}-{replaced}-{removed}-{unchanged}"),
            Flash::HolidaysLoaded { from, to } => format!("{HOLIDAYS_LOADED}-{from}-{to}"),
            f => f.fixed_code().unwrap_or_default().to_owned(),
        }
    }

    fn from_code(s: &str) -> Option<Self> {
        if let Some(f) = Self::FIXED.into_iter().find(|f| f.fixed_code() == Some(s)) {
            return Some(f);
        }
        if let Some(rest) = s.strip_prefix(CALENDAR_IMPORTED) {
            let n: Vec<usize> = rest
                .strip_prefix('-')?
                .split('-')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            return match n.as_slice() {
                [added, replaced, removed, unchanged] => Some(Flash::CalendarImported {
                    added: *added,
                    replaced: *replaced,
                    removed: *removed,
                    unchanged: *unchanged,
                }),
                _ => None,
            };
        }
        let rest = s.strip_prefix(HOLIDAYS_LOADED)?.strip_prefix('-')?;
        let (from, to) = rest.split_once('-')?;
        Some(Flash::HolidaysLoaded {
            from: from.parse().ok()?,
            to: to.parse().ok()?,
        })
    }

    pub fn text(self, tr: &Tr) -> String {
        match self {
            Flash::LoggedOut => tr.t("flash-logged-out"),
            Flash::LanguageChanged => tr.t("flash-language-changed"),
            Flash::UserCreated => tr.t("flash-user-created"),
            Flash::UserSaved => tr.t("flash-user-saved"),
            Flash::UserDisabled => tr.t("flash-user-disabled"),
            Flash::UserEnabled => tr.t("flash-user-enabled"),
            Flash::PasswordReset => tr.t("flash-password-reset"),
            Flash::AnnouncementCreated => tr.t("flash-announcement-created"),
            Flash::AnnouncementPublished => tr.t("flash-announcement-published"),
            Flash::AnnouncementArchived => tr.t("flash-announcement-archived"),
            Flash::ProviderCreated => tr.t("flash-provider-created"),
            Flash::PasswordChanged => tr.t("flash-password-changed"),
            Flash::TotpEnabled => tr.t("flash-totp-enabled"),
            Flash::TotpDisabled => tr.t("flash-totp-disabled"),
            Flash::TokenRevoked => tr.t("flash-token-revoked"),
            Flash::CalendarHoursSaved => tr.t("flash-calendar-hours-saved"),
            Flash::CalendarOverrideSaved => tr.t("flash-calendar-override-saved"),
            Flash::CalendarOverrideRemoved => tr.t("flash-calendar-override-removed"),
            Flash::ProfileSaved => tr.t("flash-profile-saved"),
            Flash::LogoSaved => tr.t("flash-logo-saved"),
            Flash::ServicePointCreated => tr.t("flash-service-point-created"),
            Flash::ServicePointSaved => tr.t("flash-service-point-saved"),
            Flash::OnboardingOpened => tr.t("flash-onboarding-opened"),
            Flash::OnboardingDocumentUploaded => tr.t("flash-onboarding-document-uploaded"),
            Flash::OnboardingDocumentRemoved => tr.t("flash-onboarding-document-removed"),
            Flash::OnboardingSubmitted => tr.t("flash-onboarding-submitted"),
            Flash::OnboardingWithdrawn => tr.t("flash-onboarding-withdrawn"),
            Flash::OnboardingApproved => tr.t("flash-onboarding-approved"),
            Flash::OnboardingRejected => tr.t("flash-onboarding-rejected"),
            Flash::OnboardingInstallationBooked => tr.t("flash-onboarding-installation-booked"),
            Flash::OnboardingAcceptanceRecorded => tr.t("flash-onboarding-acceptance-recorded"),
            Flash::OnboardingTrainingRecorded => tr.t("flash-onboarding-training-recorded"),
            Flash::OnboardingFeesRecorded => tr.t("flash-onboarding-fees-recorded"),
            Flash::OnboardingActivated => tr.t("flash-onboarding-activated"),
            Flash::TicketCreated => tr.t("flash-ticket-created"),
            Flash::TicketUpdated => tr.t("flash-ticket-updated"),
            Flash::ComplaintCreated => tr.t("flash-complaint-created"),
            Flash::ComplaintUpdated => tr.t("flash-complaint-updated"),
            Flash::ComplaintEvidenceAdded => tr.t("flash-complaint-evidence-added"),
            Flash::CalendarImported {
                added,
                replaced,
                removed,
                unchanged,
            } => tr.ta(
                "flash-calendar-imported",
                &[
                    ("added", added.to_string()),
                    ("replaced", replaced.to_string()),
                    ("removed", removed.to_string()),
                    ("unchanged", unchanged.to_string()),
                ],
            ),
            Flash::HolidaysLoaded { from, to } if from == to => {
                tr.ta("flash-holidays-loaded", &[("years", from.to_string())])
            }
            Flash::HolidaysLoaded { from, to } => tr.ta(
                "flash-holidays-loaded",
                &[("years", format!("{from}–{to}"))],
            ),
        }
    }
}

/// Only a local path may be a redirect target (no `//host`, no scheme).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains("://") =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The page a POST's path belongs to (where the language switch may return to with a GET).
fn page_of_action(path: &str) -> String {
    let path = path.split('?').next().unwrap_or("/");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["users", id, _] => format!("/users/{id}"),
        ["account", ..] => "/account".to_owned(),
        ["announcements", ..] => "/announcements".to_owned(),
        ["calendar", ..] => "/calendar".to_owned(),
        [] => "/".to_owned(),
        _ => path.to_owned(),
    }
}

/// The request as a page sees it. Never fails.
#[derive(Debug, Clone)]
pub struct Web {
    pub tr: Tr,
    pub locale: Locale,
    /// The CSRF token forms carry: the cookie's, or a fresh one set with this response.
    pub csrf: String,
    csrf_cookie: Option<String>,
    flash: Option<Flash>,
    /// Path and query of this request (where the language switch returns to).
    pub path: String,
    pub method_is_get: bool,
    pub request_id: String,
    pub ip: Option<String>,
    pub session_cookie: Option<String>,
    pub secure: bool,
}

impl Web {
    pub fn from_parts(parts: &Parts, state: &AppState) -> Self {
        let h = &parts.headers;
        let locale = cookie(h, LANG_COOKIE)
            .and_then(|v| Locale::parse("lang", v).ok())
            .unwrap_or_else(|| {
                Locale::from_accept_language(
                    h.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
                )
            });
        let csrf_cookie = cookie(h, csrf::COOKIE)
            .filter(|v| {
                v.len() <= 100
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            .map(str::to_owned);
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip().to_string());
        Web {
            tr: Tr::new(locale),
            locale,
            csrf: csrf_cookie.clone().unwrap_or_else(secret::random_token),
            csrf_cookie,
            flash: cookie(h, FLASH_COOKIE).and_then(Flash::from_code),
            path: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            method_is_get: parts.method == axum::http::Method::GET,
            request_id: crate::auth::request_id(parts),
            ip,
            session_cookie: cookie(h, session::COOKIE)
                .filter(|v| v.len() <= 100)
                .map(str::to_owned),
            secure: state.config.secure_cookies,
        }
    }

    /// The frame of a page: language, CSRF token, flash, and for a signed-in user the navigation.
    pub fn chrome(&self, user: Option<&WebUser>, title: String) -> Chrome {
        Chrome {
            tr: self.tr,
            lang: self.locale.code(),
            title,
            csrf: self.csrf.clone(),
            next: if self.method_is_get {
                self.path.clone()
            } else {
                page_of_action(&self.path)
            },
            flash: self.flash.map(|f| f.text(&self.tr)),
            user: user.map(|u| NavUser {
                name: u.user.display_name.clone(),
                role: self.tr.role(u.user.role),
                nav: nav_items(&self.tr, u.user.role, &self.path),
            }),
            en_active: self.locale == Locale::En,
        }
    }

    fn finish(&self, res: &mut Response, clear_flash: bool) {
        let h = res.headers_mut();
        if self.csrf_cookie.is_none() {
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    csrf::COOKIE,
                    &self.csrf,
                    SameSite::Strict,
                    None,
                    self.secure,
                ),
            );
        }
        if clear_flash && self.flash.is_some() {
            h.append(
                header::SET_COOKIE,
                set_cookie(FLASH_COOKIE, "", SameSite::Lax, Some(0), self.secure),
            );
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; script-src 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }

    /// A rendered page with status `status` (shows and consumes the flash message).
    pub fn render(&self, status: StatusCode, tpl: &impl Template) -> Response {
        match tpl.render() {
            Ok(body) => {
                let mut res = (status, Html(body)).into_response();
                self.finish(&mut res, true);
                res
            }
            Err(e) => {
                tracing::error!(error = %e, "rendering a page");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    self.tr.t("error-internal"),
                )
                    .into_response()
            }
        }
    }

    /// 303 See Other to `to`.
    pub fn redirect(&self, to: &str) -> Response {
        let mut res = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            res.headers_mut().insert(header::LOCATION, v);
        }
        self.finish(&mut res, false);
        res
    }

    /// 303 to `to`, with a flash message for the next page.
    pub fn redirect_flash(&self, to: &str, flash: Flash) -> Response {
        let mut res = self.redirect(to);
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                FLASH_COOKIE,
                &flash.code(),
                SameSite::Lax,
                Some(60),
                self.secure,
            ),
        );
        res
    }

    /// A full error page (403, 404, 500 …) with the navigation of `user`, if known.
    pub fn error_page(
        &self,
        user: Option<&WebUser>,
        status: StatusCode,
        message: String,
    ) -> Response {
        let heading = match status {
            StatusCode::FORBIDDEN => self.tr.t("error-forbidden-title"),
            StatusCode::NOT_FOUND => self.tr.t("error-not-found-title"),
            StatusCode::TOO_MANY_REQUESTS => self.tr.t("error-throttled-title"),
            s if s.is_server_error() => self.tr.t("error-internal-title"),
            _ => self.tr.t("error-title"),
        };
        let tpl = ErrorPage {
            c: self.chrome(user, heading.clone()),
            heading,
            message,
            code: status.as_u16(),
        };
        self.render(status, &tpl)
    }

    /// The page for a service error that no form can show: 403, 404, 5xx, or a signed-out user.
    pub fn fail(&self, user: Option<&WebUser>, err: &ApiError) -> Response {
        if let ApiError::Internal(detail) = err {
            tracing::error!(error = %detail, request_id = %self.request_id, "internal error");
        }
        if matches!(err, ApiError::Unauthenticated) {
            return self.redirect("/login");
        }
        self.error_page(
            user,
            err.status(),
            super::labels::error_message(&self.tr, err),
        )
    }

    /// The answer to a POST whose CSRF token is missing or wrong.
    pub fn csrf_failed(&self) -> Response {
        self.error_page(None, StatusCode::FORBIDDEN, self.tr.t("error-csrf"))
    }
}

impl FromRequestParts<AppState> for Web {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Web::from_parts(parts, state))
    }
}

/// One navigation entry; `id` is stable (`nav-users` …) for tests and styling.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub id: &'static str,
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub role: String,
    pub nav: Vec<NavItem>,
}

/// The navigation a role may use: each entry only where the role holds its permission.
pub fn nav_items(tr: &Tr, role: Role, path: &str) -> Vec<NavItem> {
    let path = path.split('?').next().unwrap_or("/");
    let entries: [(&'static str, &'static str, Option<Permission>, String); 16] = [
        ("nav-home", "/", None, tr.t("nav-home")),
        // Staff see the queues; merchant users their own reports (我的报修).
        (
            "nav-tickets",
            "/tickets",
            Some(Permission::TicketRead),
            if role.allows(Permission::TicketWork) {
                tr.t("nav-tickets")
            } else {
                tr.t("nav-my-tickets")
            },
        ),
        // Complaints (投诉): staff see the queues; merchant users their own (我的投诉).
        (
            "nav-complaints",
            "/complaints",
            Some(Permission::ComplaintRead),
            if role.allows(Permission::ComplaintRespond) {
                tr.t("nav-my-complaints")
            } else {
                tr.t("nav-complaints")
            },
        ),
        // The own provider's profile: every role that reads its provider and has one (the
        // platform admin has none; it sees providers in their list).
        (
            "nav-provider",
            "/provider",
            Some(Permission::ProviderRead),
            tr.t("nav-provider"),
        ),
        (
            "nav-announcements",
            "/announcements",
            Some(Permission::AnnouncementRead),
            tr.t("nav-announcements"),
        ),
        (
            "nav-merchants",
            "/merchants",
            Some(Permission::MerchantRead),
            tr.t("nav-merchants"),
        ),
        (
            "nav-terminals",
            "/terminals",
            Some(Permission::TerminalRead),
            tr.t("nav-terminals"),
        ),
        (
            "nav-onboarding",
            "/onboarding",
            Some(Permission::OnboardingRead),
            tr.t("nav-onboarding"),
        ),
        (
            "nav-service-points",
            "/service-points",
            Some(Permission::ServicePointRead),
            tr.t("nav-service-points"),
        ),
        (
            "nav-calendar",
            "/calendar",
            Some(Permission::CalendarRead),
            tr.t("nav-calendar"),
        ),
        (
            "nav-users",
            "/users",
            Some(Permission::UserRead),
            tr.t("nav-users"),
        ),
        (
            "nav-providers",
            "/providers",
            Some(Permission::ProviderCreate),
            tr.t("nav-providers"),
        ),
        // Every staff role may read the national years, but only the platform admin, who loads
        // them, needs them in the navigation (provider staff reach them from the calendar).
        (
            "nav-holidays",
            "/holidays",
            Some(Permission::HolidayManage),
            tr.t("nav-holidays"),
        ),
        (
            "nav-audit",
            "/audit",
            Some(Permission::AuditRead),
            tr.t("nav-audit"),
        ),
        (
            "nav-mail-quarantine",
            "/mail/quarantine",
            Some(Permission::MailQuarantineRead),
            tr.t("nav-mail-quarantine"),
        ),
        ("nav-account", "/account", None, tr.t("nav-account")),
    ];
    entries
        .into_iter()
        .filter(|(_, _, p, _)| p.is_none_or(|p| role.allows(p)))
        .filter(|(id, ..)| *id != "nav-provider" || role != Role::PlatformAdmin)
        .map(|(id, href, _, label)| NavItem {
            id,
            href,
            label,
            active: if href == "/" {
                path == "/"
            } else {
                path == href || path.starts_with(&format!("{href}/"))
            },
        })
        .collect()
}

/// The frame every template gets as `c`.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub tr: Tr,
    pub lang: &'static str,
    pub title: String,
    pub csrf: String,
    pub next: String,
    pub flash: Option<String>,
    pub user: Option<NavUser>,
    pub en_active: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    heading: String,
    message: String,
    code: u16,
}

/// A submitted `application/x-www-form-urlencoded` body.
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(bytes: &[u8]) -> Self {
        Fields(serde_urlencoded::from_bytes(bytes).unwrap_or_default())
    }
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
    /// The first value of `name`, trimmed, if not blank.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|s| !s.is_empty())
    }
    /// Every value of `name` (checkboxes and multiple selects), blank ones skipped.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "1" | "true" | "yes")
    }
}

/// A form body whose `_csrf` field matched the `posdesk_csrf` cookie (and whose `Origin`, if
/// sent, is this host). Anything else is refused with a 403 page before the handler runs.
pub struct CsrfForm(pub Fields);

impl FromRequest<AppState> for CsrfForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let web = Web::from_parts(&parts, state);
        let limit = state.config.max_body_bytes;
        let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
            web.error_page(
                None,
                StatusCode::PAYLOAD_TOO_LARGE,
                web.tr.t("error-too-large"),
            )
        })?;
        let fields = Fields::parse(&bytes);
        let form_token = fields
            .0
            .iter()
            .find(|(k, _)| k == csrf::FIELD)
            .map(|(_, v)| v.as_str());
        if !csrf::valid(&parts.headers, web.csrf_cookie.as_deref(), form_token) {
            return Err(web.csrf_failed());
        }
        Ok(CsrfForm(fields))
    }
}

/// A `multipart/form-data` body (a form with a file input) whose `_csrf` field matched the
/// `posdesk_csrf` cookie (and whose `Origin`, if sent, is this host). Text fields are in
/// `fields`, uploaded files (field name → bytes) in `files`; the body is limited like any other.
/// A body that is not multipart cannot carry a verifiable token and is refused the same way.
pub struct CsrfMultipart {
    pub fields: Fields,
    pub files: Vec<(String, Vec<u8>)>,
    /// The content type the browser declared for each file part (field name → type, "" when
    /// none was sent).
    pub file_types: Vec<(String, String)>,
    /// The file name the browser sent for each file part (field name → name, "" when none).
    pub file_names: Vec<(String, String)>,
}

impl CsrfMultipart {
    /// The bytes of the uploaded file `name`, if one was chosen (browsers send an empty part
    /// when none was).
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_slice())
    }

    /// The content type declared for the uploaded file `name` ("" when none).
    pub fn file_type(&self, name: &str) -> &str {
        self.file_types
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The file name sent for the uploaded file `name` ("" when none).
    pub fn file_name(&self, name: &str) -> &str {
        self.file_names
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let web = Web::from_parts(&parts, state);
        let headers = parts.headers.clone();
        let req = Request::from_parts(parts, body);
        let too_large = |web: &Web| {
            web.error_page(
                None,
                StatusCode::PAYLOAD_TOO_LARGE,
                web.tr.t("error-too-large"),
            )
        };
        let mut multipart = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| web.csrf_failed())?;
        let mut fields = Vec::new();
        let mut files = Vec::new();
        let mut file_types = Vec::new();
        let mut file_names = Vec::new();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_large(&web));
                }
                Err(_) => return Err(web.csrf_failed()),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let is_file = field.file_name().is_some();
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let declared = field.content_type().unwrap_or_default().to_owned();
            let bytes = match field.bytes().await {
                Ok(b) => b,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_large(&web));
                }
                Err(_) => return Err(web.csrf_failed()),
            };
            if is_file {
                file_names.push((name.clone(), file_name));
                file_types.push((name.clone(), declared));
                files.push((name, bytes.to_vec()));
            } else {
                fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        let form_token = fields
            .iter()
            .find(|(k, _)| k == csrf::FIELD)
            .map(|(_, v)| v.as_str());
        if !csrf::valid(&headers, web.csrf_cookie.as_deref(), form_token) {
            return Err(web.csrf_failed());
        }
        Ok(CsrfMultipart {
            fields: Fields(fields),
            files,
            file_types,
            file_names,
        })
    }
}

/// Query-string parameters of a GET page.
#[derive(Debug, Clone, Default)]
pub struct Query(pub Fields);

impl FromRequestParts<AppState> for Query {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Query(Fields::parse(
            parts.uri.query().unwrap_or("").as_bytes(),
        )))
    }
}

/// The page of a list: a `cursor` this server did not hand out is a malformed request (400).
pub fn page_request(q: &Fields) -> Result<posdesk_core::page::PageRequest, ApiError> {
    posdesk_core::page::PageRequest::parse(None, q.opt("cursor")).map_err(ApiError::BadRequest)
}

/// `path?k=v&…` with the non-empty pairs, URL-encoded.
pub fn link(path: &str, pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(kept).unwrap_or_default()
    )
}

/// Whether a service error belongs on the form that caused it (input, conflict, stale version)
/// rather than on an error page.
pub fn is_form_error(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Invalid(_)
            | ApiError::BadRequest(_)
            | ApiError::Conflict { .. }
            | ApiError::PreconditionFailed { .. }
            | ApiError::TooManyRequests
    )
}

/// An option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        let selected = value == current;
        Opt {
            value,
            label: label.into(),
            selected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; posdesk_lang=en; xposdesk_csrf=evil"),
        );
        h.append(
            header::COOKIE,
            HeaderValue::from_static("posdesk_csrf=tok; empty="),
        );
        assert_eq!(cookie(&h, "posdesk_lang"), Some("en"));
        assert_eq!(cookie(&h, "posdesk_csrf"), Some("tok"));
        assert_eq!(cookie(&h, "empty"), None);
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn set_cookie_attributes() {
        let v = set_cookie("posdesk_session", "s3cret", SameSite::Lax, Some(60), true);
        assert_eq!(
            v.to_str().unwrap(),
            "posdesk_session=s3cret; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        let v = set_cookie("posdesk_csrf", "t", SameSite::Strict, None, false);
        assert_eq!(
            v.to_str().unwrap(),
            "posdesk_csrf=t; Path=/; HttpOnly; SameSite=Strict"
        );
    }

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(safe_next(Some("/users?role=agent")), "/users?role=agent");
        for bad in [
            "//evil.example",
            "https://evil.example/",
            "/\\evil.example",
            "users",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_language_switch_returns_to_a_page() {
        assert_eq!(page_of_action("/users/abc/password"), "/users/abc");
        assert_eq!(page_of_action("/account/tokens/x/revoke"), "/account");
        assert_eq!(page_of_action("/announcements/x/publish"), "/announcements");
        assert_eq!(page_of_action("/calendar/hours"), "/calendar");
        assert_eq!(
            page_of_action("/calendar/overrides/2026-03-11/remove"),
            "/calendar"
        );
        assert_eq!(page_of_action("/holidays"), "/holidays");
        assert_eq!(page_of_action("/users"), "/users");
        assert_eq!(page_of_action("/login"), "/login");
    }

    #[test]
    fn navigation_follows_permissions() {
        let tr = Tr::new(Locale::ZhCn);
        let ids = |r: Role| {
            nav_items(&tr, r, "/")
                .into_iter()
                .map(|n| n.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(Role::PlatformAdmin),
            [
                "nav-home",
                "nav-users",
                "nav-providers",
                "nav-holidays",
                "nav-audit",
                "nav-account"
            ]
        );
        assert_eq!(
            ids(Role::Agent),
            [
                "nav-home",
                "nav-tickets",
                "nav-complaints",
                "nav-provider",
                "nav-announcements",
                "nav-merchants",
                "nav-terminals",
                "nav-onboarding",
                "nav-service-points",
                "nav-calendar",
                "nav-account"
            ]
        );
        assert_eq!(
            ids(Role::MerchantUser),
            [
                "nav-home",
                "nav-tickets",
                "nav-complaints",
                "nav-provider",
                "nav-announcements",
                "nav-merchants",
                "nav-terminals",
                "nav-onboarding",
                "nav-account"
            ]
        );
        let calendar: Vec<_> = nav_items(&tr, Role::ProviderAdmin, "/calendar?year=2027")
            .into_iter()
            .filter(|n| n.active)
            .map(|n| n.id)
            .collect();
        assert_eq!(calendar, ["nav-calendar"]);
        let active: Vec<_> = nav_items(&tr, Role::ProviderAdmin, "/users/123?x=1")
            .into_iter()
            .filter(|n| n.active)
            .collect();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].id, "nav-users");
    }

    #[test]
    fn flashes_round_trip_through_their_cookie_codes() {
        let mut all: Vec<Flash> = Flash::FIXED.to_vec();
        all.push(Flash::CalendarImported {
            added: 3,
            replaced: 0,
            removed: 12,
            unchanged: 1,
        });
        all.push(Flash::HolidaysLoaded {
            from: 2027,
            to: 2028,
        });
        for f in all {
            let code = f.code();
            assert!(
                !code.is_empty()
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{code}"
            );
            assert_eq!(Flash::from_code(&code), Some(f), "{code}");
        }
        for bad in [
            "calendar-imported",
            "calendar-imported-1-2-3",
            "calendar-imported-1-2-3-x",
            "calendar-imported-1-2-3-4-5",
            "holidays-loaded-2027",
            "holidays-loaded-x-2027",
            "nope",
        ] {
            assert_eq!(Flash::from_code(bad), None, "{bad}");
        }
        let tr = Tr::new(Locale::ZhCn);
        let text = Flash::CalendarImported {
            added: 3,
            replaced: 0,
            removed: 12,
            unchanged: 1,
        }
        .text(&tr);
        assert!(text.contains('3') && text.contains("12"), "{text}");
    }
}
