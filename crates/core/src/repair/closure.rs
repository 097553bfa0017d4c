//! Loaners, closure and rating, repeat faults, dispatch and the repair reports — pure rules.
//!
//! * **Loaners** (seed 001): a loaner is due back a number of days after it was lent (default
//!   14); an overdue loaner escalates ([`loaner_overdue`]).
//! * **Closure and rating** (seed 001 反馈与评估): on resolve the merchant is asked to confirm
//!   and rate 1–5 with a comment; an unanswered confirmation closes the ticket after 3 working
//!   days ([`auto_close_at`]); a rating of 1 or 2 opens a follow-up for a supervisor
//!   ([`needs_follow_up`]).
//! * **Repeat faults**: a new fault on the same terminal within 30 days of an earlier repair's
//!   completion links to it and counts against first-time fix ([`is_repeat`]).
//! * **Dispatch**: technicians ranked by region, skill and current load ([`rank_technicians`]);
//!   an appointment must lie within the merchant's business hours (checked with
//!   `registry::merchant_details::BusinessHours::open_throughout` by the caller).
//! * **Reports**: first-time-fix rate and mean time to restore with and without a loaner
//!   ([`restore_stats`]).

use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::{FieldError, Rule, Timestamp};

/// Days a loaner may stay out by default.
pub const DEFAULT_LOAN_DAYS: i64 = 14;
/// Working days a resolved ticket waits for the merchant's confirmation before closing itself.
pub const CONFIRM_WORKING_DAYS: i64 = 3;
/// A fault within this many days of an earlier repair on the same terminal is a repeat.
pub const REPEAT_WINDOW_DAYS: i64 = 30;
/// Ratings at or below this open a supervisor follow-up.
pub const LOW_RATING: u8 = 2;

const DAY_MS: i64 = 86_400_000;

/// When a loaner lent at `lent_at` is due back (`days` 1–90, field `due_days`).
pub fn loaner_due(lent_at: Timestamp, days: Option<i64>) -> Result<Timestamp, FieldError> {
    let d = days.unwrap_or(DEFAULT_LOAN_DAYS);
    if !(1..=90).contains(&d) {
        return Err(FieldError::new("due_days", Rule::Range { min: 1, max: 90 }));
    }
    Ok(Timestamp::from_millis(lent_at.millis() + d * DAY_MS))
}

/// Whether a loaner still out at `now` is overdue.
pub fn loaner_overdue(due_at: Timestamp, returned_at: Option<Timestamp>, now: Timestamp) -> bool {
    returned_at.is_none() && now > due_at
}

/// When a resolved ticket closes itself if the merchant does not answer: 3 working days on the
/// provider's calendar after the resolution.
pub fn auto_close_at(calendar: &Calendar, resolved_at: Timestamp) -> Timestamp {
    calendar.add_working_days(resolved_at, CONFIRM_WORKING_DAYS)
}

/// A merchant's rating: 1–5 stars and an optional comment of at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub stars: u8,
    pub comment: Option<String>,
}

impl Rating {
    pub fn parse(stars: i64, comment: Option<&str>) -> Result<Self, FieldError> {
        let stars = u8::try_from(stars)
            .ok()
            .filter(|s| (1..=5).contains(s))
            .ok_or_else(|| FieldError::new("stars", Rule::Range { min: 1, max: 5 }))?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if let Some(c) = comment
            && c.chars().count() > 500
        {
            return Err(FieldError::new("comment", Rule::TooLong { max: 500 }));
        }
        Ok(Self {
            stars,
            comment: comment.map(str::to_owned),
        })
    }
}

/// Whether a rating calls for a supervisor's follow-up.
pub fn needs_follow_up(r: &Rating) -> bool {
    r.stars <= LOW_RATING
}

/// Whether a fault reported at `reported_at` repeats a repair completed at `earlier_done_at`
/// on the same terminal.
pub fn is_repeat(earlier_done_at: Timestamp, reported_at: Timestamp) -> bool {
    reported_at >= earlier_done_at
        && reported_at.millis() - earlier_done_at.millis() <= REPEAT_WINDOW_DAYS * DAY_MS
}

/// The service-point skill a repair needs: mail-in repairs the repair centre's, otherwise by
/// the ticket's category.
pub fn skill_for(
    category: crate::ticket::Category,
    method: super::RepairMethod,
) -> crate::registry::service_point::Skill {
    use crate::registry::service_point::Skill;
    use crate::ticket::Category as C;
    if method == super::RepairMethod::MailIn {
        return Skill::MailIn;
    }
    match category {
        C::CardReading | C::Printing => Skill::Peripherals,
        C::Software | C::Settlement | C::OperationQuestion => Skill::Software,
        C::Network => Skill::Network,
        C::Hardware | C::Other => Skill::HardwareRepair,
    }
}

/// A technician the dispatcher may choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<T> {
    pub id: T,
    /// The division code of the technician's service point (6 digits).
    pub division: String,
    pub skills: Vec<String>,
    /// Open on-site visits assigned now.
    pub load: u32,
}

/// How well a candidate's service point matches the merchant's division: same district 3,
/// same city 2, same province 1, else 0 (GB/T 2260 codes: 2 digits province, 4 city, 6
/// district).
pub fn region_match(technician: &str, merchant: &str) -> u8 {
    let same =
        |n: usize| technician.len() >= n && merchant.len() >= n && technician[..n] == merchant[..n];
    if same(6) {
        3
    } else if same(4) {
        2
    } else if same(2) {
        1
    } else {
        0
    }
}

/// The candidates in the order a dispatcher should pick them: nearest region first, then those
/// with the needed skill, then the lightest load; same-province or better only, unless nobody
/// is that close.
pub fn rank_technicians<T: Clone>(
    candidates: &[Candidate<T>],
    merchant_division: &str,
    skill: Option<&str>,
) -> Vec<Candidate<T>> {
    let mut v: Vec<Candidate<T>> = candidates.to_vec();
    v.sort_by_key(|c| {
        (
            std::cmp::Reverse(region_match(&c.division, merchant_division)),
            std::cmp::Reverse(skill.is_some_and(|s| c.skills.iter().any(|k| k == s))),
            c.load,
        )
    });
    if v.iter()
        .any(|c| region_match(&c.division, merchant_division) > 0)
    {
        v.retain(|c| region_match(&c.division, merchant_division) > 0);
    }
    v
}

/// One finished repair, as the reports see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestoreRow {
    /// When the fault was reported (the ticket's creation).
    pub reported_at: Timestamp,
    /// When the merchant could take payments again: the loaner's lending if one was lent,
    /// else the repair's completion.
    pub restored_at: Timestamp,
    pub with_loaner: bool,
    /// A later fault on the same terminal within the window (counts against first-time fix).
    pub repeated: bool,
}

/// First-time-fix rate and mean time to restore.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RestoreStats {
    pub repairs: u64,
    pub first_time_fix_rate: Option<f64>,
    pub mean_restore_minutes: Option<f64>,
    pub mean_restore_minutes_with_loaner: Option<f64>,
    pub mean_restore_minutes_without_loaner: Option<f64>,
}

pub fn restore_stats(rows: &[RestoreRow]) -> RestoreStats {
    let mins =
        |r: &RestoreRow| ((r.restored_at.millis() - r.reported_at.millis()).max(0) / 60_000) as f64;
    let mean = |it: Vec<f64>| (!it.is_empty()).then(|| it.iter().sum::<f64>() / it.len() as f64);
    let n = rows.len() as u64;
    RestoreStats {
        repairs: n,
        first_time_fix_rate: (n > 0)
            .then(|| rows.iter().filter(|r| !r.repeated).count() as f64 / n as f64),
        mean_restore_minutes: mean(rows.iter().map(mins).collect()),
        mean_restore_minutes_with_loaner: mean(
            rows.iter().filter(|r| r.with_loaner).map(mins).collect(),
        ),
        mean_restore_minutes_without_loaner: mean(
            rows.iter().filter(|r| !r.with_loaner).map(mins).collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::LocalDate;

    fn at(y: i32, m: u32, d: u32, h: i64) -> Timestamp {
        Timestamp::from_millis(LocalDate::new(y, m, d).unwrap().start().millis() + h * 3_600_000)
    }

    #[test]
    fn loaner_due_and_overdue() {
        let lent = at(2026, 11, 2, 10);
        let due = loaner_due(lent, None).unwrap();
        assert_eq!(due, at(2026, 11, 16, 10));
        assert!(!loaner_overdue(due, None, due));
        assert!(loaner_overdue(due, None, at(2026, 11, 16, 11)));
        assert!(!loaner_overdue(
            due,
            Some(at(2026, 11, 20, 0)),
            at(2026, 11, 30, 0)
        ));
        assert_eq!(loaner_due(lent, Some(0)).unwrap_err().field, "due_days");
    }

    #[test]
    fn unanswered_confirmation_closes_after_three_working_days_across_a_holiday() {
        // Resolved Wed 30 Sep 2026 15:00; 1–7 Oct is the National Day holiday, so the three
        // working days are 30 Sep (rest of), 8 Oct, 9 Oct → Fri 9 Oct 15:00... counted as
        // whole working days from the instant: 8 Oct 15:00 is one, 9 Oct 15:00 two, Sat 10 Oct
        // (a make-up working day in 2026) 15:00 three.
        let cal = Calendar::national();
        assert_eq!(
            auto_close_at(&cal, at(2026, 9, 30, 15)),
            at(2026, 10, 10, 15)
        );
        // An ordinary week: Mon 15:00 → Thu 15:00.
        assert_eq!(
            auto_close_at(&cal, at(2026, 11, 2, 15)),
            at(2026, 11, 5, 15)
        );
    }

    #[test]
    fn ratings_and_follow_up() {
        assert!(needs_follow_up(&Rating::parse(2, None).unwrap()));
        assert!(!needs_follow_up(&Rating::parse(3, Some(" 还行 ")).unwrap()));
        assert_eq!(Rating::parse(6, None).unwrap_err().field, "stars");
        assert_eq!(Rating::parse(0, None).unwrap_err().field, "stars");
        assert_eq!(Rating::parse(4, Some(" ")).unwrap().comment, None);
    }

    #[test]
    fn repeats_within_thirty_days() {
        let done = at(2026, 11, 1, 10);
        assert!(is_repeat(done, at(2026, 12, 1, 10)));
        assert!(!is_repeat(done, at(2026, 12, 1, 11)));
        assert!(!is_repeat(done, at(2026, 10, 30, 0)));
    }

    #[test]
    fn dispatch_prefers_near_then_skilled_then_idle() {
        let c = |id: u8, div: &str, skills: &[&str], load| Candidate {
            id,
            division: div.into(),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            load,
        };
        let all = vec![
            c(1, "330106", &["printing"], 5),
            c(2, "330106", &[], 0),
            c(3, "330102", &["printing"], 0),
            c(4, "110101", &["printing"], 0),
            c(5, "330106", &["printing"], 1),
        ];
        let ids: Vec<u8> = rank_technicians(&all, "330106", Some("printing"))
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, vec![5, 1, 2, 3]);
        // Nobody in the province: everyone, by skill and load.
        let ids: Vec<u8> = rank_technicians(&all, "440305", Some("printing"))
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, vec![3, 4, 5, 1, 2]);
    }

    #[test]
    fn skills_by_category_and_method() {
        use super::super::RepairMethod;
        use crate::registry::service_point::Skill;
        use crate::ticket::Category;
        assert_eq!(
            skill_for(Category::Printing, RepairMethod::OnSite),
            Skill::Peripherals
        );
        assert_eq!(
            skill_for(Category::Printing, RepairMethod::MailIn),
            Skill::MailIn
        );
        assert_eq!(
            skill_for(Category::Network, RepairMethod::Remote),
            Skill::Network
        );
        assert_eq!(
            skill_for(Category::Other, RepairMethod::OnSite),
            Skill::HardwareRepair
        );
    }

    #[test]
    fn restore_stats_by_hand() {
        let r = |h: i64, loaner, repeated| RestoreRow {
            reported_at: at(2026, 11, 2, 8),
            restored_at: at(2026, 11, 2, 8 + h),
            with_loaner: loaner,
            repeated,
        };
        let s = restore_stats(&[
            r(2, true, false),
            r(4, true, false),
            r(10, false, true),
            r(20, false, false),
        ]);
        assert_eq!(s.repairs, 4);
        assert_eq!(s.first_time_fix_rate, Some(0.75));
        assert_eq!(s.mean_restore_minutes, Some(540.0));
        assert_eq!(s.mean_restore_minutes_with_loaner, Some(180.0));
        assert_eq!(s.mean_restore_minutes_without_loaner, Some(900.0));
        assert_eq!(restore_stats(&[]).first_time_fix_rate, None);
    }
}
