//! Terminals (终端), in the minimal form the foundation needs. The registry issue adds the
//! status machine, warranty, bindings and history.

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
}

const COLS: &str = "id, tenant_id, merchant_id, sn, tid, model, manufacturer, firmware, status, created_at, updated_at, version";

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
            };
            c.execute_deferred(
                &format!("INSERT INTO terminals ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"),
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
                    Value::Int(1),
                ],
            )
            .await?;
            let audit = vec![AuditDraft::created(Some(t.tenant_id), "terminal", t.id, &t)];
            Ok(Applied::new(t, audit))
        })
    }
}
