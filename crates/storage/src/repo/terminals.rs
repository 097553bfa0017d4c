//! Terminals (终端): the registry record, and the bulk import (idempotent by SN). Status
//! changes and bindings follow the core's `registry::terminal` rules.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId};
use posdesk_core::page::{Cursor, Page, PageRequest};
use serde::Serialize;

use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id, parse_opt_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Terminal {
    pub id: TerminalId,
    pub tenant_id: TenantId,
    pub merchant_id: Option<MerchantId>,
    pub sn: String,
    pub tid: Option<String>,
    pub model: String,
    pub manufacturer: String,
    pub firmware: Option<String>,
    pub status: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    /// `YYYY-MM-DD`.
    pub install_date: Option<String>,
    pub warranty_end: Option<String>,
    pub installed_address: Option<String>,
}

const COLS: &str = "id, tenant_id, merchant_id, sn, tid, model, manufacturer, firmware, status, created_at, updated_at, version, install_date, warranty_end, installed_address";

fn to_terminal(r: &Row) -> Result<Terminal> {
    Ok(Terminal {
        id: parse_id(r, 0, TerminalId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        merchant_id: parse_opt_id(r, 2, MerchantId::parse)?,
        sn: r.text(3)?,
        tid: r.opt_text(4)?,
        model: r.text(5)?,
        manufacturer: r.text(6)?,
        firmware: r.opt_text(7)?,
        status: r.text(8)?,
        created_at: r.ts(9)?,
        updated_at: r.ts(10)?,
        version: r.int(11)?,
        install_date: r.opt_text(12)?,
        warranty_end: r.opt_text(13)?,
        installed_address: r.opt_text(14)?,
    })
}

pub async fn get(c: &mut dyn Conn, scope: &Scope, id: TerminalId) -> Result<Terminal> {
    let (cond, mut params) = match scope {
        Scope::Terminal { tenant, terminal } if *terminal == id => {
            ("tenant_id = $2".to_owned(), vec![(*tenant).into()])
        }
        _ => super::scope_filter(scope, "tenant_id", Some("merchant_id"), 2),
    };
    params.insert(0, id.into());
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM terminals WHERE id = $1 AND {cond}"),
            &params,
        )
        .await?;
    to_terminal(&r)
}

pub async fn list(c: &mut dyn Conn, scope: &Scope, page: &PageRequest) -> Result<Page<Terminal>> {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 1);
    let (after, p2) = super::after_clause(&page.after, "created_at", "id", params.len() + 1);
    params.extend(p2);
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM terminals WHERE {cond}{after} ORDER BY created_at DESC, id DESC LIMIT {}",
                page.limit + 1
            ),
            &params,
        )
        .await?;
    let items = rows.iter().map(to_terminal).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |t| Cursor {
        at: t.created_at.millis(),
        id: t.id.to_string(),
    }))
}

/// Inserts a new terminal row (held back and pipelined on PostgreSQL).
async fn insert(c: &mut dyn Conn, t: &Terminal) -> Result<()> {
    c.execute_deferred(
        &format!(
            "INSERT INTO terminals ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ),
        &[
            t.id.into(),
            t.tenant_id.into(),
            t.merchant_id.into(),
            t.sn.as_str().into(),
            t.tid.clone().into(),
            t.model.as_str().into(),
            t.manufacturer.as_str().into(),
            t.firmware.clone().into(),
            t.status.as_str().into(),
            t.created_at.into(),
            t.updated_at.into(),
            Value::Int(t.version),
            t.install_date.clone().into(),
            t.warranty_end.clone().into(),
            t.installed_address.clone().into(),
        ],
    )
    .await
}

pub struct CreateTerminal {
    pub id: TerminalId,
    pub tenant: TenantId,
    pub merchant: Option<MerchantId>,
    pub sn: String,
    pub tid: Option<String>,
    pub model: String,
    pub manufacturer: String,
    pub firmware: Option<String>,
    pub status: String,
}

impl Mutation for CreateTerminal {
    type Output = Terminal;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Terminal>>> {
        Box::pin(async move {
            if let Some(m) = self.merchant {
                // The merchant must belong to the same provider.
                super::merchants::get(c, &Scope::system(self.tenant), m)
                    .await
                    .map_err(|e| match e {
                        Error::NotFound => Error::Invalid(posdesk_core::FieldError::new(
                            "merchant_id",
                            posdesk_core::Rule::Invalid {
                                reason: "no such merchant at this provider",
                            },
                        )),
                        e => e,
                    })?;
            }
            let t = Terminal {
                id: self.id,
                tenant_id: self.tenant,
                merchant_id: self.merchant,
                sn: self.sn.clone(),
                tid: self.tid.clone(),
                model: self.model.clone(),
                manufacturer: self.manufacturer.clone(),
                firmware: self.firmware.clone(),
                status: self.status.clone(),
                created_at: ctx.now,
                updated_at: ctx.now,
                version: 1,
                install_date: None,
                warranty_end: None,
                installed_address: None,
            };
            insert(c, &t).await?;
            let audit = vec![AuditDraft::created(Some(t.tenant_id), "terminal", t.id, &t)];
            Ok(Applied::new(t, audit))
        })
    }
}

/// One checked import row with the ids it needs (minted by the caller, so a re-run of the
/// mutation does not mint new ones).
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// Row number in the file, for errors.
    pub row: u64,
    /// Used only if the SN is new.
    pub new_id: TerminalId,
    pub sn: String,
    pub tid: Option<String>,
    pub model: String,
    pub manufacturer: String,
    pub firmware: Option<String>,
    pub status: String,
    pub mid: Option<String>,
    pub install_date: Option<String>,
    pub warranty_end: Option<String>,
    pub installed_address: Option<String>,
}

/// What one chunk of an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows refused by what only the database knows: `(row, column, reason)`.
    pub rejected: Vec<(u64, &'static str, &'static str)>,
}

/// Imports a chunk of rows in one transaction, idempotent by SN: a new SN is inserted, a known
/// one with the same data is left alone, one with other data is updated (a status change is
/// refused: it goes through the terminal's own actions). Each insert and update is audited. A
/// TID used by another terminal, or a MID unknown at this provider, rejects that row only.
pub struct ImportTerminals {
    pub tenant: TenantId,
    pub rows: Vec<ImportRow>,
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Mutation for ImportTerminals {
    type Output = ImportOutcome;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<ImportOutcome>>> {
        Box::pin(async move {
            use std::collections::HashMap;
            if c.dialect() == crate::Dialect::Postgres {
                // The look-ups below are prepared once per connection; a generic plan made while
                // the table was small (a fresh import) keeps seq-scanning it with a 400-value IN
                // list as it grows (measured: 40,000 rows took 62 s). Custom plans use the index.
                c.batch("SET LOCAL plan_cache_mode = force_custom_plan")
                    .await?;
            }
            let mut existing: HashMap<String, Terminal> = HashMap::new();
            let mut tid_owner: HashMap<String, String> = HashMap::new();
            let mut merchants: HashMap<String, MerchantId> = HashMap::new();
            for part in self.rows.chunks(400) {
                let mut params: Vec<Value> = vec![self.tenant.into()];
                params.extend(part.iter().map(|r| Value::from(r.sn.as_str())));
                let rows = c
                    .query(
                        &format!(
                            "SELECT {COLS} FROM terminals WHERE tenant_id = $1 AND sn IN ({})",
                            placeholders(2, part.len())
                        ),
                        &params,
                    )
                    .await?;
                for r in &rows {
                    let t = to_terminal(r)?;
                    existing.insert(t.sn.clone(), t);
                }
                let tids: Vec<&str> = part.iter().filter_map(|r| r.tid.as_deref()).collect();
                if !tids.is_empty() {
                    let mut params: Vec<Value> = vec![self.tenant.into()];
                    params.extend(tids.iter().map(|t| Value::from(*t)));
                    for r in c
                        .query(
                            &format!(
                                "SELECT tid, sn FROM terminals WHERE tenant_id = $1 AND tid IN ({})",
                                placeholders(2, tids.len())
                            ),
                            &params,
                        )
                        .await?
                    {
                        tid_owner.insert(r.text(0)?, r.text(1)?);
                    }
                }
                let mids: Vec<&str> = part.iter().filter_map(|r| r.mid.as_deref()).collect();
                if !mids.is_empty() {
                    let mut params: Vec<Value> = vec![self.tenant.into()];
                    params.extend(mids.iter().map(|m| Value::from(*m)));
                    for r in c
                        .query(
                            &format!(
                                "SELECT mid, id FROM merchants WHERE tenant_id = $1 AND mid IN ({})",
                                placeholders(2, mids.len())
                            ),
                            &params,
                        )
                        .await?
                    {
                        merchants.insert(r.text(0)?, parse_id(&r, 1, MerchantId::parse)?);
                    }
                }
            }
            let mut out = ImportOutcome::default();
            let mut audit = Vec::new();
            for row in &self.rows {
                let reject = |out: &mut ImportOutcome, col: &'static str, why: &'static str| {
                    out.rejected.push((row.row, col, why));
                };
                let merchant_id = match &row.mid {
                    None => None,
                    Some(m) => match merchants.get(m) {
                        Some(id) => Some(*id),
                        None => {
                            reject(
                                &mut out,
                                "mid",
                                "no merchant with this MID at this provider",
                            );
                            continue;
                        }
                    },
                };
                if let Some(t) = &row.tid
                    && let Some(owner) = tid_owner.get(t)
                    && owner != &row.sn
                {
                    reject(&mut out, "tid", "already used by another terminal");
                    continue;
                }
                match existing.get(&row.sn) {
                    None => {
                        let t = Terminal {
                            id: row.new_id,
                            tenant_id: self.tenant,
                            merchant_id,
                            sn: row.sn.clone(),
                            tid: row.tid.clone(),
                            model: row.model.clone(),
                            manufacturer: row.manufacturer.clone(),
                            firmware: row.firmware.clone(),
                            status: row.status.clone(),
                            created_at: ctx.now,
                            updated_at: ctx.now,
                            version: 1,
                            install_date: row.install_date.clone(),
                            warranty_end: row.warranty_end.clone(),
                            installed_address: row.installed_address.clone(),
                        };
                        insert(c, &t).await?;
                        if let Some(tid) = &t.tid {
                            tid_owner.insert(tid.clone(), t.sn.clone());
                        }
                        audit.push(AuditDraft::created(Some(self.tenant), "terminal", t.id, &t));
                        existing.insert(t.sn.clone(), t);
                        out.inserted += 1;
                    }
                    Some(before) => {
                        let after = Terminal {
                            merchant_id,
                            tid: row.tid.clone(),
                            model: row.model.clone(),
                            manufacturer: row.manufacturer.clone(),
                            firmware: row.firmware.clone(),
                            install_date: row.install_date.clone(),
                            warranty_end: row.warranty_end.clone(),
                            installed_address: row.installed_address.clone(),
                            ..before.clone()
                        };
                        if row.status != before.status {
                            reject(
                                &mut out,
                                "status",
                                "a known terminal's status changes through its own actions, not an import",
                            );
                            continue;
                        }
                        if &after == before {
                            out.unchanged += 1;
                            continue;
                        }
                        let after = Terminal {
                            updated_at: ctx.now,
                            version: before.version + 1,
                            ..after
                        };
                        let n = c
                            .execute(
                                "UPDATE terminals SET merchant_id = $1, tid = $2, model = $3, manufacturer = $4, firmware = $5, install_date = $6, warranty_end = $7, installed_address = $8, updated_at = $9, version = $10 WHERE id = $11 AND version = $12",
                                &[
                                    after.merchant_id.into(),
                                    after.tid.clone().into(),
                                    after.model.as_str().into(),
                                    after.manufacturer.as_str().into(),
                                    after.firmware.clone().into(),
                                    after.install_date.clone().into(),
                                    after.warranty_end.clone().into(),
                                    after.installed_address.clone().into(),
                                    after.updated_at.into(),
                                    Value::Int(after.version),
                                    after.id.into(),
                                    Value::Int(before.version),
                                ],
                            )
                            .await?;
                        super::updated_one(n, before.version)?;
                        if let Some(tid) = &after.tid {
                            tid_owner.insert(tid.clone(), after.sn.clone());
                        }
                        audit.push(AuditDraft::changed(
                            Some(self.tenant),
                            "terminal",
                            after.id,
                            "import_update",
                            before,
                            &after,
                        ));
                        existing.insert(after.sn.clone(), after);
                        out.updated += 1;
                    }
                }
            }
            Ok(Applied::new(out, audit))
        })
    }
}

/// Every terminal of the scope in SN order, a page at a time (for exports), `after` an SN.
pub async fn export_page(
    c: &mut dyn Conn,
    scope: &Scope,
    after_sn: Option<&str>,
    limit: i64,
) -> Result<Vec<(Terminal, Option<String>)>> {
    let (cond, mut params) = super::scope_filter(scope, "t.tenant_id", Some("t.merchant_id"), 1);
    let after = match after_sn {
        Some(sn) => {
            params.push(sn.into());
            format!(" AND t.sn > ${}", params.len())
        }
        None => String::new(),
    };
    let cols = COLS
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = c
        .query(
            &format!(
                "SELECT {cols}, m.mid FROM terminals t LEFT JOIN merchants m ON m.id = t.merchant_id WHERE {cond}{after} ORDER BY t.sn LIMIT {limit}"
            ),
            &params,
        )
        .await?;
    rows.iter()
        .map(|r| Ok((to_terminal(r)?, r.opt_text(15)?)))
        .collect()
}

/// Moves a terminal through its status machine (`registry::terminal`), with the merchant
/// binding the event implies: `install` and `lend` bind it to `merchant` (required), events
/// that end the stay at a merchant (`uninstall`, `recover`, `return_to_stock`, `return_loaner`,
/// `retire`) unbind it; the rest keep it. The update is conditional on the version and status
/// read, so two servers cannot both apply a transition.
pub struct TransitionTerminal {
    pub tenant: TenantId,
    pub id: TerminalId,
    pub event: posdesk_core::registry::TerminalEvent,
    /// The merchant's MID for `install` and `lend`.
    pub mid: Option<String>,
    pub expected_version: Option<i64>,
}

impl Mutation for TransitionTerminal {
    type Output = Terminal;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Terminal>>> {
        Box::pin(async move {
            use posdesk_core::registry::{TerminalEvent as E, TerminalStatus};
            let before = get(c, &Scope::system(self.tenant), self.id).await?;
            super::check_version(self.expected_version, before.version)?;
            let from = TerminalStatus::from_code(&before.status)
                .ok_or_else(|| Error::Backend(format!("stored status {}", before.status)))?;
            let to = from.transition(self.event)?;
            let merchant_id = match self.event {
                E::Install | E::Lend => {
                    let mid = self.mid.as_deref().ok_or_else(|| {
                        Error::Invalid(posdesk_core::FieldError::new(
                            "mid",
                            posdesk_core::Rule::Required,
                        ))
                    })?;
                    let r = c
                        .query_opt(
                            "SELECT id FROM merchants WHERE tenant_id = $1 AND mid = $2",
                            &[self.tenant.into(), mid.into()],
                        )
                        .await?
                        .ok_or_else(|| {
                            Error::Invalid(posdesk_core::FieldError::new(
                                "mid",
                                posdesk_core::Rule::Invalid {
                                    reason: "no merchant with this MID at this provider",
                                },
                            ))
                        })?;
                    Some(parse_id(&r, 0, MerchantId::parse)?)
                }
                E::Uninstall | E::Recover | E::ReturnToStock | E::ReturnLoaner | E::Retire => None,
                _ => before.merchant_id,
            };
            let after = Terminal {
                status: to.code().to_owned(),
                merchant_id,
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            let n = c
                .execute(
                    "UPDATE terminals SET status = $1, merchant_id = $2, updated_at = $3, version = $4 WHERE id = $5 AND version = $6 AND status = $7",
                    &[
                        after.status.as_str().into(),
                        after.merchant_id.into(),
                        after.updated_at.into(),
                        Value::Int(after.version),
                        self.id.into(),
                        Value::Int(before.version),
                        before.status.as_str().into(),
                    ],
                )
                .await?;
            super::updated_one(n, before.version)?;
            let mut audit = vec![AuditDraft::changed(
                Some(self.tenant),
                "terminal",
                self.id,
                self.event.code(),
                &before,
                &after,
            )];
            // Leaving the merchant ends the current binding, if one was recorded.
            audit.extend(super::bindings::end_for_transition(c, ctx, &after, self.event).await?);
            Ok(Applied::new(after, audit))
        })
    }
}
