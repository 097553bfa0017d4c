//! Providers (服务商): the tenants. Created by the platform admin; each provider's staff see only
//! their own provider.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::TenantId;
use posdesk_core::text::{DisplayName, Label};
use serde::Serialize;

use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Provider {
    pub id: TenantId,
    pub name: String,
    pub short_name: String,
    pub uscc: Option<String>,
    pub hotline: Option<String>,
    pub status: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

const COLS: &str = "id, name, short_name, uscc, hotline, status, created_at, updated_at, version";

fn to_provider(r: &Row) -> Result<Provider> {
    Ok(Provider {
        id: parse_id(r, 0, TenantId::parse)?,
        name: r.text(1)?,
        short_name: r.text(2)?,
        uscc: r.opt_text(3)?,
        hotline: r.opt_text(4)?,
        status: r.text(5)?,
        created_at: r.ts(6)?,
        updated_at: r.ts(7)?,
        version: r.int(8)?,
    })
}

pub async fn get(c: &mut dyn Conn, scope: &Scope, id: TenantId) -> Result<Provider> {
    if !matches!(scope, Scope::Platform) && scope.tenant() != Some(id) {
        return Err(Error::NotFound);
    }
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM providers WHERE id = $1"),
            &[id.into()],
        )
        .await?;
    to_provider(&r)
}

pub async fn list(c: &mut dyn Conn, scope: &Scope) -> Result<Vec<Provider>> {
    let (cond, params) = super::scope_filter(scope, "id", None, 1);
    let rows = c
        .query(
            &format!("SELECT {COLS} FROM providers WHERE {cond} ORDER BY name"),
            &params,
        )
        .await?;
    rows.iter().map(to_provider).collect()
}

/// Creates a provider. Its audit event opens the tenant's own chain.
pub struct CreateProvider {
    pub id: TenantId,
    pub name: DisplayName,
    pub short_name: Label,
    pub uscc: Option<String>,
    pub hotline: Option<String>,
}

impl Mutation for CreateProvider {
    type Output = Provider;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Provider>>> {
        Box::pin(async move {
            let p = Provider {
                id: self.id,
                name: self.name.to_string(),
                short_name: self.short_name.to_string(),
                uscc: self.uscc.clone(),
                hotline: self.hotline.clone(),
                status: "active".into(),
                created_at: ctx.now,
                updated_at: ctx.now,
                version: 1,
            };
            c.execute(
                &format!(
                    "INSERT INTO providers ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                ),
                &[
                    p.id.into(),
                    p.name.as_str().into(),
                    p.short_name.as_str().into(),
                    p.uscc.clone().into(),
                    p.hotline.clone().into(),
                    p.status.as_str().into(),
                    p.created_at.into(),
                    p.updated_at.into(),
                    Value::Int(p.version),
                ],
            )
            .await?;
            let audit = vec![
                AuditDraft::created(None, "provider", p.id, &p),
                AuditDraft::created(Some(p.id), "provider", p.id, &p),
            ];
            Ok(Applied::new(p, audit))
        })
    }
}
