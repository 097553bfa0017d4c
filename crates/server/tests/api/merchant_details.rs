//! Editing merchants over the API: `PATCH /api/v1/merchants/{id}` with `If-Match` (stale → 412,
//! bad fields → 422 naming the field, a MID already taken → 409), checked as a whole like a
//! registration (kind against identity), audited with the owner's ID masked; contacts and
//! business hours (`PUT …/contacts`, `PUT …/hours`); tenancy and merchant users.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use serde_json::{Value, json};

use crate::app_tests;
use crate::helpers::{Resp, TestApp};

async fn register(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let r = app.post("/api/v1/merchants", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.body["id"].as_str().unwrap().to_owned();
    let etag = etag(&app.get(&format!("/api/v1/merchants/{id}"), token).await);
    (id, etag)
}

fn etag(r: &Resp) -> String {
    r.headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("an ETag: {r:?}"))
        .to_owned()
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
    if_match: Option<&str>,
) -> Resp {
    let headers: Vec<(&str, &str)> = if_match.map(|v| ("if-match", v)).into_iter().collect();
    app.call_with(
        method,
        path,
        Some(token),
        Some(body.to_string().into_bytes()),
        &headers,
    )
    .await
}

async fn audit_holds(app: &TestApp, needle: &'static str) -> i64 {
    app.state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT COUNT(*) FROM audit_events WHERE after_json LIKE $1 OR before_json LIKE $1",
                    &[format!("%{needle}%").into()],
                )
                .await?
                .int(0)
            })
        })
        .await
        .unwrap()
}

async fn patch_with_if_match(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let (id, tag) = register(
        &app,
        &admin,
        json!({"name": "西湖茶社", "mid": "102330154110001", "kind": "company",
               "uscc": "91110000600037341L", "address": "文三路 90 号"}),
    )
    .await;
    let path = format!("/api/v1/merchants/{id}");
    assert_eq!(tag, "\"1\"");

    // A stale version: 412, nothing changes.
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        json!({"name": "新名"}),
        Some("\"7\""),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{r:?}");
    assert_eq!(app.get(&path, &admin).await.body["name"], "西湖茶社");

    // The current version: saved, the ETag moves on.
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        json!({"name": "西湖茶社（文三路店）", "risk_level": "high", "division_code": "330106"}),
        Some(&tag),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(etag(&r), "\"2\"");
    assert_eq!(r.body["name"], "西湖茶社（文三路店）");
    assert_eq!(r.body["risk_level"], "high");
    assert_eq!(
        r.body["address"], "文三路 90 号",
        "untouched fields keep their value"
    );
    assert_eq!(r.body["identity"], "91110000600037341L");
    // The old ETag is stale now.
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        json!({"name": "再改"}),
        Some(&tag),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    // `null` clears an optional field; a patch that changes nothing writes no version.
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        json!({"address": null}),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["address"], Value::Null);
    assert_eq!(r.body["version"], 3);
    let events = app.count("audit_events").await;
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        json!({"risk_level": "high"}),
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.body["version"].as_i64()),
        (StatusCode::OK, Some(3))
    );
    assert_eq!(
        app.count("audit_events").await,
        events,
        "no event for no change"
    );

    // Bad fields: 422 naming the field, checked as a whole (kind against identity).
    let long = "商".repeat(101);
    for (body, field) in [
        (json!({"mid": "10233015411000"}), "mid"),
        (json!({"mid": "1023301541100AB"}), "mid"),
        (json!({"name": " "}), "name"),
        (json!({"name": long}), "name"),
        (json!({"kind": "shop"}), "kind"),
        (json!({"kind": "micro"}), "owner_id"),
        (json!({"uscc": "91110000600037341A"}), "uscc"),
        (json!({"owner_id": "11010519491231002X"}), "uscc"),
        (json!({"division_code": "99"}), "division_code"),
        (json!({"risk_level": "extreme"}), "risk_level"),
    ] {
        let r = send(&app, Method::PATCH, &path, &admin, body.clone(), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["field"], field, "{body}: {r:?}");
    }
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        json!({"colour": "red"}),
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("colour")),
        "unknown fields are refused"
    );
    assert_eq!(app.get(&path, &admin).await.body["version"], 3);

    // A MID another merchant of the provider has: 409 on `mid`. Provider B's MIDs are no
    // conflict (unique per provider).
    let (_, _) = register(
        &app,
        &admin,
        json!({"name": "隔壁面馆", "mid": "102330154110002", "kind": "company",
               "uscc": "91110000600037341L"}),
    )
    .await;
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        json!({"mid": "102330154110002"}),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert_eq!(r.body["field"], "mid");
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    register(
        &app,
        &admin_b,
        json!({"name": "乙方商户", "mid": "102330154110003", "kind": "company",
               "uscc": "91110000600037341L"}),
    )
    .await;
    let r = send(
        &app,
        Method::PATCH,
        &path,
        &admin,
        json!({"mid": "102330154110003"}),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["mid"], "102330154110003");

    // A micro merchant: the kind may change to individual (the owner's ID is admitted) but not
    // to company; the supervisor who edits it sees the ID masked; the trail never holds it.
    let supervisor = app.token(&app.a, Role::Supervisor);
    let (micro, _) = register(
        &app,
        &supervisor,
        json!({"name": "张三早餐铺", "mid": "102330158120777", "kind": "micro",
               "owner_id": "11010519491231002X"}),
    )
    .await;
    let mpath = format!("/api/v1/merchants/{micro}");
    let r = send(
        &app,
        Method::PATCH,
        &mpath,
        &supervisor,
        json!({"kind": "company"}),
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("uscc"))
    );
    let r = send(
        &app,
        Method::PATCH,
        &mpath,
        &supervisor,
        json!({"kind": "individual", "name": "张三早点"}),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["kind"], "individual");
    assert_eq!(r.body["identity"], "110***********002X");
    assert_eq!(
        app.get(&mpath, &admin).await.body["identity"],
        "11010519491231002X",
        "the identity is kept in full"
    );
    // A new identity replaces the old one.
    let r = send(
        &app,
        Method::PATCH,
        &mpath,
        &admin,
        json!({"owner_id": "110105194912310021"}),
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("owner_id"))
    );
    let r = send(
        &app,
        Method::PATCH,
        &mpath,
        &admin,
        json!({"uscc": "91110000600037341L", "owner_id": null}),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["identity_kind"], "uscc");
    assert_eq!(
        audit_holds(&app, "11010519491231002X").await,
        0,
        "no full ID in the audit trail"
    );
    assert!(
        audit_holds(&app, "110***********002X").await >= 2,
        "the edits are audited, masked"
    );
}

async fn contacts_and_hours(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let (id, _) = register(
        &app,
        &admin,
        json!({"name": "湖滨咖啡", "mid": "102330158120901", "kind": "company",
               "uscc": "91110000600037341L", "contact_name": "吴女士", "contact_phone": "138 0571 0001"}),
    )
    .await;
    let cpath = format!("/api/v1/merchants/{id}/contacts");
    let hpath = format!("/api/v1/merchants/{id}/hours");
    let mpath = format!("/api/v1/merchants/{id}");

    // The single contact of the registration is the primary contact.
    let r = app.get(&cpath, &admin).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.body["contacts"],
        json!([{"name": "吴女士", "phone": "13805710001", "role": "other", "primary": true}])
    );
    let tag = etag(&r);

    // Replace: the primary one comes first and is mirrored in contact_name / contact_phone.
    let list = json!({"contacts": [
        {"name": "小王", "phone": "13805710002", "role": "cashier"},
        {"name": "周老板", "phone": "0571-88886666", "role": "owner", "primary": true},
    ]});
    let r = send(
        &app,
        Method::PUT,
        &cpath,
        &admin,
        list.clone(),
        Some("\"9\""),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{r:?}");
    let r = send(&app, Method::PUT, &cpath, &admin, list, Some(&tag)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["contacts"][0]["phone"], "0571-88886666");
    assert_eq!(r.body["contacts"][0]["primary"], true);
    assert_eq!(r.body["contacts"][1]["role"], "cashier");
    let m = app.get(&mpath, &admin).await;
    assert_eq!(
        (
            m.body["contact_name"].as_str(),
            m.body["contact_phone"].as_str()
        ),
        (Some("周老板"), Some("0571-88886666"))
    );
    let before = app.get(&cpath, &admin).await.body;
    let ok = |phone: &str| json!({"phone": phone});
    let many: Vec<Value> = (0..11)
        .map(|i| ok(&format!("1380571{:04}", i + 100)))
        .collect();
    for (body, field) in [
        (
            json!({"contacts": [ok("13805710001"), ok("123")]}),
            "contacts[1].phone",
        ),
        (
            json!({"contacts": [ok("13805710001"), ok("138-0571-0001")]}),
            "contacts[1].phone",
        ),
        (
            json!({"contacts": [{"phone": "13805710001", "role": "boss"}]}),
            "contacts[0].role",
        ),
        (
            json!({"contacts": [{"phone": "13805710001", "primary": true}, {"phone": "13805710002", "primary": true}]}),
            "contacts[1].primary",
        ),
        (
            json!({"contacts": [{"phone": "13805710001", "name": "名".repeat(51)}]}),
            "contacts[0].name",
        ),
        (json!({"contacts": many}), "contacts"),
    ] {
        let r = send(&app, Method::PUT, &cpath, &admin, body.clone(), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["field"], field, "{r:?}");
    }
    assert_eq!(
        app.get(&cpath, &admin).await.body,
        before,
        "nothing changed"
    );
    // An empty list removes every contact (and the mirror).
    let r = send(
        &app,
        Method::PUT,
        &cpath,
        &admin,
        json!({"contacts": []}),
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.body["contacts"].clone()),
        (StatusCode::OK, json!([]))
    );
    assert_eq!(
        app.get(&mpath, &admin).await.body["contact_phone"],
        Value::Null
    );

    // Business hours: not stated at first; set per weekday; bad hours name the day.
    let r = app.get(&hpath, &admin).await;
    assert_eq!(
        (r.status, r.body["stated"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let week = json!({"mon": "09:00-21:00", "tue": "09:00-21:00", "wed": "09:00-21:00",
                      "thu": "09:00-21:00", "fri": "09:00-21:00", "sat": "00:00-02:00,10:00-22:00",
                      "sun": "closed"});
    let r = send(
        &app,
        Method::PUT,
        &hpath,
        &admin,
        json!({"weekly": week}),
        Some(&etag(&r)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["stated"], true);
    assert_eq!(
        r.body["text"],
        "mon-fri 09:00-21:00; sat 00:00-02:00,10:00-22:00"
    );
    assert_eq!(r.body["weekly"]["sun"], "closed");
    let stale = r.body["version"].as_i64().unwrap() - 1;
    let r = send(
        &app,
        Method::PUT,
        &hpath,
        &admin,
        json!({"weekly": null}),
        Some(&format!("\"{stale}\"")),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let mut bad = week.clone();
    bad["sat"] = json!("22:00-10:00");
    let mut missing = week.clone();
    missing.as_object_mut().unwrap().remove("sun");
    let mut unknown = week.clone();
    unknown["holiday"] = json!("closed");
    for (weekly, field) in [
        (bad, "weekly.sat"),
        (missing, "weekly.sun"),
        (unknown, "weekly.holiday"),
    ] {
        let r = send(
            &app,
            Method::PUT,
            &hpath,
            &admin,
            json!({"weekly": weekly}),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
        assert_eq!(r.body["field"], field, "{r:?}");
    }
    assert_eq!(
        app.get(&hpath, &admin).await.body["text"],
        "mon-fri 09:00-21:00; sat 00:00-02:00,10:00-22:00"
    );
    // `weekly` must be given: a forgotten field never clears the hours.
    let r = send(&app, Method::PUT, &hpath, &admin, json!({}), None).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("weekly"))
    );
    let r = send(
        &app,
        Method::PUT,
        &hpath,
        &admin,
        json!({"weekly": null}),
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.body["stated"].as_bool()),
        (StatusCode::OK, Some(false))
    );
}

async fn tenancy_and_merchant_users(app: TestApp) {
    let own = app.a.merchant.to_string();
    let sibling = app.a.other_merchant.to_string();
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    let patch = json!({"name": "越权"});
    let contacts = json!({"contacts": [{"phone": "13805710009"}]});
    let hours = json!({"weekly": null});
    // Another provider's admin: 404 on every route.
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/api/v1/merchants/{own}"),
            patch.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/merchants/{own}/contacts"),
            contacts.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/merchants/{own}/hours"),
            hours.clone(),
        ),
    ] {
        let r = send(&app, method, &path, &admin_b, body, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {r:?}");
    }
    for path in [
        format!("/api/v1/merchants/{own}/contacts"),
        format!("/api/v1/merchants/{own}/hours"),
    ] {
        assert_eq!(app.get(&path, &admin_b).await.status, StatusCode::NOT_FOUND);
    }
    // A merchant user reads their own merchant's contacts and hours, not a sibling's, and
    // changes neither.
    let mu = app.token(&app.a, Role::MerchantUser);
    assert_eq!(
        app.get(&format!("/api/v1/merchants/{own}/contacts"), &mu)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/merchants/{own}/hours"), &mu)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/merchants/{sibling}/contacts"), &mu)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/merchants/{sibling}/hours"), &mu)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/api/v1/merchants/{own}"),
            patch.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/merchants/{own}/contacts"),
            contacts.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/merchants/{own}/hours"),
            hours.clone(),
        ),
    ] {
        let r = send(&app, method, &path, &mu, body, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {r:?}");
    }
    // An agent reads but does not edit; nothing changed.
    let agent = app.token(&app.a, Role::Agent);
    assert_eq!(
        app.get(&format!("/api/v1/merchants/{own}/contacts"), &agent)
            .await
            .status,
        StatusCode::OK
    );
    let r = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/merchants/{own}"),
        &agent,
        patch,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let m = app
        .get(
            &format!("/api/v1/merchants/{own}"),
            &app.token(&app.a, Role::ProviderAdmin),
        )
        .await;
    assert_eq!(m.body["name"], "商户a1");
    assert_eq!(m.body["version"], 1);
}

/// Runs SQL inside the writer's transaction (the migration's data step, below).
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

/// Migration 0009 turns the foundation's single contact into the primary contact, on each
/// engine with its own JSON functions: the stored JSON is what the repository reads.
async fn the_single_contact_migrates(app: TestApp) {
    let id = app.a.merchant.to_string();
    let set = format!(
        "UPDATE merchants SET contacts = NULL, contact_name = '张老板', contact_phone = '13800000000' WHERE id = '{id}'"
    );
    let m = posdesk_storage::migrate::MIGRATIONS
        .iter()
        .find(|m| m.version == 9)
        .expect("migration 9");
    let sql = match app.state.store.dialect() {
        posdesk_storage::Dialect::Sqlite => m.sqlite,
        posdesk_storage::Dialect::Postgres => m.postgres,
    };
    let step = &sql[sql.find("UPDATE merchants").expect("the data step")..];
    let meta = || posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "t");
    app.state.store.write(meta(), RawSql(set)).await.unwrap();
    app.state
        .store
        .write(meta(), RawSql(step.to_owned()))
        .await
        .unwrap();
    let raw = app
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query_one("SELECT contacts FROM merchants WHERE id = $1", &[id.into()])
                    .await?
                    .opt_text(0)
            })
        })
        .await
        .unwrap()
        .expect("the migration wrote the contacts");
    let stored: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        stored,
        json!([{"name": "张老板", "phone": "13800000000", "role": "other", "primary": true}])
    );
    let r = app
        .get(
            &format!("/api/v1/merchants/{}/contacts", app.a.merchant),
            &app.token(&app.a, Role::ProviderAdmin),
        )
        .await;
    assert_eq!(r.body["contacts"], stored);
}

app_tests!(
    patch_with_if_match,
    contacts_and_hours,
    tenancy_and_merchant_users,
    the_single_contact_migrates
);
