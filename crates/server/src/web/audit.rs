//! The audit browser: filter by entity, actor, action and Shanghai calendar dates; newest first.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::authz::Permission;
use posdesk_core::ids::UserId;
use posdesk_core::page::PageRequest;
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::audit::Filter;

use super::kit::{Chrome, Fields, Opt, Query, Web, is_form_error, link};
use super::labels;
use super::session::WebUser;
use crate::error::ApiResult;
use crate::service;
use crate::state::AppState;

pub struct EventRow {
    pub seq: i64,
    pub time: String,
    pub actor: String,
    pub actor_id: String,
    pub actor_link: String,
    pub actor_role: String,
    pub entity_type: String,
    pub entity_id: String,
    pub entity_link: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<EventRow>,
    entity_types: Vec<Opt>,
    actions: Vec<Opt>,
    entity_id: String,
    actor: String,
    from: String,
    to: String,
    next_link: Option<String>,
    error: Option<String>,
    first_link: Option<String>,
}

fn pretty(json: Option<String>) -> Option<String> {
    let raw = json?;
    if raw == "null" {
        return None;
    }
    Some(
        serde_json::from_str::<serde_json::Value>(&raw)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or(raw),
    )
}

fn day(field: &str, v: Option<&str>, add_days: i64) -> Result<Option<Timestamp>, FieldError> {
    v.map(|s| {
        labels::shanghai_midnight_ms(s)
            .map(|ms| Timestamp::from_millis(ms + add_days * 86_400_000))
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    Rule::Pattern {
                        expected: "a date YYYY-MM-DD",
                    },
                )
            })
    })
    .transpose()
}

fn filter_of(q: &Fields) -> ApiResult<(Filter, PageRequest)> {
    let filter = Filter {
        entity_type: q.opt("entity_type").map(str::to_owned),
        entity_id: q.opt("entity_id").map(str::to_owned),
        actor: q.opt("actor").map(str::to_owned),
        action: q.opt("action").map(str::to_owned),
        from: day("from", q.opt("from"), 0)?,
        // The "to" day is inclusive: everything before the next day's midnight.
        to: day("to", q.opt("to"), 1)?,
    };
    Ok((filter, super::kit::page_request(q)?))
}

pub async fn browse(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(&state);
    let mut error = None;
    let mut status = StatusCode::OK;
    let mut rows = Vec::new();
    let mut next_link = None;
    let result = match filter_of(&q) {
        Ok((filter, page)) => service::audit::list(&ctx, filter, page).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(page) => {
            // Show names for user actors the reader may see.
            let mut names: HashMap<String, String> = HashMap::new();
            if user.role().allows(Permission::UserRead) {
                for e in &page.items {
                    if names.contains_key(&e.actor) {
                        continue;
                    }
                    if let Ok(id) = UserId::parse("actor", &e.actor)
                        && let Ok(u) = service::users::get(&ctx, id).await
                    {
                        names.insert(e.actor.clone(), format!("{} ({})", u.display_name, u.login));
                    }
                }
            }
            next_link = page.next.as_ref().map(|c| {
                link(
                    "/audit",
                    &[
                        ("entity_type", q.get("entity_type")),
                        ("entity_id", q.get("entity_id")),
                        ("actor", q.get("actor")),
                        ("action", q.get("action")),
                        ("from", q.get("from")),
                        ("to", q.get("to")),
                        ("cursor", &c.encode()),
                    ],
                )
            });
            rows = page
                .items
                .into_iter()
                .map(|e| EventRow {
                    seq: e.seq,
                    time: e.at.to_shanghai_display(),
                    actor: names
                        .get(&e.actor)
                        .cloned()
                        .unwrap_or_else(|| e.actor.clone()),
                    actor_link: link("/audit", &[("actor", &e.actor)]),
                    actor_id: e.actor,
                    actor_role: labels::actor_role(&tr, &e.actor_role),
                    entity_type: labels::entity_type(&tr, &e.entity_type),
                    entity_link: link(
                        "/audit",
                        &[("entity_type", &e.entity_type), ("entity_id", &e.entity_id)],
                    ),
                    entity_id: e.entity_id,
                    action: labels::action(&tr, &e.action),
                    before: pretty(e.before),
                    after: pretty(e.after),
                    request_id: e.request_id,
                })
                .collect();
        }
        Err(e) if is_form_error(&e) => {
            status = e.status();
            error = Some(labels::error_message(&tr, &e));
        }
        Err(e) => return web.fail(Some(&user), &e),
    }
    let mut entity_types = vec![Opt::new("", tr.t("filter-any"), q.get("entity_type"))];
    entity_types.extend(
        labels::ENTITY_TYPES
            .iter()
            .map(|t| Opt::new(*t, labels::entity_type(&tr, t), q.get("entity_type"))),
    );
    let mut actions = vec![Opt::new("", tr.t("filter-any"), q.get("action"))];
    actions.extend(
        labels::ACTIONS
            .iter()
            .map(|a| Opt::new(*a, labels::action(&tr, a), q.get("action"))),
    );
    let tpl = AuditPage {
        c: web.chrome(Some(&user), tr.t("audit-title")),
        rows,
        entity_types,
        actions,
        entity_id: q.get("entity_id").to_owned(),
        actor: q.get("actor").to_owned(),
        from: q.get("from").to_owned(),
        to: q.get("to").to_owned(),
        next_link,
        error,
        first_link: q.opt("cursor").map(|_| {
            link(
                "/audit",
                &[
                    ("entity_type", q.get("entity_type")),
                    ("entity_id", q.get("entity_id")),
                    ("actor", q.get("actor")),
                    ("action", q.get("action")),
                    ("from", q.get("from")),
                    ("to", q.get("to")),
                ],
            )
        }),
    };
    web.render(status, &tpl)
}
