//! The repair reports' reads (issue 6 item 8), nothing written: the repairs opened in a range
//! with what the figures need (method, status, cause, the terminal's model, when the fault was
//! reported, when the repair completed, the loaner that restored the merchant's payments, and
//! whether a later repair repeats it), the parts those repairs used, and the loans out now.
//!
//! Which loan restored a repair: one lent for it (`loans.repair_id`), else one lent without a
//! repair for the same terminal after the fault was reported; the earliest such loan counts,
//! and only if it was lent no later than the repair's completion (a loaner lent afterwards
//! restored nothing). A repair is repeated when another repair names it in `repeat_of` (set
//! when a fault is reported on the same terminal within 30 days of its completion).

use std::collections::{BTreeMap, HashSet};

use posdesk_core::Timestamp;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{RepairId, TerminalId};
use posdesk_core::repair::{FaultCause, RepairMethod, RepairStatus, RestoreRow};
use serde::Serialize;

use super::loans::{self, Loan};
use super::{code, opt_code, scope_filter};
use crate::{Conn, Error, Result, Value, parse_id};

/// One repair opened in the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRepair {
    pub id: RepairId,
    pub method: RepairMethod,
    pub status: RepairStatus,
    pub cause: Option<FaultCause>,
    /// The repaired terminal's model.
    pub model: String,
    /// When the fault was reported (the ticket's creation).
    pub reported_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// When the loaner that restored payments was lent (at or before completion), if any.
    pub loaner_lent_at: Option<Timestamp>,
    /// A later repair of the same terminal repeats this one.
    pub repeated: bool,
}

impl ReportRepair {
    /// The row the restore figures take, for a completed repair: restored when the loaner was
    /// lent, else when the repair completed.
    pub fn restore_row(&self) -> Option<RestoreRow> {
        let done = self.completed_at?;
        if self.status != RepairStatus::Repaired {
            return None;
        }
        Some(RestoreRow {
            reported_at: self.reported_at,
            restored_at: self.loaner_lent_at.unwrap_or(done),
            with_loaner: self.loaner_lent_at.is_some(),
            repeated: self.repeated,
        })
    }
}

/// A part used by the range's repairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartUsage {
    pub code: String,
    /// The catalogue's name (the code when the part is no longer in the catalogue).
    pub name: String,
    /// Units used.
    pub qty: i64,
    /// Repairs that used it.
    pub repairs: i64,
    /// `qty` × the catalogue's current unit price, in fen (0 when not in the catalogue).
    pub value_fen: i64,
}

/// The loans under the scope at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoanFigures {
    /// Out now (not returned).
    pub out: i64,
    /// Out and past their due time.
    pub overdue: i64,
    /// Lent in the range (returned or not).
    pub lent_in_range: i64,
    /// The loans out now, overdue first, then by due time (at most 500).
    pub open: Vec<Loan>,
}

/// Everything the report is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    pub repairs: Vec<ReportRepair>,
    /// Most used first (units, then code).
    pub parts: Vec<PartUsage>,
    pub loans: LoanFigures,
}

/// `$n` placeholders after the scope filter's parameters.
fn next(params: &mut Vec<Value>, v: Value) -> String {
    params.push(v);
    format!("${}", params.len())
}

/// The report's data for repairs opened in `[start, end)` under `scope` (a provider's staff:
/// their tenant; a merchant scope would see its own merchant's only), and the loans at `now`.
pub async fn report(
    c: &mut dyn Conn,
    scope: &Scope,
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> Result<ReportData> {
    // The repairs opened in the range.
    let (filter, mut params) = scope_filter(scope, "r.tenant_id", Some("r.merchant_id"), 1);
    let (s, e) = (
        next(&mut params, start.into()),
        next(&mut params, end.into()),
    );
    let rows = c
        .query(
            &format!(
                "SELECT r.id, r.terminal_id, r.method, r.status, r.cause, t.model, k.created_at, r.completed_at \
                 FROM repair_orders r JOIN tickets k ON k.id = r.ticket_id JOIN terminals t ON t.id = r.terminal_id \
                 WHERE {filter} AND r.created_at >= {s} AND r.created_at < {e} ORDER BY r.created_at, r.id"
            ),
            &params,
        )
        .await?;
    let mut repairs = Vec::with_capacity(rows.len());
    let mut terminals: Vec<TerminalId> = Vec::with_capacity(rows.len());
    for r in &rows {
        terminals.push(parse_id(r, 1, TerminalId::parse)?);
        repairs.push(ReportRepair {
            id: parse_id(r, 0, RepairId::parse)?,
            method: code(r, 2, RepairMethod::from_code)?,
            status: code(r, 3, RepairStatus::from_code)?,
            cause: opt_code(r, 4, FaultCause::from_code)?,
            model: r.text(5)?,
            reported_at: r.ts(6)?,
            completed_at: r.opt_ts(7)?,
            loaner_lent_at: None,
            repeated: false,
        });
    }

    if let Some(earliest) = repairs.iter().map(|r| r.reported_at).min() {
        // Repeats: repairs naming one of these in `repeat_of` (opened after it, so after
        // `start`).
        let (filter, mut params) = scope_filter(scope, "r.tenant_id", Some("r.merchant_id"), 1);
        let s = next(&mut params, start.into());
        let repeated: HashSet<String> = c
            .query(
                &format!(
                    "SELECT DISTINCT r.repeat_of FROM repair_orders r \
                     WHERE {filter} AND r.repeat_of IS NOT NULL AND r.created_at >= {s}"
                ),
                &params,
            )
            .await?
            .iter()
            .map(|r| r.text(0))
            .collect::<Result<_>>()?;

        // Loans lent since the earliest report: the candidates for restoring these repairs.
        let (filter, mut params) = scope_filter(scope, "l.tenant_id", Some("l.merchant_id"), 1);
        let s = next(&mut params, earliest.into());
        let lent: Vec<(Option<String>, String, Timestamp)> = c
            .query(
                &format!(
                    "SELECT l.repair_id, l.terminal_id, l.lent_at FROM loans l \
                     WHERE {filter} AND l.lent_at >= {s} ORDER BY l.lent_at"
                ),
                &params,
            )
            .await?
            .iter()
            .map(|r| Ok((r.opt_text(0)?, r.text(1)?, r.ts(2)?)))
            .collect::<Result<_>>()?;

        for (rep, terminal) in repairs.iter_mut().zip(&terminals) {
            let id = rep.id.to_string();
            let terminal = terminal.to_string();
            rep.repeated = repeated.contains(&id);
            let Some(done) = rep.completed_at else {
                continue;
            };
            // `lent` is oldest first: the first match is the earliest loan.
            rep.loaner_lent_at = lent
                .iter()
                .find(|(repair, t, at)| match repair {
                    Some(r) => *r == id,
                    None => *t == terminal && *at >= rep.reported_at,
                })
                .map(|(_, _, at)| *at)
                .filter(|at| *at <= done);
        }
    }

    // Parts used by these repairs (`use_part` steps: `{code, qty, …}`).
    let (filter, mut params) = scope_filter(scope, "r.tenant_id", Some("r.merchant_id"), 1);
    let (s, e) = (
        next(&mut params, start.into()),
        next(&mut params, end.into()),
    );
    let steps = c
        .query(
            &format!(
                "SELECT s.repair_id, s.body FROM repair_steps s JOIN repair_orders r ON r.id = s.repair_id \
                 WHERE {filter} AND r.created_at >= {s} AND r.created_at < {e} AND s.kind = 'use_part'"
            ),
            &params,
        )
        .await?;
    // code → (units, repairs that used it)
    let mut used: BTreeMap<String, (i64, HashSet<String>)> = BTreeMap::new();
    for row in &steps {
        let repair = row.text(0)?;
        let body: serde_json::Value = serde_json::from_str(&row.text(1)?)
            .map_err(|e| Error::Backend(format!("stored use_part step: {e}")))?;
        let (Some(code), Some(qty)) = (body["code"].as_str(), body["qty"].as_i64()) else {
            return Err(Error::Backend(format!(
                "stored use_part step without code and qty: {body}"
            )));
        };
        let entry = used.entry(code.to_owned()).or_default();
        entry.0 = entry.0.saturating_add(qty);
        entry.1.insert(repair);
    }
    let mut parts = Vec::with_capacity(used.len());
    if !used.is_empty() {
        let catalogue: BTreeMap<String, (String, i64)> = match scope.tenant() {
            Some(t) => c
                .query(
                    "SELECT code, name, unit_fen FROM parts WHERE tenant_id = $1",
                    &[t.into()],
                )
                .await?
                .iter()
                .map(|r| Ok((r.text(0)?, (r.text(1)?, r.int(2)?))))
                .collect::<Result<_>>()?,
            None => BTreeMap::new(),
        };
        for (code, (qty, by)) in used {
            let (name, unit) = catalogue
                .get(&code)
                .cloned()
                .unwrap_or_else(|| (code.clone(), 0));
            parts.push(PartUsage {
                name,
                qty,
                repairs: by.len() as i64,
                value_fen: qty.saturating_mul(unit),
                code,
            });
        }
        parts.sort_by(|a, b| b.qty.cmp(&a.qty).then_with(|| a.code.cmp(&b.code)));
    }

    // Loans: out and overdue now, lent in the range, and the open ones.
    let (filter, mut params) = scope_filter(scope, "l.tenant_id", Some("l.merchant_id"), 1);
    let n = next(&mut params, now.into());
    let counts = c
        .query_one(
            &format!(
                "SELECT COUNT(*), COUNT(CASE WHEN l.due_at < {n} THEN 1 END) FROM loans l \
                 WHERE {filter} AND l.returned_at IS NULL"
            ),
            &params,
        )
        .await?;
    let (filter, mut params) = scope_filter(scope, "l.tenant_id", Some("l.merchant_id"), 1);
    let (s, e) = (
        next(&mut params, start.into()),
        next(&mut params, end.into()),
    );
    let lent_in_range = c
        .query_one(
            &format!(
                "SELECT COUNT(*) FROM loans l WHERE {filter} AND l.lent_at >= {s} AND l.lent_at < {e}"
            ),
            &params,
        )
        .await?
        .int(0)?;
    let mut open = loans::list(c, scope, None, true, now).await?;
    open.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then_with(|| a.due_at.cmp(&b.due_at))
    });
    Ok(ReportData {
        repairs,
        parts,
        loans: LoanFigures {
            out: counts.int(0)?,
            overdue: counts.int(1)?,
            lent_in_range,
            open,
        },
    })
}
