//! Realistic demo data: two providers with staff of every role, merchants (Chinese shop names,
//! 15-digit MIDs), terminals (SN, 8-character TID, real-world model names), merchant portal
//! users, a terminal agent and a few announcements. Idempotent: a second run changes nothing.

use posdesk_core::authz::Role;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId};
use posdesk_core::lifecycle::Audience;
use posdesk_core::text::{Body, DisplayName, Label, Login, NewPassword, Title};
use posdesk_storage::repo::{merchants, terminals, users};
use serde::Serialize;

use crate::error::ApiResult;
use crate::i18n::Locale;
use crate::service::{self, Ctx, new_uuid, operator_principal};
use crate::state::AppState;

pub const DEMO_PASSWORD: &str = "posdesk-demo-2026";

#[derive(Debug, Clone, Serialize)]
pub struct DemoLogin {
    pub login: String,
    pub role: Role,
    pub provider: Option<String>,
}

struct ProviderSeed {
    prefix: &'static str,
    name: &'static str,
    short: &'static str,
    uscc: &'static str,
    hotline: &'static str,
    region: &'static str,
    merchants: &'static [(&'static str, &'static str, &'static str)],
}

const PROVIDERS: &[ProviderSeed] = &[
    ProviderSeed {
        prefix: "hz",
        name: "杭州钱塘支付技术服务有限公司",
        short: "钱塘支付",
        uscc: "91330100MA2B3C4D5N",
        hotline: "400-826-1180",
        region: "3301",
        merchants: &[
            (
                "西湖区知味小笼包店",
                "5812",
                "浙江省杭州市西湖区文三路 88 号",
            ),
            (
                "拱墅区鲜果时光水果店",
                "5411",
                "浙江省杭州市拱墅区湖墅南路 210 号",
            ),
            (
                "滨江区悦读书屋",
                "5942",
                "浙江省杭州市滨江区江南大道 1200 号",
            ),
            (
                "上城区老张五金建材",
                "5251",
                "浙江省杭州市上城区解放路 45 号",
            ),
            (
                "余杭区好运来便利店",
                "5499",
                "浙江省杭州市余杭区文一西路 998 号",
            ),
        ],
    },
    ProviderSeed {
        prefix: "sz",
        name: "深圳南山收单服务有限公司",
        short: "南山收单",
        uscc: "91440300MA5F6G7H8B",
        hotline: "400-755-3366",
        region: "4403",
        merchants: &[
            (
                "南山区海岸城茶饮店",
                "5814",
                "广东省深圳市南山区文心五路 33 号",
            ),
            (
                "福田区华强北数码配件",
                "5732",
                "广东省深圳市福田区华强北路 1002 号",
            ),
            ("宝安区客家菜馆", "5812", "广东省深圳市宝安区新安六路 18 号"),
        ],
    },
];

const MODELS: &[(&str, &str)] = &[
    ("新大陆", "ME31"),
    ("拉卡拉", "Q5"),
    ("百富", "A920"),
    ("联迪", "A8"),
    ("新国都", "N5"),
];

const STAFF: &[(&str, Role, &str)] = &[
    ("admin", Role::ProviderAdmin, "王海燕"),
    ("agent", Role::Agent, "李晓婷"),
    ("tech", Role::Technician, "张建国"),
    ("supervisor", Role::Supervisor, "陈志强"),
    ("complaints", Role::ComplaintsOfficer, "刘芳"),
    ("risk", Role::RiskOfficer, "赵磊"),
    ("auditor", Role::Auditor, "孙丽"),
];

fn name(s: &str) -> DisplayName {
    DisplayName::parse("name", s).unwrap_or_else(|_| unreachable!("demo names are valid"))
}

fn login(s: &str) -> Login {
    Login::parse("login", s).unwrap_or_else(|_| unreachable!("demo logins are valid"))
}

/// Seeds the demo data unless it is already there; returns the demo logins.
pub async fn seed(state: &AppState) -> ApiResult<Vec<DemoLogin>> {
    let principal = operator_principal();
    let ctx = Ctx::operator(state, &principal, "demo");
    let mut logins = vec![DemoLogin {
        login: "platform".into(),
        role: Role::PlatformAdmin,
        provider: None,
    }];
    for p in PROVIDERS {
        for (suffix, role, _) in STAFF {
            logins.push(DemoLogin {
                login: format!("{}.{suffix}", p.prefix),
                role: *role,
                provider: Some(p.short.into()),
            });
        }
        logins.push(DemoLogin {
            login: format!("{}.merchant", p.prefix),
            role: Role::MerchantUser,
            provider: Some(p.short.into()),
        });
        logins.push(DemoLogin {
            login: format!("{}.terminal", p.prefix),
            role: Role::TerminalAgent,
            provider: Some(p.short.into()),
        });
    }

    let exists = state
        .store
        .read(|c| Box::pin(async move { users::find_credentials(c, "platform").await }))
        .await?
        .is_some();
    if exists {
        return Ok(logins);
    }

    let password = || NewPassword::parse("password", DEMO_PASSWORD).ok();
    let user = |tenant: Option<TenantId>,
                l: &str,
                n: &str,
                role: Role,
                merchant: Option<MerchantId>,
                terminal: Option<TerminalId>| {
        service::users::NewUser {
            provider: tenant,
            login: login(l),
            display_name: name(n),
            email: posdesk_core::text::Email::parse("email", &format!("{l}@demo.posdesk.cn")).ok(),
            role,
            merchant,
            terminal,
            password: if role == Role::TerminalAgent {
                None
            } else {
                password()
            },
            locale: Locale::ZhCn,
        }
    };
    service::users::create(
        &ctx,
        user(
            None,
            "platform",
            "平台运维",
            Role::PlatformAdmin,
            None,
            None,
        ),
    )
    .await?;

    for (pi, p) in PROVIDERS.iter().enumerate() {
        let provider = service::providers::create(
            &ctx,
            service::providers::NewProvider {
                name: name(p.name),
                short_name: Label::parse("short_name", p.short).unwrap_or_else(|_| unreachable!()),
                uscc: Some(p.uscc.into()),
                hotline: Some(p.hotline.into()),
            },
        )
        .await?;
        let t = provider.id;
        for (suffix, role, person) in STAFF {
            service::users::create(
                &ctx,
                user(
                    Some(t),
                    &format!("{}.{suffix}", p.prefix),
                    person,
                    *role,
                    None,
                    None,
                ),
            )
            .await?;
        }
        let mut first_merchant = None;
        let mut first_terminal = None;
        for (mi, (mname, mcc, addr)) in p.merchants.iter().enumerate() {
            // Registered like any merchant (a company by its USCC, every fifth a micro merchant
            // by its owner's ID), then activated: the demo's merchants are in service.
            let micro = mi % 5 == 4;
            let body = crate::api::directory::CreateMerchantIn {
                name: (*mname).into(),
                mid: format!("10{}{}{}{:04}", pi + 2, p.region, mcc, mi + 1),
                kind: if micro { "micro" } else { "company" }.into(),
                uscc: (!micro).then(|| "91110000600037341L".into()),
                owner_id: micro.then(|| "11010519491231002X".into()),
                contact_name: Some(
                    ["周老板", "吴女士", "郑先生", "冯店长", "何经理"][mi % 5].into(),
                ),
                contact_phone: Some(format!("1380571{:04}", 1000 + mi * 37 + pi * 500)),
                address: Some((*addr).into()),
                division_code: None,
                risk_level: Some(["low", "low", "medium", "low", "high"][mi % 5].into()),
            };
            let mut create = crate::api::directory::new_merchant(&body)?;
            create.tenant = t;
            let m = ctx.write(ctx.meta(), create).await?;
            let m = ctx
                .write(
                    ctx.meta(),
                    merchants::TransitionMerchant {
                        tenant: t,
                        id: m.id,
                        event: posdesk_core::registry::MerchantEvent::Activate,
                        expected_version: None,
                    },
                )
                .await?;
            first_merchant.get_or_insert(m.id);
            for ti in 0..(1 + mi % 3) {
                let (maker, model) = MODELS[(mi + ti) % MODELS.len()];
                let term = ctx
                    .write(
                        ctx.meta(),
                        terminals::CreateTerminal {
                            id: TerminalId::from_uuid(new_uuid()),
                            tenant: t,
                            merchant: Some(m.id),
                            sn: format!(
                                "{}{}{:02}{:06}",
                                model.replace(' ', ""),
                                p.region,
                                mi,
                                100_000 + ti * 7 + pi * 1000
                            ),
                            tid: Some(format!("{}{:02}{:02}", &p.region[..4], mi + 1, ti + 1)),
                            model: model.into(),
                            manufacturer: maker.into(),
                            firmware: Some(format!("V{}.{}.{}", 2 + ti % 2, mi % 4, 10 + ti)),
                            status: "active".into(),
                        },
                    )
                    .await?;
                first_terminal.get_or_insert(term.id);
            }
        }
        service::users::create(
            &ctx,
            user(
                Some(t),
                &format!("{}.merchant", p.prefix),
                "周老板",
                Role::MerchantUser,
                first_merchant,
                None,
            ),
        )
        .await?;
        service::users::create(
            &ctx,
            user(
                Some(t),
                &format!("{}.terminal", p.prefix),
                "终端代理",
                Role::TerminalAgent,
                None,
                first_terminal,
            ),
        )
        .await?;

        let admin_principal = posdesk_core::authz::Principal::new(
            posdesk_core::ids::UserId::from_uuid(uuid::Uuid::nil()),
            Role::ProviderAdmin,
            Some(t),
            None,
            None,
        )
        .unwrap_or_else(|_| unreachable!());
        let actx = Ctx::operator(state, &admin_principal, "demo");
        onboarding(&actx, pi, p.region).await?;
        if let (Some(m), Some(term)) = (first_merchant, first_terminal) {
            tickets(&actx, m, term).await?;
        }
        complaints(&actx).await?;
        for (title, body, audience, publish) in [
            (
                "元旦期间服务时间调整",
                "2027 年 1 月 1 日至 3 日，热线 9:00–17:00 值班，上门维修顺延至 1 月 4 日。",
                Audience::Merchants,
                true,
            ),
            (
                "固件 V3.1 灰度升级通知",
                "本周起在夜间 0:00–6:00 分批推送，升级期间终端可能重启一次。",
                Audience::Merchants,
                true,
            ),
            (
                "备用机库存盘点",
                "请各网点于周五前完成备用机盘点并在系统登记。",
                Audience::Staff,
                false,
            ),
        ] {
            service::announcements::create(
                &actx,
                service::announcements::NewAnnouncement {
                    title: Title::parse("title", title).unwrap_or_else(|_| unreachable!()),
                    body: Body::parse("body", body).unwrap_or_else(|_| unreachable!()),
                    audience,
                    publish,
                },
            )
            .await?;
        }
    }
    Ok(logins)
}

/// A 1×1 PNG, a minimal JPEG header and a one-page PDF: small, but what their types say.
const DEMO_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82";
const DEMO_JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xFF\xD9";
const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// Two merchants in onboarding per provider: one submitted and waiting for review (its
/// four documents attached), one still a draft missing documents.
async fn onboarding(ctx: &Ctx<'_>, pi: usize, region: &str) -> ApiResult<()> {
    use posdesk_core::registry::onboarding::DocumentKind;
    use posdesk_storage::repo::onboarding::Step;
    let shops = [("知味观小笼包（湖滨店）", "330102"), ("青禾书店", "330106")];
    for (i, (name, division)) in shops.iter().enumerate() {
        let body = crate::api::directory::CreateMerchantIn {
            name: (*name).into(),
            mid: format!("10{}{}5812{:04}", pi + 2, region, 9000 + i),
            kind: "company".into(),
            uscc: Some("91110000600037341L".into()),
            owner_id: None,
            contact_name: Some(["陆店长", "沈女士"][i].into()),
            contact_phone: Some(format!("1390571{:04}", 2000 + i * 11 + pi * 300)),
            address: Some(["杭州市上城区湖滨路 18 号", "杭州市西湖区文二路 66 号"][i].into()),
            division_code: Some((*division).into()),
            risk_level: Some("low".into()),
        };
        let merchant =
            service::directory::create_merchant(ctx, crate::api::directory::new_merchant(&body)?)
                .await?;
        let app = service::onboarding::open(ctx, merchant.id).await?;
        let docs: &[(DocumentKind, &str, &str, &[u8])] = if i == 0 {
            &[
                (
                    DocumentKind::BusinessLicence,
                    "营业执照.pdf",
                    "application/pdf",
                    DEMO_PDF,
                ),
                (
                    DocumentKind::IdCard,
                    "法人身份证.jpg",
                    "image/jpeg",
                    DEMO_JPEG,
                ),
                (
                    DocumentKind::BankAccountProof,
                    "开户许可证.png",
                    "image/png",
                    DEMO_PNG,
                ),
                (
                    DocumentKind::PremisesPhoto,
                    "门头照片.png",
                    "image/png",
                    DEMO_PNG,
                ),
            ]
        } else {
            &[(
                DocumentKind::BusinessLicence,
                "营业执照.pdf",
                "application/pdf",
                DEMO_PDF,
            )]
        };
        for (kind, file, ct, bytes) in docs {
            service::onboarding::attach(
                ctx,
                app.id,
                service::onboarding::Upload {
                    kind: *kind,
                    file_name: (*file).into(),
                    declared_type: (*ct).into(),
                    bytes: bytes.to_vec(),
                    replaces: None,
                },
            )
            .await?;
        }
        if i == 0 {
            service::onboarding::advance(ctx, app.id, Step::Submit, None).await?;
        }
    }
    Ok(())
}

/// A few tickets on the first merchant's first terminal: one new, one being worked (replied,
/// waiting on the merchant), one question answered and resolved.
async fn tickets(ctx: &Ctx<'_>, merchant: MerchantId, terminal: TerminalId) -> ApiResult<()> {
    use posdesk_core::ticket::{Category, Channel, Priority, TicketEvent, TicketKind};
    use posdesk_storage::repo::tickets::{Change, Visibility};
    let specs = [
        (
            TicketKind::Fault,
            Category::CardReading,
            Priority::P3,
            "插卡无反应",
            "插入 IC 卡后终端没有提示，挥卡和扫码正常。",
        ),
        (
            TicketKind::Fault,
            Category::Printing,
            Priority::P2,
            "小票打印空白",
            "今天上午开始打印出来的小票是空白的，已换过纸卷。",
        ),
        (
            TicketKind::Request,
            Category::OperationQuestion,
            Priority::P4,
            "如何办理退货退款",
            "顾客要求退货，终端上怎么操作退款？",
        ),
    ];
    for (i, (kind, category, priority, subject, description)) in specs.into_iter().enumerate() {
        let t = service::tickets::create(
            ctx,
            service::tickets::NewTicket {
                kind,
                channel: Channel::Hotline,
                category,
                priority,
                merchant: Some(merchant),
                terminal: Some(terminal),
                subject: subject.into(),
                description: description.into(),
                tags: Vec::new(),
            },
        )
        .await?;
        let steps: Vec<Change> = match i {
            0 => vec![],
            1 => vec![
                Change::Message {
                    visibility: Visibility::Public,
                    body: "您好，已安排工程师，请问明天上午是否方便上门？".into(),
                },
                Change::Event(TicketEvent::Triage),
                Change::Event(TicketEvent::WaitMerchant),
            ],
            _ => vec![
                Change::Message {
                    visibility: Visibility::Public,
                    body: "在主界面选择「退货」，刷原卡或扫原付款码，输入原交易参考号即可。".into(),
                },
                Change::Event(TicketEvent::Triage),
                Change::Event(TicketEvent::Resolve),
            ],
        };
        for c in steps {
            service::tickets::change(ctx, t.id, c, None).await?;
        }
    }
    Ok(())
}

/// Three complaints per provider: one just received from the public form's channel (hotline
/// here), one acknowledged and extended to 30 days with a reason, one decided and accepted.
async fn complaints(ctx: &Ctx<'_>) -> ApiResult<()> {
    use posdesk_core::complaint::RawIntake;
    use service::complaints::ChangeInput;
    let specs = [
        (
            "fees",
            "李女士",
            "13912345678",
            "本月服务费比合同多扣了 30 元。",
            "退还多扣的 30 元。",
        ),
        (
            "response_time",
            "赵先生",
            "13698765432",
            "终端坏了三天，报修后一直没人上门。",
            "尽快上门维修并说明延误原因。",
        ),
        (
            "service_attitude",
            "孙先生",
            "13511112222",
            "客服电话里态度很差，问题没解决就挂断。",
            "道歉并解决打印问题。",
        ),
    ];
    for (i, (category, name, phone, narrative, request)) in specs.into_iter().enumerate() {
        let k = service::complaints::create(
            ctx,
            RawIntake {
                channel: "hotline",
                category,
                complainant_name: name,
                phone,
                narrative,
                request,
                ..Default::default()
            },
        )
        .await?;
        let steps: Vec<ChangeInput<'_>> = match i {
            0 => vec![],
            1 => vec![
                ChangeInput {
                    action: "acknowledge",
                    ..Default::default()
                },
                ChangeInput {
                    action: "extend",
                    to_days: Some(30),
                    text: Some("需向收单银行调取上门记录，核实延误原因。"),
                    ..Default::default()
                },
            ],
            _ => vec![
                ChangeInput {
                    action: "acknowledge",
                    ..Default::default()
                },
                ChangeInput {
                    action: "decide",
                    resolution: Some("apology"),
                    text: Some("经核实客服处理不当，已向您致歉并安排工程师上门解决打印问题。"),
                    ..Default::default()
                },
                ChangeInput {
                    action: "accept",
                    ..Default::default()
                },
            ],
        };
        for step in steps {
            let cur = service::complaints::get(ctx, k.id).await?;
            service::complaints::change(ctx, k.id, Some(cur.complaint.version), step).await?;
        }
    }
    Ok(())
}
