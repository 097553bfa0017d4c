//! A provider's complaint rules: defaults until stored, checked on save, applied to the clock
//! of open complaints, guarded by If-Match, another provider untouched.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use serde_json::{Value as Json, json};

use crate::app_tests;
use crate::helpers::{Resp, TestApp};

async fn put(app: &TestApp, token: &str, body: Json, version: Option<&str>) -> Resp {
    let mut headers = vec![];
    if let Some(v) = version {
        headers.push(("if-match", v));
    }
    app.call_with(
        Method::PUT,
        "/api/v1/complaint-rules",
        Some(token),
        Some(body.to_string().into_bytes()),
        &headers,
    )
    .await
}

fn complaint() -> Json {
    json!({
        "channel": "hotline", "category": "fees", "complainant_name": "周女士",
        "phone": "13700001111", "narrative": "手续费扣多了", "request": "退还"
    })
}

async fn act(app: &TestApp, token: &str, id: &str, body: Json) -> Resp {
    app.post(&format!("/api/v1/complaints/{id}/actions"), token, body)
        .await
}

async fn rules_default_then_stored_and_applied(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    let r = app.get("/api/v1/complaint-rules", &officer).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["version"], 0);
    assert_eq!(r.body["rules"]["decision_days"], 15);
    assert_eq!(r.body["rules"]["extension_steps"][1]["to_days"], 60);

    // Bad rules name the field; nothing stored.
    let bad = json!({"acknowledge_working_minutes": 600, "decision_days": 15,
        "extension_steps": [{"to_days": 30, "needs_manager": false}, {"to_days": 20, "needs_manager": true}]});
    let r = put(&app, &admin, bad, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "extension_steps[1].to_days");
    // Only provider admins change them.
    let one_step = json!({"acknowledge_working_minutes": 600, "decision_days": 10,
        "extension_steps": [{"to_days": 20, "needs_manager": false}]});
    let r = put(&app, &officer, one_step.clone(), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    assert_eq!(
        app.get("/api/v1/complaint-rules", &admin).await.body["version"],
        0
    );

    let r = put(&app, &admin, one_step.clone(), Some("\"0\"")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["version"], 1);
    // A stale If-Match is refused.
    let r = put(&app, &admin, one_step, Some("\"0\"")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{r:?}");

    // The provider's complaints run on them: 10 days, one extension step to 20, no second.
    let k = app.post("/api/v1/complaints", &officer, complaint()).await;
    assert_eq!(k.status, StatusCode::CREATED, "{k:?}");
    assert_eq!(k.body["decision_days"], 10, "{k:?}");
    let id = k.body["id"].as_str().unwrap().to_owned();
    let r = act(
        &app,
        &officer,
        &id,
        json!({"action": "extend", "to_days": 21, "text": "需调查"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "to_days");
    let r = act(
        &app,
        &officer,
        &id,
        json!({"action": "extend", "to_days": 20, "text": "需调查"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["decision_days"], 20);
    let r = act(
        &app,
        &officer,
        &id,
        json!({"action": "extend", "to_days": 20, "text": "再延"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a second extension: {r:?}");

    // The other provider keeps the defaults.
    let other = app.token(&app.b, Role::ProviderAdmin);
    let r = app.get("/api/v1/complaint-rules", &other).await;
    assert_eq!(r.body["version"], 0);
    assert_eq!(r.body["rules"]["decision_days"], 15);
    // A merchant user does not read the provider's settings.
    let merchant = app.token(&app.a, Role::MerchantUser);
    assert_eq!(
        app.get("/api/v1/complaint-rules", &merchant).await.status,
        StatusCode::FORBIDDEN
    );
}

/// A complaint links the ticket and the repair order it is about; another provider's repair
/// is refused by name, and the merchant's view shows neither.
async fn complaints_link_tickets_and_repairs(app: TestApp) {
    let agent = app.token(&app.a, Role::Agent);
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    let r = app
        .post(
            "/api/v1/tickets",
            &agent,
            json!({"category": "printing", "subject": "小票打印不清", "description": "打印字迹很淡",
                   "merchant_id": app.a.merchant.to_string(), "terminal_id": app.a.terminal.to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let ticket = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/tickets/{ticket}/repairs"),
            &agent,
            json!({"method": "on_site"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let repair = r.body["id"].as_str().unwrap().to_owned();
    let mut body = complaint();
    body["mid"] = json!(null);
    let k = app.post("/api/v1/complaints", &officer, body).await;
    assert_eq!(k.status, StatusCode::CREATED, "{k:?}");
    let id = k.body["id"].as_str().unwrap().to_owned();
    let r = act(
        &app,
        &officer,
        &id,
        json!({"action": "link", "ticket_id": ticket}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = act(
        &app,
        &officer,
        &id,
        json!({"action": "link", "repair_id": repair}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // The same link twice, and a repair that is not the provider's: refused, nothing added.
    let r = act(
        &app,
        &officer,
        &id,
        json!({"action": "link", "repair_id": repair}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = act(
        &app,
        &officer,
        &id,
        json!({"action": "link", "repair_id": "0192f5c0-7a1b-7cc3-9d2e-1234567890ab"}),
    )
    .await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("repair_id")),
        "{r:?}"
    );
    let d = app.get(&format!("/api/v1/complaints/{id}"), &officer).await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    let text = d.body.to_string();
    assert!(text.contains(&repair) && text.contains(&ticket), "{text}");
}

app_tests!(
    rules_default_then_stored_and_applied,
    complaints_link_tickets_and_repairs
);
