//! The calendar engine: layered day rules and the O(log n) working-time arithmetic.
//!
//! # How it is fast
//!
//! Every operation reduces to a *potential*: `C(d)`, the working minutes (or working days) of
//! all days before day `d`, measured from a fixed origin. `C` is the sum of four closed forms,
//! none of which walks days:
//!
//! 1. the weekly pattern: `⌊e/7⌋·week + prefix[e mod 7]` with `e = d + 3` (1970-01-01 was a
//!    Thursday);
//! 2. the loaded national entries (days off, make-up days): a sorted array of
//!    `(day, value − weekly value)` with prefix sums, found by binary search;
//! 3. the fixed-date holidays of every year *without* a loaded schedule (1 Jan, 1 May,
//!    1–3 Oct): the Gregorian calendar repeats every 400 years (146 097 days, exactly 20 871
//!    weeks), so a 401-entry prefix table over one cycle gives the sum for any run of years,
//!    minus the loaded years' share (prefix sums again);
//! 4. the override layers: a sorted array of `(day, override value − national value)` with
//!    prefix sums.
//!
//! `working_minutes_between(a, b)` is then two evaluations; `add_working_minutes` and
//! `add_working_days` find the day where `C` reaches the target by galloping and bisection
//! (a handful of evaluations for a week, ~70 at most for the whole `Timestamp` range).
//! Within a day, the day's intervals finish the job.

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;

use serde::Serialize;

use super::date::{
    DAY_MINUTES, LocalDate, Weekday, local_minute_ceil, timestamp_of_local_minute, weekday_index,
};
use super::hours::{DayHours, WeeklyHours};
use super::layer::{DayOverride, OverrideLayer};
use super::schedule::{DayKind, HolidaySchedule};
use crate::Timestamp;
use crate::time::{civil_from_days, days_from_civil};

/// Measure index: working minutes.
const MINUTES: usize = 0;
/// Measure index: working days (1 for a day with any working minute).
const DAYS: usize = 1;
/// Values of both measures.
type Pair = [i64; 2];

/// Profile index of "closed" (0–6 are the weekdays' own hours).
const CLOSED: usize = 7;

/// The holidays a year without a loaded schedule still gets: the fixed-date ones, which need
/// no lunar computation (全国年节及纪念日放假办法: 元旦 1 Jan, 劳动节 1 May, 国庆节 1–3 Oct).
pub const PROVISIONAL_HOLIDAYS: [(u32, u32, &str); 5] = [
    (1, 1, "元旦 New Year's Day"),
    (5, 1, "劳动节 Labour Day"),
    (10, 1, "国庆节 National Day"),
    (10, 2, "国庆节 National Day"),
    (10, 3, "国庆节 National Day"),
];

fn minute_bounds() -> (i64, i64) {
    (
        local_minute_ceil(Timestamp::MIN),
        local_minute_ceil(Timestamp::MAX),
    )
}

/// A value with whether it depends on a year whose national arrangement is not loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reckoned<T> {
    pub value: T,
    /// True if any day the computation touched lies in a year without a loaded schedule
    /// (26–31 December also need the next year's): the value may change when it is loaded.
    pub provisional: bool,
}

/// Why a day has the hours it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DayReason<'a> {
    /// The weekday's regular hours.
    Weekly,
    /// A national day off from a loaded arrangement.
    Holiday { name: &'a str },
    /// A national make-up working day (调休上班): the make-up weekday's hours.
    MakeUpWorkday { name: &'a str },
    /// A fixed-date holiday of a year whose arrangement is not loaded.
    ProvisionalHoliday { name: &'static str },
    /// An override layer decided it.
    Override { layer: &'a str, note: &'a str },
}

/// One day of a calendar, explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayInfo<'a> {
    pub date: LocalDate,
    /// `Work` if the day has any working minute.
    pub kind: DayKind,
    pub hours: &'a DayHours,
    pub reason: DayReason<'a>,
    /// The date's year (or, for 26–31 December, the next year) has no loaded arrangement.
    pub provisional: bool,
}

#[derive(Debug, Clone)]
struct Config {
    schedule: Option<HolidaySchedule>,
    weekly: WeeklyHours,
    makeup: Weekday,
    layers: Vec<OverrideLayer>,
}

/// Builds a [`Calendar`]: national schedule ← weekly hours ← override layers (lowest first).
#[derive(Debug, Clone)]
pub struct CalendarBuilder {
    config: Config,
}

impl Default for CalendarBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl CalendarBuilder {
    /// The built-in national schedule, the standard hours (Mon–Fri 08:00–18:00), make-up days
    /// on Monday's hours, no overrides.
    pub fn new() -> Self {
        Self {
            config: Config {
                schedule: Some(HolidaySchedule::builtin()),
                weekly: WeeklyHours::standard(),
                makeup: Weekday::Mon,
                layers: Vec::new(),
            },
        }
    }

    /// Uses `schedule` as the national schedule.
    pub fn schedule(mut self, schedule: HolidaySchedule) -> Self {
        self.config.schedule = Some(schedule);
        self
    }

    /// Ignores national holidays altogether: every day follows the weekly hours (and the
    /// overrides), and nothing is ever provisional. Used for around-the-clock clocks.
    pub fn without_schedule(mut self) -> Self {
        self.config.schedule = None;
        self
    }

    /// Uses these weekly business hours.
    pub fn weekly(mut self, weekly: WeeklyHours) -> Self {
        self.config.weekly = weekly;
        self
    }

    /// Make-up working days (调休) and [`DayOverride::Open`] days use this weekday's hours.
    pub fn makeup_weekday(mut self, weekday: Weekday) -> Self {
        self.config.makeup = weekday;
        self
    }

    /// Adds an override layer above the ones added before (e.g. provider, then service point).
    pub fn layer(mut self, layer: OverrideLayer) -> Self {
        self.config.layers.push(layer);
        self
    }

    /// Builds the calendar (precomputes its tables; cost grows with the entries, not time).
    pub fn build(self) -> Calendar {
        Calendar::from_config(self.config)
    }
}

/// A working-time calendar in Asia/Shanghai. Immutable and cheap to share (`Send + Sync`);
/// rebuild it when the schedule, hours or overrides change.
///
/// See the [module documentation](crate::calendar) for the exact semantics of every operation.
#[derive(Debug, Clone)]
pub struct Calendar {
    config: Config,
    /// 0–6: weekly hours (Mon–Sun); 7: closed; then the overrides' own hours.
    profiles: Vec<DayHours>,
    makeup: usize,
    national: bool,
    week: [Pair; 7],
    week_prefix: [Pair; 8],
    nat_days: Vec<i64>,
    nat: Vec<(DayKind, u32)>,
    names: Vec<String>,
    nat_prefix: Vec<Pair>,
    loaded: Vec<i64>,
    cycle: Vec<Pair>,
    loaded_prefix: Vec<Pair>,
    ovr_days: Vec<i64>,
    ovr: Vec<(u32, u32)>,
    ovr_prefix: Vec<Pair>,
    min_minute: i64,
    max_minute: i64,
    day_limit: i64,
}

fn sub(a: Pair, b: Pair) -> Pair {
    [a[0] - b[0], a[1] - b[1]]
}

fn add(a: Pair, b: Pair) -> Pair {
    [a[0] + b[0], a[1] + b[1]]
}

fn value_of(h: &DayHours) -> Pair {
    let m = i64::from(h.total_minutes());
    [m, i64::from(m > 0)]
}

fn prefix_sums(values: impl Iterator<Item = Pair>) -> Vec<Pair> {
    let mut out = vec![[0, 0]];
    let mut acc = [0, 0];
    for v in values {
        acc = add(acc, v);
        out.push(acc);
    }
    out
}

impl Calendar {
    /// The product default: built-in national schedule, Mon–Fri 08:00–18:00, make-up days on
    /// Monday's hours.
    pub fn national() -> Self {
        CalendarBuilder::new().build()
    }

    /// Around the clock, every day, no holidays, never provisional (P1 clocks).
    pub fn around_the_clock() -> Self {
        CalendarBuilder::new()
            .without_schedule()
            .weekly(WeeklyHours::all_day())
            .build()
    }

    /// A builder starting from the product default.
    pub fn builder() -> CalendarBuilder {
        CalendarBuilder::new()
    }

    /// A builder holding this calendar's configuration, to change it.
    pub fn to_builder(&self) -> CalendarBuilder {
        CalendarBuilder {
            config: self.config.clone(),
        }
    }

    /// This calendar with `layer` added on top (e.g. a service point's over its provider's).
    pub fn with_layer(&self, layer: OverrideLayer) -> Calendar {
        self.to_builder().layer(layer).build()
    }

    /// The national schedule, or `None` for a calendar without one.
    pub fn schedule(&self) -> Option<&HolidaySchedule> {
        self.config.schedule.as_ref()
    }

    /// The weekly hours.
    pub fn weekly(&self) -> &WeeklyHours {
        &self.config.weekly
    }

    /// The weekday whose hours make-up days use.
    pub fn makeup_weekday(&self) -> Weekday {
        self.config.makeup
    }

    /// The override layers, lowest first.
    pub fn layers(&self) -> &[OverrideLayer] {
        &self.config.layers
    }

    fn from_config(config: Config) -> Calendar {
        let mut profiles: Vec<DayHours> = Weekday::ALL
            .iter()
            .map(|w| config.weekly.get(*w).clone())
            .collect();
        profiles.push(DayHours::closed());
        let makeup = config.makeup.index();
        let week: [Pair; 7] = std::array::from_fn(|i| value_of(&profiles[i]));
        let mut week_prefix = [[0, 0]; 8];
        for i in 0..7 {
            week_prefix[i + 1] = add(week_prefix[i], week[i]);
        }

        // National entries, later notices winning a date two notices list.
        let mut names: Vec<String> = Vec::new();
        let mut name_ids: HashMap<String, u32> = HashMap::new();
        let mut flat: BTreeMap<i64, (DayKind, u32)> = BTreeMap::new();
        let mut loaded = Vec::new();
        if let Some(s) = &config.schedule {
            for y in s.iter() {
                loaded.push(i64::from(y.year()));
                for e in y.entries() {
                    let id = *name_ids.entry(e.name.clone()).or_insert_with(|| {
                        names.push(e.name.clone());
                        (names.len() - 1) as u32
                    });
                    flat.insert(e.date.days(), (e.kind, id));
                }
            }
        }
        let nat_days: Vec<i64> = flat.keys().copied().collect();
        let nat: Vec<(DayKind, u32)> = flat.values().copied().collect();
        let nat_prefix = prefix_sums(nat_days.iter().zip(&nat).map(|(&d, &(k, _))| {
            let wd = week[weekday_index(d)];
            match k {
                DayKind::Off => sub([0, 0], wd),
                DayKind::Work => sub(week[makeup], wd),
            }
        }));

        // Fixed-date holidays over one 400-year cycle (year 0 ≡ 400 ≡ 2000 …).
        let fixed_year = |y: i64| -> Pair {
            PROVISIONAL_HOLIDAYS.iter().fold([0, 0], |acc, &(m, d, _)| {
                sub(acc, week[weekday_index(days_from_civil(y, m, d))])
            })
        };
        let cycle = prefix_sums((0..400).map(fixed_year));
        let loaded_prefix = prefix_sums(loaded.iter().map(|&y| fixed_year(y)));

        // Override layers, higher layers hiding lower ones; identical hours share a profile.
        let mut hours_ids: HashMap<DayHours, usize> = HashMap::new();
        let mut ovr_flat: BTreeMap<i64, (u32, u32)> = BTreeMap::new();
        for (li, layer) in config.layers.iter().enumerate() {
            for (date, o) in layer.iter() {
                let p = match &o.rule {
                    DayOverride::Closed => CLOSED,
                    DayOverride::Open => makeup,
                    DayOverride::Hours(h) => *hours_ids.entry(h.clone()).or_insert_with(|| {
                        profiles.push(h.clone());
                        profiles.len() - 1
                    }),
                };
                ovr_flat.insert(date.days(), (p as u32, li as u32));
            }
        }

        let (min_minute, max_minute) = minute_bounds();
        let mut cal = Calendar {
            national: config.schedule.is_some(),
            config,
            profiles,
            makeup,
            week,
            week_prefix,
            nat_days,
            nat,
            names,
            nat_prefix,
            loaded,
            cycle,
            loaded_prefix,
            ovr_days: Vec::new(),
            ovr: Vec::new(),
            ovr_prefix: vec![[0, 0]],
            min_minute,
            max_minute,
            day_limit: max_minute.div_euclid(DAY_MINUTES) + 1,
        };
        let corrections: Vec<Pair> = ovr_flat
            .iter()
            .map(|(&day, &(p, _))| {
                let national = value_of(&cal.profiles[cal.national_profile(day)]);
                sub(value_of(&cal.profiles[p as usize]), national)
            })
            .collect();
        cal.ovr_prefix = prefix_sums(corrections.into_iter());
        cal.ovr_days = ovr_flat.keys().copied().collect();
        cal.ovr = ovr_flat.values().copied().collect();
        cal
    }

    // ---- day rules -------------------------------------------------------------------------

    /// Name of the fixed-date holiday on `day` if its year has no loaded schedule.
    fn provisional_holiday(&self, day: i64) -> Option<&'static str> {
        let (y, m, d) = civil_from_days(day);
        let name = PROVISIONAL_HOLIDAYS
            .iter()
            .find(|f| f.0 == m && f.1 == d)?
            .2;
        self.loaded.binary_search(&y).is_err().then_some(name)
    }

    /// The profile the national level (schedule over weekly hours) gives `day`.
    fn national_profile(&self, day: i64) -> usize {
        let wd = weekday_index(day);
        if !self.national {
            return wd;
        }
        if let Ok(i) = self.nat_days.binary_search(&day) {
            return match self.nat[i].0 {
                DayKind::Off => CLOSED,
                DayKind::Work => self.makeup,
            };
        }
        if self.provisional_holiday(day).is_some() {
            return CLOSED;
        }
        wd
    }

    fn profile(&self, day: i64) -> usize {
        match self.ovr_days.binary_search(&day) {
            Ok(i) => self.ovr[i].0 as usize,
            Err(_) => self.national_profile(day),
        }
    }

    fn hours_of(&self, day: i64) -> &DayHours {
        &self.profiles[self.profile(day)]
    }

    // ---- potentials ------------------------------------------------------------------------

    /// Measure `m` summed over all days before `d` (from a fixed origin; only differences mean
    /// anything). Non-decreasing in `d`; `potential(d + 1) − potential(d)` is day `d`'s value.
    fn potential(&self, m: usize, d: i64) -> i64 {
        let e = d + 3;
        let mut c = e.div_euclid(7) * self.week_prefix[7][m]
            + self.week_prefix[e.rem_euclid(7) as usize][m];
        c += self.nat_prefix[self.nat_days.partition_point(|&x| x < d)][m];
        c += self.ovr_prefix[self.ovr_days.partition_point(|&x| x < d)][m];
        if self.national {
            c += self.fixed_potential(m, d);
        }
        c
    }

    /// The fixed-date holidays of years without a schedule, before day `d`.
    fn fixed_potential(&self, m: usize, d: i64) -> i64 {
        let (y, _, _) = civil_from_days(d);
        let r = y.rem_euclid(400) as usize;
        let mut p = y.div_euclid(400) * self.cycle[400][m] + self.cycle[r][m];
        let li = self.loaded.partition_point(|&l| l < y);
        p -= self.loaded_prefix[li][m];
        if self.loaded.get(li) != Some(&y) {
            for &(mo, da, _) in &PROVISIONAL_HOLIDAYS {
                let k = days_from_civil(y, mo, da);
                if k < d {
                    p -= self.week[weekday_index(k)][m];
                }
            }
        }
        p
    }

    /// Working minutes before local minute `lm`, from the origin.
    fn minute_potential(&self, lm: i64) -> i64 {
        let d = lm.div_euclid(DAY_MINUTES);
        let tod = lm.rem_euclid(DAY_MINUTES) as u32;
        self.potential(MINUTES, d) + i64::from(self.hours_of(d).minutes_before(tod))
    }

    /// The smallest `x` in `(from, day_limit]` with `potential(m, x) ≥ target`, given
    /// `potential(m, from) < target`; `None` if there is none.
    fn first_reaching(&self, m: usize, from: i64, target: i64) -> Option<i64> {
        if from >= self.day_limit {
            return None;
        }
        // First probe where the weekly rate says the target is, then gallop 1, 2, 4 … days.
        let rate = self.week_prefix[7][m];
        let mut step = if rate > 0 {
            let need = target.saturating_sub(self.potential(m, from));
            (need.saturating_mul(7) / rate).max(1)
        } else {
            1
        };
        let mut next_step: i64 = 1;
        let mut lo = from;
        let mut hi;
        loop {
            hi = lo.saturating_add(step).min(self.day_limit);
            if self.potential(m, hi) >= target {
                break;
            }
            if hi == self.day_limit {
                return None;
            }
            lo = hi;
            step = next_step;
            next_step = next_step.saturating_mul(2);
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.potential(m, mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }

    /// The local minute at which the `n`-th (n ≥ 1) working minute from local minute `lm` ends.
    fn add_minutes_local(&self, lm: i64, n: i64) -> Option<i64> {
        let d0 = lm.div_euclid(DAY_MINUTES);
        let target = self.minute_potential(lm).saturating_add(n);
        let x = self.first_reaching(MINUTES, d0, target)?;
        let day = x - 1;
        let r = u32::try_from(target - self.potential(MINUTES, day)).ok()?;
        let tod = self.hours_of(day).end_of_nth_minute(r)?;
        Some(day * DAY_MINUTES + i64::from(tod))
    }

    /// The first working local minute at or after `lm`.
    fn next_opening_local(&self, lm: i64) -> Option<i64> {
        let d = lm.div_euclid(DAY_MINUTES);
        let tod = lm.rem_euclid(DAY_MINUTES) as u32;
        if self.hours_of(d).contains_minute(tod) {
            return Some(lm);
        }
        self.add_minutes_local(lm, 1).map(|m| m - 1)
    }

    fn to_timestamp(&self, lm: i64) -> Timestamp {
        if lm > self.max_minute {
            Timestamp::MAX
        } else {
            timestamp_of_local_minute(lm.max(self.min_minute))
        }
    }

    // ---- operations ------------------------------------------------------------------------

    /// Whether `ts` (rounded up to the minute) is inside working hours.
    pub fn is_working_time(&self, ts: Timestamp) -> bool {
        let lm = local_minute_ceil(ts);
        let d = lm.div_euclid(DAY_MINUTES);
        self.hours_of(d)
            .contains_minute(lm.rem_euclid(DAY_MINUTES) as u32)
    }

    /// Whether `date` has any working time.
    pub fn is_working_day(&self, date: LocalDate) -> bool {
        !self.hours_of(date.days()).is_closed()
    }

    /// The working hours of `date` after every layer.
    pub fn hours(&self, date: LocalDate) -> &DayHours {
        self.hours_of(date.days())
    }

    /// The first working instant at or after `ts` (rounded up to the minute): `ts` itself if it
    /// is working time. `None` only if no working time follows within the `Timestamp` range
    /// (the search is O(log n) over the whole range, never a loop over days).
    pub fn next_opening(&self, ts: Timestamp) -> Option<Timestamp> {
        self.next_opening_local(local_minute_ceil(ts))
            .filter(|&m| m <= self.max_minute)
            .map(timestamp_of_local_minute)
    }

    /// The instant `n` working minutes after `ts`: counting starts at `ts` rounded up to the
    /// minute, or at the next opening if that is outside hours. For `n ≥ 1` the result is the
    /// end of the `n`-th working minute (so it can be a closing time such as 18:00, never the
    /// next morning); for `n ≤ 0` it is [`Calendar::next_opening`]. Saturates at
    /// [`Timestamp::MAX`] ("never") when the calendar runs out of working time.
    pub fn add_working_minutes(&self, ts: Timestamp, n: i64) -> Timestamp {
        let lm = local_minute_ceil(ts);
        let out = if n <= 0 {
            self.next_opening_local(lm)
        } else {
            self.add_minutes_local(lm, n)
        };
        out.map_or(Timestamp::MAX, |m| self.to_timestamp(m))
    }

    /// The deadline `n` working days after `ts`, for SLAs such as "resolve within 3 working
    /// days": let `s` be the first working instant at or after `ts` (rounded up to the minute),
    /// on day `D` at local time `c`; the result is local time `c` on the `n`-th working day
    /// after `D`, clamped into that day's span from its opening to its closing (so a 15:00
    /// start lands on a half day's 12:00 close). `n ≤ 0` gives `s`. With uniform hours this is
    /// exactly `n` full working days of working time; a ticket received after hours starts at
    /// the next opening, so it gets `n` whole days. Saturates at [`Timestamp::MAX`].
    pub fn add_working_days(&self, ts: Timestamp, n: i64) -> Timestamp {
        let Some(s) = self.next_opening_local(local_minute_ceil(ts)) else {
            return Timestamp::MAX;
        };
        if n <= 0 {
            return self.to_timestamp(s);
        }
        let d = s.div_euclid(DAY_MINUTES);
        let c = s.rem_euclid(DAY_MINUTES) as u32;
        let target = self.potential(DAYS, d + 1).saturating_add(n);
        let Some(x) = self.first_reaching(DAYS, d + 1, target) else {
            return Timestamp::MAX;
        };
        let day = x - 1;
        let h = self.hours_of(day);
        let (open, close) = match (h.opening(), h.closing()) {
            (Some(o), Some(c)) => (o.minutes(), c.minutes()),
            _ => return Timestamp::MAX, // unreachable: `day` is a working day
        };
        self.to_timestamp(day * DAY_MINUTES + i64::from(c.clamp(open, close)))
    }

    /// Working minutes from `a` to `b`, both rounded up to the minute: the whole working minutes
    /// in `[a, b)`. Antisymmetric: negative when `b` is before `a`. Additive:
    /// `between(a, b) + between(b, c) == between(a, c)` for any three instants, so paused
    /// spans can be subtracted segment by segment.
    pub fn working_minutes_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        self.minute_potential(local_minute_ceil(b)) - self.minute_potential(local_minute_ceil(a))
    }

    /// Working days in `[from, to)` (negative if `to` is before `from`).
    pub fn working_days_between(&self, from: LocalDate, to: LocalDate) -> i64 {
        self.potential(DAYS, to.days()) - self.potential(DAYS, from.days())
    }

    /// Each date of `year` with whether it is worked (for `posdesk calendar days --year Y`).
    /// Empty for a year outside 1–9999.
    pub fn days(&self, year: i32) -> Days<'_> {
        let range = LocalDate::new(year, 1, 1)
            .ok()
            .zip(LocalDate::new(year, 12, 31).ok());
        match range {
            Some((a, b)) => Days {
                cal: self,
                next: a.days(),
                end: b.days() + 1,
            },
            None => Days {
                cal: self,
                next: 0,
                end: 0,
            },
        }
    }

    /// `date` explained: its hours, what decided them, and whether it is provisional.
    pub fn day_info(&self, date: LocalDate) -> DayInfo<'_> {
        let day = date.days();
        let (p, reason) = if let Ok(i) = self.ovr_days.binary_search(&day) {
            let (p, li) = self.ovr[i];
            let layer = &self.config.layers[li as usize];
            let note = layer.get(date).map_or("", |o| o.note.as_str());
            (
                p as usize,
                DayReason::Override {
                    layer: layer.name(),
                    note,
                },
            )
        } else if !self.national {
            (weekday_index(day), DayReason::Weekly)
        } else if let Ok(i) = self.nat_days.binary_search(&day) {
            let (kind, name) = self.nat[i];
            let name = self.names[name as usize].as_str();
            match kind {
                DayKind::Off => (CLOSED, DayReason::Holiday { name }),
                DayKind::Work => (self.makeup, DayReason::MakeUpWorkday { name }),
            }
        } else if let Some(name) = self.provisional_holiday(day) {
            (CLOSED, DayReason::ProvisionalHoliday { name })
        } else {
            (weekday_index(day), DayReason::Weekly)
        };
        let hours = &self.profiles[p];
        DayInfo {
            date,
            kind: if hours.is_closed() {
                DayKind::Off
            } else {
                DayKind::Work
            },
            hours,
            reason,
            provisional: !self.days_settled(day, day),
        }
    }

    // ---- provisional years -----------------------------------------------------------------

    /// The years whose arrangements decide local days `lo..=hi`.
    fn needed_years(lo: i64, hi: i64) -> (i64, i64) {
        let (y0, _, _) = civil_from_days(lo);
        let (y1, m1, d1) = civil_from_days(hi);
        (y0, if m1 == 12 && d1 >= 26 { y1 + 1 } else { y1 })
    }

    fn days_settled(&self, lo: i64, hi: i64) -> bool {
        if !self.national {
            return true;
        }
        let (y0, y1) = Self::needed_years(lo, hi);
        let a = self.loaded.partition_point(|&y| y < y0);
        let b = self.loaded.partition_point(|&y| y <= y1);
        (b - a) as i64 == y1 - y0 + 1
    }

    fn day_span(a: Timestamp, b: Timestamp) -> (i64, i64) {
        let da = local_minute_ceil(a).div_euclid(DAY_MINUTES);
        let db = local_minute_ceil(b).div_euclid(DAY_MINUTES);
        (da.min(db), da.max(db))
    }

    /// Whether every day from `a` to `b` (either order, rounded up to the minute) lies in a
    /// year with a loaded arrangement — 26–31 December need the next year's too. Always true
    /// for a calendar without a national schedule.
    pub fn is_settled_between(&self, a: Timestamp, b: Timestamp) -> bool {
        let (lo, hi) = Self::day_span(a, b);
        self.days_settled(lo, hi)
    }

    /// Whether `date` is settled (see [`Calendar::is_settled_between`]).
    pub fn is_date_settled(&self, date: LocalDate) -> bool {
        self.days_settled(date.days(), date.days())
    }

    /// The years without a loaded arrangement that the span from `a` to `b` needs, as merged
    /// ranges (at most one more range than years loaded, however long the span).
    pub fn missing_years(&self, a: Timestamp, b: Timestamp) -> Vec<RangeInclusive<i32>> {
        if !self.national {
            return Vec::new();
        }
        let (lo, hi) = Self::day_span(a, b);
        let (y0, y1) = Self::needed_years(lo, hi);
        let clamp = |y: i64| y.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        let mut out = Vec::new();
        let mut next = y0;
        for &y in self.loaded.iter().filter(|&&y| y >= y0 && y <= y1) {
            if y > next {
                out.push(clamp(next)..=clamp(y - 1));
            }
            next = y + 1;
        }
        if next <= y1 {
            out.push(clamp(next)..=clamp(y1));
        }
        out
    }

    /// [`Calendar::add_working_minutes`] with whether it is provisional.
    pub fn reckon_add_minutes(&self, ts: Timestamp, n: i64) -> Reckoned<Timestamp> {
        let value = self.add_working_minutes(ts, n);
        Reckoned {
            value,
            provisional: !self.is_settled_between(ts, value),
        }
    }

    /// [`Calendar::add_working_days`] with whether it is provisional.
    pub fn reckon_add_days(&self, ts: Timestamp, n: i64) -> Reckoned<Timestamp> {
        let value = self.add_working_days(ts, n);
        Reckoned {
            value,
            provisional: !self.is_settled_between(ts, value),
        }
    }

    /// [`Calendar::working_minutes_between`] with whether it is provisional.
    pub fn reckon_between(&self, a: Timestamp, b: Timestamp) -> Reckoned<i64> {
        Reckoned {
            value: self.working_minutes_between(a, b),
            provisional: !self.is_settled_between(a, b),
        }
    }

    /// [`Calendar::next_opening`] with whether it is provisional.
    pub fn reckon_next_opening(&self, ts: Timestamp) -> Reckoned<Option<Timestamp>> {
        let value = self.next_opening(ts);
        Reckoned {
            value,
            provisional: !self.is_settled_between(ts, value.unwrap_or(Timestamp::MAX)),
        }
    }
}

/// The dates of one year with whether each is worked; see [`Calendar::days`].
#[derive(Debug, Clone)]
pub struct Days<'a> {
    cal: &'a Calendar,
    next: i64,
    end: i64,
}

impl Iterator for Days<'_> {
    type Item = (LocalDate, DayKind);

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let date = LocalDate::from_days(self.next)?;
        self.next += 1;
        let kind = if self.cal.is_working_day(date) {
            DayKind::Work
        } else {
            DayKind::Off
        };
        Some((date, kind))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.end - self.next).unwrap_or(0);
        (n, Some(n))
    }
}

impl ExactSizeIterator for Days<'_> {}

#[cfg(test)]
impl Calendar {
    /// Test hook: the potential's day-to-day step must equal the day's own value.
    pub(crate) fn potential_step(&self, day: i64) -> (i64, i64) {
        (
            self.potential(MINUTES, day + 1) - self.potential(MINUTES, day),
            self.potential(DAYS, day + 1) - self.potential(DAYS, day),
        )
    }

    pub(crate) fn day_value(&self, day: i64) -> (i64, i64) {
        let v = value_of(self.hours_of(day));
        (v[0], v[1])
    }
}
