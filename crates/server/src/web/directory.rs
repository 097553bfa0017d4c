//! The read-only list of terminals, scoped by the service layer (merchants: `web::merchant`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::kit::{Chrome, Query, Web, link};
use super::labels;
use super::session::WebUser;
use crate::service;
use crate::state::AppState;

pub struct TerminalRow {
    /// The terminal's page.
    pub href: String,
    pub sn: String,
    pub tid: String,
    pub model: String,
    pub manufacturer: String,
    pub firmware: String,
    pub merchant: String,
    pub status: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "terminals.html")]
struct TerminalsPage {
    c: Chrome,
    rows: Vec<TerminalRow>,
    next_link: Option<String>,
    can_import: bool,
}

pub async fn terminals(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(&state);
    let page = match super::kit::page_request(&q) {
        Ok(p) => p,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let page = match service::directory::terminals(&ctx, page).await {
        Ok(p) => p,
        Err(e) => return web.fail(Some(&user), &e),
    };
    // Merchant names for the page's terminals (one read per distinct merchant).
    let mut names = std::collections::HashMap::new();
    for m in page.items.iter().filter_map(|t| t.merchant_id) {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(m) {
            let name = service::directory::merchant(&ctx, m)
                .await
                .map(|m| m.name)
                .unwrap_or_default();
            slot.insert(name);
        }
    }
    let next_link = page
        .next
        .as_ref()
        .map(|c| link("/terminals", &[("cursor", &c.encode())]));
    let rows = page
        .items
        .into_iter()
        .map(|t| TerminalRow {
            href: format!("/terminals/{}", t.id),
            sn: t.sn,
            tid: t.tid.unwrap_or_default(),
            model: t.model,
            manufacturer: t.manufacturer,
            firmware: t.firmware.unwrap_or_default(),
            merchant: t
                .merchant_id
                .and_then(|m| names.get(&m).cloned())
                .unwrap_or_default(),
            status: labels::record_status(&tr, &t.status),
            created: t.created_at.to_shanghai_display(),
        })
        .collect();
    let tpl = TerminalsPage {
        c: web.chrome(Some(&user), tr.t("terminals-title")),
        rows,
        next_link,
        can_import: user
            .role()
            .allows(posdesk_core::authz::Permission::TerminalImport),
    };
    web.render(StatusCode::OK, &tpl)
}
