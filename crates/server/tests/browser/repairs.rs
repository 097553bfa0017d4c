//! Repairs and field service (维修, issue 6) in the web UI.
//!
//! In-process: the repair pages per role (staff forms, the merchant's read-only view with the
//! quote answer, 403 for the pool/parts/day list without `TicketWork`), the forms' errors shown
//! next to their fields with nothing changed (a negative or fractional quote amount, a missing
//! cause, a stale version, a part without stock, lending a loaner that is out), and CSRF on the
//! repair, loaner and parts forms.
//!
//! In a real headless Chromium, the mail-in path: a fault ticket → an agent opens a
//! mail-in repair → ship-in dispatched (the ticket's clocks pause) and received → dispatched to a
//! service point and technician → diagnosed out of warranty (chargeable) → quoted (a refused
//! negative price first) → the MERCHANT approves in the portal → a loaner is lent (the loaner's
//! terminal page now shows the merchant's MID and TID, the original terminal none) → the
//! technician opens it from the day list, starts, uses a part, completes and records the whole
//! checklist → ship-back → the loaner is returned (the identity is back on the original
//! terminal, the loaner's history names the merchant) → the ticket resolves → the merchant
//! confirms and rates it (4 stars) in the portal and the ticket closes.

use super::*;
use posdesk_core::authz::Principal;
use posdesk_core::calendar::WeeklyHours;
use posdesk_core::ids::{RepairId, ServicePointId, TicketId};
use posdesk_core::registry::DivisionCode;
use posdesk_core::registry::service_point::Skill;
use posdesk_core::ticket::{Category, Channel, Priority, TicketEvent, TicketKind};
use posdesk_storage::repo::tickets::Change;

const MID: &str = "102330158120001";
const TID: &str = "10000001";
const LOANER_SN: &str = "88000000000001";
const OWNER_ID: &str = "11010519491231002X";
const CARD: &str = "6228480402564890018";

fn principal(seed: &Seed, role: Role) -> Principal {
    Principal::new(
        seed.id(role),
        role,
        Some(seed.tenant),
        (role == Role::MerchantUser).then_some(seed.merchant),
        None,
    )
    .unwrap()
}

/// What the repair tests work with.
struct Fixture {
    ticket: TicketId,
    terminal: TerminalId,
    loaner: TerminalId,
    point: ServicePointId,
}

/// The seed's merchant gets its owner's ID on record, its terminal a binding (installed in
/// 2023, warranty ended 2024-01-09: out of warranty), a service point with the seed's
/// technician, a part with stock there, a loaner in stock in its pool, and a fault ticket on
/// the terminal, triaged (open).
async fn fixture(state: &AppState, seed: &Seed) -> Fixture {
    let admin = principal(seed, Role::ProviderAdmin);
    let ctx = Ctx::new(state, &admin, "test");
    let m = service::directory::merchant(&ctx, seed.merchant)
        .await
        .map_err(fail)
        .unwrap();
    service::directory::update_merchant(
        &ctx,
        seed.merchant,
        service::directory::MerchantPatch {
            name: None,
            mid: None,
            kind: Some("micro".into()),
            uscc: None,
            owner_id: Some(Some(OWNER_ID.into())),
            address: None,
            division_code: Some(Some("330102".into())),
            risk_level: Some("low".into()),
        },
        Some(m.version),
    )
    .await
    .map_err(fail)
    .unwrap();
    let terminal = service::directory::terminals(&ctx, PageRequest::first(10))
        .await
        .map_err(fail)
        .unwrap()
        .items[0]
        .id;
    let bind: posdesk_server::api::bindings::BindIn = serde_json::from_value(serde_json::json!({
        "acquirer_code": "102", "mid": MID, "settlement_account": CARD,
        "address": "杭州市上城区河坊街 1 号", "division_code": "330102",
        "install_date": "2023-01-10", "warranty_end": "2024-01-09",
        "note": "身份证与结算卡已核验",
    }))
    .unwrap();
    service::bindings::bind(
        &ctx,
        terminal,
        posdesk_server::api::bindings::parse_bind(&bind)
            .map_err(fail)
            .unwrap(),
        None,
    )
    .await
    .map_err(fail)
    .unwrap();
    let point = service::service_points::create(
        &ctx,
        service::service_points::ServicePointInput {
            name: "杭州维修中心".into(),
            division: DivisionCode::parse("division_code", "330102").unwrap(),
            address: "延安路 1 号".into(),
            weekly: WeeklyHours::standard(),
            skills: vec![Skill::HardwareRepair],
            technicians: vec![seed.id(Role::Technician)],
            active: true,
        },
    )
    .await
    .map_err(fail)
    .unwrap()
    .id;
    service::repairs::upsert_part(&ctx, "P-PRINTER", "打印头", &serde_json::json!(4500))
        .await
        .map_err(fail)
        .unwrap();
    service::repairs::adjust_stock(&ctx, &point.to_string(), "P-PRINTER", 5)
        .await
        .map_err(fail)
        .unwrap();
    let operator = operator_principal();
    let octx = Ctx::operator(state, &operator, "test");
    let loaner = octx
        .write(
            octx.meta(),
            terminals::CreateTerminal {
                id: TerminalId::from_uuid(Uuid::now_v7()),
                tenant: seed.tenant,
                merchant: None,
                sn: LOANER_SN.into(),
                tid: None,
                model: "A920".into(),
                manufacturer: "百富".into(),
                firmware: Some("V1.2.3".into()),
                status: "in_stock".into(),
            },
        )
        .await
        .map_err(fail)
        .unwrap()
        .id;
    service::repairs::add_to_pool(&ctx, loaner, &point.to_string())
        .await
        .map_err(fail)
        .unwrap();
    let agent = principal(seed, Role::Agent);
    let actx = Ctx::new(state, &agent, "test");
    let ticket = service::tickets::create(
        &actx,
        service::tickets::NewTicket {
            kind: TicketKind::Fault,
            channel: Channel::Hotline,
            category: Category::Printing,
            priority: Priority::P3,
            merchant: Some(seed.merchant),
            terminal: Some(terminal),
            subject: "打印机不出纸".into(),
            description: "小票打印机卡纸后不再出纸，已重启无效。".into(),
            tags: Vec::new(),
        },
    )
    .await
    .map_err(fail)
    .unwrap();
    let ticket =
        service::tickets::change(&actx, ticket.id, Change::Event(TicketEvent::Triage), None)
            .await
            .map_err(fail)
            .unwrap()
            .ticket
            .id;
    Fixture {
        ticket,
        terminal,
        loaner,
        point,
    }
}

async fn ticket_status(state: &AppState, seed: &Seed, id: TicketId) -> String {
    let p = principal(seed, Role::Agent);
    service::tickets::get(&Ctx::new(state, &p, "test"), id)
        .await
        .map_err(fail)
        .unwrap()
        .view
        .ticket
        .status
        .code()
        .to_owned()
}

/// A repair opened through the service (mail-in unless said), dispatched to the fixture's
/// point and technician.
async fn open_repair(state: &AppState, seed: &Seed, fx: &Fixture, method: &str) -> RepairId {
    let agent = principal(seed, Role::Agent);
    let ctx = Ctx::new(state, &agent, "test");
    let r = service::repairs::open(&ctx, fx.ticket, method)
        .await
        .map_err(fail)
        .unwrap();
    let point = fx.point.to_string();
    let tech = seed.id(Role::Technician).to_string();
    service::repairs::change(
        &ctx,
        r.id,
        None,
        service::repairs::RepairInput {
            action: "dispatch",
            service_point_id: Some(&point),
            technician_id: Some(&tech),
            ..Default::default()
        },
    )
    .await
    .map_err(fail)
    .unwrap();
    r.id
}

async fn repair_of(state: &AppState, seed: &Seed, id: RepairId) -> service::repairs::RepairDetail {
    let p = principal(seed, Role::Agent);
    service::repairs::get(&Ctx::new(state, &p, "test"), id)
        .await
        .map_err(fail)
        .unwrap()
}

/// The `version` hidden field of a page's first repair form.
fn version_in(p: &Page) -> String {
    let key = "name=\"version\" value=\"";
    let at = p.body.find(key).expect("a version field");
    let rest = &p.body[at + key.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

// ---------------------------------------------------------------------------------------------
// In-process tests.

/// The repair page per role; the pool, parts and day list need `TicketWork`.
async fn repair_pages_answer_per_role(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let fx = fixture(&app.state, seed).await;
    let id = open_repair(&app.state, seed, &fx, "mail_in").await;
    let page = format!("/repairs/{id}");
    let tr = zh();

    let mut agent = app.client();
    agent.sign_in(seed.login(Role::Agent)).await;
    let p = agent.get(&page).await;
    p.expect(StatusCode::OK);
    for id in [
        "diagnose-form",
        "dispatch-form",
        "ship-in-form",
        "lend-form",
        "repair-steps",
        "repair-checklist",
    ] {
        assert!(p.has(&format!("id=\"{id}\"")), "{id}: {}", p.body);
    }
    assert!(p.has(&tr.t("rep-status-open")) && p.has(&tr.t("rep-method-mail-in")));
    assert!(p.has("杭州维修中心"), "the dispatched service point");
    // The ticket page lists it and offers the open form.
    let t = agent.get(&format!("/tickets/{}", fx.ticket)).await;
    t.expect(StatusCode::OK);
    assert!(
        t.has(&format!("id=\"repair-{id}\"")) && t.has("id=\"repair-open-form\""),
        "{}",
        t.body
    );
    // Staff navigation: 备用机 and 配件 after 工单; technicians also 今日任务.
    assert!(t.has("id=\"nav-loaners\"") && t.has("id=\"nav-parts\""));
    assert!(!t.has("id=\"nav-day-list\""));
    for path in ["/loaners", "/parts"] {
        agent.get(path).await.expect(StatusCode::OK);
    }
    agent.get("/me/day-list").await.expect(StatusCode::OK);

    let mut tech = app.client();
    tech.sign_in(seed.login(Role::Technician)).await;
    let d = tech.get("/me/day-list").await;
    d.expect(StatusCode::OK);
    assert!(
        d.has(&format!("id=\"day-{id}\"")) && d.has("id=\"nav-day-list\""),
        "{}",
        d.body
    );

    // The merchant sees the repair, not the staff forms or the steps.
    let mut m = app.client();
    m.sign_in(seed.login(Role::MerchantUser)).await;
    let p = m.get(&page).await;
    p.expect(StatusCode::OK);
    assert!(p.has("id=\"repair-facts\""), "{}", p.body);
    for id in [
        "diagnose-form",
        "dispatch-form",
        "ship-in-form",
        "lend-form",
        "repair-steps",
    ] {
        assert!(!p.has(&format!("id=\"{id}\"")), "merchant sees {id}");
    }
    assert!(!p.has("id=\"nav-loaners\""));
    for path in ["/loaners", "/parts", "/me/day-list"] {
        m.get(path).await.expect(StatusCode::FORBIDDEN);
    }
    // A staff form posted by the merchant changes nothing.
    let v = version_in(&agent.get(&page).await);
    m.post(
        &format!("{page}/action"),
        &[
            ("action", "diagnose"),
            ("version", &v),
            ("cause", "normal_wear"),
            ("text", "x"),
        ],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    assert_eq!(repair_of(&app.state, seed, id).await.repair.cause, None);

    // A read-only role reads, without forms.
    let mut risk = app.client();
    risk.sign_in(seed.login(Role::RiskOfficer)).await;
    let p = risk.get(&page).await;
    p.expect(StatusCode::OK);
    assert!(!p.has("id=\"diagnose-form\""));
    risk.get("/loaners").await.expect(StatusCode::FORBIDDEN);

    // An unknown repair is a 404.
    agent
        .get(&format!("/repairs/{}", RepairId::from_uuid(Uuid::now_v7())))
        .await
        .expect(StatusCode::NOT_FOUND);
    agent
        .get("/repairs/not-an-id")
        .await
        .expect(StatusCode::NOT_FOUND);
}

/// Bad input is refused next to its field and changes nothing.
async fn repair_forms_show_errors_in_place(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let fx = fixture(&app.state, seed).await;
    let id = open_repair(&app.state, seed, &fx, "mail_in").await;
    let page = format!("/repairs/{id}");
    let action = format!("{page}/action");
    let tr = zh();
    let mut agent = app.client();
    agent.sign_in(seed.login(Role::Agent)).await;

    // Diagnosis without a cause: the error next to the cause, the text kept.
    let v = version_in(&agent.get(&page).await);
    let p = agent
        .post(
            &action,
            &[
                ("action", "diagnose"),
                ("version", &v),
                ("text", "打印头烧毁"),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.has("id=\"diagnose-cause-error\"") && p.has("打印头烧毁"),
        "{}",
        p.body
    );
    // A stale version: refused above the form.
    let p = agent
        .post(
            &action,
            &[
                ("action", "diagnose"),
                ("version", "1"),
                ("cause", "normal_wear"),
                ("text", "打印头烧毁"),
            ],
        )
        .await;
    p.expect(StatusCode::PRECONDITION_FAILED);
    assert!(p.has("id=\"diagnose-error\"") && p.has(&tr.t("error-stale")));
    assert_eq!(repair_of(&app.state, seed, id).await.repair.cause, None);
    let p = agent
        .post(
            &action,
            &[
                ("action", "diagnose"),
                ("version", &v),
                ("cause", "normal_wear"),
                ("text", "打印头烧毁"),
            ],
        )
        .await;
    p.redirects_to(&page);
    let p = agent.get(&page).await;
    assert!(
        p.has("data-coverage=\"chargeable\"") && p.has(&tr.t("rep-reason-warranty-expired")),
        "out of warranty: {}",
        p.body
    );

    // A negative and a fractional amount: refused on their rows, no quote.
    let v = version_in(&p);
    for (qty, price, row_error) in [("1", "-45", "item-error-1"), ("1.5", "45", "item-error-1")] {
        let p = agent
            .post(
                &action,
                &[
                    ("action", "quote"),
                    ("version", &v),
                    ("item_kind_0", "labour"),
                    ("item_code_0", "LAB-REPAIR"),
                    ("item_name_0", "维修工时"),
                    ("item_qty_0", "1"),
                    ("item_price_0", "30"),
                    ("item_kind_1", "part"),
                    ("item_code_1", "P-PRINTER"),
                    ("item_name_1", "打印头"),
                    ("item_qty_1", qty),
                    ("item_price_1", price),
                ],
            )
            .await;
        p.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            p.has(&format!("id=\"{row_error}\"")) && p.has("value=\"LAB-REPAIR\""),
            "{qty} {price}: {}",
            p.body
        );
        assert!(repair_of(&app.state, seed, id).await.quotes.is_empty());
    }
    // Work before approval is refused: the chargeable repair cannot start.
    let p = agent
        .post(&action, &[("action", "start"), ("version", &v)])
        .await;
    p.expect(StatusCode::CONFLICT);
    assert!(p.has(&tr.t("rep-refused-needs-quote")), "{}", p.body);

    // A phone answer names who answered: refused without, recorded with.
    let p = agent
        .post(
            &action,
            &[
                ("action", "quote"),
                ("version", &v),
                ("item_kind_0", "labour"),
                ("item_code_0", "LAB-REPAIR"),
                ("item_name_0", "维修工时"),
                ("item_qty_0", "1"),
                ("item_price_0", "30"),
            ],
        )
        .await;
    p.redirects_to(&page);
    let v = version_in(&agent.get(&page).await);
    let quote = repair_of(&app.state, seed, id).await.quotes[0]
        .id
        .to_string();
    let at = posdesk_storage::now().to_shanghai_input();
    let answer = |name: &'static str| {
        vec![
            ("action", "approve".to_owned()),
            ("version", v.clone()),
            ("quote_id", quote.clone()),
            ("answered_at", at.clone()),
            ("answered_by_name", name.to_owned()),
        ]
    };
    let fields = answer("");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = agent.post(&action, &refs).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"answer-name-error\""), "{}", p.body);
    let fields = answer("张老板");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    agent.post(&action, &refs).await.redirects_to(&page);
    let q = &repair_of(&app.state, seed, id).await.quotes[0];
    assert_eq!(
        (q.status.code(), q.answered_by_name.as_deref()),
        ("approved", Some("张老板"))
    );
    let p = agent.get(&page).await;
    assert!(
        p.has(&tr.t("rep-channel-phone")) && p.has("张老板"),
        "{}",
        p.body
    );

    // Lending: the loaner works once; lent again it is out.
    let lend = |v: &str| {
        vec![
            ("loaner_id", fx.loaner.to_string()),
            ("terminal_id", fx.terminal.to_string()),
            ("repair_id", id.to_string()),
            ("due_days", v.to_owned()),
            ("next", page.clone()),
        ]
    };
    let fields = lend("0");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = agent.post("/loaners/lend", &refs).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"lend-due-days-error\""), "{}", p.body);
    let fields = lend("14");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    agent.post("/loaners/lend", &refs).await.redirects_to(&page);
    let p = agent.post("/loaners/lend", &refs).await;
    p.expect(StatusCode::CONFLICT);
    assert!(p.has("id=\"lend-error\""), "{}", p.body);
    let l = agent.get("/loaners").await;
    assert!(l.has(TID) && l.has(MID) && l.has(&format!("id=\"return-{LOANER_SN}\"")));

    // Parts: a negative price and a write-off beyond the free stock.
    let p = agent.get("/parts").await;
    p.expect(StatusCode::OK);
    assert!(!p.has("id=\"part-form\""), "only provider admins edit");
    let mut admin = app.client();
    admin.sign_in(seed.login(Role::ProviderAdmin)).await;
    admin.get("/parts").await.expect(StatusCode::OK);
    let p = admin
        .post(
            "/parts",
            &[
                ("code", "P-KEYPAD"),
                ("name", "键盘膜"),
                ("unit_price", "-1"),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"part-price-error\""), "{}", p.body);
    let point = fx.point.to_string();
    let p = admin
        .post(
            "/parts/stock",
            &[
                ("service_point_id", &point),
                ("code", "P-PRINTER"),
                ("qty", "99"),
                ("op", "write_off"),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"stock-qty-error\""), "{}", p.body);
    let p = admin
        .post(
            "/parts/stock",
            &[
                ("service_point_id", &point),
                ("code", "P-PRINTER"),
                ("qty", "2"),
                ("op", "receive"),
            ],
        )
        .await;
    p.redirects_to("/parts");
    let p = admin.get("/parts").await;
    let cell = format!("id=\"stock-P-PRINTER-{point}\"");
    let at = p.body.find(&cell).expect("the stock row");
    assert!(
        p.body[at..].contains("<td class=\"num stock-on-hand\">7</td>"),
        "{}",
        &p.body[at..]
    );
}

/// Every repair, loaner and parts POST needs the CSRF token.
async fn repair_posts_need_csrf(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let fx = fixture(&app.state, seed).await;
    let id = open_repair(&app.state, seed, &fx, "on_site").await;
    let mut admin = app.client();
    admin.sign_in(seed.login(Role::ProviderAdmin)).await;
    for path in [
        format!("/tickets/{}/repairs", fx.ticket),
        format!("/repairs/{id}/action"),
        format!("/repairs/{id}/shipment"),
        "/loaners/lend".to_owned(),
        "/loaners/pool".to_owned(),
        format!("/loaners/{}/return", Uuid::now_v7()),
        "/parts".to_owned(),
        "/parts/stock".to_owned(),
    ] {
        let p = admin
            .post_raw(&path, &[("action", "note"), ("text", "x")], &[])
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert!(
        repair_of(&app.state, seed, id).await.steps.len() == 1,
        "only the dispatch"
    );
}

posdesk_storage::both_backends!(
    repair_pages_answer_per_role,
    repair_forms_show_errors_in_place,
    repair_posts_need_csrf,
);

// ---------------------------------------------------------------------------------------------
// Real browser: the mail-in path of the "Done when".

async fn attr(ui: &Ui<'_>, css: &str, name: &str) -> anyhow::Result<String> {
    Ok(ui
        .b
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("finding {css}"))?
        .attr(name)
        .await?
        .unwrap_or_default())
}

async fn choose(ui: &Ui<'_>, css: &str) -> anyhow::Result<()> {
    ui.b.find(Locator::Css(css))
        .await
        .with_context(|| format!("finding {css}"))?
        .click()
        .await?;
    Ok(())
}

async fn mail_in_journey(ui: &Ui<'_>, state: &AppState, seed: &Seed) -> anyhow::Result<()> {
    let fx = fixture(state, seed).await;
    let ticket_page = format!("/tickets/{}", fx.ticket);

    // An agent opens a mail-in repair from the ticket.
    ui.sign_in(seed.login(Role::Agent)).await?;
    ui.goto(&ticket_page).await?;
    ui.wait_for("#repair-open-form").await?;
    choose(ui, "#repair-method option[value='mail_in']").await?;
    ui.click_nav("#repair-open-submit").await?;
    ui.wait_for("#repair-title").await?;
    ensure!(
        attr(ui, "#repair-method", "data-method").await? == "mail_in",
        "a mail-in repair"
    );
    let url = ui.b.current_url().await?;
    let id = RepairId::parse(
        "id",
        url.path()
            .strip_prefix("/repairs/")
            .context("a repair page")?,
    )?;
    let repair_page = format!("/repairs/{id}");

    // The merchant ships it in; the clocks pause while it travels; the centre receives it.
    ui.fill("#ship-in-carrier", "顺丰速运").await?;
    ui.fill("#ship-in-tracking", "SF1234567890").await?;
    ui.click_nav("#ship-in-dispatch").await?;
    ui.wait_for("#shipment-in[data-received='no']").await?;
    ensure!(
        ticket_status(state, seed, fx.ticket).await == "in_transit",
        "the ticket waits for the device"
    );
    ui.click_nav("#ship-in-receive").await?;
    ui.wait_for("#shipment-in[data-received='yes']").await?;
    ensure!(
        ticket_status(state, seed, fx.ticket).await == "open",
        "received: the ticket resumes"
    );

    // Dispatched to the repair centre and its technician.
    choose(ui, &format!("#dispatch-point option[value='{}']", fx.point)).await?;
    choose(
        ui,
        &format!(
            "#dispatch-technician option[value='{}']",
            seed.id(Role::Technician)
        ),
    )
    .await?;
    ui.click_nav("#dispatch-submit").await?;
    ui.wait_for("#repair-service-point").await?;
    ensure!(
        ui.text("#repair-service-point").await? == "杭州维修中心",
        "dispatched"
    );

    // Diagnosis: normal wear, but the warranty ended in 2024 → chargeable.
    choose(ui, "#diagnose-cause option[value='normal_wear']").await?;
    ui.fill("#diagnose-text", "打印头老化烧毁，需更换").await?;
    ui.click_nav("#diagnose-submit").await?;
    ui.wait_for("#repair-coverage[data-coverage='chargeable']")
        .await?;
    ensure!(
        ui.text("#repair-coverage-reason")
            .await?
            .contains("保修期已过"),
        "the reason is shown"
    );

    // A negative price is refused on its row; the fixed quote goes out.
    ui.fill("#item-code-0", "P-PRINTER").await?;
    ui.fill("#item-name-0", "打印头").await?;
    ui.fill("#item-qty-0", "1").await?;
    ui.fill("#item-price-0", "-45").await?;
    ui.click_nav("#quote-submit").await?;
    ui.wait_for("#item-error-0").await?;
    ensure!(ui.exists("#quotes-empty").await?, "no quote was stored");
    ui.fill("#item-price-0", "45.00").await?;
    choose(ui, "#item-kind-1 option[value='labour']").await?;
    ui.fill("#item-code-1", "LAB-REPAIR").await?;
    ui.fill("#item-name-1", "维修工时").await?;
    ui.fill("#item-qty-1", "1").await?;
    ui.fill("#item-price-1", "30").await?;
    ui.click_nav("#quote-submit").await?;
    ui.wait_for(".rep-quote[data-status='pending']").await?;
    ensure!(
        ui.text(".quote-total").await? == "¥75.00",
        "the total in yuan"
    );
    ensure!(
        ticket_status(state, seed, fx.ticket).await == "waiting_quote",
        "the ticket waits for the approval"
    );
    // No chargeable work before the approval.
    ensure!(!ui.exists("#start-submit").await?, "no start button yet");
    ui.sign_out().await?;

    // The merchant approves the quote in the portal, from the ticket page.
    ui.sign_in(seed.login(Role::MerchantUser)).await?;
    ui.goto(&ticket_page).await?;
    ui.wait_for("#repair-answer-form").await?;
    ensure!(
        ui.text(".pending-total").await? == "¥75.00",
        "the merchant sees the total"
    );
    ui.click_nav("#repair-quote-approve").await?;
    ui.wait_for(&format!("#repair-{id}[data-status='approved']"))
        .await?;
    ensure!(
        !ui.exists("#repair-answer-form").await?,
        "answered: no buttons"
    );
    ui.goto(&repair_page).await?;
    ui.wait_for(".rep-quote[data-status='approved']").await?;
    ensure!(
        ui.text(".quote-answer").await?.contains("商户门户确认"),
        "approved in the portal"
    );
    ui.sign_out().await?;

    // The agent lends a loaner: the merchant's MID and TID move to it.
    ui.sign_in(seed.login(Role::Agent)).await?;
    ui.goto(&repair_page).await?;
    ui.wait_for("#lend-form").await?;
    choose(ui, &format!("#lend-loaner option[value='{}']", fx.loaner)).await?;
    ui.click_nav("#lend-submit").await?;
    ui.wait_for("#repair-loans .loan").await?;
    ensure!(
        ui.text("#repair-loans .loan-tid").await? == TID,
        "the loan carries the TID"
    );
    ui.goto(&format!("/terminals/{}", fx.loaner)).await?;
    ui.wait_for("#current-binding").await?;
    ensure!(ui.text("#bound-tid").await? == TID, "TID on the loaner");
    ensure!(ui.text("#bound-mid").await? == MID, "MID on the loaner");
    ui.goto(&format!("/terminals/{}", fx.terminal)).await?;
    ui.wait_for("#terminal-facts").await?;
    ensure!(
        ui.exists("#no-binding").await?,
        "the terminal under repair holds no identity"
    );
    ui.goto("/loaners").await?;
    ui.wait_for("#open-loans-table").await?;
    ensure!(
        ui.text("#open-loans-table .loan-tid").await? == TID,
        "the pool lists the loan with its TID"
    );
    ui.sign_out().await?;

    // The technician opens it from the day list and repairs it.
    ui.sign_in(seed.login(Role::Technician)).await?;
    ui.click_nav("#nav-day-list").await?;
    ui.wait_for(&format!("#day-{id}")).await?;
    // For review: the day list on a phone, the big buttons in one column.
    let shots = screenshot_dir();
    ui.b.set_window_size(390, 844).await?;
    std::fs::write(shots.join("day-list-phone.png"), ui.b.screenshot().await?)?;
    ui.b.set_window_size(1280, 900).await?;
    ui.click_nav(&format!("#day-{id}-open")).await?;
    ui.wait_for("#start-submit").await?;
    ui.click_nav("#start-submit").await?;
    ui.wait_for("#repair-status[data-status='in_repair']")
        .await?;
    choose(ui, "#use-part-code option[value='P-PRINTER']").await?;
    ui.fill("#use-part-qty", "1").await?;
    ui.click_nav("#use-part-submit").await?;
    ui.wait_for("#repair-steps li[data-kind='use_part']")
        .await?;
    ui.fill("#complete-text", "更换打印头，打印测试正常")
        .await?;
    ui.click_nav("#complete-submit").await?;
    ui.wait_for("#repair-status[data-status='repaired']")
        .await?;
    std::fs::write(
        screenshot_dir().join("repair-desktop.png"),
        ui.b.screenshot().await?,
    )?;
    for (item, evidence) in [
        ("test_transaction", "测试交易 0.01 元成功，参考号 000123"),
        ("log_clean", "终端日志无新错误"),
        ("firmware_current", "V1.2.3（最新）"),
        ("keys_rebound", "主密钥、卡参数与交易权限已下发"),
    ] {
        choose(ui, &format!("#check-item option[value='{item}']")).await?;
        choose(ui, "#check-result option[value='pass']").await?;
        ui.fill("#check-evidence", evidence).await?;
        ui.click_nav("#check-submit").await?;
        ui.wait_for(&format!("#check-{item}[data-result='pass']"))
            .await?;
    }
    // The part was taken from the centre's stock (5 → 4, nothing left reserved).
    ui.goto("/parts").await?;
    let row = format!("#stock-P-PRINTER-{}", fx.point);
    ui.wait_for(&row).await?;
    ensure!(
        ui.text(&format!("{row} .stock-on-hand")).await? == "4"
            && ui.text(&format!("{row} .stock-reserved")).await? == "0",
        "stock consumed"
    );
    ui.sign_out().await?;

    // The agent ships it back and takes the loaner back: the identity returns.
    ui.sign_in(seed.login(Role::Agent)).await?;
    ui.goto(&repair_page).await?;
    ui.wait_for("#ship-back-form").await?;
    ui.fill("#ship-back-carrier", "顺丰速运").await?;
    ui.fill("#ship-back-tracking", "SF1234567899").await?;
    ui.click_nav("#ship-back-dispatch").await?;
    ui.wait_for("#shipment-back").await?;
    ui.click_nav("#ship-back-receive").await?;
    ui.wait_for("#shipment-back[data-received='yes']").await?;
    ui.click_nav("#nav-loaners").await?;
    ui.wait_for(&format!("#return-{LOANER_SN}")).await?;
    ui.click_nav(&format!("#return-{LOANER_SN}")).await?;
    ui.wait_for("#open-loans-empty").await?;
    choose(ui, &format!("#loaner-{LOANER_SN} .loaner-history summary")).await?;
    ensure!(
        ui.text(&format!("#loaner-{LOANER_SN} .loaner-history li"))
            .await?
            .contains("张记面馆"),
        "the loaner's history names the merchant"
    );
    ui.goto(&format!("/terminals/{}", fx.terminal)).await?;
    ui.wait_for("#current-binding").await?;
    ensure!(
        ui.text("#bound-tid").await? == TID && ui.text("#bound-mid").await? == MID,
        "the identity is back on the original terminal"
    );
    ui.goto(&format!("/terminals/{}", fx.loaner)).await?;
    ui.wait_for("#no-binding").await?;

    // The ticket resolves (the checklist passed).
    ui.goto(&ticket_page).await?;
    ui.wait_for("#event-resolve").await?;
    ensure!(
        !ui.exists("#repairs-blocker").await?,
        "nothing holds the resolve"
    );
    ui.click_nav("#event-resolve").await?;
    ui.wait_for("#ticket-status[data-status='resolved']")
        .await?;
    ui.sign_out().await?;

    // The merchant confirms the fix and rates it in the portal: the ticket closes.
    ui.sign_in(seed.login(Role::MerchantUser)).await?;
    ui.goto(&ticket_page).await?;
    ui.click_nav("#ticket-rate").await?;
    ui.wait_for("#feedback-form").await?;
    ui.wait_for("#fb-star-4").await?.click().await?;
    ui.fill("#fb-comment", "备用机很及时，维修也快").await?;
    ui.click_nav("#fb-submit").await?;
    ui.wait_for("#fb-done[data-stars='4']").await?;
    ui.goto(&ticket_page).await?;
    ui.wait_for("#ticket-status[data-status='closed']").await?;
    ui.sign_out().await?;
    Ok(())
}

async fn repairs_in_browser(loc: Location, tag: &str) {
    in_chromium(loc, "repairs", tag, |ui, state, seed, _| {
        Box::pin(mail_in_journey(ui, state, seed))
    })
    .await;
}

mod chromium {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mail_in_repair_journey_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::repairs_in_browser(loc, "sqlite").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mail_in_repair_journey_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::repairs_in_browser(loc, "postgres").await;
        }
    }
}
