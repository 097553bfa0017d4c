//! Terminal bindings (PBoC 银发〔2021〕259号): bind a terminal to a merchant at a placement,
//! relocate it (移机, a new binding after re-verification) and unbind it; read its bindings and
//! its history. What may happen is the core's decision (`registry::terminal`); the warranty
//! months per model come from the provider's profile.
//!
//! The merchant's identity in a binding is shown as merchants are: the owner's resident ID in
//! full only where `registry::shows_full_id` allows, masked otherwise.

use posdesk_core::audit::StoredEvent;
use posdesk_core::authz::{Permission, Scope};
use posdesk_core::calendar::LocalDate;
use posdesk_core::ids::TerminalId;
use posdesk_core::page::{Page, PageRequest};
use posdesk_core::registry::provider::WarrantyTerms;
use posdesk_core::registry::terminal::{
    AcquirerCode, BindingNote, PlacementAddress, confirm_reverification,
};
use posdesk_core::registry::{BankCardMasked, DivisionCode, Mid, Tid};
use posdesk_storage::repo::bindings::{
    self, BindTerminal, BindingChange, RelocateTerminal, RentalTerms, TerminalBinding,
    UnbindTerminal,
};
use posdesk_storage::repo::terminals;

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};

/// A checked bind request.
pub struct BindInput {
    pub acquirer_code: AcquirerCode,
    pub mid: Mid,
    /// The terminal's own TID when `None`.
    pub tid: Option<Tid>,
    pub settlement_account: BankCardMasked,
    pub address: PlacementAddress,
    pub division: DivisionCode,
    /// Today (Asia/Shanghai) when `None`.
    pub install_date: Option<LocalDate>,
    /// From the model's warranty months when `None`.
    pub warranty_end: Option<LocalDate>,
    pub note: Option<BindingNote>,
    /// Rental and deposit for this placement, in fen.
    pub rental: RentalTerms,
}

/// A checked relocation request: the new placement and the re-verification confirmation; the
/// other items are carried over from the current binding unless given.
pub struct RelocateInput {
    pub reverified: bool,
    pub address: PlacementAddress,
    pub division: DivisionCode,
    pub acquirer_code: Option<AcquirerCode>,
    pub mid: Option<Mid>,
    pub tid: Option<Tid>,
    pub settlement_account: Option<BankCardMasked>,
    pub note: Option<BindingNote>,
    /// Rental and deposit at the new placement; each one absent is carried over.
    pub rental: RentalTerms,
}

/// A binding as the caller may see it.
fn present(ctx: &Ctx<'_>, b: TerminalBinding) -> TerminalBinding {
    if posdesk_core::registry::merchant::shows_full_id(ctx.principal, b.tenant_id, b.merchant_id) {
        b
    } else {
        bindings::audit_view(&b)
    }
}

fn present_change(ctx: &Ctx<'_>, c: BindingChange) -> BindingChange {
    BindingChange {
        terminal: c.terminal,
        binding: c.binding.map(|b| present(ctx, b)),
        ended: c.ended.map(|b| present(ctx, b)),
    }
}

fn today() -> ApiResult<LocalDate> {
    LocalDate::of_timestamp(posdesk_storage::now())
        .ok_or_else(|| ApiError::Internal("the clock is outside 0001–9999".into()))
}

/// The provider's warranty months per model, from its published profile (12 months for every
/// model until it publishes one).
async fn warranty_terms(ctx: &Ctx<'_>, scope: &Scope) -> ApiResult<WarrantyTerms> {
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let p = super::profiles::get(ctx, tenant).await?;
    Ok(WarrantyTerms {
        default_months: p.doc.warranty_default_months,
        by_model: p.doc.warranty_months_by_model,
    })
}

/// A terminal's bindings, newest first (a merchant user: only those to their own merchant).
pub async fn history(
    ctx: &Ctx<'_>,
    terminal: TerminalId,
    page: PageRequest,
) -> ApiResult<Page<TerminalBinding>> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    let mut p = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { bindings::list(c, &scope, terminal, &page).await }))
        .await?;
    p.items = p.items.into_iter().map(|b| present(ctx, b)).collect();
    Ok(p)
}

/// The terminal and its current binding, if any.
pub async fn current(
    ctx: &Ctx<'_>,
    terminal: TerminalId,
) -> ApiResult<(terminals::Terminal, Option<TerminalBinding>)> {
    let scope = ctx.authorize(Permission::TerminalRead)?;
    let (t, b) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let t = terminals::get(c, &scope, terminal).await?;
                let b = bindings::current(c, t.tenant_id, t.id).await?;
                // A merchant user sees a binding to their own merchant only.
                let b = b.filter(|b| scope.merchant().is_none_or(|m| m == b.merchant_id));
                Ok((t, b))
            })
        })
        .await?;
    Ok((t, b.map(|b| present(ctx, b))))
}

/// Binds a terminal to a merchant and records the installation (merchant, TID, address,
/// install date, warranty end). `if_match`: the terminal's version read.
pub async fn bind(
    ctx: &Ctx<'_>,
    terminal: TerminalId,
    input: BindInput,
    if_match: Option<i64>,
) -> ApiResult<BindingChange> {
    let scope = ctx.authorize(Permission::TerminalManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let warranty = warranty_terms(ctx, &scope).await?;
    let install_date = match input.install_date {
        Some(d) => d,
        None => today()?,
    };
    let change = ctx
        .write(
            ctx.meta(),
            BindTerminal {
                tenant,
                terminal,
                binding_id: new_uuid(),
                acquirer_code: input.acquirer_code,
                mid: input.mid,
                tid: input.tid,
                settlement_account: input.settlement_account,
                address: input.address,
                division: input.division,
                install_date,
                warranty_end: input.warranty_end,
                warranty,
                verification_note: input.note,
                rental: input.rental,
                expected_version: if_match,
            },
        )
        .await?;
    Ok(present_change(ctx, change))
}

/// Relocates a terminal (移机): the current binding ends, a new one re-verified at the new
/// placement starts, in one transaction.
pub async fn relocate(
    ctx: &Ctx<'_>,
    terminal: TerminalId,
    input: RelocateInput,
    if_match: Option<i64>,
) -> ApiResult<BindingChange> {
    let scope = ctx.authorize(Permission::TerminalManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    confirm_reverification(input.reverified)?;
    let change = ctx
        .write(
            ctx.meta(),
            RelocateTerminal {
                tenant,
                terminal,
                binding_id: new_uuid(),
                address: input.address,
                division: input.division,
                acquirer_code: input.acquirer_code,
                mid: input.mid,
                tid: input.tid,
                settlement_account: input.settlement_account,
                verification_note: input.note,
                rental: input.rental,
                expected_version: if_match,
            },
        )
        .await?;
    Ok(present_change(ctx, change))
}

/// Unbinds a terminal with a reason; it goes back to stock.
pub async fn unbind(
    ctx: &Ctx<'_>,
    terminal: TerminalId,
    reason: BindingNote,
    if_match: Option<i64>,
) -> ApiResult<BindingChange> {
    let scope = ctx.authorize(Permission::TerminalManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    let change = ctx
        .write(
            ctx.meta(),
            UnbindTerminal {
                tenant,
                terminal,
                reason,
                expected_version: if_match,
            },
        )
        .await?;
    Ok(present_change(ctx, change))
}

/// Whether an audit event of a terminal concerns the time it was at `merchant`: its before- or
/// after-image names that merchant.
fn concerns_merchant(e: &StoredEvent, merchant: &str) -> bool {
    [&e.before, &e.after].into_iter().flatten().any(|json| {
        serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .is_some_and(|v| v["merchant_id"].as_str() == Some(merchant))
    })
}

/// The terminal's history from the audit trail, newest first: creation, imports, status
/// changes and every binding change. A merchant user sees only the events of the time the
/// terminal was at their merchant (the others would show other merchants' bindings).
pub async fn terminal_events(
    ctx: &Ctx<'_>,
    terminal: TerminalId,
    page: PageRequest,
) -> ApiResult<Page<StoredEvent>> {
    let mut p = super::directory::terminal_history(ctx, terminal, page).await?;
    if let Some(m) = ctx.authorize(Permission::TerminalRead)?.merchant() {
        let m = m.to_string();
        p.items.retain(|e| concerns_merchant(e, &m));
    }
    Ok(p)
}
