//! Working-day calendars over the API: national years (built-in and loaded), a provider's hours,
//! overrides, import/export, tenancy, bad input leaving nothing changed, audit events.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use serde_json::{Value, json};

use crate::app_tests;
use crate::helpers::TestApp;

fn day<'a>(days: &'a Value, date: &str) -> &'a Value {
    days["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap_or_else(|| panic!("{date} missing"))
}

async fn audit_count(app: &TestApp, entity_type: &'static str) -> i64 {
    app.state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT COUNT(*) FROM audit_events WHERE entity_type = $1",
                    &[entity_type.into()],
                )
                .await?
                .int(0)
            })
        })
        .await
        .unwrap()
}

async fn national_years_builtin_and_loaded(app: TestApp) {
    let platform = app.platform.1.clone();
    let r = app.get("/api/v1/holiday-years", &platform).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let years: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    for y in 2020..=2026 {
        assert!(years.contains(&y), "{y} built in");
    }
    assert!(
        r.body["items"][0]["sources"][0]
            .as_str()
            .unwrap()
            .contains("国办发明电")
    );

    // 2027 is not loaded: a provider's 2027 days are provisional, weekends and fixed holidays.
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let d = app.get("/api/v1/calendar/days?year=2027", &admin).await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    assert_eq!(d.body["items"].as_array().unwrap().len(), 365);
    assert_eq!(day(&d.body, "2027-01-01")["kind"], "off");
    assert_eq!(day(&d.body, "2027-01-01")["provisional"], true);
    assert_eq!(day(&d.body, "2027-02-08")["kind"], "work");

    // A bad schedule names its line and stores nothing.
    let before = app.count("holiday_years").await;
    let bad = app
        .post(
            "/api/v1/holiday-years",
            &platform,
            json!({"schedule": "year 2027\nsource 国办发明电〔2026〕测试\noff 2027-02-30 春节 Spring Festival\n"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    assert_eq!(bad.body["field"], "schedule");
    assert_eq!(bad.body["rule"], "invalid_line");
    assert!(
        bad.body["detail"].as_str().unwrap().contains("line 3"),
        "{bad:?}"
    );
    assert_eq!(app.count("holiday_years").await, before);

    // Providers may not load national years.
    let denied = app
        .post(
            "/api/v1/holiday-years",
            &admin,
            json!({"schedule": "year 2027\nsource x\nwork 2027-02-20 春节\n"}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    // Loading 2027 settles it: the Spring Festival week is off, the make-up Saturday worked.
    let text = "year 2027\nsource 测试：国务院办公厅关于2027年部分节假日安排的通知\n\
                off 2027-02-06..2027-02-13 春节 Spring Festival\nwork 2027-02-20 春节 Spring Festival\n";
    let ok = app
        .post(
            "/api/v1/holiday-years",
            &platform,
            json!({"schedule": text}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{ok:?}");
    assert_eq!(ok.body["years"], json!([2027]));
    let d = app.get("/api/v1/calendar/days?year=2027", &admin).await;
    assert_eq!(day(&d.body, "2027-02-08")["kind"], "off");
    assert_eq!(day(&d.body, "2027-02-08")["reason"], "holiday");
    assert_eq!(day(&d.body, "2027-02-08")["provisional"], false);
    assert_eq!(day(&d.body, "2027-02-20")["kind"], "work");
    assert_eq!(day(&d.body, "2027-02-20")["reason"], "make_up_workday");
    // Loading it again replaces it (version 2), one audit event each time.
    let again = app
        .post(
            "/api/v1/holiday-years",
            &platform,
            json!({"schedule": text}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(audit_count(&app, "holiday_year").await, 2);
    let listed = app.get("/api/v1/holiday-years", &platform).await;
    let y2027 = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2027)
        .unwrap()
        .clone();
    assert_eq!(y2027["origin"], "loaded");
    assert_eq!(y2027["days_off"], 8);
    assert_eq!(y2027["make_up_days"], 1);
}

async fn provider_hours_overrides_and_tenancy(app: TestApp) {
    let admin_a = app.token(&app.a, Role::ProviderAdmin);
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    let agent_a = app.token(&app.a, Role::Agent);

    let c = app.get("/api/v1/calendar", &admin_a).await;
    assert_eq!(c.status, StatusCode::OK, "{c:?}");
    assert_eq!(c.body["version"], 0);
    assert_eq!(c.body["weekly"]["mon"], "08:00-18:00");
    assert_eq!(c.body["weekly"]["sat"], "closed");

    // Saturday mornings open; Tuesday with a lunch break.
    let weekly = json!({"mon": "08:00-18:00", "tue": "08:00-12:00,13:00-18:00", "wed": "08:00-18:00",
                        "thu": "08:00-18:00", "fri": "08:00-18:00", "sat": "09:00-12:00", "sun": "closed"});
    let put = app
        .call_with(
            Method::PUT,
            "/api/v1/calendar",
            Some(&admin_a),
            Some(
                json!({"weekly": weekly, "makeup_weekday": "fri"})
                    .to_string()
                    .into_bytes(),
            ),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    assert_eq!(put.body["version"], 1);
    assert_eq!(put.headers["etag"], "\"1\"");
    // A stale If-Match loses nothing: 412.
    let stale = app
        .call_with(
            Method::PUT,
            "/api/v1/calendar",
            Some(&admin_a),
            Some(json!({"weekly": weekly}).to_string().into_bytes()),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{stale:?}");
    // Agents read but do not edit.
    assert_eq!(
        app.get("/api/v1/calendar", &agent_a).await.status,
        StatusCode::OK
    );
    let denied = app
        .call(
            Method::PUT,
            "/api/v1/calendar",
            Some(&agent_a),
            Some(json!({"weekly": weekly})),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    // 2026-01-10 is a Saturday (no national entry): open 09:00–12:00 for provider A only.
    let d = app.get("/api/v1/calendar/days?year=2026", &admin_a).await;
    assert_eq!(day(&d.body, "2026-01-10")["kind"], "work");
    assert_eq!(day(&d.body, "2026-01-10")["hours"], "09:00-12:00");
    let d_b = app.get("/api/v1/calendar/days?year=2026", &admin_b).await;
    assert_eq!(day(&d_b.body, "2026-01-10")["kind"], "off");

    // An override: closed for stocktaking on a Wednesday.
    let set = app
        .call(
            Method::PUT,
            "/api/v1/calendar/overrides/2026-03-11",
            Some(&admin_a),
            Some(json!({"rule": "closed", "note": "盘点"})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{set:?}");
    assert_eq!(set.body["added"], 1);
    let d = app.get("/api/v1/calendar/days?year=2026", &admin_a).await;
    assert_eq!(day(&d.body, "2026-03-11")["kind"], "off");
    assert_eq!(day(&d.body, "2026-03-11")["reason"], "override");
    assert_eq!(day(&d.body, "2026-03-11")["note"], "盘点");
    // Provider B does not see it.
    let c_b = app.get("/api/v1/calendar", &admin_b).await;
    assert_eq!(c_b.body["overrides"], json!([]));

    // Import CSV (merge), then export both formats; re-importing the export changes nothing.
    let imp = app
        .post(
            "/api/v1/calendar/import",
            &admin_a,
            json!({"content": "\u{feff}date,kind,name\n2026-05-06,off,团建\n2026-05-09,work,补班\n"}),
        )
        .await;
    assert_eq!(imp.status, StatusCode::OK, "{imp:?}");
    assert_eq!(imp.body["added"], 2);
    let csv = app
        .get("/api/v1/calendar/export?format=csv", &admin_a)
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv_text = csv.body.as_str().unwrap().to_owned();
    assert!(csv_text.contains("2026-05-06"), "{csv_text}");
    let ics = app
        .get("/api/v1/calendar/export?format=ics", &admin_a)
        .await;
    let ics_text = ics.body.as_str().unwrap().to_owned();
    assert!(ics_text.starts_with("BEGIN:VCALENDAR"), "{ics_text}");
    let again = app
        .post(
            "/api/v1/calendar/import",
            &admin_a,
            json!({"content": ics_text}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.body["added"], 0);
    assert_eq!(again.body["replaced"], 0);

    // A broken import names the line and stores nothing.
    let before = app.count("calendar_overrides").await;
    let bad = app
        .post(
            "/api/v1/calendar/import",
            &admin_a,
            json!({"content": "2026-06-01,off,a\n2026-06-31,off,b\n"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    assert_eq!(bad.body["field"], "file");
    assert!(
        bad.body["detail"].as_str().unwrap().contains("line 2"),
        "{bad:?}"
    );
    let not_cal = app
        .post(
            "/api/v1/calendar/import",
            &admin_a,
            json!({"content": "hello world"}),
        )
        .await;
    assert_eq!(
        not_cal.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{not_cal:?}"
    );
    assert_eq!(app.count("calendar_overrides").await, before);

    // Replace: only the imported day remains.
    let rep = app
        .post(
            "/api/v1/calendar/import",
            &admin_a,
            json!({"content": "2026-10-09,off,调整\n", "replace": true}),
        )
        .await;
    assert_eq!(rep.status, StatusCode::OK, "{rep:?}");
    assert_eq!(rep.body["removed"], 3);
    let c = app.get("/api/v1/calendar", &admin_a).await;
    assert_eq!(c.body["overrides"].as_array().unwrap().len(), 1);

    // Remove it; removing again is 404.
    let del = app
        .call(
            Method::DELETE,
            "/api/v1/calendar/overrides/2026-10-09",
            Some(&admin_a),
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::OK, "{del:?}");
    let del2 = app
        .call(
            Method::DELETE,
            "/api/v1/calendar/overrides/2026-10-09",
            Some(&admin_a),
            None,
        )
        .await;
    assert_eq!(del2.status, StatusCode::NOT_FOUND);
    // Every change was audited on A's chain: settings 1, days 1 + 2 + 1 (replace) + 3 removed + 1.
    assert_eq!(audit_count(&app, "calendar").await, 1);
    assert_eq!(audit_count(&app, "calendar_day").await, 8);
}

async fn calendar_bad_input(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let cases = [
        (
            Method::PUT,
            "/api/v1/calendar",
            json!({"weekly": {"mon": "8-18"}}),
            "weekly.mon",
        ),
        (
            Method::PUT,
            "/api/v1/calendar",
            json!({"weekly": {"mon": "08:00-18:00", "tue": "closed", "wed": "closed", "thu": "closed",
                              "fri": "closed", "sat": "closed"}}),
            "weekly.sun",
        ),
        (
            Method::PUT,
            "/api/v1/calendar",
            json!({"weekly": {"mon": "closed", "tue": "closed", "wed": "closed", "thu": "closed",
                              "fri": "closed", "sat": "closed", "sun": "closed"}}),
            "weekly",
        ),
        (
            Method::PUT,
            "/api/v1/calendar",
            json!({"weekly": {"mon": "08:00-18:00", "tue": "closed", "wed": "closed", "thu": "closed",
                              "fri": "closed", "sat": "closed", "sun": "closed", "xyz": "closed"}}),
            "weekly.xyz",
        ),
        (
            Method::PUT,
            "/api/v1/calendar/overrides/2026-02-30",
            json!({"rule": "closed"}),
            "date",
        ),
        (
            Method::PUT,
            "/api/v1/calendar/overrides/2026-03-02",
            json!({"rule": "shut"}),
            "rule",
        ),
        (
            Method::PUT,
            "/api/v1/calendar/overrides/2026-03-02",
            json!({"rule": "hours"}),
            "hours",
        ),
        (
            Method::PUT,
            "/api/v1/calendar/overrides/2026-03-02",
            json!({"rule": "hours", "hours": "18:00-08:00"}),
            "hours",
        ),
        (
            Method::PUT,
            "/api/v1/calendar/overrides/2026-03-02",
            json!({"rule": "closed", "note": "长".repeat(101)}),
            "note",
        ),
        (
            Method::POST,
            "/api/v1/calendar/import",
            json!({"content": ""}),
            "file",
        ),
    ];
    let before = (
        app.count("calendar_overrides").await,
        app.count("provider_calendars").await,
        app.count("audit_events").await,
    );
    for (m, path, body, field) in cases {
        let r = app.call(m.clone(), path, Some(&admin), Some(body)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{m} {path}: {r:?}"
        );
        assert_eq!(r.body["field"], field, "{m} {path}: {r:?}");
    }
    let y = app.get("/api/v1/calendar/days?year=1999", &admin).await;
    assert_eq!(y.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(y.body["field"], "year");
    let f = app.get("/api/v1/calendar/export?format=pdf", &admin).await;
    assert_eq!(f.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(f.body["field"], "format");
    let after = (
        app.count("calendar_overrides").await,
        app.count("provider_calendars").await,
        app.count("audit_events").await,
    );
    assert_eq!(before, after, "bad input changed nothing");
}

app_tests!(
    national_years_builtin_and_loaded,
    provider_hours_overrides_and_tenancy,
    calendar_bad_input,
);
