//! Merchant onboarding applications (入网申请, seed 001) and their documents. The status machine
//! and every precondition are `registry::onboarding`'s; this module loads what the core needs
//! (the merchant's kind, the current documents, the bound terminals), asks it, and writes the
//! result with its audit event, conditional on the version read. The review deadline is not
//! stored: services compute it from `submitted_at` on the provider's calendar.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{ApplicationId, DocumentId, MerchantId, ServicePointId, TenantId, UserId};
use posdesk_core::page::{Cursor, Page, PageRequest};
use posdesk_core::registry::MerchantKind;
use posdesk_core::registry::onboarding::{
    ActivationChecklist, ApplicationEvent, ApplicationStatus, DocumentKind, OnboardingError,
    RejectionReason,
};
use posdesk_core::{FieldError, Rule};
use serde::{Deserialize, Serialize};

use super::blobs::{self, Blob, NewBlob};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id, parse_opt_id};

/// A one-off fee recorded at installation (e.g. 安装费), in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    pub item: String,
    pub fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: ApplicationId,
    pub tenant_id: TenantId,
    pub merchant_id: MerchantId,
    pub status: ApplicationStatus,
    /// The latest (re)submission; the review clock starts here.
    pub submitted_at: Option<Timestamp>,
    pub submissions: i64,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    /// Why the latest review rejected it (kept after a resubmission; the audit trail has all).
    pub rejection_reason: Option<String>,
    pub service_point_id: Option<ServicePointId>,
    pub technician_id: Option<UserId>,
    pub appointment_at: Option<Timestamp>,
    pub acceptance_at: Option<Timestamp>,
    pub acceptance_by: Option<String>,
    pub acceptance_notes: Option<String>,
    pub training_at: Option<Timestamp>,
    pub training_by: Option<String>,
    pub training_notes: Option<String>,
    pub deposit_fen: Option<i64>,
    pub fees: Vec<FeeLine>,
    pub activated_at: Option<Timestamp>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

const COLS: &str = "id, tenant_id, merchant_id, status, submitted_at, submissions, reviewed_by, \
    reviewed_at, rejection_reason, service_point_id, technician_id, appointment_at, acceptance_at, \
    acceptance_by, acceptance_notes, training_at, training_by, training_notes, deposit_fen, fees, \
    activated_at, created_by, created_at, updated_at, version";

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

fn to_app(r: &Row) -> Result<Application> {
    let status = r.text(3)?;
    Ok(Application {
        id: parse_id(r, 0, ApplicationId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        merchant_id: parse_id(r, 2, MerchantId::parse)?,
        status: ApplicationStatus::from_code(&status)
            .ok_or_else(|| backend(format!("stored application status {status}")))?,
        submitted_at: r.opt_ts(4)?,
        submissions: r.int(5)?,
        reviewed_by: r.opt_text(6)?,
        reviewed_at: r.opt_ts(7)?,
        rejection_reason: r.opt_text(8)?,
        service_point_id: parse_opt_id(r, 9, ServicePointId::parse)?,
        technician_id: parse_opt_id(r, 10, UserId::parse)?,
        appointment_at: r.opt_ts(11)?,
        acceptance_at: r.opt_ts(12)?,
        acceptance_by: r.opt_text(13)?,
        acceptance_notes: r.opt_text(14)?,
        training_at: r.opt_ts(15)?,
        training_by: r.opt_text(16)?,
        training_notes: r.opt_text(17)?,
        deposit_fen: r.opt_int(18)?,
        fees: serde_json::from_str(&r.text(19)?).map_err(backend)?,
        activated_at: r.opt_ts(20)?,
        created_by: r.text(21)?,
        created_at: r.ts(22)?,
        updated_at: r.ts(23)?,
        version: r.int(24)?,
    })
}

/// One application the scope can see (a merchant user only their own merchant's).
pub async fn get(c: &mut dyn Conn, scope: &Scope, id: ApplicationId) -> Result<Application> {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 2);
    params.insert(0, id.into());
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM onboarding_applications WHERE id = $1 AND {cond}"),
            &params,
        )
        .await?;
    to_app(&r)
}

/// The scope's applications, newest first, optionally of one status.
pub async fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    status: Option<ApplicationStatus>,
    page: &PageRequest,
) -> Result<Page<Application>> {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 1);
    let status_cond = match status {
        Some(s) => {
            params.push(s.code().into());
            format!(" AND status = ${}", params.len())
        }
        None => String::new(),
    };
    let (after, p2) = super::after_clause(&page.after, "created_at", "id", params.len() + 1);
    params.extend(p2);
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM onboarding_applications WHERE {cond}{status_cond}{after} \
                 ORDER BY created_at DESC, id DESC LIMIT {}",
                page.limit + 1
            ),
            &params,
        )
        .await?;
    let items = rows.iter().map(to_app).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |a| Cursor {
        at: a.created_at.millis(),
        id: a.id.to_string(),
    }))
}

/// Most applications under review a supervisor's list considers at once.
pub const UNDER_REVIEW_LIMIT: u32 = 10_000;

/// The scope's applications waiting for review, oldest submission first (the order their
/// deadlines fall in on one calendar).
pub async fn under_review(c: &mut dyn Conn, scope: &Scope) -> Result<Vec<Application>> {
    let (cond, params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 1);
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM onboarding_applications WHERE {cond} AND status = 'submitted' \
                 ORDER BY submitted_at, id LIMIT {UNDER_REVIEW_LIMIT}"
            ),
            &params,
        )
        .await?;
    rows.iter().map(to_app).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: DocumentId,
    pub application_id: ApplicationId,
    pub kind: DocumentKind,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: Timestamp,
    /// Set when the applicant removed or replaced it (the row and the bytes are kept).
    pub removed_at: Option<Timestamp>,
}

const DOC_COLS: &str = "id, application_id, kind, file_name, content_type, size, sha256, \
    uploaded_by, uploaded_at, removed_at";

fn to_doc(r: &Row) -> Result<Document> {
    let kind = r.text(2)?;
    Ok(Document {
        id: parse_id(r, 0, DocumentId::parse)?,
        application_id: parse_id(r, 1, ApplicationId::parse)?,
        kind: DocumentKind::from_code(&kind)
            .ok_or_else(|| backend(format!("stored document kind {kind}")))?,
        file_name: r.text(3)?,
        content_type: r.text(4)?,
        size: r.int(5)?,
        sha256: r.text(6)?,
        uploaded_by: r.text(7)?,
        uploaded_at: r.ts(8)?,
        removed_at: r.opt_ts(9)?,
    })
}

/// Every document of an application the scope can see, current and removed, in upload order.
pub async fn documents(
    c: &mut dyn Conn,
    scope: &Scope,
    application: ApplicationId,
) -> Result<Vec<Document>> {
    let app = get(c, scope, application).await?;
    let rows = c
        .query(
            &format!(
                "SELECT {DOC_COLS} FROM onboarding_documents WHERE tenant_id = $1 AND application_id = $2 \
                 ORDER BY uploaded_at, id"
            ),
            &[app.tenant_id.into(), app.id.into()],
        )
        .await?;
    rows.iter().map(to_doc).collect()
}

/// One document and its bytes, if the scope can see its application.
pub async fn document_file(
    c: &mut dyn Conn,
    scope: &Scope,
    application: ApplicationId,
    document: DocumentId,
) -> Result<(Document, Blob)> {
    let app = get(c, scope, application).await?;
    let r = c
        .query_one(
            &format!(
                "SELECT {DOC_COLS} FROM onboarding_documents WHERE tenant_id = $1 AND application_id = $2 AND id = $3"
            ),
            &[app.tenant_id.into(), app.id.into(), document.into()],
        )
        .await?;
    let doc = to_doc(&r)?;
    let blob = blobs::get(c, app.tenant_id, &doc.sha256).await?;
    Ok((doc, blob))
}

fn onboarding_error(e: OnboardingError) -> Error {
    match e {
        OnboardingError::Illegal(i) => Error::Illegal(i),
        OnboardingError::Field(f) => Error::Invalid(f),
    }
}

/// Opens a draft application for a merchant of the tenant that is still `pending`. A merchant
/// has at most one open application (a unique index; a second is a conflict).
pub struct OpenApplication {
    pub id: ApplicationId,
    pub tenant: TenantId,
    pub merchant: MerchantId,
    /// Set when a merchant user opens it: they may only open their own merchant's.
    pub acting_merchant: Option<MerchantId>,
}

impl Mutation for OpenApplication {
    type Output = Application;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Application>>> {
        Box::pin(async move {
            let scope = Scope::acting(self.tenant, self.acting_merchant);
            let merchant = super::merchants::get(c, &scope, self.merchant)
                .await
                .map_err(|e| match e {
                    Error::NotFound => Error::Invalid(FieldError::new(
                        "merchant_id",
                        Rule::Invalid {
                            reason: "is not a merchant of this provider",
                        },
                    )),
                    e => e,
                })?;
            if merchant.status != posdesk_core::registry::MerchantStatus::Pending.code() {
                return Err(Error::Rejected(format!(
                    "merchant {} is {}, not pending onboarding",
                    merchant.id, merchant.status
                )));
            }
            let app = Application {
                id: self.id,
                tenant_id: self.tenant,
                merchant_id: self.merchant,
                status: ApplicationStatus::Draft,
                submitted_at: None,
                submissions: 0,
                reviewed_by: None,
                reviewed_at: None,
                rejection_reason: None,
                service_point_id: None,
                technician_id: None,
                appointment_at: None,
                acceptance_at: None,
                acceptance_by: None,
                acceptance_notes: None,
                training_at: None,
                training_by: None,
                training_notes: None,
                deposit_fen: None,
                fees: Vec::new(),
                activated_at: None,
                created_by: ctx.actor.id.clone(),
                created_at: ctx.now,
                updated_at: ctx.now,
                version: 1,
            };
            c.execute(
                "INSERT INTO onboarding_applications (id, tenant_id, merchant_id, status, submissions, fees, \
                 created_by, created_at, updated_at, version) VALUES ($1, $2, $3, $4, 0, '[]', $5, $6, $7, 1)",
                &[
                    app.id.into(),
                    app.tenant_id.into(),
                    app.merchant_id.into(),
                    app.status.code().into(),
                    app.created_by.as_str().into(),
                    app.created_at.into(),
                    app.updated_at.into(),
                ],
            )
            .await?;
            let audit = vec![AuditDraft::created(
                Some(self.tenant),
                "onboarding_application",
                app.id,
                &app,
            )];
            Ok(Applied::new(app, audit))
        })
    }
}

/// Attaches a checked file to an application whose documents are editable (`draft`,
/// `rejected`). With `replaces`, that current document is marked removed in the same change.
pub struct AttachDocument {
    pub tenant: TenantId,
    pub acting_merchant: Option<MerchantId>,
    pub application: ApplicationId,
    pub id: DocumentId,
    pub kind: DocumentKind,
    pub file_name: String,
    pub blob: NewBlob,
    pub replaces: Option<DocumentId>,
}

/// Refuses a document change unless the application's documents are editable.
fn check_editable(app: &Application) -> Result<()> {
    if app.status.documents_editable() {
        Ok(())
    } else {
        Err(Error::Rejected(format!(
            "documents of an application that is {} cannot be changed",
            app.status.code()
        )))
    }
}

async fn remove_document(
    c: &mut dyn Conn,
    app: &Application,
    id: DocumentId,
    now: Timestamp,
) -> Result<Document> {
    let r = c
        .query_opt(
            &format!(
                "SELECT {DOC_COLS} FROM onboarding_documents WHERE tenant_id = $1 AND application_id = $2 AND id = $3 AND removed_at IS NULL"
            ),
            &[app.tenant_id.into(), app.id.into(), id.into()],
        )
        .await?
        .ok_or(Error::NotFound)?;
    let doc = to_doc(&r)?;
    let n = c
        .execute(
            "UPDATE onboarding_documents SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL",
            &[now.into(), id.into()],
        )
        .await?;
    if n != 1 {
        return Err(Error::Stale {
            current: app.version + 1,
        });
    }
    Ok(doc)
}

/// The application row is touched (version + 1) by every document change, so a submit that read
/// the documents cannot interleave with an attach on another server.
async fn bump(c: &mut dyn Conn, app: &Application, now: Timestamp) -> Result<()> {
    let n = c
        .execute(
            "UPDATE onboarding_applications SET updated_at = $1, version = $2 WHERE id = $3 AND version = $4",
            &[
                now.into(),
                Value::Int(app.version + 1),
                app.id.into(),
                Value::Int(app.version),
            ],
        )
        .await?;
    super::updated_one(n, app.version)
}

impl Mutation for AttachDocument {
    type Output = Document;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Document>>> {
        Box::pin(async move {
            let scope = Scope::acting(self.tenant, self.acting_merchant);
            let app = get(c, &scope, self.application).await?;
            check_editable(&app)?;
            let mut audit = Vec::new();
            if let Some(old) = self.replaces {
                let removed =
                    remove_document(c, &app, old, ctx.now)
                        .await
                        .map_err(|e| match e {
                            Error::NotFound => Error::Invalid(FieldError::new(
                                "replaces",
                                Rule::Invalid {
                                    reason: "is not a current document of this application",
                                },
                            )),
                            e => e,
                        })?;
                audit.push(AuditDraft::changed(
                    Some(self.tenant),
                    "onboarding_document",
                    old,
                    "replace",
                    &removed,
                    Document {
                        removed_at: Some(ctx.now),
                        ..removed.clone()
                    },
                ));
            }
            blobs::put(c, self.tenant, &self.blob, ctx.now).await?;
            let doc = Document {
                id: self.id,
                application_id: app.id,
                kind: self.kind,
                file_name: self.file_name.clone(),
                content_type: self.blob.content_type.clone(),
                size: i64::try_from(self.blob.bytes.len()).unwrap_or(i64::MAX),
                sha256: self.blob.sha256.clone(),
                uploaded_by: ctx.actor.id.clone(),
                uploaded_at: ctx.now,
                removed_at: None,
            };
            c.execute(
                &format!(
                    "INSERT INTO onboarding_documents (tenant_id, {DOC_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)"
                ),
                &[
                    self.tenant.into(),
                    doc.id.into(),
                    doc.application_id.into(),
                    doc.kind.code().into(),
                    doc.file_name.as_str().into(),
                    doc.content_type.as_str().into(),
                    Value::Int(doc.size),
                    doc.sha256.as_str().into(),
                    doc.uploaded_by.as_str().into(),
                    doc.uploaded_at.into(),
                ],
            )
            .await?;
            bump(c, &app, ctx.now).await?;
            audit.push(AuditDraft::created(
                Some(self.tenant),
                "onboarding_document",
                doc.id,
                &doc,
            ));
            Ok(Applied::new(doc, audit))
        })
    }
}

/// Removes a current document (kept, marked removed) while the documents are editable.
pub struct RemoveDocument {
    pub tenant: TenantId,
    pub acting_merchant: Option<MerchantId>,
    pub application: ApplicationId,
    pub document: DocumentId,
}

impl Mutation for RemoveDocument {
    type Output = Document;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Document>>> {
        Box::pin(async move {
            let scope = Scope::acting(self.tenant, self.acting_merchant);
            let app = get(c, &scope, self.application).await?;
            check_editable(&app)?;
            let before = remove_document(c, &app, self.document, ctx.now).await?;
            bump(c, &app, ctx.now).await?;
            let after = Document {
                removed_at: Some(ctx.now),
                ..before.clone()
            };
            let audit = vec![AuditDraft::changed(
                Some(self.tenant),
                "onboarding_document",
                self.document,
                "remove",
                &before,
                &after,
            )];
            Ok(Applied::new(after, audit))
        })
    }
}

/// One step of the workflow. Which statuses allow it is the core's table.
#[derive(Debug, Clone)]
pub enum Step {
    /// Submit or resubmit: every required document for the merchant's kind attached.
    Submit,
    Approve,
    Reject {
        reason: RejectionReason,
    },
    /// Book (from `approved`) or move (from `installation_scheduled`) the installation visit.
    Schedule {
        service_point: ServicePointId,
        technician: Option<UserId>,
        at: Timestamp,
    },
    /// Installed on site and the acceptance test passed.
    PassAcceptance {
        notes: String,
    },
    /// The operation training given to the merchant's staff.
    RecordTraining {
        notes: String,
    },
    /// Deposit and one-off fees, in fen.
    RecordFees {
        deposit_fen: i64,
        fees: Vec<FeeLine>,
    },
    /// Training recorded and terminals bound: the application and the merchant go live.
    Activate,
    Withdraw,
}

impl Step {
    /// The audit action.
    pub fn code(&self) -> &'static str {
        match self {
            Step::Submit => ApplicationEvent::Submit.code(),
            Step::Approve => ApplicationEvent::Approve.code(),
            Step::Reject { .. } => ApplicationEvent::Reject.code(),
            Step::Schedule { .. } => ApplicationEvent::ScheduleInstallation.code(),
            Step::PassAcceptance { .. } => ApplicationEvent::PassAcceptance.code(),
            Step::RecordTraining { .. } => "record_training",
            Step::RecordFees { .. } => "record_fees",
            Step::Activate => ApplicationEvent::Activate.code(),
            Step::Withdraw => ApplicationEvent::Withdraw.code(),
        }
    }
}

/// Applies a [`Step`] to an application, conditional on the version read (and `If-Match`).
pub struct Advance {
    pub tenant: TenantId,
    pub acting_merchant: Option<MerchantId>,
    pub id: ApplicationId,
    pub expected_version: Option<i64>,
    pub step: Step,
}

fn not_allowed(app: &Application, event: &'static str) -> Error {
    Error::Illegal(posdesk_core::lifecycle::IllegalTransition {
        from: app.status.code(),
        event,
    })
}

async fn current_document_kinds(c: &mut dyn Conn, app: &Application) -> Result<Vec<DocumentKind>> {
    let rows = c
        .query(
            "SELECT kind FROM onboarding_documents WHERE tenant_id = $1 AND application_id = $2 AND removed_at IS NULL",
            &[app.tenant_id.into(), app.id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let k = r.text(0)?;
            DocumentKind::from_code(&k).ok_or_else(|| backend(format!("stored document kind {k}")))
        })
        .collect()
}

/// Terminals of the provider bound to the merchant.
pub async fn bound_terminals(
    c: &mut dyn Conn,
    tenant: TenantId,
    merchant: MerchantId,
) -> Result<i64> {
    c.query_one(
        "SELECT COUNT(*) FROM terminals WHERE tenant_id = $1 AND merchant_id = $2",
        &[tenant.into(), merchant.into()],
    )
    .await?
    .int(0)
}

/// The service point must be the provider's and open; a named technician must be one of its
/// assigned technicians.
async fn check_visit(
    c: &mut dyn Conn,
    tenant: TenantId,
    service_point: ServicePointId,
    technician: Option<UserId>,
) -> Result<()> {
    let sp = super::service_points::get(c, &Scope::Tenant(tenant), service_point)
        .await
        .map_err(|e| match e {
            Error::NotFound => Error::Invalid(FieldError::new(
                "service_point_id",
                Rule::Invalid {
                    reason: "is not a service point of this provider",
                },
            )),
            e => e,
        })?;
    if !sp.active {
        return Err(Error::Invalid(FieldError::new(
            "service_point_id",
            Rule::Invalid {
                reason: "is closed",
            },
        )));
    }
    if let Some(t) = technician
        && !sp.technicians.contains(&t)
    {
        return Err(Error::Invalid(FieldError::new(
            "technician_id",
            Rule::Invalid {
                reason: "is not assigned to this service point",
            },
        )));
    }
    Ok(())
}

impl Mutation for Advance {
    type Output = Application;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Application>>> {
        Box::pin(async move {
            let scope = Scope::acting(self.tenant, self.acting_merchant);
            let before = get(c, &scope, self.id).await?;
            super::check_version(self.expected_version, before.version)?;
            let mut after = Application {
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            let actor = ctx.actor.id.clone();
            let mut audit = Vec::new();
            match &self.step {
                Step::Submit => {
                    let merchant =
                        super::merchants::get(c, &Scope::Tenant(self.tenant), before.merchant_id)
                            .await?;
                    let kind = merchant
                        .kind
                        .as_deref()
                        .and_then(MerchantKind::from_code)
                        .ok_or_else(|| {
                            Error::Invalid(FieldError::new("merchant.kind", Rule::Required))
                        })?;
                    let docs = current_document_kinds(c, &before).await?;
                    after.status = before
                        .status
                        .submit(kind, &docs)
                        .map_err(onboarding_error)?;
                    after.submitted_at = Some(ctx.now);
                    after.submissions = before.submissions + 1;
                }
                Step::Approve => {
                    after.status = before.status.transition(ApplicationEvent::Approve)?;
                    after.reviewed_by = Some(actor);
                    after.reviewed_at = Some(ctx.now);
                    after.rejection_reason = None;
                }
                Step::Reject { reason } => {
                    after.status = before.status.reject(reason)?;
                    after.reviewed_by = Some(actor);
                    after.reviewed_at = Some(ctx.now);
                    after.rejection_reason = Some(reason.as_str().to_owned());
                }
                Step::Schedule {
                    service_point,
                    technician,
                    at,
                } => {
                    let event = if before.status == ApplicationStatus::InstallationScheduled {
                        ApplicationEvent::RescheduleInstallation
                    } else {
                        ApplicationEvent::ScheduleInstallation
                    };
                    after.status = before.status.transition(event)?;
                    posdesk_core::registry::onboarding::check_appointment(*at, ctx.now)?;
                    check_visit(c, self.tenant, *service_point, *technician).await?;
                    after.service_point_id = Some(*service_point);
                    after.technician_id = *technician;
                    after.appointment_at = Some(*at);
                }
                Step::PassAcceptance { notes } => {
                    after.status = before.status.transition(ApplicationEvent::PassAcceptance)?;
                    after.acceptance_at = Some(ctx.now);
                    after.acceptance_by = Some(actor);
                    after.acceptance_notes = Some(notes.clone());
                }
                Step::RecordTraining { notes } => {
                    if !before.status.may_record_training() {
                        return Err(not_allowed(&before, "record_training"));
                    }
                    after.training_at = Some(ctx.now);
                    after.training_by = Some(actor);
                    after.training_notes = Some(notes.clone());
                }
                Step::RecordFees { deposit_fen, fees } => {
                    if !before.status.may_record_fees() {
                        return Err(not_allowed(&before, "record_fees"));
                    }
                    after.deposit_fen = Some(*deposit_fen);
                    after.fees = fees.clone();
                }
                Step::Activate => {
                    let bound = bound_terminals(c, self.tenant, before.merchant_id).await?;
                    let checklist = ActivationChecklist {
                        training_recorded: before.training_at.is_some(),
                        terminals_bound: u32::try_from(bound).unwrap_or(u32::MAX),
                    };
                    after.status = before
                        .status
                        .activate(&checklist)
                        .map_err(onboarding_error)?;
                    after.activated_at = Some(ctx.now);
                    let merchant = super::merchants::TransitionMerchant {
                        tenant: self.tenant,
                        id: before.merchant_id,
                        event: posdesk_core::registry::MerchantEvent::Activate,
                        expected_version: None,
                    }
                    .apply(c, ctx)
                    .await?;
                    audit.extend(merchant.audit);
                }
                Step::Withdraw => {
                    after.status = before.status.transition(ApplicationEvent::Withdraw)?;
                }
            }
            let fees = serde_json::to_string(&after.fees).map_err(backend)?;
            let n = c
                .execute(
                    "UPDATE onboarding_applications SET status = $1, submitted_at = $2, submissions = $3, \
                     reviewed_by = $4, reviewed_at = $5, rejection_reason = $6, service_point_id = $7, \
                     technician_id = $8, appointment_at = $9, acceptance_at = $10, acceptance_by = $11, \
                     acceptance_notes = $12, training_at = $13, training_by = $14, training_notes = $15, \
                     deposit_fen = $16, fees = $17, activated_at = $18, updated_at = $19, version = $20 \
                     WHERE id = $21 AND version = $22",
                    &[
                        after.status.code().into(),
                        after.submitted_at.into(),
                        Value::Int(after.submissions),
                        after.reviewed_by.clone().into(),
                        after.reviewed_at.into(),
                        after.rejection_reason.clone().into(),
                        after.service_point_id.into(),
                        after.technician_id.into(),
                        after.appointment_at.into(),
                        after.acceptance_at.into(),
                        after.acceptance_by.clone().into(),
                        after.acceptance_notes.clone().into(),
                        after.training_at.into(),
                        after.training_by.clone().into(),
                        after.training_notes.clone().into(),
                        after.deposit_fen.into(),
                        fees.into(),
                        after.activated_at.into(),
                        after.updated_at.into(),
                        Value::Int(after.version),
                        self.id.into(),
                        Value::Int(before.version),
                    ],
                )
                .await?;
            super::updated_one(n, before.version)?;
            audit.insert(
                0,
                AuditDraft::changed(
                    Some(self.tenant),
                    "onboarding_application",
                    self.id,
                    self.step.code(),
                    &before,
                    &after,
                ),
            );
            Ok(Applied::new(after, audit))
        })
    }
}
