//! A complaint's vocabulary and its intake record (seed 003): channel, category, the receipt
//! number, the complainant's facts, referral, and what handling records (contact attempts,
//! proposed resolutions, satisfaction).

use serde::{Deserialize, Serialize};

use crate::calendar::LocalDate;
use crate::registry::codes;
use crate::registry::identifiers::{Mid, Phone, Tid};
use crate::text::{DisplayName, Email};
use crate::{FieldError, Rule, Timestamp};

/// Where a complaint came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintChannel {
    /// 客服热线: an agent takes it on the phone.
    Hotline,
    /// 商户门户: a merchant user files it.
    Portal,
    /// 公众网页: the public form, no account.
    PublicWeb,
    /// 网点: entered by staff at a branch or service point.
    Branch,
    /// 电子邮件: through the e-mail gateway, confirmed by an agent.
    Email,
    /// 转办: referred by a third-party platform or a regulator.
    Referral,
}
codes!(ComplaintChannel {
    Hotline => "hotline",
    Portal => "portal",
    PublicWeb => "public_web",
    Branch => "branch",
    Email => "email",
    Referral => "referral",
});

impl ComplaintChannel {
    /// The channels staff may enter a complaint on (the portal and the public form are their
    /// own entry points; e-mail arrives through the gateway).
    pub const STAFF: [ComplaintChannel; 4] = [
        ComplaintChannel::Hotline,
        ComplaintChannel::Branch,
        ComplaintChannel::Email,
        ComplaintChannel::Referral,
    ];
}

/// What the complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintCategory {
    /// 收费问题.
    Fees,
    /// 服务态度.
    ServiceAttitude,
    /// 维修质量.
    RepairQuality,
    /// 响应时效.
    ResponseTime,
    /// 资金结算.
    Settlement,
    /// 停机处置.
    Suspension,
    /// 非授权交易 (盗刷).
    UnauthorisedTransactions,
    /// 个人信息保护.
    Privacy,
    /// 其他.
    Other,
}
codes!(ComplaintCategory {
    Fees => "fees",
    ServiceAttitude => "service_attitude",
    RepairQuality => "repair_quality",
    ResponseTime => "response_time",
    Settlement => "settlement",
    Suspension => "suspension",
    UnauthorisedTransactions => "unauthorised_transactions",
    Privacy => "privacy",
    Other => "other",
});

/// What the provider proposes to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionKind {
    /// 退款.
    Refund,
    /// 减免费用.
    FeeWaiver,
    /// 维修.
    Repair,
    /// 道歉.
    Apology,
    /// 解释说明 (the complaint is not upheld, with reasons).
    Explanation,
}
codes!(ResolutionKind {
    Refund => "refund",
    FeeWaiver => "fee_waiver",
    Repair => "repair",
    Apology => "apology",
    Explanation => "explanation",
});

/// How the handler tried to reach the complainant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    Phone,
    Sms,
    Email,
    Visit,
    Letter,
}
codes!(ContactChannel {
    Phone => "phone",
    Sms => "sms",
    Email => "email",
    Visit => "visit",
    Letter => "letter",
});

/// What came of a contact attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactOutcome {
    /// Spoke with the complainant.
    Reached,
    NoAnswer,
    LeftMessage,
    /// The complainant declined to talk.
    Declined,
}
codes!(ContactOutcome {
    Reached => "reached",
    NoAnswer => "no_answer",
    LeftMessage => "left_message",
    Declined => "declined",
});

/// The complainant's satisfaction, 1 (very dissatisfied) – 5 (very satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(transparent)]
pub struct Satisfaction(u8);

impl Satisfaction {
    pub fn parse(field: &str, n: i64) -> Result<Self, FieldError> {
        u8::try_from(n)
            .ok()
            .filter(|n| (1..=5).contains(n))
            .map(Self)
            .ok_or_else(|| FieldError::new(field, Rule::Range { min: 1, max: 5 }))
    }
    pub fn get(self) -> u8 {
        self.0
    }
}

// ---------------------------------------------------------------------------------------------
// Receipt numbers
// ---------------------------------------------------------------------------------------------

/// The receipt number alphabet: digits and capitals without the look-alikes 0/O, 1/I/L.
pub const RECEIPT_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Random characters in a receipt number: 31⁶ ≈ 8.9 × 10⁸ per day.
pub const RECEIPT_RANDOM_CHARS: usize = 6;

/// A complaint receipt number (受理编号): `TS-` + the Shanghai date of receipt + `-` + six
/// random characters of [`RECEIPT_ALPHABET`] + one check character, e.g.
/// `TS-20261201-7KQ4MXP`. Human-readable (a date, no look-alike characters, case-insensitive
/// on input), unique (storage makes it so; the caller draws again on a collision) and not
/// guessable: the random part comes from the caller's CSPRNG, and the check character (a
/// weighted sum mod 31 over the date and the random part) catches a mistyped character or two
/// swapped neighbours before any look-up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReceiptNo(String);

fn alphabet_index(c: u8) -> Option<usize> {
    RECEIPT_ALPHABET.iter().position(|a| *a == c)
}

/// Weighted sum of the characters' values (digits of the date by their value, alphabet
/// characters by their index), weights 1, 2, 3, … — position-dependent so swaps are caught.
fn check_char(date: &str, random: &[u8]) -> u8 {
    let mut sum = 0usize;
    for (i, c) in date.bytes().chain(random.iter().copied()).enumerate() {
        let v = if date.len() > i {
            usize::from(c - b'0')
        } else {
            alphabet_index(c).unwrap_or(0)
        };
        sum += v * (i + 1);
    }
    RECEIPT_ALPHABET[sum % RECEIPT_ALPHABET.len()]
}

const RECEIPT_EXPECTED: &str = "a receipt number like TS-20261201-7KQ4MXP";

impl ReceiptNo {
    /// The receipt number for a complaint received on `date`, from `random` (drawn by the
    /// caller from a CSPRNG; 30 bits are used).
    pub fn generate(date: LocalDate, random: u64) -> Self {
        let (y, m, d) = date.ymd();
        let day = format!("{y:04}{m:02}{d:02}");
        let mut r = random;
        let mut chars = [0u8; RECEIPT_RANDOM_CHARS];
        for c in &mut chars {
            *c = RECEIPT_ALPHABET[(r % 31) as usize];
            r /= 31;
        }
        let check = check_char(&day, &chars);
        let mut s = format!("TS-{day}-");
        s.extend(chars.iter().map(|c| char::from(*c)));
        s.push(char::from(check));
        Self(s)
    }

    /// Parses a receipt number typed by a person: case-insensitive, surrounding spaces and
    /// inner spaces ignored; the date must be a real date and the check character must match
    /// (`pattern` on `field` otherwise).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                Rule::Pattern {
                    expected: RECEIPT_EXPECTED,
                },
            )
        };
        let t: String = raw
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let rest = t.strip_prefix("TS-").ok_or_else(bad)?;
        let (day, tail) = rest.split_once('-').ok_or_else(bad)?;
        if day.len() != 8 || !day.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        LocalDate::parse_basic(day).map_err(|_| bad())?;
        let tail = tail.as_bytes();
        if tail.len() != RECEIPT_RANDOM_CHARS + 1
            || !tail.iter().all(|c| alphabet_index(*c).is_some())
        {
            return Err(bad());
        }
        let (random, check) = tail.split_at(RECEIPT_RANDOM_CHARS);
        if check_char(day, random) != check[0] {
            return Err(bad());
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReceiptNo {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse("receipt_no", &s)
    }
}

impl From<ReceiptNo> for String {
    fn from(r: ReceiptNo) -> String {
        r.0
    }
}

impl std::fmt::Display for ReceiptNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The last four digits of a phone number, as typed on the tracking page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneLast4(String);

impl PhoneLast4 {
    /// Exactly four ASCII digits (`pattern` on `field`).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(t.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                Rule::Pattern {
                    expected: "the last 4 digits of the phone number",
                },
            ))
        }
    }

    /// The last four digits of `phone`'s normalised number (an extension is not part of it).
    pub fn of(phone: &Phone) -> Self {
        let digits: Vec<char> = phone
            .as_str()
            .split('-')
            .take(2)
            .flat_map(|p| p.chars())
            .filter(char::is_ascii_digit)
            .collect();
        let n = digits.len();
        Self(digits[n.saturating_sub(4)..].iter().collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison, so a tracking look-up does not leak how many digits matched.
    pub fn matches(&self, other: &PhoneLast4) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

// ---------------------------------------------------------------------------------------------
// The intake record
// ---------------------------------------------------------------------------------------------

crate::text::text_type!(
    /// What happened (投诉事项), 1–5,000 characters.
    Narrative, 1, 5000
);
crate::text::text_type!(
    /// What the complainant asks for (诉求), 1–2,000 characters.
    Request, 1, 2000
);
crate::text::text_type!(
    /// Where the problem happened (shop address, branch), up to 200 characters.
    Place, 1, 200
);
crate::text::text_type!(
    /// A handler's reason, note or decision text, 1–5,000 characters.
    HandlingText, 1, 5000
);
crate::text::text_type!(
    /// A referrer's name (the platform or regulator) or its reference number, up to 100.
    ReferralText, 1, 100
);

/// A referral from outside: who referred it, their reference, and their own deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Referral {
    pub source: ReferralText,
    pub reference: ReferralText,
    /// The referrer's deadline for the decision; it replaces the statutory one when earlier.
    pub deadline: Timestamp,
}

/// The complainant's facts as entered on any channel, before they are stored.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawIntake<'a> {
    pub channel: &'a str,
    pub category: &'a str,
    pub complainant_name: &'a str,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub mid: Option<&'a str>,
    pub tid: Option<&'a str>,
    /// When the problem happened.
    pub occurred_at: Option<Timestamp>,
    pub place: Option<&'a str>,
    pub narrative: &'a str,
    pub request: &'a str,
    pub referral_source: Option<&'a str>,
    pub referral_reference: Option<&'a str>,
    pub referral_deadline: Option<Timestamp>,
}

/// A checked intake record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Intake {
    pub channel: ComplaintChannel,
    pub category: ComplaintCategory,
    pub complainant_name: DisplayName,
    pub phone: Phone,
    pub email: Option<Email>,
    pub mid: Option<Mid>,
    pub tid: Option<Tid>,
    pub occurred_at: Option<Timestamp>,
    pub place: Option<Place>,
    pub narrative: Narrative,
    pub request: Request,
    pub referral: Option<Referral>,
}

fn opt(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

impl Intake {
    /// Checks every field (errors name the field): the channel and category codes; a name of
    /// 1–100 characters; a mobile or landline phone (the tracking page asks for its last four
    /// digits); an optional e-mail, MID, TID; a problem time not after `now`; the narrative
    /// and request. A referral needs `referral_source`, `referral_reference` and a
    /// `referral_deadline` after `now`; other channels must not carry referral fields.
    pub fn parse(raw: &RawIntake<'_>, now: Timestamp) -> Result<Self, FieldError> {
        let channel = ComplaintChannel::parse("channel", raw.channel)?;
        let category = ComplaintCategory::parse("category", raw.category)?;
        let complainant_name = DisplayName::parse("complainant_name", raw.complainant_name)?;
        let phone = Phone::parse("phone", raw.phone)?;
        let email = opt(raw.email)
            .map(|e| Email::parse("email", e))
            .transpose()?;
        let mid = opt(raw.mid).map(|m| Mid::parse("mid", m)).transpose()?;
        let tid = opt(raw.tid).map(|t| Tid::parse("tid", t)).transpose()?;
        if let Some(t) = raw.occurred_at
            && t > now
        {
            return Err(FieldError::new(
                "occurred_at",
                Rule::Invalid {
                    reason: "must not be in the future",
                },
            ));
        }
        let place = opt(raw.place)
            .map(|p| Place::parse("place", p))
            .transpose()?;
        let narrative = Narrative::parse("narrative", raw.narrative)?;
        let request = Request::parse("request", raw.request)?;
        let referral = if channel == ComplaintChannel::Referral {
            let source =
                ReferralText::parse("referral_source", opt(raw.referral_source).unwrap_or(""))?;
            let reference = ReferralText::parse(
                "referral_reference",
                opt(raw.referral_reference).unwrap_or(""),
            )?;
            let deadline = raw
                .referral_deadline
                .ok_or_else(|| FieldError::new("referral_deadline", Rule::Required))?;
            if deadline <= now {
                return Err(FieldError::new(
                    "referral_deadline",
                    Rule::Invalid {
                        reason: "must be after now",
                    },
                ));
            }
            Some(Referral {
                source,
                reference,
                deadline,
            })
        } else {
            for (f, v) in [
                ("referral_source", opt(raw.referral_source).is_some()),
                ("referral_reference", opt(raw.referral_reference).is_some()),
                ("referral_deadline", raw.referral_deadline.is_some()),
            ] {
                if v {
                    return Err(FieldError::new(
                        f,
                        Rule::Invalid {
                            reason: "only a referral carries referral fields",
                        },
                    ));
                }
            }
            None
        };
        Ok(Self {
            channel,
            category,
            complainant_name,
            phone,
            email,
            mid,
            tid,
            occurred_at: raw.occurred_at,
            place,
            narrative,
            request,
            referral,
        })
    }
}

/// The e-mail gateway's first guess: does an inbound message look like a complaint? By the
/// address it was sent to (the provider's complaints mailbox) or by a keyword in the subject
/// or body. An agent confirms before a complaint is registered (a guess never registers one).
pub fn looks_like_complaint(to_complaints_address: bool, subject: &str, body: &str) -> bool {
    const KEYWORDS: [&str; 7] = [
        "投诉",
        "举报",
        "申诉",
        "维权",
        "12363",
        "12315",
        "complaint",
    ];
    to_complaints_address
        || KEYWORDS
            .iter()
            .any(|k| subject.to_lowercase().contains(k) || body.to_lowercase().contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::from_millis(1_795_000_000_000)
    }

    #[test]
    fn receipt_numbers_roundtrip_and_catch_typos() {
        let d = LocalDate::new(2026, 12, 1).unwrap();
        let r = ReceiptNo::generate(d, 0x1234_5678_9abc);
        assert!(r.as_str().starts_with("TS-20261201-"), "{r}");
        assert_eq!(r.as_str().len(), "TS-20261201-".len() + 7);
        assert_eq!(ReceiptNo::parse("r", r.as_str()).unwrap(), r);
        assert_eq!(
            ReceiptNo::parse("r", &format!(" {} ", r.as_str().to_lowercase())).unwrap(),
            r
        );
        // Every single-character substitution in the random part is caught.
        let s = r.as_str().as_bytes().to_vec();
        for i in 12..s.len() {
            for c in RECEIPT_ALPHABET {
                if *c == s[i] {
                    continue;
                }
                let mut t = s.clone();
                t[i] = *c;
                let t = String::from_utf8(t).unwrap();
                assert!(ReceiptNo::parse("r", &t).is_err(), "{t}");
            }
        }
        // Swapped neighbours are caught.
        let mut t = s.clone();
        let i = (12..s.len() - 1).find(|i| s[*i] != s[i + 1]).unwrap();
        t.swap(i, i + 1);
        assert!(ReceiptNo::parse("r", &String::from_utf8(t).unwrap()).is_err());
        for bad in [
            "",
            "TS-2026121-ABCDEFG",
            "TS-20261301-ABCDEFG",
            "XX-20261201-ABCDEFG",
            "TS-20261201-ABCDE0G",
        ] {
            let e = ReceiptNo::parse("receipt_no", bad).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.rule.code()),
                ("receipt_no", "pattern"),
                "{bad}"
            );
        }
        // Different randoms, different numbers.
        assert_ne!(ReceiptNo::generate(d, 1), ReceiptNo::generate(d, 2));
    }

    #[test]
    fn last4_of_mobile_and_landline() {
        let m = Phone::parse("p", "138 1234 5678").unwrap();
        assert_eq!(PhoneLast4::of(&m).as_str(), "5678");
        let l = Phone::parse("p", "0755-8123456-801").unwrap();
        assert_eq!(PhoneLast4::of(&l).as_str(), "3456");
        assert!(PhoneLast4::parse("last4", "12a4").is_err());
    }

    fn raw() -> RawIntake<'static> {
        RawIntake {
            channel: "hotline",
            category: "fees",
            complainant_name: "王女士",
            phone: "13812345678",
            narrative: "多收了手续费",
            request: "退还多收的费用",
            ..Default::default()
        }
    }

    #[test]
    fn intake_names_the_field_that_is_wrong() {
        assert!(Intake::parse(&raw(), now()).is_ok());
        let cases: Vec<(RawIntake<'static>, &str)> = vec![
            (
                RawIntake {
                    channel: "fax",
                    ..raw()
                },
                "channel",
            ),
            (
                RawIntake {
                    category: "x",
                    ..raw()
                },
                "category",
            ),
            (
                RawIntake {
                    phone: "123",
                    ..raw()
                },
                "phone",
            ),
            (
                RawIntake {
                    narrative: " ",
                    ..raw()
                },
                "narrative",
            ),
            (
                RawIntake {
                    mid: Some("abc"),
                    ..raw()
                },
                "mid",
            ),
            (
                RawIntake {
                    occurred_at: Some(Timestamp::from_millis(now().millis() + 1)),
                    ..raw()
                },
                "occurred_at",
            ),
            (
                RawIntake {
                    referral_source: Some("12363"),
                    ..raw()
                },
                "referral_source",
            ),
            (
                RawIntake {
                    channel: "referral",
                    ..raw()
                },
                "referral_source",
            ),
            (
                RawIntake {
                    channel: "referral",
                    referral_source: Some("人民银行"),
                    referral_reference: Some("YH-1"),
                    referral_deadline: Some(now()),
                    ..raw()
                },
                "referral_deadline",
            ),
        ];
        for (r, field) in cases {
            assert_eq!(Intake::parse(&r, now()).unwrap_err().field, field);
        }
        let ok = Intake::parse(
            &RawIntake {
                channel: "referral",
                referral_source: Some("人民银行"),
                referral_reference: Some("YH-1"),
                referral_deadline: Some(Timestamp::from_millis(now().millis() + 86_400_000)),
                ..raw()
            },
            now(),
        )
        .unwrap();
        assert_eq!(ok.referral.unwrap().reference.as_str(), "YH-1");
    }

    #[test]
    fn complaint_guess_by_address_or_keyword() {
        assert!(looks_like_complaint(true, "Re: 终端", ""));
        assert!(looks_like_complaint(false, "我要投诉", ""));
        assert!(looks_like_complaint(false, "", "再不处理就打12363"));
        assert!(!looks_like_complaint(false, "打印机不出纸", "请派人来修"));
    }
}
