//! Terminals: their status machine, the PBoC binding of a serial number to a merchant, and the
//! warranty period.

use serde::{Deserialize, Serialize};

use super::identifiers::{
    BankCardMasked, DivisionCode, DivisionLevel, Mid, OwnerIdOrUscc, SerialNumber,
};
use super::illegal;
use crate::calendar::{LocalDate, days_in_month};
use crate::ids::MerchantId;
use crate::lifecycle::IllegalTransition;
use crate::{FieldError, Rule};

/// Where a terminal is in its life (终端状态).
///
/// | from | event | to | meaning |
/// |---|---|---|---|
/// | `in_stock` | `install` | `installed` | installed at the merchant's placement address; the [`Binding`] is recorded |
/// | `installed` | `activate` | `active` | acceptance test passed, binding activated at the acquirer |
/// | `installed` | `uninstall` | `in_stock` | taken back before activation |
/// | `active` | `suspend` | `suspended` | transactions stopped (suspension case, or location not verified) |
/// | `suspended` | `reinstate` | `active` | suspension lifted |
/// | `active`, `suspended` | `recover` | `in_stock` | binding ended and the terminal taken back (merchant leaves, or recovery after a suspension) |
/// | `active` | `send_to_repair` | `in_repair` | sent to the repair centre (the binding is kept) |
/// | `in_repair` | `return_to_merchant` | `active` | repaired, back with the same merchant and binding |
/// | `in_repair` | `return_to_stock` | `in_stock` | repaired, back in stock (binding ended) |
/// | `in_stock` | `lend` | `loaner` | lent from the loaner pool to a merchant whose terminal is in repair |
/// | `loaner` | `return_loaner` | `in_stock` | the loaner came back |
/// | every status but `retired` | `retire` | `retired` | scrapped, lost or written off; final |
///
/// Every other (status, event) pair is an [`IllegalTransition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminalStatus {
    /// 库存: in the provider's stock.
    InStock,
    /// 已安装: installed at a merchant, not yet activated.
    Installed,
    /// 正常使用: in service.
    Active,
    /// 已停机: transactions stopped.
    Suspended,
    /// 维修中: at the repair centre.
    InRepair,
    /// 备用机借出: lent to a merchant while theirs is repaired.
    Loaner,
    /// 已报废: out of the estate for good.
    Retired,
}
codes!(TerminalStatus {
    InStock => "in_stock",
    Installed => "installed",
    Active => "active",
    Suspended => "suspended",
    InRepair => "in_repair",
    Loaner => "loaner",
    Retired => "retired",
});

/// What can happen to a terminal; see [`TerminalStatus`] for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminalEvent {
    /// Install at a merchant.
    Install,
    /// Acceptance test passed; binding activated.
    Activate,
    /// Take back an installed terminal before activation.
    Uninstall,
    /// Stop transactions.
    Suspend,
    /// Lift a suspension.
    Reinstate,
    /// End the binding and take the terminal back.
    Recover,
    /// Send to the repair centre.
    SendToRepair,
    /// Repaired; back to the same merchant.
    ReturnToMerchant,
    /// Repaired; back to stock.
    ReturnToStock,
    /// Lend from the loaner pool.
    Lend,
    /// A loaner came back.
    ReturnLoaner,
    /// Take out of the estate for good.
    Retire,
}
codes!(TerminalEvent {
    Install => "install",
    Activate => "activate",
    Uninstall => "uninstall",
    Suspend => "suspend",
    Reinstate => "reinstate",
    Recover => "recover",
    SendToRepair => "send_to_repair",
    ReturnToMerchant => "return_to_merchant",
    ReturnToStock => "return_to_stock",
    Lend => "lend",
    ReturnLoaner => "return_loaner",
    Retire => "retire",
});

impl TerminalStatus {
    /// The status after `event`, if the table allows it.
    pub fn transition(self, event: TerminalEvent) -> Result<Self, IllegalTransition> {
        use TerminalEvent as E;
        use TerminalStatus as S;
        match (self, event) {
            (S::InStock, E::Install) => Ok(S::Installed),
            (S::Installed, E::Activate) => Ok(S::Active),
            (S::Installed, E::Uninstall) => Ok(S::InStock),
            (S::Active, E::Suspend) => Ok(S::Suspended),
            (S::Suspended, E::Reinstate) => Ok(S::Active),
            (S::Active | S::Suspended, E::Recover) => Ok(S::InStock),
            (S::Active, E::SendToRepair) => Ok(S::InRepair),
            (S::InRepair, E::ReturnToMerchant) => Ok(S::Active),
            (S::InRepair, E::ReturnToStock) => Ok(S::InStock),
            (S::InStock, E::Lend) => Ok(S::Loaner),
            (S::Loaner, E::ReturnLoaner) => Ok(S::InStock),
            (from, E::Retire) if from != S::Retired => Ok(S::Retired),
            (from, e) => Err(illegal(from.code(), e.code())),
        }
    }

    /// Whether a terminal in this status is tied to a merchant by a [`Binding`]: installed,
    /// active, suspended, in repair (it returns to the same merchant) and lent out as a loaner
    /// (a loaner serves a merchant, so it is bound to that merchant like any terminal).
    pub fn holds_binding(self) -> bool {
        matches!(
            self,
            TerminalStatus::Installed
                | TerminalStatus::Active
                | TerminalStatus::Suspended
                | TerminalStatus::InRepair
                | TerminalStatus::Loaner
        )
    }

    /// Whether the terminal may take transactions: active, or lent out as a loaner.
    pub fn can_transact(self) -> bool {
        matches!(self, TerminalStatus::Active | TerminalStatus::Loaner)
    }
}

// ---------------------------------------------------------------------------------------------
// Binding
// ---------------------------------------------------------------------------------------------

/// The acquirer's code as carried in a [`Mid`]: 3 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct AcquirerCode(String);

impl AcquirerCode {
    /// Parses 3 digits.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        super::exact_len(field, t, 3)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                Rule::Pattern {
                    expected: "3 digits",
                },
            ));
        }
        Ok(Self(t.to_owned()))
    }

    /// The 3 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AcquirerCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse("acquirer_code", &s)
    }
}

impl std::fmt::Display for AcquirerCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

text_newtype!(
    /// A terminal's placement address (布放地址): 1–200 characters.
    PlacementAddress,
    "address",
    1,
    200
);

/// What a terminal's serial number is bound to under PBoC 银发〔2021〕259号: the acquirer code,
/// the merchant number, the merchant's USCC (or its owner's resident ID for an individual or
/// micro merchant), the settlement account and the placement address — here the address text
/// and its division code.
///
/// Rules checked by [`Binding::new`]:
/// * the acquirer code equals the merchant number's first three digits
///   ([`Mid::acquirer_code`]), since a MID is issued by its acquirer (field `acquirer_code`);
/// * the division code is at least city-level, so that a located terminal can be compared with
///   it (field `division_code`).
///
/// A binding holds no full card number ([`BankCardMasked`]) and, like [`OwnerIdOrUscc`], is not
/// `Serialize`: output goes through its accessors so masking stays explicit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    sn: SerialNumber,
    acquirer_code: AcquirerCode,
    mid: Mid,
    merchant: OwnerIdOrUscc,
    settlement_account: BankCardMasked,
    address: PlacementAddress,
    division: DivisionCode,
}

/// Whether a terminal's observed location agrees with its [`Binding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationCheck {
    /// The observed city is the registered city.
    Matches,
    /// No location, or one too coarse (province only) to compare.
    Unknown,
    /// The observed city differs from the registered one.
    Differs,
}

impl LocationCheck {
    /// PBoC rule: a terminal whose location cannot be determined or differs from the registered
    /// address must be stopped until re-verified.
    pub fn must_stop(self) -> bool {
        self != LocationCheck::Matches
    }
}

impl Binding {
    /// Builds a binding, checking that the parts agree (see the type's documentation).
    pub fn new(
        sn: SerialNumber,
        acquirer_code: AcquirerCode,
        mid: Mid,
        merchant: OwnerIdOrUscc,
        settlement_account: BankCardMasked,
        address: PlacementAddress,
        division: DivisionCode,
    ) -> Result<Self, FieldError> {
        if acquirer_code.as_str() != mid.acquirer_code() {
            return Err(FieldError::new(
                "acquirer_code",
                Rule::Invalid {
                    reason: "does not match the merchant number's acquirer code",
                },
            ));
        }
        if division.is_province() {
            return Err(FieldError::new(
                "division_code",
                Rule::Invalid {
                    reason: "a placement needs a city or district code",
                },
            ));
        }
        Ok(Self {
            sn,
            acquirer_code,
            mid,
            merchant,
            settlement_account,
            address,
            division,
        })
    }

    /// The bound terminal's serial number.
    pub fn sn(&self) -> &SerialNumber {
        &self.sn
    }
    /// The acquirer code (equal to the MID's first three digits).
    pub fn acquirer_code(&self) -> &AcquirerCode {
        &self.acquirer_code
    }
    /// The merchant number.
    pub fn mid(&self) -> &Mid {
        &self.mid
    }
    /// The merchant's USCC or owner's resident ID.
    pub fn merchant(&self) -> &OwnerIdOrUscc {
        &self.merchant
    }
    /// The settlement account, masked.
    pub fn settlement_account(&self) -> &BankCardMasked {
        &self.settlement_account
    }
    /// The placement address text.
    pub fn address(&self) -> &PlacementAddress {
        &self.address
    }
    /// The placement's division code (city or district level).
    pub fn division(&self) -> &DivisionCode {
        &self.division
    }

    /// Compares an observed location (from the terminal's network or positioning, as a
    /// division code) with the registered one, at city level — the precision network location
    /// gives: `Unknown` when nothing or only a province was observed, `Matches` when the cities
    /// agree, else `Differs`.
    pub fn check_location(&self, observed: Option<&DivisionCode>) -> LocationCheck {
        match observed {
            None => LocationCheck::Unknown,
            Some(o) if o.level() == DivisionLevel::Province => {
                if o.contains(&self.division) {
                    LocationCheck::Unknown
                } else {
                    LocationCheck::Differs
                }
            }
            Some(o) if o.city() == self.division.city() => LocationCheck::Matches,
            Some(_) => LocationCheck::Differs,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Binding lifecycle: bind, relocate (移机), unbind
// ---------------------------------------------------------------------------------------------

text_newtype!(
    /// A note on a binding: what was re-verified, or why the binding ended (1–200 characters).
    BindingNote,
    "note",
    1,
    200
);

/// Why a binding ended. A terminal has at most one current binding; ended ones stay as its
/// history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingEnd {
    /// 移机: replaced by a new binding at a new placement, after re-verification.
    Relocated,
    /// 解绑: ended on request (the merchant leaves, the terminal is taken back), with a reason.
    Unbound,
    /// Ended by a status change that takes the terminal away from its merchant
    /// ([`TerminalEvent::ends_binding`]).
    StatusChange,
    /// 借出备用机: suspended while a loaner carries the merchant's identity (MID, TID); a new
    /// binding with the same items starts when the loaner comes back.
    LoanedOut,
    /// 备用机归还: the loaner's binding ended; the identity went back to the repaired terminal.
    LoanerReturned,
}
codes!(BindingEnd {
    Relocated => "relocated",
    Unbound => "unbound",
    StatusChange => "status_change",
    LoanedOut => "loaned_out",
    LoanerReturned => "loaner_returned",
});

/// Why a bind, a relocation or an unbind is refused by the state of the records involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingRefusal {
    /// Binding needs a terminal without a current binding.
    #[error("the terminal already has a current binding: relocate or unbind it first")]
    AlreadyBound,
    /// Relocating and unbinding need a current binding.
    #[error("the terminal has no current binding")]
    NotBound,
    /// A terminal placed at a merchant (by an import or an install without a recorded binding)
    /// can only have that merchant's binding recorded.
    #[error("the terminal is placed at another merchant: take it back before binding it here")]
    PlacedElsewhere,
    /// The merchant's status does not allow a new placement.
    #[error("a merchant that is {0} cannot take a terminal")]
    MerchantStatus(&'static str),
    /// The terminal's status does not allow the move.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
}

impl TerminalEvent {
    /// Whether the event ends the terminal's stay at its merchant, and with it the current
    /// binding: `uninstall`, `recover`, `return_to_stock`, `return_loaner`, `retire`.
    pub fn ends_binding(self) -> bool {
        matches!(
            self,
            TerminalEvent::Uninstall
                | TerminalEvent::Recover
                | TerminalEvent::ReturnToStock
                | TerminalEvent::ReturnLoaner
                | TerminalEvent::Retire
        )
    }
}

impl TerminalStatus {
    /// The events the table allows from this status, in declaration order.
    pub fn legal_events(self) -> Vec<TerminalEvent> {
        TerminalEvent::ALL
            .iter()
            .copied()
            .filter(|e| self.transition(*e).is_ok())
            .collect()
    }
}

/// Whether a merchant in `status` may take a terminal: `pending` (onboarding approved, the
/// installation is what completes it) and `active`; not `suspended` or `closed`.
pub fn merchant_may_bind(status: super::MerchantStatus) -> Result<(), BindingRefusal> {
    use super::MerchantStatus as M;
    match status {
        M::Pending | M::Active => Ok(()),
        M::Suspended | M::Closed => Err(BindingRefusal::MerchantStatus(status.code())),
    }
}

/// The terminal's status after binding it to `merchant`:
/// * a current binding refuses ([`BindingRefusal::AlreadyBound`]);
/// * `in_stock` installs it (`install` → `installed`);
/// * a status that already places the terminal at a merchant ([`TerminalStatus::holds_binding`])
///   but without a recorded binding — an imported estate — keeps its status: the binding is
///   recorded, for the merchant it is placed at (if any; another one is
///   [`BindingRefusal::PlacedElsewhere`]);
/// * `retired` is final ([`BindingRefusal::Illegal`]).
pub fn bind_status(
    status: TerminalStatus,
    has_current: bool,
    placed_at: Option<MerchantId>,
    merchant: MerchantId,
) -> Result<TerminalStatus, BindingRefusal> {
    if has_current {
        return Err(BindingRefusal::AlreadyBound);
    }
    if status.holds_binding() {
        return match placed_at {
            Some(m) if m != merchant => Err(BindingRefusal::PlacedElsewhere),
            _ => Ok(status),
        };
    }
    Ok(status.transition(TerminalEvent::Install)?)
}

/// Whether [`bind_status`] can succeed for a terminal in `status` (for some merchant): no
/// current binding, and in stock or placed without a recorded binding.
pub fn bindable(status: TerminalStatus, has_current: bool) -> bool {
    !has_current && (status.holds_binding() || status.transition(TerminalEvent::Install).is_ok())
}

/// Whether a terminal may be relocated (移机): it needs a current binding and to be at the
/// merchant's premises — `installed`, `active` or `suspended` (a terminal stopped because its
/// location differed is relocated and then reinstated). The status does not change.
pub fn relocation_allowed(status: TerminalStatus, has_current: bool) -> Result<(), BindingRefusal> {
    if !has_current {
        return Err(BindingRefusal::NotBound);
    }
    match status {
        TerminalStatus::Installed | TerminalStatus::Active | TerminalStatus::Suspended => Ok(()),
        from => Err(BindingRefusal::Illegal(illegal(from.code(), "relocate"))),
    }
}

/// A relocation is recorded only once the five items were verified again at the new place:
/// `confirmed` must be true (field `reverified`).
pub fn confirm_reverification(confirmed: bool) -> Result<(), FieldError> {
    if confirmed {
        Ok(())
    } else {
        Err(FieldError::new(
            "reverified",
            Rule::Invalid {
                reason: "a relocation needs the binding re-verified at the new placement",
            },
        ))
    }
}

/// The status event that unbinding implies, and the status after it: `installed` →
/// `uninstall`, `active`/`suspended` → `recover`, `in_repair` → `return_to_stock`, `loaner` →
/// `return_loaner` — each back to `in_stock`. Needs a current binding.
pub fn unbind_event(
    status: TerminalStatus,
    has_current: bool,
) -> Result<(TerminalEvent, TerminalStatus), BindingRefusal> {
    if !has_current {
        return Err(BindingRefusal::NotBound);
    }
    let event = match status {
        TerminalStatus::Installed => TerminalEvent::Uninstall,
        TerminalStatus::Active | TerminalStatus::Suspended => TerminalEvent::Recover,
        TerminalStatus::InRepair => TerminalEvent::ReturnToStock,
        TerminalStatus::Loaner => TerminalEvent::ReturnLoaner,
        from => return Err(BindingRefusal::Illegal(illegal(from.code(), "unbind"))),
    };
    Ok((event, status.transition(event)?))
}

// ---------------------------------------------------------------------------------------------
// Warranty
// ---------------------------------------------------------------------------------------------

/// `date` plus `months` calendar months, the day clamped to the end of the target month
/// (2024-01-31 + 1 → 2024-02-29, 2023-01-31 + 1 → 2023-02-28, 2024-02-29 + 12 → 2025-02-28);
/// `None` past 9999-12-31.
pub fn add_months(date: LocalDate, months: u32) -> Option<LocalDate> {
    let (y, m, d) = date.ymd();
    let index = i64::from(y) * 12 + i64::from(m.saturating_sub(1)) + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    LocalDate::new(year, month, d.min(days_in_month(year, month))).ok()
}

/// The last day covered by a warranty of `months` months starting on `install` (inclusive):
/// the day before `add_months(install, months)`. A 12-month warranty from 2025-03-10 ends
/// 2026-03-09; one month from 2024-01-31 ends 2024-02-28 (the day before the clamped
/// 2024-02-29).
///
/// A 0-month warranty ends the day before installation and so covers no day (see
/// [`in_warranty`]). Results beyond 9999-12-31 saturate at [`LocalDate::MAX`].
pub fn warranty_end(install: LocalDate, months: u32) -> LocalDate {
    match add_months(install, months) {
        Some(d) => d.pred().unwrap_or(d),
        None => LocalDate::MAX,
    }
}

/// Whether `on` falls within the warranty: `install ≤ on ≤ warranty_end(install, months)` and
/// `months > 0`.
pub fn in_warranty(install: LocalDate, months: u32, on: LocalDate) -> bool {
    months > 0 && install <= on && on <= warranty_end(install, months)
}

/// The warranty end recorded at installation: `explicit` when given (it must not be before the
/// install date: field `warranty_end`), else [`warranty_end`] of the model's `months`.
pub fn install_warranty_end(
    install: LocalDate,
    months: u32,
    explicit: Option<LocalDate>,
) -> Result<LocalDate, FieldError> {
    match explicit {
        Some(end) if end < install => Err(FieldError::new(
            "warranty_end",
            Rule::Invalid {
                reason: "ends before the install date",
            },
        )),
        Some(end) => Ok(end),
        None => Ok(warranty_end(install, months)),
    }
}

/// A terminal's warranty on a given day, from its recorded install date and warranty end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarrantyState {
    /// No warranty end recorded.
    Unknown,
    /// Installed after that day.
    NotStarted,
    /// `install ≤ on ≤ end` (without an install date: `on ≤ end`).
    InWarranty,
    /// After the warranty end.
    Expired,
}
codes!(WarrantyState {
    Unknown => "unknown",
    NotStarted => "not_started",
    InWarranty => "in_warranty",
    Expired => "expired",
});

/// Whether `on` is covered by a warranty recorded as (`install`, `end`), both inclusive.
pub fn warranty_on(
    install: Option<LocalDate>,
    end: Option<LocalDate>,
    on: LocalDate,
) -> WarrantyState {
    match (install, end) {
        (_, None) => WarrantyState::Unknown,
        (Some(i), Some(_)) if on < i => WarrantyState::NotStarted,
        (_, Some(e)) if on > e => WarrantyState::Expired,
        (_, Some(_)) => WarrantyState::InWarranty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TerminalEvent as E;
    use TerminalStatus as S;

    /// The table of the type's documentation, written out independently of `transition`.
    const TABLE: &[(S, E, S)] = &[
        (S::InStock, E::Install, S::Installed),
        (S::Installed, E::Activate, S::Active),
        (S::Installed, E::Uninstall, S::InStock),
        (S::Active, E::Suspend, S::Suspended),
        (S::Suspended, E::Reinstate, S::Active),
        (S::Active, E::Recover, S::InStock),
        (S::Suspended, E::Recover, S::InStock),
        (S::Active, E::SendToRepair, S::InRepair),
        (S::InRepair, E::ReturnToMerchant, S::Active),
        (S::InRepair, E::ReturnToStock, S::InStock),
        (S::InStock, E::Lend, S::Loaner),
        (S::Loaner, E::ReturnLoaner, S::InStock),
        (S::InStock, E::Retire, S::Retired),
        (S::Installed, E::Retire, S::Retired),
        (S::Active, E::Retire, S::Retired),
        (S::Suspended, E::Retire, S::Retired),
        (S::InRepair, E::Retire, S::Retired),
        (S::Loaner, E::Retire, S::Retired),
    ];

    #[test]
    fn terminal_transitions_exhaustive() {
        let mut legal = 0;
        for s in S::ALL {
            for e in E::ALL {
                let expected = TABLE
                    .iter()
                    .find(|(f, ev, _)| f == s && ev == e)
                    .map(|(_, _, to)| *to);
                match (s.transition(*e), expected) {
                    (Ok(to), Some(want)) => {
                        assert_eq!(to, want, "{s:?} {e:?}");
                        legal += 1;
                    }
                    (Err(err), None) => {
                        assert_eq!(err.from, s.code());
                        assert_eq!(err.event, e.code());
                    }
                    (got, want) => panic!("{s:?} {e:?}: got {got:?}, table says {want:?}"),
                }
            }
        }
        assert_eq!(legal, TABLE.len());
        assert_eq!(S::ALL.len() * E::ALL.len(), 84);
    }

    #[test]
    fn retired_is_final() {
        for e in E::ALL {
            assert!(S::Retired.transition(*e).is_err(), "{e:?}");
        }
    }

    #[test]
    fn codes_match_serde_and_roundtrip() {
        for s in S::ALL {
            assert_eq!(
                serde_json::to_string(s).expect("json"),
                format!("\"{}\"", s.code())
            );
            assert_eq!(S::from_code(s.code()), Some(*s));
        }
        for e in E::ALL {
            assert_eq!(
                serde_json::to_string(e).expect("json"),
                format!("\"{}\"", e.code())
            );
            assert_eq!(E::from_code(e.code()), Some(*e));
        }
        assert_eq!(S::from_code("broken"), None);
        assert_eq!(
            E::parse("event", "explode")
                .expect_err("unknown")
                .rule
                .code(),
            "one_of"
        );
        assert_eq!(
            IllegalTransition::to_string(&S::Retired.transition(E::Install).expect_err("final")),
            "cannot install when retired"
        );
    }

    #[test]
    fn binding_and_transacting_statuses() {
        let bound: Vec<_> = S::ALL.iter().filter(|s| s.holds_binding()).collect();
        assert_eq!(
            bound,
            [
                &S::Installed,
                &S::Active,
                &S::Suspended,
                &S::InRepair,
                &S::Loaner
            ]
        );
        let transacting: Vec<_> = S::ALL.iter().filter(|s| s.can_transact()).collect();
        assert_eq!(transacting, [&S::Active, &S::Loaner]);
    }

    fn binding(acquirer: &str, division: &str) -> Result<Binding, FieldError> {
        Binding::new(
            SerialNumber::parse("sn", "N86-0001234").expect("sn"),
            AcquirerCode::parse("acquirer_code", acquirer).expect("code"),
            Mid::parse("mid", "102584058121234").expect("mid"),
            OwnerIdOrUscc::Uscc(
                super::super::identifiers::Uscc::parse("uscc", "91440300708461136T").expect("uscc"),
            ),
            BankCardMasked::parse("card", "6228480402564890018").expect("card"),
            PlacementAddress::parse("address", "深圳市南山区科技园南区1号").expect("address"),
            DivisionCode::parse("division_code", division).expect("division"),
        )
    }

    #[test]
    fn binding_acquirer_code_must_match_the_mid() {
        let b = binding("102", "440305").expect("valid");
        assert_eq!(b.acquirer_code().as_str(), b.mid().acquirer_code());
        assert_eq!(b.sn().as_str(), "N86-0001234");
        assert_eq!(b.settlement_account().to_string(), "622848*********0018");
        assert_eq!(b.merchant().shown(false), "91440300708461136T");
        assert_eq!(b.address().as_str(), "深圳市南山区科技园南区1号");
        assert_eq!(b.division().as_str(), "440305");
        let e = binding("103", "440305").expect_err("mismatch");
        assert_eq!(e.field, "acquirer_code");
        assert_eq!(
            e.rule,
            Rule::Invalid {
                reason: "does not match the merchant number's acquirer code"
            }
        );
        let e = binding("102", "440000").expect_err("province only");
        assert_eq!(e.field, "division_code");
        assert!(binding("102", "440300").is_ok());
    }

    #[test]
    fn acquirer_code_and_address_rules() {
        assert_eq!(
            AcquirerCode::parse("acquirer_code", "1a2")
                .expect_err("digits")
                .rule,
            Rule::Pattern {
                expected: "3 digits"
            }
        );
        assert_eq!(
            AcquirerCode::parse("acquirer_code", "1022")
                .expect_err("len")
                .rule,
            Rule::TooLong { max: 3 }
        );
        assert_eq!(
            PlacementAddress::parse("address", " ")
                .expect_err("empty")
                .rule,
            Rule::Required
        );
        assert!(PlacementAddress::parse("address", &"路".repeat(200)).is_ok());
        assert_eq!(
            PlacementAddress::parse("address", &"路".repeat(201))
                .expect_err("long")
                .rule,
            Rule::TooLong { max: 200 }
        );
        assert!(serde_json::from_str::<PlacementAddress>("\"\"").is_err());
    }

    #[test]
    fn location_check_at_city_level() {
        let b = binding("102", "440305").expect("valid");
        let d = |s| DivisionCode::parse("d", s).expect("division");
        assert_eq!(b.check_location(None), LocationCheck::Unknown);
        assert_eq!(b.check_location(Some(&d("440305"))), LocationCheck::Matches);
        assert_eq!(b.check_location(Some(&d("440306"))), LocationCheck::Matches);
        assert_eq!(b.check_location(Some(&d("440300"))), LocationCheck::Matches);
        assert_eq!(b.check_location(Some(&d("440000"))), LocationCheck::Unknown);
        assert_eq!(b.check_location(Some(&d("440106"))), LocationCheck::Differs);
        assert_eq!(b.check_location(Some(&d("110000"))), LocationCheck::Differs);
        assert!(!LocationCheck::Matches.must_stop());
        assert!(LocationCheck::Unknown.must_stop());
        assert!(LocationCheck::Differs.must_stop());
    }

    fn date(s: &str) -> LocalDate {
        LocalDate::parse(s).expect("date")
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        let cases = [
            ("2024-01-31", 1, "2024-02-29"),
            ("2023-01-31", 1, "2023-02-28"),
            ("2024-02-29", 12, "2025-02-28"),
            ("2024-03-31", 1, "2024-04-30"),
            ("2024-08-31", 6, "2025-02-28"),
            ("2025-03-10", 12, "2026-03-10"),
            ("2025-12-15", 1, "2026-01-15"),
            ("2025-11-30", 3, "2026-02-28"),
            ("2025-05-20", 0, "2025-05-20"),
            ("2020-02-29", 48, "2024-02-29"),
        ];
        for (from, months, to) in cases {
            assert_eq!(
                add_months(date(from), months),
                Some(date(to)),
                "{from} + {months}"
            );
        }
        assert_eq!(add_months(date("9999-12-01"), 1), None);
        assert_eq!(add_months(date("2025-01-01"), u32::MAX), None);
    }

    proptest::proptest! {
        #[test]
        fn warranty_properties(days in 10_957_i64..47_482, months in 1_u32..=120) {
            // Install dates 2000-01-01 .. 2099-12-31.
            let install = LocalDate::from_days(days).expect("in range");
            let next = add_months(install, months).expect("in range");
            let end = warranty_end(install, months);
            proptest::prop_assert!(install < next);
            proptest::prop_assert_eq!(end.succ(), Some(next));
            proptest::prop_assert!(in_warranty(install, months, install));
            proptest::prop_assert!(in_warranty(install, months, end));
            proptest::prop_assert!(!in_warranty(install, months, next));
            // Months advance exactly; the day is kept or clamped to the month's end.
            let (y, m, d) = install.ymd();
            let (ny, nm, nd) = next.ymd();
            let index = |y: i32, m: u32| i64::from(y) * 12 + i64::from(m);
            proptest::prop_assert_eq!(index(ny, nm) - index(y, m), i64::from(months));
            proptest::prop_assert!(nd == d || (nd < d && nd == days_in_month(ny, nm)));
        }
    }

    #[test]
    fn warranty_ends_the_day_before() {
        assert_eq!(warranty_end(date("2025-03-10"), 12), date("2026-03-09"));
        assert_eq!(warranty_end(date("2024-01-31"), 1), date("2024-02-28"));
        assert_eq!(warranty_end(date("2025-01-01"), 12), date("2025-12-31"));
        assert_eq!(warranty_end(date("2025-03-01"), 1), date("2025-03-31"));
        assert_eq!(warranty_end(date("2024-02-29"), 12), date("2025-02-27"));
        assert_eq!(warranty_end(date("2025-05-20"), 0), date("2025-05-19"));
        assert_eq!(warranty_end(date("9999-01-01"), 24), LocalDate::MAX);
        assert_eq!(warranty_end(LocalDate::MIN, 0), LocalDate::MIN);

        let install = date("2025-03-10");
        assert!(in_warranty(install, 12, install));
        assert!(in_warranty(install, 12, date("2026-03-09")));
        assert!(!in_warranty(install, 12, date("2026-03-10")));
        assert!(!in_warranty(install, 12, date("2025-03-09")));
        assert!(!in_warranty(install, 0, install));
        assert!(!in_warranty(LocalDate::MIN, 0, LocalDate::MIN));
    }
}

#[cfg(test)]
mod binding_rules {
    use super::*;
    use crate::registry::MerchantStatus;
    use TerminalEvent as E;
    use TerminalStatus as S;

    fn m(n: u128) -> MerchantId {
        MerchantId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn bind_status_per_terminal_status() {
        assert_eq!(bind_status(S::InStock, false, None, m(1)), Ok(S::Installed));
        for s in [
            S::Installed,
            S::Active,
            S::Suspended,
            S::InRepair,
            S::Loaner,
        ] {
            // An imported placement gets its binding recorded; the status stays.
            assert_eq!(bind_status(s, false, None, m(1)), Ok(s), "{s:?}");
            assert_eq!(bind_status(s, false, Some(m(1)), m(1)), Ok(s), "{s:?}");
            assert_eq!(
                bind_status(s, false, Some(m(2)), m(1)),
                Err(BindingRefusal::PlacedElsewhere),
                "{s:?}"
            );
        }
        for s in S::ALL {
            assert_eq!(
                bind_status(*s, true, None, m(1)),
                Err(BindingRefusal::AlreadyBound),
                "{s:?}"
            );
        }
        for s in S::ALL {
            assert_eq!(
                bindable(*s, false),
                bind_status(*s, false, None, m(1)).is_ok(),
                "{s:?}"
            );
            assert!(!bindable(*s, true));
        }
        assert_eq!(
            bind_status(S::Retired, false, None, m(1)),
            Err(BindingRefusal::Illegal(IllegalTransition {
                from: "retired",
                event: "install"
            }))
        );
    }

    #[test]
    fn relocation_and_unbind_rules() {
        for s in S::ALL {
            let r = relocation_allowed(*s, true);
            assert_eq!(
                r.is_ok(),
                matches!(s, S::Installed | S::Active | S::Suspended),
                "{s:?}"
            );
            assert_eq!(relocation_allowed(*s, false), Err(BindingRefusal::NotBound));
            assert_eq!(unbind_event(*s, false), Err(BindingRefusal::NotBound));
        }
        assert_eq!(
            relocation_allowed(S::InRepair, true),
            Err(BindingRefusal::Illegal(IllegalTransition {
                from: "in_repair",
                event: "relocate"
            }))
        );
        assert_eq!(
            unbind_event(S::Installed, true),
            Ok((E::Uninstall, S::InStock))
        );
        assert_eq!(unbind_event(S::Active, true), Ok((E::Recover, S::InStock)));
        assert_eq!(
            unbind_event(S::Suspended, true),
            Ok((E::Recover, S::InStock))
        );
        assert_eq!(
            unbind_event(S::InRepair, true),
            Ok((E::ReturnToStock, S::InStock))
        );
        assert_eq!(
            unbind_event(S::Loaner, true),
            Ok((E::ReturnLoaner, S::InStock))
        );
        for s in [S::InStock, S::Retired] {
            assert!(
                matches!(unbind_event(s, true), Err(BindingRefusal::Illegal(_))),
                "{s:?}"
            );
        }
        // Every unbinding event is one that ends the binding.
        for s in S::ALL {
            if let Ok((e, _)) = unbind_event(*s, true) {
                assert!(e.ends_binding(), "{e:?}");
            }
        }
        assert!(confirm_reverification(true).is_ok());
        assert_eq!(
            confirm_reverification(false).expect_err("needs it").field,
            "reverified"
        );
    }

    #[test]
    fn events_that_end_a_binding_take_the_terminal_away() {
        for e in E::ALL {
            let lands_in_stock_or_retired = S::ALL.iter().any(|s| {
                s.holds_binding() && matches!(s.transition(*e), Ok(S::InStock | S::Retired))
            });
            assert_eq!(e.ends_binding(), lands_in_stock_or_retired, "{e:?}");
        }
        assert_eq!(S::InStock.legal_events(), [E::Install, E::Lend, E::Retire]);
        assert!(S::Retired.legal_events().is_empty());
    }

    #[test]
    fn merchants_that_may_take_a_terminal() {
        assert!(merchant_may_bind(MerchantStatus::Pending).is_ok());
        assert!(merchant_may_bind(MerchantStatus::Active).is_ok());
        assert_eq!(
            merchant_may_bind(MerchantStatus::Suspended),
            Err(BindingRefusal::MerchantStatus("suspended"))
        );
        assert_eq!(
            merchant_may_bind(MerchantStatus::Closed)
                .expect_err("closed")
                .to_string(),
            "a merchant that is closed cannot take a terminal"
        );
        for b in BindingEnd::ALL {
            assert_eq!(
                serde_json::to_string(b).expect("json"),
                format!("\"{}\"", b.code())
            );
        }
        assert!(BindingNote::parse("reason", " ").is_err());
        assert!(BindingNote::parse("reason", "商户解约").is_ok());
    }

    fn date(s: &str) -> LocalDate {
        LocalDate::parse(s).expect("date")
    }

    #[test]
    fn warranty_at_installation() {
        let i = date("2025-03-10");
        assert_eq!(install_warranty_end(i, 12, None), Ok(date("2026-03-09")));
        assert_eq!(install_warranty_end(i, 24, None), Ok(date("2027-03-09")));
        assert_eq!(
            install_warranty_end(i, 12, Some(date("2025-12-31"))),
            Ok(date("2025-12-31"))
        );
        assert_eq!(install_warranty_end(i, 12, Some(i)), Ok(i));
        let e = install_warranty_end(i, 12, Some(date("2025-03-09"))).expect_err("order");
        assert_eq!(e.field, "warranty_end");
        assert_eq!(
            e.rule,
            Rule::Invalid {
                reason: "ends before the install date"
            }
        );
    }

    #[test]
    fn warranty_state_on_a_day() {
        let (i, e) = (Some(date("2025-03-10")), Some(date("2026-03-09")));
        assert_eq!(
            warranty_on(i, e, date("2025-03-09")),
            WarrantyState::NotStarted
        );
        assert_eq!(
            warranty_on(i, e, date("2025-03-10")),
            WarrantyState::InWarranty
        );
        assert_eq!(
            warranty_on(i, e, date("2026-03-09")),
            WarrantyState::InWarranty
        );
        assert_eq!(
            warranty_on(i, e, date("2026-03-10")),
            WarrantyState::Expired
        );
        assert_eq!(
            warranty_on(None, e, date("2020-01-01")),
            WarrantyState::InWarranty
        );
        assert_eq!(
            warranty_on(i, None, date("2025-06-01")),
            WarrantyState::Unknown
        );
    }
}
