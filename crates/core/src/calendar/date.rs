//! Local (Asia/Shanghai) dates, weekdays and minutes of the day, and the one conversion between
//! UTC instants and Shanghai local minutes that the whole calendar is built on.
//!
//! Asia/Shanghai has been a fixed UTC+8 since 1991 (no DST), so local time is UTC shifted by
//! eight hours; earlier history is not modelled (the product has no data from before 2020).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Timestamp;
use crate::time::{SHANGHAI_OFFSET_MS, civil_from_days, days_from_civil};

/// Minutes in a day.
pub(crate) const DAY_MINUTES: i64 = 1440;
const MINUTE_MS: i64 = 60_000;
const OFFSET_MINUTES: i64 = SHANGHAI_OFFSET_MS / MINUTE_MS;

/// Why a date, weekday or time of day could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not `YYYY-MM-DD` (or `YYYYMMDD` where that form is accepted).
    #[error("`{input}` is not a date: expected {expected}")]
    Format {
        input: String,
        expected: &'static str,
    },
    /// Years outside 1–9999 are not dates this product handles.
    #[error("year {year} is outside 1–9999")]
    YearOutOfRange { year: i64 },
    /// Month outside 1–12.
    #[error("month {month} is outside 1–12")]
    MonthOutOfRange { month: u32 },
    /// Day outside the month's length.
    #[error("{year:04}-{month:02} has no day {day}")]
    DayOutOfRange { year: i32, month: u32, day: u32 },
    /// A time of day that is not `HH:MM` within 00:00–24:00.
    #[error("`{input}` is not a time of day: expected HH:MM between 00:00 and 24:00")]
    TimeOfDay { input: String },
    /// A weekday name that is not one of mon…sun (or the full English names).
    #[error("`{input}` is not a weekday: expected mon, tue, wed, thu, fri, sat or sun")]
    Weekday { input: String },
}

/// A day of the week. `Mon` is index 0, `Sun` index 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// All weekdays, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// Monday = 0 … Sunday = 6.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The weekday with `index` (taken modulo 7, so any value works).
    pub const fn from_index(index: usize) -> Weekday {
        Self::ALL[index % 7]
    }

    /// Saturday or Sunday.
    pub const fn is_weekend(self) -> bool {
        matches!(self, Weekday::Sat | Weekday::Sun)
    }

    /// Lowercase full English name (`monday` … `sunday`).
    pub const fn full_name(self) -> &'static str {
        match self {
            Weekday::Mon => "monday",
            Weekday::Tue => "tuesday",
            Weekday::Wed => "wednesday",
            Weekday::Thu => "thursday",
            Weekday::Fri => "friday",
            Weekday::Sat => "saturday",
            Weekday::Sun => "sunday",
        }
    }

    /// Lowercase three-letter English name (`mon` … `sun`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Weekday {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        Weekday::ALL
            .into_iter()
            .find(|w| t == w.as_str() || t == w.full_name())
            .ok_or_else(|| DateError::Weekday {
                input: s.to_owned(),
            })
    }
}

/// Weekday of day number `day` (days since 1970-01-01, a Thursday), Monday = 0.
pub(crate) fn weekday_index(day: i64) -> usize {
    // rem_euclid(7) is in 0..7, so the cast cannot truncate.
    (day + 3).rem_euclid(7) as usize
}

/// A calendar date in Asia/Shanghai, 0001-01-01 to 9999-12-31. Holding one means it is a real
/// date: `new` and `parse` are the only constructors and check it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDate(i32);

/// Days since 1970-01-01 of 0001-01-01.
const MIN_DAYS: i64 = -719_162;
/// Days since 1970-01-01 of 9999-12-31.
const MAX_DAYS: i64 = 2_932_896;

impl LocalDate {
    /// 0001-01-01.
    pub const MIN: LocalDate = LocalDate(MIN_DAYS as i32);
    /// 9999-12-31.
    pub const MAX: LocalDate = LocalDate(MAX_DAYS as i32);

    /// The date `year-month-day`, checked (Gregorian, leap years included).
    pub fn new(year: i32, month: u32, day: u32) -> Result<Self, DateError> {
        if !(1..=9999).contains(&year) {
            return Err(DateError::YearOutOfRange {
                year: i64::from(year),
            });
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::MonthOutOfRange { month });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::DayOutOfRange { year, month, day });
        }
        let days = days_from_civil(i64::from(year), month, day);
        // Within MIN_DAYS..=MAX_DAYS by the checks above, so it fits an i32.
        Ok(Self(days as i32))
    }

    /// Parses `YYYY-MM-DD` (exactly four, two and two digits).
    pub fn parse(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        let ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !ok {
            return Err(DateError::Format {
                input: s.to_owned(),
                expected: "YYYY-MM-DD",
            });
        }
        Self::new(digits(&b[0..4]) as i32, digits(&b[5..7]), digits(&b[8..10]))
    }

    /// Parses the basic form `YYYYMMDD` (iCalendar `DATE` values).
    pub fn parse_basic(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
            return Err(DateError::Format {
                input: s.to_owned(),
                expected: "YYYYMMDD",
            });
        }
        Self::new(digits(&b[0..4]) as i32, digits(&b[4..6]), digits(&b[6..8]))
    }

    /// The date `days` days after 1970-01-01 (negative: before), if within 0001–9999.
    pub fn from_days(days: i64) -> Option<Self> {
        (MIN_DAYS..=MAX_DAYS)
            .contains(&days)
            .then_some(Self(days as i32))
    }

    /// Days since 1970-01-01 (negative before it).
    pub const fn days(self) -> i64 {
        self.0 as i64
    }

    /// The Shanghai local date containing instant `ts` (the instant itself, not rounded), if
    /// within 0001–9999.
    pub fn of_timestamp(ts: Timestamp) -> Option<Self> {
        let local = i128::from(ts.millis()) + i128::from(SHANGHAI_OFFSET_MS);
        let days = local.div_euclid(86_400_000);
        i64::try_from(days).ok().and_then(Self::from_days)
    }

    /// `(year, month, day)`.
    pub fn ymd(self) -> (i32, u32, u32) {
        let (y, m, d) = civil_from_days(self.days());
        // The year of a LocalDate is within 1..=9999.
        (y as i32, m, d)
    }

    /// The year (1–9999).
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// The month (1–12).
    pub fn month(self) -> u32 {
        self.ymd().1
    }

    /// The day of the month (1–31).
    pub fn day(self) -> u32 {
        self.ymd().2
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        Weekday::from_index(weekday_index(self.days()))
    }

    /// The date `n` days later (earlier for negative `n`), if still within 0001–9999.
    pub fn add_days(self, n: i64) -> Option<Self> {
        self.days().checked_add(n).and_then(Self::from_days)
    }

    /// Days from `earlier` to `self` (negative if `self` is before `earlier`).
    pub fn days_since(self, earlier: LocalDate) -> i64 {
        self.days() - earlier.days()
    }

    /// The next day, if any.
    pub fn succ(self) -> Option<Self> {
        self.add_days(1)
    }

    /// The previous day, if any.
    pub fn pred(self) -> Option<Self> {
        self.add_days(-1)
    }

    /// The instant at local time `time` on this date (24:00 is the next day's 00:00).
    pub fn at(self, time: MinuteOfDay) -> Timestamp {
        timestamp_of_local_minute(self.days() * DAY_MINUTES + i64::from(time.minutes()))
    }

    /// The instant this date starts (local midnight).
    pub fn start(self) -> Timestamp {
        self.at(MinuteOfDay::MIDNIGHT)
    }

    /// `YYYYMMDD`, the iCalendar `DATE` form.
    pub fn to_basic(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}{m:02}{d:02}")
    }
}

/// The value of at most four ASCII digits (callers checked them).
fn digits(b: &[u8]) -> u32 {
    b.iter()
        .fold(0_u32, |acc, c| acc * 10 + u32::from(c.wrapping_sub(b'0')))
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1–12) of `year`; 0 for a month outside 1–12.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for LocalDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for LocalDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A local time of day in whole minutes, 00:00 to 24:00 inclusive (24:00 ends a day and is used
/// as the end of an interval that runs to midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MinuteOfDay(u16);

impl MinuteOfDay {
    /// 00:00.
    pub const MIDNIGHT: MinuteOfDay = MinuteOfDay(0);
    /// 24:00, the end of the day.
    pub const END_OF_DAY: MinuteOfDay = MinuteOfDay(1440);

    /// `hour:minute`, with 24:00 allowed and nothing past it.
    pub fn new(hour: u32, minute: u32) -> Result<Self, DateError> {
        if minute < 60 && (hour < 24 || (hour == 24 && minute == 0)) {
            // At most 1440, fits a u16.
            Ok(Self((hour * 60 + minute) as u16))
        } else {
            Err(DateError::TimeOfDay {
                input: format!("{hour:02}:{minute:02}"),
            })
        }
    }

    /// The time `minutes` after midnight, if at most 1440.
    pub fn from_minutes(minutes: u32) -> Option<Self> {
        (minutes <= 1440).then_some(Self(minutes as u16))
    }

    /// For constants inside the crate: `m` must be at most 1440.
    pub(crate) const fn from_raw(m: u16) -> Self {
        debug_assert!(m <= 1440);
        Self(if m > 1440 { 1440 } else { m })
    }

    /// Parses `HH:MM` (or `H:MM`), 00:00 to 24:00.
    pub fn parse(s: &str) -> Result<Self, DateError> {
        let err = || DateError::TimeOfDay {
            input: s.to_owned(),
        };
        let t = s.trim();
        let (h, m) = t.split_once(':').ok_or_else(err)?;
        let num = |x: &str, max_len: usize| {
            if x.is_empty() || x.len() > max_len || !x.bytes().all(|c| c.is_ascii_digit()) {
                None
            } else {
                x.parse::<u32>().ok()
            }
        };
        match (num(h, 2), num(m, 2)) {
            (Some(h), Some(mi)) if m.len() == 2 => Self::new(h, mi).map_err(|_| err()),
            _ => Err(err()),
        }
    }

    /// Minutes after midnight, 0–1440.
    pub const fn minutes(self) -> u32 {
        self.0 as u32
    }

    /// The hour (0–24).
    pub const fn hour(self) -> u32 {
        self.0 as u32 / 60
    }

    /// The minute within the hour (0–59).
    pub const fn minute(self) -> u32 {
        self.0 as u32 % 60
    }
}

impl fmt::Display for MinuteOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl FromStr for MinuteOfDay {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The rounding rule of the whole calendar: an instant is rounded **up** to the next whole
/// minute (an instant already on a minute boundary is unchanged), then expressed as minutes since
/// 1970-01-01 00:00 Shanghai local time. A partial minute therefore never counts as working time.
pub(crate) fn local_minute_ceil(ts: Timestamp) -> i64 {
    let ms = ts.millis();
    let q = ms.div_euclid(MINUTE_MS);
    let ceil = if ms.rem_euclid(MINUTE_MS) > 0 {
        q + 1
    } else {
        q
    };
    // |ceil| ≤ 1.6e14, far from overflow.
    ceil + OFFSET_MINUTES
}

/// The instant at local minute `m`, saturating at the ends of the `Timestamp` range.
pub(crate) fn timestamp_of_local_minute(m: i64) -> Timestamp {
    let utc_minutes = i128::from(m) - i128::from(OFFSET_MINUTES);
    let ms = utc_minutes * i128::from(MINUTE_MS);
    let clamped = ms.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    // Clamped into the i64 range just above.
    Timestamp::from_millis(clamped as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_check() {
        let d = LocalDate::parse("2024-02-29").unwrap();
        assert_eq!(d.ymd(), (2024, 2, 29));
        assert_eq!(d.weekday(), Weekday::Thu);
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(LocalDate::parse_basic("20240229").unwrap(), d);
        assert!(matches!(
            LocalDate::parse("2023-02-29"),
            Err(DateError::DayOutOfRange { .. })
        ));
        assert!(matches!(
            LocalDate::parse("2023-13-01"),
            Err(DateError::MonthOutOfRange { .. })
        ));
        assert!(matches!(
            LocalDate::parse("0000-01-01"),
            Err(DateError::YearOutOfRange { .. })
        ));
        for bad in [
            "2024-2-29",
            "2024/02/29",
            "",
            "20240229",
            "2024-02-2x",
            "２０２４-02-29",
        ] {
            assert!(
                matches!(LocalDate::parse(bad), Err(DateError::Format { .. })),
                "{bad}"
            );
        }
        assert_eq!(LocalDate::MIN.to_string(), "0001-01-01");
        assert_eq!(LocalDate::MAX.to_string(), "9999-12-31");
        assert_eq!(LocalDate::MAX.succ(), None);
        assert_eq!(LocalDate::MIN.pred(), None);
        assert_eq!(LocalDate::from_days(0).unwrap().to_string(), "1970-01-01");
        assert_eq!(LocalDate::from_days(0).unwrap().weekday(), Weekday::Thu);
    }

    #[test]
    fn local_dates_of_instants() {
        // 2024-01-31T16:00:00Z is 2024-02-01 00:00 in Shanghai.
        let ts = Timestamp::from_millis(1_706_716_800_000);
        assert_eq!(
            LocalDate::of_timestamp(ts).unwrap().to_string(),
            "2024-02-01"
        );
        let before = Timestamp::from_millis(1_706_716_800_000 - 1);
        assert_eq!(
            LocalDate::of_timestamp(before).unwrap().to_string(),
            "2024-01-31"
        );
        let d = LocalDate::parse("2024-02-01").unwrap();
        assert_eq!(d.start(), ts);
        assert_eq!(LocalDate::of_timestamp(Timestamp::MAX), None);
        assert_eq!(LocalDate::of_timestamp(Timestamp::MIN), None);
    }

    #[test]
    fn minutes_of_day() {
        assert_eq!(MinuteOfDay::parse("08:30").unwrap().minutes(), 510);
        assert_eq!(
            MinuteOfDay::parse("24:00").unwrap(),
            MinuteOfDay::END_OF_DAY
        );
        assert_eq!(MinuteOfDay::parse("8:05").unwrap().to_string(), "08:05");
        for bad in [
            "24:01", "25:00", "08:60", "0800", "08:5", ":30", "-1:00", "08:00:00",
        ] {
            assert!(MinuteOfDay::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekdays_parse() {
        assert_eq!("Mon".parse::<Weekday>().unwrap(), Weekday::Mon);
        assert_eq!("saturday".parse::<Weekday>().unwrap(), Weekday::Sat);
        assert!("mond".parse::<Weekday>().is_err());
        assert!("x".parse::<Weekday>().is_err());
    }

    #[test]
    fn rounding_is_up_to_the_minute_and_saturates() {
        let t = Timestamp::from_millis(0);
        assert_eq!(local_minute_ceil(t), 480);
        assert_eq!(local_minute_ceil(Timestamp::from_millis(1)), 481);
        assert_eq!(local_minute_ceil(Timestamp::from_millis(-1)), 480);
        assert_eq!(local_minute_ceil(Timestamp::from_millis(-60_000)), 479);
        assert_eq!(timestamp_of_local_minute(480), t);
        assert_eq!(timestamp_of_local_minute(i64::MAX), Timestamp::MAX);
        assert_eq!(timestamp_of_local_minute(i64::MIN), Timestamp::MIN);
        let top = local_minute_ceil(Timestamp::MAX);
        assert_eq!(timestamp_of_local_minute(top), Timestamp::MAX);
        let bottom = local_minute_ceil(Timestamp::MIN);
        assert!(timestamp_of_local_minute(bottom) >= Timestamp::MIN);
    }
}
