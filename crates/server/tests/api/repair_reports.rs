//! The repair reports (issue 6 item 8) on both engines: a small estate built through the API
//! (bound terminals of three models, loaners in a service point's pool, parts in stock, five
//! repairs — two remote on the same terminal, the second a repeat of the first within 30
//! days; one mail-in with a loaner lent for it; one on site left diagnosed; one cancelled),
//! their instants then moved into March 2026, and every figure checked against values worked
//! out by hand: counts by method, cause and model, first-time-fix rate, mean time to restore
//! with and without a loaner, parts used, loaners out and overdue; the range boundary (days in
//! Shanghai), the default of the last 30 days, range errors naming `from`/`to`, another
//! provider's repairs left out, 403 for merchant users and roles without `TicketRead`; and the
//! web page and the supervisor dashboard's block rendered through the router with a session.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::authz::Role;
use posdesk_core::calendar::LocalDate;
use posdesk_core::ids::{TenantId, TerminalId, UserId};
use posdesk_server::service::{Ctx, operator_principal};
use posdesk_storage::repo::{sessions, terminals};
use posdesk_storage::{Actor, Applied, Conn, Mutation, WriteMeta};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

use crate::app_tests;
use crate::helpers::{Resp, TestApp, err};

const USCC: &str = "91110000600037341L";
const CARD: &str = "6228480402564890018";
const MID: &str = "102330159990001";

/// An instant in Shanghai: `h` hours and `m` minutes after midnight of the day.
fn sh(y: i32, mo: u32, d: u32, h: i64, m: i64) -> Timestamp {
    let day = LocalDate::new(y, mo, d).unwrap();
    Timestamp::from_millis(day.start().millis() + h * 3_600_000 + m * 60_000)
}

/// Provider a's admin and agent tokens, its technician, the merchant and the service point.
struct World {
    admin: String,
    agent: String,
    tech: (UserId, String),
    merchant: String,
    service_point: String,
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
    let merchant = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/v1/service-points",
            &admin,
            json!({"name": "西湖维修中心", "division_code": "330106", "address": "文三路 90 号",
                   "skills": ["hardware_repair", "mail_in"], "technicians": [tech.0.to_string()]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    World {
        admin,
        agent: app.token(&app.a, Role::Agent),
        tech,
        merchant,
        service_point: r.body["id"].as_str().unwrap().to_owned(),
    }
}

async fn stock_terminal(
    app: &TestApp,
    tenant: TenantId,
    sn: &str,
    tid: &str,
    model: &str,
) -> TerminalId {
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
            model: model.into(),
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

/// A terminal of the world's merchant, bound with `tid`, in warranty until 2099, active.
async fn bound_terminal(app: &TestApp, w: &World, sn: &str, tid: &str, model: &str) -> TerminalId {
    let t = stock_terminal(app, app.a.id, sn, tid, model).await;
    let r = app
        .post(
            &format!("/api/v1/terminals/{t}/bindings"),
            &w.admin,
            json!({"acquirer_code": &MID[..3], "mid": MID, "tid": tid, "settlement_account": CARD,
                   "address": "杭州市西湖区文三路 90 号 1 楼", "division_code": "330106",
                   "install_date": "2025-01-10", "warranty_end": "2099-12-31",
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
    let t = stock_terminal(app, app.a.id, sn, tid, "N910").await;
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
    let r = app
        .post(
            &format!("/api/v1/parts/{code}/stock"),
            &w.admin,
            json!({"service_point_id": w.service_point, "delta": on_hand}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
}

/// A triaged (open) fault ticket of `merchant` on `terminal`, opened by `agent`.
async fn fault_ticket(app: &TestApp, agent: &str, merchant: &str, terminal: TerminalId) -> String {
    let r = app
        .post(
            "/api/v1/tickets",
            agent,
            json!({"category": "printing", "subject": "小票打印不清", "description": "打印字迹很淡",
                   "merchant_id": merchant, "terminal_id": terminal.to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/transition"),
            agent,
            json!({"event": "triage"}),
        )
        .await;
    assert_eq!(r.body["ticket"]["status"], "open", "{r:?}");
    id
}

async fn open_repair(app: &TestApp, agent: &str, ticket: &str, method: &str) -> String {
    let r = app
        .post(
            &format!("/api/v1/tickets/{ticket}/repairs"),
            agent,
            json!({"method": method}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["id"].as_str().unwrap().to_owned()
}

async fn ok(app: &TestApp, token: &str, repair: &str, body: Value) -> Value {
    let r = app
        .post(
            &format!("/api/v1/repairs/{repair}/actions"),
            token,
            body.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {r:?}");
    r.body
}

/// Diagnose (`cause`), dispatch to the world's technician, start, use `parts`, complete.
async fn repair_through(app: &TestApp, w: &World, id: &str, cause: &str, parts: &[(&str, i64)]) {
    let r = ok(
        app,
        &w.agent,
        id,
        json!({"action": "diagnose", "cause": cause, "text": "现场检测"}),
    )
    .await;
    assert_eq!(r["coverage"], "warranty", "{r}");
    ok(
        app,
        &w.agent,
        id,
        json!({"action": "dispatch", "service_point_id": w.service_point,
               "technician_id": w.tech.0.to_string()}),
    )
    .await;
    ok(app, &w.tech.1, id, json!({"action": "start"})).await;
    for (code, qty) in parts {
        ok(
            app,
            &w.tech.1,
            id,
            json!({"action": "use_part", "code": code, "qty": qty}),
        )
        .await;
    }
    let r = ok(
        app,
        &w.tech.1,
        id,
        json!({"action": "complete", "text": "已修复，打印清晰"}),
    )
    .await;
    assert_eq!(r["status"], "repaired");
}

async fn lend(
    app: &TestApp,
    w: &World,
    loaner: TerminalId,
    terminal: TerminalId,
    repair: Option<&str>,
) -> String {
    let r = app
        .post(
            "/api/v1/loans",
            &w.agent,
            json!({"loaner_id": loaner.to_string(), "terminal_id": terminal.to_string(),
                   "repair_id": repair}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["id"].as_str().unwrap().to_owned()
}

/// Moves instants into the past (test-only writes, through the store).
enum Backdate {
    Ticket {
        id: String,
        created: Timestamp,
    },
    Repair {
        id: String,
        created: Timestamp,
        completed: Option<Timestamp>,
    },
    Loan {
        id: String,
        lent: Timestamp,
        due: Timestamp,
    },
}

impl Mutation for Backdate {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _: &'a posdesk_storage::Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<Applied<()>>> {
        Box::pin(async move {
            let n = match self {
                Backdate::Ticket { id, created } => {
                    c.execute(
                        "UPDATE tickets SET created_at = $1 WHERE id = $2",
                        &[(*created).into(), id.as_str().into()],
                    )
                    .await?
                }
                Backdate::Repair {
                    id,
                    created,
                    completed,
                } => {
                    c.execute(
                        "UPDATE repair_orders SET created_at = $1, completed_at = $2 WHERE id = $3",
                        &[(*created).into(), (*completed).into(), id.as_str().into()],
                    )
                    .await?
                }
                Backdate::Loan { id, lent, due } => {
                    c.execute(
                        "UPDATE loans SET lent_at = $1, due_at = $2 WHERE id = $3",
                        &[(*lent).into(), (*due).into(), id.as_str().into()],
                    )
                    .await?
                }
            };
            assert_eq!(n, 1);
            Ok(Applied::unaudited(()))
        })
    }
}

async fn backdate(app: &TestApp, b: Backdate) {
    app.state
        .store
        .write(WriteMeta::new(Actor::system("test"), "t"), b)
        .await
        .unwrap();
}

async fn ticket_at(app: &TestApp, id: &str, created: Timestamp) {
    backdate(
        app,
        Backdate::Ticket {
            id: id.to_owned(),
            created,
        },
    )
    .await;
}

async fn repair_at(app: &TestApp, id: &str, created: Timestamp, completed: Option<Timestamp>) {
    backdate(
        app,
        Backdate::Repair {
            id: id.to_owned(),
            created,
            completed,
        },
    )
    .await;
}

/// Ids the assertions name.
struct Estate {
    r1: String,
    overdue_loan: String,
    current_loan: String,
    b_repair: String,
}

/// Provider a, March 2026 (Shanghai):
/// * R1 remote, terminal T1 (N910), normal wear, reported 2 Mar 09:00, completed 11:00 (120
///   min), used 2 × P-PRINTER; repeated by R2.
/// * R2 remote, T1 again, environment, reported 10 Mar 09:00, completed 15:00 (360 min).
/// * R3 mail-in, T2 (P2), normal wear, reported 12 Mar 09:00, a loaner lent for it at 12:00
///   (180 min; due 26 Mar, never returned: overdue), completed 20 Mar; used 1 × P-PRINTER and
///   1 × P-BATTERY.
/// * R4 on site, T3 (A920), human damage, reported 31 Mar 23:00, opened 23:30 (still 31 March
///   in Shanghai, 15:30 UTC), left diagnosed.
/// * R5 remote on T3's ticket, opened 31 Mar 23:40 and cancelled.
/// * A second loaner lent now to T3 without a repair (out, not overdue).
///
/// Provider b: one remote repair opened 5 Mar on its own terminal (A920).
async fn estate(app: &TestApp) -> Estate {
    let w = world(app).await;
    let t1 = bound_terminal(app, &w, "RR-TERM-01", "67000001", "N910").await;
    let t2 = bound_terminal(app, &w, "RR-TERM-02", "67000002", "P2").await;
    let t3 = bound_terminal(app, &w, "RR-TERM-03", "67000003", "A920").await;
    let spare1 = loaner(app, &w, "RR-LOAN-01", "67000091").await;
    let spare2 = loaner(app, &w, "RR-LOAN-02", "67000092").await;
    part(app, &w, "P-PRINTER", "打印头", 4500, 10).await;
    part(app, &w, "P-BATTERY", "电池", 2000, 5).await;

    let k1 = fault_ticket(app, &w.agent, &w.merchant, t1).await;
    let r1 = open_repair(app, &w.agent, &k1, "remote").await;
    repair_through(app, &w, &r1, "normal_wear", &[("P-PRINTER", 2)]).await;

    // A new fault on T1 right after R1's completion: a repeat.
    let k2 = fault_ticket(app, &w.agent, &w.merchant, t1).await;
    let r2 = open_repair(app, &w.agent, &k2, "remote").await;
    let d = app.get(&format!("/api/v1/repairs/{r2}"), &w.agent).await;
    assert_eq!(d.body["repair"]["repeat_of"], r1.as_str(), "{d:?}");
    repair_through(app, &w, &r2, "environment", &[]).await;

    let k3 = fault_ticket(app, &w.agent, &w.merchant, t2).await;
    let r3 = open_repair(app, &w.agent, &k3, "mail_in").await;
    let overdue_loan = lend(app, &w, spare1, t2, Some(&r3)).await;
    repair_through(
        app,
        &w,
        &r3,
        "normal_wear",
        &[("P-PRINTER", 1), ("P-BATTERY", 1)],
    )
    .await;

    let k4 = fault_ticket(app, &w.agent, &w.merchant, t3).await;
    let r4 = open_repair(app, &w.agent, &k4, "on_site").await;
    let r = ok(
        app,
        &w.agent,
        &r4,
        json!({"action": "diagnose", "cause": "human_damage", "text": "外壳摔裂"}),
    )
    .await;
    assert_eq!(r["coverage"], "chargeable");
    let r5 = open_repair(app, &w.agent, &k4, "remote").await;
    assert_eq!(
        ok(app, &w.agent, &r5, json!({"action": "cancel"})).await["status"],
        "cancelled"
    );
    let current_loan = lend(app, &w, spare2, t3, None).await;

    ticket_at(app, &k1, sh(2026, 3, 2, 9, 0)).await;
    repair_at(app, &r1, sh(2026, 3, 2, 9, 30), Some(sh(2026, 3, 2, 11, 0))).await;
    ticket_at(app, &k2, sh(2026, 3, 10, 9, 0)).await;
    repair_at(
        app,
        &r2,
        sh(2026, 3, 10, 9, 10),
        Some(sh(2026, 3, 10, 15, 0)),
    )
    .await;
    ticket_at(app, &k3, sh(2026, 3, 12, 9, 0)).await;
    repair_at(
        app,
        &r3,
        sh(2026, 3, 12, 10, 0),
        Some(sh(2026, 3, 20, 9, 0)),
    )
    .await;
    backdate(
        app,
        Backdate::Loan {
            id: overdue_loan.clone(),
            lent: sh(2026, 3, 12, 12, 0),
            due: sh(2026, 3, 26, 12, 0),
        },
    )
    .await;
    ticket_at(app, &k4, sh(2026, 3, 31, 23, 0)).await;
    repair_at(app, &r4, sh(2026, 3, 31, 23, 30), None).await;
    repair_at(app, &r5, sh(2026, 3, 31, 23, 40), None).await;
    assert_eq!(
        sh(2026, 3, 31, 23, 30).to_rfc3339(),
        "2026-03-31T15:30:00.000Z"
    );

    // Provider b.
    let b_agent = app.token(&app.b, Role::Agent);
    let kb = fault_ticket(app, &b_agent, &app.b.merchant.to_string(), app.b.terminal).await;
    let b_repair = open_repair(app, &b_agent, &kb, "remote").await;
    ticket_at(app, &kb, sh(2026, 3, 5, 9, 0)).await;
    repair_at(app, &b_repair, sh(2026, 3, 5, 10, 0), None).await;

    Estate {
        r1,
        overdue_loan,
        current_loan,
        b_repair,
    }
}

/// A JSON object's entries are exactly `keys` (every other key zero).
fn counts(v: &Value, keys: &[(&str, u64)]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    for (k, n) in keys {
        assert_eq!(obj.get(*k), Some(&json!(n)), "{k} in {v}");
    }
    let listed: u64 = keys.iter().map(|(_, n)| n).sum();
    let all: u64 = obj.values().map(|x| x.as_u64().unwrap()).sum();
    assert_eq!(all, listed, "other keys are zero: {v}");
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() < 1e-9, "{got} != {want}");
}

async fn report(app: &TestApp, token: &str, query: &str) -> Resp {
    app.get(&format!("/api/v1/repairs/report{query}"), token)
        .await
}

async fn figures_by_hand(app: TestApp) {
    let e = estate(&app).await;
    let sup = app.token(&app.a, Role::Supervisor);
    let r = report(&app, &sup, "?from=2026-03-01&to=2026-03-31").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let b = &r.body;
    assert_eq!(b["from"], "2026-03-01");
    assert_eq!(b["to"], "2026-03-31");
    // R1–R4; R5 cancelled apart; R1–R3 completed.
    assert_eq!(b["repairs"], 4);
    assert_eq!(b["completed"], 3);
    assert_eq!(b["cancelled"], 1);
    counts(
        &b["by_method"],
        &[("remote", 2), ("mail_in", 1), ("on_site", 1)],
    );
    assert_eq!(b["by_method"].as_object().unwrap().len(), 3);
    counts(
        &b["by_cause"],
        &[("normal_wear", 2), ("environment", 1), ("human_damage", 1)],
    );
    assert_eq!(b["by_cause"]["unknown"], 0);
    assert_eq!(b["by_cause"]["undiagnosed"], 0);
    assert_eq!(
        b["by_model"],
        json!([{"model": "N910", "repairs": 2}, {"model": "A920", "repairs": 1},
               {"model": "P2", "repairs": 1}])
    );
    // First-time fix: R1 is repeated by R2 → 2 of 3. Restore: R1 120 min, R2 360 min (no
    // loaner), R3 180 min (until the loaner was lent, not the completion eight days later).
    let s = &b["restore"];
    assert_eq!(s["repairs"], 3);
    close(&s["first_time_fix_rate"], 2.0 / 3.0);
    close(&s["mean_restore_minutes"], (120.0 + 360.0 + 180.0) / 3.0);
    close(&s["mean_restore_minutes_with_loaner"], 180.0);
    close(
        &s["mean_restore_minutes_without_loaner"],
        (120.0 + 360.0) / 2.0,
    );
    assert_eq!(s["with_loaner"], 1);
    assert_eq!(s["repeated"], 1);
    // Parts: P-PRINTER 2 (R1) + 1 (R3) at 45.00, P-BATTERY 1 (R3) at 20.00.
    assert_eq!(
        b["parts"],
        json!([
            {"code": "P-PRINTER", "name": "打印头", "qty": 3, "repairs": 2, "value_fen": 13500},
            {"code": "P-BATTERY", "name": "电池", "qty": 1, "repairs": 1, "value_fen": 2000}
        ])
    );
    // Loans now: both out, R3's overdue since 26 March (listed first); one lent in March.
    let l = &b["loans"];
    assert_eq!(l["out"], 2);
    assert_eq!(l["overdue"], 1);
    assert_eq!(l["lent_in_range"], 1);
    let open = l["open"].as_array().unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(open[0]["id"], e.overdue_loan.as_str());
    assert_eq!(open[0]["overdue"], true);
    assert_eq!(open[0]["loaner_sn"], "RR-LOAN-01");
    assert_eq!(open[0]["tid"], "67000002");
    assert_eq!(open[0]["merchant_name"], "西湖茶社");
    assert_eq!(open[1]["id"], e.current_loan.as_str());
    assert_eq!(open[1]["overdue"], false);
    // Provider b's repair is not in a's figures.
    assert!(!r.body.to_string().contains(&e.b_repair));

    // From 3 March: R1 (opened 2 March) drops out; R2 is a repeat but not itself repeated.
    let r = report(&app, &sup, "?from=2026-03-03&to=2026-03-31").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let b = &r.body;
    assert_eq!(b["repairs"], 3);
    counts(
        &b["by_method"],
        &[("remote", 1), ("mail_in", 1), ("on_site", 1)],
    );
    let s = &b["restore"];
    assert_eq!(s["repairs"], 2);
    close(&s["first_time_fix_rate"], 1.0);
    close(&s["mean_restore_minutes_with_loaner"], 180.0);
    close(&s["mean_restore_minutes_without_loaner"], 360.0);
    close(&s["mean_restore_minutes"], 270.0);
    assert_eq!(b["parts"][0]["qty"], 1);
    assert_eq!(b["parts"].as_array().unwrap().len(), 2);

    // Up to 30 March: R4 and R5, opened late on 31 March Shanghai time (still 31 March, not
    // 1 April, in UTC too), are out; the first day's R1 is in.
    let r = report(&app, &sup, "?from=2026-03-02&to=2026-03-30").await;
    assert_eq!(r.body["repairs"], 3, "{r:?}");
    assert_eq!(r.body["cancelled"], 0);
    assert_eq!(r.body["by_method"]["on_site"], 0);
    assert_eq!(r.body["by_cause"]["human_damage"], 0);

    // The default: the last 30 days up to today — none of March's repairs, the same loans, the
    // current loan lent in the period.
    let r = report(&app, &sup, "").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let today = LocalDate::of_timestamp(posdesk_storage::now()).unwrap();
    assert_eq!(r.body["to"], today.to_string());
    assert_eq!(r.body["from"], today.add_days(-29).unwrap().to_string());
    assert_eq!(r.body["repairs"], 0);
    assert!(r.body["restore"]["first_time_fix_rate"].is_null());
    assert!(r.body["restore"]["mean_restore_minutes"].is_null());
    assert_eq!(r.body["parts"], json!([]));
    assert_eq!(r.body["loans"]["out"], 2);
    assert_eq!(r.body["loans"]["overdue"], 1);
    assert_eq!(r.body["loans"]["lent_in_range"], 1);

    // Other staff with TicketRead see the same figures.
    for role in [
        Role::ProviderAdmin,
        Role::Agent,
        Role::Technician,
        Role::Auditor,
    ] {
        let r = report(
            &app,
            &app.token(&app.a, role),
            "?from=2026-03-01&to=2026-03-31",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{role:?}: {r:?}");
        assert_eq!(r.body["repairs"], 4, "{role:?}");
    }
}

async fn tenancy_and_roles(app: TestApp) {
    let e = estate(&app).await;
    // Provider b sees its own repair only, and none of a's loans.
    let b_sup = app.token(&app.b, Role::Supervisor);
    let r = report(&app, &b_sup, "?from=2026-03-01&to=2026-03-31").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["repairs"], 1);
    counts(&r.body["by_method"], &[("remote", 1)]);
    counts(&r.body["by_cause"], &[("undiagnosed", 1)]);
    assert_eq!(r.body["by_model"], json!([{"model": "A920", "repairs": 1}]));
    assert_eq!(r.body["completed"], 0);
    assert_eq!(r.body["parts"], json!([]));
    assert_eq!(r.body["loans"]["out"], 0);
    assert_eq!(r.body["loans"]["open"], json!([]));
    let text = r.body.to_string();
    for id in [&e.r1, &e.overdue_loan, &e.current_loan] {
        assert!(!text.contains(id.as_str()), "{id} leaked to b");
    }

    // A merchant user (TicketRead over their own merchant) is refused, as are roles without
    // TicketRead.
    for (who, token) in [
        ("merchant user", app.token(&app.a, Role::MerchantUser)),
        ("terminal agent", app.token(&app.a, Role::TerminalAgent)),
        ("platform admin", app.platform.1.clone()),
    ] {
        let r = report(&app, &token, "?from=2026-03-01&to=2026-03-31").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {r:?}");
    }
    let r = app
        .call(Method::GET, "/api/v1/repairs/report", None, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn bad_ranges(app: TestApp) {
    let sup = app.token(&app.a, Role::Supervisor);
    for (query, field, code) in [
        ("?from=2026-3-01", "from", "pattern"),
        ("?from=2026-02-30&to=2026-03-01", "from", "pattern"),
        ("?to=2026/03/01", "to", "pattern"),
        ("?from=2026-03-02&to=2026-03-01", "to", "invalid"),
        ("?from=2025-03-01&to=2026-03-02", "to", "invalid"),
    ] {
        let r = report(&app, &sup, query).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {r:?}");
        assert_eq!(r.body["field"], field, "{query}: {r:?}");
        assert_eq!(r.body["rule"], code, "{query}: {r:?}");
    }
    // 366 days, both ends included, is the most.
    let r = report(&app, &sup, "?from=2025-03-01&to=2026-03-01").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["repairs"], 0);
}

async fn raw_get(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .uri(path)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// A signed-in web session of `user`; the `Cookie` header value.
async fn web_cookie(app: &TestApp, user: UserId) -> String {
    let cookie = posdesk_server::auth::secret::random_token();
    app.state
        .store
        .write(
            WriteMeta::new(Actor::system("test"), "t"),
            sessions::CreateSession {
                id_hash: posdesk_server::auth::secret::sha256_hex(&cookie),
                user_id: user,
                csrf_token: "test-csrf".into(),
                second_factor_pending: false,
                ttl_ms: 3_600_000,
                ip: None,
            },
        )
        .await
        .unwrap();
    format!("posdesk_session={cookie}")
}

async fn web_page_and_dashboard(app: TestApp) {
    let e = estate(&app).await;
    let sup = web_cookie(&app, app.a.users[&Role::Supervisor].0).await;
    let (status, html) = raw_get(&app, "/repairs/report?from=2026-03-01&to=2026-03-31", &sup).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("维修报表"));
    assert!(html.contains("value=\"2026-03-01\"") && html.contains("value=\"2026-03-31\""));
    // Tables.
    assert!(html.contains(
        "<tr id=\"rrep-method-remote\"><td>远程</td><td class=\"num\">2</td><td class=\"num\">50.0%</td></tr>"
    ), "{html}");
    assert!(
        html.contains(
            "<tr id=\"rrep-cause-normal_wear\"><td>正常损耗</td><td class=\"num\">2</td>"
        )
    );
    assert!(
        html.contains(
            "<td class=\"num\" id=\"rrep-ftf\">66.7% <span class=\"muted small\">(2 / 3)</span>"
        ),
        "{html}"
    );
    assert!(html.contains("id=\"rrep-mean-with\">3 小时 0 分钟"));
    assert!(html.contains("id=\"rrep-mean-without\">4 小时 0 分钟"));
    assert!(html.contains("id=\"rrep-part-P-PRINTER\""));
    assert!(html.contains("<td class=\"num\">¥135.00</td>"), "{html}");
    // Charts: 3 methods + 5 causes + 3 models + 2 parts + 3 restore rows, drawn server-side.
    assert_eq!(html.matches("class=\"rrep-bar\"").count(), 16, "{html}");
    assert!(html.contains("远程：2"));
    assert!(html.contains("N910：2"));
    assert!(html.contains("class=\"rrep-gauge\""));
    assert!(!html.contains("<script"));
    // Loaners: the overdue one in red.
    assert!(html.contains(&format!(
        "id=\"rrep-loan-{}\" class=\"rrep-loan\" data-overdue=\"yes\"",
        e.overdue_loan
    )));
    assert!(html.contains(&format!(
        "id=\"rrep-loan-{}\" class=\"rrep-loan\" data-overdue=\"no\"",
        e.current_loan
    )));
    assert!(
        html.contains("class=\"badge badge-danger\" data-count=\"1\">逾期 1 台"),
        "{html}"
    );

    // A range error stays on the page, in words.
    let (status, html) = raw_get(&app, "/repairs/report?from=2026-03-02&to=2026-03-01", &sup).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("截止日期不能早于起始日期"), "{html}");

    // The supervisor's dashboard: the last 30 days' figures and the link.
    let (status, html) = raw_get(&app, "/", &sup).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"repair-kpis\""), "{html}");
    assert!(html.contains("href=\"/repairs/report\" id=\"repair-kpis-link\""));
    assert!(html.contains("id=\"repair-kpis-chart\""));
    assert!(html.contains("id=\"repair-kpis-restore\""));
    assert!(html.contains("class=\"badge badge-danger\" data-count=\"1\""));
    // An agent's dashboard has no such block; a merchant user cannot open the page.
    let agent = web_cookie(&app, app.a.users[&Role::Agent].0).await;
    let (status, html) = raw_get(&app, "/", &agent).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("id=\"repair-kpis\""));
    let me = web_cookie(&app, app.a.users[&Role::MerchantUser].0).await;
    let (status, _) = raw_get(&app, "/repairs/report", &me).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

app_tests!(
    figures_by_hand,
    tenancy_and_roles,
    bad_ranges,
    web_page_and_dashboard
);
