//! Complaints over the API (issue 7): the whole life of a hotline complaint with its audit
//! trail and the complainant's e-mails; bad input refused with the field named and nothing
//! changed; evidence kept as versions and never changed or deleted (not by the API, not by SQL);
//! tenancy and what a merchant user may see and do; the public form and tracking with their
//! anti-abuse rules; the escalation scan firing each tier once.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use futures::StreamExt;
use posdesk_core::Timestamp;
use posdesk_core::authz::Role;
use posdesk_core::calendar::LocalDate;
use posdesk_core::complaint::ReceiptNo;
use posdesk_server::api::complaints::MAX_EVIDENCE_UPLOAD_BYTES;
use posdesk_server::service::{self, Ctx, operator_principal};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::app_tests;
use crate::helpers::{Resp, TestApp, audit_actions, err, new_user, token};

// ---------------------------------------------------------------------------------------------
// Helpers.

const EMAIL: &str = "wang.nvshi@example.cn";

fn hotline() -> Value {
    json!({
        "channel": "hotline", "category": "fees", "complainant_name": "王女士",
        "phone": "138 1234 5678", "email": EMAIL,
        "occurred_at": "2025-03-02T10:30:00+08:00", "place": "杭州市西湖区文三路 90 号",
        "narrative": "3 月 2 日刷卡消费 1000 元，被多扣手续费 30 元。",
        "request": "退还多收的 30 元手续费"
    })
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

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/complaints", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.body
}

fn id_of(k: &Value) -> String {
    k["id"].as_str().unwrap().to_owned()
}

/// An action with `If-Match` (when `version` is given).
async fn act(app: &TestApp, token: &str, id: &str, version: Option<i64>, body: Value) -> Resp {
    let etag = version.map(|v| format!("\"{v}\""));
    let mut headers = vec![];
    if let Some(e) = &etag {
        headers.push(("if-match", e.as_str()));
    }
    app.call_with(
        Method::POST,
        &format!("/api/v1/complaints/{id}/actions"),
        Some(token),
        Some(body.to_string().into_bytes()),
        &headers,
    )
    .await
}

/// An action that must succeed; returns the new version (and checks the `ETag`).
async fn ok(app: &TestApp, token: &str, id: &str, version: i64, body: Value) -> Value {
    let r = act(app, token, id, Some(version), body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {r:?}");
    assert_eq!(r.body["version"], version + 1, "{r:?}");
    assert_eq!(
        r.headers["etag"].to_str().unwrap(),
        format!("\"{}\"", version + 1)
    );
    r.body
}

async fn detail(app: &TestApp, token: &str, id: &str) -> Resp {
    app.get(&format!("/api/v1/complaints/{id}"), token).await
}

/// The complaint as the provider admin reads it.
async fn current(app: &TestApp, id: &str) -> Value {
    let r = detail(app, &app.token(&app.a, Role::ProviderAdmin), id).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.body["complaint"].clone()
}

/// E-mail templates queued for one address, sorted.
async fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    let rows = app
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                c.query("SELECT kind, payload FROM jobs ORDER BY id", &[])
                    .await
            })
        })
        .await
        .unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .filter(|r| r.text(0).unwrap() == "email")
        .map(|r| serde_json::from_str::<Value>(&r.text(1).unwrap()).unwrap())
        .filter(|p| p["to"] == to)
        .map(|p| p["template"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

const BOUNDARY: &str = "posdesk-evidence-boundary";
const FORM_TYPE: &str = "multipart/form-data; boundary=posdesk-evidence-boundary";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

fn form(file_name: &str, content_type: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(bytes);
    out.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    out
}

async fn upload(app: &TestApp, token: &str, id: &str, body: Vec<u8>) -> Resp {
    app.call_with(
        Method::POST,
        &format!("/api/v1/complaints/{id}/evidence"),
        Some(token),
        Some(body),
        &[("content-type", FORM_TYPE)],
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

/// Sends a request as the server would see it from `ip` (the connection's peer address).
async fn send(app: &TestApp, req: Request<Body>, ip: &str) -> Resp {
    let mut req = req;
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Resp {
        status,
        headers,
        body,
    }
}

/// An unauthenticated JSON POST from `ip`.
async fn public(app: &TestApp, path: &str, body: Value, ip: &str) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, req, ip).await
}

fn public_form(phone: &str) -> Value {
    json!({
        "category": "repair_quality", "complainant_name": "李先生", "phone": phone,
        "narrative": "终端维修后第二天又坏了。", "request": "免费重新维修", "website": ""
    })
}

/// Runs SQL inside the writer's transaction.
struct RawSql(String);

impl posdesk_storage::Mutation for RawSql {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn posdesk_storage::Conn,
        _ctx: &'a posdesk_storage::Ctx,
    ) -> futures::future::BoxFuture<'a, posdesk_storage::Result<posdesk_storage::Applied<()>>> {
        Box::pin(async move {
            c.batch(&self.0).await?;
            Ok(posdesk_storage::Applied::unaudited(()))
        })
    }
}

async fn raw_sql(app: &TestApp, sql: String) -> Result<(), posdesk_storage::Error> {
    app.state
        .store
        .write(
            posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "raw-sql"),
            RawSql(sql),
        )
        .await
}

/// A merchant user of the tenant's second merchant, with a token.
async fn sibling_merchant_user(app: &TestApp) -> String {
    let principal = operator_principal();
    let ctx = Ctx::operator(&app.state, &principal, "test");
    let u = service::users::create(
        &ctx,
        new_user(
            Some(app.a.id),
            "a.merchant2",
            Role::MerchantUser,
            Some(app.a.other_merchant),
            None,
        ),
    )
    .await
    .map_err(err)
    .unwrap();
    token(&app.state, u.id, Role::MerchantUser).await
}

// ---------------------------------------------------------------------------------------------
// 1. The whole life of a complaint.

async fn full_lifecycle(app: TestApp) {
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    let officer_id = app.a.users[&Role::ComplaintsOfficer].0.to_string();
    let sup = app.token(&app.a, Role::Supervisor);
    let sup_id = app.a.users[&Role::Supervisor].0.to_string();

    let k = create(&app, &officer, hotline()).await;
    let id = id_of(&k);
    // Receipt number: TS-<today in Shanghai>-<6 random><check>, and it parses back.
    let receipt = k["receipt_no"].as_str().unwrap().to_owned();
    let (y, m, d) = LocalDate::of_timestamp(posdesk_storage::now())
        .unwrap()
        .ymd();
    assert!(
        receipt.starts_with(&format!("TS-{y:04}{m:02}{d:02}-")),
        "{receipt}"
    );
    assert_eq!(receipt.len(), "TS-20250101-".len() + 7, "{receipt}");
    assert_eq!(
        ReceiptNo::parse("receipt_no", &receipt).unwrap().as_str(),
        receipt
    );
    assert_eq!(k["status"], "received");
    assert_eq!(k["channel"], "hotline");
    assert_eq!(k["decision_days"], 15);
    assert_eq!(k["phone"], "13812345678");
    assert_eq!(k["version"], 1);

    let d = detail(&app, &officer, &id).await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    assert_eq!(d.headers["etag"], "\"1\"");
    assert_eq!(d.body["allowed"], json!(["acknowledge"]));
    assert!(d.body["clocks"]["decision"]["deadline"].is_i64(), "{d:?}");
    assert_eq!(d.body["entries"][0]["kind"], "received");

    let k = ok(&app, &officer, &id, 1, json!({"action": "acknowledge"})).await;
    assert_eq!(k["status"], "in_progress");
    assert_eq!(k["handler_id"], officer_id.as_str());
    assert!(k["acknowledged_at"].is_i64());
    ok(
        &app,
        &officer,
        &id,
        2,
        json!({"action": "note", "text": "已调取交易流水，确认多扣 30 元"}),
    )
    .await;
    let an_hour_ago = Timestamp::from_millis(posdesk_storage::now().millis() - 3_600_000);
    ok(
        &app,
        &officer,
        &id,
        3,
        json!({"action": "contact", "contact_at": an_hour_ago.to_rfc3339(),
               "contact_channel": "phone", "contact_outcome": "reached", "text": "已电话告知处理进度"}),
    )
    .await;
    ok(
        &app,
        &officer,
        &id,
        4,
        json!({"action": "propose", "resolution": "refund", "text": "建议退还 30 元"}),
    )
    .await;
    let k = ok(
        &app,
        &officer,
        &id,
        5,
        json!({"action": "extend", "to_days": 30, "text": "需向收单银行调取交易流水，核实时间较长"}),
    )
    .await;
    assert_eq!(k["decision_days"], 30);
    assert!(
        k["decision_deadline"].as_i64().unwrap()
            >= k["received_at"].as_i64().unwrap() + 30 * 86_400_000 - 60_000,
        "{k}"
    );
    // No letter before the decision.
    let r = app
        .get(&format!("/api/v1/complaints/{id}/letter"), &officer)
        .await;
    assert_problem(&r, StatusCode::CONFLICT, None);

    let k = ok(
        &app,
        &officer,
        &id,
        6,
        json!({"action": "decide", "resolution": "refund", "text": "经核实多扣 30 元，三个工作日内退还。"}),
    )
    .await;
    assert_eq!(k["status"], "decided");
    assert_eq!(k["resolution"], "refund");
    assert_eq!(k["first_decider_id"], officer_id.as_str());

    let l = app
        .get(&format!("/api/v1/complaints/{id}/letter"), &officer)
        .await;
    assert_eq!(l.status, StatusCode::OK, "{l:?}");
    assert_eq!(l.body["receipt_no"], receipt.as_str());
    assert_eq!(l.body["complainant_name"], "王女士");
    assert_eq!(l.body["resolution"], "refund");
    assert_eq!(
        l.body["decision_text"],
        "经核实多扣 30 元，三个工作日内退还。"
    );
    assert_eq!(l.body["review"], false);
    let routes = l.body["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 7, "{l:?}");
    let hotlines: Vec<&str> = routes
        .iter()
        .filter_map(|r| r["hotline"].as_str())
        .collect();
    assert_eq!(hotlines, ["95516", "12363", "12315"]);

    // The complainant rejects it on the phone; the officer records it.
    let k = ok(
        &app,
        &officer,
        &id,
        7,
        json!({"action": "reject", "text": "认为还应赔偿误工损失"}),
    )
    .await;
    assert_eq!(k["status"], "rejected");
    // The first decider may not review their own decision.
    let r = act(&app, &officer, &id, Some(8), json!({"action": "review"})).await;
    assert_problem(&r, StatusCode::CONFLICT, None);
    assert_eq!(current(&app, &id).await["version"], 8);
    // A supervisor reviews and decides again.
    let k = ok(&app, &sup, &id, 8, json!({"action": "review"})).await;
    assert_eq!(k["status"], "under_review");
    assert_eq!(k["reviewer_id"], sup_id.as_str());
    let k = ok(
        &app,
        &sup,
        &id,
        9,
        json!({"action": "decide", "resolution": "fee_waiver", "text": "复核：退还 30 元并减免下月服务费。"}),
    )
    .await;
    assert_eq!(k["status"], "decided");
    let l = app
        .get(&format!("/api/v1/complaints/{id}/letter"), &sup)
        .await;
    assert_eq!(l.body["review"], true, "{l:?}");
    assert_eq!(l.body["resolution"], "fee_waiver");
    // Accepted: closed with outcome accepted; satisfaction recorded.
    let k = ok(&app, &officer, &id, 10, json!({"action": "accept"})).await;
    assert_eq!(k["status"], "closed");
    assert_eq!(k["outcome"], "accepted");
    assert!(k["closed_at"].is_i64());
    let k = ok(
        &app,
        &officer,
        &id,
        11,
        json!({"action": "satisfaction", "satisfaction": 4}),
    )
    .await;
    assert_eq!(k["satisfaction"], 4);
    let d = detail(&app, &officer, &id).await;
    assert_eq!(d.body["allowed"], json!([]));
    let kinds: Vec<&str> = d.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "received",
            "acknowledged",
            "note",
            "contact_attempt",
            "proposal",
            "extended",
            "decided",
            "rejected",
            "review_started",
            "decided",
            "accepted",
            "closed",
            "satisfaction"
        ]
    );

    // Every step wrote one audit event (the refused review none) ...
    assert_eq!(
        audit_actions(&app, &id).await,
        [
            "create",
            "acknowledge",
            "note",
            "contact_attempt",
            "propose",
            "extend",
            "decide",
            "reject",
            "review",
            "decide",
            "accept",
            "satisfaction"
        ]
    );
    // ... visible in the audit browser too, never with the phone number in full.
    let audit = app
        .get(
            &format!("/api/v1/audit?entity_id={id}&limit=50"),
            &app.token(&app.a, Role::Auditor),
        )
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{audit:?}");
    assert_eq!(
        audit.body["items"].as_array().unwrap().len(),
        12,
        "{audit:?}"
    );
    assert!(!audit.body.to_string().contains("13812345678"), "{audit:?}");
    // ... and the complainant was e-mailed the receipt, acknowledgement, extension and both
    // decisions.
    assert_eq!(
        mails_to(&app, EMAIL).await,
        [
            "complaint-acknowledged",
            "complaint-decided",
            "complaint-decided",
            "complaint-extended",
            "complaint-received"
        ]
    );
    // No e-mail address, no e-mails.
    let mut b = hotline();
    b["email"] = Value::Null;
    let before = app.count("jobs").await;
    let quiet = create(&app, &officer, b).await;
    ok(
        &app,
        &officer,
        &id_of(&quiet),
        1,
        json!({"action": "acknowledge"}),
    )
    .await;
    assert_eq!(app.count("jobs").await, before);

    // Idempotency-Key: the same body again answers the first response, nothing new stored.
    let n = app.count("complaints").await;
    let body = hotline().to_string().into_bytes();
    let first = app
        .call_with(
            Method::POST,
            "/api/v1/complaints",
            Some(&officer),
            Some(body.clone()),
            &[("idempotency-key", "hotline-call-1")],
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let again = app
        .call_with(
            Method::POST,
            "/api/v1/complaints",
            Some(&officer),
            Some(body),
            &[("idempotency-key", "hotline-call-1")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body["receipt_no"], first.body["receipt_no"]);
    assert_eq!(app.count("complaints").await, n + 1);

    // Queues.
    let list = |q: &'static str| {
        let officer = officer.clone();
        let app = &app;
        async move {
            let r = app
                .get(&format!("/api/v1/complaints?queue={q}"), &officer)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{r:?}");
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(id_of)
                .collect::<Vec<_>>()
        }
    };
    assert!(list("all").await.contains(&id));
    assert!(!list("open").await.contains(&id));
    let quiet_id = id_of(&quiet);
    assert!(list("mine").await.contains(&quiet_id));
    assert!(!list("unassigned").await.contains(&quiet_id));
    assert!(list("unassigned").await.contains(&id_of(&first.body)));
    assert!(list("overdue").await.is_empty());
    let r = app.get("/api/v1/complaints?queue=urgent", &officer).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("queue"));
    let r = app.get("/api/v1/complaints?limit=0", &officer).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("limit"));
}

// ---------------------------------------------------------------------------------------------
// 2. Bad input: the right status, the field named, nothing stored or changed.

async fn bad_input_changes_nothing(app: TestApp) {
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let n = app.count("complaints").await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("category", json!("tax"), "category"),
        ("channel", json!("fax"), "channel"),
        // The portal and the public form are their own entry points.
        ("channel", json!("portal"), "channel"),
        ("phone", json!("12345"), "phone"),
        ("occurred_at", json!("昨天下午"), "occurred_at"),
        ("occurred_at", json!("2999-01-01T00:00:00Z"), "occurred_at"),
        ("narrative", json!(" "), "narrative"),
        ("referral_source", json!("12363"), "referral_source"),
        (
            "referral_deadline",
            json!("2030-13-01T00:00:00Z"),
            "referral_deadline",
        ),
    ];
    for (key, value, field) in cases {
        let mut b = hotline();
        b[key] = value;
        let r = app.post("/api/v1/complaints", &officer, b).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
    }
    let mut b = hotline();
    b["handler"] = json!("me");
    let r = app.post("/api/v1/complaints", &officer, b).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("handler"));
    // A role without the permission.
    let r = app
        .post(
            "/api/v1/complaints",
            &app.token(&app.a, Role::Technician),
            hotline(),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, None);
    assert_eq!(app.count("complaints").await, n);

    let k = create(&app, &officer, hotline()).await;
    let id = id_of(&k);
    // Each refused action leaves the complaint as it was.
    let refused = |r: Resp, status: StatusCode, field: Option<&'static str>, v: i64| {
        let app = &app;
        let id = id.clone();
        async move {
            assert_problem(&r, status, field);
            let now = current(app, &id).await;
            assert_eq!(now["version"], v, "{now}");
            now
        }
    };
    // Closing without a decision.
    let r = act(&app, &officer, &id, Some(1), json!({"action": "close"})).await;
    refused(r, StatusCode::CONFLICT, None, 1).await;
    let r = act(&app, &officer, &id, Some(1), json!({"action": "escalate"})).await;
    refused(r, StatusCode::UNPROCESSABLE_ENTITY, Some("action"), 1).await;
    ok(&app, &officer, &id, 1, json!({"action": "acknowledge"})).await;
    // Stale If-Match (and the body's `version` when there is no header).
    let r = act(
        &app,
        &officer,
        &id,
        Some(1),
        json!({"action": "note", "text": "x"}),
    )
    .await;
    refused(r, StatusCode::PRECONDITION_FAILED, None, 2).await;
    let r = act(
        &app,
        &officer,
        &id,
        None,
        json!({"action": "note", "text": "x", "version": 1}),
    )
    .await;
    refused(r, StatusCode::PRECONDITION_FAILED, None, 2).await;
    let r = act(
        &app,
        &officer,
        &id,
        Some(2),
        json!({"action": "note", "text": ""}),
    )
    .await;
    refused(r, StatusCode::UNPROCESSABLE_ENTITY, Some("text"), 2).await;
    // Extensions: past the step's maximum, without a reason, then 30 by the officer, 60 only
    // by a manager, and nothing after that.
    let r = act(
        &app,
        &officer,
        &id,
        Some(2),
        json!({"action": "extend", "to_days": 61, "text": "需要调查"}),
    )
    .await;
    let r = refused(r, StatusCode::UNPROCESSABLE_ENTITY, Some("to_days"), 2).await;
    assert_eq!(r["decision_days"], 15);
    let r = act(
        &app,
        &officer,
        &id,
        Some(2),
        json!({"action": "extend", "to_days": 30}),
    )
    .await;
    refused(r, StatusCode::UNPROCESSABLE_ENTITY, Some("text"), 2).await;
    ok(
        &app,
        &officer,
        &id,
        2,
        json!({"action": "extend", "to_days": 30, "text": "需调取交易流水"}),
    )
    .await;
    let r = act(
        &app,
        &officer,
        &id,
        Some(3),
        json!({"action": "extend", "to_days": 60, "text": "案情复杂"}),
    )
    .await;
    let r = refused(r, StatusCode::CONFLICT, None, 3).await;
    assert_eq!(r["decision_days"], 30);
    let k = ok(
        &app,
        &admin,
        &id,
        3,
        json!({"action": "extend", "to_days": 60, "text": "案情复杂，经经理批准"}),
    )
    .await;
    assert_eq!(k["decision_days"], 60);
    let r = act(
        &app,
        &admin,
        &id,
        Some(4),
        json!({"action": "extend", "to_days": 90, "text": "再延长"}),
    )
    .await;
    let r = refused(r, StatusCode::CONFLICT, None, 4).await;
    assert_eq!(r["decision_days"], 60);
    // A decision needs a resolution and a text.
    let r = act(
        &app,
        &officer,
        &id,
        Some(4),
        json!({"action": "decide", "text": "已处理"}),
    )
    .await;
    refused(r, StatusCode::UNPROCESSABLE_ENTITY, Some("resolution"), 4).await;
    let r = act(
        &app,
        &officer,
        &id,
        Some(4),
        json!({"action": "decide", "resolution": "compensation", "text": "已处理"}),
    )
    .await;
    refused(r, StatusCode::UNPROCESSABLE_ENTITY, Some("resolution"), 4).await;
    let r = act(
        &app,
        &officer,
        &id,
        Some(4),
        json!({"action": "decide", "resolution": "refund"}),
    )
    .await;
    refused(r, StatusCode::UNPROCESSABLE_ENTITY, Some("text"), 4).await;
    // Contact attempts: a time in the future, an unknown outcome, a malformed time.
    let tomorrow = Timestamp::from_millis(posdesk_storage::now().millis() + 86_400_000);
    for (body, field) in [
        (
            json!({"action": "contact", "contact_at": tomorrow.to_rfc3339(), "contact_channel": "phone", "contact_outcome": "reached"}),
            "contact_at",
        ),
        (
            json!({"action": "contact", "contact_at": "2025-01-01T10:00:00Z", "contact_channel": "phone", "contact_outcome": "maybe"}),
            "contact_outcome",
        ),
        (
            json!({"action": "contact", "contact_at": "01/01/2025", "contact_channel": "phone", "contact_outcome": "reached"}),
            "contact_at",
        ),
        (
            json!({"action": "satisfaction", "satisfaction": 6}),
            "satisfaction",
        ),
        (
            json!({"action": "assign", "handler_id": app.a.users[&Role::Technician].0.to_string()}),
            "handler_id",
        ),
        (
            json!({"action": "assign", "handler_id": app.b.users[&Role::ComplaintsOfficer].0.to_string()}),
            "handler_id",
        ),
    ] {
        let r = act(&app, &officer, &id, Some(4), body).await;
        refused(r, StatusCode::UNPROCESSABLE_ENTITY, Some(field), 4).await;
    }
    // Satisfaction before a decision.
    let r = act(
        &app,
        &officer,
        &id,
        Some(4),
        json!({"action": "satisfaction", "satisfaction": 3}),
    )
    .await;
    refused(r, StatusCode::CONFLICT, None, 4).await;

    // Evidence that is not what it claims: a PDF declared as a PNG.
    let files = (
        app.count("complaint_evidence").await,
        app.count("blobs").await,
    );
    let r = upload(
        &app,
        &officer,
        &id,
        form("photo.png", "image/png", PDF, &[]),
    )
    .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("file"));
    let r = upload(
        &app,
        &officer,
        &id,
        form("a.exe", "application/x-msdownload", b"MZ\x90\x00", &[]),
    )
    .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("file"));
    let r = upload(
        &app,
        &officer,
        &id,
        form("a.pdf", "application/pdf", PDF, &[("note", "x")]),
    )
    .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("note"));
    let r = upload(
        &app,
        &officer,
        &id,
        form("a.pdf", "application/pdf", PDF, &[("supersedes", "nope")]),
    )
    .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("supersedes"));
    assert_eq!(
        (
            app.count("complaint_evidence").await,
            app.count("blobs").await
        ),
        files
    );
    assert_eq!(current(&app, &id).await["version"], 4);

    // Reviewing one's own rejected decision.
    ok(
        &app,
        &officer,
        &id,
        4,
        json!({"action": "decide", "resolution": "explanation", "text": "手续费按合同标准收取。"}),
    )
    .await;
    ok(&app, &officer, &id, 5, json!({"action": "reject"})).await;
    let r = act(&app, &officer, &id, Some(6), json!({"action": "review"})).await;
    let k = refused(r, StatusCode::CONFLICT, None, 6).await;
    assert_eq!(k["status"], "rejected");
    assert!(k["reviewer_id"].is_null());
    // A decision cannot be made twice, and nothing follows a close.
    let r = act(
        &app,
        &officer,
        &id,
        Some(6),
        json!({"action": "decide", "resolution": "refund", "text": "再答复"}),
    )
    .await;
    refused(r, StatusCode::CONFLICT, None, 6).await;
    let k = ok(&app, &officer, &id, 6, json!({"action": "close"})).await;
    assert_eq!(k["outcome"], "not_accepted");
    let r = act(&app, &officer, &id, Some(7), json!({"action": "review"})).await;
    refused(r, StatusCode::CONFLICT, None, 7).await;
    let r = upload(
        &app,
        &officer,
        &id,
        form("a.pdf", "application/pdf", PDF, &[]),
    )
    .await;
    assert_problem(&r, StatusCode::CONFLICT, None);
}

// ---------------------------------------------------------------------------------------------
// 3. Evidence.

async fn evidence_is_kept_as_versions(app: TestApp) {
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    let k = create(&app, &officer, hotline()).await;
    let id = id_of(&k);

    let r = upload(
        &app,
        &officer,
        &id,
        form(
            "交易凭条.pdf",
            "application/pdf",
            PDF,
            &[("description", "刷卡凭条扫描件")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let first = r.body.clone();
    let first_id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(first["content_type"], "application/pdf");
    assert_eq!(first["size"], PDF.len());
    assert_eq!(
        first["sha256"],
        posdesk_core::complaint::evidence_sha256(PDF)
    );
    assert_eq!(first["description"], "刷卡凭条扫描件");
    // A new version names the one it supersedes; both are kept.
    let r = upload(
        &app,
        &officer,
        &id,
        form(
            "凭条照片.png",
            "image/png",
            PNG,
            &[("supersedes", &first_id)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let second_id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["supersedes"], first_id.as_str());
    // Only the newest version can be superseded.
    let r = upload(
        &app,
        &officer,
        &id,
        form("again.png", "image/png", PNG, &[("supersedes", &first_id)]),
    )
    .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("supersedes"));

    let d = detail(&app, &officer, &id).await;
    let ev = d.body["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 2, "{d:?}");
    assert_eq!(ev[0]["id"], first_id.as_str());
    assert_eq!(ev[0]["superseded_by"], second_id.as_str());
    assert!(ev[1]["superseded_by"].is_null());
    assert_eq!(
        d.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "evidence_added")
            .count(),
        2
    );
    assert_eq!(
        audit_actions(&app, &id).await,
        ["create", "add_evidence", "add_evidence"]
    );

    let check = app
        .get(&format!("/api/v1/complaints/{id}/evidence-check"), &officer)
        .await;
    assert_eq!(check.status, StatusCode::OK, "{check:?}");
    assert_eq!(
        check.body,
        json!([
            {"evidence_id": first_id, "sha256": posdesk_core::complaint::evidence_sha256(PDF), "intact": true},
            {"evidence_id": second_id, "sha256": posdesk_core::complaint::evidence_sha256(PNG), "intact": true},
        ])
    );

    // The download: the same bytes, as an attachment that is never sniffed.
    let path = format!("/api/v1/complaints/{id}/evidence/{first_id}");
    let (status, headers, bytes) = download(&app, &officer, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let cd = headers["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment; "), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E4%BA%A4%E6%98%93%E5%87%AD%E6%9D%A1.pdf"),
        "{cd}"
    );

    // No API path changes or deletes evidence.
    for method in [Method::PUT, Method::PATCH, Method::DELETE] {
        for p in [path.clone(), format!("/api/v1/complaints/{id}/evidence")] {
            let r = app
                .call_with(
                    method.clone(),
                    &p,
                    Some(&officer),
                    Some(form("x.png", "image/png", PNG, &[])),
                    &[("content-type", FORM_TYPE)],
                )
                .await;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {p}");
        }
    }
    let (_, _, again) = download(&app, &officer, &path).await;
    assert_eq!(again, PDF);

    // Nor does SQL: the rows and the bytes are append-only on both engines.
    let e = first_id.clone();
    for sql in [
        format!("UPDATE complaint_evidence SET file_name = 'forged.pdf' WHERE id = '{e}'"),
        format!("UPDATE complaint_evidence SET sha256 = 'x' WHERE id = '{e}'"),
        format!("DELETE FROM complaint_evidence WHERE id = '{second_id}'"),
        "DELETE FROM complaint_evidence".to_owned(),
        "UPDATE blobs SET content_type = 'text/plain'".to_owned(),
        "DELETE FROM blobs".to_owned(),
        format!("UPDATE complaint_entries SET body = '{{}}' WHERE complaint_id = '{id}'"),
        format!("DELETE FROM complaint_entries WHERE complaint_id = '{id}'"),
    ] {
        assert!(raw_sql(&app, sql.clone()).await.is_err(), "{sql}");
    }
    let (_, _, again) = download(&app, &officer, &path).await;
    assert_eq!(again, PDF);
    let check = app
        .get(&format!("/api/v1/complaints/{id}/evidence-check"), &officer)
        .await;
    assert!(
        check
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["intact"] == true),
        "{check:?}"
    );
    assert_eq!(app.count("complaint_evidence").await, 2);

    // Too large: a declared 500 MB body is refused by its length, unread ...
    let n = app.count("complaint_evidence").await;
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/complaints/{id}/evidence"))
        .header("authorization", format!("Bearer {officer}"))
        .header("content-type", FORM_TYPE)
        .header("content-length", "500000000")
        .body(Body::from(form("big.pdf", "application/pdf", PDF, &[])))
        .unwrap();
    let r = send(&app, req, "10.0.0.9").await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, None);
    // ... and a streamed one without a length is cut off at the limit, not read to its end.
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    );
    let chunk = Bytes::from(vec![b'0'; 1 << 20]);
    let chunks = std::iter::once(Bytes::from(head)).chain(std::iter::repeat_n(chunk, 500));
    let stream = futures::stream::iter(chunks).map(move |b| {
        counter.fetch_add(b.len(), Ordering::SeqCst);
        Ok::<_, std::io::Error>(b)
    });
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/complaints/{id}/evidence"))
        .header("authorization", format!("Bearer {officer}"))
        .header("content-type", FORM_TYPE)
        .body(Body::from_stream(stream))
        .unwrap();
    let r = send(&app, req, "10.0.0.9").await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, None);
    let read = pulled.load(Ordering::SeqCst);
    assert!(
        read <= MAX_EVIDENCE_UPLOAD_BYTES + 2 * (1 << 20),
        "read {read} bytes of a 500 MiB body"
    );
    assert_eq!(app.count("complaint_evidence").await, n);
}

// ---------------------------------------------------------------------------------------------
// 4. Tenancy and the merchant user.

async fn tenancy_and_merchant_users(app: TestApp) {
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    let sup = app.token(&app.a, Role::Supervisor);
    let me = app.token(&app.a, Role::MerchantUser);
    // A hotline complaint naming merchant a1's MID is that merchant's.
    let mut b = hotline();
    b["mid"] = json!("102330158120000");
    let k = create(&app, &officer, b).await;
    let id = id_of(&k);
    assert_eq!(k["merchant_id"], app.a.merchant.to_string());
    ok(&app, &officer, &id, 1, json!({"action": "acknowledge"})).await;
    ok(
        &app,
        &officer,
        &id,
        2,
        json!({"action": "note", "text": "内部：商户疑似违规加收"}),
    )
    .await;
    let r = upload(
        &app,
        &officer,
        &id,
        form("录音说明.pdf", "application/pdf", PDF, &[]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let evidence = r.body["id"].as_str().unwrap().to_owned();
    ok(
        &app,
        &officer,
        &id,
        3,
        json!({"action": "decide", "resolution": "refund", "text": "退还 30 元"}),
    )
    .await;

    let routes = |id: &str, ev: &str| {
        vec![
            (Method::GET, format!("/api/v1/complaints/{id}"), None),
            (
                Method::POST,
                format!("/api/v1/complaints/{id}/actions"),
                Some(json!({"action": "accept"})),
            ),
            (
                Method::POST,
                format!("/api/v1/complaints/{id}/actions"),
                Some(json!({"action": "note", "text": "x"})),
            ),
            (
                Method::GET,
                format!("/api/v1/complaints/{id}/evidence/{ev}"),
                None,
            ),
            (
                Method::GET,
                format!("/api/v1/complaints/{id}/evidence-check"),
                None,
            ),
            (Method::GET, format!("/api/v1/complaints/{id}/letter"), None),
        ]
    };
    // Another provider's staff: 404 on every route, for every role that may read complaints.
    for role in [
        Role::ProviderAdmin,
        Role::Supervisor,
        Role::ComplaintsOfficer,
        Role::Agent,
        Role::Auditor,
    ] {
        let t = app.token(&app.b, role);
        // Handling needs its permission first: the roles without it get 403 before the
        // complaint is looked up.
        let handles = role.allows(posdesk_core::authz::Permission::ComplaintHandle);
        let hidden_or_forbidden = |post: bool| {
            if post && !handles {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            }
        };
        for (m, p, body) in routes(&id, &evidence) {
            let r = app.call(m.clone(), &p, Some(&t), body).await;
            let want = hidden_or_forbidden(m == Method::POST);
            assert_eq!(r.status, want, "{} {m} {p}: {r:?}", role.code());
        }
        let r = upload(&app, &t, &id, form("a.pdf", "application/pdf", PDF, &[])).await;
        assert_eq!(r.status, hidden_or_forbidden(true), "{r:?}");
        let list = app.get("/api/v1/complaints", &t).await;
        assert!(!list.body.to_string().contains(&id), "{list:?}");
    }
    // A merchant user of another merchant: 404 everywhere, and not in their list.
    let other = sibling_merchant_user(&app).await;
    for (m, p, body) in routes(&id, &evidence) {
        let r = app.call(m.clone(), &p, Some(&other), body.clone()).await;
        let note = body.is_some_and(|b| b["action"] == "note");
        let want = if note {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(r.status, want, "{m} {p}: {r:?}");
    }
    let r = upload(
        &app,
        &other,
        &id,
        form("a.pdf", "application/pdf", PDF, &[]),
    )
    .await;
    assert_problem(&r, StatusCode::NOT_FOUND, None);
    let list = app.get("/api/v1/complaints", &other).await;
    assert_eq!(list.body["items"], json!([]), "{list:?}");

    // The merchant user of a1 sees it, without staff identities or internal entries, and
    // (someone else named their MID) the complainant's phone only by its last four digits.
    let d = detail(&app, &me, &id).await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    let c = &d.body["complaint"];
    for f in [
        "handler_id",
        "first_decider_id",
        "reviewer_id",
        "created_by",
        "next_escalation_at",
    ] {
        assert!(c.get(f).is_none(), "{f} leaked: {c}");
    }
    assert_eq!(c["phone"], "*******5678");
    assert!(c["email"].is_null());
    assert!(d.body.get("tickets").is_none());
    let text = d.body.to_string();
    assert!(!text.contains("内部：商户疑似违规加收"), "{text}");
    assert!(!text.contains("测试用户"), "{text}");
    assert!(
        !text.contains(&app.a.users[&Role::ComplaintsOfficer].0.to_string()),
        "{text}"
    );
    let kinds: Vec<&str> = d.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["received", "acknowledged", "decided"]);
    assert!(d.body["evidence"][0].get("added_by").is_none());
    // Staff see all of it.
    let s = detail(&app, &officer, &id).await;
    assert_eq!(s.body["complaint"]["phone"], "13812345678");
    assert_eq!(s.body["complaint"]["email"], EMAIL);
    assert!(s.body["complaint"]["handler_id"].is_string());
    assert!(s.body["entries"][1]["actor_name"].is_string());
    assert!(s.body.to_string().contains("内部：商户疑似违规加收"));
    let (status, _, bytes) = download(
        &app,
        &me,
        &format!("/api/v1/complaints/{id}/evidence/{evidence}"),
    )
    .await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));

    // A portal complaint: the channel is forced to portal, the merchant is theirs.
    let mut b = hotline();
    b["email"] = Value::Null;
    let own = create(&app, &me, b).await;
    let own_id = id_of(&own);
    assert_eq!(own["channel"], "portal");
    assert_eq!(own["merchant_id"], app.a.merchant.to_string());
    assert_eq!(own["phone"], "13812345678");
    assert!(own.get("created_by").is_none(), "{own}");
    let list = app.get("/api/v1/complaints", &me).await;
    let ids: Vec<String> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert!(ids.contains(&own_id) && ids.contains(&id), "{ids:?}");
    // Staff steps are not theirs.
    for body in [
        json!({"action": "acknowledge"}),
        json!({"action": "note", "text": "我来写备注"}),
        json!({"action": "decide", "resolution": "refund", "text": "自己答复"}),
        json!({"action": "extend", "to_days": 30, "text": "延期"}),
    ] {
        let r = act(&app, &me, &own_id, Some(1), body).await;
        assert_problem(&r, StatusCode::FORBIDDEN, None);
    }
    // Evidence on their own complaint is theirs to add.
    let r = upload(&app, &me, &own_id, form("凭条.png", "image/png", PNG, &[])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert!(r.body.get("added_by").is_none());
    assert_eq!(current(&app, &own_id).await["version"], 1);
    // Rating before the decision is refused.
    let r = act(
        &app,
        &me,
        &own_id,
        Some(1),
        json!({"action": "satisfaction", "satisfaction": 2}),
    )
    .await;
    assert_problem(&r, StatusCode::CONFLICT, None);
    // Decided by staff; the merchant rejects, a supervisor reviews, the merchant accepts and
    // rates it.
    ok(&app, &officer, &own_id, 1, json!({"action": "acknowledge"})).await;
    ok(
        &app,
        &officer,
        &own_id,
        2,
        json!({"action": "decide", "resolution": "explanation", "text": "按合同收费"}),
    )
    .await;
    let k = ok(
        &app,
        &me,
        &own_id,
        3,
        json!({"action": "reject", "text": "合同没有这项收费"}),
    )
    .await;
    assert_eq!(k["status"], "rejected");
    assert!(k.get("first_decider_id").is_none());
    ok(&app, &sup, &own_id, 4, json!({"action": "review"})).await;
    ok(
        &app,
        &sup,
        &own_id,
        5,
        json!({"action": "decide", "resolution": "refund", "text": "复核：全额退还"}),
    )
    .await;
    let k = ok(&app, &me, &own_id, 6, json!({"action": "accept"})).await;
    assert_eq!(
        (k["status"].clone(), k["outcome"].clone()),
        (json!("closed"), json!("accepted"))
    );
    let k = ok(
        &app,
        &me,
        &own_id,
        7,
        json!({"action": "satisfaction", "satisfaction": 5}),
    )
    .await;
    assert_eq!(k["satisfaction"], 5);
    let l = app
        .get(&format!("/api/v1/complaints/{own_id}/letter"), &me)
        .await;
    assert_eq!(l.status, StatusCode::OK, "{l:?}");
    assert_eq!(l.body["review"], true);
}

// ---------------------------------------------------------------------------------------------
// 5. The public form and tracking.

async fn public_form_and_tracking(app: TestApp) {
    // Documented as needing no credentials (every other complaint route takes the bearer).
    let doc = posdesk_server::api::openapi_json();
    for p in [
        "/api/v1/public/providers/{provider_id}/complaints",
        "/api/v1/public/complaints/track",
    ] {
        assert_eq!(doc["paths"][p]["post"]["security"], json!([{}]), "{p}");
    }
    assert!(doc["paths"]["/api/v1/complaints"]["post"]["security"].is_null());
    assert_eq!(doc["security"], json!([{"bearer": []}]));

    let path = format!("/api/v1/public/providers/{}/complaints", app.a.id);
    let officer = app.token(&app.a, Role::ComplaintsOfficer);

    let r = public(&app, &path, public_form("13900000001"), "10.0.0.1").await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let receipt = r.body["receipt_no"].as_str().unwrap().to_owned();
    assert!(ReceiptNo::parse("receipt_no", &receipt).is_ok(), "{r:?}");
    assert_eq!(r.body["status"], "received");
    assert!(r.body["decision_deadline"].is_i64());
    assert_eq!(
        r.body.as_object().unwrap().len(),
        4,
        "only the receipt: {r:?}"
    );
    // Staff find it on their list, channel public_web; they note and acknowledge it.
    let list = app
        .get("/api/v1/complaints?queue=unassigned", &officer)
        .await;
    let k = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["receipt_no"] == receipt.as_str())
        .cloned()
        .unwrap();
    assert_eq!(k["channel"], "public_web");
    let id = id_of(&k);
    ok(
        &app,
        &officer,
        &id,
        1,
        json!({"action": "note", "text": "内部备注：该用户多次投诉"}),
    )
    .await;
    ok(&app, &officer, &id, 2, json!({"action": "acknowledge"})).await;

    let track = "/api/v1/public/complaints/track";
    let r = public(
        &app,
        track,
        json!({"receipt_no": receipt.to_lowercase(), "phone_last4": "0001"}),
        "10.0.4.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["receipt_no"], receipt.as_str());
    assert_eq!(r.body["status"], "in_progress");
    let kinds: Vec<&str> = r.body["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["received", "acknowledged"]);
    let text = r.body.to_string();
    for secret in [
        "内部备注",
        "测试用户",
        "13900000001",
        "李先生",
        app.a.users[&Role::ComplaintsOfficer].0.to_string().as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    // Wrong digits and an unknown (well-formed) receipt: the same 404.
    let wrong = public(
        &app,
        track,
        json!({"receipt_no": receipt, "phone_last4": "0002"}),
        "10.0.4.1",
    )
    .await;
    let unknown_receipt = ReceiptNo::generate(
        LocalDate::of_timestamp(posdesk_storage::now()).unwrap(),
        0x5eed_1234_abcd,
    );
    assert_ne!(unknown_receipt.as_str(), receipt);
    let unknown = public(
        &app,
        track,
        json!({"receipt_no": unknown_receipt.as_str(), "phone_last4": "0001"}),
        "10.0.4.1",
    )
    .await;
    assert_problem(&wrong, StatusCode::NOT_FOUND, None);
    assert_problem(&unknown, StatusCode::NOT_FOUND, None);
    assert_eq!(wrong.body, unknown.body);
    let garbled = public(
        &app,
        track,
        json!({"receipt_no": "TS-garbage", "phone_last4": "0001"}),
        "10.0.4.1",
    )
    .await;
    assert_eq!(garbled.body, unknown.body);

    // The honeypot: filled in, refused, nothing stored.
    let n = app.count("complaints").await;
    let mut bot = public_form("13900000009");
    bot["website"] = json!("http://spam.example");
    let r = public(&app, &path, bot, "10.0.0.2").await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("website"));
    // Fields the public form does not take.
    let mut b = public_form("13900000009");
    b["channel"] = json!("hotline");
    let r = public(&app, &path, b, "10.0.0.2").await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("channel"));
    let r = public(&app, &path, public_form("123"), "10.0.0.2").await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("phone"));
    // An unknown provider.
    let r = public(
        &app,
        &format!(
            "/api/v1/public/providers/{}/complaints",
            uuid::Uuid::now_v7()
        ),
        public_form("13900000009"),
        "10.0.0.2",
    )
    .await;
    assert_problem(&r, StatusCode::NOT_FOUND, None);
    assert_eq!(app.count("complaints").await, n);

    // Per phone number: 3 a day, from whatever address.
    for i in 1..=3 {
        let r = public(
            &app,
            &path,
            public_form("13900000003"),
            &format!("10.0.1.{i}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{i}: {r:?}");
    }
    let r = public(&app, &path, public_form("139 0000 0003"), "10.0.1.9").await;
    assert_problem(&r, StatusCode::TOO_MANY_REQUESTS, None);
    // Per address: 5 an hour, whatever the numbers.
    for i in 0..5 {
        let r = public(
            &app,
            &path,
            public_form(&format!("1370000000{i}")),
            "10.0.2.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{i}: {r:?}");
    }
    let r = public(&app, &path, public_form("13700000009"), "10.0.2.1").await;
    assert_problem(&r, StatusCode::TOO_MANY_REQUESTS, None);
    assert_eq!(app.count("complaints").await, n + 8);

    // Tracking: 20 look-ups per address in 10 minutes (4 made above), then 429 even with the
    // right digits.
    for _ in 4..20 {
        let r = public(
            &app,
            track,
            json!({"receipt_no": unknown_receipt.as_str(), "phone_last4": "0001"}),
            "10.0.4.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    }
    let r = public(
        &app,
        track,
        json!({"receipt_no": receipt, "phone_last4": "0001"}),
        "10.0.4.1",
    )
    .await;
    assert_problem(&r, StatusCode::TOO_MANY_REQUESTS, None);
    let r = public(
        &app,
        track,
        json!({"receipt_no": receipt, "phone_last4": "0001"}),
        "10.0.4.2",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

// ---------------------------------------------------------------------------------------------
// 6. The escalation scan.

async fn escalation_scan_fires_each_tier_once(app: TestApp) {
    let admin = app.token(&app.a, Role::ProviderAdmin);
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    // The supervisor and the provider admin have e-mail addresses.
    for (role, email) in [
        (Role::Supervisor, "sup@a.example.cn"),
        (Role::ProviderAdmin, "boss@a.example.cn"),
    ] {
        let u = app.a.users[&role].0;
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/users/{u}"),
                Some(&admin),
                Some(json!({"email": email})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    let k = create(&app, &officer, hotline()).await;
    let id = id_of(&k);
    assert!(k["next_escalation_at"].is_i64(), "{k}");
    // Nothing is due yet.
    let now = posdesk_storage::now();
    assert_eq!(
        service::complaints::scan(&app.state, now, 100)
            .await
            .map_err(err)
            .unwrap(),
        0
    );
    // Long after: both acknowledgement levels and the three decision levels fire, once.
    let future = Timestamp::from_millis(now.millis() + 400 * 86_400_000);
    let fired = service::complaints::scan(&app.state, future, 100)
        .await
        .map_err(err)
        .unwrap();
    assert_eq!(fired, 5);
    assert_eq!(
        service::complaints::scan(&app.state, future, 100)
            .await
            .map_err(err)
            .unwrap(),
        0
    );
    let d = detail(&app, &officer, &id).await;
    let escalated: Vec<(String, String)> = d.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "escalated")
        .map(|e| {
            (
                e["body"]["clock"].as_str().unwrap().to_owned(),
                e["body"]["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut escalated = escalated;
    escalated.sort();
    assert_eq!(
        escalated,
        [
            ("acknowledge".to_owned(), "notify_assignee".to_owned()),
            ("acknowledge".to_owned(), "notify_supervisor".to_owned()),
            ("decision".to_owned(), "notify_assignee".to_owned()),
            ("decision".to_owned(), "notify_management".to_owned()),
            ("decision".to_owned(), "notify_supervisor".to_owned()),
        ]
    );
    assert!(d.body["complaint"]["next_escalation_at"].is_null());
    assert_eq!(app.count("complaint_escalations").await, 5);
    // Unassigned, the handler's tier falls to the supervisors; management is the admins.
    assert_eq!(
        mails_to(&app, "sup@a.example.cn").await,
        ["complaint-escalated"; 4]
    );
    assert_eq!(
        mails_to(&app, "boss@a.example.cn").await,
        ["complaint-escalated"]
    );
    assert_eq!(audit_actions(&app, &id).await, ["create", "escalate"]);
}

app_tests!(
    full_lifecycle,
    bad_input_changes_nothing,
    evidence_is_kept_as_versions,
    tenancy_and_merchant_users,
    public_form_and_tracking,
    escalation_scan_fires_each_tier_once,
);
