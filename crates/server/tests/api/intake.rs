//! Hotline and walk-in intake over the API: the look-up finds candidates by each key (TID, SN,
//! MID, the primary and other contacts' phones, the merchant name) within the caller's provider
//! only, refuses merchant users and short texts; the intake summary shows the warranty by the
//! core's rule, open tickets on the terminal and the recently resolved ones.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use posdesk_core::ids::{TenantId, TerminalId};
use posdesk_server::service::{Ctx, operator_principal};
use posdesk_storage::repo::terminals;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app_tests;
use crate::helpers::{Resp, TestApp, err};

async fn lookup(app: &TestApp, token: &str, q: &str) -> Resp {
    let path = format!("/api/v1/lookup?q={}", urlencoding::encode(q));
    app.get(&path, token).await
}

/// The candidates of a successful look-up.
async fn candidates(app: &TestApp, token: &str, q: &str) -> Vec<Value> {
    let r = lookup(app, token, q).await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {r:?}");
    r.body["candidates"].as_array().cloned().unwrap_or_default()
}

fn terminal_ids(c: &[Value]) -> Vec<String> {
    c.iter()
        .filter_map(|c| c["terminal"]["id"].as_str().map(str::to_owned))
        .collect()
}

fn merchant_ids(c: &[Value]) -> Vec<String> {
    c.iter()
        .filter_map(|c| c["merchant"]["id"].as_str().map(str::to_owned))
        .collect()
}

fn matched(c: &Value) -> Vec<String> {
    c["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

async fn set_contacts(app: &TestApp, token: &str, merchant: String, contacts: Value) {
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/merchants/{merchant}/contacts"),
            Some(token),
            Some(json!({ "contacts": contacts })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

async fn lookup_finds_each_key_within_the_provider(app: TestApp) {
    let agent = app.token(&app.a, Role::Agent);
    let (ta1, ta2) = (app.a.terminal.to_string(), app.a.other_terminal.to_string());
    let (ma1, ma2) = (app.a.merchant.to_string(), app.a.other_merchant.to_string());
    let b_terminals = [app.b.terminal.to_string(), app.b.other_terminal.to_string()];
    let b_merchants = [app.b.merchant.to_string(), app.b.other_merchant.to_string()];

    // TID prefix (typed in lower case), with the terminal's merchant.
    let c = candidates(&app, &agent, "ta1").await;
    assert_eq!(terminal_ids(&c), [ta1.as_str()], "{c:?}");
    assert_eq!(c[0]["merchant"]["id"], ma1);
    assert_eq!(c[0]["terminal"]["tid"], "TA100000");
    assert_eq!(c[0]["terminal"]["model"], "A920");
    assert_eq!(matched(&c[0]), ["tid"]);

    // SN prefix: both of the provider's terminals, none of the other provider's.
    let c = candidates(&app, &agent, "SN-TEST-").await;
    let mut ids = terminal_ids(&c);
    ids.sort();
    let mut want = vec![ta1.clone(), ta2.clone()];
    want.sort();
    assert_eq!(ids, want, "{c:?}");
    assert!(c.iter().all(|c| matched(c) == ["sn"]));

    // MID prefix: the provider's merchants, each with its terminal.
    let c = candidates(&app, &agent, "1023301581200").await;
    let mut ids = merchant_ids(&c);
    ids.sort();
    let mut want = vec![ma1.clone(), ma2.clone()];
    want.sort();
    assert_eq!(ids, want, "{c:?}");
    assert!(
        c.iter()
            .all(|c| matched(c) == ["mid"] && c["terminal"].is_object())
    );
    // The other provider's MIDs share the prefix 10233015812001: never returned.
    let c = candidates(&app, &agent, "10233015812001").await;
    assert!(c.is_empty(), "another provider's MID leaked: {c:?}");

    // Phones: the primary contact's (indexed), another contact's (in the contacts), a landline
    // typed without its hyphen; the other provider's merchant has the same numbers.
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let contacts = json!([
        {"name": "周老板", "phone": "13805710001", "role": "owner", "primary": true},
        {"name": "收银台", "phone": "0571-88886666", "role": "cashier", "primary": false}
    ]);
    set_contacts(&app, &admin, ma2.clone(), contacts.clone()).await;
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    set_contacts(&app, &admin_b, app.b.merchant.to_string(), contacts).await;
    let c = candidates(&app, &agent, "1380571").await;
    assert_eq!(merchant_ids(&c), [ma2.as_str()], "{c:?}");
    assert_eq!(c[0]["merchant"]["phone"], "13805710001");
    assert_eq!(matched(&c[0]), ["phone"]);
    for q in ["0571888", "0571-8888", "0571 88886666"] {
        let c = candidates(&app, &agent, q).await;
        assert_eq!(merchant_ids(&c), [ma2.as_str()], "{q}: {c:?}");
        assert_eq!(c[0]["merchant"]["phone"], "0571-88886666", "{q}");
        assert_eq!(matched(&c[0]), ["phone"], "{q}");
    }
    // A phone prefix nobody has.
    assert!(candidates(&app, &agent, "13999").await.is_empty());

    // Name substring (case-insensitive for Latin letters).
    let c = candidates(&app, &agent, "户A2").await;
    assert_eq!(merchant_ids(&c), [ma2.as_str()], "{c:?}");
    assert_eq!(c[0]["merchant"]["name"], "商户a2");
    assert_eq!(matched(&c[0]), ["name"]);
    // A LIKE wildcard is a literal.
    assert!(candidates(&app, &agent, "商%").await.is_empty());
    assert!(candidates(&app, &agent, "户_").await.is_empty());

    // Whatever is typed, the other provider's records never appear.
    for q in ["SN", "TA", "商户", "10233", "1380571", "0571"] {
        let r = lookup(&app, &agent, q).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {r:?}");
        let text = r.body.to_string();
        for id in b_terminals.iter().chain(&b_merchants) {
            assert!(!text.contains(id.as_str()), "{q} leaked {id}: {text}");
        }
    }
    // At most ten.
    for i in 0..12 {
        stock_terminal(&app, app.a.id, &format!("BULK-{i:02}"), &format!("B{i:07}")).await;
    }
    let c = candidates(&app, &agent, "BULK-").await;
    assert_eq!(c.len(), 10);
    assert_eq!(c[0]["terminal"]["sn"], "BULK-00", "ordered by the key");
    assert!(
        c[0]["merchant"].is_null(),
        "a terminal in stock has no merchant"
    );
}

async fn lookup_refuses_merchant_users_and_short_texts(app: TestApp) {
    let agent = app.token(&app.a, Role::Agent);
    for (q, rule) in [("1", "too_short"), ("", "required"), ("  7 ", "too_short")] {
        let r = lookup(&app, &agent, q).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q:?}: {r:?}");
        assert_eq!(r.body["field"], "q", "{q:?}");
        assert_eq!(r.body["rule"], rule, "{q:?}");
    }
    let r = app.get("/api/v1/lookup", &agent).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "q");
    let long = "1".repeat(41);
    assert_eq!(lookup(&app, &agent, &long).await.body["rule"], "too_long");
    // Staff only: a merchant user (who may report faults) and the roles without intake.
    for role in [
        Role::MerchantUser,
        Role::PlatformAdmin,
        Role::Auditor,
        Role::TerminalAgent,
    ] {
        let r = lookup(&app, &app.token(&app.a, role), "SN-TEST").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}: {r:?}");
        let path = format!("/api/v1/terminals/{}/intake-summary", app.a.terminal);
        let r = app.get(&path, &app.token(&app.a, role)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}: {r:?}");
    }
    for role in [
        Role::Agent,
        Role::Technician,
        Role::Supervisor,
        Role::ProviderAdmin,
    ] {
        let r = lookup(&app, &app.token(&app.a, role), "SN-TEST").await;
        assert_eq!(r.status, StatusCode::OK, "{role:?}: {r:?}");
    }
}

/// A terminal in stock of provider `tenant`.
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
            firmware: Some("V2.3.1".into()),
            status: "in_stock".into(),
        },
    )
    .await
    .map_err(err)
    .unwrap()
    .id
}

/// A merchant registered through the API and a terminal bound to it with this warranty end.
async fn bound_terminal(app: &TestApp, admin: &str, n: u32, warranty_end: &str) -> TerminalId {
    let mid = format!("1023301541190{n:02}");
    let r = app
        .post(
            "/api/v1/merchants",
            admin,
            json!({"name": format!("西湖茶社{n}"), "mid": mid, "kind": "company", "uscc": "91110000600037341L"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let tid = format!("8800{n:04}");
    let t = stock_terminal(app, app.a.id, &format!("INTAKE-{n:02}"), &tid).await;
    let r = app
        .post(
            &format!("/api/v1/terminals/{t}/bindings"),
            admin,
            json!({
                "acquirer_code": "102", "mid": mid, "tid": tid,
                "settlement_account": "6228480402564890018",
                "address": "杭州市西湖区文三路 90 号 1 楼", "division_code": "330106",
                "install_date": "2019-03-10", "warranty_end": warranty_end,
                "note": "营业执照、结算卡与门店照片已核验",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    t
}

async fn summary(app: &TestApp, token: &str, t: TerminalId) -> Resp {
    app.get(&format!("/api/v1/terminals/{t}/intake-summary"), token)
        .await
}

async fn summary_shows_warranty_open_and_recent_tickets(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let agent = app.token(&app.a, Role::Agent);
    let covered = bound_terminal(&app, &admin, 1, "2099-12-31").await;
    let expired = bound_terminal(&app, &admin, 2, "2020-03-09").await;

    let r = summary(&app, &agent, covered).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let s = &r.body;
    assert_eq!(s["terminal"]["sn"], "INTAKE-01");
    assert_eq!(s["terminal"]["tid"], "88000001");
    assert_eq!(s["terminal"]["model"], "N910");
    assert_eq!(s["terminal"]["firmware"], "V2.3.1");
    assert_eq!(s["terminal"]["status"], "installed");
    assert_eq!(s["merchant"]["mid"], "102330154119001");
    assert_eq!(s["merchant"]["name"], "西湖茶社1");
    assert_eq!(
        s["binding"]["placement_address"],
        "杭州市西湖区文三路 90 号 1 楼"
    );
    assert_eq!(s["warranty"]["install_date"], "2019-03-10");
    assert_eq!(s["warranty"]["end"], "2099-12-31");
    assert_eq!(s["warranty"]["state"], "in_warranty");
    assert_eq!(s["open_tickets"], json!([]));
    assert_eq!(s["recent_resolved"], json!([]));
    assert_eq!(s["recent_days"], 90);
    let r = summary(&app, &agent, expired).await;
    assert_eq!(r.body["warranty"]["state"], "expired", "{r:?}");
    // No warranty recorded: unknown, not guessed.
    let r = summary(&app, &agent, app.a.terminal).await;
    assert_eq!(r.body["warranty"]["state"], "unknown", "{r:?}");

    // Two tickets on the terminal: one stays open, one is resolved.
    let merchant = summary(&app, &agent, covered).await.body["merchant"]["id"].clone();
    let mut ids = Vec::new();
    for subject in ["刷卡无反应", "打印不清"] {
        let r = app
            .post(
                "/api/v1/tickets",
                &agent,
                json!({"category": "card_reading", "channel": "hotline", "merchant_id": merchant,
                       "terminal_id": covered.to_string(), "subject": subject, "description": "到店报修"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        ids.push((
            r.body["id"].as_str().unwrap().to_owned(),
            r.body["number"].as_str().unwrap().to_owned(),
        ));
    }
    for e in ["triage", "resolve"] {
        let r = app
            .post(
                &format!("/api/v1/tickets/{}/transition", ids[1].0),
                &agent,
                json!({ "event": e }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{e}: {r:?}");
    }
    let s = summary(&app, &agent, covered).await.body;
    let open = s["open_tickets"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{s}");
    assert_eq!(open[0]["number"], ids[0].1);
    assert_eq!(open[0]["status"], "new");
    assert_eq!(open[0]["priority"], "p3");
    let recent = s["recent_resolved"].as_array().unwrap();
    assert_eq!(recent.len(), 1, "{s}");
    assert_eq!(recent[0]["number"], ids[1].1);
    assert_eq!(recent[0]["status"], "resolved");
    assert!(recent[0]["resolved_at"].is_string());
    // The other terminal's panel knows nothing of them.
    let s = summary(&app, &agent, expired).await.body;
    assert_eq!(s["open_tickets"], json!([]));

    // Another provider's terminal, or no terminal at all: 404.
    let r = summary(&app, &agent, app.b.terminal).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = app
        .get("/api/v1/terminals/not-an-id/intake-summary", &agent)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
}

app_tests!(
    lookup_finds_each_key_within_the_provider,
    lookup_refuses_merchant_users_and_short_texts,
    summary_shows_warranty_open_and_recent_tickets,
);
