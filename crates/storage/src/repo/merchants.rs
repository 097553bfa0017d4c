//! Merchants (商户), in the minimal form the foundation needs: a name, the merchant number and a
//! contact. The registry issue extends this module (USCC, owner ID, risk level, onboarding).

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{MerchantId, TenantId};
use posdesk_core::page::{Cursor, Page, PageRequest};
use serde::Serialize;

use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Merchant {
    pub id: MerchantId,
    pub tenant_id: TenantId,
    pub name: String,
    pub mid: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub status: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

const COLS: &str = "id, tenant_id, name, mid, contact_name, contact_phone, address, status, created_at, updated_at, version";

fn to_merchant(r: &Row) -> Result<Merchant> {
    Ok(Merchant {
        id: parse_id(r, 0, MerchantId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        name: r.text(2)?,
        mid: r.text(3)?,
        contact_name: r.opt_text(4)?,
        contact_phone: r.opt_text(5)?,
        address: r.opt_text(6)?,
        status: r.text(7)?,
        created_at: r.ts(8)?,
        updated_at: r.ts(9)?,
        version: r.int(10)?,
    })
}

pub async fn get(c: &mut dyn Conn, scope: &Scope, id: MerchantId) -> Result<Merchant> {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("id"), 2);
    params.insert(0, id.into());
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM merchants WHERE id = $1 AND {cond}"),
            &params,
        )
        .await?;
    to_merchant(&r)
}

pub async fn list(c: &mut dyn Conn, scope: &Scope, page: &PageRequest) -> Result<Page<Merchant>> {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("id"), 1);
    let (after, p2) = super::after_clause(&page.after, "created_at", "id", params.len() + 1);
    params.extend(p2);
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM merchants WHERE {cond}{after} ORDER BY created_at DESC, id DESC LIMIT {}",
                page.limit + 1
            ),
            &params,
        )
        .await?;
    let items = rows.iter().map(to_merchant).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |m| Cursor {
        at: m.created_at.millis(),
        id: m.id.to_string(),
    }))
}

pub struct CreateMerchant {
    pub id: MerchantId,
    pub tenant: TenantId,
    pub name: String,
    pub mid: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
}

impl Mutation for CreateMerchant {
    type Output = Merchant;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Merchant>>> {
        Box::pin(async move {
            if self.mid.len() != 15 || !self.mid.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::Invalid(posdesk_core::FieldError::new(
                    "mid",
                    posdesk_core::Rule::Pattern {
                        expected: "15 digits",
                    },
                )));
            }
            let m = Merchant {
                id: self.id,
                tenant_id: self.tenant,
                name: self.name.clone(),
                mid: self.mid.clone(),
                contact_name: self.contact_name.clone(),
                contact_phone: self.contact_phone.clone(),
                address: self.address.clone(),
                status: "active".into(),
                created_at: ctx.now,
                updated_at: ctx.now,
                version: 1,
            };
            c.execute_deferred(
                &format!("INSERT INTO merchants ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
                &[
                    m.id.into(),
                    m.tenant_id.into(),
                    m.name.as_str().into(),
                    m.mid.as_str().into(),
                    m.contact_name.clone().into(),
                    m.contact_phone.clone().into(),
                    m.address.clone().into(),
                    m.status.as_str().into(),
                    m.created_at.into(),
                    m.updated_at.into(),
                    Value::Int(1),
                ],
            )
            .await?;
            let audit = vec![AuditDraft::created(Some(m.tenant_id), "merchant", m.id, &m)];
            Ok(Applied::new(m, audit))
        })
    }
}
