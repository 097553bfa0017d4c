//! Merchant onboarding (入网申请) in the web UI.
//!
//! In-process: every onboarding page per role (403 without the permission, 404 for another
//! provider's application or another merchant's), the forms with their errors shown in place
//! (missing documents named, wrong uploads, a rejection without a reason, an appointment in the
//! past, a technician of another point, a stale version, fees in yuan, activation without a
//! terminal), the supervisor's overdue list and the dashboard count, CSRF on every POST.
//!
//! In a real headless Chromium: an agent opens an application for a pending company, uploads
//! its four documents from files and submits; a supervisor finds it in the review queue and
//! approves; the agent books the installation at a service point and records the fees; a
//! technician records acceptance and training; a terminal is bound (through the storage layer);
//! the technician activates, and the merchant's page shows it active.

use super::*;
use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::authz::Principal;
use posdesk_core::calendar::WeeklyHours;
use posdesk_core::ids::{ApplicationId, ServicePointId};
use posdesk_core::registry::DivisionCode;
use posdesk_core::registry::service_point::Skill;
use posdesk_storage::repo::onboarding::Application;

/// A one-page PDF with a correct cross-reference table.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n";

/// A 1×1 RGB PNG (signature, IHDR, IDAT, IEND with their CRCs).
const PNG_1X1: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90\x77\x53\xde\x00\x00\x00\x0cIDAT\x78\x9c\x63\x38\x93\x66\x0c\x00\x03\x67\x01\x66\xc8\x82\x22\xfe\x00\x00\x00\x00IEND\xae\x42\x60\x82";

/// A 1×1 greyscale JPEG, the well-known 134-byte arithmetic-coded file (SOI, DQT, SOF9, DAC,
/// SOS, EOI).
const JPEG_1X1: &[u8] = b"\xff\xd8\xff\xdb\x00\x43\x00\x03\x02\x02\x02\x02\x02\x03\x02\x02\x02\x03\x03\x03\x03\x04\x06\x04\x04\x04\x04\x04\x08\x06\x06\x05\x06\x09\x08\x0a\x0a\x09\x08\x09\x09\x0a\x0c\x0f\x0c\x0a\x0b\x0e\x0b\x09\x09\x0d\x11\x0d\x0e\x0f\x10\x10\x11\x10\x0a\x0c\x12\x13\x12\x10\x13\x0f\x10\x10\x10\xff\xc9\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00\xff\xcc\x00\x06\x00\x10\x10\x05\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\xd2\xcf\x20\xff\xd9";

/// The four documents a company needs: (kind, file name, declared type, bytes).
const COMPANY_DOCS: [(&str, &str, &str, &[u8]); 4] = [
    ("business_licence", "营业执照.pdf", "application/pdf", PDF),
    ("id_card", "法人身份证.jpg", "image/jpeg", JPEG_1X1),
    ("bank_account_proof", "开户许可证.png", "image/png", PNG_1X1),
    ("premises_photo", "门头照.jpg", "image/jpeg", JPEG_1X1),
];

/// The acting identity of the seed's account of `role`.
fn principal_of(seed: &Seed, role: Role) -> Principal {
    Principal::new(
        seed.id(role),
        role,
        Some(seed.tenant),
        (role == Role::MerchantUser).then_some(seed.merchant),
        None,
    )
    .unwrap()
}

/// A company merchant of `tenant`, pending onboarding.
async fn company(state: &AppState, tenant: TenantId, name: &str, mid: &str) -> MerchantId {
    let principal = operator_principal();
    let ctx = Ctx::operator(state, &principal, "test");
    ctx.write(
        ctx.meta(),
        merchants::CreateMerchant {
            id: MerchantId::from_uuid(Uuid::now_v7()),
            tenant,
            name: name.into(),
            mid: mid.into(),
            contact_name: Some("陈经理".into()),
            contact_phone: Some("13900000000".into()),
            address: Some("杭州市上城区延安路 1 号".into()),
            registry: Some(merchants::MerchantRegistry {
                kind: "company".into(),
                id_kind: "uscc".into(),
                id_number: "91110000600037341L".into(),
                risk_level: "low".into(),
                division_code: Some("330102".into()),
            }),
        },
    )
    .await
    .map_err(fail)
    .unwrap()
    .id
}

/// An open service point of the seed's provider with the seed's technician assigned.
async fn service_point(state: &AppState, seed: &Seed, name: &str) -> ServicePointId {
    let admin = principal_of(seed, Role::ProviderAdmin);
    let ctx = Ctx::new(state, &admin, "test");
    service::service_points::create(
        &ctx,
        service::service_points::ServicePointInput {
            name: name.into(),
            division: DivisionCode::parse("division_code", "330102").unwrap(),
            address: "延安路 1 号".into(),
            weekly: WeeklyHours::standard(),
            skills: vec![Skill::Install],
            technicians: vec![seed.id(Role::Technician)],
            active: true,
        },
    )
    .await
    .map_err(fail)
    .unwrap()
    .id
}

/// A terminal bound to `merchant` (the web binding form is the terminal page's business).
async fn bind_terminal(state: &AppState, tenant: TenantId, merchant: MerchantId, sn: &str) {
    let principal = operator_principal();
    let ctx = Ctx::operator(state, &principal, "test");
    ctx.write(
        ctx.meta(),
        terminals::CreateTerminal {
            id: TerminalId::from_uuid(Uuid::now_v7()),
            tenant,
            merchant: Some(merchant),
            sn: sn.into(),
            tid: None,
            model: "A920".into(),
            manufacturer: "百富".into(),
            firmware: None,
            status: "installed".into(),
        },
    )
    .await
    .map_err(fail)
    .unwrap();
}

/// Opens an application for `merchant` as `principal`, with every company document attached;
/// submitted when `submit`.
async fn prepared(
    state: &AppState,
    principal: &Principal,
    merchant: MerchantId,
    submit: bool,
) -> ApplicationId {
    let ctx = Ctx::new(state, principal, "test");
    let app = service::onboarding::open(&ctx, merchant)
        .await
        .map_err(fail)
        .unwrap();
    for (kind, name, ct, bytes) in COMPANY_DOCS {
        service::onboarding::attach(
            &ctx,
            app.id,
            service::onboarding::Upload {
                kind: posdesk_core::registry::onboarding::DocumentKind::parse("kind", kind)
                    .unwrap(),
                file_name: name.into(),
                declared_type: ct.into(),
                bytes: bytes.to_vec(),
                replaces: None,
            },
        )
        .await
        .map_err(fail)
        .unwrap();
    }
    if submit {
        service::onboarding::advance(
            &ctx,
            app.id,
            posdesk_storage::repo::onboarding::Step::Submit,
            None,
        )
        .await
        .map_err(fail)
        .unwrap();
    }
    app.id
}

/// The application as the seed's agent sees it.
async fn detail_of(app: &App, id: ApplicationId) -> service::onboarding::ApplicationDetail {
    let agent = principal_of(&app.seed, Role::Agent);
    let ctx = Ctx::new(&app.state, &agent, "test");
    service::onboarding::get(&ctx, id)
        .await
        .map_err(fail)
        .unwrap()
}

async fn application(state: &AppState, id: ApplicationId) -> Application {
    state
        .store
        .read(move |c| {
            Box::pin(async move {
                posdesk_storage::repo::onboarding::get(c, &Scope::Platform, id).await
            })
        })
        .await
        .unwrap()
}

async fn merchant_status(state: &AppState, id: MerchantId) -> String {
    state
        .store
        .read(move |c| Box::pin(async move { merchants::get(c, &Scope::Platform, id).await }))
        .await
        .unwrap()
        .status
}

/// Sets an application's submission instant (a test-only write, through the store).
struct Backdate {
    id: ApplicationId,
    at: Timestamp,
}

impl posdesk_storage::Mutation for Backdate {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn posdesk_storage::Conn,
        _: &'a posdesk_storage::Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<posdesk_storage::Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "UPDATE onboarding_applications SET submitted_at = $1 WHERE id = $2",
                &[self.at.into(), self.id.into()],
            )
            .await?;
            Ok(posdesk_storage::Applied::unaudited(()))
        })
    }
}

async fn backdate(state: &AppState, id: ApplicationId, days: i64) {
    state
        .store
        .write(
            posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "t"),
            Backdate {
                id,
                at: Timestamp::from_millis(posdesk_storage::now().millis() - days * 86_400_000),
            },
        )
        .await
        .unwrap();
}

/// A `multipart/form-data` POST with text fields and one file part with its own declared type,
/// as a browser sends the upload form (the CSRF token is not added).
async fn post_upload(
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> Page {
    let boundary = "----posdesk-onboarding-boundary-93Jx";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let (file_name, ct, bytes) = file.unwrap_or(("", "application/octet-stream", b""));
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {ct}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    c.send_body(Method::POST, path, Some((body, ct)), &[]).await
}

/// Uploads a document through the page's form, expecting the redirect back to the page.
async fn upload_ok(c: &mut Client, app: ApplicationId, kind: &str, name: &str, ct: &str, b: &[u8]) {
    let csrf = c.csrf();
    post_upload(
        c,
        &format!("/onboarding/{app}/documents"),
        &[("_csrf", &csrf), ("kind", kind)],
        Some((name, ct, b)),
    )
    .await
    .redirects_to(&format!("/onboarding/{app}"));
}

fn app_id_of(location: Option<&str>) -> ApplicationId {
    let loc = location.expect("a redirect");
    let id = loc.trim_start_matches("/onboarding/");
    ApplicationId::parse("id", id).unwrap_or_else(|_| panic!("redirected to {loc}"))
}

/// The body of the element with id `id` up to its closing tag `</tag>`.
fn section<'a>(body: &'a str, id: &str, tag: &str) -> &'a str {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in:\n{body}"));
    let end = body[at..]
        .find(&format!("</{tag}>"))
        .map_or(body.len(), |e| at + e);
    &body[at..end]
}

// ---------------------------------------------------------------------------------------------
// In-process tests.

/// Every onboarding page per role; other providers' and other merchants' applications are 404.
async fn onboarding_pages_answer_per_role(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let merchant = company(&app.state, seed.tenant, "湖滨咖啡", "102330154119301").await;
    let agent = principal_of(seed, Role::Agent);
    let id = prepared(&app.state, &agent, merchant, true).await;
    let doc = {
        let ctx = Ctx::new(&app.state, &agent, "test");
        service::onboarding::get(&ctx, id)
            .await
            .map_err(fail)
            .unwrap()
            .documents[0]
            .id
    };

    // Another provider's application, with a document.
    let operator = operator_principal();
    let octx = Ctx::operator(&app.state, &operator, "test");
    let other = service::providers::create(
        &octx,
        service::providers::NewProvider {
            name: DisplayName::parse("name", "另一家服务商").unwrap(),
            short_name: Label::parse("short_name", "另一家").unwrap(),
            uscc: None,
            hotline: None,
        },
    )
    .await
    .map_err(fail)
    .unwrap();
    let other_merchant = company(&app.state, other.id, "别家商户", "102330154119399").await;
    let other_admin = Principal::new(
        UserId::from_uuid(Uuid::now_v7()),
        Role::ProviderAdmin,
        Some(other.id),
        None,
        None,
    )
    .unwrap();
    let foreign = prepared(&app.state, &other_admin, other_merchant, false).await;
    let foreign_doc = {
        let ctx = Ctx::new(&app.state, &other_admin, "test");
        service::onboarding::get(&ctx, foreign)
            .await
            .map_err(fail)
            .unwrap()
            .documents[0]
            .id
    };

    for role in WEB_ROLES {
        let mut c = app.client();
        c.sign_in(seed.login(role)).await;
        let read = role.allows(Permission::OnboardingRead);
        let review = role.allows(Permission::OnboardingReview);
        let status = |allowed: bool| {
            if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            }
        };
        let home = c.get("/").await;
        home.expect(StatusCode::OK);
        assert_eq!(home.has("id=\"nav-onboarding\""), read, "{role:?} nav");
        assert_eq!(home.has("id=\"overdue-reviews\""), review, "{role:?} count");
        let list = c.get("/onboarding").await;
        list.expect(status(read));
        c.get("/onboarding?status=submitted")
            .await
            .expect(status(read));
        c.get("/onboarding/review").await.expect(status(review));
        c.get("/onboarding/review?overdue=1")
            .await
            .expect(status(review));
        // The merchant user belongs to another merchant of the provider.
        let own = read && role != Role::MerchantUser;
        let expect_one = if own {
            StatusCode::OK
        } else if read {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::FORBIDDEN
        };
        let page = c.get(&format!("/onboarding/{id}")).await;
        page.expect(expect_one);
        if own {
            assert!(list.has(&format!("id=\"app-{id}\"")), "{role:?} lists it");
            assert!(page.has("湖滨咖啡") && page.has("id=\"review-due\""));
            assert_eq!(
                page.has("id=\"approve-form\""),
                review,
                "{role:?} review form"
            );
            assert_eq!(
                page.has("id=\"withdraw-form\""),
                role.allows(Permission::OnboardingSubmit),
                "{role:?} withdraw form"
            );
            // Documents are frozen under review: nobody gets the upload form.
            assert!(!page.has("id=\"upload-form\""), "{role:?}");
        }
        if role == Role::MerchantUser {
            assert!(!list.has(&format!("id=\"app-{id}\"")), "not their merchant");
        }
        let file = c.get(&format!("/onboarding/{id}/documents/{doc}")).await;
        file.expect(expect_one);
        if own {
            assert!(file.body.starts_with("%PDF-1.4"));
        }
        // Another provider's application and its document do not exist for anyone here.
        if read {
            c.get(&format!("/onboarding/{foreign}"))
                .await
                .expect(StatusCode::NOT_FOUND);
            c.get(&format!("/onboarding/{foreign}/documents/{foreign_doc}"))
                .await
                .expect(StatusCode::NOT_FOUND);
            c.get(&format!("/onboarding/{id}/documents/{foreign_doc}"))
                .await
                .expect(StatusCode::NOT_FOUND);
            c.get("/onboarding/not-an-id")
                .await
                .expect(StatusCode::NOT_FOUND);
        }
        // Steps on the other provider's application: 404 for whoever may take them, 403 else.
        let token = c.csrf();
        let p = c
            .post_raw(
                &format!("/onboarding/{foreign}/withdraw"),
                &[("_csrf", &token)],
                &[],
            )
            .await;
        p.expect(if role.allows(Permission::OnboardingSubmit) {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::FORBIDDEN
        });
    }
    // Nothing happened to it.
    assert_eq!(
        application(&app.state, foreign).await.status,
        posdesk_core::registry::onboarding::ApplicationStatus::Draft
    );

    // The download is the stored bytes, never sniffed or rendered.
    let mut risk = app.client();
    risk.sign_in(seed.login(Role::RiskOfficer)).await;
    let res = risk
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri(format!("/onboarding/{id}/documents/{doc}"))
                .header(
                    header::COOKIE,
                    risk.jar
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-disposition"], "attachment");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(&bytes[..], PDF);
}

/// The whole workflow through the forms, with the errors each form shows in place.
async fn onboarding_forms_work_and_show_errors_in_place(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let tr = zh();
    let merchant = company(&app.state, seed.tenant, "湖滨咖啡", "102330154119311").await;
    let point = service_point(&app.state, seed, "湖滨网点").await;

    // ---- The agent opens an application for the pending company.
    let mut agent = app.client();
    agent.sign_in(seed.login(Role::Agent)).await;
    let list = agent.get("/onboarding").await;
    list.expect(StatusCode::OK);
    let open = section(&list.body, "open-form", "form");
    assert!(
        open.contains(&merchant.to_string()) && open.contains("湖滨咖啡 (102330154119311)"),
        "{open}"
    );
    assert!(
        !list.has("id=\"review-queue-link\""),
        "agents do not review"
    );
    agent
        .post("/onboarding", &[("merchant_id", "not-an-id")])
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let p = agent
        .post("/onboarding", &[("merchant_id", &merchant.to_string())])
        .await;
    p.redirects_to("/onboarding/");
    let id = app_id_of(p.location.as_deref());
    let href = format!("/onboarding/{id}");
    let page = agent.get(&href).await;
    page.expect(StatusCode::OK);
    assert!(page.has(&tr.t("flash-onboarding-opened")));
    assert!(page.has("data-status=\"draft\""));
    // A second one for the same merchant: refused in place.
    let p = agent
        .post("/onboarding", &[("merchant_id", &merchant.to_string())])
        .await;
    p.expect(StatusCode::CONFLICT);
    assert!(
        section(&p.body, "open-error", "div").contains(&tr.t("onboarding-error-open-exists")),
        "{}",
        p.body
    );
    // An active merchant cannot be onboarded; it is not offered either.
    let active = company(&app.state, seed.tenant, "已开通商户", "102330154119312").await;
    {
        let admin = principal_of(seed, Role::ProviderAdmin);
        let ctx = Ctx::new(&app.state, &admin, "test");
        service::directory::transition_merchant(
            &ctx,
            active,
            posdesk_core::registry::MerchantEvent::Activate,
            None,
        )
        .await
        .map_err(fail)
        .unwrap();
    }
    let list = agent.get("/onboarding").await;
    assert!(!section(&list.body, "open-form", "form").contains(&active.to_string()));
    let p = agent
        .post("/onboarding", &[("merchant_id", &active.to_string())])
        .await;
    p.expect(StatusCode::CONFLICT);
    assert!(p.has(&tr.t("onboarding-error-not-pending")), "{}", p.body);

    // ---- Documents: every required one is listed as missing; submitting names the first.
    let page = agent.get(&href).await;
    for code in [
        "business_licence",
        "id_card",
        "bank_account_proof",
        "premises_photo",
    ] {
        assert!(
            page.has(&format!("id=\"required-{code}\" class=\"missing\"")),
            "{code}"
        );
    }
    let version = application(&app.state, id).await.version.to_string();
    assert!(page.has(&format!("name=\"version\" value=\"{version}\"")));
    let p = agent
        .post(&format!("{href}/submit"), &[("version", &version)])
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let msg = section(&p.body, "submit-error", "div");
    assert!(
        msg.contains(&tr.ta(
            "onboarding-error-missing-document",
            &[("document", tr.t("onboarding-doc-business-licence"))]
        )),
        "{msg}"
    );

    // Wrong uploads, each refused in place naming the file and the rule.
    let csrf = agent.csrf();
    let upload_path = format!("{href}/documents");
    for (kind, file, rule) in [
        (
            "premises_photo",
            Some(("门头.pdf", "application/pdf", PDF)),
            tr.t("onboarding-rule-image-only"),
        ),
        (
            "business_licence",
            Some(("执照.png", "image/png", PDF)),
            tr.t("onboarding-rule-content-mismatch"),
        ),
        (
            "business_licence",
            Some(("执照.html", "text/html", b"<html>" as &[u8])),
            tr.t("onboarding-rule-file-types"),
        ),
        ("id_card", None, tr.t("rule-required")),
    ] {
        let p = post_upload(
            &mut agent,
            &upload_path,
            &[("_csrf", &csrf), ("kind", kind)],
            file,
        )
        .await;
        p.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let msg = section(&p.body, "upload-error", "div");
        assert!(
            msg.contains(&tr.t("onboarding-file")) && msg.contains(&rule),
            "{kind}: {msg}"
        );
        // The form keeps the kind chosen.
        assert!(
            section(&p.body, "doc-kind", "select").contains(&format!("value=\"{kind}\" selected")),
            "{kind}"
        );
    }
    let p = post_upload(
        &mut agent,
        &upload_path,
        &[("_csrf", &csrf), ("kind", "passport")],
        Some(("x.pdf", "application/pdf", PDF)),
    )
    .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(section(&p.body, "upload-error", "div").contains(&tr.t("onboarding-doc-kind")));

    // Too large: a file over 10 MiB is refused in place; a body over the route's limit is 413.
    let max = posdesk_core::registry::onboarding::MAX_DOCUMENT_BYTES;
    let mut big = JPEG_1X1.to_vec();
    big.resize(max + 1, 0);
    let p = post_upload(
        &mut agent,
        &upload_path,
        &[("_csrf", &csrf), ("kind", "premises_photo")],
        Some(("大图.jpg", "image/jpeg", &big)),
    )
    .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(section(&p.body, "upload-error", "div").contains(&tr.t("onboarding-file")));
    big.resize(max + 256 * 1024, 0);
    post_upload(
        &mut agent,
        &upload_path,
        &[("_csrf", &csrf), ("kind", "premises_photo")],
        Some(("更大.jpg", "image/jpeg", &big)),
    )
    .await
    .expect(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(detail_of(&app, id).await.documents.is_empty());

    // The four documents, then an extra one removed again.
    for (kind, name, ct, bytes) in COMPANY_DOCS {
        upload_ok(&mut agent, id, kind, name, ct, bytes).await;
    }
    upload_ok(
        &mut agent,
        id,
        "other",
        "补充说明.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    let page = agent.get(&href).await;
    assert!(page.has(&tr.t("flash-onboarding-document-uploaded")));
    assert!(!page.has("class=\"missing\""), "nothing missing");
    let detail = detail_of(&app, id).await;
    assert_eq!(detail.documents.len(), 5);
    assert_eq!(detail.documents[0].file_name, "营业执照.pdf");
    let extra = detail.documents[4].id;
    let p = agent
        .post(&format!("{href}/documents/{extra}/remove"), &[])
        .await;
    p.redirects_to(&href);
    let page = agent.get(&href).await;
    let row = section(&page.body, &format!("doc-{extra}"), "tr");
    assert!(row.contains("removed") && row.contains("<del>"), "{row}");
    // Removing it twice: it is no longer a current document.
    agent
        .post(&format!("{href}/documents/{extra}/remove"), &[])
        .await
        .expect(StatusCode::NOT_FOUND);
    // The download serves what was uploaded.
    let file = agent
        .get(&format!("{href}/documents/{}", detail.documents[0].id))
        .await;
    file.expect(StatusCode::OK);
    assert_eq!(file.body.as_bytes(), PDF);

    // ---- Submit: a stale version is refused in place; the current one starts the clock.
    let app_now = application(&app.state, id).await;
    let stale = (app_now.version - 1).to_string();
    let p = agent
        .post(&format!("{href}/submit"), &[("version", &stale)])
        .await;
    p.expect(StatusCode::PRECONDITION_FAILED);
    assert!(section(&p.body, "submit-error", "div").contains(&tr.t("error-stale")));
    let page = agent.get(&href).await;
    let version = app_now.version.to_string();
    assert!(page.has(&format!("name=\"version\" value=\"{version}\"")));
    agent
        .post(&format!("{href}/submit"), &[("version", &version)])
        .await
        .redirects_to(&href);
    let page = agent.get(&href).await;
    assert!(page.has("data-status=\"submitted\"") && page.has("id=\"review-due\""));
    assert!(!page.has("id=\"upload-form\""), "frozen under review");
    let clock = section(&page.body, "review-clock", "dd");
    assert!(
        clock.contains("剩余") && !clock.contains("overdue-badge"),
        "{clock}"
    );
    // A document posted anyway while under review is refused.
    let csrf = agent.csrf();
    let p = post_upload(
        &mut agent,
        &upload_path,
        &[("_csrf", &csrf), ("kind", "other")],
        Some(("x.pdf", "application/pdf", PDF)),
    )
    .await;
    p.expect(StatusCode::CONFLICT);

    // ---- Review: a technician may not; rejection needs a reason; the applicant sees it.
    let mut tech = app.client();
    tech.sign_in(seed.login(Role::Technician)).await;
    tech.get(&href).await.expect(StatusCode::OK);
    tech.post(&format!("{href}/approve"), &[])
        .await
        .expect(StatusCode::FORBIDDEN);
    let mut sup = app.client();
    sup.sign_in(seed.login(Role::Supervisor)).await;
    let queue = sup.get("/onboarding/review").await;
    queue.expect(StatusCode::OK);
    assert!(
        section(&queue.body, "review-queue", "section").contains(&format!("id=\"app-{id}\"")),
        "{}",
        queue.body
    );
    assert!(!queue.has("id=\"overdue-reviews\""));
    let p = sup
        .post(&format!("{href}/reject"), &[("reason", "   ")])
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let msg = section(&p.body, "review-error", "div");
    assert!(
        msg.contains(&tr.t("onboarding-reject-reason")) && msg.contains(&tr.t("rule-required")),
        "{msg}"
    );
    sup.post(
        &format!("{href}/reject"),
        &[("reason", "银行账户证明模糊，请重新拍摄")],
    )
    .await
    .redirects_to(&href);
    let page = agent.get(&href).await;
    assert!(page.has("data-status=\"rejected\""));
    assert_eq!(
        section(&page.body, "rejection-reason", "span")
            .trim_start_matches("id=\"rejection-reason\">"),
        "银行账户证明模糊，请重新拍摄"
    );
    assert!(page.has("id=\"upload-form\""), "fixable again");
    // Fix: replace the bank proof; the old one stays, struck through.
    let bank = detail.documents[2].id;
    let csrf = agent.csrf();
    post_upload(
        &mut agent,
        &upload_path,
        &[
            ("_csrf", &csrf),
            ("kind", "bank_account_proof"),
            ("replaces", &bank.to_string()),
        ],
        Some(("开户许可证-清晰.jpg", "image/jpeg", JPEG_1X1)),
    )
    .await
    .redirects_to(&href);
    let page = agent.get(&href).await;
    assert!(section(&page.body, &format!("doc-{bank}"), "tr").contains("<del>"));
    assert!(page.has("开户许可证-清晰.jpg"));
    agent
        .post(&format!("{href}/submit"), &[])
        .await
        .redirects_to(&href);
    let page = agent.get(&href).await;
    assert!(page.has(&tr.ta("onboarding-submissions", &[("count", "2".into())])));
    sup.post(&format!("{href}/approve"), &[])
        .await
        .redirects_to(&href);
    assert_eq!(
        application(&app.state, id).await.status,
        posdesk_core::registry::onboarding::ApplicationStatus::Approved
    );

    // ---- Installation: the form's errors, then a booking and a move.
    let page = agent.get(&href).await;
    let form = section(&page.body, "installation-form", "form");
    assert!(
        form.contains(&point.to_string()) && form.contains(&seed.id(Role::Technician).to_string()),
        "{form}"
    );
    let sp = point.to_string();
    let tech_id = seed.id(Role::Technician).to_string();
    let agent_id = seed.id(Role::Agent).to_string();
    for (fields, label, rule) in [
        (
            vec![
                ("service_point_id", sp.as_str()),
                ("appointment_at", "2020-01-06T10:00"),
            ],
            tr.t("onboarding-appointment"),
            tr.t("onboarding-rule-in-past"),
        ),
        (
            vec![("service_point_id", sp.as_str()), ("appointment_at", "")],
            tr.t("onboarding-appointment"),
            tr.t("rule-required"),
        ),
        (
            vec![
                ("service_point_id", ""),
                ("appointment_at", "2031-06-03T10:00"),
            ],
            tr.t("onboarding-service-point"),
            tr.t("rule-required"),
        ),
        (
            vec![
                ("service_point_id", sp.as_str()),
                ("technician_id", agent_id.as_str()),
                ("appointment_at", "2031-06-03T10:00"),
            ],
            tr.t("onboarding-technician"),
            tr.t("onboarding-rule-not-assigned"),
        ),
    ] {
        let p = agent.post(&format!("{href}/installation"), &fields).await;
        p.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let msg = section(&p.body, "installation-error", "div");
        assert!(msg.contains(&label) && msg.contains(&rule), "{msg}");
        // As typed.
        let at = fields
            .iter()
            .find(|(k, _)| *k == "appointment_at")
            .map(|(_, v)| *v)
            .unwrap_or_default();
        assert!(p.has(&format!("value=\"{at}\"")), "{at}");
    }
    agent
        .post(
            &format!("{href}/installation"),
            &[
                ("service_point_id", &sp),
                ("technician_id", &tech_id),
                ("appointment_at", "2031-06-03T10:00"),
            ],
        )
        .await
        .redirects_to(&href);
    let a = application(&app.state, id).await;
    assert_eq!(
        a.appointment_at,
        Timestamp::parse_rfc3339("2031-06-03T02:00:00Z")
    );
    let page = agent.get(&href).await;
    let step = section(&page.body, "step-installation", "tr");
    assert!(
        step.contains("2031-06-03 10:00") && step.contains("湖滨网点"),
        "{step}"
    );
    assert!(
        page.has("value=\"2031-06-03T10:00\""),
        "the move form shows it"
    );
    agent
        .post(
            &format!("{href}/installation"),
            &[
                ("service_point_id", &sp),
                ("appointment_at", "2031-06-04T14:30"),
            ],
        )
        .await
        .redirects_to(&href);
    assert!(
        agent
            .get(&href)
            .await
            .has(&tr.t("flash-onboarding-installation-booked"))
    );

    // ---- Fees in yuan: a wrong amount is named; the recorded ones show in ¥.
    for (fields, label) in [
        (vec![("deposit", "abc")], tr.t("onboarding-deposit")),
        (vec![("deposit", "-1")], tr.t("onboarding-deposit")),
        (
            vec![
                ("deposit", "99"),
                ("fee_item.1", "安装费"),
                ("fee_amount.1", "1.234"),
            ],
            tr.ta("onboarding-fee-amount-n", &[("n", "1".into())]),
        ),
        (
            vec![("deposit", "99"), ("fee_amount.1", "50")],
            tr.ta("onboarding-fee-item-n", &[("n", "1".into())]),
        ),
    ] {
        let p = agent.post(&format!("{href}/fees"), &fields).await;
        p.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let msg = section(&p.body, "fees-error", "div");
        assert!(msg.contains(&label), "{label}: {msg}");
    }
    agent
        .post(
            &format!("{href}/fees"),
            &[
                ("deposit", "99.00"),
                ("fee_item.1", "安装费"),
                ("fee_amount.1", "50"),
                ("fee_item.2", ""),
                ("fee_amount.2", ""),
            ],
        )
        .await
        .redirects_to(&href);
    let a = application(&app.state, id).await;
    assert_eq!(a.deposit_fen, Some(9900));
    assert_eq!(a.fees.len(), 1);
    assert_eq!(a.fees[0].fen, 5000);
    let page = agent.get(&href).await;
    let fees = section(&page.body, "fees-recorded", "section");
    assert!(
        fees.contains("¥99.00") && fees.contains("¥50.00") && fees.contains("¥149.00"),
        "{fees}"
    );
    assert!(page.has("id=\"fees-deposit\" name=\"deposit\" value=\"99.00\""));

    // ---- The technician: acceptance (notes required), training, activation checks.
    let p = tech
        .post(&format!("{href}/acceptance"), &[("notes", "")])
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        section(&p.body, "acceptance-error", "div").contains(&tr.t("onboarding-acceptance-notes"))
    );
    tech.post(
        &format!("{href}/acceptance"),
        &[("notes", "装机完成，试刷 0.01 元成功")],
    )
    .await
    .redirects_to(&href);
    let p = tech.post(&format!("{href}/activate"), &[]).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        section(&p.body, "activate-error", "div").contains(&tr.t("onboarding-error-no-training"))
    );
    tech.post(
        &format!("{href}/training"),
        &[("notes", "收银员 2 人：刷卡、扫码、退款")],
    )
    .await
    .redirects_to(&href);
    let p = tech.post(&format!("{href}/activate"), &[]).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        section(&p.body, "activate-error", "div").contains(&tr.t("onboarding-error-no-terminal"))
    );
    bind_terminal(&app.state, seed.tenant, merchant, "SN-WEB-ONBOARD-1").await;
    let page = tech.get(&href).await;
    assert!(section(&page.body, "check-terminals", "li").contains("badge-ok"));
    tech.post(&format!("{href}/activate"), &[])
        .await
        .redirects_to(&href);
    let page = tech.get(&href).await;
    assert!(page.has("data-status=\"active\"") && page.has(&tr.t("flash-onboarding-activated")));
    assert!(section(&page.body, "step-activated", "tr").contains("class=\"done\""));
    assert_eq!(merchant_status(&app.state, merchant).await, "active");
    // Final: no form is left, and a step posted anyway is a conflict shown on the page.
    assert!(!page.has("<form method=\"post\" action=\"/onboarding/"));
    let p = agent.post(&format!("{href}/withdraw"), &[]).await;
    p.expect(StatusCode::CONFLICT);
    assert!(
        section(&p.body, "form-error", "div").contains(&tr.t("error-illegal-transition")),
        "{}",
        p.body
    );
    // In English too.
    let en = Tr::new(Locale::En);
    let token = agent.csrf();
    agent
        .post_raw(
            "/lang",
            &[("_csrf", &token), ("lang", "en"), ("next", &href)],
            &[],
        )
        .await;
    let page = agent.get(&href).await;
    assert!(page.has(&en.t("onboarding-status-active")) && page.has(&en.t("onboarding-timeline")));
}

/// The supervisor's overdue list, the toggle, and the count on the dashboard.
async fn overdue_reviews_are_highlighted(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let tr = zh();
    let agent = principal_of(seed, Role::Agent);
    let late_m = company(&app.state, seed.tenant, "迟到商户", "102330154119321").await;
    let fresh_m = company(&app.state, seed.tenant, "准时商户", "102330154119322").await;
    let late = prepared(&app.state, &agent, late_m, true).await;
    let fresh = prepared(&app.state, &agent, fresh_m, true).await;
    backdate(&app.state, late, 30).await;

    let mut sup = app.client();
    sup.sign_in(seed.login(Role::Supervisor)).await;
    let home = sup.get("/").await;
    assert_eq!(
        attr_of(&home.body, "overdue-reviews", "data-count").as_deref(),
        Some("1")
    );
    assert!(home.has(&tr.ta("dashboard-overdue-reviews", &[("count", "1".into())])));
    assert!(home.has("href=\"/onboarding/review?overdue=1\""));
    let q = sup.get("/onboarding/review").await;
    q.expect(StatusCode::OK);
    let red = section(&q.body, "overdue-reviews", "section");
    assert!(
        red.contains(&format!("id=\"app-{late}\""))
            && !red.contains(&format!("id=\"app-{fresh}\"")),
        "{red}"
    );
    assert!(red.contains(&tr.t("onboarding-overdue")) && red.contains("已逾期"));
    assert!(section(&q.body, "review-queue", "section").contains(&format!("id=\"app-{fresh}\"")));
    // The overdue box comes first.
    assert!(q.body.find("id=\"overdue-reviews\"") < q.body.find("id=\"review-queue\""));
    let only = sup.get("/onboarding/review?overdue=1").await;
    assert!(only.has(&format!("id=\"app-{late}\"")) && !only.has(&format!("id=\"app-{fresh}\"")));
    assert!(only.has("href=\"/onboarding/review\" id=\"overdue-toggle\""));
    // The list marks it too, and filters by status.
    let list = sup.get("/onboarding?status=submitted").await;
    let row = section(&list.body, &format!("app-{late}"), "tr");
    assert!(row.contains("badge-danger overdue"), "{row}");
    let drafts = sup.get("/onboarding?status=draft").await;
    assert!(!drafts.has(&format!("id=\"app-{late}\"")));
    // The application page shows the overdue badge.
    let page = sup.get(&format!("/onboarding/{late}")).await;
    assert!(page.has("id=\"overdue-badge\""));
    // Once decided, it leaves the queue and the count.
    sup.post(&format!("/onboarding/{late}/approve"), &[])
        .await
        .redirects_to(&format!("/onboarding/{late}"));
    let home = sup.get("/").await;
    assert_eq!(
        attr_of(&home.body, "overdue-reviews", "data-count").as_deref(),
        Some("0")
    );
    // The risk officer reviews too; the agent gets no count.
    let mut risk = app.client();
    risk.sign_in(seed.login(Role::RiskOfficer)).await;
    assert!(risk.get("/").await.has("id=\"overdue-reviews\""));
    let mut ag = app.client();
    ag.sign_in(seed.login(Role::Agent)).await;
    assert!(!ag.get("/").await.has("id=\"overdue-reviews\""));
}

/// A portal account of `merchant` (password `PASSWORD`).
async fn merchant_user(state: &AppState, tenant: TenantId, merchant: MerchantId, login: &str) {
    let hash =
        tokio::task::spawn_blocking(|| posdesk_server::auth::password::hash_blocking(PASSWORD))
            .await
            .unwrap()
            .map_err(fail)
            .unwrap();
    let principal = operator_principal();
    let ctx = Ctx::operator(state, &principal, "test");
    ctx.write(
        ctx.meta(),
        users::CreateUser {
            id: UserId::from_uuid(Uuid::now_v7()),
            scope: Scope::Platform,
            tenant: Some(tenant),
            login: Login::parse("login", login).unwrap(),
            display_name: DisplayName::parse("display_name", "茶馆店主").unwrap(),
            email: None,
            role: Role::MerchantUser,
            merchant: Some(merchant),
            terminal: None,
            password_hash: Some(hash),
            locale: "zh-CN".into(),
        },
    )
    .await
    .map_err(fail)
    .unwrap();
}

/// A merchant user applies for their own merchant only (a sibling is not theirs, an active one
/// is not pending), attaches documents, is told what is missing, and may withdraw but not
/// review.
async fn merchant_users_apply_for_themselves(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let tr = zh();
    let own = company(&app.state, seed.tenant, "西湖茶馆", "102330154119332").await;
    let sibling = company(&app.state, seed.tenant, "隔壁商户", "102330154119331").await;
    merchant_user(&app.state, seed.tenant, own, "web.teahouse").await;

    // The seed's merchant user: their merchant is already active, nothing to open.
    let mut old = app.client();
    old.sign_in(seed.login(Role::MerchantUser)).await;
    let list = old.get("/onboarding").await;
    assert!(list.has("id=\"no-pending-merchants\""), "{}", list.body);
    let p = old
        .post(
            "/onboarding",
            &[("merchant_id", &seed.merchant.to_string())],
        )
        .await;
    p.expect(StatusCode::CONFLICT);
    assert!(section(&p.body, "open-error", "div").contains(&tr.t("onboarding-error-not-pending")));

    let mut me = app.client();
    me.sign_in("web.teahouse").await;
    let list = me.get("/onboarding").await;
    let open = section(&list.body, "open-form", "form");
    assert!(
        open.contains(&own.to_string()) && !open.contains(&sibling.to_string()),
        "{open}"
    );
    let p = me
        .post("/onboarding", &[("merchant_id", &sibling.to_string())])
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(section(&p.body, "open-error", "div").contains(&tr.t("field-merchant")));
    let p = me
        .post("/onboarding", &[("merchant_id", &own.to_string())])
        .await;
    p.redirects_to("/onboarding/");
    let id = app_id_of(p.location.as_deref());
    let href = format!("/onboarding/{id}");
    let page = me.get(&href).await;
    assert!(page.has("id=\"upload-form\"") && page.has("id=\"submit-form\""));
    assert!(!page.has("id=\"approve-form\"") && !page.has("id=\"installation-form\""));
    upload_ok(
        &mut me,
        id,
        "business_licence",
        "执照.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    let p = me.post(&format!("{href}/submit"), &[]).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        section(&p.body, "submit-error", "div").contains(&tr.ta(
            "onboarding-error-missing-document",
            &[("document", tr.t("onboarding-doc-id-card"))]
        )),
        "{}",
        p.body
    );
    let missing = section(&p.body, "missing-docs", "p");
    assert!(
        missing.contains(&tr.t("onboarding-doc-id-card"))
            && !missing.contains(&tr.t("onboarding-doc-business-licence")),
        "{missing}"
    );
    me.post(&format!("{href}/approve"), &[])
        .await
        .expect(StatusCode::FORBIDDEN);
    // The other merchant user cannot see it.
    old.get(&href).await.expect(StatusCode::NOT_FOUND);
    me.post(&format!("{href}/withdraw"), &[])
        .await
        .redirects_to(&href);
    assert!(me.get(&href).await.has("data-status=\"withdrawn\""));
}

/// Every onboarding POST refuses a missing or wrong CSRF token, and changes nothing.
async fn onboarding_posts_need_csrf(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let merchant = company(&app.state, seed.tenant, "湖滨咖啡", "102330154119341").await;
    let id = prepared(
        &app.state,
        &principal_of(seed, Role::Agent),
        merchant,
        false,
    )
    .await;
    let doc = detail_of(&app, id).await.documents[0].id;
    let before = application(&app.state, id).await;
    let mut admin = app.client();
    admin.sign_in(seed.login(Role::ProviderAdmin)).await;
    let paths = [
        "/onboarding".to_owned(),
        format!("/onboarding/{id}/submit"),
        format!("/onboarding/{id}/withdraw"),
        format!("/onboarding/{id}/approve"),
        format!("/onboarding/{id}/reject"),
        format!("/onboarding/{id}/installation"),
        format!("/onboarding/{id}/acceptance"),
        format!("/onboarding/{id}/training"),
        format!("/onboarding/{id}/fees"),
        format!("/onboarding/{id}/activate"),
        format!("/onboarding/{id}/documents/{doc}/remove"),
    ];
    for path in &paths {
        for fields in [
            vec![
                ("merchant_id", merchant.to_string()),
                ("reason", "x".into()),
            ],
            vec![("_csrf", "forged".to_owned()), ("deposit", "1".into())],
        ] {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let p = admin.post_raw(path, &f, &[]).await;
            p.expect(StatusCode::FORBIDDEN);
            assert!(p.has(&zh().t("error-csrf")), "{path}");
        }
        // A GET of a form's action goes back to the page.
        if path != "/onboarding" {
            admin
                .get(path)
                .await
                .redirects_to(&format!("/onboarding/{id}"));
        }
    }
    // The upload: without a token, with a wrong one, and not multipart at all.
    let upload = format!("/onboarding/{id}/documents");
    for fields in [
        vec![("kind", "other")],
        vec![("_csrf", "forged"), ("kind", "other")],
    ] {
        post_upload(
            &mut admin,
            &upload,
            &fields,
            Some(("x.pdf", "application/pdf", PDF)),
        )
        .await
        .expect(StatusCode::FORBIDDEN);
    }
    let token = admin.csrf();
    admin
        .post_raw(&upload, &[("_csrf", &token), ("kind", "other")], &[])
        .await
        .expect(StatusCode::FORBIDDEN);
    // A cross-site Origin with the right token is refused as well.
    admin
        .post_raw(
            &format!("/onboarding/{id}/withdraw"),
            &[("_csrf", &token)],
            &[
                ("host", "posdesk.example"),
                ("origin", "https://evil.example"),
            ],
        )
        .await
        .expect(StatusCode::FORBIDDEN);
    let after = application(&app.state, id).await;
    assert_eq!(after.version, before.version, "nothing changed");
    assert_eq!(after.status, before.status);
    let docs = detail_of(&app, id).await.documents;
    assert_eq!(docs.len(), 4);
    assert!(docs.iter().all(|d| d.removed_at.is_none()));
    // With the token it works (the same request, so the refusals above were the token's).
    admin
        .post(&format!("/onboarding/{id}/withdraw"), &[])
        .await
        .redirects_to(&format!("/onboarding/{id}"));
}

posdesk_storage::both_backends!(
    onboarding_pages_answer_per_role,
    onboarding_forms_work_and_show_errors_in_place,
    overdue_reviews_are_highlighted,
    merchant_users_apply_for_themselves,
    onboarding_posts_need_csrf,
);

// ---------------------------------------------------------------------------------------------
// Real browser: the onboarding journey from the application to the active merchant.

async fn status_of(ui: &Ui<'_>) -> anyhow::Result<String> {
    Ok(ui
        .b
        .find(Locator::Id("app-status"))
        .await?
        .attr("data-status")
        .await?
        .unwrap_or_default())
}

/// Sets an input's value directly (date and time inputs take keys in the browser's format).
async fn set_value(ui: &Ui<'_>, id: &str, value: &str) -> anyhow::Result<()> {
    let e = ui.b.find(Locator::Id(id)).await?;
    ui.b.execute(
        "arguments[0].value = arguments[1];",
        vec![serde_json::to_value(&e)?, serde_json::json!(value)],
    )
    .await?;
    Ok(())
}

async fn onboarding_journey(
    ui: &Ui<'_>,
    state: &AppState,
    seed: &Seed,
    tag: &str,
) -> anyhow::Result<()> {
    let tr = zh();
    let merchant = company(state, seed.tenant, "西湖茶馆", "102330154119351").await;
    let point = service_point(state, seed, "西湖服务站").await;
    let dir = posdesk_storage::testing::TempDir::new();
    let mut files = Vec::new();
    for (kind, name, _, bytes) in COMPANY_DOCS {
        let path = dir.path.join(format!(
            "{kind}-{tag}.{}",
            name.rsplit('.').next().unwrap_or("bin")
        ));
        std::fs::write(&path, bytes)?;
        files.push((kind, path));
    }

    // The agent opens the application and uploads the four documents.
    ui.sign_in(seed.login(Role::Agent)).await?;
    ui.click_nav("#nav-onboarding").await?;
    ui.wait_for("#open-form").await?;
    ui.b.find(Locator::Id("open-merchant"))
        .await?
        .select_by_value(&merchant.to_string())
        .await?;
    ui.click_nav("#open-submit").await?;
    ui.wait_for("#upload-form").await?;
    let url = ui.b.current_url().await?;
    let id = ApplicationId::parse("id", url.path().trim_start_matches("/onboarding/"))
        .map_err(|e| anyhow::anyhow!("application id in {url}: {e}"))?;
    ensure!(
        ui.text("#flash").await? == tr.t("flash-onboarding-opened"),
        "opened"
    );
    ensure!(status_of(ui).await? == "draft", "a draft");
    for (kind, path) in &files {
        ui.b.find(Locator::Id("doc-kind"))
            .await?
            .select_by_value(kind)
            .await?;
        ui.b.find(Locator::Id("doc-file"))
            .await?
            .send_keys(&path.display().to_string())
            .await?;
        ui.click_nav("#upload-submit").await?;
        let flash = ui.wait_for("#flash").await?.text().await?;
        ensure!(
            flash == tr.t("flash-onboarding-document-uploaded"),
            "{kind} uploaded: {flash:?} {}",
            if ui.exists("#upload-error").await? {
                ui.text("#upload-error").await?
            } else {
                String::new()
            }
        );
        ensure!(
            ui.exists(&format!("#required-{kind}.present")).await?,
            "{kind} is no longer missing"
        );
    }
    let docs = ui.text("#documents-table").await?;
    ensure!(
        docs.contains("business_licence-") && docs.contains(".pdf"),
        "the file names are kept: {docs}"
    );
    ensure!(
        !ui.exists("#missing-docs").await?,
        "every required document is attached"
    );
    ui.click_nav("#submit-app").await?;
    ui.wait_for("#review-due").await?;
    ensure!(status_of(ui).await? == "submitted", "submitted");
    ensure!(
        ui.text("#review-remaining").await?.contains("剩余"),
        "the working time left is shown"
    );
    if tag == "sqlite" {
        std::fs::write(
            screenshot_dir().join("onboarding-submitted-desktop.png"),
            ui.b.screenshot().await?,
        )?;
    }
    ui.sign_out().await?;

    // The supervisor finds it in the review queue and approves.
    ui.sign_in(seed.login(Role::Supervisor)).await?;
    ensure!(ui.exists("#overdue-reviews").await?, "the dashboard count");
    ui.click_nav("#overdue-reviews-link").await?;
    ui.wait_for("#review-queue").await?;
    let row = format!("#review-queue #app-{id} a");
    ensure!(ui.exists(&row).await?, "the application is in the queue");
    if tag == "sqlite" {
        std::fs::write(
            screenshot_dir().join("onboarding-review-queue-desktop.png"),
            ui.b.screenshot().await?,
        )?;
    }
    ui.click_nav(&row).await?;
    ui.wait_for("#approve-form").await?;
    ui.click_nav("#approve").await?;
    ui.wait_for("#flash").await?;
    ensure!(status_of(ui).await? == "approved", "approved");
    ui.sign_out().await?;

    // The agent books the installation at the service point and records the fees.
    ui.sign_in(seed.login(Role::Agent)).await?;
    ui.goto(&format!("/onboarding/{id}")).await?;
    ui.wait_for("#installation-form").await?;
    ui.b.find(Locator::Id("inst-point"))
        .await?
        .select_by_value(&point.to_string())
        .await?;
    ui.b.find(Locator::Id("inst-technician"))
        .await?
        .select_by_value(&seed.id(Role::Technician).to_string())
        .await?;
    set_value(ui, "inst-at", "2031-06-03T10:00").await?;
    ui.click_nav("#installation-submit").await?;
    ui.wait_for("#flash").await?;
    ensure!(
        status_of(ui).await? == "installation_scheduled",
        "installation booked"
    );
    let step = ui.text("#step-installation").await?;
    ensure!(
        step.contains("2031-06-03 10:00") && step.contains("西湖服务站"),
        "the booking in the timeline: {step}"
    );
    ui.fill("#fees-deposit", "99.00").await?;
    ui.fill("#fee-item-1", "安装费").await?;
    ui.fill("#fee-amount-1", "50").await?;
    ui.click_nav("#fees-submit").await?;
    ui.wait_for("#fees-recorded").await?;
    ensure!(
        ui.text("#deposit").await? == "¥99.00",
        "the deposit in yuan"
    );
    ensure!(ui.text("#fees-total").await? == "¥149.00", "the total");
    ui.sign_out().await?;

    // The technician records acceptance and training.
    ui.sign_in(seed.login(Role::Technician)).await?;
    ui.click_nav("#nav-onboarding").await?;
    ui.wait_for("#applications").await?;
    ui.click_nav(&format!("#app-{id} a")).await?;
    ui.wait_for("#acceptance-form").await?;
    ui.fill("#acceptance-notes", "装机完成，试刷 0.01 元成功")
        .await?;
    ui.click_nav("#acceptance-submit").await?;
    ui.wait_for("#training-form").await?;
    ensure!(status_of(ui).await? == "installed", "installed");
    ui.fill("#training-notes", "收银员 2 人：刷卡、扫码、退款")
        .await?;
    ui.click_nav("#training-submit").await?;
    ui.wait_for("#flash").await?;
    ensure!(
        ui.text("#flash").await? == tr.t("flash-onboarding-training-recorded"),
        "training recorded"
    );
    // Without a terminal activation is refused in place.
    ui.click_nav("#activate-submit").await?;
    let err = ui.wait_for("#activate-error").await?.text().await?;
    ensure!(
        err == tr.t("onboarding-error-no-terminal"),
        "activation needs a terminal: {err}"
    );
    // A terminal gets bound to the merchant (the terminal page's binding form is tested there).
    bind_terminal(state, seed.tenant, merchant, &format!("SN-JOURNEY-{tag}")).await;
    ui.goto(&format!("/onboarding/{id}")).await?;
    ui.wait_for("#activate-form").await?;
    ensure!(
        ui.exists("#check-terminals .badge-ok").await?,
        "the terminal is counted"
    );
    ui.click_nav("#activate-submit").await?;
    ui.wait_for("#flash").await?;
    ensure!(status_of(ui).await? == "active", "active");
    ensure!(
        ui.exists("#step-activated.done").await?,
        "the timeline is complete"
    );
    if tag == "sqlite" {
        std::fs::write(
            screenshot_dir().join("onboarding-active-desktop.png"),
            ui.b.screenshot().await?,
        )?;
    }

    // The merchant is active.
    ui.click_nav("#app-merchant a").await?;
    ui.wait_for("#merchant-status").await?;
    let status = ui.text("#merchant-status").await?;
    ensure!(
        status == tr.t("merchant-status-active"),
        "the merchant is active: {status}"
    );
    ui.sign_out().await?;
    Ok(())
}

async fn onboarding_in_browser(loc: Location, tag: &str) {
    in_chromium(loc, "onboarding", tag, |ui, state, seed, tag| {
        Box::pin(onboarding_journey(ui, state, seed, tag))
    })
    .await;
}

mod chromium {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn onboarding_journey_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::onboarding_in_browser(loc, "sqlite").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn onboarding_journey_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::onboarding_in_browser(loc, "postgres").await;
        }
    }
}
