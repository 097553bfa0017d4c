//! A merchant's contacts (联系人) and business hours (营业时间).
//!
//! # Contacts
//!
//! A merchant has up to [`MAX_CONTACTS`] contacts, each a phone number ([`Phone`]) with an
//! optional name and a role ([`ContactRole`]); exactly one is the primary contact, whose name
//! and phone are also the merchant's single `contact_name` / `contact_phone` (the fields the
//! foundation kept, still read by older clients). [`parse_contacts`] checks a whole list:
//! every phone parses, none twice, at most one marked primary (none marked: the first is).
//!
//! # Business hours
//!
//! [`BusinessHours`] are the shop's weekly opening hours, the calendar's [`WeeklyHours`]: per
//! weekday sorted, non-overlapping intervals, `closed` for none. Hours past midnight belong to
//! the next day (a bar open 18:00–02:00 on Friday is `fri 18:00-24:00; sat 00:00-02:00`).
//! Public holidays do not close a shop by themselves (many trade through them), so the hours
//! ignore the national schedule. Technician visits are booked inside them
//! ([`BusinessHours::open_throughout`]); firmware is pushed outside them.
//!
//! The text form (CSV columns, the database, audit records) lists open days only, grouping
//! consecutive weekdays with the same hours: `mon-fri 09:00-21:00; sat-sun 10:00-22:00`. Input
//! also takes Chinese day names (`周一至周五 09:00-21:00；周六 10:00-14:00`), lists
//! (`mon,wed 09:00-12:00`), `daily`/`每天`, and `closed`/`休息` for a shop that is never open.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::identifiers::Phone;
use crate::Timestamp;
use crate::calendar::{Calendar, DayHours, Weekday, WeeklyHours};
use crate::{FieldError, Rule};

/// Most contacts one merchant keeps.
pub const MAX_CONTACTS: usize = 10;

/// Most characters of a contact's name.
pub const CONTACT_NAME_MAX: usize = 50;

/// What a contact does at the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    /// 店主 / 法定代表人: the owner or legal representative.
    Owner,
    /// 店长: runs the shop day to day.
    Manager,
    /// 收银员: works the terminal.
    Cashier,
    /// 财务: settlement and fees.
    Finance,
    /// 技术: the merchant's own IT or network contact.
    Technical,
    /// 其他.
    Other,
}
codes!(ContactRole {
    Owner => "owner",
    Manager => "manager",
    Cashier => "cashier",
    Finance => "finance",
    Technical => "technical",
    Other => "other",
});

/// One checked contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Phone,
    pub role: ContactRole,
    pub primary: bool,
}

/// A contact as entered (form, JSON body), before checking.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactInput<'a> {
    pub name: Option<&'a str>,
    pub phone: &'a str,
    /// `None` or blank: `other`.
    pub role: Option<&'a str>,
    pub primary: bool,
}

/// A contact's name: optional, at most [`CONTACT_NAME_MAX`] characters.
pub fn parse_contact_name(field: &str, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => super::bounded_text(field, s, 1, CONTACT_NAME_MAX).map(Some),
    }
}

/// Checks a merchant's whole contact list (fields are named `contacts[i].name`, `.phone`,
/// `.role`, `.primary`). The primary contact comes first in the result; the others keep their
/// order. An empty list is allowed (the merchant has no contact on file).
pub fn parse_contacts(raw: &[ContactInput<'_>]) -> Result<Vec<Contact>, FieldError> {
    if raw.len() > MAX_CONTACTS {
        return Err(FieldError::new(
            "contacts",
            Rule::Range {
                min: 0,
                max: MAX_CONTACTS as i64,
            },
        ));
    }
    let mut out: Vec<Contact> = Vec::with_capacity(raw.len());
    let mut primary: Option<usize> = None;
    for (i, c) in raw.iter().enumerate() {
        let field = |f: &str| format!("contacts[{i}].{f}");
        let phone = Phone::parse(&field("phone"), c.phone)?;
        if out.iter().any(|o| o.phone == phone) {
            return Err(FieldError::new(
                field("phone"),
                Rule::Invalid {
                    reason: "listed twice",
                },
            ));
        }
        let role = match c.role.map(str::trim).filter(|s| !s.is_empty()) {
            None => ContactRole::Other,
            Some(r) => ContactRole::parse(&field("role"), r)?,
        };
        if c.primary {
            if primary.is_some() {
                return Err(FieldError::new(
                    field("primary"),
                    Rule::Invalid {
                        reason: "only one contact can be the primary one",
                    },
                ));
            }
            primary = Some(i);
        }
        out.push(Contact {
            name: parse_contact_name(&field("name"), c.name)?,
            phone,
            role,
            primary: c.primary,
        });
    }
    let first = primary.unwrap_or(0);
    if let Some(p) = out.get_mut(first) {
        p.primary = true;
    }
    if first > 0 {
        let p = out.remove(first);
        out.insert(0, p);
    }
    Ok(out)
}

/// The primary contact of a checked list (the first, by [`parse_contacts`]).
pub fn primary(contacts: &[Contact]) -> Option<&Contact> {
    contacts.iter().find(|c| c.primary)
}

/// A shop's weekly opening hours; see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct BusinessHours {
    weekly: WeeklyHours,
    /// The same hours as a calendar without national holidays, for the time operations.
    calendar: Calendar,
}

impl PartialEq for BusinessHours {
    fn eq(&self, other: &Self) -> bool {
        self.weekly == other.weekly
    }
}

impl Eq for BusinessHours {}

const HOURS_EXPECTED: &str = "days and hours like `mon-fri 09:00-21:00; sat 10:00-14:00`";

impl BusinessHours {
    pub fn new(weekly: WeeklyHours) -> Self {
        let calendar = Calendar::builder()
            .without_schedule()
            .weekly(weekly.clone())
            .build();
        Self { weekly, calendar }
    }

    /// The hours of each weekday.
    pub fn weekly(&self) -> &WeeklyHours {
        &self.weekly
    }

    /// `weekday`'s hours.
    pub fn day(&self, weekday: Weekday) -> &DayHours {
        self.weekly.get(weekday)
    }

    /// Parses the text form (`mon-fri 09:00-21:00; sat-sun 10:00-22:00`); days not named are
    /// closed. `field` names the input in errors.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let pattern = || {
            FieldError::new(
                field,
                Rule::Pattern {
                    expected: HOURS_EXPECTED,
                },
            )
        };
        let text = raw.trim();
        if text.is_empty() {
            return Err(FieldError::new(field, Rule::Required));
        }
        let mut weekly = WeeklyHours::closed();
        if is_closed_word(text) {
            return Ok(Self::new(weekly));
        }
        let mut seen = [false; 7];
        for group in text
            .split([';', '；', '\n'])
            .map(str::trim)
            .filter(|g| !g.is_empty())
        {
            let (days, hours) = group.split_once(char::is_whitespace).ok_or_else(pattern)?;
            let hours: String = hours.chars().filter(|c| !c.is_whitespace()).collect();
            let hours = hours
                .replace(['，', '、'], ",")
                .replace(['～', '~', '—', '－'], "-");
            let day_hours = if is_closed_word(&hours) {
                DayHours::closed()
            } else {
                DayHours::parse(&hours).map_err(|_| pattern())?
            };
            for d in parse_days(days).ok_or_else(pattern)? {
                if std::mem::replace(&mut seen[d.index()], true) {
                    return Err(FieldError::new(
                        field,
                        Rule::Invalid {
                            reason: "a weekday is given twice",
                        },
                    ));
                }
                weekly.set(d, day_hours.clone());
            }
        }
        Ok(Self::new(weekly))
    }

    /// Whether the shop is open at `ts` (rounded up to the minute, as every calendar
    /// operation; Asia/Shanghai).
    pub fn is_open_at(&self, ts: Timestamp) -> bool {
        self.calendar.is_working_time(ts)
    }

    /// Whether the shop is open for the whole of `[start, end)` (both rounded up to the
    /// minute): a visit booked in that window finds it open throughout, across midnight too
    /// when the hours run on. An empty or reversed window is not "open throughout".
    pub fn open_throughout(&self, start: Timestamp, end: Timestamp) -> bool {
        let (a, b) = (minute_ceil(start), minute_ceil(end));
        if b <= a {
            return false;
        }
        self.calendar.working_minutes_between(start, end) == b - a
    }

    /// The first instant at or after `ts` (rounded up to the minute) when the shop is open;
    /// `None` for a shop that is never open.
    pub fn next_opening(&self, ts: Timestamp) -> Option<Timestamp> {
        if self.weekly.week_minutes() == 0 {
            return None;
        }
        self.calendar.next_opening(ts)
    }

    /// The hours as a calendar without national holidays (every operation of the calendar
    /// engine, e.g. the open minutes between two instants).
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }
}

/// Minutes since the epoch, rounded up (the calendar's rounding); saturating.
fn minute_ceil(ts: Timestamp) -> i64 {
    ts.millis().saturating_add(59_999).div_euclid(60_000)
}

fn is_closed_word(s: &str) -> bool {
    let t = s.trim();
    t.eq_ignore_ascii_case("closed") || t == "休息" || t == "不营业" || t == "-"
}

/// A weekday from its English code or name, or Chinese (`周一`, `星期一`, `周日`/`周天`).
fn weekday(s: &str) -> Option<Weekday> {
    if let Ok(d) = s.parse::<Weekday>() {
        return Some(d);
    }
    let rest = s
        .strip_prefix("星期")
        .or_else(|| s.strip_prefix("周"))
        .or_else(|| s.strip_prefix("礼拜"))?;
    Some(match rest {
        "一" | "1" => Weekday::Mon,
        "二" | "2" => Weekday::Tue,
        "三" | "3" => Weekday::Wed,
        "四" | "4" => Weekday::Thu,
        "五" | "5" => Weekday::Fri,
        "六" | "6" => Weekday::Sat,
        "日" | "天" | "7" => Weekday::Sun,
        _ => return None,
    })
}

/// `mon`, `mon-fri`, `mon,wed,fri`, `周一至周五`, `daily`/`每天` → the weekdays, Monday first
/// within each range. A range runs forward and may wrap (`fri-mon`).
fn parse_days(s: &str) -> Option<Vec<Weekday>> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("daily") || t == "每天" || t == "每日" {
        return Some(Weekday::ALL.to_vec());
    }
    let mut out = Vec::new();
    for part in t.split([',', '，', '、']).map(str::trim) {
        let range = part
            .split_once('-')
            .or_else(|| part.split_once('至'))
            .or_else(|| part.split_once('~'))
            .or_else(|| part.split_once('～'));
        match range {
            None => out.push(weekday(part)?),
            Some((a, b)) => {
                let (a, b) = (weekday(a.trim())?, weekday(b.trim())?);
                let mut i = a.index();
                loop {
                    out.push(Weekday::from_index(i));
                    if i == b.index() {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
        }
    }
    Some(out)
}

/// The text form: open days grouped, e.g. `mon-fri 09:00-21:00; sat-sun 10:00-22:00`;
/// `closed` for a shop never open.
impl fmt::Display for BusinessHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for i in 0..7 {
            let h = self.weekly.get(Weekday::from_index(i));
            if h.is_closed() {
                continue;
            }
            match groups.last_mut() {
                Some((_, end))
                    if *end + 1 == i && self.weekly.get(Weekday::from_index(*end)) == h =>
                {
                    *end = i;
                }
                _ => groups.push((i, i)),
            }
        }
        if groups.is_empty() {
            return f.write_str("closed");
        }
        for (n, (a, b)) in groups.iter().enumerate() {
            if n > 0 {
                f.write_str("; ")?;
            }
            let first = Weekday::from_index(*a);
            if a == b {
                write!(f, "{first} ")?;
            } else {
                write!(f, "{first}-{} ", Weekday::from_index(*b))?;
            }
            write!(f, "{}", self.weekly.get(first))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{LocalDate, MinuteOfDay};

    fn at(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> Timestamp {
        LocalDate::new(y, m, d)
            .unwrap()
            .at(MinuteOfDay::new(hh, mm).unwrap())
    }

    #[test]
    fn contacts_checked_as_a_list() {
        let c = parse_contacts(&[
            ContactInput {
                name: Some(" 吴女士 "),
                phone: "138 0571 1000",
                role: Some("cashier"),
                primary: false,
            },
            ContactInput {
                name: None,
                phone: "0571-88886666",
                role: None,
                primary: true,
            },
        ])
        .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].phone.as_str(), "0571-88886666", "primary first");
        assert!(c[0].primary && !c[1].primary);
        assert_eq!(c[0].role, ContactRole::Other);
        assert_eq!(c[1].name.as_deref(), Some("吴女士"));
        assert_eq!(primary(&c).map(|p| p.phone.as_str()), Some("0571-88886666"));

        // None marked: the first is primary.
        let one = parse_contacts(&[ContactInput {
            phone: "13805711000",
            ..Default::default()
        }])
        .unwrap();
        assert!(one[0].primary);
        assert!(parse_contacts(&[]).unwrap().is_empty());

        let err = |raw: &[ContactInput<'_>]| parse_contacts(raw).unwrap_err();
        let ok = ContactInput {
            phone: "13805711000",
            ..Default::default()
        };
        let e = err(&[ok, ContactInput { phone: "123", ..ok }]);
        assert_eq!(e.field, "contacts[1].phone");
        let e = err(&[
            ok,
            ContactInput {
                phone: "138-0571-1000",
                ..ok
            },
        ]);
        assert_eq!(
            (e.field.as_str(), e.rule.code()),
            ("contacts[1].phone", "invalid")
        );
        let e = err(&[ContactInput {
            role: Some("boss"),
            ..ok
        }]);
        assert_eq!(e.field, "contacts[0].role");
        let e = err(&[
            ContactInput {
                primary: true,
                ..ok
            },
            ContactInput {
                phone: "13905711000",
                primary: true,
                ..ok
            },
        ]);
        assert_eq!(e.field, "contacts[1].primary");
        let long = "名".repeat(51);
        let e = err(&[ContactInput {
            name: Some(&long),
            ..ok
        }]);
        assert_eq!(e.field, "contacts[0].name");
        let many: Vec<ContactInput<'_>> = (0..11).map(|_| ok).collect();
        assert_eq!(err(&many).field, "contacts");
        for r in ContactRole::ALL {
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::Value::String(r.code().into())
            );
        }
    }

    #[test]
    fn hours_text_round_trips() {
        let h = BusinessHours::parse("hours", "mon-fri 09:00-21:00; sat-sun 10:00-22:00").unwrap();
        assert_eq!(h.to_string(), "mon-fri 09:00-21:00; sat-sun 10:00-22:00");
        assert_eq!(h.day(Weekday::Wed).to_string(), "09:00-21:00");
        let zh = BusinessHours::parse(
            "hours",
            "周一至周五 09:00-12:00，14:00-18:00；周六 10:00-14:00",
        )
        .unwrap();
        assert_eq!(
            zh.to_string(),
            "mon-fri 09:00-12:00,14:00-18:00; sat 10:00-14:00"
        );
        assert!(zh.day(Weekday::Sun).is_closed());
        let daily = BusinessHours::parse("hours", "daily 07:00-23:00").unwrap();
        assert_eq!(daily.to_string(), "mon-sun 07:00-23:00");
        let list = BusinessHours::parse("hours", "mon,wed,fri 09:00-12:00").unwrap();
        assert_eq!(
            list.to_string(),
            "mon 09:00-12:00; wed 09:00-12:00; fri 09:00-12:00"
        );
        let wrap = BusinessHours::parse("hours", "fri-mon 10:00-20:00").unwrap();
        assert_eq!(wrap.to_string(), "mon 10:00-20:00; fri-sun 10:00-20:00");
        let never = BusinessHours::parse("hours", "closed").unwrap();
        assert_eq!(never.to_string(), "closed");
        assert_eq!(BusinessHours::parse("hours", "休息").unwrap(), never);
        for text in [
            h.to_string(),
            zh.to_string(),
            wrap.to_string(),
            never.to_string(),
        ] {
            assert_eq!(
                BusinessHours::parse("hours", &text).unwrap().to_string(),
                text
            );
        }
        for bad in [
            "mon",
            "someday 09:00-12:00",
            "mon 9-12",
            "mon 18:00-08:00",
            "mon 09:00-12:00,11:00-13:00",
        ] {
            let e = BusinessHours::parse("business_hours", bad).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.rule.code()),
                ("business_hours", "pattern"),
                "{bad}"
            );
        }
        let e = BusinessHours::parse("hours", "mon-fri 09:00-12:00; fri 13:00-14:00").unwrap_err();
        assert_eq!(e.rule.code(), "invalid");
        assert_eq!(
            BusinessHours::parse("hours", " ").unwrap_err().rule,
            Rule::Required
        );
    }

    #[test]
    fn open_at_and_throughout() {
        // 2026-03-13 is a Friday.
        let h = BusinessHours::parse("hours", "mon-fri 09:00-21:00; sat 00:00-02:00,10:00-22:00")
            .unwrap();
        assert!(h.is_open_at(at(2026, 3, 13, 9, 0)));
        assert!(!h.is_open_at(at(2026, 3, 13, 8, 59)));
        assert!(
            !h.is_open_at(at(2026, 3, 13, 21, 0)),
            "closing minute is closed"
        );
        assert!(h.is_open_at(at(2026, 3, 14, 1, 30)), "Saturday small hours");
        assert!(!h.is_open_at(at(2026, 3, 15, 12, 0)), "Sunday closed");
        // National holidays do not close the shop: 2026-10-01 is a Thursday.
        assert!(h.is_open_at(at(2026, 10, 1, 12, 0)));
        assert!(h.open_throughout(at(2026, 3, 13, 14, 0), at(2026, 3, 13, 16, 0)));
        assert!(h.open_throughout(at(2026, 3, 13, 9, 0), at(2026, 3, 13, 21, 0)));
        assert!(!h.open_throughout(at(2026, 3, 13, 20, 0), at(2026, 3, 13, 21, 30)));
        assert!(!h.open_throughout(at(2026, 3, 13, 16, 0), at(2026, 3, 13, 16, 0)));
        assert!(!h.open_throughout(at(2026, 3, 13, 16, 0), at(2026, 3, 13, 15, 0)));
        // Across midnight: Friday open until 21:00 only, so 20:00–01:00 is not.
        assert!(!h.open_throughout(at(2026, 3, 13, 20, 0), at(2026, 3, 14, 1, 0)));
        let bar = BusinessHours::parse("hours", "fri 18:00-24:00; sat 00:00-02:00").unwrap();
        assert!(bar.open_throughout(at(2026, 3, 13, 23, 0), at(2026, 3, 14, 1, 0)));
        assert_eq!(
            h.next_opening(at(2026, 3, 15, 12, 0)),
            Some(at(2026, 3, 16, 9, 0))
        );
        assert_eq!(
            h.next_opening(at(2026, 3, 13, 10, 0)),
            Some(at(2026, 3, 13, 10, 0))
        );
        let never = BusinessHours::parse("hours", "closed").unwrap();
        assert_eq!(never.next_opening(at(2026, 3, 13, 10, 0)), None);
        assert!(!never.is_open_at(Timestamp::MAX) && !never.is_open_at(Timestamp::MIN));
        assert!(!h.open_throughout(Timestamp::MIN, Timestamp::MAX));
    }
}
