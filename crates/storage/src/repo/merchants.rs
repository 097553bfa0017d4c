//! Merchants (商户): name, merchant number, kind, identity (USCC or the owner's resident ID —
//! stored in full, shown masked by the API to roles that don't need it), risk level, division,
//! address, contacts (the primary one mirrored in the foundation's single `contact_name` /
//! `contact_phone`), business hours, status (the core's `registry::merchant` machine). Every
//! rule is the core's (`registry::merchant`, `registry::merchant_details`); this module keeps
//! the record versioned and audited, and checks what only the database knows (MIDs unique per
//! provider).

use std::collections::HashMap;

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{MerchantId, TenantId};
use posdesk_core::page::{Cursor, Page, PageRequest};
use serde::{Deserialize, Serialize};

use super::terminals::ImportOutcome;
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id};

/// One contact as stored (checked by `registry::merchant_details::parse_contacts` first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredContact {
    #[serde(default)]
    pub name: Option<String>,
    pub phone: String,
    /// `owner`, `manager`, `cashier`, `finance`, `technical` or `other`.
    pub role: String,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merchant {
    pub id: MerchantId,
    pub tenant_id: TenantId,
    pub name: String,
    pub mid: String,
    /// The primary contact's name and phone (kept in step with `contacts`).
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
    /// The primary contact first.
    #[serde(default)]
    pub contacts: Vec<StoredContact>,
    /// The core's text form (`mon-fri 09:00-21:00; sat-sun 10:00-22:00`); `None`: not stated.
    #[serde(default)]
    pub business_hours: Option<String>,
}

const COLS: &str = "id, tenant_id, name, mid, contact_name, contact_phone, address, status, created_at, updated_at, version, kind, id_kind, id_number, risk_level, division_code, contacts, business_hours";

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

fn contacts_from(
    stored: Option<String>,
    name: &Option<String>,
    phone: &Option<String>,
) -> Result<Vec<StoredContact>> {
    match stored {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| Error::Backend(format!("stored contacts: {e}")))
        }
        // A row written with only the single contact (before 0009, or by a path that sets
        // only those columns): that contact is the primary one.
        None => Ok(phone
            .iter()
            .map(|p| StoredContact {
                name: name.clone(),
                phone: p.clone(),
                role: "other".into(),
                primary: true,
            })
            .collect()),
    }
}

fn contacts_value(contacts: &[StoredContact]) -> Result<Value> {
    if contacts.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::to_string(contacts)
        .map(Value::from)
        .map_err(|e| Error::Backend(e.to_string()))
}

fn to_merchant(r: &Row) -> Result<Merchant> {
    let contact_name = r.opt_text(4)?;
    let contact_phone = r.opt_text(5)?;
    let contacts = contacts_from(r.opt_text(16)?, &contact_name, &contact_phone)?;
    Ok(Merchant {
        id: parse_id(r, 0, MerchantId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        name: r.text(2)?,
        mid: r.text(3)?,
        contact_name,
        contact_phone,
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
        contacts,
        business_hours: r.opt_text(17)?,
    })
}

/// `m` with its single contact columns set from the primary contact (or cleared).
fn mirror_primary(mut m: Merchant) -> Merchant {
    let primary = m.contacts.iter().find(|c| c.primary).cloned();
    m.contact_name = primary.as_ref().and_then(|p| p.name.clone());
    m.contact_phone = primary.map(|p| p.phone);
    m
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

/// Every merchant of the scope in MID order, a page at a time (for exports), after `after_mid`.
pub async fn export_page(
    c: &mut dyn Conn,
    scope: &Scope,
    after_mid: Option<&str>,
    limit: i64,
) -> Result<Vec<Merchant>> {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("id"), 1);
    let after = match after_mid {
        Some(m) => {
            params.push(m.into());
            format!(" AND mid > ${}", params.len())
        }
        None => String::new(),
    };
    let rows = c
        .query(
            &format!("SELECT {COLS} FROM merchants WHERE {cond}{after} ORDER BY mid LIMIT {limit}"),
            &params,
        )
        .await?;
    rows.iter().map(to_merchant).collect()
}

fn check_mid(mid: &str) -> Result<()> {
    if mid.len() != 15 || !mid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Invalid(posdesk_core::FieldError::new(
            "mid",
            posdesk_core::Rule::Pattern {
                expected: "15 digits",
            },
        )));
    }
    Ok(())
}

async fn insert(c: &mut dyn Conn, m: &Merchant) -> Result<()> {
    c.execute_deferred(
        &format!("INSERT INTO merchants ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"),
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
            Value::Int(m.version),
            m.kind.clone().into(),
            m.id_kind.clone().into(),
            m.id_number.clone().into(),
            m.risk_level.clone().into(),
            m.division_code.clone().into(),
            contacts_value(&m.contacts)?,
            m.business_hours.clone().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Writes `after` over `before` (every column a merchant's own actions may change), only if
/// the stored version is still `before.version`; `after` must carry the next version.
async fn write_back(c: &mut dyn Conn, before: &Merchant, after: &Merchant) -> Result<()> {
    let n = c
        .execute(
            "UPDATE merchants SET name = $1, mid = $2, contact_name = $3, contact_phone = $4, address = $5, kind = $6, id_kind = $7, id_number = $8, risk_level = $9, division_code = $10, contacts = $11, business_hours = $12, updated_at = $13, version = $14 WHERE tenant_id = $15 AND id = $16 AND version = $17",
            &[
                after.name.as_str().into(),
                after.mid.as_str().into(),
                after.contact_name.clone().into(),
                after.contact_phone.clone().into(),
                after.address.clone().into(),
                after.kind.clone().into(),
                after.id_kind.clone().into(),
                after.id_number.clone().into(),
                after.risk_level.clone().into(),
                after.division_code.clone().into(),
                contacts_value(&after.contacts)?,
                after.business_hours.clone().into(),
                after.updated_at.into(),
                Value::Int(after.version),
                before.tenant_id.into(),
                before.id.into(),
                Value::Int(before.version),
            ],
        )
        .await?;
    super::updated_one(n, before.version)
}

/// Applies `change` to the merchant read in the same transaction (after the `If-Match` check)
/// and writes it back with one audit event `action`; a change that changes nothing writes
/// nothing (no new version, no event).
async fn change(
    c: &mut dyn Conn,
    ctx: &Ctx,
    tenant: TenantId,
    id: MerchantId,
    expected_version: Option<i64>,
    action: &'static str,
    change: impl FnOnce(&Merchant) -> Merchant,
) -> Result<Applied<Merchant>> {
    let before = get(c, &Scope::Tenant(tenant), id).await?;
    super::check_version(expected_version, before.version)?;
    let after = mirror_primary(change(&before));
    if after == before {
        return Ok(Applied::new(before, Vec::new()));
    }
    let after = Merchant {
        updated_at: ctx.now,
        version: before.version + 1,
        ..after
    };
    write_back(c, &before, &after).await?;
    let audit = vec![AuditDraft::changed(
        Some(tenant),
        "merchant",
        id,
        action,
        audit_view(&before),
        audit_view(&after),
    )];
    Ok(Applied::new(after, audit))
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
            check_mid(&self.mid)?;
            // The single contact is the primary one (a contact needs a phone).
            let contacts = contacts_from(None, &self.contact_name, &self.contact_phone)?;
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
                contacts,
                business_hours: None,
            };
            insert(c, &m).await?;
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

/// The registry fields an edit sets (checked by the core's `MerchantFields`).
#[derive(Debug, Clone)]
pub struct MerchantUpdate {
    pub name: String,
    pub mid: String,
    pub kind: String,
    pub id_kind: String,
    pub id_number: String,
    pub address: Option<String>,
    pub division_code: Option<String>,
    pub risk_level: String,
}

/// Edits a merchant's registry fields (`If-Match`: `expected_version`). A MID another merchant
/// of the provider has is refused by the unique index (409 on `mid`).
pub struct UpdateMerchant {
    pub tenant: TenantId,
    pub id: MerchantId,
    pub fields: MerchantUpdate,
    pub expected_version: Option<i64>,
}

impl Mutation for UpdateMerchant {
    type Output = Merchant;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Merchant>>> {
        Box::pin(async move {
            let f = &self.fields;
            check_mid(&f.mid)?;
            change(
                c,
                ctx,
                self.tenant,
                self.id,
                self.expected_version,
                "update",
                |b| Merchant {
                    name: f.name.clone(),
                    mid: f.mid.clone(),
                    kind: Some(f.kind.clone()),
                    id_kind: Some(f.id_kind.clone()),
                    id_number: Some(f.id_number.clone()),
                    address: f.address.clone(),
                    division_code: f.division_code.clone(),
                    risk_level: Some(f.risk_level.clone()),
                    ..b.clone()
                },
            )
            .await
        })
    }
}

/// Replaces a merchant's contacts (checked by the core, the primary first); the primary one is
/// mirrored in `contact_name` / `contact_phone`.
pub struct SetContacts {
    pub tenant: TenantId,
    pub id: MerchantId,
    pub contacts: Vec<StoredContact>,
    pub expected_version: Option<i64>,
}

impl Mutation for SetContacts {
    type Output = Merchant;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Merchant>>> {
        Box::pin(async move {
            if self.contacts.iter().filter(|c| c.primary).count()
                != usize::from(!self.contacts.is_empty())
            {
                return Err(Error::Invalid(posdesk_core::FieldError::new(
                    "contacts",
                    posdesk_core::Rule::Invalid {
                        reason: "exactly one contact must be the primary one",
                    },
                )));
            }
            change(
                c,
                ctx,
                self.tenant,
                self.id,
                self.expected_version,
                "contacts",
                |b| Merchant {
                    contacts: self.contacts.clone(),
                    ..b.clone()
                },
            )
            .await
        })
    }
}

/// Sets (or, with `None`, clears) a merchant's business hours, in the core's text form.
pub struct SetBusinessHours {
    pub tenant: TenantId,
    pub id: MerchantId,
    pub hours: Option<String>,
    pub expected_version: Option<i64>,
}

impl Mutation for SetBusinessHours {
    type Output = Merchant;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Merchant>>> {
        Box::pin(async move {
            change(
                c,
                ctx,
                self.tenant,
                self.id,
                self.expected_version,
                "business_hours",
                |b| Merchant {
                    business_hours: self.hours.clone(),
                    ..b.clone()
                },
            )
            .await
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

/// One row of a merchant import, checked by the core (`registry::import::MerchantRow`). `None`
/// in an optional field leaves a known merchant's value alone (a new one gets the default).
#[derive(Debug, Clone)]
pub struct ImportMerchantRow {
    /// Row number in the file, for errors.
    pub row: u64,
    /// Used only if the MID is new.
    pub new_id: MerchantId,
    pub mid: String,
    pub name: String,
    pub kind: String,
    pub id_kind: String,
    pub id_number: String,
    pub address: Option<String>,
    pub division_code: Option<String>,
    /// Default `low`.
    pub risk_level: Option<String>,
    /// A new merchant's status (default `pending`); a known one's must equal it.
    pub status: Option<String>,
    /// The primary contact: (name, phone).
    pub contact: Option<(Option<String>, String)>,
    pub business_hours: Option<String>,
}

/// `contacts` with `(name, phone)` as the primary contact: it replaces the old primary one
/// (keeping its role) and any other entry with the same phone.
fn with_primary(
    contacts: &[StoredContact],
    name: &Option<String>,
    phone: &str,
) -> Vec<StoredContact> {
    let role = contacts
        .iter()
        .find(|c| c.phone == phone)
        .or_else(|| contacts.iter().find(|c| c.primary))
        .map_or_else(|| "other".to_owned(), |c| c.role.clone());
    let mut out = vec![StoredContact {
        name: name.clone(),
        phone: phone.to_owned(),
        role,
        primary: true,
    }];
    out.extend(
        contacts
            .iter()
            .filter(|c| !c.primary && c.phone != phone)
            .cloned(),
    );
    out
}

/// Imports a chunk of merchant rows in one transaction, idempotent by MID: a new MID is
/// inserted (`pending` unless the row says otherwise), a known one is updated with what the
/// row gives, or left alone when nothing differs (no new version, no audit event). A status
/// that differs from a known merchant's rejects that row (statuses change through the
/// merchant's own actions). Each insert and update is audited with the identity masked.
pub struct ImportMerchants {
    pub tenant: TenantId,
    pub rows: Vec<ImportMerchantRow>,
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Mutation for ImportMerchants {
    type Output = ImportOutcome;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<ImportOutcome>>> {
        Box::pin(async move {
            if c.dialect() == crate::Dialect::Postgres {
                // As for terminal imports: custom plans keep the IN-list look-ups on the index.
                c.batch("SET LOCAL plan_cache_mode = force_custom_plan")
                    .await?;
            }
            let mut existing: HashMap<String, Merchant> = HashMap::new();
            for part in self.rows.chunks(400) {
                let mut params: Vec<Value> = vec![self.tenant.into()];
                params.extend(part.iter().map(|r| Value::from(r.mid.as_str())));
                let rows = c
                    .query(
                        &format!(
                            "SELECT {COLS} FROM merchants WHERE tenant_id = $1 AND mid IN ({})",
                            placeholders(2, part.len())
                        ),
                        &params,
                    )
                    .await?;
                for r in &rows {
                    let m = to_merchant(r)?;
                    existing.insert(m.mid.clone(), m);
                }
            }
            let mut out = ImportOutcome::default();
            let mut audit = Vec::new();
            for row in &self.rows {
                check_mid(&row.mid)?;
                match existing.get(&row.mid) {
                    None => {
                        let contacts = row
                            .contact
                            .as_ref()
                            .map(|(name, phone)| with_primary(&[], name, phone))
                            .unwrap_or_default();
                        let m = mirror_primary(Merchant {
                            id: row.new_id,
                            tenant_id: self.tenant,
                            name: row.name.clone(),
                            mid: row.mid.clone(),
                            contact_name: None,
                            contact_phone: None,
                            address: row.address.clone(),
                            status: row.status.clone().unwrap_or_else(|| "pending".into()),
                            created_at: ctx.now,
                            updated_at: ctx.now,
                            version: 1,
                            kind: Some(row.kind.clone()),
                            id_kind: Some(row.id_kind.clone()),
                            id_number: Some(row.id_number.clone()),
                            risk_level: Some(
                                row.risk_level.clone().unwrap_or_else(|| "low".into()),
                            ),
                            division_code: row.division_code.clone(),
                            contacts,
                            business_hours: row.business_hours.clone(),
                        });
                        insert(c, &m).await?;
                        audit.push(AuditDraft::created(
                            Some(self.tenant),
                            "merchant",
                            m.id,
                            audit_view(&m),
                        ));
                        existing.insert(m.mid.clone(), m);
                        out.inserted += 1;
                    }
                    Some(before) => {
                        if let Some(s) = &row.status
                            && s != &before.status
                        {
                            out.rejected.push((
                                row.row,
                                "status",
                                "a known merchant's status changes through its own actions, not an import",
                            ));
                            continue;
                        }
                        let mut after = Merchant {
                            name: row.name.clone(),
                            kind: Some(row.kind.clone()),
                            id_kind: Some(row.id_kind.clone()),
                            id_number: Some(row.id_number.clone()),
                            ..before.clone()
                        };
                        if let Some(a) = &row.address {
                            after.address = Some(a.clone());
                        }
                        if let Some(d) = &row.division_code {
                            after.division_code = Some(d.clone());
                        }
                        if let Some(r) = &row.risk_level {
                            after.risk_level = Some(r.clone());
                        }
                        if let Some(h) = &row.business_hours {
                            after.business_hours = Some(h.clone());
                        }
                        if let Some((name, phone)) = &row.contact {
                            after.contacts = with_primary(&before.contacts, name, phone);
                        }
                        let after = mirror_primary(after);
                        if &after == before {
                            out.unchanged += 1;
                            continue;
                        }
                        let after = Merchant {
                            updated_at: ctx.now,
                            version: before.version + 1,
                            ..after
                        };
                        write_back(c, before, &after).await?;
                        audit.push(AuditDraft::changed(
                            Some(self.tenant),
                            "merchant",
                            after.id,
                            "import_update",
                            audit_view(before),
                            audit_view(&after),
                        ));
                        existing.insert(after.mid.clone(), after);
                        out.updated += 1;
                    }
                }
            }
            Ok(Applied::new(out, audit))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(phone: &str, role: &str, primary: bool) -> StoredContact {
        StoredContact {
            name: None,
            phone: phone.into(),
            role: role.into(),
            primary,
        }
    }

    #[test]
    fn an_imported_primary_contact_replaces_the_old_one() {
        let list = vec![
            contact("13800000001", "owner", true),
            contact("13800000002", "cashier", false),
        ];
        let same = with_primary(&list, &None, "13800000001");
        assert_eq!(same, list, "the same primary contact changes nothing");
        let new = with_primary(&list, &Some("周老板".into()), "13900000009");
        assert_eq!(new.len(), 2);
        assert_eq!(
            (new[0].phone.as_str(), new[0].role.as_str()),
            ("13900000009", "owner")
        );
        assert_eq!(new[1].phone, "13800000002");
        let promoted = with_primary(&list, &None, "13800000002");
        assert_eq!(promoted.len(), 1);
        assert_eq!(
            (promoted[0].role.as_str(), promoted[0].primary),
            ("cashier", true)
        );
        let first = with_primary(&[], &None, "13800000003");
        assert_eq!(first, vec![contact("13800000003", "other", true)]);
    }

    #[test]
    fn the_single_contact_is_the_primary_one() {
        let legacy =
            contacts_from(None, &Some("张老板".into()), &Some("13800000000".into())).unwrap();
        assert_eq!(legacy.len(), 1);
        assert!(legacy[0].primary);
        assert!(
            contacts_from(None, &Some("张老板".into()), &None)
                .unwrap()
                .is_empty()
        );
        let json = serde_json::to_string(&legacy).unwrap();
        assert_eq!(contacts_from(Some(json), &None, &None).unwrap(), legacy);
        // The SQL migrations write this shape (SQLite json_object, PostgreSQL json_build_object).
        let migrated = r#"[{"name":null,"phone":"13800000000","role":"other","primary":true}]"#;
        assert_eq!(
            contacts_from(Some(migrated.into()), &None, &None).unwrap()[0].phone,
            "13800000000"
        );
    }
}
