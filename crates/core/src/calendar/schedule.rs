//! The national holiday schedule: one State Council arrangement per year, its days off and its
//! make-up working days (调休上班), parsed from the text format documented in
//! `crates/core/data/cn-holidays.txt`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::date::{DateError, LocalDate, Weekday};

/// Whether a day is worked or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    /// A working day.
    Work,
    /// A day off.
    Off,
}

impl DayKind {
    /// `work` or `off`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DayKind::Work => "work",
            DayKind::Off => "off",
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that is neither `work` nor `off`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a day kind: expected off or work")]
pub struct DayKindError(pub String);

impl FromStr for DayKind {
    type Err = DayKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("work") {
            Ok(DayKind::Work)
        } else if t.eq_ignore_ascii_case("off") {
            Ok(DayKind::Off)
        } else {
            Err(DayKindError(s.to_owned()))
        }
    }
}

/// One dated line of a schedule or an import: a day off or a day worked, with its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayEntry {
    pub date: LocalDate,
    pub kind: DayKind,
    /// The holiday's name (e.g. `春节 Spring Festival`); may be empty in imports.
    pub name: String,
}

impl DayEntry {
    /// An entry.
    pub fn new(date: LocalDate, kind: DayKind, name: impl Into<String>) -> Self {
        Self {
            date,
            kind,
            name: name.into(),
        }
    }
}

/// A rule a schedule broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The first word of a line is not a directive.
    #[error("unknown directive `{0}`: expected year, source, off or work")]
    UnknownDirective(String),
    /// A `source`, `off` or `work` line before any `year` line.
    #[error("`{0}` before any `year` line")]
    BeforeYear(&'static str),
    /// A `year` line whose year is not four digits in 1–9999.
    #[error("`{0}` is not a year: expected YYYY")]
    BadYear(String),
    /// A year given twice in one text.
    #[error("year {year} appears twice (first on line {first_line})")]
    DuplicateYear { year: i32, first_line: usize },
    /// A bad date.
    #[error(transparent)]
    Date(#[from] DateError),
    /// `A..B` with B before A.
    #[error("range {start}..{end} ends before it starts")]
    ReversedRange { start: LocalDate, end: LocalDate },
    /// A range longer than 31 days (no holiday is; likely a typo).
    #[error("range {start}..{end} is longer than 31 days")]
    RangeTooLong { start: LocalDate, end: LocalDate },
    /// A range on a `work` line (make-up days are listed one per line).
    #[error("a work line takes one date, not a range")]
    WorkRange,
    /// A line without the holiday name.
    #[error("the holiday name is missing")]
    MissingName,
    /// A `source` line without text, or a year given with an empty source.
    #[error("the source text is missing")]
    EmptySource,
    /// A `year` line with text after the year.
    #[error("unexpected text after the year: `{0}`")]
    TrailingText(String),
    /// A year without any `source`.
    #[error("year {year} names no source (add a `source` line naming the notice)")]
    NoSource { year: i32 },
    /// A date outside its year's window.
    #[error("{date} is outside year {year} (allowed: 1 December {} to 31 December {year})", year - 1)]
    OutsideYear { date: LocalDate, year: i32 },
    /// A `work` day that is not a Saturday or Sunday.
    #[error("{date} is a {weekday}: a make-up working day must be a Saturday or Sunday")]
    WorkOnWeekday { date: LocalDate, weekday: Weekday },
    /// A date listed twice in one year.
    #[error("{date} is listed twice{}", first_line.map(|l| format!(" (first on line {l})")).unwrap_or_default())]
    DuplicateDate {
        date: LocalDate,
        first_line: Option<usize>,
    },
}

/// A schedule text that broke a rule on a line (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {error}")]
pub struct ScheduleParseError {
    pub line: usize,
    pub error: ScheduleError,
}

/// One year's arrangement: its sources and its dated entries (sorted, one per date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearSchedule {
    year: i32,
    sources: Vec<String>,
    entries: Vec<DayEntry>,
}

/// The earliest and latest date an arrangement for `year` may list.
fn window(year: i32) -> (LocalDate, LocalDate) {
    let start = LocalDate::new(year - 1, 12, 1).unwrap_or(LocalDate::MIN);
    let end = LocalDate::new(year, 12, 31).unwrap_or(LocalDate::MAX);
    (start, end)
}

fn check_entry(year: i32, e: &DayEntry) -> Result<(), ScheduleError> {
    let (lo, hi) = window(year);
    if e.date < lo || e.date > hi {
        return Err(ScheduleError::OutsideYear { date: e.date, year });
    }
    if e.kind == DayKind::Work && !e.date.weekday().is_weekend() {
        return Err(ScheduleError::WorkOnWeekday {
            date: e.date,
            weekday: e.date.weekday(),
        });
    }
    if e.name.trim().is_empty() {
        return Err(ScheduleError::MissingName);
    }
    Ok(())
}

impl YearSchedule {
    /// A year's arrangement, checked: `year` in 1–9999, at least one non-empty source, every
    /// entry named, dated 1 December of the year before to 31 December of the year, `work`
    /// only on a Saturday or Sunday, no date twice.
    pub fn new(
        year: i32,
        sources: impl IntoIterator<Item = String>,
        entries: impl IntoIterator<Item = DayEntry>,
    ) -> Result<Self, ScheduleError> {
        if !(1..=9999).contains(&year) {
            return Err(ScheduleError::BadYear(year.to_string()));
        }
        let sources: Vec<String> = sources.into_iter().map(|s| s.trim().to_owned()).collect();
        if sources.iter().any(String::is_empty) {
            return Err(ScheduleError::EmptySource);
        }
        if sources.is_empty() {
            return Err(ScheduleError::NoSource { year });
        }
        let mut entries: Vec<DayEntry> = entries.into_iter().collect();
        for e in &mut entries {
            e.name = e.name.trim().to_owned();
            check_entry(year, e)?;
        }
        entries.sort_by_key(|e| e.date);
        if let Some(w) = entries.windows(2).find(|w| w[0].date == w[1].date) {
            return Err(ScheduleError::DuplicateDate {
                date: w[0].date,
                first_line: None,
            });
        }
        Ok(Self {
            year,
            sources,
            entries,
        })
    }

    /// The year the arrangement is for.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The notices it comes from.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// Its entries, sorted by date.
    pub fn entries(&self) -> &[DayEntry] {
        &self.entries
    }
}

/// The national schedule: the arrangements of the years loaded. A year not loaded is
/// provisional (see the module documentation of [`crate::calendar`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct HolidaySchedule {
    years: BTreeMap<i32, YearSchedule>,
}

const BUILTIN_TEXT: &str = include_str!("../../data/cn-holidays.txt");

impl HolidaySchedule {
    /// No years: every year provisional.
    pub fn new() -> Self {
        Self::default()
    }

    /// The schedule shipped with the product (`crates/core/data/cn-holidays.txt`: 2020–2026).
    /// The text is tested to parse; were it ever broken, this returns an empty schedule, so
    /// every year would be provisional rather than wrongly settled.
    pub fn builtin() -> Self {
        static BUILTIN: OnceLock<HolidaySchedule> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Self::parse(BUILTIN_TEXT).unwrap_or_default())
            .clone()
    }

    /// The text of the built-in schedule (the format's reference example).
    pub fn builtin_text() -> &'static str {
        BUILTIN_TEXT
    }

    /// Parses the schedule format (see `crates/core/data/cn-holidays.txt` for the grammar).
    /// Pure: the first broken rule is returned with its 1-based line number.
    pub fn parse(text: &str) -> Result<Self, ScheduleParseError> {
        Parser::default().run(text)
    }

    /// Adds or replaces one year's arrangement; returns the one it replaced.
    pub fn insert_year(&mut self, year: YearSchedule) -> Option<YearSchedule> {
        self.years.insert(year.year, year)
    }

    /// This schedule with `year` added or replaced.
    pub fn with_year(mut self, year: YearSchedule) -> Self {
        self.insert_year(year);
        self
    }

    /// Adds every year of `other`, replacing years present in both (newer text wins).
    pub fn merge(&mut self, other: HolidaySchedule) {
        self.years.extend(other.years);
    }

    /// Removes a year's arrangement, making it provisional again.
    pub fn remove_year(&mut self, year: i32) -> Option<YearSchedule> {
        self.years.remove(&year)
    }

    /// The arrangement for `year`, if loaded.
    pub fn year(&self, year: i32) -> Option<&YearSchedule> {
        self.years.get(&year)
    }

    /// Whether `year`'s arrangement is loaded.
    pub fn contains_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The years loaded, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Every year's arrangement, ascending.
    pub fn iter(&self) -> impl Iterator<Item = &YearSchedule> + '_ {
        self.years.values()
    }

    /// Whether no year is loaded.
    pub fn is_empty(&self) -> bool {
        self.years.is_empty()
    }

    /// The schedule in its text format; `parse(to_text())` gives it back. Consecutive days off
    /// with the same name are written as one range.
    pub fn to_text(&self) -> String {
        let mut out = String::from("# posdesk national working-day schedule\n");
        for y in self.years.values() {
            out.push_str(&format!("\nyear {:04}\n", y.year));
            for s in &y.sources {
                out.push_str(&format!("source {s}\n"));
            }
            let mut i = 0;
            while i < y.entries.len() {
                let e = &y.entries[i];
                match e.kind {
                    DayKind::Work => {
                        out.push_str(&format!("work {} {}\n", e.date, e.name));
                        i += 1;
                    }
                    DayKind::Off => {
                        let mut j = i;
                        while j + 1 < y.entries.len() && {
                            let n = &y.entries[j + 1];
                            n.kind == DayKind::Off
                                && n.name == e.name
                                && Some(n.date) == y.entries[j].date.succ()
                                && j + 1 - i < 31
                        } {
                            j += 1;
                        }
                        if j == i {
                            out.push_str(&format!("off {} {}\n", e.date, e.name));
                        } else {
                            out.push_str(&format!(
                                "off {}..{} {}\n",
                                e.date, y.entries[j].date, e.name
                            ));
                        }
                        i = j + 1;
                    }
                }
            }
        }
        out
    }
}

struct OpenYear {
    year: i32,
    line: usize,
    sources: Vec<String>,
    entries: Vec<DayEntry>,
    seen: HashMap<LocalDate, usize>,
}

#[derive(Default)]
struct Parser {
    years: BTreeMap<i32, YearSchedule>,
    year_lines: HashMap<i32, usize>,
    open: Option<OpenYear>,
}

/// Splits off the first whitespace-separated word.
fn word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

impl Parser {
    fn run(mut self, text: &str) -> Result<HolidaySchedule, ScheduleParseError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            self.line(raw, line)
                .map_err(|error| ScheduleParseError { line, error })?;
        }
        self.close()?;
        Ok(HolidaySchedule { years: self.years })
    }

    fn close(&mut self) -> Result<(), ScheduleParseError> {
        if let Some(y) = self.open.take() {
            if y.sources.is_empty() {
                return Err(ScheduleParseError {
                    line: y.line,
                    error: ScheduleError::NoSource { year: y.year },
                });
            }
            let mut entries = y.entries;
            entries.sort_by_key(|e| e.date);
            self.years.insert(
                y.year,
                YearSchedule {
                    year: y.year,
                    sources: y.sources,
                    entries,
                },
            );
        }
        Ok(())
    }

    fn line(&mut self, raw: &str, line: usize) -> Result<(), ScheduleError> {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            return Ok(());
        }
        let (directive, rest) = word(t);
        match directive {
            "year" => {
                let (y, tail) = word(rest);
                if !tail.is_empty() {
                    return Err(ScheduleError::TrailingText(tail.to_owned()));
                }
                let year = (y.len() == 4 && y.bytes().all(|c| c.is_ascii_digit()))
                    .then(|| y.parse::<i32>().ok())
                    .flatten()
                    .filter(|y| *y >= 1)
                    .ok_or_else(|| ScheduleError::BadYear(y.to_owned()))?;
                if let Some(&first_line) = self.year_lines.get(&year) {
                    return Err(ScheduleError::DuplicateYear { year, first_line });
                }
                self.close().map_err(|e| e.error)?;
                self.year_lines.insert(year, line);
                self.open = Some(OpenYear {
                    year,
                    line,
                    sources: Vec::new(),
                    entries: Vec::new(),
                    seen: HashMap::new(),
                });
                Ok(())
            }
            "source" => {
                let y = self
                    .open
                    .as_mut()
                    .ok_or(ScheduleError::BeforeYear("source"))?;
                if rest.is_empty() {
                    return Err(ScheduleError::EmptySource);
                }
                y.sources.push(rest.to_owned());
                Ok(())
            }
            "off" | "work" => {
                let kind = if directive == "off" {
                    DayKind::Off
                } else {
                    DayKind::Work
                };
                let y = self.open.as_mut().ok_or(ScheduleError::BeforeYear(
                    if kind == DayKind::Off { "off" } else { "work" },
                ))?;
                let (dates, name) = word(rest);
                let (start, end) = match dates.split_once("..") {
                    Some(_) if kind == DayKind::Work => return Err(ScheduleError::WorkRange),
                    Some((a, b)) => (LocalDate::parse(a)?, LocalDate::parse(b)?),
                    None => {
                        let d = LocalDate::parse(dates)?;
                        (d, d)
                    }
                };
                if end < start {
                    return Err(ScheduleError::ReversedRange { start, end });
                }
                if end.days() - start.days() >= 31 {
                    return Err(ScheduleError::RangeTooLong { start, end });
                }
                if name.is_empty() {
                    return Err(ScheduleError::MissingName);
                }
                let mut d = start;
                loop {
                    let e = DayEntry::new(d, kind, name);
                    check_entry(y.year, &e)?;
                    if let Some(&first) = y.seen.get(&d) {
                        return Err(ScheduleError::DuplicateDate {
                            date: d,
                            first_line: Some(first),
                        });
                    }
                    y.seen.insert(d, line);
                    y.entries.push(e);
                    match d.succ() {
                        Some(n) if n <= end => d = n,
                        _ => break,
                    }
                }
                Ok(())
            }
            other => Err(ScheduleError::UnknownDirective(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ScheduleParseError {
        HolidaySchedule::parse(text).unwrap_err()
    }

    #[test]
    fn builtin_parses_and_covers_2020_to_2026() {
        let s = HolidaySchedule::parse(BUILTIN_TEXT).unwrap();
        assert_eq!(
            s.years().collect::<Vec<_>>(),
            (2020..=2026).collect::<Vec<_>>()
        );
        assert_eq!(s, HolidaySchedule::builtin());
        // Days off and weekend days worked per year, counted from the notices by hand:
        // 2020: 1 + 10 (1/24–2/2) + 3 + 5 + 3 + 8 = 30 off; 1/19, 4/26, 5/9, 6/28, 9/27, 10/10.
        // 2021: 3 + 7 + 3 + 5 + 3 + 3 + 7 = 31; 2/7, 2/20, 4/25, 5/8, 9/18, 9/26, 10/9.
        // 2022: 3 + 7 + 3 + 5 + 3 + 3 + 7 = 31; 1/29, 1/30, 4/2, 4/24, 5/7, 10/8, 10/9.
        // 2023: 3 (from 2022-12-31) + 7 + 1 + 5 + 3 + 8 = 27; 1/28, 1/29, 4/23, 5/6, 6/25, 10/7, 10/8.
        // 2024: 1 + 8 + 3 + 5 + 1 + 3 + 7 = 28; 2/4, 2/18, 4/7, 4/28, 5/11, 9/14, 9/29, 10/12.
        // 2025: 1 + 8 + 3 + 5 + 3 + 8 = 28; 1/26, 2/8, 4/27, 9/28, 10/11.
        // 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 = 33; 1/4, 2/14, 2/28, 5/9, 9/20, 10/10.
        let expected = [
            (2020, 30, 6),
            (2021, 31, 7),
            (2022, 31, 7),
            (2023, 27, 7),
            (2024, 28, 8),
            (2025, 28, 5),
            (2026, 33, 6),
        ];
        for (year, off, work) in expected {
            let y = s.year(year).unwrap();
            let count = |k| y.entries().iter().filter(|e| e.kind == k).count();
            assert_eq!(
                (count(DayKind::Off), count(DayKind::Work)),
                (off, work),
                "{year}"
            );
            assert!(y.sources()[0].starts_with("国办发明电〔"), "{year}");
        }
    }

    #[test]
    fn text_round_trips() {
        let s = HolidaySchedule::builtin();
        let again = HolidaySchedule::parse(&s.to_text()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn errors_name_line_and_rule() {
        let e = err("off 2024-01-01 元旦");
        assert_eq!(e.line, 1);
        assert_eq!(e.error, ScheduleError::BeforeYear("off"));

        let e = err("year 2027\nsource x\n\nholiday 2027-01-01 元旦");
        assert_eq!(e.line, 4);
        assert_eq!(e.error, ScheduleError::UnknownDirective("holiday".into()));

        let e = err("year 2027\noff 2027-01-01 元旦\n");
        assert_eq!(
            (e.line, &e.error),
            (1, &ScheduleError::NoSource { year: 2027 })
        );

        let e = err("year 2027\nsource x\nwork 2027-01-04 x\n");
        assert_eq!(e.line, 3);
        assert!(matches!(
            e.error,
            ScheduleError::WorkOnWeekday {
                weekday: Weekday::Mon,
                ..
            }
        ));

        let e = err("year 2027\nsource x\noff 2027-02-30 x\n");
        assert_eq!(e.line, 3);
        assert!(matches!(
            e.error,
            ScheduleError::Date(DateError::DayOutOfRange { .. })
        ));

        let e = err("year 2027\nsource x\noff 2027-02-03..2027-02-01 x\n");
        assert!(matches!(e.error, ScheduleError::ReversedRange { .. }));

        let e = err("year 2027\nsource x\noff 2027-01-01..2027-03-01 x\n");
        assert!(matches!(e.error, ScheduleError::RangeTooLong { .. }));

        let e = err("year 2027\nsource x\noff 2027-01-01\n");
        assert_eq!(e.error, ScheduleError::MissingName);

        let e = err("year 2027\nsource x\noff 2026-11-30 x\n");
        assert!(matches!(
            e.error,
            ScheduleError::OutsideYear { year: 2027, .. }
        ));
        assert!(e.to_string().contains("1 December 2026"), "{e}");

        let e = err("year 2027\nsource x\noff 2027-01-01..2027-01-03 x\noff 2027-01-02 y\n");
        assert_eq!(e.line, 4);
        assert!(matches!(
            e.error,
            ScheduleError::DuplicateDate {
                first_line: Some(3),
                ..
            }
        ));
        assert!(
            e.to_string()
                .starts_with("line 4: 2027-01-02 is listed twice (first on line 3)")
        );

        let e = err("year 2027\nsource x\nyear 2027\nsource y\n");
        assert_eq!(
            e.error,
            ScheduleError::DuplicateYear {
                year: 2027,
                first_line: 1
            }
        );

        let e = err("year 27\n");
        assert_eq!(e.error, ScheduleError::BadYear("27".into()));
        let e = err("year 2027 extra\n");
        assert!(matches!(e.error, ScheduleError::TrailingText(_)));
        let e = err("year 2027\nsource\n");
        assert_eq!(e.error, ScheduleError::EmptySource);
        let e = err("year 2027\nsource x\nwork 2027-01-02..2027-01-03 x\n");
        assert_eq!(e.error, ScheduleError::WorkRange);
    }

    #[test]
    fn a_december_start_belongs_to_the_next_year() {
        let s = HolidaySchedule::parse(
            "\u{feff}year 2027\nsource test\noff 2026-12-31..2027-01-02 元旦\n",
        )
        .unwrap();
        let y = s.year(2027).unwrap();
        assert_eq!(y.entries().len(), 3);
        assert_eq!(y.entries()[0].date.to_string(), "2026-12-31");
    }

    #[test]
    fn years_merge_and_replace() {
        let mut s = HolidaySchedule::builtin();
        let y2027 = YearSchedule::new(
            2027,
            ["test notice".to_owned()],
            [DayEntry::new(
                LocalDate::parse("2027-01-01").unwrap(),
                DayKind::Off,
                "元旦",
            )],
        )
        .unwrap();
        assert!(s.insert_year(y2027.clone()).is_none());
        assert!(s.contains_year(2027));
        assert_eq!(s.insert_year(y2027), s.year(2027).cloned());
        let mut other = HolidaySchedule::new();
        other.insert_year(YearSchedule::new(2020, ["replacement".to_owned()], Vec::new()).unwrap());
        s.merge(other);
        assert_eq!(s.year(2020).unwrap().entries().len(), 0);
        assert!(s.remove_year(2020).is_some());
        assert!(!s.contains_year(2020));
        assert!(matches!(
            YearSchedule::new(2027, Vec::<String>::new(), Vec::new()),
            Err(ScheduleError::NoSource { year: 2027 })
        ));
        let d = LocalDate::parse("2027-01-01").unwrap();
        assert!(matches!(
            YearSchedule::new(
                2027,
                ["x".to_owned()],
                [
                    DayEntry::new(d, DayKind::Off, "a"),
                    DayEntry::new(d, DayKind::Off, "b")
                ]
            ),
            Err(ScheduleError::DuplicateDate {
                first_line: None,
                ..
            })
        ));
    }
}
