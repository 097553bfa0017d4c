//! Complaints (投诉) in the web UI.
//!
//! In-process, on both engines: the pages per role (403 without `ComplaintRead`, a merchant
//! user sees only their merchant's complaints and gets 404 on another's, internal notes hidden
//! from them), the list in Chinese and English, the overdue dashboard in red, the staff intake
//! and step forms with their errors shown next to the field (or above the form when no field
//! is to blame: a stale version, the first decider reviewing their own decision), CSRF on
//! every POST, evidence with SHA-256 and versions, the decision letter, the public form (the
//! honeypot stores nothing, the sixth submission from one address is a friendly 429) and the
//! tracking page (a wrong pair reads exactly like an unknown receipt).
//!
//! In a real headless Chromium: an anonymous complaint on the public form → receipt number →
//! the complaints officer acknowledges it, notes it internally, extends the deadline with a
//! reason and decides → the decision letter shows the receipt and every outside route → the
//! officer records the complainant's rejection from a call and has no review action → a
//! supervisor reviews and decides again → the acceptance closes it → the public tracking page
//! shows each step (received, acknowledged, extended with its reason, decided, rejected, review
//! started, decided, accepted, closed) and never the internal note or a staff name.

use super::*;
use futures::future::BoxFuture;
use posdesk_core::authz::Principal;
use posdesk_core::complaint::{RawIntake, ReceiptNo, evidence_sha256};
use posdesk_core::ids::ComplaintId;
use posdesk_storage::repo::complaints::Complaint;
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

const NARRATIVE: &str = "3 月 2 日刷卡消费 100 元，手续费被多扣 2 元，客服未解释原因。";
const REQUEST: &str = "退还多收的手续费并说明收费标准";

/// A complaint registered by the complaints officer on the hotline (`mid`: the merchant it
/// is about, if any).
async fn file(state: &AppState, seed: &Seed, mid: Option<&str>, phone: &str) -> Complaint {
    let p = principal(seed, Role::ComplaintsOfficer);
    let ctx = Ctx::new(state, &p, "test");
    service::complaints::create(
        &ctx,
        RawIntake {
            channel: "hotline",
            category: "fees",
            complainant_name: "王女士",
            phone,
            mid,
            narrative: NARRATIVE,
            request: REQUEST,
            ..RawIntake::default()
        },
    )
    .await
    .map_err(fail)
    .unwrap()
}

async fn current(state: &AppState, seed: &Seed, id: ComplaintId) -> Complaint {
    let p = principal(seed, Role::Supervisor);
    service::complaints::get(&Ctx::new(state, &p, "test"), id)
        .await
        .map_err(fail)
        .unwrap()
        .complaint
}

/// A `multipart/form-data` POST with each file's declared type: (field, name, type, bytes).
async fn upload(
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> Page {
    let boundary = "----posdesk-complaint-boundary-k3Jq9";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, ct, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {ct}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    c.send_body(Method::POST, path, Some((body, ct)), &[]).await
}

async fn count(state: &AppState, seed: &Seed) -> usize {
    let p = principal(seed, Role::Supervisor);
    service::complaints::list(
        &Ctx::new(state, &p, "test"),
        posdesk_storage::repo::complaints::Queue::All,
        500,
    )
    .await
    .map_err(fail)
    .unwrap()
    .len()
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

/// The text of the element with `id` (up to its first tag).
fn text_of(body: &str, id: &str) -> Option<String> {
    let at = body.find(&format!("id=\"{id}\""))?;
    let start = at + body[at..].find('>')? + 1;
    let end = start + body[start..].find('<')?;
    Some(body[start..end].trim().to_owned())
}

/// The id in a `/complaints/{id}` redirect.
fn created_id(p: &Page) -> ComplaintId {
    let loc = p.location.as_deref().unwrap_or_default();
    let raw = loc
        .strip_prefix("/complaints/")
        .unwrap_or_else(|| panic!("not a complaint page: {loc}"));
    ComplaintId::parse("id", raw).unwrap()
}

/// Moves a complaint's receipt `days` back (deadlines included), so it is overdue (its
/// timeline is append-only and keeps its times).
struct Backdate {
    id: ComplaintId,
    days: i64,
}

impl Mutation for Backdate {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        _: &'a posdesk_storage::Ctx,
    ) -> BoxFuture<'a, posdesk_storage::Result<Applied<()>>> {
        Box::pin(async move {
            let shift = self.days * 86_400_000;
            c.execute(
                "UPDATE complaints SET received_at = received_at - $1, \
                 acknowledge_deadline = acknowledge_deadline - $1, \
                 decision_deadline = decision_deadline - $1 WHERE id = $2",
                &[posdesk_storage::Value::Int(shift), self.id.into()],
            )
            .await?;
            Ok(Applied::unaudited(()))
        })
    }
}

async fn backdate(state: &AppState, id: ComplaintId, days: i64) {
    state
        .store
        .write(
            posdesk_storage::WriteMeta::new(posdesk_storage::Actor::system("test"), "t"),
            Backdate { id, days },
        )
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// In-process tests.

/// The pages per role; a merchant user sees their own merchant's complaints only (404 on
/// another's) and no internal entry; the list renders in Chinese and English; the overdue
/// queue is the red dashboard.
async fn complaint_pages_per_role(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let own = file(&app.state, seed, Some("102330158120001"), "13912345678").await;
    other_merchant(&app.state, seed.tenant, "102330158120002").await;
    let other = file(&app.state, seed, Some("102330158120002"), "13912340000").await;
    assert_eq!(own.merchant_id, Some(seed.merchant));
    assert_ne!(other.merchant_id, Some(seed.merchant));

    for role in WEB_ROLES {
        let mut c = app.client();
        c.sign_in(seed.login(role)).await;
        let list = c.get("/complaints?view=all").await;
        if !role.allows(Permission::ComplaintRead) {
            list.expect(StatusCode::FORBIDDEN);
            c.get(&format!("/complaints/{}", own.id))
                .await
                .expect(StatusCode::FORBIDDEN);
            c.get("/complaints/new").await.expect(StatusCode::FORBIDDEN);
            assert!(!c.get("/").await.has("id=\"nav-complaints\""), "{role:?}");
            continue;
        }
        list.expect(StatusCode::OK);
        assert!(list.has("id=\"nav-complaints\""), "{role:?}");
        assert!(
            list.has(&format!("id=\"complaint-{}\"", own.receipt_no)),
            "{role:?} lists its complaint"
        );
        let page = c.get(&format!("/complaints/{}", own.id)).await;
        page.expect(StatusCode::OK);
        assert_eq!(
            text_of(&page.body, "receipt-no").as_deref(),
            Some(own.receipt_no.as_str())
        );
        assert!(page.has("id=\"clock-acknowledge\"") && page.has("id=\"clock-decision\""));
        assert!(page.has("答复期限：受理后 15 日"), "{role:?}");
        c.get("/complaints/not-a-complaint")
            .await
            .expect(StatusCode::NOT_FOUND);
        c.get("/complaints/new")
            .await
            .expect(if role.allows(Permission::ComplaintCreate) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            });
        let other_page = c.get(&format!("/complaints/{}", other.id)).await;
        let handles = role.allows(Permission::ComplaintHandle);
        assert_eq!(page.has("id=\"acknowledge-form\""), handles, "{role:?}");
        assert_eq!(page.has("id=\"note-form\""), handles, "{role:?}");
        if role == Role::MerchantUser {
            other_page.expect(StatusCode::NOT_FOUND);
            assert_eq!(
                text_of(&list.body, "complaints-title").as_deref(),
                Some("我的投诉")
            );
            assert!(!list.has(&other.receipt_no), "only its own complaints");
            assert!(!list.has("id=\"complaint-views\""), "no staff queues");
            let new = c.get("/complaints/new").await;
            assert!(
                !new.has("name=\"channel\""),
                "the portal files on its own channel"
            );
            assert!(
                page.has("id=\"evidence-form\""),
                "the complainant adds evidence"
            );
        } else {
            other_page.expect(StatusCode::OK);
            assert!(list.has("id=\"view-overdue\""), "{role:?}");
            c.get("/complaints?view=sideways")
                .await
                .expect(StatusCode::UNPROCESSABLE_ENTITY);
        }
    }

    // An internal note: staff see it marked internal, the merchant user never sees it.
    let mut officer = app.client();
    officer.sign_in(seed.login(Role::ComplaintsOfficer)).await;
    officer
        .get(&format!("/complaints/{}", own.id))
        .await
        .expect(StatusCode::OK);
    officer
        .post(
            &format!("/complaints/{}/action", own.id),
            &[
                ("action", "note"),
                ("text", "内部：核对交易流水，疑似费率配置错误"),
                ("version", &own.version.to_string()),
            ],
        )
        .await
        .redirects_to(&format!("/complaints/{}", own.id));
    let staff_view = officer.get(&format!("/complaints/{}", own.id)).await;
    assert!(staff_view.has("内部：核对交易流水") && staff_view.has("entry-internal"));
    let mut m = app.client();
    m.sign_in(seed.login(Role::MerchantUser)).await;
    let merchant_view = m.get(&format!("/complaints/{}", own.id)).await;
    merchant_view.expect(StatusCode::OK);
    assert!(!merchant_view.has("内部：核对交易流水"));
    assert!(!merchant_view.has("data-kind=\"note\""));
    assert!(merchant_view.has("data-kind=\"received\""));

    // The list in Chinese and in English.
    let zh = officer.get("/complaints").await;
    assert_eq!(
        text_of(&zh.body, "complaints-title").as_deref(),
        Some("投诉处理")
    );
    assert!(zh.has("收费问题") && zh.has("客服热线"));
    let en = officer
        .send(
            Method::GET,
            "/complaints",
            None,
            &[("accept-language", "en")],
        )
        .await;
    en.expect(StatusCode::OK);
    assert_eq!(
        text_of(&en.body, "complaints-title").as_deref(),
        Some("Complaints")
    );
    assert!(en.has("Fees") && en.has("Hotline") && en.has(">Overdue<"));
    assert!(!en.has("收费问题"));

    // Twenty days late, the complaint is on the management dashboard in red.
    let empty = officer.get("/complaints?view=overdue").await;
    assert!(empty.has("id=\"complaints-empty\""));
    backdate(&app.state, own.id, 20).await;
    let dash = officer.get("/complaints?view=overdue").await;
    dash.expect(StatusCode::OK);
    assert!(dash.has("管理看板"));
    let row_at = dash
        .body
        .find(&format!("id=\"complaint-{}\"", own.receipt_no))
        .expect("the overdue complaint is listed");
    let row = &dash.body[row_at..row_at + dash.body[row_at..].find("</tr>").unwrap()];
    assert!(row.contains("class=\"complaint-row overdue\""), "{row}");
    assert!(row.contains("deadline-overdue") && row.contains("sla-breached"));
    assert!(!dash.has(&other.receipt_no), "the other one is not overdue");
    let page = officer.get(&format!("/complaints/{}", own.id)).await;
    assert!(page.has("id=\"clock-decision\" data-state=\"breached\" class=\"clock-breached\""));
}

/// The staff intake and the step forms; each error is shown next to its field, or above its
/// form when it names none of the form's fields.
async fn complaint_forms_show_errors_in_place(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let mut c = app.client();
    c.sign_in(seed.login(Role::ComplaintsOfficer)).await;
    let new = c.get("/complaints/new").await;
    new.expect(StatusCode::OK);
    assert!(new.has("value=\"referral\"") && !new.has("value=\"public_web\""));

    // A missing phone: 422, the message under the phone field, the text kept.
    let fields = |phone: &'static str| {
        vec![
            ("channel", "hotline"),
            ("category", "fees"),
            ("complainant_name", "王女士"),
            ("phone", phone),
            ("narrative", NARRATIVE),
            ("request", REQUEST),
        ]
    };
    // Without the CSRF token: 403, nothing registered.
    c.post_raw("/complaints", &fields("13912345678"), &[])
        .await
        .expect(StatusCode::FORBIDDEN);
    assert_eq!(count(&app.state, seed).await, 0);
    let bad = c.post("/complaints", &fields("")).await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("id=\"phone-error\""), "{}", bad.body);
    assert!(!bad.has("id=\"complaint-error\""));
    assert!(bad.has(NARRATIVE), "the narrative is kept");
    // A referral needs its deadline.
    let mut referral = fields("13912345678");
    referral[0] = ("channel", "referral");
    referral.push(("referral_source", "12363 转办"));
    referral.push(("referral_reference", "ZB-2026-0001"));
    let bad = c.post("/complaints", &referral).await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("id=\"referral_deadline-error\""), "{}", bad.body);
    assert!(
        bad.has("referral-fields open"),
        "the referral fields stay open"
    );
    // Referral fields typed before switching to another channel are not part of it.
    let mut hotline = fields("13912345678");
    hotline.push(("referral_source", "12363 转办"));
    let ok = c.post("/complaints", &hotline).await;
    let id = created_id(ok.redirects_to("/complaints/"));
    let page = c.get(&format!("/complaints/{id}")).await;
    page.expect(StatusCode::OK);
    assert!(page.has("投诉已登记"), "the flash");
    let k = current(&app.state, seed, id).await;
    assert!(k.receipt_no.starts_with("TS-") && k.referral_source.is_none());
    assert_eq!(
        text_of(&page.body, "receipt-no"),
        Some(k.receipt_no.clone())
    );

    let act = format!("/complaints/{id}/action");
    let v = |k: &Complaint| k.version.to_string();
    // No CSRF token: 403 and nothing happens.
    c.post_raw(&act, &[("action", "acknowledge"), ("version", &v(&k))], &[])
        .await
        .expect(StatusCode::FORBIDDEN);
    // A stale version: above the form, 412.
    let stale = c
        .post(
            &act,
            &[
                ("action", "note"),
                ("text", "旧页面上的记录"),
                ("version", "99"),
            ],
        )
        .await;
    stale.expect(StatusCode::PRECONDITION_FAILED);
    assert!(stale.has("id=\"note-error\"") && stale.has("旧页面上的记录"));
    // An empty note: under the text.
    let empty = c
        .post(
            &act,
            &[("action", "note"), ("text", ""), ("version", &v(&k))],
        )
        .await;
    empty.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.has("id=\"note-text-error\"") && !empty.has("id=\"note-error\""));
    // An extension without a reason, and one past the next step.
    let no_reason = c
        .post(
            &act,
            &[("action", "extend"), ("to_days", "30"), ("version", &v(&k))],
        )
        .await;
    no_reason.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.has("id=\"extend-reason-error\""),
        "{}",
        no_reason.body
    );
    let too_long = c
        .post(
            &act,
            &[
                ("action", "extend"),
                ("to_days", "90"),
                ("reason", "需调取交易流水"),
                ("version", &v(&k)),
            ],
        )
        .await;
    too_long.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.has("id=\"extend-to-days-error\"") && too_long.has("需调取交易流水"));
    // Deciding before the acknowledgement is not a step of this status, whose page has no
    // decision form: the error is at the top.
    let early = c
        .post(
            &act,
            &[
                ("action", "decide"),
                ("resolution", "refund"),
                ("text", "退款"),
                ("version", &v(&k)),
            ],
        )
        .await;
    early.expect(StatusCode::CONFLICT);
    assert!(
        early.has("id=\"action-error\"") && !early.has("id=\"decide-form\""),
        "{}",
        early.body
    );
    // Closing without a decision is refused.
    let close = c
        .post(&act, &[("action", "close"), ("version", &v(&k))])
        .await;
    close.expect(StatusCode::CONFLICT);
    assert!(close.has("尚未作出答复的投诉不能办结"), "{}", close.body);
    // The letter does not exist before a decision.
    c.get(&format!("/complaints/{id}/letter"))
        .await
        .expect(StatusCode::CONFLICT);

    // Acknowledge, then a decision without its resolution (under the select), then decide.
    c.post(&act, &[("action", "acknowledge"), ("version", &v(&k))])
        .await
        .redirects_to(&format!("/complaints/{id}"));
    let k = current(&app.state, seed, id).await;
    assert_eq!(k.handler_id, Some(seed.id(Role::ComplaintsOfficer)));
    let no_res = c
        .post(
            &act,
            &[
                ("action", "decide"),
                ("text", "退还 2 元"),
                ("version", &v(&k)),
            ],
        )
        .await;
    no_res.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_res.has("id=\"decide-resolution-error\""));
    c.post(
        &act,
        &[
            ("action", "decide"),
            ("resolution", "refund"),
            ("text", "经核实多收 2 元，已安排退款"),
            ("version", &v(&k)),
        ],
    )
    .await
    .redirects_to(&format!("/complaints/{id}"));
    let k = current(&app.state, seed, id).await;
    // Satisfaction out of range: under the select.
    let sat = c
        .post(
            &act,
            &[
                ("action", "satisfaction"),
                ("satisfaction", "9"),
                ("version", &v(&k)),
            ],
        )
        .await;
    sat.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sat.has("id=\"satisfaction-value-error\""));
    // A ticket number that is not one: under the field.
    let link = c
        .post(
            &act,
            &[
                ("action", "link"),
                ("ticket_id", "T-19990101-9999"),
                ("version", &v(&k)),
            ],
        )
        .await;
    link.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(link.has("id=\"link-ticket-error\""), "{}", link.body);
    // The complainant rejects (recorded by the officer), who may not review their own decision.
    c.post(
        &act,
        &[
            ("action", "reject"),
            ("text", "电话回访：不接受"),
            ("version", &v(&k)),
        ],
    )
    .await
    .redirects_to(&format!("/complaints/{id}"));
    let k = current(&app.state, seed, id).await;
    let page = c.get(&format!("/complaints/{id}")).await;
    assert!(!page.has("id=\"review-form\"") && page.has("id=\"own-decision\""));
    assert!(page.has("id=\"close-form\""));
    let own = c
        .post(&act, &[("action", "review"), ("version", &v(&k))])
        .await;
    // Posted anyway (an old page): refused, the reason at the top.
    own.expect(StatusCode::CONFLICT);
    assert!(own.has("id=\"action-error\"") && own.has("复核须由首次答复人以外的人员进行"));
    // An agent (no ComplaintHandle) gets 403 for a step.
    let mut agent = app.client();
    agent.sign_in(seed.login(Role::Agent)).await;
    agent
        .post(
            &act,
            &[("action", "note"), ("text", "x"), ("version", &v(&k))],
        )
        .await
        .expect(StatusCode::FORBIDDEN);
    // A supervisor reviews; the officer cannot make the review decision either.
    let mut sup = app.client();
    sup.sign_in(seed.login(Role::Supervisor)).await;
    let sp = sup.get(&format!("/complaints/{id}")).await;
    assert!(sp.has("id=\"review-form\"") && !sp.has("id=\"own-decision\""));
    sup.post(&act, &[("action", "review"), ("version", &v(&k))])
        .await
        .redirects_to(&format!("/complaints/{id}"));
    let k = current(&app.state, seed, id).await;
    assert!(
        !c.get(&format!("/complaints/{id}"))
            .await
            .has("id=\"decide-form\"")
    );
    let own_decide = c
        .post(
            &act,
            &[
                ("action", "decide"),
                ("resolution", "refund"),
                ("text", "维持原答复"),
                ("version", &v(&k)),
            ],
        )
        .await;
    own_decide.expect(StatusCode::CONFLICT);
    assert!(
        own_decide.has("id=\"action-error\"") && own_decide.has("复核须由首次答复人以外的人员进行")
    );
    let sp = sup.get(&format!("/complaints/{id}")).await;
    assert!(sp.has("作出复核答复"));
    sup.post(
        &act,
        &[
            ("action", "decide"),
            ("resolution", "fee_waiver"),
            ("text", "复核：退还手续费并减免下月服务费"),
            ("version", &v(&k)),
        ],
    )
    .await
    .redirects_to(&format!("/complaints/{id}"));
    // The letter: receipt, the review, the outside routes.
    let letter = c.get(&format!("/complaints/{id}/letter")).await;
    letter.expect(StatusCode::OK);
    assert_eq!(
        text_of(&letter.body, "letter-receipt"),
        Some(k.receipt_no.clone())
    );
    assert!(letter.has("id=\"letter-review\"") && letter.has("减免费用"));
    for needle in [
        "95516",
        "12363",
        "12315",
        "收单银行",
        "消费者协会",
        "调解",
        "人民法院",
    ] {
        assert!(letter.has(needle), "{needle}");
    }
    assert!(letter.has("银联商务测试服务商") && letter.has("400-800-0000"));
    assert!(
        letter.has("href=\"/assets/complaints.css\""),
        "the print stylesheet"
    );
    let css = c.get("/assets/complaints.css").await;
    css.expect(StatusCode::OK);
    assert!(css.has("@media print") && css.has(".hp"));
}

/// Evidence: upload with its SHA-256, a new version, a refused type, the download.
async fn complaint_evidence(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let k = file(&app.state, seed, Some("102330158120001"), "13912345678").await;
    let mut c = app.client();
    c.sign_in(seed.login(Role::ComplaintsOfficer)).await;
    let page = c.get(&format!("/complaints/{}", k.id)).await;
    assert!(page.has("id=\"evidence-empty\""));
    let csrf = c.csrf();
    let up = format!("/complaints/{}/evidence", k.id);
    let back = format!("/complaints/{}", k.id);
    let first = "通话记录：3 月 3 日 10:02 来电，投诉人称多扣 2 元。".as_bytes();
    upload(
        &mut c,
        &up,
        &[("_csrf", &csrf), ("description", "来电记录")],
        &[("file", "call.txt", "text/plain", first)],
    )
    .await
    .redirects_to(&back);
    let page = c.get(&back).await;
    let sha = evidence_sha256(first);
    assert!(page.has(&format!("data-sha256=\"{sha}\"")) && page.has("data-version=\"1\""));
    assert!(page.has("来电记录") && page.has("data-kind=\"evidence_added\""));
    // The download: the same bytes, as an attachment that is never rendered inline.
    let href_at = page.body.find("class=\"evidence-link\"").unwrap();
    let start = page.body[..href_at].rfind("href=\"").unwrap() + 6;
    let end = start + page.body[start..].find('"').unwrap();
    let href = page.body[start..end].to_owned();
    let res = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri(&href)
                .header(
                    header::COOKIE,
                    c.jar
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(res.headers()[header::ETAG], format!("\"{sha}\"").as_str());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(&bytes[..], first);
    // A new version of it.
    let eid = href.rsplit('/').next().unwrap().to_owned();
    let second = "通话记录（更正）：3 月 3 日 10:03 来电，投诉人称多扣 2 元。".as_bytes();
    upload(
        &mut c,
        &up,
        &[("_csrf", &csrf), ("supersedes", &eid)],
        &[("file", "call-v2.txt", "text/plain", second)],
    )
    .await
    .redirects_to(&back);
    let page = c.get(&back).await;
    assert!(page.has("data-version=\"2\"") && page.has("已有新版本"));
    assert!(page.has(&evidence_sha256(second)));
    // A new version of a superseded file is refused, next to the select.
    let again = upload(
        &mut c,
        &up,
        &[("_csrf", &csrf), ("supersedes", &eid)],
        &[("file", "call-v3.txt", "text/plain", b"v3")],
    )
    .await;
    again.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.has("id=\"evidence-supersedes-error\""),
        "{}",
        again.body
    );
    // Bytes that are not what the type claims, and a type not accepted.
    let png = upload(
        &mut c,
        &up,
        &[("_csrf", &csrf)],
        &[("file", "photo.png", "image/png", b"not a picture")],
    )
    .await;
    png.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(png.has("id=\"evidence-file-error\"") && png.has("文件内容与其类型不符"));
    let exe = upload(
        &mut c,
        &up,
        &[("_csrf", &csrf)],
        &[("file", "x.bin", "application/octet-stream", b"MZ")],
    )
    .await;
    exe.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(exe.has("不支持的文件类型"), "{}", exe.body);
    // Without the token: refused.
    upload(&mut c, &up, &[], &[("file", "x.txt", "text/plain", b"x")])
        .await
        .expect(StatusCode::FORBIDDEN);
    // The merchant user adds evidence to their own complaint.
    let mut m = app.client();
    m.sign_in(seed.login(Role::MerchantUser)).await;
    m.get(&back).await.expect(StatusCode::OK);
    let mcsrf = m.csrf();
    upload(
        &mut m,
        &up,
        &[("_csrf", &mcsrf)],
        &[(
            "file",
            "receipt.txt",
            "text/plain",
            "POS 小票：手续费 2.00".as_bytes(),
        )],
    )
    .await
    .redirects_to(&back);

    // Decided by the officer, the merchant user answers on their own complaint: rates it and
    // accepts it; staff work stays refused.
    let officer = principal(seed, Role::ComplaintsOfficer);
    let octx = Ctx::new(&app.state, &officer, "test");
    for (action, resolution, text) in [
        ("acknowledge", None, None),
        ("decide", Some("refund"), Some("多收 2 元，已退还")),
    ] {
        let v = current(&app.state, seed, k.id).await.version;
        service::complaints::change(
            &octx,
            k.id,
            Some(v),
            service::complaints::ChangeInput {
                action,
                resolution,
                text,
                ..Default::default()
            },
        )
        .await
        .map_err(fail)
        .unwrap();
    }
    let page = m.get(&back).await;
    assert!(page.has("id=\"respond-form\"") && page.has("id=\"satisfaction-form\""));
    assert!(!page.has("id=\"note-form\"") && !page.has("id=\"decide-form\""));
    assert!(page.has("您对答复的意见") && page.has("id=\"letter-link\""));
    let act = format!("/complaints/{}/action", k.id);
    let v = current(&app.state, seed, k.id).await.version.to_string();
    m.post(&act, &[("action", "note"), ("text", "x"), ("version", &v)])
        .await
        .expect(StatusCode::FORBIDDEN);
    m.post(
        &act,
        &[
            ("action", "satisfaction"),
            ("satisfaction", "4"),
            ("version", &v),
        ],
    )
    .await
    .redirects_to(&back);
    let v = current(&app.state, seed, k.id).await.version.to_string();
    m.post(&act, &[("action", "accept"), ("version", &v)])
        .await
        .redirects_to(&back);
    let done = current(&app.state, seed, k.id).await;
    assert_eq!(done.status.code(), "closed");
    assert_eq!(done.satisfaction, Some(4));
    let page = m.get(&back).await;
    assert!(page.has("投诉人接受") && !page.has("id=\"evidence-form\""));
    m.get(&format!("{back}/letter"))
        .await
        .expect(StatusCode::OK);
}

/// The public form (CSRF, honeypot, the friendly 429) and the tracking page (a wrong pair
/// and an unknown receipt read the same).
async fn public_form_and_tracking(loc: Location) {
    let app = App::new(loc).await;
    let seed = &app.seed;
    let mut p = app.client();
    let path = format!("/public/{}/complaint", seed.tenant);
    let form = p.get(&path).await;
    form.expect(StatusCode::OK);
    assert!(form.has("name=\"website\"") && form.has("tabindex=\"-1\""));
    assert!(form.has("class=\"hp\"") && form.has("autocomplete=\"off\""));
    assert!(!form.has("name=\"channel\"") && !form.has("id=\"mainnav\""));
    p.get("/public/not-a-provider/complaint")
        .await
        .expect(StatusCode::NOT_FOUND);
    let fields = |phone: &'static str| {
        vec![
            ("category", "fees"),
            ("complainant_name", "赵先生"),
            ("phone", phone),
            ("narrative", NARRATIVE),
            ("request", REQUEST),
        ]
    };
    // No token: 403.
    p.post_raw(&path, &fields("13900001111"), &[])
        .await
        .expect(StatusCode::FORBIDDEN);
    // The honeypot filled: refused, nothing stored.
    let before = count(&app.state, seed).await;
    let mut bot = fields("13900001111");
    bot.push(("website", "http://spam.example"));
    let refused = p.post(&path, &bot).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.has("无法提交该投诉"));
    assert_eq!(count(&app.state, seed).await, before);
    // A field error is shown next to the field.
    let bad = p.post(&path, &fields("12")).await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("id=\"phone-error\""));
    // Filed: the receipt number and what to keep.
    let done = p.post(&path, &fields("13900001111")).await;
    done.expect(StatusCode::CREATED);
    let receipt = text_of(&done.body, "receipt-no").unwrap();
    assert!(ReceiptNo::parse("r", &receipt).is_ok(), "{receipt}");
    assert!(
        text_of(&done.body, "receipt-hint")
            .unwrap()
            .contains("1111")
    );
    assert_eq!(count(&app.state, seed).await, before + 1);
    // Another provider id: 404.
    p.post(
        &format!("/public/{}/complaint", Uuid::now_v7()),
        &fields("13900002222"),
    )
    .await
    .expect(StatusCode::NOT_FOUND);

    // Tracking.
    let mut t = app.client();
    t.get("/track").await.expect(StatusCode::OK);
    let found = t
        .post(
            "/track",
            &[
                ("receipt_no", &receipt.to_lowercase()),
                ("phone_last4", "1111"),
            ],
        )
        .await;
    found.expect(StatusCode::OK);
    assert!(found.has("id=\"step-1\" data-kind=\"received\""));
    assert_eq!(text_of(&found.body, "track-status"), Some("已受理".into()));
    let wrong = t
        .post(
            "/track",
            &[("receipt_no", &receipt), ("phone_last4", "1112")],
        )
        .await;
    wrong.expect(StatusCode::NOT_FOUND);
    let today = posdesk_core::calendar::LocalDate::of_timestamp(posdesk_storage::now()).unwrap();
    let unknown_no = ReceiptNo::generate(today, 12345).to_string();
    let unknown = t
        .post(
            "/track",
            &[("receipt_no", &unknown_no), ("phone_last4", "1111")],
        )
        .await;
    unknown.expect(StatusCode::NOT_FOUND);
    let malformed = t
        .post("/track", &[("receipt_no", "TS-1"), ("phone_last4", "1111")])
        .await;
    malformed.expect(StatusCode::NOT_FOUND);
    let msg = text_of(&wrong.body, "track-error").unwrap();
    assert_eq!(text_of(&unknown.body, "track-error").unwrap(), msg);
    assert_eq!(text_of(&malformed.body, "track-error").unwrap(), msg);
    assert!(!wrong.has("id=\"track-result\""));
    let digits = t
        .post("/track", &[("receipt_no", &receipt), ("phone_last4", "11")])
        .await;
    digits.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(digits.has("id=\"phone_last4-error\""));
    t.post_raw(
        "/track",
        &[("receipt_no", &receipt), ("phone_last4", "1111")],
        &[],
    )
    .await
    .expect(StatusCode::FORBIDDEN);

    // Five submissions an hour from one address; the sixth is a friendly 429.
    for phone in ["13900003333", "13900004444", "13900005555", "13900006666"] {
        p.post(&path, &fields(phone))
            .await
            .expect(StatusCode::CREATED);
    }
    let throttled = p.post(&path, &fields("13900007777")).await;
    throttled.expect(StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.has("id=\"complaint-throttled\"") && throttled.has(NARRATIVE));
}

posdesk_storage::both_backends!(
    complaint_pages_per_role,
    complaint_forms_show_errors_in_place,
    complaint_evidence,
    public_form_and_tracking,
);

// ---------------------------------------------------------------------------------------------
// Real browser: the whole flow, from the public form to the tracking page.

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

async fn choose(ui: &Ui<'_>, css: &str) -> anyhow::Result<()> {
    ui.b.find(Locator::Css(css))
        .await
        .with_context(|| format!("finding {css}"))?
        .click()
        .await?;
    Ok(())
}

async fn status_is(ui: &Ui<'_>, status: &str) -> anyhow::Result<()> {
    ui.wait_for(&format!("#complaint-status[data-status='{status}']"))
        .await?;
    Ok(())
}

const INTERNAL_NOTE: &str = "内部：商户费率配置为 0.78%，应为 0.60%，系统配置错误";
const EXTENSION_REASON: &str = "需向收单银行调取 3 月交易流水核实";

/// Saves a screenshot of the page (SQLite run only), as the other journeys do.
async fn shot(ui: &Ui<'_>, tag: &str, name: &str) -> anyhow::Result<()> {
    if tag == "sqlite" {
        std::fs::write(screenshot_dir().join(name), ui.b.screenshot().await?)?;
    }
    Ok(())
}

async fn complaint_journey(ui: &Ui<'_>, seed: &Seed, tag: &str) -> anyhow::Result<()> {
    // An anonymous complaint on the public form.
    ui.goto(&format!("/public/{}/complaint", seed.tenant))
        .await?;
    ui.wait_for("#complaint-public-form").await?;
    ensure!(
        !ui.b
            .find(Locator::Css("#complaint-website"))
            .await?
            .is_displayed()
            .await?,
        "the honeypot is not visible"
    );
    choose(ui, "#complaint-category option[value='fees']").await?;
    ui.fill("#complaint-name", "赵先生").await?;
    ui.fill("#complaint-phone", "13912345678").await?;
    ui.fill("#complaint-narrative", NARRATIVE).await?;
    ui.fill("#complaint-request", REQUEST).await?;
    ui.click_nav("#complaint-submit").await?;
    ui.wait_for("#complaint-done").await?;
    let receipt = ui.text("#receipt-no").await?;
    ReceiptNo::parse("receipt", &receipt).context("a receipt number")?;
    ensure!(
        ui.text("#receipt-hint").await?.contains("5678"),
        "keep the last four digits"
    );
    shot(ui, tag, "complaint-public-receipt.png").await?;

    // The complaints officer finds it unassigned, acknowledges it, notes it, extends, decides.
    ui.sign_in(seed.login(Role::ComplaintsOfficer)).await?;
    ui.click_nav("#nav-complaints").await?;
    ui.wait_for("#complaint-views").await?;
    ui.click_nav("#view-unassigned").await?;
    ui.wait_for(&format!("#complaint-{receipt}")).await?;
    ui.click_nav(&format!("#complaint-{receipt} a.complaint-link"))
        .await?;
    ui.wait_for("#acknowledge-form").await?;
    ensure!(
        ui.text("#receipt-no").await? == receipt,
        "the receipt number"
    );
    ensure!(
        ui.text("#complaint-channel").await? == "公众网页",
        "the public channel"
    );
    ui.click_nav("#acknowledge-submit").await?;
    status_is(ui, "in_progress").await?;
    ensure!(
        attr(ui, "#clock-acknowledge", "data-state").await? == "met",
        "acknowledged in time"
    );
    ui.fill("#note-text", INTERNAL_NOTE).await?;
    ui.click_nav("#note-submit").await?;
    ui.wait_for("li[data-kind='note']").await?;
    ui.fill("#extend-to-days", "30").await?;
    ui.fill("#extend-reason", EXTENSION_REASON).await?;
    ui.click_nav("#extend-submit").await?;
    ui.wait_for("#decision-days[data-days='30']").await?;
    ensure!(ui.exists("#decision-extended").await?, "marked extended");
    choose(ui, "#decide-resolution option[value='refund']").await?;
    ui.fill(
        "#decide-text",
        "经核实费率配置有误，多收手续费 2 元，将于 3 个工作日内退还。",
    )
    .await?;
    ui.click_nav("#decide-submit").await?;
    status_is(ui, "decided").await?;
    shot(ui, tag, "complaint-decided.png").await?;

    // The decision letter: the receipt and the outside routes.
    ui.click_nav("#letter-link").await?;
    ui.wait_for("#letter").await?;
    ensure!(
        ui.text("#letter-receipt").await? == receipt,
        "letter receipt"
    );
    let routes = ui.text("#letter-routes").await?;
    for needle in [
        "收单银行",
        "95516",
        "12363",
        "12315",
        "消费者协会",
        "调解",
        "人民法院",
    ] {
        ensure!(routes.contains(needle), "route {needle}: {routes}");
    }
    ensure!(
        ui.exists("#letter-review-right").await? && !ui.exists("#letter-review").await?,
        "a first decision tells of the review"
    );
    shot(ui, tag, "complaint-letter.png").await?;
    ui.click_nav("#back-to-complaint").await?;

    // The complainant calls: rejects. The officer records it and has no review action.
    ui.wait_for("#respond-form").await?;
    ui.fill(
        "#respond-text",
        "电话回访：投诉人不接受，要求同时减免服务费",
    )
    .await?;
    ui.click_nav("#reject-submit").await?;
    status_is(ui, "rejected").await?;
    ensure!(
        !ui.exists("#review-form").await?,
        "the first decider has no review action"
    );
    ensure!(ui.exists("#own-decision").await?, "and is told why");
    ui.sign_out().await?;

    // A supervisor reviews and decides again; the complainant accepts (recorded on a call).
    ui.sign_in(seed.login(Role::Supervisor)).await?;
    ui.goto("/complaints?view=open").await?;
    ui.wait_for(&format!("#complaint-{receipt}")).await?;
    ui.click_nav(&format!("#complaint-{receipt} a.complaint-link"))
        .await?;
    ui.wait_for("#review-form").await?;
    ui.click_nav("#review-submit").await?;
    status_is(ui, "under_review").await?;
    choose(ui, "#decide-resolution option[value='fee_waiver']").await?;
    ui.fill(
        "#decide-text",
        "复核：退还多收手续费 2 元，并减免下月服务费。",
    )
    .await?;
    ui.click_nav("#decide-submit").await?;
    status_is(ui, "decided").await?;
    ui.click_nav("#letter-link").await?;
    ui.wait_for("#letter-review").await?;
    ui.click_nav("#back-to-complaint").await?;
    ui.wait_for("#respond-form").await?;
    ui.fill("#respond-text", "电话回访：投诉人接受复核答复")
        .await?;
    ui.click_nav("#accept-submit").await?;
    status_is(ui, "closed").await?;
    ensure!(
        ui.text("#complaint-outcome").await? == "投诉人接受",
        "accepted"
    );
    ui.sign_out().await?;

    // The public tracking page shows every public step and nothing internal.
    ui.goto("/track").await?;
    ui.fill("#track-receipt", &receipt).await?;
    ui.fill("#track-last4", "5678").await?;
    ui.click_nav("#track-submit").await?;
    ui.wait_for("#track-steps").await?;
    let mut kinds = Vec::new();
    for li in ui.b.find_all(Locator::Css("#track-steps li")).await? {
        kinds.push(li.attr("data-kind").await?.unwrap_or_default());
    }
    ensure!(
        kinds
            == [
                "received",
                "acknowledged",
                "extended",
                "decided",
                "rejected",
                "review_started",
                "decided",
                "accepted",
                "closed"
            ],
        "the public steps: {kinds:?}"
    );
    ensure!(
        ui.text("#step-3").await?.contains(EXTENSION_REASON),
        "the extension's reason"
    );
    ensure!(
        attr(ui, "#track-status", "data-status").await? == "closed",
        "closed"
    );
    let source = ui.b.source().await?;
    ensure!(!source.contains(INTERNAL_NOTE), "no internal note");
    for role in [Role::ComplaintsOfficer, Role::Supervisor] {
        let name = format!("测试{}", zh().role(role));
        ensure!(!source.contains(&name), "no staff name: {name}");
    }
    ensure!(!source.contains("电话回访"), "no handling text");
    shot(ui, tag, "complaint-tracking.png").await?;

    // A wrong pair reads like an unknown receipt.
    ui.fill("#track-last4", "0000").await?;
    ui.click_nav("#track-submit").await?;
    ui.wait_for("#track-error").await?;
    let wrong = ui.text("#track-error").await?;
    ensure!(!ui.exists("#track-steps").await?, "nothing shown");
    ui.fill("#track-receipt", "TS-20260101-2222222").await?;
    ui.fill("#track-last4", "5678").await?;
    ui.click_nav("#track-submit").await?;
    ui.wait_for("#track-error").await?;
    ensure!(ui.text("#track-error").await? == wrong, "the same message");
    Ok(())
}

async fn complaints_in_browser(loc: Location, tag: &str) {
    in_chromium(loc, "complaints", tag, |ui, _, seed, tag| {
        Box::pin(complaint_journey(ui, seed, tag))
    })
    .await;
}

mod chromium {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn complaint_journey_sqlite() {
        let (loc, _dir) = posdesk_storage::testing::sqlite();
        super::complaints_in_browser(loc, "sqlite").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn complaint_journey_postgres() {
        if let Some(loc) = posdesk_storage::testing::postgres().await {
            super::complaints_in_browser(loc, "postgres").await;
        }
    }
}
