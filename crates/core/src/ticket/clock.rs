//! SLA clocks as pure functions of (calendar, policy, status history, response/update/fix
//! instants, now). Nothing is stored but the inputs: elapsed and paused time are rebuilt from
//! the status history on every call, so a changed priority (another policy), an edited policy
//! or a changed calendar (a holiday year loaded, an override added) gives the right deadlines
//! the next time the clocks are read.
//!
//! # How a clock counts
//!
//! A clock has a window: it **starts** at creation (first response, resolution), at the first
//! public response (resolution under [`ResolutionStart::FirstResponse`]), or at the latest
//! public message (next update: the later of the first response and the last update; it does
//! not exist before the first response). It **stops** at its own event (first response,
//! resolution — for P1 storage passes the instant service was restored, a loaner counts) or
//! when the ticket's current status is `resolved`, `closed` or `merged` (at the instant that
//! run of statuses began). A clock without its start is `pending`.
//!
//! Inside the window the history is cut into segments: a status in the clock's
//! pause set is *paused* time, `resolved`/`closed`/`merged` in the middle (a ticket
//! resolved, then reopened) is not counted at all, every other status *runs*. Minutes are
//! working minutes of the provider's calendar ([`Basis::Working`]) or of
//! [`Calendar::around_the_clock`] ([`Basis::AroundTheClock`]), with the calendar's rounding
//! (every instant rounded up to the minute), so the segments add up exactly.
//!
//! * **deadline**: the instant the running time reaches the target, if the current status
//!   continued — `add_working_minutes(segment start, target − used)` in the segment where the
//!   budget runs out. A paused clock has none (it is not approaching one), unless it was
//!   already breached. A met clock reports the deadline it had when it stopped.
//! * **breached**: the deadline lies before the clock's stop (or `now`) and the clock was
//!   running at some instant after it. A deadline at 18:00 is breached at 18:00:00.001 even
//!   though no working minute has passed since: `remaining_minutes` is then 0 and turns
//!   negative from the next opening. A clock that used its whole budget exactly when a pause
//!   began is held at zero, not breached, until it runs again.
//! * **provisional**: a working clock whose window or deadline touches a year without a
//!   loaded holiday arrangement ([`Calendar::is_settled_between`]).
//!
//! Cost: O(history length × log calendar entries) per clock; no day-by-day walk.
//!
//! [`ResolutionStart::FirstResponse`]: super::sla::ResolutionStart::FirstResponse

use std::sync::OnceLock;

use serde::Serialize;

use super::sla::{Basis, ClockKind, ClockSpec, ResolutionStart, SlaPolicy};
use super::status::TicketStatus;
use crate::Timestamp;
use crate::calendar::Calendar;
use crate::registry::codes;

/// The status a ticket entered at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct StatusChange {
    pub at: Timestamp,
    pub status: TicketStatus,
}

impl StatusChange {
    pub fn new(at: Timestamp, status: TicketStatus) -> Self {
        Self { at, status }
    }
}

/// A status history that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("a status history needs at least the creation entry")]
    Empty,
    #[error("status history entry {index} is earlier than the one before it")]
    OutOfOrder { index: usize },
}

/// A ticket's status history from creation: at least one entry, instants non-decreasing (two
/// entries may share an instant; the later one wins). The first entry is the creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StatusHistory(Vec<StatusChange>);

impl StatusHistory {
    /// Checks the entries (non-empty, in order).
    pub fn new(changes: Vec<StatusChange>) -> Result<Self, HistoryError> {
        if changes.is_empty() {
            return Err(HistoryError::Empty);
        }
        if let Some(i) = (1..changes.len()).find(|&i| changes[i].at < changes[i - 1].at) {
            return Err(HistoryError::OutOfOrder { index: i });
        }
        Ok(Self(changes))
    }

    /// A history with only the creation entry.
    pub fn created(at: Timestamp, status: TicketStatus) -> Self {
        Self(vec![StatusChange { at, status }])
    }

    /// Appends a change (not earlier than the last one).
    pub fn push(&mut self, change: StatusChange) -> Result<(), HistoryError> {
        if self.0.last().is_some_and(|l| change.at < l.at) {
            return Err(HistoryError::OutOfOrder {
                index: self.0.len(),
            });
        }
        self.0.push(change);
        Ok(())
    }

    pub fn changes(&self) -> &[StatusChange] {
        &self.0
    }

    /// When the ticket was created.
    pub fn created_at(&self) -> Timestamp {
        self.0[0].at
    }

    /// The latest status.
    pub fn current(&self) -> TicketStatus {
        self.0[self.0.len() - 1].status
    }

    /// The status in effect at `t` (`None` before creation).
    pub fn status_at(&self, t: Timestamp) -> Option<TicketStatus> {
        let n = self.0.partition_point(|c| c.at <= t);
        n.checked_sub(1).map(|i| self.0[i].status)
    }
}

/// What the clocks are computed from, besides the calendar and the policy. Instants after
/// `now` are treated as not having happened yet.
#[derive(Debug, Clone, Copy)]
pub struct ClockInputs<'a> {
    pub history: &'a StatusHistory,
    /// The first public reply to the merchant.
    pub first_response_at: Option<Timestamp>,
    /// The latest public reply or update (may equal the first response).
    pub last_update_at: Option<Timestamp>,
    /// When the fix counted for the SLA (service restored; for P1 a loaner counts). Usually
    /// the instant of the `resolve` step; `None` while unresolved or after a reopen.
    pub resolved_at: Option<Timestamp>,
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Not started: waits for its start (the first response).
    Pending,
    /// Counting towards its deadline.
    Running,
    /// In a pause status.
    Paused,
    /// Stopped in time.
    Met,
    /// Past its deadline (still counting, paused, or stopped late).
    Breached,
}
codes!(ClockState {
    Pending => "pending",
    Running => "running",
    Paused => "paused",
    Met => "met",
    Breached => "breached",
});

/// One clock at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub kind: ClockKind,
    pub basis: Basis,
    pub target_minutes: i64,
    pub state: ClockState,
    pub started_at: Option<Timestamp>,
    /// When it stopped (its event, or the ticket resolved/closed/merged).
    pub stopped_at: Option<Timestamp>,
    pub deadline: Option<Timestamp>,
    /// Running minutes (on the clock's basis) from its start to its stop or `now`.
    pub elapsed_minutes: i64,
    /// Minutes spent in pause statuses (on the clock's basis).
    pub paused_minutes: i64,
    /// `target − elapsed`: negative once working time passes the deadline.
    pub remaining_minutes: i64,
    /// A working clock touching a year whose holiday arrangement is not loaded.
    pub provisional: bool,
    /// Counting at `now`: started, not stopped, not paused (whether breached or not).
    pub counting: bool,
}

/// The three clocks of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Clocks {
    pub first_response: Clock,
    pub next_update: Clock,
    pub resolution: Clock,
}

impl Clocks {
    /// The clocks in [`ClockKind::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = &Clock> + '_ {
        [&self.first_response, &self.next_update, &self.resolution].into_iter()
    }

    pub fn get(&self, kind: ClockKind) -> &Clock {
        match kind {
            ClockKind::FirstResponse => &self.first_response,
            ClockKind::NextUpdate => &self.next_update,
            ClockKind::Resolution => &self.resolution,
        }
    }

    /// Whether any clock is breached.
    pub fn any_breached(&self) -> bool {
        self.iter().any(|c| c.state == ClockState::Breached)
    }
}

/// The around-the-clock calendar, built once.
pub(crate) fn around_the_clock() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::around_the_clock)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SegKind {
    Run,
    Pause,
    /// Resolved, closed or merged inside the window (later reopened): not counted.
    Idle,
}

#[derive(Debug, Clone, Copy)]
struct Seg {
    from: Timestamp,
    /// `None`: open-ended (the status current at `now`, clock not stopped).
    to: Option<Timestamp>,
    kind: SegKind,
}

/// A started clock's window cut into segments.
#[derive(Debug, Clone)]
pub(crate) struct Timeline<'c> {
    cal: &'c Calendar,
    pub(crate) start: Timestamp,
    pub(crate) stop: Option<Timestamp>,
    now: Timestamp,
    segs: Vec<Seg>,
}

impl<'c> Timeline<'c> {
    /// The clock's timeline, or `None` while it is pending.
    pub(crate) fn build(
        calendar: &'c Calendar,
        policy: &SlaPolicy,
        kind: ClockKind,
        inputs: &ClockInputs<'_>,
        now: Timestamp,
    ) -> Option<Timeline<'c>> {
        let spec = policy.clock(kind);
        let cal = match spec.target().basis() {
            Basis::Working => calendar,
            Basis::AroundTheClock => around_the_clock(),
        };
        let seen = |t: Option<Timestamp>| t.filter(|t| *t <= now);
        let history = inputs.history.changes();
        let created = inputs.history.created_at();
        if created > now {
            return None;
        }
        let first_response = seen(inputs.first_response_at);
        let start = match kind {
            ClockKind::FirstResponse => created,
            ClockKind::Resolution => match policy.resolution_start() {
                ResolutionStart::Created => created,
                ResolutionStart::FirstResponse => first_response?,
            },
            ClockKind::NextUpdate => {
                let fr = first_response?;
                seen(inputs.last_update_at).map_or(fr, |u| u.max(fr))
            }
        }
        .max(created);
        let own_stop = match kind {
            ClockKind::FirstResponse => first_response,
            ClockKind::Resolution => seen(inputs.resolved_at),
            ClockKind::NextUpdate => None,
        };
        // The entries up to now; if the current status stops clocks, the instant its run of
        // stopping statuses began.
        let n = history.partition_point(|c| c.at <= now);
        let visible = &history[..n];
        let status_stop = {
            let mut i = visible.len();
            while i > 0 && visible[i - 1].status.stops_clocks() {
                i -= 1;
            }
            (i < visible.len()).then(|| visible[i].at)
        };
        let stop = match (own_stop, status_stop) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
        .map(|s| s.max(start));
        let mut segs = Vec::with_capacity(visible.len());
        for (i, c) in visible.iter().enumerate() {
            let next = visible.get(i + 1).map(|n| n.at);
            let from = c.at.max(start);
            let to = match (next, stop) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if to.is_some_and(|to| to <= from) {
                continue;
            }
            let kind = if c.status.stops_clocks() {
                SegKind::Idle
            } else if spec.pauses_in(c.status) {
                SegKind::Pause
            } else {
                SegKind::Run
            };
            segs.push(Seg { from, to, kind });
        }
        Some(Timeline {
            cal,
            start,
            stop,
            now,
            segs,
        })
    }

    /// Where the clock is measured up to: its stop, else `now`.
    pub(crate) fn end(&self) -> Timestamp {
        self.stop.unwrap_or(self.now)
    }

    fn sum(&self, kind: SegKind) -> i64 {
        let t = self.end();
        self.segs
            .iter()
            .filter(|s| s.kind == kind && s.from < t)
            .map(|s| {
                self.cal
                    .working_minutes_between(s.from, s.to.map_or(t, |to| to.min(t)))
            })
            .sum()
    }

    pub(crate) fn elapsed(&self) -> i64 {
        self.sum(SegKind::Run)
    }

    fn paused(&self) -> i64 {
        self.sum(SegKind::Pause)
    }

    /// The instant the running time reaches `budget` (the start for `budget ≤ 0`), counting
    /// the open segment as continuing; `None` if it is not reached inside the window (the
    /// clock stopped first, or the open segment is paused).
    pub(crate) fn reach(&self, budget: i64) -> Option<Timestamp> {
        if budget <= 0 {
            return Some(self.start);
        }
        let mut used = 0i64;
        for s in self.segs.iter().filter(|s| s.kind == SegKind::Run) {
            match s.to {
                Some(to) => {
                    let avail = self.cal.working_minutes_between(s.from, to);
                    if used + avail >= budget {
                        return Some(self.cal.add_working_minutes(s.from, budget - used));
                    }
                    used += avail;
                }
                None => return Some(self.cal.add_working_minutes(s.from, budget - used)),
            }
        }
        None
    }

    /// The first instant at or after `t` at which the clock runs (`t` itself if it runs
    /// then); `None` if it does not run again inside the window as known at `now`.
    pub(crate) fn first_run_from(&self, t: Timestamp) -> Option<Timestamp> {
        self.segs
            .iter()
            .filter(|s| s.kind == SegKind::Run)
            .find(|s| s.to.is_none_or(|to| to > t))
            .map(|s| s.from.max(t))
    }

    /// Whether the last segment (the status at the stop or at `now`) runs.
    fn runs_at_end(&self) -> bool {
        self.segs.last().is_some_and(|s| s.kind == SegKind::Run)
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.stop.is_some()
    }

    /// The clock at `now`.
    pub(crate) fn clock(&self, kind: ClockKind, spec: &ClockSpec) -> Clock {
        let target = spec.target().minutes();
        let t = self.end();
        let elapsed = self.elapsed();
        let remaining = target - elapsed;
        let reached = self.reach(target);
        let breached =
            reached.is_some_and(|d| d < t && self.first_run_from(d).is_some_and(|f| f < t));
        let state = match (self.stop.is_some(), breached) {
            (true, true) | (false, true) => ClockState::Breached,
            (true, false) => ClockState::Met,
            (false, false) if self.runs_at_end() => ClockState::Running,
            (false, false) => ClockState::Paused,
        };
        let deadline = match state {
            ClockState::Paused | ClockState::Pending => None,
            ClockState::Running | ClockState::Breached => reached,
            ClockState::Met => reached.or_else(|| Some(self.cal.add_working_minutes(t, remaining))),
        };
        let provisional = spec.target().basis() == Basis::Working
            && !self
                .cal
                .is_settled_between(self.start, deadline.map_or(t, |d| d.max(t)));
        Clock {
            kind,
            basis: spec.target().basis(),
            target_minutes: target,
            state,
            started_at: Some(self.start),
            stopped_at: self.stop,
            deadline,
            elapsed_minutes: elapsed,
            paused_minutes: self.paused(),
            remaining_minutes: remaining,
            provisional,
            counting: self.stop.is_none() && self.runs_at_end(),
        }
    }
}

/// Clock `kind` of a ticket under `policy` at `now`. `calendar` is the provider's (or the
/// service point's) calendar; around-the-clock clocks ignore it.
pub fn compute_clock(
    calendar: &Calendar,
    policy: &SlaPolicy,
    kind: ClockKind,
    inputs: &ClockInputs<'_>,
    now: Timestamp,
) -> Clock {
    let spec = policy.clock(kind);
    match Timeline::build(calendar, policy, kind, inputs, now) {
        Some(tl) => tl.clock(kind, spec),
        None => Clock {
            kind,
            basis: spec.target().basis(),
            target_minutes: spec.target().minutes(),
            state: ClockState::Pending,
            started_at: None,
            stopped_at: None,
            deadline: None,
            elapsed_minutes: 0,
            paused_minutes: 0,
            remaining_minutes: spec.target().minutes(),
            provisional: false,
            counting: false,
        },
    }
}

/// The three clocks of a ticket under `policy` at `now`.
pub fn compute_clocks(
    calendar: &Calendar,
    policy: &SlaPolicy,
    inputs: &ClockInputs<'_>,
    now: Timestamp,
) -> Clocks {
    let c = |k| compute_clock(calendar, policy, k, inputs, now);
    Clocks {
        first_response: c(ClockKind::FirstResponse),
        next_update: c(ClockKind::NextUpdate),
        resolution: c(ClockKind::Resolution),
    }
}

/// The earliest deadline among the clocks counting at the time they were computed (running,
/// or breached and still running): what storage indexes for the breach scan. `None` when no
/// clock counts (all pending, paused or stopped) — the ticket needs no scan until its status
/// or messages change, which recomputes this.
pub fn next_deadline(clocks: &Clocks) -> Option<Timestamp> {
    clocks
        .iter()
        .filter(|c| c.counting)
        .filter_map(|c| c.deadline)
        .min()
}
