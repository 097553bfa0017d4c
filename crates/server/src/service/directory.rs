//! Merchants and terminals: reads, merchant registration, edits (registry fields, contacts,
//! business hours) and status transitions, a terminal's status transitions and its history.

use posdesk_core::authz::Permission;
use posdesk_core::ids::{MerchantId, TerminalId};
use posdesk_core::page::{Page, PageRequest};
use posdesk_core::registry::merchant::{MerchantFields, MerchantInput};
use posdesk_core::registry::merchant_details::{BusinessHours, Contact};
use posdesk_storage::repo::merchants::{self, Merchant};
use posdesk_storage::repo::terminals::{self, Terminal};

use super::Ctx;
use crate::error::{ApiError, ApiResult};

/// A merchant as the caller may see it: the owner's resident ID in full only where
/// `registry::shows_full_id` allows (the decision is the core's), masked otherwise.
pub(crate) fn present(ctx: &Ctx<'_>, m: Merchant) -> Merchant {
    if posdesk_core::registry::merchant::shows_full_id(ctx.principal, m.tenant_id, m.id) {
        m
    } else {
        merchants::audit_view(&m)
    }
}

pub async fn merchants(ctx: &Ctx<'_>, page: PageRequest) -> ApiResult<Page<Merchant>> {
    let scope = ctx.authorize(Permission::MerchantRead)?;
    let mut p = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { merchants::list(c, &scope, &page).await }))
        .await?;
    p.items = p.items.into_iter().map(|m| present(ctx, m)).collect();
    Ok(p)
}

pub async fn merchant(ctx: &Ctx<'_>, id: MerchantId) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantRead)?;
    let m = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { merchants::get(c, &scope, id).await }))
        .await?;
    Ok(present(ctx, m))
}

/// Registers a merchant (status `pending` until onboarding completes).
pub async fn create_merchant(ctx: &Ctx<'_>, m: merchants::CreateMerchant) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let m = merchants::CreateMerchant { tenant, ..m };
    let created = ctx.write(ctx.meta(), m).await?;
    Ok(present(ctx, created))
}

/// A merchant edit: each `Some` replaces the stored value (`Some(None)` clears an optional
/// one); the merged record is checked by the core as a whole (`MerchantFields::parse`), so an
/// edit of the kind is checked against the identity kept, and vice versa. Giving `uscc` or
/// `owner_id` replaces the identity.
#[derive(Debug, Clone, Default)]
pub struct MerchantPatch {
    pub name: Option<String>,
    pub mid: Option<String>,
    pub kind: Option<String>,
    pub uscc: Option<Option<String>>,
    pub owner_id: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub division_code: Option<Option<String>>,
    pub risk_level: Option<String>,
}

impl MerchantPatch {
    /// The stored merchant with this patch over it, checked.
    pub fn merged(&self, m: &Merchant) -> ApiResult<MerchantFields> {
        let stored = |k: &str| {
            (m.id_kind.as_deref() == Some(k))
                .then(|| m.id_number.clone())
                .flatten()
        };
        let (uscc, owner_id) = if self.uscc.is_some() || self.owner_id.is_some() {
            (self.uscc.clone().flatten(), self.owner_id.clone().flatten())
        } else {
            (stored("uscc"), stored("resident_id"))
        };
        let pick = |p: &Option<Option<String>>, s: &Option<String>| match p {
            Some(v) => v.clone(),
            None => s.clone(),
        };
        let name = self.name.clone().unwrap_or_else(|| m.name.clone());
        let mid = self.mid.clone().unwrap_or_else(|| m.mid.clone());
        let kind = self
            .kind
            .clone()
            .or_else(|| m.kind.clone())
            .unwrap_or_default();
        let address = pick(&self.address, &m.address);
        let division = pick(&self.division_code, &m.division_code);
        let risk = self.risk_level.clone().or_else(|| m.risk_level.clone());
        Ok(MerchantFields::parse(&MerchantInput {
            name: &name,
            mid: &mid,
            kind: &kind,
            uscc: uscc.as_deref(),
            owner_id: owner_id.as_deref(),
            address: address.as_deref(),
            division_code: division.as_deref(),
            risk_level: risk.as_deref(),
        })?)
    }
}

/// A stale version without `If-Match` (changed between this request's read and its write) is a
/// conflict to retry, not a failed precondition.
fn stale_is_conflict(e: ApiError, if_match: Option<i64>) -> ApiError {
    match e {
        ApiError::PreconditionFailed { .. } if if_match.is_none() => ApiError::Conflict {
            detail: "the merchant changed while this request was made; try again".into(),
            field: None,
        },
        e => e,
    }
}

/// Edits a merchant's registry fields. `if_match` is the version read (412 when stale); a MID
/// another merchant of the provider has answers 409 on `mid`; bad fields 422 naming the field.
pub async fn update_merchant(
    ctx: &Ctx<'_>,
    id: MerchantId,
    patch: MerchantPatch,
    if_match: Option<i64>,
) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let current = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { merchants::get(c, &scope, id).await }))
        .await?;
    if let Some(v) = if_match
        && v != current.version
    {
        return Err(ApiError::PreconditionFailed {
            current: current.version,
        });
    }
    let f = patch.merged(&current)?;
    let (id_kind, id_number) = f.identity_parts();
    let fields = merchants::MerchantUpdate {
        name: f.name.clone(),
        mid: f.mid.as_str().to_owned(),
        kind: f.kind.code().to_owned(),
        id_kind: id_kind.to_owned(),
        id_number: id_number.to_owned(),
        address: f.address.clone(),
        division_code: f.division.as_ref().map(|d| d.as_str().to_owned()),
        risk_level: f.risk_level.code().to_owned(),
    };
    let m = ctx
        .write(
            ctx.meta(),
            merchants::UpdateMerchant {
                tenant,
                id,
                fields,
                expected_version: Some(current.version),
            },
        )
        .await
        .map_err(|e| stale_is_conflict(e, if_match))?;
    Ok(present(ctx, m))
}

/// Replaces a merchant's contacts (checked by `registry::merchant_details::parse_contacts`,
/// the primary first); the primary one becomes the merchant's `contact_name`/`contact_phone`.
pub async fn set_contacts(
    ctx: &Ctx<'_>,
    id: MerchantId,
    contacts: Vec<Contact>,
    if_match: Option<i64>,
) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let contacts = contacts
        .into_iter()
        .map(|c| merchants::StoredContact {
            name: c.name,
            phone: c.phone.as_str().to_owned(),
            role: c.role.code().to_owned(),
            primary: c.primary,
        })
        .collect();
    let m = ctx
        .write(
            ctx.meta(),
            merchants::SetContacts {
                tenant,
                id,
                contacts,
                expected_version: if_match,
            },
        )
        .await?;
    Ok(present(ctx, m))
}

/// Sets a merchant's business hours (`None`: not stated).
pub async fn set_business_hours(
    ctx: &Ctx<'_>,
    id: MerchantId,
    hours: Option<BusinessHours>,
    if_match: Option<i64>,
) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let m = ctx
        .write(
            ctx.meta(),
            merchants::SetBusinessHours {
                tenant,
                id,
                hours: hours.map(|h| h.to_string()),
                expected_version: if_match,
            },
        )
        .await?;
    Ok(present(ctx, m))
}

/// A merchant's stored business hours, checked (`None`: not stated).
pub fn business_hours(m: &Merchant) -> ApiResult<Option<BusinessHours>> {
    m.business_hours
        .as_deref()
        .map(|h| {
            BusinessHours::parse("business_hours", h)
                .map_err(|e| ApiError::Internal(format!("stored business hours: {e}")))
        })
        .transpose()
}

/// Moves a merchant through its status machine.
pub async fn transition_merchant(
    ctx: &Ctx<'_>,
    id: MerchantId,
    event: posdesk_core::registry::MerchantEvent,
    if_match: Option<i64>,
) -> ApiResult<Merchant> {
    let scope = ctx.authorize(Permission::MerchantManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let m = ctx
        .write(
            ctx.meta(),
            merchants::TransitionMerchant {
                tenant,
                id,
                event,
                expected_version: if_match,
            },
        )
        .await?;
    Ok(present(ctx, m))
}

pub async fn terminals(ctx: &Ctx<'_>, page: PageRequest) -> ApiResult<Page<Terminal>> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { terminals::list(c, &scope, &page).await }))
        .await?)
}

pub async fn terminal(ctx: &Ctx<'_>, id: TerminalId) -> ApiResult<Terminal> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { terminals::get(c, &scope, id).await }))
        .await?)
}

/// Moves a terminal through its status machine (binding it to the merchant with `mid` on
/// `install` and `lend`). `if_match` is the version read.
pub async fn transition_terminal(
    ctx: &Ctx<'_>,
    id: TerminalId,
    event: posdesk_core::registry::TerminalEvent,
    mid: Option<posdesk_core::registry::Mid>,
    if_match: Option<i64>,
) -> ApiResult<Terminal> {
    let scope = ctx.authorize(Permission::TerminalManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    ctx.write(
        ctx.meta(),
        terminals::TransitionTerminal {
            tenant,
            id,
            event,
            mid: mid.map(|m| m.as_str().to_owned()),
            expected_version: if_match,
        },
    )
    .await
}

/// A terminal's history from the audit trail (newest first): creation, imports, every status
/// change and binding. Visible to whoever may see the terminal.
pub async fn terminal_history(
    ctx: &Ctx<'_>,
    id: TerminalId,
    page: PageRequest,
) -> ApiResult<Page<posdesk_core::audit::StoredEvent>> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let t = terminals::get(c, &scope, id).await?;
                let filter = posdesk_storage::repo::audit::Filter {
                    entity_type: Some("terminal".into()),
                    entity_id: Some(id.to_string()),
                    ..Default::default()
                };
                posdesk_storage::repo::audit::list(
                    c,
                    &posdesk_core::authz::Scope::Tenant(t.tenant_id),
                    &filter,
                    &page,
                )
                .await
            })
        })
        .await?)
}
