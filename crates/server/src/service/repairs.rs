//! Repair orders, quotes, parts and stock, loaners, the post-repair checklist (issue 6). Rules
//! are `posdesk_core::repair`'s; storage is `repo::repairs` and `repo::loans`.
//!
//! Permissions (the ticket ones, since a repair is work on a ticket): reading `TicketRead`
//! (merchant users: their own merchant's repairs), working `TicketWork`, a merchant's quote
//! answer `TicketReply`, the checklist override a supervisor's or provider admin's
//! `TicketWork`, the parts catalogue, stock and loaner pool `ServicePointManage`.

use posdesk_core::authz::{Permission, Role, Scope};
use posdesk_core::calendar::LocalDate;
use posdesk_core::ids::{
    MerchantId, QuoteId, RepairId, ServicePointId, TenantId, TerminalId, TicketId, UserId,
};
use posdesk_core::registry::merchant_details::BusinessHours;
use posdesk_core::repair::{
    AnswerChannel, CheckItem, CheckResult, FaultCause, Quote, QuoteItem, RepairMethod,
    parse_evidence,
};
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::loans::{
    self, AddToPool, EscalateLoan, Lend, Loan, PoolEntry, ReturnLoan,
};
use posdesk_storage::repo::repairs::{
    self as repo, AdjustStock, ChangeRepair, Check, OpenRepair, PartStock, Repair, RepairChange,
    Step, StoredQuote, UpsertPart,
};
use posdesk_storage::repo::{merchants, tickets as ticket_repo};
use posdesk_storage::{Actor, WriteMeta};
use serde::Serialize;

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn tenant_of(scope: &Scope) -> ApiResult<TenantId> {
    scope.tenant().ok_or(ApiError::NotFound)
}

fn now() -> Timestamp {
    posdesk_storage::now()
}

fn text(field: &str, raw: &str, max: usize) -> ApiResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, Rule::Required).into());
    }
    if t.chars().count() > max {
        return Err(FieldError::new(field, Rule::TooLong { max }).into());
    }
    Ok(t.to_owned())
}

/// Opens a repair order under a fault ticket.
pub async fn open(ctx: &Ctx<'_>, ticket: TicketId, method: &str) -> ApiResult<Repair> {
    let scope = ctx.authorize(Permission::TicketWork)?;
    let tenant = tenant_of(&scope)?;
    let method = RepairMethod::parse("method", method)?;
    ctx.write(
        ctx.meta(),
        OpenRepair {
            tenant,
            id: RepairId::from_uuid(new_uuid()),
            ticket,
            method,
        },
    )
    .await
}

/// A repair with its quotes, steps and checklist.
#[derive(Debug, Clone, Serialize)]
pub struct RepairDetail {
    pub repair: Repair,
    pub quotes: Vec<StoredQuote>,
    /// Staff only (merchant users see the quotes and the result).
    pub steps: Vec<Step>,
    pub checks: Vec<Check>,
    pub loans: Vec<Loan>,
}

pub async fn get(ctx: &Ctx<'_>, id: RepairId) -> ApiResult<RepairDetail> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    let now = now();
    Ok(ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let repair = repo::get(c, &scope, id).await?;
                let quotes = repo::quotes(c, &scope, id).await?;
                let staff = scope.merchant().is_none();
                let steps = if staff {
                    repo::steps(c, &scope, id).await?
                } else {
                    vec![]
                };
                let checks = repo::checks(c, &scope, id).await?;
                let loans = loans::list(c, &scope, None, false, now)
                    .await?
                    .into_iter()
                    .filter(|l| l.terminal_id == repair.terminal_id)
                    .collect();
                let mut d = RepairDetail {
                    repair,
                    quotes,
                    steps,
                    checks,
                    loans,
                };
                if !staff {
                    hide_staff(&mut d);
                }
                Ok(d)
            })
        })
        .await?)
}

/// What a merchant user does not see of a repair: who on the provider's staff did what (user
/// ids of the creator, technician, approver of an override, quote author and phone recorder,
/// checklist recorders, loan staff).
fn hide_staff(d: &mut RepairDetail) {
    d.repair.created_by.clear();
    d.repair.technician_id = None;
    d.repair.override_by = None;
    for q in &mut d.quotes {
        q.created_by.clear();
        if q.answer_channel != Some(AnswerChannel::Portal) {
            q.answered_by = None;
        }
    }
    for c in &mut d.checks {
        c.actor_id.clear();
    }
    for l in &mut d.loans {
        l.lent_by.clear();
        l.returned_by = None;
    }
}

/// The repairs of a ticket.
pub async fn of_ticket(ctx: &Ctx<'_>, ticket: TicketId) -> ApiResult<Vec<Repair>> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                // An unknown or out-of-scope ticket is a 404, not an empty list.
                ticket_repo::get(c, &scope, ticket).await?;
                repo::of_ticket(c, &scope, ticket).await
            })
        })
        .await?)
}

/// A change as received (API body or form), before it is checked.
#[derive(Debug, Clone, Default)]
pub struct RepairInput<'a> {
    /// `diagnose`, `quote`, `approve`, `reject`, `dispatch`, `start`, `use_part`, `labour`,
    /// `note`, `depart`, `arrive`, `sign`, `check`, `override`, `complete`, `cancel`.
    pub action: &'a str,
    pub cause: Option<&'a str>,
    pub text: Option<&'a str>,
    /// Quote lines: (kind, code, name, qty, unit_fen) as JSON values.
    pub items: Vec<(String, String, String, serde_json::Value, serde_json::Value)>,
    pub valid_days: Option<i64>,
    pub quote_id: Option<&'a str>,
    pub answered_by_name: Option<&'a str>,
    pub answered_at: Option<Timestamp>,
    pub service_point_id: Option<&'a str>,
    pub technician_id: Option<&'a str>,
    pub appointment_start: Option<Timestamp>,
    pub appointment_end: Option<Timestamp>,
    pub code: Option<&'a str>,
    pub qty: Option<i64>,
    pub item: Option<&'a str>,
    pub result: Option<&'a str>,
    pub confirmation_code: Option<&'a str>,
}

/// Every action [`change`] takes.
pub const ACTIONS: [&str; 16] = [
    "diagnose", "quote", "approve", "reject", "dispatch", "start", "use_part", "labour", "note",
    "depart", "arrive", "sign", "check", "override", "complete", "cancel",
];

fn shanghai_today() -> ApiResult<LocalDate> {
    LocalDate::of_timestamp(now()).ok_or_else(|| ApiError::Internal("today out of range".into()))
}

/// Whether `[start, end]` lies within the merchant's business hours (when it has them).
async fn check_appointment(
    ctx: &Ctx<'_>,
    tenant: TenantId,
    merchant: MerchantId,
    start: Timestamp,
    end: Timestamp,
) -> ApiResult<()> {
    let m = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move { merchants::get(c, &Scope::system(tenant), merchant).await })
        })
        .await?;
    let Some(hours) = m.business_hours.as_deref() else {
        return Ok(());
    };
    let hours = BusinessHours::parse("business_hours", hours)
        .map_err(|e| ApiError::Internal(format!("stored business hours: {e}")))?;
    if !hours.open_throughout(start, end) {
        return Err(FieldError::new(
            "appointment_start",
            Rule::Invalid {
                reason: "the appointment must lie within the merchant's business hours",
            },
        )
        .into());
    }
    Ok(())
}

/// What the provider offers: its parts catalogue codes and the codes of its published fee
/// schedule's labour and other items (parts are quoted from the catalogue).
async fn offer(ctx: &Ctx<'_>, tenant: TenantId) -> ApiResult<(Vec<String>, Vec<String>)> {
    let (stock, profile) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let stock = repo::stock(c, tenant).await?;
                let profile =
                    posdesk_storage::repo::profiles::get(c, &Scope::system(tenant), tenant).await?;
                Ok((stock, profile))
            })
        })
        .await?;
    let mut parts: Vec<String> = stock.into_iter().map(|p| p.code).collect();
    parts.dedup();
    let fees = match profile {
        Some(p) => serde_json::from_str::<super::profiles::ProfileDoc>(&p.doc)
            .map_err(|e| ApiError::Internal(format!("stored profile: {e}")))?
            .fees
            .into_iter()
            .filter(|f| f.kind != "part")
            .map(|f| f.code)
            .collect(),
        None => Vec::new(),
    };
    Ok((parts, fees))
}

/// Parses and applies one change to a repair.
pub async fn change(
    ctx: &Ctx<'_>,
    id: RepairId,
    expected_version: Option<i64>,
    input: RepairInput<'_>,
) -> ApiResult<Repair> {
    let action = input.action.trim();
    if !ACTIONS.contains(&action) {
        return Err(FieldError::new(
            "action",
            Rule::OneOf {
                allowed: ACTIONS.to_vec(),
            },
        )
        .into());
    }
    let merchant_user = ctx.principal.role() == Role::MerchantUser;
    let perm = if merchant_user && matches!(action, "approve" | "reject") {
        Permission::TicketReply
    } else {
        Permission::TicketWork
    };
    let scope = ctx.authorize(perm)?;
    let tenant = tenant_of(&scope)?;
    let change = match action {
        "diagnose" => RepairChange::Diagnose {
            cause: FaultCause::parse("cause", input.cause.unwrap_or(""))?,
            diagnosis: text("text", input.text.unwrap_or(""), 2000)?,
            today: shanghai_today()?,
        },
        "quote" => {
            let items = input
                .items
                .iter()
                .enumerate()
                .map(|(i, (kind, code, name, qty, unit))| {
                    QuoteItem::parse(&format!("items[{i}]"), kind, code, name, qty, unit)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let (parts, fees) = offer(ctx, tenant).await?;
            posdesk_core::repair::check_offer(&items, &parts, &fees)?;
            RepairChange::Quote {
                id: QuoteId::from_uuid(new_uuid()),
                quote: Quote::new(items, input.valid_days, now())?,
            }
        }
        "approve" | "reject" => RepairChange::Answer {
            quote: QuoteId::parse("quote_id", input.quote_id.unwrap_or(""))?,
            approve: action == "approve",
            channel: if merchant_user {
                AnswerChannel::Portal
            } else {
                AnswerChannel::Phone
            },
            answered_by_name: input.answered_by_name.map(str::to_owned),
            answered_at: if merchant_user {
                None
            } else {
                input.answered_at
            },
        },
        "dispatch" => {
            let service_point =
                ServicePointId::parse("service_point_id", input.service_point_id.unwrap_or(""))?;
            let technician = UserId::parse("technician_id", input.technician_id.unwrap_or(""))?;
            if let (Some(s), Some(e)) = (input.appointment_start, input.appointment_end) {
                let merchant = ctx
                    .state
                    .store
                    .read(move |c| {
                        Box::pin(async move { repo::get(c, &Scope::system(tenant), id).await })
                    })
                    .await?
                    .merchant_id;
                if e > s {
                    check_appointment(ctx, tenant, merchant, s, e).await?;
                }
            }
            RepairChange::Dispatch {
                service_point,
                technician,
                start: input.appointment_start,
                end: input.appointment_end,
            }
        }
        "start" => RepairChange::Start,
        "use_part" => RepairChange::UsePart {
            code: text("code", input.code.unwrap_or(""), 32)?,
            qty: input
                .qty
                .ok_or_else(|| FieldError::new("qty", Rule::Required))?,
        },
        "labour" => {
            let code = text("code", input.code.unwrap_or(""), 32)?;
            let (_, fees) = offer(ctx, tenant).await?;
            if !fees.is_empty() && !fees.contains(&code) {
                return Err(FieldError::new(
                    "code",
                    Rule::Invalid {
                        reason: "not in the provider's published fee schedule",
                    },
                )
                .into());
            }
            RepairChange::Labour {
                code,
                qty: input
                    .qty
                    .filter(|q| (1..=99).contains(q))
                    .ok_or_else(|| FieldError::new("qty", Rule::Range { min: 1, max: 99 }))?,
            }
        }
        "note" => RepairChange::Note(text("text", input.text.unwrap_or(""), 2000)?),
        "depart" => RepairChange::Depart,
        "arrive" => RepairChange::Arrive,
        "sign" => {
            let code = input
                .confirmation_code
                .map(str::trim)
                .filter(|s| !s.is_empty());
            if let Some(c) = code
                && !(4..=8).contains(&c.len())
            {
                return Err(FieldError::new(
                    "confirmation_code",
                    Rule::Pattern {
                        expected: "4–8 digits read out by the merchant",
                    },
                )
                .into());
            }
            if code.is_none() {
                return Err(FieldError::new("confirmation_code", Rule::Required).into());
            }
            RepairChange::Sign {
                signature_sha256: None,
                confirmation_code: code.map(str::to_owned),
            }
        }
        "check" => RepairChange::Check {
            item: CheckItem::parse("item", input.item.unwrap_or(""))?,
            result: CheckResult::parse("result", input.result.unwrap_or(""))?,
            evidence: parse_evidence("evidence", input.text.unwrap_or(""))?,
        },
        "override" => RepairChange::Override {
            reason: text("text", input.text.unwrap_or(""), 500)?,
        },
        "complete" => RepairChange::Complete {
            result: text("text", input.text.unwrap_or(""), 2000)?,
        },
        _ => RepairChange::Cancel,
    };
    let sla = super::tickets::sla_context(ctx.state, tenant).await?;
    ctx.write(
        ctx.meta(),
        ChangeRepair {
            tenant,
            acting_merchant: scope.merchant(),
            actor: ctx.principal.user_id(),
            supervisor: matches!(ctx.principal.role(), Role::Supervisor | Role::ProviderAdmin),
            id,
            expected_version,
            change,
            sla,
        },
    )
    .await
}

/// The catalogue with stock per service point.
pub async fn stock(ctx: &Ctx<'_>) -> ApiResult<Vec<PartStock>> {
    let scope = ctx.authorize(Permission::TicketWork)?;
    let tenant = tenant_of(&scope)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::stock(c, tenant).await }))
        .await?)
}

/// Adds or edits a catalogue part (code `A-Z0-9-_` 1–32, name 1–100, unit price ≥ 0 fen).
pub async fn upsert_part(
    ctx: &Ctx<'_>,
    code: &str,
    name: &str,
    unit_fen: &serde_json::Value,
) -> ApiResult<()> {
    let scope = ctx.authorize(Permission::ServicePointManage)?;
    let tenant = tenant_of(&scope)?;
    let code = code.trim();
    if code.is_empty()
        || code.len() > 32
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(FieldError::new(
            "code",
            Rule::Pattern {
                expected: "1–32 of A-Z 0-9 - _",
            },
        )
        .into());
    }
    let unit = posdesk_core::repair::whole(
        "unit_fen",
        unit_fen,
        0,
        posdesk_core::registry::Fen::MAX_ABS,
    )?;
    ctx.write(
        ctx.meta(),
        UpsertPart {
            tenant,
            code: code.to_owned(),
            name: text("name", name, 100)?,
            unit_fen: unit,
        },
    )
    .await
}

/// Receives (`delta > 0`) or writes off (`delta < 0`) parts at a service point.
pub async fn adjust_stock(
    ctx: &Ctx<'_>,
    service_point: &str,
    code: &str,
    delta: i64,
) -> ApiResult<()> {
    let scope = ctx.authorize(Permission::ServicePointManage)?;
    let tenant = tenant_of(&scope)?;
    if delta == 0 || delta.abs() > 10_000 {
        return Err(FieldError::new(
            "delta",
            Rule::Range {
                min: -10_000,
                max: 10_000,
            },
        )
        .into());
    }
    ctx.write(
        ctx.meta(),
        AdjustStock {
            tenant,
            service_point: ServicePointId::parse("service_point_id", service_point)?,
            code: text("code", code, 32)?,
            delta,
        },
    )
    .await
}

/// Adds a terminal in stock to a service point's loaner pool.
pub async fn add_to_pool(
    ctx: &Ctx<'_>,
    terminal: TerminalId,
    service_point: &str,
) -> ApiResult<()> {
    let scope = ctx.authorize(Permission::ServicePointManage)?;
    let tenant = tenant_of(&scope)?;
    ctx.write(
        ctx.meta(),
        AddToPool {
            tenant,
            terminal,
            service_point: ServicePointId::parse("service_point_id", service_point)?,
        },
    )
    .await
}

pub async fn pool(ctx: &Ctx<'_>) -> ApiResult<Vec<PoolEntry>> {
    let scope = ctx.authorize(Permission::TicketWork)?;
    let tenant = tenant_of(&scope)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { loans::pool(c, tenant, None).await }))
        .await?)
}

/// Loans under the caller's scope (a merchant user: their own).
pub async fn loans(
    ctx: &Ctx<'_>,
    loaner: Option<TerminalId>,
    open_only: bool,
) -> ApiResult<Vec<Loan>> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    let now = now();
    Ok(ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move { loans::list(c, &scope, loaner, open_only, now).await })
        })
        .await?)
}

/// Lends `loaner` to the merchant of `terminal` (identity moves to the loaner).
pub async fn lend(
    ctx: &Ctx<'_>,
    loaner: TerminalId,
    terminal: TerminalId,
    repair: Option<RepairId>,
    due_days: Option<i64>,
) -> ApiResult<Loan> {
    let scope = ctx.authorize(Permission::TicketWork)?;
    let tenant = tenant_of(&scope)?;
    ctx.write(
        ctx.meta(),
        Lend {
            tenant,
            id: new_uuid(),
            loaner,
            terminal,
            repair: repair.map(|r| r.uuid()),
            due_days,
            binding_id: new_uuid(),
        },
    )
    .await
}

/// Returns a loan (identity moves back).
pub async fn return_loan(ctx: &Ctx<'_>, loan: uuid::Uuid) -> ApiResult<Loan> {
    let scope = ctx.authorize(Permission::TicketWork)?;
    let tenant = tenant_of(&scope)?;
    ctx.write(
        ctx.meta(),
        ReturnLoan {
            tenant,
            id: loan,
            binding_id: new_uuid(),
        },
    )
    .await
}

/// A technician's day list (today in Shanghai, and repairs without an appointment yet).
pub async fn day_list(ctx: &Ctx<'_>, day: Option<LocalDate>) -> ApiResult<Vec<Repair>> {
    let scope = ctx.authorize(Permission::TicketWork)?;
    let tenant = tenant_of(&scope)?;
    let day = match day {
        Some(d) => d,
        None => shanghai_today()?,
    };
    let from = day.start();
    let to = day
        .succ()
        .map(|d| d.start())
        .ok_or_else(|| ApiError::Internal("day out of range".into()))?;
    let me = ctx.principal.user_id();
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::day_list(c, tenant, me, from, to).await }))
        .await?)
}

/// The overdue-loaner scan: escalates each overdue loan once (supervisors are e-mailed).
pub async fn scan_loans(state: &AppState, now: Timestamp) -> ApiResult<usize> {
    let due = state
        .store
        .read(move |c| Box::pin(async move { loans::overdue_unescalated(c, now).await }))
        .await?;
    let mut n = 0;
    for l in due {
        let meta = WriteMeta::new(
            Actor::system("loan-scan"),
            format!("loan-scan-{}", new_uuid()),
        );
        if state
            .store
            .write(
                meta,
                EscalateLoan {
                    tenant: l.tenant_id,
                    id: l.id,
                },
            )
            .await?
        {
            n += 1;
        }
    }
    Ok(n)
}

/// Whether a ticket's repairs let it resolve now (for the ticket page's hint).
pub async fn resolve_blocker(ctx: &Ctx<'_>, ticket: TicketId) -> ApiResult<Option<String>> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    let tenant = tenant_of(&scope)?;
    let r = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                ticket_repo::get(c, &scope, ticket).await?;
                Ok(repo::resolve_gate(c, tenant, ticket).await)
            })
        })
        .await?;
    Ok(match r {
        Ok(()) => None,
        Err(posdesk_storage::Error::Rejected(msg)) => Some(msg),
        Err(e) => return Err(e.into()),
    })
}

// Mail-in shipments (ship-in from the merchant, ship-back to them), for the API.

/// Records a mail-in shipment step: `direction` `in` (寄入) or `back` (寄回), `step`
/// `dispatch` (with `carrier`, 1–50 characters, and `tracking_no`, 1–40 of `A-Z a-z 0-9 -`)
/// or `receive`. Ship-in dispatch pauses the ticket's clocks (`in_transit`), its receipt
/// resumes them. Staff with `TicketWork`; only mail-in repairs (409 otherwise).
pub async fn shipment(
    ctx: &Ctx<'_>,
    id: RepairId,
    direction: &str,
    step: &str,
    carrier: Option<&str>,
    tracking_no: Option<&str>,
) -> ApiResult<repo::Shipment> {
    let scope = ctx.authorize(Permission::TicketWork)?;
    let tenant = tenant_of(&scope)?;
    let direction = repo::Direction::parse("direction", direction)?;
    let step = match step.trim() {
        "dispatch" => {
            let carrier = text("carrier", carrier.unwrap_or(""), 50)?;
            let tracking = tracking_no.map(str::trim).unwrap_or("");
            if tracking.is_empty() {
                return Err(FieldError::new("tracking_no", Rule::Required).into());
            }
            if tracking.len() > 40
                || !tracking
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return Err(FieldError::new(
                    "tracking_no",
                    Rule::Pattern {
                        expected: "1–40 of A-Z a-z 0-9 -",
                    },
                )
                .into());
            }
            repo::ShipmentStep::Dispatch {
                carrier,
                tracking_no: tracking.to_owned(),
            }
        }
        "receive" => repo::ShipmentStep::Receive,
        _ => {
            return Err(FieldError::new(
                "step",
                Rule::OneOf {
                    allowed: vec!["dispatch", "receive"],
                },
            )
            .into());
        }
    };
    let sla = super::tickets::sla_context(ctx.state, tenant).await?;
    ctx.write(
        ctx.meta(),
        repo::RecordShipment {
            tenant,
            repair: id,
            direction,
            step,
            sla,
        },
    )
    .await
}

/// The shipments of a repair the caller can see (a merchant user: their own merchant's).
pub async fn shipments(ctx: &Ctx<'_>, id: RepairId) -> ApiResult<Vec<repo::Shipment>> {
    let scope = ctx.authorize(Permission::TicketRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::shipments(c, &scope, id).await }))
        .await?)
}

/// A technician the dispatcher may choose for a repair, best first.
#[derive(Debug, Clone, Serialize)]
pub struct TechnicianSuggestion {
    pub technician_id: UserId,
    pub name: String,
    pub service_point_id: ServicePointId,
    pub service_point: String,
    /// 3 same district, 2 same city, 1 same province, 0 elsewhere.
    pub region_match: u8,
    /// Whether the service point has the skill the repair needs.
    pub skilled: bool,
    /// Open repairs assigned to the technician now.
    pub load: u32,
}

/// The provider's active technicians ranked for a repair (`repair::rank_technicians`): the
/// service point nearest the merchant's division first, then the needed skill
/// (`repair::skill_for` the ticket's category and the method), then the lightest load.
pub async fn suggest_technicians(
    ctx: &Ctx<'_>,
    id: RepairId,
) -> ApiResult<Vec<TechnicianSuggestion>> {
    use posdesk_core::repair::{Candidate, rank_technicians, region_match, skill_for};
    let scope = ctx.authorize(Permission::TicketWork)?;
    let tenant = tenant_of(&scope)?;
    let (repair, ticket, merchant, points, loads, users) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let repair = repo::get(c, &scope, id).await?;
                let ticket = ticket_repo::get(c, &scope, repair.ticket_id).await?;
                let merchant = merchants::get(c, &scope, repair.merchant_id).await?;
                let points = posdesk_storage::repo::service_points::list(c, &scope, true).await?;
                let loads = repo::loads(c, tenant).await?;
                let mut users: Vec<(UserId, String)> = Vec::new();
                for t in points.iter().flat_map(|p| p.technicians.iter()) {
                    if users.iter().all(|(u, _)| u != t)
                        && let Ok(u) = posdesk_storage::repo::users::get(c, &scope, *t).await
                    {
                        users.push((u.id, u.display_name));
                    }
                }
                Ok((repair, ticket, merchant, points, loads, users))
            })
        })
        .await?;
    let skill = skill_for(ticket.category, repair.method);
    let division = merchant.division_code.unwrap_or_default();
    let mut candidates = Vec::new();
    for sp in &points {
        for t in &sp.technicians {
            let load = loads
                .iter()
                .find(|(u, _)| u == t)
                .map_or(0, |(_, n)| u32::try_from(*n).unwrap_or(u32::MAX));
            candidates.push(Candidate {
                id: (*t, sp.id),
                division: sp.division_code.clone(),
                skills: sp.skills.clone(),
                load,
            });
        }
    }
    Ok(rank_technicians(&candidates, &division, Some(skill.code()))
        .into_iter()
        .map(|c| {
            let sp = points.iter().find(|p| p.id == c.id.1);
            TechnicianSuggestion {
                technician_id: c.id.0,
                name: users
                    .iter()
                    .find(|(u, _)| *u == c.id.0)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                service_point_id: c.id.1,
                service_point: sp.map(|p| p.name.clone()).unwrap_or_default(),
                region_match: region_match(&c.division, &division),
                skilled: c.skills.iter().any(|s| s == skill.code()),
                load: c.load,
            }
        })
        .collect())
}
