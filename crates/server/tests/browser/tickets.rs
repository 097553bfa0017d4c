//! Service tickets (工单) in the web UI.
//!
//! In-process: the ticket pages per role (403 without the permission, 404 for another
//! provider's ticket or another merchant's), internal notes hidden from the merchant, the intake
//! and ticket forms with their errors shown in place (missing subject, unknown MID, empty reply,
//! an illegal status step, a stale version, a bad team code, a staff form posted by a merchant),
//! the queues and their SLA badges (remaining working time, breached after the scan), the bulk
//! assignment, and CSRF on every POST.
//!
//! In a real headless Chromium: the merchant reports a fault in the portal; an agent opens it
//! from the queue and replies; the badge shows the remaining working time; the ticket is
//! backdated (storage) and the SLA scan fires its escalations, so it shows as breached and moves
//! to the supervisors' team; the agent triages and resolves; the merchant sees it resolved.

use super::*;
use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::authz::Principal;
use posdesk_core::ids::TicketId;
use posdesk_core::ticket::{Category, Channel, Priority, TicketKind};
use posdesk_storage::{Applied, Conn, Mutation};

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

/// The seed's terminal (placed at the seed's merchant).
async fn seed_terminal(state: &AppState, seed: &Seed) -> TerminalId {
    let p = principal(seed, Role::Agent);
    let ctx = Ctx::new(state, &p, "test");
    service::directory::terminals(&ctx, PageRequest::first(10))
        .await
        .map_err(fail)
        .unwrap()
        .items[0]
        .id
}

/// A ticket opened through the service by `p` for `merchant`.
async fn open_ticket(
    state: &AppState,
    p: &Principal,
    merchant: MerchantId,
    terminal: Option<TerminalId>,
    subject: &str,
) -> TicketId {
    let ctx = Ctx::new(state, p, "test");
    service::tickets::create(
        &ctx,
        service::tickets::NewTicket {
            kind: TicketKind::Fault,
            channel: Channel::Hotline,
            category: Category::CardReading,
            priority: Priority::P3,
            merchant: Some(merchant),
            terminal,
            subject: subject.into(),
            description: "插卡后终端无提示，扫码正常。".into(),
            tags: Vec::new(),
        },
    )
    .await
    .map_err(fail)
    .unwrap()
    .id
}

async fn detail(state: &AppState, seed: &Seed, id: TicketId) -> service::tickets::TicketDetail {
    let p = principal(seed, Role::Agent);
    service::tickets::get(&Ctx::new(state, &p, "test"), id)
        .await
        .map_err(fail)
        .unwrap()
}

/// Another merchant of the seed's provider.
async fn other_merchant(state: &AppState, tenant: TenantId, mid: &str) -> MerchantId {
    let principal = operator_principal();
    let ctx = Ctx::operator(state, &principal, "test");
    ctx.write(
        ctx.meta(),
        merchants::CreateMerchant {
            id: MerchantId::from_uuid(Uuid::now_v7()),
            tenant,
            name: "李记烧烤".into(),
            mid: mid.into(),
            contact_name: None,
            contact_phone: None,
            address: None,
            registry: None,
        },
    )
    .await
    .map_err(fail)
    .unwrap()
    .id
}

/// The id in a `/tickets/{id}` redirect.
fn created_id(p: &Page) -> TicketId {
    let loc = p.location.as_deref().unwrap_or_default();
    let raw = loc
        .strip_prefix("/tickets/")
        .unwrap_or_else(|| panic!("not a ticket page: {loc}"));
    TicketId::parse("id", raw).unwrap()
}

/// The text of the element with `id` (up to its first closing tag).
fn text_of(body: &str, id: &str) -> Option<String> {
    let at = body.find(&format!("id=\"{id}\""))?;
    let start = at + body[at..].find('>')? + 1;
    let end = start + body[start..].find('<')?;
    Some(body[start..end].to_owned())
}

/// Whether `s` is a remaining-working-time badge: `剩余 3 小时 20 分（工作时间）` or
/// `剩余 20 分（工作时间）`.
fn is_remaining_working(s: &str) -> bool {
    let Some(inner) = s
        .strip_prefix("剩余 ")
        .and_then(|r| r.strip_suffix(" 分（工作时间）"))
    else {
        return false;
    };
    match inner.split_once(" 小时 ") {
        Some((h, m)) => {
            h.parse::<u32>().is_ok() && m.parse::<u32>().is_ok_and(|m| m < 60) && !h.is_empty()
        }
        None => inner.parse::<u32>().is_ok_and(|m| m < 60),
    }
}

struct Backdate {
    id: TicketId,
    at: Timestamp,
}

impl Mutation for Backdate {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _: &'a posdesk_storage::Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "UPDATE tickets SET created_at = $1, next_check = 1 WHERE id = $2",
                &[self.at.into(), self.id.into()],
            )
            .await?;
            c.execute(
                "UPDATE ticket_status_history SET at = $1 WHERE ticket_id = $2",
                &[self.at.into(), self.id.into()],
            )
            .await?;
            Ok(Applied::unaudited(()))
        })
    }
}

/// Moves a ticket's creation `days` back and runs the SLA scan: its escalations fire.
async fn backdate_and_scan(state: &AppState, id: TicketId, days: i64) -> usize {
    state
        .store
        .write(
            posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "t"),
            Backdate {
                id,
                at: Timestamp::from_millis(posdesk_storage::now().millis() - days * 86_400_000),
            },
        )
        .await
        .unwrap();
    service::tickets::scan(state, posdesk_storage::now(), 100)
        .await
        .map_err(fail)
        .unwrap()
        .escalations
}

// ---------------------------------------------------------------------------------------------
// In-process tests.

/// Every ticket page per role; other providers' and other merchants' tickets are 404.
async fn ticket_pages_answer_per_role(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let terminal = seed_terminal(&app.state, seed).await;
    let agent = principal(seed, Role::Agent);
    let id = open_ticket(
        &app.state,
        &agent,
        seed.merchant,
        Some(terminal),
        "刷卡无反应",
    )
    .await;
    // Another merchant's ticket at the same provider.
    let other_m = other_merchant(&app.state, seed.tenant, "102330158120002").await;
    let other_m_ticket = open_ticket(&app.state, &agent, other_m, None, "打印机卡纸").await;
    // Another provider's ticket.
    let operator = operator_principal();
    let octx = Ctx::operator(&app.state, &operator, "test");
    let other = service::providers::create(
        &octx,
        service::providers::NewProvider {
            name: DisplayName::parse("name", "另一家服务商").unwrap(),
            short_name: Label::parse("short_name", "另一家").unwrap(),
            uscc: None,
            hotline: None,
        },
    )
    .await
    .map_err(fail)
    .unwrap()
    .id;
    let foreign_m = other_merchant(&app.state, other, "102330158120003").await;
    let foreign_agent = Principal::new(
        UserId::from_uuid(Uuid::now_v7()),
        Role::Agent,
        Some(other),
        None,
        None,
    )
    .unwrap();
    let foreign = open_ticket(&app.state, &foreign_agent, foreign_m, None, "外省工单").await;

    for role in WEB_ROLES {
        let mut c = app.client();
        c.sign_in(seed.login(role)).await;
        let read = role.allows(Permission::TicketRead);
        let create = role.allows(Permission::TicketCreate);
        let list = c.get("/tickets?view=all").await;
        if !read {
            list.expect(StatusCode::FORBIDDEN);
            c.get(&format!("/tickets/{id}"))
                .await
                .expect(StatusCode::FORBIDDEN);
            c.get("/tickets/new").await.expect(StatusCode::FORBIDDEN);
            let home = c.get("/").await;
            assert!(!home.has("id=\"nav-tickets\""), "{role:?}");
            continue;
        }
        list.expect(StatusCode::OK);
        assert!(list.has("id=\"nav-tickets\""), "{role:?}");
        assert!(list.has("id=\"ticket-T-"), "{role:?} sees the ticket");
        let page = c.get(&format!("/tickets/{id}")).await;
        page.expect(StatusCode::OK);
        assert!(page.has("刷卡无反应") && page.has("id=\"clock-resolution\""));
        c.get(&format!("/tickets/{foreign}"))
            .await
            .expect(StatusCode::NOT_FOUND);
        c.get("/tickets/not-a-ticket")
            .await
            .expect(StatusCode::NOT_FOUND);
        c.get("/tickets?view=sideways")
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        c.get("/tickets/new").await.expect(if create {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        });
        let other_page = c.get(&format!("/tickets/{other_m_ticket}")).await;
        if role == Role::MerchantUser {
            other_page.expect(StatusCode::NOT_FOUND);
            assert!(list.has("我的报修"), "the portal's name");
            assert!(!list.has("打印机卡纸"), "only its own tickets");
            assert!(list.has("id=\"support\""), "the provider's service hours");
            assert!(!page.has("id=\"note-form\"") && !page.has("id=\"transition-form\""));
            assert!(page.has("id=\"reply-form\""));
        } else {
            other_page.expect(StatusCode::OK);
            assert!(list.has("id=\"view-mine\"") == role.allows(Permission::TicketWork));
        }
    }

    // An internal note is shown to staff, marked, and hidden from the merchant.
    let mut a = app.client();
    a.sign_in(seed.login(Role::Agent)).await;
    a.get(&format!("/tickets/{id}"))
        .await
        .expect(StatusCode::OK);
    let v = detail(&app.state, seed, id).await.view.ticket.version;
    a.post(
        &format!("/tickets/{id}/note"),
        &[
            ("body", "商户上次也报过读卡问题"),
            ("version", &v.to_string()),
        ],
    )
    .await
    .redirects_to(&format!("/tickets/{id}"));
    let staff_view = a.get(&format!("/tickets/{id}")).await;
    assert!(staff_view.has("商户上次也报过读卡问题") && staff_view.has("message-internal"));
    let mut m = app.client();
    m.sign_in(seed.login(Role::MerchantUser)).await;
    let merchant_view = m.get(&format!("/tickets/{id}")).await;
    merchant_view.expect(StatusCode::OK);
    assert!(!merchant_view.has("商户上次也报过读卡问题"));
    // The duplicate warning names the other open ticket on the terminal.
    let dup = open_ticket(
        &app.state,
        &agent,
        seed.merchant,
        Some(terminal),
        "又不能刷卡",
    )
    .await;
    let dup_page = a.get(&format!("/tickets/{dup}")).await;
    let first_number = detail(&app.state, seed, id).await.view.ticket.number;
    assert!(dup_page.has("id=\"ticket-duplicates\"") && dup_page.has(&first_number));
}

/// The intake and ticket forms; every error is shown on the form that caused it.
async fn ticket_forms_work_and_show_errors_in_place(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let terminal = seed_terminal(&app.state, seed).await.to_string();
    let merchant = seed.merchant.to_string();
    let mut a = app.client();
    a.sign_in(seed.login(Role::Agent)).await;
    let form = a.get("/tickets/new").await;
    form.expect(StatusCode::OK);
    assert!(form.has("autofocus") && form.has("张记面馆"));

    // No subject: 422 with the typed description kept.
    let p = a
        .post(
            "/tickets",
            &[
                ("merchant_id", merchant.as_str()),
                ("terminal_id", terminal.as_str()),
                ("category", "card_reading"),
                ("priority", "p3"),
                ("channel", "hotline"),
                ("subject", ""),
                ("description", "插卡无反应"),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"ticket-error\"") && p.has("插卡无反应") && p.has("主题"));
    // Neither a merchant nor a MID.
    let p = a
        .post(
            "/tickets",
            &[
                ("category", "card_reading"),
                ("subject", "刷卡无反应"),
                ("description", "插卡无反应"),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"ticket-error\""));
    // An unknown MID.
    let p = a
        .post(
            "/tickets",
            &[
                ("mid", "999999999999999"),
                ("category", "card_reading"),
                ("subject", "刷卡无反应"),
                ("description", "插卡无反应"),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"ticket-error\"") && p.has("999999999999999"));
    // A bad category.
    a.post(
        "/tickets",
        &[
            ("merchant_id", merchant.as_str()),
            ("category", "weather"),
            ("subject", "刷卡无反应"),
            ("description", "插卡无反应"),
        ],
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    // By MID: created, on the hotline channel.
    let p = a
        .post(
            "/tickets",
            &[
                ("mid", "102330158120001"),
                ("terminal_id", terminal.as_str()),
                ("category", "card_reading"),
                ("priority", "p3"),
                ("channel", "hotline"),
                ("subject", "刷卡无反应"),
                ("description", "插卡后终端无提示"),
            ],
        )
        .await;
    p.redirects_to("/tickets/");
    let id = created_id(&p);
    let page = a.get(&format!("/tickets/{id}")).await;
    page.expect(StatusCode::OK);
    assert!(page.has("工单已创建") && page.has("客服热线"));
    let d = detail(&app.state, seed, id).await;
    assert_eq!(d.view.ticket.merchant_id, seed.merchant);
    let number = d.view.ticket.number.clone();

    // The queue: the row's SLA badge shows the remaining working time.
    let list = a.get("/tickets?view=unassigned").await;
    list.expect(StatusCode::OK);
    let row = format!("ticket-{number}");
    assert!(list.has(&format!("id=\"{row}\"")));
    let row_html = &list.body[list.body.find(&format!("id=\"{row}\"")).unwrap()..];
    let badge_at = row_html.find("class=\"badge sla ").unwrap();
    let badge_text = {
        let s = &row_html[badge_at..];
        let start = s.find('>').unwrap() + 1;
        let end = s.find('<').unwrap();
        s[start..end].to_owned()
    };
    assert!(is_remaining_working(&badge_text), "{badge_text}");
    assert!(!list.has("剩余 -"), "never a negative remainder");

    let version = |d: &service::tickets::TicketDetail| d.view.ticket.version.to_string();
    // An empty reply.
    let v = version(&detail(&app.state, seed, id).await);
    let p = a
        .post(
            &format!("/tickets/{id}/reply"),
            &[("body", "  "), ("version", &v)],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"reply-error\""));
    // A stale version: 412 on the form, the text kept.
    let p = a
        .post(
            &format!("/tickets/{id}/reply"),
            &[("body", "我们已收到报修"), ("version", "999")],
        )
        .await;
    assert!(
        p.status == StatusCode::PRECONDITION_FAILED || p.status == StatusCode::CONFLICT,
        "{}",
        p.status
    );
    assert!(p.has("id=\"reply-error\"") && p.has("我们已收到报修"));
    // The reply: the first response is met.
    a.post(
        &format!("/tickets/{id}/reply"),
        &[
            ("body", "我们已收到报修，工程师将联系您。"),
            ("version", &v),
        ],
    )
    .await
    .redirects_to(&format!("/tickets/{id}"));
    let d = detail(&app.state, seed, id).await;
    assert!(d.view.ticket.first_response_at.is_some());
    let page = a.get(&format!("/tickets/{id}")).await;
    assert!(page.has("data-state=\"met\""), "first response met");
    // An illegal step (resolve from new): 409 on the status form.
    let v = version(&d);
    let p = a
        .post(
            &format!("/tickets/{id}/transition"),
            &[("event", "resolve"), ("version", &v)],
        )
        .await;
    p.expect(StatusCode::CONFLICT);
    assert!(p.has("id=\"transition-error\""));
    a.post(
        &format!("/tickets/{id}/transition"),
        &[("event", "bogus"), ("version", &v)],
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    // Triage: open; the buttons follow the status.
    a.post(
        &format!("/tickets/{id}/transition"),
        &[("event", "triage"), ("version", &v)],
    )
    .await
    .redirects_to(&format!("/tickets/{id}"));
    let page = a.get(&format!("/tickets/{id}")).await;
    assert!(page.has("data-status=\"open\"") && page.has("id=\"event-resolve\""));
    assert!(!page.has("id=\"event-triage\""));
    // Assignment: a bad team code, then the agent and a team.
    let d = detail(&app.state, seed, id).await;
    let v = version(&d);
    let agent_id = seed.id(Role::Agent).to_string();
    let p = a
        .post(
            &format!("/tickets/{id}/assign"),
            &[
                ("assignee_id", &agent_id),
                ("team", "现场 组"),
                ("version", &v),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"assign-error\""));
    a.post(
        &format!("/tickets/{id}/assign"),
        &[
            ("assignee_id", &agent_id),
            ("team", "field"),
            ("version", &v),
        ],
    )
    .await
    .redirects_to(&format!("/tickets/{id}"));
    let d = detail(&app.state, seed, id).await;
    assert_eq!(d.view.ticket.assignee_id, Some(seed.id(Role::Agent)));
    assert_eq!(d.view.ticket.team.as_deref(), Some("field"));
    assert!(a.get("/tickets?view=mine").await.has(&row));
    // The assignment form keeps the current assignee selected (changing the team alone does
    // not release the ticket).
    let page = a.get(&format!("/tickets/{id}")).await;
    assert!(page.has(&format!("<option value=\"{agent_id}\" selected>")));
    // Priority: a bad one, then P2.
    let v = version(&d);
    a.post(
        &format!("/tickets/{id}/priority"),
        &[("priority", "p9"), ("version", &v)],
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
    a.post(
        &format!("/tickets/{id}/priority"),
        &[("priority", "p2"), ("version", &v)],
    )
    .await
    .redirects_to(&format!("/tickets/{id}"));
    assert_eq!(
        detail(&app.state, seed, id).await.view.ticket.priority,
        Priority::P2
    );

    // The merchant reports a fault in the portal: its own merchant, the portal channel.
    let mut m = app.client();
    m.sign_in(seed.login(Role::MerchantUser)).await;
    let form = m.get("/tickets/new").await;
    form.expect(StatusCode::OK);
    assert!(form.has("00001234567890") && !form.has("id=\"ticket-merchant\""));
    let p = m
        .post(
            "/tickets",
            &[
                ("terminal_id", terminal.as_str()),
                ("category", "printing"),
                ("description", ""),
            ],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"ticket-error\""));
    let p = m
        .post(
            "/tickets",
            &[
                ("terminal_id", terminal.as_str()),
                ("category", "printing"),
                ("description", "小票打印不出来\n纸是新换的"),
            ],
        )
        .await;
    p.redirects_to("/tickets/");
    let mid_ticket = created_id(&p);
    let d = detail(&app.state, seed, mid_ticket).await;
    assert_eq!(d.view.ticket.channel, Channel::Portal);
    assert_eq!(d.view.ticket.subject, "小票打印不出来");
    let mine = m.get("/tickets").await;
    assert!(mine.has(&d.view.ticket.number) && mine.has("预计解决"));
    // Staff forms are refused to the merchant (403), its reply works.
    let v = version(&d);
    m.post(
        &format!("/tickets/{mid_ticket}/note"),
        &[("body", "内部"), ("version", &v)],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    m.post(
        &format!("/tickets/{mid_ticket}/transition"),
        &[("event", "triage"), ("version", &v)],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    m.post(
        &format!("/tickets/{mid_ticket}/reply"),
        &[("body", "今天上午 10 点前都在店里"), ("version", &v)],
    )
    .await
    .redirects_to(&format!("/tickets/{mid_ticket}"));
    // Reopen before it is resolved: 409 on the page; after resolution it works.
    let v = version(&detail(&app.state, seed, id).await);
    m.post(&format!("/tickets/{id}/reopen"), &[("version", &v)])
        .await
        .expect(StatusCode::CONFLICT);
    a.post(
        &format!("/tickets/{id}/transition"),
        &[("event", "resolve"), ("version", &v)],
    )
    .await
    .redirects_to(&format!("/tickets/{id}"));
    let page = m.get(&format!("/tickets/{id}")).await;
    assert!(page.has("data-status=\"resolved\"") && page.has("id=\"reopen-form\""));
    let v = version(&detail(&app.state, seed, id).await);
    m.post(&format!("/tickets/{id}/reopen"), &[("version", &v)])
        .await
        .redirects_to(&format!("/tickets/{id}"));
    assert!(
        m.get(&format!("/tickets/{id}"))
            .await
            .has("data-status=\"open\"")
    );

    // Bulk: assign the merchant's report to me, then set its team.
    let key = mid_ticket.to_string();
    let p = a
        .post(
            "/tickets/bulk",
            &[("view", "unassigned"), ("action", "assign_me")],
        )
        .await;
    p.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.has("id=\"bulk-error\""));
    a.post(
        "/tickets/bulk",
        &[
            ("view", "unassigned"),
            ("ticket", key.as_str()),
            ("action", "assign_me"),
        ],
    )
    .await
    .redirects_to("/tickets?view=unassigned");
    a.post(
        "/tickets/bulk",
        &[
            ("view", "mine"),
            ("ticket", key.as_str()),
            ("action", "team"),
            ("team", "printing"),
        ],
    )
    .await
    .redirects_to("/tickets?view=mine");
    let d = detail(&app.state, seed, mid_ticket).await;
    assert_eq!(d.view.ticket.assignee_id, Some(seed.id(Role::Agent)));
    assert_eq!(d.view.ticket.team.as_deref(), Some("printing"));
}

/// Overdue tickets: after the scan the badge is red, the queue lists them as breached, and the
/// escalation moved them to the supervisors' team.
async fn breached_tickets_show_in_the_queue(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let agent = principal(seed, Role::Agent);
    let id = open_ticket(&app.state, &agent, seed.merchant, None, "整机无法开机").await;
    let mut a = app.client();
    a.sign_in(seed.login(Role::Agent)).await;
    let number = detail(&app.state, seed, id).await.view.ticket.number;
    assert!(!a.get("/tickets?view=breached").await.has(&number));
    let fired = backdate_and_scan(&app.state, id, 20).await;
    assert!(fired >= 3, "{fired}");
    let list = a.get("/tickets?view=breached").await;
    list.expect(StatusCode::OK);
    assert!(list.has(&number) && list.has("sla-breached") && list.has("已超时"));
    let page = a.get(&format!("/tickets/{id}")).await;
    assert!(page.has("id=\"ticket-breached\""));
    assert_eq!(
        text_of(&page.body, "ticket-team").as_deref(),
        Some("supervisors")
    );
    let due = a.get("/tickets?view=due_soon").await;
    due.expect(StatusCode::OK);
}

/// Every ticket POST refuses a missing or wrong CSRF token, and changes nothing.
async fn ticket_posts_need_csrf(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let agent = principal(seed, Role::Agent);
    let id = open_ticket(&app.state, &agent, seed.merchant, None, "刷卡无反应").await;
    let mut a = app.client();
    a.sign_in(seed.login(Role::Agent)).await;
    a.get("/tickets").await.expect(StatusCode::OK);
    let before = detail(&app.state, seed, id).await.view.ticket;
    let v = before.version.to_string();
    let key = id.to_string();
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/tickets".into(),
            vec![
                ("merchant_id", ""),
                ("category", "other"),
                ("subject", "x"),
                ("description", "y"),
            ],
        ),
        (
            "/tickets/bulk".into(),
            vec![("ticket", key.as_str()), ("action", "assign_me")],
        ),
        (
            format!("/tickets/{id}/reply"),
            vec![("body", "回复"), ("version", v.as_str())],
        ),
        (
            format!("/tickets/{id}/note"),
            vec![("body", "备注"), ("version", v.as_str())],
        ),
        (
            format!("/tickets/{id}/transition"),
            vec![("event", "triage"), ("version", v.as_str())],
        ),
        (
            format!("/tickets/{id}/assign"),
            vec![("team", "field"), ("version", v.as_str())],
        ),
        (
            format!("/tickets/{id}/priority"),
            vec![("priority", "p1"), ("version", v.as_str())],
        ),
        (
            format!("/tickets/{id}/reopen"),
            vec![("version", v.as_str())],
        ),
    ];
    for (path, fields) in &posts {
        a.post_raw(path, fields, &[])
            .await
            .expect(StatusCode::FORBIDDEN);
        let mut wrong = vec![("_csrf", "not-the-token")];
        wrong.extend_from_slice(fields);
        a.post_raw(path, &wrong, &[])
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    let after = detail(&app.state, seed, id).await;
    assert_eq!(after.view.ticket.version, before.version, "nothing changed");
    assert!(after.messages.is_empty());
    // With the token the same reply works.
    a.post(
        &format!("/tickets/{id}/reply"),
        &[("body", "回复"), ("version", v.as_str())],
    )
    .await
    .redirects_to(&format!("/tickets/{id}"));
    // A GET on a form's action goes back to the ticket.
    a.get(&format!("/tickets/{id}/reply"))
        .await
        .redirects_to(&format!("/tickets/{id}"));
}

/// The late-fix notice, merge and split forms on the ticket page: refusals shown in place, the
/// merchant sees the new estimate, linked tickets link to each other.
async fn late_notice_merge_and_split_forms(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let agent = principal(seed, Role::Agent);
    let late = open_ticket(&app.state, &agent, seed.merchant, None, "整机无法开机").await;
    let dup = open_ticket(&app.state, &agent, seed.merchant, None, "开不了机（重复）").await;
    let mut a = app.client();
    a.sign_in(seed.login(Role::Agent)).await;
    let version = |d: &service::tickets::TicketDetail| d.view.ticket.version.to_string();

    // Not late yet: 409 in place.
    let d = detail(&app.state, seed, late).await;
    let estimate = Timestamp::from_millis(posdesk_storage::now().millis() + 5 * 86_400_000)
        .to_shanghai_input();
    let page = a
        .post(
            &format!("/tickets/{late}/late-notice"),
            &[
                ("version", version(&d).as_str()),
                ("reason", "等待主板配件"),
                ("new_estimate", estimate.as_str()),
            ],
        )
        .await;
    page.expect(StatusCode::CONFLICT);
    assert!(page.has("id=\"late-error\"") && page.has("等待主板配件"));
    backdate_and_scan(&app.state, late, 30).await;
    let d = detail(&app.state, seed, late).await;
    a.post(
        &format!("/tickets/{late}/late-notice"),
        &[
            ("version", version(&d).as_str()),
            ("reason", "等待主板配件"),
            ("new_estimate", estimate.as_str()),
        ],
    )
    .await
    .redirects_to(&format!("/tickets/{late}"));
    let shown = estimate.replace('T', " ");
    let page = a.get(&format!("/tickets/{late}")).await;
    assert!(page.has("id=\"ticket-late-notices\"") && page.has("等待主板配件"));
    let mut m = app.client();
    m.sign_in(seed.login(Role::MerchantUser)).await;
    let portal = m.get(&format!("/tickets/{late}")).await;
    portal.expect(StatusCode::OK);
    let at = portal
        .body
        .find("id=\"ticket-expected-fix\"")
        .expect("expected fix shown");
    let para: String = portal.body[at..].chars().take(120).collect();
    assert!(para.contains(&shown), "{para}");
    assert!(!portal.has("id=\"merge-form\"") && !portal.has("id=\"late-form\""));

    // Merge the duplicate by the other ticket's number.
    let d = detail(&app.state, seed, dup).await;
    let page = a
        .post(
            &format!("/tickets/{dup}/merge"),
            &[
                ("version", version(&d).as_str()),
                ("target", "T-19990101-0001"),
            ],
        )
        .await;
    page.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.has("id=\"merge-error\""));
    let target = detail(&app.state, seed, late).await.view.ticket.number;
    a.post(
        &format!("/tickets/{dup}/merge"),
        &[
            ("version", version(&d).as_str()),
            ("target", target.to_lowercase().as_str()),
        ],
    )
    .await
    .redirects_to(&format!("/tickets/{late}"));
    let page = a.get(&format!("/tickets/{late}")).await;
    let dup_number = detail(&app.state, seed, dup).await.view.ticket.number;
    assert!(page.has("id=\"ticket-links\"") && page.has("合并自") && page.has(&dup_number));
    let page = a.get(&format!("/tickets/{dup}")).await;
    assert!(page.has("已合并到") && !page.has("id=\"merge-form\""));

    // Split a second problem off.
    let d = detail(&app.state, seed, late).await;
    let page = a
        .post(
            &format!("/tickets/{late}/split"),
            &[
                ("version", version(&d).as_str()),
                ("category", "printing"),
                ("subject", ""),
                ("description", "小票打印很淡"),
            ],
        )
        .await;
    page.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.has("id=\"split-error\"") && page.has("小票打印很淡"));
    let page = a
        .post(
            &format!("/tickets/{late}/split"),
            &[
                ("version", version(&d).as_str()),
                ("category", "printing"),
                ("subject", "小票打印不清"),
                ("description", "小票打印很淡"),
            ],
        )
        .await;
    page.redirects_to("/tickets/");
    let new_page = a.get(page.location.as_deref().unwrap_or_default()).await;
    new_page.expect(StatusCode::OK);
    assert!(new_page.has("拆分自") && new_page.has(&target) && new_page.has("小票打印不清"));
}

/// The portal's fault report with a photo: the ticket and its file are written together; a
/// file that is not what it claims refuses the whole report (no ticket without its photos).
async fn portal_report_carries_photos(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let mut m = app.client();
    m.sign_in(seed.login(Role::MerchantUser)).await;
    m.get("/tickets/new").await.expect(StatusCode::OK);
    let csrf = m.csrf();
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
    let count = |state: &AppState| {
        let state = state.clone();
        async move {
            state
                .store
                .read(|c| {
                    Box::pin(async move {
                        c.query_one("SELECT COUNT(*) FROM tickets", &[])
                            .await?
                            .int(0)
                    })
                })
                .await
                .unwrap()
        }
    };
    let before = count(&app.state).await;
    let refused = m
        .post_multipart(
            "/tickets",
            &[
                ("_csrf", csrf.as_str()),
                ("category", "hardware"),
                ("description", "屏幕碎了"),
            ],
            &[("photo", "screen.png", b"%PDF-1.4 not an image")],
        )
        .await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.has("id=\"ticket-error\""), "{}", refused.body);
    assert_eq!(
        count(&app.state).await,
        before,
        "no ticket without its photo"
    );
    let ok = m
        .post_multipart(
            "/tickets",
            &[
                ("_csrf", csrf.as_str()),
                ("category", "hardware"),
                ("description", "屏幕碎了"),
            ],
            &[("photo", "screen.png", png), ("photo", "", b"")],
        )
        .await;
    ok.redirects_to("/tickets/");
    let page = m.get(ok.location.as_deref().unwrap_or_default()).await;
    page.expect(StatusCode::OK);
    assert!(page.has("screen.png"), "{}", page.body);
    assert_eq!(count(&app.state).await, before + 1);
}

posdesk_storage::both_backends!(
    portal_report_carries_photos,
    ticket_pages_answer_per_role,
    ticket_forms_work_and_show_errors_in_place,
    breached_tickets_show_in_the_queue,
    ticket_posts_need_csrf,
    late_notice_merge_and_split_forms,
);

// ---------------------------------------------------------------------------------------------
// Real browser: from the merchant's report to its resolution.

async fn attr(ui: &Ui<'_>, css: &str, name: &str) -> anyhow::Result<String> {
    Ok(ui
        .b
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("finding {css}"))?
        .attr(name)
        .await?
        .unwrap_or_default())
}

async fn ticket_journey(ui: &Ui<'_>, state: &AppState, seed: &Seed) -> anyhow::Result<()> {
    // The merchant reports a fault in the portal.
    ui.sign_in(seed.login(Role::MerchantUser)).await?;
    ui.click_nav("#nav-tickets").await?;
    ui.wait_for("#tickets").await?;
    ensure!(
        ui.text("#tickets-title").await? == "我的报修",
        "the portal's name"
    );
    ensure!(ui.exists("#support").await?, "service hours and hotlines");
    ui.click_nav("#new-ticket").await?;
    ui.wait_for("#ticket-new-form").await?;
    ui.b.find(Locator::Css("#ticket-terminal option:nth-child(2)"))
        .await?
        .click()
        .await?;
    ui.b.find(Locator::Css(
        "#ticket-category option[value='card_reading']",
    ))
    .await?
    .click()
    .await?;
    ui.fill("#ticket-description", "插卡后没有反应，扫码可以")
        .await?;
    ui.click_nav("#ticket-submit").await?;
    ui.wait_for("#ticket-number").await?;
    let number = ui.text("#ticket-number").await?;
    ensure!(number.starts_with("T-"), "numbered: {number}");
    ensure!(
        attr(ui, "#ticket-status", "data-status").await? == "new",
        "new"
    );
    let page_url = ui.b.current_url().await?;
    let id = TicketId::parse(
        "id",
        page_url
            .path()
            .strip_prefix("/tickets/")
            .context("a ticket page")?,
    )?;
    ui.sign_out().await?;

    // An agent opens it from the unassigned queue and replies.
    ui.sign_in(seed.login(Role::Agent)).await?;
    ui.click_nav("#nav-tickets").await?;
    ui.wait_for("#ticket-views").await?;
    ui.click_nav("#view-unassigned").await?;
    ui.wait_for(&format!("#ticket-{number}")).await?;
    ui.click_nav(&format!("#ticket-{number} a.ticket-link"))
        .await?;
    ui.wait_for("#reply-form").await?;
    ui.fill("#reply-body", "您好，已收到报修，工程师今天联系您。")
        .await?;
    ui.click_nav("#reply-submit").await?;
    ui.wait_for("#ticket-messages .message").await?;
    // The badge shows the remaining working time.
    let badge = ui.text("#ticket-sla").await?;
    ensure!(
        is_remaining_working(&badge),
        "remaining working time: {badge}"
    );
    ensure!(
        attr(ui, "#clock-first_response", "data-state").await? == "met",
        "first response met"
    );

    // Twenty days later (backdated) the scan escalates: breached, to the supervisors' team.
    let fired = backdate_and_scan(state, id, 20).await;
    ensure!(fired >= 1, "escalations fired: {fired}");
    ui.goto(&format!("/tickets/{id}")).await?;
    ui.wait_for("#ticket-breached").await?;
    ensure!(
        ui.text("#ticket-team").await? == "supervisors",
        "moved to the supervisors' team"
    );
    ensure!(
        attr(ui, "#ticket-sla", "class")
            .await?
            .contains("sla-breached"),
        "a red badge"
    );
    ui.goto("/tickets?view=breached").await?;
    ui.wait_for(&format!("#ticket-{number}")).await?;

    // The agent triages and resolves.
    ui.goto(&format!("/tickets/{id}")).await?;
    ui.wait_for("#event-triage").await?;
    ui.click_nav("#event-triage").await?;
    ui.wait_for("#event-resolve").await?;
    ui.click_nav("#event-resolve").await?;
    ui.wait_for("#ticket-status[data-status='resolved']")
        .await?;
    ui.sign_out().await?;

    // The merchant sees it resolved, and may reopen it.
    ui.sign_in(seed.login(Role::MerchantUser)).await?;
    ui.goto("/tickets").await?;
    ui.wait_for(&format!("#ticket-{number}[data-status='resolved']"))
        .await?;
    ui.click_nav(&format!("#ticket-{number} a.ticket-link"))
        .await?;
    ui.wait_for("#reopen-form").await?;
    ensure!(
        ui.text("#ticket-status").await? == "已解决",
        "resolved in Chinese"
    );
    ui.sign_out().await?;
    Ok(())
}

async fn tickets_in_browser(loc: Location, tag: &str) {
    in_chromium(loc, "tickets", tag, |ui, state, seed, _| {
        Box::pin(ticket_journey(ui, state, seed))
    })
    .await;
}

mod chromium {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ticket_journey_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::tickets_in_browser(loc, "sqlite").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ticket_journey_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::tickets_in_browser(loc, "postgres").await;
        }
    }
}
