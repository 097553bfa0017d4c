//! Loaner terminals (备用机, seed 001): a pool per service point; lending one to a merchant whose
//! terminal is being repaired moves the merchant's payment identity (MID and TID, with the rest
//! of the PBoC binding items) to the loaner and suspends the binding on the terminal under
//! repair; returning reverses it. The database guarantees the invariants whatever the code
//! does: one open loan per loaner and per repaired terminal (`loans_open_*`), one current
//! binding per terminal and per TID (`terminal_bindings_current*`) — two lends racing on
//! several servers cannot both commit.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{MerchantId, ServicePointId, TenantId, TerminalId};
use posdesk_core::registry::terminal::{BindingEnd, TerminalEvent, TerminalStatus};
use posdesk_core::repair::{loaner_due, loaner_overdue};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::bindings::{self, TerminalBinding};
use super::terminals::{self, Terminal};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id, parse_opt_id};

/// A loan as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loan {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub loaner_id: TerminalId,
    pub loaner_sn: String,
    pub terminal_id: TerminalId,
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    pub service_point_id: Option<ServicePointId>,
    pub tid: String,
    pub mid: String,
    pub lent_at: Timestamp,
    pub due_at: Timestamp,
    pub returned_at: Option<Timestamp>,
    pub escalated_at: Option<Timestamp>,
    pub lent_by: String,
    pub returned_by: Option<String>,
    /// Out and past its due time (at the time of the read).
    pub overdue: bool,
}

const COLS: &str = "l.id, l.tenant_id, l.loaner_id, t.sn, l.terminal_id, l.merchant_id, m.name, \
    l.service_point_id, l.tid, l.mid, l.lent_at, l.due_at, l.returned_at, l.escalated_at, l.lent_by, l.returned_by";
const FROM: &str =
    "loans l JOIN terminals t ON t.id = l.loaner_id JOIN merchants m ON m.id = l.merchant_id";

fn to_loan(r: &Row, now: Timestamp) -> Result<Loan> {
    let id = r.text(0)?;
    let due_at = r.ts(11)?;
    let returned_at = r.opt_ts(12)?;
    Ok(Loan {
        id: Uuid::parse_str(&id).map_err(|e| Error::Backend(format!("stored loan id: {e}")))?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        loaner_id: parse_id(r, 2, TerminalId::parse)?,
        loaner_sn: r.text(3)?,
        terminal_id: parse_id(r, 4, TerminalId::parse)?,
        merchant_id: parse_id(r, 5, MerchantId::parse)?,
        merchant_name: r.text(6)?,
        service_point_id: parse_opt_id(r, 7, ServicePointId::parse)?,
        tid: r.text(8)?,
        mid: r.text(9)?,
        lent_at: r.ts(10)?,
        due_at,
        returned_at,
        escalated_at: r.opt_ts(13)?,
        lent_by: r.text(14)?,
        returned_by: r.opt_text(15)?,
        overdue: loaner_overdue(due_at, returned_at, now),
    })
}

/// Loans under the scope: `open_only` the ones still out, else every loan (newest first);
/// `loaner` narrows to one loaner's history (every merchant that held it).
pub async fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    loaner: Option<TerminalId>,
    open_only: bool,
    now: Timestamp,
) -> Result<Vec<Loan>> {
    let (filter, mut params) = super::scope_filter(scope, "l.tenant_id", Some("l.merchant_id"), 1);
    let mut cond = String::new();
    if let Some(t) = loaner {
        params.push(t.into());
        cond.push_str(&format!(" AND l.loaner_id = ${}", params.len()));
    }
    if open_only {
        cond.push_str(" AND l.returned_at IS NULL");
    }
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE {filter}{cond} ORDER BY l.lent_at DESC LIMIT 500"
            ),
            &params,
        )
        .await?;
    rows.iter().map(|r| to_loan(r, now)).collect()
}

async fn get(c: &mut dyn Conn, tenant: TenantId, id: Uuid, now: Timestamp) -> Result<Loan> {
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM {FROM} WHERE l.tenant_id = $1 AND l.id = $2"),
            &[tenant.into(), id.to_string().into()],
        )
        .await?;
    to_loan(&r, now)
}

/// Puts a terminal of the provider in a service point's loaner pool (it must be in stock).
pub struct AddToPool {
    pub tenant: TenantId,
    pub terminal: TerminalId,
    pub service_point: ServicePointId,
}

impl Mutation for AddToPool {
    type Output = ();
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<()>>> {
        Box::pin(async move {
            let t = terminals::get(c, &Scope::system(self.tenant), self.terminal).await?;
            if t.status != TerminalStatus::InStock.code() {
                return Err(Error::Rejected(format!(
                    "terminal {} is {}: only a terminal in stock joins the loaner pool",
                    t.sn, t.status
                )));
            }
            let sp = c
                .query_opt(
                    "SELECT 1 FROM service_points WHERE tenant_id = $1 AND id = $2",
                    &[self.tenant.into(), self.service_point.into()],
                )
                .await?;
            if sp.is_none() {
                return Err(posdesk_core::FieldError::new(
                    "service_point_id",
                    posdesk_core::Rule::Invalid {
                        reason: "no such service point of this provider",
                    },
                )
                .into());
            }
            c.execute(
                "INSERT INTO loaner_pool (tenant_id, terminal_id, service_point_id, added_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (tenant_id, terminal_id) DO UPDATE SET service_point_id = $3",
                &[
                    self.tenant.into(),
                    self.terminal.into(),
                    self.service_point.into(),
                    ctx.now.into(),
                ],
            )
            .await?;
            let audit = AuditDraft::changed(
                Some(self.tenant),
                "terminal",
                self.terminal,
                "add_to_loaner_pool",
                serde_json::Value::Null,
                json!({"service_point_id": self.service_point.to_string()}),
            );
            Ok(Applied::new((), vec![audit]))
        })
    }
}

/// The pool of a service point (or all of the provider's): terminals and whether each is out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolEntry {
    pub terminal_id: TerminalId,
    pub sn: String,
    pub model: String,
    pub status: String,
    pub service_point_id: ServicePointId,
}

pub async fn pool(
    c: &mut dyn Conn,
    tenant: TenantId,
    service_point: Option<ServicePointId>,
) -> Result<Vec<PoolEntry>> {
    let mut params: Vec<Value> = vec![tenant.into()];
    let mut cond = String::new();
    if let Some(sp) = service_point {
        params.push(sp.into());
        cond.push_str(" AND p.service_point_id = $2");
    }
    let rows = c
        .query(
            &format!(
                "SELECT t.id, t.sn, t.model, t.status, p.service_point_id FROM loaner_pool p \
                 JOIN terminals t ON t.id = p.terminal_id WHERE p.tenant_id = $1{cond} ORDER BY t.sn"
            ),
            &params,
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PoolEntry {
                terminal_id: parse_id(r, 0, TerminalId::parse)?,
                sn: r.text(1)?,
                model: r.text(2)?,
                status: r.text(3)?,
                service_point_id: parse_id(r, 4, ServicePointId::parse)?,
            })
        })
        .collect()
}

fn moved(from: &TerminalBinding, to: &Terminal, id: Uuid, ctx: &Ctx) -> TerminalBinding {
    TerminalBinding {
        id,
        terminal_id: to.id,
        sn: to.sn.clone(),
        verified_by: ctx.actor.id.clone(),
        verified_role: ctx.actor.role.clone(),
        verification_note: Some(format!("identity moved from terminal {}", from.sn)),
        started_at: ctx.now,
        ended_at: None,
        end_reason: None,
        end_note: None,
        ended_by: None,
        ..from.clone()
    }
}

fn status_of(t: &Terminal) -> Result<TerminalStatus> {
    TerminalStatus::from_code(&t.status)
        .ok_or_else(|| Error::Backend(format!("stored terminal status {}", t.status)))
}

async fn step(
    c: &mut dyn Conn,
    ctx: &Ctx,
    t: &Terminal,
    event: TerminalEvent,
    merchant: Option<MerchantId>,
) -> Result<Terminal> {
    let to = status_of(t)?.transition(event)?;
    let after = Terminal {
        status: to.code().to_owned(),
        merchant_id: merchant,
        updated_at: ctx.now,
        version: t.version + 1,
        ..t.clone()
    };
    bindings::update_terminal(c, t, &after).await?;
    Ok(after)
}

/// Lends a loaner from the pool to the merchant of `terminal` (which must be bound and active
/// or already in repair): the terminal's binding ends (`loaned_out`), a binding with the same
/// items (MID, TID, acquirer, identity, account, placement) starts on the loaner, the loaner
/// goes `in_stock → loaner`, the terminal `active → in_repair`. Due back after `due_days`
/// (default 14). One `lend` audit event on each terminal.
pub struct Lend {
    pub tenant: TenantId,
    pub id: Uuid,
    pub loaner: TerminalId,
    pub terminal: TerminalId,
    pub repair: Option<Uuid>,
    pub due_days: Option<i64>,
    /// Minted by the caller.
    pub binding_id: Uuid,
}

impl Mutation for Lend {
    type Output = Loan;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Loan>>> {
        Box::pin(async move {
            let scope = Scope::system(self.tenant);
            if self.loaner == self.terminal {
                return Err(posdesk_core::FieldError::new(
                    "loaner_id",
                    posdesk_core::Rule::Invalid {
                        reason: "a terminal cannot be its own loaner",
                    },
                )
                .into());
            }
            let pool = c
                .query_opt(
                    "SELECT service_point_id FROM loaner_pool WHERE tenant_id = $1 AND terminal_id = $2",
                    &[self.tenant.into(), self.loaner.into()],
                )
                .await?;
            let Some(pool) = pool else {
                return Err(posdesk_core::FieldError::new(
                    "loaner_id",
                    posdesk_core::Rule::Invalid {
                        reason: "not in the provider's loaner pool",
                    },
                )
                .into());
            };
            let service_point = parse_opt_id(&pool, 0, ServicePointId::parse)?;
            let loaner = terminals::get(c, &scope, self.loaner).await?;
            if status_of(&loaner)? != TerminalStatus::InStock {
                return Err(Error::Rejected(format!(
                    "loaner {} is {}: it is out or not available",
                    loaner.sn, loaner.status
                )));
            }
            let term = terminals::get(c, &scope, self.terminal).await?;
            let Some(current) = bindings::current(c, self.tenant, self.terminal).await? else {
                return Err(Error::Rejected(format!(
                    "terminal {} has no current binding: there is no identity to lend",
                    term.sn
                )));
            };
            let term_after = match status_of(&term)? {
                TerminalStatus::Active => {
                    step(c, ctx, &term, TerminalEvent::SendToRepair, term.merchant_id).await?
                }
                TerminalStatus::InRepair => term.clone(),
                other => {
                    return Err(Error::Rejected(format!(
                        "terminal {} is {}: only an active terminal or one in repair gets a loaner",
                        term.sn,
                        other.code()
                    )));
                }
            };
            // End first: the TID is unique among current bindings.
            let ended = bindings::end(
                c,
                ctx,
                &current,
                BindingEnd::LoanedOut,
                Some(format!("loaner {}", loaner.sn)),
            )
            .await?;
            let loaner_after = step(
                c,
                ctx,
                &loaner,
                TerminalEvent::Lend,
                Some(current.merchant_id),
            )
            .await?;
            let row = moved(&current, &loaner_after, self.binding_id, ctx);
            bindings::insert(c, &row).await?;
            let due = loaner_due(ctx.now, self.due_days)?;
            c.execute(
                "INSERT INTO loans (id, tenant_id, loaner_id, terminal_id, merchant_id, repair_id, service_point_id, \
                 tid, mid, lent_at, due_at, returned_at, escalated_at, lent_by, returned_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL, $12, NULL)",
                &[
                    self.id.to_string().into(),
                    self.tenant.into(),
                    self.loaner.into(),
                    self.terminal.into(),
                    current.merchant_id.into(),
                    self.repair.map(|r| r.to_string()).into(),
                    service_point.into(),
                    current.tid.as_str().into(),
                    current.mid.as_str().into(),
                    ctx.now.into(),
                    due.into(),
                    ctx.actor.id.as_str().into(),
                ],
            )
            .await?;
            let loan = get(c, self.tenant, self.id, ctx.now).await?;
            let audit = vec![
                AuditDraft::changed(
                    Some(self.tenant),
                    "terminal",
                    self.terminal,
                    "loaner_out",
                    json!({"status": term.status, "binding": current.id.to_string()}),
                    json!({"status": term_after.status, "binding_ended": ended.id.to_string(), "loaner": loaner.sn}),
                ),
                AuditDraft::changed(
                    Some(self.tenant),
                    "terminal",
                    self.loaner,
                    "lend",
                    json!({"status": loaner.status}),
                    json!({"status": loaner_after.status, "binding": row.id.to_string(), "mid": row.mid, "tid": row.tid, "due_at": due}),
                ),
            ];
            Ok(Applied::new(loan, audit))
        })
    }
}

/// Returns a loan: the loaner's binding ends (`loaner_returned`), a binding with the same items
/// starts again on the merchant's own terminal, the loaner goes back to stock, the terminal
/// `in_repair → active`. One `return_loaner` audit event on each terminal.
pub struct ReturnLoan {
    pub tenant: TenantId,
    pub id: Uuid,
    pub binding_id: Uuid,
}

impl Mutation for ReturnLoan {
    type Output = Loan;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Loan>>> {
        Box::pin(async move {
            let scope = Scope::system(self.tenant);
            let loan = get(c, self.tenant, self.id, ctx.now).await?;
            if loan.returned_at.is_some() {
                return Err(Error::Rejected("the loaner was already returned".into()));
            }
            let n = c
                .execute(
                    "UPDATE loans SET returned_at = $1, returned_by = $2 WHERE id = $3 AND returned_at IS NULL",
                    &[ctx.now.into(), ctx.actor.id.as_str().into(), self.id.to_string().into()],
                )
                .await?;
            if n != 1 {
                return Err(Error::Rejected("the loaner was already returned".into()));
            }
            let loaner = terminals::get(c, &scope, loan.loaner_id).await?;
            let Some(current) = bindings::current(c, self.tenant, loan.loaner_id).await? else {
                return Err(Error::Backend(format!(
                    "loaner {} out without a binding",
                    loaner.sn
                )));
            };
            bindings::end(c, ctx, &current, BindingEnd::LoanerReturned, None).await?;
            let loaner_after = step(c, ctx, &loaner, TerminalEvent::ReturnLoaner, None).await?;
            let term = terminals::get(c, &scope, loan.terminal_id).await?;
            let row = moved(&current, &term, self.binding_id, ctx);
            bindings::insert(c, &row).await?;
            let term_after = match status_of(&term)? {
                TerminalStatus::InRepair => {
                    step(
                        c,
                        ctx,
                        &term,
                        TerminalEvent::ReturnToMerchant,
                        term.merchant_id,
                    )
                    .await?
                }
                _ => term.clone(),
            };
            let loan = get(c, self.tenant, self.id, ctx.now).await?;
            let audit = vec![
                AuditDraft::changed(
                    Some(self.tenant),
                    "terminal",
                    loan.loaner_id,
                    "return_loaner",
                    json!({"status": loaner.status, "binding": current.id.to_string()}),
                    json!({"status": loaner_after.status}),
                ),
                AuditDraft::changed(
                    Some(self.tenant),
                    "terminal",
                    loan.terminal_id,
                    "loaner_back",
                    json!({"status": term.status}),
                    json!({"status": term_after.status, "binding": row.id.to_string(), "mid": row.mid, "tid": row.tid}),
                ),
            ];
            Ok(Applied::new(loan, audit))
        })
    }
}

/// Open loans past their due time not yet escalated (the overdue scan's input).
pub async fn overdue_unescalated(c: &mut dyn Conn, now: Timestamp) -> Result<Vec<Loan>> {
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE l.returned_at IS NULL AND l.escalated_at IS NULL \
                 AND l.due_at < $1 ORDER BY l.due_at LIMIT 500"
            ),
            &[now.into()],
        )
        .await?;
    rows.iter().map(|r| to_loan(r, now)).collect()
}

/// Marks an overdue loan escalated (once: `WHERE escalated_at IS NULL`) and e-mails the
/// provider's supervisors. Returns whether this call escalated it.
pub struct EscalateLoan {
    pub tenant: TenantId,
    pub id: Uuid,
}

impl Mutation for EscalateLoan {
    type Output = bool;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<bool>>> {
        Box::pin(async move {
            let loan = get(c, self.tenant, self.id, ctx.now).await?;
            if !loan.overdue {
                return Ok(Applied::new(false, vec![]));
            }
            let n = c
                .execute(
                    "UPDATE loans SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL AND returned_at IS NULL",
                    &[ctx.now.into(), self.id.to_string().into()],
                )
                .await?;
            if n == 0 {
                return Ok(Applied::new(false, vec![]));
            }
            let rows = c
                .query(
                    "SELECT id, email, locale FROM users WHERE tenant_id = $1 AND role = 'supervisor' \
                     AND status = 'active' AND email IS NOT NULL ORDER BY id",
                    &[self.tenant.into()],
                )
                .await?;
            for r in rows {
                super::jobs::enqueue(
                    c,
                    &super::jobs::NewJob {
                        id: format!("email:loan-overdue:{}:{}", self.id, r.text(0)?),
                        tenant: Some(self.tenant),
                        kind: "email".into(),
                        payload: json!({
                            "to": r.text(1)?,
                            "template": "loaner-overdue",
                            "locale": r.text(2)?,
                            "params": {
                                "sn": loan.loaner_sn,
                                "merchant": loan.merchant_name,
                                "due_at": loan.due_at.to_shanghai_display(),
                            },
                        }),
                        run_at: ctx.now,
                        max_attempts: 8,
                    },
                    ctx.now,
                )
                .await?;
            }
            let audit = AuditDraft::changed(
                Some(self.tenant),
                "terminal",
                loan.loaner_id,
                "loaner_overdue",
                serde_json::Value::Null,
                json!({"loan": self.id.to_string(), "due_at": loan.due_at}),
            );
            Ok(Applied::new(true, vec![audit]))
        })
    }
}
