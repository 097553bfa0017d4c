//! Provider profiles: what a provider publishes about itself (seed 000) — licence and its
//! validity (flagged 60 days before expiry, shown as expired after), hotlines, service hours,
//! warranty policy and months per model, fee schedule in fen, logo.

use std::collections::BTreeMap;

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::calendar::LocalDate;
use posdesk_core::ids::TenantId;
use posdesk_core::registry::Uscc;
use posdesk_core::registry::onboarding::{ContentKind, check_declared};
use posdesk_core::registry::provider::{
    Authorisation, FeeItem, LicenceStatus, Validity, WarrantyTerms,
};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::profiles::{self, Logo, LogoInfo, SaveProfile};
use posdesk_storage::repo::providers;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Ctx;
use crate::error::{ApiError, ApiResult};

/// Largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// A checked profile, ready to store.
pub struct ProfileInput {
    pub uscc: Option<Uscc>,
    pub licence: Option<(Authorisation, Validity)>,
    pub hotlines: Vec<posdesk_core::registry::provider::Hotline>,
    pub service_hours: String,
    pub warranty_policy: String,
    pub warranty: WarrantyTerms,
    pub fees: Vec<FeeItem>,
}

/// Free text of a profile: trimmed, at most `max` characters.
pub fn parse_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.chars().count() > max {
        return Err(FieldError::new(field, Rule::TooLong { max }));
    }
    Ok(t.to_owned())
}

/// The stored document (written only from a checked `ProfileInput`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProfileDoc {
    pub licence_kind: Option<String>,
    pub licence_number: Option<String>,
    pub licence_valid_from: Option<String>,
    pub licence_valid_to: Option<String>,
    pub hotlines: Vec<String>,
    pub service_hours: String,
    pub warranty_policy: String,
    pub warranty_default_months: u32,
    pub warranty_months_by_model: BTreeMap<String, u32>,
    pub fees: Vec<FeeDoc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeeDoc {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub price_fen: i64,
    pub unit: String,
}

/// A profile as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub provider_id: TenantId,
    pub name: String,
    pub short_name: String,
    pub uscc: Option<String>,
    pub doc: ProfileDoc,
    pub licence_status: LicenceStatus,
    /// 0 while nothing has been saved.
    pub version: i64,
}

fn today() -> LocalDate {
    LocalDate::of_timestamp(posdesk_storage::now()).unwrap_or(LocalDate::MIN)
}

fn status_of(doc: &ProfileDoc, today: LocalDate) -> LicenceStatus {
    let parse = |s: &Option<String>| s.as_deref().and_then(|d| LocalDate::parse(d).ok());
    match (
        &doc.licence_number,
        parse(&doc.licence_valid_from),
        parse(&doc.licence_valid_to),
    ) {
        (Some(_), Some(from), Some(to)) => match Validity::new(from, to) {
            Ok(v) => v.status(today),
            Err(_) => LicenceStatus::Missing,
        },
        _ => LicenceStatus::Missing,
    }
}

/// The profile of provider `id` (staff and merchants: their own; the platform admin: any).
pub async fn get(ctx: &Ctx<'_>, id: TenantId) -> ApiResult<ProfileView> {
    let scope = ctx.authorize(Permission::ProviderRead)?;
    read(ctx, scope, id).await
}

async fn read(ctx: &Ctx<'_>, scope: Scope, id: TenantId) -> ApiResult<ProfileView> {
    let (p, stored) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let p = providers::get(c, &scope, id).await?;
                let s = profiles::get(c, &scope, id).await?;
                Ok((p, s))
            })
        })
        .await?;
    let (doc, version) = match stored {
        Some(s) => (
            serde_json::from_str::<ProfileDoc>(&s.doc)
                .map_err(|e| ApiError::Internal(format!("stored profile: {e}")))?,
            s.version,
        ),
        None => (
            ProfileDoc {
                warranty_default_months: WarrantyTerms::default().default_months,
                ..ProfileDoc::default()
            },
            0,
        ),
    };
    Ok(ProfileView {
        provider_id: p.id,
        name: p.name,
        short_name: p.short_name,
        uscc: p.uscc,
        licence_status: status_of(&doc, today()),
        doc,
        version,
    })
}

fn own_tenant(scope: &Scope, id: TenantId) -> ApiResult<TenantId> {
    match scope.tenant() {
        Some(t) if t == id => Ok(t),
        _ => Err(ApiError::NotFound),
    }
}

/// Saves provider `id`'s profile (its own admin only). `if_match`: the version read.
pub async fn save(
    ctx: &Ctx<'_>,
    id: TenantId,
    input: ProfileInput,
    if_match: Option<i64>,
) -> ApiResult<ProfileView> {
    let scope = ctx.authorize(Permission::ProfileManage)?;
    let tenant = own_tenant(&scope, id)?;
    let doc = ProfileDoc {
        licence_kind: input
            .licence
            .as_ref()
            .map(|(a, _)| a.kind_code().to_owned()),
        licence_number: input.licence.as_ref().map(|(a, _)| a.number().to_owned()),
        licence_valid_from: input.licence.as_ref().map(|(_, v)| v.from.to_string()),
        licence_valid_to: input.licence.as_ref().map(|(_, v)| v.to.to_string()),
        hotlines: input
            .hotlines
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        service_hours: input.service_hours,
        warranty_policy: input.warranty_policy,
        warranty_default_months: input.warranty.default_months,
        warranty_months_by_model: input.warranty.by_model,
        fees: input
            .fees
            .iter()
            .map(|f| FeeDoc {
                code: f.code.clone(),
                name: f.name.clone(),
                kind: f.kind.code().to_owned(),
                price_fen: f.price.fen(),
                unit: f.unit.clone(),
            })
            .collect(),
    };
    let json = serde_json::to_value(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    ctx.write(
        ctx.meta(),
        SaveProfile {
            tenant,
            licence_valid_to: doc.licence_valid_to.clone(),
            doc: json,
            uscc: input.uscc.map(|u| u.as_str().to_owned()),
            expected_version: if_match,
        },
    )
    .await?;
    read(ctx, scope, id).await
}

/// Sets provider `id`'s logo: PNG, JPEG or WebP, at most [`MAX_LOGO_BYTES`], the bytes checked
/// against the declared type.
pub async fn set_logo(
    ctx: &Ctx<'_>,
    id: TenantId,
    declared: &str,
    bytes: Vec<u8>,
) -> ApiResult<LogoInfo> {
    let scope = ctx.authorize(Permission::ProfileManage)?;
    let tenant = own_tenant(&scope, id)?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(ApiError::TooLarge {
            limit: MAX_LOGO_BYTES,
        });
    }
    let kind = check_declared(declared, &bytes)?;
    if !matches!(
        kind,
        ContentKind::Png | ContentKind::Jpeg | ContentKind::Webp
    ) {
        return Err(ApiError::invalid(
            "file",
            Rule::OneOf {
                allowed: vec!["image/png", "image/jpeg", "image/webp"],
            },
        ));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    ctx.write(
        ctx.meta(),
        profiles::SetLogo {
            tenant,
            content_type: kind.mime().to_owned(),
            sha256,
            bytes,
        },
    )
    .await
}

/// Provider `id`'s logo (404 when it has none or the caller may not see the provider).
pub async fn logo(ctx: &Ctx<'_>, id: TenantId) -> ApiResult<Logo> {
    let scope = ctx.authorize(Permission::ProviderRead)?;
    ctx.state
        .store
        .read(move |c| Box::pin(async move { profiles::logo(c, &scope, id).await }))
        .await?
        .ok_or(ApiError::NotFound)
}
