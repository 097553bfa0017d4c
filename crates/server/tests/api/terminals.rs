//! Terminal status transitions over the API: only legal moves, the binding each event implies,
//! If-Match, history from the audit trail, tenancy.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use serde_json::json;

use crate::app_tests;
use crate::helpers::TestApp;

async fn transitions_bindings_and_history(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let t = app.a.terminal.to_string();
    let go = |event: &str, mid: Option<&str>, v: Option<&str>| {
        let app = &app;
        let admin = admin.clone();
        let t = t.clone();
        let mut body = json!({ "event": event });
        if let Some(m) = mid {
            body["mid"] = json!(m);
        }
        let v = v.map(str::to_owned);
        async move {
            let headers: Vec<(&str, &str)> = match &v {
                Some(v) => vec![("if-match", v.as_str())],
                None => vec![],
            };
            app.call_with(
                Method::POST,
                &format!("/api/v1/terminals/{t}/transition"),
                Some(&admin),
                Some(body.to_string().into_bytes()),
                &headers,
            )
            .await
        }
    };
    let start = app.get(&format!("/api/v1/terminals/{t}"), &admin).await;
    assert_eq!(start.body["status"], "active");
    let mid = {
        let m = app.a.merchant.to_string();
        app.state
            .store
            .read(move |c| {
                Box::pin(async move {
                    c.query_one("SELECT mid FROM merchants WHERE id = $1", &[m.into()])
                        .await?
                        .text(0)
                })
            })
            .await
            .unwrap()
    };

    // Illegal moves answer 409 and change nothing.
    let r = go("activate", None, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = go("install", Some(&mid), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = go("explode", None, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["field"], "event");

    let r = go("suspend", None, Some("\"1\"")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "suspended");
    assert!(
        r.body["merchant_id"].is_string(),
        "suspension keeps the binding"
    );
    // Stale version: 412.
    let r = go("reinstate", None, Some("\"1\"")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    // Recover ends the binding; install needs a MID of this provider.
    let r = go("recover", None, None).await;
    assert_eq!(r.body["status"], "in_stock", "{r:?}");
    assert!(r.body["merchant_id"].is_null());
    let r = go("install", None, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "mid");
    let r = go("install", Some("999999999999999"), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let r = go("install", Some(&mid), None).await;
    assert_eq!(r.body["status"], "installed", "{r:?}");
    assert_eq!(r.body["merchant_id"], app.a.merchant.to_string());
    let r = go("retire", None, None).await;
    assert_eq!(r.body["status"], "retired");
    let r = go("activate", None, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "retired is final");

    // History: creation and each change, newest first; the merchant saw its own terminal's.
    let h = app
        .get(&format!("/api/v1/terminals/{t}/history"), &admin)
        .await;
    assert_eq!(h.status, StatusCode::OK, "{h:?}");
    let actions: Vec<&str> = h.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["retire", "install", "recover", "suspend", "create"]
    );

    // Tenancy and roles: B's admin cannot move or read A's terminal; an agent cannot move it.
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/terminals/{t}/transition"),
            Some(&admin_b),
            Some(json!({"event": "retire"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&format!("/api/v1/terminals/{t}/history"), &admin_b)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/terminals/{t}/transition"),
            Some(&app.token(&app.a, Role::Agent)),
            Some(json!({"event": "retire"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

app_tests!(transitions_bindings_and_history);
