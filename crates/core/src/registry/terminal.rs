//! Terminals: their status machine, the PBoC binding of a serial number to a merchant, and the
//! warranty period.

use serde::{Deserialize, Serialize};

use super::identifiers::{
    BankCardMasked, DivisionCode, DivisionLevel, Mid, OwnerIdOrUscc, SerialNumber,
};
use super::illegal;
use crate::calendar::{LocalDate, days_in_month};
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
