//! The merchant pages in-process: the list's links per role, registration (errors in place),
//! the merchant page with the owner's ID masked per role, the edit form (a stale version
//! refused in place), contacts and business hours, merchant users confined to their own
//! merchant, CSRF; the merchant import upload (CSV and XLSX, a file that is neither refused)
//! and the CSV/XLSX downloads. In a real headless Chromium: a provider admin registers a
//! merchant, edits it and sets its hours.

use super::*;

const OWNER_ID: &str = "11010519491231002X";
const OWNER_ID_MASKED: &str = "110***********002X";

/// The merchant id in a `/merchants/{id}?done=…` redirect.
fn merchant_of(location: &str) -> String {
    location
        .trim_start_matches("/merchants/")
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The value of the hidden `version` field of the form `form_id` on `body`.
fn version_in(body: &str, form_id: &str) -> String {
    let form = body
        .split(&format!("id=\"{form_id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("form {form_id} on the page"));
    let v = form
        .split("name=\"version\" ")
        .nth(1)
        .and_then(|r| r.split("value=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("a version in {form_id}"));
    v.to_owned()
}

fn registration<'a>(name: &'a str, mid: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name", name),
        ("mid", mid),
        ("kind", "micro"),
        ("uscc", ""),
        ("owner_id", OWNER_ID),
        ("risk_level", "medium"),
        ("division_code", "330106"),
        ("address", "文三路 90 号"),
        ("contact_name", "周老板"),
        ("contact_phone", "138 0571 1000"),
    ]
}

async fn merchant_pages_work(loc: Location) {
    let app = App::new(loc).await;
    let tr = zh();
    let mut admin = app.client();
    admin.sign_in(app.seed.login(Role::ProviderAdmin)).await;
    let list = admin.get("/merchants").await;
    list.expect(StatusCode::OK);
    for id in [
        "merchant-new",
        "merchants-import",
        "merchants-export-csv",
        "merchants-export-xlsx",
    ] {
        assert!(list.has(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(list.has(&format!("href=\"/merchants/{}\"", app.seed.merchant)));
    admin.get("/merchants/new").await.expect(StatusCode::OK);

    // Registration: a bad MID is shown on the form, as typed; a good one opens its page.
    let bad = registration("湖滨小吃", "10233015412");
    let p = admin.post("/merchants", &bad).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.has("id=\"merchant-error\"") && p.has(&tr.t("field-mid")),
        "{}",
        p.body
    );
    assert!(p.has("value=\"湖滨小吃\""), "the form keeps what was typed");
    let p = admin
        .post("/merchants", &registration("湖滨小吃", "102330154129001"))
        .await;
    p.redirects_to("/merchants/");
    let location = p.location.clone().unwrap();
    assert!(location.ends_with("?done=created"), "{location}");
    let id = merchant_of(&location);
    let path = format!("/merchants/{id}");
    let page = admin.get(&location).await;
    page.expect(StatusCode::OK);
    assert!(page.has("id=\"merchant-notice\"") && page.has(&tr.t("merchant-done-created")));
    assert!(
        page.has(OWNER_ID),
        "the provider admin sees the owner's ID in full"
    );
    assert!(page.has(&tr.t("merchant-kind-micro")) && page.has(&tr.t("merchant-status-pending")));
    assert!(page.has("13805711000") && page.has("周老板"), "the contact");
    assert!(page.has("id=\"hours-empty\""));
    // The same MID again: taken.
    let p = admin
        .post("/merchants", &registration("重复", "102330154129001"))
        .await;
    p.expect(StatusCode::CONFLICT);
    assert!(p.has("id=\"merchant-error\""));

    // The edit form: a stale version is refused in place; the current one saves.
    let version = version_in(&page.body, "merchant-edit-form");
    assert_eq!(version, "1");
    let mut edit = registration("湖滨小吃（二店）", "102330154129001");
    edit.retain(|(k, _)| !matches!(*k, "contact_name" | "contact_phone"));
    for kv in edit.iter_mut() {
        if kv.0 == "owner_id" {
            kv.1 = ""; // blank: keep the identity on file
        }
    }
    let mut stale = edit.clone();
    stale.push(("version", "9"));
    let p = admin.post(&path, &stale).await;
    p.expect(StatusCode::PRECONDITION_FAILED);
    assert!(p.has(&tr.t("error-stale")));
    let mut fresh = edit.clone();
    fresh.push(("version", "1"));
    let p = admin.post(&path, &fresh).await;
    p.redirects_to(&format!("{path}?done=saved"));
    let page = admin.get(&path).await;
    assert!(
        page.has("湖滨小吃（二店）") && page.has(OWNER_ID),
        "renamed, identity kept"
    );
    // Kind company without a USCC: refused, named.
    let mut company = fresh.clone();
    for kv in company.iter_mut() {
        match kv.0 {
            "kind" => kv.1 = "company",
            "version" => kv.1 = "2",
            _ => {}
        }
    }
    let p = admin.post(&path, &company).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has(&tr.t("field-uscc")), "{}", p.body);

    // Contacts: two lines, the second primary; a bad phone names its line.
    let v = version_in(&admin.get(&path).await.body, "merchant-contacts-form");
    let p = admin
        .post(
            &format!("{path}/contacts"),
            &[
                ("version", &v),
                ("contact_name_0", "小王"),
                ("contact_phone_0", "13805712000"),
                ("contact_role_0", "cashier"),
                ("contact_name_1", "周老板"),
                ("contact_phone_1", "0571-88886666"),
                ("contact_role_1", "owner"),
                ("contact_name_2", ""),
                ("contact_phone_2", ""),
                ("primary", "1"),
            ],
        )
        .await;
    p.redirects_to(&format!("{path}?done=contacts"));
    let page = admin.get(&path).await;
    let contacts = page.body.split("id=\"contacts-table\"").nth(1).unwrap();
    let first = contacts.find("0571-88886666").unwrap();
    let second = contacts.find("13805712000").unwrap();
    assert!(first < second, "the primary contact first");
    assert!(page.has(&tr.t("merchant-contact-role-cashier")));
    let v = version_in(&page.body, "merchant-contacts-form");
    let p = admin
        .post(
            &format!("{path}/contacts"),
            &[
                ("version", &v),
                ("contact_phone_0", "13805712000"),
                ("contact_phone_2", "123"),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let expected = tr.ta(
        "merchant-contact-field",
        &[("n", "3".into()), ("part", tr.t("field-phone"))],
    );
    assert!(
        p.has("id=\"contacts-error\"") && p.has(&expected),
        "the error names the form's third line: {}",
        p.body
    );
    assert!(p.has("value=\"123\""), "as typed");

    // Business hours: set, shown; bad hours named by their day.
    let v = version_in(&admin.get(&path).await.body, "merchant-hours-form");
    let mut hours: Vec<(&str, &str)> = vec![
        ("version", &v),
        ("weekly.mon", "09:00-21:00"),
        ("weekly.tue", "09:00-21:00"),
        ("weekly.wed", "09:00-21:00"),
        ("weekly.thu", "09:00-21:00"),
        ("weekly.fri", "09:00-21:00"),
        ("weekly.sat", "10:00-14:00"),
        ("weekly.sun", ""),
    ];
    let p = admin.post(&format!("{path}/hours"), &hours).await;
    p.redirects_to(&format!("{path}?done=hours"));
    let page = admin.get(&path).await;
    assert!(
        page.has("id=\"hours-table\"") && page.has("10:00-14:00"),
        "{}",
        page.body
    );
    let v = version_in(&page.body, "merchant-hours-form");
    hours[0] = ("version", &v);
    hours[6] = ("weekly.sat", "14:00-10:00");
    let p = admin.post(&format!("{path}/hours"), &hours).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let sat = tr.ta("field-weekday-hours", &[("day", tr.t("weekday-sat"))]);
    assert!(p.has("id=\"hours-error\"") && p.has(&sat), "{}", p.body);

    // The forms' own paths answer a GET (the language switch after a failed post) with the page.
    admin
        .get(&format!("{path}/contacts"))
        .await
        .redirects_to(&path);
    admin
        .get("/merchants/not-an-id/hours")
        .await
        .expect(StatusCode::NOT_FOUND);

    // Without the CSRF token: refused.
    admin
        .post_raw(&path, &fresh, &[])
        .await
        .expect(StatusCode::FORBIDDEN);

    // An agent sees the ID masked and no forms; a merchant user only their own merchant.
    let mut agent = app.client();
    agent.sign_in(app.seed.login(Role::Agent)).await;
    let p = agent.get(&path).await;
    p.expect(StatusCode::OK);
    assert!(p.has(OWNER_ID_MASKED) && !p.has(OWNER_ID));
    assert!(!p.has("id=\"merchant-edit-form\"") && !p.has("id=\"merchant-contacts-form\""));
    let l = agent.get("/merchants").await;
    assert!(!l.has("id=\"merchant-new\"") && !l.has("id=\"merchants-import\""));
    agent
        .get("/merchants/new")
        .await
        .expect(StatusCode::FORBIDDEN);
    agent
        .post(&path, &fresh)
        .await
        .expect(StatusCode::FORBIDDEN);
    let mut mu = app.client();
    mu.sign_in(app.seed.login(Role::MerchantUser)).await;
    let own = mu.get(&format!("/merchants/{}", app.seed.merchant)).await;
    own.expect(StatusCode::OK);
    assert!(own.has("张记面馆") && !own.has("id=\"merchant-edit-form\""));
    mu.get(&path).await.expect(StatusCode::NOT_FOUND);
    mu.get("/merchants/not-an-id")
        .await
        .expect(StatusCode::NOT_FOUND);
    let token_mu = mu.csrf();
    mu.post_raw(
        &format!("/merchants/{}/hours", app.seed.merchant),
        &[("_csrf", &token_mu), ("weekly.mon", "09:00-18:00")],
        &[],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
}

async fn merchant_import_upload_works(loc: Location) {
    let app = App::new(loc).await;
    let tr = zh();
    let mut admin = app.client();
    admin.sign_in(app.seed.login(Role::ProviderAdmin)).await;
    let p = admin.get("/merchants/import").await;
    p.expect(StatusCode::OK);
    assert!(p.has("id=\"merchant-import-form\"") && !p.has("id=\"import-summary\""));
    let csv = "商户号,商户名称,商户类型,统一社会信用代码,经营者身份证号,联系人,联系电话,营业时间\n\
               102330154129101,湖滨咖啡,company,91110000600037341L,,吴女士,13805710001,每天 08:00-22:00\n\
               102330154129102,坏电话,company,91110000600037341L,,,123,\n\
               102330154129103,张三早餐铺,micro,,11010519491231002X,,,\n";
    let token = admin.csrf();
    let file = [("file", "merchants.csv", csv.as_bytes())];
    let p = admin
        .post_multipart("/merchants/import", &[("_csrf", &token)], &file)
        .await;
    p.expect(StatusCode::OK);
    for (id, n) in [("sum-rows", "3"), ("sum-inserted", "2")] {
        assert!(p.has(&format!("id=\"{id}\">{n}<")), "{id}: {}", p.body);
    }
    assert!(p.has("id=\"sum-rejected\"><span class=\"badge badge-danger\">1<"));
    assert!(p.has("id=\"sum-format\">CSV<") && p.has("id=\"sum-encoding\">UTF-8<"));
    assert!(
        p.has("id=\"rejected-3\"") && p.has(&tr.t("field-phone")),
        "{}",
        p.body
    );
    let list = admin.get("/merchants").await;
    assert!(list.has("湖滨咖啡") && list.has("张三早餐铺"));
    let p = admin
        .post_multipart("/merchants/import", &[("_csrf", &token)], &file)
        .await;
    assert!(p.has("id=\"sum-unchanged\">2<"), "{}", p.body);

    // An XLSX upload, told by its bytes (the name says .csv): the same checks.
    let xlsx = {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["商户号", "商户名称", "商户类型", "统一社会信用代码"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_number(1, 0, 102330154129101.0).unwrap();
        ws.write_string(1, 1, "湖滨咖啡（西湖店）").unwrap();
        ws.write_string(1, 2, "企业").unwrap();
        ws.write_string(1, 3, "91110000600037341L").unwrap();
        wb.save_to_buffer().unwrap()
    };
    let p = admin
        .post_multipart(
            "/merchants/import",
            &[("_csrf", &token)],
            &[("file", "really.csv", &xlsx)],
        )
        .await;
    p.expect(StatusCode::OK);
    assert!(
        p.has("id=\"sum-format\">XLSX<") && p.has("id=\"sum-updated\">1<"),
        "{}",
        p.body
    );
    assert!(admin.get("/merchants").await.has("湖滨咖啡（西湖店）"));

    // Neither CSV nor XLSX: the form says so; no file: required.
    let p = admin
        .post_multipart(
            "/merchants/import",
            &[("_csrf", &token)],
            &[("file", "logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"import-error\"") && p.has(&tr.t("field-import-file")));
    admin
        .post_multipart("/merchants/import", &[("_csrf", &token)], &[])
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    // The terminal import takes XLSX too.
    let p = admin.get("/terminals/import").await;
    assert!(p.has("id=\"terminal-import-form\"") && p.has("id=\"import-export-xlsx\""));

    // Without the token, or the permission: refused.
    admin
        .post_multipart("/merchants/import", &[], &file)
        .await
        .expect(StatusCode::FORBIDDEN);
    let mut agent = app.client();
    agent.sign_in(app.seed.login(Role::Agent)).await;
    agent
        .get("/merchants/import")
        .await
        .expect(StatusCode::FORBIDDEN);
    let agent_token = agent.csrf();
    agent
        .post_multipart("/merchants/import", &[("_csrf", &agent_token)], &file)
        .await
        .expect(StatusCode::FORBIDDEN);

    // The downloads: what the reader may see; the agent's shows the owner's ID masked.
    let e = agent.get("/merchants/export.csv").await;
    e.expect(StatusCode::OK);
    assert!(
        e.has("商户号")
            && e.has("湖滨咖啡（西湖店）")
            && e.has(OWNER_ID_MASKED)
            && !e.has(OWNER_ID)
    );
    for path in ["/merchants/export.xlsx", "/terminals/export.xlsx"] {
        let x = agent.get(path).await;
        x.expect(StatusCode::OK);
        assert!(x.body.starts_with("PK"), "{path} is a zip container");
    }
    let mut mu = app.client();
    mu.sign_in(app.seed.login(Role::MerchantUser)).await;
    let own = mu.get("/merchants/export.csv").await;
    own.expect(StatusCode::OK);
    assert!(
        own.has("张记面馆") && !own.has("湖滨咖啡"),
        "only their own merchant"
    );
}

posdesk_storage::both_backends!(merchant_pages_work, merchant_import_upload_works);

// ---------------------------------------------------------------------------------------------
// Real browser: register a merchant, edit it, set its business hours.

async fn merchant_journey(ui: &Ui<'_>, seed: &Seed, tag: &str) -> anyhow::Result<()> {
    let tr = zh();
    ui.sign_in(seed.login(Role::ProviderAdmin)).await?;
    ui.click_nav("#nav-merchants").await?;
    ui.wait_for("#merchants-table").await?;
    ui.click_nav("#merchant-new").await?;
    ui.wait_for("#merchant-new-form").await?;
    ui.fill("#merchant-name", "湖滨小吃").await?;
    ui.fill("#merchant-mid", "102330154129201").await?;
    ui.b.find(Locator::Id("merchant-kind"))
        .await?
        .select_by_value("micro")
        .await?;
    ui.fill("#merchant-owner-id", OWNER_ID).await?;
    ui.fill("#merchant-address", "北山街 12 号").await?;
    ui.fill("#merchant-contact-name", "周老板").await?;
    ui.fill("#merchant-contact-phone", "13805711000").await?;
    ui.click_nav("#merchant-submit").await?;
    ui.wait_for("#merchant-facts").await?;
    ensure!(
        ui.text("#merchant-notice").await? == tr.t("merchant-done-created"),
        "registered"
    );
    ensure!(ui.text("#fact-mid").await? == "102330154129201", "its MID");
    ensure!(
        ui.text("#fact-identity").await? == OWNER_ID,
        "the admin sees the full ID"
    );

    // Edit: a new name and risk level.
    ui.fill("#merchant-name", "湖滨小吃（北山街）").await?;
    ui.b.find(Locator::Id("merchant-risk"))
        .await?
        .select_by_value("high")
        .await?;
    ui.click_nav("#merchant-save").await?;
    ui.wait_for("#merchant-notice").await?;
    let title = ui.text("#merchant-title").await?;
    ensure!(title.contains("湖滨小吃（北山街）"), "renamed: {title}");
    ensure!(
        ui.text("#fact-risk").await? == tr.t("merchant-risk-high"),
        "the risk level"
    );
    ensure!(
        ui.text("#fact-identity").await? == OWNER_ID,
        "identity kept"
    );

    // Business hours.
    ui.fill("#merchant-hours-mon", "09:00-21:00").await?;
    ui.fill("#merchant-hours-sat", "10:00-14:00").await?;
    ui.click_nav("#hours-save").await?;
    ui.wait_for("#hours-table").await?;
    let hours = ui.text("#hours-table").await?;
    ensure!(
        hours.contains("09:00-21:00") && hours.contains("10:00-14:00"),
        "the hours: {hours}"
    );
    if tag == "sqlite" {
        std::fs::write(
            screenshot_dir().join("merchant-desktop.png"),
            ui.b.screenshot().await?,
        )?;
    }
    ui.click_nav("#back-to-merchants").await?;
    ui.wait_for("#merchants-table").await?;
    let table = ui.text("#merchants-table").await?;
    ensure!(table.contains("湖滨小吃（北山街）"), "in the list: {table}");
    ui.sign_out().await?;
    Ok(())
}

async fn merchant_in_browser(loc: Location, tag: &str) {
    in_chromium(loc, "merchant", tag, |ui, _, seed, tag| {
        Box::pin(merchant_journey(ui, seed, tag))
    })
    .await;
}

mod chromium {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn merchant_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::merchant_in_browser(loc, "sqlite").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn merchant_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::merchant_in_browser(loc, "postgres").await;
        }
    }
}
