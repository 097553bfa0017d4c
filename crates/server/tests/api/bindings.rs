//! Terminal bindings over the API (PBoC 银发〔2021〕259号): binding sets the installation and the
//! warranty from the model's months; explicit and out-of-order warranty dates; a TID or a
//! terminal in two current bindings refused (by the database too, and under concurrency);
//! relocation keeps the history and needs re-verification; unbind; tenancy and merchant scope;
//! the audit trail never holds a resident ID or a card number in full.

use axum::http::{Method, StatusCode};
use posdesk_core::authz::Role;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId};
use posdesk_server::service::{self, Ctx, operator_principal};
use posdesk_storage::repo::terminals;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app_tests;
use crate::helpers::{Resp, TestApp, err, new_user, token};

const CARD: &str = "6228480402564890018";
const CARD_MASKED: &str = "622848*********0018";
const CARD2: &str = "6217000000000000004";
const USCC: &str = "91110000600037341L";
const OWNER_ID: &str = "11010519491231002X";
const OWNER_ID_MASKED: &str = "110***********002X";

/// A terminal in stock (no merchant) of provider `tenant`.
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

/// A registered merchant (status `pending`) created through the API; `identity` is the
/// `kind`/`uscc`/`owner_id` part of the body.
async fn merchant(
    app: &TestApp,
    admin: &str,
    name: &str,
    mid: &str,
    identity: Value,
) -> MerchantId {
    let mut body = json!({"name": name, "mid": mid});
    for (k, v) in identity.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app.post("/api/v1/merchants", admin, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    MerchantId::parse("id", r.body["id"].as_str().unwrap()).unwrap()
}

fn company() -> Value {
    json!({"kind": "company", "uscc": USCC})
}

fn micro() -> Value {
    json!({"kind": "micro", "owner_id": OWNER_ID})
}

fn bind_body(mid: &str, tid: &str) -> Value {
    json!({
        "acquirer_code": &mid[..3],
        "mid": mid,
        "tid": tid,
        "settlement_account": CARD,
        "address": "杭州市西湖区文三路 90 号 1 楼",
        "division_code": "330106",
        "install_date": "2025-03-10",
        "note": "营业执照、结算卡与门店照片已核验",
    })
}

async fn bind(app: &TestApp, token: &str, t: TerminalId, body: Value) -> Resp {
    app.post(&format!("/api/v1/terminals/{t}/bindings"), token, body)
        .await
}

async fn terminal(app: &TestApp, token: &str, t: TerminalId) -> Value {
    let r = app.get(&format!("/api/v1/terminals/{t}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body
}

async fn bindings(app: &TestApp, token: &str, t: TerminalId) -> Resp {
    app.get(&format!("/api/v1/terminals/{t}/bindings"), token)
        .await
}

/// A merchant user of `merchant` and their token.
async fn merchant_user(
    app: &TestApp,
    tenant: TenantId,
    merchant: MerchantId,
    login: &str,
) -> String {
    let principal = operator_principal();
    let ctx = Ctx::operator(&app.state, &principal, "test");
    let u = service::users::create(
        &ctx,
        new_user(
            Some(tenant),
            login,
            Role::MerchantUser,
            Some(merchant),
            None,
        ),
    )
    .await
    .map_err(err)
    .unwrap();
    token(&app.state, u.id, Role::MerchantUser).await
}

async fn scalar(app: &TestApp, sql: &'static str, param: String) -> i64 {
    app.state
        .store
        .read(move |c| Box::pin(async move { c.query_one(sql, &[param.into()]).await?.int(0) }))
        .await
        .unwrap()
}

async fn set_warranty_months(app: &TestApp, admin: &str) {
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/providers/{}/profile", app.a.id),
            Some(admin),
            Some(json!({"warranty_default_months": 12, "warranty_months_by_model": {"N910": 24}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

async fn bind_sets_installation_and_warranty(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let admin_id = app.a.users[&Role::ProviderAdmin].0.to_string();
    set_warranty_months(&app, &admin).await;
    let m = merchant(&app, &admin, "西湖茶社", "102330154119001", company()).await;
    let n910 = stock_terminal(&app, app.a.id, "BIND-N910-01", "88000001", "N910").await;
    let a920 = stock_terminal(&app, app.a.id, "BIND-A920-01", "88000002", "A920").await;

    // The model's months (N910: 24), from the install date, ending the day before.
    let r = bind(&app, &admin, n910, bind_body("102330154119001", "88000001")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let t = &r.body["terminal"];
    assert_eq!(t["status"], "installed");
    assert_eq!(t["merchant_id"], m.to_string());
    assert_eq!(t["tid"], "88000001");
    assert_eq!(t["installed_address"], "杭州市西湖区文三路 90 号 1 楼");
    assert_eq!(t["install_date"], "2025-03-10");
    assert_eq!(t["warranty_end"], "2027-03-09");
    assert_eq!(
        r.headers["etag"].to_str().unwrap(),
        format!("\"{}\"", t["version"])
    );
    let b = &r.body["binding"];
    assert_eq!(b["current"], true);
    assert_eq!(b["sn"], "BIND-N910-01");
    assert_eq!(b["acquirer_code"], "102");
    assert_eq!(b["mid"], "102330154119001");
    assert_eq!(b["merchant_identity_kind"], "uscc");
    assert_eq!(b["merchant_identity"], USCC);
    assert_eq!(b["settlement_account"], CARD_MASKED);
    assert_eq!(b["placement_address"], "杭州市西湖区文三路 90 号 1 楼");
    assert_eq!(b["division_code"], "330106");
    assert_eq!(b["verified_by"], admin_id);
    assert_eq!(b["verified_by_role"], "provider_admin");
    assert!(r.body["ended"].is_null());
    // The card number is never stored in full.
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM terminal_bindings WHERE settlement_account = $1",
            CARD_MASKED.into()
        )
        .await,
        1
    );

    // A model without its own term: the default 12 months.
    let r = bind(&app, &admin, a920, bind_body("102330154119001", "88000002")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["terminal"]["warranty_end"], "2026-03-09");

    // An explicit warranty end wins; it may equal the install date.
    let t3 = stock_terminal(&app, app.a.id, "BIND-N910-03", "88000003", "N910").await;
    let mut body = bind_body("102330154119001", "88000003");
    body["warranty_end"] = json!("2025-12-31");
    let r = bind(&app, &admin, t3, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["terminal"]["warranty_end"], "2025-12-31");
    let t4 = stock_terminal(&app, app.a.id, "BIND-N910-04", "88000004", "N910").await;
    let mut body = bind_body("102330154119001", "88000004");
    body["warranty_end"] = json!("2025-03-10");
    assert_eq!(
        bind(&app, &admin, t4, body).await.status,
        StatusCode::CREATED
    );

    // Bad input: 422 naming the field; nothing written.
    let t5 = stock_terminal(&app, app.a.id, "BIND-N910-05", "88000005", "N910").await;
    let before = app.count("terminal_bindings").await;
    let events = app.count("audit_events").await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("warranty_end", json!("2025-03-09"), "warranty_end"),
        ("install_date", json!("2025/03/10"), "install_date"),
        ("acquirer_code", json!("103"), "acquirer_code"),
        ("acquirer_code", json!("10x"), "acquirer_code"),
        (
            "settlement_account",
            json!("6228480402564890017"),
            "settlement_account",
        ),
        ("division_code", json!("330000"), "division_code"),
        ("address", json!(" "), "address"),
        ("tid", json!("123"), "tid"),
        ("mid", json!("999999999999999"), "mid"),
        ("note", json!("注".repeat(201)), "note"),
    ];
    for (key, value, field) in cases {
        let mut body = bind_body("102330154119001", "88000005");
        body[key] = value.clone();
        if key == "mid" {
            body["acquirer_code"] = json!("999");
        }
        let r = bind(&app, &admin, t5, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{key}={value}: {r:?}"
        );
        assert_eq!(r.body["field"], field, "{key}={value}: {r:?}");
    }
    let r = bind(&app, &admin, t5, json!({"mid": "102330154119001"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    // A merchant with no USCC or owner ID on record cannot be bound.
    let r = bind(&app, &admin, t5, bind_body("102330158120000", "88000005")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "mid");
    assert_eq!(app.count("terminal_bindings").await, before);
    assert_eq!(app.count("audit_events").await, events);
    assert_eq!(terminal(&app, &admin, t5).await["status"], "in_stock");

    // A closed merchant cannot take a terminal: 409.
    let closed = merchant(&app, &admin, "已解约商户", "102330154119002", company()).await;
    let r = app
        .post(
            &format!("/api/v1/merchants/{closed}/transition"),
            &admin,
            json!({"event": "close"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = bind(&app, &admin, t5, bind_body("102330154119002", "88000005")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");

    // A terminal placed (by an import) at another merchant without a binding: refused; at its
    // own merchant: recorded, its status kept. A retired one: refused.
    let placed = app.a.terminal;
    let r = bind(
        &app,
        &admin,
        placed,
        bind_body("102330154119001", "88000006"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let retired = stock_terminal(&app, app.a.id, "BIND-RETIRED", "88000007", "N910").await;
    let r = app
        .post(
            &format!("/api/v1/terminals/{retired}/transition"),
            &admin,
            json!({"event": "retire"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = bind(
        &app,
        &admin,
        retired,
        bind_body("102330154119001", "88000007"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert_eq!(r.body["field"], "status");

    // Stale If-Match: 412.
    let r = app
        .call_with(
            Method::POST,
            &format!("/api/v1/terminals/{t5}/bindings"),
            Some(&admin),
            Some(
                bind_body("102330154119001", "88000005")
                    .to_string()
                    .into_bytes(),
            ),
            &[("if-match", "\"7\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{r:?}");

    // The list: the current binding.
    let l = bindings(&app, &admin, n910).await;
    assert_eq!(l.status, StatusCode::OK, "{l:?}");
    let items = l.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["current"], true);
    assert_eq!(items[0]["tid"], "88000001");

    // An agent reads but does not bind.
    let agent = app.token(&app.a, Role::Agent);
    assert_eq!(bindings(&app, &agent, n910).await.status, StatusCode::OK);
    let r = bind(&app, &agent, t5, bind_body("102330154119001", "88000005")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
}

/// A mutation that copies a current binding under a new id, onto `terminal` and with `tid`
/// (the database's own check, without the application's).
struct CopyBinding {
    from: TerminalId,
    terminal: TerminalId,
    tid: String,
}

impl posdesk_storage::Mutation for CopyBinding {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn posdesk_storage::Conn,
        _ctx: &'a posdesk_storage::Ctx,
    ) -> futures::future::BoxFuture<'a, posdesk_storage::Result<posdesk_storage::Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "INSERT INTO terminal_bindings (tenant_id, id, terminal_id, merchant_id, sn, tid, acquirer_code, mid, identity_kind, identity_number, settlement_account, placement_address, division_code, verified_by, verified_role, started_at) \
                 SELECT tenant_id, $1, $2, merchant_id, sn, $3, acquirer_code, mid, identity_kind, identity_number, settlement_account, placement_address, division_code, verified_by, verified_role, started_at \
                 FROM terminal_bindings WHERE terminal_id = $4 AND ended_at IS NULL",
                &[
                    Uuid::now_v7().to_string().into(),
                    self.terminal.into(),
                    self.tid.as_str().into(),
                    self.from.into(),
                ],
            )
            .await?;
            Ok(posdesk_storage::Applied::unaudited(()))
        })
    }
}

async fn one_current_binding_per_terminal_and_tid(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    merchant(&app, &admin, "西湖茶社", "102330154119001", company()).await;
    let t1 = stock_terminal(&app, app.a.id, "ONE-0001", "77000001", "N910").await;
    let t2 = stock_terminal(&app, app.a.id, "ONE-0002", "77000002", "N910").await;
    let r = bind(&app, &admin, t1, bind_body("102330154119001", "77000001")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");

    // A TID already in another current binding: 409 naming it, nothing half-written.
    let before = app.count("terminal_bindings").await;
    let events = app.count("audit_events").await;
    let r = bind(&app, &admin, t2, bind_body("102330154119001", "77000001")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert_eq!(r.body["field"], "tid");
    assert_eq!(app.count("terminal_bindings").await, before);
    assert_eq!(app.count("audit_events").await, events);
    let t = terminal(&app, &admin, t2).await;
    assert_eq!(t["status"], "in_stock");
    assert_eq!(t["tid"], "77000002");
    // Binding the bound terminal again: 409.
    let r = bind(&app, &admin, t1, bind_body("102330154119001", "77000001")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");

    // Concurrent binds of one terminal: exactly one wins; the other changes nothing.
    let t3 = stock_terminal(&app, app.a.id, "ONE-0003", "77000003", "N910").await;
    let before = app.count("terminal_bindings").await;
    let (x, y) = tokio::join!(
        bind(&app, &admin, t3, bind_body("102330154119001", "77000003")),
        bind(&app, &admin, t3, bind_body("102330154119001", "77000013")),
    );
    let mut statuses = [x.status, y.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{x:?} {y:?}"
    );
    let winner = if x.status == StatusCode::CREATED {
        &x
    } else {
        &y
    };
    assert_eq!(app.count("terminal_bindings").await, before + 1);
    let t = terminal(&app, &admin, t3).await;
    assert_eq!(t["tid"], winner.body["binding"]["tid"]);
    assert_eq!(t["version"], 2);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE entity_id = $1 AND action = 'bind'",
            t3.to_string()
        )
        .await,
        1
    );
    let l = bindings(&app, &admin, t3).await;
    assert_eq!(l.body["items"].as_array().unwrap().len(), 1);

    // The database itself refuses a second current binding of a terminal, and a TID in two.
    let principal = operator_principal();
    let ctx = Ctx::operator(&app.state, &principal, "test");
    let e = app
        .state
        .store
        .write(
            ctx.meta(),
            CopyBinding {
                from: t1,
                terminal: t1,
                tid: "77000099".into(),
            },
        )
        .await
        .expect_err("a terminal's second current binding");
    assert!(
        matches!(&e, posdesk_storage::Error::Unique { columns } if columns.ends_with("terminal_id")),
        "{e:?}"
    );
    let e = app
        .state
        .store
        .write(
            ctx.meta(),
            CopyBinding {
                from: t1,
                terminal: t2,
                tid: "77000001".into(),
            },
        )
        .await
        .expect_err("a TID in two current bindings");
    assert!(
        matches!(&e, posdesk_storage::Error::Unique { columns } if columns.ends_with("tid")),
        "{e:?}"
    );
}

async fn relocate(app: &TestApp, token: &str, t: TerminalId, body: Value) -> Resp {
    app.post(&format!("/api/v1/terminals/{t}/relocate"), token, body)
        .await
}

async fn relocation_keeps_history_and_needs_reverification(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let m1 = merchant(&app, &admin, "西湖茶社", "102330154119001", company()).await;
    let m2 = merchant(&app, &admin, "西湖茶社滨江店", "102330854119003", company()).await;
    let t = stock_terminal(&app, app.a.id, "MOVE-0001", "66000001", "N910").await;
    let r = bind(&app, &admin, t, bind_body("102330154119001", "66000001")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let first = r.body["binding"]["id"].as_str().unwrap().to_owned();
    let version = r.body["terminal"]["version"].as_i64().unwrap();

    // Without the re-verification confirmed: 422, nothing changes.
    let before = app.count("terminal_bindings").await;
    let moved = json!({"address": "杭州市滨江区网商路 699 号", "division_code": "330108"});
    let r = relocate(&app, &admin, t, moved.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "reverified");
    let mut no = moved.clone();
    no["reverified"] = json!(false);
    let r = relocate(&app, &admin, t, no).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "reverified");
    let mut bad = moved.clone();
    bad["reverified"] = json!(true);
    bad["division_code"] = json!("330000");
    assert_eq!(
        relocate(&app, &admin, t, bad).await.body["field"],
        "division_code"
    );
    assert_eq!(app.count("terminal_bindings").await, before);

    // Re-verified: the old binding ends (relocated), a new one starts at the new place with the
    // other items carried over; status, install date and warranty stay.
    let mut ok = moved.clone();
    ok["reverified"] = json!(true);
    ok["tid"] = json!("66000011");
    ok["note"] = json!("新门店租赁合同与门头照片已核验");
    let r = app
        .call_with(
            Method::POST,
            &format!("/api/v1/terminals/{t}/relocate"),
            Some(&admin),
            Some(ok.to_string().into_bytes()),
            &[("if-match", &format!("\"{version}\""))],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let (term, new, ended) = (&r.body["terminal"], &r.body["binding"], &r.body["ended"]);
    assert_eq!(term["status"], "installed");
    assert_eq!(term["installed_address"], "杭州市滨江区网商路 699 号");
    assert_eq!(term["tid"], "66000011");
    assert_eq!(term["install_date"], "2025-03-10");
    assert_eq!(term["warranty_end"], "2026-03-09");
    assert_eq!(ended["id"], first.as_str());
    assert_eq!(ended["current"], false);
    assert_eq!(ended["end_reason"], "relocated");
    assert_eq!(new["current"], true);
    assert_eq!(new["division_code"], "330108");
    assert_eq!(new["mid"], "102330154119001");
    assert_eq!(new["acquirer_code"], "102");
    assert_eq!(new["settlement_account"], CARD_MASKED);
    assert_eq!(new["verification_note"], "新门店租赁合同与门头照片已核验");

    // The history keeps both, newest first.
    let l = bindings(&app, &admin, t).await;
    let items = l.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{l:?}");
    assert_eq!(items[0]["id"], new["id"]);
    assert_eq!(items[1]["id"], first.as_str());
    assert_eq!(items[1]["end_reason"], "relocated");
    assert_eq!(
        items[1]["placement_address"],
        "杭州市西湖区文三路 90 号 1 楼"
    );
    assert_eq!(items[1]["tid"], "66000001");

    // The old TID is free again; the other items may change too (a new MID and card).
    let other = stock_terminal(&app, app.a.id, "MOVE-0002", "66000002", "N910").await;
    let r = bind(
        &app,
        &admin,
        other,
        bind_body("102330154119001", "66000001"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let mut again = moved.clone();
    again["reverified"] = json!(true);
    again["mid"] = json!("102330854119003");
    again["settlement_account"] = json!(CARD2);
    let r = relocate(&app, &admin, t, again).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["terminal"]["merchant_id"], m2.to_string());
    assert_eq!(
        r.body["binding"]["settlement_account"],
        "621700*********0004"
    );
    assert_ne!(m1, m2);
    // A MID of another acquirer than the carried-over acquirer code: 422.
    let mut wrong = moved.clone();
    wrong["reverified"] = json!(true);
    wrong["acquirer_code"] = json!("103");
    let r = relocate(&app, &admin, t, wrong).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "acquirer_code");

    // Nothing to relocate on a terminal without a binding; a stale If-Match: 412.
    let stock = stock_terminal(&app, app.a.id, "MOVE-0003", "66000003", "N910").await;
    let r = relocate(&app, &admin, stock, ok.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    let r = app
        .call_with(
            Method::POST,
            &format!("/api/v1/terminals/{t}/relocate"),
            Some(&admin),
            Some(ok.to_string().into_bytes()),
            &[("if-match", &format!("\"{version}\""))],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{r:?}");
}

async fn unbind(app: &TestApp, token: &str, t: TerminalId, body: Value) -> Resp {
    app.post(&format!("/api/v1/terminals/{t}/unbind"), token, body)
        .await
}

async fn unbind_and_status_changes_end_bindings(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    merchant(&app, &admin, "西湖茶社", "102330154119001", company()).await;
    let t = stock_terminal(&app, app.a.id, "UNB-0001", "55000001", "N910").await;
    assert_eq!(
        bind(&app, &admin, t, bind_body("102330154119001", "55000001"))
            .await
            .status,
        StatusCode::CREATED
    );
    let r = app
        .post(
            &format!("/api/v1/terminals/{t}/transition"),
            &admin,
            json!({"event": "activate"}),
        )
        .await;
    assert_eq!(r.body["status"], "active", "{r:?}");

    // A reason is required.
    let r = unbind(&app, &admin, t, json!({"reason": " "})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.body["field"], "reason");
    let r = unbind(&app, &admin, t, json!({})).await;
    assert_eq!(r.body["field"], "reason", "{r:?}");

    let r = unbind(&app, &admin, t, json!({"reason": "商户解约，终端回收"})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let term = &r.body["terminal"];
    assert_eq!(term["status"], "in_stock");
    assert!(term["merchant_id"].is_null());
    assert!(term["installed_address"].is_null());
    assert!(r.body["binding"].is_null());
    assert_eq!(r.body["ended"]["end_reason"], "unbound");
    assert_eq!(r.body["ended"]["end_note"], "商户解约，终端回收");
    assert_eq!(
        r.body["ended"]["ended_by"],
        app.a.users[&Role::ProviderAdmin].0.to_string()
    );
    // Again: nothing to unbind.
    let r = unbind(&app, &admin, t, json!({"reason": "再次解绑"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    // It can be bound again, with the same TID.
    let r = bind(&app, &admin, t, bind_body("102330154119001", "55000001")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let l = bindings(&app, &admin, t).await;
    let items = l.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["current"], true);
    assert_eq!(items[1]["end_reason"], "unbound");

    // A status change that takes the terminal away ends its binding too.
    let r = app
        .post(
            &format!("/api/v1/terminals/{t}/transition"),
            &admin,
            json!({"event": "uninstall"}),
        )
        .await;
    assert_eq!(r.body["status"], "in_stock", "{r:?}");
    let l = bindings(&app, &admin, t).await;
    let items = l.body["items"].as_array().unwrap();
    assert!(items.iter().all(|b| b["current"] == false), "{l:?}");
    assert_eq!(items[0]["end_reason"], "status_change");
    assert_eq!(items[0]["end_note"], "uninstall");
    // … and a status change that keeps the merchant keeps it.
    bind(&app, &admin, t, bind_body("102330154119001", "55000001")).await;
    for event in ["activate", "suspend", "reinstate", "send_to_repair"] {
        let r = app
            .post(
                &format!("/api/v1/terminals/{t}/transition"),
                &admin,
                json!({"event": event}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{event}: {r:?}");
    }
    let l = bindings(&app, &admin, t).await;
    assert_eq!(l.body["items"][0]["current"], true, "{l:?}");
    // In repair, unbinding returns it to stock.
    let r = unbind(&app, &admin, t, json!({"reason": "维修后不再返还"})).await;
    assert_eq!(r.body["terminal"]["status"], "in_stock", "{r:?}");

    // The terminal's history has every change.
    let h = app
        .get(&format!("/api/v1/terminals/{t}/history"), &admin)
        .await;
    let actions: Vec<&str> = h.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "unbind",
            "send_to_repair",
            "reinstate",
            "suspend",
            "activate",
            "bind",
            "end_binding",
            "uninstall",
            "bind",
            "unbind",
            "activate",
            "bind",
            "create"
        ]
    );
}

async fn tenancy_and_merchant_scope(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let m1 = merchant(&app, &admin, "西湖茶社", "102330154119001", company()).await;
    let m2 = merchant(&app, &admin, "湖滨小吃", "102330154119004", micro()).await;
    let t = stock_terminal(&app, app.a.id, "SCOPE-0001", "44000001", "N910").await;
    let t2 = stock_terminal(&app, app.a.id, "SCOPE-0002", "44000002", "N910").await;
    assert_eq!(
        bind(&app, &admin, t, bind_body("102330154119001", "44000001"))
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        bind(&app, &admin, t2, bind_body("102330154119004", "44000002"))
            .await
            .status,
        StatusCode::CREATED
    );

    // The other provider's staff: 404 on every route, nothing changes.
    let admin_b = app.token(&app.b, Role::ProviderAdmin);
    assert_eq!(
        bindings(&app, &admin_b, t).await.status,
        StatusCode::NOT_FOUND
    );
    let r = bind(&app, &admin_b, t, bind_body("102330158120010", "44000001")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = relocate(
        &app,
        &admin_b,
        t,
        json!({"reverified": true, "address": "深圳市南山区", "division_code": "440305"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = unbind(&app, &admin_b, t, json!({"reason": "越权"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    assert_eq!(terminal(&app, &admin, t).await["status"], "installed");

    // A merchant user reads only their own merchant's terminals, and sees their own ID.
    let u1 = merchant_user(&app, app.a.id, m1, "m1.user").await;
    let u2 = merchant_user(&app, app.a.id, m2, "m2.user").await;
    let l = bindings(&app, &u1, t).await;
    assert_eq!(l.status, StatusCode::OK, "{l:?}");
    assert_eq!(l.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(bindings(&app, &u1, t2).await.status, StatusCode::NOT_FOUND);
    let l = bindings(&app, &u2, t2).await;
    assert_eq!(l.body["items"][0]["merchant_identity"], OWNER_ID, "{l:?}");
    assert_eq!(bindings(&app, &u2, t).await.status, StatusCode::NOT_FOUND);
    // Merchant users change nothing.
    let r = unbind(&app, &u1, t, json!({"reason": "自行解绑"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");

    // The terminal moves from m1 to m2: m1 no longer sees it; m2 sees only its own binding.
    unbind(&app, &admin, t, json!({"reason": "转让给湖滨小吃"})).await;
    let r = bind(&app, &admin, t, bind_body("102330154119004", "44000001")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(bindings(&app, &u1, t).await.status, StatusCode::NOT_FOUND);
    let l = bindings(&app, &u2, t).await;
    let items = l.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{l:?}");
    assert_eq!(items[0]["merchant_id"], m2.to_string());
    assert_eq!(
        bindings(&app, &admin, t).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn audit_trail_masks_ids(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let supervisor = app.token(&app.a, Role::Supervisor);
    merchant(&app, &admin, "湖滨小吃", "102330154119004", micro()).await;
    let t = stock_terminal(&app, app.a.id, "MASK-0001", "33000001", "N910").await;

    // A supervisor may bind but not see the owner's full ID: masked in the answer too.
    let r = bind(
        &app,
        &supervisor,
        t,
        bind_body("102330154119004", "33000001"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["binding"]["merchant_identity"], OWNER_ID_MASKED);
    assert_eq!(r.body["binding"]["merchant_identity_kind"], "resident_id");
    let r = relocate(
        &app,
        &admin,
        t,
        json!({"reverified": true, "address": "杭州市上城区河坊街 1 号", "division_code": "330102"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    // The provider admin sees it in full, the agent and supervisor masked.
    assert_eq!(r.body["binding"]["merchant_identity"], OWNER_ID);
    let l = bindings(&app, &admin, t).await;
    assert!(
        l.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["merchant_identity"] == OWNER_ID),
        "{l:?}"
    );
    for role in [Role::Agent, Role::Supervisor, Role::Technician] {
        let l = bindings(&app, &app.token(&app.a, role), t).await;
        assert_eq!(l.status, StatusCode::OK, "{role:?}");
        assert!(
            l.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|b| b["merchant_identity"] == OWNER_ID_MASKED),
            "{role:?}: {l:?}"
        );
    }
    let r = unbind(&app, &admin, t, json!({"reason": "商户注销"})).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");

    // The audit trail has the three changes with masked IDs only, and no card number.
    let id = t.to_string();
    for action in ["bind", "relocate", "unbind"] {
        let a = action.to_owned();
        let n = app
            .state
            .store
            .read({
                let id = id.clone();
                move |c| {
                    Box::pin(async move {
                        c.query_one(
                            "SELECT COUNT(*) FROM audit_events WHERE entity_type = 'terminal' AND entity_id = $1 AND action = $2 AND after_json LIKE $3",
                            &[id.into(), a.into(), format!("%{OWNER_ID_MASKED}%").into()],
                        )
                        .await?
                        .int(0)
                    })
                }
            })
            .await
            .unwrap();
        assert_eq!(n, 1, "{action} is audited with the masked ID");
    }
    for secret in [OWNER_ID, CARD] {
        let n = scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE after_json LIKE $1 OR before_json LIKE $1",
            format!("%{secret}%"),
        )
        .await;
        assert_eq!(n, 0, "{secret} never in the audit trail");
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM terminal_bindings WHERE settlement_account LIKE $1",
            format!("%{CARD}%")
        )
        .await,
        0
    );
}

/// The four routes are documented with their bodies and answers.
async fn bindings_are_in_the_openapi_document(app: TestApp) {
    let r = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    let doc = &r.body;
    let paths = &doc["paths"];
    assert!(paths["/api/v1/terminals/{id}/bindings"]["get"]["responses"]["200"].is_object());
    for (path, status) in [
        ("/api/v1/terminals/{id}/bindings", "201"),
        ("/api/v1/terminals/{id}/relocate", "201"),
        ("/api/v1/terminals/{id}/unbind", "200"),
    ] {
        let post = &paths[path]["post"];
        assert!(post["requestBody"].is_object(), "{path}");
        assert!(post["responses"][status].is_object(), "{path}");
        assert!(post["responses"]["409"].is_object(), "{path}");
    }
    let schemas = &doc["components"]["schemas"];
    for s in [
        "BindIn",
        "RelocateIn",
        "UnbindIn",
        "BindingOut",
        "BindingPage",
        "BindingChangeOut",
    ] {
        assert!(schemas[s].is_object(), "schema {s}");
    }
    assert!(
        schemas["RelocateIn"]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("reverified"))
    );
}

async fn rental_and_deposit_are_recorded_per_placement(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    merchant(&app, &admin, "西湖茶社", "102330154119001", company()).await;
    let t = stock_terminal(&app, app.a.id, "RENT-0001", "67000001", "N910").await;
    // Negative or fractional amounts are refused, naming the field; nothing is written.
    let before = app.count("terminal_bindings").await;
    for (field, value) in [
        ("rental_fen_per_month", json!(-1)),
        ("deposit_fen", json!(-100)),
        ("deposit_fen", json!(1_000_000_000_001_i64)),
    ] {
        let mut body = bind_body("102330154119001", "67000001");
        body[field] = value;
        let r = bind(&app, &admin, t, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {r:?}");
        assert_eq!(r.body["field"], field, "{r:?}");
    }
    let mut body = bind_body("102330154119001", "67000001");
    body["rental_fen_per_month"] = json!(5_000);
    body["deposit_fen"] = json!(29_900);
    assert_eq!(app.count("terminal_bindings").await, before);
    let r = bind(&app, &admin, t, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["binding"]["rental_fen_per_month"], 5_000);
    assert_eq!(r.body["binding"]["deposit_fen"], 29_900);
    // A relocation carries the terms over unless new ones are given.
    let r = relocate(
        &app,
        &admin,
        t,
        json!({"reverified": true, "address": "杭州市滨江区网商路 699 号", "division_code": "330108",
               "rental_fen_per_month": 4_500}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["binding"]["rental_fen_per_month"], 4_500);
    assert_eq!(r.body["binding"]["deposit_fen"], 29_900);
    assert_eq!(r.body["ended"]["rental_fen_per_month"], 5_000);
}

app_tests!(
    rental_and_deposit_are_recorded_per_placement,
    bindings_are_in_the_openapi_document,
    bind_sets_installation_and_warranty,
    one_current_binding_per_terminal_and_tid,
    relocation_keeps_history_and_needs_reverification,
    unbind_and_status_changes_end_bindings,
    tenancy_and_merchant_scope,
    audit_trail_masks_ids,
);
