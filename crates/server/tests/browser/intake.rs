//! Hotline and walk-in intake (`/tickets/new`) in the web UI.
//!
//! In-process (no JavaScript): the look-up form lists candidates as links (`?q=`), a picked
//! candidate fills the merchant and terminal and shows the terminal's panel (`?terminal=`), the
//! fragments for the script answer (a short text: 422 naming the rule), and merchant users get
//! neither the look-up nor its fragments.
//!
//! In a real headless Chromium, keyboard only: the look-up box has the focus; typing part of a
//! TID lists the terminal; ↓ and Enter pick it, which fills the merchant and terminal and loads
//! the panel with the warranty and the open-ticket duplicate warning; Tab walks the form in
//! order and Enter on the submit button opens the ticket.

use super::*;
use fantoccini::key::Key;
use futures::future::BoxFuture;
use posdesk_core::authz::Principal;
use posdesk_core::ticket::{Category, Channel, Priority, TicketKind};
use posdesk_storage::{Applied, Conn, Mutation};

fn agent(seed: &Seed) -> Principal {
    Principal::new(
        seed.id(Role::Agent),
        Role::Agent,
        Some(seed.tenant),
        None,
        None,
    )
    .unwrap()
}

/// The seed's terminal (TID 10000001, placed at the seed's merchant).
async fn seed_terminal(state: &AppState, seed: &Seed) -> TerminalId {
    let p = agent(seed);
    let ctx = Ctx::new(state, &p, "test");
    service::directory::terminals(&ctx, PageRequest::first(10))
        .await
        .map_err(fail)
        .unwrap()
        .items[0]
        .id
}

/// Records an installation with a warranty to 2099 on the terminal (as a binding would).
struct SetWarranty(TerminalId);

impl Mutation for SetWarranty {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _: &'a posdesk_storage::Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "UPDATE terminals SET install_date = '2025-03-10', warranty_end = '2099-12-31' WHERE id = $1",
                &[self.0.into()],
            )
            .await?;
            Ok(Applied::new((), vec![]))
        })
    }
}

/// An open ticket on the terminal; returns its number.
async fn open_ticket(state: &AppState, seed: &Seed, terminal: TerminalId) -> String {
    let p = agent(seed);
    let ctx = Ctx::new(state, &p, "test");
    service::tickets::create(
        &ctx,
        service::tickets::NewTicket {
            kind: TicketKind::Fault,
            channel: Channel::Hotline,
            category: Category::CardReading,
            priority: Priority::P2,
            merchant: Some(seed.merchant),
            terminal: Some(terminal),
            subject: "刷卡无反应".into(),
            description: "插卡后终端无提示。".into(),
            tags: Vec::new(),
        },
    )
    .await
    .map_err(fail)
    .unwrap()
    .number
}

async fn prepare(state: &AppState, seed: &Seed) -> (TerminalId, String) {
    let t = seed_terminal(state, seed).await;
    let meta = posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "test");
    state.store.write(meta, SetWarranty(t)).await.unwrap();
    (t, open_ticket(state, seed, t).await)
}

async fn intake_works_without_javascript(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let (terminal, number) = prepare(&app.state, seed).await;
    let mut a = app.client();
    a.sign_in(seed.login(Role::Agent)).await;

    // The look-up comes first and has the focus; the script is loaded.
    let page = a.get("/tickets/new").await;
    page.expect(StatusCode::OK);
    let lookup_at = page.body.find("id=\"intake-q\"").expect("the look-up box");
    let merchant_at = page.body.find("id=\"ticket-merchant\"").unwrap();
    assert!(lookup_at < merchant_at, "the look-up is first in tab order");
    assert!(page.has("/assets/intake.js") && page.has("intake-panel-empty"));

    // Submitted without script: the candidates are links that fill in the form.
    let page = a.get("/tickets/new?q=10000").await;
    page.expect(StatusCode::OK);
    let href = format!(
        "/tickets/new?merchant={}&#38;terminal={terminal}",
        seed.merchant
    );
    assert!(
        page.has(&href),
        "a link to pick the candidate:\n{}",
        page.body
    );
    assert!(page.has("00001234567890 · 10000001 · A920") && page.has("张记面馆"));
    let page = a.get("/tickets/new?q=%E9%9D%A2%E9%A6%86").await; // 面馆: the name
    assert!(page.has(&href), "{}", page.body);
    let page = a.get("/tickets/new?q=zz-no-such").await;
    assert!(page.has("intake-no-match"));

    // The picked candidate: both selects set, the panel with warranty and the open ticket.
    let page = a
        .get(&format!(
            "/tickets/new?merchant={}&terminal={terminal}",
            seed.merchant
        ))
        .await;
    page.expect(StatusCode::OK);
    assert!(page.has(&format!("<option value=\"{terminal}\" selected>")));
    assert!(page.has(&format!("<option value=\"{}\" selected>", seed.merchant)));
    assert!(page.has("data-state=\"in_warranty\"") && page.has("在保"));
    assert!(page.has("id=\"intake-duplicates\"") && page.has(&number));
    assert!(page.has("V1.2.3") && page.has("近期已解决工单（近 90 天）"));

    // The fragments the script fetches.
    let f = a.get("/tickets/lookup?q=1000").await;
    f.expect(StatusCode::OK);
    assert!(f.has("role=\"listbox\"") && f.has(&format!("data-terminal=\"{terminal}\"")));
    assert!(!f.has("<html"), "a fragment, not a page");
    let f = a.get("/tickets/lookup?q=1").await;
    f.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(f.has("intake-lookup-error"));
    let f = a
        .get(&format!("/tickets/intake-panel?terminal={terminal}"))
        .await;
    f.expect(StatusCode::OK);
    assert!(f.has("intake-summary") && f.has(&number) && !f.has("<html"));
    a.get("/tickets/intake-panel?terminal=nope")
        .await
        .expect(StatusCode::NOT_FOUND);

    // Merchant users report through the portal: no look-up, and its fragments are refused.
    let mut m = app.client();
    m.sign_in(seed.login(Role::MerchantUser)).await;
    let page = m.get("/tickets/new?q=10000").await;
    page.expect(StatusCode::OK);
    assert!(!page.has("intake-q") && !page.has("intake.js"));
    m.get("/tickets/lookup?q=10000")
        .await
        .expect(StatusCode::FORBIDDEN);
    m.get(&format!("/tickets/intake-panel?terminal={terminal}"))
        .await
        .expect(StatusCode::FORBIDDEN);
}

async fn active_id(ui: &Ui<'_>) -> anyhow::Result<String> {
    Ok(ui
        .b
        .active_element()
        .await?
        .attr("id")
        .await?
        .unwrap_or_default())
}

async fn press(ui: &Ui<'_>, keys: &str) -> anyhow::Result<()> {
    ui.b.active_element().await?.send_keys(keys).await?;
    Ok(())
}

/// Tab as a keyboard action (not bound to an element): sending keys to a focused file input
/// would be taken for a file path to upload.
async fn tab_key(ui: &Ui<'_>) -> anyhow::Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let tab = char::from(Key::Tab);
    ui.b.perform_actions(
        KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab }),
    )
    .await?;
    Ok(())
}

async fn keyboard_intake(ui: &Ui<'_>, state: &AppState, seed: &Seed) -> anyhow::Result<()> {
    let (terminal, number) = prepare(state, seed).await;
    ui.sign_in(seed.login(Role::Agent)).await?;
    ui.goto("/tickets/new").await?;
    ui.wait_for("#intake-q").await?;
    ensure!(
        active_id(ui).await? == "intake-q",
        "the look-up has the focus"
    );

    // Part of the TID; the list comes as one types.
    press(ui, "10000").await?;
    ui.wait_for("#intake-option-0").await?;
    let opt = ui.b.find(Locator::Css("#intake-option-0")).await?;
    ensure!(
        opt.attr("data-terminal").await?.as_deref() == Some(terminal.to_string().as_str()),
        "the terminal is the candidate"
    );
    ensure!(
        ui.text("#intake-q-hint").await?.contains("Esc"),
        "the keys are explained"
    );
    // Esc closes the list; typing again opens it.
    press(ui, &Key::Escape.to_string()).await?;
    ensure!(!ui.exists("#intake-option-0").await?, "Esc closes");
    press(ui, "0").await?;
    ui.wait_for("#intake-option-0").await?;
    press(ui, &Key::Down.to_string()).await?;
    ensure!(opt_selected(ui).await?, "↓ moves to the first candidate");
    press(ui, &Key::Enter.to_string()).await?;

    // The panel: warranty and the duplicate warning; the fields are filled in.
    ui.wait_for(&format!("#intake-summary[data-terminal='{terminal}']"))
        .await?;
    ensure!(
        attr_of_el(ui, "#intake-warranty", "data-state").await? == "in_warranty",
        "in warranty"
    );
    ensure!(
        ui.text("#intake-warranty").await?.contains("在保"),
        "the warranty in Chinese"
    );
    ensure!(
        ui.text("#intake-duplicates").await?.contains(&number),
        "the open ticket is shown as a likely duplicate"
    );
    ensure!(ui.text("#intake-firmware").await? == "V1.2.3", "firmware");
    ensure!(
        ui.b.find(Locator::Css("#ticket-terminal"))
            .await?
            .prop("value")
            .await?
            == Some(terminal.to_string()),
        "the terminal is filled in"
    );
    ensure!(
        ui.b.find(Locator::Css("#ticket-merchant"))
            .await?
            .prop("value")
            .await?
            == Some(seed.merchant.to_string()),
        "the merchant is filled in"
    );
    ensure!(
        active_id(ui).await? == "ticket-category",
        "the focus moves on to the category"
    );

    // The rest of the form in tab order, keyboard only.
    for want in ["ticket-priority", "ticket-channel", "ticket-subject"] {
        press(ui, &Key::Tab.to_string()).await?;
        ensure!(active_id(ui).await? == want, "Tab reaches {want}");
    }
    press(ui, "电话报修：刷卡无反应").await?;
    press(ui, &Key::Tab.to_string()).await?;
    ensure!(
        active_id(ui).await? == "ticket-description",
        "Tab reaches the description"
    );
    press(ui, "商户来电，插卡后终端无提示。").await?;
    press(ui, &Key::Tab.to_string()).await?;
    ensure!(
        active_id(ui).await? == "ticket-photo",
        "Tab reaches the (optional) photos"
    );
    tab_key(ui).await?;
    ensure!(
        active_id(ui).await? == "ticket-submit",
        "Tab reaches the submit button"
    );
    let old = ui.b.find(Locator::Css("html")).await?;
    press(ui, &Key::Enter.to_string()).await?;
    for _ in 0..150 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ui.wait_for("#ticket-number").await?;
    let created = ui.text("#ticket-number").await?;
    ensure!(
        created != number && created.starts_with("T-"),
        "a new ticket: {created}"
    );
    // It is the second open ticket on the terminal: its page warns of the first.
    let body = ui.b.source().await?;
    ensure!(
        body.contains(&number),
        "the new ticket's page names the duplicate"
    );
    ensure!(body.contains("电话报修：刷卡无反应"), "the subject typed");
    ui.sign_out().await?;
    Ok(())
}

async fn opt_selected(ui: &Ui<'_>) -> anyhow::Result<bool> {
    Ok(
        attr_of_el(ui, "#intake-option-0", "aria-selected").await? == "true"
            && attr_of_el(ui, "#intake-q", "aria-activedescendant").await? == "intake-option-0",
    )
}

async fn attr_of_el(ui: &Ui<'_>, css: &str, name: &str) -> anyhow::Result<String> {
    Ok(ui
        .b
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("finding {css}"))?
        .attr(name)
        .await?
        .unwrap_or_default())
}

async fn intake_in_browser(loc: Location, tag: &str) {
    in_chromium(loc, "intake", tag, |ui, state, seed, _| {
        Box::pin(keyboard_intake(ui, state, seed))
    })
    .await;
}

mod in_process {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn intake_works_without_javascript_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::intake_works_without_javascript(loc).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn intake_works_without_javascript_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::intake_works_without_javascript(loc).await;
        }
    }
}

mod chromium {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keyboard_intake_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::intake_in_browser(loc, "sqlite").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keyboard_intake_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::intake_in_browser(loc, "postgres").await;
        }
    }
}
