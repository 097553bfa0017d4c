//! Providers (tenants): the platform admin registers them; staff see their own.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::authz::Permission;
use posdesk_core::text::{DisplayName, Label};
use posdesk_core::{FieldError, Rule};

use super::kit::{Chrome, CsrfForm, Fields, Flash, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::service;
use crate::service::providers::NewProvider;
use crate::state::AppState;

pub struct ProviderRow {
    pub name: String,
    pub short_name: String,
    pub uscc: String,
    pub hotline: String,
    pub status: String,
    pub created: String,
}

#[derive(Default)]
pub struct ProviderForm {
    pub name: String,
    pub short_name: String,
    pub uscc: String,
    pub hotline: String,
}

#[derive(Template)]
#[template(path = "providers.html")]
struct ProvidersPage {
    c: Chrome,
    rows: Vec<ProviderRow>,
    can_create: bool,
    form: ProviderForm,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    form: ProviderForm,
    error: Option<(StatusCode, String)>,
) -> Response {
    let tr = web.tr;
    let list = match service::providers::list(&user.ctx(state)).await {
        Ok(l) => l,
        Err(e) => return web.fail(Some(user), &e),
    };
    let rows = list
        .into_iter()
        .map(|p| ProviderRow {
            name: p.name,
            short_name: p.short_name,
            uscc: p.uscc.unwrap_or_default(),
            hotline: p.hotline.unwrap_or_default(),
            status: labels::record_status(&tr, &p.status),
            created: p.created_at.to_shanghai_display(),
        })
        .collect();
    let (status, error) = match error {
        Some((s, m)) => (s, Some(m)),
        None => (StatusCode::OK, None),
    };
    let tpl = ProvidersPage {
        c: web.chrome(Some(user), tr.t("providers-title")),
        rows,
        can_create: user.role().allows(Permission::ProviderCreate),
        form,
        error,
    };
    web.render(status, &tpl)
}

pub async fn list(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    render(&state, &web, &user, ProviderForm::default(), None).await
}

fn optional_text(f: &Fields, field: &str, max: usize) -> Result<Option<String>, FieldError> {
    match f.opt(field) {
        Some(s) if s.chars().count() > max => Err(FieldError::new(field, Rule::TooLong { max })),
        other => Ok(other.map(str::to_owned)),
    }
}

pub async fn create(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result = async {
        let new = NewProvider {
            name: DisplayName::parse("name", f.get("name"))?,
            short_name: Label::parse("short_name", f.get("short_name"))?,
            uscc: optional_text(&f, "uscc", 18)?,
            hotline: optional_text(&f, "hotline", 40)?,
        };
        service::providers::create(&user.ctx(&state), new).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash("/providers", Flash::ProviderCreated),
        Err(e) if is_form_error(&e) => {
            let form = ProviderForm {
                name: f.get("name").to_owned(),
                short_name: f.get("short_name").to_owned(),
                uscc: f.get("uscc").to_owned(),
                hotline: f.get("hotline").to_owned(),
            };
            let msg = labels::error_message(&web.tr, &e);
            render(&state, &web, &user, form, Some((e.status(), msg))).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}
