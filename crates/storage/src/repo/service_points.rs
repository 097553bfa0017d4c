//! Service points (服务网点) of a provider. Rules (names, divisions, skills, hours) are checked
//! by the core before a mutation is built; this module keeps the record versioned and audited,
//! and checks what only the database knows: that assigned technicians are technicians of the
//! same provider.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{ServicePointId, TenantId, UserId};
use serde::Serialize;

use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ServicePoint {
    pub id: ServicePointId,
    pub tenant_id: TenantId,
    pub name: String,
    pub division_code: String,
    pub address: String,
    /// JSON object weekday → hours text (the calendar's format).
    pub weekly: String,
    /// Skill codes.
    pub skills: Vec<String>,
    pub technicians: Vec<UserId>,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

const COLS: &str = "id, tenant_id, name, division_code, address, weekly, skills, technicians, active, created_at, updated_at, version";

fn to_sp(r: &Row) -> Result<ServicePoint> {
    let json = |i: usize| -> Result<Vec<String>> {
        serde_json::from_str(&r.text(i)?).map_err(|e| Error::Backend(format!("column {i}: {e}")))
    };
    let technicians = json(7)?
        .iter()
        .map(|s| UserId::parse("technicians", s).map_err(|e| Error::Backend(e.to_string())))
        .collect::<Result<Vec<_>>>()?;
    Ok(ServicePoint {
        id: parse_id(r, 0, ServicePointId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        name: r.text(2)?,
        division_code: r.text(3)?,
        address: r.text(4)?,
        weekly: r.text(5)?,
        skills: json(6)?,
        technicians,
        active: r.bool(8)?,
        created_at: r.ts(9)?,
        updated_at: r.ts(10)?,
        version: r.int(11)?,
    })
}

/// Staff see their provider's service points (merchant users and terminals none).
fn tenant_of(scope: &Scope) -> Result<TenantId> {
    match scope {
        Scope::Tenant(t) => Ok(*t),
        _ => Err(Error::NotFound),
    }
}

/// The scope's service points, by division code then name (grouped by region when listed).
pub async fn list(c: &mut dyn Conn, scope: &Scope, active_only: bool) -> Result<Vec<ServicePoint>> {
    let Ok(t) = tenant_of(scope) else {
        return Ok(Vec::new());
    };
    let active = if active_only { " AND active = 1" } else { "" };
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM service_points WHERE tenant_id = $1{active} ORDER BY division_code, name"
            ),
            &[t.into()],
        )
        .await?;
    rows.iter().map(to_sp).collect()
}

pub async fn get(c: &mut dyn Conn, scope: &Scope, id: ServicePointId) -> Result<ServicePoint> {
    let t = tenant_of(scope)?;
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM service_points WHERE tenant_id = $1 AND id = $2"),
            &[t.into(), id.into()],
        )
        .await?;
    to_sp(&r)
}

/// Every assigned user must be an active technician of the provider.
async fn check_technicians(c: &mut dyn Conn, tenant: TenantId, ids: &[UserId]) -> Result<()> {
    for (i, id) in ids.iter().enumerate() {
        let ok = c
            .query_opt(
                "SELECT 1 FROM users WHERE id = $1 AND tenant_id = $2 AND role = 'technician' AND status = 'active'",
                &[(*id).into(), tenant.into()],
            )
            .await?
            .is_some();
        if !ok {
            return Err(Error::Invalid(posdesk_core::FieldError::new(
                format!("technicians[{i}]"),
                posdesk_core::Rule::Invalid {
                    reason: "is not an active technician of this provider",
                },
            )));
        }
    }
    Ok(())
}

fn json_list<T: Serialize>(v: &[T]) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Backend(e.to_string()))
}

/// The fields a create or an update sets.
#[derive(Debug, Clone)]
pub struct ServicePointFields {
    pub name: String,
    pub division_code: String,
    pub address: String,
    pub weekly: String,
    pub skills: Vec<String>,
    pub technicians: Vec<UserId>,
    pub active: bool,
}

pub struct CreateServicePoint {
    pub id: ServicePointId,
    pub tenant: TenantId,
    pub fields: ServicePointFields,
}

impl Mutation for CreateServicePoint {
    type Output = ServicePoint;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<ServicePoint>>> {
        Box::pin(async move {
            let f = &self.fields;
            check_technicians(c, self.tenant, &f.technicians).await?;
            let sp = ServicePoint {
                id: self.id,
                tenant_id: self.tenant,
                name: f.name.clone(),
                division_code: f.division_code.clone(),
                address: f.address.clone(),
                weekly: f.weekly.clone(),
                skills: f.skills.clone(),
                technicians: f.technicians.clone(),
                active: f.active,
                created_at: ctx.now,
                updated_at: ctx.now,
                version: 1,
            };
            c.execute(
                &format!(
                    "INSERT INTO service_points ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                ),
                &[
                    sp.id.into(),
                    sp.tenant_id.into(),
                    sp.name.as_str().into(),
                    sp.division_code.as_str().into(),
                    sp.address.as_str().into(),
                    sp.weekly.as_str().into(),
                    json_list(&sp.skills)?.into(),
                    json_list(&sp.technicians)?.into(),
                    Value::Int(i64::from(sp.active)),
                    sp.created_at.into(),
                    sp.updated_at.into(),
                    Value::Int(sp.version),
                ],
            )
            .await?;
            let audit = vec![AuditDraft::created(
                Some(self.tenant),
                "service_point",
                sp.id,
                &sp,
            )];
            Ok(Applied::new(sp, audit))
        })
    }
}

/// Replaces a service point's fields; `expected_version` is `If-Match`.
pub struct UpdateServicePoint {
    pub id: ServicePointId,
    pub tenant: TenantId,
    pub fields: ServicePointFields,
    pub expected_version: Option<i64>,
}

impl Mutation for UpdateServicePoint {
    type Output = ServicePoint;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<ServicePoint>>> {
        Box::pin(async move {
            let before = get(c, &Scope::Tenant(self.tenant), self.id).await?;
            super::check_version(self.expected_version, before.version)?;
            let f = &self.fields;
            check_technicians(c, self.tenant, &f.technicians).await?;
            let after = ServicePoint {
                name: f.name.clone(),
                division_code: f.division_code.clone(),
                address: f.address.clone(),
                weekly: f.weekly.clone(),
                skills: f.skills.clone(),
                technicians: f.technicians.clone(),
                active: f.active,
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            let n = c
                .execute(
                    "UPDATE service_points SET name = $1, division_code = $2, address = $3, weekly = $4, skills = $5, technicians = $6, active = $7, updated_at = $8, version = $9 WHERE tenant_id = $10 AND id = $11 AND version = $12",
                    &[
                        after.name.as_str().into(),
                        after.division_code.as_str().into(),
                        after.address.as_str().into(),
                        after.weekly.as_str().into(),
                        json_list(&after.skills)?.into(),
                        json_list(&after.technicians)?.into(),
                        Value::Int(i64::from(after.active)),
                        after.updated_at.into(),
                        Value::Int(after.version),
                        self.tenant.into(),
                        self.id.into(),
                        Value::Int(before.version),
                    ],
                )
                .await?;
            super::updated_one(n, before.version)?;
            let audit = vec![AuditDraft::changed(
                Some(self.tenant),
                "service_point",
                self.id,
                "update",
                &before,
                &after,
            )];
            Ok(Applied::new(after, audit))
        })
    }
}
