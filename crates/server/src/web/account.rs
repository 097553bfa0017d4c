//! The caller's own account: profile, password change, TOTP enrolment (staff), API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::authz::Permission;
use posdesk_core::ids::TokenId;
use posdesk_core::text::{Label, NewPassword};
use posdesk_core::{FieldError, Rule};

use super::kit::{Chrome, CsrfForm, Flash, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::auth::totp;
use crate::error::ApiError;
use crate::i18n::Locale;
use crate::service;
use crate::state::AppState;

pub struct Profile {
    pub login: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub provider: String,
    pub merchant: String,
    pub locale: String,
    pub created: String,
}

pub struct TotpSection {
    pub enabled: bool,
    pub secret: String,
    pub uri: String,
    pub error: Option<String>,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub role: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub state: String,
    pub usable: bool,
}

pub struct TokenSection {
    pub rows: Vec<TokenRow>,
    pub name: String,
    pub days: String,
    pub error: Option<String>,
    pub issued_name: Option<String>,
    pub issued_secret: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    me: Profile,
    password_error: Option<String>,
    totp: Option<TotpSection>,
    tokens: Option<TokenSection>,
}

/// What a POST wants shown besides the fresh state: errors, kept input, a new token's secret.
#[derive(Default)]
struct Extras {
    status: Option<StatusCode>,
    password_error: Option<String>,
    totp_error: Option<String>,
    totp_secret: Option<String>,
    token_error: Option<String>,
    token_name: String,
    token_days: String,
    issued: Option<(String, String)>,
}

async fn render(state: &AppState, web: &Web, user: &WebUser, x: Extras) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let me = match service::account::me(&ctx).await {
        Ok(u) => u,
        Err(e) => return web.fail(Some(user), &e),
    };
    let provider = match me.tenant_id {
        Some(t) => service::providers::get(&ctx, t)
            .await
            .map(|p| p.name)
            .unwrap_or_default(),
        None => tr.t("user-platform"),
    };
    let merchant = match me.merchant_id {
        Some(m) => service::directory::merchant(&ctx, m)
            .await
            .map(|m| format!("{} ({})", m.name, m.mid))
            .unwrap_or_default(),
        None => String::new(),
    };
    let totp_section = me.role.may_enroll_totp().then(|| {
        let secret = x.totp_secret.clone().unwrap_or_else(totp::new_secret);
        TotpSection {
            enabled: me.totp_enabled,
            uri: totp::uri(&secret, &me.login),
            secret,
            error: x.totp_error.clone(),
        }
    });
    let tokens = if me.role.allows(Permission::TokenManage) {
        let list = match service::tokens::list(&ctx, false).await {
            Ok(l) => l,
            Err(e) => return web.fail(Some(user), &e),
        };
        let now = posdesk_storage::now();
        let rows = list
            .into_iter()
            .map(|t| {
                let expired = t.expires_at.is_some_and(|e| e <= now);
                let state = if t.revoked_at.is_some() {
                    tr.t("token-state-revoked")
                } else if expired {
                    tr.t("token-state-expired")
                } else {
                    tr.t("token-state-active")
                };
                TokenRow {
                    id: t.id.to_string(),
                    name: t.name,
                    prefix: t.prefix,
                    role: tr.role(t.role),
                    created: t.created_at.to_shanghai_display(),
                    expires: t
                        .expires_at
                        .map_or_else(|| tr.t("token-never"), |e| e.to_shanghai_display()),
                    last_used: t
                        .last_used_at
                        .map(|e| e.to_shanghai_display())
                        .unwrap_or_default(),
                    state,
                    usable: t.revoked_at.is_none() && !expired,
                }
            })
            .collect();
        Some(TokenSection {
            rows,
            name: x.token_name.clone(),
            days: x.token_days.clone(),
            error: x.token_error.clone(),
            issued_name: x.issued.as_ref().map(|i| i.0.clone()),
            issued_secret: x.issued.as_ref().map(|i| i.1.clone()),
        })
    } else {
        None
    };
    let profile = Profile {
        login: me.login,
        name: me.display_name,
        email: me.email.unwrap_or_default(),
        role: tr.role(me.role),
        provider,
        merchant,
        locale: Locale::parse("locale", &me.locale)
            .map(|l| labels::locale_name(&tr, l))
            .unwrap_or(me.locale),
        created: me.created_at.to_shanghai_display(),
    };
    let tpl = AccountPage {
        c: web.chrome(Some(user), tr.t("account-title")),
        me: profile,
        password_error: x.password_error,
        totp: totp_section,
        tokens,
    };
    web.render(x.status.unwrap_or(StatusCode::OK), &tpl)
}

pub async fn page(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    render(&state, &web, &user, Extras::default()).await
}

pub async fn change_password(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result = async {
        let new = NewPassword::parse("new_password", f.get("new_password"))?;
        let current = f.get("current_password").to_owned();
        if current.is_empty() {
            return Err(FieldError::new("current_password", Rule::Required).into());
        }
        service::account::change_password(
            &user.ctx(&state),
            current,
            new,
            Some(user.session_hash.clone()),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash("/account", Flash::PasswordChanged),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                password_error: Some(labels::error_message(&web.tr, &e)),
                ..Extras::default()
            };
            render(&state, &web, &user, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// A base32 secret as `totp::new_secret` makes it (the form carries it back).
fn secret_field(f: &super::kit::Fields) -> Result<String, FieldError> {
    let s = f.get("secret").trim();
    if s.is_empty()
        || s.len() > 64
        || !s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    {
        return Err(FieldError::new(
            "totp",
            Rule::Invalid {
                reason: "not a secret from this page",
            },
        ));
    }
    Ok(s.to_owned())
}

pub async fn enable_totp(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let secret = secret_field(&f);
    let result = async {
        let secret = secret.clone()?;
        service::account::enable_totp(&user.ctx(&state), secret, f.get("code")).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash("/account", Flash::TotpEnabled),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                totp_error: Some(labels::error_message(&web.tr, &e)),
                totp_secret: secret.ok(),
                ..Extras::default()
            };
            render(&state, &web, &user, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn disable_totp(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    match service::account::disable_totp(&user.ctx(&state), f.get("code")).await {
        Ok(_) => web.redirect_flash("/account", Flash::TotpDisabled),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                totp_error: Some(labels::error_message(&web.tr, &e)),
                ..Extras::default()
            };
            render(&state, &web, &user, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn create_token(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result = async {
        let name = Label::parse("name", f.get("name"))?;
        let days = f
            .opt("expires_in_days")
            .map(|d| {
                d.parse::<i64>().map_err(|_| {
                    FieldError::new("expires_in_days", Rule::Range { min: 1, max: 3650 })
                })
            })
            .transpose()?;
        service::tokens::issue(&user.ctx(&state), name, None, days).await
    }
    .await;
    match result {
        // The secret is shown once, on this response; it is never stored in the clear.
        Ok(issued) => {
            let x = Extras {
                issued: Some((issued.token.name.clone(), issued.secret)),
                ..Extras::default()
            };
            render(&state, &web, &user, x).await
        }
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                token_error: Some(labels::error_message(&web.tr, &e)),
                token_name: f.get("name").to_owned(),
                token_days: f.get("expires_in_days").to_owned(),
                ..Extras::default()
            };
            render(&state, &web, &user, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm,
) -> Response {
    let Ok(id) = TokenId::parse("id", &id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    match service::tokens::revoke(&user.ctx(&state), id).await {
        Ok(_) => web.redirect_flash("/account", Flash::TokenRevoked),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                token_error: Some(labels::error_message(&web.tr, &e)),
                ..Extras::default()
            };
            render(&state, &web, &user, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}
