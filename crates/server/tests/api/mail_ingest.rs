//! The e-mail gateway (`service::mail_ingest::ingest`) on both engines: a known merchant user's
//! mail opens a ticket; replies thread by the subject tag and by In-Reply-To, within the
//! provider only (a forged In-Reply-To naming another provider's mail does not thread);
//! machines (auto-replies, bounces, loops) are ignored and recorded; unparseable mail and
//! unknown senders are quarantined with their bytes; a reply to a closed ticket is quarantined.

use posdesk_core::authz::Role;
use posdesk_core::ids::{MerchantId, TenantId};
use posdesk_core::text::Email;
use posdesk_server::service::mail_ingest::{Ignored, MAX_MAIL_BYTES, Outcome, Reason, ingest};
use posdesk_server::service::{self, Ctx, operator_principal};
use posdesk_storage::Value;
use posdesk_storage::repo::mail;
use serde_json::json;

use axum::http::StatusCode;
use tower::ServiceExt;

use crate::app_tests;
use crate::helpers::{TestApp, err, new_user};

const OWN: &str = "support@posdesk.example";

fn own() -> Vec<String> {
    vec![OWN.to_owned()]
}

fn corpus(name: &str) -> Vec<u8> {
    let p = format!(
        "{}/../core/tests/mail_corpus/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// A plain UTF-8 mail.
fn mail(from: &str, subject: &str, id: &str, in_reply_to: Option<&str>, body: &str) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: {OWN}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Tue, 01 Dec 2026 10:15:00 +0800\r\nMIME-Version: 1.0\r\n"
    );
    if let Some(r) = in_reply_to {
        m.push_str(&format!("In-Reply-To: <{r}>\r\nReferences: <{r}>\r\n"));
    }
    m.push_str(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
    );
    m.push_str(body);
    m.into_bytes()
}

/// A merchant user of `merchant` with an e-mail address.
async fn merchant_user(
    app: &TestApp,
    tenant: TenantId,
    merchant: MerchantId,
    login: &str,
    email: &str,
) {
    let principal = operator_principal();
    let ctx = Ctx::operator(&app.state, &principal, "test");
    let mut u = new_user(
        Some(tenant),
        login,
        Role::MerchantUser,
        Some(merchant),
        None,
    );
    u.email = Some(Email::parse("email", email).unwrap());
    service::users::create(&ctx, u).await.map_err(err).unwrap();
}

async fn run(app: &TestApp, tenant: TenantId, raw: &[u8]) -> Outcome {
    ingest(&app.state, tenant, raw, &own())
        .await
        .map_err(err)
        .unwrap()
}

fn number(o: &Outcome) -> String {
    match o {
        Outcome::Created { number } | Outcome::Threaded { number } => number.clone(),
        other => panic!("no ticket: {other:?}"),
    }
}

async fn ticket_id(app: &TestApp, tenant: TenantId, number: &str) -> String {
    let n = number.to_owned();
    app.state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT id FROM tickets WHERE tenant_id = $1 AND number = $2",
                    &[tenant.into(), Value::from(n)],
                )
                .await?
                .text(0)
            })
        })
        .await
        .unwrap()
}

async fn creates_and_threads(app: TestApp) {
    merchant_user(
        &app,
        app.a.id,
        app.a.merchant,
        "a.mail",
        "Li.Na@shop-a.example.cn",
    )
    .await;
    let agent = app.token(&app.a, Role::Agent);
    let first = mail(
        "李娜 <li.na@shop-a.example.cn>",
        "终端无法开机",
        "m1@shop-a.example.cn",
        None,
        "早上开机黑屏，充电也没有反应。\r\n",
    );
    let o = run(&app, app.a.id, &first).await;
    let n = number(&o);
    assert!(matches!(o, Outcome::Created { .. }), "{o:?}");
    let id = ticket_id(&app, app.a.id, &n).await;
    let d = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    assert_eq!(d.body["channel"], "email", "{d:?}");
    assert_eq!(d.body["category"], "other");
    assert_eq!(d.body["priority"], "p3");
    assert_eq!(d.body["merchant_id"], app.a.merchant.to_string());
    assert_eq!(d.body["subject"], "终端无法开机");
    assert_eq!(d.body["description"], "早上开机黑屏，充电也没有反应。");

    // A reply with the tag in the subject: a public message from the sender, quote stripped.
    let reply = mail(
        "li.na@shop-a.example.cn",
        &format!("Re: [#{n}] 终端无法开机"),
        "m2@shop-a.example.cn",
        Some("unknown@posdesk.example"),
        "换了充电器也不行。\r\n\r\n> 您好，请尝试更换充电器。\r\n> posdesk客服\r\n",
    );
    assert_eq!(
        run(&app, app.a.id, &reply).await,
        Outcome::Threaded { number: n.clone() }
    );
    // A reply by In-Reply-To only (no tag): found by the first mail's Message-ID.
    let by_id = mail(
        "li.na@shop-a.example.cn",
        "补充",
        "m3@shop-a.example.cn",
        Some("m1@shop-a.example.cn"),
        "序列号 SN-TEST-A1。\r\n",
    );
    assert_eq!(
        run(&app, app.a.id, &by_id).await,
        Outcome::Threaded { number: n.clone() }
    );
    let d = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    let msgs = d.body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2, "{d:?}");
    assert_eq!(msgs[0]["body"], "换了充电器也不行。");
    assert_eq!(msgs[0]["visibility"], "public");
    assert_eq!(msgs[0]["author_role"], "merchant_user");
    assert_eq!(msgs[1]["body"], "序列号 SN-TEST-A1。");
    // A merchant's reply is not the provider's first response.
    assert!(d.body["first_response_at"].is_null());

    // The same mail again changes nothing.
    assert_eq!(
        run(&app, app.a.id, &by_id).await,
        Outcome::Ignored {
            kind: Ignored::Duplicate
        }
    );
    assert_eq!(app.count("ticket_messages").await, 2);
    // Three mails in, and the receipt's Message-ID out (the merchant user had an address).
    assert_eq!(app.count("mail_messages").await, 4);
    assert_eq!(app.count("mail_inbound").await, 4);
    // Every ingested mail is audited.
    let audited = app
        .state
        .store
        .read(|c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT COUNT(*) FROM audit_events WHERE entity_type = 'mail_inbound'",
                    &[],
                )
                .await?
                .int(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(audited, 4);
}

async fn forged_reply_does_not_cross_providers(app: TestApp) {
    merchant_user(
        &app,
        app.a.id,
        app.a.merchant,
        "a.mail",
        "li.na@shop-a.example.cn",
    )
    .await;
    merchant_user(
        &app,
        app.b.id,
        app.b.merchant,
        "b.mail",
        "wang@shop-b.example.cn",
    )
    .await;
    merchant_user(
        &app,
        app.a.id,
        app.a.other_merchant,
        "a.other",
        "zhao@shop-a2.example.cn",
    )
    .await;
    let agent = app.token(&app.a, Role::Agent);
    let first = mail(
        "li.na@shop-a.example.cn",
        "打印机不出纸",
        "secret@shop-a.example.cn",
        None,
        "小票打印不出来。\r\n",
    );
    let n = number(&run(&app, app.a.id, &first).await);
    let id = ticket_id(&app, app.a.id, &n).await;
    // Provider b's merchant forges an In-Reply-To naming provider a's mail and a's ticket tag:
    // not threaded into a's ticket (b holds no such Message-ID or number), a new mail for b.
    let forged = mail(
        "wang@shop-b.example.cn",
        &format!("Re: [#{n}] 打印机不出纸"),
        "forged@shop-b.example.cn",
        Some("secret@shop-a.example.cn"),
        "我来插一句。\r\n",
    );
    let o = run(&app, app.b.id, &forged).await;
    assert!(matches!(o, Outcome::Created { .. }), "{o:?}");
    let d = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    assert_eq!(d.body["messages"].as_array().unwrap().len(), 0, "{d:?}");
    let b_ticket = ticket_id(&app, app.b.id, &number(&o)).await;
    let b_agent = app.token(&app.b, Role::Agent);
    let bd = app
        .get(&format!("/api/v1/tickets/{b_ticket}"), &b_agent)
        .await;
    assert_eq!(bd.body["merchant_id"], app.b.merchant.to_string(), "{bd:?}");
    // Another merchant of the same provider naming the ticket: kept for an agent.
    let other = mail(
        "zhao@shop-a2.example.cn",
        &format!("Re: [#{n}] 打印机不出纸"),
        "other@shop-a2.example.cn",
        None,
        "这不是我的工单。\r\n",
    );
    assert_eq!(
        run(&app, app.a.id, &other).await,
        Outcome::Quarantined {
            reason: Reason::NotMerchantsTicket
        }
    );
    let d = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    assert_eq!(d.body["messages"].as_array().unwrap().len(), 0);
}

async fn machines_are_ignored(app: TestApp) {
    merchant_user(
        &app,
        app.a.id,
        app.a.merchant,
        "a.mail",
        "zhang.san@shop.example.cn",
    )
    .await;
    let tickets = app.count("tickets").await;
    let jobs = app.count("jobs").await;
    for (file, kind) in [
        ("auto-submitted.eml", Ignored::AutoReply),
        ("auto-subject-zh.eml", Ignored::AutoReply),
        ("bounce-postmaster.eml", Ignored::Bounce),
        ("bounce-report.eml", Ignored::Bounce),
        ("loop-header.eml", Ignored::Loop),
        ("loop-own-address.eml", Ignored::Loop),
    ] {
        assert_eq!(
            run(&app, app.a.id, &corpus(file)).await,
            Outcome::Ignored { kind },
            "{file}"
        );
    }
    assert_eq!(app.count("tickets").await, tickets);
    assert_eq!(app.count("ticket_messages").await, 0);
    assert_eq!(app.count("mail_inbound").await, 6);
    // Nothing is sent back (no job enqueued).
    assert_eq!(app.count("jobs").await, jobs);
}

async fn quarantine_keeps_the_bytes(app: TestApp) {
    let garbage = corpus("unparseable-garbage.eml");
    let stranger = mail(
        "stranger@nowhere.example",
        "你好",
        "s1@nowhere.example",
        None,
        "请问怎么申请终端？\r\n",
    );
    assert_eq!(
        run(&app, app.a.id, &garbage).await,
        Outcome::Quarantined {
            reason: Reason::Unparseable
        }
    );
    assert_eq!(
        run(&app, app.a.id, &stranger).await,
        Outcome::Quarantined {
            reason: Reason::UnknownSender
        }
    );
    let tenant = app.a.id;
    let q = app
        .state
        .store
        .read(move |c| Box::pin(async move { mail::quarantined(c, tenant, 10).await }))
        .await
        .unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(q[0].reason, "unparseable");
    assert_eq!(q[0].raw, garbage);
    assert_eq!(q[1].reason, "unknown_sender");
    assert_eq!(q[1].sender.as_deref(), Some("stranger@nowhere.example"));
    assert_eq!(q[1].raw, stranger);
    // Another provider sees none of it.
    let other = app.b.id;
    let q = app
        .state
        .store
        .read(move |c| Box::pin(async move { mail::quarantined(c, other, 10).await }))
        .await
        .unwrap();
    assert!(q.is_empty());
    // Over 50 MB: quarantined without reading it, digest and size recorded, bytes not kept.
    let big = vec![b'a'; MAX_MAIL_BYTES + 1];
    assert_eq!(
        run(&app, app.a.id, &big).await,
        Outcome::Quarantined {
            reason: Reason::TooLarge
        }
    );
    let q = app
        .state
        .store
        .read(move |c| Box::pin(async move { mail::quarantined(c, tenant, 10).await }))
        .await
        .unwrap();
    assert_eq!(q.len(), 3);
    assert_eq!(q[2].reason, "too_large");
    assert!(q[2].raw.is_empty());
    assert_eq!(app.count("tickets").await, 0);
}

async fn reply_to_closed_ticket_is_quarantined(app: TestApp) {
    merchant_user(
        &app,
        app.a.id,
        app.a.merchant,
        "a.mail",
        "li.na@shop-a.example.cn",
    )
    .await;
    let agent = app.token(&app.a, Role::Agent);
    let first = mail(
        "li.na@shop-a.example.cn",
        "扫码失败",
        "c1@shop-a.example.cn",
        None,
        "扫码枪没有反应。\r\n",
    );
    let n = number(&run(&app, app.a.id, &first).await);
    let id = ticket_id(&app, app.a.id, &n).await;
    for e in ["triage", "resolve", "close"] {
        let r = app
            .post(
                &format!("/api/v1/tickets/{id}/transition"),
                &agent,
                json!({"event": e}),
            )
            .await;
        assert_eq!(r.status, axum::http::StatusCode::OK, "{e}: {r:?}");
    }
    let late = mail(
        "li.na@shop-a.example.cn",
        &format!("Re: [#{n}] 扫码失败"),
        "c2@shop-a.example.cn",
        Some("c1@shop-a.example.cn"),
        "谢谢，已经好了。\r\n",
    );
    assert_eq!(
        run(&app, app.a.id, &late).await,
        Outcome::Quarantined {
            reason: Reason::TicketClosed
        }
    );
    let d = app.get(&format!("/api/v1/tickets/{id}"), &agent).await;
    assert_eq!(d.body["status"], "closed");
    assert_eq!(d.body["messages"].as_array().unwrap().len(), 0);
    let tenant = app.a.id;
    let q = app
        .state
        .store
        .read(move |c| Box::pin(async move { mail::quarantined(c, tenant, 10).await }))
        .await
        .unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].raw, late);
}

/// A GET with the raw response bytes (the API helpers read bodies as JSON or lossy text).
async fn get_bytes(
    app: &TestApp,
    path: &str,
    token: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = axum::http::Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    (status, headers, bytes)
}

/// The quarantine as the provider's admins see it: newest first, paged, the raw bytes
/// downloadable exactly as received; another provider sees none of it; no other role reads it.
async fn quarantine_is_shown_to_admins(app: TestApp) {
    let garbage = corpus("unparseable-garbage.eml");
    let stranger = mail(
        "stranger@nowhere.example",
        "请问怎么申请终端",
        "q1@nowhere.example",
        None,
        "请问怎么申请终端？\r\n",
    );
    for raw in [&garbage, &stranger] {
        assert!(matches!(
            run(&app, app.a.id, raw).await,
            Outcome::Quarantined { .. }
        ));
    }
    let big = vec![b'a'; MAX_MAIL_BYTES + 1];
    run(&app, app.a.id, &big).await;
    let b_mail = mail(
        "other@elsewhere.example",
        "别家的邮件",
        "q2@elsewhere.example",
        None,
        "你好。\r\n",
    );
    run(&app, app.b.id, &b_mail).await;
    // A mail that made a ticket is not in the quarantine.
    merchant_user(
        &app,
        app.a.id,
        app.a.merchant,
        "a.mail",
        "li.na@shop-a.example.cn",
    )
    .await;
    let created = mail(
        "li.na@shop-a.example.cn",
        "终端无法开机",
        "q3@shop-a.example.cn",
        None,
        "黑屏。\r\n",
    );
    assert!(matches!(
        run(&app, app.a.id, &created).await,
        Outcome::Created { .. }
    ));

    let admin = app.token(&app.a, Role::ProviderAdmin);
    let r = app.get("/api/v1/mail/quarantine", &admin).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let items = r.body["items"].as_array().unwrap();
    let reasons: Vec<&str> = items
        .iter()
        .map(|i| i["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["too_large", "unknown_sender", "unparseable"],
        "{r:?}"
    );
    assert!(r.body["next_cursor"].is_null());
    let s = &items[1];
    assert_eq!(s["sender"], "stranger@nowhere.example");
    assert_eq!(s["subject"], "请问怎么申请终端");
    assert_eq!(s["message_id"], "q1@nowhere.example");
    assert_eq!(s["size"], stranger.len());
    assert_eq!(s["raw_kept"], true);
    assert!(
        posdesk_core::Timestamp::parse_rfc3339(s["received_at"].as_str().unwrap()).is_some(),
        "{s}"
    );
    assert_eq!(
        s["sha256"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&stranger))
    );
    assert!(items[2]["sender"].is_null());
    assert_eq!(items[2]["size"], garbage.len());
    assert_eq!(items[0]["raw_kept"], false);
    assert_eq!(items[0]["size"], MAX_MAIL_BYTES + 1);

    // Paged: two, then the last one.
    let p1 = app.get("/api/v1/mail/quarantine?limit=2", &admin).await;
    assert_eq!(p1.body["items"].as_array().unwrap().len(), 2);
    let cursor = p1.body["next_cursor"].as_str().unwrap().to_owned();
    let p2 = app
        .get(
            &format!("/api/v1/mail/quarantine?limit=2&cursor={cursor}"),
            &admin,
        )
        .await;
    let rest = p2.body["items"].as_array().unwrap();
    assert_eq!(rest.len(), 1, "{p2:?}");
    assert_eq!(rest[0]["id"], items[2]["id"]);
    assert!(p2.body["next_cursor"].is_null());
    // Bad paging input names the field.
    let bad = app.get("/api/v1/mail/quarantine?cursor=zz", &admin).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["field"], "cursor", "{bad:?}");
    let bad = app.get("/api/v1/mail/quarantine?limit=0", &admin).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["field"], "limit", "{bad:?}");

    // The raw bytes, exactly as received, as a message/rfc822 download.
    for (item, raw) in [(&items[2], &garbage), (&items[1], &stranger)] {
        let id = item["id"].as_str().unwrap();
        let (status, headers, bytes) =
            get_bytes(&app, &format!("/api/v1/mail/quarantine/{id}/raw"), &admin).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&bytes, raw);
        assert_eq!(headers["content-type"], "message/rfc822");
        assert_eq!(
            headers["content-disposition"],
            format!("attachment; filename=\"{id}.eml\"").as_str()
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
    // Not kept (over 50 MB), no such id, not a UUID: 404.
    let too_large = items[0]["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/mail/quarantine/{too_large}/raw"),
        format!("/api/v1/mail/quarantine/{}/raw", uuid::Uuid::now_v7()),
        "/api/v1/mail/quarantine/not-an-id/raw".to_owned(),
    ] {
        let r = app.get(&path, &admin).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {r:?}");
    }

    // Provider b's admin sees only b's mail, and a's mail is not found.
    let b_admin = app.token(&app.b, Role::ProviderAdmin);
    let rb = app.get("/api/v1/mail/quarantine", &b_admin).await;
    let b_items = rb.body["items"].as_array().unwrap();
    assert_eq!(b_items.len(), 1, "{rb:?}");
    assert_eq!(b_items[0]["sender"], "other@elsewhere.example");
    let a_id = items[1]["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/mail/quarantine/{a_id}/raw"), &b_admin)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Every other role, the platform admin and merchant users included, is refused.
    for role in Role::ALL {
        if role == Role::ProviderAdmin {
            continue;
        }
        let t = app.token(&app.a, role);
        let list = app.get("/api/v1/mail/quarantine", &t).await;
        assert_eq!(list.status, StatusCode::FORBIDDEN, "{role:?}: {list:?}");
        let raw = app
            .get(&format!("/api/v1/mail/quarantine/{a_id}/raw"), &t)
            .await;
        assert_eq!(raw.status, StatusCode::FORBIDDEN, "{role:?}: {raw:?}");
    }
}

/// A fault report with a photo (JPEG), a PDF declared as an image (refused), and a .docx
/// (not a ticket attachment type): the photo becomes a public file of the ticket, the others
/// stay listed in the inbound record only; a reply's photo belongs to the reply.
async fn mail_attachments_become_ticket_files(app: TestApp) {
    merchant_user(
        &app,
        app.a.id,
        app.a.merchant,
        "photo.owner",
        "photo@shop.example.cn",
    )
    .await;
    let mut jpeg = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    jpeg.extend((0..4096u32).map(|i| (i * 13 % 251) as u8));
    jpeg.extend_from_slice(b"\xFF\xD9");
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let part = |ct: &str, name: &str, bytes: &[u8]| {
        format!(
            "--b1\r\nContent-Type: {ct}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64(bytes)
        )
    };
    let build = |id: &str, subject: &str, extra: &str, parts: &str| {
        format!(
            "From: photo@shop.example.cn\r\nTo: {OWN}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{extra}\
             MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
             --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n终端屏幕碎了，见照片。\r\n{parts}--b1--\r\n"
        )
        .into_bytes()
    };
    let parts = part("image/jpeg", "屏幕.jpg", &jpeg)
        + &part("image/png", "fake.png", b"%PDF-1.4 not a png")
        + &part(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "说明.docx",
            b"PK\x03\x04docx",
        );
    let o = run(
        &app,
        app.a.id,
        &build("photo-1@shop.example.cn", "屏幕碎裂", "", &parts),
    )
    .await;
    let number = number(&o);
    let id = ticket_id(&app, app.a.id, &number).await;
    // The sender gets the receipt with the number, though they caused the change.
    let receipts = app
        .state
        .store
        .read(|c| {
            Box::pin(async move {
                c.query_one(
                    "SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND payload LIKE $1 \
                     AND payload LIKE $2",
                    &[
                        Value::from("%\"template\":\"ticket-received\"%"),
                        Value::from("%\"to\":\"photo@shop.example.cn\"%"),
                    ],
                )
                .await?
                .int(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(receipts, 1);
    let merchant = app.token(&app.a, Role::MerchantUser);
    let list = app
        .get(&format!("/api/v1/tickets/{id}/attachments"), &merchant)
        .await;
    assert_eq!(list.status, axum::http::StatusCode::OK, "{list:?}");
    let items = list
        .body
        .as_array()
        .cloned()
        .unwrap_or_else(|| list.body["items"].as_array().cloned().unwrap_or_default());
    assert_eq!(items.len(), 1, "{list:?}");
    assert_eq!(items[0]["file_name"], "屏幕.jpg");
    assert_eq!(items[0]["visibility"], "public");
    let aid = items[0]["id"].as_str().unwrap();
    let got = get_bytes(
        &app,
        &format!("/api/v1/tickets/{id}/attachments/{aid}"),
        &merchant,
    )
    .await;
    assert_eq!(got.0, axum::http::StatusCode::OK);
    assert_eq!(got.2, jpeg, "the photo's bytes, unchanged");

    // A reply with a photo: the file is the reply's.
    let tag = format!("Re: [#{number}] 屏幕碎裂");
    let o = run(
        &app,
        app.a.id,
        &build(
            "photo-2@shop.example.cn",
            &tag,
            "In-Reply-To: <photo-1@shop.example.cn>\r\n",
            &part("image/jpeg", "背面.jpg", &jpeg),
        ),
    )
    .await;
    assert!(matches!(o, Outcome::Threaded { .. }), "{o:?}");
    let list = app
        .get(&format!("/api/v1/tickets/{id}/attachments"), &merchant)
        .await;
    let items = list
        .body
        .as_array()
        .cloned()
        .unwrap_or_else(|| list.body["items"].as_array().cloned().unwrap_or_default());
    assert_eq!(items.len(), 2, "{list:?}");
    assert!(
        items
            .iter()
            .any(|a| a["file_name"] == "背面.jpg" && !a["message_id"].is_null())
    );
}

/// A mail that looks like a complaint (投诉 in the subject, or sent to a `complaints@` /
/// `tousu@` mailbox) opens a ticket tagged `complaint-suspected` and nothing else: no complaint
/// exists until an agent registers one. Staff who may register complaints get the prefilled
/// link to the complaint form (service and ticket page); merchant users and staff without
/// `ComplaintCreate` do not; an ordinary fault mail is not tagged.
async fn complaint_mails_wait_for_an_agent(app: TestApp) {
    use posdesk_core::authz::Principal;
    use posdesk_core::ids::TicketId;
    use posdesk_server::service::mail_ingest::{COMPLAINT_SUSPECTED, complaint_hint};

    merchant_user(
        &app,
        app.a.id,
        app.a.merchant,
        "a.mail",
        "li.na@shop-a.example.cn",
    )
    .await;
    let from = "李娜 <li.na@shop-a.example.cn>";
    let to_address = |raw: Vec<u8>, header: &str| {
        String::from_utf8(raw)
            .unwrap()
            .replace(&format!("To: {OWN}\r\n"), header)
            .into_bytes()
    };
    let cases = [
        (
            "keyword",
            mail(
                from,
                "投诉：刷卡多扣手续费",
                "c1@shop-a.example.cn",
                None,
                "上周刷卡被多扣了 30 元手续费，请退还。\r\n",
            ),
            true,
        ),
        (
            "complaints address",
            to_address(
                mail(
                    from,
                    "关于上周的扣费",
                    "c2@shop-a.example.cn",
                    None,
                    "请核实扣费。\r\n",
                ),
                "To: Complaints <Complaints@provider-a.example.cn>\r\n",
            ),
            true,
        ),
        (
            "tousu in Cc",
            to_address(
                mail(
                    from,
                    "扣费问题",
                    "c3@shop-a.example.cn",
                    None,
                    "请核实扣费。\r\n",
                ),
                &format!("To: {OWN}\r\nCc: tousu@provider-a.example.cn\r\n"),
            ),
            true,
        ),
        (
            "fault",
            mail(
                from,
                "打印机不出纸",
                "c4@shop-a.example.cn",
                None,
                "请派人来修。\r\n",
            ),
            false,
        ),
    ];
    let staff = |role: Role| {
        Principal::new(app.a.users[&role].0, role, Some(app.a.id), None, None).unwrap()
    };
    let agent = staff(Role::Agent);
    let technician = staff(Role::Technician);
    let merchant = Principal::new(
        app.a.users[&Role::MerchantUser].0,
        Role::MerchantUser,
        Some(app.a.id),
        Some(app.a.merchant),
        None,
    )
    .unwrap();
    let agent_web = crate::complaint_stats::web_cookie(&app, agent.user_id()).await;
    let tech_web = crate::complaint_stats::web_cookie(&app, technician.user_id()).await;
    let merchant_web = crate::complaint_stats::web_cookie(&app, merchant.user_id()).await;
    let mid = app
        .get(
            &format!("/api/v1/merchants/{}", app.a.merchant),
            &app.token(&app.a, Role::Agent),
        )
        .await
        .body["mid"]
        .as_str()
        .unwrap()
        .to_owned();
    for (what, raw, suspected) in cases {
        let o = run(&app, app.a.id, &raw).await;
        assert!(matches!(o, Outcome::Created { .. }), "{what}: {o:?}");
        let id = ticket_id(&app, app.a.id, &number(&o)).await;
        let tid = TicketId::parse("id", &id).unwrap();
        let ctx = Ctx::new(&app.state, &agent, "test");
        let t = service::tickets::get(&ctx, tid)
            .await
            .map_err(err)
            .unwrap()
            .view
            .ticket;
        assert_eq!(
            t.tags.iter().any(|x| x == COMPLAINT_SUSPECTED),
            suspected,
            "{what}: {:?}",
            t.tags
        );
        let hint = complaint_hint(&ctx, &t).await.map_err(err).unwrap();
        let page = |cookie: String| {
            let req = axum::http::Request::builder()
                .uri(format!("/tickets/{id}"))
                .header("cookie", cookie)
                .body(axum::body::Body::empty())
                .unwrap();
            let router = app.router.clone();
            async move {
                let res = router.oneshot(req).await.unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                let b = axum::body::to_bytes(res.into_body(), usize::MAX)
                    .await
                    .unwrap();
                String::from_utf8(b.to_vec()).unwrap()
            }
        };
        let html = page(agent_web.clone()).await;
        if !suspected {
            assert_eq!(hint, None, "{what}");
            assert!(!html.contains("ticket-complaint-hint"), "{what}");
            continue;
        }
        let hint = hint.unwrap_or_else(|| panic!("{what}: no hint"));
        assert_eq!(hint.ticket, tid);
        assert_eq!(hint.complainant_name.as_deref(), Some("测试用户"));
        assert_eq!(hint.email.as_deref(), Some("li.na@shop-a.example.cn"));
        assert_eq!(hint.mid.as_deref(), Some(mid.as_str()));
        assert_eq!(hint.narrative, t.description);
        // The banner and the prefilled link (channel, ticket, sender, MID, the mail's text).
        assert!(html.contains("此邮件可能是投诉"), "{what}");
        assert!(html.contains("登记为投诉"), "{what}");
        assert!(
            html.contains(&format!(
                "href=\"/complaints/new?channel=email&#38;ticket={id}&#38;"
            )),
            "{what}: {html}"
        );
        assert!(html.contains("email=li.na%40shop-a.example.cn"), "{what}");
        assert!(html.contains(&format!("mid={mid}")), "{what}");
        assert!(html.contains("narrative="), "{what}");
        // Not for staff who cannot register complaints, nor for the merchant.
        let tech = Ctx::new(&app.state, &technician, "test");
        assert_eq!(complaint_hint(&tech, &t).await.map_err(err).unwrap(), None);
        assert!(
            !page(tech_web.clone())
                .await
                .contains("ticket-complaint-hint")
        );
        let m = Ctx::new(&app.state, &merchant, "test");
        assert_eq!(complaint_hint(&m, &t).await.map_err(err).unwrap(), None);
        assert!(
            !page(merchant_web.clone())
                .await
                .contains("ticket-complaint-hint")
        );
    }
    // Nothing became a complaint on its own.
    assert_eq!(app.count("complaints").await, 0);
}

app_tests!(
    complaint_mails_wait_for_an_agent,
    mail_attachments_become_ticket_files,
    creates_and_threads,
    forged_reply_does_not_cross_providers,
    machines_are_ignored,
    quarantine_keeps_the_bytes,
    reply_to_closed_ticket_is_quarantined,
    quarantine_is_shown_to_admins,
);
