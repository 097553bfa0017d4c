//! Merchants (商户): name, merchant number, contact, kind, identity (USCC or the owner's
//! resident ID — stored in full, shown masked by the API to roles that don't need it), risk
//! level, division, status (the core's `registry::merchant` machine).

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
    /// `company`, `individual` or `micro`.
    pub kind: Option<String>,
    /// `uscc` or `resident_id`.
    pub id_kind: Option<String>,
    /// Full number; never serialised into audit events in full (see `audit_view`).
    pub id_number: Option<String>,
    pub risk_level: Option<String>,
    pub division_code: Option<String>,
}

const COLS: &str = "id, tenant_id, name, mid, contact_name, contact_phone, address, status, created_at, updated_at, version, kind, id_kind, id_number, risk_level, division_code";

/// The merchant with a resident ID masked (`registry::ResidentId::masked`: first 3 + last 4):
/// what the append-only audit trail records, and what roles that may not see the full number
/// are shown.
pub fn audit_view(m: &Merchant) -> Merchant {
    let mut v = m.clone();
    if v.id_kind.as_deref() == Some("resident_id") {
        v.id_number = v.id_number.as_deref().map(|n| {
            posdesk_core::registry::ResidentId::parse("id_number", n)
                .map_or_else(|_| "***".to_owned(), |id| id.masked())
        });
    }
    v
}

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
        kind: r.opt_text(11)?,
        id_kind: r.opt_text(12)?,
        id_number: r.opt_text(13)?,
        risk_level: r.opt_text(14)?,
        division_code: r.opt_text(15)?,
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
    /// The registry fields (checked by the core); `None` for the foundation's minimal merchants
    /// (demo data), which start `active`.
    pub registry: Option<MerchantRegistry>,
}

/// A merchant's registry fields, as checked by the core.
#[derive(Debug, Clone)]
pub struct MerchantRegistry {
    pub kind: String,
    pub id_kind: String,
    pub id_number: String,
    pub risk_level: String,
    pub division_code: Option<String>,
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
                // A registered merchant waits for onboarding to complete.
                status: if self.registry.is_some() {
                    "pending"
                } else {
                    "active"
                }
                .into(),
                created_at: ctx.now,
                updated_at: ctx.now,
                version: 1,
                kind: self.registry.as_ref().map(|r| r.kind.clone()),
                id_kind: self.registry.as_ref().map(|r| r.id_kind.clone()),
                id_number: self.registry.as_ref().map(|r| r.id_number.clone()),
                risk_level: self.registry.as_ref().map(|r| r.risk_level.clone()),
                division_code: self.registry.as_ref().and_then(|r| r.division_code.clone()),
            };
            c.execute_deferred(
                &format!("INSERT INTO merchants ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"),
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
                    m.kind.clone().into(),
                    m.id_kind.clone().into(),
                    m.id_number.clone().into(),
                    m.risk_level.clone().into(),
                    m.division_code.clone().into(),
                ],
            )
            .await?;
            let audit = vec![AuditDraft::created(
                Some(m.tenant_id),
                "merchant",
                m.id,
                audit_view(&m),
            )];
            Ok(Applied::new(m, audit))
        })
    }
}

/// Moves a merchant through its status machine (`registry::merchant`), conditional on the
/// version and status read.
pub struct TransitionMerchant {
    pub tenant: TenantId,
    pub id: MerchantId,
    pub event: posdesk_core::registry::MerchantEvent,
    pub expected_version: Option<i64>,
}

impl Mutation for TransitionMerchant {
    type Output = Merchant;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Merchant>>> {
        Box::pin(async move {
            let before = get(c, &Scope::Tenant(self.tenant), self.id).await?;
            super::check_version(self.expected_version, before.version)?;
            let from = posdesk_core::registry::MerchantStatus::from_code(&before.status)
                .ok_or_else(|| Error::Backend(format!("stored status {}", before.status)))?;
            let to = from.transition(self.event)?;
            let after = Merchant {
                status: to.code().to_owned(),
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            let n = c
                .execute(
                    "UPDATE merchants SET status = $1, updated_at = $2, version = $3 WHERE id = $4 AND version = $5 AND status = $6",
                    &[
                        after.status.as_str().into(),
                        after.updated_at.into(),
                        Value::Int(after.version),
                        self.id.into(),
                        Value::Int(before.version),
                        before.status.as_str().into(),
                    ],
                )
                .await?;
            super::updated_one(n, before.version)?;
            let audit = vec![AuditDraft::changed(
                Some(self.tenant),
                "merchant",
                self.id,
                self.event.code(),
                audit_view(&before),
                audit_view(&after),
            )];
            Ok(Applied::new(after, audit))
        })
    }
}
