//! Identifiers of the Chinese payment industry: organisation and personal ID numbers, merchant and
//! terminal numbers, licence numbers, masked bank cards, phones, division codes and money.
//!
//! Every type's only constructor is `parse(field, raw)` (or a named variant of it); errors name
//! the field and one [`Rule`]. Length errors are `required` / `too_short` / `too_long`, a wrong
//! character is `pattern`, and a well-formed value that fails a check (check character, Luhn,
//! birth date, province) is `invalid` with a reason.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use super::exact_len;
use crate::calendar::LocalDate;
use crate::{FieldError, Rule};

/// Implements `TryFrom<String>` (through `parse`, naming `$field`) so that
/// `#[serde(try_from = "String")]` deserialises only valid values.
macro_rules! try_from_string {
    ($name:ident, $field:literal) => {
        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse($field, &s)
            }
        }
    };
}

fn pattern(field: &str, expected: &'static str) -> FieldError {
    FieldError::new(field, Rule::Pattern { expected })
}

fn invalid(field: &str, reason: &'static str) -> FieldError {
    FieldError::new(field, Rule::Invalid { reason })
}

// ---------------------------------------------------------------------------------------------
// Province codes
// ---------------------------------------------------------------------------------------------

/// The two-digit province-level codes accepted at the start of a [`ResidentId`] and a
/// [`DivisionCode`]: the 34 province-level divisions of GB/T 2260 (11–15, 21–23, 31–37, 41–46,
/// 50–54, 61–65, 71 Taiwan, 81 Hong Kong, 82 Macao) plus 83 (residence permits of Taiwan
/// residents) and 91 (foreigners' permanent residence), which appear in ID numbers.
pub const PROVINCE_CODES: [u8; 36] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
];

/// Whether `code` is one of [`PROVINCE_CODES`].
pub fn is_province_code(code: u8) -> bool {
    PROVINCE_CODES.contains(&code)
}

/// The value of two ASCII digits (callers checked they are digits).
fn two_digits(b: &[u8]) -> u8 {
    b.iter()
        .take(2)
        .fold(0_u8, |acc, c| acc * 10 + c.wrapping_sub(b'0') % 10)
}

// ---------------------------------------------------------------------------------------------
// USCC
// ---------------------------------------------------------------------------------------------

/// The 31 characters of a USCC, in value order (0–30): digits and capitals without I, O, S, V, Z.
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights 3^i mod 31 for positions i = 0..16.
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn uscc_value(c: u8) -> Option<u32> {
    USCC_ALPHABET
        .bytes()
        .position(|a| a == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The GB 32100-2015 check character for a 17-character body (uppercase, from
/// [`USCC_ALPHABET`]): `alphabet[(31 − Σ value_i × 3^i mod 31) mod 31]`. `None` when `body` is not
/// 17 alphabet characters.
pub fn uscc_check_char(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0_u32;
    for (c, w) in b.iter().zip(USCC_WEIGHTS) {
        sum += uscc_value(*c)? * w;
    }
    let index = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(index as usize)
}

/// 统一社会信用代码 (GB 32100-2015): 18 characters from [`USCC_ALPHABET`], the last a check
/// character. Lowercase input is accepted and normalised to uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Uscc(String);

impl Uscc {
    /// Parses a USCC. Errors: `required`; `too_short`/`too_long` (18); `pattern` for a character
    /// outside the alphabet; `invalid` "check character does not match".
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim().to_ascii_uppercase();
        exact_len(field, &t, 18)?;
        if !t.bytes().all(|c| uscc_value(c).is_some()) {
            return Err(pattern(
                field,
                "18 characters from 0-9 and A-Z except I, O, S, V and Z",
            ));
        }
        let (body, check) = t.split_at(17);
        if uscc_check_char(body) != check.chars().next() {
            return Err(invalid(field, "check character does not match"));
        }
        Ok(Self(t))
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

try_from_string!(Uscc, "uscc");

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Resident ID
// ---------------------------------------------------------------------------------------------

/// ISO 7064 MOD 11-2 weights of positions 1..17 (2^(18−i) mod 11).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character by Σ mod 11.
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The GB 11643-1999 check character for 17 ASCII digits: `"10X98765432"[Σ dᵢ·wᵢ mod 11]` with
/// weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2. `None` when `body` is not 17 digits.
pub fn resident_id_check_digit(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    ID_CHECK.get((sum % 11) as usize).map(|c| char::from(*c))
}

/// 居民身份证号 (GB 11643-1999): 17 digits and a check digit or `X` (lowercase `x` accepted).
/// The first two digits are a province code ([`PROVINCE_CODES`]), digits 7–14 a real birth date
/// between 1900-01-01 and 2099-12-31.
///
/// Personal data: there is no `Display` and no `Serialize`, and `Debug` prints the masked form.
/// Show it with [`ResidentId::masked`], or in full only where [`super::can_see_full_id`] allows,
/// through [`ResidentId::expose`].
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct ResidentId {
    number: String,
    birth: LocalDate,
}

impl ResidentId {
    /// Parses an ID number. Checks, in order: length 18 (`required`/`too_short`/`too_long`);
    /// 17 digits and a digit or X (`pattern`); `invalid` "unknown province code"; `invalid`
    /// "birth date is not a real date" / "birth date is outside 1900–2099"; `invalid` "check
    /// digit does not match".
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim().to_ascii_uppercase();
        exact_len(field, &t, 18)?;
        let b = t.as_bytes();
        let well_formed = b.len() == 18
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X');
        if !well_formed {
            return Err(pattern(field, "17 digits followed by a digit or X"));
        }
        if !is_province_code(two_digits(&b[0..2])) {
            return Err(invalid(field, "unknown province code"));
        }
        let number = |r: std::ops::Range<usize>| {
            b[r].iter()
                .fold(0_u32, |acc, c| acc * 10 + u32::from(c - b'0'))
        };
        let year = number(6..10);
        let birth = i32::try_from(year)
            .ok()
            .and_then(|y| LocalDate::new(y, number(10..12), number(12..14)).ok())
            .ok_or_else(|| invalid(field, "birth date is not a real date"))?;
        if !(1900..=2099).contains(&year) {
            return Err(invalid(field, "birth date is outside 1900–2099"));
        }
        let (body, check) = t.split_at(17);
        if resident_id_check_digit(body) != check.chars().next() {
            return Err(invalid(field, "check digit does not match"));
        }
        Ok(Self { number: t, birth })
    }

    /// The full number. Only for storage and for roles allowed to see it
    /// ([`super::can_see_full_id`]); every call is a greppable disclosure.
    pub fn expose(&self) -> &str {
        &self.number
    }

    /// First 3 characters, 11 `*`, last 4: `110***********002X`.
    pub fn masked(&self) -> String {
        let head = self.number.get(..3).unwrap_or_default();
        let tail = self.number.get(14..).unwrap_or_default();
        format!("{head}{}{tail}", "*".repeat(11))
    }

    /// The birth date encoded in digits 7–14.
    pub fn birth_date(&self) -> LocalDate {
        self.birth
    }
}

try_from_string!(ResidentId, "resident_id");

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

/// How a merchant is identified: by its USCC, or — an individual or micro merchant without one —
/// by its owner's resident ID. JSON input is `{"kind": "uscc" | "resident_id", "number": "…"}`.
///
/// Like [`ResidentId`] it has no `Serialize`/`Display`: output goes through
/// [`OwnerIdOrUscc::shown`] (or [`super::identity_for`]), which decides masking.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum OwnerIdOrUscc {
    /// 统一社会信用代码 of the business.
    Uscc(Uscc),
    /// The owner's 居民身份证号 (individual or micro merchant).
    ResidentId(ResidentId),
}

impl OwnerIdOrUscc {
    /// `"uscc"` or `"resident_id"`.
    pub fn kind_code(&self) -> &'static str {
        match self {
            OwnerIdOrUscc::Uscc(_) => "uscc",
            OwnerIdOrUscc::ResidentId(_) => "resident_id",
        }
    }

    /// The text to show: a USCC always in full (it is printed on the business licence and is
    /// public registry data), a resident ID in full only when `full` is true, else masked.
    pub fn shown(&self, full: bool) -> String {
        match self {
            OwnerIdOrUscc::Uscc(u) => u.as_str().to_owned(),
            OwnerIdOrUscc::ResidentId(id) if full => id.expose().to_owned(),
            OwnerIdOrUscc::ResidentId(id) => id.masked(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// MID, TID, SN, licence number
// ---------------------------------------------------------------------------------------------

/// 商户号 (MID): exactly 15 digits by UnionPay convention — acquirer 3, region 4, MCC 4,
/// serial 4. Unique per acquirer; nothing beyond the format is guessed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Mid(String);

impl Mid {
    /// Parses 15 digits (surrounding whitespace trimmed).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        exact_len(field, t, 15)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return Err(pattern(field, "15 digits"));
        }
        Ok(Self(t.to_owned()))
    }

    /// The 15 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits 1–3: the acquirer's code.
    pub fn acquirer_code(&self) -> &str {
        self.0.get(0..3).unwrap_or_default()
    }

    /// Digits 4–7: the region.
    pub fn region(&self) -> &str {
        self.0.get(3..7).unwrap_or_default()
    }

    /// Digits 8–11: the merchant category code (MCC).
    pub fn mcc(&self) -> &str {
        self.0.get(7..11).unwrap_or_default()
    }

    /// Digits 12–15: the serial.
    pub fn serial(&self) -> &str {
        self.0.get(11..15).unwrap_or_default()
    }
}

try_from_string!(Mid, "mid");

impl fmt::Display for Mid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 终端号 (TID, ISO 8583 field 41): exactly 8 characters, digits and letters A–Z (lowercase is
/// uppercased).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Tid(String);

impl Tid {
    /// Parses 8 characters of `0-9 A-Z`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim().to_ascii_uppercase();
        exact_len(field, &t, 8)?;
        if !t
            .bytes()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        {
            return Err(pattern(field, "8 digits or letters A-Z"));
        }
        Ok(Self(t))
    }

    /// The 8 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

try_from_string!(Tid, "tid");

impl fmt::Display for Tid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A terminal's tamper-proof serial number (SN): 6–32 of `A-Z 0-9 -` after trimming and
/// uppercasing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct SerialNumber(String);

impl SerialNumber {
    /// Fewest characters.
    pub const MIN: usize = 6;
    /// Most characters.
    pub const MAX: usize = 32;

    /// Parses an SN.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim().to_ascii_uppercase();
        let n = t.chars().count();
        if n == 0 {
            return Err(FieldError::new(field, Rule::Required));
        }
        if n < Self::MIN {
            return Err(FieldError::new(field, Rule::TooShort { min: Self::MIN }));
        }
        if n > Self::MAX {
            return Err(FieldError::new(field, Rule::TooLong { max: Self::MAX }));
        }
        if !t
            .bytes()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || c == b'-')
        {
            return Err(pattern(field, "letters A-Z, digits and hyphens"));
        }
        Ok(Self(t))
    }

    /// The SN.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

try_from_string!(SerialNumber, "sn");

impl fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 支付业务许可证编号: `Z` and 14 digits (lowercase `z` accepted).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct PaymentLicenceNo(String);

impl PaymentLicenceNo {
    /// Parses a licence number.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim().to_ascii_uppercase();
        exact_len(field, &t, 15)?;
        let b = t.as_bytes();
        if b[0] != b'Z' || !b[1..].iter().all(u8::is_ascii_digit) {
            return Err(pattern(field, "Z followed by 14 digits"));
        }
        Ok(Self(t))
    }

    /// The 15 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

try_from_string!(PaymentLicenceNo, "licence_no");

impl fmt::Display for PaymentLicenceNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Bank card
// ---------------------------------------------------------------------------------------------

/// Whether a string of ASCII digits passes the Luhn (mod 10) check. `false` for an empty string
/// or any non-digit.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = u32::from(c - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A settlement card, kept masked: only the first 6 digits (the issuer's BIN), the last 4 and
/// the length. The full number is checked (12–19 digits, Luhn) in [`BankCardMasked::parse`] and
/// then dropped; it is never held by this value.
///
/// Serialised as the masked text (`622848*********0018`); deserialised from a **full** number
/// through `parse`. Storage reads the masked text back with [`BankCardMasked::parse_masked`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct BankCardMasked {
    bin: String,
    last4: String,
    len: u8,
}

impl BankCardMasked {
    /// Fewest digits of a card number.
    pub const MIN_DIGITS: usize = 12;
    /// Most digits of a card number.
    pub const MAX_DIGITS: usize = 19;

    /// Parses a full card number: spaces and hyphens are ignored; then 12–19 digits
    /// (`required`/`pattern`/`too_short`/`too_long`) that pass the Luhn check (`invalid`).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let digits: String = raw
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(FieldError::new(field, Rule::Required));
        }
        if !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(pattern(field, "a card number of 12-19 digits"));
        }
        Self::check_len(field, digits.len())?;
        if !luhn_valid(&digits) {
            return Err(invalid(field, "card number fails the Luhn check"));
        }
        Self::from_parts(
            field,
            &digits[..6],
            &digits[digits.len() - 4..],
            digits.len(),
        )
    }

    /// Reads back the masked form this type displays: 6 digits, `*`s, 4 digits, 12–19
    /// characters in all (`pattern` otherwise). For values already checked when first parsed.
    pub fn parse_masked(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        let b = t.as_bytes();
        let n = b.len();
        let shape = n >= 10
            && b[..6].iter().all(u8::is_ascii_digit)
            && b[n - 4..].iter().all(u8::is_ascii_digit)
            && b[6..n - 4].iter().all(|c| *c == b'*');
        if !shape {
            return Err(pattern(
                field,
                "a masked card number like 622848*********0018",
            ));
        }
        Self::check_len(field, n)?;
        Self::from_parts(field, &t[..6], &t[n - 4..], n)
    }

    fn check_len(field: &str, n: usize) -> Result<(), FieldError> {
        if n < Self::MIN_DIGITS {
            return Err(FieldError::new(
                field,
                Rule::TooShort {
                    min: Self::MIN_DIGITS,
                },
            ));
        }
        if n > Self::MAX_DIGITS {
            return Err(FieldError::new(
                field,
                Rule::TooLong {
                    max: Self::MAX_DIGITS,
                },
            ));
        }
        Ok(())
    }

    fn from_parts(field: &str, bin: &str, last4: &str, len: usize) -> Result<Self, FieldError> {
        let len = u8::try_from(len).map_err(|_| {
            FieldError::new(
                field,
                Rule::TooLong {
                    max: Self::MAX_DIGITS,
                },
            )
        })?;
        Ok(Self {
            bin: bin.to_owned(),
            last4: last4.to_owned(),
            len,
        })
    }

    /// The first 6 digits (bank identification number).
    pub fn bin(&self) -> &str {
        &self.bin
    }

    /// The last 4 digits.
    pub fn last4(&self) -> &str {
        &self.last4
    }

    /// How many digits the full number had (12–19).
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always false: a card number has at least 12 digits.
    pub fn is_empty(&self) -> bool {
        false
    }
}

try_from_string!(BankCardMasked, "card_no");

impl fmt::Display for BankCardMasked {
    /// First 6, one `*` per hidden digit, last 4: `622848*********0018` for 19 digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stars = self.len().saturating_sub(10);
        write!(f, "{}{}{}", self.bin, "*".repeat(stars), self.last4)
    }
}

impl Serialize for BankCardMasked {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Phone
// ---------------------------------------------------------------------------------------------

/// Mobile or landline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// 11 digits starting 13–19.
    Mobile,
    /// Area code, local number, optional extension.
    Landline,
}

/// A Chinese phone number, normalised:
///
/// * mobile: `1[3-9]` and 9 more digits, kept as 11 digits (`13812345678`); input may carry a
///   `+86`, `0086` or `86` prefix, spaces and hyphens;
/// * landline: `0`, an area code, an optional `-`, a local number of 7–8 digits starting 2–9,
///   and an optional `-extension` of 1–6 digits; spaces are ignored. Normalised as
///   `010-62345678` or `0755-8123456-801`. The area code's length follows the national plan:
///   `010` and `020`–`029` are three digits with the 0, every other (`0311`, `0755`, …) four.
///
/// Personal data: `Debug` prints the masked form.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String")]
#[serde(try_from = "String")]
pub struct Phone {
    kind: PhoneKind,
    number: String,
}

const PHONE_EXPECTED: &str =
    "a mobile number (11 digits starting 13-19) or a landline like 010-62345678";

impl Phone {
    /// Parses a mobile or landline number (`required`, else `pattern`).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t: String = raw.trim().chars().filter(|c| *c != ' ').collect();
        if t.is_empty() {
            return Err(FieldError::new(field, Rule::Required));
        }
        if let Some(number) = Self::mobile(&t) {
            return Ok(Self {
                kind: PhoneKind::Mobile,
                number,
            });
        }
        if let Some(number) = Self::landline(&t) {
            return Ok(Self {
                kind: PhoneKind::Landline,
                number,
            });
        }
        Err(pattern(field, PHONE_EXPECTED))
    }

    fn mobile(t: &str) -> Option<String> {
        let digits: String = t.chars().filter(|c| *c != '-').collect();
        let rest = if let Some(r) = digits.strip_prefix("+86") {
            r
        } else if let Some(r) = digits.strip_prefix("0086") {
            r
        } else if digits.len() == 13 {
            digits.strip_prefix("86").unwrap_or(&digits)
        } else {
            &digits
        };
        let b = rest.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        ok.then(|| rest.to_owned())
    }

    fn landline(t: &str) -> Option<String> {
        let b = t.as_bytes();
        if b.len() < 3 || b[0] != b'0' {
            return None;
        }
        let area_len = match (b[1], b[2]) {
            (b'1', b'0') | (b'2', _) => 3,
            (b'3'..=b'9', _) => 4,
            _ => return None,
        };
        let area = t.get(..area_len)?;
        if !area.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let rest = &t[area_len..];
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        let (local, ext) = match rest.split_once('-') {
            Some((l, e)) => (l, Some(e)),
            None => (rest, None),
        };
        let local_ok = (7..=8).contains(&local.len())
            && local.bytes().all(|c| c.is_ascii_digit())
            && !local.starts_with(['0', '1']);
        let ext_ok =
            ext.is_none_or(|e| (1..=6).contains(&e.len()) && e.bytes().all(|c| c.is_ascii_digit()));
        if !local_ok || !ext_ok {
            return None;
        }
        Some(match ext {
            Some(e) => format!("{area}-{local}-{e}"),
            None => format!("{area}-{local}"),
        })
    }

    /// Mobile or landline.
    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// For display to roles that need no full number: a mobile as its first 3 and last 4 digits
    /// (`138****5678`); a landline as its area code and the last 4 digits of the local number,
    /// the extension dropped (`010-****5678`).
    pub fn masked(&self) -> String {
        match self.kind {
            PhoneKind::Mobile => {
                let head = self.number.get(..3).unwrap_or_default();
                let tail = self.number.get(7..).unwrap_or_default();
                format!("{head}****{tail}")
            }
            PhoneKind::Landline => {
                let mut parts = self.number.split('-');
                let area = parts.next().unwrap_or_default();
                let local = parts.next().unwrap_or_default();
                let cut = local.len().saturating_sub(4);
                let tail = local.get(cut..).unwrap_or_default();
                format!("{area}-{}{tail}", "*".repeat(cut))
            }
        }
    }
}

try_from_string!(Phone, "phone");

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.number
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.number)
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

// ---------------------------------------------------------------------------------------------
// Division code
// ---------------------------------------------------------------------------------------------

/// The level of a [`DivisionCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// `PP0000`: province, autonomous region, municipality, SAR.
    Province,
    /// `PPCC00`: prefecture-level city (or a municipality's district group).
    City,
    /// `PPCCDD`: county-level district, county or county-level city.
    District,
}

/// 行政区划代码 (GB/T 2260): 6 digits `PPCCDD`. `PP` must be a province code
/// ([`PROVINCE_CODES`]); a code with a district part needs a city part (`PP00DD` is refused).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct DivisionCode(String);

impl DivisionCode {
    /// Parses 6 digits (`required`/`too_short`/`too_long`/`pattern`), then `invalid` "unknown
    /// province code" or "a district code needs a city part".
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        exact_len(field, t, 6)?;
        let b = t.as_bytes();
        if !b.iter().all(u8::is_ascii_digit) {
            return Err(pattern(field, "6 digits"));
        }
        if !is_province_code(two_digits(&b[0..2])) {
            return Err(invalid(field, "unknown province code"));
        }
        if &b[2..4] == b"00" && &b[4..6] != b"00" {
            return Err(invalid(field, "a district code needs a city part"));
        }
        Ok(Self(t.to_owned()))
    }

    /// The 6 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Province, city or district.
    pub fn level(&self) -> DivisionLevel {
        if self.0.ends_with("0000") {
            DivisionLevel::Province
        } else if self.0.ends_with("00") {
            DivisionLevel::City
        } else {
            DivisionLevel::District
        }
    }

    /// Whether this is a province-level code (`PP0000`).
    pub fn is_province(&self) -> bool {
        self.level() == DivisionLevel::Province
    }

    /// Whether this is a city-level code (`PPCC00`, `CC` not `00`).
    pub fn is_city(&self) -> bool {
        self.level() == DivisionLevel::City
    }

    /// The province this code lies in: first 2 digits + `0000` (itself for a province).
    pub fn province(&self) -> DivisionCode {
        Self(format!("{}0000", self.0.get(..2).unwrap_or_default()))
    }

    /// The city this code lies in: first 4 digits + `00` (itself for a city; for a province,
    /// the province).
    pub fn city(&self) -> DivisionCode {
        Self(format!("{}00", self.0.get(..4).unwrap_or_default()))
    }

    /// Whether `other` is this division or lies inside it (a province contains its cities and
    /// districts, a city its districts).
    pub fn contains(&self, other: &DivisionCode) -> bool {
        match self.level() {
            DivisionLevel::Province => self.0.get(..2) == other.0.get(..2),
            DivisionLevel::City => self.0.get(..4) == other.0.get(..4),
            DivisionLevel::District => self == other,
        }
    }
}

try_from_string!(DivisionCode, "division_code");

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

/// Money in fen (分, 1/100 yuan) as an `i64`; never a float. Bounded to ±10¹² fen
/// (±10 000 000 000 yuan) so that any sum of two values fits and sums can be checked.
///
/// Serialised as the integer number of fen (the portable money type); deserialised through
/// [`Fen::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64")]
pub struct Fen(i64);

const YUAN_EXPECTED: &str = "an amount in yuan like 12.34 (at most 2 decimals)";

impl Fen {
    /// Largest magnitude: 10¹² fen.
    pub const MAX_ABS: i64 = 1_000_000_000_000;
    /// Zero.
    pub const ZERO: Fen = Fen(0);

    /// `fen` if `|fen| ≤ 10¹²` (`range` in fen otherwise).
    pub fn new(field: &str, fen: i64) -> Result<Self, FieldError> {
        Self::checked(fen).ok_or_else(|| {
            FieldError::new(
                field,
                Rule::Range {
                    min: -Self::MAX_ABS,
                    max: Self::MAX_ABS,
                },
            )
        })
    }

    /// `fen` if `0 ≤ fen ≤ 10¹²` (`range` 0 to 10¹² otherwise): prices, deposits, fees.
    pub fn non_negative(field: &str, fen: i64) -> Result<Self, FieldError> {
        if (0..=Self::MAX_ABS).contains(&fen) {
            Ok(Fen(fen))
        } else {
            Err(FieldError::new(
                field,
                Rule::Range {
                    min: 0,
                    max: Self::MAX_ABS,
                },
            ))
        }
    }

    fn checked(fen: i64) -> Option<Self> {
        (-Self::MAX_ABS..=Self::MAX_ABS)
            .contains(&fen)
            .then_some(Self(fen))
    }

    /// Parses a signed amount in yuan: an optional `+`/`-`, digits, and optionally `.` and 1–2
    /// digits (`12`, `-0.5`, `12.34`). Errors: `required` when empty; `pattern` for anything
    /// else (`1e3`, `12.`, `.5`, `1,000`); `invalid` "more than 2 decimal places" (`12.345`);
    /// `range` (in yuan: ±10 000 000 000) when beyond ±10¹² fen.
    pub fn parse_yuan(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::parse_amount(field, raw, true)
    }

    /// Like [`Fen::parse_yuan`] for prices and quotes: no `+`; a `-` before an otherwise
    /// well-formed amount is a `range` error (0 to 10 000 000 000 yuan), even for `-0`.
    pub fn parse_non_negative(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::parse_amount(field, raw, false)
    }

    fn parse_amount(field: &str, raw: &str, signed: bool) -> Result<Self, FieldError> {
        let max_yuan = Self::MAX_ABS / 100;
        let range = |min| FieldError::new(field, Rule::Range { min, max: max_yuan });
        let t = raw.trim();
        if t.is_empty() {
            return Err(FieldError::new(field, Rule::Required));
        }
        let (negative, unsigned) = match t.as_bytes()[0] {
            b'-' => (true, &t[1..]),
            b'+' if signed => (false, &t[1..]),
            _ => (false, t),
        };
        let (int, frac) = match unsigned.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (unsigned, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return Err(pattern(field, YUAN_EXPECTED));
        }
        let frac = frac.unwrap_or("");
        if frac.len() > 2 {
            return Err(invalid(field, "more than 2 decimal places"));
        }
        let min = if signed { -max_yuan } else { 0 };
        let int = int.trim_start_matches('0');
        // 11 digits of yuan are already beyond 10^10; stop before i64 could overflow.
        if int.len() > 11 {
            return Err(range(min));
        }
        let yuan = int
            .bytes()
            .fold(0_i64, |acc, c| acc * 10 + i64::from(c - b'0'));
        let cents = frac
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(2)
            .fold(0_i64, |acc, c| acc * 10 + i64::from(c - b'0'));
        let magnitude = yuan * 100 + cents;
        if negative && !signed {
            return Err(range(0));
        }
        let fen = if negative { -magnitude } else { magnitude };
        Self::checked(fen).ok_or_else(|| range(min))
    }

    /// The amount in fen.
    pub fn fen(self) -> i64 {
        self.0
    }

    /// Whether the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// `self + other`, or `None` beyond ±10¹² fen.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).and_then(Self::checked)
    }

    /// `self − other`, or `None` beyond ±10¹² fen.
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).and_then(Self::checked)
    }

    /// `self × qty` (a unit price times a quantity), or `None` beyond ±10¹² fen.
    pub fn checked_mul(self, qty: u32) -> Option<Fen> {
        self.0.checked_mul(i64::from(qty)).and_then(Self::checked)
    }

    /// The sum of `items`, or `None` if any partial sum leaves the range.
    pub fn checked_sum<I: IntoIterator<Item = Fen>>(items: I) -> Option<Fen> {
        items
            .into_iter()
            .try_fold(Fen::ZERO, |acc, x| acc.checked_add(x))
    }

    /// The amount in yuan with exactly two decimals and no symbol: `12.34`, `-0.05`, `0.00`.
    pub fn yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let m = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", m / 100, m % 100)
    }
}

impl TryFrom<i64> for Fen {
    type Error = FieldError;
    fn try_from(fen: i64) -> Result<Self, Self::Error> {
        Self::new("amount", fen)
    }
}

impl fmt::Display for Fen {
    /// `¥12.34`; negative amounts as `-¥12.34`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.yuan_string();
        match s.strip_prefix('-') {
            Some(m) => write!(f, "-¥{m}"),
            None => write!(f, "¥{s}"),
        }
    }
}

#[cfg(test)]
mod tests;
