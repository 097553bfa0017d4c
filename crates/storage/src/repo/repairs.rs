//! Repair orders (维修单) under fault tickets, their quotes, work steps, parts and the
//! post-repair checklist. The rules are `posdesk_core::repair`'s; this module stores what they
//! decided, in one transaction with the ticket's own status step where one is due (waiting for
//! the quote's approval pauses the ticket's clocks; the answer resumes them).
//!
//! Stock: `part_stock` per service point with CHECK constraints (`on_hand ≥ 0`,
//! `0 ≤ reserved ≤ on_hand`): approving a quote reserves its parts (an UPDATE that matches
//! only while enough is free — none free is a clear refusal, never a negative count), using a
//! part consumes it (and its reservation), cancelling releases what is left reserved.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::calendar::LocalDate;
use posdesk_core::ids::{
    MerchantId, MessageId, QuoteId, RepairId, ServicePointId, TenantId, TerminalId, TicketId,
    UserId,
};
use posdesk_core::repair::{
    AnswerChannel, CheckItem, CheckResult, Coverage, CoverageReason, FaultCause, ItemKind, Quote,
    QuoteItem, QuoteStatus, RepairEvent, RepairMethod, RepairStatus, check_answer, check_work_step,
    decide_coverage, is_repeat, may_resolve, transition,
};
use posdesk_core::ticket::{ReopenWindow, TicketEvent, TicketKind};
use posdesk_core::{FieldError, Rule};
use serde::Serialize;
use serde_json::json;

use super::tickets::{self, ChangeTicket, SlaContext};
use super::{check_version, code, opt_code, updated_one};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id, parse_opt_id};

/// A repair order as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repair {
    pub id: RepairId,
    pub tenant_id: TenantId,
    pub ticket_id: TicketId,
    pub merchant_id: MerchantId,
    pub terminal_id: TerminalId,
    pub service_point_id: Option<ServicePointId>,
    pub technician_id: Option<UserId>,
    pub method: RepairMethod,
    pub status: RepairStatus,
    pub version: i64,
    pub cause: Option<FaultCause>,
    pub diagnosis: Option<String>,
    pub coverage: Option<Coverage>,
    pub coverage_reason: Option<CoverageReason>,
    pub result: Option<String>,
    pub appointment_start: Option<Timestamp>,
    pub appointment_end: Option<Timestamp>,
    pub departed_at: Option<Timestamp>,
    pub arrived_at: Option<Timestamp>,
    pub signature_sha256: Option<String>,
    pub confirmation_code: Option<String>,
    pub override_reason: Option<String>,
    pub override_by: Option<String>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// The earlier repair of the same terminal this one repeats (completed within
    /// `REPEAT_WINDOW_DAYS` before this fault was reported).
    pub repeat_of: Option<RepairId>,
}

const COLS: &str = "id, tenant_id, ticket_id, merchant_id, terminal_id, service_point_id, technician_id, \
    method, status, version, cause, diagnosis, coverage, coverage_reason, result, appointment_start, \
    appointment_end, departed_at, arrived_at, signature_sha256, confirmation_code, override_reason, \
    override_by, created_by, created_at, updated_at, completed_at, repeat_of";

fn to_repair(r: &Row) -> Result<Repair> {
    Ok(Repair {
        id: parse_id(r, 0, RepairId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        ticket_id: parse_id(r, 2, TicketId::parse)?,
        merchant_id: parse_id(r, 3, MerchantId::parse)?,
        terminal_id: parse_id(r, 4, TerminalId::parse)?,
        service_point_id: parse_opt_id(r, 5, ServicePointId::parse)?,
        technician_id: parse_opt_id(r, 6, UserId::parse)?,
        method: code(r, 7, RepairMethod::from_code)?,
        status: code(r, 8, RepairStatus::from_code)?,
        version: r.int(9)?,
        cause: opt_code(r, 10, FaultCause::from_code)?,
        diagnosis: r.opt_text(11)?,
        coverage: opt_code(r, 12, Coverage::from_code)?,
        coverage_reason: opt_code(r, 13, CoverageReason::from_code)?,
        result: r.opt_text(14)?,
        appointment_start: r.opt_ts(15)?,
        appointment_end: r.opt_ts(16)?,
        departed_at: r.opt_ts(17)?,
        arrived_at: r.opt_ts(18)?,
        signature_sha256: r.opt_text(19)?,
        confirmation_code: r.opt_text(20)?,
        override_reason: r.opt_text(21)?,
        override_by: r.opt_text(22)?,
        created_by: r.text(23)?,
        created_at: r.ts(24)?,
        updated_at: r.ts(25)?,
        completed_at: r.opt_ts(26)?,
        repeat_of: parse_opt_id(r, 27, RepairId::parse)?,
    })
}

/// One repair the scope can see (a merchant user: their own merchant's).
pub async fn get(c: &mut dyn Conn, scope: &Scope, id: RepairId) -> Result<Repair> {
    let (filter, mut params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 2);
    params.insert(0, id.into());
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM repair_orders WHERE id = $1 AND {filter}"),
            &params,
        )
        .await?;
    to_repair(&r)
}

/// The repairs of a ticket, oldest first.
pub async fn of_ticket(c: &mut dyn Conn, scope: &Scope, ticket: TicketId) -> Result<Vec<Repair>> {
    let (filter, mut params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 2);
    params.insert(0, ticket.into());
    let rows = c
        .query(
            &format!("SELECT {COLS} FROM repair_orders WHERE ticket_id = $1 AND {filter} ORDER BY created_at, id"),
            &params,
        )
        .await?;
    rows.iter().map(to_repair).collect()
}

/// A technician's day list: open repairs assigned to them with an appointment in
/// `[from, to)`, or without an appointment yet, earliest first.
pub async fn day_list(
    c: &mut dyn Conn,
    tenant: TenantId,
    technician: UserId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Repair>> {
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM repair_orders WHERE tenant_id = $1 AND technician_id = $2 \
                 AND status NOT IN ('repaired', 'cancelled') \
                 AND (appointment_start IS NULL OR (appointment_start >= $3 AND appointment_start < $4)) \
                 ORDER BY appointment_start, created_at"
            ),
            &[tenant.into(), technician.into(), from.into(), to.into()],
        )
        .await?;
    rows.iter().map(to_repair).collect()
}

/// Open on-site repairs per technician of the provider (the dispatcher's "current load").
pub async fn loads(c: &mut dyn Conn, tenant: TenantId) -> Result<Vec<(UserId, i64)>> {
    let rows = c
        .query(
            "SELECT technician_id, COUNT(*) FROM repair_orders WHERE tenant_id = $1 AND technician_id IS NOT NULL \
             AND status NOT IN ('repaired', 'cancelled') GROUP BY technician_id",
            &[tenant.into()],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((parse_id(r, 0, UserId::parse)?, r.int(1)?)))
        .collect()
}

/// A quote as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredQuote {
    pub id: QuoteId,
    pub repair_id: RepairId,
    pub status: QuoteStatus,
    pub items: Vec<QuoteItem>,
    pub total_fen: i64,
    pub valid_until: Timestamp,
    pub answer_channel: Option<AnswerChannel>,
    pub answered_by: Option<String>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub created_by: String,
    pub created_at: Timestamp,
}

const QCOLS: &str = "id, repair_id, status, items, total_fen, valid_until, answer_channel, answered_by, \
    answered_by_name, answered_at, created_by, created_at";

fn to_quote(r: &Row) -> Result<StoredQuote> {
    Ok(StoredQuote {
        id: parse_id(r, 0, QuoteId::parse)?,
        repair_id: parse_id(r, 1, RepairId::parse)?,
        status: code(r, 2, QuoteStatus::from_code)?,
        items: serde_json::from_str(&r.text(3)?)
            .map_err(|e| Error::Backend(format!("stored quote items: {e}")))?,
        total_fen: r.int(4)?,
        valid_until: r.ts(5)?,
        answer_channel: opt_code(r, 6, AnswerChannel::from_code)?,
        answered_by: r.opt_text(7)?,
        answered_by_name: r.opt_text(8)?,
        answered_at: r.opt_ts(9)?,
        created_by: r.text(10)?,
        created_at: r.ts(11)?,
    })
}

/// The quotes of a repair the scope can see, oldest first.
pub async fn quotes(c: &mut dyn Conn, scope: &Scope, id: RepairId) -> Result<Vec<StoredQuote>> {
    let r = get(c, scope, id).await?;
    quotes_of(c, &r).await
}

async fn quotes_of(c: &mut dyn Conn, r: &Repair) -> Result<Vec<StoredQuote>> {
    let rows = c
        .query(
            &format!("SELECT {QCOLS} FROM repair_quotes WHERE tenant_id = $1 AND repair_id = $2 ORDER BY created_at, id"),
            &[r.tenant_id.into(), r.id.into()],
        )
        .await?;
    rows.iter().map(to_quote).collect()
}

/// A work step or check as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub seq: i64,
    pub kind: String,
    pub body: serde_json::Value,
    pub actor_id: String,
    pub at: Timestamp,
}

/// The work steps of a repair the scope can see.
pub async fn steps(c: &mut dyn Conn, scope: &Scope, id: RepairId) -> Result<Vec<Step>> {
    let r = get(c, scope, id).await?;
    let rows = c
        .query(
            "SELECT seq, kind, body, actor_id, at FROM repair_steps WHERE tenant_id = $1 AND repair_id = $2 ORDER BY seq",
            &[r.tenant_id.into(), r.id.into()],
        )
        .await?;
    rows.iter()
        .map(|x| {
            Ok(Step {
                seq: x.int(0)?,
                kind: x.text(1)?,
                body: serde_json::from_str(&x.text(2)?)
                    .map_err(|e| Error::Backend(format!("stored step: {e}")))?,
                actor_id: x.text(3)?,
                at: x.ts(4)?,
            })
        })
        .collect()
}

/// One checklist record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub seq: i64,
    pub item: CheckItem,
    pub result: CheckResult,
    pub evidence: String,
    pub actor_id: String,
    pub at: Timestamp,
}

/// The checklist records of a repair (every record; the latest per item counts).
pub async fn checks(c: &mut dyn Conn, scope: &Scope, id: RepairId) -> Result<Vec<Check>> {
    let r = get(c, scope, id).await?;
    checks_of(c, &r).await
}

async fn checks_of(c: &mut dyn Conn, r: &Repair) -> Result<Vec<Check>> {
    let rows = c
        .query(
            "SELECT seq, item, result, evidence, actor_id, at FROM repair_checks WHERE tenant_id = $1 AND repair_id = $2 ORDER BY seq",
            &[r.tenant_id.into(), r.id.into()],
        )
        .await?;
    rows.iter()
        .map(|x| {
            Ok(Check {
                seq: x.int(0)?,
                item: code(x, 1, CheckItem::from_code)?,
                result: code(x, 2, CheckResult::from_code)?,
                evidence: x.text(3)?,
                actor_id: x.text(4)?,
                at: x.ts(5)?,
            })
        })
        .collect()
}

/// Whether the ticket's repairs let it be resolved: every repair finished (repaired or
/// cancelled), and each repaired one's checklist passed or overridden (`may_resolve`).
/// `Rejected` with the reason otherwise. A ticket without repairs is not held.
pub async fn resolve_gate(c: &mut dyn Conn, tenant: TenantId, ticket: TicketId) -> Result<()> {
    let list = of_ticket(c, &Scope::system(tenant), ticket).await?;
    for r in &list {
        match r.status {
            RepairStatus::Cancelled => continue,
            RepairStatus::Repaired => {}
            other => {
                return Err(Error::Rejected(format!(
                    "repair order {} is {}: finish or cancel it before resolving",
                    r.id,
                    other.code()
                )));
            }
        }
        let latest: Vec<(CheckItem, CheckResult)> = checks_of(c, r)
            .await?
            .into_iter()
            .map(|k| (k.item, k.result))
            .collect();
        may_resolve(&latest, r.override_reason.is_some())
            .map_err(|e| Error::Rejected(e.to_string()))?;
    }
    Ok(())
}

async fn append_step(
    c: &mut dyn Conn,
    r: &Repair,
    kind: &str,
    body: serde_json::Value,
    ctx: &Ctx,
) -> Result<()> {
    c.execute(
        "INSERT INTO repair_steps (tenant_id, repair_id, seq, kind, body, actor_id, at) \
         SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6 FROM repair_steps WHERE repair_id = $2",
        &[
            r.tenant_id.into(),
            r.id.into(),
            kind.into(),
            body.to_string().into(),
            ctx.actor.id.as_str().into(),
            ctx.now.into(),
        ],
    )
    .await?;
    Ok(())
}

async fn save(c: &mut dyn Conn, r: &Repair, read_version: i64) -> Result<()> {
    let n = c
        .execute(
            "UPDATE repair_orders SET service_point_id = $1, technician_id = $2, status = $3, version = $4, \
             cause = $5, diagnosis = $6, coverage = $7, coverage_reason = $8, result = $9, appointment_start = $10, \
             appointment_end = $11, departed_at = $12, arrived_at = $13, signature_sha256 = $14, \
             confirmation_code = $15, override_reason = $16, override_by = $17, updated_at = $18, completed_at = $19 \
             WHERE id = $20 AND version = $21",
            &[
                r.service_point_id.into(),
                r.technician_id.into(),
                r.status.code().into(),
                Value::Int(r.version),
                r.cause.map(|x| x.code()).into(),
                r.diagnosis.clone().into(),
                r.coverage.map(|x| x.code()).into(),
                r.coverage_reason.map(|x| x.code()).into(),
                r.result.clone().into(),
                r.appointment_start.into(),
                r.appointment_end.into(),
                r.departed_at.into(),
                r.arrived_at.into(),
                r.signature_sha256.clone().into(),
                r.confirmation_code.clone().into(),
                r.override_reason.clone().into(),
                r.override_by.clone().into(),
                r.updated_at.into(),
                r.completed_at.into(),
                r.id.into(),
                Value::Int(read_version),
            ],
        )
        .await?;
    updated_one(n, read_version)
}

/// What the audit trail records of a repair.
fn view(r: &Repair) -> serde_json::Value {
    json!({
        "ticket_id": r.ticket_id.to_string(),
        "method": r.method.code(),
        "status": r.status.code(),
        "version": r.version,
        "cause": r.cause.map(|x| x.code()),
        "coverage": r.coverage.map(|x| x.code()),
        "technician_id": r.technician_id.map(|x| x.to_string()),
        "service_point_id": r.service_point_id.map(|x| x.to_string()),
        "appointment_start": r.appointment_start,
        "override_reason": r.override_reason,
        "repeat_of": r.repeat_of.map(|x| x.to_string()),
    })
}

/// Opens a repair order under a fault ticket that has a terminal and is active.
pub struct OpenRepair {
    pub tenant: TenantId,
    pub id: RepairId,
    pub ticket: TicketId,
    pub method: RepairMethod,
}

impl Mutation for OpenRepair {
    type Output = Repair;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Repair>>> {
        Box::pin(async move {
            let t = tickets::get(c, &Scope::system(self.tenant), self.ticket).await?;
            if t.kind != TicketKind::Fault {
                return Err(FieldError::new(
                    "ticket_id",
                    Rule::Invalid {
                        reason: "repairs are opened under fault tickets",
                    },
                )
                .into());
            }
            if !t.status.is_active() {
                return Err(Error::Rejected(format!(
                    "ticket {} is {}",
                    t.number,
                    t.status.code()
                )));
            }
            let Some(terminal) = t.terminal_id else {
                return Err(FieldError::new(
                    "ticket_id",
                    Rule::Invalid {
                        reason: "the ticket names no terminal",
                    },
                )
                .into());
            };
            // A repeat fault: the terminal's latest completed repair finished within the window
            // before this ticket was reported.
            let repeat_of = c
                .query_opt(
                    "SELECT id, completed_at FROM repair_orders WHERE tenant_id = $1 AND terminal_id = $2 \
                     AND status = 'repaired' AND completed_at IS NOT NULL ORDER BY completed_at DESC LIMIT 1",
                    &[self.tenant.into(), terminal.into()],
                )
                .await?
                .map(|row| -> Result<Option<RepairId>> {
                    let done = row.ts(1)?;
                    is_repeat(done, t.created_at)
                        .then(|| parse_id(&row, 0, RepairId::parse))
                        .transpose()
                })
                .transpose()?
                .flatten();
            let r = Repair {
                repeat_of,
                id: self.id,
                tenant_id: self.tenant,
                ticket_id: t.id,
                merchant_id: t.merchant_id,
                terminal_id: terminal,
                service_point_id: None,
                technician_id: None,
                method: self.method,
                status: RepairStatus::Open,
                version: 1,
                cause: None,
                diagnosis: None,
                coverage: None,
                coverage_reason: None,
                result: None,
                appointment_start: None,
                appointment_end: None,
                departed_at: None,
                arrived_at: None,
                signature_sha256: None,
                confirmation_code: None,
                override_reason: None,
                override_by: None,
                created_by: ctx.actor.id.clone(),
                created_at: ctx.now,
                updated_at: ctx.now,
                completed_at: None,
            };
            c.execute(
                &format!(
                    "INSERT INTO repair_orders ({COLS}) VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, $7, 1, NULL, NULL, \
                     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, $8, $9, $9, NULL, $10)"
                ),
                &[
                    r.id.into(),
                    r.tenant_id.into(),
                    r.ticket_id.into(),
                    r.merchant_id.into(),
                    r.terminal_id.into(),
                    r.method.code().into(),
                    r.status.code().into(),
                    r.created_by.as_str().into(),
                    ctx.now.into(),
                    r.repeat_of.into(),
                ],
            )
            .await?;
            let audit = AuditDraft::created(Some(self.tenant), "repair", r.id, view(&r));
            Ok(Applied::new(r, vec![audit]))
        })
    }
}

/// A change to a repair order.
#[derive(Debug, Clone)]
pub enum RepairChange {
    /// Diagnosis: the cause and what was found; decides the coverage from the terminal's
    /// warranty on `today` (Shanghai).
    Diagnose {
        cause: FaultCause,
        diagnosis: String,
        today: LocalDate,
    },
    /// A quote (a chargeable repair); a pending one is superseded. The ticket waits for the
    /// merchant's approval (its clocks pause).
    Quote {
        id: QuoteId,
        quote: Quote,
    },
    /// The merchant's answer (portal), or an agent's record of a phone answer.
    Answer {
        quote: QuoteId,
        approve: bool,
        channel: AnswerChannel,
        answered_by_name: Option<String>,
        answered_at: Option<Timestamp>,
    },
    /// Dispatch to a service point and technician, with an appointment window (checked
    /// against the merchant's business hours by the service).
    Dispatch {
        service_point: ServicePointId,
        technician: UserId,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
    },
    Start,
    /// A part used from the service point's stock.
    UsePart {
        code: String,
        qty: i64,
    },
    /// Labour from the fee schedule.
    Labour {
        code: String,
        qty: i64,
    },
    Note(String),
    Depart,
    Arrive,
    /// The merchant's signature (a PNG stored in `blobs`, its digest here) or a confirmation
    /// code read out by the merchant.
    Sign {
        signature_sha256: Option<String>,
        confirmation_code: Option<String>,
    },
    /// A checklist record; only the repair's technician or the ticket's assignee.
    Check {
        item: CheckItem,
        result: CheckResult,
        evidence: String,
    },
    /// A supervisor's override of failed checklist items, with the reason.
    Override {
        reason: String,
    },
    Complete {
        result: String,
    },
    Cancel,
}

impl RepairChange {
    fn action(&self) -> &'static str {
        match self {
            RepairChange::Diagnose { .. } => "diagnose",
            RepairChange::Quote { .. } => "quote",
            RepairChange::Answer { approve: true, .. } => "approve_quote",
            RepairChange::Answer { approve: false, .. } => "reject_quote",
            RepairChange::Dispatch { .. } => "dispatch",
            RepairChange::Start => "start",
            RepairChange::UsePart { .. } => "use_part",
            RepairChange::Labour { .. } => "labour",
            RepairChange::Note(_) => "note",
            RepairChange::Depart => "depart",
            RepairChange::Arrive => "arrive",
            RepairChange::Sign { .. } => "sign",
            RepairChange::Check { .. } => "check",
            RepairChange::Override { .. } => "override_checklist",
            RepairChange::Complete { .. } => "complete",
            RepairChange::Cancel => "cancel",
        }
    }
}

/// Applies a [`RepairChange`]. A merchant user (`acting_merchant`) may only answer a quote of
/// their own merchant's repair. `actor` is the acting user (the checklist is the repair's
/// technician's or the ticket's assignee's); `supervisor` whether they may override.
pub struct ChangeRepair {
    pub tenant: TenantId,
    pub acting_merchant: Option<MerchantId>,
    pub actor: UserId,
    pub supervisor: bool,
    pub id: RepairId,
    pub expected_version: Option<i64>,
    pub change: RepairChange,
    /// For the ticket's status steps (wait for the quote, resume).
    pub sla: SlaContext,
}

fn refused(e: posdesk_core::repair::RepairError) -> Error {
    Error::Rejected(e.to_string())
}

async fn ticket_step(
    c: &mut dyn Conn,
    ctx: &Ctx,
    tenant: TenantId,
    ticket: TicketId,
    event: TicketEvent,
    sla: &SlaContext,
) -> Result<Vec<AuditDraft>> {
    let t = tickets::get(c, &Scope::system(tenant), ticket).await?;
    if t.status.transition(event).is_err() {
        return Ok(vec![]);
    }
    let applied = ChangeTicket {
        tenant,
        acting_merchant: None,
        id: ticket,
        expected_version: None,
        change: tickets::Change::Event(event),
        message_id: MessageId::from_uuid(uuid::Uuid::now_v7()),
        reopen_window: ReopenWindow::default(),
        sla: sla.clone(),
    }
    .apply(c, ctx)
    .await?;
    Ok(applied.audit)
}

async fn reserve(c: &mut dyn Conn, r: &Repair, items: &[QuoteItem], ctx: &Ctx) -> Result<()> {
    let Some(sp) = r.service_point_id else {
        if items.iter().any(|i| i.kind == ItemKind::Part) {
            return Err(Error::Rejected(
                "dispatch the repair to a service point before approving a quote with parts: the parts are reserved from its stock".into(),
            ));
        }
        return Ok(());
    };
    for (i, item) in items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind == ItemKind::Part)
    {
        let n = c
            .execute(
                "UPDATE part_stock SET reserved = reserved + $1, updated_at = $2 WHERE tenant_id = $3 \
                 AND service_point_id = $4 AND part_code = $5 AND on_hand - reserved >= $1",
                &[
                    Value::Int(item.qty),
                    ctx.now.into(),
                    r.tenant_id.into(),
                    sp.into(),
                    item.code.as_str().into(),
                ],
            )
            .await?;
        if n != 1 {
            return Err(FieldError::new(
                format!("items[{i}].qty"),
                Rule::Invalid {
                    reason: "not enough of this part in the service point's stock",
                },
            )
            .into());
        }
    }
    Ok(())
}

/// Parts of the approved quote not yet used: what is still reserved for this repair.
async fn reserved_left(c: &mut dyn Conn, r: &Repair) -> Result<Vec<(String, i64)>> {
    let approved: Vec<QuoteItem> = quotes_of(c, r)
        .await?
        .into_iter()
        .filter(|q| q.status == QuoteStatus::Approved)
        .flat_map(|q| q.items)
        .filter(|i| i.kind == ItemKind::Part)
        .collect();
    let rows = c
        .query(
            "SELECT body FROM repair_steps WHERE repair_id = $1 AND kind = 'use_part'",
            &[r.id.into()],
        )
        .await?;
    let mut used: Vec<(String, i64)> = Vec::new();
    for row in rows {
        let b: serde_json::Value = serde_json::from_str(&row.text(0)?)
            .map_err(|e| Error::Backend(format!("stored step: {e}")))?;
        used.push((
            b["code"].as_str().unwrap_or_default().to_owned(),
            b["reserved_used"].as_i64().unwrap_or(0),
        ));
    }
    let mut left: Vec<(String, i64)> = Vec::new();
    for i in approved {
        let u: i64 = used
            .iter()
            .filter(|(c, _)| *c == i.code)
            .map(|(_, n)| n)
            .sum();
        match left.iter_mut().find(|(c, _)| *c == i.code) {
            Some((_, n)) => *n += i.qty,
            None => left.push((i.code.clone(), i.qty - u)),
        }
    }
    left.retain(|(_, n)| *n > 0);
    Ok(left)
}

impl Mutation for ChangeRepair {
    type Output = Repair;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Repair>>> {
        Box::pin(async move {
            let scope = Scope::acting(self.tenant, self.acting_merchant);
            let before = get(c, &scope, self.id).await?;
            check_version(self.expected_version, before.version)?;
            if self.acting_merchant.is_some()
                && !matches!(
                    self.change,
                    RepairChange::Answer {
                        channel: AnswerChannel::Portal,
                        ..
                    }
                )
            {
                return Err(Error::Rejected(
                    "a merchant user may only answer a quote in the portal".into(),
                ));
            }
            let mut r = before.clone();
            r.version += 1;
            r.updated_at = ctx.now;
            let mut audit = Vec::new();
            let event =
                |r: &Repair, e: RepairEvent| transition(r.status, e, r.coverage).map_err(refused);
            let body = match &self.change {
                RepairChange::Diagnose {
                    cause,
                    diagnosis,
                    today,
                } => {
                    r.status = event(&r, RepairEvent::Diagnose)?;
                    let t = super::terminals::get(c, &Scope::system(self.tenant), r.terminal_id)
                        .await?;
                    let date =
                        |s: &Option<String>| s.as_deref().and_then(|d| LocalDate::parse(d).ok());
                    let (coverage, reason) = decide_coverage(
                        date(&t.install_date),
                        date(&t.warranty_end),
                        *today,
                        *cause,
                    );
                    r.cause = Some(*cause);
                    r.diagnosis = Some(diagnosis.clone());
                    r.coverage = Some(coverage);
                    r.coverage_reason = Some(reason);
                    json!({"cause": cause.code(), "diagnosis": diagnosis, "coverage": coverage.code(), "reason": reason.code(),
                           "install_date": t.install_date, "warranty_end": t.warranty_end})
                }
                RepairChange::Quote { id, quote } => {
                    r.status = event(&r, RepairEvent::Quote)?;
                    c.execute(
                        "UPDATE repair_quotes SET status = 'superseded' WHERE repair_id = $1 AND status = 'pending'",
                        &[r.id.into()],
                    )
                    .await?;
                    c.execute(
                        &format!(
                            "INSERT INTO repair_quotes (tenant_id, {QCOLS}) VALUES ($8, $1, $2, 'pending', $3, $4, $5, NULL, NULL, NULL, NULL, $6, $7)"
                        ),
                        &[
                            (*id).into(),
                            r.id.into(),
                            serde_json::to_string(&quote.items).map_err(|e| Error::Backend(e.to_string()))?.into(),
                            Value::Int(quote.total_fen.fen()),
                            quote.valid_until.into(),
                            ctx.actor.id.as_str().into(),
                            ctx.now.into(),
                            self.tenant.into(),
                        ],
                    )
                    .await?;
                    audit.extend(
                        ticket_step(
                            c,
                            ctx,
                            self.tenant,
                            r.ticket_id,
                            TicketEvent::WaitQuote,
                            &self.sla,
                        )
                        .await?,
                    );
                    json!({"quote_id": id.to_string(), "total_fen": quote.total_fen.fen(), "valid_until": quote.valid_until})
                }
                RepairChange::Answer {
                    quote,
                    approve,
                    channel,
                    answered_by_name,
                    answered_at,
                } => {
                    let q = quotes_of(c, &r)
                        .await?
                        .into_iter()
                        .find(|q| q.id == *quote)
                        .ok_or(Error::NotFound)?;
                    check_answer(
                        q.status,
                        q.valid_until,
                        *channel,
                        answered_by_name.as_deref(),
                        *answered_at,
                        ctx.now,
                    )
                    .map_err(|e| match e {
                        posdesk_core::repair::QuoteError::Field(f) => Error::Invalid(f),
                        other => Error::Rejected(other.to_string()),
                    })?;
                    r.status = event(
                        &r,
                        if *approve {
                            RepairEvent::Approve
                        } else {
                            RepairEvent::Decline
                        },
                    )?;
                    if *approve {
                        reserve(c, &r, &q.items, ctx).await?;
                    }
                    let n = c
                        .execute(
                            "UPDATE repair_quotes SET status = $1, answer_channel = $2, answered_by = $3, answered_by_name = $4, \
                             answered_at = $5 WHERE id = $6 AND status = 'pending'",
                            &[
                                if *approve { "approved" } else { "rejected" }.into(),
                                channel.code().into(),
                                ctx.actor.id.as_str().into(),
                                answered_by_name.clone().into(),
                                answered_at.unwrap_or(ctx.now).into(),
                                q.id.into(),
                            ],
                        )
                        .await?;
                    if n != 1 {
                        return Err(Error::Rejected(
                            "the quote was answered by another request".into(),
                        ));
                    }
                    audit.extend(
                        ticket_step(
                            c,
                            ctx,
                            self.tenant,
                            r.ticket_id,
                            TicketEvent::Resume,
                            &self.sla,
                        )
                        .await?,
                    );
                    json!({"quote_id": q.id.to_string(), "approved": approve, "channel": channel.code(),
                           "answered_by_name": answered_by_name, "answered_at": answered_at.unwrap_or(ctx.now)})
                }
                RepairChange::Dispatch {
                    service_point,
                    technician,
                    start,
                    end,
                } => {
                    if r.status.is_final() {
                        return Err(Error::Rejected(format!(
                            "the repair is {}",
                            r.status.code()
                        )));
                    }
                    let sp = c
                        .query_opt(
                            "SELECT technicians FROM service_points WHERE tenant_id = $1 AND id = $2 AND active = 1",
                            &[self.tenant.into(), (*service_point).into()],
                        )
                        .await?
                        .ok_or_else(|| {
                            FieldError::new("service_point_id", Rule::Invalid { reason: "no such active service point of this provider" })
                        })?;
                    let techs: Vec<String> = serde_json::from_str(&sp.text(0)?).unwrap_or_default();
                    if !techs.iter().any(|t| *t == technician.to_string()) {
                        return Err(FieldError::new(
                            "technician_id",
                            Rule::Invalid {
                                reason: "not a technician of that service point",
                            },
                        )
                        .into());
                    }
                    if let (Some(s), Some(e)) = (start, end)
                        && e <= s
                    {
                        return Err(FieldError::new(
                            "appointment_end",
                            Rule::Invalid {
                                reason: "must be after the start",
                            },
                        )
                        .into());
                    }
                    r.service_point_id = Some(*service_point);
                    r.technician_id = Some(*technician);
                    r.appointment_start = *start;
                    r.appointment_end = *end;
                    json!({"service_point_id": service_point.to_string(), "technician_id": technician.to_string(),
                           "appointment_start": start, "appointment_end": end})
                }
                RepairChange::Start => {
                    r.status = event(&r, RepairEvent::Start)?;
                    json!({})
                }
                RepairChange::UsePart { code, qty } => {
                    check_work_step(r.status, r.coverage).map_err(refused)?;
                    let Some(sp) = r.service_point_id else {
                        return Err(Error::Rejected(
                            "the repair has no service point to take parts from".into(),
                        ));
                    };
                    if !(1..=99).contains(qty) {
                        return Err(FieldError::new("qty", Rule::Range { min: 1, max: 99 }).into());
                    }
                    let reserved_for_me = reserved_left(c, &r)
                        .await?
                        .into_iter()
                        .find(|(c, _)| c == code)
                        .map_or(0, |(_, n)| n);
                    let from_reserved = reserved_for_me.min(*qty);
                    let n = c
                        .execute(
                            "UPDATE part_stock SET on_hand = on_hand - $1, reserved = reserved - $2, updated_at = $3 \
                             WHERE tenant_id = $4 AND service_point_id = $5 AND part_code = $6 \
                             AND on_hand - $1 >= reserved - $2 AND reserved >= $2",
                            &[
                                Value::Int(*qty),
                                Value::Int(from_reserved),
                                ctx.now.into(),
                                self.tenant.into(),
                                sp.into(),
                                code.as_str().into(),
                            ],
                        )
                        .await?;
                    if n != 1 {
                        return Err(FieldError::new(
                            "qty",
                            Rule::Invalid {
                                reason: "not enough of this part in the service point's stock",
                            },
                        )
                        .into());
                    }
                    json!({"code": code, "qty": qty, "reserved_used": from_reserved, "service_point_id": sp.to_string()})
                }
                RepairChange::Labour { code, qty } => {
                    check_work_step(r.status, r.coverage).map_err(refused)?;
                    json!({"code": code, "qty": qty})
                }
                RepairChange::Note(text) => json!({"text": text}),
                RepairChange::Depart => {
                    r.departed_at = Some(ctx.now);
                    json!({})
                }
                RepairChange::Arrive => {
                    r.arrived_at = Some(ctx.now);
                    json!({})
                }
                RepairChange::Sign {
                    signature_sha256,
                    confirmation_code,
                } => {
                    r.signature_sha256 = signature_sha256.clone();
                    r.confirmation_code = confirmation_code.clone();
                    json!({"signature_sha256": signature_sha256, "confirmation_code": confirmation_code})
                }
                RepairChange::Check {
                    item,
                    result,
                    evidence,
                } => {
                    let t = tickets::get(c, &Scope::system(self.tenant), r.ticket_id).await?;
                    if r.technician_id != Some(self.actor) && t.assignee_id != Some(self.actor) {
                        return Err(Error::Rejected(
                            "only the repair's technician or the ticket's assignee records the checklist".into(),
                        ));
                    }
                    if r.status != RepairStatus::InRepair && r.status != RepairStatus::Repaired {
                        return Err(Error::Rejected(
                            "the checklist is recorded after the repair work".into(),
                        ));
                    }
                    c.execute(
                        "INSERT INTO repair_checks (tenant_id, repair_id, seq, item, result, evidence, actor_id, at) \
                         SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6, $7 FROM repair_checks WHERE repair_id = $2",
                        &[
                            self.tenant.into(),
                            r.id.into(),
                            item.code().into(),
                            result.code().into(),
                            evidence.as_str().into(),
                            ctx.actor.id.as_str().into(),
                            ctx.now.into(),
                        ],
                    )
                    .await?;
                    json!({"item": item.code(), "result": result.code(), "evidence": evidence})
                }
                RepairChange::Override { reason } => {
                    if !self.supervisor {
                        return Err(Error::Rejected(
                            "only a supervisor may override the checklist".into(),
                        ));
                    }
                    r.override_reason = Some(reason.clone());
                    r.override_by = Some(ctx.actor.id.clone());
                    json!({"reason": reason})
                }
                RepairChange::Complete { result } => {
                    r.status = event(&r, RepairEvent::Complete)?;
                    r.result = Some(result.clone());
                    r.completed_at = Some(ctx.now);
                    json!({"result": result})
                }
                RepairChange::Cancel => {
                    r.status = event(&r, RepairEvent::Cancel)?;
                    if let Some(sp) = r.service_point_id {
                        for (code, n) in reserved_left(c, &before).await? {
                            c.execute(
                                "UPDATE part_stock SET reserved = reserved - $1, updated_at = $2 WHERE tenant_id = $3 \
                                 AND service_point_id = $4 AND part_code = $5 AND reserved >= $1",
                                &[Value::Int(n), ctx.now.into(), self.tenant.into(), sp.into(), code.as_str().into()],
                            )
                            .await?;
                        }
                    }
                    json!({})
                }
            };
            append_step(c, &r, self.change.action(), body, ctx).await?;
            save(c, &r, before.version).await?;
            audit.push(AuditDraft::changed(
                Some(self.tenant),
                "repair",
                r.id,
                self.change.action(),
                view(&before),
                view(&r),
            ));
            Ok(Applied::new(r, audit))
        })
    }
}

/// A part of the catalogue with its stock at each service point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartStock {
    pub code: String,
    pub name: String,
    pub unit_fen: i64,
    pub service_point_id: Option<ServicePointId>,
    pub on_hand: i64,
    pub reserved: i64,
}

/// The catalogue with stock rows (a part without stock anywhere appears once, with zeros).
pub async fn stock(c: &mut dyn Conn, tenant: TenantId) -> Result<Vec<PartStock>> {
    let rows = c
        .query(
            "SELECT p.code, p.name, p.unit_fen, s.service_point_id, COALESCE(s.on_hand, 0), COALESCE(s.reserved, 0) \
             FROM parts p LEFT JOIN part_stock s ON s.tenant_id = p.tenant_id AND s.part_code = p.code \
             WHERE p.tenant_id = $1 ORDER BY p.code, s.service_point_id",
            &[tenant.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PartStock {
                code: r.text(0)?,
                name: r.text(1)?,
                unit_fen: r.int(2)?,
                service_point_id: parse_opt_id(r, 3, ServicePointId::parse)?,
                on_hand: r.int(4)?,
                reserved: r.int(5)?,
            })
        })
        .collect()
}

/// Adds or renames a part of the catalogue, with its unit price.
pub struct UpsertPart {
    pub tenant: TenantId,
    pub code: String,
    pub name: String,
    pub unit_fen: i64,
}

impl Mutation for UpsertPart {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            c.execute(
                "INSERT INTO parts (tenant_id, code, name, unit_fen, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
                 ON CONFLICT (tenant_id, code) DO UPDATE SET name = $3, unit_fen = $4, updated_at = $5",
                &[
                    self.tenant.into(),
                    self.code.as_str().into(),
                    self.name.as_str().into(),
                    Value::Int(self.unit_fen),
                    ctx.now.into(),
                ],
            )
            .await?;
            let audit = AuditDraft::changed(
                Some(self.tenant),
                "part",
                &self.code,
                "upsert",
                serde_json::Value::Null,
                json!({"name": self.name, "unit_fen": self.unit_fen}),
            );
            Ok(Applied::new((), vec![audit]))
        })
    }
}

/// Receives parts into a service point's stock (`delta > 0`) or writes them off (`delta < 0`,
/// never below what is reserved: the CHECK constraints refuse, and so does this).
pub struct AdjustStock {
    pub tenant: TenantId,
    pub service_point: ServicePointId,
    pub code: String,
    pub delta: i64,
}

impl Mutation for AdjustStock {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            let part = c
                .query_opt(
                    "SELECT 1 FROM parts WHERE tenant_id = $1 AND code = $2",
                    &[self.tenant.into(), self.code.as_str().into()],
                )
                .await?;
            if part.is_none() {
                return Err(FieldError::new(
                    "code",
                    Rule::Invalid {
                        reason: "no such part in the catalogue",
                    },
                )
                .into());
            }
            let sp = c
                .query_opt(
                    "SELECT 1 FROM service_points WHERE tenant_id = $1 AND id = $2",
                    &[self.tenant.into(), self.service_point.into()],
                )
                .await?;
            if sp.is_none() {
                return Err(FieldError::new(
                    "service_point_id",
                    Rule::Invalid {
                        reason: "no such service point of this provider",
                    },
                )
                .into());
            }
            let n = c
                .execute(
                    "UPDATE part_stock SET on_hand = on_hand + $1, updated_at = $2 WHERE tenant_id = $3 \
                     AND service_point_id = $4 AND part_code = $5 AND on_hand + $1 >= reserved",
                    &[
                        Value::Int(self.delta),
                        ctx.now.into(),
                        self.tenant.into(),
                        self.service_point.into(),
                        self.code.as_str().into(),
                    ],
                )
                .await?;
            if n == 0 {
                if self.delta < 0 {
                    return Err(FieldError::new(
                        "delta",
                        Rule::Invalid {
                            reason: "more than the free stock (on hand minus reserved)",
                        },
                    )
                    .into());
                }
                c.execute(
                    "INSERT INTO part_stock (tenant_id, service_point_id, part_code, on_hand, reserved, updated_at) \
                     VALUES ($1, $2, $3, $4, 0, $5)",
                    &[
                        self.tenant.into(),
                        self.service_point.into(),
                        self.code.as_str().into(),
                        Value::Int(self.delta),
                        ctx.now.into(),
                    ],
                )
                .await?;
            }
            let audit = AuditDraft::changed(
                Some(self.tenant),
                "part",
                &self.code,
                "adjust_stock",
                serde_json::Value::Null,
                json!({"service_point_id": self.service_point.to_string(), "delta": self.delta}),
            );
            Ok(Applied::new((), vec![audit]))
        })
    }
}

/// Which way a mail-in shipment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 寄入: the merchant ships the terminal to the repair centre.
    In,
    /// 寄回: the repair centre ships it back.
    Back,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Back => "back",
        }
    }
    pub fn parse(field: &str, s: &str) -> Result<Self> {
        match s.trim() {
            "in" => Ok(Direction::In),
            "back" => Ok(Direction::Back),
            _ => Err(FieldError::new(
                field,
                Rule::OneOf {
                    allowed: vec!["in", "back"],
                },
            )
            .into()),
        }
    }
}

/// A shipment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shipment {
    pub id: String,
    pub repair_id: RepairId,
    pub direction: String,
    pub carrier: String,
    pub tracking_no: String,
    pub dispatched_at: Option<Timestamp>,
    pub received_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// The shipments of a repair the scope can see.
pub async fn shipments(c: &mut dyn Conn, scope: &Scope, id: RepairId) -> Result<Vec<Shipment>> {
    let r = get(c, scope, id).await?;
    let rows = c
        .query(
            "SELECT id, repair_id, direction, carrier, tracking_no, dispatched_at, received_at, created_at \
             FROM repair_shipments WHERE tenant_id = $1 AND repair_id = $2 ORDER BY created_at",
            &[r.tenant_id.into(), r.id.into()],
        )
        .await?;
    rows.iter()
        .map(|x| {
            Ok(Shipment {
                id: x.text(0)?,
                repair_id: parse_id(x, 1, RepairId::parse)?,
                direction: x.text(2)?,
                carrier: x.text(3)?,
                tracking_no: x.text(4)?,
                dispatched_at: x.opt_ts(5)?,
                received_at: x.opt_ts(6)?,
                created_at: x.ts(7)?,
            })
        })
        .collect()
}

/// What happens to a shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShipmentStep {
    /// Dispatched by the sender with carrier and tracking number. Ship-in: the ticket's
    /// clocks pause while the device travels from the merchant (`await_device`).
    Dispatch {
        carrier: String,
        tracking_no: String,
    },
    /// Received (scanned) at the other end. Ship-in: the ticket resumes.
    Receive,
}

/// Records a mail-in shipment step for a mail-in repair, with the ticket's status step in the
/// same transaction. One audit event on entity `repair`.
pub struct RecordShipment {
    pub tenant: TenantId,
    pub repair: RepairId,
    pub direction: Direction,
    pub step: ShipmentStep,
    pub sla: SlaContext,
}

impl Mutation for RecordShipment {
    type Output = Shipment;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Shipment>>> {
        Box::pin(async move {
            let scope = Scope::system(self.tenant);
            let r = get(c, &scope, self.repair).await?;
            if r.method != RepairMethod::MailIn {
                return Err(Error::Rejected(
                    "shipments belong to mail-in repairs".into(),
                ));
            }
            let existing = shipments(c, &scope, r.id)
                .await?
                .into_iter()
                .find(|s| s.direction == self.direction.code());
            let mut audit = Vec::new();
            match (&self.step, &existing) {
                (
                    ShipmentStep::Dispatch {
                        carrier,
                        tracking_no,
                    },
                    None,
                ) => {
                    c.execute(
                        "INSERT INTO repair_shipments (id, tenant_id, repair_id, direction, carrier, tracking_no, \
                         dispatched_at, received_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $7)",
                        &[
                            uuid::Uuid::now_v7().to_string().into(),
                            self.tenant.into(),
                            r.id.into(),
                            self.direction.code().into(),
                            carrier.as_str().into(),
                            tracking_no.as_str().into(),
                            ctx.now.into(),
                            ctx.actor.id.as_str().into(),
                        ],
                    )
                    .await?;
                    if self.direction == Direction::In {
                        audit.extend(
                            ticket_step(
                                c,
                                ctx,
                                self.tenant,
                                r.ticket_id,
                                TicketEvent::AwaitDevice,
                                &self.sla,
                            )
                            .await?,
                        );
                    }
                }
                (ShipmentStep::Dispatch { .. }, Some(_)) => {
                    return Err(Error::Rejected(format!(
                        "the {} shipment is already recorded",
                        self.direction.code()
                    )));
                }
                (ShipmentStep::Receive, Some(s)) if s.received_at.is_none() => {
                    c.execute(
                        "UPDATE repair_shipments SET received_at = $1 WHERE id = $2 AND received_at IS NULL",
                        &[ctx.now.into(), s.id.as_str().into()],
                    )
                    .await?;
                    if self.direction == Direction::In {
                        audit.extend(
                            ticket_step(
                                c,
                                ctx,
                                self.tenant,
                                r.ticket_id,
                                TicketEvent::Resume,
                                &self.sla,
                            )
                            .await?,
                        );
                    }
                }
                (ShipmentStep::Receive, Some(_)) => {
                    return Err(Error::Rejected("the shipment was already received".into()));
                }
                (ShipmentStep::Receive, None) => {
                    return Err(Error::Rejected(
                        "record the dispatch before the receipt".into(),
                    ));
                }
            }
            let s = shipments(c, &scope, r.id)
                .await?
                .into_iter()
                .find(|s| s.direction == self.direction.code())
                .ok_or(Error::NotFound)?;
            let mut r2 = r.clone();
            r2.version += 1;
            r2.updated_at = ctx.now;
            append_step(
                c,
                &r2,
                "shipment",
                json!({"direction": s.direction, "carrier": s.carrier, "tracking_no": s.tracking_no,
                       "dispatched_at": s.dispatched_at, "received_at": s.received_at}),
                ctx,
            )
            .await?;
            save(c, &r2, r.version).await?;
            audit.push(AuditDraft::changed(
                Some(self.tenant),
                "repair",
                r.id,
                "shipment",
                view(&r),
                json!({"direction": s.direction, "tracking_no": s.tracking_no, "received": s.received_at.is_some()}),
            ));
            Ok(Applied::new(s, audit))
        })
    }
}
