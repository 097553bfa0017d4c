//! The server-rendered web UI: Simplified Chinese first, English second.
//!
//! Conventions every page follows:
//! * Handlers are thin: parse the form into domain newtypes, call one `service::*` function,
//!   render. No storage mutation and no SQL here.
//! * Every text comes from the Fluent catalogues (`locales/*/main.ftl`) through `tr.t("…")`
//!   or `tr.ta("…", args)`; `tests/i18n.rs` checks that each key used here exists in both.
//! * Every form carries `_csrf` (double-submit with the `posdesk_csrf` cookie); every POST
//!   handler takes a [`kit::CsrfForm`], which refuses a missing or wrong token with a 403 page
//!   before the handler runs.
//! * Success answers with a redirect and a flash message (post/redirect/get); a service error
//!   re-renders the same form with the user's input and the error's HTTP status.

mod account;
mod announcements;
mod assets;
mod audit;
mod auth;
mod calendar;
mod complaint_rules;
mod complaint_stats;
mod complaints;
mod directory;
mod feedback;
mod home;
mod imports;
pub mod kit;
pub mod labels;
mod mail;
mod merchant;
mod onboarding;
mod profile;
mod providers;
mod repair_reports;
mod repairs;
mod repairs_pool;
mod service_points;
pub mod session;
mod terminal;
mod ticket_files;
mod tickets;
mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::AppState;

/// The HTML 404 page, for the application's fallback to answer requests that accept
/// `text/html` (browsers) instead of the JSON problem.
pub async fn not_found(web: kit::Web) -> Response {
    web.error_page(None, StatusCode::NOT_FOUND, web.tr.t("error-not-found"))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/app.css", get(assets::css))
        .route("/assets/intake.js", get(assets::intake_js))
        .route("/assets/complaints.css", get(complaints::css))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/login/totp", get(auth::totp_page).post(auth::totp_submit))
        .route("/logout", post(auth::logout))
        .route("/lang", post(auth::set_lang))
        .route("/", get(home::dashboard))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::detail).post(users::save))
        .route("/users/{id}/disable", post(users::disable))
        .route("/users/{id}/enable", post(users::enable))
        .route("/users/{id}/password", post(users::reset_password))
        .route("/audit", get(audit::browse))
        // The e-mail gateway's quarantine (issue 5).
        .route("/mail/quarantine", get(mail::quarantine))
        .route("/mail/quarantine/{id}/raw", get(mail::raw))
        .route(
            "/announcements",
            get(announcements::list).post(announcements::create),
        )
        .route("/announcements/{id}/publish", post(announcements::publish))
        .route("/announcements/{id}/archive", post(announcements::archive))
        .route("/providers", get(providers::list).post(providers::create))
        .route("/provider", get(profile::page).post(profile::save))
        .route(
            "/provider/logo",
            get(profile::logo).post(profile::upload_logo),
        )
        .route(
            "/service-points",
            get(service_points::list).post(service_points::create),
        )
        .route(
            "/service-points/{id}",
            get(service_points::detail).post(service_points::save),
        )
        .route(
            "/service-points/{id}/overrides",
            post(service_points::set_override),
        )
        .route(
            "/service-points/{id}/overrides/{date}/remove",
            post(service_points::remove_override),
        )
        .route("/merchants", get(merchant::list).post(merchant::create))
        .route("/merchants/new", get(merchant::new_page))
        .route(
            "/merchants/import",
            get(imports::merchants_page)
                .post(imports::merchants_upload)
                .layer(DefaultBodyLimit::max(imports::MAX_UPLOAD_BYTES)),
        )
        .route("/merchants/export.csv", get(imports::export_merchants_csv))
        .route(
            "/merchants/export.xlsx",
            get(imports::export_merchants_xlsx),
        )
        .route(
            "/merchants/{id}",
            get(merchant::detail).post(merchant::save),
        )
        .route(
            "/merchants/{id}/contacts",
            get(merchant::to_page).post(merchant::save_contacts),
        )
        .route(
            "/merchants/{id}/hours",
            get(merchant::to_page).post(merchant::save_hours),
        )
        .route("/terminals", get(directory::terminals))
        .route("/terminals/{id}", get(terminal::page))
        .route(
            "/terminals/{id}/bind",
            get(terminal::back).post(terminal::bind),
        )
        .route(
            "/terminals/{id}/relocate",
            get(terminal::back).post(terminal::relocate),
        )
        .route(
            "/terminals/{id}/unbind",
            get(terminal::back).post(terminal::unbind),
        )
        .route(
            "/terminals/{id}/transition",
            get(terminal::back).post(terminal::transition),
        )
        .route(
            "/terminals/import",
            get(imports::page)
                .post(imports::upload)
                .layer(DefaultBodyLimit::max(imports::MAX_UPLOAD_BYTES)),
        )
        .route("/terminals/export.csv", get(imports::export_csv))
        .route(
            "/terminals/export.xlsx",
            get(imports::export_terminals_xlsx),
        )
        .route("/onboarding", get(onboarding::list).post(onboarding::open))
        .route("/onboarding/review", get(onboarding::review))
        .route("/onboarding/{id}", get(onboarding::detail))
        .route(
            "/onboarding/{id}/documents",
            get(onboarding::back)
                .post(onboarding::upload)
                .layer(DefaultBodyLimit::max(onboarding::MAX_UPLOAD_BYTES)),
        )
        .route(
            "/onboarding/{id}/documents/{doc}",
            get(onboarding::document),
        )
        .route(
            "/onboarding/{id}/documents/{doc}/remove",
            get(onboarding::back_from_document).post(onboarding::remove_document),
        )
        .route(
            "/onboarding/{id}/submit",
            get(onboarding::back).post(onboarding::submit),
        )
        .route(
            "/onboarding/{id}/withdraw",
            get(onboarding::back).post(onboarding::withdraw),
        )
        .route(
            "/onboarding/{id}/approve",
            get(onboarding::back).post(onboarding::approve),
        )
        .route(
            "/onboarding/{id}/reject",
            get(onboarding::back).post(onboarding::reject),
        )
        .route(
            "/onboarding/{id}/installation",
            get(onboarding::back).post(onboarding::installation),
        )
        .route(
            "/onboarding/{id}/acceptance",
            get(onboarding::back).post(onboarding::acceptance),
        )
        .route(
            "/onboarding/{id}/training",
            get(onboarding::back).post(onboarding::training),
        )
        .route(
            "/onboarding/{id}/fees",
            get(onboarding::back).post(onboarding::fees),
        )
        .route(
            "/onboarding/{id}/activate",
            get(onboarding::back).post(onboarding::activate),
        )
        .route(
            "/tickets",
            get(tickets::list)
                .post(tickets::create)
                .layer(DefaultBodyLimit::max(tickets::INTAKE_BODY_BYTES)),
        )
        .route("/tickets/new", get(tickets::new_page))
        // Intake look-up and panel fragments (assets/intake.js).
        .route("/tickets/lookup", get(tickets::lookup))
        .route("/tickets/intake-panel", get(tickets::intake_panel))
        .route("/tickets/bulk", get(tickets::to_list).post(tickets::bulk))
        .route("/tickets/{id}", get(tickets::detail))
        .route(
            "/tickets/{id}/reply",
            get(tickets::back).post(tickets::reply),
        )
        .route("/tickets/{id}/note", get(tickets::back).post(tickets::note))
        .route(
            "/tickets/{id}/transition",
            get(tickets::back).post(tickets::transition),
        )
        .route(
            "/tickets/{id}/assign",
            get(tickets::back).post(tickets::assign),
        )
        .route(
            "/tickets/{id}/priority",
            get(tickets::back).post(tickets::priority),
        )
        .route(
            "/tickets/{id}/reopen",
            get(tickets::back).post(tickets::reopen),
        )
        .route(
            "/tickets/{id}/late-notice",
            get(tickets::back).post(tickets::late_notice),
        )
        .route(
            "/tickets/{id}/merge",
            get(tickets::back).post(tickets::merge),
        )
        .route(
            "/tickets/{id}/split",
            get(tickets::back).post(tickets::split),
        )
        // Ticket attachments (H4): upload bodies up to one attachment + form.
        .route(
            "/tickets/{id}/attachments",
            get(ticket_files::back)
                .post(ticket_files::upload)
                .layer(DefaultBodyLimit::max(ticket_files::MAX_UPLOAD_BYTES)),
        )
        .route(
            "/tickets/{id}/attachments/{attachment}",
            get(ticket_files::download),
        )
        // Repairs and field service (issue 6): the ticket's repairs, each repair's page and its
        // steps, mail-in shipments, the loaner pool, parts and stock, the technician's day list.
        .route("/assets/repairs.css", get(repairs::css))
        .route(
            "/tickets/{id}/repairs",
            get(repairs::back_to_ticket).post(repairs::open),
        )
        // Repair reports (issue 6 item 8).
        .route("/repairs/report", get(repair_reports::page))
        .route("/repairs/{id}", get(repairs::detail))
        .route(
            "/repairs/{id}/action",
            get(repairs::back).post(repairs::action),
        )
        .route(
            "/repairs/{id}/shipment",
            get(repairs::back).post(repairs::shipment),
        )
        .route("/loaners", get(repairs_pool::loaners))
        .route(
            "/loaners/lend",
            get(repairs_pool::to_loaners).post(repairs_pool::lend),
        )
        .route(
            "/loaners/pool",
            get(repairs_pool::to_loaners).post(repairs_pool::add_to_pool),
        )
        .route(
            "/loaners/{loan}/return",
            get(repairs_pool::to_loaners).post(repairs_pool::return_loan),
        )
        .route(
            "/parts",
            get(repairs_pool::parts).post(repairs_pool::save_part),
        )
        .route(
            "/parts/stock",
            get(repairs_pool::to_parts).post(repairs_pool::adjust_stock),
        )
        .route("/me/day-list", get(repairs_pool::day_list))
        .route("/feedback/follow-ups", get(feedback::follow_ups))
        .route(
            "/feedback/follow-ups/{id}",
            axum::routing::post(feedback::follow_up_submit),
        )
        .route(
            "/feedback/{token}",
            get(feedback::link_page).post(feedback::link_submit),
        )
        .route(
            "/tickets/{id}/feedback",
            get(feedback::portal_page).post(feedback::portal_submit),
        )
        .route(
            "/complaints/rules",
            get(complaint_rules::page).post(complaint_rules::save),
        )
        // Complaint statistics (issue 7 item 6) and their downloads.
        .route("/complaints/stats", get(complaint_stats::page))
        .route("/complaints/stats.csv", get(complaint_stats::export_csv))
        .route("/complaints/stats.xlsx", get(complaint_stats::export_xlsx))
        // Complaints (投诉, issue 7): staff queues, intake, the complaint page and its forms,
        // evidence, the decision letter; public form and tracking without an account.
        .route(
            "/complaints",
            get(complaints::list).post(complaints::create),
        )
        .route("/complaints/new", get(complaints::new_page))
        .route("/complaints/{id}", get(complaints::detail))
        .route(
            "/complaints/{id}/action",
            get(complaints::back).post(complaints::action),
        )
        .route(
            "/complaints/{id}/evidence",
            get(complaints::back)
                .post(complaints::upload)
                .layer(DefaultBodyLimit::max(complaints::MAX_UPLOAD_BYTES)),
        )
        .route(
            "/complaints/{id}/evidence/{evidence}",
            get(complaints::download),
        )
        .route("/complaints/{id}/letter", get(complaints::letter))
        .route(
            "/public/{provider_id}/complaint",
            get(complaints::public_page).post(complaints::public_submit),
        )
        .route(
            "/track",
            get(complaints::track_page).post(complaints::track_submit),
        )
        .route("/calendar", get(calendar::page))
        .route("/calendar/hours", post(calendar::set_hours))
        .route("/calendar/overrides", post(calendar::set_override))
        .route(
            "/calendar/overrides/{date}/remove",
            post(calendar::remove_override),
        )
        .route("/calendar/import", post(calendar::import))
        .route("/calendar/export.csv", get(calendar::export_csv))
        .route("/calendar/export.ics", get(calendar::export_ics))
        .route(
            "/holidays",
            get(calendar::holidays).post(calendar::load_holidays),
        )
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/account/totp/enable", post(account::enable_totp))
        .route("/account/totp/disable", post(account::disable_totp))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
}
