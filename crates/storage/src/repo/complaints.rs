//! Complaints (投诉, seed 003). The rules are `posdesk_core::complaint`'s; this module stores a
//! complaint's facts and clock inputs (`complaints`), its timeline (`complaint_entries`,
//! append-only: what was said and done, when, by whom), its evidence (`complaint_evidence`
//! rows over content-addressed `blobs`, append-only: a later file is a new version naming the
//! one it `supersedes`), the escalation levels that fired (`complaint_escalations`, unique per
//! complaint and level) and links to tickets.
//!
//! Reads take the caller's scope: staff see their provider's complaints, a merchant user only
//! complaints filed for their own merchant, and only public entries. The tracking page reads
//! by receipt number with no scope and shows only [`PublicView`]-level facts.
//!
//! Every change re-reads the complaint and updates it `WHERE version = <read>`; deadlines,
//! the decision period and the next escalation instant are recomputed by the core from the
//! stored facts on every change (they are caches for lists and the scan, never the truth).

use std::sync::Arc;

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::calendar::Calendar;
use posdesk_core::complaint::{
    ClockFacts, ComplaintCategory, ComplaintChannel, ComplaintClocks, ComplaintEvent,
    ComplaintOutcome, ComplaintRules, ComplaintStatus, ContactChannel, ContactOutcome, EntryKind,
    EvidenceKind, Extension, ExtensionError, HandlingText, Intake, PublicStep, PublicView,
    ReceiptNo, ResolutionKind, Satisfaction, check_extension, check_reviewer, clock_name,
    complaint_clocks, due_complaint_escalations, evidence_sha256, next_complaint_escalation_at,
    transition,
};
use posdesk_core::ids::{ComplaintId, EvidenceId, MerchantId, TenantId, TicketId, UserId};
use posdesk_core::ticket::{EscalationAction, EscalationKey, FileName};
use posdesk_core::{FieldError, Rule};
use serde::Serialize;
use serde_json::json;

use super::blobs::{self, Blob, NewBlob};
use super::jobs::{self, NewJob};
use super::{code, opt_code, scope_filter, updated_one};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id, parse_opt_id};

/// The calendar and rules a complaint's clocks run on (the provider's).
#[derive(Debug, Clone)]
pub struct ClockCtx {
    pub calendar: Arc<Calendar>,
    pub rules: ComplaintRules,
}

/// A complaint as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Complaint {
    pub id: ComplaintId,
    pub tenant_id: TenantId,
    pub receipt_no: String,
    pub channel: ComplaintChannel,
    pub category: ComplaintCategory,
    pub status: ComplaintStatus,
    pub outcome: Option<ComplaintOutcome>,
    pub version: i64,
    pub complainant_name: String,
    pub phone: String,
    pub phone_last4: String,
    pub email: Option<String>,
    pub merchant_id: Option<MerchantId>,
    pub mid: Option<String>,
    pub tid: Option<String>,
    pub occurred_at: Option<Timestamp>,
    pub place: Option<String>,
    pub narrative: String,
    pub request: String,
    pub referral_source: Option<String>,
    pub referral_reference: Option<String>,
    pub referral_deadline: Option<Timestamp>,
    pub handler_id: Option<UserId>,
    pub first_decider_id: Option<UserId>,
    pub reviewer_id: Option<UserId>,
    pub received_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub first_decided_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub decision_days: i64,
    pub decision_deadline: Timestamp,
    pub acknowledge_deadline: Option<Timestamp>,
    pub resolution: Option<ResolutionKind>,
    pub decision_text: Option<String>,
    pub satisfaction: Option<i64>,
    pub next_escalation_at: Option<Timestamp>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLS: &str = "id, tenant_id, receipt_no, channel, category, status, outcome, version, \
    complainant_name, phone, phone_last4, email, merchant_id, mid, tid, occurred_at, place, \
    narrative, request, referral_source, referral_reference, referral_deadline, handler_id, \
    first_decider_id, reviewer_id, received_at, acknowledged_at, first_decided_at, closed_at, \
    decision_days, decision_deadline, acknowledge_deadline, resolution, decision_text, \
    satisfaction, next_escalation_at, created_by, created_at, updated_at";

fn to_complaint(r: &Row) -> Result<Complaint> {
    Ok(Complaint {
        id: parse_id(r, 0, ComplaintId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        receipt_no: r.text(2)?,
        channel: code(r, 3, ComplaintChannel::from_code)?,
        category: code(r, 4, ComplaintCategory::from_code)?,
        status: code(r, 5, ComplaintStatus::from_code)?,
        outcome: opt_code(r, 6, ComplaintOutcome::from_code)?,
        version: r.int(7)?,
        complainant_name: r.text(8)?,
        phone: r.text(9)?,
        phone_last4: r.text(10)?,
        email: r.opt_text(11)?,
        merchant_id: parse_opt_id(r, 12, MerchantId::parse)?,
        mid: r.opt_text(13)?,
        tid: r.opt_text(14)?,
        occurred_at: r.opt_ts(15)?,
        place: r.opt_text(16)?,
        narrative: r.text(17)?,
        request: r.text(18)?,
        referral_source: r.opt_text(19)?,
        referral_reference: r.opt_text(20)?,
        referral_deadline: r.opt_ts(21)?,
        handler_id: parse_opt_id(r, 22, UserId::parse)?,
        first_decider_id: parse_opt_id(r, 23, UserId::parse)?,
        reviewer_id: parse_opt_id(r, 24, UserId::parse)?,
        received_at: r.ts(25)?,
        acknowledged_at: r.opt_ts(26)?,
        first_decided_at: r.opt_ts(27)?,
        closed_at: r.opt_ts(28)?,
        decision_days: r.int(29)?,
        decision_deadline: r.ts(30)?,
        acknowledge_deadline: r.opt_ts(31)?,
        resolution: opt_code(r, 32, ResolutionKind::from_code)?,
        decision_text: r.opt_text(33)?,
        satisfaction: r.opt_int(34)?,
        next_escalation_at: r.opt_ts(35)?,
        created_by: r.text(36)?,
        created_at: r.ts(37)?,
        updated_at: r.ts(38)?,
    })
}

/// What the audit trail records of a complaint: its state, never the phone number in full.
#[derive(Debug, Serialize)]
struct AuditView<'a> {
    receipt_no: &'a str,
    channel: &'static str,
    category: &'static str,
    status: &'static str,
    outcome: Option<&'static str>,
    version: i64,
    phone_last4: &'a str,
    merchant_id: Option<String>,
    handler_id: Option<String>,
    decision_days: i64,
    decision_deadline: Timestamp,
    resolution: Option<&'static str>,
    satisfaction: Option<i64>,
}

fn audit_view(c: &Complaint) -> AuditView<'_> {
    AuditView {
        receipt_no: &c.receipt_no,
        channel: c.channel.code(),
        category: c.category.code(),
        status: c.status.code(),
        outcome: c.outcome.map(|o| o.code()),
        version: c.version,
        phone_last4: &c.phone_last4,
        merchant_id: c.merchant_id.map(|m| m.to_string()),
        handler_id: c.handler_id.map(|h| h.to_string()),
        decision_days: c.decision_days,
        decision_deadline: c.decision_deadline,
        resolution: c.resolution.map(|r| r.code()),
        satisfaction: c.satisfaction,
    }
}

/// One complaint the scope can see (`NotFound` otherwise).
pub async fn get(c: &mut dyn Conn, scope: &Scope, id: ComplaintId) -> Result<Complaint> {
    let (filter, mut params) = scope_filter(scope, "tenant_id", Some("merchant_id"), 2);
    let mut all = vec![Value::from(id)];
    all.append(&mut params);
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM complaints WHERE id = $1 AND {filter}"),
            &all,
        )
        .await?;
    to_complaint(&r)
}

/// The complaint with this receipt number, in any tenant: for the public tracking page only
/// (which shows [`public_view`] after checking the phone digits).
pub async fn by_receipt(c: &mut dyn Conn, receipt: &ReceiptNo) -> Result<Option<Complaint>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM complaints WHERE receipt_no = $1"),
        &[receipt.as_str().into()],
    )
    .await?
    .as_ref()
    .map(to_complaint)
    .transpose()
}

/// Which complaints a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Queue {
    /// Every complaint, newest first.
    #[default]
    All,
    /// Not closed, earliest decision deadline first.
    Open,
    /// Open and assigned to this handler.
    Mine(UserId),
    /// Open, no handler.
    Unassigned,
    /// Open and past a deadline at `now` (the management dashboard's red list).
    Overdue(Timestamp),
}

/// Up to `limit` complaints of a queue, under the scope.
pub async fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    queue: Queue,
    limit: i64,
) -> Result<Vec<Complaint>> {
    let (filter, mut params) = scope_filter(scope, "tenant_id", Some("merchant_id"), 1);
    let n = params.len() + 1;
    let (cond, order) = match queue {
        Queue::All => (String::new(), "received_at DESC, id DESC"),
        Queue::Open => (
            " AND status <> 'closed'".to_owned(),
            "decision_deadline, id",
        ),
        Queue::Mine(u) => {
            params.push(u.into());
            (
                format!(" AND status <> 'closed' AND handler_id = ${n}"),
                "decision_deadline, id",
            )
        }
        Queue::Unassigned => (
            " AND status <> 'closed' AND handler_id IS NULL".to_owned(),
            "decision_deadline, id",
        ),
        Queue::Overdue(now) => {
            params.push(now.into());
            (
                format!(
                    " AND status <> 'closed' AND ((first_decided_at IS NULL AND decision_deadline < ${n}) \
                     OR (acknowledged_at IS NULL AND acknowledge_deadline < ${n}))"
                ),
                "decision_deadline, id",
            )
        }
    };
    params.push(Value::Int(limit.clamp(1, 500)));
    let lim = params.len();
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM complaints WHERE {filter}{cond} ORDER BY {order} LIMIT ${lim}"
            ),
            &params,
        )
        .await?;
    rows.iter().map(to_complaint).collect()
}

/// A timeline entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub kind: EntryKind,
    pub public: bool,
    pub actor_id: String,
    /// The actor's display name, when a user.
    pub actor_name: Option<String>,
    pub body: serde_json::Value,
    pub at: Timestamp,
}

/// The timeline of a complaint the scope can see; merchant scopes see public entries only.
pub async fn entries(c: &mut dyn Conn, scope: &Scope, id: ComplaintId) -> Result<Vec<Entry>> {
    let k = get(c, scope, id).await?;
    let only = if scope.merchant().is_some() {
        " AND e.public = 1"
    } else {
        ""
    };
    entries_of(c, &k, only).await
}

async fn entries_of(c: &mut dyn Conn, k: &Complaint, only: &str) -> Result<Vec<Entry>> {
    let rows = c
        .query(
            &format!(
                "SELECT e.seq, e.kind, e.public, e.actor_id, u.display_name, e.body, e.at \
                 FROM complaint_entries e LEFT JOIN users u ON u.id = e.actor_id \
                 WHERE e.tenant_id = $1 AND e.complaint_id = $2{only} ORDER BY e.seq"
            ),
            &[k.tenant_id.into(), k.id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                seq: r.int(0)?,
                kind: code(r, 1, EntryKind::from_code)?,
                public: r.bool(2)?,
                actor_id: r.text(3)?,
                actor_name: r.opt_text(4)?,
                body: serde_json::from_str(&r.text(5)?)
                    .map_err(|e| Error::Backend(format!("stored entry body: {e}")))?,
                at: r.ts(6)?,
            })
        })
        .collect()
}

/// The extensions granted, from the timeline (what the clock needs).
fn extensions(entries: &[Entry]) -> Result<Vec<Extension>> {
    entries
        .iter()
        .filter(|e| e.kind == EntryKind::Extended)
        .map(|e| {
            let to_days = e.body["to_days"]
                .as_i64()
                .ok_or_else(|| Error::Backend("extension without to_days".into()))?;
            let reason = HandlingText::parse("reason", e.body["reason"].as_str().unwrap_or(""))
                .map_err(|err| Error::Backend(format!("stored extension reason: {err}")))?;
            let by = UserId::parse("by", e.body["by"].as_str().unwrap_or(""))
                .map_err(|err| Error::Backend(format!("stored extension actor: {err}")))?;
            Ok(Extension {
                at: e.at,
                to_days,
                reason,
                by,
            })
        })
        .collect()
}

async fn fired_keys(c: &mut dyn Conn, id: ComplaintId) -> Result<Vec<EscalationKey>> {
    let rows = c
        .query(
            "SELECT escalation FROM complaint_escalations WHERE complaint_id = $1",
            &[id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            EscalationKey::parse("escalation", &r.text(0)?)
                .map_err(|e| Error::Backend(format!("stored escalation key: {e}")))
        })
        .collect()
}

fn facts<'a>(k: &Complaint, ext: &'a [Extension]) -> ClockFacts<'a> {
    ClockFacts {
        received_at: k.received_at,
        acknowledged_at: k.acknowledged_at,
        first_decided_at: k.first_decided_at,
        closed_at: k.closed_at,
        extensions: ext,
        referral_deadline: k.referral_deadline,
    }
}

/// The complaint's clocks at `now`.
pub async fn clocks(
    c: &mut dyn Conn,
    scope: &Scope,
    id: ComplaintId,
    clock: &ClockCtx,
    now: Timestamp,
) -> Result<(Complaint, ComplaintClocks)> {
    let k = get(c, scope, id).await?;
    let all = entries_of(c, &k, "").await?;
    let ext = extensions(&all)?;
    let clocks = complaint_clocks(&clock.calendar, &clock.rules, &facts(&k, &ext), now);
    Ok((k, clocks))
}

/// Sets the cached deadlines and the next escalation instant from the facts.
fn recompute(
    k: &mut Complaint,
    ext: &[Extension],
    fired: &[EscalationKey],
    clock: &ClockCtx,
    now: Timestamp,
) {
    let f = facts(k, ext);
    let clocks = complaint_clocks(&clock.calendar, &clock.rules, &f, now);
    k.decision_days = f.decision_days(&clock.rules);
    if let Some(d) = clocks.decision.deadline {
        k.decision_deadline = d;
    }
    k.acknowledge_deadline = clocks.acknowledge.deadline.or(k.acknowledge_deadline);
    k.next_escalation_at = if k.status.is_open() {
        next_complaint_escalation_at(&clock.calendar, &clock.rules, &f, now, fired)
    } else {
        None
    };
}

/// What the public tracking page shows: status, deadlines, public steps — no staff names, no
/// internal entries.
pub async fn public_view(c: &mut dyn Conn, k: &Complaint) -> Result<PublicView> {
    let all = entries_of(c, k, " AND e.public = 1").await?;
    let steps = all
        .iter()
        .map(|e| PublicStep {
            at: e.at,
            kind: e.kind,
            text: match e.kind {
                EntryKind::Extended => e.body["reason"].as_str().map(str::to_owned),
                EntryKind::Decided => e.body["summary"].as_str().map(str::to_owned),
                EntryKind::Closed => e.body["outcome"].as_str().map(str::to_owned),
                _ => None,
            },
            days: (e.kind == EntryKind::Extended)
                .then(|| e.body["to_days"].as_i64())
                .flatten(),
        })
        .collect();
    Ok(PublicView {
        receipt_no: k.receipt_no.clone(),
        status: k.status,
        received_at: k.received_at,
        acknowledge_deadline: k.acknowledge_deadline,
        decision_deadline: (k.first_decided_at.is_none()).then_some(k.decision_deadline),
        decision_days: k.decision_days,
        outcome: k.outcome,
        steps,
    })
}

async fn append(
    c: &mut dyn Conn,
    k: &Complaint,
    kind: EntryKind,
    actor: &str,
    body: serde_json::Value,
    at: Timestamp,
) -> Result<()> {
    c.execute(
        "INSERT INTO complaint_entries (tenant_id, complaint_id, seq, kind, public, actor_id, body, at) \
         SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6, $7 \
         FROM complaint_entries WHERE complaint_id = $2",
        &[
            k.tenant_id.into(),
            k.id.into(),
            kind.code().into(),
            Value::from(kind.is_public()),
            actor.into(),
            body.to_string().into(),
            at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// An e-mail to the complainant (when they gave an address): receipt, acknowledgement,
/// extension, decision. Job ids derive from the complaint, its version and the template, so a
/// re-run enqueues nothing twice.
async fn tell_complainant(
    c: &mut dyn Conn,
    k: &Complaint,
    template: &str,
    params: serde_json::Value,
    now: Timestamp,
) -> Result<()> {
    let Some(to) = &k.email else {
        return Ok(());
    };
    let mut p = params;
    p["receipt_no"] = json!(k.receipt_no);
    p["name"] = json!(k.complainant_name);
    p["decision_deadline"] = json!(k.decision_deadline.to_shanghai_display());
    jobs::enqueue(
        c,
        &NewJob {
            id: format!("email:complaint:{}:{}:{template}", k.id, k.version),
            tenant: Some(k.tenant_id),
            kind: "email".into(),
            payload: json!({
                "to": to,
                "template": template,
                "locale": "zh-CN",
                "params": p,
            }),
            run_at: now,
            max_attempts: 8,
        },
        now,
    )
    .await
}

/// Staff to tell of an escalation: the handler, the provider's supervisors, or its admins.
async fn tell_staff(
    c: &mut dyn Conn,
    k: &Complaint,
    action: &EscalationAction,
    key: &str,
    now: Timestamp,
) -> Result<()> {
    let rows = match action {
        EscalationAction::NotifyAssignee if k.handler_id.is_some() => {
            c.query(
                "SELECT id, email, locale FROM users WHERE id = $1 AND tenant_id = $2 \
                 AND status = 'active' AND email IS NOT NULL",
                &[k.handler_id.into(), k.tenant_id.into()],
            )
            .await?
        }
        EscalationAction::NotifyManagement => {
            c.query(
                "SELECT id, email, locale FROM users WHERE tenant_id = $1 AND role = 'provider_admin' \
                 AND status = 'active' AND email IS NOT NULL ORDER BY id",
                &[k.tenant_id.into()],
            )
            .await?
        }
        // The supervisors, and for an unassigned complaint the handler's tier falls to them.
        _ => {
            c.query(
                "SELECT id, email, locale FROM users WHERE tenant_id = $1 AND role = 'supervisor' \
                 AND status = 'active' AND email IS NOT NULL ORDER BY id",
                &[k.tenant_id.into()],
            )
            .await?
        }
    };
    for r in rows {
        let user = r.text(0)?;
        jobs::enqueue(
            c,
            &NewJob {
                id: format!("email:complaint:{}:escalation:{key}:{user}", k.id),
                tenant: Some(k.tenant_id),
                kind: "email".into(),
                payload: json!({
                    "to": r.text(1)?,
                    "template": "complaint-escalated",
                    "locale": r.text(2)?,
                    "params": {
                        "receipt_no": k.receipt_no,
                        "decision_deadline": k.decision_deadline.to_shanghai_display(),
                        "status": k.status.code(),
                    },
                }),
                run_at: now,
                max_attempts: 8,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

async fn save(c: &mut dyn Conn, k: &Complaint, read_version: i64) -> Result<()> {
    let n = c
        .execute(
            "UPDATE complaints SET status = $1, outcome = $2, version = $3, handler_id = $4, \
             first_decider_id = $5, reviewer_id = $6, acknowledged_at = $7, first_decided_at = $8, \
             closed_at = $9, decision_days = $10, decision_deadline = $11, acknowledge_deadline = $12, \
             resolution = $13, decision_text = $14, satisfaction = $15, next_escalation_at = $16, \
             updated_at = $17 WHERE id = $18 AND version = $19",
            &[
                k.status.code().into(),
                k.outcome.map(|o| o.code()).into(),
                Value::Int(k.version),
                k.handler_id.into(),
                k.first_decider_id.into(),
                k.reviewer_id.into(),
                k.acknowledged_at.into(),
                k.first_decided_at.into(),
                k.closed_at.into(),
                Value::Int(k.decision_days),
                k.decision_deadline.into(),
                k.acknowledge_deadline.into(),
                k.resolution.map(|r| r.code()).into(),
                k.decision_text.as_deref().into(),
                k.satisfaction.into(),
                k.next_escalation_at.into(),
                k.updated_at.into(),
                k.id.into(),
                Value::Int(read_version),
            ],
        )
        .await?;
    updated_one(n, read_version)
}

/// Registers a complaint: the row with its receipt number (unique across the instance: a
/// collision is `Unique` on `receipt_no` and the service draws again), the `received` entry,
/// the receipt e-mail. One `create` audit event on entity `complaint`.
pub struct CreateComplaint {
    pub tenant: TenantId,
    pub id: ComplaintId,
    pub receipt: ReceiptNo,
    pub intake: Intake,
    /// The merchant the complaint belongs to (a merchant user's own; or the merchant whose
    /// MID the complainant gave, if the provider has it).
    pub merchant: Option<MerchantId>,
    pub clock: ClockCtx,
}

impl Mutation for CreateComplaint {
    type Output = Complaint;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Complaint>>> {
        Box::pin(async move {
            let i = &self.intake;
            let now = ctx.now;
            let mut k = Complaint {
                id: self.id,
                tenant_id: self.tenant,
                receipt_no: self.receipt.as_str().to_owned(),
                channel: i.channel,
                category: i.category,
                status: ComplaintStatus::Received,
                outcome: None,
                version: 1,
                complainant_name: i.complainant_name.as_str().to_owned(),
                phone: i.phone.as_str().to_owned(),
                phone_last4: posdesk_core::complaint::PhoneLast4::of(&i.phone)
                    .as_str()
                    .to_owned(),
                email: i.email.as_ref().map(|e| e.as_str().to_owned()),
                merchant_id: self.merchant,
                mid: i.mid.as_ref().map(|m| m.as_str().to_owned()),
                tid: i.tid.as_ref().map(|t| t.as_str().to_owned()),
                occurred_at: i.occurred_at,
                place: i.place.as_ref().map(|p| p.as_str().to_owned()),
                narrative: i.narrative.as_str().to_owned(),
                request: i.request.as_str().to_owned(),
                referral_source: i.referral.as_ref().map(|r| r.source.as_str().to_owned()),
                referral_reference: i.referral.as_ref().map(|r| r.reference.as_str().to_owned()),
                referral_deadline: i.referral.as_ref().map(|r| r.deadline),
                handler_id: None,
                first_decider_id: None,
                reviewer_id: None,
                received_at: now,
                acknowledged_at: None,
                first_decided_at: None,
                closed_at: None,
                decision_days: self.clock.rules.decision_days,
                decision_deadline: now,
                acknowledge_deadline: None,
                resolution: None,
                decision_text: None,
                satisfaction: None,
                next_escalation_at: None,
                created_by: ctx.actor.id.clone(),
                created_at: now,
                updated_at: now,
            };
            recompute(&mut k, &[], &[], &self.clock, now);
            c.execute(
                &format!(
                    "INSERT INTO complaints ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                     $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, \
                     $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39)"
                ),
                &[
                    k.id.into(),
                    k.tenant_id.into(),
                    k.receipt_no.as_str().into(),
                    k.channel.code().into(),
                    k.category.code().into(),
                    k.status.code().into(),
                    Value::Null,
                    Value::Int(k.version),
                    k.complainant_name.as_str().into(),
                    k.phone.as_str().into(),
                    k.phone_last4.as_str().into(),
                    k.email.as_deref().into(),
                    k.merchant_id.into(),
                    k.mid.as_deref().into(),
                    k.tid.as_deref().into(),
                    k.occurred_at.into(),
                    k.place.as_deref().into(),
                    k.narrative.as_str().into(),
                    k.request.as_str().into(),
                    k.referral_source.as_deref().into(),
                    k.referral_reference.as_deref().into(),
                    k.referral_deadline.into(),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    now.into(),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Int(k.decision_days),
                    k.decision_deadline.into(),
                    k.acknowledge_deadline.into(),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    k.next_escalation_at.into(),
                    k.created_by.as_str().into(),
                    now.into(),
                    now.into(),
                ],
            )
            .await?;
            append(
                c,
                &k,
                EntryKind::Received,
                &ctx.actor.id,
                json!({"channel": k.channel.code(), "referral_reference": k.referral_reference}),
                now,
            )
            .await?;
            tell_complainant(c, &k, "complaint-received", json!({}), now).await?;
            let audit = AuditDraft::created(Some(k.tenant_id), "complaint", k.id, audit_view(&k));
            Ok(Applied::new(k, vec![audit]))
        })
    }
}

/// A change to a complaint.
#[derive(Debug, Clone)]
pub enum Change {
    /// A status step. `decide` needs `resolution` and `text` (the decision told to the
    /// complainant); `review` and a decision made under review are by someone other than the
    /// first decider.
    Event {
        event: ComplaintEvent,
        text: Option<HandlingText>,
        resolution: Option<ResolutionKind>,
    },
    /// Extend the decision deadline to `to_days` after receipt, with a written reason.
    Extend {
        to_days: i64,
        reason: String,
        by_manager: bool,
    },
    Note(HandlingText),
    Contact {
        at: Timestamp,
        channel: ContactChannel,
        outcome: ContactOutcome,
        note: Option<HandlingText>,
    },
    Proposal {
        resolution: ResolutionKind,
        text: HandlingText,
    },
    /// Assign a handler (an active user of the provider who may handle complaints), or none.
    Assign(Option<UserId>),
    Satisfaction(Satisfaction),
    Link(TicketId),
    /// Link a repair order of the provider.
    LinkRepair(posdesk_core::ids::RepairId),
}

impl Change {
    fn action(&self) -> &'static str {
        match self {
            Change::Event { event, .. } => event.code(),
            Change::Extend { .. } => "extend",
            Change::Note(_) => "note",
            Change::Contact { .. } => "contact_attempt",
            Change::Proposal { .. } => "propose",
            Change::Assign(_) => "assign",
            Change::Satisfaction(_) => "satisfaction",
            Change::Link(_) | Change::LinkRepair(_) => "link",
        }
    }
}

/// What a complaint can be linked to: the kind stored in `complaint_links`, the table the
/// target must belong to (within the complaint's provider), and the field named on error.
#[derive(Debug, Clone, Copy)]
enum LinkTarget {
    Ticket,
    Repair,
}

impl LinkTarget {
    fn kind(self) -> &'static str {
        match self {
            LinkTarget::Ticket => "ticket",
            LinkTarget::Repair => "repair",
        }
    }
    fn field(self) -> &'static str {
        match self {
            LinkTarget::Ticket => "ticket_id",
            LinkTarget::Repair => "repair_id",
        }
    }
    fn exists_sql(self) -> &'static str {
        match self {
            LinkTarget::Ticket => "SELECT 1 FROM tickets WHERE id = $1 AND tenant_id = $2",
            LinkTarget::Repair => "SELECT 1 FROM repair_orders WHERE id = $1 AND tenant_id = $2",
        }
    }
}

/// Links `k` to a ticket or repair order of its provider (once: a second link is `Unique`);
/// returns the `linked` entry to append.
async fn link(
    c: &mut dyn Conn,
    k: &Complaint,
    target: LinkTarget,
    id: &str,
    actor: &str,
    now: Timestamp,
) -> Result<(EntryKind, serde_json::Value)> {
    let found = c
        .query_opt(target.exists_sql(), &[id.into(), k.tenant_id.into()])
        .await?;
    if found.is_none() {
        return Err(FieldError::new(
            target.field(),
            Rule::Invalid {
                reason: match target {
                    LinkTarget::Ticket => "no such ticket of this provider",
                    LinkTarget::Repair => "no such repair order of this provider",
                },
            },
        )
        .into());
    }
    let n = c
        .execute(
            "INSERT INTO complaint_links (tenant_id, complaint_id, kind, target_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[
                k.tenant_id.into(),
                k.id.into(),
                target.kind().into(),
                id.into(),
                actor.into(),
                now.into(),
            ],
        )
        .await?;
    if n == 0 {
        return Err(Error::Unique {
            columns: "complaint_id, kind, target_id".into(),
        });
    }
    Ok((EntryKind::Linked, json!({ target.field(): id })))
}

/// Applies a [`Change`] to a complaint under the acting scope (a merchant user may only answer
/// the decision and record satisfaction on their own merchant's complaint). The complaint is
/// re-read, changed `WHERE version = <read>` (a stale `If-Match` is `Stale`), the entry
/// appended, the clocks' caches recomputed, the complainant told where the step calls for it;
/// one audit event on entity `complaint` with the action.
pub struct ChangeComplaint {
    pub tenant: TenantId,
    pub acting_merchant: Option<MerchantId>,
    pub actor: UserId,
    pub id: ComplaintId,
    pub expected_version: Option<i64>,
    pub change: Change,
    pub clock: ClockCtx,
}

fn illegal(e: posdesk_core::complaint::ComplaintError) -> Error {
    Error::Rejected(e.to_string())
}

fn ext_error(e: ExtensionError) -> Error {
    match e {
        ExtensionError::Field(f) => Error::Invalid(f),
        other => Error::Rejected(other.to_string()),
    }
}

impl Mutation for ChangeComplaint {
    type Output = Complaint;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Complaint>>> {
        Box::pin(async move {
            let now = ctx.now;
            let scope = Scope::acting(self.tenant, self.acting_merchant);
            let before = get(c, &scope, self.id).await?;
            super::check_version(self.expected_version, before.version)?;
            if self.acting_merchant.is_some()
                && !matches!(
                    self.change,
                    Change::Event {
                        event: ComplaintEvent::Accept | ComplaintEvent::Reject,
                        ..
                    } | Change::Satisfaction(_)
                )
            {
                return Err(Error::Rejected(
                    "a complainant may only accept or reject the decision and rate it".into(),
                ));
            }
            let all = entries_of(c, &before, "").await?;
            let mut ext = extensions(&all)?;
            let mut k = before.clone();
            k.version += 1;
            k.updated_at = now;
            let actor = ctx.actor.id.as_str();
            let mut told: Option<(&str, serde_json::Value)> = None;
            let (kind, body) = match &self.change {
                Change::Event {
                    event,
                    text,
                    resolution,
                } => {
                    if !k.status.is_open() {
                        return Err(illegal(posdesk_core::complaint::ComplaintError::Closed));
                    }
                    let (to, outcome) = transition(k.status, *event).map_err(illegal)?;
                    let mut body = json!({"from": k.status.code(), "to": to.code()});
                    let kind = match event {
                        ComplaintEvent::Acknowledge => {
                            k.acknowledged_at = Some(now);
                            // The acknowledging user becomes the handler (not the operator's
                            // console or a job, which act as `system:…`).
                            if k.handler_id.is_none() && ctx.actor.id == self.actor.to_string() {
                                k.handler_id = Some(self.actor);
                            }
                            told = Some(("complaint-acknowledged", json!({})));
                            EntryKind::Acknowledged
                        }
                        ComplaintEvent::Decide => {
                            let res = resolution
                                .ok_or_else(|| FieldError::new("resolution", Rule::Required))?;
                            let text = text
                                .as_ref()
                                .ok_or_else(|| FieldError::new("text", Rule::Required))?;
                            if k.status == ComplaintStatus::UnderReview {
                                check_reviewer(k.first_decider_id, self.actor).map_err(illegal)?;
                            } else {
                                k.first_decider_id = Some(self.actor);
                                k.first_decided_at = Some(now);
                            }
                            k.resolution = Some(res);
                            k.decision_text = Some(text.as_str().to_owned());
                            body["resolution"] = json!(res.code());
                            body["summary"] = json!(text.as_str());
                            body["review"] = json!(before.status == ComplaintStatus::UnderReview);
                            told = Some(("complaint-decided", json!({"decision": text.as_str()})));
                            EntryKind::Decided
                        }
                        ComplaintEvent::Accept => EntryKind::Accepted,
                        ComplaintEvent::Reject => EntryKind::Rejected,
                        ComplaintEvent::Review => {
                            check_reviewer(k.first_decider_id, self.actor).map_err(illegal)?;
                            k.reviewer_id = Some(self.actor);
                            EntryKind::ReviewStarted
                        }
                        ComplaintEvent::Close => EntryKind::Closed,
                    };
                    if let Some(t) = text
                        && *event != ComplaintEvent::Decide
                    {
                        body["text"] = json!(t.as_str());
                    }
                    k.status = to;
                    if let Some(o) = outcome {
                        k.outcome = Some(o);
                        k.closed_at = Some(now);
                        body["outcome"] = json!(o.code());
                        if kind != EntryKind::Closed {
                            // accept closes: the timeline shows both the answer and the close.
                            append(c, &k, kind, actor, body.clone(), now).await?;
                            (EntryKind::Closed, json!({"outcome": o.code()}))
                        } else {
                            (kind, body)
                        }
                    } else {
                        (kind, body)
                    }
                }
                Change::Extend {
                    to_days,
                    reason,
                    by_manager,
                } => {
                    let e = check_extension(
                        &self.clock.calendar,
                        &self.clock.rules,
                        &facts(&k, &ext),
                        k.status.awaits_decision(),
                        *to_days,
                        reason,
                        self.actor,
                        *by_manager,
                        now,
                    )
                    .map_err(ext_error)?;
                    let body = json!({"to_days": e.to_days, "reason": e.reason.as_str(), "by": e.by.to_string()});
                    ext.push(e);
                    told = Some((
                        "complaint-extended",
                        json!({"reason": reason.trim(), "to_days": to_days}),
                    ));
                    (EntryKind::Extended, body)
                }
                Change::Note(t) => (EntryKind::Note, json!({"text": t.as_str()})),
                Change::Contact {
                    at,
                    channel,
                    outcome,
                    note,
                } => {
                    if *at > now {
                        return Err(FieldError::new(
                            "contact_at",
                            Rule::Invalid {
                                reason: "must not be in the future",
                            },
                        )
                        .into());
                    }
                    (
                        EntryKind::ContactAttempt,
                        json!({"at": at, "channel": channel.code(), "outcome": outcome.code(),
                               "note": note.as_ref().map(|n| n.as_str())}),
                    )
                }
                Change::Proposal { resolution, text } => (
                    EntryKind::Proposal,
                    json!({"resolution": resolution.code(), "text": text.as_str()}),
                ),
                Change::Assign(handler) => {
                    if let Some(h) = handler {
                        let ok = c
                            .query_opt(
                                "SELECT 1 FROM users WHERE id = $1 AND tenant_id = $2 AND status = 'active' \
                                 AND role IN ('complaints_officer', 'supervisor', 'provider_admin')",
                                &[(*h).into(), self.tenant.into()],
                            )
                            .await?;
                        if ok.is_none() {
                            return Err(FieldError::new(
                                "handler_id",
                                Rule::Invalid {
                                    reason: "must be an active complaints officer, supervisor or provider admin of this provider",
                                },
                            )
                            .into());
                        }
                    }
                    k.handler_id = *handler;
                    (
                        EntryKind::Assigned,
                        json!({"handler_id": handler.map(|h| h.to_string())}),
                    )
                }
                Change::Satisfaction(s) => {
                    if k.first_decided_at.is_none() {
                        return Err(Error::Rejected(
                            "satisfaction is recorded after the decision".into(),
                        ));
                    }
                    k.satisfaction = Some(i64::from(s.get()));
                    (EntryKind::Satisfaction, json!({"satisfaction": s.get()}))
                }
                Change::Link(ticket) => {
                    link(c, &k, LinkTarget::Ticket, &ticket.to_string(), actor, now).await?
                }
                Change::LinkRepair(repair) => {
                    link(c, &k, LinkTarget::Repair, &repair.to_string(), actor, now).await?
                }
            };
            append(c, &k, kind, actor, body, now).await?;
            let fired = fired_keys(c, k.id).await?;
            recompute(&mut k, &ext, &fired, &self.clock, now);
            save(c, &k, before.version).await?;
            if let Some((template, params)) = told {
                tell_complainant(c, &k, template, params, now).await?;
            }
            let audit = AuditDraft::changed(
                Some(k.tenant_id),
                "complaint",
                k.id,
                self.change.action(),
                audit_view(&before),
                audit_view(&k),
            );
            Ok(Applied::new(k, vec![audit]))
        })
    }
}

/// Complaints whose next escalation instant has come (the scan's input), oldest first.
pub async fn due(
    c: &mut dyn Conn,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<(TenantId, ComplaintId)>> {
    let rows = c
        .query(
            "SELECT tenant_id, id FROM complaints WHERE next_escalation_at IS NOT NULL \
             AND next_escalation_at <= $1 ORDER BY next_escalation_at LIMIT $2",
            &[now.into(), Value::Int(limit)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                parse_id(r, 0, TenantId::parse)?,
                parse_id(r, 1, ComplaintId::parse)?,
            ))
        })
        .collect()
}

/// Fires the complaint's due escalation levels: each key is inserted (the primary key lets
/// only one server win), and only the winner appends the `escalated` entry and e-mails the
/// tier (handler → supervisors → management). Recomputes the next instant. Returns the keys
/// fired now. One `escalate` audit event when anything fired.
pub struct FireEscalations {
    pub tenant: TenantId,
    pub id: ComplaintId,
    pub clock: ClockCtx,
    /// The scan's instant: levels due by then (or by the commit's `now`, if later) fire.
    pub now: Timestamp,
}

impl Mutation for FireEscalations {
    type Output = Vec<String>;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Vec<String>>>> {
        Box::pin(async move {
            let now = self.now.max(ctx.now);
            let before = get(c, &Scope::system(self.tenant), self.id).await?;
            let all = entries_of(c, &before, "").await?;
            let ext = extensions(&all)?;
            let mut fired = fired_keys(c, before.id).await?;
            let due = due_complaint_escalations(
                &self.clock.calendar,
                &self.clock.rules,
                &facts(&before, &ext),
                now,
                &fired,
            );
            let mut k = before.clone();
            let mut done = Vec::new();
            for d in &due {
                let key = d.key.code();
                let n = c
                    .execute(
                        "INSERT INTO complaint_escalations (tenant_id, complaint_id, escalation, action, due_at, fired_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                        &[
                            k.tenant_id.into(),
                            k.id.into(),
                            key.as_str().into(),
                            d.action.code().into(),
                            d.due_at.into(),
                            now.into(),
                        ],
                    )
                    .await?;
                fired.push(d.key);
                if n == 0 {
                    continue;
                }
                append(
                    c,
                    &k,
                    EntryKind::Escalated,
                    &ctx.actor.id,
                    json!({"escalation": key, "clock": clock_name(d.key.clock), "action": d.action.code(), "due_at": d.due_at}),
                    now,
                )
                .await?;
                tell_staff(c, &k, &d.action, &key, now).await?;
                done.push(key);
            }
            recompute(&mut k, &ext, &fired, &self.clock, now);
            if done.is_empty() && k.next_escalation_at == before.next_escalation_at {
                return Ok(Applied::new(done, vec![]));
            }
            k.version += 1;
            k.updated_at = now;
            save(c, &k, before.version).await?;
            let audit = if done.is_empty() {
                vec![]
            } else {
                vec![AuditDraft::changed(
                    Some(k.tenant_id),
                    "complaint",
                    k.id,
                    "escalate",
                    json!({"fired": done}),
                    audit_view(&k),
                )]
            };
            Ok(Applied::new(done, audit))
        })
    }
}

/// An evidence file's record (bytes in `blobs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub id: EvidenceId,
    pub complaint_id: ComplaintId,
    pub supersedes: Option<EvidenceId>,
    /// The version that replaced this one, if any (it is kept, never overwritten).
    pub superseded_by: Option<EvidenceId>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub description: Option<String>,
    pub added_by: String,
    pub created_at: Timestamp,
}

const EV_COLS: &str = "e.id, e.complaint_id, e.supersedes, n.id, e.file_name, e.content_type, e.size, \
    e.sha256, e.description, e.added_by, e.created_at";
const EV_FROM: &str = "complaint_evidence e LEFT JOIN complaint_evidence n ON n.supersedes = e.id";

fn to_evidence(r: &Row) -> Result<Evidence> {
    Ok(Evidence {
        id: parse_id(r, 0, EvidenceId::parse)?,
        complaint_id: parse_id(r, 1, ComplaintId::parse)?,
        supersedes: parse_opt_id(r, 2, EvidenceId::parse)?,
        superseded_by: parse_opt_id(r, 3, EvidenceId::parse)?,
        file_name: r.text(4)?,
        content_type: r.text(5)?,
        size: r.int(6)?,
        sha256: r.text(7)?,
        description: r.opt_text(8)?,
        added_by: r.text(9)?,
        created_at: r.ts(10)?,
    })
}

/// Every evidence version of a complaint the scope can see, oldest first.
pub async fn evidence(c: &mut dyn Conn, scope: &Scope, id: ComplaintId) -> Result<Vec<Evidence>> {
    let k = get(c, scope, id).await?;
    let rows = c
        .query(
            &format!(
                "SELECT {EV_COLS} FROM {EV_FROM} WHERE e.tenant_id = $1 AND e.complaint_id = $2 \
                 ORDER BY e.created_at, e.id"
            ),
            &[k.tenant_id.into(), k.id.into()],
        )
        .await?;
    rows.iter().map(to_evidence).collect()
}

/// One evidence version and its bytes.
pub async fn evidence_file(
    c: &mut dyn Conn,
    scope: &Scope,
    id: ComplaintId,
    evidence: EvidenceId,
) -> Result<(Evidence, Blob)> {
    let k = get(c, scope, id).await?;
    let r = c
        .query_one(
            &format!(
                "SELECT {EV_COLS} FROM {EV_FROM} WHERE e.tenant_id = $1 AND e.complaint_id = $2 AND e.id = $3"
            ),
            &[k.tenant_id.into(), k.id.into(), evidence.into()],
        )
        .await?;
    let e = to_evidence(&r)?;
    let blob = blobs::get(c, k.tenant_id, &e.sha256).await?;
    Ok((e, blob))
}

/// Recomputes the SHA-256 of every evidence file of the complaint from the stored bytes:
/// `(id, recorded digest, whether the bytes still hash to it)`.
pub async fn verify_evidence(
    c: &mut dyn Conn,
    scope: &Scope,
    id: ComplaintId,
) -> Result<Vec<(EvidenceId, String, bool)>> {
    let list = evidence(c, scope, id).await?;
    let k = get(c, scope, id).await?;
    let mut out = Vec::with_capacity(list.len());
    for e in list {
        let blob = blobs::get(c, k.tenant_id, &e.sha256).await?;
        let ok = evidence_sha256(&blob.bytes) == e.sha256 && blob.bytes.len() as i64 == e.size;
        out.push((e.id, e.sha256, ok));
    }
    Ok(out)
}

/// Adds an evidence file (checked by `complaint::check_evidence` in the service): the bytes
/// into `blobs`, a new `complaint_evidence` row (a new version when `supersedes` names an
/// earlier file of the same complaint that has no successor yet), an `evidence_added` entry.
/// A merchant user may add to their own merchant's open complaint. One `add_evidence` audit
/// event (name, type, size, digest — never the bytes).
pub struct AddEvidence {
    pub tenant: TenantId,
    pub acting_merchant: Option<MerchantId>,
    pub complaint: ComplaintId,
    pub id: EvidenceId,
    pub supersedes: Option<EvidenceId>,
    pub file_name: FileName,
    pub kind: EvidenceKind,
    pub bytes: Vec<u8>,
    pub description: Option<HandlingText>,
}

impl Mutation for AddEvidence {
    type Output = Evidence;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Evidence>>> {
        Box::pin(async move {
            let scope = Scope::acting(self.tenant, self.acting_merchant);
            let k = get(c, &scope, self.complaint).await?;
            if !k.status.is_open() {
                return Err(Error::Rejected(format!(
                    "complaint {} is closed: no more evidence",
                    k.receipt_no
                )));
            }
            if let Some(prev) = self.supersedes {
                let r = c
                    .query_opt(
                        "SELECT e.id, n.id FROM complaint_evidence e LEFT JOIN complaint_evidence n ON n.supersedes = e.id \
                         WHERE e.id = $1 AND e.complaint_id = $2",
                        &[prev.into(), k.id.into()],
                    )
                    .await?;
                match r {
                    None => {
                        return Err(FieldError::new(
                            "supersedes",
                            Rule::Invalid {
                                reason: "no such evidence file of this complaint",
                            },
                        )
                        .into());
                    }
                    Some(r) if r.opt_text(1)?.is_some() => {
                        return Err(FieldError::new(
                            "supersedes",
                            Rule::Invalid {
                                reason: "already has a newer version; add to the newest",
                            },
                        )
                        .into());
                    }
                    Some(_) => {}
                }
            }
            let sha256 = evidence_sha256(&self.bytes);
            blobs::put(
                c,
                k.tenant_id,
                &NewBlob {
                    sha256: sha256.clone(),
                    content_type: self.kind.mime().to_owned(),
                    bytes: self.bytes.clone(),
                },
                ctx.now,
            )
            .await?;
            let size = i64::try_from(self.bytes.len()).unwrap_or(i64::MAX);
            c.execute(
                "INSERT INTO complaint_evidence (id, tenant_id, complaint_id, supersedes, file_name, content_type, \
                 size, sha256, description, added_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    self.id.into(),
                    k.tenant_id.into(),
                    k.id.into(),
                    self.supersedes.into(),
                    self.file_name.as_str().into(),
                    self.kind.mime().into(),
                    Value::Int(size),
                    sha256.as_str().into(),
                    self.description.as_ref().map(|d| d.as_str()).into(),
                    ctx.actor.id.as_str().into(),
                    ctx.now.into(),
                ],
            )
            .await?;
            let view = json!({
                "evidence_id": self.id.to_string(),
                "supersedes": self.supersedes.map(|s| s.to_string()),
                "file_name": self.file_name.as_str(),
                "content_type": self.kind.mime(),
                "size": size,
                "sha256": sha256,
            });
            append(
                c,
                &k,
                EntryKind::EvidenceAdded,
                &ctx.actor.id,
                view.clone(),
                ctx.now,
            )
            .await?;
            let e = Evidence {
                id: self.id,
                complaint_id: k.id,
                supersedes: self.supersedes,
                superseded_by: None,
                file_name: self.file_name.as_str().to_owned(),
                content_type: self.kind.mime().to_owned(),
                size,
                sha256,
                description: self.description.as_ref().map(|d| d.as_str().to_owned()),
                added_by: ctx.actor.id.clone(),
                created_at: ctx.now,
            };
            let audit = AuditDraft::changed(
                Some(k.tenant_id),
                "complaint",
                k.id,
                "add_evidence",
                serde_json::Value::Null,
                view,
            );
            Ok(Applied::new(e, vec![audit]))
        })
    }
}

/// Tickets linked to a complaint (ids and numbers).
pub async fn linked_tickets(
    c: &mut dyn Conn,
    scope: &Scope,
    id: ComplaintId,
) -> Result<Vec<(TicketId, String)>> {
    let k = get(c, scope, id).await?;
    let rows = c
        .query(
            "SELECT t.id, t.number FROM complaint_links l JOIN tickets t ON t.id = l.target_id \
             WHERE l.tenant_id = $1 AND l.complaint_id = $2 AND l.kind = 'ticket' ORDER BY l.created_at",
            &[k.tenant_id.into(), k.id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((parse_id(r, 0, TicketId::parse)?, r.text(1)?)))
        .collect()
}

/// Repair orders linked to a complaint: (repair id, its ticket's number).
pub async fn linked_repairs(
    c: &mut dyn Conn,
    scope: &Scope,
    id: ComplaintId,
) -> Result<Vec<(posdesk_core::ids::RepairId, String)>> {
    let k = get(c, scope, id).await?;
    let rows = c
        .query(
            "SELECT r.id, t.number FROM complaint_links l JOIN repair_orders r ON r.id = l.target_id \
             JOIN tickets t ON t.id = r.ticket_id \
             WHERE l.tenant_id = $1 AND l.complaint_id = $2 AND l.kind = 'repair' ORDER BY l.created_at",
            &[k.tenant_id.into(), k.id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                parse_id(r, 0, posdesk_core::ids::RepairId::parse)?,
                r.text(1)?,
            ))
        })
        .collect()
}

/// The statistics rows of complaints received in `[from, to)`, under the scope (staff).
pub async fn stat_rows(
    c: &mut dyn Conn,
    scope: &Scope,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<posdesk_core::complaint::StatRow>> {
    let (filter, mut params) = scope_filter(scope, "tenant_id", Some("merchant_id"), 1);
    let n = params.len();
    params.push(from.into());
    params.push(to.into());
    let rows = c
        .query(
            &format!(
                "SELECT received_at, channel, category, outcome, first_decided_at, decision_deadline, phone \
                 FROM complaints WHERE {filter} AND received_at >= ${} AND received_at < ${} ORDER BY received_at",
                n + 1,
                n + 2
            ),
            &params,
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(posdesk_core::complaint::StatRow {
                received_at: r.ts(0)?,
                channel: code(r, 1, ComplaintChannel::from_code)?,
                category: code(r, 2, ComplaintCategory::from_code)?,
                outcome: opt_code(r, 3, ComplaintOutcome::from_code)?,
                first_decided_at: r.opt_ts(4)?,
                decision_deadline: r.ts(5)?,
                complainant_key: r.text(6)?,
            })
        })
        .collect()
}

/// The provider's active terminals (the denominator of complaints per 1,000 terminals).
pub async fn active_terminals(c: &mut dyn Conn, tenant: TenantId) -> Result<i64> {
    c.query_one(
        "SELECT COUNT(*) FROM terminals WHERE tenant_id = $1 AND status = 'active'",
        &[tenant.into()],
    )
    .await?
    .int(0)
}

/// The provider's stored complaint rules and their version (`None`: the defaults, version 0).
pub async fn rules(c: &mut dyn Conn, tenant: TenantId) -> Result<Option<(ComplaintRules, i64)>> {
    let Some(r) = c
        .query_opt(
            "SELECT doc, version FROM complaint_rules WHERE tenant_id = $1",
            &[tenant.into()],
        )
        .await?
    else {
        return Ok(None);
    };
    let doc: ComplaintRules = serde_json::from_str(&r.text(0)?)
        .map_err(|e| Error::Backend(format!("stored complaint rules: {e}")))?;
    Ok(Some((doc, r.int(1)?)))
}

/// Stores the provider's complaint rules (checked by the caller with `ComplaintRules::new`),
/// `expected_version` as If-Match (0 = none stored yet). New rules apply to every open
/// complaint from its next read or change (deadlines are recomputed from the facts); one
/// `update` audit event on entity `complaint_rules`.
pub struct SaveRules {
    pub tenant: TenantId,
    pub rules: ComplaintRules,
    pub expected_version: Option<i64>,
}

impl Mutation for SaveRules {
    type Output = i64;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<i64>>> {
        Box::pin(async move {
            let before = rules(c, self.tenant).await?;
            let current = before.as_ref().map_or(0, |(_, v)| *v);
            super::check_version(self.expected_version, current)?;
            let doc = serde_json::to_string(&self.rules)
                .map_err(|e| Error::Backend(format!("complaint rules: {e}")))?;
            let version = current + 1;
            let n = if before.is_some() {
                c.execute(
                    "UPDATE complaint_rules SET doc = $1, version = $2, updated_at = $3 \
                     WHERE tenant_id = $4 AND version = $5",
                    &[
                        doc.as_str().into(),
                        Value::Int(version),
                        ctx.now.into(),
                        self.tenant.into(),
                        Value::Int(current),
                    ],
                )
                .await?
            } else {
                c.execute(
                    "INSERT INTO complaint_rules (tenant_id, doc, version, updated_at) VALUES ($1, $2, $3, $4)",
                    &[self.tenant.into(), doc.as_str().into(), Value::Int(version), ctx.now.into()],
                )
                .await?
            };
            updated_one(n, current)?;
            let audit = AuditDraft::changed(
                Some(self.tenant),
                "complaint_rules",
                self.tenant,
                "update",
                before.map(|(r, _)| r),
                &self.rules,
            );
            Ok(Applied::new(version, vec![audit]))
        })
    }
}
