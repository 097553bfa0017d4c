//! Merchant onboarding (入网申请, seed 001) in the web UI:
//!
//! * `/onboarding`: the applications the reader may see (status, merchant, submission, review
//!   deadline with the working time left or the working time overdue, provisional flag),
//!   filtered by status; and, for those who may apply, the form that opens an application for a
//!   pending merchant (a merchant user: their own).
//! * `/onboarding/review`: the reviewer's queue, soonest deadline first, the overdue ones in a
//!   red box at the top, with an "overdue only" toggle.
//! * `/onboarding/{id}`: one application: merchant, status, the rejection reason, the timeline
//!   of its steps, the required documents and which are missing, every document (removed ones
//!   struck through) with its download link, and the forms the reader's role and the status
//!   allow (upload, submit, withdraw, approve, reject, book or move the installation, acceptance,
//!   training, deposit and fees, activate). Which forms are shown is decided by the core's
//!   status table and the role's permissions; whether a step is taken is the service's decision.
//!
//! Every form posts to `/onboarding/{id}/<step>` with `_csrf` and the application's `version`
//! (passed to the service as `If-Match`, so a step taken on a page someone else changed in the
//! meantime is refused as stale). Success redirects to the page with a flash; an error
//! re-renders the page with the form as typed and the error naming the field.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use posdesk_core::Timestamp;
use posdesk_core::authz::{Permission, Role};
use posdesk_core::ids::{ApplicationId, DocumentId, MerchantId, ServicePointId, UserId};
use posdesk_core::page::{MAX_LIMIT, PageRequest};
use posdesk_core::registry::onboarding::{
    ApplicationEvent, ApplicationStatus, DocumentKind, RejectionReason, ReviewClock,
    required_documents,
};
use posdesk_core::registry::{Fen, MerchantKind, MerchantStatus};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::onboarding::{Application, Document, Step};

use super::kit::{
    Chrome, CsrfForm, CsrfMultipart, Fields, Flash, Opt, Query, Web, is_form_error, link,
};
use super::labels;
use super::session::WebUser;
use crate::api::onboarding::{file_response, parse_fees, parse_installation};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::service;
use crate::service::onboarding::{ApplicationView, Upload};
use crate::state::AppState;

/// The upload route's body limit: the largest document plus room for the form's other parts.
pub const MAX_UPLOAD_BYTES: usize =
    posdesk_core::registry::onboarding::MAX_DOCUMENT_BYTES + 64 * 1024;

/// How many merchant pages the open form looks through for pending merchants.
const PENDING_PAGES: usize = 5;

/// How many merchants a list looks up one by one when they are not on the first page.
const NAME_LOOKUPS: usize = 200;

/// Empty fee lines the fees form offers below the recorded ones.
const SPARE_FEE_ROWS: usize = 2;

// ---- Labels -------------------------------------------------------------------------------------

pub fn status_label(tr: &Tr, s: ApplicationStatus) -> String {
    match s {
        ApplicationStatus::Draft => tr.t("onboarding-status-draft"),
        ApplicationStatus::Submitted => tr.t("onboarding-status-submitted"),
        ApplicationStatus::Approved => tr.t("onboarding-status-approved"),
        ApplicationStatus::Rejected => tr.t("onboarding-status-rejected"),
        ApplicationStatus::InstallationScheduled => {
            tr.t("onboarding-status-installation-scheduled")
        }
        ApplicationStatus::Installed => tr.t("onboarding-status-installed"),
        ApplicationStatus::Active => tr.t("onboarding-status-active"),
        ApplicationStatus::Withdrawn => tr.t("onboarding-status-withdrawn"),
    }
}

/// The badge style of a status.
fn status_class(s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::Draft => "badge-draft",
        ApplicationStatus::Rejected => "badge-danger",
        ApplicationStatus::Approved | ApplicationStatus::Active => "badge-ok",
        ApplicationStatus::Withdrawn => "badge-off",
        ApplicationStatus::Submitted
        | ApplicationStatus::InstallationScheduled
        | ApplicationStatus::Installed => "",
    }
}

pub fn document_label(tr: &Tr, k: DocumentKind) -> String {
    match k {
        DocumentKind::BusinessLicence => tr.t("onboarding-doc-business-licence"),
        DocumentKind::IdCard => tr.t("onboarding-doc-id-card"),
        DocumentKind::BankAccountProof => tr.t("onboarding-doc-bank-account-proof"),
        DocumentKind::PremisesPhoto => tr.t("onboarding-doc-premises-photo"),
        DocumentKind::Other => tr.t("onboarding-doc-other"),
    }
}

/// `fees[2].fen` → the fee line (counted from 1) and its part.
fn fee_field(tr: &Tr, name: &str) -> Option<String> {
    let rest = name.strip_prefix("fees[")?;
    let (index, part) = rest.split_once(']')?;
    let n = index.parse::<usize>().ok()?.saturating_add(1).to_string();
    Some(match part {
        ".item" => tr.ta("onboarding-fee-item-n", &[("n", n)]),
        _ => tr.ta("onboarding-fee-amount-n", &[("n", n)]),
    })
}

/// The labels of this page's fields; the others as every form names them.
fn field_label(tr: &Tr, name: &str) -> String {
    match name {
        "kind" => tr.t("onboarding-doc-kind"),
        "file" => tr.t("onboarding-file"),
        "file_name" => tr.t("onboarding-file-name"),
        "replaces" => tr.t("onboarding-replaces"),
        "reason" => tr.t("onboarding-reject-reason"),
        "service_point_id" => tr.t("onboarding-service-point"),
        "technician_id" => tr.t("onboarding-technician"),
        "appointment_at" => tr.t("onboarding-appointment"),
        "acceptance_notes" => tr.t("onboarding-acceptance-notes"),
        "training_notes" => tr.t("onboarding-training-notes"),
        "deposit_fen" => tr.t("onboarding-deposit"),
        other => match fee_field(tr, other) {
            Some(l) => l,
            None => labels::field(tr, other),
        },
    }
}

/// A service error on one of these forms, in the reader's language.
fn form_message(tr: &Tr, e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) | ApiError::BadRequest(f) if matches!(f.rule, Rule::Required) => {
            let missing = f
                .field
                .strip_prefix("documents.")
                .and_then(DocumentKind::from_code);
            match (missing, f.field.as_str()) {
                (Some(k), _) => tr.ta(
                    "onboarding-error-missing-document",
                    &[("document", document_label(tr, k))],
                ),
                (None, "training_recorded") => tr.t("onboarding-error-no-training"),
                (None, "terminals") => tr.t("onboarding-error-no-terminal"),
                (None, "merchant.kind") => tr.t("onboarding-error-merchant-kind"),
                (None, field) => tr.ta(
                    "error-field",
                    &[
                        ("field", field_label(tr, field)),
                        ("rule", labels::rule(tr, &f.rule)),
                    ],
                ),
            }
        }
        ApiError::Invalid(f) | ApiError::BadRequest(f) => {
            let rule = match (&f.rule, f.field.as_str()) {
                (Rule::Invalid { .. }, "appointment_at") => tr.t("onboarding-rule-in-past"),
                (Rule::Invalid { .. }, "technician_id") => tr.t("onboarding-rule-not-assigned"),
                (Rule::Invalid { reason }, "service_point_id") if reason.contains("closed") => {
                    tr.t("onboarding-rule-closed")
                }
                (Rule::Invalid { reason }, "file") if reason.contains("image") => {
                    tr.t("onboarding-rule-image-only")
                }
                (Rule::Invalid { reason }, "file") if reason.contains("declared") => {
                    tr.t("onboarding-rule-content-mismatch")
                }
                (Rule::OneOf { .. }, "file") => tr.t("onboarding-rule-file-types"),
                (r, _) => labels::rule(tr, r),
            };
            tr.ta(
                "error-field",
                &[("field", field_label(tr, &f.field)), ("rule", rule)],
            )
        }
        ApiError::Conflict { field: Some(f), .. } if f == "merchant_id" => {
            tr.t("onboarding-error-open-exists")
        }
        ApiError::Conflict {
            detail,
            field: None,
        } if detail.contains("not pending onboarding") => tr.t("onboarding-error-not-pending"),
        ApiError::Conflict {
            detail,
            field: None,
        } if detail.contains("cannot be changed") => tr.t("onboarding-error-documents-frozen"),
        other => labels::error_message(tr, other),
    }
}

/// Working minutes as hours and minutes.
fn working_time(tr: &Tr, minutes: i64) -> String {
    let m = minutes.unsigned_abs();
    tr.ta(
        "onboarding-working-time",
        &[
            ("hours", (m / 60).to_string()),
            ("minutes", (m % 60).to_string()),
        ],
    )
}

fn parse_id(id: &str) -> ApiResult<ApplicationId> {
    ApplicationId::parse("id", id).map_err(|_| ApiError::NotFound)
}

fn href(id: ApplicationId) -> String {
    format!("/onboarding/{id}")
}

fn version_field(f: &Fields) -> Result<Option<i64>, FieldError> {
    f.opt("version")
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
        .transpose()
}

// ---- Lists ----------------------------------------------------------------------------------------

/// Where a review stands, as the lists and the page show it.
pub struct ClockView {
    pub due: String,
    pub remaining: String,
    pub overdue: bool,
    pub provisional: bool,
}

fn clock_view(tr: &Tr, r: &ReviewClock) -> ClockView {
    ClockView {
        due: r.due.to_shanghai_display(),
        remaining: if r.overdue {
            tr.ta(
                "onboarding-overdue-by",
                &[("time", working_time(tr, r.remaining_minutes))],
            )
        } else {
            tr.ta(
                "onboarding-remaining",
                &[("time", working_time(tr, r.remaining_minutes))],
            )
        },
        overdue: r.overdue,
        provisional: r.provisional,
    }
}

pub struct AppRow {
    pub id: String,
    pub href: String,
    pub merchant: String,
    pub mid: String,
    pub status: String,
    pub status_code: &'static str,
    pub status_class: &'static str,
    pub submitted: String,
    /// "resubmitted n times" when submitted more than once.
    pub submissions_label: String,
    pub review: Option<ClockView>,
}

/// Names and MIDs of the merchants of `apps`: the first page of the reader's merchants, then
/// the missing ones one by one (at most [`NAME_LOOKUPS`]).
async fn merchant_names(
    ctx: &service::Ctx<'_>,
    apps: &[&Application],
) -> HashMap<MerchantId, (String, String)> {
    let mut out = HashMap::new();
    if let Ok(p) = service::directory::merchants(ctx, PageRequest::first(MAX_LIMIT)).await {
        for m in p.items {
            out.insert(m.id, (m.name, m.mid));
        }
    }
    let mut missing: Vec<MerchantId> = apps
        .iter()
        .map(|a| a.merchant_id)
        .filter(|id| !out.contains_key(id))
        .collect();
    missing.sort_by_key(ToString::to_string);
    missing.dedup();
    for id in missing.into_iter().take(NAME_LOOKUPS) {
        if let Ok(m) = service::directory::merchant(ctx, id).await {
            out.insert(m.id, (m.name, m.mid));
        }
    }
    out
}

fn submissions_label(tr: &Tr, n: i64) -> String {
    if n > 1 {
        tr.ta("onboarding-submissions", &[("count", n.to_string())])
    } else {
        String::new()
    }
}

fn app_row(tr: &Tr, v: &ApplicationView, names: &HashMap<MerchantId, (String, String)>) -> AppRow {
    let a = &v.application;
    let (merchant, mid) = names
        .get(&a.merchant_id)
        .cloned()
        .unwrap_or_else(|| (a.merchant_id.to_string(), String::new()));
    AppRow {
        id: format!("app-{}", a.id),
        href: href(a.id),
        merchant,
        mid,
        status: status_label(tr, a.status),
        status_code: a.status.code(),
        status_class: status_class(a.status),
        submitted: a
            .submitted_at
            .map(Timestamp::to_shanghai_display)
            .unwrap_or_default(),
        submissions_label: submissions_label(tr, a.submissions),
        review: v.review.as_ref().map(|r| clock_view(tr, r)),
    }
}

async fn rows(ctx: &service::Ctx<'_>, tr: &Tr, views: &[ApplicationView]) -> Vec<AppRow> {
    let apps: Vec<&Application> = views.iter().map(|v| &v.application).collect();
    let names = merchant_names(ctx, &apps).await;
    views.iter().map(|v| app_row(tr, v, &names)).collect()
}

/// The open form: the pending merchants the reader may see, the chosen one and its error.
pub struct OpenForm {
    pub merchants: Vec<Opt>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "onboarding_list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<AppRow>,
    statuses: Vec<Opt>,
    next_link: Option<String>,
    can_open: bool,
    can_review: bool,
    open: OpenForm,
}

/// The reader's merchants still `pending` (a merchant user: their own), from the first pages.
async fn pending_merchants(ctx: &service::Ctx<'_>, chosen: &str) -> Vec<Opt> {
    let mut out = Vec::new();
    let mut page = PageRequest::first(MAX_LIMIT);
    for _ in 0..PENDING_PAGES {
        let Ok(p) = service::directory::merchants(ctx, page).await else {
            break;
        };
        out.extend(
            p.items
                .into_iter()
                .filter(|m| m.status == MerchantStatus::Pending.code())
                .map(|m| Opt::new(m.id.to_string(), format!("{} ({})", m.name, m.mid), chosen)),
        );
        match p.next {
            Some(next) => {
                page = PageRequest {
                    limit: MAX_LIMIT,
                    after: Some(next),
                }
            }
            None => break,
        }
    }
    out
}

async fn render_list(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    q: &Fields,
    open_input: Option<(&Fields, String, StatusCode)>,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let status = ApplicationStatus::from_code(q.get("status"));
    let page = match super::kit::page_request(q) {
        Ok(p) => p,
        Err(e) => return web.fail(Some(user), &e),
    };
    let list = match service::onboarding::list(&ctx, status, page).await {
        Ok(p) => p,
        Err(e) => return web.fail(Some(user), &e),
    };
    let can_open = user.role().allows(Permission::OnboardingSubmit);
    let (chosen, error, code) = match open_input {
        Some((f, msg, code)) => (f.get("merchant_id").to_owned(), Some(msg), code),
        None => (String::new(), None, StatusCode::OK),
    };
    let merchants = if can_open {
        pending_merchants(&ctx, &chosen).await
    } else {
        Vec::new()
    };
    let current = status.map_or("", ApplicationStatus::code);
    let mut statuses = vec![Opt::new("", tr.t("onboarding-status-all"), current)];
    statuses.extend(
        ApplicationStatus::ALL
            .iter()
            .map(|s| Opt::new(s.code(), status_label(&tr, *s), current)),
    );
    let next_link = list.next.map(|c| {
        link(
            "/onboarding",
            &[("status", current), ("cursor", &c.encode())],
        )
    });
    let tpl = ListPage {
        c: web.chrome(Some(user), tr.t("onboarding-title")),
        rows: rows(&ctx, &tr, &list.items).await,
        statuses,
        next_link,
        can_open,
        can_review: user.role().allows(Permission::OnboardingReview),
        open: OpenForm { merchants, error },
    };
    web.render(code, &tpl)
}

pub async fn list(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    render_list(&state, &web, &user, &q, None).await
}

pub async fn open(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result: ApiResult<_> = async {
        let merchant = MerchantId::parse("merchant_id", f.get("merchant_id").trim())?;
        service::onboarding::open(&user.ctx(&state), merchant).await
    }
    .await;
    match result {
        Ok(app) => web.redirect_flash(&href(app.id), Flash::OnboardingOpened),
        Err(e) if is_form_error(&e) => {
            let msg = form_message(&web.tr, &e);
            render_list(
                &state,
                &web,
                &user,
                &Fields::default(),
                Some((&f, msg, e.status())),
            )
            .await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

#[derive(Template)]
#[template(path = "onboarding_review.html")]
struct ReviewPage {
    c: Chrome,
    overdue_only: bool,
    overdue_heading: String,
    overdue: Vec<AppRow>,
    others: Vec<AppRow>,
}

pub async fn review(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(&state);
    let overdue_only = q.checked("overdue");
    let queue = match service::onboarding::review_queue(&ctx, overdue_only).await {
        Ok(v) => v,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let (overdue, others): (Vec<AppRow>, Vec<AppRow>) = rows(&ctx, &tr, &queue)
        .await
        .into_iter()
        .partition(|r| r.review.as_ref().is_some_and(|c| c.overdue));
    let tpl = ReviewPage {
        c: web.chrome(Some(&user), tr.t("onboarding-review-title")),
        overdue_only,
        overdue_heading: tr.ta(
            "onboarding-overdue-count",
            &[("count", overdue.len().to_string())],
        ),
        overdue,
        others,
    };
    web.render(StatusCode::OK, &tpl)
}

// ---- One application --------------------------------------------------------------------------

pub struct StepRow {
    pub id: &'static str,
    pub label: String,
    pub done: bool,
    pub time: String,
    pub detail: String,
}

pub struct RequiredDoc {
    pub code: &'static str,
    pub label: String,
    pub present: bool,
}

pub struct DocRow {
    pub id: String,
    pub href: String,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size: String,
    pub sha256: String,
    pub uploaded: String,
    pub removed: Option<String>,
}

pub struct FeeRow {
    pub n: usize,
    pub item: String,
    pub amount: String,
}

pub struct FeesView {
    pub deposit: String,
    pub lines: Vec<(String, String)>,
    pub total: String,
}

/// A group of the technician select: one service point's technicians.
pub struct TechGroup {
    pub label: String,
    pub options: Vec<Opt>,
}

/// The error of each form (at most one is set).
#[derive(Default)]
pub struct FormErrors {
    pub upload: Option<String>,
    pub remove: Option<String>,
    pub submit: Option<String>,
    pub withdraw: Option<String>,
    pub review: Option<String>,
    pub installation: Option<String>,
    pub acceptance: Option<String>,
    pub training: Option<String>,
    pub fees: Option<String>,
    pub activate: Option<String>,
}

/// The form a failed POST re-renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Upload,
    Remove,
    Submit,
    Withdraw,
    Review,
    Installation,
    Acceptance,
    Training,
    Fees,
    Activate,
}

impl FormErrors {
    fn set(&mut self, which: Which, msg: String) {
        let slot = match which {
            Which::Upload => &mut self.upload,
            Which::Remove => &mut self.remove,
            Which::Submit => &mut self.submit,
            Which::Withdraw => &mut self.withdraw,
            Which::Review => &mut self.review,
            Which::Installation => &mut self.installation,
            Which::Acceptance => &mut self.acceptance,
            Which::Training => &mut self.training,
            Which::Fees => &mut self.fees,
            Which::Activate => &mut self.activate,
        };
        *slot = Some(msg);
    }
}

/// Which forms the page offers: the role's permission for the step, and the core's table for
/// the status (the service decides again when the form is posted).
#[derive(Default)]
pub struct Allowed {
    pub upload: bool,
    pub submit: bool,
    pub withdraw: bool,
    pub review: bool,
    pub installation: bool,
    pub acceptance: bool,
    pub training: bool,
    pub fees: bool,
    pub activate: bool,
}

impl Allowed {
    /// Whether the page shows the form `which` (and so its error slot).
    fn shows(&self, which: Which) -> bool {
        match which {
            Which::Upload | Which::Remove => self.upload,
            Which::Submit => self.submit,
            Which::Withdraw => self.withdraw,
            Which::Review => self.review,
            Which::Installation => self.installation,
            Which::Acceptance => self.acceptance,
            Which::Training => self.training,
            Which::Fees => self.fees,
            Which::Activate => self.activate,
        }
    }
}

fn allowed(role: Role, s: ApplicationStatus) -> Allowed {
    let submit = role.allows(Permission::OnboardingSubmit);
    let review = role.allows(Permission::OnboardingReview);
    let install = role.allows(Permission::OnboardingInstall);
    let legal = |e: ApplicationEvent| s.transition(e).is_ok();
    Allowed {
        upload: submit && s.documents_editable(),
        submit: submit && legal(ApplicationEvent::Submit),
        withdraw: submit && legal(ApplicationEvent::Withdraw),
        review: review && legal(ApplicationEvent::Approve),
        installation: install
            && (legal(ApplicationEvent::ScheduleInstallation)
                || legal(ApplicationEvent::RescheduleInstallation)),
        acceptance: install && legal(ApplicationEvent::PassAcceptance),
        training: install && s.may_record_training(),
        fees: install && s.may_record_fees(),
        activate: install && legal(ApplicationEvent::Activate),
    }
}

#[derive(Template)]
#[template(path = "onboarding.html")]
struct DetailPage {
    c: Chrome,
    href: String,
    id: String,
    version: i64,
    status: String,
    status_code: &'static str,
    status_class: &'static str,
    merchant: String,
    merchant_href: String,
    mid: String,
    merchant_kind: String,
    merchant_status: String,
    review: Option<ClockView>,
    rejection_reason: Option<String>,
    steps: Vec<StepRow>,
    required: Vec<RequiredDoc>,
    missing: Vec<String>,
    documents: Vec<DocRow>,
    terminals_bound: i64,
    training_recorded: bool,
    fees_view: Option<FeesView>,
    audit_link: Option<String>,
    can: Allowed,
    errors: FormErrors,
    /// The error of a form the page no longer shows (the status moved on meanwhile).
    general_error: Option<String>,
    kind_opts: Vec<Opt>,
    replace_opts: Vec<Opt>,
    point_opts: Vec<Opt>,
    tech_groups: Vec<TechGroup>,
    has_points: bool,
    appointment: String,
    appointment_min: String,
    reason: String,
    acceptance_notes: String,
    training_notes: String,
    deposit: String,
    fee_rows: Vec<FeeRow>,
}

/// Display names of users, for those who may read users; nothing for the others.
async fn user_names(ctx: &service::Ctx<'_>, role: Role, ids: &[&str]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if !role.allows(Permission::UserRead) {
        return out;
    }
    for raw in ids {
        if out.contains_key(*raw) {
            continue;
        }
        let Ok(id) = UserId::parse("id", raw) else {
            continue;
        };
        if let Ok(u) = service::users::get(ctx, id).await {
            out.insert((*raw).to_owned(), u.display_name);
        }
    }
    out
}

/// The provider's technicians (id → name), for those who may see its service points.
async fn technician_names(ctx: &service::Ctx<'_>) -> HashMap<UserId, String> {
    service::service_points::technician_names(ctx)
        .await
        .unwrap_or_default()
}

/// A technician as the reader may name them: their name, or their place in the point's list.
fn technician_label(tr: &Tr, names: &HashMap<UserId, String>, id: UserId, n: usize) -> String {
    names.get(&id).cloned().unwrap_or_else(|| {
        let short: String = id.to_string().chars().take(8).collect();
        tr.ta(
            "onboarding-technician-n",
            &[("n", n.to_string()), ("id", short)],
        )
    })
}

/// What a failed POST gives back to the page: the form, its input and its message.
struct Failed {
    which: Which,
    fields: Fields,
    message: String,
    status: StatusCode,
}

/// The value typed into `name` on the failed form `which`, or `default`.
fn typed(failed: &Option<Failed>, which: Which, name: &str, default: String) -> String {
    match failed {
        Some(f) if f.which == which => f.fields.get(name).to_owned(),
        _ => default,
    }
}

async fn render_detail(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    id: ApplicationId,
    failed: Option<Failed>,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let role = user.role();
    let d = match service::onboarding::get(&ctx, id).await {
        Ok(d) => d,
        Err(e) => return web.fail(Some(user), &e),
    };
    let a = &d.view.application;
    let merchant = service::directory::merchant(&ctx, a.merchant_id).await.ok();
    let points = if role.allows(Permission::ServicePointRead) {
        service::service_points::list(&ctx, false)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let point_name = |sp: ServicePointId| {
        points
            .iter()
            .find(|p| p.id == sp)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let techs = technician_names(&ctx).await;
    let mut actor_ids: Vec<&str> = vec![a.created_by.as_str()];
    actor_ids.extend(
        [&a.reviewed_by, &a.acceptance_by, &a.training_by]
            .into_iter()
            .filter_map(|x| x.as_deref()),
    );
    let actors = user_names(&ctx, role, &actor_ids).await;
    let by = |who: &Option<String>| {
        who.as_deref()
            .and_then(|w| actors.get(w))
            .map(|n| tr.ta("onboarding-by", &[("name", n.clone())]))
            .unwrap_or_default()
    };
    let ts = |t: Option<Timestamp>| t.map(Timestamp::to_shanghai_display).unwrap_or_default();
    let status = a.status;

    // The timeline, from the application's own fields.
    let mut steps = vec![StepRow {
        id: "created",
        label: tr.t("onboarding-step-created"),
        done: true,
        time: a.created_at.to_shanghai_display(),
        detail: by(&Some(a.created_by.clone())),
    }];
    steps.push(StepRow {
        id: "submitted",
        label: tr.t("onboarding-step-submitted"),
        done: a.submitted_at.is_some(),
        time: ts(a.submitted_at),
        detail: submissions_label(&tr, a.submissions),
    });
    let reviewed = !matches!(
        status,
        ApplicationStatus::Draft | ApplicationStatus::Submitted | ApplicationStatus::Withdrawn
    ) && a.reviewed_at.is_some();
    steps.push(StepRow {
        id: "reviewed",
        label: if status == ApplicationStatus::Rejected {
            tr.t("onboarding-step-rejected")
        } else {
            tr.t("onboarding-step-approved")
        },
        done: reviewed,
        time: if reviewed {
            ts(a.reviewed_at)
        } else {
            String::new()
        },
        detail: if reviewed {
            by(&a.reviewed_by)
        } else {
            String::new()
        },
    });
    let visit = {
        let mut parts = Vec::new();
        if let Some(sp) = a.service_point_id {
            let name = point_name(sp);
            if !name.is_empty() {
                parts.push(name);
            }
        }
        if let Some(t) = a.technician_id {
            let n = a
                .service_point_id
                .and_then(|sp| points.iter().find(|p| p.id == sp))
                .and_then(|p| p.technicians.iter().position(|x| *x == t))
                .map_or(1, |i| i + 1);
            parts.push(technician_label(&tr, &techs, t, n));
        }
        parts.join(" · ")
    };
    steps.push(StepRow {
        id: "installation",
        label: tr.t("onboarding-step-installation"),
        done: a.appointment_at.is_some(),
        time: ts(a.appointment_at),
        detail: visit,
    });
    steps.push(StepRow {
        id: "acceptance",
        label: tr.t("onboarding-step-acceptance"),
        done: a.acceptance_at.is_some(),
        time: ts(a.acceptance_at),
        detail: [
            by(&a.acceptance_by),
            a.acceptance_notes.clone().unwrap_or_default(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · "),
    });
    steps.push(StepRow {
        id: "training",
        label: tr.t("onboarding-step-training"),
        done: a.training_at.is_some(),
        time: ts(a.training_at),
        detail: [
            by(&a.training_by),
            a.training_notes.clone().unwrap_or_default(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · "),
    });
    steps.push(StepRow {
        id: "fees",
        label: tr.t("onboarding-step-fees"),
        done: a.deposit_fen.is_some(),
        time: String::new(),
        detail: a
            .deposit_fen
            .map(|f| tr.ta("onboarding-deposit-is", &[("amount", labels::yuan(f))]))
            .unwrap_or_default(),
    });
    steps.push(StepRow {
        id: "terminals",
        label: tr.t("onboarding-step-terminals"),
        done: d.terminals_bound > 0,
        time: String::new(),
        detail: tr.ta(
            "onboarding-terminals-bound",
            &[("count", d.terminals_bound.to_string())],
        ),
    });
    if status == ApplicationStatus::Withdrawn {
        steps.push(StepRow {
            id: "withdrawn",
            label: tr.t("onboarding-step-withdrawn"),
            done: true,
            time: a.updated_at.to_shanghai_display(),
            detail: String::new(),
        });
    } else {
        steps.push(StepRow {
            id: "activated",
            label: tr.t("onboarding-step-activated"),
            done: a.activated_at.is_some(),
            time: ts(a.activated_at),
            detail: String::new(),
        });
    }

    // Documents.
    let kind = d.merchant_kind.as_deref().and_then(MerchantKind::from_code);
    let required: Vec<RequiredDoc> = kind
        .map(required_documents)
        .unwrap_or_default()
        .iter()
        .map(|k| RequiredDoc {
            code: k.code(),
            label: document_label(&tr, *k),
            present: !d.missing_documents.contains(k),
        })
        .collect();
    let documents: Vec<DocRow> = d
        .documents
        .iter()
        .map(|doc: &Document| DocRow {
            id: format!("doc-{}", doc.id),
            href: format!("{}/documents/{}", href(id), doc.id),
            kind: document_label(&tr, doc.kind),
            file_name: doc.file_name.clone(),
            content_type: doc.content_type.clone(),
            size: tr.ta(
                "onboarding-size-kib",
                &[(
                    "kib",
                    (doc.size.saturating_add(1023) / 1024).max(1).to_string(),
                )],
            ),
            sha256: doc.sha256.get(..12).unwrap_or_default().to_owned(),
            uploaded: doc.uploaded_at.to_shanghai_display(),
            removed: doc.removed_at.map(Timestamp::to_shanghai_display),
        })
        .collect();

    // The forms' choices and their values (as stored, or as typed into a failed form).
    let can = allowed(role, status);
    let mut errors = FormErrors::default();
    let mut general_error = None;
    match &failed {
        Some(f) if can.shows(f.which) => errors.set(f.which, f.message.clone()),
        Some(f) => general_error = Some(f.message.clone()),
        None => {}
    }
    let kind_typed = typed(
        &failed,
        Which::Upload,
        "kind",
        d.missing_documents
            .first()
            .map(|k| k.code().to_owned())
            .unwrap_or_default(),
    );
    let kind_opts = DocumentKind::ALL
        .iter()
        .map(|k| Opt::new(k.code(), document_label(&tr, *k), &kind_typed))
        .collect();
    let replaces_typed = typed(&failed, Which::Upload, "replaces", String::new());
    let mut replace_opts = vec![Opt::new(
        "",
        tr.t("onboarding-replaces-none"),
        &replaces_typed,
    )];
    replace_opts.extend(
        d.documents
            .iter()
            .filter(|x| x.removed_at.is_none())
            .map(|x| {
                Opt::new(
                    x.id.to_string(),
                    format!("{} · {}", document_label(&tr, x.kind), x.file_name),
                    &replaces_typed,
                )
            }),
    );
    let point_typed = typed(
        &failed,
        Which::Installation,
        "service_point_id",
        a.service_point_id
            .map(|s| s.to_string())
            .unwrap_or_default(),
    );
    let tech_typed = typed(
        &failed,
        Which::Installation,
        "technician_id",
        a.technician_id.map(|t| t.to_string()).unwrap_or_default(),
    );
    let active_points: Vec<_> = points.iter().filter(|p| p.active).collect();
    let mut point_opts = vec![Opt::new("", tr.t("onboarding-choose"), &point_typed)];
    point_opts.extend(
        active_points
            .iter()
            .map(|p| Opt::new(p.id.to_string(), p.name.clone(), &point_typed)),
    );
    let tech_groups = active_points
        .iter()
        .filter(|p| !p.technicians.is_empty())
        .map(|p| TechGroup {
            label: p.name.clone(),
            options: p
                .technicians
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    Opt::new(
                        t.to_string(),
                        technician_label(&tr, &techs, *t, i + 1),
                        &tech_typed,
                    )
                })
                .collect(),
        })
        .collect();
    let now = posdesk_storage::now();
    let appointment = typed(
        &failed,
        Which::Installation,
        "appointment_at",
        a.appointment_at
            .map(Timestamp::to_shanghai_input)
            .unwrap_or_default(),
    );
    let reason = typed(&failed, Which::Review, "reason", String::new());
    let acceptance_notes = typed(
        &failed,
        Which::Acceptance,
        "notes",
        a.acceptance_notes.clone().unwrap_or_default(),
    );
    let training_notes = typed(
        &failed,
        Which::Training,
        "notes",
        a.training_notes.clone().unwrap_or_default(),
    );
    let (deposit, fee_rows) = match &failed {
        Some(f) if f.which == Which::Fees => {
            let rows = fee_inputs(&f.fields);
            (f.fields.get("deposit").to_owned(), fee_rows(rows))
        }
        _ => (
            a.deposit_fen.map(labels::yuan_plain).unwrap_or_default(),
            fee_rows(
                a.fees
                    .iter()
                    .map(|l| (l.item.clone(), labels::yuan_plain(l.fen)))
                    .collect(),
            ),
        ),
    };
    let fees_view = a.deposit_fen.map(|dep| FeesView {
        deposit: labels::yuan(dep),
        lines: a
            .fees
            .iter()
            .map(|l| (l.item.clone(), labels::yuan(l.fen)))
            .collect(),
        total: Fen::checked_sum(
            a.fees
                .iter()
                .filter_map(|l| Fen::new("fen", l.fen).ok())
                .chain(Fen::new("fen", dep).ok()),
        )
        .map(|t| t.to_string())
        .unwrap_or_default(),
    });
    let (merchant_name, mid, merchant_status) = match &merchant {
        Some(m) => (
            m.name.clone(),
            m.mid.clone(),
            super::merchant::status_label(&tr, &m.status),
        ),
        None => (d.merchant_name.clone(), String::new(), String::new()),
    };
    let tpl = DetailPage {
        c: web.chrome(
            Some(user),
            tr.ta(
                "onboarding-page-title",
                &[("merchant", merchant_name.clone())],
            ),
        ),
        href: href(id),
        id: id.to_string(),
        version: a.version,
        status: status_label(&tr, status),
        status_code: status.code(),
        status_class: status_class(status),
        merchant: merchant_name,
        merchant_href: format!("/merchants/{}", a.merchant_id),
        mid,
        merchant_kind: d
            .merchant_kind
            .as_deref()
            .map(|k| super::merchant::kind_label(&tr, k))
            .unwrap_or_else(|| tr.t("onboarding-kind-missing")),
        merchant_status,
        review: d.view.review.as_ref().map(|r| clock_view(&tr, r)),
        rejection_reason: (status == ApplicationStatus::Rejected)
            .then(|| a.rejection_reason.clone())
            .flatten(),
        steps,
        missing: d
            .missing_documents
            .iter()
            .map(|k| document_label(&tr, *k))
            .collect(),
        required,
        documents,
        terminals_bound: d.terminals_bound,
        training_recorded: a.training_at.is_some(),
        fees_view,
        audit_link: role.allows(Permission::AuditRead).then(|| {
            link(
                "/audit",
                &[
                    ("entity_type", "onboarding_application"),
                    ("entity_id", &id.to_string()),
                ],
            )
        }),
        can,
        errors,
        general_error,
        kind_opts,
        replace_opts,
        has_points: !active_points.is_empty(),
        point_opts,
        tech_groups,
        appointment,
        appointment_min: now.to_shanghai_input(),
        reason,
        acceptance_notes,
        training_notes,
        deposit,
        fee_rows,
    };
    let code = failed.map_or(StatusCode::OK, |f| f.status);
    web.render(code, &tpl)
}

/// The fee lines typed into the fees form (`fee_item.N`, `fee_amount.N`), blank ones skipped.
fn fee_inputs(f: &Fields) -> Vec<(String, String)> {
    (1..=MAX_FEE_ROWS)
        .map(|n| {
            (
                f.get(&format!("fee_item.{n}")).trim().to_owned(),
                f.get(&format!("fee_amount.{n}")).trim().to_owned(),
            )
        })
        .filter(|(i, a)| !i.is_empty() || !a.is_empty())
        .collect()
}

/// The most fee lines one form posts.
const MAX_FEE_ROWS: usize = 20;

fn fee_rows(lines: Vec<(String, String)>) -> Vec<FeeRow> {
    let n = (lines.len() + SPARE_FEE_ROWS).clamp(3, MAX_FEE_ROWS);
    lines
        .into_iter()
        .chain(std::iter::repeat((String::new(), String::new())))
        .take(n)
        .enumerate()
        .map(|(i, (item, amount))| FeeRow {
            n: i + 1,
            item,
            amount,
        })
        .collect()
}

pub async fn detail(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    match parse_id(&id) {
        Ok(id) => render_detail(&state, &web, &user, id, None).await,
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// A GET of a form's action (the language switch returns to the page a POST came from): the
/// application's page.
pub async fn back(web: Web, Path(id): Path<String>) -> Response {
    match parse_id(&id) {
        Ok(id) => web.redirect(&href(id)),
        Err(_) => web.error_page(None, StatusCode::NOT_FOUND, web.tr.t("error-not-found")),
    }
}

/// The same for actions on one document.
pub async fn back_from_document(web: Web, Path((id, _doc)): Path<(String, String)>) -> Response {
    back(web, Path(id)).await
}

/// A document's stored bytes, as a download (`nosniff`, sandboxed, never rendered by guessing).
pub async fn document(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path((id, doc)): Path<(String, String)>,
) -> Response {
    let result: ApiResult<_> = async {
        let id = parse_id(&id)?;
        let doc = DocumentId::parse("document", &doc).map_err(|_| ApiError::NotFound)?;
        service::onboarding::document_file(&user.ctx(&state), id, doc).await
    }
    .await;
    match result {
        Ok((doc, blob)) => {
            let mut res = file_response(&doc, blob.content_type, blob.bytes);
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
            res
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

fn act<'a>(state: &'a AppState, web: &'a Web, user: &'a WebUser) -> Act<'a> {
    Act { state, web, user }
}

/// The request a form handler answers.
#[derive(Clone, Copy)]
struct Act<'a> {
    state: &'a AppState,
    web: &'a Web,
    user: &'a WebUser,
}

async fn finish<T>(
    act: Act<'_>,
    id: ApplicationId,
    fields: Fields,
    which: Which,
    flash: Flash,
    result: ApiResult<T>,
) -> Response {
    let Act { state, web, user } = act;
    match result {
        Ok(_) => web.redirect_flash(&href(id), flash),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                which,
                fields,
                message: form_message(&web.tr, &e),
                status: e.status(),
            };
            render_detail(state, web, user, id, Some(failed)).await
        }
        Err(e) => web.fail(Some(user), &e),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    form: CsrfMultipart,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result = async {
        let kind = DocumentKind::parse("kind", form.fields.get("kind"))?;
        let replaces = form
            .fields
            .opt("replaces")
            .map(|r| DocumentId::parse("replaces", r))
            .transpose()?;
        let up = Upload {
            kind,
            file_name: form.file_name("file").to_owned(),
            declared_type: form.file_type("file").to_owned(),
            bytes: form.file("file").map(<[u8]>::to_vec).unwrap_or_default(),
            replaces,
        };
        service::onboarding::attach(&user.ctx(&state), id, up).await
    }
    .await;
    let fields = form.fields;
    finish(
        act(&state, &web, &user),
        id,
        fields,
        Which::Upload,
        Flash::OnboardingDocumentUploaded,
        result,
    )
    .await
}

pub async fn remove_document(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path((id, doc)): Path<(String, String)>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let (Ok(id), Ok(doc)) = (parse_id(&id), DocumentId::parse("document", &doc)) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    let result = service::onboarding::remove_document(&user.ctx(&state), id, doc).await;
    finish(
        act(&state, &web, &user),
        id,
        f,
        Which::Remove,
        Flash::OnboardingDocumentRemoved,
        result,
    )
    .await
}

/// Parses the form into a step, then takes it with the form's version as `If-Match`.
async fn step(
    act: Act<'_>,
    id: &str,
    f: Fields,
    which: Which,
    flash: Flash,
    parse: impl FnOnce(&Fields) -> ApiResult<Step>,
) -> Response {
    let Act { state, web, user } = act;
    let Ok(id) = parse_id(id) else {
        return web.fail(Some(user), &ApiError::NotFound);
    };
    let result = async {
        let step = parse(&f)?;
        let version = version_field(&f)?;
        service::onboarding::advance(&user.ctx(state), id, step, version).await
    }
    .await;
    finish(act, id, f, which, flash, result).await
}

pub async fn submit(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let flash = Flash::OnboardingSubmitted;
    step(
        act(&state, &web, &user),
        &id,
        f,
        Which::Submit,
        flash,
        |_| Ok(Step::Submit),
    )
    .await
}

pub async fn withdraw(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let flash = Flash::OnboardingWithdrawn;
    step(
        act(&state, &web, &user),
        &id,
        f,
        Which::Withdraw,
        flash,
        |_| Ok(Step::Withdraw),
    )
    .await
}

pub async fn approve(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let flash = Flash::OnboardingApproved;
    step(
        act(&state, &web, &user),
        &id,
        f,
        Which::Review,
        flash,
        |_| Ok(Step::Approve),
    )
    .await
}

pub async fn reject(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let flash = Flash::OnboardingRejected;
    step(
        act(&state, &web, &user),
        &id,
        f,
        Which::Review,
        flash,
        |f| {
            Ok(Step::Reject {
                reason: RejectionReason::parse("reason", f.get("reason"))?,
            })
        },
    )
    .await
}

pub async fn installation(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let flash = Flash::OnboardingInstallationBooked;
    step(
        act(&state, &web, &user),
        &id,
        f,
        Which::Installation,
        flash,
        |f| {
            let point = f.get("service_point_id").trim();
            if point.is_empty() {
                return Err(FieldError::new("service_point_id", Rule::Required).into());
            }
            let at = f.get("appointment_at").trim();
            if at.is_empty() {
                return Err(FieldError::new("appointment_at", Rule::Required).into());
            }
            parse_installation(point, f.opt("technician_id"), at)
        },
    )
    .await
}

pub async fn acceptance(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let flash = Flash::OnboardingAcceptanceRecorded;
    step(
        act(&state, &web, &user),
        &id,
        f,
        Which::Acceptance,
        flash,
        |f| {
            let notes = service::onboarding::parse_notes("acceptance_notes", f.get("notes"))?;
            Ok(Step::PassAcceptance { notes })
        },
    )
    .await
}

pub async fn training(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let flash = Flash::OnboardingTrainingRecorded;
    step(
        act(&state, &web, &user),
        &id,
        f,
        Which::Training,
        flash,
        |f| {
            let notes = service::onboarding::parse_notes("training_notes", f.get("notes"))?;
            Ok(Step::RecordTraining { notes })
        },
    )
    .await
}

/// The deposit and the fee lines typed in yuan, converted to fen exactly; a line needs both an
/// item and an amount. Lines are numbered as posted, blank ones skipped.
fn parse_fees_form(f: &Fields) -> ApiResult<Step> {
    let deposit = Fen::parse_non_negative("deposit_fen", f.get("deposit"))?;
    let lines = fee_inputs(f)
        .into_iter()
        .enumerate()
        .map(|(i, (item, amount))| {
            if item.is_empty() {
                return Err(FieldError::new(format!("fees[{i}].item"), Rule::Required).into());
            }
            let fen = Fen::parse_non_negative(&format!("fees[{i}].fen"), &amount)?;
            Ok((item, fen.fen()))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    parse_fees(deposit.fen(), &lines)
}

pub async fn fees(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let flash = Flash::OnboardingFeesRecorded;
    step(
        act(&state, &web, &user),
        &id,
        f,
        Which::Fees,
        flash,
        parse_fees_form,
    )
    .await
}

pub async fn activate(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let flash = Flash::OnboardingActivated;
    step(
        act(&state, &web, &user),
        &id,
        f,
        Which::Activate,
        flash,
        |_| Ok(Step::Activate),
    )
    .await
}

/// How many reviews are past their deadline, for the dashboard of those who review (`None`
/// for the others, or when the queue cannot be read).
pub async fn overdue_reviews(ctx: &service::Ctx<'_>, role: Role) -> Option<usize> {
    if !role.allows(Permission::OnboardingReview) {
        return None;
    }
    service::onboarding::review_queue(ctx, true)
        .await
        .ok()
        .map(|q| q.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn fee_lines_are_parsed_in_yuan_and_named_by_line() {
        let f = Fields::parse(
            b"deposit=99&fee_item.1=%E5%AE%89%E8%A3%85%E8%B4%B9&fee_amount.1=50.5&fee_item.2=&fee_amount.2=&fee_item.3=x&fee_amount.3=1.234",
        );
        match parse_fees_form(&f) {
            Err(ApiError::Invalid(e)) => assert_eq!(e.field, "fees[1].fen"),
            other => panic!("{other:?}"),
        }
        let f = Fields::parse(b"deposit=99&fee_item.1=a&fee_amount.1=50.5");
        match parse_fees_form(&f) {
            Ok(Step::RecordFees { deposit_fen, fees }) => {
                assert_eq!(deposit_fen, 9900);
                assert_eq!(fees.len(), 1);
                assert_eq!(fees[0].fen, 5050);
            }
            other => panic!("{other:?}"),
        }
        for (body, field) in [
            (&b"deposit="[..], "deposit_fen"),
            (&b"deposit=-1"[..], "deposit_fen"),
            (&b"deposit=1&fee_amount.2=3"[..], "fees[0].item"),
        ] {
            match parse_fees_form(&Fields::parse(body)) {
                Err(ApiError::Invalid(e)) => assert_eq!(e.field, field),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn fields_and_errors_are_named() {
        let tr = Tr::new(Locale::ZhCn);
        assert_eq!(
            field_label(&tr, "fees[0].item"),
            tr.ta("onboarding-fee-item-n", &[("n", "1".into())])
        );
        assert_eq!(
            field_label(&tr, "fees[2].fen"),
            tr.ta("onboarding-fee-amount-n", &[("n", "3".into())])
        );
        let e = ApiError::Invalid(FieldError::new("documents.id_card", Rule::Required));
        assert!(form_message(&tr, &e).contains(&tr.t("onboarding-doc-id-card")));
        assert_eq!(working_time(&tr, -125), working_time(&tr, 125));
    }

    #[test]
    fn forms_follow_the_status_table_and_the_role() {
        let a = allowed(Role::Agent, ApplicationStatus::Draft);
        assert!(a.upload && a.submit && a.withdraw && !a.review && !a.installation);
        let s = allowed(Role::Supervisor, ApplicationStatus::Submitted);
        assert!(s.review && s.withdraw && !s.upload && !s.submit);
        let t = allowed(Role::Technician, ApplicationStatus::Submitted);
        assert!(!t.review && !t.withdraw);
        let t = allowed(Role::Technician, ApplicationStatus::Installed);
        assert!(t.training && t.activate && t.fees && !t.acceptance);
        let m = allowed(Role::MerchantUser, ApplicationStatus::Rejected);
        assert!(m.upload && m.submit && !m.review);
        let r = allowed(Role::RiskOfficer, ApplicationStatus::Active);
        assert!(!r.review && !r.withdraw && !r.fees);
    }
}
