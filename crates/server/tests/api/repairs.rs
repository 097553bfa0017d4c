//! Repair and field service over the API (issue 6): the mail-in path from a fault ticket to the
//! returned loaner (shipments pause the clocks, an out-of-warranty diagnosis needs a quote the
//! merchant approves in the portal, parts reserved then consumed, the MID/TID moves to the
//! loaner and back, the post-repair checklist gates the resolve); bad input refused with the
//! field named and nothing changed (quote amounts, answers, stock, loans, double bindings under
//! concurrency, the checklist by someone not assigned); tenancy and merchant scope.

use axum::http::{Method, StatusCode};
use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::authz::Role;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId, UserId};
use posdesk_server::service::{self, Ctx, operator_principal};
use posdesk_storage::repo::terminals;
use posdesk_storage::{Actor, Applied, Conn, Mutation, WriteMeta};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app_tests;
use crate::helpers::{Resp, TestApp, err, new_user, token};

const USCC: &str = "91110000600037341L";
const CARD: &str = "6228480402564890018";
const MID: &str = "102330159990001";

/// What the tests work with in provider a.
struct World {
    admin: String,
    agent: String,
    sup: String,
    tech: (UserId, String),
    merchant: MerchantId,
    /// A merchant user of `merchant` (the portal).
    portal: String,
    service_point: String,
}

async fn stock_terminal(app: &TestApp, tenant: TenantId, sn: &str, tid: &str) -> TerminalId {
    let principal = operator_principal();
    let ctx = Ctx::operator(&app.state, &principal, "test");
    ctx.write(
        ctx.meta(),
        terminals::CreateTerminal {
            id: TerminalId::from_uuid(Uuid::now_v7()),
            tenant,
            merchant: None,
            sn: sn.into(),
            tid: Some(tid.into()),
            model: "N910".into(),
            manufacturer: "新大陆".into(),
            firmware: None,
            status: "in_stock".into(),
        },
    )
    .await
    .map_err(err)
    .unwrap()
    .id
}

async fn user(
    app: &TestApp,
    login: &str,
    role: Role,
    merchant: Option<MerchantId>,
) -> (UserId, String) {
    let principal = operator_principal();
    let ctx = Ctx::operator(&app.state, &principal, "test");
    let u = service::users::create(&ctx, new_user(Some(app.a.id), login, role, merchant, None))
        .await
        .map_err(err)
        .unwrap();
    (u.id, token(&app.state, u.id, role).await)
}

async fn world(app: &TestApp) -> World {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let tech = (
        app.a.users[&Role::Technician].0,
        app.token(&app.a, Role::Technician),
    );
    let r = app
        .post(
            "/api/v1/merchants",
            &admin,
            json!({"name": "西湖茶社", "mid": MID, "kind": "company", "uscc": USCC}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let merchant = MerchantId::parse("id", r.body["id"].as_str().unwrap()).unwrap();
    let r = app
        .post(
            "/api/v1/service-points",
            &admin,
            json!({"name": "西湖维修中心", "division_code": "330106", "address": "文三路 90 号",
                   "skills": ["hardware_repair", "mail_in"], "technicians": [tech.0.to_string()]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let service_point = r.body["id"].as_str().unwrap().to_owned();
    let portal = user(app, "xihu.owner", Role::MerchantUser, Some(merchant))
        .await
        .1;
    World {
        admin,
        agent: app.token(&app.a, Role::Agent),
        sup: app.token(&app.a, Role::Supervisor),
        tech,
        merchant,
        portal,
        service_point,
    }
}

/// A terminal of the world's merchant, bound with `tid` (installed on `install`, warranty to
/// `warranty_end`) and active.
async fn bound_terminal(
    app: &TestApp,
    w: &World,
    sn: &str,
    tid: &str,
    install: &str,
    warranty_end: &str,
) -> TerminalId {
    let t = stock_terminal(app, app.a.id, sn, tid).await;
    let r = app
        .post(
            &format!("/api/v1/terminals/{t}/bindings"),
            &w.admin,
            json!({"acquirer_code": &MID[..3], "mid": MID, "tid": tid, "settlement_account": CARD,
                   "address": "杭州市西湖区文三路 90 号 1 楼", "division_code": "330106",
                   "install_date": install, "warranty_end": warranty_end,
                   "note": "营业执照、结算卡与门店照片已核验"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .post(
            &format!("/api/v1/terminals/{t}/transition"),
            &w.admin,
            json!({"event": "activate"}),
        )
        .await;
    assert_eq!(r.body["status"], "active", "{r:?}");
    t
}

/// A loaner terminal in the world's service point's pool.
async fn loaner(app: &TestApp, w: &World, sn: &str, tid: &str) -> TerminalId {
    let t = stock_terminal(app, app.a.id, sn, tid).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/loaners",
            Some(&w.admin),
            Some(json!({"terminal_id": t.to_string(), "service_point_id": w.service_point})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    t
}

/// A triaged (open) fault ticket on `terminal`.
async fn fault_ticket(app: &TestApp, w: &World, terminal: TerminalId) -> String {
    let r = app
        .post(
            "/api/v1/tickets",
            &w.agent,
            json!({"category": "printing", "subject": "小票打印不清", "description": "打印字迹很淡",
                   "merchant_id": w.merchant.to_string(), "terminal_id": terminal.to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/transition"),
            &w.agent,
            json!({"event": "triage"}),
        )
        .await;
    assert_eq!(r.body["ticket"]["status"], "open", "{r:?}");
    id
}

async fn open_repair(app: &TestApp, w: &World, ticket: &str, method: &str) -> String {
    let r = app
        .post(
            &format!("/api/v1/tickets/{ticket}/repairs"),
            &w.agent,
            json!({"method": method}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["id"].as_str().unwrap().to_owned()
}

async fn act(app: &TestApp, token: &str, repair: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/repairs/{repair}/actions"), token, body)
        .await
}

async fn ok(app: &TestApp, token: &str, repair: &str, body: Value) -> Value {
    let r = act(app, token, repair, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {r:?}");
    r.body
}

async fn ticket_status(app: &TestApp, w: &World, ticket: &str) -> String {
    let r = app
        .get(&format!("/api/v1/tickets/{ticket}"), &w.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body["status"].as_str().unwrap().to_owned()
}

async fn terminal_status(app: &TestApp, w: &World, t: TerminalId) -> String {
    let r = app.get(&format!("/api/v1/terminals/{t}"), &w.admin).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body["status"].as_str().unwrap().to_owned()
}

async fn repair(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/repairs/{id}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body
}

/// (on hand, reserved) of `code` at the world's service point, from `GET /api/v1/parts`.
async fn stock(app: &TestApp, w: &World, code: &str) -> (i64, i64) {
    let r = app.get("/api/v1/parts", &w.agent).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code && p["service_point_id"] == w.service_point.as_str())
        .map(|p| {
            (
                p["on_hand"].as_i64().unwrap(),
                p["reserved"].as_i64().unwrap(),
            )
        })
        .unwrap_or((0, 0))
}

async fn part(app: &TestApp, w: &World, code: &str, name: &str, unit_fen: i64, on_hand: i64) {
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/parts/{code}"),
            Some(&w.admin),
            Some(json!({"name": name, "unit_fen": unit_fen})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    if on_hand > 0 {
        let r = app
            .post(
                &format!("/api/v1/parts/{code}/stock"),
                &w.admin,
                json!({"service_point_id": w.service_point, "delta": on_hand}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    }
}

async fn lend(app: &TestApp, token: &str, loaner: TerminalId, terminal: TerminalId) -> Resp {
    app.post(
        "/api/v1/loans",
        token,
        json!({"loaner_id": loaner.to_string(), "terminal_id": terminal.to_string()}),
    )
    .await
}

async fn scalar(app: &TestApp, sql: &'static str, param: String) -> i64 {
    app.state
        .store
        .read(move |c| Box::pin(async move { c.query_one(sql, &[param.into()]).await?.int(0) }))
        .await
        .unwrap()
}

/// Current bindings carrying `tid`, and the terminal of the one (if exactly one).
async fn current_with_tid(app: &TestApp, tid: &str) -> (i64, Option<String>) {
    let n = scalar(
        app,
        "SELECT COUNT(*) FROM terminal_bindings WHERE tid = $1 AND ended_at IS NULL",
        tid.into(),
    )
    .await;
    let t = tid.to_owned();
    let term = app
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query_opt(
                    "SELECT terminal_id FROM terminal_bindings WHERE tid = $1 AND ended_at IS NULL",
                    &[t.into()],
                )
                .await?
                .map(|r| r.text(0))
                .transpose()
            })
        })
        .await
        .unwrap();
    (n, term)
}

fn items(unit_fen: Value, qty: Value) -> Value {
    json!([
        {"kind": "part", "code": "P-PRINTER", "name": "打印头", "qty": qty, "unit_fen": unit_fen},
        {"kind": "labour", "code": "LAB-REPAIR", "name": "维修工时", "qty": 1, "unit_fen": 3000}
    ])
}

const CHECKS: [&str; 4] = [
    "test_transaction",
    "log_clean",
    "firmware_current",
    "keys_rebound",
];

async fn mail_in_path(app: TestApp) {
    let w = world(&app).await;
    // Out of warranty since 2024: any fault is chargeable.
    let term = bound_terminal(
        &app,
        &w,
        "RP-TERM-01",
        "66000001",
        "2023-01-10",
        "2024-01-09",
    )
    .await;
    let spare = loaner(&app, &w, "RP-LOAN-01", "66000091").await;
    part(&app, &w, "P-PRINTER", "打印头", 4500, 5).await;
    let ticket = fault_ticket(&app, &w, term).await;

    // Open a mail-in repair (idempotent).
    let before = app.count("repair_orders").await;
    let open = |key: &'static str| {
        let (app, w, ticket) = (&app, &w, ticket.clone());
        async move {
            app.call_with(
                Method::POST,
                &format!("/api/v1/tickets/{ticket}/repairs"),
                Some(&w.agent),
                Some(json!({"method": "mail_in"}).to_string().into_bytes()),
                &[("idempotency-key", key)],
            )
            .await
        }
    };
    let r = open("repair-1").await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["status"], "open");
    assert_eq!(r.body["method"], "mail_in");
    assert_eq!(r.body["terminal_id"], term.to_string());
    assert_eq!(r.body["merchant_id"], w.merchant.to_string());
    let id = r.body["id"].as_str().unwrap().to_owned();
    let again = open("repair-1").await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body["id"], id.as_str());
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(app.count("repair_orders").await, before + 1);
    let l = app
        .get(&format!("/api/v1/tickets/{ticket}/repairs"), &w.agent)
        .await;
    assert_eq!(l.body.as_array().unwrap().len(), 1, "{l:?}");

    // Ship-in: the device travels, the ticket waits (clocks paused); received: open again.
    let ship = |body: Value| {
        let (app, w, id) = (&app, &w, id.clone());
        async move {
            app.post(&format!("/api/v1/repairs/{id}/shipments"), &w.agent, body)
                .await
        }
    };
    let r = ship(
        json!({"direction": "in", "step": "dispatch", "carrier": "顺丰速运",
                        "tracking_no": "SF1234567890"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["direction"], "in");
    assert_eq!(r.body["tracking_no"], "SF1234567890");
    assert!(r.body["received_at"].is_null());
    assert_eq!(ticket_status(&app, &w, &ticket).await, "in_transit");
    let r = ship(json!({"direction": "in", "step": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(r.body["received_at"].is_i64(), "{r:?}");
    assert_eq!(ticket_status(&app, &w, &ticket).await, "open");
    let r = ship(json!({"direction": "in", "step": "receive"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "received twice: {r:?}");
    let l = app
        .get(&format!("/api/v1/repairs/{id}/shipments"), &w.portal)
        .await;
    assert_eq!(l.status, StatusCode::OK, "{l:?}");
    assert_eq!(l.body[0]["carrier"], "顺丰速运");

    // Diagnosis: out of warranty, so chargeable.
    let r = ok(
        &app,
        &w.agent,
        &id,
        json!({"action": "diagnose", "cause": "normal_wear", "text": "打印头老化"}),
    )
    .await;
    assert_eq!(r["status"], "diagnosed");
    assert_eq!(r["coverage"], "chargeable");
    assert_eq!(r["coverage_reason"], "warranty_expired");
    // No chargeable work before an approved quote.
    let r = act(&app, &w.agent, &id, json!({"action": "start"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = act(
        &app,
        &w.agent,
        &id,
        json!({"action": "use_part", "code": "P-PRINTER", "qty": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert_eq!(stock(&app, &w, "P-PRINTER").await, (5, 0));

    // The dispatcher's suggestion names the service point's technician, with its load.
    let sug = app
        .get(&format!("/api/v1/repairs/{id}/technicians"), &w.agent)
        .await;
    assert_eq!(sug.status, StatusCode::OK, "{sug:?}");
    let first = &sug.body[0];
    assert_eq!(first["technician_id"], w.tech.0.to_string(), "{sug:?}");
    assert_eq!(first["service_point_id"], w.service_point.as_str());
    assert_eq!(first["load"], 0);
    // Dispatch to the repair centre's technician; it is on their day list.
    ok(
        &app,
        &w.agent,
        &id,
        json!({"action": "dispatch", "service_point_id": w.service_point,
               "technician_id": w.tech.0.to_string()}),
    )
    .await;
    let d = app.get("/api/v1/me/day-list", &w.tech.1).await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    assert!(
        d.body
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str()),
        "{d:?}"
    );
    let d = app.get("/api/v1/me/day-list", &w.agent).await;
    assert_eq!(d.body, json!([]));
    let d = app
        .get("/api/v1/me/day-list?day=12/01/2026", &w.tech.1)
        .await;
    assert_eq!(d.status, StatusCode::UNPROCESSABLE_ENTITY, "{d:?}");
    assert_eq!(d.body["field"], "day");

    // The quote; the ticket waits for the merchant's approval.
    let r = ok(
        &app,
        &w.agent,
        &id,
        json!({"action": "quote", "items": items(json!(4500), json!(1)), "valid_days": 7}),
    )
    .await;
    assert_eq!(r["status"], "quoted");
    assert_eq!(ticket_status(&app, &w, &ticket).await, "waiting_quote");
    let d = repair(&app, &w.portal, &id).await;
    assert_eq!(d["steps"], json!([]), "no work steps for the merchant");
    // Nor who on the provider's staff did what.
    assert!(d["repair"]["technician_id"].is_null(), "{d}");
    assert_eq!(d["repair"]["created_by"], "", "{d}");
    assert_eq!(d["quotes"][0]["created_by"], "", "{d}");
    let q = &d["quotes"][0];
    assert_eq!(q["status"], "pending");
    assert_eq!(q["total_fen"], 7500);
    assert_eq!(q["items"][0]["amount_fen"], 4500);
    let quote = q["id"].as_str().unwrap().to_owned();
    assert!(
        !repair(&app, &w.agent, &id).await["steps"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The merchant approves in the portal: the part is reserved, the ticket resumes.
    let r = ok(
        &app,
        &w.portal,
        &id,
        json!({"action": "approve", "quote_id": quote}),
    )
    .await;
    assert_eq!(r["status"], "approved");
    let d = repair(&app, &w.portal, &id).await;
    assert_eq!(d["quotes"][0]["status"], "approved");
    assert_eq!(d["quotes"][0]["answer_channel"], "portal");
    assert_eq!(stock(&app, &w, "P-PRINTER").await, (5, 1));
    assert_eq!(ticket_status(&app, &w, &ticket).await, "open");

    // A loaner: the merchant's MID/TID now on the loaner; the repaired terminal unbound.
    let r = app
        .post(
            "/api/v1/loans",
            &w.agent,
            json!({"loaner_id": spare.to_string(), "terminal_id": term.to_string(),
                   "repair_id": id, "due_days": 10}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["tid"], "66000001");
    assert_eq!(r.body["mid"], MID);
    assert_eq!(r.body["merchant_name"], "西湖茶社");
    assert!(r.body["returned_at"].is_null());
    let loan = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        current_with_tid(&app, "66000001").await,
        (1, Some(spare.to_string()))
    );
    let b = app
        .get(&format!("/api/v1/terminals/{term}/bindings"), &w.admin)
        .await;
    assert_eq!(b.body["items"][0]["current"], false, "{b:?}");
    assert_eq!(b.body["items"][0]["end_reason"], "loaned_out");
    let b = app
        .get(&format!("/api/v1/terminals/{spare}/bindings"), &w.admin)
        .await;
    assert_eq!(b.body["items"][0]["current"], true, "{b:?}");
    assert_eq!(b.body["items"][0]["mid"], MID);
    assert_eq!(terminal_status(&app, &w, spare).await, "loaner");
    assert_eq!(terminal_status(&app, &w, term).await, "in_repair");
    let pool = app.get("/api/v1/loaners", &w.agent).await;
    assert_eq!(pool.body[0]["status"], "loaner", "{pool:?}");
    assert_eq!(
        repair(&app, &w.portal, &id).await["loans"][0]["id"],
        loan.as_str()
    );

    // The work: the reserved part is consumed.
    assert_eq!(
        ok(&app, &w.tech.1, &id, json!({"action": "start"})).await["status"],
        "in_repair"
    );
    ok(
        &app,
        &w.tech.1,
        &id,
        json!({"action": "use_part", "code": "P-PRINTER", "qty": 1}),
    )
    .await;
    assert_eq!(stock(&app, &w, "P-PRINTER").await, (4, 0));
    let r = ok(
        &app,
        &w.tech.1,
        &id,
        json!({"action": "complete", "text": "更换打印头，打印清晰"}),
    )
    .await;
    assert_eq!(r["status"], "repaired");

    // Resolve is held until the checklist is recorded.
    let resolve = || async {
        app.post(
            &format!("/api/v1/tickets/{ticket}/transition"),
            &w.agent,
            json!({"event": "resolve"}),
        )
        .await
    };
    let r = resolve().await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("not recorded"),
        "{r:?}"
    );
    for item in CHECKS {
        let result = if item == "log_clean" { "fail" } else { "pass" };
        let r = ok(
            &app,
            &w.tech.1,
            &id,
            json!({"action": "check", "item": item, "result": result, "text": "交易参考号 000123"}),
        )
        .await;
        assert_eq!(r["status"], "repaired");
    }
    let d = repair(&app, &w.agent, &id).await;
    assert_eq!(d["checks"].as_array().unwrap().len(), 4);
    assert_eq!(d["checks"][0]["actor_id"], w.tech.0.to_string());
    let r = resolve().await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("log_clean"),
        "{r:?}"
    );
    // Only a supervisor overrides, with a reason.
    let r = act(
        &app,
        &w.tech.1,
        &id,
        json!({"action": "override", "text": "日志为旧错误"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = act(&app, &w.sup, &id, json!({"action": "override"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "text");
    let r = ok(
        &app,
        &w.sup,
        &id,
        json!({"action": "override", "text": "日志中为维修前的旧错误，已核实"}),
    )
    .await;
    assert_eq!(r["override_reason"], "日志中为维修前的旧错误，已核实");
    let r = resolve().await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(ticket_status(&app, &w, &ticket).await, "resolved");

    // The loaner comes back: the identity is on the merchant's own terminal again.
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/loans/{loan}/return"),
            Some(&w.agent),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(r.body["returned_at"].is_i64(), "{r:?}");
    assert_eq!(
        current_with_tid(&app, "66000001").await,
        (1, Some(term.to_string()))
    );
    assert_eq!(terminal_status(&app, &w, spare).await, "in_stock");
    assert_eq!(terminal_status(&app, &w, term).await, "active");
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/loans/{loan}/return"),
            Some(&w.agent),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "returned twice: {r:?}");

    // The loaner's history shows the merchant that held it; nothing is out any more.
    let h = app
        .get(&format!("/api/v1/loans?loaner_id={spare}"), &w.agent)
        .await;
    assert_eq!(h.status, StatusCode::OK, "{h:?}");
    let h = h.body.as_array().unwrap().clone();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["merchant_id"], w.merchant.to_string());
    assert_eq!(h[0]["merchant_name"], "西湖茶社");
    assert_eq!(h[0]["terminal_id"], term.to_string());
    let open = app.get("/api/v1/loans?open=true", &w.agent).await;
    assert_eq!(open.body, json!([]));
    let mine = app.get("/api/v1/loans", &w.portal).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1, "{mine:?}");
    let r = app.get("/api/v1/loans?open=yes", &w.agent).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "open");
}

/// Sets a quote's validity end (a test-only write, through the store).
struct ExpireQuote {
    id: String,
    at: Timestamp,
}

impl Mutation for ExpireQuote {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _: &'a posdesk_storage::Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<Applied<()>>> {
        Box::pin(async move {
            let n = c
                .execute(
                    "UPDATE repair_quotes SET valid_until = $1 WHERE id = $2",
                    &[self.at.into(), self.id.as_str().into()],
                )
                .await?;
            assert_eq!(n, 1);
            Ok(Applied::unaudited(()))
        })
    }
}

async fn bad_input_changes_nothing(app: TestApp) {
    let w = world(&app).await;
    // In warranty until 2099.
    let t1 = bound_terminal(
        &app,
        &w,
        "RP-TERM-01",
        "66000001",
        "2025-03-10",
        "2099-12-31",
    )
    .await;
    part(&app, &w, "P-PRINTER", "打印头", 4500, 2).await;
    part(&app, &w, "P-BATTERY", "电池", 8000, 0).await;

    // Quotes: a chargeable repair (human damage within warranty).
    let ticket = fault_ticket(&app, &w, t1).await;
    let id = open_repair(&app, &w, &ticket, "on_site").await;
    let r = ok(
        &app,
        &w.agent,
        &id,
        json!({"action": "diagnose", "cause": "human_damage", "text": "机身进水"}),
    )
    .await;
    assert_eq!(
        (r["coverage"].as_str(), r["coverage_reason"].as_str()),
        (Some("chargeable"), Some("human_damage"))
    );
    let version = r["version"].as_i64().unwrap();
    let quotes = app.count("repair_quotes").await;
    for (unit, qty, field) in [
        (json!(-100), json!(1), "items[0].unit_fen"),
        (json!(45.5), json!(1), "items[0].unit_fen"),
        (json!("4500"), json!(1), "items[0].unit_fen"),
        (json!(4500), json!(1.5), "items[0].qty"),
        (json!(4500), json!(-1), "items[0].qty"),
        (json!(4500), json!(0), "items[0].qty"),
    ] {
        let r = act(
            &app,
            &w.agent,
            &id,
            json!({"action": "quote", "items": items(unit.clone(), qty.clone())}),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{unit} × {qty}: {r:?}"
        );
        assert_eq!(r.body["field"], field, "{unit} × {qty}: {r:?}");
    }
    let r = act(&app, &w.agent, &id, json!({"action": "quote", "items": []})).await;
    assert_eq!(r.body["field"], "items", "{r:?}");
    let r = act(
        &app,
        &w.agent,
        &id,
        json!({"action": "quote", "items": items(json!(1), json!(1)), "valid_days": 31}),
    )
    .await;
    assert_eq!(r.body["field"], "valid_days", "{r:?}");
    // Lines come from what the provider offers: a part outside the catalogue is refused;
    // once a fee schedule is published, labour outside it is refused too.
    let unknown_part =
        json!([{"kind": "part", "code": "P-NOPE", "name": "无此配件", "qty": 1, "unit_fen": 100}]);
    let r = act(
        &app,
        &w.agent,
        &id,
        json!({"action": "quote", "items": unknown_part}),
    )
    .await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("items[0].code")),
        "{r:?}"
    );
    let tenant = app.a.id.to_string();
    let r = app
        .call_with(
            axum::http::Method::PUT,
            &format!("/api/v1/providers/{tenant}/profile"),
            Some(&w.admin),
            Some(
                json!({"hotlines": [], "service_hours": "", "warranty_policy": "",
                       "warranty_default_months": 12, "warranty_months_by_model": {},
                       "fees": [{"code": "LAB-ONSITE", "name": "上门服务费", "kind": "labour", "price_fen": 5000, "unit": "次"}]})
                .to_string()
                .into_bytes(),
            ),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = act(
        &app,
        &w.agent,
        &id,
        json!({"action": "quote", "items": items(json!(4500), json!(1))}),
    )
    .await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("items[1].code")),
        "LAB-REPAIR is not in the schedule: {r:?}"
    );
    // The schedule's own labour code is accepted (checked at the end, with the labour quote).
    let r = act(&app, &w.agent, &id, json!({"action": "fix_it"})).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("action"))
    );
    assert_eq!(app.count("repair_quotes").await, quotes);
    assert_eq!(
        repair(&app, &w.agent, &id).await["repair"]["version"],
        version
    );

    // A labour-only quote; answering it wrongly changes nothing.
    let labour = json!([{"kind": "labour", "code": "LAB-ONSITE", "name": "上门服务费", "qty": 2, "unit_fen": 3000}]);
    let r = ok(
        &app,
        &w.agent,
        &id,
        json!({"action": "quote", "items": labour}),
    )
    .await;
    let version = r["version"].as_i64().unwrap();
    let quote = repair(&app, &w.agent, &id).await["quotes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let past = Timestamp::from_millis(posdesk_storage::now().millis() - 60_000).to_rfc3339();
    // An agent recording a phone answer names who answered.
    let r = act(
        &app,
        &w.agent,
        &id,
        json!({"action": "approve", "quote_id": quote, "answered_at": past}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "answered_by_name");
    let r = act(
        &app,
        &w.agent,
        &id,
        json!({"action": "approve", "quote_id": quote, "answered_by_name": "王老板"}),
    )
    .await;
    assert_eq!(r.body["field"], "answered_at", "{r:?}");
    let r = act(
        &app,
        &w.agent,
        &id,
        json!({"action": "approve", "quote_id": quote,
        "answered_by_name": "王老板", "answered_at": "yesterday"}),
    )
    .await;
    assert_eq!(r.body["field"], "answered_at", "{r:?}");
    // Another merchant's user does not see this repair at all.
    let stranger = app.token(&app.a, Role::MerchantUser);
    let r = act(
        &app,
        &stranger,
        &id,
        json!({"action": "approve", "quote_id": quote}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    // A stale If-Match.
    let r = app
        .call_with(
            Method::POST,
            &format!("/api/v1/repairs/{id}/actions"),
            Some(&w.portal),
            Some(
                json!({"action": "approve", "quote_id": quote})
                    .to_string()
                    .into_bytes(),
            ),
            &[("if-match", &format!("\"{}\"", version - 1))],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{r:?}");
    // Expired.
    app.state
        .store
        .write(
            WriteMeta::new(Actor::system("test"), "t"),
            ExpireQuote {
                id: quote.clone(),
                at: Timestamp::from_millis(posdesk_storage::now().millis() - 1000),
            },
        )
        .await
        .unwrap();
    let r = act(
        &app,
        &w.portal,
        &id,
        json!({"action": "approve", "quote_id": quote}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("expired"),
        "{r:?}"
    );
    let d = repair(&app, &w.agent, &id).await;
    assert_eq!(d["repair"]["version"], version);
    assert_eq!(d["repair"]["status"], "quoted");
    assert_eq!(d["quotes"][0]["status"], "pending");
    assert_eq!(ticket_status(&app, &w, &ticket).await, "waiting_quote");
    // A new quote; recorded from the phone; answering it again is refused.
    ok(
        &app,
        &w.agent,
        &id,
        json!({"action": "quote", "items": labour}),
    )
    .await;
    let quote2 = repair(&app, &w.agent, &id).await["quotes"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = ok(
        &app,
        &w.agent,
        &id,
        json!({"action": "approve", "quote_id": quote2,
        "answered_by_name": "王老板", "answered_at": past}),
    )
    .await;
    assert_eq!(r["status"], "approved");
    let d = repair(&app, &w.agent, &id).await;
    assert_eq!(d["quotes"][0]["status"], "superseded");
    assert_eq!(d["quotes"][1]["answer_channel"], "phone");
    assert_eq!(d["quotes"][1]["answered_by_name"], "王老板");
    let version = d["repair"]["version"].as_i64().unwrap();
    let r = act(
        &app,
        &w.portal,
        &id,
        json!({"action": "reject", "quote_id": quote2}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert_eq!(
        repair(&app, &w.agent, &id).await["repair"]["version"],
        version
    );

    // Parts: a warranty repair in progress; using parts with no (or not enough) stock.
    let t2 = bound_terminal(
        &app,
        &w,
        "RP-TERM-02",
        "66000002",
        "2025-03-10",
        "2099-12-31",
    )
    .await;
    let ticket2 = fault_ticket(&app, &w, t2).await;
    let free = open_repair(&app, &w, &ticket2, "on_site").await;
    let r = ok(
        &app,
        &w.agent,
        &free,
        json!({"action": "diagnose", "cause": "normal_wear", "text": "打印头磨损"}),
    )
    .await;
    assert_eq!(r["coverage"], "warranty");
    let r = act(
        &app,
        &w.agent,
        &free,
        json!({"action": "quote", "items": labour}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a warranty repair is not quoted: {r:?}"
    );
    let r = act(
        &app,
        &w.agent,
        &free,
        json!({"action": "dispatch", "service_point_id": w.service_point,
        "technician_id": app.a.users[&Role::Agent].0.to_string()}),
    )
    .await;
    assert_eq!(r.body["field"], "technician_id", "{r:?}");
    ok(
        &app,
        &w.agent,
        &free,
        json!({"action": "dispatch", "service_point_id": w.service_point,
        "technician_id": w.tech.0.to_string()}),
    )
    .await;
    ok(&app, &w.tech.1, &free, json!({"action": "start"})).await;
    let version = repair(&app, &w.agent, &free).await["repair"]["version"].clone();
    for (code, qty) in [("P-BATTERY", 1), ("P-PRINTER", 3), ("P-NOSUCH", 1)] {
        let r = act(
            &app,
            &w.tech.1,
            &free,
            json!({"action": "use_part", "code": code, "qty": qty}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {r:?}");
        assert_eq!(r.body["field"], "qty", "{code}: {r:?}");
    }
    let r = act(
        &app,
        &w.tech.1,
        &free,
        json!({"action": "use_part", "code": "P-PRINTER", "qty": 1.5}),
    )
    .await;
    assert_eq!(r.body["field"], "qty", "{r:?}");
    assert_eq!(stock(&app, &w, "P-PRINTER").await, (2, 0));
    assert_eq!(stock(&app, &w, "P-BATTERY").await, (0, 0));
    assert_eq!(
        repair(&app, &w.agent, &free).await["repair"]["version"],
        version
    );

    // The catalogue and stock refuse bad amounts and foreign service points.
    for (code, body, field) in [
        ("p-lower", json!({"name": "小写", "unit_fen": 100}), "code"),
        ("P-NEG", json!({"name": "负价", "unit_fen": -1}), "unit_fen"),
        (
            "P-FRAC",
            json!({"name": "小数", "unit_fen": 45.5}),
            "unit_fen",
        ),
        ("P-NONAME", json!({"name": " ", "unit_fen": 100}), "name"),
    ] {
        let r = app
            .call(
                Method::PUT,
                &format!("/api/v1/parts/{code}"),
                Some(&w.admin),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {r:?}");
        assert_eq!(r.body["field"], field, "{code}: {r:?}");
    }
    let b_sp = app
        .post(
            "/api/v1/service-points",
            &app.token(&app.b, Role::ProviderAdmin),
            json!({"name": "对方网点", "division_code": "330106", "address": "文一路 1 号"}),
        )
        .await;
    assert_eq!(b_sp.status, StatusCode::CREATED, "{b_sp:?}");
    for (body, field) in [
        (
            json!({"service_point_id": b_sp.body["id"], "delta": 5}),
            "service_point_id",
        ),
        (
            json!({"service_point_id": w.service_point, "delta": -3}),
            "delta",
        ),
        (
            json!({"service_point_id": w.service_point, "delta": 0}),
            "delta",
        ),
    ] {
        let r = app
            .post("/api/v1/parts/P-PRINTER/stock", &w.admin, body.clone())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["field"], field, "{body}: {r:?}");
    }
    let r = app
        .post(
            "/api/v1/parts/P-NOSUCH/stock",
            &w.admin,
            json!({"service_point_id": w.service_point, "delta": 1}),
        )
        .await;
    assert_eq!(r.body["field"], "code", "{r:?}");
    let parts = app.count("parts").await;
    let stock_rows = app.count("part_stock").await;
    assert_eq!((parts, stock_rows), (2, 1));
    assert_eq!(stock(&app, &w, "P-PRINTER").await, (2, 0));

    // The checklist: neither the repair's technician nor the ticket's assignee is refused.
    ok(
        &app,
        &w.tech.1,
        &free,
        json!({"action": "complete", "text": "清洁打印头"}),
    )
    .await;
    let other_tech = user(&app, "a.technician2", Role::Technician, None).await;
    let checks = app.count("repair_checks").await;
    for token in [&other_tech.1, &w.agent] {
        let r = act(
            &app,
            token,
            &free,
            json!({"action": "check", "item": "test_transaction",
            "result": "pass", "text": "交易参考号 000123"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    }
    let r = act(
        &app,
        &w.tech.1,
        &free,
        json!({"action": "check", "item": "test_transaction", "result": "ok", "text": "x"}),
    )
    .await;
    assert_eq!(r.body["field"], "result", "{r:?}");
    let r = act(
        &app,
        &w.tech.1,
        &free,
        json!({"action": "check", "item": "test_transaction", "result": "pass"}),
    )
    .await;
    assert_eq!(r.body["field"], "text", "{r:?}");
    assert_eq!(app.count("repair_checks").await, checks);
    // The ticket's assignee may.
    let r = app
        .post(
            &format!("/api/v1/tickets/{ticket2}/assign"),
            &w.agent,
            json!({"assignee_id": app.a.users[&Role::Agent].0.to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    ok(
        &app,
        &w.agent,
        &free,
        json!({"action": "check", "item": "test_transaction",
        "result": "pass", "text": "交易参考号 000123"}),
    )
    .await;
    assert_eq!(app.count("repair_checks").await, checks + 1);

    // Shipments belong to mail-in repairs; bad fields are named.
    let ship = |body: Value| {
        let (app, w, id) = (&app, &w, id.clone());
        async move {
            app.post(&format!("/api/v1/repairs/{id}/shipments"), &w.agent, body)
                .await
        }
    };
    let r = ship(
        json!({"direction": "in", "step": "dispatch", "carrier": "顺丰", "tracking_no": "SF1"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    for (body, field) in [
        (
            json!({"direction": "sideways", "step": "dispatch"}),
            "direction",
        ),
        (json!({"direction": "in", "step": "lose"}), "step"),
        (
            json!({"direction": "in", "step": "dispatch", "carrier": "顺丰"}),
            "tracking_no",
        ),
        (
            json!({"direction": "in", "step": "dispatch", "carrier": "顺丰", "tracking_no": "SF 1"}),
            "tracking_no",
        ),
        (
            json!({"direction": "in", "step": "dispatch", "tracking_no": "SF1"}),
            "carrier",
        ),
    ] {
        let r = ship(body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {r:?}");
        assert_eq!(r.body["field"], field, "{body}: {r:?}");
    }
    assert_eq!(app.count("repair_shipments").await, 0);
}

async fn loans_never_double_bind(app: TestApp) {
    let w = world(&app).await;
    let t1 = bound_terminal(
        &app,
        &w,
        "RP-TERM-01",
        "66000001",
        "2025-03-10",
        "2099-12-31",
    )
    .await;
    let t2 = bound_terminal(
        &app,
        &w,
        "RP-TERM-02",
        "66000002",
        "2025-03-10",
        "2099-12-31",
    )
    .await;
    let t3 = bound_terminal(
        &app,
        &w,
        "RP-TERM-03",
        "66000003",
        "2025-03-10",
        "2099-12-31",
    )
    .await;
    let l1 = loaner(&app, &w, "RP-LOAN-01", "66000091").await;
    let l2 = loaner(&app, &w, "RP-LOAN-02", "66000092").await;
    let l3 = loaner(&app, &w, "RP-LOAN-03", "66000093").await;
    let refused = [
        StatusCode::CONFLICT,
        StatusCode::PRECONDITION_FAILED,
        StatusCode::UNPROCESSABLE_ENTITY,
    ];

    // Two loaners for the same terminal at once: one wins, the TID is bound once.
    let (a, b) = tokio::join!(lend(&app, &w.agent, l1, t1), lend(&app, &w.agent, l2, t1));
    let wins: Vec<&Resp> = [&a, &b]
        .into_iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .collect();
    assert_eq!(wins.len(), 1, "{a:?} / {b:?}");
    let loser = if a.status == StatusCode::CREATED {
        &b
    } else {
        &a
    };
    assert!(refused.contains(&loser.status), "{loser:?}");
    let winner = wins[0].body["loaner_id"].as_str().unwrap().to_owned();
    assert_eq!(
        current_with_tid(&app, "66000001").await,
        (1, Some(winner.clone()))
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM loans WHERE terminal_id = $1 AND returned_at IS NULL",
            t1.to_string()
        )
        .await,
        1
    );
    let idle = if winner == l1.to_string() { l2 } else { l1 };
    assert_eq!(terminal_status(&app, &w, idle).await, "in_stock");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM terminal_bindings WHERE terminal_id = $1",
            idle.to_string()
        )
        .await,
        0
    );

    // The same loaner to two terminals at once: one wins.
    let (a, b) = tokio::join!(lend(&app, &w.agent, l3, t2), lend(&app, &w.agent, l3, t3));
    let wins = [&a, &b]
        .into_iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(wins, 1, "{a:?} / {b:?}");
    let loser = if a.status == StatusCode::CREATED {
        &b
    } else {
        &a
    };
    assert!(refused.contains(&loser.status), "{loser:?}");
    let (lent_to, kept) = if a.status == StatusCode::CREATED {
        (t2, t3)
    } else {
        (t3, t2)
    };
    let (lent_tid, kept_tid) = if lent_to == t2 {
        ("66000002", "66000003")
    } else {
        ("66000003", "66000002")
    };
    assert_eq!(
        current_with_tid(&app, lent_tid).await,
        (1, Some(l3.to_string()))
    );
    assert_eq!(
        current_with_tid(&app, kept_tid).await,
        (1, Some(kept.to_string()))
    );
    assert_eq!(terminal_status(&app, &w, kept).await, "active");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM terminal_bindings WHERE terminal_id = $1 AND ended_at IS NULL",
            l3.to_string()
        )
        .await,
        1
    );

    // Lending a loaner that is out: refused, nothing changed.
    let loans = app.count("loans").await;
    let bindings = app.count("terminal_bindings").await;
    let r = lend(&app, &w.agent, l3, kept).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("out"),
        "{r:?}"
    );
    // A terminal that already has a loaner, one that is not in the pool, one lent to itself.
    let r = lend(&app, &w.agent, idle, t1).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = lend(&app, &w.agent, t1, kept).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("loaner_id")),
        "{r:?}"
    );
    let r = lend(&app, &w.agent, idle, idle).await;
    assert_eq!(r.body["field"], "loaner_id", "{r:?}");
    let r = app
        .post(
            "/api/v1/loans",
            &w.agent,
            json!({"loaner_id": "x", "terminal_id": kept.to_string()}),
        )
        .await;
    assert_eq!(r.body["field"], "loaner_id", "{r:?}");
    let r = app
        .post(
            "/api/v1/loans",
            &w.agent,
            json!({"loaner_id": idle.to_string(), "terminal_id": kept.to_string(), "due_days": 0}),
        )
        .await;
    assert_eq!(r.body["field"], "due_days", "{r:?}");
    assert_eq!(app.count("loans").await, loans);
    assert_eq!(app.count("terminal_bindings").await, bindings);
    assert_eq!(terminal_status(&app, &w, kept).await, "active");
    assert_eq!(terminal_status(&app, &w, idle).await, "in_stock");
    // A terminal that is not in stock does not join the pool.
    let r = app
        .post(
            "/api/v1/loaners",
            &w.admin,
            json!({"terminal_id": kept.to_string(), "service_point_id": w.service_point}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
}

async fn tenancy_and_merchant_scope(app: TestApp) {
    let w = world(&app).await;
    let term = bound_terminal(
        &app,
        &w,
        "RP-TERM-01",
        "66000001",
        "2025-03-10",
        "2099-12-31",
    )
    .await;
    let spare = loaner(&app, &w, "RP-LOAN-01", "66000091").await;
    let ticket = fault_ticket(&app, &w, term).await;
    let id = open_repair(&app, &w, &ticket, "mail_in").await;
    let r = lend(&app, &w.agent, spare, term).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let loan = r.body["id"].as_str().unwrap().to_owned();

    // Provider b's staff see none of it.
    let b_admin = app.token(&app.b, Role::ProviderAdmin);
    let b_agent = app.token(&app.b, Role::Agent);
    for (method, path, body) in [
        (Method::GET, format!("/api/v1/repairs/{id}"), None),
        (Method::GET, format!("/api/v1/repairs/{id}/shipments"), None),
        (
            Method::GET,
            format!("/api/v1/tickets/{ticket}/repairs"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/tickets/{ticket}/repairs"),
            Some(json!({"method": "remote"})),
        ),
        (
            Method::POST,
            format!("/api/v1/repairs/{id}/actions"),
            Some(json!({"action": "note", "text": "看看"})),
        ),
        (
            Method::POST,
            format!("/api/v1/repairs/{id}/shipments"),
            Some(json!({"direction": "in", "step": "receive"})),
        ),
        (Method::POST, format!("/api/v1/loans/{loan}/return"), None),
    ] {
        let r = app.call(method.clone(), &path, Some(&b_agent), body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}: {r:?}");
    }
    // Another provider's loaner is not in b's pool.
    let r = lend(&app, &b_agent, spare, term).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("loaner_id")),
        "{r:?}"
    );
    let r = app
        .post(
            "/api/v1/loaners",
            &b_admin,
            json!({"terminal_id": spare.to_string(), "service_point_id": w.service_point}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    for path in [
        "/api/v1/loans",
        "/api/v1/loaners",
        "/api/v1/parts",
        "/api/v1/me/day-list",
    ] {
        let r = app.get(path, &b_agent).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {r:?}");
        assert_eq!(r.body, json!([]), "{path}");
    }
    let r = app
        .get(&format!("/api/v1/loans?loaner_id={spare}"), &b_agent)
        .await;
    assert_eq!(r.body, json!([]));

    // A merchant user of another merchant of the same provider: 404.
    let stranger = app.token(&app.a, Role::MerchantUser);
    for path in [
        format!("/api/v1/repairs/{id}"),
        format!("/api/v1/repairs/{id}/shipments"),
        format!("/api/v1/tickets/{ticket}/repairs"),
    ] {
        let r = app.get(&path, &stranger).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {r:?}");
    }
    let r = app.get("/api/v1/loans", &stranger).await;
    assert_eq!(r.body, json!([]), "{r:?}");

    // The merchant's own user reads, but takes no staff action.
    assert_eq!(
        repair(&app, &w.portal, &id).await["repair"]["id"],
        id.as_str()
    );
    let r = app.get("/api/v1/loans", &w.portal).await;
    assert_eq!(r.body[0]["id"], loan.as_str(), "{r:?}");
    let version = repair(&app, &w.agent, &id).await["repair"]["version"].clone();
    for (method, path, body) in [
        (
            Method::POST,
            format!("/api/v1/repairs/{id}/actions"),
            Some(json!({"action": "diagnose", "cause": "unknown", "text": "自己诊断"})),
        ),
        (
            Method::POST,
            format!("/api/v1/repairs/{id}/actions"),
            Some(json!({"action": "cancel"})),
        ),
        (
            Method::POST,
            format!("/api/v1/repairs/{id}/shipments"),
            Some(
                json!({"direction": "in", "step": "dispatch", "carrier": "顺丰", "tracking_no": "SF1"}),
            ),
        ),
        (
            Method::POST,
            format!("/api/v1/tickets/{ticket}/repairs"),
            Some(json!({"method": "remote"})),
        ),
        (Method::POST, format!("/api/v1/loans/{loan}/return"), None),
        (
            Method::POST,
            "/api/v1/loans".into(),
            Some(json!({"loaner_id": spare.to_string(), "terminal_id": term.to_string()})),
        ),
        (Method::GET, "/api/v1/parts".into(), None),
        (Method::GET, "/api/v1/loaners".into(), None),
        (Method::GET, "/api/v1/me/day-list".into(), None),
        (
            Method::PUT,
            "/api/v1/parts/P-PRINTER".into(),
            Some(json!({"name": "打印头", "unit_fen": 1})),
        ),
    ] {
        let r = app.call(method.clone(), &path, Some(&w.portal), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}: {r:?}");
    }
    // Staff without ServicePointManage do not edit the catalogue or the pool.
    let r = app
        .call(
            Method::PUT,
            "/api/v1/parts/P-PRINTER",
            Some(&w.agent),
            Some(json!({"name": "打印头", "unit_fen": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let d = repair(&app, &w.agent, &id).await;
    assert_eq!(d["repair"]["version"], version);
    assert_eq!(d["repair"]["status"], "open");
    assert_eq!(app.count("repair_shipments").await, 0);
    let r = app.get("/api/v1/loans?open=true", &w.agent).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1, "{r:?}");
}

app_tests!(
    mail_in_path,
    bad_input_changes_nothing,
    loans_never_double_bind,
    tenancy_and_merchant_scope
);
