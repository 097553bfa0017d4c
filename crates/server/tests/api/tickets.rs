//! Service tickets over the API: intake with SLA clocks on the provider's calendar, replies and
//! internal notes, the status machine, priority changes recomputing the clocks, the breach and
//! escalation scan firing each level once (also with two scans racing), tenancy and merchant
//! scoping, bad input.

use axum::http::{Method, StatusCode};
use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::authz::Role;
use posdesk_server::service;
use posdesk_storage::{Applied, Conn, Ctx, Mutation};
use serde_json::{Value as Json, json};

use crate::app_tests;
use crate::helpers::{Resp, TestApp, audit_actions, err};

async fn open(app: &TestApp, token: &str, body: Json) -> Resp {
    app.post("/api/v1/tickets", token, body).await
}

fn body(app: &TestApp) -> Json {
    json!({"category": "card_reading", "priority": "p3", "channel": "hotline",
           "merchant_id": app.a.merchant.to_string(), "terminal_id": app.a.terminal.to_string(),
           "subject": "刷卡无反应", "description": "插卡后终端无提示，扫码正常。"})
}

async fn step(app: &TestApp, token: &str, id: &str, what: &str, b: Json) -> Resp {
    app.post(&format!("/api/v1/tickets/{id}/{what}"), token, b)
        .await
}

fn ts(v: &Json) -> Timestamp {
    Timestamp::from_millis(v.as_i64().unwrap_or_else(|| panic!("not an instant: {v}")))
}

async fn lifecycle(app: TestApp) {
    let agent = app.token(&app.a, Role::Agent);
    let me = app.token(&app.a, Role::MerchantUser);
    let r = open(&app, &agent, body(&app)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.body["id"].as_str().unwrap().to_owned();
    let number = r.body["number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("T-") && number.len() == 15, "{number}");
    assert_eq!(r.body["status"], "new");
    assert_eq!(r.body["policy_code"], "default_p3");
    assert!(!r.body["next_check"].is_null());
    let created = ts(&r.body["created_at"]);
    // A second ticket the same day gets the next number.
    let r2 = open(&app, &agent, body(&app)).await;
    let n2 = r2.body["number"].as_str().unwrap();
    assert_eq!(&n2[..11], &number[..11]);
    assert_ne!(n2, number);

    // The clocks, computed at the read on the provider's calendar.
    let d = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    let fr = &d.body["clocks"]["first_response"];
    assert_eq!(fr["basis"], "working");
    let cal = service::calendars::for_tenant(&app.state, app.a.id)
        .await
        .map_err(err)
        .unwrap();
    let target = fr["target_minutes"].as_i64().unwrap();
    assert_eq!(
        ts(&fr["deadline"]),
        cal.add_working_minutes(created, target)
    );
    // The duplicate warning: the other open ticket on the same terminal.
    assert_eq!(d.body["duplicates"], json!([n2]));

    // An internal note (staff only) and a public reply (the first response).
    let r = step(
        &app,
        &agent,
        &id,
        "notes",
        json!({"body": "疑似读卡模块故障"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = step(
        &app,
        &agent,
        &id,
        "replies",
        json!({"body": "您好，已收到报修，工程师将联系您。"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(!r.body["ticket"]["first_response_at"].is_null());
    let d = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    assert_eq!(d.body["clocks"]["first_response"]["state"], "met");
    assert_eq!(d.body["messages"].as_array().unwrap().len(), 2);
    // The merchant sees the reply, not the note, and may not write notes.
    let m = app.get(&format!("/api/v1/tickets/{id}"), &me).await;
    assert_eq!(m.status, StatusCode::OK, "{m:?}");
    let msgs = m.body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["visibility"], "public");
    assert_eq!(
        step(&app, &me, &id, "notes", json!({"body": "x"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The status machine: illegal steps are 409; waiting on the merchant pauses resolution.
    let r = step(&app, &agent, &id, "transition", json!({"event": "resume"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = step(&app, &agent, &id, "transition", json!({"event": "fly"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "event");
    for e in ["triage", "wait_merchant"] {
        let r = step(&app, &agent, &id, "transition", json!({"event": e})).await;
        assert_eq!(r.status, StatusCode::OK, "{e}: {r:?}");
    }
    let d = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    assert_eq!(d.body["status"], "waiting_merchant");
    assert_eq!(d.body["clocks"]["resolution"]["state"], "paused");
    let r = step(&app, &agent, &id, "transition", json!({"event": "resume"})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");

    // Raising the priority selects the P1 policy: around the clock.
    let r = step(&app, &agent, &id, "priority", json!({"priority": "p1"})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["ticket"]["policy_code"], "default_p1");
    let d = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    assert_eq!(d.body["clocks"]["resolution"]["basis"], "around_the_clock");
    let bad = step(&app, &agent, &id, "priority", json!({"priority": "p0"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Assign to a technician; someone from another provider cannot be assigned.
    let tech = app.a.users[&Role::Technician].0.to_string();
    let r = step(
        &app,
        &agent,
        &id,
        "assign",
        json!({"assignee_id": tech, "team": "field"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let mine = app
        .get(
            "/api/v1/tickets?view=mine",
            &app.token(&app.a, Role::Technician),
        )
        .await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1, "{mine:?}");
    // Only roles that work tickets can be assigned (a complaints officer cannot).
    let co = app.a.users[&Role::ComplaintsOfficer].0.to_string();
    let r = step(&app, &agent, &id, "assign", json!({"assignee_id": co})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "assignee_id");
    let other = app.b.users[&Role::Technician].0.to_string();
    let r = step(&app, &agent, &id, "assign", json!({"assignee_id": other})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "assignee_id");

    // Resolve; the merchant reopens (within the window); resolve and close.
    for e in ["resolve"] {
        assert_eq!(
            step(&app, &agent, &id, "transition", json!({"event": e}))
                .await
                .status,
            StatusCode::OK
        );
    }
    let r = step(&app, &me, &id, "reopen", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["ticket"]["status"], "open");
    for e in ["resolve", "close"] {
        let r = step(&app, &agent, &id, "transition", json!({"event": e})).await;
        assert_eq!(r.status, StatusCode::OK, "{e}: {r:?}");
    }
    // Closed: no more replies, from anyone.
    let r = step(&app, &me, &id, "replies", json!({"body": "还是不行"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");

    let actions = audit_actions(&app, &id).await;
    assert_eq!(actions.first().map(String::as_str), Some("create"));
    for a in [
        "triage",
        "wait_merchant",
        "set_priority",
        "assign",
        "resolve",
        "reopen",
        "close",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn bad_input_and_tenancy(app: TestApp) {
    let agent = app.token(&app.a, Role::Agent);
    let me = app.token(&app.a, Role::MerchantUser);
    let before = app.count("tickets").await;
    for (patch, field) in [
        (json!({"category": "coffee"}), "category"),
        (json!({"subject": "  "}), "subject"),
        (json!({"priority": "p9"}), "priority"),
        (json!({"channel": "pigeon"}), "channel"),
        (
            json!({"merchant_id": app.b.merchant.to_string()}),
            "merchant_id",
        ),
        (
            json!({"terminal_id": app.a.other_terminal.to_string()}),
            "terminal_id",
        ),
        (
            json!({"terminal_id": app.b.terminal.to_string()}),
            "terminal_id",
        ),
        (json!({"tags": ["Not A Code!"]}), "tags[0]"),
    ] {
        let mut b = body(&app);
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let r = open(&app, &agent, b).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r:?}");
        assert_eq!(r.body["field"], field, "{r:?}");
    }
    assert_eq!(app.count("tickets").await, before);

    // A merchant user reports for their own merchant only; the channel is the portal.
    let mut b = body(&app);
    b.as_object_mut().unwrap().remove("merchant_id");
    let r = open(&app, &me, b).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["channel"], "portal");
    let own = r.body["id"].as_str().unwrap().to_owned();
    let mut b = body(&app);
    b["merchant_id"] = json!(app.a.other_merchant.to_string());
    b["terminal_id"] = json!(app.a.other_terminal.to_string());
    let r = open(&app, &me, b).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // The sibling merchant's ticket (opened by an agent) is invisible to them.
    let mut b = body(&app);
    b["merchant_id"] = json!(app.a.other_merchant.to_string());
    b["terminal_id"] = json!(app.a.other_terminal.to_string());
    let sibling = open(&app, &agent, b).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{sibling}"), &me)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        step(&app, &me, &sibling, "replies", json!({"body": "?"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = app.get("/api/v1/tickets", &me).await;
    let ids: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [own.as_str()]);
    // Another provider sees none of it.
    let other = app.token(&app.b, Role::Supervisor);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{own}"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        step(&app, &other, &own, "notes", json!({"body": "x"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bad = app.get("/api/v1/tickets?view=everything", &agent).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Stale If-Match.
    let r = app
        .call_with(
            Method::POST,
            &format!("/api/v1/tickets/{own}/transition"),
            Some(&agent),
            Some(json!({"event": "triage"}).to_string().into_bytes()),
            &[("if-match", "\"99\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{r:?}");
}

/// Moves a ticket's creation (and its first status) into the past and makes it due for the
/// scan. Test-only, through the store.
struct Backdate {
    id: String,
    at: Timestamp,
}

impl Mutation for Backdate {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _: &'a Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "UPDATE tickets SET created_at = $1, next_check = 1 WHERE id = $2",
                &[self.at.into(), self.id.as_str().into()],
            )
            .await?;
            c.execute(
                "UPDATE ticket_status_history SET at = $1 WHERE ticket_id = $2",
                &[self.at.into(), self.id.as_str().into()],
            )
            .await?;
            Ok(Applied::unaudited(()))
        })
    }
}

pub async fn backdate(app: &TestApp, id: &str, days: i64) {
    app.state
        .store
        .write(
            posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "t"),
            Backdate {
                id: id.to_owned(),
                at: Timestamp::from_millis(posdesk_storage::now().millis() - days * 86_400_000),
            },
        )
        .await
        .unwrap();
}

async fn escalations_fire_once(app: TestApp) {
    let agent = app.token(&app.a, Role::Agent);
    let id = open(&app, &agent, body(&app)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Nothing is due yet.
    let now = posdesk_storage::now();
    let first = service::tickets::scan(&app.state, now, 100)
        .await
        .map_err(err)
        .unwrap();
    assert_eq!(first.escalations, 0, "{first:?}");
    // Created 20 days ago and never answered: every level of first response and resolution is due.
    backdate(&app, &id, 20).await;
    let now = posdesk_storage::now();
    // Two scans of one server, and one of a second server (its own writer) on the same
    // database, at once.
    let other = posdesk_server::AppState {
        store: posdesk_storage::Store::open(&app.state.config.database)
            .await
            .unwrap(),
        sla_cache: std::sync::Arc::default(),
        ..app.state.clone()
    };
    let (a, b, c) = tokio::join!(
        service::tickets::scan(&app.state, now, 100),
        service::tickets::scan(&app.state, now, 100),
        service::tickets::scan(&other, now, 100),
    );
    let fired = a.map_err(err).unwrap().escalations
        + b.map_err(err).unwrap().escalations
        + c.map_err(err).unwrap().escalations;
    let rows = app.count("ticket_escalations").await;
    assert!(rows >= 3, "{rows}");
    assert_eq!(fired as i64, rows, "each level fired exactly once");
    let again = service::tickets::scan(&app.state, posdesk_storage::now(), 100)
        .await
        .map_err(err)
        .unwrap();
    assert_eq!(again.escalations, 0);
    assert_eq!(app.count("ticket_escalations").await, rows);
    let escalated = audit_actions(&app, &id)
        .await
        .into_iter()
        .filter(|a| a == "escalate")
        .count();
    assert_eq!(escalated as i64, rows);
    // The breached queue shows it; the reassign level moved it to the supervisors' queue.
    let q = app.get("/api/v1/tickets?view=breached", &agent).await;
    let t = q.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("not in the breached queue: {q:?}"));
    assert_eq!(t["breached"], true);
    assert_eq!(t["team"], "supervisors");
    assert_eq!(t["clocks"]["first_response"]["state"], "breached");
    // The breached deadline is not looked at again: the next check (if any) is in the future.
    if let Some(n) = t["next_check"].as_i64() {
        assert!(n > now.millis(), "{t}");
    }
}

app_tests!(lifecycle, bad_input_and_tenancy, escalations_fire_once);

// --- The SLA context cache (issue 5 performance work): a change on this server applies to the
// next ticket at once; another server (own cache, same database) follows within the TTL.

async fn put(app: &TestApp, path: &str, token: &str, body: Json) -> Resp {
    app.call_with(
        Method::PUT,
        path,
        Some(token),
        Some(body.to_string().into_bytes()),
        &[],
    )
    .await
}

fn p3_as_p4() -> Json {
    let mut doc: Json =
        serde_json::from_str(&posdesk_core::ticket::SlaDocument::builtin().to_json()).unwrap();
    doc["defaults"]["p3"] = json!("default_p4");
    doc
}

async fn sla_context_follows_changes_at_once(app: TestApp) {
    use posdesk_core::calendar::LocalDate;
    let agent = app.token(&app.a, Role::Agent);
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let first = open(&app, &agent, body(&app)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    assert_eq!(first.body["policy_code"], "default_p3");
    // The context is cached now; the SLA document changes: the next ticket is under it.
    let r = put(&app, "/api/v1/sla-policies", &admin, p3_as_p4()).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let second = open(&app, &agent, body(&app)).await;
    assert_eq!(second.body["policy_code"], "default_p4", "{second:?}");

    // The provider closes the next 45 days: the next ticket's clocks wait for them.
    let now = posdesk_storage::now();
    let bound = now.millis() + 45 * 86_400_000;
    assert!(
        ts(&second.body["next_check"]).millis() < bound,
        "{second:?}"
    );
    let today = LocalDate::of_timestamp(now).unwrap();
    let csv: String = (0..46)
        .map(|i| format!("{},off,盘点\n", today.add_days(i).unwrap()))
        .collect();
    let r = app
        .post(
            "/api/v1/calendar/import",
            &admin,
            json!({"content": csv, "replace": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let third = open(&app, &agent, body(&app)).await;
    assert!(
        ts(&third.body["next_check"]).millis() > bound,
        "overrides ignored: {third:?}"
    );

    // One override opens tomorrow again: the next ticket is due by then.
    let tomorrow = today.add_days(1).unwrap();
    let r = put(
        &app,
        &format!("/api/v1/calendar/overrides/{tomorrow}"),
        &admin,
        json!({"rule": "hours", "hours": "08:00-18:00", "note": "加班"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let fourth = open(&app, &agent, body(&app)).await;
    let end_of_tomorrow = tomorrow.add_days(1).unwrap().start().millis();
    assert!(
        ts(&fourth.body["next_check"]).millis() <= end_of_tomorrow,
        "override ignored: {fourth:?}"
    );

    // Weekly hours: only Sundays open. A week after the overrides end follows them at once.
    let weekly = json!({"mon": "closed", "tue": "closed", "wed": "closed", "thu": "closed",
                        "fri": "closed", "sat": "closed", "sun": "08:00-18:00"});
    let r = put(
        &app,
        "/api/v1/calendar",
        &admin,
        json!({"weekly": weekly, "makeup_weekday": "mon"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let cached = service::tickets::sla_context(&app.state, app.a.id)
        .await
        .map_err(err)
        .unwrap();
    let fresh = service::calendars::for_tenant(&app.state, app.a.id)
        .await
        .map_err(err)
        .unwrap();
    for d in (50..57).map(|i| today.add_days(i).unwrap()) {
        assert_eq!(
            cached.calendar.day_info(d).hours,
            fresh.day_info(d).hours,
            "{d}"
        );
    }
}

async fn another_server_follows_within_the_ttl(app: TestApp) {
    use std::sync::Arc;
    let admin = app.token(&app.a, Role::ProviderAdmin);
    // A second server on the same database: its own cache.
    let other = posdesk_server::AppState {
        sla_cache: Arc::default(),
        token_cache: Arc::default(),
        ..app.state.clone()
    };
    let before = service::tickets::sla_context(&other, app.a.id)
        .await
        .map_err(err)
        .unwrap();
    assert_eq!(
        before.sla.to_json(),
        posdesk_core::ticket::SlaDocument::builtin().to_json()
    );
    let r = put(&app, "/api/v1/sla-policies", &admin, p3_as_p4()).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let want = posdesk_core::ticket::SlaDocument::from_json(&p3_as_p4().to_string())
        .unwrap()
        .to_json();
    // This server: at once.
    let here = service::tickets::sla_context(&app.state, app.a.id)
        .await
        .map_err(err)
        .unwrap();
    assert_eq!(here.sla.to_json(), want);
    // The other: once its entry is older than the TTL.
    tokio::time::sleep(service::sla_cache::SlaCache::TTL + std::time::Duration::from_millis(50))
        .await;
    let there = service::tickets::sla_context(&other, app.a.id)
        .await
        .map_err(err)
        .unwrap();
    assert_eq!(there.sla.to_json(), want);
}

/// A create under an `Idempotency-Key` is answered with the ticket; a replay gets the stored
/// ticket back (read into the same type it was written from), never a second ticket, and the key
/// with another body is refused naming the header.
async fn idempotent_intake_replays_the_ticket(app: TestApp) {
    let agent = app.token(&app.a, Role::Agent);
    let send = |key: &'static str, b: Json| {
        let agent = agent.clone();
        let app = &app;
        async move {
            app.call_with(
                Method::POST,
                "/api/v1/tickets",
                Some(&agent),
                Some(b.to_string().into_bytes()),
                &[("idempotency-key", key)],
            )
            .await
        }
    };
    let before = app.count("tickets").await;
    let first = send("intake-1", body(&app)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    assert!(first.body["number"].is_string(), "{first:?}");
    assert_eq!(first.body["subject"], "刷卡无反应");
    let again = send("intake-1", body(&app)).await;
    assert_eq!(again.status, StatusCode::CREATED, "{again:?}");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body, first.body, "a replay returns the first ticket");
    assert_eq!(
        app.count("tickets").await,
        before + 1,
        "never a second ticket"
    );

    let mut other = body(&app);
    other["subject"] = json!("打印机不出纸");
    let r = send("intake-1", other).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "Idempotency-Key");
    assert_eq!(app.count("tickets").await, before + 1);
}

app_tests!(
    sla_context_follows_changes_at_once,
    another_server_follows_within_the_ttl,
    idempotent_intake_replays_the_ticket
);
