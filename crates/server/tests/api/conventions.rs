//! API conventions every later issue relies on: idempotent POSTs, optimistic concurrency with
//! ETag/If-Match, cursor pagination, request ids in the audit trail, the OpenAPI document.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use serde_json::json;

use crate::app_tests;
use crate::helpers::TestApp;

async fn idempotency_key_replays_the_first_response(app: TestApp) {
    let sup = app.token(&app.a, Role::Supervisor);
    let body =
        json!({"title": "春节服务安排", "body": "除夕至初三热线值守", "audience": "merchants"})
            .to_string()
            .into_bytes();
    let before = app.count("announcements").await;
    let send = |key: &'static str, body: Vec<u8>| {
        let sup = sup.clone();
        let app = &app;
        async move {
            app.call_with(
                Method::POST,
                "/api/v1/announcements",
                Some(&sup),
                Some(body),
                &[("idempotency-key", key)],
            )
            .await
        }
    };
    let first = send("k-1", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let again = send("k-1", body.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(
        again.body, first.body,
        "a replay returns the first response"
    );
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(
        app.count("announcements").await,
        before + 1,
        "never a second object"
    );

    let other = json!({"title": "另一个", "body": "x", "audience": "staff"})
        .to_string()
        .into_bytes();
    let r = send("k-1", other).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "Idempotency-Key");

    // Concurrent requests with one key create one object.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let router = app.router.clone();
        let sup = sup.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let req = axum::http::Request::post("/api/v1/announcements")
                .header("authorization", format!("Bearer {sup}"))
                .header("content-type", "application/json")
                .header("idempotency-key", "k-concurrent")
                .body(axum::body::Body::from(body))
                .unwrap();
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            )
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.insert(body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        ids.len(),
        1,
        "all concurrent replays return the same object"
    );
    assert_eq!(app.count("announcements").await, before + 2);

    // Keys are per caller: another user's same key is a new request.
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let r = app
        .call_with(
            Method::POST,
            "/api/v1/announcements",
            Some(&admin),
            Some(body),
            &[("idempotency-key", "k-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_ne!(r.body["id"], first.body["id"]);
}

async fn stale_updates_are_refused(app: TestApp) {
    let sup = app.token(&app.a, Role::Supervisor);
    let created = app
        .post(
            "/api/v1/announcements",
            &sup,
            json!({"title": "原标题", "body": "正文", "audience": "staff"}),
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/announcements/{id}");
    let got = app.get(&path, &sup).await;
    let etag = got.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, "\"1\"");

    // Two editors read version 1; the first save wins, the second gets 412 and changes nothing.
    let r1 = app
        .call_with(
            Method::PATCH,
            &path,
            Some(&sup),
            Some(json!({"title": "编辑甲"}).to_string().into_bytes()),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r1.status, StatusCode::OK, "{r1:?}");
    assert_eq!(r1.headers["etag"], "\"2\"");
    let r2 = app
        .call_with(
            Method::PATCH,
            &path,
            Some(&sup),
            Some(json!({"title": "编辑乙"}).to_string().into_bytes()),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r2.status, StatusCode::PRECONDITION_FAILED, "{r2:?}");
    assert_eq!(app.get(&path, &sup).await.body["title"], "编辑甲");

    let r = app
        .call_with(
            Method::PATCH,
            &path,
            Some(&sup),
            Some(json!({"title": "x"}).to_string().into_bytes()),
            &[("if-match", "garbage")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Illegal transitions are conflicts.
    let r = app.post(&format!("{path}/archive"), &sup, json!({})).await;
    assert_eq!(r.body["status"], "archived");
    let r = app.post(&format!("{path}/publish"), &sup, json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&sup),
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
}

async fn cursor_pagination_walks_every_row_once(app: TestApp) {
    let sup = app.token(&app.a, Role::Supervisor);
    for i in 0..7 {
        let r = app
            .post(
                "/api/v1/announcements",
                &sup,
                json!({"title": format!("第{i}条"), "body": "b", "audience": "staff"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/announcements?limit=3&cursor={c}"),
            None => "/api/v1/announcements?limit=3".to_owned(),
        };
        let r = app.get(&path, &sup).await;
        assert_eq!(r.status, StatusCode::OK);
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 7);
    assert_eq!(unique.len(), 7);
}

async fn every_change_is_audited_with_its_request_id(app: TestApp) {
    let sup = app.token(&app.a, Role::Supervisor);
    let r = app
        .call_with(
            Method::POST,
            "/api/v1/announcements",
            Some(&sup),
            Some(
                json!({"title": "审计", "body": "b", "audience": "staff"})
                    .to_string()
                    .into_bytes(),
            ),
            &[("x-request-id", "req-audit-42")],
        )
        .await;
    assert_eq!(r.headers["x-request-id"], "req-audit-42");
    let id = r.body["id"].as_str().unwrap();
    let auditor = app.token(&app.a, Role::Auditor);
    let events = app
        .get(
            &format!("/api/v1/audit?entity_type=announcement&entity_id={id}"),
            &auditor,
        )
        .await;
    let items = events.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{events:?}");
    let e = &items[0];
    assert_eq!(e["action"], "create");
    assert_eq!(e["request_id"], "req-audit-42");
    assert_eq!(e["actor_role"], "supervisor");
    assert_eq!(e["after"]["title"], "审计");
    assert!(e["before"].is_null());
    // A responding server always sets a request id.
    assert!(
        app.get("/api/v1/me", &sup)
            .await
            .headers
            .contains_key("x-request-id")
    );
    // The whole trail verifies.
    let reports = app
        .state
        .store
        .read(|c| Box::pin(async move { posdesk_storage::repo::audit::verify_all(c).await }))
        .await
        .unwrap();
    assert!(reports.iter().all(|r| r.result.is_ok()), "{reports:?}");
}

async fn openapi_and_operational_endpoints(app: TestApp) {
    let r = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["openapi"], "3.1.0");
    assert!(r.body["components"]["schemas"]["Problem"].is_object());
    assert!(r.body["components"]["securitySchemes"]["bearer"].is_object());
    assert!(r.body["paths"]["/api/v1/announcements"]["post"]["requestBody"].is_object());
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.call(Method::GET, "/readyz", None, None).await.status,
        StatusCode::OK
    );
    let sup = app.token(&app.a, Role::Supervisor);
    let _ = app.get("/api/v1/me", &sup).await;
    let m = app.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(
        m.body
            .as_str()
            .unwrap_or("")
            .contains("posdesk_http_requests_total"),
        "{m:?}"
    );
}

app_tests!(
    idempotency_key_replays_the_first_response,
    stale_updates_are_refused,
    cursor_pagination_walks_every_row_once,
    every_change_is_audited_with_its_request_id,
    openapi_and_operational_endpoints,
);
