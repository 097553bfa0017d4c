//! The terminal page (`/terminals/{id}`) in-process, per role, with its forms (bind, relocate,
//! unbind, status changes, errors in place, CSRF, stale versions); and in a real headless
//! Chromium the terminal import flow: a provider admin uploads a CSV with one bad row, reads
//! the row error report, finds the good rows in `/terminals` and opens a terminal's page.

use super::*;
use posdesk_storage::repo::terminals;

const OWNER_ID: &str = "11010519491231002X";
const OWNER_ID_MASKED: &str = "110***********002X";
const CARD: &str = "6228480402564890018";
const CARD_MASKED: &str = "622848*********0018";

/// A micro merchant identified by its owner's resident ID (status `pending`, may take terminals).
async fn micro_merchant(app: &App) -> MerchantId {
    let principal = operator_principal();
    let ctx = Ctx::operator(&app.state, &principal, "test");
    ctx.write(
        ctx.meta(),
        merchants::CreateMerchant {
            id: MerchantId::from_uuid(Uuid::now_v7()),
            tenant: app.seed.tenant,
            name: "湖滨小吃".into(),
            mid: "102330154119004".into(),
            contact_name: None,
            contact_phone: None,
            address: None,
            registry: Some(merchants::MerchantRegistry {
                kind: "micro".into(),
                id_kind: "resident_id".into(),
                id_number: OWNER_ID.into(),
                risk_level: "low".into(),
                division_code: Some("330102".into()),
            }),
        },
    )
    .await
    .map_err(fail)
    .unwrap()
    .id
}

async fn stock_terminal(app: &App, sn: &str, tid: &str) -> TerminalId {
    let principal = operator_principal();
    let ctx = Ctx::operator(&app.state, &principal, "test");
    ctx.write(
        ctx.meta(),
        terminals::CreateTerminal {
            id: TerminalId::from_uuid(Uuid::now_v7()),
            tenant: app.seed.tenant,
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
    .map_err(fail)
    .unwrap()
    .id
}

async fn terminal_by_sn(state: &AppState, sn: &str) -> TerminalId {
    let sn = sn.to_owned();
    let id = state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query_one("SELECT id FROM terminals WHERE sn = $1", &[sn.into()])
                    .await?
                    .text(0)
            })
        })
        .await
        .unwrap();
    TerminalId::parse("id", &id).unwrap()
}

/// The `version` hidden field of the page's forms.
fn version_of(p: &Page) -> String {
    let at = p
        .body
        .find("name=\"version\" value=\"")
        .expect("a version field");
    let rest = &p.body[at + "name=\"version\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn bind_fields<'a>(version: &'a str, warranty_end: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("mid", "102330154119004"),
        ("acquirer_code", "102"),
        ("tid", "61000001"),
        ("settlement_account", CARD),
        ("address", "杭州市上城区河坊街 1 号"),
        ("division_code", "330102"),
        ("install_date", ""),
        ("warranty_end", warranty_end),
        ("note", "身份证与结算卡已核验"),
    ]
}

async fn terminal_page_works(loc: Location) {
    let app = App::new(loc).await;
    let tr = zh();
    micro_merchant(&app).await;
    let t = stock_terminal(&app, "PAGE-0001", "61000001").await;
    let page = format!("/terminals/{t}");
    let mut admin = app.client();
    admin.sign_in(app.seed.login(Role::ProviderAdmin)).await;

    // The list links to the page.
    let l = admin.get("/terminals").await;
    assert!(l.has(&format!("href=\"{page}\"")), "{}", l.body);
    let p = admin.get(&page).await;
    p.expect(StatusCode::OK);
    for id in [
        "terminal-facts",
        "no-binding",
        "bind-form",
        "transitions",
        "history-table",
    ] {
        assert!(p.has(&format!("id=\"{id}\"")), "#{id}: {}", p.body);
    }
    assert!(!p.has("id=\"relocate-form\"") && !p.has("id=\"unbind-form\""));
    assert!(p.has("data-state=\"unknown\""));
    // Install comes from the bind form, not a button.
    assert!(p.has("id=\"event-retire\"") && !p.has("id=\"event-install\""));

    // Bad input stays on the form, the field named, the input kept but not the card number.
    let v = version_of(&p);
    let today = posdesk_core::calendar::LocalDate::of_timestamp(posdesk_storage::now()).unwrap();
    let yesterday = today.add_days(-1).unwrap().to_string();
    let p = admin
        .post(&format!("{page}/bind"), &bind_fields(&v, &yesterday))
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.has("id=\"bind-error\"") && p.has(&tr.t("field-warranty-end")),
        "{}",
        p.body
    );
    assert!(p.has("value=\"杭州市上城区河坊街 1 号\"") && !p.has(CARD));
    let mut bad = bind_fields(&v, "");
    bad[2] = ("acquirer_code", "103");
    let p = admin.post(&format!("{page}/bind"), &bad).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has(&tr.t("binding-acquirer-code")), "{}", p.body);

    // Bound: the five items, the warranty from today, the history.
    let p = admin
        .post(&format!("{page}/bind"), &bind_fields(&v, ""))
        .await;
    p.redirects_to(&format!("{page}?done=bound"));
    let p = admin.get(&format!("{page}?done=bound")).await;
    p.expect(StatusCode::OK);
    assert!(p.has("id=\"done\"") && p.has(&tr.t("binding-done-bound")));
    assert!(p.has("id=\"current-binding\"") && !p.has("id=\"no-binding\""));
    for (id, value) in [
        ("bound-acquirer", "102"),
        ("bound-mid", "102330154119004"),
        ("bound-identity", OWNER_ID),
        ("bound-account", CARD_MASKED),
        ("bound-tid", "61000001"),
        ("fact-install-date", today.to_string().as_str()),
    ] {
        assert!(
            p.has(&format!("id=\"{id}\">{value}")),
            "#{id} = {value}: {}",
            p.body
        );
    }
    assert!(p.has("data-state=\"in_warranty\"") && p.has(&tr.t("warranty-in")));
    assert!(p.has(&tr.t("terminal-action-bind")) && p.has("id=\"relocate-form\""));
    assert!(!p.has("id=\"bind-form\"") && p.has("id=\"event-activate\""));

    // An agent reads the page with the owner's ID masked, and has no forms.
    let mut agent = app.client();
    agent.sign_in(app.seed.login(Role::Agent)).await;
    let a = agent.get(&page).await;
    a.expect(StatusCode::OK);
    assert!(a.has(OWNER_ID_MASKED) && !a.has(OWNER_ID), "{}", a.body);
    assert!(!a.has("id=\"relocate-form\"") && !a.has("id=\"transitions\""));
    let csrf = agent.csrf();
    agent
        .post_raw(
            &format!("{page}/unbind"),
            &[("_csrf", &csrf), ("reason", "越权")],
            &[],
        )
        .await
        .expect(StatusCode::FORBIDDEN);

    // Relocation needs the re-verification ticked.
    let p = admin.get(&page).await;
    let v = version_of(&p);
    let moved = [
        ("version", v.as_str()),
        ("address", "杭州市滨江区网商路 699 号"),
        ("division_code", "330108"),
        ("note", "新址核验"),
    ];
    let r = admin.post(&format!("{page}/relocate"), &moved).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.has("id=\"relocate-error\"") && r.has(&tr.t("binding-reverified")),
        "{}",
        r.body
    );
    let mut ok = moved.to_vec();
    ok.push(("reverified", "on"));
    admin
        .post(&format!("{page}/relocate"), &ok)
        .await
        .redirects_to(&format!("{page}?done=relocated"));
    let p = admin.get(&page).await;
    assert!(
        p.has("id=\"bound-address\">杭州市滨江区网商路 699 号"),
        "{}",
        p.body
    );
    assert!(p.has(&tr.t("binding-end-relocated")) && p.has(&tr.t("terminal-action-relocate")));
    assert_eq!(p.body.matches("<tr id=\"binding-").count(), 2);
    // A stale form: 409/412 on the form, nothing changes.
    let r = admin.post(&format!("{page}/relocate"), &ok).await;
    r.expect(StatusCode::PRECONDITION_FAILED);
    assert!(r.has(&tr.t("error-stale")), "{}", r.body);

    // A status change, then unbinding back to stock.
    let v = version_of(&admin.get(&page).await);
    admin
        .post(
            &format!("{page}/transition"),
            &[("version", &v), ("event", "activate")],
        )
        .await
        .redirects_to(&format!("{page}?done=moved"));
    let p = admin.get(&page).await;
    assert!(p.has(&format!("id=\"terminal-status\">{}", tr.t("status-active"))));
    let r = admin
        .post(&format!("{page}/transition"), &[("event", "install")])
        .await;
    r.expect(StatusCode::CONFLICT);
    assert!(r.has("id=\"transition-error\""));
    let r = admin
        .post(&format!("{page}/unbind"), &[("reason", "")])
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("id=\"unbind-error\"") && r.has(&tr.t("binding-unbind-reason")));
    admin
        .post(&format!("{page}/unbind"), &[("reason", "商户注销")])
        .await
        .redirects_to(&format!("{page}?done=unbound"));
    let p = admin.get(&page).await;
    assert!(p.has("id=\"no-binding\"") && p.has("id=\"bind-form\""));
    assert!(p.has(&format!(
        "id=\"terminal-status\">{}",
        tr.t("status-in-stock")
    )));
    assert!(p.has("商户注销") && p.has(&tr.t("terminal-action-unbind")));

    // After a failed form the language switch returns to the form's action: the page.
    admin
        .get(&format!("{page}/unbind"))
        .await
        .redirects_to(&page);

    // Without the CSRF token: refused.
    admin
        .post_raw(&format!("{page}/unbind"), &[("reason", "x")], &[])
        .await
        .expect(StatusCode::FORBIDDEN);

    // The merchant user sees their own terminal, its history only from their time, and no
    // other merchant's terminal.
    let own = terminal_by_sn(&app.state, "00001234567890").await;
    let mut shop = app.client();
    shop.sign_in(app.seed.login(Role::MerchantUser)).await;
    let s = shop.get(&format!("/terminals/{own}")).await;
    s.expect(StatusCode::OK);
    assert!(s.has("id=\"terminal-facts\"") && !s.has("id=\"transitions\""));
    assert!(s.has("id=\"history-table\""));
    shop.get(&page).await.expect(StatusCode::NOT_FOUND);
    shop.get("/terminals/not-an-id")
        .await
        .expect(StatusCode::NOT_FOUND);

    // Every web role: the page where it may read terminals, the forms where it may manage them.
    let own_page = format!("/terminals/{own}");
    for role in WEB_ROLES {
        let mut c = app.client();
        c.sign_in(app.seed.login(role)).await;
        let p = c.get(&own_page).await;
        if role.allows(Permission::TerminalRead) {
            p.expect(StatusCode::OK);
            assert!(p.has("id=\"terminal-facts\""), "{role:?}");
            assert_eq!(
                p.has("id=\"transitions\""),
                role.allows(Permission::TerminalManage),
                "{role:?}"
            );
        } else {
            p.expect(StatusCode::FORBIDDEN);
        }
    }

    // English.
    admin
        .post("/lang", &[("lang", "en"), ("next", &page)])
        .await
        .redirects_to(&page);
    let en = Tr::new(Locale::En);
    let p = admin.get(&page).await;
    assert!(
        p.has(&en.t("binding-history")) && p.has(&en.t("binding-bind")),
        "{}",
        p.body
    );
}

posdesk_storage::both_backends!(terminal_page_works);

// ---------------------------------------------------------------------------------------------
// Real browser: the terminal import flow.

async fn import_journey(ui: &Ui<'_>, seed: &Seed, tag: &str) -> anyhow::Result<()> {
    let tr = zh();
    ui.sign_in(seed.login(Role::ProviderAdmin)).await?;
    ui.click_nav("#nav-terminals").await?;
    ui.wait_for("#terminals-table").await?;
    ui.click_nav("#terminals-import").await?;
    ui.wait_for("#terminal-import-form").await?;

    // One bad row (a TID of 3 characters) among two good ones.
    let csv = "序列号,终端号,型号,厂商,状态,商户号,安装日期,保修截止,装机地址\n\
               JRN-0001,92000001,A920,百富,active,102330158120001,2026-03-09,2027-03-08,上海市浦东新区世纪大道 100 号\n\
               JRN-0002,,N910,新大陆,in_stock,,,,\n\
               JRN-0003,123,N910,新大陆,,,,,\n";
    let dir = posdesk_storage::testing::TempDir::new();
    let file = dir.path.join(format!("terminals-{tag}.csv"));
    std::fs::write(&file, csv)?;
    ui.b.find(Locator::Id("import-file"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    ui.click_nav("#import-submit").await?;
    ui.wait_for("#import-summary").await?;
    ensure!(ui.text("#sum-rows").await? == "3", "three rows read");
    ensure!(ui.text("#sum-inserted").await? == "2", "two rows imported");
    ensure!(ui.text("#sum-rejected").await? == "1", "one row rejected");
    let rejected = ui.text("#rejected-4").await?;
    ensure!(
        rejected.contains('4') && rejected.contains(&tr.t("field-tid")),
        "the bad row is reported with its row and column: {rejected}"
    );
    if tag == "sqlite" {
        std::fs::write(
            screenshot_dir().join("terminal-import-desktop.png"),
            ui.b.screenshot().await?,
        )?;
    }

    // The good rows are in the list, and each opens its page.
    ui.click_nav("#back-to-terminals").await?;
    ui.wait_for("#terminals-table").await?;
    let table = ui.text("#terminals-table").await?;
    ensure!(
        table.contains("JRN-0001") && table.contains("JRN-0002") && !table.contains("JRN-0003"),
        "the good rows are listed: {table}"
    );
    ui.b.find(Locator::LinkText("JRN-0001"))
        .await?
        .click()
        .await?;
    ui.wait_for("#terminal-facts").await?;
    ensure!(
        ui.text("#fact-sn").await? == "JRN-0001",
        "the page of JRN-0001"
    );
    ensure!(
        ui.text("#fact-tid").await? == "92000001"
            && ui.text("#fact-warranty-end").await? == "2027-03-08",
        "the imported data"
    );
    ensure!(
        ui.text("#fact-merchant").await?.contains("张记面馆"),
        "the merchant by its MID"
    );
    ensure!(
        ui.exists("#no-binding").await?,
        "imported without a binding"
    );
    ensure!(
        ui.exists("#bind-form").await?,
        "the admin may record its binding"
    );
    let history = ui.text("#history-table").await?;
    ensure!(
        history.contains(&tr.t("action-create")),
        "the import is in its history: {history}"
    );
    if tag == "sqlite" {
        std::fs::write(
            screenshot_dir().join("terminal-page-desktop.png"),
            ui.b.screenshot().await?,
        )?;
    }
    ui.sign_out().await?;
    Ok(())
}

async fn terminal_import_in_browser(loc: Location, tag: &str) {
    in_chromium(loc, "terminal_import", tag, |ui, _, seed, tag| {
        Box::pin(import_journey(ui, seed, tag))
    })
    .await;
}

mod chromium {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn terminal_import_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::terminal_import_in_browser(loc, "sqlite").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn terminal_import_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::terminal_import_in_browser(loc, "postgres").await;
        }
    }
}
