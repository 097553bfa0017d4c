//! Merchant onboarding over the API (seed 001): documents checked and stored by SHA-256, the
//! 5-working-day review clock on the provider's calendar, rejection with a reason and
//! resubmission, installation at a service point, acceptance, training, fees, activation once a
//! terminal is bound; the supervisor's overdue list; tenancy and merchant scoping.

use axum::http::{Method, StatusCode};
use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::authz::Role;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId};
use posdesk_core::registry::onboarding::{DEFAULT_REVIEW_WORKING_DAYS, review_due};
use posdesk_server::service;
use posdesk_storage::repo::terminals;
use posdesk_storage::{Applied, Conn, Ctx, Mutation};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::app_tests;
use crate::helpers::{TestApp, audit_actions, err};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0photo";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRshop";

async fn register_company(app: &TestApp, token: &str, mid: &str) -> String {
    let r = app
        .post(
            "/api/v1/merchants",
            token,
            json!({"name": "湖滨咖啡", "mid": mid, "kind": "company", "uscc": "91110000600037341L"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["id"].as_str().unwrap().to_owned()
}

async fn attach(
    app: &TestApp,
    token: &str,
    app_id: &str,
    kind: &str,
    ct: &str,
    bytes: &[u8],
    replaces: Option<&str>,
) -> crate::helpers::Resp {
    let mut path = format!(
        "/api/v1/onboarding-applications/{app_id}/documents?kind={kind}&file_name={kind}.bin"
    );
    if let Some(r) = replaces {
        path.push_str(&format!("&replaces={r}"));
    }
    app.call_with(
        Method::POST,
        &path,
        Some(token),
        Some(bytes.to_vec()),
        &[("content-type", ct)],
    )
    .await
}

async fn step(
    app: &TestApp,
    token: &str,
    id: &str,
    what: &str,
    body: Json,
) -> crate::helpers::Resp {
    app.post(
        &format!("/api/v1/onboarding-applications/{id}/{what}"),
        token,
        body,
    )
    .await
}

async fn bind_terminal(app: &TestApp, tenant: TenantId, merchant: &str, sn: &str) {
    let admin = posdesk_core::authz::Principal::new(
        app.a.users[&Role::ProviderAdmin].0,
        Role::ProviderAdmin,
        Some(tenant),
        None,
        None,
    )
    .unwrap();
    let ctx = service::Ctx::new(&app.state, &admin, "test");
    ctx.write(
        ctx.meta(),
        terminals::CreateTerminal {
            id: TerminalId::from_uuid(Uuid::now_v7()),
            tenant,
            merchant: Some(MerchantId::parse("id", merchant).unwrap()),
            sn: sn.into(),
            tid: None,
            model: "A920".into(),
            manufacturer: "百富".into(),
            firmware: None,
            status: "installed".into(),
        },
    )
    .await
    .map_err(err)
    .unwrap();
}

fn ts(v: &Json) -> Timestamp {
    Timestamp::from_millis(v.as_i64().unwrap_or_else(|| panic!("not an instant: {v}")))
}

async fn the_whole_workflow(app: TestApp) {
    let agent = app.token(&app.a, Role::Agent);
    let supervisor = app.token(&app.a, Role::Supervisor);
    let risk = app.token(&app.a, Role::RiskOfficer);
    let tech = app.token(&app.a, Role::Technician);
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let merchant = register_company(&app, &supervisor, "102330154119001").await;

    // Open a draft; a second open application for the same merchant is a conflict.
    let r = app
        .post(
            "/api/v1/onboarding-applications",
            &agent,
            json!({"merchant_id": merchant}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["status"], "draft");
    let id = r.body["id"].as_str().unwrap().to_owned();
    let again = app
        .post(
            "/api/v1/onboarding-applications",
            &agent,
            json!({"merchant_id": merchant}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    let unknown = app
        .post(
            "/api/v1/onboarding-applications",
            &agent,
            json!({"merchant_id": app.b.merchant.to_string()}),
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{unknown:?}"
    );
    assert_eq!(unknown.body["field"], "merchant_id");

    // Submitting without the documents names the first missing one.
    let r = step(&app, &agent, &id, "submit", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "documents.business_licence");

    // Bad uploads: each names `file` (or `kind`) and stores nothing.
    let docs_before = app.count("onboarding_documents").await;
    let blobs_before = app.count("blobs").await;
    for (kind, ct, bytes, field, status) in [
        (
            "premises_photo",
            "application/pdf",
            PDF,
            "file",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "business_licence",
            "image/png",
            PDF,
            "file",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "business_licence",
            "text/html",
            PDF,
            "file",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "passport",
            "application/pdf",
            PDF,
            "kind",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "id_card",
            "image/jpeg",
            b"" as &[u8],
            "file",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = attach(&app, &agent, &id, kind, ct, bytes, None).await;
        assert_eq!(r.status, status, "{kind} {ct}: {r:?}");
        assert_eq!(r.body["field"], field, "{kind} {ct}: {r:?}");
    }
    let huge = vec![0xFF; posdesk_core::registry::onboarding::MAX_DOCUMENT_BYTES + 1];
    let r = attach(&app, &agent, &id, "id_card", "image/jpeg", &huge, None).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{r:?}");
    assert_eq!(app.count("onboarding_documents").await, docs_before);
    assert_eq!(app.count("blobs").await, blobs_before);

    // The four documents a company needs.
    let mut doc_ids = Vec::new();
    for (kind, ct, bytes) in [
        ("business_licence", "application/pdf", PDF),
        ("id_card", "image/jpeg", JPEG),
        ("bank_account_proof", "image/png", PNG),
        ("premises_photo", "image/png", PNG),
    ] {
        let r = attach(&app, &agent, &id, kind, ct, bytes, None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {r:?}");
        assert_eq!(r.body["sha256"], hex::encode(Sha256::digest(bytes)));
        doc_ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    // The same PNG twice is stored once.
    assert_eq!(app.count("blobs").await, blobs_before + 3);
    let d = app
        .get(&format!("/api/v1/onboarding-applications/{id}"), &agent)
        .await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    assert_eq!(d.body["missing_documents"], json!([]));
    assert_eq!(d.body["documents"].as_array().unwrap().len(), 4);
    let file = app
        .get(
            &format!(
                "/api/v1/onboarding-applications/{id}/documents/{}",
                doc_ids[0]
            ),
            &risk,
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers["content-type"], "application/pdf");
    assert_eq!(file.headers["x-content-type-options"], "nosniff");

    // Submit: the review clock starts, due 5 working days later on the provider's calendar.
    let r = step(&app, &agent, &id, "submit", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "submitted");
    let submitted = ts(&r.body["submitted_at"]);
    let cal = service::calendars::for_tenant(&app.state, app.a.id)
        .await
        .map_err(err)
        .unwrap();
    let due = review_due(&cal, submitted, DEFAULT_REVIEW_WORKING_DAYS);
    assert_eq!(ts(&r.body["review"]["due"]), due.value);
    assert_eq!(r.body["review"]["overdue"], false);
    assert!(r.body["review"]["remaining_minutes"].as_i64().unwrap() > 0);
    // Documents are frozen while under review.
    let r = attach(&app, &agent, &id, "other", "application/pdf", PDF, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");

    // Review: a technician may not; a reason is required to reject.
    assert_eq!(
        step(&app, &tech, &id, "approve", json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let r = step(&app, &supervisor, &id, "reject", json!({"reason": "  "})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "reason");
    let r = step(
        &app,
        &supervisor,
        &id,
        "reject",
        json!({"reason": "银行账户证明模糊，请重新拍摄"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "rejected");
    assert_eq!(r.body["rejection_reason"], "银行账户证明模糊，请重新拍摄");
    assert!(r.body["review"].is_null());

    // Fix and resubmit: the replaced document is kept, marked removed.
    let r = attach(
        &app,
        &agent,
        &id,
        "bank_account_proof",
        "image/jpeg",
        JPEG,
        Some(&doc_ids[2]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let d = app
        .get(&format!("/api/v1/onboarding-applications/{id}"), &agent)
        .await;
    let removed: Vec<&Json> = d.body["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["removed_at"].is_null())
        .collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["id"], doc_ids[2].as_str());
    let r = step(&app, &agent, &id, "submit", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["submissions"], 2);

    // The reviewer's queue has it, not overdue.
    let q = app
        .get("/api/v1/onboarding-applications/review-queue", &supervisor)
        .await;
    assert_eq!(q.status, StatusCode::OK, "{q:?}");
    assert!(
        q.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id.as_str())
    );
    let q = app
        .get(
            "/api/v1/onboarding-applications/review-queue?overdue=true",
            &supervisor,
        )
        .await;
    assert!(
        !q.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id.as_str())
    );
    let bad = app
        .get(
            "/api/v1/onboarding-applications/review-queue?overdue=yes",
            &supervisor,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Approve (stale If-Match first).
    let stale = app
        .call_with(
            Method::POST,
            &format!("/api/v1/onboarding-applications/{id}/approve"),
            Some(&risk),
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{stale:?}");
    let r = step(&app, &risk, &id, "approve", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "approved");

    // Installation at a service point, not in the past, with one of its technicians.
    let sp = app
        .post(
            "/api/v1/service-points",
            &admin,
            json!({"name": "湖滨网点", "division_code": "330102", "address": "延安路 1 号",
                   "technicians": [app.a.users[&Role::Technician].0.to_string()]}),
        )
        .await;
    assert_eq!(sp.status, StatusCode::CREATED, "{sp:?}");
    let sp = sp.body["id"].as_str().unwrap().to_owned();
    for (body, field) in [
        (
            json!({"service_point_id": sp, "appointment_at": "2020-01-01T10:00:00+08:00"}),
            "appointment_at",
        ),
        (
            json!({"service_point_id": sp, "appointment_at": "next tuesday"}),
            "appointment_at",
        ),
        (
            json!({"service_point_id": Uuid::now_v7().to_string(), "appointment_at": "2031-06-03T10:00:00+08:00"}),
            "service_point_id",
        ),
        (
            json!({"service_point_id": sp, "technician_id": app.a.users[&Role::Agent].0.to_string(),
                   "appointment_at": "2031-06-03T10:00:00+08:00"}),
            "technician_id",
        ),
    ] {
        let r = step(&app, &agent, &id, "installation", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r:?}");
        assert_eq!(r.body["field"], field, "{r:?}");
    }
    let r = step(
        &app,
        &agent,
        &id,
        "installation",
        json!({"service_point_id": sp, "technician_id": app.a.users[&Role::Technician].0.to_string(),
               "appointment_at": "2031-06-03T10:00:00+08:00"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "installation_scheduled");
    // Moved to another day.
    let r = step(
        &app,
        &agent,
        &id,
        "installation",
        json!({"service_point_id": sp, "appointment_at": "2031-06-04T14:00:00+08:00"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        ts(&r.body["appointment_at"]),
        Timestamp::parse_rfc3339("2031-06-04T06:00:00Z").unwrap()
    );

    // Training only after acceptance; fees are whole, non-negative fen.
    let r = step(&app, &tech, &id, "training", json!({"notes": "收银员培训"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = step(
        &app,
        &tech,
        &id,
        "acceptance",
        json!({"notes": "装机完成，试刷 0.01 元成功"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "installed");
    let r = step(&app, &tech, &id, "activate", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "training_recorded");
    let r = step(
        &app,
        &tech,
        &id,
        "training",
        json!({"notes": "收银员 2 人：刷卡、扫码、退款"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    for (body, field) in [
        (json!({"deposit_fen": -1}), "deposit_fen"),
        (
            json!({"deposit_fen": 9900, "fees": [{"item": "", "fen": 100}]}),
            "fees[0].item",
        ),
        (
            json!({"deposit_fen": 9900, "fees": [{"item": "安装费", "fen": -5}]}),
            "fees[0].fen",
        ),
    ] {
        let r = step(&app, &agent, &id, "fees", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r:?}");
        assert_eq!(r.body["field"], field, "{r:?}");
    }
    let r = step(
        &app,
        &agent,
        &id,
        "fees",
        json!({"deposit_fen": 9900, "fees": [{"item": "安装费", "fen": 5000}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["deposit_fen"], 9900);

    // Activation needs a bound terminal; then the merchant is active.
    let r = step(&app, &tech, &id, "activate", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "terminals");
    bind_terminal(&app, app.a.id, &merchant, "SN-ONBOARD-0001").await;
    let r = step(&app, &tech, &id, "activate", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "active");
    let m = app
        .get(&format!("/api/v1/merchants/{merchant}"), &admin)
        .await;
    assert_eq!(m.body["status"], "active");
    // Final: nothing more happens.
    let r = step(&app, &agent, &id, "withdraw", json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");

    // Every step is in the audit trail, in order.
    assert_eq!(
        audit_actions(&app, &id).await,
        [
            "create",
            "submit",
            "reject",
            "submit",
            "approve",
            "schedule_installation",
            "schedule_installation",
            "pass_acceptance",
            "record_training",
            "record_fees",
            "activate"
        ]
    );
    let ma = audit_actions(&app, &merchant).await;
    assert_eq!(ma.last().map(String::as_str), Some("activate"));

    // The other provider sees none of it.
    let other = app.token(&app.b, Role::ProviderAdmin);
    assert_eq!(
        app.get(&format!("/api/v1/onboarding-applications/{id}"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let file = app
        .get(
            &format!(
                "/api/v1/onboarding-applications/{id}/documents/{}",
                doc_ids[0]
            ),
            &other,
        )
        .await;
    assert_eq!(file.status, StatusCode::NOT_FOUND);
}

/// Sets an application's submission instant (a test-only write, through the store).
struct Backdate {
    id: String,
    at: Timestamp,
}

impl Mutation for Backdate {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _: &'a Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "UPDATE onboarding_applications SET submitted_at = $1 WHERE id = $2",
                &[self.at.into(), self.id.as_str().into()],
            )
            .await?;
            Ok(Applied::unaudited(()))
        })
    }
}

/// Sets a fixture merchant's status directly (the shared fixtures' merchants are active; an
/// application needs a pending one). Test-only, through the store.
pub struct SetMerchantStatus {
    pub id: MerchantId,
    pub status: &'static str,
}

impl Mutation for SetMerchantStatus {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _: &'a Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "UPDATE merchants SET status = $1 WHERE id = $2",
                &[self.status.into(), self.id.into()],
            )
            .await?;
            Ok(Applied::unaudited(()))
        })
    }
}

pub async fn set_merchant_status(
    app: &posdesk_server::AppState,
    id: MerchantId,
    status: &'static str,
) {
    app.store
        .write(
            posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "t"),
            SetMerchantStatus { id, status },
        )
        .await
        .unwrap();
}

async fn submitted_application(app: &TestApp, mid: &str) -> String {
    let agent = app.token(&app.a, Role::Agent);
    let merchant = register_company(app, &app.token(&app.a, Role::Supervisor), mid).await;
    let r = app
        .post(
            "/api/v1/onboarding-applications",
            &agent,
            json!({"merchant_id": merchant}),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    for (kind, ct, bytes) in [
        ("business_licence", "application/pdf", PDF),
        ("id_card", "image/jpeg", JPEG),
        ("bank_account_proof", "image/png", PNG),
        ("premises_photo", "image/png", PNG),
    ] {
        assert_eq!(
            attach(app, &agent, &id, kind, ct, bytes, None).await.status,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        step(app, &agent, &id, "submit", json!({})).await.status,
        StatusCode::OK
    );
    id
}

async fn overdue_reviews_are_listed(app: TestApp) {
    let supervisor = app.token(&app.a, Role::Supervisor);
    let late = submitted_application(&app, "102330154119101").await;
    let fresh = submitted_application(&app, "102330154119102").await;
    // Submitted 30 days ago: certainly more than 5 working days.
    app.state
        .store
        .write(
            posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "t"),
            Backdate {
                id: late.clone(),
                at: Timestamp::from_millis(posdesk_storage::now().millis() - 30 * 86_400_000),
            },
        )
        .await
        .unwrap();
    let q = app
        .get(
            "/api/v1/onboarding-applications/review-queue?overdue=true",
            &supervisor,
        )
        .await;
    assert_eq!(q.status, StatusCode::OK, "{q:?}");
    let items = q.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{q:?}");
    assert_eq!(items[0]["id"], late.as_str());
    assert_eq!(items[0]["review"]["overdue"], true);
    assert!(items[0]["review"]["remaining_minutes"].as_i64().unwrap() < 0);
    // The whole queue: the late one first (its deadline is earliest).
    let q = app
        .get("/api/v1/onboarding-applications/review-queue", &supervisor)
        .await;
    let ids: Vec<&str> = q.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [late.as_str(), fresh.as_str()]);
    // The other provider's reviewer sees neither.
    let q = app
        .get(
            "/api/v1/onboarding-applications/review-queue",
            &app.token(&app.b, Role::Supervisor),
        )
        .await;
    assert_eq!(q.body["items"], json!([]));
}

async fn merchant_users_apply_only_for_themselves(app: TestApp) {
    let me = app.token(&app.a, Role::MerchantUser);
    set_merchant_status(&app.state, app.a.merchant, "pending").await;
    set_merchant_status(&app.state, app.a.other_merchant, "pending").await;
    // Their own merchant.
    let r = app
        .post(
            "/api/v1/onboarding-applications",
            &me,
            json!({"merchant_id": app.a.merchant.to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let own = r.body["id"].as_str().unwrap().to_owned();
    // A sibling merchant of the same provider: not theirs.
    let r = app
        .post(
            "/api/v1/onboarding-applications",
            &me,
            json!({"merchant_id": app.a.other_merchant.to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // The agent opens one for the sibling; the merchant user cannot see or touch it.
    let agent = app.token(&app.a, Role::Agent);
    let r = app
        .post(
            "/api/v1/onboarding-applications",
            &agent,
            json!({"merchant_id": app.a.other_merchant.to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let sibling = r.body["id"].as_str().unwrap().to_owned();
    let list = app.get("/api/v1/onboarding-applications", &me).await;
    let ids: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [own.as_str()]);
    for path in [format!("/api/v1/onboarding-applications/{sibling}")] {
        assert_eq!(app.get(&path, &me).await.status, StatusCode::NOT_FOUND);
    }
    let r = attach(&app, &me, &sibling, "id_card", "image/jpeg", JPEG, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    assert_eq!(
        step(&app, &me, &sibling, "withdraw", json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Their own: they attach, and may withdraw, but not review.
    let r = attach(&app, &me, &own, "id_card", "image/jpeg", JPEG, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(
        step(&app, &me, &own, "approve", json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let r = step(&app, &me, &own, "withdraw", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "withdrawn");
}

async fn concurrent_reviews_decide_once(app: TestApp) {
    let id = submitted_application(&app, "102330154119201").await;
    let supervisor = app.token(&app.a, Role::Supervisor);
    let risk = app.token(&app.a, Role::RiskOfficer);
    let (a, b) = tokio::join!(
        step(&app, &supervisor, &id, "approve", json!({})),
        step(&app, &risk, &id, "reject", json!({"reason": "资料不全"})),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let decisions = audit_actions(&app, &id)
        .await
        .into_iter()
        .filter(|a| a == "approve" || a == "reject")
        .count();
    assert_eq!(decisions, 1);
}

app_tests!(
    the_whole_workflow,
    overdue_reviews_are_listed,
    merchant_users_apply_only_for_themselves,
    concurrent_reviews_decide_once
);
