//! The authorisation matrix: every API route × every role × own/other tenant (and, for merchant
//! users, a sibling merchant of their own provider). Expected outcomes are derived from the
//! route's permission and the role's permissions in the core, so the table cannot drift from the
//! rules; and the route list is checked against the OpenAPI document, so a new route without a
//! row here fails the test.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use posdesk_core::authz::{Permission, Role};
use posdesk_core::lifecycle::Audience;
use posdesk_core::text::{Body, Title, WebhookUrl};
use posdesk_server::service::{self, Ctx};
use serde_json::{Value, json};

use crate::app_tests;
use crate::helpers::{Tenant, TestApp, err, token};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    Own,
    Other,
    /// Another merchant of the caller's own provider (merchant users only).
    SiblingMerchant,
}

#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Allow,
    Forbid,
    Hide,
}

struct Route {
    method: Method,
    path: &'static str,
    perm: Permission,
    /// Addresses one record by id (other tenants' records answer 404).
    item: bool,
    /// The platform admin's scope covers every tenant on this route.
    platform_wide: bool,
    /// A merchant user only reaches their own merchant's record.
    merchant_bound: bool,
}

const fn r(
    method: Method,
    path: &'static str,
    perm: Permission,
    item: bool,
    platform_wide: bool,
    merchant_bound: bool,
) -> Route {
    Route {
        method,
        path,
        perm,
        item,
        platform_wide,
        merchant_bound,
    }
}

fn routes() -> Vec<Route> {
    use Permission::*;
    vec![
        r(Method::GET, "/api/v1/me", SelfRead, false, false, false),
        r(
            Method::GET,
            "/api/v1/providers",
            ProviderRead,
            false,
            true,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/providers",
            ProviderCreate,
            false,
            true,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/providers/{id}",
            ProviderRead,
            true,
            true,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/providers/{id}/profile",
            ProviderRead,
            true,
            true,
            false,
        ),
        r(
            Method::PUT,
            "/api/v1/providers/{id}/profile",
            ProfileManage,
            true,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/providers/{id}/logo",
            ProviderRead,
            true,
            true,
            false,
        ),
        r(
            Method::PUT,
            "/api/v1/providers/{id}/logo",
            ProfileManage,
            true,
            false,
            false,
        ),
        r(Method::GET, "/api/v1/users", UserRead, false, true, false),
        r(Method::POST, "/api/v1/users", UserManage, true, true, false),
        r(
            Method::GET,
            "/api/v1/users/{id}",
            UserRead,
            true,
            true,
            false,
        ),
        r(
            Method::PATCH,
            "/api/v1/users/{id}",
            UserManage,
            true,
            true,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/users/{id}/disable",
            UserManage,
            true,
            true,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/users/{id}/enable",
            UserManage,
            true,
            true,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/users/{id}/password",
            UserManage,
            true,
            true,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/tokens",
            TokenManage,
            false,
            true,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/tokens",
            TokenManage,
            false,
            true,
            false,
        ),
        r(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            TokenManage,
            true,
            true,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/announcements",
            AnnouncementRead,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/announcements",
            AnnouncementWrite,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/announcements/{id}",
            AnnouncementRead,
            true,
            false,
            false,
        ),
        r(
            Method::PATCH,
            "/api/v1/announcements/{id}",
            AnnouncementWrite,
            true,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/announcements/{id}/publish",
            AnnouncementWrite,
            true,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/announcements/{id}/archive",
            AnnouncementWrite,
            true,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/holiday-years",
            HolidayRead,
            false,
            true,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/holiday-years",
            HolidayManage,
            false,
            true,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/calendar",
            CalendarRead,
            false,
            false,
            false,
        ),
        r(
            Method::PUT,
            "/api/v1/calendar",
            CalendarManage,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/calendar/days",
            CalendarRead,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/calendar/export",
            CalendarRead,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/calendar/import",
            CalendarManage,
            false,
            false,
            false,
        ),
        r(
            Method::PUT,
            "/api/v1/calendar/overrides/{date}",
            CalendarManage,
            false,
            false,
            false,
        ),
        r(
            Method::DELETE,
            "/api/v1/calendar/overrides/{date}",
            CalendarManage,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/service-points",
            ServicePointRead,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/service-points",
            ServicePointManage,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/service-points/{id}",
            ServicePointRead,
            true,
            false,
            false,
        ),
        r(
            Method::PUT,
            "/api/v1/service-points/{id}",
            ServicePointManage,
            true,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/service-points/{id}/calendar/days",
            ServicePointRead,
            true,
            false,
            false,
        ),
        r(
            Method::PUT,
            "/api/v1/service-points/{id}/calendar/overrides/{date}",
            ServicePointManage,
            true,
            false,
            false,
        ),
        r(
            Method::DELETE,
            "/api/v1/service-points/{id}/calendar/overrides/{date}",
            ServicePointManage,
            true,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/merchants",
            MerchantRead,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/merchants",
            MerchantManage,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/merchants/{id}/transition",
            MerchantManage,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/merchants/{id}",
            MerchantRead,
            true,
            false,
            true,
        ),
        r(
            Method::PATCH,
            "/api/v1/merchants/{id}",
            MerchantManage,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/merchants/{id}/contacts",
            MerchantRead,
            true,
            false,
            true,
        ),
        r(
            Method::PUT,
            "/api/v1/merchants/{id}/contacts",
            MerchantManage,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/merchants/{id}/hours",
            MerchantRead,
            true,
            false,
            true,
        ),
        r(
            Method::PUT,
            "/api/v1/merchants/{id}/hours",
            MerchantManage,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/terminals",
            TerminalRead,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/terminals/{id}",
            TerminalRead,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/terminals/{id}/transition",
            TerminalManage,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/terminals/{id}/history",
            TerminalRead,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/terminals/{id}/bindings",
            TerminalRead,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/terminals/{id}/bindings",
            TerminalManage,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/terminals/{id}/relocate",
            TerminalManage,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/terminals/{id}/unbind",
            TerminalManage,
            true,
            false,
            true,
        ),
        r(Method::GET, "/api/v1/audit", AuditRead, false, true, false),
        // The e-mail gateway's quarantine: the provider's admins only.
        r(
            Method::GET,
            "/api/v1/mail/quarantine",
            MailQuarantineRead,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/mail/quarantine/{id}/raw",
            MailQuarantineRead,
            true,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/webhooks",
            WebhookManage,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/webhooks",
            WebhookManage,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/webhooks/{id}/deactivate",
            WebhookManage,
            true,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/onboarding-applications",
            OnboardingRead,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications",
            OnboardingSubmit,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/onboarding-applications/review-queue",
            OnboardingReview,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/onboarding-applications/{id}",
            OnboardingRead,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/documents",
            OnboardingSubmit,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/onboarding-applications/{id}/documents/{document}",
            OnboardingRead,
            true,
            false,
            true,
        ),
        r(
            Method::DELETE,
            "/api/v1/onboarding-applications/{id}/documents/{document}",
            OnboardingSubmit,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/submit",
            OnboardingSubmit,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/approve",
            OnboardingReview,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/reject",
            OnboardingReview,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/installation",
            OnboardingInstall,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/acceptance",
            OnboardingInstall,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/training",
            OnboardingInstall,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/fees",
            OnboardingInstall,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/activate",
            OnboardingInstall,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/onboarding-applications/{id}/withdraw",
            OnboardingSubmit,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/sla-policies",
            TicketRead,
            false,
            false,
            false,
        ),
        r(
            Method::PUT,
            "/api/v1/sla-policies",
            SlaManage,
            false,
            false,
            false,
        ),
        // Complaint clock rules (staff read them, provider admins edit them).
        r(
            Method::GET,
            "/api/v1/complaint-rules",
            CalendarRead,
            false,
            false,
            false,
        ),
        r(
            Method::PUT,
            "/api/v1/complaint-rules",
            SlaManage,
            false,
            false,
            false,
        ),
        // Confirmation and rating of a resolved ticket: only the ticket's merchant rates;
        // supervisors follow low ratings up.
        r(
            Method::GET,
            "/api/v1/tickets/{id}/rating",
            TicketRead,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/rating",
            TicketRate,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/feedback/follow-ups",
            RatingFollowUp,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/feedback/follow-ups/{ticket_id}",
            RatingFollowUp,
            true,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/tickets",
            TicketRead,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/tickets",
            TicketCreate,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/tickets/{id}",
            TicketRead,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/replies",
            TicketReply,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/notes",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/transition",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/reopen",
            TicketReply,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/assign",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/priority",
            TicketWork,
            true,
            false,
            true,
        ),
        // Late-fix notice, merge, split: staff who work tickets.
        r(
            Method::POST,
            "/api/v1/tickets/{id}/late-notice",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/merge",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/tickets/{id}/split",
            TicketWork,
            true,
            false,
            true,
        ),
        // Ticket attachments (H4): adding a public file is a reply, reading is TicketRead.
        r(
            Method::POST,
            "/api/v1/tickets/{id}/attachments",
            TicketReply,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/tickets/{id}/attachments",
            TicketRead,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/tickets/{id}/attachments/{attachment_id}",
            TicketRead,
            true,
            false,
            true,
        ),
        // Intake look-up and panel: staff only. The service asks TicketCreate, TicketWork,
        // MerchantRead and TerminalRead; TicketWork is the one that leaves merchant users out.
        r(
            Method::GET,
            "/api/v1/lookup",
            TicketWork,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/terminals/{id}/intake-summary",
            TicketWork,
            true,
            false,
            false,
        ),
        // Complaints (issue 7): a merchant user sees, files and answers their own merchant's
        // (see `MERCHANT_PERMS` for the evidence upload); handling is staff only.
        r(
            Method::GET,
            "/api/v1/complaints",
            ComplaintRead,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/complaints",
            ComplaintCreate,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}",
            ComplaintRead,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/complaints/{id}/actions",
            ComplaintHandle,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/complaints/{id}/evidence",
            ComplaintHandle,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}/evidence/{evidence_id}",
            ComplaintRead,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}/evidence-check",
            ComplaintRead,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/complaints/{id}/letter",
            ComplaintRead,
            true,
            false,
            true,
        ),
        // Complaint statistics (issue 7 item 6): the provider's staff with ComplaintStats.
        r(
            Method::GET,
            "/api/v1/complaints/stats",
            ComplaintStats,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/complaints/stats.csv",
            ComplaintStats,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/complaints/stats.xlsx",
            ComplaintStats,
            false,
            false,
            false,
        ),
        // Repair and field service (issue 6): reading is TicketRead (a merchant user their own
        // merchant's), working TicketWork, the catalogue, stock and pool ServicePointManage.
        // A merchant user's quote answer (TicketReply) is covered in tests/api/repairs.rs.
        r(
            Method::POST,
            "/api/v1/tickets/{id}/repairs",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/tickets/{id}/repairs",
            TicketRead,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/repairs/{id}",
            TicketRead,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/repairs/{id}/actions",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/repairs/{id}/shipments",
            TicketRead,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/repairs/{id}/technicians",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::POST,
            "/api/v1/repairs/{id}/shipments",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/parts",
            TicketWork,
            false,
            false,
            false,
        ),
        r(
            Method::PUT,
            "/api/v1/parts/{code}",
            ServicePointManage,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/parts/{code}/stock",
            ServicePointManage,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/loaners",
            TicketWork,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/loaners",
            ServicePointManage,
            false,
            false,
            false,
        ),
        r(
            Method::GET,
            "/api/v1/loans",
            TicketRead,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/loans",
            TicketWork,
            false,
            false,
            false,
        ),
        r(
            Method::POST,
            "/api/v1/loans/{id}/return",
            TicketWork,
            true,
            false,
            true,
        ),
        r(
            Method::GET,
            "/api/v1/me/day-list",
            TicketWork,
            false,
            false,
            false,
        ),
        // Repair reports (issue 6 item 8): TicketRead, provider staff only (merchant users are
        // refused, see `MERCHANT_PERMS`).
        r(
            Method::GET,
            "/api/v1/repairs/report",
            TicketRead,
            false,
            false,
            false,
        ),
    ]
}

/// Routes on which a merchant user acts under another permission than staff do: the
/// complainant's own part of a complaint (adding evidence to it); staff-only reports.
const MERCHANT_PERMS: &[(&str, &str, Permission)] = &[
    (
        "POST",
        "/api/v1/complaints/{id}/evidence",
        Permission::ComplaintRespond,
    ),
    // The repair reports are for the provider's staff: a merchant user, whose TicketRead is
    // their own merchant's, is refused as if the route needed TicketWork (which they lack).
    ("GET", "/api/v1/repairs/report", Permission::TicketWork),
];

/// Documented routes that need no credentials: the public complaint form and tracking.
const PUBLIC_POST: &[&str] = &[
    "/api/v1/public/providers/{provider_id}/complaints",
    "/api/v1/public/complaints/track",
    "/api/v1/public/feedback/{token}",
];

/// Routes that need no credentials at all.
const PUBLIC: &[&str] = &["/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"];

fn expect(route: &Route, role: Role, target: Target) -> Expect {
    let perm = MERCHANT_PERMS
        .iter()
        .find(|(m, p, _)| {
            role == Role::MerchantUser && *m == route.method.as_str() && *p == route.path
        })
        .map_or(route.perm, |(_, _, perm)| *perm);
    if !role.allows(perm) {
        return Expect::Forbid;
    }
    match target {
        Target::Own => Expect::Allow,
        Target::Other if route.item && !(role == Role::PlatformAdmin && route.platform_wide) => {
            Expect::Hide
        }
        Target::Other => Expect::Allow,
        Target::SiblingMerchant if route.merchant_bound => Expect::Hide,
        Target::SiblingMerchant => Expect::Allow,
    }
}

/// Records the matrix touches in one tenant.
struct Fixtures {
    /// A ticket of the tenant's first merchant, and one of its second (the sibling).
    ticket: String,
    sibling_ticket: String,
    /// A public attachment of each of those tickets (H4).
    attachment: String,
    sibling_attachment: String,
    /// An onboarding application of the tenant's first merchant, with one document.
    application: String,
    document: String,
    /// The same for the second merchant (a merchant user's sibling).
    sibling_application: String,
    sibling_document: String,
    victim: String,
    service_point: String,
    announcement: String,
    webhook: String,
    /// A quarantined inbound mail (an unknown sender's).
    quarantine: String,
    /// A decided complaint of the tenant's first merchant with one evidence file, and the same
    /// for the second merchant (the sibling); the first one's receipt number.
    complaint: String,
    evidence: String,
    sibling_complaint: String,
    sibling_evidence: String,
    receipt: String,
    /// Repairs (issue 6): a mail-in repair on the first merchant's terminal and one on the
    /// second's (the sibling); a loaner lent to a bound terminal, and that loan.
    repair: String,
    sibling_repair: String,
    loaner: String,
    lent_terminal: String,
    loan: String,
}

async fn fixtures(app: &TestApp, t: &Tenant) -> Fixtures {
    let admin = posdesk_core::authz::Principal::new(
        t.users[&Role::ProviderAdmin].0,
        Role::ProviderAdmin,
        Some(t.id),
        None,
        None,
    )
    .unwrap();
    let ctx = Ctx::new(&app.state, &admin, "fixtures");
    let victim = service::users::create(
        &ctx,
        crate::helpers::new_user(
            None,
            &format!("victim.{}", t.id.uuid().simple()),
            Role::Agent,
            None,
            None,
        ),
    )
    .await
    .map_err(err)
    .unwrap();
    let a = service::announcements::create(
        &ctx,
        service::announcements::NewAnnouncement {
            title: Title::parse("t", "停机维护通知").unwrap(),
            body: Body::parse("b", "周六凌晨系统维护").unwrap(),
            audience: Audience::Merchants,
            publish: true,
        },
    )
    .await
    .map_err(err)
    .unwrap();
    let w = service::webhooks::create(
        &ctx,
        WebhookUrl::parse("url", "http://127.0.0.1:9/hook").unwrap(),
        vec!["*".into()],
    )
    .await
    .map_err(err)
    .unwrap();
    service::profiles::set_logo(&ctx, t.id, "image/png", TINY_PNG.to_vec())
        .await
        .map_err(err)
        .unwrap();
    let sp = service::service_points::create(
        &ctx,
        sp_input(&format!("西湖网点 {}", t.id.uuid().simple())),
    )
    .await
    .map_err(err)
    .unwrap();
    let (application, document) = onboarding_fixture(&ctx, t.merchant).await;
    let (sibling_application, sibling_document) = onboarding_fixture(&ctx, t.other_merchant).await;
    let ticket = ticket_fixture(&ctx, t.merchant).await;
    let sibling_ticket = ticket_fixture(&ctx, t.other_merchant).await;
    let attachment = attachment_fixture(&ctx, &ticket).await;
    let sibling_attachment = attachment_fixture(&ctx, &sibling_ticket).await;
    let quarantine = quarantine_fixture(app, t).await;
    let (complaint, evidence, receipt) = complaint_fixture(&ctx, t.merchant).await;
    let (sibling_complaint, sibling_evidence, _) = complaint_fixture(&ctx, t.other_merchant).await;
    let repair = repair_fixture(&ctx, t.merchant, t.terminal).await;
    let sibling_repair = repair_fixture(&ctx, t.other_merchant, t.other_terminal).await;
    let (loaner, lent_terminal, loan) = loan_fixture(app, t, &ctx, &sp.id.to_string()).await;
    Fixtures {
        complaint,
        evidence,
        sibling_complaint,
        sibling_evidence,
        receipt,
        ticket,
        sibling_ticket,
        attachment,
        sibling_attachment,
        application,
        document,
        sibling_application,
        sibling_document,
        service_point: sp.id.to_string(),
        victim: victim.id.to_string(),
        announcement: a.id.to_string(),
        webhook: w.webhook.id.to_string(),
        quarantine,
        repair,
        sibling_repair,
        loaner,
        lent_terminal,
        loan,
    }
}

/// A mail-in repair under a fault ticket on `terminal` (of `merchant`); returns its id.
async fn repair_fixture(
    ctx: &Ctx<'_>,
    merchant: posdesk_core::ids::MerchantId,
    terminal: posdesk_core::ids::TerminalId,
) -> String {
    let ticket = service::tickets::create(
        ctx,
        service::tickets::NewTicket {
            kind: posdesk_core::ticket::TicketKind::Fault,
            channel: posdesk_core::ticket::Channel::Hotline,
            category: posdesk_core::ticket::Category::Hardware,
            priority: posdesk_core::ticket::Priority::P3,
            merchant: Some(merchant),
            terminal: Some(terminal),
            subject: "终端无法开机".into(),
            description: "按电源键无反应".into(),
            tags: vec![],
        },
    )
    .await
    .map_err(err)
    .unwrap();
    service::repairs::open(ctx, ticket.id, "mail_in")
        .await
        .map_err(err)
        .unwrap()
        .id
        .to_string()
}

/// A terminal bound (through the API) to a new merchant of the tenant and active, and a
/// loaner of the tenant's pool lent to it; returns (loaner, terminal, loan).
async fn loan_fixture(
    app: &TestApp,
    t: &Tenant,
    ctx: &Ctx<'_>,
    service_point: &str,
) -> (String, String, String) {
    let admin = &t.users[&Role::ProviderAdmin].1;
    let mid = "102330159990001";
    let r = app
        .post(
            "/api/v1/merchants",
            admin,
            json!({"name": "备用机商户", "mid": mid, "kind": "company", "uscc": "91110000600037341L"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let mut ids = Vec::new();
    for (sn, tid) in [("MATRIX-LENT", "69000001"), ("MATRIX-LOANER", "69000091")] {
        let term = ctx
            .write(
                ctx.meta(),
                posdesk_storage::repo::terminals::CreateTerminal {
                    id: posdesk_core::ids::TerminalId::from_uuid(uuid::Uuid::now_v7()),
                    tenant: t.id,
                    merchant: None,
                    sn: sn.into(),
                    tid: Some(tid.into()),
                    model: "N910".into(),
                    manufacturer: "新大陆".into(),
                    firmware: None,
                    status: "in_stock".into(),
                },
            )
            .await
            .map_err(err)
            .unwrap();
        ids.push(term.id);
    }
    let (lent, loaner) = (ids[0], ids[1]);
    let r = app
        .post(
            &format!("/api/v1/terminals/{lent}/bindings"),
            admin,
            json!({"acquirer_code": "102", "mid": mid, "tid": "69000001",
                   "settlement_account": "6228480402564890018",
                   "address": "杭州市西湖区文三路 90 号", "division_code": "330106"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .post(
            &format!("/api/v1/terminals/{lent}/transition"),
            admin,
            json!({"event": "activate"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    service::repairs::add_to_pool(ctx, loaner, service_point)
        .await
        .map_err(err)
        .unwrap();
    let loan = service::repairs::lend(ctx, loaner, lent, None, None)
        .await
        .map_err(err)
        .unwrap();
    (loaner.to_string(), lent.to_string(), loan.id.to_string())
}

/// A public photo attached to `ticket` (H4); returns the attachment's id.
async fn attachment_fixture(ctx: &Ctx<'_>, ticket: &str) -> String {
    service::ticket_files::add(
        ctx,
        posdesk_core::ids::TicketId::parse("id", ticket).unwrap(),
        service::ticket_files::Upload {
            visibility: posdesk_storage::repo::tickets::Visibility::Public,
            file_name: "故障照片.png".into(),
            declared_type: "image/png".into(),
            bytes: TINY_PNG.to_vec(),
        },
    )
    .await
    .map_err(err)
    .unwrap()
    .id
    .to_string()
}

/// A hotline complaint naming `merchant`'s MID (so it is that merchant's), acknowledged and
/// decided, with a PNG as evidence; returns (complaint, evidence, receipt number).
async fn complaint_fixture(
    ctx: &Ctx<'_>,
    merchant: posdesk_core::ids::MerchantId,
) -> (String, String, String) {
    let m = merchant.to_string();
    let mid = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query_one("SELECT mid FROM merchants WHERE id = $1", &[m.into()])
                    .await?
                    .text(0)
            })
        })
        .await
        .unwrap();
    let k = service::complaints::create(
        ctx,
        posdesk_core::complaint::RawIntake {
            channel: "hotline",
            category: "fees",
            complainant_name: "王女士",
            phone: "13812345678",
            mid: Some(&mid),
            narrative: "多收了手续费",
            request: "退还多收的费用",
            ..Default::default()
        },
    )
    .await
    .map_err(err)
    .unwrap();
    assert_eq!(k.merchant_id, Some(merchant));
    for (action, resolution, text) in [
        ("acknowledge", None, None),
        ("decide", Some("refund"), Some("退还多收的 30 元")),
    ] {
        service::complaints::change(
            ctx,
            k.id,
            None,
            service::complaints::ChangeInput {
                action,
                resolution,
                text,
                ..Default::default()
            },
        )
        .await
        .map_err(err)
        .unwrap();
    }
    let e = service::complaints::add_evidence(
        ctx,
        k.id,
        None,
        "通话截图.png",
        "image/png",
        TINY_PNG.to_vec(),
        None,
    )
    .await
    .map_err(err)
    .unwrap();
    (k.id.to_string(), e.id.to_string(), k.receipt_no)
}

/// A multipart upload form with a tiny PNG as `file` (H4).
const ATTACHMENT_FORM_TYPE: &str = "multipart/form-data; boundary=matrix-boundary";

fn attachment_form() -> Vec<u8> {
    let mut b = b"--matrix-boundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"shop.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
    b.extend_from_slice(TINY_PNG);
    b.extend_from_slice(b"\r\n--matrix-boundary--\r\n");
    b
}

/// A quarantined inbound mail of the tenant (from an unknown sender); returns its id.
async fn quarantine_fixture(app: &TestApp, t: &Tenant) -> String {
    let raw = format!(
        "From: stranger@nowhere.example\r\nSubject: 权限矩阵\r\n\
         Message-ID: <{}@nowhere.example>\r\n\r\n你好\r\n",
        t.id.uuid().simple()
    );
    service::mail_ingest::ingest(&app.state, t.id, raw.as_bytes(), &[])
        .await
        .map_err(err)
        .unwrap();
    let tenant = t.id;
    app.state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT id FROM mail_inbound WHERE tenant_id = $1 \
                     AND outcome = 'quarantined' ORDER BY created_at DESC, id DESC LIMIT 1",
                    &[tenant.into()],
                )
                .await?
                .text(0)
            })
        })
        .await
        .unwrap()
}

async fn ticket_fixture(ctx: &Ctx<'_>, merchant: posdesk_core::ids::MerchantId) -> String {
    service::tickets::create(
        ctx,
        service::tickets::NewTicket {
            kind: posdesk_core::ticket::TicketKind::Fault,
            channel: posdesk_core::ticket::Channel::Hotline,
            category: posdesk_core::ticket::Category::Printing,
            priority: posdesk_core::ticket::Priority::P3,
            merchant: Some(merchant),
            terminal: None,
            subject: "小票打印不清".into(),
            description: "打印字迹很淡".into(),
            tags: vec![],
        },
    )
    .await
    .map_err(err)
    .unwrap()
    .id
    .to_string()
}

/// A draft application for `merchant` with a premises photo; returns (application, document).
async fn onboarding_fixture(
    ctx: &Ctx<'_>,
    merchant: posdesk_core::ids::MerchantId,
) -> (String, String) {
    // Applications are opened for pending merchants; the fixtures' merchants are active.
    crate::onboarding::set_merchant_status(ctx.state, merchant, "pending").await;
    let app = service::onboarding::open(ctx, merchant)
        .await
        .map_err(err)
        .unwrap();
    crate::onboarding::set_merchant_status(ctx.state, merchant, "active").await;
    let doc = onboarding_document(ctx, app.id).await;
    (app.id.to_string(), doc)
}

async fn onboarding_document(ctx: &Ctx<'_>, app: posdesk_core::ids::ApplicationId) -> String {
    service::onboarding::attach(
        ctx,
        app,
        service::onboarding::Upload {
            kind: posdesk_core::registry::onboarding::DocumentKind::PremisesPhoto,
            file_name: "门头.png".into(),
            declared_type: "image/png".into(),
            bytes: TINY_PNG.to_vec(),
            replaces: None,
        },
    )
    .await
    .map_err(err)
    .unwrap()
    .id
    .to_string()
}

fn sp_input(name: &str) -> service::service_points::ServicePointInput {
    posdesk_server::api::service_points::parse_service_point(
        serde_json::from_value(sp_body(name)).unwrap(),
    )
    .map_err(err)
    .unwrap()
}

fn sp_body(name: &str) -> Value {
    json!({"name": name, "division_code": "330106", "address": "文三路 90 号",
           "skills": ["install", "hardware_repair"]})
}

struct Call {
    path: String,
    body: Option<Value>,
    /// A raw (non-JSON) body and its content type.
    raw: Option<(Vec<u8>, &'static str)>,
}

/// The smallest byte string that sniffs as PNG.
pub const TINY_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

async fn build(
    app: &TestApp,
    route: &Route,
    role: Role,
    target: Target,
    own: (&Tenant, &Fixtures),
    other: (&Tenant, &Fixtures),
    n: usize,
) -> Call {
    let (t, f) = match target {
        Target::Other => other,
        _ => own,
    };
    let id = match route.path {
        p if p.starts_with("/api/v1/providers/") => t.id.to_string(),
        p if p.starts_with("/api/v1/users/") => f.victim.clone(),
        p if p.starts_with("/api/v1/announcements/") => f.announcement.clone(),
        p if p.starts_with("/api/v1/webhooks/") => f.webhook.clone(),
        p if p.starts_with("/api/v1/service-points/") => f.service_point.clone(),
        p if p.starts_with("/api/v1/mail/quarantine/") => f.quarantine.clone(),
        p if p.starts_with("/api/v1/complaints/") => match target {
            Target::SiblingMerchant => f.sibling_complaint.clone(),
            _ => f.complaint.clone(),
        },
        p if p.starts_with("/api/v1/repairs/") => match target {
            Target::SiblingMerchant => f.sibling_repair.clone(),
            _ => f.repair.clone(),
        },
        p if p.starts_with("/api/v1/loans/") => f.loan.clone(),
        p if p.starts_with("/api/v1/tickets/") => match target {
            Target::SiblingMerchant => f.sibling_ticket.clone(),
            _ => f.ticket.clone(),
        },
        p if p.starts_with("/api/v1/onboarding-applications/") => match target {
            Target::SiblingMerchant => f.sibling_application.clone(),
            _ => f.application.clone(),
        },
        p if p.starts_with("/api/v1/merchants/") => match target {
            Target::SiblingMerchant => t.other_merchant.to_string(),
            _ => t.merchant.to_string(),
        },
        p if p.starts_with("/api/v1/terminals/") => match target {
            Target::SiblingMerchant => t.other_terminal.to_string(),
            _ => t.terminal.to_string(),
        },
        p if p.starts_with("/api/v1/tokens/") => {
            // A spare token to revoke: the caller's own in its tenant, or one from the other tenant.
            let owner = match (target, role) {
                (Target::Other, _) | (_, Role::PlatformAdmin) => t.users[&Role::ProviderAdmin].0,
                _ => t
                    .users
                    .get(&role)
                    .map(|u| u.0)
                    .unwrap_or(t.users[&Role::ProviderAdmin].0),
            };
            let owner_role = if matches!(target, Target::Other) || role == Role::PlatformAdmin {
                Role::ProviderAdmin
            } else {
                role
            };
            token(&app.state, owner, owner_role).await;
            // Look the new token up directly: the newest token of `owner`.
            let owner_s = owner.to_string();
            app.state
                .store
                .read(move |c| {
                    Box::pin(async move {
                        c.query_one(
                            "SELECT id FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
                            &[owner_s.into()],
                        )
                        .await?
                        .text(0)
                    })
                })
                .await
                .unwrap()
        }
        _ => String::new(),
    };
    if route.method == Method::DELETE && route.path == "/api/v1/calendar/overrides/{date}" {
        // Something to remove: the day's override, set by the caller's provider admin.
        let admin = posdesk_core::authz::Principal::new(
            own.0.users[&Role::ProviderAdmin].0,
            Role::ProviderAdmin,
            Some(own.0.id),
            None,
            None,
        )
        .unwrap();
        let day = posdesk_server::api::calendars::parse_override(
            "2031-06-02",
            "closed",
            None,
            Some("盘点"),
        )
        .unwrap();
        service::calendars::set_day(&Ctx::new(&app.state, &admin, "fixtures"), day)
            .await
            .map_err(err)
            .unwrap();
    }
    if route.method == Method::DELETE
        && route.path == "/api/v1/service-points/{id}/calendar/overrides/{date}"
        && target != Target::Other
    {
        let admin = posdesk_core::authz::Principal::new(
            own.0.users[&Role::ProviderAdmin].0,
            Role::ProviderAdmin,
            Some(own.0.id),
            None,
            None,
        )
        .unwrap();
        let day = posdesk_server::api::calendars::parse_override(
            "2031-06-02",
            "closed",
            None,
            Some("盘点"),
        )
        .unwrap();
        let sp = posdesk_core::ids::ServicePointId::parse("id", &own.1.service_point).unwrap();
        service::calendars::change_service_point_day(
            &Ctx::new(&app.state, &admin, "fixtures"),
            sp,
            Some(day),
            None,
        )
        .await
        .map_err(err)
        .unwrap();
    }
    let mut document = match target {
        Target::SiblingMerchant => f.sibling_document.clone(),
        _ => f.document.clone(),
    };
    if route.method == Method::DELETE
        && route.path == "/api/v1/onboarding-applications/{id}/documents/{document}"
    {
        // Something to remove: a fresh document, attached by the tenant's provider admin.
        let admin = posdesk_core::authz::Principal::new(
            t.users[&Role::ProviderAdmin].0,
            Role::ProviderAdmin,
            Some(t.id),
            None,
            None,
        )
        .unwrap();
        let app_id = posdesk_core::ids::ApplicationId::parse("id", &id).unwrap();
        document = onboarding_document(&Ctx::new(&app.state, &admin, "fixtures"), app_id).await;
    }
    let mut path = route
        .path
        .replace("{id}", &id)
        .replace("{document}", &document)
        .replace("{date}", "2031-06-02")
        .replace("{code}", "P-MATRIX")
        .replace("{ticket_id}", &f.ticket)
        .replace(
            "{evidence_id}",
            match target {
                Target::SiblingMerchant => &f.sibling_evidence,
                _ => &f.evidence,
            },
        )
        .replace(
            "{attachment_id}",
            match target {
                Target::SiblingMerchant => &f.sibling_attachment,
                _ => &f.attachment,
            },
        );
    if route.path == "/api/v1/onboarding-applications/{id}/documents" {
        path.push_str("?kind=premises_photo&file_name=shop.png");
    }
    if route.path == "/api/v1/lookup" {
        // A MID prefix both providers' merchants share: only the caller's may come back.
        path.push_str("?q=10233015812");
    }
    let body = match (route.method.clone(), route.path) {
        (Method::POST, "/api/v1/providers") => {
            Some(json!({"name": format!("新服务商{n}"), "short_name": format!("新{n}")}))
        }
        (Method::POST, "/api/v1/users") => {
            let mut b =
                json!({"login": format!("new.user{n}"), "display_name": "新用户", "role": "agent"});
            match (role, target) {
                (Role::PlatformAdmin, _) | (_, Target::Other) => {
                    b["provider_id"] = json!(t.id.to_string())
                }
                _ => {}
            }
            Some(b)
        }
        (Method::PATCH, "/api/v1/users/{id}") => Some(json!({"display_name": format!("改名{n}")})),
        (Method::POST, "/api/v1/users/{id}/password") => {
            Some(json!({"password": "a-new-password-123"}))
        }
        (Method::POST, "/api/v1/tokens") => Some(json!({"name": format!("t{n}")})),
        (Method::POST, "/api/v1/announcements") => {
            Some(json!({"title": "通知", "body": "内容", "audience": "staff"}))
        }
        (Method::PATCH, "/api/v1/announcements/{id}") => Some(json!({"title": format!("改{n}")})),
        (Method::PUT, "/api/v1/providers/{id}/profile") => Some(json!({
            "hotlines": ["0571-88886666"], "service_hours": "每日 8:00–20:00",
            "fees": [{"code": "LAB-ONSITE", "name": "上门服务费", "kind": "labour", "price_fen": 5000, "unit": "次"}]
        })),
        (Method::POST, "/api/v1/terminals/{id}/transition") => Some(json!({"event": "suspend"})),
        (Method::POST, "/api/v1/terminals/{id}/bindings") => Some(json!({
            "acquirer_code": "102", "mid": "102330158120000", "settlement_account": "6228480402564890018",
            "address": "杭州市西湖区文三路 90 号", "division_code": "330106"
        })),
        (Method::POST, "/api/v1/terminals/{id}/relocate") => Some(json!({
            "reverified": true, "address": "杭州市滨江区网商路 699 号", "division_code": "330108"
        })),
        (Method::POST, "/api/v1/terminals/{id}/unbind") => Some(json!({"reason": "权限矩阵"})),
        (Method::POST, "/api/v1/merchants") => Some(json!({
            "name": format!("新商户{n}"), "mid": format!("10233015411{:04}", n % 10_000),
            "kind": "company", "uscc": "91110000600037341L"
        })),
        (Method::POST, "/api/v1/merchants/{id}/transition") => Some(json!({"event": "suspend"})),
        (Method::PATCH, "/api/v1/merchants/{id}") => Some(json!({"name": format!("改名商户{n}")})),
        (Method::PUT, "/api/v1/merchants/{id}/contacts") => Some(json!({
            "contacts": [{"name": "周老板", "phone": "13805710001", "role": "owner", "primary": true}]
        })),
        (Method::PUT, "/api/v1/merchants/{id}/hours") => Some(json!({
            "weekly": {"mon": "09:00-21:00", "tue": "09:00-21:00", "wed": "09:00-21:00",
                       "thu": "09:00-21:00", "fri": "09:00-21:00", "sat": "10:00-22:00", "sun": "closed"}
        })),
        (Method::POST, "/api/v1/service-points") => Some(sp_body(&format!("新网点 {n}"))),
        (Method::PUT, "/api/v1/service-points/{id}") => Some(sp_body(&format!("改名网点 {n}"))),
        (Method::PUT, "/api/v1/service-points/{id}/calendar/overrides/{date}") => {
            Some(json!({"rule": "closed", "note": "盘点"}))
        }
        (Method::POST, "/api/v1/holiday-years") => Some(json!({
            "schedule": format!("year 2031\nsource 测试通知 {n}\noff 2031-01-01 元旦 New Year's Day\n")
        })),
        (Method::PUT, "/api/v1/calendar") => Some(json!({
            "weekly": {"mon": "08:00-18:00", "tue": "08:00-18:00", "wed": "08:00-18:00",
                       "thu": "08:00-18:00", "fri": "08:00-18:00", "sat": "09:00-12:00", "sun": "closed"},
            "makeup_weekday": "mon"
        })),
        (Method::POST, "/api/v1/calendar/import") => {
            Some(json!({"content": "2031-05-06,off,团建\n2031-05-10,work,补班\n"}))
        }
        (Method::PUT, "/api/v1/calendar/overrides/{date}") => {
            Some(json!({"rule": "hours", "hours": "09:00-12:00", "note": "盘点"}))
        }
        (Method::POST, "/api/v1/webhooks") => {
            Some(json!({"url": "https://example.cn/hook", "events": ["*"]}))
        }
        (Method::PUT, "/api/v1/sla-policies") => Some(
            serde_json::from_str(&posdesk_core::ticket::SlaDocument::builtin().to_json()).unwrap(),
        ),
        (Method::POST, "/api/v1/tickets") => Some(json!({
            "category": "printing", "subject": "小票打印不清", "description": "打印字迹很淡",
            "merchant_id": t.merchant.to_string()
        })),
        (Method::POST, "/api/v1/tickets/{id}/replies" | "/api/v1/tickets/{id}/notes") => {
            Some(json!({"body": "已收到"}))
        }
        (Method::POST, "/api/v1/tickets/{id}/transition") => Some(json!({"event": "triage"})),
        (Method::POST, "/api/v1/tickets/{id}/rating") => Some(json!({"stars": 5})),
        (Method::POST, "/api/v1/feedback/follow-ups/{ticket_id}") => {
            Some(json!({"note": "已回访"}))
        }
        (Method::PUT, "/api/v1/complaint-rules") => Some(json!({
            "acknowledge_working_minutes": 600, "decision_days": 15,
            "extension_steps": [{"to_days": 30, "needs_manager": false}, {"to_days": 60, "needs_manager": true}]
        })),
        (Method::POST, "/api/v1/tickets/{id}/assign") => Some(json!({"team": "field"})),
        (Method::POST, "/api/v1/tickets/{id}/priority") => Some(json!({"priority": "p2"})),
        (Method::POST, "/api/v1/tickets/{id}/late-notice") => {
            Some(json!({"reason": "等待配件到货", "new_estimate": "2031-06-02T10:00:00+08:00"}))
        }
        // Merging a ticket into itself is refused (422) after the permission and scope checks,
        // so the fixture ticket stays as it is.
        (Method::POST, "/api/v1/tickets/{id}/merge") => Some(json!({"target_id": f.ticket})),
        (Method::POST, "/api/v1/tickets/{id}/split") => Some(json!({
            "category": "printing", "subject": "另一台终端打印不清", "description": "拆分出的问题"
        })),
        (Method::POST, "/api/v1/onboarding-applications") => {
            Some(json!({"merchant_id": t.merchant.to_string()}))
        }
        (Method::POST, "/api/v1/onboarding-applications/{id}/reject") => {
            Some(json!({"reason": "营业执照照片不清晰"}))
        }
        (Method::POST, "/api/v1/onboarding-applications/{id}/installation") => Some(json!({
            "service_point_id": f.service_point, "appointment_at": "2031-06-02T10:00:00+08:00"
        })),
        (
            Method::POST,
            "/api/v1/onboarding-applications/{id}/acceptance"
            | "/api/v1/onboarding-applications/{id}/training",
        ) => Some(json!({"notes": "刷卡、扫码、打印小票均正常"})),
        (Method::POST, "/api/v1/onboarding-applications/{id}/fees") => {
            Some(json!({"deposit_fen": 9900, "fees": [{"item": "安装费", "fen": 5000}]}))
        }
        (Method::POST, "/api/v1/complaints") => Some(json!({
            "channel": "hotline", "category": "fees", "complainant_name": "王女士",
            "phone": "13812345678", "narrative": "多收了手续费", "request": "退还多收的费用"
        })),
        (Method::POST, "/api/v1/complaints/{id}/actions") => {
            Some(json!({"action": "note", "text": "权限矩阵"}))
        }
        // Repairs (issue 6). The ticket fixture names no terminal (422 after the scope checks);
        // a receipt before any dispatch and lending a loaner that is out are 409: the
        // fixtures stay as they are. Non-item routes name the caller's own tenant's records.
        (Method::POST, "/api/v1/tickets/{id}/repairs") => Some(json!({"method": "remote"})),
        (Method::POST, "/api/v1/repairs/{id}/actions") => {
            Some(json!({"action": "note", "text": "权限矩阵"}))
        }
        (Method::POST, "/api/v1/repairs/{id}/shipments") => {
            Some(json!({"direction": "in", "step": "receive"}))
        }
        (Method::PUT, "/api/v1/parts/{code}") => {
            Some(json!({"name": "权限矩阵配件", "unit_fen": 100}))
        }
        (Method::POST, "/api/v1/parts/{code}/stock") => {
            Some(json!({"service_point_id": own.1.service_point, "delta": 1}))
        }
        (Method::POST, "/api/v1/loaners") => Some(json!({
            "terminal_id": own.1.lent_terminal, "service_point_id": own.1.service_point
        })),
        (Method::POST, "/api/v1/loans") => Some(json!({
            "loaner_id": own.1.loaner, "terminal_id": own.1.lent_terminal
        })),
        (Method::POST, _) => None,
        _ => None,
    };
    let raw = ((route.method == Method::PUT && route.path == "/api/v1/providers/{id}/logo")
        || route.path == "/api/v1/onboarding-applications/{id}/documents")
        .then(|| (TINY_PNG.to_vec(), "image/png"));
    let raw = if route.method == Method::POST
        && (route.path == "/api/v1/tickets/{id}/attachments"
            || route.path == "/api/v1/complaints/{id}/evidence")
    {
        Some((attachment_form(), ATTACHMENT_FORM_TYPE))
    } else {
        raw
    };
    Call { path, body, raw }
}

fn classify(s: StatusCode) -> Expect {
    match s {
        StatusCode::FORBIDDEN => Expect::Forbid,
        StatusCode::NOT_FOUND => Expect::Hide,
        _ => Expect::Allow,
    }
}

async fn authz_matrix(app: TestApp) {
    // The table covers exactly the documented routes.
    let doc = posdesk_server::api::openapi_json();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in item.as_object().unwrap().keys() {
            documented.insert((m.to_uppercase(), path.clone()));
        }
    }
    let table: BTreeSet<(String, String)> = routes()
        .iter()
        .map(|r| (r.method.as_str().to_owned(), r.path.to_owned()))
        .chain([
            ("GET".to_owned(), "/healthz".to_owned()),
            ("GET".to_owned(), "/readyz".to_owned()),
        ])
        .chain(
            PUBLIC_POST
                .iter()
                .map(|p| ("POST".to_owned(), (*p).to_owned())),
        )
        .collect();
    assert_eq!(
        table, documented,
        "every documented route needs a row in the matrix (and vice versa)"
    );

    for p in PUBLIC {
        let r = app.call(Method::GET, p, None, None).await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
    }

    let fa = fixtures(&app, &app.a).await;
    let fb = fixtures(&app, &app.b).await;

    // The public complaint form and tracking answer without credentials.
    for p in PUBLIC_POST {
        let (path, body, want) = match *p {
            "/api/v1/public/complaints/track" => (
                (*p).to_owned(),
                json!({"receipt_no": fa.receipt, "phone_last4": "5678"}),
                StatusCode::OK,
            ),
            // No credentials: the link's secret is the credential; an unknown one is 404.
            "/api/v1/public/feedback/{token}" => (
                p.replace("{token}", &"0".repeat(32)),
                json!({"stars": 5}),
                StatusCode::NOT_FOUND,
            ),
            _ => (
                p.replace("{provider_id}", &app.a.id.to_string()),
                json!({"category": "fees", "complainant_name": "李先生", "phone": "13900001111",
                       "narrative": "多收了手续费", "request": "退款"}),
                StatusCode::CREATED,
            ),
        };
        let r = app.call(Method::POST, &path, None, Some(body)).await;
        assert_eq!(r.status, want, "{p}: {r:?}");
    }
    let b_ids = [
        app.b.id.to_string(),
        app.b.merchant.to_string(),
        app.b.terminal.to_string(),
        fb.victim.clone(),
        fb.announcement.clone(),
        fb.service_point.clone(),
        fb.application.clone(),
        fb.sibling_application.clone(),
        fb.ticket.clone(),
        fb.sibling_ticket.clone(),
        fb.quarantine.clone(),
        fb.complaint.clone(),
        fb.sibling_complaint.clone(),
        fb.repair.clone(),
        fb.sibling_repair.clone(),
        fb.loaner.clone(),
        fb.loan.clone(),
    ];
    let mut n = 0;
    let mut failures = Vec::new();
    for route in routes() {
        // No credentials: 401 everywhere.
        let unauth = app
            .call(
                route.method.clone(),
                &route.path.replace("{id}", &fa.victim),
                None,
                None,
            )
            .await;
        if unauth.status != StatusCode::UNAUTHORIZED {
            failures.push(format!(
                "{} {} without token: {}",
                route.method, route.path, unauth.status
            ));
        }
        for role in Role::ALL {
            let mut targets = vec![Target::Own, Target::Other];
            if role == Role::MerchantUser {
                targets.push(Target::SiblingMerchant);
            }
            for target in targets {
                n += 1;
                let call = build(&app, &route, role, target, (&app.a, &fa), (&app.b, &fb), n).await;
                let token = app.token(&app.a, role);
                let resp = app
                    .call_raw(
                        route.method.clone(),
                        &call.path,
                        &token,
                        call.body,
                        call.raw,
                    )
                    .await;
                let want = expect(&route, role, target);
                let got = classify(resp.status);
                if got != want
                    || resp.status == StatusCode::UNAUTHORIZED
                    || resp.status.is_server_error()
                {
                    failures.push(format!(
                        "{} {} as {} ({target:?}): want {want:?}, got {} {}",
                        route.method,
                        route.path,
                        role.code(),
                        resp.status,
                        resp.body
                    ));
                    continue;
                }
                // Lists never leak the other tenant's records.
                if want == Expect::Allow
                    && !route.item
                    && route.method == Method::GET
                    && role != Role::PlatformAdmin
                {
                    let text = resp.body.to_string();
                    if let Some(id) = b_ids.iter().find(|id| text.contains(id.as_str())) {
                        failures.push(format!(
                            "{} as {} leaks other tenant's {id}",
                            route.path,
                            role.code()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

app_tests!(authz_matrix);
