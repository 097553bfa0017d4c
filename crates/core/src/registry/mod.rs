//! The registry: merchants, their onboarding applications and terminals — the identifiers the
//! Chinese payment industry uses for them, and the rules that tie them together. Pure domain
//! types; storage persists what these decide.
//!
//! # Identifiers ([`identifiers`])
//!
//! Every identifier is a newtype whose only constructor is `parse(field, raw)`; holding one
//! means it is valid. Input is trimmed and, where the format is case-insensitive, uppercased.
//!
//! | type | format | checked |
//! |---|---|---|
//! | [`Uscc`] 统一社会信用代码 | 18 of `0-9 A-Z` without I O S V Z | GB 32100-2015 check character |
//! | [`ResidentId`] 居民身份证号 | 17 digits + digit or `X` | province, birth date 1900–2099, ISO 7064 MOD 11-2 |
//! | [`Mid`] 商户号 | 15 digits: acquirer 3 + region 4 + MCC 4 + serial 4 | format |
//! | [`Tid`] 终端号 | 8 of `0-9 A-Z` (ISO 8583 field 41) | format |
//! | [`SerialNumber`] 机身序列号 | 6–32 of `A-Z 0-9 -` | format |
//! | [`PaymentLicenceNo`] 支付业务许可证编号 | `Z` + 14 digits | format |
//! | [`BankCardMasked`] 结算卡 | 12–19 digits in, first 6 + last 4 kept | Luhn |
//! | [`Phone`] 电话 | mobile `1[3-9]` + 9 digits, or landline `0AA(A)-NNNNNNN(N)[-ext]` | format, area code |
//! | [`DivisionCode`] 行政区划代码 | 6 digits | province part, level structure |
//! | [`Fen`] 金额 | integer fen, parsed from yuan with at most 2 decimals | range ±10¹² fen |
//!
//! Personal data is kept out of accidental output: a [`ResidentId`] has no `Display` or
//! `Serialize` and its `Debug` is masked (read the number with [`ResidentId::expose`], show it
//! with [`ResidentId::masked`]); a bank card number is never held in full at all. Whether a role
//! sees the full ID is decided once, in [`can_see_full_id`].
//!
//! # State machines
//!
//! Each is an enum with `transition(event) -> Result<Self, IllegalTransition>`; events and
//! statuses have stable codes (`code()`, `from_code()`, `ALL`). The tables are in the documentation
//! of [`TerminalStatus`], [`ApplicationStatus`] and [`MerchantStatus`].
//!
//! # Cross-record rules
//!
//! * [`Binding`]: the five items PBoC 银发〔2021〕259号 binds a terminal's SN to; the acquirer code
//!   must equal the merchant number's first three digits.
//! * [`warranty_end`]: months with end-of-month clamping, ending the day before.
//! * [`required_documents`] / [`missing_documents`]: what an onboarding application needs before
//!   it can be submitted; [`check_declared`]: uploaded bytes must be what the client declared.

use crate::{FieldError, Rule};

/// `ALL`, `code()`, `from_code()`, `parse()` and `Display` for a fieldless enum, from one table
/// of variant ⇒ code. The codes must equal the serde `snake_case` names (tested per enum).
macro_rules! codes {
    ($ty:ident { $($v:ident => $c:literal),* $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$v),*];

            /// The stable code used in the API and the database.
            pub fn code(self) -> &'static str {
                match self { $($ty::$v => $c),* }
            }

            /// The value with this code, if any.
            pub fn from_code(s: &str) -> Option<Self> {
                match s { $($c => Some($ty::$v),)* _ => None }
            }

            /// The value with this code, or a `one_of` error naming `field`.
            pub fn parse(field: &str, s: &str) -> Result<Self, $crate::FieldError> {
                Self::from_code(s.trim()).ok_or_else(|| {
                    $crate::FieldError::new(
                        field,
                        $crate::Rule::OneOf { allowed: vec![$($c),*] },
                    )
                })
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use codes;

/// A bounded free-text newtype (trimmed, counted in characters, no control characters other
/// than newlines and tabs), serialised as its text and deserialised through `parse`.
macro_rules! text_newtype {
    ($(#[$m:meta])* $name:ident, $field:literal, $min:expr, $max:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        impl $name {
            /// Fewest characters accepted.
            pub const MIN: usize = $min;
            /// Most characters accepted.
            pub const MAX: usize = $max;

            /// Trims `raw` and checks its length and characters.
            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::FieldError> {
                $crate::registry::bounded_text(field, raw, $min, $max).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::FieldError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse($field, &s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub mod identifiers;
pub mod import;
pub mod merchant;
pub mod merchant_details;
pub mod onboarding;
pub mod provider;
pub mod service_point;
pub mod terminal;

pub use identifiers::{
    BankCardMasked, DivisionCode, DivisionLevel, Fen, Mid, OwnerIdOrUscc, PROVINCE_CODES,
    PaymentLicenceNo, Phone, PhoneKind, ResidentId, SerialNumber, Tid, USCC_ALPHABET, Uscc,
    is_province_code, luhn_valid, resident_id_check_digit, uscc_check_char,
};
pub use merchant::{
    MerchantEvent, MerchantKind, MerchantStatus, RiskLevel, can_see_full_id, identity_for,
    shows_full_id,
};
pub use onboarding::{
    ActivationChecklist, ApplicationEvent, ApplicationStatus, ContentKind,
    DEFAULT_REVIEW_WORKING_DAYS, DocumentKind, OnboardingError, RejectionReason, check_declared,
    missing_documents, required_documents, review_due, sniff,
};
pub use terminal::{
    AcquirerCode, Binding, LocationCheck, PlacementAddress, TerminalEvent, TerminalStatus,
    add_months, in_warranty, warranty_end,
};

/// Trimmed text of `min..=max` characters without control characters (newline, carriage return
/// and tab allowed). The same rule as `crate::text`'s bounded texts.
fn bounded_text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    let n = t.chars().count();
    if n == 0 && min > 0 {
        return Err(FieldError::new(field, Rule::Required));
    }
    if n < min {
        return Err(FieldError::new(field, Rule::TooShort { min }));
    }
    if n > max {
        return Err(FieldError::new(field, Rule::TooLong { max }));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            Rule::Invalid {
                reason: "control characters",
            },
        ));
    }
    Ok(t.to_owned())
}

/// Exactly `n` characters: `Required` when empty, else `TooShort`/`TooLong` naming `n`.
fn exact_len(field: &str, t: &str, n: usize) -> Result<(), FieldError> {
    let count = t.chars().count();
    if count == 0 {
        Err(FieldError::new(field, Rule::Required))
    } else if count < n {
        Err(FieldError::new(field, Rule::TooShort { min: n }))
    } else if count > n {
        Err(FieldError::new(field, Rule::TooLong { max: n }))
    } else {
        Ok(())
    }
}

/// `Err(IllegalTransition)` for a move the table does not allow.
fn illegal(from: &'static str, event: &'static str) -> crate::lifecycle::IllegalTransition {
    crate::lifecycle::IllegalTransition { from, event }
}
