//! Importing and exporting dated day lists (days off, days worked) as iCalendar or CSV.
//!
//! Pure text in, typed error naming the line and the rule out; no I/O. The entries feed an
//! [`OverrideLayer`](super::OverrideLayer) (a provider's or a service point's own days) or a
//! [`YearSchedule`](super::YearSchedule) (a national arrangement).
//!
//! **CSV**: `date,kind,name` — `YYYY-MM-DD`, `off` or `work` (any case), an optional name.
//! A header row whose first field is `date` is skipped; a UTF-8 byte-order mark is ignored;
//! fields may be quoted (RFC 4180, parsed by the `csv` crate); lines starting with `#` are
//! comments.
//!
//! **iCalendar** (RFC 5545): each `VEVENT` with an all-day `DTSTART;VALUE=DATE:YYYYMMDD`
//! (also accepted without `VALUE=DATE` when the value is 8 digits) and either
//! `DTEND;VALUE=DATE` (exclusive, so a multi-day event covers `DTSTART..DTEND-1`),
//! `DURATION:PnD`/`PnW`, or neither (one day). `SUMMARY` becomes the name. The kind is taken
//! from `X-POSDESK-KIND:off|work` (what [`to_ical`] writes), else from `CATEGORIES`
//! containing `WORK` or `OFF`, else from the summary: one containing `班` (上班, 补班) or
//! `workday`/`working day`/`make-up` is a working day, any other event is a day off. Events
//! with `STATUS:CANCELLED` are skipped; recurring events (`RRULE`, `RDATE`) and timed events are
//! refused. Lines may end in CRLF or LF and are unfolded (RFC 5545 §3.1) before parsing;
//! components other than `VEVENT` (and anything nested in one, such as `VALARM`) are ignored.
//!
//! The same date twice with the same kind is kept once (the first name wins); with different
//! kinds it is an error naming both lines.

use std::collections::BTreeMap;

use super::date::{DateError, LocalDate};
use super::schedule::{DayEntry, DayKind, DayKindError};
use crate::Timestamp;

/// The longest event (days) an import accepts.
pub const MAX_EVENT_DAYS: i64 = 366;

/// A rule an imported file broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportRule {
    /// No content at all.
    #[error("the file is empty")]
    Empty,
    /// The first content line is neither `BEGIN:VCALENDAR` nor a CSV row.
    #[error(
        "neither iCalendar (starting BEGIN:VCALENDAR) nor CSV (date,kind,name rows separated by commas)"
    )]
    UnknownFormat,
    /// The CSV reader failed.
    #[error("CSV: {0}")]
    Csv(String),
    /// A CSV row without 2 or 3 fields.
    #[error("expected 2 or 3 fields (date,kind[,name]), found {found}")]
    Columns { found: usize },
    /// A bad date.
    #[error(transparent)]
    Date(#[from] DateError),
    /// A bad kind.
    #[error(transparent)]
    Kind(#[from] DayKindError),
    /// A date given as both off and work.
    #[error("{date} is {second} here but {first} on line {first_line}")]
    Conflict {
        date: LocalDate,
        first: DayKind,
        second: DayKind,
        first_line: usize,
    },
    /// An iCalendar content line without `NAME:VALUE`.
    #[error("not an iCalendar content line (expected NAME[;PARAM=VALUE]:VALUE)")]
    BadContentLine,
    /// A continuation line (starting with a space) with nothing before it.
    #[error("a folded continuation line with no line before it")]
    OrphanContinuation,
    /// The file does not start with `BEGIN:VCALENDAR`.
    #[error("expected BEGIN:VCALENDAR")]
    NotVcalendar,
    /// `END` that does not close the open component.
    #[error("END:{found} does not close {expected}")]
    Unbalanced { expected: String, found: String },
    /// A component left open at the end of the file.
    #[error("BEGIN:{0} is never closed")]
    Unclosed(String),
    /// An event without `DTSTART`.
    #[error("the event has no DTSTART")]
    MissingStart,
    /// An event at a time rather than on whole days.
    #[error("{property} `{value}` is a date-time: only all-day events (VALUE=DATE) are accepted")]
    NotAllDay {
        property: &'static str,
        value: String,
    },
    /// `DTEND` not after `DTSTART`.
    #[error("DTEND {end} is not after DTSTART {start}")]
    EndNotAfterStart { start: LocalDate, end: LocalDate },
    /// A `DURATION` that is not whole days or weeks.
    #[error("DURATION `{0}` is not whole days or weeks (PnD or PnW)")]
    BadDuration(String),
    /// An event longer than [`MAX_EVENT_DAYS`].
    #[error("the event lasts {days} days, more than {MAX_EVENT_DAYS}")]
    TooLong { days: i64 },
    /// Recurring events are not supported.
    #[error("{0} (recurring events) is not supported: list each date")]
    Recurrence(String),
    /// `X-POSDESK-KIND` with a bad value.
    #[error("X-POSDESK-KIND must be off or work")]
    BadKindProperty,
}

/// An import that broke a rule on a line (1-based physical line of the text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {rule}")]
pub struct ImportError {
    pub line: usize,
    pub rule: ImportRule,
}

fn fail<T>(line: usize, rule: impl Into<ImportRule>) -> Result<T, ImportError> {
    Err(ImportError {
        line,
        rule: rule.into(),
    })
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Collects entries, merging same-kind duplicates and refusing conflicts.
#[derive(Default)]
struct Collector {
    days: BTreeMap<LocalDate, (DayEntry, usize)>,
}

impl Collector {
    fn add(&mut self, entry: DayEntry, line: usize) -> Result<(), ImportError> {
        if let Some((first, first_line)) = self.days.get(&entry.date) {
            if first.kind != entry.kind {
                return fail(
                    line,
                    ImportRule::Conflict {
                        date: entry.date,
                        first: first.kind,
                        second: entry.kind,
                        first_line: *first_line,
                    },
                );
            }
            return Ok(());
        }
        self.days.insert(entry.date, (entry, line));
        Ok(())
    }

    fn finish(self) -> Vec<DayEntry> {
        self.days.into_values().map(|(e, _)| e).collect()
    }
}

/// Imports iCalendar or CSV, telling them apart by the first content line (`BEGIN:VCALENDAR`
/// → iCalendar; a line with a comma → CSV). Entries come back sorted by date, one per date.
pub fn import_days(text: &str) -> Result<Vec<DayEntry>, ImportError> {
    let t = strip_bom(text);
    let first = t
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    match first {
        None => fail(1, ImportRule::Empty),
        Some((_, l))
            if l.trim()
                .get(..15)
                .is_some_and(|p| p.eq_ignore_ascii_case("BEGIN:VCALENDAR")) =>
        {
            parse_ical(t)
        }
        Some((_, l)) if l.contains(',') => parse_csv(t),
        Some((i, _)) => fail(i + 1, ImportRule::UnknownFormat),
    }
}

// ---- CSV -------------------------------------------------------------------------------------

/// Parses `date,kind[,name]` CSV (header optional, BOM tolerated).
pub fn parse_csv(text: &str) -> Result<Vec<DayEntry>, ImportError> {
    let t = strip_bom(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(t.as_bytes());
    let mut out = Collector::default();
    let mut first = true;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                return fail(line, ImportRule::Csv(e.to_string()));
            }
        }
        let line = record.position().map_or(1, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let is_header = first
            && record
                .get(0)
                .is_some_and(|f| f.eq_ignore_ascii_case("date"));
        first = false;
        if is_header {
            continue;
        }
        if !(2..=3).contains(&record.len()) {
            return fail(
                line,
                ImportRule::Columns {
                    found: record.len(),
                },
            );
        }
        let date =
            LocalDate::parse(record.get(0).unwrap_or_default()).map_err(|e| ImportError {
                line,
                rule: e.into(),
            })?;
        let kind: DayKind =
            record
                .get(1)
                .unwrap_or_default()
                .parse()
                .map_err(|e: DayKindError| ImportError {
                    line,
                    rule: e.into(),
                })?;
        let name = record.get(2).unwrap_or_default();
        out.add(DayEntry::new(date, kind, name), line)?;
    }
    Ok(out.finish())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Writes `date,kind,name` CSV with a header row, LF line ends, names quoted when needed.
pub fn to_csv(entries: &[DayEntry]) -> String {
    let mut out = String::from("date,kind,name\n");
    for e in entries {
        out.push_str(&format!("{},{},{}\n", e.date, e.kind, csv_field(&e.name)));
    }
    out
}

// ---- iCalendar -------------------------------------------------------------------------------

struct ContentLine {
    line: usize,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

/// Unfolds (RFC 5545 §3.1) and splits into content lines, keeping each one's first line number.
fn content_lines(text: &str) -> Result<Vec<ContentLine>, ImportError> {
    let mut logical: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = l.strip_prefix([' ', '\t']) {
            match logical.last_mut() {
                Some((_, prev)) => prev.push_str(rest),
                None => return fail(i + 1, ImportRule::OrphanContinuation),
            }
        } else if !l.trim().is_empty() {
            logical.push((i + 1, l.to_owned()));
        }
    }
    logical
        .into_iter()
        .map(|(line, l)| parse_content_line(line, &l))
        .collect()
}

fn parse_content_line(line: usize, l: &str) -> Result<ContentLine, ImportError> {
    // The value starts at the first ':' outside double quotes.
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in l.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(colon) = colon else {
        return fail(line, ImportRule::BadContentLine);
    };
    let (head, value) = (&l[..colon], &l[colon + 1..]);
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    for c in head.chars() {
        match c {
            '"' => q = !q,
            ';' if !q => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    let name = parts.remove(0).trim().to_ascii_uppercase();
    if name.is_empty() {
        return fail(line, ImportRule::BadContentLine);
    }
    let params = parts
        .into_iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().to_owned()),
            None => (p.trim().to_ascii_uppercase(), String::new()),
        })
        .collect();
    Ok(ContentLine {
        line,
        name,
        params,
        value: value.to_owned(),
    })
}

fn unescape_text(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

fn escape_text(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

fn ical_date(cl: &ContentLine, property: &'static str) -> Result<LocalDate, ImportError> {
    let v = cl.value.trim();
    let value_param = cl
        .params
        .iter()
        .find(|(k, _)| k == "VALUE")
        .map(|(_, v)| v.to_ascii_uppercase());
    if v.contains('T') || value_param.as_deref() == Some("DATE-TIME") {
        return fail(
            cl.line,
            ImportRule::NotAllDay {
                property,
                value: v.to_owned(),
            },
        );
    }
    LocalDate::parse_basic(v).map_err(|e| ImportError {
        line: cl.line,
        rule: e.into(),
    })
}

fn ical_duration_days(cl: &ContentLine) -> Result<i64, ImportError> {
    let v = cl.value.trim().to_ascii_uppercase();
    let bad = || ImportError {
        line: cl.line,
        rule: ImportRule::BadDuration(cl.value.trim().to_owned()),
    };
    let body = v.strip_prefix('+').unwrap_or(&v);
    let body = body.strip_prefix('P').ok_or_else(bad)?;
    let (num, mult) = if let Some(n) = body.strip_suffix('D') {
        (n, 1)
    } else if let Some(n) = body.strip_suffix('W') {
        (n, 7)
    } else {
        return Err(bad());
    };
    if num.is_empty() || num.len() > 6 || !num.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    num.parse::<i64>().map(|n| n * mult).map_err(|_| bad())
}

fn kind_from_summary(summary: &str) -> DayKind {
    let lower = summary.to_lowercase();
    if summary.contains('班')
        || lower.contains("workday")
        || lower.contains("working day")
        || lower.contains("make-up")
    {
        DayKind::Work
    } else {
        DayKind::Off
    }
}

#[derive(Default)]
struct Event {
    line: usize,
    start: Option<LocalDate>,
    end: Option<(LocalDate, usize)>,
    duration: Option<i64>,
    summary: String,
    kind: Option<DayKind>,
    category_kind: Option<DayKind>,
    cancelled: bool,
}

impl Event {
    fn property(&mut self, cl: &ContentLine) -> Result<(), ImportError> {
        match cl.name.as_str() {
            "DTSTART" => self.start = Some(ical_date(cl, "DTSTART")?),
            "DTEND" => self.end = Some((ical_date(cl, "DTEND")?, cl.line)),
            "DURATION" => self.duration = Some(ical_duration_days(cl)?),
            "SUMMARY" => self.summary = unescape_text(&cl.value),
            "STATUS" => self.cancelled = cl.value.trim().eq_ignore_ascii_case("CANCELLED"),
            "RRULE" | "RDATE" => return fail(cl.line, ImportRule::Recurrence(cl.name.clone())),
            "X-POSDESK-KIND" => {
                self.kind = Some(cl.value.parse().map_err(|_| ImportError {
                    line: cl.line,
                    rule: ImportRule::BadKindProperty,
                })?);
            }
            "CATEGORIES" => {
                for c in cl.value.split(',') {
                    let c = c.trim();
                    if c.eq_ignore_ascii_case("WORK") {
                        self.category_kind = Some(DayKind::Work);
                    } else if c.eq_ignore_ascii_case("OFF") {
                        self.category_kind = Some(DayKind::Off);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self, out: &mut Collector) -> Result<(), ImportError> {
        if self.cancelled {
            return Ok(());
        }
        let Some(start) = self.start else {
            return fail(self.line, ImportRule::MissingStart);
        };
        let days = match (self.end, self.duration) {
            (Some((end, line)), _) => {
                if end <= start {
                    return fail(line, ImportRule::EndNotAfterStart { start, end });
                }
                end.days() - start.days()
            }
            (None, Some(d)) => d,
            (None, None) => 1,
        };
        if days > MAX_EVENT_DAYS {
            return fail(self.line, ImportRule::TooLong { days });
        }
        let kind = self
            .kind
            .or(self.category_kind)
            .unwrap_or_else(|| kind_from_summary(&self.summary));
        for i in 0..days {
            // Dates past 9999-12-31 cannot be held; an event reaching there is cut short.
            let Some(date) = start.add_days(i) else { break };
            out.add(DayEntry::new(date, kind, self.summary.clone()), self.line)?;
        }
        Ok(())
    }
}

/// Parses the all-day events of an iCalendar text (see the module documentation).
pub fn parse_ical(text: &str) -> Result<Vec<DayEntry>, ImportError> {
    let lines = content_lines(strip_bom(text))?;
    let Some(first) = lines.first() else {
        return fail(1, ImportRule::Empty);
    };
    if !(first.name == "BEGIN" && first.value.trim().eq_ignore_ascii_case("VCALENDAR")) {
        return fail(first.line, ImportRule::NotVcalendar);
    }
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut event: Option<Event> = None;
    let mut out = Collector::default();
    for cl in &lines {
        match cl.name.as_str() {
            "BEGIN" => {
                let comp = cl.value.trim().to_ascii_uppercase();
                if stack.is_empty() && comp != "VCALENDAR" {
                    return fail(cl.line, ImportRule::NotVcalendar);
                }
                if comp == "VEVENT" && stack.len() == 1 {
                    event = Some(Event {
                        line: cl.line,
                        ..Event::default()
                    });
                }
                stack.push((comp, cl.line));
            }
            "END" => {
                let comp = cl.value.trim().to_ascii_uppercase();
                match stack.pop() {
                    Some((open, _)) if open == comp => {}
                    Some((open, _)) => {
                        return fail(
                            cl.line,
                            ImportRule::Unbalanced {
                                expected: open,
                                found: comp,
                            },
                        );
                    }
                    None => {
                        return fail(
                            cl.line,
                            ImportRule::Unbalanced {
                                expected: "nothing".into(),
                                found: comp,
                            },
                        );
                    }
                }
                if comp == "VEVENT"
                    && stack.len() == 1
                    && let Some(e) = event.take()
                {
                    e.finish(&mut out)?;
                }
            }
            _ => {
                if stack.is_empty() {
                    return fail(cl.line, ImportRule::NotVcalendar);
                }
                let in_event = stack.len() == 2 && stack[1].0 == "VEVENT";
                if let (true, Some(e)) = (in_event, event.as_mut()) {
                    e.property(cl)?;
                }
            }
        }
    }
    if let Some((open, line)) = stack.pop() {
        return fail(line, ImportRule::Unclosed(open));
    }
    Ok(out.finish())
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let w = c.len_utf8();
        if width + w > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += w;
    }
    out.push_str("\r\n");
}

fn basic_stamp(ts: Timestamp) -> String {
    // YYYY-MM-DDTHH:MM:SS.mmmZ → YYYYMMDDTHHMMSSZ
    let r = ts.to_rfc3339();
    let keep: String = r
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    format!("{keep}Z")
}

/// Writes entries as an iCalendar (RFC 5545) file: one all-day `VEVENT` per run of consecutive
/// dates with the same kind and name, with `X-POSDESK-KIND` so [`parse_ical`] reads it back
/// exactly. `stamp` fills the required `DTSTAMP` (the core has no clock); `calendar_name`
/// becomes `X-WR-CALNAME`.
pub fn to_ical(entries: &[DayEntry], calendar_name: &str, stamp: Timestamp) -> String {
    let mut sorted: Vec<&DayEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.date);
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//posdesk//working-day calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    if !calendar_name.is_empty() {
        fold(
            &format!("X-WR-CALNAME:{}", escape_text(calendar_name)),
            &mut out,
        );
    }
    let dtstamp = basic_stamp(stamp);
    let mut i = 0;
    while i < sorted.len() {
        let first = sorted[i];
        let mut j = i;
        while j + 1 < sorted.len()
            && sorted[j + 1].kind == first.kind
            && sorted[j + 1].name == first.name
            && Some(sorted[j + 1].date) == sorted[j].date.succ()
        {
            j += 1;
        }
        let end = sorted[j].date.succ();
        fold("BEGIN:VEVENT", &mut out);
        fold(
            &format!("UID:{}-{}@posdesk", first.date.to_basic(), first.kind),
            &mut out,
        );
        fold(&format!("DTSTAMP:{dtstamp}"), &mut out);
        fold(
            &format!("DTSTART;VALUE=DATE:{}", first.date.to_basic()),
            &mut out,
        );
        match end {
            Some(end) => fold(&format!("DTEND;VALUE=DATE:{}", end.to_basic()), &mut out),
            None => fold("DURATION:P1D", &mut out),
        }
        fold(&format!("SUMMARY:{}", escape_text(&first.name)), &mut out);
        fold(&format!("X-POSDESK-KIND:{}", first.kind), &mut out);
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
        i = j + 1;
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> LocalDate {
        LocalDate::parse(s).unwrap()
    }

    #[test]
    fn csv_with_header_bom_quotes_and_comments() {
        let text = "\u{feff}date,kind,name\r\n# provider closures\r\n2027-01-01,off,元旦\r\n\
                    2027-02-06 , WORK ,\"补班, Saturday\"\r\n2027-03-01,off\r\n";
        let got = import_days(text).unwrap();
        assert_eq!(
            got,
            vec![
                DayEntry::new(d("2027-01-01"), DayKind::Off, "元旦"),
                DayEntry::new(d("2027-02-06"), DayKind::Work, "补班, Saturday"),
                DayEntry::new(d("2027-03-01"), DayKind::Off, ""),
            ]
        );
        assert_eq!(parse_csv(&to_csv(&got)).unwrap(), got);
        // Without a header.
        assert_eq!(parse_csv("2027-01-01,off,x\n").unwrap().len(), 1);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let e = import_days("date,kind,name\n2027-01-01,off,x\n2027-13-01,off,y\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(matches!(
            e.rule,
            ImportRule::Date(DateError::MonthOutOfRange { .. })
        ));
        let e = import_days("2027-01-01,holiday,x\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(matches!(e.rule, ImportRule::Kind(_)));
        let e = import_days("2027-01-01,off,x,extra\n").unwrap_err();
        assert_eq!(e.rule, ImportRule::Columns { found: 4 });
        let e = import_days("2027-01-01,off\n2027-01-02,off\n2027-01-01,work\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(matches!(e.rule, ImportRule::Conflict { first_line: 1, .. }));
        assert!(
            e.to_string()
                .contains("2027-01-01 is work here but off on line 1"),
            "{e}"
        );
        // The same date twice with the same kind is merged.
        assert_eq!(
            import_days("2027-01-01,off,a\n2027-01-01,off,b\n")
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn neither_format_is_refused() {
        let e = import_days("\n\nhello world\n").unwrap_err();
        assert_eq!((e.line, e.rule), (3, ImportRule::UnknownFormat));
        assert_eq!(import_days("  \n").unwrap_err().rule, ImportRule::Empty);
        assert_eq!(import_days("").unwrap_err().rule, ImportRule::Empty);
    }

    const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
        BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
        TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
        BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20270206\r\nDTEND;VALUE=DATE:20270214\r\n\
        SUMMARY:春节\r\n  休假\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDTSTART:20270101T000000Z\r\n\
        END:VALARM\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20270130\r\nSUMMARY:春节补班\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:c\r\nDTSTART;VALUE=DATE:20270501\r\nDURATION:P5D\r\n\
        SUMMARY:劳动节\\, 五一\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20270601\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:e\r\nDTSTART;VALUE=DATE:20270612\r\nCATEGORIES:Holiday,WORK\r\n\
        SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn ical_multi_day_folded_and_kinds() {
        let got = import_days(FEED).unwrap();
        let spring: Vec<_> = got.iter().filter(|e| e.name == "春节 休假").collect();
        // DTEND is exclusive: 6 Feb to 13 Feb is 8 days.
        assert_eq!(spring.len(), 8);
        assert_eq!(spring[0].date, d("2027-02-06"));
        assert_eq!(spring[7].date, d("2027-02-13"));
        assert!(spring.iter().all(|e| e.kind == DayKind::Off));
        let work = got.iter().find(|e| e.date == d("2027-01-30")).unwrap();
        assert_eq!((work.kind, work.name.as_str()), (DayKind::Work, "春节补班"));
        let labour: Vec<_> = got.iter().filter(|e| e.name == "劳动节, 五一").collect();
        assert_eq!(labour.len(), 5);
        assert!(got.iter().all(|e| e.date != d("2027-06-01")));
        let cat = got.iter().find(|e| e.date == d("2027-06-12")).unwrap();
        assert_eq!(cat.kind, DayKind::Work);
        assert_eq!(got.len(), 8 + 1 + 5 + 1);
    }

    #[test]
    fn ical_export_round_trips() {
        let entries = vec![
            DayEntry::new(d("2027-01-01"), DayKind::Off, "元旦 New Year's Day"),
            DayEntry::new(d("2027-01-02"), DayKind::Off, "元旦 New Year's Day"),
            DayEntry::new(d("2027-01-03"), DayKind::Work, "元旦, 补班; test\\x"),
            DayEntry::new(
                d("2027-01-04"),
                DayKind::Off,
                "另一个名字很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长",
            ),
            DayEntry::new(LocalDate::MAX, DayKind::Off, ""),
        ];
        let text = to_ical(
            &entries,
            "Provider 1",
            Timestamp::from_millis(1_795_576_311_250),
        );
        assert!(text.contains("DTSTAMP:20261125T031151Z\r\n"), "{text}");
        assert!(text.contains("DTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270103\r\n"));
        assert!(text.lines().all(|l| l.len() <= 76), "folded at 75 octets");
        assert_eq!(parse_ical(&text).unwrap(), entries);
        assert_eq!(import_days(&text).unwrap(), entries);
        // LF-only line ends read the same.
        assert_eq!(parse_ical(&text.replace("\r\n", "\n")).unwrap(), entries);
    }

    #[test]
    fn ical_errors_name_the_line_and_rule() {
        let wrap = |body: &str| format!("BEGIN:VCALENDAR\nVERSION:2.0\n{body}END:VCALENDAR\n");
        let e =
            parse_ical(&wrap("BEGIN:VEVENT\nDTSTART:20270101T080000\nEND:VEVENT\n")).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(matches!(
            e.rule,
            ImportRule::NotAllDay {
                property: "DTSTART",
                ..
            }
        ));
        let e = parse_ical(&wrap("BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n")).unwrap_err();
        assert_eq!((e.line, e.rule), (3, ImportRule::MissingStart));
        let e = parse_ical(&wrap(
            "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270105\nDTEND;VALUE=DATE:20270105\nEND:VEVENT\n",
        ))
        .unwrap_err();
        assert_eq!(e.line, 5);
        assert!(matches!(e.rule, ImportRule::EndNotAfterStart { .. }));
        let e = parse_ical(&wrap(
            "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270105\nRRULE:FREQ=YEARLY\nEND:VEVENT\n",
        ))
        .unwrap_err();
        assert_eq!(
            (e.line, e.rule),
            (5, ImportRule::Recurrence("RRULE".into()))
        );
        let e = parse_ical(&wrap("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270105\n")).unwrap_err();
        assert!(matches!(e.rule, ImportRule::Unbalanced { .. }), "{e}");
        let e = parse_ical("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20270105\nEND:VEVENT\n")
            .unwrap_err();
        assert_eq!(
            (e.line, e.rule),
            (1, ImportRule::Unclosed("VCALENDAR".into()))
        );
        let e = parse_ical(&wrap(
            "BEGIN:VEVENT\nDTSTART:20270105\nDURATION:PT8H\nEND:VEVENT\n",
        ))
        .unwrap_err();
        assert!(matches!(e.rule, ImportRule::BadDuration(_)));
        let e = parse_ical(&wrap(
            "BEGIN:VEVENT\nDTSTART:20270105\nDURATION:P400D\nEND:VEVENT\n",
        ))
        .unwrap_err();
        assert_eq!(e.rule, ImportRule::TooLong { days: 400 });
        let e = parse_ical(&wrap("no colon here\n")).unwrap_err();
        assert_eq!((e.line, e.rule), (3, ImportRule::BadContentLine));
        let e = parse_ical(" folded\nBEGIN:VCALENDAR\n").unwrap_err();
        assert_eq!((e.line, e.rule), (1, ImportRule::OrphanContinuation));
        let e = parse_ical("VERSION:2.0\n").unwrap_err();
        assert_eq!((e.line, e.rule), (1, ImportRule::NotVcalendar));
        let e = parse_ical(&wrap("BEGIN:VEVENT\nDTSTART:20270230\nEND:VEVENT\n")).unwrap_err();
        assert!(matches!(
            e.rule,
            ImportRule::Date(DateError::DayOutOfRange { .. })
        ));
        let e = parse_ical(&wrap(
            "BEGIN:VEVENT\nDTSTART:20270105\nX-POSDESK-KIND:maybe\nEND:VEVENT\n",
        ))
        .unwrap_err();
        assert_eq!((e.line, e.rule), (5, ImportRule::BadKindProperty));
        // A quoted parameter value may contain ':'.
        let ok = parse_ical(&wrap(
            "BEGIN:VEVENT\nDTSTART;X-NOTE=\"a:b\";VALUE=DATE:20270105\nEND:VEVENT\n",
        ))
        .unwrap();
        assert_eq!(ok[0].date, d("2027-01-05"));
    }
}
