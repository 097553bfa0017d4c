//! Business hours: intervals of a day, a day's hours, and the hours of each weekday.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::date::{DateError, MinuteOfDay, Weekday};

/// Why business hours could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    /// An interval must end after it starts.
    #[error("interval {start}-{end} does not end after it starts")]
    EmptyInterval {
        start: MinuteOfDay,
        end: MinuteOfDay,
    },
    /// Two intervals of one day overlap.
    #[error("intervals {first} and {second} overlap")]
    Overlap {
        first: WorkInterval,
        second: WorkInterval,
    },
    /// Text that is not `HH:MM-HH:MM[,HH:MM-HH:MM…]` or `closed`.
    #[error("`{input}` is not business hours: expected HH:MM-HH:MM[,HH:MM-HH:MM…] or closed")]
    Format { input: String },
    /// A bad time of day inside an interval.
    #[error(transparent)]
    Time(#[from] DateError),
}

/// A half-open working interval `[start, end)` within one local day, `start < end`
/// (`end` may be 24:00). Hours that run past midnight are two intervals on consecutive days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkInterval {
    start: MinuteOfDay,
    end: MinuteOfDay,
}

impl WorkInterval {
    /// `[start, end)`; fails unless `start < end`.
    pub fn new(start: MinuteOfDay, end: MinuteOfDay) -> Result<Self, HoursError> {
        if start < end {
            Ok(Self { start, end })
        } else {
            Err(HoursError::EmptyInterval { start, end })
        }
    }

    /// Parses `HH:MM-HH:MM`.
    pub fn parse(s: &str) -> Result<Self, HoursError> {
        let (a, b) = s.trim().split_once('-').ok_or_else(|| HoursError::Format {
            input: s.to_owned(),
        })?;
        Self::new(MinuteOfDay::parse(a)?, MinuteOfDay::parse(b)?)
    }

    /// First working minute.
    pub const fn start(self) -> MinuteOfDay {
        self.start
    }

    /// The minute the interval ends (not itself working).
    pub const fn end(self) -> MinuteOfDay {
        self.end
    }

    /// Working minutes in the interval.
    pub const fn minutes(self) -> u32 {
        self.end.minutes() - self.start.minutes()
    }
}

impl fmt::Display for WorkInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// The working hours of one day: sorted, non-overlapping intervals (touching ones are merged).
/// No intervals means closed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DayHours {
    intervals: Vec<WorkInterval>,
    total: u32,
}

impl DayHours {
    /// Closed all day.
    pub fn closed() -> Self {
        Self::default()
    }

    /// Open 00:00–24:00.
    pub fn all_day() -> Self {
        Self {
            intervals: vec![WorkInterval {
                start: MinuteOfDay::MIDNIGHT,
                end: MinuteOfDay::END_OF_DAY,
            }],
            total: 1440,
        }
    }

    /// One interval `start`–`end`.
    pub fn between(start: MinuteOfDay, end: MinuteOfDay) -> Result<Self, HoursError> {
        Self::new([WorkInterval::new(start, end)?])
    }

    /// Hours from intervals in any order; fails if two overlap. Touching intervals
    /// (`08:00-12:00`, `12:00-18:00`) are merged into one.
    pub fn new(intervals: impl IntoIterator<Item = WorkInterval>) -> Result<Self, HoursError> {
        let mut v: Vec<WorkInterval> = intervals.into_iter().collect();
        v.sort();
        let mut merged: Vec<WorkInterval> = Vec::with_capacity(v.len());
        for iv in v {
            match merged.last_mut() {
                Some(last) if iv.start < last.end => {
                    return Err(HoursError::Overlap {
                        first: *last,
                        second: iv,
                    });
                }
                Some(last) if iv.start == last.end => last.end = iv.end,
                _ => merged.push(iv),
            }
        }
        let total = merged.iter().map(|iv| iv.minutes()).sum();
        Ok(Self {
            intervals: merged,
            total,
        })
    }

    /// Parses `HH:MM-HH:MM[,HH:MM-HH:MM…]`, or `closed` (also `-` or empty) for no hours.
    pub fn parse(s: &str) -> Result<Self, HoursError> {
        let t = s.trim();
        if t.is_empty() || t == "-" || t.eq_ignore_ascii_case("closed") {
            return Ok(Self::closed());
        }
        let ivs = t
            .split(',')
            .map(WorkInterval::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(ivs)
    }

    /// The intervals, sorted.
    pub fn intervals(&self) -> &[WorkInterval] {
        &self.intervals
    }

    /// Working minutes in the day.
    pub fn total_minutes(&self) -> u32 {
        self.total
    }

    /// No working time.
    pub fn is_closed(&self) -> bool {
        self.intervals.is_empty()
    }

    /// Whether the minute starting at `t` is working.
    pub fn contains(&self, t: MinuteOfDay) -> bool {
        self.contains_minute(t.minutes())
    }

    /// First working minute of the day.
    pub fn opening(&self) -> Option<MinuteOfDay> {
        self.intervals.first().map(|iv| iv.start)
    }

    /// End of the last interval of the day.
    pub fn closing(&self) -> Option<MinuteOfDay> {
        self.intervals.last().map(|iv| iv.end)
    }

    pub(crate) fn contains_minute(&self, tod: u32) -> bool {
        self.intervals
            .iter()
            .any(|iv| iv.start.minutes() <= tod && tod < iv.end.minutes())
    }

    /// Working minutes in `[00:00, tod)`.
    pub(crate) fn minutes_before(&self, tod: u32) -> u32 {
        let mut sum = 0;
        for iv in &self.intervals {
            let (s, e) = (iv.start.minutes(), iv.end.minutes());
            if tod <= s {
                break;
            }
            sum += tod.min(e) - s;
        }
        sum
    }

    /// The minute of the day at which the `r`-th working minute of the day ends
    /// (`1 ≤ r ≤ total`); `None` outside that range.
    pub(crate) fn end_of_nth_minute(&self, r: u32) -> Option<u32> {
        if r == 0 {
            return None;
        }
        let mut left = r;
        for iv in &self.intervals {
            let len = iv.minutes();
            if left <= len {
                return Some(iv.start.minutes() + left);
            }
            left -= len;
        }
        None
    }
}

impl fmt::Display for DayHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.intervals.is_empty() {
            return f.write_str("closed");
        }
        for (i, iv) in self.intervals.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{iv}")?;
        }
        Ok(())
    }
}

/// Serialised as its text form (`08:00-12:00,13:00-18:00` or `closed`).
impl Serialize for DayHours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DayHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl FromStr for DayHours {
    type Err = HoursError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Business hours for each day of the week (Monday first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WeeklyHours([DayHours; 7]);

impl WeeklyHours {
    /// The product default (brief, workflow 1): Monday–Friday 08:00–18:00, weekends closed.
    pub fn standard() -> Self {
        let day = DayHours {
            intervals: vec![WorkInterval {
                start: MinuteOfDay::from_raw(480),
                end: MinuteOfDay::from_raw(1080),
            }],
            total: 600,
        };
        let mut w = Self::closed();
        for wd in &Weekday::ALL[..5] {
            w.0[wd.index()] = day.clone();
        }
        w
    }

    /// Open around the clock, every day.
    pub fn all_day() -> Self {
        Self(std::array::from_fn(|_| DayHours::all_day()))
    }

    /// Closed every day.
    pub fn closed() -> Self {
        Self(std::array::from_fn(|_| DayHours::closed()))
    }

    /// From seven days' hours, Monday first.
    pub fn new(days: [DayHours; 7]) -> Self {
        Self(days)
    }

    /// These hours with `weekday`'s replaced.
    pub fn with(mut self, weekday: Weekday, hours: DayHours) -> Self {
        self.0[weekday.index()] = hours;
        self
    }

    /// Replaces `weekday`'s hours.
    pub fn set(&mut self, weekday: Weekday, hours: DayHours) {
        self.0[weekday.index()] = hours;
    }

    /// `weekday`'s hours.
    pub fn get(&self, weekday: Weekday) -> &DayHours {
        &self.0[weekday.index()]
    }

    /// Working minutes in a plain week (no holidays).
    pub fn week_minutes(&self) -> u32 {
        self.0.iter().map(DayHours::total_minutes).sum()
    }
}

impl Default for WeeklyHours {
    fn default() -> Self {
        Self::standard()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_parse_merge_and_reject_overlap() {
        let h = DayHours::parse("13:00-18:00, 08:00-12:00").unwrap();
        assert_eq!(h.to_string(), "08:00-12:00,13:00-18:00");
        assert_eq!(h.total_minutes(), 540);
        let merged = DayHours::parse("08:00-12:00,12:00-18:00").unwrap();
        assert_eq!(merged.to_string(), "08:00-18:00");
        assert!(matches!(
            DayHours::parse("08:00-12:00,11:00-18:00"),
            Err(HoursError::Overlap { .. })
        ));
        assert!(matches!(
            DayHours::parse("18:00-08:00"),
            Err(HoursError::EmptyInterval { .. })
        ));
        assert!(matches!(
            DayHours::parse("08:00"),
            Err(HoursError::Format { .. })
        ));
        assert!(DayHours::parse("closed").unwrap().is_closed());
        assert_eq!(DayHours::parse("00:00-24:00").unwrap(), DayHours::all_day());
    }

    #[test]
    fn minutes_before_and_nth_minute() {
        let h = DayHours::parse("08:00-12:00,13:00-18:00").unwrap();
        assert_eq!(h.minutes_before(0), 0);
        assert_eq!(h.minutes_before(480), 0);
        assert_eq!(h.minutes_before(540), 60);
        assert_eq!(h.minutes_before(750), 240); // 12:30, in the lunch break
        assert_eq!(h.minutes_before(1440), 540);
        assert_eq!(h.end_of_nth_minute(1), Some(481));
        assert_eq!(h.end_of_nth_minute(240), Some(720));
        assert_eq!(h.end_of_nth_minute(241), Some(781));
        assert_eq!(h.end_of_nth_minute(540), Some(1080));
        assert_eq!(h.end_of_nth_minute(541), None);
        assert_eq!(h.end_of_nth_minute(0), None);
        assert!(h.contains(MinuteOfDay::parse("08:00").unwrap()));
        assert!(!h.contains(MinuteOfDay::parse("12:00").unwrap()));
        assert!(!h.contains(MinuteOfDay::parse("18:00").unwrap()));
    }

    #[test]
    fn standard_week() {
        let w = WeeklyHours::standard();
        assert_eq!(w.week_minutes(), 3000);
        assert_eq!(w.get(Weekday::Mon).to_string(), "08:00-18:00");
        assert!(w.get(Weekday::Sat).is_closed());
        assert_eq!(WeeklyHours::all_day().week_minutes(), 7 * 1440);
    }
}
