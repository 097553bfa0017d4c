//! Escalations and the late-fix notice.
//!
//! # Escalation levels
//!
//! Each clock of a policy has levels ([`EscalationLevel`]) at offsets from its deadline. A
//! level's instant is, for a [`OffsetUnit::Working`] offset `o`, the instant the clock's running
//! time reaches `target + o` (pauses honoured: a paused clock does not approach its levels; a
//! budget `≤ 0` is the clock's start), and for a [`OffsetUnit::Plain`] offset the deadline
//! plus `o` wall-clock minutes (only while the clock has a deadline). A level is **due** at
//! `now` when its instant has come, the clock ran at or after it, and the clock has not
//! stopped (a met clock escalates no further).
//!
//! Each level fires once per ticket: its [`EscalationKey`] (clock, level number — and for the
//! next-update clock, the cycle: the instant of the public message it counts from, since that
//! clock starts again with every update) is what storage makes unique, so with several
//! servers scanning only the one that inserts the key carries the action out.
//! [`due_escalations`] returns the due levels whose keys are not among those already fired;
//! [`next_escalation_at`] is the instant the next one becomes due (storage indexes it).
//! A priority change selects another policy; levels whose keys have fired do not fire again.
//!
//! # Late-fix notice (seed 001)
//!
//! "如遇特殊情况无法及时修复时也会及时告知商户并给出解决方案及预计修复时间": when the resolution
//! clock will be missed — breached, or less than a threshold of working time left — the
//! merchant is told why and when it will be fixed instead: [`late_fix_notice`] checks both.

use serde::Serialize;

use super::clock::{Clock, ClockInputs, ClockState, Timeline};
use super::sla::{ClockKind, EscalationAction, EscalationLevel, OffsetUnit, SlaPolicy};
use crate::Timestamp;
use crate::calendar::Calendar;
use crate::{FieldError, Rule};

/// What storage makes unique per ticket so that each escalation level fires once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EscalationKey {
    pub clock: ClockKind,
    pub level: u8,
    /// For [`ClockKind::NextUpdate`]: the instant the clock counts from (it restarts with
    /// every public message); `None` for the other clocks.
    pub cycle: Option<Timestamp>,
}

impl EscalationKey {
    /// `clock:level`, or `next_update:level@cycle-millis`: e.g. `resolution:2`,
    /// `next_update:1@1767225600000`.
    pub fn code(&self) -> String {
        match self.cycle {
            Some(c) => format!("{}:{}@{}", self.clock.code(), self.level, c.millis()),
            None => format!("{}:{}", self.clock.code(), self.level),
        }
    }

    /// Parses [`EscalationKey::code`] (`invalid` on `field` otherwise).
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                Rule::Pattern {
                    expected: "clock:level or next_update:level@millis",
                },
            )
        };
        let (clock, rest) = s.trim().split_once(':').ok_or_else(bad)?;
        let clock = ClockKind::from_code(clock).ok_or_else(bad)?;
        let (level, cycle) = match rest.split_once('@') {
            Some((l, c)) => (l, Some(c.parse::<i64>().map_err(|_| bad())?)),
            None => (rest, None),
        };
        let level: u8 = level.parse().map_err(|_| bad())?;
        if level == 0 || i64::from(level) > EscalationLevel::MAX_LEVEL {
            return Err(bad());
        }
        if cycle.is_some() != (clock == ClockKind::NextUpdate) {
            return Err(bad());
        }
        Ok(Self {
            clock,
            level,
            cycle: cycle.map(Timestamp::from_millis),
        })
    }
}

impl std::fmt::Display for EscalationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}

/// A level that is due: its key, what to do, and since when it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueEscalation {
    pub key: EscalationKey,
    pub action: EscalationAction,
    pub due_at: Timestamp,
}

/// A level of a clock that has not stopped, with the instant it becomes due (`None`: not
/// known yet — the clock is paused before reaching it, or has no deadline).
fn schedule(
    calendar: &Calendar,
    policy: &SlaPolicy,
    inputs: &ClockInputs<'_>,
    now: Timestamp,
) -> Vec<(EscalationKey, EscalationAction, Option<Timestamp>)> {
    let mut out = Vec::new();
    for kind in ClockKind::ALL {
        let spec = policy.clock(*kind);
        if spec.escalations().is_empty() {
            continue;
        }
        let Some(tl) = Timeline::build(calendar, policy, *kind, inputs, now) else {
            continue;
        };
        if tl.is_stopped() {
            continue;
        }
        let clock = tl.clock(*kind, spec);
        let cycle = (*kind == ClockKind::NextUpdate).then_some(tl.start);
        let target = spec.target().minutes();
        for level in spec.escalations() {
            let o = level.offset();
            let at = match o.unit() {
                OffsetUnit::Working => tl
                    .reach(target.saturating_add(o.minutes()))
                    .and_then(|e| tl.first_run_from(e)),
                OffsetUnit::Plain => clock.deadline.map(|d| {
                    Timestamp::from_millis(
                        d.millis()
                            .saturating_add(o.minutes().saturating_mul(60_000)),
                    )
                }),
            };
            out.push((
                EscalationKey {
                    clock: *kind,
                    level: level.level(),
                    cycle,
                },
                level.action().clone(),
                at,
            ));
        }
    }
    out
}

/// The escalation levels due at `now` whose keys are not in `fired`, earliest first. Pure:
/// storage inserts each key (unique per ticket) and carries out the action only if the insert
/// succeeded.
pub fn due_escalations(
    calendar: &Calendar,
    policy: &SlaPolicy,
    inputs: &ClockInputs<'_>,
    now: Timestamp,
    fired: &[EscalationKey],
) -> Vec<DueEscalation> {
    let mut due: Vec<DueEscalation> = schedule(calendar, policy, inputs, now)
        .into_iter()
        .filter(|(key, _, _)| !fired.contains(key))
        .filter_map(|(key, action, at)| {
            at.filter(|at| *at <= now).map(|due_at| DueEscalation {
                key,
                action,
                due_at,
            })
        })
        .collect();
    due.sort_by_key(|d| (d.due_at, d.key));
    due
}

/// The earliest instant an unfired level is (or becomes) due, as the clocks stand at `now`:
/// in the past if one is due already. `None` when nothing is scheduled (every clock pending,
/// paused short of its levels, or stopped). Recompute after every change of the ticket.
pub fn next_escalation_at(
    calendar: &Calendar,
    policy: &SlaPolicy,
    inputs: &ClockInputs<'_>,
    now: Timestamp,
    fired: &[EscalationKey],
) -> Option<Timestamp> {
    schedule(calendar, policy, inputs, now)
        .into_iter()
        .filter(|(key, _, _)| !fired.contains(key))
        .filter_map(|(_, _, at)| at)
        .min()
}

// ---------------------------------------------------------------------------------------------
// Late-fix notice
// ---------------------------------------------------------------------------------------------

/// The default: a notice is called for when less than 2 working hours of the resolution
/// budget are left.
pub const DEFAULT_LATE_NOTICE_THRESHOLD_MINUTES: i64 = 120;

/// Whether the resolution clock will be missed: it has not stopped and is breached, or has
/// less than `threshold_minutes` left (running or paused).
pub fn fix_will_be_late(resolution: &Clock, threshold_minutes: i64) -> bool {
    resolution.stopped_at.is_none()
        && match resolution.state {
            ClockState::Breached => true,
            ClockState::Running | ClockState::Paused => {
                resolution.remaining_minutes < threshold_minutes
            }
            ClockState::Pending | ClockState::Met => false,
        }
}

/// Why a fix will be late (shown to the merchant): 1–500 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct LateReason(String);

impl LateReason {
    pub const MAX: usize = 500;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let body = crate::text::Body::parse(field, raw)?;
        if body.as_str().chars().count() > Self::MAX {
            return Err(FieldError::new(field, Rule::TooLong { max: Self::MAX }));
        }
        Ok(Self(body.into_inner()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the merchant is told when a fix will be late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateFixNotice {
    pub reason: LateReason,
    /// The new expected fix time (after `now`, and after the deadline while it is ahead).
    pub new_estimate: Timestamp,
    /// The resolution deadline the notice is about (`None` while the clock is paused).
    pub deadline: Option<Timestamp>,
    pub breached: bool,
    pub remaining_minutes: i64,
    /// The deadline may move when a missing holiday year is loaded.
    pub provisional: bool,
}

/// A late-fix notice could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LateNoticeError {
    /// The fix is not late (the clock is met, pending, or has enough time left): a conflict.
    #[error("the resolution clock is not at risk")]
    NotLate,
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// The notice for a resolution clock that will be missed ([`fix_will_be_late`], else
/// [`LateNoticeError::NotLate`]): `reason` is required (field `reason`, 1–500 characters),
/// `new_estimate` is required (field `new_estimate`), must be after `now`, and — while the
/// deadline is still ahead — after the deadline (a time before it would not be late).
pub fn late_fix_notice(
    resolution: &Clock,
    threshold_minutes: i64,
    reason: &str,
    new_estimate: Option<Timestamp>,
    now: Timestamp,
) -> Result<LateFixNotice, LateNoticeError> {
    if !fix_will_be_late(resolution, threshold_minutes) {
        return Err(LateNoticeError::NotLate);
    }
    let reason = LateReason::parse("reason", reason)?;
    let estimate = new_estimate.ok_or_else(|| FieldError::new("new_estimate", Rule::Required))?;
    if estimate <= now {
        return Err(FieldError::new(
            "new_estimate",
            Rule::Invalid {
                reason: "must be after now",
            },
        )
        .into());
    }
    if let Some(d) = resolution.deadline.filter(|d| *d > now)
        && estimate <= d
    {
        return Err(FieldError::new(
            "new_estimate",
            Rule::Invalid {
                reason: "must be after the current deadline",
            },
        )
        .into());
    }
    Ok(LateFixNotice {
        reason,
        new_estimate: estimate,
        deadline: resolution.deadline,
        breached: resolution.state == ClockState::Breached,
        remaining_minutes: resolution.remaining_minutes,
        provisional: resolution.provisional,
    })
}
