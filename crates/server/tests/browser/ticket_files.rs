//! Ticket attachments on the ticket page (H4).
//!
//! In-process: the section for staff (visibility choice, internal files marked) and for the
//! merchant portal (public files only, no choice), an upload redirecting back with a flash, a
//! refused file shown in place with the form again (422), the download, CSRF on the upload.
//!
//! In a real headless Chromium: a merchant user opens their fault report in the portal, attaches
//! a photo through the file input, and finds it listed with its SHA-256; a PNG renamed `.jpg`
//! is refused with the reason on the page.

use super::*;
use posdesk_core::authz::Principal;
use posdesk_core::ids::TicketId;
use posdesk_core::ticket::{Category, Channel, Priority, TicketKind};
use sha2::{Digest, Sha256};

/// A small JPEG (SOI, APP0/JFIF, bytes, EOI).
fn jpeg() -> Vec<u8> {
    let mut b = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    b.extend((0..4096u32).map(|i| (i * 13 % 251) as u8));
    b.extend_from_slice(b"\xFF\xD9");
    b
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

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

/// A fault report of the seed's merchant, opened by its merchant user.
async fn report(state: &AppState, seed: &Seed) -> TicketId {
    let p = principal(seed, Role::MerchantUser);
    let ctx = Ctx::new(state, &p, "test");
    service::tickets::create(
        &ctx,
        service::tickets::NewTicket {
            kind: TicketKind::Fault,
            channel: Channel::Portal,
            category: Category::Hardware,
            priority: Priority::P3,
            merchant: None,
            terminal: None,
            subject: "屏幕碎裂".into(),
            description: "终端跌落后屏幕碎裂".into(),
            tags: vec![],
        },
    )
    .await
    .map_err(fail)
    .unwrap()
    .id
}

/// The upload form as a browser posts it: `_csrf`, optional `visibility`, one file part.
async fn post_file(
    c: &mut Client,
    ticket: TicketId,
    csrf: &str,
    visibility: Option<&str>,
    file: (&str, &str, &[u8]),
) -> Page {
    let boundary = "----posdesk-attachment-boundary-Q7x";
    let mut body = Vec::new();
    let mut fields = vec![("_csrf", csrf)];
    if let Some(v) = visibility {
        fields.push(("visibility", v));
    }
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let (file_name, ct, bytes) = file;
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {ct}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    c.send_body(
        Method::POST,
        &format!("/tickets/{ticket}/attachments"),
        Some((body, ct)),
        &[],
    )
    .await
}

async fn attachments_on_the_ticket_page(loc: Location) {
    let app = App::new(loc).await;
    let tr = zh();
    let id = report(&app.state, &app.seed).await;
    let page_path = format!("/tickets/{id}");
    let photo = jpeg();
    let digest = hex::encode(Sha256::digest(&photo));

    // The merchant: an empty section, the upload form without a visibility choice.
    let mut m = app.client();
    m.sign_in(app.seed.login(Role::MerchantUser)).await;
    let p = m.get(&page_path).await;
    p.expect(StatusCode::OK);
    assert!(p.has("id=\"ticket-attachments\"") && p.has("id=\"attachments-empty\""));
    assert!(p.has("id=\"attachment-form\"") && !p.has("id=\"attachment-visibility\""));
    assert!(p.has("accept=\"image/*,application/pdf\""));

    // Without the CSRF token: refused, nothing stored.
    post_file(
        &mut m,
        id,
        "forged",
        None,
        ("门头.jpg", "image/jpeg", &photo),
    )
    .await
    .expect(StatusCode::FORBIDDEN);

    // A photo: back to the attachments with a flash, listed with its digest.
    let csrf = m.csrf();
    post_file(&mut m, id, &csrf, None, ("门头.jpg", "image/jpeg", &photo))
        .await
        .redirects_to(&format!("{page_path}#ticket-attachments"));
    let p = m.get(&page_path).await;
    p.expect(StatusCode::OK);
    assert!(p.has(&tr.t("flash-ticket-updated")));
    assert!(
        p.has("门头.jpg") && p.has(&digest[..12]) && p.has(&format!("data-sha256=\"{digest}\""))
    );
    assert!(p.has("JPEG") && p.has("4.0 KB"), "type and size");

    // A PNG claiming to be a JPEG: the reason in place, the form again, nothing stored.
    let before = app
        .state
        .store
        .read(|c| {
            Box::pin(async move {
                c.query_one("SELECT COUNT(*) FROM ticket_attachments", &[])
                    .await?
                    .int(0)
            })
        })
        .await
        .unwrap();
    let p = post_file(&mut m, id, &csrf, None, ("假的.jpg", "image/jpeg", PNG)).await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"attachment-error\"") && p.has(&tr.t("attachment-error-mismatch")));
    assert!(
        p.has("id=\"attachment-form\"") && p.has("门头.jpg"),
        "{}",
        p.body
    );
    // The merchant cannot choose an internal file.
    post_file(
        &mut m,
        id,
        &csrf,
        Some("internal"),
        ("a.jpg", "image/jpeg", &photo),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    let after = app
        .state
        .store
        .read(|c| {
            Box::pin(async move {
                c.query_one("SELECT COUNT(*) FROM ticket_attachments", &[])
                    .await?
                    .int(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(before, after);

    // The download link answers the file as a download.
    let att = service::ticket_files::list(
        &Ctx::new(&app.state, &principal(&app.seed, Role::MerchantUser), "t"),
        id,
    )
    .await
    .map_err(fail)
    .unwrap();
    assert_eq!(att.len(), 1);
    let href = format!("{page_path}/attachments/{}", att[0].id);
    assert!(p.has(&href));
    let d = m.get(&href).await;
    d.expect(StatusCode::OK);
    assert_eq!(d.body.len(), String::from_utf8_lossy(&photo).len());

    // Staff: the visibility choice; an internal file, marked, that the merchant never sees.
    let mut a = app.client();
    a.sign_in(app.seed.login(Role::Agent)).await;
    let p = a.get(&page_path).await;
    assert!(p.has("id=\"attachment-visibility\"") && p.has("门头.jpg"));
    let csrf = a.csrf();
    post_file(
        &mut a,
        id,
        &csrf,
        Some("internal"),
        (
            "诊断记录.log",
            "text/plain",
            "E201 读卡模块故障\n".as_bytes(),
        ),
    )
    .await
    .redirects_to(&page_path);
    let p = a.get(&page_path).await;
    assert!(
        p.has("诊断记录.log")
            && p.has("attachment-internal")
            && p.has(&tr.t("attachment-kind-text"))
    );
    let p = m.get(&page_path).await;
    assert!(!p.has("诊断记录.log") && p.has("门头.jpg"));

    // A closed ticket: no form, and a late upload is refused in place.
    for e in ["triage", "resolve", "close"] {
        service::tickets::change(
            &Ctx::new(&app.state, &principal(&app.seed, Role::Agent), "t"),
            id,
            posdesk_storage::repo::tickets::Change::Event(
                posdesk_core::ticket::TicketEvent::parse("event", e).unwrap(),
            ),
            None,
        )
        .await
        .map_err(fail)
        .unwrap();
    }
    let p = m.get(&page_path).await;
    assert!(p.has("门头.jpg") && !p.has("id=\"attachment-form\""));
    let csrf = m.csrf();
    let p = post_file(&mut m, id, &csrf, None, ("late.jpg", "image/jpeg", &photo)).await;
    p.expect(StatusCode::CONFLICT);
    assert!(p.has(&tr.t("attachment-error-closed")), "{}", p.body);
}

// ---------------------------------------------------------------------------------------------
// Real browser: a photo from the merchant portal.

async fn photo_journey(
    ui: &Ui<'_>,
    state: &AppState,
    seed: &Seed,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let tr = zh();
    let id = report(state, seed).await;
    let photo = jpeg();
    let digest = hex::encode(Sha256::digest(&photo));
    let photo_path = dir.join("screen.jpg");
    std::fs::write(&photo_path, &photo)?;
    let fake_path = dir.join("fake.jpg");
    std::fs::write(&fake_path, PNG)?;

    ui.sign_in(seed.login(Role::MerchantUser)).await?;
    ui.goto(&format!("/tickets/{id}")).await?;
    ui.wait_for("#attachment-form").await?;
    ensure!(ui.exists("#attachments-empty").await?, "no files yet");
    ensure!(
        !ui.exists("#attachment-visibility").await?,
        "merchants add public files only"
    );
    ui.b.find(Locator::Id("attachment-file"))
        .await?
        .send_keys(&photo_path.display().to_string())
        .await?;
    ui.click_nav("#attachment-submit").await?;
    let flash = ui.wait_for("#flash").await?.text().await?;
    ensure!(flash == tr.t("flash-ticket-updated"), "uploaded: {flash:?}");
    let row = ui
        .wait_for(&format!("#attachments-table tr[data-sha256='{digest}']"))
        .await?;
    let text = row.text().await?;
    ensure!(
        text.contains("screen.jpg") && text.contains(&digest[..12]) && text.contains("JPEG"),
        "listed: {text:?}"
    );

    // A PNG renamed .jpg: the browser declares image/jpeg, the server refuses it.
    ui.b.find(Locator::Id("attachment-file"))
        .await?
        .send_keys(&fake_path.display().to_string())
        .await?;
    ui.click_nav("#attachment-submit").await?;
    let msg = ui.wait_for("#attachment-error").await?.text().await?;
    ensure!(
        msg == tr.t("attachment-error-mismatch"),
        "refused in place: {msg:?}"
    );
    ensure!(
        ui.b.find_all(Locator::Css("#attachments-table tr.attachment"))
            .await?
            .len()
            == 1,
        "nothing stored"
    );
    ui.click_nav("#back-to-ticket").await?;
    ui.wait_for("#ticket-attachments").await?;
    ui.sign_out().await?;
    Ok(())
}

async fn photo_in_browser(loc: Location, tag: &str) {
    in_chromium(loc, "ticket_files", tag, |ui, state, seed, _| {
        Box::pin(async move {
            let files = posdesk_storage::testing::TempDir::new();
            photo_journey(ui, state, seed, &files.path).await
        })
    })
    .await;
}

mod in_process {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn attachments_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::attachments_on_the_ticket_page(loc).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn attachments_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::attachments_on_the_ticket_page(loc).await;
        }
    }
}

mod chromium {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn photo_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::photo_in_browser(loc, "sqlite").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn photo_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::photo_in_browser(loc, "postgres").await;
        }
    }
}
