//! What a ticket tells the outside: e-mail notices (receipt, staff replies, late fixes, merges)
//! and webhook events go into the outbox with the change; late-fix notices, merge and split
//! with their rules. The notice e-mails carry the ticket tag, so a reply threads back.

use axum::http::StatusCode;
use posdesk_core::authz::Role;
use posdesk_core::mail::{Kind, classify, parse, thread_keys};
use posdesk_server::service;
use serde_json::{Value as Json, json};

use crate::app_tests;
use crate::helpers::{Resp, TestApp, audit_actions};

/// The field a 422 names.
fn field(r: &Resp) -> &str {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    r.body["field"].as_str().unwrap_or_default()
}

#[derive(Debug)]
struct Job {
    kind: String,
    tenant: Option<String>,
    payload: Json,
}

async fn jobs(app: &TestApp) -> Vec<Job> {
    let rows = app
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query(
                    "SELECT kind, tenant_id, payload FROM jobs ORDER BY created_at, id",
                    &[],
                )
                .await
            })
        })
        .await
        .unwrap();
    rows.iter()
        .map(|r| Job {
            kind: r.text(0).unwrap(),
            tenant: r.opt_text(1).unwrap(),
            payload: serde_json::from_str(&r.text(2).unwrap()).unwrap(),
        })
        .collect()
}

/// E-mail templates queued for one address, in order.
fn mails_to(all: &[Job], to: &str) -> Vec<String> {
    all.iter()
        .filter(|j| j.kind == "email" && j.payload["to"] == to)
        .map(|j| j.payload["template"].as_str().unwrap().to_owned())
        .filter(|t| t.starts_with("ticket-"))
        .collect()
}

fn webhook_events(all: &[Job]) -> Vec<String> {
    all.iter()
        .filter(|j| j.kind == "webhook")
        .map(|j| j.payload["event"].as_str().unwrap().to_owned())
        .collect()
}

/// A merchant user of provider A's merchant with an e-mail address, and a supervisor.
async fn people(app: &TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    for (login, role, email, merchant) in [
        (
            "shop.owner",
            "merchant_user",
            "owner@shop.example.cn",
            Some(app.a.merchant.to_string()),
        ),
        (
            "duty.super",
            "supervisor",
            "super@provider.example.cn",
            None,
        ),
    ] {
        let r = app
            .post(
                "/api/v1/users",
                &admin,
                json!({"login": login, "display_name": login, "role": role, "email": email,
                       "merchant_id": merchant, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    }
}

fn report(app: &TestApp) -> Json {
    json!({"category": "printing", "priority": "p3", "channel": "hotline",
           "merchant_id": app.a.merchant.to_string(), "terminal_id": app.a.terminal.to_string(),
           "subject": "小票打印不清", "description": "打印字迹很淡，换纸无效。"})
}

async fn notices_and_webhooks_follow_ticket_events(app: TestApp) {
    people(&app).await;
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let r = app
        .post(
            "/api/v1/webhooks",
            &admin,
            json!({"url": "https://hooks.example.cn/posdesk", "events": ["ticket.created", "ticket.replied", "ticket.note_added", "ticket.status_changed"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let bad = app
        .post(
            "/api/v1/webhooks",
            &admin,
            json!({"url": "https://hooks.example.cn/x", "events": ["ticket.exploded"]}),
        )
        .await;
    assert_eq!(field(&bad), "events", "{bad:?}");
    let before = jobs(&app).await.len();

    let agent = app.token(&app.a, Role::Agent);
    let t = app.post("/api/v1/tickets", &agent, report(&app)).await;
    assert_eq!(t.status, StatusCode::CREATED, "{t:?}");
    let id = t.body["id"].as_str().unwrap().to_owned();
    let number = t.body["number"].as_str().unwrap().to_owned();
    let all = jobs(&app).await;
    assert_eq!(
        mails_to(&all, "owner@shop.example.cn"),
        ["ticket-received"],
        "the merchant's receipt"
    );
    assert_eq!(webhook_events(&all), ["ticket.created"]);
    let hook = all.iter().find(|j| j.kind == "webhook").unwrap();
    assert_eq!(hook.payload["data"]["ticket"]["number"], number.as_str());
    assert_eq!(hook.tenant.as_deref(), Some(app.a.id.to_string().as_str()));

    // An internal note: the provider's systems hear of it, the merchant does not.
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/notes"),
            &agent,
            json!({"body": "疑似打印头老化"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/replies"),
            &agent,
            json!({"body": "请先清洁打印头后再试。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    for event in ["triage", "resolve"] {
        let r = app
            .post(
                &format!("/api/v1/tickets/{id}/transition"),
                &agent,
                json!({"event": event}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    let all = jobs(&app).await;
    assert_eq!(
        mails_to(&all, "owner@shop.example.cn"),
        ["ticket-received", "ticket-replied", "ticket-resolved"]
    );
    assert_eq!(
        webhook_events(&all),
        [
            "ticket.created",
            "ticket.note_added",
            "ticket.replied",
            "ticket.status_changed",
            "ticket.status_changed"
        ]
    );
    let reply = all
        .iter()
        .find(|j| j.payload["template"] == "ticket-replied")
        .unwrap();
    assert_eq!(reply.payload["params"]["body"], "请先清洁打印头后再试。");
    assert!(
        all[before..]
            .iter()
            .all(|j| j.tenant.as_deref() == Some(app.a.id.to_string().as_str())),
        "nothing for another provider"
    );

    // Delivered, the receipt carries the ticket tag: the merchant's reply threads back, and
    // the notice says it is machine-made (an autoresponder must not answer it).
    while posdesk_server::jobs::run_once(&app.state, "w", 16)
        .await
        .unwrap()
        > 0
    {}
    let dir = app.state.config.data_dir.join("mail-outbox");
    let mut found = 0;
    for f in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        let Ok(m) = parse(&bytes) else { continue };
        if !m.to.iter().any(|a| a.address == "owner@shop.example.cn") {
            continue;
        }
        if m.subject.contains("posdesk") {
            continue; // the welcome mail of the account
        }
        found += 1;
        assert_eq!(
            thread_keys(&m).ticket_tag.as_deref(),
            Some(number.as_str()),
            "{}",
            m.subject
        );
        let own: [&str; 0] = [];
        assert!(
            matches!(classify(&m, &own), Kind::Loop(_)),
            "our own notice coming back is a loop: {:?}",
            classify(&m, &own)
        );
    }
    assert_eq!(
        found,
        3,
        "three notices to the merchant in {}",
        dir.display()
    );

    // A reply whose client dropped the tag threads by In-Reply-To: the gateway knew the
    // notice's Message-ID before it was sent.
    let receipt = jobs(&app)
        .await
        .into_iter()
        .find(|j| j.payload["template"] == "ticket-received")
        .unwrap();
    let mid = receipt.payload["message_id"].as_str().unwrap().to_owned();
    let raw = format!(
        "From: owner@shop.example.cn\r\nTo: support@provider.example.cn\r\nSubject: Re: 打印\r\n\
         Message-ID: <reply-1@shop.example.cn>\r\nIn-Reply-To: <{mid}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n清洁后还是很淡。\r\n"
    );
    let out = service::mail_ingest::ingest(&app.state, app.a.id, raw.as_bytes(), &[])
        .await
        .unwrap();
    match out {
        service::mail_ingest::Outcome::Threaded { number: n } => assert_eq!(n, number),
        other => panic!("not threaded: {other:?}"),
    }
    // Provider B's gateway does not know A's notice.
    let out = service::mail_ingest::ingest(&app.state, app.b.id, raw.as_bytes(), &[])
        .await
        .unwrap();
    assert!(
        !matches!(out, service::mail_ingest::Outcome::Threaded { .. }),
        "{out:?}"
    );
}

async fn late_fix_notices(app: TestApp) {
    people(&app).await;
    let agent = app.token(&app.a, Role::Agent);
    let t = app.post("/api/v1/tickets", &agent, report(&app)).await;
    let id = t.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tickets/{id}/late-notice");
    let estimate = posdesk_storage::now().plus_secs(5 * 86_400).to_rfc3339();
    // A fresh ticket is not late.
    let r = app
        .post(
            &path,
            &agent,
            json!({"reason": "等待配件", "new_estimate": estimate}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");

    // Thirty days old: the resolution clock is breached.
    crate::tickets::backdate(&app, &id, 30).await;
    service::tickets::scan(&app.state, posdesk_storage::now(), 100)
        .await
        .unwrap();
    let r = app
        .post(
            &path,
            &agent,
            json!({"reason": " ", "new_estimate": estimate}),
        )
        .await;
    assert_eq!(field(&r), "reason", "{r:?}");
    let r = app.post(&path, &agent, json!({"reason": "等待配件"})).await;
    assert_eq!(field(&r), "new_estimate", "{r:?}");
    let past = posdesk_storage::now().plus_secs(-3600).to_rfc3339();
    let r = app
        .post(
            &path,
            &agent,
            json!({"reason": "等待配件", "new_estimate": past}),
        )
        .await;
    assert_eq!(field(&r), "new_estimate", "{r:?}");
    let r = app
        .post(
            &path,
            &agent,
            json!({"reason": "等待配件", "new_estimate": "tomorrow"}),
        )
        .await;
    assert_eq!(field(&r), "new_estimate", "{r:?}");
    let merchant = app.token(&app.a, Role::MerchantUser);
    let r = app
        .post(
            &path,
            &merchant,
            json!({"reason": "我自己说", "new_estimate": estimate}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let r = app
        .post(
            &path,
            &agent,
            json!({"reason": "主板需返厂更换，配件预计3天到货", "new_estimate": estimate}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d = app.get(&format!("/api/v1/tickets/{id}"), &merchant).await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    assert_eq!(d.body["late_notices"].as_array().unwrap().len(), 1);
    assert_eq!(
        d.body["expected_fix"],
        json!(
            posdesk_core::Timestamp::parse_rfc3339(&estimate)
                .unwrap()
                .millis()
        ),
        "the merchant sees the new estimate"
    );
    assert!(!d.body["last_update_at"].is_null(), "telling is an update");
    let late: Vec<_> = jobs(&app)
        .await
        .into_iter()
        .filter(|j| j.payload["template"] == "ticket-late")
        .collect();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].payload["to"], "owner@shop.example.cn");
    assert_eq!(
        late[0].payload["params"]["reason"],
        "主板需返厂更换，配件预计3天到货"
    );
    assert!(
        audit_actions(&app, &id)
            .await
            .contains(&"late_notice".to_owned())
    );
}

async fn merge_and_split(app: TestApp) {
    people(&app).await;
    let agent = app.token(&app.a, Role::Agent);
    let open = |b: Json| {
        let app = &app;
        let agent = agent.clone();
        async move {
            let r = app.post("/api/v1/tickets", &agent, b).await;
            assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
            (
                r.body["id"].as_str().unwrap().to_owned(),
                r.body["number"].as_str().unwrap().to_owned(),
            )
        }
    };
    let (dup, dup_no) = open(report(&app)).await;
    let (keep, keep_no) = open(report(&app)).await;
    let mut other_merchant = report(&app);
    other_merchant["merchant_id"] = json!(app.a.other_merchant.to_string());
    other_merchant["terminal_id"] = json!(null);
    let (foreign, _) = open(other_merchant).await;
    let b_agent = app.token(&app.b, Role::Agent);
    let mut b_report = report(&app);
    b_report["merchant_id"] = json!(app.b.merchant.to_string());
    b_report["terminal_id"] = json!(app.b.terminal.to_string());
    let rb = app.post("/api/v1/tickets", &b_agent, b_report).await;
    let b_ticket = rb.body["id"].as_str().unwrap().to_owned();

    let merge = |id: &str| format!("/api/v1/tickets/{id}/merge");
    // Refusals, nothing changed.
    let r = app
        .post(&merge(&dup), &agent, json!({"target_id": dup}))
        .await;
    assert_eq!(field(&r), "target_id", "{r:?}");
    let r = app
        .post(&merge(&dup), &agent, json!({"target_id": foreign}))
        .await;
    assert_eq!(field(&r), "target_id", "another merchant's: {r:?}");
    let r = app
        .post(&merge(&dup), &agent, json!({"target_id": b_ticket}))
        .await;
    assert_eq!(field(&r), "target_id", "another provider's: {r:?}");
    let r = app
        .post(&merge(&b_ticket), &agent, json!({"target_id": dup}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = app
        .post(
            &format!("/api/v1/tickets/{dup}/transition"),
            &agent,
            json!({"event": "merge"}),
        )
        .await;
    assert_eq!(field(&r), "event", "a merge names its target: {r:?}");
    let r = app
        .post(
            &merge(&dup),
            &app.token(&app.a, Role::MerchantUser),
            json!({"target_id": keep}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    let d = app.get(&format!("/api/v1/tickets/{dup}"), &agent).await;
    assert_eq!(d.body["status"], "new");
    let stale = app
        .call_with(
            axum::http::Method::POST,
            &merge(&dup),
            Some(&agent),
            Some(json!({"target_id": keep}).to_string().into_bytes()),
            &[("if-match", "\"7\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{stale:?}");

    let r = app
        .post(&merge(&dup), &agent, json!({"target_id": keep}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["source"]["status"], "merged");
    assert_eq!(r.body["target"]["status"], "new");
    let again = app
        .post(&merge(&dup), &agent, json!({"target_id": keep}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    let d = app.get(&format!("/api/v1/tickets/{dup}"), &agent).await;
    assert_eq!(d.body["links"][0]["relation"], "merged_into");
    assert_eq!(d.body["links"][0]["other_number"], keep_no.as_str());
    assert!(
        d.body["next_check"].is_null(),
        "a merged ticket's clocks stop"
    );
    let k = app.get(&format!("/api/v1/tickets/{keep}"), &agent).await;
    assert_eq!(k.body["links"][0]["relation"], "merged_from");
    assert_eq!(k.body["links"][0]["other_number"], dup_no.as_str());
    let merged_mail: Vec<_> = jobs(&app)
        .await
        .into_iter()
        .filter(|j| j.payload["template"] == "ticket-merged")
        .collect();
    assert_eq!(merged_mail.len(), 1);
    assert_eq!(merged_mail[0].payload["params"]["into"], keep_no.as_str());

    // Split a second problem off the ticket that carries on.
    let split = format!("/api/v1/tickets/{keep}/split");
    let r = app
        .post(
            &split,
            &agent,
            json!({"category": "network", "subject": "", "description": "x"}),
        )
        .await;
    assert_eq!(field(&r), "subject", "{r:?}");
    let r = app
        .post(
            &split,
            &agent,
            json!({"category": "network", "subject": "4G 信号差", "description": "交易时常断网",
                   "terminal_id": app.b.terminal.to_string()}),
        )
        .await;
    assert_eq!(
        field(&r),
        "terminal_id",
        "another provider's terminal: {r:?}"
    );
    let r = app
        .post(
            &split,
            &agent,
            json!({"category": "network", "subject": "4G 信号差", "description": "交易时常断网"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let new_id = r.body["created"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.body["created"]["merchant_id"],
        app.a.merchant.to_string().as_str()
    );
    assert_eq!(r.body["created"]["category"], "network");
    assert_eq!(r.body["created"]["priority"], "p3", "the source's priority");
    let n = app.get(&format!("/api/v1/tickets/{new_id}"), &agent).await;
    assert_eq!(n.body["links"][0]["relation"], "split_from");
    assert_eq!(n.body["links"][0]["other_number"], keep_no.as_str());
    let k = app.get(&format!("/api/v1/tickets/{keep}"), &agent).await;
    let relations: Vec<_> = k.body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["relation"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(relations, ["merged_from", "split_into"]);
    // A merged ticket cannot be split.
    let r = app
        .post(
            &format!("/api/v1/tickets/{dup}/split"),
            &agent,
            json!({"category": "network", "subject": "x", "description": "y"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{r:?}");
    assert!(
        audit_actions(&app, &dup)
            .await
            .contains(&"merge".to_owned())
    );
    let actions = audit_actions(&app, &keep).await;
    for a in ["absorb", "split"] {
        assert!(actions.contains(&a.to_owned()), "{a} in {actions:?}");
    }
}

app_tests!(
    notices_and_webhooks_follow_ticket_events,
    late_fix_notices,
    merge_and_split
);
