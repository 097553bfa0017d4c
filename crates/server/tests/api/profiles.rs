//! Provider profiles over the API: licence standing, hotlines, fees in fen, warranty terms,
//! logos; bad input changes nothing; another provider's profile is invisible.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use posdesk_core::calendar::LocalDate;
use serde_json::{Value, json};

use crate::app_tests;
use crate::helpers::TestApp;

fn today() -> LocalDate {
    LocalDate::of_timestamp(posdesk_storage::now()).unwrap()
}

fn profile(valid_to: LocalDate) -> Value {
    json!({
        "uscc": "91110000600037341L",
        "licence_kind": "payment_licence",
        "licence_number": "Z20049440000105",
        "licence_valid_from": "2021-05-03",
        "licence_valid_to": valid_to.to_string(),
        "hotlines": ["0571-88886666", "+86 138 1234 5678"],
        "service_hours": "每日 8:00–20:00（节假日 9:00–17:00）",
        "warranty_policy": "整机保修一年；人为损坏不在保修范围内。",
        "warranty_default_months": 12,
        "warranty_months_by_model": {"N910": 24},
        "fees": [
            {"code": "lab-onsite", "name": "上门服务费", "kind": "labour", "price_fen": 5000, "unit": "次"},
            {"code": "PART-BATTERY", "name": "电池", "kind": "part", "price_fen": 8800, "unit": "件"}
        ]
    })
}

async fn put(
    app: &TestApp,
    token: &str,
    tenant: &str,
    body: Value,
    if_match: &str,
) -> crate::helpers::Resp {
    app.call_with(
        Method::PUT,
        &format!("/api/v1/providers/{tenant}/profile"),
        Some(token),
        Some(body.to_string().into_bytes()),
        &[("if-match", if_match)],
    )
    .await
}

async fn profile_licence_fees_and_tenancy(app: TestApp) {
    let a = app.a.id.to_string();
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let empty = app
        .get(&format!("/api/v1/providers/{a}/profile"), &admin)
        .await;
    assert_eq!(empty.status, StatusCode::OK, "{empty:?}");
    assert_eq!(empty.body["version"], 0);
    assert_eq!(empty.body["licence_status"], "missing");
    assert_eq!(empty.body["warranty_default_months"], 12);

    // Valid for a year: valid.
    let far = today().add_days(365).unwrap();
    let r = put(&app, &admin, &a, profile(far), "\"0\"").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["licence_status"], "valid");
    assert_eq!(r.body["uscc"], "91110000600037341L");
    assert_eq!(r.body["hotlines"], json!(["0571-88886666", "13812345678"]));
    assert_eq!(r.body["fees"][0]["code"], "LAB-ONSITE");
    assert_eq!(r.body["fees"][0]["price_fen"], 5000);
    assert_eq!(r.body["warranty_months_by_model"]["N910"], 24);

    // Expiring in 30 days: flagged; expired yesterday: expired.
    let soon = today().add_days(30).unwrap();
    let r = put(&app, &admin, &a, profile(soon), "\"1\"").await;
    assert_eq!(r.body["licence_status"], "expires_soon", "{r:?}");
    assert_eq!(r.body["licence_days"], 30);
    let past = today().add_days(-1).unwrap();
    let r = put(&app, &admin, &a, profile(past), "\"2\"").await;
    assert_eq!(r.body["licence_status"], "expired", "{r:?}");
    assert_eq!(r.body["licence_days"], 1);
    // Stale If-Match: 412, nothing lost.
    let stale = put(&app, &admin, &a, profile(far), "\"1\"").await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{stale:?}");

    // Merchants and agents of A read it; B's admin can neither read nor write it (404).
    for role in [Role::MerchantUser, Role::Agent, Role::Auditor] {
        let r = app
            .get(
                &format!("/api/v1/providers/{a}/profile"),
                &app.token(&app.a, role),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{role:?}");
        assert_eq!(r.body["licence_status"], "expired");
    }
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    let r = app
        .get(&format!("/api/v1/providers/{a}/profile"), &admin_b)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = put(&app, &admin_b, &a, profile(far), "\"3\"").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A supervisor of A may not edit it.
    let r = put(
        &app,
        &app.token(&app.a, Role::Supervisor),
        &a,
        profile(far),
        "\"3\"",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let v = app
        .get(&format!("/api/v1/providers/{a}/profile"), &admin)
        .await;
    assert_eq!(v.body["version"], 3);

    // Audited: a create and two updates of the profile, one USCC change of the provider.
    let n = app
        .state
        .store
        .read(|c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT COUNT(*) FROM audit_events WHERE entity_type = 'provider_profile'",
                    &[],
                )
                .await?
                .int(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(n, 3);
}

async fn profile_bad_input(app: TestApp) {
    let a = app.a.id.to_string();
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let far = today().add_days(365).unwrap();
    let with = |k: &str, v: Value| {
        let mut p = profile(far);
        p[k] = v;
        p
    };
    let cases = [
        (with("uscc", json!("91110000600037341A")), "uscc"),
        (with("licence_number", json!(null)), "licence_number"),
        (with("licence_number", json!("Z123")), "licence_number"),
        (with("licence_kind", json!("licence")), "licence_kind"),
        (
            with("licence_valid_from", json!("2030-01-01")),
            "licence_valid_to",
        ),
        (
            with("licence_valid_to", json!("2026-02-30")),
            "licence_valid_to",
        ),
        (
            with("hotlines", json!(["1", "2", "3", "4", "5", "6"])),
            "hotlines",
        ),
        (with("hotlines", json!(["12345"])), "hotlines[0]"),
        (
            with(
                "fees",
                json!([{"code": "A", "name": "x", "kind": "part", "price_fen": -1}]),
            ),
            "fees[0].price_fen",
        ),
        (
            with(
                "fees",
                json!([{"code": "A", "name": "x", "kind": "part", "price_fen": 1},
                       {"code": "a", "name": "y", "kind": "part", "price_fen": 2}]),
            ),
            "fees[1].code",
        ),
        (
            with("warranty_months_by_model", json!({"N910": 500})),
            "warranty_months_by_model.N910",
        ),
        (
            with("service_hours", json!("长".repeat(201))),
            "service_hours",
        ),
    ];
    let before = (
        app.count("provider_profiles").await,
        app.count("audit_events").await,
    );
    for (body, field) in cases {
        let r = put(&app, &admin, &a, body, "\"0\"").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r:?}");
        assert_eq!(r.body["field"], field, "{r:?}");
    }
    // Fractional fen is not an integer: refused by the JSON shape.
    let r = put(
        &app,
        &admin,
        &a,
        with(
            "fees",
            json!([{"code": "A", "name": "x", "kind": "part", "price_fen": 1.5}]),
        ),
        "\"0\"",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(
        (
            app.count("provider_profiles").await,
            app.count("audit_events").await
        ),
        before
    );
}

async fn logos(app: TestApp) {
    let a = app.a.id.to_string();
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let png = crate::authz_matrix::TINY_PNG.to_vec();
    let put = |bytes: Vec<u8>, ct: &'static str| {
        let app = &app;
        let admin = admin.clone();
        let a = a.clone();
        async move {
            app.call_with(
                Method::PUT,
                &format!("/api/v1/providers/{a}/logo"),
                Some(&admin),
                Some(bytes),
                &[("content-type", ct)],
            )
            .await
        }
    };
    assert_eq!(
        app.get(&format!("/api/v1/providers/{a}/logo"), &admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = put(png.clone(), "image/png").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["size"], png.len());
    // A JPEG declared as PNG, a PDF, an empty body and 300 KiB are refused.
    let jpeg = b"\xFF\xD8\xFF\xE0rest".to_vec();
    let r = put(jpeg.clone(), "image/png").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "file");
    let r = put(b"%PDF-1.7".to_vec(), "application/pdf").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = put(Vec::new(), "image/png").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let mut big = png.clone();
    big.resize(300 * 1024, 0);
    let r = put(big, "image/png").await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{r:?}");
    // The stored logo is still the PNG, served with its type, to A's merchants too.
    let g = app
        .call_with(
            Method::GET,
            &format!("/api/v1/providers/{a}/logo"),
            Some(&app.token(&app.a, Role::MerchantUser)),
            None,
            &[],
        )
        .await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.headers["content-type"], "image/png");
    // B cannot see or replace it.
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    assert_eq!(
        app.get(&format!("/api/v1/providers/{a}/logo"), &admin_b)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .call_with(
            Method::PUT,
            &format!("/api/v1/providers/{a}/logo"),
            Some(&admin_b),
            Some(jpeg),
            &[("content-type", "image/jpeg")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

app_tests!(profile_licence_fees_and_tenancy, profile_bad_input, logos);
