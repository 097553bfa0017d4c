//! The mail quarantine page (`/mail/quarantine`) in the web UI, in-process: only the provider's
//! admins see it and its navigation entry; the rows show the reason in words, the sender and
//! subject, newest first; the download link serves the raw bytes as received; a mail whose bytes
//! were not kept has no link; a cursor the server did not hand out is shown as an error in place.

use super::*;
use posdesk_server::service::mail_ingest::{MAX_MAIL_BYTES, Outcome, ingest};

fn stranger_mail() -> Vec<u8> {
    "From: 王五 <wang.wu@nowhere.example>\r\nTo: support@posdesk.example\r\n\
     Subject: =?UTF-8?B?6K+36Zeu5oCO5LmI55Sz6K+357uI56uv?=\r\n\
     Message-ID: <web-q1@nowhere.example>\r\nDate: Tue, 01 Dec 2026 10:15:00 +0800\r\n\
     Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
     请问怎么申请终端？\r\n"
        .as_bytes()
        .to_vec()
}

async fn quarantine_page_works(loc: Location) {
    let app = App::new(loc).await;
    let tenant = app.seed.tenant;
    let big = vec![b'a'; MAX_MAIL_BYTES + 1];
    assert!(matches!(
        ingest(&app.state, tenant, &big, &[])
            .await
            .map_err(fail)
            .unwrap(),
        Outcome::Quarantined { .. }
    ));
    let stranger = stranger_mail();
    assert!(matches!(
        ingest(&app.state, tenant, &stranger, &[])
            .await
            .map_err(fail)
            .unwrap(),
        Outcome::Quarantined { .. }
    ));

    for role in WEB_ROLES {
        let mut c = app.client();
        c.sign_in(app.seed.login(role)).await;
        let home = c.get("/").await;
        let allowed = role.allows(Permission::MailQuarantineRead);
        assert_eq!(allowed, role == Role::ProviderAdmin, "{role:?}");
        assert_eq!(
            home.has("id=\"nav-mail-quarantine\""),
            allowed,
            "{role:?}: navigation entry"
        );
        let p = c.get("/mail/quarantine").await;
        if !allowed {
            p.expect(StatusCode::FORBIDDEN);
            assert!(p.has(&zh().t("error-forbidden")));
            continue;
        }
        p.expect(StatusCode::OK);
        assert!(p.has(&zh().t("mail-quarantine-title")));
        assert!(p.has(&zh().t("mail-reason-unknown-sender")));
        assert!(p.has(&zh().t("mail-reason-too-large")));
        assert!(p.has("wang.wu@nowhere.example"));
        assert!(p.has("请问怎么申请终端"), "the decoded subject");
        assert!(p.has(&zh().t("mail-quarantine-not-kept")));
        assert!(p.has("50.0 MB"));
        // Newest first: the stranger's mail (ingested last) comes before the large one.
        let (first, second) = (
            p.body.find("data-reason=\"unknown_sender\"").unwrap(),
            p.body.find("data-reason=\"too_large\"").unwrap(),
        );
        assert!(first < second);
        // One download link: the large mail's bytes were not kept.
        assert_eq!(p.body.matches("/raw\"").count(), 1, "{}", p.body);
        let start = p.body.find("href=\"/mail/quarantine/").unwrap() + "href=\"".len();
        let href = &p.body[start..start + p.body[start..].find('"').unwrap()];
        let raw = c.get(href).await;
        raw.expect(StatusCode::OK);
        assert_eq!(raw.body.as_bytes(), stranger.as_slice());
        // Another id, and a cursor this server did not hand out.
        c.get(&format!("/mail/quarantine/{}/raw", Uuid::now_v7()))
            .await
            .expect(StatusCode::NOT_FOUND);
        let bad = c.get("/mail/quarantine?cursor=zz").await;
        bad.expect(StatusCode::BAD_REQUEST);
        assert!(bad.has("id=\"form-error\""));
    }
}

posdesk_storage::both_backends!(quarantine_page_works);
