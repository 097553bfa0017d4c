//! Repair quotes (报价, seed 002: get a quote and agree it in writing before chargeable work):
//! items in fen from the parts catalogue and the fee schedule, a checked total, a validity; the
//! merchant approves or rejects it (portal), or an agent records a phone approval with who and
//! when. The approved quote is the invoice record.

use serde::{Deserialize, Serialize};

use crate::registry::{Fen, codes};
use crate::{FieldError, Rule, Timestamp};

/// What a quote line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A spare part from the catalogue (reserved on approval, consumed on use).
    Part,
    /// Labour or a service from the fee schedule.
    Labour,
}
codes!(ItemKind {
    Part => "part",
    Labour => "labour",
});

/// Most lines in one quote.
pub const MAX_ITEMS: usize = 30;
/// Most units on one line.
pub const MAX_QTY: i64 = 99;
/// Default and longest validity of a quote, in days.
pub const DEFAULT_VALID_DAYS: i64 = 7;
pub const MAX_VALID_DAYS: i64 = 30;

/// One checked quote line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteItem {
    pub kind: ItemKind,
    /// The part's or fee item's code.
    pub code: String,
    pub name: String,
    pub qty: i64,
    pub unit_fen: Fen,
    pub amount_fen: Fen,
}

/// A whole, non-negative number from a JSON value: `12` yes; `12.5`, `-1`, `"12"` no.
pub fn whole(field: &str, v: &serde_json::Value, min: i64, max: i64) -> Result<i64, FieldError> {
    let not_whole = || {
        FieldError::new(
            field,
            Rule::Invalid {
                reason: "must be a whole number (amounts are in fen)",
            },
        )
    };
    let n = match v {
        serde_json::Value::Number(n) => n.as_i64().ok_or_else(not_whole)?,
        serde_json::Value::Null => return Err(FieldError::new(field, Rule::Required)),
        _ => return Err(not_whole()),
    };
    if !(min..=max).contains(&n) {
        return Err(FieldError::new(field, Rule::Range { min, max }));
    }
    Ok(n)
}

impl QuoteItem {
    /// Checks a line: `field` prefixes the names (`items[2].unit_fen`).
    pub fn parse(
        field: &str,
        kind: &str,
        code: &str,
        name: &str,
        qty: &serde_json::Value,
        unit_fen: &serde_json::Value,
    ) -> Result<Self, FieldError> {
        let kind = ItemKind::parse(&format!("{field}.kind"), kind)?;
        let code = code.trim();
        if code.is_empty() || code.len() > 32 {
            return Err(FieldError::new(
                format!("{field}.code"),
                Rule::Pattern {
                    expected: "a catalogue or fee code of 1–32 characters",
                },
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(FieldError::new(
                format!("{field}.name"),
                Rule::TooLong { max: 100 },
            ));
        }
        let qty = whole(&format!("{field}.qty"), qty, 1, MAX_QTY)?;
        let unit = whole(&format!("{field}.unit_fen"), unit_fen, 0, Fen::MAX_ABS)?;
        let unit_fen = Fen::non_negative(&format!("{field}.unit_fen"), unit)?;
        let amount_fen = Fen::non_negative(&format!("{field}.unit_fen"), unit.saturating_mul(qty))?;
        Ok(Self {
            kind,
            code: code.to_owned(),
            name: name.to_owned(),
            qty,
            unit_fen,
            amount_fen,
        })
    }
}

/// A checked quote: 1–[`MAX_ITEMS`] lines, the total their sum, valid until an instant after
/// now and at most [`MAX_VALID_DAYS`] ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub items: Vec<QuoteItem>,
    pub total_fen: Fen,
    pub valid_until: Timestamp,
}

impl Quote {
    pub fn new(
        items: Vec<QuoteItem>,
        valid_days: Option<i64>,
        now: Timestamp,
    ) -> Result<Self, FieldError> {
        if items.is_empty() {
            return Err(FieldError::new("items", Rule::Required));
        }
        if items.len() > MAX_ITEMS {
            return Err(FieldError::new(
                "items",
                Rule::Invalid {
                    reason: "at most 30 lines",
                },
            ));
        }
        let days = valid_days.unwrap_or(DEFAULT_VALID_DAYS);
        if !(1..=MAX_VALID_DAYS).contains(&days) {
            return Err(FieldError::new(
                "valid_days",
                Rule::Range {
                    min: 1,
                    max: MAX_VALID_DAYS,
                },
            ));
        }
        let sum = items
            .iter()
            .try_fold(0i64, |acc, i| acc.checked_add(i.amount_fen.fen()))
            .ok_or_else(|| {
                FieldError::new(
                    "items",
                    Rule::Invalid {
                        reason: "total too large",
                    },
                )
            })?;
        let total_fen = Fen::non_negative("items", sum)?;
        Ok(Self {
            items,
            total_fen,
            valid_until: Timestamp::from_millis(now.millis() + days * 86_400_000),
        })
    }
}

/// Checks quote lines against what the provider offers: a part must be in its parts
/// catalogue; labour must be an item of its published fee schedule (labour or other kinds) when
/// it publishes one — a provider without a schedule quotes labour free-form. `invalid` on
/// `items[i].code`.
pub fn check_offer(
    items: &[QuoteItem],
    part_codes: &[String],
    fee_codes: &[String],
) -> Result<(), FieldError> {
    for (i, item) in items.iter().enumerate() {
        let known = match item.kind {
            ItemKind::Part => part_codes.contains(&item.code),
            ItemKind::Labour => fee_codes.is_empty() || fee_codes.contains(&item.code),
        };
        if !known {
            return Err(FieldError::new(
                format!("items[{i}].code"),
                Rule::Invalid {
                    reason: match item.kind {
                        ItemKind::Part => "not in the parts catalogue",
                        ItemKind::Labour => "not in the provider's published fee schedule",
                    },
                },
            ));
        }
    }
    Ok(())
}

/// Where a quote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    Pending,
    Approved,
    Rejected,
    /// Replaced by a newer quote before an answer.
    Superseded,
}
codes!(QuoteStatus {
    Pending => "pending",
    Approved => "approved",
    Rejected => "rejected",
    Superseded => "superseded",
});

/// How an approval (or rejection) was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerChannel {
    /// The merchant's user in the portal.
    Portal,
    /// An agent recorded the merchant's answer on the phone (who answered, when).
    Phone,
}
codes!(AnswerChannel {
    Portal => "portal",
    Phone => "phone",
});

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("the quote expired at {0}; a new quote is needed")]
    Expired(String),
    #[error("the quote was already answered ({0})")]
    Answered(&'static str),
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// Checks an answer to a quote: only a pending quote, only before it expires; a phone answer
/// names who gave it (`answered_by_name`, 1–50 characters) and when (`answered_at`, not in the
/// future). Whose quote it is (the merchant's own) is the caller's scope check.
pub fn check_answer(
    status: QuoteStatus,
    valid_until: Timestamp,
    channel: AnswerChannel,
    answered_by_name: Option<&str>,
    answered_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), QuoteError> {
    if status != QuoteStatus::Pending {
        return Err(QuoteError::Answered(status.code()));
    }
    if now > valid_until {
        return Err(QuoteError::Expired(valid_until.to_rfc3339()));
    }
    if channel == AnswerChannel::Phone {
        let name = answered_by_name.map(str::trim).unwrap_or("");
        if name.is_empty() {
            return Err(FieldError::new("answered_by_name", Rule::Required).into());
        }
        if name.chars().count() > 50 {
            return Err(FieldError::new("answered_by_name", Rule::TooLong { max: 50 }).into());
        }
        match answered_at {
            None => return Err(FieldError::new("answered_at", Rule::Required).into()),
            Some(t) if t > now => {
                return Err(FieldError::new(
                    "answered_at",
                    Rule::Invalid {
                        reason: "must not be in the future",
                    },
                )
                .into());
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(qty: serde_json::Value, unit: serde_json::Value) -> Result<QuoteItem, FieldError> {
        QuoteItem::parse("items[0]", "part", "P-PRINTER", "打印头", &qty, &unit)
    }

    #[test]
    fn amounts_are_whole_non_negative_fen() {
        let i = item(json!(2), json!(4500)).unwrap();
        assert_eq!(i.amount_fen.fen(), 9000);
        let e = item(json!(1), json!(-100)).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule.code()),
            ("items[0].unit_fen", "range")
        );
        let e = item(json!(1), json!(45.5)).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule.code()),
            ("items[0].unit_fen", "invalid")
        );
        let e = item(json!(1), json!("4500")).unwrap_err();
        assert_eq!(e.rule.code(), "invalid");
        let e = item(json!(0), json!(100)).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule.code()), ("items[0].qty", "range"));
        let e = item(json!(1.5), json!(100)).unwrap_err();
        assert_eq!(e.field, "items[0].qty");
    }

    #[test]
    fn total_and_validity() {
        let now = Timestamp::from_millis(1_800_000_000_000);
        let q = Quote::new(
            vec![
                item(json!(1), json!(4500)).unwrap(),
                QuoteItem::parse(
                    "items[1]",
                    "labour",
                    "LAB-REPAIR",
                    "维修工时",
                    &json!(1),
                    &json!(3000),
                )
                .unwrap(),
            ],
            None,
            now,
        )
        .unwrap();
        assert_eq!(q.total_fen.fen(), 7500);
        assert_eq!(q.valid_until.millis(), now.millis() + 7 * 86_400_000);
        assert_eq!(Quote::new(vec![], None, now).unwrap_err().field, "items");
        assert_eq!(
            Quote::new(vec![item(json!(1), json!(1)).unwrap()], Some(31), now)
                .unwrap_err()
                .field,
            "valid_days"
        );
    }

    #[test]
    fn lines_come_from_the_catalogue_and_the_fee_schedule() {
        let part = item(json!(1), json!(100)).unwrap();
        let lab =
            QuoteItem::parse("items[1]", "labour", "LAB-X", "工时", &json!(1), &json!(1)).unwrap();
        let parts = vec!["P-PRINTER".to_owned()];
        assert!(check_offer(&[part.clone(), lab.clone()], &parts, &[]).is_ok());
        let e = check_offer(
            &[part.clone(), lab.clone()],
            &parts,
            &["LAB-ONSITE".to_owned()],
        )
        .unwrap_err();
        assert_eq!(e.field, "items[1].code");
        let e = check_offer(&[part], &[], &[]).unwrap_err();
        assert_eq!(e.field, "items[0].code");
    }

    #[test]
    fn answers_only_pending_unexpired_and_phone_names_who() {
        let now = Timestamp::from_millis(1_800_000_000_000);
        let until = Timestamp::from_millis(now.millis() + 1000);
        let p = AnswerChannel::Portal;
        assert!(check_answer(QuoteStatus::Pending, until, p, None, None, now).is_ok());
        assert!(matches!(
            check_answer(QuoteStatus::Pending, now, p, None, None, until),
            Err(QuoteError::Expired(_))
        ));
        assert_eq!(
            check_answer(QuoteStatus::Approved, until, p, None, None, now),
            Err(QuoteError::Answered("approved"))
        );
        let ph = AnswerChannel::Phone;
        assert!(matches!(
            check_answer(QuoteStatus::Pending, until, ph, None, Some(now), now),
            Err(QuoteError::Field(f)) if f.field == "answered_by_name"
        ));
        assert!(matches!(
            check_answer(QuoteStatus::Pending, until, ph, Some("王老板"), None, now),
            Err(QuoteError::Field(f)) if f.field == "answered_at"
        ));
        assert!(
            check_answer(
                QuoteStatus::Pending,
                until,
                ph,
                Some("王老板"),
                Some(now),
                now
            )
            .is_ok()
        );
    }
}
