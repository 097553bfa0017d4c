//! Complaint statistics (issue 7 item 6) on both engines: complaints created and decided
//! through the services, their instants moved into March/April 2026, then the JSON figures
//! checked against values worked out by hand (counts by category, channel and outcome, median
//! and p90 decision time, on-time share, repeat complainants by phone, per 1,000 active
//! terminals), the Shanghai month boundary, the CSV text, the XLSX workbook read back, another
//! provider's complaints left out, range errors naming `from`/`to`, 403 for roles without
//! `ComplaintStats`, and the web page with its SVG charts and downloads.

use std::io::Cursor;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::authz::{Principal, Role};
use posdesk_core::calendar::LocalDate;
use posdesk_core::complaint::RawIntake;
use posdesk_core::ids::{ComplaintId, TerminalId, UserId};
use posdesk_server::service::{self, Ctx, operator_principal};
use posdesk_storage::repo::{sessions, terminals};
use posdesk_storage::{Actor, Applied, Conn, Mutation, WriteMeta};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::app_tests;
use crate::helpers::{Tenant, TestApp, err};

fn principal(t: &Tenant, role: Role) -> Principal {
    let merchant = (role == Role::MerchantUser).then_some(t.merchant);
    Principal::new(t.users[&role].0, role, Some(t.id), merchant, None).unwrap()
}

/// An instant in Shanghai: `hour` hours after midnight of the day.
fn sh(y: i32, m: u32, d: u32, hour: i64) -> Timestamp {
    let day = LocalDate::new(y, m, d).unwrap();
    Timestamp::from_millis(day.start().millis() + hour * 3_600_000)
}

fn minutes(t: Timestamp, m: i64) -> Timestamp {
    Timestamp::from_millis(t.millis() + m * 60_000)
}

fn days(t: Timestamp, d: i64) -> Timestamp {
    Timestamp::from_millis(t.millis() + d * 86_400_000)
}

async fn file(
    app: &TestApp,
    p: &Principal,
    channel: &str,
    category: &str,
    phone: &str,
) -> ComplaintId {
    let ctx = Ctx::new(&app.state, p, "stats-test");
    service::complaints::create(
        &ctx,
        RawIntake {
            channel,
            category,
            complainant_name: "张先生",
            phone,
            narrative: "终端刷卡多扣了手续费",
            request: "退还多扣的费用",
            ..Default::default()
        },
    )
    .await
    .map_err(err)
    .unwrap()
    .id
}

/// Runs the actions in order as `p` (decisions need a resolution and a text).
async fn act(app: &TestApp, p: &Principal, id: ComplaintId, actions: &[&str]) {
    let ctx = Ctx::new(&app.state, p, "stats-test");
    for action in actions {
        let decide = *action == "decide";
        service::complaints::change(
            &ctx,
            id,
            None,
            service::complaints::ChangeInput {
                action,
                resolution: decide.then_some("explanation"),
                text: decide.then_some("已向商户说明手续费构成"),
                ..Default::default()
            },
        )
        .await
        .map_err(err)
        .unwrap_or_else(|e| panic!("{action}: {e}"));
    }
}

/// Moves a complaint's receipt, first decision and decision deadline (test-only, through the
/// store).
struct Backdate {
    id: ComplaintId,
    received: Timestamp,
    decided: Option<Timestamp>,
    deadline: Timestamp,
}

impl Mutation for Backdate {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _: &'a posdesk_storage::Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<Applied<()>>> {
        Box::pin(async move {
            let n = c
                .execute(
                    "UPDATE complaints SET received_at = $1, first_decided_at = $2, \
                     decision_deadline = $3 WHERE id = $4",
                    &[
                        self.received.into(),
                        self.decided.into(),
                        self.deadline.into(),
                        self.id.into(),
                    ],
                )
                .await?;
            assert_eq!(n, 1);
            Ok(Applied::unaudited(()))
        })
    }
}

/// `received`, decided `decided_after` minutes later (or not), deadline 15 days after receipt.
async fn backdate(app: &TestApp, id: ComplaintId, received: Timestamp, decided_after: Option<i64>) {
    app.state
        .store
        .write(
            WriteMeta::new(Actor::system("test"), "t"),
            Backdate {
                id,
                received,
                decided: decided_after.map(|m| minutes(received, m)),
                deadline: days(received, 15),
            },
        )
        .await
        .unwrap();
}

/// Tenant a: five complaints received in March 2026 (Shanghai), one on 1 April 07:00 Shanghai
/// (still 31 March in UTC); tenant b: two in March. Returns nothing: the figures are fixed.
async fn seed(app: &TestApp) {
    let agent = principal(&app.a, Role::Agent);
    let merchant = principal(&app.a, Role::MerchantUser);
    let sup = principal(&app.a, Role::Supervisor);
    // (1) accepted after 2 h; (2) the same person (the phone written differently), closed
    // without an answer after 10 h; (3) decided after 400 h, past the 360 h deadline, not
    // accepted; (4) open; (5) from the portal, decided after 30 h, awaiting the answer.
    let c1 = file(app, &agent, "hotline", "fees", "13800000001").await;
    let c2 = file(app, &agent, "branch", "fees", "+86 138-0000-0001").await;
    let c3 = file(app, &agent, "email", "service_attitude", "13800000002").await;
    let c4 = file(app, &agent, "hotline", "repair_quality", "13800000003").await;
    let c5 = file(app, &merchant, "hotline", "settlement", "13800000004").await;
    let c6 = file(app, &agent, "hotline", "fees", "13800000001").await;
    act(app, &sup, c1, &["acknowledge", "decide", "accept"]).await;
    act(app, &sup, c2, &["acknowledge", "decide", "close"]).await;
    act(app, &sup, c3, &["acknowledge", "decide", "reject", "close"]).await;
    act(app, &sup, c5, &["acknowledge", "decide"]).await;
    backdate(app, c1, sh(2026, 3, 2, 9), Some(120)).await;
    backdate(app, c2, sh(2026, 3, 5, 10), Some(600)).await;
    backdate(app, c3, sh(2026, 3, 10, 9), Some(24_000)).await;
    backdate(app, c4, sh(2026, 3, 31, 23), None).await;
    backdate(app, c5, sh(2026, 3, 20, 9), Some(1_800)).await;
    backdate(app, c6, sh(2026, 4, 1, 7), None).await;
    assert_eq!(sh(2026, 4, 1, 7).to_rfc3339(), "2026-03-31T23:00:00.000Z");

    let b_agent = principal(&app.b, Role::Agent);
    for day in [3, 4] {
        let k = file(app, &b_agent, "hotline", "privacy", "13900000009").await;
        backdate(app, k, sh(2026, 3, day, 9), None).await;
    }

    // A terminal in stock does not count as active (a: 2 active terminals).
    let op = operator_principal();
    let ctx = Ctx::operator(&app.state, &op, "test");
    ctx.write(
        ctx.meta(),
        terminals::CreateTerminal {
            id: TerminalId::from_uuid(uuid::Uuid::now_v7()),
            tenant: app.a.id,
            merchant: None,
            sn: "SN-STATS-STOCK".into(),
            tid: None,
            model: "A920".into(),
            manufacturer: "百富".into(),
            firmware: None,
            status: "in_stock".into(),
        },
    )
    .await
    .map_err(err)
    .unwrap();
}

fn counts(v: &Value, keys: &[(&str, u64)]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    for (k, n) in keys {
        assert_eq!(obj.get(*k), Some(&json!(n)), "{k} in {v}");
    }
    let listed: u64 = keys.iter().map(|(_, n)| n).sum();
    let all: u64 = obj.values().map(|x| x.as_u64().unwrap()).sum();
    assert_eq!(all, listed, "other keys are zero: {v}");
}

async fn raw_get(
    app: &TestApp,
    path: &str,
    auth: (&str, &str),
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let req = Request::builder()
        .uri(path)
        .header(auth.0, auth.1)
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    (status, headers, bytes)
}

/// A signed-in web session for `role` of tenant `t`; the `Cookie` header value.
pub async fn web_cookie(app: &TestApp, user: UserId) -> String {
    let cookie = posdesk_server::auth::secret::random_token();
    app.state
        .store
        .write(
            WriteMeta::new(Actor::system("test"), "t"),
            sessions::CreateSession {
                id_hash: posdesk_server::auth::secret::sha256_hex(&cookie),
                user_id: user,
                csrf_token: "test-csrf".into(),
                second_factor_pending: false,
                ttl_ms: 3_600_000,
                ip: None,
            },
        )
        .await
        .unwrap();
    format!("posdesk_session={cookie}")
}

async fn figures_by_hand(app: TestApp) {
    seed(&app).await;
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    let r = app
        .get("/api/v1/complaints/stats?from=2026-02&to=2026-04", &officer)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let b = &r.body;
    assert_eq!(b["from"], "2026-02");
    assert_eq!(b["to"], "2026-04");
    assert_eq!(b["active_terminals"], 2);
    let months = b["months"].as_array().unwrap();
    let labels: Vec<&str> = months
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2026-02", "2026-03", "2026-04"]);

    // February: nothing, but every column is there.
    let feb = &months[0];
    assert_eq!(feb["total"], 0);
    assert_eq!(feb["by_category"].as_object().unwrap().len(), 9);
    assert_eq!(feb["by_channel"].as_object().unwrap().len(), 6);
    assert_eq!(feb["by_outcome"].as_object().unwrap().len(), 4);
    assert!(feb["decision_minutes_median"].is_null());
    assert!(feb["on_time_share"].is_null());
    assert_eq!(feb["per_1000_terminals"], 0.0);

    // March: decided after 120, 600, 1 800 and 24 000 minutes → median (rank 2 of 4) 600,
    // p90 (rank ⌈3.6⌉ = 4) 24 000; 3 of 4 by the deadline; one phone twice; 5 × 1000 / 2.
    let mar = &months[1];
    assert_eq!(mar["total"], 5);
    counts(
        &mar["by_category"],
        &[
            ("fees", 2),
            ("service_attitude", 1),
            ("repair_quality", 1),
            ("settlement", 1),
        ],
    );
    counts(
        &mar["by_channel"],
        &[("hotline", 2), ("branch", 1), ("email", 1), ("portal", 1)],
    );
    counts(
        &mar["by_outcome"],
        &[
            ("accepted", 1),
            ("no_response", 1),
            ("not_accepted", 1),
            ("open", 2),
        ],
    );
    assert_eq!(mar["decided"], 4);
    assert_eq!(mar["decision_minutes_median"], 600);
    assert_eq!(mar["decision_minutes_p90"], 24_000);
    assert_eq!(mar["on_time_share"], 0.75);
    assert_eq!(mar["repeat_complainants"], 1);
    assert_eq!(mar["per_1000_terminals"], 2500.0);

    // April: 1 April 07:00 in Shanghai is April, although it is 31 March in UTC. The same
    // phone as in March, but once this month: no repeat.
    let apr = &months[2];
    assert_eq!(apr["total"], 1);
    counts(&apr["by_category"], &[("fees", 1)]);
    counts(&apr["by_outcome"], &[("open", 1)]);
    assert_eq!(apr["decided"], 0);
    assert_eq!(apr["repeat_complainants"], 0);
    assert_eq!(apr["per_1000_terminals"], 500.0);

    // Every staff role with ComplaintStats sees the same; the other provider only its own.
    for role in [Role::ProviderAdmin, Role::Supervisor, Role::Auditor] {
        let r = app
            .get(
                "/api/v1/complaints/stats?from=2026-02&to=2026-04",
                &app.token(&app.a, role),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{role:?}");
        assert_eq!(r.body, *b, "{role:?}");
    }
    let rb = app
        .get(
            "/api/v1/complaints/stats?from=2026-03&to=2026-03",
            &app.token(&app.b, Role::Auditor),
        )
        .await;
    assert_eq!(rb.status, StatusCode::OK, "{rb:?}");
    let bm = &rb.body["months"][0];
    assert_eq!(bm["total"], 2);
    counts(&bm["by_category"], &[("privacy", 2)]);
    assert_eq!(bm["repeat_complainants"], 1);
    assert_eq!(bm["per_1000_terminals"], 1000.0);

    // Without a range: the last twelve months up to the current one.
    let r = app.get("/api/v1/complaints/stats", &officer).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let current = posdesk_core::complaint::stats::month_of(posdesk_storage::now());
    assert_eq!(r.body["to"], current.as_str());
    assert_eq!(r.body["months"].as_array().unwrap().len(), 12);
}

async fn exports(app: TestApp) {
    seed(&app).await;
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    let bearer = format!("Bearer {officer}");
    let (status, h, bytes) = raw_get(
        &app,
        "/api/v1/complaints/stats.csv?from=2026-02&to=2026-04",
        ("authorization", &bearer),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(h[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        h[header::CONTENT_DISPOSITION],
        "attachment; filename=\"complaint-stats-2026-02-2026-04.csv\""
    );
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "\u{feff}月份,投诉总数,收费问题,服务态度,维修质量,响应时效,资金结算,停机处置,非授权交易,个人信息保护,其他,\
             客服热线,商户门户,公众网页,网点,电子邮件,转办,接受处理结果,不接受处理结果,未回复,未办结,\
             已作出处理决定,决定用时中位数（小时）,决定用时 90 分位（小时）,按时决定率（%）,重复投诉人,每千台活跃终端投诉数",
            "2026-02,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,,0,0.00",
            "2026-03,5,2,1,1,0,1,0,0,0,0,2,1,0,1,1,0,1,1,1,2,4,10.0,400.0,75.0,1,2500.00",
            "2026-04,1,1,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,1,0,,,,0,500.00",
        ]
    );

    let (status, h, bytes) = raw_get(
        &app,
        "/api/v1/complaints/stats.xlsx?from=2026-02&to=2026-04",
        ("authorization", &bearer),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        h[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        h[header::CONTENT_DISPOSITION],
        "attachment; filename=\"complaint-stats-2026-02-2026-04.xlsx\""
    );
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip archive");
    use calamine::{Data, Reader};
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).expect("opens as XLSX");
    assert_eq!(wb.sheet_names(), ["投诉统计"]);
    let range = wb.worksheet_range("投诉统计").unwrap();
    assert_eq!(range.get_size(), (4, 27));
    assert_eq!(range.get((0, 0)), Some(&Data::String("月份".into())));
    assert_eq!(
        range.get((0, 26)),
        Some(&Data::String("每千台活跃终端投诉数".into()))
    );
    assert_eq!(range.get((2, 0)), Some(&Data::String("2026-03".into())));
    assert_eq!(range.get((2, 1)), Some(&Data::Float(5.0)));
    assert_eq!(range.get((2, 22)), Some(&Data::Float(10.0)));
    assert_eq!(range.get((2, 23)), Some(&Data::Float(400.0)));
    assert_eq!(range.get((2, 24)), Some(&Data::Float(75.0)));
    assert_eq!(range.get((2, 26)), Some(&Data::Float(2500.0)));
    // No decision in February: no figure, not a zero.
    assert!(matches!(range.get((1, 22)), None | Some(Data::Empty)));
}

async fn bad_ranges_and_roles(app: TestApp) {
    let officer = app.token(&app.a, Role::ComplaintsOfficer);
    for (q, field, rule) in [
        ("from=2026-13&to=2026-12", "from", "pattern"),
        ("from=2026-01&to=26-03", "to", "pattern"),
        ("from=2026-05&to=2026-04", "to", "invalid"),
        ("from=2024-01&to=2026-01", "to", "invalid"),
    ] {
        for path in ["stats", "stats.csv", "stats.xlsx"] {
            let r = app
                .get(&format!("/api/v1/complaints/{path}?{q}"), &officer)
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}?{q}: {r:?}"
            );
            assert_eq!(r.body["field"], field, "{path}?{q}");
            assert_eq!(r.body["rule"], rule, "{path}?{q}");
        }
    }
    // 24 months is the most.
    let r = app
        .get("/api/v1/complaints/stats?from=2024-02&to=2026-01", &officer)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["months"].as_array().unwrap().len(), 24);

    for role in [
        Role::MerchantUser,
        Role::TerminalAgent,
        Role::Agent,
        Role::Technician,
        Role::RiskOfficer,
        Role::PlatformAdmin,
    ] {
        for path in ["stats", "stats.csv", "stats.xlsx"] {
            let r = app
                .get(
                    &format!("/api/v1/complaints/{path}"),
                    &app.token(&app.a, role),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?} {path}: {r:?}");
        }
    }
    let r = app
        .call(
            axum::http::Method::GET,
            "/api/v1/complaints/stats",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn web_page(app: TestApp) {
    seed(&app).await;
    let sup = web_cookie(&app, app.a.users[&Role::Supervisor].0).await;
    let (status, _, body) = raw_get(
        &app,
        "/complaints/stats?from=2026-02&to=2026-04",
        ("cookie", &sup),
    )
    .await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("投诉统计"));
    assert!(html.contains("value=\"2026-02\"") && html.contains("value=\"2026-04\""));
    // Bars: four categories in March, one in April; the on-time line has March only.
    assert_eq!(html.matches("class=\"cstats-bar\"").count(), 5, "{html}");
    assert!(html.contains("2026-03 · 收费问题：2"));
    assert_eq!(html.matches("class=\"cstats-point\"").count(), 1);
    assert!(html.contains("2026-03：75.0%"));
    assert!(html.contains("id=\"cstats-month-2026-03\""));
    assert!(html.contains("<td class=\"mono\">2500.00</td>"));
    assert!(html.contains("href=\"/complaints/stats.csv?from=2026-02&#38;to=2026-04\""));
    assert!(html.contains("href=\"/complaints/stats.xlsx?from=2026-02&#38;to=2026-04\""));
    assert!(!html.contains("<script"));

    let (status, h, body) = raw_get(
        &app,
        "/complaints/stats.csv?from=2026-03&to=2026-03",
        ("cookie", &sup),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(String::from_utf8(body).unwrap().contains("\n2026-03,5,"));
    let (status, _, body) = raw_get(
        &app,
        "/complaints/stats.xlsx?from=2026-03&to=2026-03",
        ("cookie", &sup),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with(b"PK\x03\x04"));

    // A range error stays on the page, in words.
    let (status, _, body) = raw_get(
        &app,
        "/complaints/stats?from=2026-05&to=2026-04",
        ("cookie", &sup),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("截止月份不能早于起始月份")
    );

    // The other provider's staff see their own figures only; merchant users none.
    let b_sup = web_cookie(&app, app.b.users[&Role::Supervisor].0).await;
    let (status, _, body) = raw_get(
        &app,
        "/complaints/stats?from=2026-03&to=2026-03",
        ("cookie", &b_sup),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("2026-03 · 个人信息保护：2"));
    assert!(!html.contains("收费问题："));
    let me = web_cookie(&app, app.a.users[&Role::MerchantUser].0).await;
    for path in [
        "/complaints/stats",
        "/complaints/stats.csv",
        "/complaints/stats.xlsx",
    ] {
        let (status, _, _) = raw_get(&app, path, ("cookie", &me)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

app_tests!(figures_by_hand, exports, bad_ranges_and_roles, web_page);
