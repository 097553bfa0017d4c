//! Ticket attachments over the API: a merchant user attaches a photo to their own fault report
//! and downloads the same bytes; files that are not what they claim, too large, or sent to a
//! closed ticket are refused with nothing stored; another merchant's or provider's ticket is
//! 404; internal files stay with the staff; the audit trail records the file without its bytes;
//! `Idempotency-Key` replays.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::app_tests;
use crate::helpers::{Resp, TestApp, audit_actions};
use posdesk_core::authz::Role;

const BOUNDARY: &str = "posdesk-attachment-boundary";
const CONTENT_TYPE: &str = "multipart/form-data; boundary=posdesk-attachment-boundary";

/// A small but real-looking JPEG: SOI, an APP0/JFIF segment, some bytes, EOI.
fn jpeg() -> Vec<u8> {
    let mut b = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    b.extend((0..2048u32).map(|i| (i * 7 % 251) as u8));
    b.extend_from_slice(b"\xFF\xD9");
    b
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

enum Part<'a> {
    File {
        file_name: &'a str,
        content_type: &'a str,
        bytes: &'a [u8],
    },
    Text(&'a str, &'a str),
}

fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match p {
            Part::File {
                file_name,
                content_type,
                bytes,
            } => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                         Content-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(bytes);
            }
            Part::Text(name, value) => {
                out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                        .as_bytes(),
                );
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn file<'a>(file_name: &'a str, content_type: &'a str, bytes: &'a [u8]) -> Part<'a> {
    Part::File {
        file_name,
        content_type,
        bytes,
    }
}

async fn upload(app: &TestApp, token: &str, ticket: &str, parts: &[Part<'_>]) -> Resp {
    upload_with(app, token, ticket, parts, &[]).await
}

async fn upload_with(
    app: &TestApp,
    token: &str,
    ticket: &str,
    parts: &[Part<'_>],
    headers: &[(&str, &str)],
) -> Resp {
    let mut h = vec![("content-type", CONTENT_TYPE)];
    h.extend_from_slice(headers);
    app.call_with(
        Method::POST,
        &format!("/api/v1/tickets/{ticket}/attachments"),
        Some(token),
        Some(multipart(parts)),
        &h,
    )
    .await
}

/// A GET whose body is kept as bytes.
async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let req = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

/// A ticket opened by `token` (a merchant user's goes to their own merchant).
async fn ticket(app: &TestApp, token: &str, merchant: Option<String>) -> String {
    let mut body = json!({"category": "hardware", "subject": "屏幕碎裂",
        "description": "终端跌落后屏幕碎裂，附照片。"});
    if let Some(m) = merchant {
        body["merchant_id"] = json!(m);
    }
    let r = app.post("/api/v1/tickets", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body["id"].as_str().unwrap().to_owned()
}

async fn counts(app: &TestApp) -> (i64, i64) {
    (
        app.count("ticket_attachments").await,
        app.count("blobs").await,
    )
}

fn assert_problem(r: &Resp, status: StatusCode, field: Option<&str>) {
    assert_eq!(r.status, status, "{r:?}");
    assert_eq!(
        r.headers["content-type"], "application/problem+json",
        "{r:?}"
    );
    if let Some(f) = field {
        assert_eq!(r.body["field"], f, "{r:?}");
    }
}

/// The stored `after` of the `attach` audit events about `ticket`.
async fn attach_events(app: &TestApp, ticket: &str) -> Vec<Value> {
    let ticket = ticket.to_owned();
    app.state
        .store
        .read(move |c| {
            Box::pin(async move {
                let rows = c
                    .query(
                        "SELECT after_json FROM audit_events WHERE entity_type = 'ticket' \
                         AND entity_id = $1 AND action = 'attach' ORDER BY at, seq",
                        &[posdesk_storage::Value::from(ticket)],
                    )
                    .await?;
                rows.iter()
                    .map(|r| r.text(0))
                    .collect::<Result<Vec<_>, _>>()
            })
        })
        .await
        .unwrap()
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect()
}

async fn merchant_photo_round_trip(app: TestApp) {
    let me = app.token(&app.a, Role::MerchantUser);
    let id = ticket(&app, &me, None).await;
    let photo = jpeg();
    let digest = hex::encode(Sha256::digest(&photo));
    let before = counts(&app).await;

    let r = upload(
        &app,
        &me,
        &id,
        &[file("屏幕 照片.jpg", "image/jpeg", &photo)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["sha256"], digest.as_str());
    assert_eq!(r.body["size"], photo.len() as i64);
    assert_eq!(r.body["content_type"], "image/jpeg");
    assert_eq!(r.body["file_name"], "屏幕 照片.jpg");
    assert_eq!(r.body["visibility"], "public");
    assert_eq!(r.body["ticket_id"], id.as_str());
    let att = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(counts(&app).await, (before.0 + 1, before.1 + 1));

    // The same bytes download back, as a download.
    let path = format!("/api/v1/tickets/{id}/attachments/{att}");
    let (status, headers, bytes) = download(&app, &me, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, photo);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"__ __.jpg\"; filename*=UTF-8''%E5%B1%8F%E5%B9%95%20%E7%85%A7%E7%89%87.jpg"
    );
    assert_eq!(headers["etag"], format!("\"{digest}\"").as_str());
    // Staff of the provider see and download it too.
    let agent = app.token(&app.a, Role::Agent);
    let (status, _, bytes) = download(&app, &agent, &path).await;
    assert_eq!((status, bytes == photo), (StatusCode::OK, true));

    // Listed, with the uploader.
    let l = app
        .get(&format!("/api/v1/tickets/{id}/attachments"), &me)
        .await;
    assert_eq!(l.status, StatusCode::OK, "{l:?}");
    let items = l.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], att.as_str());
    assert_eq!(
        items[0]["uploaded_by"],
        app.a.users[&Role::MerchantUser].0.to_string().as_str()
    );
    assert_eq!(items[0]["uploader_role"], "merchant_user");

    // One `attach` event on the ticket, naming the file — never its bytes.
    assert!(
        audit_actions(&app, &id)
            .await
            .contains(&"attach".to_owned())
    );
    let events = attach_events(&app, &id).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["attachment_id"], att.as_str());
    assert_eq!(e["file_name"], "屏幕 照片.jpg");
    assert_eq!(e["content_type"], "image/jpeg");
    assert_eq!(e["size"], photo.len() as i64);
    assert_eq!(e["sha256"], digest.as_str());
    assert!(e.as_object().unwrap().len() <= 7, "{e}");
    assert!(!e.to_string().contains("JFIF"), "{e}");

    // The same bytes again: a second attachment, but no second blob (content-addressed).
    let r = upload(
        &app,
        &agent,
        &id,
        &[file("again.jpg", "image/jpeg", &photo)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_ne!(r.body["id"], att.as_str());
    assert_eq!(counts(&app).await, (before.0 + 2, before.1 + 1));

    // A UTF-8 log file is accepted as text.
    let log = "2026-11-25 10:00:01 读卡超时 E201\n".as_bytes();
    let r = upload(&app, &me, &id, &[file("pos.log", "text/plain", log)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["content_type"], "text/plain; charset=utf-8");
}

async fn idempotent_upload(app: TestApp) {
    let me = app.token(&app.a, Role::MerchantUser);
    let id = ticket(&app, &me, None).await;
    let photo = jpeg();
    let key = [("idempotency-key", "photo-1")];
    let first = upload_with(&app, &me, &id, &[file("a.jpg", "image/jpeg", &photo)], &key).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let n = counts(&app).await;
    let again = upload_with(&app, &me, &id, &[file("a.jpg", "image/jpeg", &photo)], &key).await;
    assert_eq!(again.status, StatusCode::CREATED, "{again:?}");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(counts(&app).await, n, "a replay stores nothing");
    // The same key with another file is refused.
    let other = upload_with(&app, &me, &id, &[file("b.png", "image/png", PNG)], &key).await;
    assert_problem(
        &other,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("Idempotency-Key"),
    );
    assert_eq!(counts(&app).await, n);
}

async fn bad_files_store_nothing(app: TestApp) {
    let me = app.token(&app.a, Role::MerchantUser);
    let id = ticket(&app, &me, None).await;
    let before = counts(&app).await;

    // A PNG declared as a PDF.
    let r = upload(&app, &me, &id, &[file("scan.pdf", "application/pdf", PNG)]).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("file"));
    assert_eq!(r.body["rule"], "invalid");
    // A type that is not accepted at all.
    let r = upload(&app, &me, &id, &[file("a.gif", "image/gif", b"GIF89a....")]).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("file"));
    assert_eq!(r.body["rule"], "one_of");
    assert!(
        r.body["detail"].as_str().unwrap().contains("image/jpeg"),
        "{r:?}"
    );

    // Just over the core's limit but inside the body limit: 422 naming `file` and the limit.
    let mut big = jpeg();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let r = upload(&app, &me, &id, &[file("big.jpg", "image/jpeg", &big)]).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("file"));
    assert_eq!(r.body["rule"], "range");
    assert!(
        r.body["detail"].as_str().unwrap().contains("10485760"),
        "{r:?}"
    );
    // 11 MiB and 50 MB: the body is refused (413) before anything is checked.
    for size in [11 * 1024 * 1024, 50_000_000] {
        big.resize(size, 0);
        let r = upload(&app, &me, &id, &[file("big.jpg", "image/jpeg", &big)]).await;
        assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, None);
        assert!(
            r.body["detail"].as_str().unwrap().contains("too large"),
            "{r:?}"
        );
    }
    drop(big);

    // No file part, an empty file, an unknown part, a bad visibility, a name too long.
    let r = upload(&app, &me, &id, &[Part::Text("visibility", "public")]).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("file"));
    assert_eq!(r.body["rule"], "required");
    let r = upload(&app, &me, &id, &[file("empty.jpg", "image/jpeg", b"")]).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("file"));
    let photo = jpeg();
    let r = upload(
        &app,
        &me,
        &id,
        &[file("a.jpg", "image/jpeg", &photo), Part::Text("note", "x")],
    )
    .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("note"));
    let r = upload(
        &app,
        &me,
        &id,
        &[
            Part::Text("visibility", "everyone"),
            file("a.jpg", "image/jpeg", &photo),
        ],
    )
    .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("visibility"));
    let long = format!("{}.jpg", "长".repeat(200));
    let r = upload(&app, &me, &id, &[file(&long, "image/jpeg", &photo)]).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("file_name"));
    // Not multipart at all.
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/attachments"),
            &me,
            json!({"file": "x"}),
        )
        .await;
    assert_problem(&r, StatusCode::BAD_REQUEST, Some("Content-Type"));

    assert_eq!(counts(&app).await, before, "nothing stored");
    assert!(attach_events(&app, &id).await.is_empty());
}

async fn scoping_and_visibility(app: TestApp) {
    let me = app.token(&app.a, Role::MerchantUser);
    let agent = app.token(&app.a, Role::Agent);
    let photo = jpeg();
    let own = ticket(&app, &me, None).await;
    // Another merchant of the same provider, and another provider.
    let sibling = ticket(&app, &agent, Some(app.a.other_merchant.to_string())).await;
    let b_agent = app.token(&app.b, Role::Agent);
    let foreign = ticket(&app, &b_agent, Some(app.b.merchant.to_string())).await;
    let sib_file = upload(
        &app,
        &agent,
        &sibling,
        &[file("s.jpg", "image/jpeg", &photo)],
    )
    .await;
    assert_eq!(sib_file.status, StatusCode::CREATED, "{sib_file:?}");
    let sib_att = sib_file.body["id"].as_str().unwrap().to_owned();
    let foreign_file = upload(
        &app,
        &b_agent,
        &foreign,
        &[file("f.jpg", "image/jpeg", &photo)],
    )
    .await;
    assert_eq!(foreign_file.status, StatusCode::CREATED, "{foreign_file:?}");
    let foreign_att = foreign_file.body["id"].as_str().unwrap().to_owned();
    let before = counts(&app).await;

    for (token, t, att) in [
        (&me, &sibling, &sib_att),
        (&me, &foreign, &foreign_att),
        (&agent, &foreign, &foreign_att),
    ] {
        let r = upload(&app, token, t, &[file("x.jpg", "image/jpeg", &photo)]).await;
        assert_problem(&r, StatusCode::NOT_FOUND, None);
        let r = app
            .get(&format!("/api/v1/tickets/{t}/attachments"), token)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
        let (s, _, _) = download(
            &app,
            token,
            &format!("/api/v1/tickets/{t}/attachments/{att}"),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // An attachment id of another ticket under one's own ticket is not found either.
        let (s, _, _) = download(
            &app,
            token,
            &format!("/api/v1/tickets/{own}/attachments/{att}"),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    assert_eq!(counts(&app).await, before);

    // An internal file: staff only.
    let r = upload(
        &app,
        &agent,
        &own,
        &[
            file("诊断.pdf", "application/pdf", b"%PDF-1.7\n..."),
            Part::Text("visibility", "internal"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert_eq!(r.body["visibility"], "internal");
    let internal = r.body["id"].as_str().unwrap().to_owned();
    let r = upload(&app, &me, &own, &[file("m.jpg", "image/jpeg", &photo)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let public = r.body["id"].as_str().unwrap().to_owned();

    let staff_list = app
        .get(&format!("/api/v1/tickets/{own}/attachments"), &agent)
        .await;
    let ids: Vec<&str> = staff_list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![internal.as_str(), public.as_str()]);
    let merchant_list = app
        .get(&format!("/api/v1/tickets/{own}/attachments"), &me)
        .await;
    let items = merchant_list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{merchant_list:?}");
    assert_eq!(items[0]["id"], public.as_str());
    assert!(!merchant_list.body.to_string().contains(&internal));
    let (s, _, _) = download(
        &app,
        &me,
        &format!("/api/v1/tickets/{own}/attachments/{internal}"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Merchant users cannot add internal files; roles without ticket replies add none.
    let r = upload(
        &app,
        &me,
        &own,
        &[
            file("m.jpg", "image/jpeg", &photo),
            Part::Text("visibility", "internal"),
        ],
    )
    .await;
    assert_problem(&r, StatusCode::FORBIDDEN, None);
    let auditor = app.token(&app.a, Role::Auditor);
    let r = upload(&app, &auditor, &own, &[file("a.jpg", "image/jpeg", &photo)]).await;
    assert_problem(&r, StatusCode::FORBIDDEN, None);
    let r = app
        .get(&format!("/api/v1/tickets/{own}/attachments"), &auditor)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
    // A merchant user does not see staff names, only their role.
    let staff_item = &staff_list.body["items"][0];
    assert_eq!(staff_item["uploader_role"], "agent");
    assert!(staff_item["uploader_name"].is_string());
    let r = upload(&app, &agent, &own, &[file("p.png", "image/png", PNG)]).await;
    let staff_public = r.body["id"].as_str().unwrap().to_owned();
    let merchant_list = app
        .get(&format!("/api/v1/tickets/{own}/attachments"), &me)
        .await;
    let seen = merchant_list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == staff_public.as_str())
        .unwrap()
        .clone();
    assert_eq!(seen["uploader_role"], "agent");
    assert!(seen["uploader_name"].is_null(), "{seen}");
}

async fn closed_ticket_refuses(app: TestApp) {
    let agent = app.token(&app.a, Role::Agent);
    let me = app.token(&app.a, Role::MerchantUser);
    let id = ticket(&app, &me, None).await;
    let photo = jpeg();
    for e in ["triage", "resolve"] {
        let r = app
            .post(
                &format!("/api/v1/tickets/{id}/transition"),
                &agent,
                json!({"event": e}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{e}: {r:?}");
    }
    // A resolved ticket still takes files (the fault may be back).
    let r = upload(&app, &me, &id, &[file("again.jpg", "image/jpeg", &photo)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/transition"),
            &agent,
            json!({"event": "close"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let before = counts(&app).await;
    for token in [&me, &agent] {
        let r = upload(&app, token, &id, &[file("late.png", "image/png", PNG)]).await;
        assert_problem(&r, StatusCode::CONFLICT, None);
        assert!(
            r.body["detail"].as_str().unwrap().contains("closed"),
            "{r:?}"
        );
    }
    assert_eq!(counts(&app).await, before, "nothing stored");
    assert_eq!(attach_events(&app, &id).await.len(), 1);
    // Its files can still be read.
    let l = app
        .get(&format!("/api/v1/tickets/{id}/attachments"), &me)
        .await;
    assert_eq!(l.body["items"].as_array().unwrap().len(), 1);
}

app_tests!(
    merchant_photo_round_trip,
    idempotent_upload,
    bad_files_store_nothing,
    scoping_and_visibility,
    closed_ticket_refuses,
);
