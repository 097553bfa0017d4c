//! Provider announcements: everyone with read access sees the list (merchant users only what
//! is published to merchants); holders of `AnnouncementWrite` draft, publish and archive.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::authz::Permission;
use posdesk_core::ids::AnnouncementId;
use posdesk_core::lifecycle::{AnnouncementEvent, AnnouncementStatus, Audience};
use posdesk_core::text::{Body, Title};
use posdesk_core::{FieldError, Rule};

use super::kit::{Chrome, CsrfForm, Fields, Flash, Opt, Query, Web, is_form_error, link};
use super::labels;
use super::session::WebUser;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::announcements::NewAnnouncement;
use crate::state::AppState;

pub struct AnnouncementRow {
    pub id: String,
    pub title: String,
    pub body: String,
    pub audience: String,
    pub status: String,
    pub status_class: &'static str,
    pub created: String,
    pub published: String,
    pub version: i64,
    pub can_publish: bool,
    pub can_archive: bool,
}

pub struct AnnouncementForm {
    pub title: String,
    pub body: String,
    pub audiences: Vec<Opt>,
    pub publish: bool,
}

#[derive(Template)]
#[template(path = "announcements.html")]
struct AnnouncementsPage {
    c: Chrome,
    rows: Vec<AnnouncementRow>,
    can_write: bool,
    statuses: Vec<Opt>,
    form: AnnouncementForm,
    next_link: Option<String>,
    error: Option<String>,
}

fn audience_options(tr: &crate::i18n::Tr, current: &str) -> Vec<Opt> {
    Audience::ALL
        .iter()
        .map(|a| Opt::new(a.code(), labels::audience(tr, *a), current))
        .collect()
}

async fn render(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    q: &Fields,
    form: Option<AnnouncementForm>,
    error: Option<(StatusCode, String)>,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let can_write = user.role().allows(Permission::AnnouncementWrite);
    let status_filter = if can_write {
        q.opt("status").and_then(AnnouncementStatus::from_code)
    } else {
        None
    };
    let page = match super::kit::page_request(q) {
        Ok(p) => p,
        Err(e) => return web.fail(Some(user), &e),
    };
    let page = match service::announcements::list(&ctx, status_filter, page).await {
        Ok(p) => p,
        Err(e) => return web.fail(Some(user), &e),
    };
    let rows = page
        .items
        .into_iter()
        .map(|a| AnnouncementRow {
            id: a.id.to_string(),
            title: a.title,
            body: a.body,
            audience: labels::audience(&tr, a.audience),
            status: labels::announcement_status(&tr, a.status),
            status_class: match a.status {
                AnnouncementStatus::Draft => "badge-draft",
                AnnouncementStatus::Published => "badge-ok",
                AnnouncementStatus::Archived => "badge-off",
            },
            created: a.created_at.to_shanghai_display(),
            published: a
                .published_at
                .map(|t| t.to_shanghai_display())
                .unwrap_or_default(),
            version: a.version,
            can_publish: can_write && a.status.transition(AnnouncementEvent::Publish).is_ok(),
            can_archive: can_write && a.status.transition(AnnouncementEvent::Archive).is_ok(),
        })
        .collect();
    let mut statuses = vec![Opt::new("", tr.t("filter-any"), q.get("status"))];
    statuses.extend(AnnouncementStatus::ALL.iter().map(|s| {
        Opt::new(
            s.code(),
            labels::announcement_status(&tr, *s),
            q.get("status"),
        )
    }));
    let next_link = page.next.as_ref().map(|c| {
        link(
            "/announcements",
            &[("status", q.get("status")), ("cursor", &c.encode())],
        )
    });
    let form = form.unwrap_or_else(|| AnnouncementForm {
        title: String::new(),
        body: String::new(),
        audiences: audience_options(&tr, "merchants"),
        publish: false,
    });
    let (status, error) = match error {
        Some((s, m)) => (s, Some(m)),
        None => (StatusCode::OK, None),
    };
    let tpl = AnnouncementsPage {
        c: web.chrome(Some(user), tr.t("announcements-title")),
        rows,
        can_write,
        statuses,
        form,
        next_link,
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
    render(&state, &web, &user, &q, None, None).await
}

pub async fn create(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result = async {
        let audience = Audience::from_code(f.get("audience")).ok_or_else(|| {
            FieldError::new(
                "audience",
                Rule::OneOf {
                    allowed: vec!["staff", "merchants"],
                },
            )
        })?;
        let new = NewAnnouncement {
            title: Title::parse("title", f.get("title"))?,
            body: Body::parse("body", f.get("body"))?,
            audience,
            publish: f.checked("publish"),
        };
        service::announcements::create(&user.ctx(&state), new).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash("/announcements", Flash::AnnouncementCreated),
        Err(e) if is_form_error(&e) => {
            let form = AnnouncementForm {
                title: f.get("title").to_owned(),
                body: f.get("body").to_owned(),
                audiences: audience_options(&web.tr, f.get("audience")),
                publish: f.checked("publish"),
            };
            let msg = labels::error_message(&web.tr, &e);
            render(
                &state,
                &web,
                &user,
                &Fields::default(),
                Some(form),
                Some((e.status(), msg)),
            )
            .await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

async fn transition(
    state: AppState,
    web: Web,
    user: WebUser,
    id: String,
    f: Fields,
    event: AnnouncementEvent,
) -> Response {
    let Ok(id) = AnnouncementId::parse("id", &id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result: ApiResult<_> = async {
        let version = f
            .opt("version")
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
            .transpose()?;
        service::announcements::transition(&user.ctx(&state), id, version, event).await
    }
    .await;
    let flash = match event {
        AnnouncementEvent::Publish => Flash::AnnouncementPublished,
        AnnouncementEvent::Archive => Flash::AnnouncementArchived,
    };
    match result {
        Ok(_) => web.redirect_flash("/announcements", flash),
        Err(e) if is_form_error(&e) => {
            let msg = labels::error_message(&web.tr, &e);
            render(
                &state,
                &web,
                &user,
                &Fields::default(),
                None,
                Some((e.status(), msg)),
            )
            .await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn publish(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    transition(state, web, user, id, f, AnnouncementEvent::Publish).await
}

pub async fn archive(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    transition(state, web, user, id, f, AnnouncementEvent::Archive).await
}
