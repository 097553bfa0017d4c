//! The dashboard: a greeting, the sections the role may use, recent published announcements.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::authz::Permission;
use posdesk_core::lifecycle::AnnouncementStatus;
use posdesk_core::page::PageRequest;

use super::kit::{Chrome, Web, nav_items};
use super::labels;
use super::session::WebUser;
use crate::i18n::Tr;
use crate::service;
use crate::state::AppState;

pub struct Card {
    pub id: String,
    pub href: &'static str,
    pub label: String,
    pub description: String,
}

pub struct AnnouncementItem {
    pub title: String,
    pub body: String,
    pub published: String,
    pub audience: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    c: Chrome,
    greeting: String,
    provider: Option<String>,
    cards: Vec<Card>,
    announcements: Option<Vec<AnnouncementItem>>,
    /// The licence expires within 60 days (false) or has expired (true), in words.
    licence_warning: Option<(bool, String)>,
    /// For those who review onboarding applications: how many are past their deadline.
    overdue_reviews: Option<(usize, String)>,
    /// Supervisors and provider admins: the last 30 days' repair figures.
    repair_kpis: Option<super::repair_reports::DashBlock>,
}

fn description(tr: &Tr, nav_id: &str) -> String {
    match nav_id {
        "nav-announcements" => tr.t("dash-announcements-desc"),
        "nav-merchants" => tr.t("dash-merchants-desc"),
        "nav-terminals" => tr.t("dash-terminals-desc"),
        "nav-users" => tr.t("dash-users-desc"),
        "nav-providers" => tr.t("dash-providers-desc"),
        "nav-audit" => tr.t("dash-audit-desc"),
        "nav-calendar" => tr.t("dash-calendar-desc"),
        "nav-holidays" => tr.t("dash-holidays-desc"),
        "nav-provider" => tr.t("dash-provider-desc"),
        "nav-service-points" => tr.t("dash-service-points-desc"),
        "nav-onboarding" => tr.t("dash-onboarding-desc"),
        _ => tr.t("dash-account-desc"),
    }
}

/// The first `n` characters of `s`, with an ellipsis when cut.
pub fn excerpt(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

pub async fn dashboard(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(&state);
    let role = user.role();
    let provider = match user.user.tenant_id {
        Some(t) if role.allows(Permission::ProviderRead) => service::providers::get(&ctx, t)
            .await
            .ok()
            .map(|p| tr.ta("dashboard-provider", &[("name", p.name)])),
        _ => None,
    };
    // Provider staff are warned on their home page when their licence runs out.
    let licence_warning = match user.user.tenant_id {
        Some(t) if role.is_provider_staff() => service::profiles::get(&ctx, t)
            .await
            .ok()
            .and_then(|p| super::profile::licence_warning(&tr, p.licence_status)),
        _ => None,
    };
    let overdue_reviews = super::onboarding::overdue_reviews(&ctx, role)
        .await
        .map(|n| {
            (
                n,
                tr.ta("dashboard-overdue-reviews", &[("count", n.to_string())]),
            )
        });
    let repair_kpis = super::repair_reports::dashboard_block(&ctx, &tr, role).await;
    let announcements = if role.allows(Permission::AnnouncementRead) {
        match service::announcements::list(
            &ctx,
            Some(AnnouncementStatus::Published),
            PageRequest::first(5),
        )
        .await
        {
            Ok(page) => Some(
                page.items
                    .into_iter()
                    .map(|a| AnnouncementItem {
                        title: a.title,
                        body: excerpt(&a.body, 160),
                        published: a
                            .published_at
                            .map(|t| t.to_shanghai_display())
                            .unwrap_or_default(),
                        audience: labels::audience(&tr, a.audience),
                    })
                    .collect(),
            ),
            Err(e) => return web.fail(Some(&user), &e),
        }
    } else {
        None
    };
    let cards = nav_items(&tr, role, "")
        .into_iter()
        .filter(|n| n.id != "nav-home")
        .map(|n| Card {
            id: n.id.replacen("nav-", "card-", 1),
            href: n.href,
            description: description(&tr, n.id),
            label: n.label,
        })
        .collect();
    let greeting = tr.ta(
        "dashboard-greeting",
        &[
            ("name", user.user.display_name.clone()),
            ("role", tr.role(role)),
        ],
    );
    let tpl = Dashboard {
        c: web.chrome(Some(&user), tr.t("dashboard-title")),
        greeting,
        provider,
        cards,
        announcements,
        licence_warning,
        overdue_reviews,
        repair_kpis,
    };
    web.render(StatusCode::OK, &tpl)
}
