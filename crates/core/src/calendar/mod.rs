//! The working-day calendar: the one engine every time-related rule (SLA clocks, escalations,
//! "next working day" promises) is built on. Pure: no I/O, no clock, no time-zone crate.
//!
//! # Layers
//!
//! A day's working hours are decided, highest first, by:
//!
//! 1. the override layers, in the order added (e.g. provider, then service point on top): a
//!    layer's [`DayOverride`] for the date — closed, open on the make-up hours, or special
//!    hours — hides everything below;
//! 2. the national schedule ([`HolidaySchedule`], the State Council's yearly arrangement):
//!    a day off is closed, a make-up working day (调休上班, always a weekend day) gets the hours
//!    of the calendar's make-up weekday (Monday by default);
//! 3. for a year whose arrangement is **not loaded**, provisionally: the fixed-date holidays
//!    ([`PROVISIONAL_HOLIDAYS`]: 1 January, 1 May, 1–3 October) are closed;
//! 4. the weekly hours ([`WeeklyHours`], default Monday–Friday 08:00–18:00).
//!
//! [`Calendar::around_the_clock`] has no national schedule and 24-hour days: the same engine
//! and the same operations serve P1's around-the-clock clocks.
//!
//! # Provisional results
//!
//! The product must never treat a year it has no schedule for as settled. Every date of a year
//! without a loaded arrangement is *provisional*, and so are 26–31 December when the next
//! year's is missing (a notice may move days at the end of the year before: 2019's moved
//! 2018-12-29..31, 2023's 2022-12-31). The operations return plain values; ask
//! [`Calendar::is_settled_between`] / [`Calendar::missing_years`] for a span, or use the
//! `reckon_*` variants, which return a [`Reckoned`] value with a `provisional` flag.
//!
//! # Minutes and rounding
//!
//! Working time is counted in whole minutes. **Every instant is first rounded up to the next
//! whole minute** (an instant on a minute boundary is unchanged): a partial minute never counts
//! as working time, and all results are on minute boundaries. Intervals are half-open
//! (`08:00-18:00` contains 17:59, not 18:00), so with those hours:
//!
//! * `is_working_time(17:59:30)` is false (it rounds to 18:00), `is_working_time(07:59:30)` true;
//! * `add_working_minutes(t, n)` for `n ≥ 1` is the end of the `n`-th working minute counted
//!   from `t` (or from the next opening if `t` is closed): 17:30 + 30 is 18:00 the same day,
//!   17:30 + 31 is 08:01 the next working day; `n ≤ 0` gives [`Calendar::next_opening`];
//! * `working_minutes_between(a, b)` counts the working minutes in `[a, b)`; it is negative
//!   when `b < a` and additive over any split point, so an SLA clock that pauses is the sum of
//!   its running segments, and a deadline is `add_working_minutes(resume, budget − used)`;
//! * `add_working_days(t, n)` is the same local time on the `n`-th next working day (see its
//!   documentation for the exact rule);
//! * results past the `Timestamp` range, or on a calendar that runs out of working time,
//!   saturate at [`crate::Timestamp::MAX`] ("never"); no input panics, `i64::MIN..=i64::MAX`
//!   included.
//!
//! # Cost
//!
//! No operation walks days over a span: each is a few evaluations of closed-form prefix sums
//! (see `engine.rs`), O(log entries) each, and an `add_*` finds its day by galloping and
//! bisection. Adding 5 working days or 40 working hours costs a few hundred nanoseconds.

mod date;
mod engine;
mod hours;
pub mod import;
mod layer;
mod schedule;

pub use date::{DateError, LocalDate, MinuteOfDay, Weekday, days_in_month, is_leap_year};
pub use engine::{
    Calendar, CalendarBuilder, DayInfo, DayReason, Days, PROVISIONAL_HOLIDAYS, Reckoned,
};
pub use hours::{DayHours, HoursError, WeeklyHours, WorkInterval};
pub use import::{ImportError, ImportRule, import_days, parse_csv, parse_ical, to_csv, to_ical};
pub use layer::{DayOverride, Override, OverrideLayer};
pub use schedule::{
    DayEntry, DayKind, DayKindError, HolidaySchedule, ScheduleError, ScheduleParseError,
    YearSchedule,
};

#[cfg(test)]
mod tests;
