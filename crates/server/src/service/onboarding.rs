//! Merchant onboarding (入网申请, seed 001): open an application, attach documents, submit; the
//! qualification review runs on a 5-working-day clock on the provider's calendar; approve or
//! reject with a reason (a rejected application is fixed and resubmitted); installation visit at
//! a service point, acceptance test, training, deposit and fees; activation once terminals are
//! bound. Who may take which step is one permission per step group, checked here.

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::calendar::Calendar;
use posdesk_core::ids::{ApplicationId, DocumentId, MerchantId, TenantId};
use posdesk_core::page::{Page, PageRequest};
use posdesk_core::registry::MerchantKind;
use posdesk_core::registry::onboarding::{
    self, ApplicationStatus, DEFAULT_REVIEW_WORKING_DAYS, DocumentKind, ReviewClock,
};
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::blobs::{Blob, NewBlob};
use posdesk_storage::repo::merchants;
use posdesk_storage::repo::onboarding::{
    self as repo, Advance, Application, AttachDocument, Document, OpenApplication, RemoveDocument,
    Step,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};

/// An application with its review clock (while it is under review).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub application: Application,
    /// Present while the application is `submitted`.
    #[schema(value_type = Option<Object>)]
    pub review: Option<ReviewClock>,
}

/// One application with everything its page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationDetail {
    #[serde(flatten)]
    pub view: ApplicationView,
    pub merchant_name: String,
    /// The merchant's kind, which decides the required documents (absent if not recorded).
    pub merchant_kind: Option<String>,
    /// Every document, current and removed (removed ones carry `removed_at`).
    #[schema(value_type = Vec<Object>)]
    pub documents: Vec<Document>,
    /// Required documents not yet attached.
    #[schema(value_type = Vec<String>)]
    pub missing_documents: Vec<DocumentKind>,
    /// Terminals bound to the merchant (activation needs at least one).
    pub terminals_bound: i64,
}

fn tenant_of(scope: &Scope) -> ApiResult<TenantId> {
    scope.tenant().ok_or(ApiError::NotFound)
}

/// The merchant a merchant user acts for (their scope), `None` for staff.
fn acting_merchant(scope: &Scope) -> Option<MerchantId> {
    match scope {
        Scope::Merchant { merchant, .. } => Some(*merchant),
        _ => None,
    }
}

fn clock(cal: &Calendar, app: &Application, now: Timestamp) -> Option<ReviewClock> {
    match (app.status.under_review(), app.submitted_at) {
        (true, Some(at)) => Some(onboarding::review_clock(
            cal,
            at,
            DEFAULT_REVIEW_WORKING_DAYS,
            now,
        )),
        _ => None,
    }
}

fn view(cal: &Calendar, app: Application, now: Timestamp) -> ApplicationView {
    ApplicationView {
        review: clock(cal, &app, now),
        application: app,
    }
}

fn now() -> Timestamp {
    posdesk_storage::now()
}

/// The scope's applications, newest first, optionally of one status.
pub async fn list(
    ctx: &Ctx<'_>,
    status: Option<ApplicationStatus>,
    page: PageRequest,
) -> ApiResult<Page<ApplicationView>> {
    let scope = ctx.authorize(Permission::OnboardingRead)?;
    let tenant = tenant_of(&scope)?;
    let p = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::list(c, &scope, status, &page).await }))
        .await?;
    let cal = super::calendars::for_tenant(ctx.state, tenant).await?;
    let now = now();
    Ok(Page {
        items: p.items.into_iter().map(|a| view(&cal, a, now)).collect(),
        next: p.next,
    })
}

/// Applications under review with their clocks, the soonest deadline first; `overdue_only`
/// keeps those past it (the supervisor's list).
pub async fn review_queue(ctx: &Ctx<'_>, overdue_only: bool) -> ApiResult<Vec<ApplicationView>> {
    let scope = ctx.authorize(Permission::OnboardingReview)?;
    let tenant = tenant_of(&scope)?;
    let apps = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::under_review(c, &scope).await }))
        .await?;
    let cal = super::calendars::for_tenant(ctx.state, tenant).await?;
    let now = now();
    let mut out: Vec<ApplicationView> = apps
        .into_iter()
        .map(|a| view(&cal, a, now))
        .filter(|v| !overdue_only || v.review.is_some_and(|r| r.overdue))
        .collect();
    out.sort_by_key(|v| v.review.map(|r| r.due));
    Ok(out)
}

pub async fn get(ctx: &Ctx<'_>, id: ApplicationId) -> ApiResult<ApplicationDetail> {
    let scope = ctx.authorize(Permission::OnboardingRead)?;
    let tenant = tenant_of(&scope)?;
    let (app, docs, merchant, bound) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let app = repo::get(c, &scope, id).await?;
                let docs = repo::documents(c, &scope, id).await?;
                let merchant =
                    merchants::get(c, &Scope::Tenant(app.tenant_id), app.merchant_id).await?;
                let bound = repo::bound_terminals(c, app.tenant_id, app.merchant_id).await?;
                Ok((app, docs, merchant, bound))
            })
        })
        .await?;
    let cal = super::calendars::for_tenant(ctx.state, tenant).await?;
    let current: Vec<DocumentKind> = docs
        .iter()
        .filter(|d| d.removed_at.is_none())
        .map(|d| d.kind)
        .collect();
    let missing = merchant
        .kind
        .as_deref()
        .and_then(MerchantKind::from_code)
        .map(|k| onboarding::missing_documents(k, &current))
        .unwrap_or_default();
    Ok(ApplicationDetail {
        view: view(&cal, app, now()),
        merchant_name: merchant.name,
        merchant_kind: merchant.kind,
        documents: docs,
        missing_documents: missing,
        terminals_bound: bound,
    })
}

/// Opens a draft application for a pending merchant (a merchant user: their own).
pub async fn open(ctx: &Ctx<'_>, merchant: MerchantId) -> ApiResult<Application> {
    let scope = ctx.authorize(Permission::OnboardingSubmit)?;
    let tenant = tenant_of(&scope)?;
    ctx.write(
        ctx.meta(),
        OpenApplication {
            id: ApplicationId::from_uuid(new_uuid()),
            tenant,
            merchant,
            acting_merchant: acting_merchant(&scope),
        },
    )
    .await
}

/// File names are kept for display only: 1–200 characters, no path or control characters.
pub fn parse_file_name(raw: &str) -> ApiResult<String> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() {
        return Err(FieldError::new("file_name", Rule::Required).into());
    }
    if name.chars().count() > 200 {
        return Err(FieldError::new("file_name", Rule::TooLong { max: 200 }).into());
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(
            "file_name",
            Rule::Invalid {
                reason: "must not contain control characters",
            },
        )
        .into());
    }
    Ok(name.to_owned())
}

/// An uploaded document as the client sent it.
pub struct Upload {
    pub kind: DocumentKind,
    pub file_name: String,
    pub declared_type: String,
    pub bytes: Vec<u8>,
    /// The current document this one replaces.
    pub replaces: Option<DocumentId>,
}

/// Attaches a document: size, declared type against the bytes, and kind are checked by the core;
/// the bytes are stored content-addressed under their SHA-256.
pub async fn attach(ctx: &Ctx<'_>, id: ApplicationId, up: Upload) -> ApiResult<Document> {
    let scope = ctx.authorize(Permission::OnboardingSubmit)?;
    let tenant = tenant_of(&scope)?;
    let content = onboarding::check_document(up.kind, &up.declared_type, &up.bytes)?;
    let file_name = parse_file_name(&up.file_name)?;
    let sha256 = hex::encode(Sha256::digest(&up.bytes));
    ctx.write(
        ctx.meta(),
        AttachDocument {
            tenant,
            acting_merchant: acting_merchant(&scope),
            application: id,
            id: DocumentId::from_uuid(new_uuid()),
            kind: up.kind,
            file_name,
            blob: NewBlob {
                sha256,
                content_type: content.mime().to_owned(),
                bytes: up.bytes,
            },
            replaces: up.replaces,
        },
    )
    .await
}

pub async fn remove_document(
    ctx: &Ctx<'_>,
    id: ApplicationId,
    document: DocumentId,
) -> ApiResult<Document> {
    let scope = ctx.authorize(Permission::OnboardingSubmit)?;
    let tenant = tenant_of(&scope)?;
    ctx.write(
        ctx.meta(),
        RemoveDocument {
            tenant,
            acting_merchant: acting_merchant(&scope),
            application: id,
            document,
        },
    )
    .await
}

/// A document's bytes, for whoever may read the application.
pub async fn document_file(
    ctx: &Ctx<'_>,
    id: ApplicationId,
    document: DocumentId,
) -> ApiResult<(Document, Blob)> {
    let scope = ctx.authorize(Permission::OnboardingRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::document_file(c, &scope, id, document).await }))
        .await?)
}

/// The permission a step needs: the applicant's steps, the reviewer's, the installer's.
pub fn step_permission(step: &Step) -> Permission {
    match step {
        Step::Submit | Step::Withdraw => Permission::OnboardingSubmit,
        Step::Approve | Step::Reject { .. } => Permission::OnboardingReview,
        Step::Schedule { .. }
        | Step::PassAcceptance { .. }
        | Step::RecordTraining { .. }
        | Step::RecordFees { .. }
        | Step::Activate => Permission::OnboardingInstall,
    }
}

/// Takes one step of the workflow (`If-Match` optional).
pub async fn advance(
    ctx: &Ctx<'_>,
    id: ApplicationId,
    step: Step,
    if_match: Option<i64>,
) -> ApiResult<ApplicationView> {
    let scope = ctx.authorize(step_permission(&step))?;
    let tenant = tenant_of(&scope)?;
    let app = ctx
        .write(
            ctx.meta(),
            Advance {
                tenant,
                acting_merchant: acting_merchant(&scope),
                id,
                expected_version: if_match,
                step,
            },
        )
        .await?;
    let cal = super::calendars::for_tenant(ctx.state, tenant).await?;
    Ok(view(&cal, app, now()))
}

/// Notes of the acceptance test or training: 1–2000 characters.
pub fn parse_notes(field: &'static str, raw: &str) -> ApiResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, Rule::Required).into());
    }
    if t.chars().count() > 2000 {
        return Err(FieldError::new(field, Rule::TooLong { max: 2000 }).into());
    }
    Ok(t.to_owned())
}
