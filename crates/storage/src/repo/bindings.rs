//! Terminal bindings (终端绑定): the five items PBoC 银发〔2021〕259号 binds a terminal's serial
//! number to, with the TID used, who verified them and when the binding started and ended.
//! A terminal has at most one current binding (`ended_at IS NULL`) and a TID is in at most one
//! current binding per provider: partial unique indexes enforce both, so two servers binding
//! the same terminal at once cannot both succeed.
//!
//! What may be bound, relocated or unbound, and the warranty set at installation, are the
//! core's decisions (`registry::terminal`); these mutations read the records, ask the core, and
//! persist its answer together with the terminal's new state and one audit event.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::calendar::LocalDate;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId};
use posdesk_core::page::{Cursor, Page, PageRequest};
use posdesk_core::registry::provider::WarrantyTerms;
use posdesk_core::registry::terminal::{
    self as rules, AcquirerCode, Binding, BindingEnd, BindingNote, BindingRefusal,
    PlacementAddress, TerminalEvent, TerminalStatus,
};
use posdesk_core::registry::{
    BankCardMasked, DivisionCode, MerchantStatus, Mid, OwnerIdOrUscc, ResidentId, SerialNumber,
    Tid, Uscc,
};
use posdesk_core::{FieldError, Rule};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::merchants::{self, Merchant};
use super::terminals::{self, Terminal};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id};

/// One binding as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalBinding {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub terminal_id: TerminalId,
    pub merchant_id: MerchantId,
    pub sn: String,
    pub tid: String,
    pub acquirer_code: String,
    pub mid: String,
    /// `uscc` or `resident_id`.
    pub identity_kind: String,
    /// The USCC, or the owner's resident ID in full (a record that must be kept); the audit
    /// trail gets [`audit_view`], the API what `registry::shows_full_id` allows.
    pub identity_number: String,
    /// Masked: first 6 + last 4 (`622848*********0018`).
    pub settlement_account: String,
    pub placement_address: String,
    pub division_code: String,
    pub verification_note: Option<String>,
    /// The actor who verified the five items (a user id, or `system:<what>`).
    pub verified_by: String,
    pub verified_role: String,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// A `registry::terminal::BindingEnd` code.
    pub end_reason: Option<String>,
    pub end_note: Option<String>,
    pub ended_by: Option<String>,
    /// Monthly rental agreed for this placement, in fen (`None`: no rental).
    pub rental_fen_per_month: Option<i64>,
    /// Deposit taken for this placement, in fen (`None`: none).
    pub deposit_fen: Option<i64>,
}

/// Rental and deposit of a placement, in fen (checked non-negative by the caller).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RentalTerms {
    pub rental_fen_per_month: Option<i64>,
    pub deposit_fen: Option<i64>,
}

impl TerminalBinding {
    pub fn is_current(&self) -> bool {
        self.ended_at.is_none()
    }
}

const COLS: &str = "tenant_id, id, terminal_id, merchant_id, sn, tid, acquirer_code, mid, identity_kind, identity_number, settlement_account, placement_address, division_code, verification_note, verified_by, verified_role, started_at, ended_at, end_reason, end_note, ended_by, rental_fen_per_month, deposit_fen";

fn to_binding(r: &Row) -> Result<TerminalBinding> {
    let id = r.text(1)?;
    Ok(TerminalBinding {
        tenant_id: parse_id(r, 0, TenantId::parse)?,
        id: Uuid::try_parse(&id).map_err(|_| Error::Backend(format!("stored binding id {id}")))?,
        terminal_id: parse_id(r, 2, TerminalId::parse)?,
        merchant_id: parse_id(r, 3, MerchantId::parse)?,
        sn: r.text(4)?,
        tid: r.text(5)?,
        acquirer_code: r.text(6)?,
        mid: r.text(7)?,
        identity_kind: r.text(8)?,
        identity_number: r.text(9)?,
        settlement_account: r.text(10)?,
        placement_address: r.text(11)?,
        division_code: r.text(12)?,
        verification_note: r.opt_text(13)?,
        verified_by: r.text(14)?,
        verified_role: r.text(15)?,
        started_at: r.ts(16)?,
        ended_at: r.opt_ts(17)?,
        end_reason: r.opt_text(18)?,
        end_note: r.opt_text(19)?,
        ended_by: r.opt_text(20)?,
        rental_fen_per_month: r.opt_int(21)?,
        deposit_fen: r.opt_int(22)?,
    })
}

/// The binding with a resident ID masked (`ResidentId::masked`: first 3 + last 4): what the
/// append-only audit trail records, and what roles that may not see the full number are shown.
pub fn audit_view(b: &TerminalBinding) -> TerminalBinding {
    let mut v = b.clone();
    if v.identity_kind == "resident_id" {
        v.identity_number = ResidentId::parse("identity_number", &v.identity_number)
            .map_or_else(|_| "***".to_owned(), |id| id.masked());
    }
    v
}

/// The terminal with its binding, as the audit trail records a binding change: the terminal's
/// fields as every terminal event has them, plus `binding` (masked).
#[derive(Debug, Clone, Serialize)]
struct TerminalView<'a> {
    #[serde(flatten)]
    terminal: &'a Terminal,
    binding: Option<TerminalBinding>,
}

fn view<'a>(terminal: &'a Terminal, binding: Option<&TerminalBinding>) -> TerminalView<'a> {
    TerminalView {
        terminal,
        binding: binding.map(audit_view),
    }
}

/// The terminal's current binding, if any.
pub async fn current(
    c: &mut dyn Conn,
    tenant: TenantId,
    terminal: TerminalId,
) -> Result<Option<TerminalBinding>> {
    c.query_opt(
        &format!(
            "SELECT {COLS} FROM terminal_bindings WHERE tenant_id = $1 AND terminal_id = $2 AND ended_at IS NULL"
        ),
        &[tenant.into(), terminal.into()],
    )
    .await?
    .as_ref()
    .map(to_binding)
    .transpose()
}

/// A terminal's bindings, newest first. The terminal must be visible in `scope` (404
/// otherwise); a merchant user sees only the bindings to their own merchant.
pub async fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    terminal: TerminalId,
    page: &PageRequest,
) -> Result<Page<TerminalBinding>> {
    let t = terminals::get(c, scope, terminal).await?;
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 1);
    params.push(t.id.into());
    let mut sql = format!(
        "SELECT {COLS} FROM terminal_bindings WHERE {cond} AND terminal_id = ${}",
        params.len()
    );
    let (after, p2) = super::after_clause(&page.after, "started_at", "id", params.len() + 1);
    params.extend(p2);
    sql.push_str(&after);
    sql.push_str(&format!(
        " ORDER BY started_at DESC, id DESC LIMIT {}",
        page.limit + 1
    ));
    let rows = c.query(&sql, &params).await?;
    let items = rows.iter().map(to_binding).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |b| Cursor {
        at: b.started_at.millis(),
        id: b.id.to_string(),
    }))
}

pub(crate) async fn insert(c: &mut dyn Conn, b: &TerminalBinding) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO terminal_bindings ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)"
        ),
        &[
            b.tenant_id.into(),
            b.id.to_string().into(),
            b.terminal_id.into(),
            b.merchant_id.into(),
            b.sn.as_str().into(),
            b.tid.as_str().into(),
            b.acquirer_code.as_str().into(),
            b.mid.as_str().into(),
            b.identity_kind.as_str().into(),
            b.identity_number.as_str().into(),
            b.settlement_account.as_str().into(),
            b.placement_address.as_str().into(),
            b.division_code.as_str().into(),
            b.verification_note.clone().into(),
            b.verified_by.as_str().into(),
            b.verified_role.as_str().into(),
            b.started_at.into(),
            b.ended_at.into(),
            b.end_reason.clone().into(),
            b.end_note.clone().into(),
            b.ended_by.clone().into(),
            b.rental_fen_per_month.into(),
            b.deposit_fen.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Ends binding `b`, only if it is still current (a concurrent end is refused).
pub(crate) async fn end(
    c: &mut dyn Conn,
    ctx: &Ctx,
    b: &TerminalBinding,
    reason: BindingEnd,
    note: Option<String>,
) -> Result<TerminalBinding> {
    let ended = TerminalBinding {
        ended_at: Some(ctx.now),
        end_reason: Some(reason.code().to_owned()),
        end_note: note,
        ended_by: Some(ctx.actor.id.clone()),
        ..b.clone()
    };
    let n = c
        .execute(
            "UPDATE terminal_bindings SET ended_at = $1, end_reason = $2, end_note = $3, ended_by = $4 WHERE tenant_id = $5 AND id = $6 AND ended_at IS NULL",
            &[
                ended.ended_at.into(),
                ended.end_reason.clone().into(),
                ended.end_note.clone().into(),
                ended.ended_by.clone().into(),
                b.tenant_id.into(),
                b.id.to_string().into(),
            ],
        )
        .await?;
    if n != 1 {
        return Err(Error::Rejected(
            "the binding was ended by another request".into(),
        ));
    }
    Ok(ended)
}

/// Ends the terminal's current binding, if it has one, because a status `event` took the
/// terminal away from its merchant (`TerminalEvent::ends_binding`); `after` is the terminal
/// as the transition left it. Returns the audit event recording it.
pub(crate) async fn end_for_transition(
    c: &mut dyn Conn,
    ctx: &Ctx,
    after: &Terminal,
    event: TerminalEvent,
) -> Result<Option<AuditDraft>> {
    if !event.ends_binding() {
        return Ok(None);
    }
    let Some(b) = current(c, after.tenant_id, after.id).await? else {
        return Ok(None);
    };
    let ended = end(
        c,
        ctx,
        &b,
        BindingEnd::StatusChange,
        Some(event.code().to_owned()),
    )
    .await?;
    Ok(Some(AuditDraft::changed(
        Some(after.tenant_id),
        "terminal",
        after.id,
        "end_binding",
        view(after, Some(&b)),
        view(after, Some(&ended)),
    )))
}

fn refused(r: BindingRefusal) -> Error {
    match r {
        BindingRefusal::Illegal(t) => Error::Illegal(t),
        other => Error::Rejected(other.to_string()),
    }
}

fn stored_status(t: &Terminal) -> Result<TerminalStatus> {
    TerminalStatus::from_code(&t.status)
        .ok_or_else(|| Error::Backend(format!("stored terminal status {}", t.status)))
}

/// The provider's merchant with this MID, checked to be in a status that may take a terminal,
/// and its identity (USCC or owner's resident ID) as recorded.
async fn merchant_for(
    c: &mut dyn Conn,
    tenant: TenantId,
    mid: &Mid,
) -> Result<(Merchant, OwnerIdOrUscc)> {
    let r = c
        .query_opt(
            "SELECT id FROM merchants WHERE tenant_id = $1 AND mid = $2",
            &[tenant.into(), mid.as_str().into()],
        )
        .await?
        .ok_or_else(|| {
            Error::Invalid(FieldError::new(
                "mid",
                Rule::Invalid {
                    reason: "no merchant with this MID at this provider",
                },
            ))
        })?;
    let id = parse_id(&r, 0, MerchantId::parse)?;
    let m = merchants::get(c, &Scope::system(tenant), id).await?;
    let status = MerchantStatus::from_code(&m.status)
        .ok_or_else(|| Error::Backend(format!("stored merchant status {}", m.status)))?;
    rules::merchant_may_bind(status).map_err(refused)?;
    let no_identity = || {
        Error::Invalid(FieldError::new(
            "mid",
            Rule::Invalid {
                reason: "the merchant has no USCC or owner ID on record",
            },
        ))
    };
    let number = m.id_number.as_deref().ok_or_else(no_identity)?;
    let identity = match m.id_kind.as_deref() {
        Some("uscc") => OwnerIdOrUscc::Uscc(
            Uscc::parse("uscc", number).map_err(|e| Error::Backend(format!("stored USCC: {e}")))?,
        ),
        Some("resident_id") => OwnerIdOrUscc::ResidentId(
            ResidentId::parse("owner_id", number)
                .map_err(|e| Error::Backend(format!("stored resident ID: {e}")))?,
        ),
        _ => return Err(no_identity()),
    };
    Ok((m, identity))
}

fn identity_number(identity: &OwnerIdOrUscc) -> String {
    match identity {
        OwnerIdOrUscc::Uscc(u) => u.as_str().to_owned(),
        OwnerIdOrUscc::ResidentId(id) => id.expose().to_owned(),
    }
}

/// The row for a checked `Binding` of `terminal` to `merchant`, verified by the actor now.
fn row_of(
    id: Uuid,
    ctx: &Ctx,
    terminal: &Terminal,
    merchant: MerchantId,
    tid: &Tid,
    b: &Binding,
    note: Option<&BindingNote>,
) -> TerminalBinding {
    TerminalBinding {
        id,
        tenant_id: terminal.tenant_id,
        terminal_id: terminal.id,
        merchant_id: merchant,
        sn: b.sn().as_str().to_owned(),
        tid: tid.as_str().to_owned(),
        acquirer_code: b.acquirer_code().as_str().to_owned(),
        mid: b.mid().as_str().to_owned(),
        identity_kind: b.merchant().kind_code().to_owned(),
        identity_number: identity_number(b.merchant()),
        settlement_account: b.settlement_account().to_string(),
        placement_address: b.address().as_str().to_owned(),
        division_code: b.division().as_str().to_owned(),
        verification_note: note.map(|n| n.as_str().to_owned()),
        verified_by: ctx.actor.id.clone(),
        verified_role: ctx.actor.role.clone(),
        started_at: ctx.now,
        ended_at: None,
        end_reason: None,
        end_note: None,
        ended_by: None,
        rental_fen_per_month: None,
        deposit_fen: None,
    }
}

/// `row` with the placement's rental terms.
fn with_rental(row: TerminalBinding, rental: RentalTerms) -> TerminalBinding {
    TerminalBinding {
        rental_fen_per_month: rental.rental_fen_per_month,
        deposit_fen: rental.deposit_fen,
        ..row
    }
}

fn serial(t: &Terminal) -> Result<SerialNumber> {
    SerialNumber::parse("sn", &t.sn).map_err(|e| Error::Backend(format!("stored SN: {e}")))
}

/// Writes the terminal's new state, conditional on the version and status read.
pub(crate) async fn update_terminal(
    c: &mut dyn Conn,
    before: &Terminal,
    after: &Terminal,
) -> Result<()> {
    let n = c
        .execute(
            "UPDATE terminals SET status = $1, merchant_id = $2, tid = $3, installed_address = $4, install_date = $5, warranty_end = $6, updated_at = $7, version = $8 WHERE id = $9 AND version = $10 AND status = $11",
            &[
                after.status.as_str().into(),
                after.merchant_id.into(),
                after.tid.clone().into(),
                after.installed_address.clone().into(),
                after.install_date.clone().into(),
                after.warranty_end.clone().into(),
                after.updated_at.into(),
                Value::Int(after.version),
                before.id.into(),
                Value::Int(before.version),
                before.status.as_str().into(),
            ],
        )
        .await?;
    super::updated_one(n, before.version)
}

/// What a bind, relocation or unbind did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindingChange {
    /// The terminal afterwards.
    pub terminal: Terminal,
    /// The new current binding (bind, relocate).
    pub binding: Option<TerminalBinding>,
    /// The binding that ended (relocate, unbind).
    pub ended: Option<TerminalBinding>,
}

/// Binds a terminal (the status must allow it: `registry::terminal::bind_status`) to the
/// provider's merchant with `mid` (in a status that may take a terminal), and records the
/// installation: the terminal's merchant, TID, installed address, install date and warranty
/// end — `warranty_end` when given, else the install date plus the warranty months of the
/// terminal's model in `warranty` (the provider's profile).
pub struct BindTerminal {
    pub tenant: TenantId,
    pub terminal: TerminalId,
    /// Minted by the caller, so a re-run inserts the same row.
    pub binding_id: Uuid,
    pub acquirer_code: AcquirerCode,
    pub mid: Mid,
    /// The TID under this binding; the terminal's own when `None`.
    pub tid: Option<Tid>,
    pub settlement_account: BankCardMasked,
    pub address: PlacementAddress,
    pub division: DivisionCode,
    pub install_date: LocalDate,
    pub warranty_end: Option<LocalDate>,
    pub warranty: WarrantyTerms,
    pub verification_note: Option<BindingNote>,
    pub rental: RentalTerms,
    pub expected_version: Option<i64>,
}

fn tid_for(given: Option<&Tid>, stored: Option<&str>) -> Result<Tid> {
    match (given, stored) {
        (Some(t), _) => Ok(t.clone()),
        (None, Some(s)) => {
            Tid::parse("tid", s).map_err(|e| Error::Backend(format!("stored TID: {e}")))
        }
        (None, None) => Err(Error::Invalid(FieldError::new("tid", Rule::Required))),
    }
}

impl Mutation for BindTerminal {
    type Output = BindingChange;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<BindingChange>>> {
        Box::pin(async move {
            let before = terminals::get(c, &Scope::system(self.tenant), self.terminal).await?;
            super::check_version(self.expected_version, before.version)?;
            let status = stored_status(&before)?;
            let existing = current(c, self.tenant, self.terminal).await?;
            if existing.is_some() {
                return Err(refused(BindingRefusal::AlreadyBound));
            }
            let (merchant, identity) = merchant_for(c, self.tenant, &self.mid).await?;
            let to = rules::bind_status(status, false, before.merchant_id, merchant.id)
                .map_err(refused)?;
            let tid = tid_for(self.tid.as_ref(), before.tid.as_deref())?;
            let binding = Binding::new(
                serial(&before)?,
                self.acquirer_code.clone(),
                self.mid.clone(),
                identity,
                self.settlement_account.clone(),
                self.address.clone(),
                self.division.clone(),
            )?;
            let months = self.warranty.months_for(&before.model);
            let end = rules::install_warranty_end(self.install_date, months, self.warranty_end)?;
            let row = with_rental(
                row_of(
                    self.binding_id,
                    ctx,
                    &before,
                    merchant.id,
                    &tid,
                    &binding,
                    self.verification_note.as_ref(),
                ),
                self.rental,
            );
            insert(c, &row).await?;
            let after = Terminal {
                status: to.code().to_owned(),
                merchant_id: Some(merchant.id),
                tid: Some(tid.as_str().to_owned()),
                installed_address: Some(row.placement_address.clone()),
                install_date: Some(self.install_date.to_string()),
                warranty_end: Some(end.to_string()),
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            update_terminal(c, &before, &after).await?;
            let audit = vec![AuditDraft::changed(
                Some(self.tenant),
                "terminal",
                self.terminal,
                "bind",
                view(&before, None),
                view(&after, Some(&row)),
            )];
            Ok(Applied::new(
                BindingChange {
                    terminal: after,
                    binding: Some(row),
                    ended: None,
                },
                audit,
            ))
        })
    }
}

/// Relocates a terminal (移机): ends its current binding (`relocated`) and records a new one at
/// the new placement, verified again by the actor. Items not given are carried over from the
/// current binding; the merchant's identity is read again from its record. The terminal's
/// status, install date and warranty do not change.
pub struct RelocateTerminal {
    pub tenant: TenantId,
    pub terminal: TerminalId,
    pub binding_id: Uuid,
    pub address: PlacementAddress,
    pub division: DivisionCode,
    pub acquirer_code: Option<AcquirerCode>,
    pub mid: Option<Mid>,
    pub tid: Option<Tid>,
    pub settlement_account: Option<BankCardMasked>,
    pub verification_note: Option<BindingNote>,
    /// The new placement's terms; each one absent is carried over from the current binding.
    pub rental: RentalTerms,
    pub expected_version: Option<i64>,
}

impl Mutation for RelocateTerminal {
    type Output = BindingChange;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<BindingChange>>> {
        Box::pin(async move {
            let before = terminals::get(c, &Scope::system(self.tenant), self.terminal).await?;
            super::check_version(self.expected_version, before.version)?;
            let status = stored_status(&before)?;
            let old = current(c, self.tenant, self.terminal).await?;
            rules::relocation_allowed(status, old.is_some()).map_err(refused)?;
            let Some(old) = old else {
                return Err(refused(BindingRefusal::NotBound));
            };
            let stored = |what: &str, e: FieldError| Error::Backend(format!("stored {what}: {e}"));
            let mid = match &self.mid {
                Some(m) => m.clone(),
                None => Mid::parse("mid", &old.mid).map_err(|e| stored("MID", e))?,
            };
            let acquirer = match &self.acquirer_code {
                Some(a) => a.clone(),
                None => AcquirerCode::parse("acquirer_code", &old.acquirer_code)
                    .map_err(|e| stored("acquirer code", e))?,
            };
            let account = match &self.settlement_account {
                Some(a) => a.clone(),
                None => BankCardMasked::parse_masked("settlement_account", &old.settlement_account)
                    .map_err(|e| stored("settlement account", e))?,
            };
            let tid = tid_for(self.tid.as_ref(), Some(&old.tid))?;
            let (merchant, identity) = merchant_for(c, self.tenant, &mid).await?;
            let binding = Binding::new(
                serial(&before)?,
                acquirer,
                mid,
                identity,
                account,
                self.address.clone(),
                self.division.clone(),
            )?;
            let ended = end(c, ctx, &old, BindingEnd::Relocated, None).await?;
            let rental = RentalTerms {
                rental_fen_per_month: self
                    .rental
                    .rental_fen_per_month
                    .or(old.rental_fen_per_month),
                deposit_fen: self.rental.deposit_fen.or(old.deposit_fen),
            };
            let row = with_rental(
                row_of(
                    self.binding_id,
                    ctx,
                    &before,
                    merchant.id,
                    &tid,
                    &binding,
                    self.verification_note.as_ref(),
                ),
                rental,
            );
            insert(c, &row).await?;
            let after = Terminal {
                merchant_id: Some(merchant.id),
                tid: Some(tid.as_str().to_owned()),
                installed_address: Some(row.placement_address.clone()),
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            update_terminal(c, &before, &after).await?;
            let audit = vec![AuditDraft::changed(
                Some(self.tenant),
                "terminal",
                self.terminal,
                "relocate",
                view(&before, Some(&old)),
                view(&after, Some(&row)),
            )];
            Ok(Applied::new(
                BindingChange {
                    terminal: after,
                    binding: Some(row),
                    ended: Some(ended),
                },
                audit,
            ))
        })
    }
}

/// Unbinds a terminal (e.g. the merchant leaves): ends its current binding (`unbound`, with the
/// reason) and takes it back to stock by the event the core names for its status
/// (`registry::terminal::unbind_event`); its merchant and installed address are cleared.
pub struct UnbindTerminal {
    pub tenant: TenantId,
    pub terminal: TerminalId,
    pub reason: BindingNote,
    pub expected_version: Option<i64>,
}

impl Mutation for UnbindTerminal {
    type Output = BindingChange;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<BindingChange>>> {
        Box::pin(async move {
            let before = terminals::get(c, &Scope::system(self.tenant), self.terminal).await?;
            super::check_version(self.expected_version, before.version)?;
            let status = stored_status(&before)?;
            let old = current(c, self.tenant, self.terminal).await?;
            let (_, to) = rules::unbind_event(status, old.is_some()).map_err(refused)?;
            let Some(old) = old else {
                return Err(refused(BindingRefusal::NotBound));
            };
            let ended = end(
                c,
                ctx,
                &old,
                BindingEnd::Unbound,
                Some(self.reason.as_str().to_owned()),
            )
            .await?;
            let after = Terminal {
                status: to.code().to_owned(),
                merchant_id: None,
                installed_address: None,
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            update_terminal(c, &before, &after).await?;
            let audit = vec![AuditDraft::changed(
                Some(self.tenant),
                "terminal",
                self.terminal,
                "unbind",
                view(&before, Some(&old)),
                view(&after, Some(&ended)),
            )];
            Ok(Applied::new(
                BindingChange {
                    terminal: after,
                    binding: None,
                    ended: Some(ended),
                },
                audit,
            ))
        })
    }
}
