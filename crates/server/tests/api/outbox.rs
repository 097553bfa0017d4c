//! The transactional outbox: notifications exist if and only if their change committed, and
//! each is delivered once even with several job runners on one database.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use posdesk_core::authz::Role;
use posdesk_server::AppState;
use serde_json::json;

use crate::app_tests;
use crate::helpers::TestApp;

async fn jobs_of(app: &TestApp, kind: &'static str) -> Vec<posdesk_storage::repo::jobs::JobInfo> {
    app.state
        .store
        .read(move |c| {
            Box::pin(async move { posdesk_storage::repo::jobs::list(c, None, Some(kind)).await })
        })
        .await
        .unwrap()
}

async fn drain(state: &AppState, worker: &str) {
    while posdesk_server::jobs::run_once(state, worker, 16)
        .await
        .unwrap()
        > 0
    {}
}

async fn email_is_sent_only_for_committed_changes(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let r = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"login": "new.agent", "display_name": "新坐席", "role": "agent", "email": "new.agent@example.cn", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(jobs_of(&app, "email").await.len(), 1);
    // A create that fails (duplicate login) leaves no e-mail behind.
    let r = app
        .post("/api/v1/users", &admin, json!({"login": "new.agent", "display_name": "重复", "role": "agent", "email": "dup@example.cn"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(jobs_of(&app, "email").await.len(), 1);

    drain(&app.state, "w1").await;
    let jobs = jobs_of(&app, "email").await;
    assert_eq!(jobs[0].state, "done", "{jobs:?}");
    let dir = app.state.config.data_dir.join("mail-outbox");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(eml.contains("new.agent@example.cn"), "{eml}");
    assert!(
        eml.contains("Subject: =?utf-8?"),
        "the Chinese subject is RFC 2047 encoded: {eml}"
    );
}

/// One delivery as the receiver saw it: headers and body.
type Delivery = (HeaderMap, Vec<u8>);

#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Delivery>>>);

async fn receiver(fail_first: bool) -> (String, Received) {
    let received = Received::default();
    let r2 = received.clone();
    let calls = Arc::new(Mutex::new(0u32));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let r2 = r2.clone();
            let calls = calls.clone();
            async move {
                let n = {
                    let mut c = calls.lock().unwrap();
                    *c += 1;
                    *c
                };
                if fail_first && n == 1 {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                r2.0.lock().unwrap().push((headers, body.to_vec()));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), received)
}

async fn webhooks_are_signed_and_retried(app: TestApp) {
    let (url, received) = receiver(true).await;
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let w = app
        .post(
            "/api/v1/webhooks",
            &admin,
            json!({"url": url, "events": ["announcement.published"]}),
        )
        .await;
    assert_eq!(w.status, StatusCode::CREATED, "{w:?}");
    let secret = w.body["secret"].as_str().unwrap().to_owned();
    assert!(
        app.get("/api/v1/webhooks", &admin).await.body["items"][0]
            .get("secret")
            .is_none(),
        "secret shown once"
    );

    // A draft emits nothing; publishing emits one event.
    let a = app
        .post(
            "/api/v1/announcements",
            &admin,
            json!({"title": "草稿", "body": "b", "audience": "merchants"}),
        )
        .await;
    assert!(jobs_of(&app, "webhook").await.is_empty());
    let id = a.body["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/announcements/{id}/publish"),
        &admin,
        json!({}),
    )
    .await;
    assert_eq!(jobs_of(&app, "webhook").await.len(), 1);

    // First delivery fails (503) and is rescheduled with backoff.
    drain(&app.state, "w1").await;
    let jobs = jobs_of(&app, "webhook").await;
    assert_eq!(
        (jobs[0].state.as_str(), jobs[0].attempts),
        ("queued", 1),
        "{jobs:?}"
    );
    assert!(jobs[0].last_error.as_deref().unwrap_or("").contains("503"));
    // Make it due now and run again.
    app.state
        .store
        .write(
            posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "t"),
            MakeDue,
        )
        .await
        .unwrap();
    drain(&app.state, "w1").await;
    assert_eq!(jobs_of(&app, "webhook").await[0].state, "done");

    let got = received.0.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (headers, body) = &got[0];
    assert_eq!(headers["x-posdesk-event"], "announcement.published");
    let sig = headers["x-posdesk-signature"].to_str().unwrap();
    let (t, v1) = sig.split_once(',').unwrap();
    let t: i64 = t.strip_prefix("t=").unwrap().parse().unwrap();
    assert_eq!(
        v1.strip_prefix("v1=").unwrap(),
        posdesk_server::jobs::webhook::sign(&secret, t, body)
    );
    let payload: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(payload["data"]["id"], id);
}

async fn several_runners_deliver_each_event_once(app: TestApp) {
    let (url, received) = receiver(false).await;
    let admin = app.token(&app.a, Role::ProviderAdmin);
    app.post(
        "/api/v1/webhooks",
        &admin,
        json!({"url": url, "events": ["*"]}),
    )
    .await;
    for i in 0..20 {
        let r = app
            .post("/api/v1/announcements", &admin, json!({"title": format!("公告{i}"), "body": "b", "audience": "merchants", "publish": true}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    // A second server process on the same database (PostgreSQL) or file (SQLite).
    let second_store = posdesk_storage::Store::open(&app.state.config.database)
        .await
        .unwrap();
    let second = AppState::new(second_store, (*app.state.config).clone(), None);
    let (s1, s2) = (app.state.clone(), second.clone());
    let a = tokio::spawn(async move { drain(&s1, "runner-1").await });
    let b = tokio::spawn(async move { drain(&s2, "runner-2").await });
    a.await.unwrap();
    b.await.unwrap();
    drain(&app.state, "runner-1").await;
    let got = received.0.lock().unwrap().clone();
    let mut ids: Vec<String> = got
        .iter()
        .map(|(h, _)| h["x-posdesk-delivery"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 20, "each event delivered");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "no event delivered twice");
}

/// Test helper: makes every queued job due now.
struct MakeDue;
impl posdesk_storage::Mutation for MakeDue {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn posdesk_storage::Conn,
        _ctx: &'a posdesk_storage::Ctx,
    ) -> futures::future::BoxFuture<'a, posdesk_storage::Result<posdesk_storage::Applied<()>>> {
        Box::pin(async move {
            c.execute("UPDATE jobs SET run_at = 0 WHERE state = 'queued'", &[])
                .await?;
            Ok(posdesk_storage::Applied::unaudited(()))
        })
    }
}

app_tests!(
    email_is_sent_only_for_committed_changes,
    webhooks_are_signed_and_retried,
    several_runners_deliver_each_event_once
);
