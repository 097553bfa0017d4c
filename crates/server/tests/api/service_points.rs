//! Service points over the API: create, list by region, edit with If-Match, technicians that
//! must be the provider's own, the service point's calendar layered over the provider's.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use serde_json::{Value, json};

use crate::app_tests;
use crate::helpers::TestApp;

fn body(name: &str, division: &str) -> Value {
    json!({
        "name": name, "division_code": division, "address": "文三路 90 号",
        "weekly": {"mon": "08:30-17:30", "tue": "08:30-17:30", "wed": "08:30-17:30", "thu": "08:30-17:30",
                   "fri": "08:30-17:30", "sat": "09:00-12:00", "sun": "closed"},
        "skills": ["install", "hardware_repair", "mail_in"]
    })
}

fn day<'a>(days: &'a Value, date: &str) -> &'a Value {
    days["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap()
}

async fn service_points_crud_and_calendar(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let tech_a = app.a.users[&Role::Technician].0.to_string();
    let agent_a = app.a.users[&Role::Agent].0.to_string();
    let tech_b = app.b.users[&Role::Technician].0.to_string();

    let mut b1 = body("西湖网点", "330106");
    b1["technicians"] = json!([tech_a]);
    let r = app.post("/api/v1/service-points", &admin, b1.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["province_name"], "浙江省");
    assert_eq!(r.body["city_code"], "330100");
    assert_eq!(
        r.body["skills"],
        json!(["install", "hardware_repair", "mail_in"])
    );
    let west = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post("/api/v1/service-points", &admin, body("福田网点", "440304"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .post("/api/v1/service-points", &admin, body("滨江网点", "330108"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");

    // Listed by region: Zhejiang (33…) before Guangdong (44…).
    let l = app
        .get("/api/v1/service-points", &app.token(&app.a, Role::Agent))
        .await;
    assert_eq!(l.status, StatusCode::OK);
    let names: Vec<&str> = l.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["西湖网点", "滨江网点", "福田网点"]);

    // Bad input: nothing stored.
    let before = app.count("service_points").await;
    let dup = app.post("/api/v1/service-points", &admin, b1.clone()).await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{dup:?}");
    let mut cases = Vec::new();
    let mut c = body("省级", "330000");
    cases.push((c.clone(), "division_code"));
    c = body("x", "33010");
    cases.push((c.clone(), "division_code"));
    c = body("x", "330106");
    c["technicians"] = json!([agent_a]);
    cases.push((c.clone(), "technicians[0]"));
    c["technicians"] = json!([tech_b]);
    cases.push((c.clone(), "technicians[0]"));
    c = body("x", "330106");
    c["skills"] = json!(["welding"]);
    cases.push((c.clone(), "skills[0]"));
    c = body("", "330106");
    cases.push((c.clone(), "name"));
    c = body("x", "330106");
    c["weekly"]["sat"] = json!("9-12");
    cases.push((c, "weekly.sat"));
    for (b, field) in cases {
        let r = app.post("/api/v1/service-points", &admin, b).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r:?}");
        assert_eq!(r.body["field"], field, "{r:?}");
    }
    assert_eq!(app.count("service_points").await, before);

    // Edit with If-Match; a stale version is refused.
    let mut edited = b1.clone();
    edited["active"] = json!(false);
    let put = |b: Value, v: &'static str| {
        let app = &app;
        let admin = admin.clone();
        let west = west.clone();
        async move {
            app.call_with(
                Method::PUT,
                &format!("/api/v1/service-points/{west}"),
                Some(&admin),
                Some(b.to_string().into_bytes()),
                &[("if-match", v)],
            )
            .await
        }
    };
    let r = put(edited.clone(), "\"1\"").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["active"], false);
    assert_eq!(r.body["version"], 2);
    assert_eq!(
        put(edited, "\"1\"").await.status,
        StatusCode::PRECONDITION_FAILED
    );
    let active = app.get("/api/v1/service-points?active=true", &admin).await;
    assert_eq!(active.body["items"].as_array().unwrap().len(), 2);

    // Calendar: 2026-01-10 is a Saturday — open at the service point, closed for the provider.
    let days = |path: String| {
        let app = &app;
        let admin = admin.clone();
        async move { app.get(&path, &admin).await }
    };
    let sp_days = format!("/api/v1/service-points/{west}/calendar/days?year=2026");
    let d = days(sp_days.clone()).await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    assert_eq!(day(&d.body, "2026-01-10")["hours"], "09:00-12:00");
    assert_eq!(day(&d.body, "2026-01-12")["hours"], "08:30-17:30");
    assert_eq!(day(&d.body, "2026-10-01")["kind"], "off");
    // A provider override applies at the service point; the service point's own lies on top.
    let r = app
        .call(
            Method::PUT,
            "/api/v1/calendar/overrides/2026-01-12",
            Some(&admin),
            Some(json!({"rule": "closed", "note": "年会"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d = days(sp_days.clone()).await;
    assert_eq!(day(&d.body, "2026-01-12")["kind"], "off");
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/service-points/{west}/calendar/overrides/2026-01-12"),
            Some(&admin),
            Some(json!({"rule": "hours", "hours": "13:00-17:00", "note": "网点下午值班"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d = days(sp_days.clone()).await;
    assert_eq!(day(&d.body, "2026-01-12")["hours"], "13:00-17:00");
    assert_eq!(day(&d.body, "2026-01-12")["note"], "网点下午值班");
    // The provider's own calendar is unaffected by the service point's layer.
    let p = days("/api/v1/calendar/days?year=2026".into()).await;
    assert_eq!(day(&p.body, "2026-01-12")["kind"], "off");
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/service-points/{west}/calendar/overrides/2026-01-12"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d = days(sp_days).await;
    assert_eq!(day(&d.body, "2026-01-12")["kind"], "off");

    // Tenancy: B sees nothing of A's.
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    let r = app
        .get(&format!("/api/v1/service-points/{west}"), &admin_b)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!("/api/v1/service-points/{west}/calendar/days?year=2026"),
            &admin_b,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/service-points/{west}/calendar/overrides/2026-01-13"),
            Some(&admin_b),
            Some(json!({"rule": "closed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let l = app.get("/api/v1/service-points", &admin_b).await;
    assert_eq!(l.body["items"], json!([]));
}

app_tests!(service_points_crud_and_calendar);
