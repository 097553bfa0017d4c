//! Closure and rating (issue 6 item 7): resolving asks the merchant to confirm and rate through
//! a one-time link and the portal; a rating closes the ticket, once; a low rating waits in the
//! supervisors' follow-up queue; an unanswered request closes the ticket after 3 working days;
//! the link's secret never reaches webhooks.

use axum::http::StatusCode;
use posdesk_core::authz::Role;
use serde_json::{Value as Json, json};

use crate::app_tests;
use crate::helpers::{Resp, TestApp};

/// Runs SQL inside the writer's transaction.
struct RawSql(String);

impl posdesk_storage::Mutation for RawSql {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn posdesk_storage::Conn,
        _ctx: &'a posdesk_storage::Ctx,
    ) -> futures::future::BoxFuture<'a, posdesk_storage::Result<posdesk_storage::Applied<()>>> {
        Box::pin(async move {
            c.batch(&self.0).await?;
            Ok(posdesk_storage::Applied::unaudited(()))
        })
    }
}

fn meta() -> posdesk_storage::WriteMeta {
    posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "test")
}

async fn sql(app: &TestApp, s: String) {
    app.state.store.write(meta(), RawSql(s)).await.unwrap();
}

async fn payloads(app: &TestApp, kind: &'static str) -> Vec<Json> {
    let rows = app
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query(
                    "SELECT payload FROM jobs WHERE kind = $1 ORDER BY created_at, id",
                    &[kind.into()],
                )
                .await
            })
        })
        .await
        .unwrap();
    rows.iter()
        .map(|r| serde_json::from_str(&r.text(0).unwrap()).unwrap())
        .collect()
}

/// Opens a ticket for merchant a and resolves it; returns its id.
async fn resolved(app: &TestApp, subject: &str) -> String {
    let agent = app.token(&app.a, Role::Agent);
    let r = app
        .post(
            "/api/v1/tickets",
            &agent,
            json!({"category": "printing", "priority": "p3", "channel": "hotline",
                   "merchant_id": app.a.merchant.to_string(), "terminal_id": app.a.terminal.to_string(),
                   "subject": subject, "description": "小票打印不清楚"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.body["id"].as_str().unwrap().to_owned();
    for e in ["triage", "resolve"] {
        let r = app
            .post(
                &format!("/api/v1/tickets/{id}/transition"),
                &agent,
                json!({"event": e}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{e}: {r:?}");
    }
    id
}

async fn status(app: &TestApp, id: &str) -> String {
    let agent = app.token(&app.a, Role::Agent);
    let r = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    r.body["ticket"]["status"]
        .as_str()
        .or_else(|| r.body["status"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn rate_link(app: &TestApp, token: &str, body: Json) -> Resp {
    app.call(
        axum::http::Method::POST,
        &format!("/api/v1/public/feedback/{token}"),
        None,
        Some(body),
    )
    .await
}

async fn rating_by_link_closes_once_and_low_ratings_are_followed_up(app: TestApp) {
    // The merchant's user has an address: the resolve e-mail carries the one-time link.
    let merchant_user = app.a.users[&Role::MerchantUser].0;
    sql(
        &app,
        format!("UPDATE users SET email = 'shop@example.cn' WHERE id = '{merchant_user}'"),
    )
    .await;
    let id = resolved(&app, "打印模糊").await;
    let mails = payloads(&app, "email").await;
    let resolved_mail = mails
        .iter()
        .find(|p| p["template"] == "ticket-resolved" && p["to"] == "shop@example.cn")
        .unwrap_or_else(|| panic!("no resolve e-mail: {mails:?}"));
    let token = resolved_mail["params"]["feedback_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 32);
    // The e-mail renders the link; webhooks never carry the secret.
    let mut params = resolved_mail["params"].as_object().unwrap().clone();
    params.insert("public_url".into(), json!("https://desk.example.cn"));
    let (_, body) = posdesk_server::jobs::email::render(
        "ticket-resolved",
        posdesk_server::i18n::Locale::ZhCn,
        &params,
    );
    assert!(
        body.contains(&format!("https://desk.example.cn/feedback/{token}")),
        "{body}"
    );
    for w in payloads(&app, "webhook").await {
        assert!(!w.to_string().contains(&token), "{w}");
    }
    // Wrong secrets and bad ratings: nothing changes.
    let r = rate_link(&app, &"0".repeat(32), json!({"stars": 5})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = rate_link(&app, "not-a-token", json!({"stars": 5})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = rate_link(&app, &token, json!({"stars": 6})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "stars");
    assert_eq!(status(&app, &id).await, "resolved");
    // A low rating through the link: the ticket closes, the supervisors' queue lists it.
    let r = rate_link(
        &app,
        &token,
        json!({"stars": 2, "comment": "等了三天才修好"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["stars"], 2);
    assert_eq!(status(&app, &id).await, "closed");
    let again = rate_link(&app, &token, json!({"stars": 5})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "once: {again:?}");
    let sup = app.token(&app.a, Role::Supervisor);
    let q = app.get("/api/v1/feedback/follow-ups", &sup).await;
    assert_eq!(q.status, StatusCode::OK, "{q:?}");
    assert_eq!(q.body.as_array().unwrap().len(), 1, "{q:?}");
    // Another provider's supervisor sees nothing of it; an agent may not close the follow-up.
    let other = app.token(&app.b, Role::Supervisor);
    assert_eq!(
        app.get("/api/v1/feedback/follow-ups", &other).await.body,
        json!([])
    );
    let agent = app.token(&app.a, Role::Agent);
    let r = app
        .post(
            &format!("/api/v1/feedback/follow-ups/{id}"),
            &agent,
            json!({"note": "已回访"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let r = app
        .post(
            &format!("/api/v1/feedback/follow-ups/{id}"),
            &sup,
            json!({"note": "已致电商户致歉，说明配件到货延误"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let q = app.get("/api/v1/feedback/follow-ups", &sup).await;
    assert_eq!(q.body, json!([]));
}

async fn portal_rating_and_auto_close(app: TestApp) {
    let me = app.token(&app.a, Role::MerchantUser);
    let id = resolved(&app, "读卡失败").await;
    // Staff do not rate for the merchant.
    let agent = app.token(&app.a, Role::Agent);
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/rating"),
            &agent,
            json!({"stars": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let r = app.get(&format!("/api/v1/tickets/{id}/rating"), &me).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(r.body["stars"].is_null());
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/rating"),
            &me,
            json!({"stars": 5, "comment": "很快修好了"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(status(&app, &id).await, "closed");
    // Nobody rated this one: once its close time has passed, the scan closes it, once.
    let second = resolved(&app, "屏幕无显示").await;
    let n = posdesk_server::service::feedback::scan_auto_close(&app.state, posdesk_storage::now())
        .await
        .unwrap();
    assert_eq!(n, 0, "3 working days have not passed");
    sql(
        &app,
        format!("UPDATE ticket_feedback SET close_at = 1 WHERE ticket_id = '{second}'"),
    )
    .await;
    let n = posdesk_server::service::feedback::scan_auto_close(&app.state, posdesk_storage::now())
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(status(&app, &second).await, "closed");
    let n = posdesk_server::service::feedback::scan_auto_close(&app.state, posdesk_storage::now())
        .await
        .unwrap();
    assert_eq!(n, 0);
    // A closed-unrated ticket cannot be rated afterwards.
    let r = app
        .post(
            &format!("/api/v1/tickets/{second}/rating"),
            &me,
            json!({"stars": 4}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    // The other provider's merchant user cannot see or rate it.
    let theirs = app.token(&app.b, Role::MerchantUser);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{id}/rating"), &theirs)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

app_tests!(
    rating_by_link_closes_once_and_low_ratings_are_followed_up,
    portal_rating_and_auto_close
);
