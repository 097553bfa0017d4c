//! The JSON API under `/api/v1`. Conventions every module follows:
//! bearer authentication (`Caller`), JSON bodies through `JsonBody` (unknown fields refused),
//! problem+json errors (`error.rs`), `Idempotency-Key` on creating POSTs (`create_idempotent`),
//! `ETag`/`If-Match` versions on single records, cursor pagination (`limit`, `cursor`,
//! `next_cursor`), and an OpenAPI 3.1 document generated from the handlers' annotations.

pub mod announcements;
pub mod audit;
pub mod bindings;
pub mod calendars;
pub mod complaint_rules;
pub mod complaint_stats;
pub mod complaints;
pub mod directory;
pub mod dto;
pub mod extract;
pub mod feedback;
pub mod intake;
pub mod mail;
pub mod onboarding;
pub mod profiles;
pub mod providers;
pub mod repair_reports;
pub mod repairs;
pub mod service_points;
pub mod system;
pub mod ticket_files;
pub mod tickets;
pub mod tokens;
pub mod upload;
pub mod users;
pub mod webhooks;

use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use posdesk_storage::IdemTag;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route("/metrics", get(system::metrics))
        .route("/api/v1/openapi.json", get(system::openapi))
        .route("/api/v1/me", get(system::me))
        .route(
            "/api/v1/providers",
            get(providers::list).post(providers::create),
        )
        .route("/api/v1/providers/{id}", get(providers::get_one))
        .route(
            "/api/v1/providers/{id}/profile",
            get(profiles::get).put(profiles::put),
        )
        .route(
            "/api/v1/providers/{id}/logo",
            get(profiles::get_logo).put(profiles::put_logo),
        )
        .route("/api/v1/users", get(users::list).post(users::create))
        .route(
            "/api/v1/users/{id}",
            get(users::get_one).patch(users::update),
        )
        .route("/api/v1/users/{id}/disable", post(users::disable))
        .route("/api/v1/users/{id}/enable", post(users::enable))
        .route("/api/v1/users/{id}/password", post(users::reset_password))
        .route("/api/v1/tokens", get(tokens::list).post(tokens::create))
        .route("/api/v1/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route(
            "/api/v1/announcements",
            get(announcements::list).post(announcements::create),
        )
        .route(
            "/api/v1/announcements/{id}",
            get(announcements::get_one).patch(announcements::update),
        )
        .route(
            "/api/v1/announcements/{id}/publish",
            post(announcements::publish),
        )
        .route(
            "/api/v1/announcements/{id}/archive",
            post(announcements::archive),
        )
        .route(
            "/api/v1/holiday-years",
            get(calendars::holiday_years).post(calendars::load_holiday_years),
        )
        .route(
            "/api/v1/calendar",
            get(calendars::get).put(calendars::set_hours),
        )
        .route("/api/v1/calendar/days", get(calendars::days))
        .route("/api/v1/calendar/export", get(calendars::export))
        .route("/api/v1/calendar/import", post(calendars::import))
        .route(
            "/api/v1/calendar/overrides/{date}",
            axum::routing::put(calendars::set_day).delete(calendars::remove_day),
        )
        .route(
            "/api/v1/service-points",
            get(service_points::list).post(service_points::create),
        )
        .route(
            "/api/v1/service-points/{id}",
            get(service_points::get_one).put(service_points::update),
        )
        .route(
            "/api/v1/service-points/{id}/calendar/days",
            get(service_points::days),
        )
        .route(
            "/api/v1/service-points/{id}/calendar/overrides/{date}",
            axum::routing::put(service_points::set_day).delete(service_points::remove_day),
        )
        .route(
            "/api/v1/merchants",
            get(directory::merchants).post(directory::create_merchant),
        )
        .route(
            "/api/v1/merchants/{id}/transition",
            post(directory::transition_merchant),
        )
        .route(
            "/api/v1/merchants/{id}",
            get(directory::merchant).patch(directory::update_merchant),
        )
        .route(
            "/api/v1/merchants/{id}/contacts",
            get(directory::contacts).put(directory::set_contacts),
        )
        .route(
            "/api/v1/merchants/{id}/hours",
            get(directory::hours).put(directory::set_hours),
        )
        .route("/api/v1/terminals", get(directory::terminals))
        .route("/api/v1/terminals/{id}", get(directory::terminal))
        .route(
            "/api/v1/terminals/{id}/transition",
            post(directory::transition),
        )
        .route("/api/v1/terminals/{id}/history", get(directory::history))
        .route(
            "/api/v1/terminals/{id}/bindings",
            get(bindings::list).post(bindings::bind),
        )
        .route("/api/v1/terminals/{id}/relocate", post(bindings::relocate))
        .route("/api/v1/terminals/{id}/unbind", post(bindings::unbind))
        .route(
            "/api/v1/onboarding-applications",
            get(onboarding::list).post(onboarding::open),
        )
        .route(
            "/api/v1/onboarding-applications/review-queue",
            get(onboarding::review_queue),
        )
        .route(
            "/api/v1/onboarding-applications/{id}",
            get(onboarding::get_one),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/documents",
            post(onboarding::attach),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/documents/{document}",
            get(onboarding::document).delete(onboarding::remove_document),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/submit",
            post(onboarding::submit),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/withdraw",
            post(onboarding::withdraw),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/approve",
            post(onboarding::approve),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/reject",
            post(onboarding::reject),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/installation",
            post(onboarding::installation),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/acceptance",
            post(onboarding::acceptance),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/training",
            post(onboarding::training),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/fees",
            post(onboarding::fees),
        )
        .route(
            "/api/v1/onboarding-applications/{id}/activate",
            post(onboarding::activate),
        )
        .route(
            "/api/v1/sla-policies",
            get(tickets::sla_policies).put(tickets::save_sla_policies),
        )
        .route(
            "/api/v1/tickets/{id}/rating",
            get(feedback::get).post(feedback::rate),
        )
        .route("/api/v1/feedback/follow-ups", get(feedback::follow_ups))
        .route(
            "/api/v1/feedback/follow-ups/{ticket_id}",
            post(feedback::follow_up),
        )
        .route(
            "/api/v1/public/feedback/{token}",
            post(feedback::rate_by_link),
        )
        .route(
            "/api/v1/complaint-rules",
            get(complaint_rules::get).put(complaint_rules::put),
        )
        .route("/api/v1/tickets", get(tickets::list).post(tickets::create))
        .route("/api/v1/tickets/{id}", get(tickets::get_one))
        .route("/api/v1/tickets/{id}/replies", post(tickets::reply))
        .route("/api/v1/tickets/{id}/notes", post(tickets::note))
        .route("/api/v1/tickets/{id}/transition", post(tickets::transition))
        .route("/api/v1/tickets/{id}/reopen", post(tickets::reopen))
        .route("/api/v1/tickets/{id}/assign", post(tickets::assign))
        .route("/api/v1/tickets/{id}/priority", post(tickets::priority))
        .route(
            "/api/v1/tickets/{id}/late-notice",
            post(tickets::late_notice),
        )
        .route("/api/v1/tickets/{id}/merge", post(tickets::merge))
        .route("/api/v1/tickets/{id}/split", post(tickets::split))
        // Ticket attachments (H4): the upload route takes bodies up to one attachment + form.
        .route(
            "/api/v1/tickets/{id}/attachments",
            get(ticket_files::list).post(ticket_files::add).layer(
                axum::extract::DefaultBodyLimit::max(ticket_files::MAX_UPLOAD_BYTES),
            ),
        )
        .route(
            "/api/v1/tickets/{id}/attachments/{attachment_id}",
            get(ticket_files::download),
        )
        // Complaints (issue 7). The evidence upload takes bodies up to one file + form.
        .route(
            "/api/v1/complaints",
            get(complaints::list).post(complaints::create),
        )
        .route("/api/v1/complaints/{id}", get(complaints::get_one))
        .route("/api/v1/complaints/{id}/actions", post(complaints::action))
        .route(
            "/api/v1/complaints/{id}/evidence",
            post(complaints::add_evidence).layer(axum::extract::DefaultBodyLimit::max(
                complaints::MAX_EVIDENCE_UPLOAD_BYTES,
            )),
        )
        .route(
            "/api/v1/complaints/{id}/evidence/{evidence_id}",
            get(complaints::evidence_file),
        )
        .route(
            "/api/v1/complaints/{id}/evidence-check",
            get(complaints::evidence_check),
        )
        .route("/api/v1/complaints/{id}/letter", get(complaints::letter))
        .route(
            "/api/v1/public/providers/{provider_id}/complaints",
            post(complaints::public_create),
        )
        .route("/api/v1/public/complaints/track", post(complaints::track))
        // Intake look-up and panel (hotline and walk-in entry).
        .route("/api/v1/lookup", get(intake::lookup))
        .route(
            "/api/v1/terminals/{id}/intake-summary",
            get(intake::summary),
        )
        .route("/api/v1/audit", get(audit::list))
        // Complaint statistics (issue 7 item 6): JSON and the CSV/XLSX downloads.
        .route("/api/v1/complaints/stats", get(complaint_stats::stats))
        .route(
            "/api/v1/complaints/stats.csv",
            get(complaint_stats::stats_csv),
        )
        .route(
            "/api/v1/complaints/stats.xlsx",
            get(complaint_stats::stats_xlsx),
        )
        // The e-mail gateway's quarantine (issue 5).
        .route("/api/v1/mail/quarantine", get(mail::quarantine))
        .route("/api/v1/mail/quarantine/{id}/raw", get(mail::raw))
        .route(
            "/api/v1/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/api/v1/webhooks/{id}/deactivate",
            post(webhooks::deactivate),
        )
        // Repair and field service (issue 6): repairs, shipments, parts and stock, loaners.
        .route(
            "/api/v1/tickets/{id}/repairs",
            get(repairs::of_ticket).post(repairs::open),
        )
        // Repair reports (issue 6 item 8).
        .route("/api/v1/repairs/report", get(repair_reports::report))
        .route("/api/v1/repairs/{id}", get(repairs::get_one))
        .route("/api/v1/repairs/{id}/actions", post(repairs::action))
        .route(
            "/api/v1/repairs/{id}/shipments",
            get(repairs::shipments).post(repairs::shipment),
        )
        .route(
            "/api/v1/repairs/{id}/technicians",
            get(repairs::technicians),
        )
        .route("/api/v1/parts", get(repairs::parts))
        .route(
            "/api/v1/parts/{code}",
            axum::routing::put(repairs::put_part),
        )
        .route("/api/v1/parts/{code}/stock", post(repairs::adjust_stock))
        .route(
            "/api/v1/loaners",
            get(repairs::pool).post(repairs::add_to_pool),
        )
        .route("/api/v1/loans", get(repairs::loans).post(repairs::lend))
        .route("/api/v1/loans/{id}/return", post(repairs::return_loan))
        .route("/api/v1/me/day-list", get(repairs::day_list))
        .fallback(system::not_found)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "posdesk API", version = "1", description = "After-sales service platform for POS payment service providers. Authenticate with `Authorization: Bearer <token>`; errors are application/problem+json."),
    paths(
        system::healthz, system::readyz, system::me,
        providers::list, providers::create, providers::get_one,
        profiles::get, profiles::put, profiles::get_logo, profiles::put_logo,
        service_points::list, service_points::create, service_points::get_one, service_points::update,
        service_points::days, service_points::set_day, service_points::remove_day,
        users::list, users::create, users::get_one, users::update, users::disable, users::enable, users::reset_password,
        tokens::list, tokens::create, tokens::revoke,
        announcements::list, announcements::create, announcements::get_one, announcements::update,
        announcements::publish, announcements::archive,
        calendars::holiday_years, calendars::load_holiday_years, calendars::get, calendars::set_hours,
        calendars::days, calendars::export, calendars::import, calendars::set_day, calendars::remove_day,
        directory::merchants, directory::merchant, directory::terminals, directory::terminal,
        directory::transition, directory::history, directory::create_merchant, directory::transition_merchant,
        directory::update_merchant, directory::contacts, directory::set_contacts, directory::hours, directory::set_hours,
        bindings::list, bindings::bind, bindings::relocate, bindings::unbind,
        onboarding::list, onboarding::open, onboarding::review_queue, onboarding::get_one,
        onboarding::attach, onboarding::document, onboarding::remove_document,
        onboarding::submit, onboarding::withdraw, onboarding::approve, onboarding::reject,
        onboarding::installation, onboarding::acceptance, onboarding::training, onboarding::fees,
        onboarding::activate,
        tickets::list, tickets::create, tickets::get_one, tickets::reply, tickets::note,
        tickets::transition, tickets::reopen, tickets::assign, tickets::priority,
        tickets::late_notice, tickets::merge, tickets::split,
        ticket_files::add, ticket_files::list, ticket_files::download,
        tickets::sla_policies, tickets::save_sla_policies,
        complaint_rules::get, complaint_rules::put,
        feedback::rate, feedback::get, feedback::follow_ups, feedback::follow_up, feedback::rate_by_link,
        intake::lookup, intake::summary,
        complaints::list, complaints::create, complaints::get_one, complaints::action,
        complaints::add_evidence, complaints::evidence_file, complaints::evidence_check,
        complaints::letter, complaints::public_create, complaints::track,
        audit::list,
        complaint_stats::stats, complaint_stats::stats_csv, complaint_stats::stats_xlsx,
        mail::quarantine, mail::raw,
        webhooks::list, webhooks::create, webhooks::deactivate,
        repairs::open, repairs::of_ticket, repairs::get_one, repairs::action,
        repairs::shipment, repairs::shipments, repairs::technicians, repairs::parts, repairs::put_part,
        repairs::adjust_stock, repairs::pool, repairs::add_to_pool, repairs::loans,
        repairs::lend, repairs::return_loan, repairs::day_list,
        repair_reports::report,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document, as version 3.1.
pub fn openapi_json() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    doc["openapi"] = serde_json::Value::String("3.1.0".into());
    doc
}

/// A single record with its version as a strong ETag.
pub fn with_etag<T: Serialize>(version: i64, body: T) -> Response {
    let mut res = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// Runs a creating POST under its `Idempotency-Key`: the first request's response is stored in
/// the same transaction as the record; a replay with the same body gets that response again
/// (`Idempotent-Replayed: true`); the same key with a different body is refused (422).
pub async fn create_idempotent<S, D, F, Fut>(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    route: &str,
    body_sha256: &str,
    run: F,
) -> ApiResult<Response>
where
    S: DeserializeOwned,
    D: From<S> + Serialize,
    F: FnOnce(Option<IdemTag>) -> Fut,
    Fut: Future<Output = ApiResult<S>>,
{
    let tag = extract::idempotency_key(headers)?.map(|key| IdemTag {
        scope: format!("{}:{route}", caller.principal.user_id()),
        key,
        fingerprint: body_sha256.to_owned(),
        status: 201,
    });
    if let Some(t) = &tag
        && let Some(r) = replay::<S, D>(state, t).await?
    {
        return Ok(r);
    }
    match run(tag.clone()).await {
        Ok(v) => Ok((StatusCode::CREATED, Json(D::from(v))).into_response()),
        Err(e) => match &tag {
            // A concurrent request with the same key committed first: answer with its response.
            Some(t) if matches!(e, ApiError::Conflict { .. }) => {
                replay::<S, D>(state, t).await?.ok_or(e)
            }
            _ => Err(e),
        },
    }
}

async fn replay<S: DeserializeOwned, D: From<S> + Serialize>(
    state: &AppState,
    t: &IdemTag,
) -> ApiResult<Option<Response>> {
    let (scope, key) = (t.scope.clone(), t.key.clone());
    let stored = state
        .store
        .read(move |c| {
            Box::pin(async move { posdesk_storage::repo::idempotency::find(c, &scope, &key).await })
        })
        .await?;
    let Some(s) = stored else { return Ok(None) };
    if s.fingerprint != t.fingerprint {
        return Err(ApiError::Invalid(posdesk_core::FieldError::new(
            "Idempotency-Key",
            posdesk_core::Rule::Invalid {
                reason: "already used for a different request",
            },
        )));
    }
    let value: S = serde_json::from_str(&s.body)
        .map_err(|e| ApiError::Internal(format!("stored response: {e}")))?;
    let status = StatusCode::from_u16(s.status).unwrap_or(StatusCode::CREATED);
    let mut res = (status, Json(D::from(value))).into_response();
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(Some(res))
}

/// A service context for an API caller.
pub fn ctx<'a>(state: &'a AppState, caller: &'a Caller) -> crate::service::Ctx<'a> {
    crate::service::Ctx::new(state, &caller.principal, caller.request_id.clone())
}
