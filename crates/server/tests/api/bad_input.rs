//! Bad input gets a clear problem+json error with the right status, naming the field and the
//! rule, and nothing stored changes.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use serde_json::json;

use crate::app_tests;
use crate::helpers::TestApp;

async fn snapshot(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("announcements").await,
        app.count("users").await,
        app.count("audit_events").await,
    )
}

fn assert_problem(
    r: &crate::helpers::Resp,
    status: StatusCode,
    field: Option<&str>,
    rule: Option<&str>,
) {
    assert_eq!(r.status, status, "{r:?}");
    assert_eq!(
        r.headers["content-type"], "application/problem+json",
        "{r:?}"
    );
    assert_eq!(r.body["status"], status.as_u16(), "{r:?}");
    assert!(
        r.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{r:?}"
    );
    if let Some(f) = field {
        assert_eq!(r.body["field"], f, "{r:?}");
    }
    if let Some(rule) = rule {
        assert_eq!(r.body["rule"], rule, "{r:?}");
    }
}

async fn bad_input_is_refused_and_changes_nothing(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let before = snapshot(&app).await;
    let post = |body: Vec<u8>, headers: Vec<(&'static str, &'static str)>| {
        let admin = admin.clone();
        let app = &app;
        async move {
            app.call_with(
                Method::POST,
                "/api/v1/announcements",
                Some(&admin),
                Some(body),
                &headers,
            )
            .await
        }
    };

    let r = post(b"{\"title\": ".to_vec(), vec![]).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, Some("body"), Some("invalid"));

    let r = post(
        b"{\"title\":\"a\",\"body\":\"b\",\"audience\":\"staff\",\"colour\":\"red\"}".to_vec(),
        vec![],
    )
    .await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("colour"),
        Some("invalid"),
    );

    let r = post(
        b"{\"title\":42,\"body\":\"b\",\"audience\":\"staff\"}".to_vec(),
        vec![],
    )
    .await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("title"),
        Some("invalid"),
    );

    let r = post(b"{\"body\":\"b\",\"audience\":\"staff\"}".to_vec(), vec![]).await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("title"),
        Some("required"),
    );

    let long = json!({"title": "长".repeat(201), "body": "b", "audience": "staff"})
        .to_string()
        .into_bytes();
    let r = post(long, vec![]).await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("title"),
        Some("too_long"),
    );

    let r = post(
        json!({"title": "t", "body": "b", "audience": "everyone"})
            .to_string()
            .into_bytes(),
        vec![],
    )
    .await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("audience"),
        Some("one_of"),
    );

    let mut bad_utf8 = b"{\"title\":\"".to_vec();
    bad_utf8.extend([0xff, 0xfe]);
    bad_utf8.extend(b"\",\"body\":\"b\",\"audience\":\"staff\"}");
    let r = post(bad_utf8, vec![]).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, Some("body"), None);

    let huge = json!({"title": "t", "body": "x".repeat(2 * 1024 * 1024), "audience": "staff"})
        .to_string()
        .into_bytes();
    let r = post(huge, vec![]).await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, None, None);

    let r = post(
        b"title=t".to_vec(),
        vec![("content-type", "application/x-www-form-urlencoded")],
    )
    .await;
    assert_problem(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, None, None);

    let r = app
        .call(
            Method::GET,
            "/api/v1/announcements?limit=0",
            Some(&admin),
            None,
        )
        .await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("limit"),
        Some("range"),
    );
    let r = app
        .call(
            Method::GET,
            "/api/v1/announcements?cursor=zz",
            Some(&admin),
            None,
        )
        .await;
    assert_problem(&r, StatusCode::BAD_REQUEST, Some("cursor"), None);

    // Users: duplicate login names the field; a weak password names the rule.
    let r = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"login": "a.agent", "display_name": "重复", "role": "agent"}),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, Some("login"), None);
    let r = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"login": "weak.pw", "display_name": "弱", "role": "agent", "password": "123"}),
        )
        .await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("password"),
        Some("too_short"),
    );
    let r = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"login": "x.role", "display_name": "角色", "role": "king"}),
        )
        .await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("role"),
        Some("one_of"),
    );
    let r = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"login": "m.nobind", "display_name": "商户", "role": "merchant_user"}),
        )
        .await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("merchant_id"),
        None,
    );
    // A merchant of another provider cannot be bound.
    let r = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"login": "m.cross", "display_name": "商户", "role": "merchant_user", "merchant_id": app.b.merchant.to_string()}),
        )
        .await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("merchant_id"),
        None,
    );

    assert_eq!(
        snapshot(&app).await,
        before,
        "no bad request changed anything"
    );
}

async fn credentials_are_checked(app: TestApp) {
    let path = "/api/v1/me";
    let r = app.call(Method::GET, path, None, None).await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, None, None);
    assert_eq!(r.headers["www-authenticate"], "Bearer");
    let r = app
        .call(Method::GET, path, Some("pd_not-a-real-token"), None)
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, None, None);
    let r = app
        .call_with(
            Method::GET,
            path,
            None,
            None,
            &[("authorization", "Basic YTpi")],
        )
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, None, None);

    // Revoked: works before, 401 after.
    let agent = app.token(&app.a, Role::Agent);
    let created = app
        .post("/api/v1/tokens", &agent, json!({"name": "脚本"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pd_"));
    assert_eq!(app.get(path, &secret).await.status, StatusCode::OK);
    let id = created.body["id"].as_str().unwrap();
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_problem(
        &app.get(path, &secret).await,
        StatusCode::UNAUTHORIZED,
        None,
        None,
    );
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "revoking twice: {r:?}");

    // Expired: a token whose expiry has passed.
    let (uid, _) = app.a.users[&Role::Agent];
    let (secret, prefix, hash) = posdesk_server::auth::secret::new_api_token();
    app.state
        .store
        .write(
            posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "expired"),
            posdesk_storage::repo::tokens::CreateToken {
                id: posdesk_core::ids::TokenId::from_uuid(uuid::Uuid::now_v7()),
                user_id: uid,
                role: Role::Agent,
                name: "old".into(),
                token_hash: hash,
                prefix,
                expires_at: Some(posdesk_core::Timestamp::from_millis(1_000)),
            },
        )
        .await
        .unwrap();
    assert_problem(
        &app.get(path, &secret).await,
        StatusCode::UNAUTHORIZED,
        None,
        None,
    );

    // A token cannot carry more rights than its owner.
    let r = app
        .post(
            "/api/v1/tokens",
            &agent,
            json!({"name": "升级", "role": "provider_admin"}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("role"), None);
    // A narrower token acts with the narrower role.
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let r = app
        .post(
            "/api/v1/tokens",
            &admin,
            json!({"name": "只读", "role": "auditor"}),
        )
        .await;
    let ro = r.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(app.get(path, &ro).await.body["role"], "auditor");
    let r = app
        .post(
            "/api/v1/announcements",
            &ro,
            json!({"title": "t", "body": "b", "audience": "staff"}),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, None, None);

    // Disabling a user revokes their tokens at once.
    let (tech_id, tech_token) = app.a.users[&Role::Technician].clone();
    assert_eq!(app.get(path, &tech_token).await.status, StatusCode::OK);
    let r = app
        .post(
            &format!("/api/v1/users/{tech_id}/disable"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_problem(
        &app.get(path, &tech_token).await,
        StatusCode::UNAUTHORIZED,
        None,
        None,
    );
}

async fn cross_tenant_ids_answer_404(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let (b_agent, _) = app.b.users[&Role::Agent];
    for path in [
        format!("/api/v1/users/{b_agent}"),
        format!("/api/v1/merchants/{}", app.b.merchant),
        format!("/api/v1/terminals/{}", app.b.terminal),
        format!("/api/v1/providers/{}", app.b.id),
        "/api/v1/users/not-a-uuid".to_owned(),
        "/api/v1/no-such-route".to_owned(),
    ] {
        let r = app.get(&path, &admin).await;
        assert_problem(&r, StatusCode::NOT_FOUND, None, None);
    }
    let before = app.count("audit_events").await;
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{b_agent}"),
            Some(&admin),
            Some(json!({"display_name": "入侵"})),
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, None, None);
    let r = app
        .post(
            &format!("/api/v1/users/{b_agent}/disable"),
            &admin,
            json!({}),
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, None, None);
    assert_eq!(app.count("audit_events").await, before);
}

app_tests!(
    bad_input_is_refused_and_changes_nothing,
    credentials_are_checked,
    cross_tenant_ids_answer_404
);
