//! Provider profiles (seed 000): the public face of a provider — licence, hotlines, service
//! hours, warranty terms, fee schedule — and its logo. The profile is stored as the JSON document
//! the core's `registry::provider` types produced; this module keeps it versioned and audited.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::TenantId;
use serde::Serialize;

use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value};

/// A stored profile document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StoredProfile {
    pub tenant_id: String,
    /// JSON (see `service::profiles::Profile`).
    pub doc: String,
    pub updated_at: Timestamp,
    pub version: i64,
}

fn visible(scope: &Scope, tenant: TenantId) -> bool {
    match scope {
        Scope::Platform => true,
        s => s.tenant() == Some(tenant),
    }
}

fn to_profile(r: &Row) -> Result<StoredProfile> {
    Ok(StoredProfile {
        tenant_id: r.text(0)?,
        doc: r.text(1)?,
        updated_at: r.ts(2)?,
        version: r.int(3)?,
    })
}

/// The profile of `tenant` if the scope may see it (`NotFound` otherwise); `None` if the
/// provider has not filled it in yet.
pub async fn get(
    c: &mut dyn Conn,
    scope: &Scope,
    tenant: TenantId,
) -> Result<Option<StoredProfile>> {
    if !visible(scope, tenant) {
        return Err(Error::NotFound);
    }
    c.query_opt(
        "SELECT tenant_id, doc, updated_at, version FROM provider_profiles WHERE tenant_id = $1",
        &[tenant.into()],
    )
    .await?
    .map(|r| to_profile(&r))
    .transpose()
}

/// Profiles whose licence ends on or before `date` (`YYYY-MM-DD`), soonest first, within the
/// scope: for the platform admin's and supervisors' expiry lists.
pub async fn licences_ending_by(
    c: &mut dyn Conn,
    scope: &Scope,
    date: &str,
) -> Result<Vec<(String, String)>> {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", None, 2);
    params.insert(0, date.into());
    let rows = c
        .query(
            &format!(
                "SELECT tenant_id, licence_valid_to FROM provider_profiles WHERE licence_valid_to IS NOT NULL AND licence_valid_to <= $1 AND {cond} ORDER BY licence_valid_to, tenant_id"
            ),
            &params,
        )
        .await?;
    rows.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect()
}

/// Saves a provider's profile (creating it on first save) and the provider's USCC.
/// `expected_version` is `If-Match` (0 = nothing saved yet).
pub struct SaveProfile {
    pub tenant: TenantId,
    pub doc: serde_json::Value,
    pub licence_valid_to: Option<String>,
    pub uscc: Option<String>,
    pub expected_version: Option<i64>,
}

impl Mutation for SaveProfile {
    type Output = StoredProfile;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<StoredProfile>>> {
        Box::pin(async move {
            let scope = Scope::Tenant(self.tenant);
            let before = get(c, &scope, self.tenant).await?;
            super::check_version(
                self.expected_version,
                before.as_ref().map_or(0, |b| b.version),
            )?;
            let after = StoredProfile {
                tenant_id: self.tenant.to_string(),
                doc: self.doc.to_string(),
                updated_at: ctx.now,
                version: before.as_ref().map_or(1, |b| b.version + 1),
            };
            match &before {
                None => {
                    c.execute(
                        "INSERT INTO provider_profiles (tenant_id, doc, licence_valid_to, updated_at, version) VALUES ($1, $2, $3, $4, $5)",
                        &[
                            self.tenant.into(),
                            after.doc.as_str().into(),
                            self.licence_valid_to.clone().into(),
                            after.updated_at.into(),
                            Value::Int(after.version),
                        ],
                    )
                    .await?;
                }
                Some(b) => {
                    let n = c
                        .execute(
                            "UPDATE provider_profiles SET doc = $1, licence_valid_to = $2, updated_at = $3, version = $4 WHERE tenant_id = $5 AND version = $6",
                            &[
                                after.doc.as_str().into(),
                                self.licence_valid_to.clone().into(),
                                after.updated_at.into(),
                                Value::Int(after.version),
                                self.tenant.into(),
                                Value::Int(b.version),
                            ],
                        )
                        .await?;
                    super::updated_one(n, b.version)?;
                }
            }
            // The provider's own record carries the USCC (shown in lists and the public check).
            let old_uscc = c
                .query_one(
                    "SELECT uscc FROM providers WHERE id = $1",
                    &[self.tenant.into()],
                )
                .await?
                .opt_text(0)?;
            let mut audit = Vec::new();
            if old_uscc != self.uscc {
                c.execute(
                    "UPDATE providers SET uscc = $1, updated_at = $2, version = version + 1 WHERE id = $3",
                    &[self.uscc.clone().into(), ctx.now.into(), self.tenant.into()],
                )
                .await?;
                audit.push(AuditDraft::changed(
                    Some(self.tenant),
                    "provider",
                    self.tenant,
                    "update",
                    serde_json::json!({ "uscc": old_uscc }),
                    serde_json::json!({ "uscc": self.uscc }),
                ));
            }
            let before_doc = before
                .as_ref()
                .and_then(|b| serde_json::from_str::<serde_json::Value>(&b.doc).ok());
            audit.push(match before_doc {
                None => AuditDraft::created(
                    Some(self.tenant),
                    "provider_profile",
                    self.tenant,
                    &self.doc,
                ),
                Some(b) => AuditDraft::changed(
                    Some(self.tenant),
                    "provider_profile",
                    self.tenant,
                    "update",
                    b,
                    &self.doc,
                ),
            });
            Ok(Applied::new(after, audit))
        })
    }
}

/// A stored logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub content_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub updated_at: Timestamp,
}

/// The provider's logo, if it has one (`NotFound` when the scope may not see the provider).
pub async fn logo(c: &mut dyn Conn, scope: &Scope, tenant: TenantId) -> Result<Option<Logo>> {
    if !visible(scope, tenant) {
        return Err(Error::NotFound);
    }
    c.query_opt(
        "SELECT content_type, sha256, bytes, updated_at FROM provider_logos WHERE tenant_id = $1",
        &[tenant.into()],
    )
    .await?
    .map(|r| {
        Ok(Logo {
            content_type: r.text(0)?,
            sha256: r.text(1)?,
            bytes: r.blob(2)?,
            updated_at: r.ts(3)?,
        })
    })
    .transpose()
}

/// Sets (replaces) the logo; the audit event records its type, size and SHA-256.
pub struct SetLogo {
    pub tenant: TenantId,
    pub content_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LogoInfo {
    pub content_type: String,
    pub sha256: String,
    pub size: usize,
}

impl Mutation for SetLogo {
    type Output = LogoInfo;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<LogoInfo>>> {
        Box::pin(async move {
            let before = logo(c, &Scope::Tenant(self.tenant), self.tenant)
                .await?
                .map(|l| LogoInfo {
                    content_type: l.content_type,
                    sha256: l.sha256,
                    size: l.bytes.len(),
                });
            if before.is_some() {
                c.execute(
                    "DELETE FROM provider_logos WHERE tenant_id = $1",
                    &[self.tenant.into()],
                )
                .await?;
            }
            c.execute(
                "INSERT INTO provider_logos (tenant_id, content_type, sha256, bytes, updated_at) VALUES ($1, $2, $3, $4, $5)",
                &[
                    self.tenant.into(),
                    self.content_type.as_str().into(),
                    self.sha256.as_str().into(),
                    Value::Blob(self.bytes.clone()),
                    ctx.now.into(),
                ],
            )
            .await?;
            let after = LogoInfo {
                content_type: self.content_type.clone(),
                sha256: self.sha256.clone(),
                size: self.bytes.len(),
            };
            let audit = match &before {
                None => {
                    AuditDraft::created(Some(self.tenant), "provider_logo", self.tenant, &after)
                }
                Some(b) => AuditDraft::changed(
                    Some(self.tenant),
                    "provider_logo",
                    self.tenant,
                    "replace",
                    b,
                    &after,
                ),
            };
            Ok(Applied::new(after, vec![audit]))
        })
    }
}
