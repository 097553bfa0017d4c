//! Monthly complaint statistics (seed 003, and the provider scorecard's complaint figures), as a
//! pure function of the month's complaints: counts by category, channel and outcome; decision
//! time median and 90th percentile (nearest rank); the share decided on time; repeat
//! complainants; complaints per 1,000 active terminals.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{ComplaintCategory, ComplaintChannel};
use super::status::ComplaintOutcome;
use crate::Timestamp;
use crate::calendar::LocalDate;

/// One complaint as the statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    pub received_at: Timestamp,
    pub channel: ComplaintChannel,
    pub category: ComplaintCategory,
    pub outcome: Option<ComplaintOutcome>,
    pub first_decided_at: Option<Timestamp>,
    /// The decision deadline in force (after extensions, or the referrer's).
    pub decision_deadline: Timestamp,
    /// Identifies the complainant across complaints (storage passes the normalised phone).
    pub complainant_key: String,
}

/// A month's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthStats {
    /// `YYYY-MM` (Shanghai).
    pub month: String,
    pub total: u64,
    pub by_category: BTreeMap<&'static str, u64>,
    pub by_channel: BTreeMap<&'static str, u64>,
    /// Closed complaints by outcome; open ones under `open`.
    pub by_outcome: BTreeMap<&'static str, u64>,
    pub decided: u64,
    /// Minutes from receipt to the first decision.
    pub decision_minutes_median: Option<i64>,
    pub decision_minutes_p90: Option<i64>,
    /// Decided by the deadline in force, among those decided (0–1).
    pub on_time_share: Option<f64>,
    /// Complainants with more than one complaint this month.
    pub repeat_complainants: u64,
    /// `total / active_terminals × 1000`, when there are active terminals.
    pub per_1000_terminals: Option<f64>,
}

/// The nearest-rank percentile `p` (0–100) of `sorted` (ascending).
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (u64::from(p) * n as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank.min(n) - 1).copied()
}

/// `YYYY-MM` of an instant in Shanghai.
pub fn month_of(t: Timestamp) -> String {
    LocalDate::of_timestamp(t).map_or_else(String::new, |d| {
        let (y, m, _) = d.ymd();
        format!("{y:04}-{m:02}")
    })
}

/// The figures per month of receipt, oldest first; `active_terminals` is the provider's count
/// of active terminals (the same for every month: the current estate).
pub fn monthly(rows: &[StatRow], active_terminals: u64) -> Vec<MonthStats> {
    let mut months: BTreeMap<String, Vec<&StatRow>> = BTreeMap::new();
    for r in rows {
        months.entry(month_of(r.received_at)).or_default().push(r);
    }
    months
        .into_iter()
        .map(|(month, rows)| {
            let mut by_category = BTreeMap::new();
            let mut by_channel = BTreeMap::new();
            let mut by_outcome = BTreeMap::new();
            let mut times = Vec::new();
            let mut on_time = 0u64;
            let mut per_person: BTreeMap<&str, u64> = BTreeMap::new();
            for r in &rows {
                *by_category.entry(r.category.code()).or_insert(0) += 1;
                *by_channel.entry(r.channel.code()).or_insert(0) += 1;
                *by_outcome
                    .entry(r.outcome.map_or("open", |o| o.code()))
                    .or_insert(0) += 1;
                *per_person.entry(r.complainant_key.as_str()).or_insert(0) += 1;
                if let Some(d) = r.first_decided_at {
                    times.push((d.millis() - r.received_at.millis()).max(0) / 60_000);
                    if d <= r.decision_deadline {
                        on_time += 1;
                    }
                }
            }
            times.sort_unstable();
            let total = rows.len() as u64;
            let decided = times.len() as u64;
            MonthStats {
                month,
                total,
                by_category,
                by_channel,
                by_outcome,
                decided,
                decision_minutes_median: nearest_rank(&times, 50),
                decision_minutes_p90: nearest_rank(&times, 90),
                on_time_share: (decided > 0).then(|| on_time as f64 / decided as f64),
                repeat_complainants: per_person.values().filter(|n| **n > 1).count() as u64,
                per_1000_terminals: (active_terminals > 0)
                    .then(|| total as f64 * 1000.0 / active_terminals as f64),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(day: u32, hour: i64) -> Timestamp {
        let d = LocalDate::new(2026, 11, day).unwrap();
        Timestamp::from_millis(d.start().millis() + hour * 3_600_000)
    }

    fn row(day: u32, decided_after_h: Option<i64>, who: &str) -> StatRow {
        StatRow {
            received_at: t(day, 9),
            channel: ComplaintChannel::Hotline,
            category: ComplaintCategory::Fees,
            outcome: decided_after_h.map(|_| ComplaintOutcome::Accepted),
            first_decided_at: decided_after_h.map(|h| t(day, 9 + h)),
            decision_deadline: t(day + 15, 9),
            complainant_key: who.to_owned(),
        }
    }

    #[test]
    fn nearest_rank_by_hand() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(nearest_rank(&v, 50), Some(5));
        assert_eq!(nearest_rank(&v, 90), Some(9));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[], 50), None);
    }

    #[test]
    fn a_month_by_hand() {
        // Four complaints; three decided after 1 h, 2 h and 400 h (late: deadline is 360 h).
        let rows = vec![
            row(1, Some(1), "a"),
            row(2, Some(2), "b"),
            row(3, Some(400), "a"),
            row(4, None, "c"),
        ];
        let m = &monthly(&rows, 2000)[0];
        assert_eq!(m.month, "2026-11");
        assert_eq!(m.total, 4);
        assert_eq!(m.decided, 3);
        assert_eq!(m.decision_minutes_median, Some(120));
        assert_eq!(m.decision_minutes_p90, Some(24_000));
        assert_eq!(m.on_time_share, Some(2.0 / 3.0));
        assert_eq!(m.repeat_complainants, 1);
        assert_eq!(m.per_1000_terminals, Some(2.0));
        assert_eq!(m.by_outcome.get("open"), Some(&1));
        assert_eq!(m.by_outcome.get("accepted"), Some(&3));
    }
}
