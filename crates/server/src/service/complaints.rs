//! Complaints (投诉): intake on every channel, handling, the statutory clock and its escalation
//! scan, evidence, public tracking. Rules are `posdesk_core::complaint`'s; the clock runs on
//! the provider's calendar from the SLA context cache (`tickets::sla_context`) with the default
//! complaint rules (15 days, extensions to 30 and 60).

use posdesk_core::authz::{Permission, Principal, Role, Scope};
use posdesk_core::calendar::LocalDate;
use posdesk_core::complaint::{
    ComplaintChannel, ComplaintClocks, ComplaintEvent, ComplaintRules, ContactChannel,
    ContactOutcome, EntryKind, EvidenceKind, ExtensionStep, HandlingText, Intake, OUTSIDE_ROUTES,
    OutsideRoute, PhoneLast4, PublicView, RawIntake, ReceiptNo, ResolutionKind, Satisfaction,
    allowed_events, check_evidence, tracking_allows,
};
use posdesk_core::ids::{ComplaintId, EvidenceId, MerchantId, TenantId, TicketId, UserId};
use posdesk_core::ticket::FileName;
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::blobs::Blob;
use posdesk_storage::repo::complaints::{
    self as repo, AddEvidence, Change, ChangeComplaint, ClockCtx, Complaint, CreateComplaint,
    Entry, Evidence, FireEscalations, Queue,
};
use posdesk_storage::repo::{lookup, throttle};
use posdesk_storage::{Actor, WriteMeta};
use rand::RngCore;
use serde::Serialize;

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The provider's complaint clock: its calendar (cached with the SLA context) and its rules
/// (stored, else the defaults).
pub async fn clock_ctx(state: &AppState, tenant: TenantId) -> ApiResult<ClockCtx> {
    let sla = super::tickets::sla_context(state, tenant).await?;
    let rules = state
        .store
        .read(move |c| Box::pin(async move { repo::rules(c, tenant).await }))
        .await?
        .map(|(r, _)| r)
        .unwrap_or_default();
    Ok(ClockCtx {
        calendar: sla.calendar,
        rules,
    })
}

/// The provider's complaint rules and their version (0 while the defaults apply).
#[derive(Debug, Clone, Serialize)]
pub struct StoredRules {
    pub rules: ComplaintRules,
    pub version: i64,
}

/// Readable by the provider's staff (`CalendarRead`: the rules are working-time settings like
/// the calendar).
pub async fn rules(ctx: &Ctx<'_>) -> ApiResult<StoredRules> {
    let scope = ctx.authorize(Permission::CalendarRead)?;
    let tenant = tenant_of(&scope)?;
    let stored = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::rules(c, tenant).await }))
        .await?;
    Ok(stored.map_or_else(
        || StoredRules {
            rules: ComplaintRules::default(),
            version: 0,
        },
        |(rules, version)| StoredRules { rules, version },
    ))
}

/// Replaces the provider's complaint rules (provider admins: `SlaManage`), checked by
/// `ComplaintRules::new` (fields `acknowledge_working_minutes`, `decision_days`,
/// `extension_steps[i].to_days`). Open complaints take the new rules at their next read.
pub async fn save_rules(
    ctx: &Ctx<'_>,
    acknowledge_working_minutes: i64,
    decision_days: i64,
    steps: Vec<ExtensionStep>,
    expected_version: Option<i64>,
) -> ApiResult<StoredRules> {
    let scope = ctx.authorize(Permission::SlaManage)?;
    let tenant = tenant_of(&scope)?;
    let rules = ComplaintRules::new(acknowledge_working_minutes, decision_days, steps)?;
    let version = ctx
        .write(
            ctx.meta(),
            repo::SaveRules {
                tenant,
                rules: rules.clone(),
                expected_version,
            },
        )
        .await?;
    Ok(StoredRules { rules, version })
}

fn tenant_of(scope: &Scope) -> ApiResult<TenantId> {
    scope.tenant().ok_or(ApiError::NotFound)
}

fn acting_merchant(scope: &Scope) -> Option<MerchantId> {
    scope.merchant()
}

/// Whether the principal counts as a manager for the special-case extension step.
pub fn is_manager(p: &Principal) -> bool {
    p.role().allows(Permission::ComplaintApprove)
}

fn random_u64() -> u64 {
    rand::rng().next_u64()
}

/// Writes a new complaint with a fresh receipt number, drawing again on the (astronomically
/// rare) collision with an existing one.
async fn register(
    state: &AppState,
    meta: WriteMeta,
    tenant: TenantId,
    intake: Intake,
    merchant: Option<MerchantId>,
) -> ApiResult<Complaint> {
    let clock = clock_ctx(state, tenant).await?;
    let today = LocalDate::of_timestamp(now())
        .ok_or_else(|| ApiError::Internal("today is out of range".into()))?;
    for _ in 0..5 {
        let m = CreateComplaint {
            tenant,
            id: ComplaintId::from_uuid(new_uuid()),
            receipt: ReceiptNo::generate(today, random_u64()),
            intake: intake.clone(),
            merchant,
            clock: clock.clone(),
        };
        match state.store.write(meta.clone(), m).await {
            Err(posdesk_storage::Error::Unique { columns }) if columns.contains("receipt_no") => {
                continue;
            }
            other => return Ok(other?),
        }
    }
    Err(ApiError::Internal(
        "could not draw a unique receipt number".into(),
    ))
}

/// Registers a complaint entered by staff (hotline, branch, e-mail confirmed by an agent,
/// referral) or by a merchant user in the portal (the channel is then `portal` whatever was
/// sent, and the complaint belongs to their merchant). A MID the provider knows links the
/// complaint to that merchant.
pub async fn create(ctx: &Ctx<'_>, raw: RawIntake<'_>) -> ApiResult<Complaint> {
    let scope = ctx.authorize(Permission::ComplaintCreate)?;
    let tenant = tenant_of(&scope)?;
    let acting = acting_merchant(&scope);
    let mut raw = raw;
    if acting.is_some() {
        raw.channel = ComplaintChannel::Portal.code();
    } else {
        let ch = ComplaintChannel::parse("channel", raw.channel)?;
        if !ComplaintChannel::STAFF.contains(&ch) {
            return Err(ApiError::Invalid(FieldError::new(
                "channel",
                Rule::OneOf {
                    allowed: ComplaintChannel::STAFF.iter().map(|c| c.code()).collect(),
                },
            )));
        }
    }
    let intake = Intake::parse(&raw, now())?;
    let merchant = match acting {
        Some(m) => Some(m),
        None => merchant_of_mid(ctx.state, tenant, &intake).await?,
    };
    register(ctx.state, ctx.meta(), tenant, intake, merchant).await
}

async fn merchant_of_mid(
    state: &AppState,
    tenant: TenantId,
    intake: &Intake,
) -> ApiResult<Option<MerchantId>> {
    let Some(mid) = intake.mid.as_ref().map(|m| m.as_str().to_owned()) else {
        return Ok(None);
    };
    let hit = state
        .store
        .read(move |c| Box::pin(async move { lookup::merchant_by_mid(c, tenant, &mid).await }))
        .await?;
    Ok(hit.map(|h| h.id))
}

fn now() -> Timestamp {
    posdesk_storage::now()
}

/// Public form limits: per client address 5 an hour, per phone number 3 a day.
pub const PUBLIC_PER_IP_HOUR: i64 = 5;
pub const PUBLIC_PER_PHONE_DAY: i64 = 3;
/// Tracking look-ups per client address per 10 minutes.
pub const TRACK_PER_IP: i64 = 20;
const HOUR_MS: i64 = 3_600_000;

async fn over_limit(state: &AppState, key: String, window_ms: i64, max: i64) -> ApiResult<bool> {
    let n = state
        .store
        .read(move |c| Box::pin(async move { throttle::failures(c, &key, now(), window_ms).await }))
        .await?;
    Ok(n >= max)
}

async fn count(state: &AppState, key: String, window_ms: i64) -> ApiResult<()> {
    state
        .store
        .write(
            WriteMeta::new(Actor::system("public"), format!("public-{}", new_uuid())),
            throttle::RecordFailure {
                keys: vec![key],
                window_ms,
            },
        )
        .await?;
    Ok(())
}

/// The public form (no account): anti-abuse without a CAPTCHA — a honeypot field `website`
/// that is hidden from people and must stay empty (a filled one is refused, nothing stored),
/// and rate limits per client address and per phone number (429 beyond
/// [`PUBLIC_PER_IP_HOUR`] / [`PUBLIC_PER_PHONE_DAY`]). The complaint is on channel `public_web`.
pub async fn create_public(
    state: &AppState,
    tenant: TenantId,
    raw: RawIntake<'_>,
    honeypot: &str,
    client: &str,
) -> ApiResult<Complaint> {
    if !honeypot.trim().is_empty() {
        return Err(ApiError::Invalid(FieldError::new(
            "website",
            Rule::Invalid {
                reason: "must be left empty",
            },
        )));
    }
    let exists = state
        .store
        .read(move |c| {
            Box::pin(async move {
                posdesk_storage::repo::providers::get(c, &Scope::system(tenant), tenant).await
            })
        })
        .await;
    if exists.is_err() {
        return Err(ApiError::NotFound);
    }
    let mut raw = raw;
    raw.channel = ComplaintChannel::PublicWeb.code();
    raw.referral_source = None;
    raw.referral_reference = None;
    raw.referral_deadline = None;
    let intake = Intake::parse(&raw, now())?;
    let ip_key = format!("complaint-ip:{client}");
    let phone_key = format!("complaint-phone:{}", intake.phone.as_str());
    if over_limit(state, ip_key.clone(), HOUR_MS, PUBLIC_PER_IP_HOUR).await?
        || over_limit(state, phone_key.clone(), 24 * HOUR_MS, PUBLIC_PER_PHONE_DAY).await?
    {
        return Err(ApiError::TooManyRequests);
    }
    count(state, ip_key, HOUR_MS).await?;
    count(state, phone_key, 24 * HOUR_MS).await?;
    let meta = WriteMeta::new(
        Actor::system("public-form"),
        format!("public-{}", new_uuid()),
    );
    let merchant = merchant_of_mid(state, tenant, &intake).await?;
    register(state, meta, tenant, intake, merchant).await
}

/// The tracking page: the receipt number and the phone's last four digits. An unknown receipt
/// and wrong digits get the same `NotFound`, and every look-up counts against the client's
/// limit (429 beyond [`TRACK_PER_IP`] in 10 minutes), so receipts cannot be enumerated.
pub async fn track(
    state: &AppState,
    receipt: &str,
    last4: &str,
    client: &str,
) -> ApiResult<PublicView> {
    let key = format!("track-ip:{client}");
    if over_limit(state, key.clone(), HOUR_MS / 6, TRACK_PER_IP).await? {
        return Err(ApiError::TooManyRequests);
    }
    count(state, key, HOUR_MS / 6).await?;
    let given = PhoneLast4::parse("phone_last4", last4)?;
    let Ok(receipt) = ReceiptNo::parse("receipt_no", receipt) else {
        let _ = tracking_allows(None, &given);
        return Err(ApiError::NotFound);
    };
    let found = state
        .store
        .read(move |c| Box::pin(async move { repo::by_receipt(c, &receipt).await }))
        .await?;
    let stored = found
        .as_ref()
        .and_then(|k| PhoneLast4::parse("phone_last4", &k.phone_last4).ok());
    if !tracking_allows(stored.as_ref(), &given) {
        return Err(ApiError::NotFound);
    }
    let Some(k) = found else {
        return Err(ApiError::NotFound);
    };
    Ok(state
        .store
        .read(move |c| Box::pin(async move { repo::public_view(c, &k).await }))
        .await?)
}

/// Complaints of a queue under the caller's scope.
pub async fn list(ctx: &Ctx<'_>, queue: Queue, limit: i64) -> ApiResult<Vec<Complaint>> {
    let scope = ctx.authorize(Permission::ComplaintRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::list(c, &scope, queue, limit).await }))
        .await?)
}

/// A complaint with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ComplaintDetail {
    pub complaint: Complaint,
    pub clocks: ComplaintClocks,
    /// Merchant users: public entries only.
    pub entries: Vec<Entry>,
    pub evidence: Vec<Evidence>,
    pub tickets: Vec<(TicketId, String)>,
    /// Linked repair orders with their ticket's number (staff only).
    pub repairs: Vec<(posdesk_core::ids::RepairId, String)>,
    /// The status steps allowed now (the caller's permission decides which it may take).
    pub allowed: Vec<ComplaintEvent>,
}

pub async fn get(ctx: &Ctx<'_>, id: ComplaintId) -> ApiResult<ComplaintDetail> {
    let scope = ctx.authorize(Permission::ComplaintRead)?;
    let tenant = tenant_of(&scope)?;
    let clock = clock_ctx(ctx.state, tenant).await?;
    let now = now();
    Ok(ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let (complaint, clocks) = repo::clocks(c, &scope, id, &clock, now).await?;
                let entries = repo::entries(c, &scope, id).await?;
                let evidence = repo::evidence(c, &scope, id).await?;
                let (tickets, repairs) = if scope.merchant().is_some() {
                    (vec![], vec![])
                } else {
                    (
                        repo::linked_tickets(c, &scope, id).await?,
                        repo::linked_repairs(c, &scope, id).await?,
                    )
                };
                let allowed = allowed_events(complaint.status);
                Ok(ComplaintDetail {
                    complaint,
                    clocks,
                    entries,
                    evidence,
                    tickets,
                    repairs,
                    allowed,
                })
            })
        })
        .await?)
}

/// A change as received from a form or the API, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct ChangeInput<'a> {
    /// `acknowledge`, `decide`, `accept`, `reject`, `review`, `close`, `extend`, `note`,
    /// `contact`, `propose`, `assign`, `satisfaction`, `link`.
    pub action: &'a str,
    pub text: Option<&'a str>,
    pub resolution: Option<&'a str>,
    pub to_days: Option<i64>,
    pub contact_at: Option<Timestamp>,
    pub contact_channel: Option<&'a str>,
    pub contact_outcome: Option<&'a str>,
    pub handler_id: Option<&'a str>,
    pub satisfaction: Option<i64>,
    pub ticket: Option<&'a str>,
    /// For `link`: a repair order instead of a ticket.
    pub repair: Option<&'a str>,
}

/// Every action [`change`] takes.
pub const ACTIONS: [&str; 13] = [
    "acknowledge",
    "decide",
    "accept",
    "reject",
    "review",
    "close",
    "extend",
    "note",
    "contact",
    "propose",
    "assign",
    "satisfaction",
    "link",
];

fn opt_text(field: &str, v: Option<&str>) -> ApiResult<Option<HandlingText>> {
    Ok(v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| HandlingText::parse(field, s))
        .transpose()?)
}

fn req_text(field: &str, v: Option<&str>) -> ApiResult<HandlingText> {
    Ok(HandlingText::parse(field, v.unwrap_or(""))?)
}

/// The permission an action needs: the complainant's answer and rating are
/// `ComplaintRespond` for merchant users (their own complaint), `ComplaintHandle` for staff
/// recording it from a call; everything else is `ComplaintHandle`.
fn permission_for(action: &str, role: Role) -> Permission {
    match action {
        "accept" | "reject" | "satisfaction" if role == Role::MerchantUser => {
            Permission::ComplaintRespond
        }
        _ => Permission::ComplaintHandle,
    }
}

/// Parses and applies a change (`If-Match` as `expected_version`).
pub async fn change(
    ctx: &Ctx<'_>,
    id: ComplaintId,
    expected_version: Option<i64>,
    input: ChangeInput<'_>,
) -> ApiResult<Complaint> {
    let action = input.action.trim();
    if !ACTIONS.contains(&action) {
        return Err(ApiError::Invalid(FieldError::new(
            "action",
            Rule::OneOf {
                allowed: ACTIONS.to_vec(),
            },
        )));
    }
    let scope = ctx.authorize(permission_for(action, ctx.principal.role()))?;
    let tenant = tenant_of(&scope)?;
    let change = match action {
        "extend" => Change::Extend {
            to_days: input
                .to_days
                .ok_or_else(|| FieldError::new("to_days", Rule::Required))?,
            reason: input.text.unwrap_or("").to_owned(),
            by_manager: is_manager(ctx.principal),
        },
        "note" => Change::Note(req_text("text", input.text)?),
        "contact" => Change::Contact {
            at: input
                .contact_at
                .ok_or_else(|| FieldError::new("contact_at", Rule::Required))?,
            channel: ContactChannel::parse("contact_channel", input.contact_channel.unwrap_or(""))?,
            outcome: ContactOutcome::parse("contact_outcome", input.contact_outcome.unwrap_or(""))?,
            note: opt_text("text", input.text)?,
        },
        "propose" => Change::Proposal {
            resolution: ResolutionKind::parse("resolution", input.resolution.unwrap_or(""))?,
            text: req_text("text", input.text)?,
        },
        "assign" => Change::Assign(
            input
                .handler_id
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| UserId::parse("handler_id", s))
                .transpose()?,
        ),
        "satisfaction" => Change::Satisfaction(Satisfaction::parse(
            "satisfaction",
            input
                .satisfaction
                .ok_or_else(|| FieldError::new("satisfaction", Rule::Required))?,
        )?),
        "link" => match input.repair.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Change::LinkRepair(posdesk_core::ids::RepairId::parse("repair_id", r)?),
            None => Change::Link(TicketId::parse("ticket_id", input.ticket.unwrap_or(""))?),
        },
        event => {
            let event = ComplaintEvent::parse("action", event)?;
            let resolution = match event {
                ComplaintEvent::Decide => Some(ResolutionKind::parse(
                    "resolution",
                    input.resolution.unwrap_or(""),
                )?),
                _ => None,
            };
            let text = match event {
                ComplaintEvent::Decide => Some(req_text("text", input.text)?),
                _ => opt_text("text", input.text)?,
            };
            Change::Event {
                event,
                text,
                resolution,
            }
        }
    };
    let clock = clock_ctx(ctx.state, tenant).await?;
    ctx.write(
        ctx.meta(),
        ChangeComplaint {
            tenant,
            acting_merchant: acting_merchant(&scope),
            actor: ctx.principal.user_id(),
            id,
            expected_version,
            change,
            clock,
        },
    )
    .await
}

/// Adds an evidence file (checked first: type against bytes, size) to a complaint; staff with
/// `ComplaintHandle`, or a merchant user on their own complaint (`ComplaintRespond`).
pub async fn add_evidence(
    ctx: &Ctx<'_>,
    id: ComplaintId,
    supersedes: Option<&str>,
    file_name: &str,
    declared_mime: &str,
    bytes: Vec<u8>,
    description: Option<&str>,
) -> ApiResult<Evidence> {
    let perm = if ctx.principal.role() == Role::MerchantUser {
        Permission::ComplaintRespond
    } else {
        Permission::ComplaintHandle
    };
    let scope = ctx.authorize(perm)?;
    let tenant = tenant_of(&scope)?;
    let kind: EvidenceKind = check_evidence(declared_mime, &bytes)?;
    let file_name = FileName::parse("file_name", file_name)?;
    let supersedes = supersedes
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| EvidenceId::parse("supersedes", s))
        .transpose()?;
    let description = opt_text("description", description)?;
    ctx.write(
        ctx.meta(),
        AddEvidence {
            tenant,
            acting_merchant: acting_merchant(&scope),
            complaint: id,
            id: EvidenceId::from_uuid(new_uuid()),
            supersedes,
            file_name,
            kind,
            bytes,
            description,
        },
    )
    .await
}

/// One evidence file and its bytes.
pub async fn evidence_file(
    ctx: &Ctx<'_>,
    id: ComplaintId,
    evidence: EvidenceId,
) -> ApiResult<(Evidence, Blob)> {
    let scope = ctx.authorize(Permission::ComplaintRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::evidence_file(c, &scope, id, evidence).await }))
        .await?)
}

/// Each evidence file's recorded SHA-256 and whether the stored bytes still hash to it.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub evidence_id: EvidenceId,
    pub sha256: String,
    pub intact: bool,
}

pub async fn verify_evidence(ctx: &Ctx<'_>, id: ComplaintId) -> ApiResult<Vec<Verified>> {
    let scope = ctx.authorize(Permission::ComplaintRead)?;
    let v = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::verify_evidence(c, &scope, id).await }))
        .await?;
    Ok(v.into_iter()
        .map(|(evidence_id, sha256, intact)| Verified {
            evidence_id,
            sha256,
            intact,
        })
        .collect())
}

/// What the decision letter (答复函) prints.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub receipt_no: String,
    pub complainant_name: String,
    pub received_at: Timestamp,
    pub decided_at: Timestamp,
    pub resolution: ResolutionKind,
    pub decision_text: String,
    pub provider_name: String,
    pub provider_hotline: Option<String>,
    pub routes: Vec<OutsideRoute>,
    /// Whether this is the second-level review's decision.
    pub review: bool,
}

/// The decision letter of a decided complaint (`Conflict` before a decision).
pub async fn letter(ctx: &Ctx<'_>, id: ComplaintId) -> ApiResult<Letter> {
    let d = get(ctx, id).await?;
    let k = &d.complaint;
    let (Some(resolution), Some(text)) = (k.resolution, k.decision_text.clone()) else {
        return Err(ApiError::Conflict {
            detail: "the complaint has no decision yet".into(),
            field: None,
        });
    };
    let last = d
        .entries
        .iter()
        .rev()
        .find(|e| e.kind == EntryKind::Decided)
        .ok_or_else(|| ApiError::Internal("decided without a decision entry".into()))?;
    let tenant = k.tenant_id;
    let provider = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                posdesk_storage::repo::providers::get(c, &Scope::system(tenant), tenant).await
            })
        })
        .await?;
    Ok(Letter {
        receipt_no: k.receipt_no.clone(),
        complainant_name: k.complainant_name.clone(),
        received_at: k.received_at,
        decided_at: last.at,
        resolution,
        decision_text: text,
        provider_name: provider.name,
        provider_hotline: provider.hotline,
        routes: OUTSIDE_ROUTES.to_vec(),
        review: last.body["review"].as_bool().unwrap_or(false),
    })
}

/// Scan pass: fires the due escalation levels of complaints whose next instant has come.
/// Returns the number of levels fired.
pub async fn scan(state: &AppState, now: Timestamp, limit: i64) -> ApiResult<usize> {
    let due = state
        .store
        .read(move |c| Box::pin(async move { repo::due(c, now, limit).await }))
        .await?;
    let mut fired = 0;
    for (tenant, id) in due {
        let clock = clock_ctx(state, tenant).await?;
        let meta = WriteMeta::new(
            Actor::system("complaint-scan"),
            format!("complaint-scan-{}", new_uuid()),
        );
        match state
            .store
            .write(
                meta,
                FireEscalations {
                    tenant,
                    id,
                    clock,
                    now,
                },
            )
            .await
        {
            Ok(keys) => fired += keys.len(),
            // Changed in between (another server fired or a handler acted): next pass.
            Err(posdesk_storage::Error::Stale { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(fired)
}
