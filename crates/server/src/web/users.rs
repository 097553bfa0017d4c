//! User administration: list with filters, create, view and edit, disable/enable, reset password.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::authz::{Permission, Role, Scope};
use posdesk_core::ids::{MerchantId, TenantId, TerminalId, UserId};
use posdesk_core::lifecycle::{AccountEvent, AccountStatus};
use posdesk_core::page::PageRequest;
use posdesk_core::text::{DisplayName, Email, Login, NewPassword};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::users::{Filter, User};

use super::kit::{Chrome, CsrfForm, Fields, Flash, Opt, Query, Web, is_form_error, link};
use super::labels;
use super::session::WebUser;
use crate::error::{ApiError, ApiResult};
use crate::i18n::{Locale, Tr};
use crate::service;
use crate::service::users::{NewUser, Patch};
use crate::state::AppState;

pub struct UserRow {
    pub href: String,
    pub login: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub active: bool,
    pub provider: String,
    pub created: String,
}

/// What the create form showed or was sent (kept on errors).
#[derive(Default)]
struct Input {
    login: String,
    display_name: String,
    email: String,
    role: String,
    provider: String,
    merchant: String,
    terminal: String,
    locale: String,
}

impl Input {
    fn from_fields(f: &Fields) -> Self {
        Input {
            login: f.get("login").trim().to_owned(),
            display_name: f.get("display_name").trim().to_owned(),
            email: f.get("email").trim().to_owned(),
            role: f.get("role").to_owned(),
            provider: f.get("provider_id").to_owned(),
            merchant: f.get("merchant_id").to_owned(),
            terminal: f.get("terminal_id").to_owned(),
            locale: f.get("locale").to_owned(),
        }
    }
}

pub struct CreateForm {
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub roles: Vec<Opt>,
    pub providers: Option<Vec<Opt>>,
    pub merchants: Option<Vec<Opt>>,
    pub terminals: Option<Vec<Opt>>,
    pub locales: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    rows: Vec<UserRow>,
    filter_roles: Vec<Opt>,
    filter_providers: Option<Vec<Opt>>,
    show_provider: bool,
    next_link: Option<String>,
    form: Option<CreateForm>,
    error: Option<String>,
}

pub fn locale_options(tr: &Tr, current: &str) -> Vec<Opt> {
    Locale::ALL
        .iter()
        .map(|l| Opt::new(l.code(), labels::locale_name(tr, *l), current))
        .collect()
}

/// Roles the caller may give a new account: the platform creates provider admins; a provider
/// admin any role of their provider except platform admin.
fn creatable_roles(caller: Role) -> Vec<Role> {
    match caller {
        Role::PlatformAdmin => vec![Role::ProviderAdmin],
        _ => Role::ALL
            .into_iter()
            .filter(|r| *r != Role::PlatformAdmin)
            .collect(),
    }
}

async fn provider_names(state: &AppState, user: &WebUser) -> HashMap<TenantId, String> {
    service::providers::list(&user.ctx(state))
        .await
        .map(|ps| ps.into_iter().map(|p| (p.id, p.name)).collect())
        .unwrap_or_default()
}

async fn create_form(state: &AppState, tr: &Tr, user: &WebUser, input: &Input) -> CreateForm {
    let ctx = user.ctx(state);
    let role = user.role();
    let choices = creatable_roles(role);
    // With one choice it is preselected; otherwise the admin must pick one.
    let current = match choices.as_slice() {
        [only] if input.role.is_empty() => only.code(),
        _ => input.role.as_str(),
    };
    let roles = choices
        .into_iter()
        .map(|r| Opt::new(r.code(), tr.role(r), current))
        .collect();
    let providers = if matches!(
        ctx.principal.authorize(Permission::UserManage),
        Ok(Scope::Platform)
    ) {
        let mut list: Vec<(TenantId, String)> =
            provider_names(state, user).await.into_iter().collect();
        list.sort_by(|a, b| a.1.cmp(&b.1));
        Some(
            list.into_iter()
                .map(|(id, name)| Opt::new(id.to_string(), name, &input.provider))
                .collect(),
        )
    } else {
        None
    };
    let merchants = if role.allows(Permission::MerchantRead) {
        service::directory::merchants(&ctx, PageRequest::first(200))
            .await
            .ok()
            .map(|p| {
                p.items
                    .into_iter()
                    .map(|m| {
                        Opt::new(
                            m.id.to_string(),
                            format!("{} ({})", m.name, m.mid),
                            &input.merchant,
                        )
                    })
                    .collect()
            })
    } else {
        None
    };
    let terminals = if role.allows(Permission::TerminalRead) {
        service::directory::terminals(&ctx, PageRequest::first(200))
            .await
            .ok()
            .map(|p| {
                p.items
                    .into_iter()
                    .map(|t| {
                        let label = match &t.tid {
                            Some(tid) => format!("{} ({tid})", t.sn),
                            None => t.sn.clone(),
                        };
                        Opt::new(t.id.to_string(), label, &input.terminal)
                    })
                    .collect()
            })
    } else {
        None
    };
    CreateForm {
        login: input.login.clone(),
        display_name: input.display_name.clone(),
        email: input.email.clone(),
        roles,
        providers,
        merchants,
        terminals,
        locales: locale_options(
            tr,
            if input.locale.is_empty() {
                "zh-CN"
            } else {
                &input.locale
            },
        ),
    }
}

fn row(tr: &Tr, u: User, providers: &HashMap<TenantId, String>) -> UserRow {
    UserRow {
        href: format!("/users/{}", u.id),
        login: u.login,
        name: u.display_name,
        email: u.email.unwrap_or_default(),
        role: tr.role(u.role),
        status: labels::account_status(tr, u.status),
        active: u.status == AccountStatus::Active,
        provider: u
            .tenant_id
            .and_then(|t| providers.get(&t).cloned())
            .unwrap_or_default(),
        created: u.created_at.to_shanghai_display(),
    }
}

async fn render_list(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    q: &Fields,
    input: &Input,
    error: Option<(StatusCode, String)>,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let parsed = (|| -> ApiResult<(Filter, PageRequest)> {
        let filter = Filter {
            tenant: q
                .opt("provider")
                .map(|s| TenantId::parse("provider_id", s))
                .transpose()?,
            role: q.opt("role").map(|s| Role::parse("role", s)).transpose()?,
        };
        Ok((filter, super::kit::page_request(q)?))
    })();
    let (filter, page) = match parsed {
        Ok(x) => x,
        Err(e) => return web.fail(Some(user), &e),
    };
    let page = match service::users::list(&ctx, filter, page).await {
        Ok(p) => p,
        Err(e) => return web.fail(Some(user), &e),
    };
    let is_platform = user.user.tenant_id.is_none();
    let providers = if is_platform {
        provider_names(state, user).await
    } else {
        HashMap::new()
    };
    let role_filter = q.get("role");
    let mut filter_roles = vec![Opt::new("", tr.t("filter-any"), role_filter)];
    filter_roles.extend(
        Role::ALL
            .into_iter()
            .map(|r| Opt::new(r.code(), tr.role(r), role_filter)),
    );
    let filter_providers = is_platform.then(|| {
        let mut list: Vec<(&TenantId, &String)> = providers.iter().collect();
        list.sort_by(|a, b| a.1.cmp(b.1));
        let mut opts = vec![Opt::new("", tr.t("filter-any"), q.get("provider"))];
        opts.extend(
            list.into_iter()
                .map(|(id, n)| Opt::new(id.to_string(), n.clone(), q.get("provider"))),
        );
        opts
    });
    let next_link = page.next.as_ref().map(|c| {
        link(
            "/users",
            &[
                ("role", role_filter),
                ("provider", q.get("provider")),
                ("cursor", &c.encode()),
            ],
        )
    });
    let form = if user.role().allows(Permission::UserManage) {
        Some(create_form(state, &tr, user, input).await)
    } else {
        None
    };
    let (status, error) = match error {
        Some((s, m)) => (s, Some(m)),
        None => (StatusCode::OK, None),
    };
    let tpl = UsersPage {
        c: web.chrome(Some(user), tr.t("users-title")),
        rows: page
            .items
            .into_iter()
            .map(|u| row(&tr, u, &providers))
            .collect(),
        filter_roles,
        filter_providers,
        show_provider: is_platform,
        next_link,
        form,
        error,
    };
    web.render(status, &tpl)
}

pub async fn list(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    render_list(&state, &web, &user, &q, &Input::default(), None).await
}

fn opt_id<T>(
    field: &str,
    v: &str,
    parse: fn(&str, &str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    Some(v.trim())
        .filter(|s| !s.is_empty())
        .map(|s| parse(field, s))
        .transpose()
}

fn required<T>(field: &str, v: Option<T>) -> Result<T, FieldError> {
    v.ok_or_else(|| FieldError::new(field, Rule::Required))
}

/// A password field: taken as typed (not trimmed), absent when blank.
fn password_field(f: &Fields, name: &str) -> Result<Option<NewPassword>, FieldError> {
    let raw = f.get(name);
    if raw.is_empty() {
        Ok(None)
    } else {
        NewPassword::parse(name, raw).map(Some)
    }
}

pub async fn create(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let input = Input::from_fields(&f);
    let result = async {
        let role = Role::parse("role", &input.role)?;
        let new = NewUser {
            provider: opt_id("provider_id", &input.provider, TenantId::parse)?,
            login: Login::parse("login", &input.login)?,
            display_name: DisplayName::parse("display_name", &input.display_name)?,
            email: opt_id("email", &input.email, Email::parse)?,
            role,
            merchant: match role {
                Role::MerchantUser => Some(required(
                    "merchant_id",
                    opt_id("merchant_id", &input.merchant, MerchantId::parse)?,
                )?),
                _ => None,
            },
            terminal: match role {
                Role::TerminalAgent => Some(required(
                    "terminal_id",
                    opt_id("terminal_id", &input.terminal, TerminalId::parse)?,
                )?),
                _ => None,
            },
            password: password_field(&f, "password")?,
            locale: opt_id("locale", &input.locale, Locale::parse)?.unwrap_or_default(),
        };
        service::users::create(&user.ctx(&state), new).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash("/users", Flash::UserCreated),
        Err(e) if is_form_error(&e) => {
            let msg = labels::error_message(&web.tr, &e);
            render_list(
                &state,
                &web,
                &user,
                &Fields::default(),
                &input,
                Some((e.status(), msg)),
            )
            .await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub struct UserView {
    pub id: String,
    pub login: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub active: bool,
    pub provider: String,
    pub merchant: String,
    pub totp: String,
    pub locale: String,
    pub created: String,
    pub updated: String,
    pub version: i64,
}

pub struct EditForm {
    pub display_name: String,
    pub email: String,
    pub locales: Vec<Opt>,
    pub version: String,
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    c: Chrome,
    u: UserView,
    can_manage: bool,
    is_self: bool,
    form: EditForm,
    error: Option<String>,
    password_error: Option<String>,
}

/// Which part of the detail page an error belongs to.
enum Problem {
    None,
    Edit(EditForm, StatusCode, String),
    Action(StatusCode, String),
    Password(StatusCode, String),
}

async fn render_detail(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: UserId,
    problem: Problem,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let u = match service::users::get(&ctx, id).await {
        Ok(u) => u,
        Err(e) => return web.fail(Some(user), &e),
    };
    let provider = match u.tenant_id {
        Some(t) => service::providers::get(&ctx, t)
            .await
            .map(|p| p.name)
            .unwrap_or_else(|_| t.to_string()),
        None => tr.t("user-platform"),
    };
    let merchant = match u.merchant_id {
        Some(m) => service::directory::merchant(&ctx, m)
            .await
            .map(|m| format!("{} ({})", m.name, m.mid))
            .unwrap_or_else(|_| m.to_string()),
        None => String::new(),
    };
    let view = UserView {
        id: u.id.to_string(),
        login: u.login.clone(),
        name: u.display_name.clone(),
        email: u.email.clone().unwrap_or_default(),
        role: tr.role(u.role),
        status: labels::account_status(&tr, u.status),
        active: u.status == AccountStatus::Active,
        provider,
        merchant,
        totp: if u.totp_enabled {
            tr.t("totp-on")
        } else {
            tr.t("totp-off")
        },
        locale: Locale::parse("locale", &u.locale)
            .map(|l| labels::locale_name(&tr, l))
            .unwrap_or(u.locale.clone()),
        created: u.created_at.to_shanghai_display(),
        updated: u.updated_at.to_shanghai_display(),
        version: u.version,
    };
    let fresh = || EditForm {
        display_name: u.display_name.clone(),
        email: u.email.clone().unwrap_or_default(),
        locales: locale_options(&tr, &u.locale),
        version: u.version.to_string(),
    };
    let (status, form, error, password_error) = match problem {
        Problem::None => (StatusCode::OK, fresh(), None, None),
        Problem::Edit(form, s, m) => (s, form, Some(m), None),
        Problem::Action(s, m) => (s, fresh(), Some(m), None),
        Problem::Password(s, m) => (s, fresh(), None, Some(m)),
    };
    let tpl = UserPage {
        c: web.chrome(
            Some(user),
            tr.ta("user-title", &[("login", u.login.clone())]),
        ),
        u: view,
        can_manage: user.role().allows(Permission::UserManage),
        is_self: u.id == user.user.id,
        form,
        error,
        password_error,
    };
    web.render(status, &tpl)
}

fn path_user(id: &str) -> Option<UserId> {
    UserId::parse("id", id).ok()
}

fn not_found(web: &Web, user: &WebUser) -> Response {
    web.fail(Some(user), &ApiError::NotFound)
}

pub async fn detail(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = path_user(&id) else {
        return not_found(&web, &user);
    };
    render_detail(&state, &web, &user, id, Problem::None).await
}

fn version_field(f: &Fields) -> Result<Option<i64>, FieldError> {
    f.opt("version")
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                FieldError::new(
                    "version",
                    Rule::Invalid {
                        reason: "not a number",
                    },
                )
            })
        })
        .transpose()
}

pub async fn save(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Some(id) = path_user(&id) else {
        return not_found(&web, &user);
    };
    let result = async {
        let patch = Patch {
            display_name: Some(DisplayName::parse("display_name", f.get("display_name"))?),
            email: Some(opt_id("email", f.get("email"), Email::parse)?),
            locale: Some(Locale::parse("locale", f.get("locale"))?),
        };
        service::users::update(&user.ctx(&state), id, version_field(&f)?, patch).await
    }
    .await;
    match result {
        Ok(u) => web.redirect_flash(&format!("/users/{}", u.id), Flash::UserSaved),
        Err(e) if is_form_error(&e) => {
            let form = EditForm {
                display_name: f.get("display_name").to_owned(),
                email: f.get("email").to_owned(),
                locales: locale_options(&web.tr, f.get("locale")),
                version: f.get("version").to_owned(),
            };
            let msg = labels::error_message(&web.tr, &e);
            render_detail(
                &state,
                &web,
                &user,
                id,
                Problem::Edit(form, e.status(), msg),
            )
            .await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

async fn set_status(
    state: AppState,
    web: Web,
    user: WebUser,
    id: String,
    f: Fields,
    event: AccountEvent,
) -> Response {
    let Some(id) = path_user(&id) else {
        return not_found(&web, &user);
    };
    let result = async {
        let version = version_field(&f)?;
        service::users::set_status(&user.ctx(&state), id, version, event).await
    }
    .await;
    let flash = match event {
        AccountEvent::Disable => Flash::UserDisabled,
        AccountEvent::Enable => Flash::UserEnabled,
    };
    match result {
        Ok(_) => web.redirect_flash(&format!("/users/{id}"), flash),
        Err(e) if is_form_error(&e) => {
            let msg = labels::error_message(&web.tr, &e);
            render_detail(&state, &web, &user, id, Problem::Action(e.status(), msg)).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn disable(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    set_status(state, web, user, id, f, AccountEvent::Disable).await
}

pub async fn enable(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    set_status(state, web, user, id, f, AccountEvent::Enable).await
}

pub async fn reset_password(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Some(id) = path_user(&id) else {
        return not_found(&web, &user);
    };
    let result = async {
        let pw = required("new_password", password_field(&f, "new_password")?)?;
        service::users::reset_password(&user.ctx(&state), id, pw).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash(&format!("/users/{id}"), Flash::PasswordReset),
        Err(e) if is_form_error(&e) => {
            let msg = labels::error_message(&web.tr, &e);
            render_detail(&state, &web, &user, id, Problem::Password(e.status(), msg)).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}
