//! A provider's public profile (seed 000: a regular provider shows its licences, a service
//! network, clear fees and a warranty): licence and its validity, hotlines, service hours,
//! warranty policy with months per terminal model, and the fee schedule in fen.

use std::collections::BTreeMap;

use serde::Serialize;

use super::identifiers::{Fen, PaymentLicenceNo, Phone};
use crate::calendar::LocalDate;
use crate::{FieldError, Rule};

/// How many days before expiry a licence is flagged.
pub const LICENCE_WARNING_DAYS: i64 = 60;
/// At most this many service hotlines.
pub const MAX_HOTLINES: usize = 5;
/// At most this many fee items and warranty terms.
pub const MAX_FEE_ITEMS: usize = 200;
pub const MAX_WARRANTY_TERMS: usize = 100;
/// A warranty longer than this (months) is a typo.
pub const MAX_WARRANTY_MONTHS: u32 = 120;

/// The authorisation a provider works under: a PBoC payment licence (支付业务许可证) for a
/// payment institution, or an acquiring bank's written authorisation for a bank or its service
/// partner (its reference is free text, 1–100 characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum Authorisation {
    PaymentLicence(PaymentLicenceNo),
    BankAuthorisation(String),
}

impl Authorisation {
    /// Parses `kind` (`payment_licence` | `bank_authorisation`) and its number.
    pub fn parse(kind: &str, number: &str) -> Result<Self, FieldError> {
        match kind.trim() {
            "payment_licence" => Ok(Self::PaymentLicence(PaymentLicenceNo::parse(
                "licence_number",
                number,
            )?)),
            "bank_authorisation" => {
                let n = number.trim();
                match n.chars().count() {
                    0 => Err(FieldError::new("licence_number", Rule::Required)),
                    c if c > 100 => Err(FieldError::new(
                        "licence_number",
                        Rule::TooLong { max: 100 },
                    )),
                    _ => Ok(Self::BankAuthorisation(n.to_owned())),
                }
            }
            _ => Err(FieldError::new(
                "licence_kind",
                Rule::OneOf {
                    allowed: vec!["payment_licence", "bank_authorisation"],
                },
            )),
        }
    }

    pub fn kind_code(&self) -> &'static str {
        match self {
            Self::PaymentLicence(_) => "payment_licence",
            Self::BankAuthorisation(_) => "bank_authorisation",
        }
    }

    pub fn number(&self) -> &str {
        match self {
            Self::PaymentLicence(n) => n.as_str(),
            Self::BankAuthorisation(s) => s,
        }
    }
}

/// A licence's validity: from and to, both inclusive, `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Validity {
    pub from: LocalDate,
    pub to: LocalDate,
}

impl Validity {
    pub fn new(from: LocalDate, to: LocalDate) -> Result<Self, FieldError> {
        if to < from {
            return Err(FieldError::new(
                "licence_valid_to",
                Rule::Invalid {
                    reason: "ends before it starts",
                },
            ));
        }
        Ok(Self { from, to })
    }

    /// The licence's standing on `today` (a date passed in: the core has no clock).
    pub fn status(&self, today: LocalDate) -> LicenceStatus {
        if today < self.from {
            return LicenceStatus::NotYetValid;
        }
        let left = self.to.days_since(today);
        if left < 0 {
            LicenceStatus::Expired { days_ago: -left }
        } else if left < LICENCE_WARNING_DAYS {
            LicenceStatus::ExpiresSoon { days_left: left }
        } else {
            LicenceStatus::Valid
        }
    }
}

/// What a provider's pages say about its licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LicenceStatus {
    /// No licence recorded.
    Missing,
    NotYetValid,
    Valid,
    /// Fewer than [`LICENCE_WARNING_DAYS`] days left (0 = expires today).
    ExpiresSoon {
        days_left: i64,
    },
    Expired {
        days_ago: i64,
    },
}

impl LicenceStatus {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::NotYetValid => "not_yet_valid",
            Self::Valid => "valid",
            Self::ExpiresSoon { .. } => "expires_soon",
            Self::Expired { .. } => "expired",
        }
    }
}

/// A service hotline: a national service number (`400`/`800` + 7 digits, written
/// `400-xxx-xxxx`; `95` + 3–4 digits such as 95516; `96` + 3–4 digits), or any phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Hotline(String);

impl Hotline {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let digits: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{2010}'..='\u{2015}'))
            .collect();
        let all_digits = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
        if all_digits
            && digits.len() == 10
            && (digits.starts_with("400") || digits.starts_with("800"))
        {
            return Ok(Self(format!(
                "{}-{}-{}",
                &digits[..3],
                &digits[3..6],
                &digits[6..]
            )));
        }
        if all_digits
            && (5..=6).contains(&digits.len())
            && (digits.starts_with("95") || digits.starts_with("96"))
        {
            return Ok(Self(digits));
        }
        Phone::parse(field, raw).map(|p| Self(p.as_str().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The hotlines, 0 to [`MAX_HOTLINES`], without duplicates (normalised numbers compared).
pub fn parse_hotlines(raw: &[String]) -> Result<Vec<Hotline>, FieldError> {
    if raw.len() > MAX_HOTLINES {
        return Err(FieldError::new(
            "hotlines",
            Rule::Range {
                min: 0,
                max: MAX_HOTLINES as i64,
            },
        ));
    }
    let mut out: Vec<Hotline> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let field = format!("hotlines[{i}]");
        let p = Hotline::parse(&field, r)?;
        if out.iter().any(|o| o.as_str() == p.as_str()) {
            return Err(FieldError::new(
                field,
                Rule::Invalid {
                    reason: "listed twice",
                },
            ));
        }
        out.push(p);
    }
    Ok(out)
}

/// A fee schedule item kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeKind {
    /// A spare part (配件).
    Part,
    /// Labour (人工), e.g. on-site visit, mainboard repair.
    Labour,
    /// Anything else (deposit, rental, shipping).
    Other,
}
codes!(FeeKind { Part => "part", Labour => "labour", Other => "other" });

/// One item of the published fee schedule. Prices are whole fen, never floats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeItem {
    /// Stable code within the provider (`A-Z0-9-_`, 1–32), e.g. `LAB-ONSITE`.
    pub code: String,
    /// 1–100 characters.
    pub name: String,
    pub kind: FeeKind,
    pub price: Fen,
    /// Per what (件, 次, 小时), 0–10 characters.
    pub unit: String,
}

impl FeeItem {
    /// Parses one item; `field` prefixes the field names (`fees[3]`).
    pub fn parse(
        field: &str,
        code: &str,
        name: &str,
        kind: &str,
        price_fen: i64,
        unit: &str,
    ) -> Result<Self, FieldError> {
        let code = code.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(FieldError::new(format!("{field}.code"), Rule::Required));
        }
        if code.len() > 32
            || !code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(FieldError::new(
                format!("{field}.code"),
                Rule::Pattern {
                    expected: "1–32 of A-Z 0-9 - _",
                },
            ));
        }
        let name = name.trim();
        match name.chars().count() {
            0 => return Err(FieldError::new(format!("{field}.name"), Rule::Required)),
            n if n > 100 => {
                return Err(FieldError::new(
                    format!("{field}.name"),
                    Rule::TooLong { max: 100 },
                ));
            }
            _ => {}
        }
        let unit = unit.trim();
        if unit.chars().count() > 10 {
            return Err(FieldError::new(
                format!("{field}.unit"),
                Rule::TooLong { max: 10 },
            ));
        }
        let price = Fen::new(&format!("{field}.price_fen"), price_fen)?;
        if price.is_negative() {
            return Err(FieldError::new(
                format!("{field}.price_fen"),
                Rule::Range {
                    min: 0,
                    max: 1_000_000_000_000,
                },
            ));
        }
        Ok(Self {
            code,
            name: name.to_owned(),
            kind: FeeKind::parse(&format!("{field}.kind"), kind)?,
            price,
            unit: unit.to_owned(),
        })
    }
}

/// A fee schedule: at most [`MAX_FEE_ITEMS`], codes unique.
pub fn check_fee_schedule(items: &[FeeItem]) -> Result<(), FieldError> {
    if items.len() > MAX_FEE_ITEMS {
        return Err(FieldError::new(
            "fees",
            Rule::Range {
                min: 0,
                max: MAX_FEE_ITEMS as i64,
            },
        ));
    }
    for (i, it) in items.iter().enumerate() {
        if items[..i].iter().any(|o| o.code == it.code) {
            return Err(FieldError::new(
                format!("fees[{i}].code"),
                Rule::Invalid {
                    reason: "used by another item",
                },
            ));
        }
    }
    Ok(())
}

/// Warranty months per terminal model (型号, 1–64 characters, compared as given after
/// trimming), plus a default for models not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarrantyTerms {
    pub default_months: u32,
    pub by_model: BTreeMap<String, u32>,
}

impl Default for WarrantyTerms {
    /// 12 months for every model: the common term in the industry.
    fn default() -> Self {
        Self {
            default_months: 12,
            by_model: BTreeMap::new(),
        }
    }
}

fn check_months(field: &str, m: i64) -> Result<u32, FieldError> {
    u32::try_from(m)
        .ok()
        .filter(|m| *m <= MAX_WARRANTY_MONTHS)
        .ok_or_else(|| {
            FieldError::new(
                field,
                Rule::Range {
                    min: 0,
                    max: i64::from(MAX_WARRANTY_MONTHS),
                },
            )
        })
}

impl WarrantyTerms {
    pub fn parse(
        default_months: i64,
        by_model: &BTreeMap<String, i64>,
    ) -> Result<Self, FieldError> {
        if by_model.len() > MAX_WARRANTY_TERMS {
            return Err(FieldError::new(
                "warranty_months_by_model",
                Rule::Range {
                    min: 0,
                    max: MAX_WARRANTY_TERMS as i64,
                },
            ));
        }
        let mut out = BTreeMap::new();
        for (model, months) in by_model {
            let m = model.trim();
            let field = format!("warranty_months_by_model.{m}");
            match m.chars().count() {
                0 => {
                    return Err(FieldError::new(
                        "warranty_months_by_model",
                        Rule::Invalid {
                            reason: "a model name is empty",
                        },
                    ));
                }
                n if n > 64 => return Err(FieldError::new(field, Rule::TooLong { max: 64 })),
                _ => {}
            }
            if out
                .insert(m.to_owned(), check_months(&field, *months)?)
                .is_some()
            {
                return Err(FieldError::new(
                    field,
                    Rule::Invalid {
                        reason: "listed twice",
                    },
                ));
            }
        }
        Ok(Self {
            default_months: check_months("warranty_default_months", default_months)?,
            by_model: out,
        })
    }

    /// The warranty months for `model`.
    pub fn months_for(&self, model: &str) -> u32 {
        self.by_model
            .get(model.trim())
            .copied()
            .unwrap_or(self.default_months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> LocalDate {
        LocalDate::parse(s).unwrap()
    }

    #[test]
    fn licence_status_around_the_warning_window() {
        let v = Validity::new(d("2022-01-01"), d("2026-12-31")).unwrap();
        assert_eq!(v.status(d("2021-12-31")), LicenceStatus::NotYetValid);
        assert_eq!(v.status(d("2026-11-01")), LicenceStatus::Valid); // 60 days left
        assert_eq!(
            v.status(d("2026-11-02")),
            LicenceStatus::ExpiresSoon { days_left: 59 }
        );
        assert_eq!(
            v.status(d("2026-12-31")),
            LicenceStatus::ExpiresSoon { days_left: 0 }
        );
        assert_eq!(
            v.status(d("2027-01-01")),
            LicenceStatus::Expired { days_ago: 1 }
        );
        assert!(Validity::new(d("2026-01-02"), d("2026-01-01")).is_err());
    }

    #[test]
    fn authorisation_kinds() {
        let a = Authorisation::parse("payment_licence", "Z20049440000105").unwrap();
        assert_eq!(a.kind_code(), "payment_licence");
        assert_eq!(
            Authorisation::parse("payment_licence", "Z20049440000")
                .unwrap_err()
                .field,
            "licence_number"
        );
        let b = Authorisation::parse("bank_authorisation", " 工银收单授权〔2025〕12号 ").unwrap();
        assert_eq!(b.number(), "工银收单授权〔2025〕12号");
        assert_eq!(
            Authorisation::parse("licence", "x").unwrap_err().field,
            "licence_kind"
        );
    }

    #[test]
    fn hotlines_and_fees() {
        let h = parse_hotlines(&["0571-88886666".into(), "13812345678".into()]).unwrap();
        assert_eq!(h.len(), 2);
        let dup = parse_hotlines(&["13812345678".into(), "+86 138 1234 5678".into()]).unwrap_err();
        assert_eq!(dup.field, "hotlines[1]");
        let h = parse_hotlines(&["400 800 0000".into(), "95516".into(), "800-123-4567".into()])
            .unwrap();
        assert_eq!(h[0].as_str(), "400-800-0000");
        assert_eq!(h[1].as_str(), "95516");
        assert!(parse_hotlines(&["4008000".into()]).is_err());
        assert!(parse_hotlines(&["9551".into()]).is_err());
        let too_many: Vec<String> = (0..6).map(|i| format!("1381234567{i}")).collect();
        assert_eq!(parse_hotlines(&too_many).unwrap_err().field, "hotlines");

        let f =
            FeeItem::parse("fees[0]", "lab-onsite", "上门服务费", "labour", 5000, "次").unwrap();
        assert_eq!(f.code, "LAB-ONSITE");
        assert_eq!(f.price.fen(), 5000);
        assert_eq!(
            FeeItem::parse("fees[1]", "P1", "电池", "part", -1, "件")
                .unwrap_err()
                .field,
            "fees[1].price_fen"
        );
        assert_eq!(
            FeeItem::parse("fees[1]", "P 1", "电池", "part", 1, "件")
                .unwrap_err()
                .field,
            "fees[1].code"
        );
        assert_eq!(
            FeeItem::parse("fees[1]", "P1", "电池", "battery", 1, "件")
                .unwrap_err()
                .field,
            "fees[1].kind"
        );
        let g = FeeItem::parse("fees[1]", "LAB-ONSITE", "x", "other", 1, "").unwrap();
        assert_eq!(
            check_fee_schedule(&[f, g]).unwrap_err().field,
            "fees[1].code"
        );
    }

    #[test]
    fn warranty_terms() {
        let mut m = BTreeMap::new();
        m.insert("N910 ".to_owned(), 24);
        let w = WarrantyTerms::parse(12, &m).unwrap();
        assert_eq!(w.months_for("N910"), 24);
        assert_eq!(w.months_for("A8"), 12);
        m.insert("A8".into(), 121);
        assert_eq!(
            WarrantyTerms::parse(12, &m).unwrap_err().field,
            "warranty_months_by_model.A8"
        );
        assert_eq!(
            WarrantyTerms::parse(-1, &BTreeMap::new())
                .unwrap_err()
                .field,
            "warranty_default_months"
        );
    }
}
