//! Merchant registration over the API: identity checked per kind, the owner's ID masked for
//! roles that may not see it (and in the audit trail), status transitions, tenancy.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use serde_json::json;

use crate::app_tests;
use crate::helpers::TestApp;

async fn register_mask_and_transition(app: TestApp) {
    let staff = app.token(&app.a, Role::Supervisor);
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let before = app.count("merchants").await;
    for (body, field) in [
        (
            json!({"name": "西湖茶社", "mid": "10233015411000", "kind": "company", "uscc": "91110000600037341L"}),
            "mid",
        ),
        (
            json!({"name": "西湖茶社", "mid": "102330154110001", "kind": "company", "uscc": "91110000600037341A"}),
            "uscc",
        ),
        (
            json!({"name": "西湖茶社", "mid": "102330154110001", "kind": "company", "owner_id": "11010519491231002X"}),
            "uscc",
        ),
        (
            json!({"name": "西湖茶社", "mid": "102330154110001", "kind": "micro"}),
            "owner_id",
        ),
        (
            json!({"name": "西湖茶社", "mid": "102330154110001", "kind": "micro", "owner_id": "110105194912310021"}),
            "owner_id",
        ),
        (
            json!({"name": "西湖茶社", "mid": "102330154110001", "kind": "shop", "uscc": "91110000600037341L"}),
            "kind",
        ),
        (
            json!({"name": "西湖茶社", "mid": "102330154110001", "kind": "company", "uscc": "91110000600037341L", "risk_level": "extreme"}),
            "risk_level",
        ),
        (
            json!({"name": "西湖茶社", "mid": "102330154110001", "kind": "company", "uscc": "91110000600037341L", "contact_phone": "123"}),
            "contact_phone",
        ),
    ] {
        let r = app.post("/api/v1/merchants", &staff, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r:?}");
        assert_eq!(r.body["field"], field, "{r:?}");
    }
    assert_eq!(app.count("merchants").await, before);

    // A micro merchant by its owner's ID: the supervisor who registered it sees it masked.
    let r = app
        .post(
            "/api/v1/merchants",
            &staff,
            json!({"name": "张三早餐铺", "mid": "102330158120777", "kind": "micro",
                   "owner_id": "11010519491231002X", "contact_phone": "138 1234 5678",
                   "division_code": "330106", "risk_level": "medium"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["identity_kind"], "resident_id");
    assert_eq!(r.body["identity"], "110***********002X");
    assert_eq!(r.body["contact_phone"], "13812345678");
    let id = r.body["id"].as_str().unwrap().to_owned();
    // The provider admin sees it in full; the audit trail never holds it in full.
    let full = app.get(&format!("/api/v1/merchants/{id}"), &admin).await;
    assert_eq!(full.body["identity"], "11010519491231002X");
    let masked = app
        .get(
            &format!("/api/v1/merchants/{id}"),
            &app.token(&app.a, Role::Technician),
        )
        .await;
    assert_eq!(masked.body["identity"], "110***********002X");
    let leaked = app
        .state
        .store
        .read(|c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT COUNT(*) FROM audit_events WHERE after_json LIKE '%11010519491231002X%' OR before_json LIKE '%11010519491231002X%'",
                    &[],
                )
                .await?
                .int(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(leaked, 0, "no full ID in the audit trail");
    // Same MID again: 409.
    let dup = app
        .post(
            "/api/v1/merchants",
            &staff,
            json!({"name": "重复", "mid": "102330158120777", "kind": "company", "uscc": "91110000600037341L"}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{dup:?}");

    // Status: pending → active → suspended → active → closed; illegal moves 409.
    let go = |event: &str| {
        let (app, admin, id) = (&app, admin.clone(), id.clone());
        let body = json!({ "event": event });
        async move {
            app.call(
                Method::POST,
                &format!("/api/v1/merchants/{id}/transition"),
                Some(&admin),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(go("reinstate").await.status, StatusCode::CONFLICT);
    for (event, status) in [
        ("activate", "active"),
        ("suspend", "suspended"),
        ("reinstate", "active"),
        ("close", "closed"),
    ] {
        let r = go(event).await;
        assert_eq!(r.status, StatusCode::OK, "{event}: {r:?}");
        assert_eq!(r.body["status"], status);
    }
    assert_eq!(
        go("activate").await.status,
        StatusCode::CONFLICT,
        "closed is final"
    );

    // Tenancy: B neither sees nor moves A's merchant; merchant users may not register.
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    assert_eq!(
        app.get(&format!("/api/v1/merchants/{id}"), &admin_b)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/merchants/{id}/transition"),
            Some(&admin_b),
            Some(json!({"event": "close"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            "/api/v1/merchants",
            &app.token(&app.a, Role::MerchantUser),
            json!({"name": "x", "mid": "102330158120778", "kind": "company", "uscc": "91110000600037341L"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

app_tests!(register_mask_and_transition);
