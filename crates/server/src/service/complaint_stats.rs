//! Monthly complaint statistics (issue 7 item 6, seed 003) for a provider's staff with
//! `ComplaintStats` (admins, supervisors, complaints officers, auditors): counts by category,
//! channel and outcome, decision time median and 90th percentile, the share decided on time,
//! repeat complainants and complaints per 1,000 active terminals — the figures are
//! `posdesk_core::complaint::stats::monthly`'s, over the rows `repo::complaints::stat_rows`
//! reads under the caller's scope.
//!
//! A range is `from`..=`to` as `YYYY-MM` months of receipt in Asia/Shanghai (the 1st at
//! 00:00 Shanghai starts a month, `calendar::LocalDate`), at most [`MAX_MONTHS`] months;
//! without them the last [`DEFAULT_MONTHS`] months up to the current one. Every month of the
//! range has a row (zeros where nothing came in) and every category, channel and outcome a
//! count, so the table's columns never move.
//!
//! The same table as CSV (UTF-8 with a BOM, as the registry exports, so Excel in zh-CN opens it
//! right) or XLSX (`rust_xlsxwriter`, figures as numbers, header bold and frozen, columns as
//! wide as their text with CJK counted double); exported headers are the zh-CN catalogue's.

use std::collections::BTreeMap;

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::calendar::LocalDate;
use posdesk_core::complaint::{ComplaintCategory, ComplaintChannel, ComplaintOutcome, MonthStats};
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::complaints as repo;
use serde::Serialize;

use super::Ctx;
use super::imports::display_width;
use crate::error::{ApiError, ApiResult};
use crate::i18n::{Locale, Tr};

/// The longest range one request may ask for.
pub const MAX_MONTHS: i64 = 24;
/// The range when none is given: this many months up to the current one.
pub const DEFAULT_MONTHS: i64 = 12;
/// The rule broken by a `to` before `from`.
pub const REASON_ORDER: &str = "must not be before from";
/// The rule broken by a range longer than [`MAX_MONTHS`].
pub const REASON_SPAN: &str = "the range is at most 24 months";
/// A month whose end is past the last representable day.
pub const REASON_OUT_OF_RANGE: &str = "out of range";
/// The bucket of complaints not closed yet in `by_outcome`.
pub const OPEN: &str = "open";

/// A calendar month (`YYYY-MM`), counted in Asia/Shanghai.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// `YYYY-MM` exactly (four-digit year, two-digit month 01–12); the error names `field`.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                Rule::Pattern {
                    expected: "YYYY-MM",
                },
            )
        };
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() != 7
            || b[4] != b'-'
            || !s
                .bytes()
                .enumerate()
                .all(|(i, c)| i == 4 || c.is_ascii_digit())
        {
            return Err(bad());
        }
        let year: i32 = s[..4].parse().map_err(|_| bad())?;
        let month: u32 = s[5..].parse().map_err(|_| bad())?;
        LocalDate::new(year, month, 1).map_err(|_| bad())?;
        Ok(Self { year, month })
    }

    /// The month an instant falls in, in Shanghai.
    pub fn of(t: Timestamp) -> Option<Self> {
        LocalDate::of_timestamp(t).map(|d| Self {
            year: d.year(),
            month: d.month(),
        })
    }

    fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    fn from_index(i: i64) -> Option<Self> {
        let year = i32::try_from(i.div_euclid(12)).ok()?;
        let month = u32::try_from(i.rem_euclid(12) + 1).ok()?;
        Some(Self { year, month })
    }

    /// The instant the month starts: its 1st at 00:00 in Shanghai.
    fn start(self) -> Option<Timestamp> {
        LocalDate::new(self.year, self.month, 1)
            .ok()
            .map(LocalDate::start)
    }

    /// `YYYY-MM`.
    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// A query value that is present and not blank.
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// A checked range of months, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthRange {
    pub from: Month,
    pub to: Month,
    start: Timestamp,
    end: Timestamp,
}

impl MonthRange {
    /// Checks `from` and `to` (each `YYYY-MM`; `to` not before `from`, at most
    /// [`MAX_MONTHS`] months); a missing end defaults around `now`: `to` the current month,
    /// `from` [`DEFAULT_MONTHS`] − 1 months before `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>, now: Timestamp) -> Result<Self, FieldError> {
        let to = match given(to) {
            Some(t) => Month::parse("to", t)?,
            None => Month::of(now).ok_or_else(|| {
                FieldError::new(
                    "to",
                    Rule::Invalid {
                        reason: REASON_OUT_OF_RANGE,
                    },
                )
            })?,
        };
        let from = match given(from) {
            Some(f) => Month::parse("from", f)?,
            None => Month::from_index(to.index() - (DEFAULT_MONTHS - 1))
                .filter(|m| m.start().is_some())
                .unwrap_or(to),
        };
        let rule = |reason| FieldError::new("to", Rule::Invalid { reason });
        if to < from {
            return Err(rule(REASON_ORDER));
        }
        if to.index() - from.index() + 1 > MAX_MONTHS {
            return Err(rule(REASON_SPAN));
        }
        let start = from.start().ok_or_else(|| rule(REASON_OUT_OF_RANGE))?;
        let end = Month::from_index(to.index() + 1)
            .and_then(Month::start)
            .ok_or_else(|| rule(REASON_OUT_OF_RANGE))?;
        Ok(Self {
            from,
            to,
            start,
            end,
        })
    }

    /// The months of the range, oldest first.
    pub fn months(&self) -> impl Iterator<Item = Month> + '_ {
        (self.from.index()..=self.to.index()).filter_map(Month::from_index)
    }
}

/// The statistics of a range: one row per month, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct StatsTable {
    /// `YYYY-MM`.
    pub from: String,
    /// `YYYY-MM`, included.
    pub to: String,
    /// The provider's active terminals now (the per-1,000 denominator of every month).
    pub active_terminals: u64,
    pub months: Vec<MonthStats>,
}

fn empty_month(month: String, active_terminals: u64) -> MonthStats {
    MonthStats {
        month,
        total: 0,
        by_category: BTreeMap::new(),
        by_channel: BTreeMap::new(),
        by_outcome: BTreeMap::new(),
        decided: 0,
        decision_minutes_median: None,
        decision_minutes_p90: None,
        on_time_share: None,
        repeat_complainants: 0,
        per_1000_terminals: (active_terminals > 0).then_some(0.0),
    }
}

/// Every category, channel and outcome with a count (zero when absent).
fn fill(m: &mut MonthStats) {
    for c in ComplaintCategory::ALL {
        m.by_category.entry(c.code()).or_insert(0);
    }
    for c in ComplaintChannel::ALL {
        m.by_channel.entry(c.code()).or_insert(0);
    }
    for o in ComplaintOutcome::ALL {
        m.by_outcome.entry(o.code()).or_insert(0);
    }
    m.by_outcome.entry(OPEN).or_insert(0);
}

fn now() -> Timestamp {
    posdesk_storage::now()
}

/// The monthly figures of the caller's provider for `from`..=`to` (`YYYY-MM`, see
/// [`MonthRange::parse`]). Provider staff with `ComplaintStats` only.
pub async fn monthly(ctx: &Ctx<'_>, from: Option<&str>, to: Option<&str>) -> ApiResult<StatsTable> {
    let scope = ctx.authorize(Permission::ComplaintStats)?;
    let Scope::Tenant(tenant) = scope else {
        return Err(ApiError::Forbidden(
            "complaint statistics are for the provider's staff".into(),
        ));
    };
    let range = MonthRange::parse(from, to, now())?;
    let (start, end) = (range.start, range.end);
    let (rows, active) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let rows = repo::stat_rows(c, &scope, start, end).await?;
                let active = repo::active_terminals(c, tenant).await?;
                Ok((rows, active))
            })
        })
        .await?;
    let active = u64::try_from(active).unwrap_or(0);
    let mut computed: BTreeMap<String, MonthStats> =
        posdesk_core::complaint::monthly(&rows, active)
            .into_iter()
            .map(|m| (m.month.clone(), m))
            .collect();
    let months = range
        .months()
        .map(|month| {
            let label = month.label();
            let mut m = computed
                .remove(&label)
                .unwrap_or_else(|| empty_month(label, active));
            fill(&mut m);
            m
        })
        .collect();
    Ok(StatsTable {
        from: range.from.label(),
        to: range.to.label(),
        active_terminals: active,
        months,
    })
}

// ---- Labels and cells ----------------------------------------------------------------------

/// A category's name in the catalogue.
pub fn category_label(tr: &Tr, c: ComplaintCategory) -> String {
    use ComplaintCategory as C;
    tr.t(match c {
        C::Fees => "cstats-cat-fees",
        C::ServiceAttitude => "cstats-cat-service-attitude",
        C::RepairQuality => "cstats-cat-repair-quality",
        C::ResponseTime => "cstats-cat-response-time",
        C::Settlement => "cstats-cat-settlement",
        C::Suspension => "cstats-cat-suspension",
        C::UnauthorisedTransactions => "cstats-cat-unauthorised-transactions",
        C::Privacy => "cstats-cat-privacy",
        C::Other => "cstats-cat-other",
    })
}

/// A channel's name in the catalogue.
pub fn channel_label(tr: &Tr, c: ComplaintChannel) -> String {
    use ComplaintChannel as C;
    tr.t(match c {
        C::Hotline => "cstats-ch-hotline",
        C::Portal => "cstats-ch-portal",
        C::PublicWeb => "cstats-ch-public-web",
        C::Branch => "cstats-ch-branch",
        C::Email => "cstats-ch-email",
        C::Referral => "cstats-ch-referral",
    })
}

/// An outcome's name in the catalogue (`None`: not closed yet).
pub fn outcome_label(tr: &Tr, o: Option<ComplaintOutcome>) -> String {
    tr.t(match o {
        Some(ComplaintOutcome::Accepted) => "cstats-out-accepted",
        Some(ComplaintOutcome::NotAccepted) => "cstats-out-not-accepted",
        Some(ComplaintOutcome::NoResponse) => "cstats-out-no-response",
        None => "cstats-out-open",
    })
}

/// The outcome columns, in table order: each closed outcome, then the open ones.
pub fn outcomes() -> Vec<Option<ComplaintOutcome>> {
    ComplaintOutcome::ALL
        .iter()
        .copied()
        .map(Some)
        .chain([None])
        .collect()
}

/// The table's header, in column order: month, total, each category, each channel, each
/// outcome, decided, decision time median and p90 (hours), on-time share (%), repeat
/// complainants, complaints per 1,000 active terminals.
pub fn header(tr: &Tr) -> Vec<String> {
    let mut h = vec![tr.t("cstats-col-month"), tr.t("cstats-col-total")];
    h.extend(
        ComplaintCategory::ALL
            .iter()
            .map(|c| category_label(tr, *c)),
    );
    h.extend(ComplaintChannel::ALL.iter().map(|c| channel_label(tr, *c)));
    h.extend(outcomes().into_iter().map(|o| outcome_label(tr, o)));
    h.extend([
        tr.t("cstats-col-decided"),
        tr.t("cstats-col-median-hours"),
        tr.t("cstats-col-p90-hours"),
        tr.t("cstats-col-on-time"),
        tr.t("cstats-col-repeat"),
        tr.t("cstats-col-per-1000"),
    ]);
    h
}

/// One cell of the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(u64),
    /// A figure shown with `places` decimals.
    Figure {
        value: f64,
        places: usize,
    },
    /// No figure (nothing decided, no active terminals).
    Empty,
}

impl Cell {
    fn figure(v: Option<f64>, places: usize) -> Self {
        v.map_or(Cell::Empty, |value| Cell::Figure { value, places })
    }

    /// The cell as text: counts as integers, figures with their decimals, nothing as "".
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Figure { value, places } => format!("{value:.places$}"),
            Cell::Empty => String::new(),
        }
    }
}

fn hours(minutes: Option<i64>) -> Option<f64> {
    minutes.map(|m| m as f64 / 60.0)
}

fn count(map: &BTreeMap<&'static str, u64>, code: &str) -> Cell {
    Cell::Count(map.get(code).copied().unwrap_or(0))
}

/// A month's row, in [`header`] order: hours with one decimal, the on-time share as a
/// percentage with one decimal, per 1,000 terminals with two.
pub fn cells(m: &MonthStats) -> Vec<Cell> {
    let mut row = vec![Cell::Text(m.month.clone()), Cell::Count(m.total)];
    row.extend(
        ComplaintCategory::ALL
            .iter()
            .map(|c| count(&m.by_category, c.code())),
    );
    row.extend(
        ComplaintChannel::ALL
            .iter()
            .map(|c| count(&m.by_channel, c.code())),
    );
    row.extend(
        outcomes()
            .into_iter()
            .map(|o| count(&m.by_outcome, o.map_or(OPEN, ComplaintOutcome::code))),
    );
    row.extend([
        Cell::Count(m.decided),
        Cell::figure(hours(m.decision_minutes_median), 1),
        Cell::figure(hours(m.decision_minutes_p90), 1),
        Cell::figure(m.on_time_share.map(|s| s * 100.0), 1),
        Cell::Count(m.repeat_complainants),
        Cell::figure(m.per_1000_terminals, 2),
    ]);
    row
}

// ---- Exports ---------------------------------------------------------------------------------

/// A rendered export: its bytes and a file name (`complaint-stats-<from>-<to>.<ext>`, ASCII).
#[derive(Debug, Clone)]
pub struct Export {
    pub bytes: Vec<u8>,
    pub file_name: String,
}

fn write_err(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("writing complaint statistics: {e}"))
}

fn file_name(t: &StatsTable, ext: &str) -> String {
    format!("complaint-stats-{}-{}.{ext}", t.from, t.to)
}

/// The exports' headers: the zh-CN catalogue's.
fn export_tr() -> Tr {
    Tr::new(Locale::ZhCn)
}

/// The table as CSV: UTF-8 with a BOM, a header row, one row per month.
pub fn to_csv(t: &StatsTable) -> ApiResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = header(&export_tr());
    if let Some(first) = head.first_mut() {
        first.insert(0, '\u{feff}');
    }
    w.write_record(&head).map_err(write_err)?;
    for m in &t.months {
        w.write_record(cells(m).iter().map(Cell::text))
            .map_err(write_err)?;
    }
    w.into_inner().map_err(write_err)
}

/// The table as an XLSX workbook with one worksheet: figures as numbers (`0.0` / `0.00`
/// formats), empty cells where there is no figure.
pub fn to_xlsx(t: &StatsTable) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let tr = export_tr();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(tr.t("cstats-sheet")).map_err(write_err)?;
    ws.set_freeze_panes(1, 1).map_err(write_err)?;
    let bold = Format::new().set_bold();
    let decimals = [
        Format::new().set_num_format("0"),
        Format::new().set_num_format("0.0"),
        Format::new().set_num_format("0.00"),
    ];
    let head = header(&tr);
    let mut widths: Vec<usize> = head.iter().map(|h| display_width(h)).collect();
    for (col, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, h, &bold)
            .map_err(write_err)?;
    }
    for (i, m) in t.months.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(write_err)?;
        for (col, cell) in cells(m).iter().enumerate() {
            let c = col as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(row, c, s).map_err(write_err)?;
                }
                Cell::Count(n) => {
                    ws.write_number(row, c, *n as f64).map_err(write_err)?;
                }
                Cell::Figure { value, places } => {
                    let f = &decimals[(*places).min(decimals.len() - 1)];
                    ws.write_number_with_format(row, c, *value, f)
                        .map_err(write_err)?;
                }
                Cell::Empty => {}
            }
            if let Some(w) = widths.get_mut(col) {
                *w = (*w).max(display_width(&cell.text()));
            }
        }
    }
    for (col, w) in widths.iter().enumerate() {
        ws.set_column_width(col as u16, (*w).clamp(6, 40) as f64 + 2.0)
            .map_err(write_err)?;
    }
    wb.save_to_buffer().map_err(write_err)
}

/// The figures of `from`..=`to` as CSV (see [`monthly`], [`to_csv`]).
pub async fn export_csv(ctx: &Ctx<'_>, from: Option<&str>, to: Option<&str>) -> ApiResult<Export> {
    let t = monthly(ctx, from, to).await?;
    Ok(Export {
        bytes: to_csv(&t)?,
        file_name: file_name(&t, "csv"),
    })
}

/// The figures of `from`..=`to` as XLSX (see [`monthly`], [`to_xlsx`]).
pub async fn export_xlsx(ctx: &Ctx<'_>, from: Option<&str>, to: Option<&str>) -> ApiResult<Export> {
    let t = monthly(ctx, from, to).await?;
    Ok(Export {
        bytes: to_xlsx(&t)?,
        file_name: file_name(&t, "xlsx"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai(y: i32, m: u32, d: u32, hour: i64) -> Timestamp {
        let day = LocalDate::new(y, m, d).unwrap();
        Timestamp::from_millis(day.start().millis() + hour * 3_600_000)
    }

    #[test]
    fn months_parse_strictly_and_name_the_field() {
        assert_eq!(Month::parse("from", "2026-03").unwrap().label(), "2026-03");
        for bad in [
            "2026-3",
            "2026-13",
            "2026-00",
            "26-03",
            "2026/03",
            "２０２６-03",
            "",
            "0000-01",
        ] {
            let e = Month::parse("from", bad).unwrap_err();
            assert_eq!(e.field, "from", "{bad}");
            assert_eq!(e.rule.code(), "pattern", "{bad}");
        }
    }

    #[test]
    fn ranges_start_on_the_first_in_shanghai() {
        let r =
            MonthRange::parse(Some("2026-03"), Some("2026-04"), shanghai(2026, 6, 1, 0)).unwrap();
        assert_eq!(r.start, shanghai(2026, 3, 1, 0));
        assert_eq!(r.end, shanghai(2026, 5, 1, 0));
        // 2026-03-01 00:00 Shanghai is 2026-02-28 16:00 UTC.
        assert_eq!(r.start.to_rfc3339(), "2026-02-28T16:00:00.000Z");
        let labels: Vec<String> = r.months().map(Month::label).collect();
        assert_eq!(labels, ["2026-03", "2026-04"]);
        // Across a year end.
        let r =
            MonthRange::parse(Some("2025-11"), Some("2026-02"), shanghai(2026, 6, 1, 0)).unwrap();
        assert_eq!(r.months().count(), 4);
    }

    #[test]
    fn ranges_are_checked() {
        let now = shanghai(2026, 6, 15, 12);
        let e = MonthRange::parse(Some("2026-05"), Some("2026-04"), now).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule.code()), ("to", "invalid"));
        assert!(MonthRange::parse(Some("2024-07"), Some("2026-06"), now).is_ok());
        let e = MonthRange::parse(Some("2024-06"), Some("2026-06"), now).unwrap_err();
        assert_eq!(
            e.rule,
            Rule::Invalid {
                reason: REASON_SPAN
            }
        );
        let e = MonthRange::parse(Some("2026-6"), None, now).unwrap_err();
        assert_eq!(e.field, "from");
        let e = MonthRange::parse(None, Some("junk"), now).unwrap_err();
        assert_eq!(e.field, "to");
        // The default: the last twelve months up to the current one.
        let r = MonthRange::parse(None, None, now).unwrap();
        assert_eq!(
            (r.from.label(), r.to.label()),
            ("2025-07".into(), "2026-06".into())
        );
        // Only `to`: twelve months up to it.
        let r = MonthRange::parse(None, Some("2026-02"), now).unwrap();
        assert_eq!(r.from.label(), "2025-03");
        let e = MonthRange::parse(Some("9999-12"), Some("9999-12"), now).unwrap_err();
        assert_eq!(
            e.rule,
            Rule::Invalid {
                reason: REASON_OUT_OF_RANGE
            }
        );
    }

    #[test]
    fn every_label_is_in_both_catalogues() {
        for locale in Locale::ALL {
            let tr = Tr::new(locale);
            let h = header(&tr);
            assert_eq!(
                h.len(),
                2 + ComplaintCategory::ALL.len() + ComplaintChannel::ALL.len() + 4 + 6
            );
            for label in &h {
                assert!(
                    !label.starts_with("cstats-"),
                    "{locale:?}: {label} is missing"
                );
            }
            assert!(!tr.t("cstats-sheet").starts_with("cstats-"));
        }
    }

    #[test]
    fn cells_follow_the_header() {
        let mut m = empty_month("2026-03".into(), 0);
        fill(&mut m);
        m.total = 3;
        m.by_category.insert("fees", 2);
        m.decided = 2;
        m.decision_minutes_median = Some(90);
        m.on_time_share = Some(0.5);
        let c = cells(&m);
        assert_eq!(c.len(), header(&Tr::new(Locale::ZhCn)).len());
        let text: Vec<String> = c.iter().map(Cell::text).collect();
        assert_eq!(text[0], "2026-03");
        assert_eq!(text[1], "3");
        assert_eq!(text[2], "2");
        let tail = &text[text.len() - 6..];
        assert_eq!(tail, ["2", "1.5", "", "50.0", "0", ""]);
    }
}
