//! The statutory complaint clock, on the one SLA engine ([`crate::ticket::compute_clock`],
//! [`crate::ticket::due_escalations`]): no second clock engine.
//!
//! A complaint has two clocks:
//!
//! * **acknowledge** (受理告知): 1 working day (600 working minutes on the provider's
//!   calendar) from receipt to the handler's acknowledgement; the engine's first-response
//!   clock.
//! * **decision** (答复): 15 days around the clock from receipt to the first decision told to
//!   the complainant; the engine's resolution clock. Extensions ([`check_extension`]) move the
//!   target in the configured steps (default: to 30 days with the handler's written reason,
//!   then in special cases to 60 days at most with a manager's approval — the 2020 banking
//!   and insurance complaint rules). A referral carries the referrer's own deadline, which
//!   replaces the statutory one when it is earlier.
//!
//! The complaint's life is given to the engine as a status history in the engine's terms: it
//! runs (`open`) from receipt, stops at the first decision (`resolved_at`), and stops for good
//! when closed. Nothing pauses the statutory clock. Deadlines are recomputed from these facts
//! and the rules on every read, never stored as truth (storage keeps the next instant to scan).
//!
//! Escalation tiers (each level fires once, keyed like a ticket's):
//!
//! | clock | level | when | action |
//! |---|---|---|---|
//! | acknowledge | 1 | 2 working hours before | notify the handler |
//! | acknowledge | 2 | at the deadline | notify the supervisors |
//! | decision | 1 | 3 days before | notify the handler |
//! | decision | 2 | 1 day before | notify the supervisors |
//! | decision | 3 | at the deadline (overdue) | notify management |

use serde::{Deserialize, Serialize};

use super::model::HandlingText;
use crate::calendar::Calendar;
use crate::ids::UserId;
use crate::ticket::{
    Basis, Clock, ClockInputs, ClockKind, ClockSpec, DueEscalation, EscalationAction,
    EscalationKey, EscalationLevel, Offset, OffsetUnit, PolicyCode, PolicyName, ResolutionStart,
    SlaPolicy, StatusChange, StatusHistory, Target, TicketStatus, compute_clock, due_escalations,
    next_escalation_at,
};
use crate::{FieldError, Rule, Timestamp};

const DAY_MINUTES: i64 = 24 * 60;

/// One extension step: the decision deadline may be extended to `to_days` after receipt;
/// `needs_manager`: only a manager (a supervisor or provider admin) may grant it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionStep {
    pub to_days: i64,
    pub needs_manager: bool,
}

/// A provider's complaint clock rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintRules {
    /// Working minutes from receipt to acknowledgement (default 600: one working day).
    pub acknowledge_working_minutes: i64,
    /// Days from receipt to the decision (default 15).
    pub decision_days: i64,
    /// The extension steps, in order (default: 30 days by the handler, 60 by a manager).
    pub extension_steps: Vec<ExtensionStep>,
}

impl Default for ComplaintRules {
    fn default() -> Self {
        Self {
            acknowledge_working_minutes: 600,
            decision_days: 15,
            extension_steps: vec![
                ExtensionStep {
                    to_days: 30,
                    needs_manager: false,
                },
                ExtensionStep {
                    to_days: 60,
                    needs_manager: true,
                },
            ],
        }
    }
}

impl ComplaintRules {
    /// Checks a provider's rules: acknowledgement 1–6,000 working minutes, decision 1–366
    /// days, at most 5 steps, each longer than the one before and at most 366 days.
    pub fn new(
        acknowledge_working_minutes: i64,
        decision_days: i64,
        extension_steps: Vec<ExtensionStep>,
    ) -> Result<Self, FieldError> {
        if !(1..=6000).contains(&acknowledge_working_minutes) {
            return Err(FieldError::new(
                "acknowledge_working_minutes",
                Rule::Range { min: 1, max: 6000 },
            ));
        }
        if !(1..=366).contains(&decision_days) {
            return Err(FieldError::new(
                "decision_days",
                Rule::Range { min: 1, max: 366 },
            ));
        }
        if extension_steps.len() > 5 {
            return Err(FieldError::new(
                "extension_steps",
                Rule::Invalid {
                    reason: "at most 5 steps",
                },
            ));
        }
        let mut prev = decision_days;
        for (i, s) in extension_steps.iter().enumerate() {
            if s.to_days <= prev || s.to_days > 366 {
                return Err(FieldError::new(
                    format!("extension_steps[{i}].to_days"),
                    Rule::Invalid {
                        reason: "each step must be longer than the one before, at most 366 days",
                    },
                ));
            }
            prev = s.to_days;
        }
        Ok(Self {
            acknowledge_working_minutes,
            decision_days,
            extension_steps,
        })
    }

    /// The longest the decision may take, in days.
    pub fn max_days(&self) -> i64 {
        self.extension_steps
            .last()
            .map_or(self.decision_days, |s| s.to_days)
    }

    /// The engine policy for a complaint whose decision target is `decision_minutes`.
    fn policy(&self, decision_minutes: i64) -> SlaPolicy {
        let level = |n: i64, minutes: i64, action| {
            EscalationLevel::new(
                "level",
                n,
                Offset::new("offset", OffsetUnit::Working, minutes)
                    .unwrap_or_else(|_| unreachable_offset()),
                action,
            )
            .unwrap_or_else(|_| unreachable_level())
        };
        let spec = |basis, minutes: i64, levels| {
            ClockSpec::new(
                "clock",
                Target::new("target", basis, minutes.max(1)).unwrap_or_else(|_| max_target(basis)),
                vec![],
                levels,
            )
            .unwrap_or_else(|_| unreachable_spec())
        };
        let acknowledge = spec(
            Basis::Working,
            self.acknowledge_working_minutes,
            vec![
                level(1, -120, EscalationAction::NotifyAssignee),
                level(2, 0, EscalationAction::NotifySupervisor),
            ],
        );
        let decision = spec(
            Basis::AroundTheClock,
            decision_minutes,
            vec![
                level(1, -3 * DAY_MINUTES, EscalationAction::NotifyAssignee),
                level(2, -DAY_MINUTES, EscalationAction::NotifySupervisor),
                level(3, 0, EscalationAction::NotifyManagement),
            ],
        );
        let unused = spec(Basis::AroundTheClock, 366 * DAY_MINUTES, vec![]);
        SlaPolicy::new(
            PolicyCode::parse("policy", "complaint").unwrap_or_else(|_| unreachable_code()),
            PolicyName::parse("policy", "complaint").unwrap_or_else(|_| unreachable_name()),
            acknowledge,
            unused,
            decision,
            ResolutionStart::Created,
        )
    }
}

// The constant inputs above are valid by construction (tested in `rules_build_a_policy`);
// these keep the code free of `unwrap` without inventing error paths that cannot happen.
fn unreachable_offset() -> Offset {
    unreachable!("constant offsets are within range")
}
fn unreachable_level() -> EscalationLevel {
    unreachable!("constant levels are within range")
}
fn unreachable_spec() -> ClockSpec {
    unreachable!("constant specs are valid")
}
fn unreachable_code() -> PolicyCode {
    unreachable!("constant code is valid")
}
fn unreachable_name() -> PolicyName {
    unreachable!("constant name is valid")
}
fn max_target(basis: Basis) -> Target {
    Target::new("target", basis, crate::ticket::sla::MAX_TARGET_MINUTES)
        .unwrap_or_else(|_| unreachable!("the maximum target is valid"))
}

/// An extension granted: to `to_days` after receipt, with the written reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub at: Timestamp,
    pub to_days: i64,
    pub reason: HandlingText,
    pub by: UserId,
}

/// What the clocks are computed from (all stored facts of the complaint).
#[derive(Debug, Clone, Copy)]
pub struct ClockFacts<'a> {
    pub received_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    /// The first decision told to the complainant.
    pub first_decided_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub extensions: &'a [Extension],
    pub referral_deadline: Option<Timestamp>,
}

impl ClockFacts<'_> {
    /// The decision period in days now in force (the last extension's, else the rules').
    pub fn decision_days(&self, rules: &ComplaintRules) -> i64 {
        self.extensions
            .last()
            .map_or(rules.decision_days, |e| e.to_days)
    }

    /// Minutes from receipt (rounded up to the minute, as the engine counts) to the decision
    /// deadline: the period in force, or the referrer's deadline when that is earlier.
    fn decision_minutes(&self, rules: &ComplaintRules) -> i64 {
        let statutory = self.decision_days(rules) * DAY_MINUTES;
        match self.referral_deadline {
            Some(d) => {
                let start = self.received_at.millis().div_euclid(60_000)
                    + i64::from(self.received_at.millis().rem_euclid(60_000) != 0);
                let end = d.millis().div_euclid(60_000);
                (end - start).clamp(1, statutory)
            }
            None => statutory,
        }
    }

    fn history(&self) -> StatusHistory {
        let mut h = StatusHistory::created(self.received_at, TicketStatus::Open);
        if let Some(c) = self.closed_at {
            // A closed complaint stops every clock; a malformed order is ignored rather than
            // invented (storage writes `closed_at` after `received_at`).
            let _ = h.push(StatusChange::new(c, TicketStatus::Closed));
        }
        h
    }
}

/// The two clocks of a complaint at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ComplaintClocks {
    pub acknowledge: Clock,
    pub decision: Clock,
}

impl ComplaintClocks {
    /// The earliest deadline among the clocks still counting.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        [self.acknowledge, self.decision]
            .iter()
            .filter(|c| c.counting)
            .filter_map(|c| c.deadline)
            .min()
    }

    /// Whether the decision is overdue (breached and not yet made, or made late).
    pub fn overdue(&self) -> bool {
        self.decision.state == crate::ticket::ClockState::Breached
            || self.acknowledge.state == crate::ticket::ClockState::Breached
    }
}

/// The name a complaint gives an engine clock: `acknowledge` or `decision`.
pub fn clock_name(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::FirstResponse => "acknowledge",
        ClockKind::Resolution => "decision",
        ClockKind::NextUpdate => "next_update",
    }
}

fn run<'a, T>(
    rules: &ComplaintRules,
    facts: &ClockFacts<'a>,
    f: impl FnOnce(&SlaPolicy, &ClockInputs<'_>) -> T,
) -> T {
    let policy = rules.policy(facts.decision_minutes(rules));
    let history = facts.history();
    let inputs = ClockInputs {
        history: &history,
        first_response_at: facts.acknowledged_at,
        last_update_at: None,
        resolved_at: facts.first_decided_at,
    };
    f(&policy, &inputs)
}

/// The complaint's clocks at `now` (`calendar`: the provider's).
pub fn complaint_clocks(
    calendar: &Calendar,
    rules: &ComplaintRules,
    facts: &ClockFacts<'_>,
    now: Timestamp,
) -> ComplaintClocks {
    run(rules, facts, |policy, inputs| ComplaintClocks {
        acknowledge: compute_clock(calendar, policy, ClockKind::FirstResponse, inputs, now),
        decision: compute_clock(calendar, policy, ClockKind::Resolution, inputs, now),
    })
}

/// The escalation levels due at `now` and not in `fired`.
pub fn due_complaint_escalations(
    calendar: &Calendar,
    rules: &ComplaintRules,
    facts: &ClockFacts<'_>,
    now: Timestamp,
    fired: &[EscalationKey],
) -> Vec<DueEscalation> {
    run(rules, facts, |policy, inputs| {
        due_escalations(calendar, policy, inputs, now, fired)
    })
}

/// When the next unfired level becomes due (what storage indexes for the scan).
pub fn next_complaint_escalation_at(
    calendar: &Calendar,
    rules: &ComplaintRules,
    facts: &ClockFacts<'_>,
    now: Timestamp,
    fired: &[EscalationKey],
) -> Option<Timestamp> {
    run(rules, facts, |policy, inputs| {
        next_escalation_at(calendar, policy, inputs, now, fired)
    })
}

/// Why an extension is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    /// Every configured step is used (a second extension where one step is configured, a
    /// third under the defaults).
    #[error("no further extension is allowed: every extension step has been used")]
    NoFurtherStep,
    /// The decision was made or the complaint is closed.
    #[error("only a complaint awaiting its decision can be extended")]
    NotAwaitingDecision,
    /// The deadline has passed: an extension must be granted before it.
    #[error("the decision deadline has passed; an extension must be granted before it")]
    Overdue,
    /// The step needs a manager's approval.
    #[error("this extension step needs a manager's approval")]
    NeedsManager,
    /// A referral runs on the referrer's deadline.
    #[error("a referral runs on the referrer's deadline and cannot be extended here")]
    Referral,
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// Checks an extension request: to `to_days` after receipt (field `to_days`: longer than the
/// period in force and at most the next step's days — "past the maximum" otherwise), with a
/// written `reason` (field `reason`, 1–5,000 characters). Only a complaint awaiting its first
/// decision, before its deadline, not a referral, and with a step left; a manager step only by
/// a manager (`by_manager`).
#[allow(clippy::too_many_arguments)]
pub fn check_extension(
    calendar: &Calendar,
    rules: &ComplaintRules,
    facts: &ClockFacts<'_>,
    awaiting_decision: bool,
    to_days: i64,
    reason: &str,
    by: UserId,
    by_manager: bool,
    now: Timestamp,
) -> Result<Extension, ExtensionError> {
    if !awaiting_decision || facts.first_decided_at.is_some() {
        return Err(ExtensionError::NotAwaitingDecision);
    }
    if facts.referral_deadline.is_some() {
        return Err(ExtensionError::Referral);
    }
    let step = rules
        .extension_steps
        .get(facts.extensions.len())
        .ok_or(ExtensionError::NoFurtherStep)?;
    let current = facts.decision_days(rules);
    if to_days <= current || to_days > step.to_days {
        return Err(FieldError::new(
            "to_days",
            Rule::Range {
                min: current + 1,
                max: step.to_days,
            },
        )
        .into());
    }
    let reason = HandlingText::parse("reason", reason)?;
    let clocks = complaint_clocks(calendar, rules, facts, now);
    if clocks.decision.state == crate::ticket::ClockState::Breached {
        return Err(ExtensionError::Overdue);
    }
    if step.needs_manager && !by_manager {
        return Err(ExtensionError::NeedsManager);
    }
    Ok(Extension {
        at: now,
        to_days,
        reason,
        by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::LocalDate;
    use crate::ticket::ClockState;
    use uuid::Uuid;

    fn cal() -> Calendar {
        Calendar::national()
    }

    /// Shanghai local time.
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
        let date = LocalDate::new(y, m, d).unwrap();
        Timestamp::from_millis(
            date.start().millis() + i64::from(h) * 3_600_000 + i64::from(min) * 60_000,
        )
    }

    fn user(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(n))
    }

    fn facts(received: Timestamp) -> ClockFacts<'static> {
        ClockFacts {
            received_at: received,
            acknowledged_at: None,
            first_decided_at: None,
            closed_at: None,
            extensions: &[],
            referral_deadline: None,
        }
    }

    #[test]
    fn rules_build_a_policy() {
        let r = ComplaintRules::default();
        let p = r.policy(15 * DAY_MINUTES);
        assert_eq!(p.clock(ClockKind::Resolution).target().minutes(), 21_600);
        assert_eq!(p.clock(ClockKind::Resolution).escalations().len(), 3);
        assert_eq!(r.max_days(), 60);
        assert!(
            ComplaintRules::new(
                600,
                15,
                vec![ExtensionStep {
                    to_days: 10,
                    needs_manager: false
                }]
            )
            .is_err()
        );
        assert!(ComplaintRules::new(0, 15, vec![]).is_err());
    }

    #[test]
    fn acknowledge_is_one_working_day_across_the_national_day_holiday() {
        // Received Tuesday 2026-09-29 17:00 (2026: National Day 1–7 Oct off). The working
        // day's 600 minutes are 1 hour on 29 Sep and 9 hours on 30 Sep → 30 Sep 17:00.
        let c = complaint_clocks(
            &cal(),
            &ComplaintRules::default(),
            &facts(at(2026, 9, 29, 17, 0)),
            at(2026, 9, 29, 17, 0),
        );
        assert_eq!(c.acknowledge.deadline, Some(at(2026, 9, 30, 17, 0)));
        // Received 30 Sep 17:00: 1 hour that day, then the holiday; 9 hours on the next
        // working day after it.
        let c = complaint_clocks(
            &cal(),
            &ComplaintRules::default(),
            &facts(at(2026, 9, 30, 17, 0)),
            at(2026, 9, 30, 17, 0),
        );
        assert_eq!(c.acknowledge.deadline, Some(at(2026, 10, 8, 17, 0)));
        // The decision clock is 15 calendar days, holidays or not.
        assert_eq!(c.decision.deadline, Some(at(2026, 10, 15, 17, 0)));
    }

    #[test]
    fn the_decision_stops_the_clock_and_a_late_one_is_breached() {
        let r = ComplaintRules::default();
        let received = at(2026, 3, 2, 10, 0);
        let mut f = facts(received);
        f.acknowledged_at = Some(at(2026, 3, 2, 11, 0));
        f.first_decided_at = Some(at(2026, 3, 10, 9, 0));
        let c = complaint_clocks(&cal(), &r, &f, at(2026, 4, 1, 0, 0));
        assert_eq!(c.acknowledge.state, ClockState::Met);
        assert_eq!(c.decision.state, ClockState::Met);
        f.first_decided_at = Some(at(2026, 3, 18, 9, 0));
        let c = complaint_clocks(&cal(), &r, &f, at(2026, 4, 1, 0, 0));
        assert_eq!(c.decision.state, ClockState::Breached);
        assert!(c.overdue());
    }

    #[test]
    fn extensions_step_to_30_then_60_with_a_manager_and_no_further() {
        let r = ComplaintRules::default();
        let cal = cal();
        let received = at(2026, 3, 2, 10, 0);
        let now = at(2026, 3, 12, 10, 0);
        let f = facts(received);
        let bad = check_extension(&cal, &r, &f, true, 61, "复杂", user(1), false, now);
        assert!(matches!(bad, Err(ExtensionError::Field(e)) if e.field == "to_days"));
        let no_reason = check_extension(&cal, &r, &f, true, 30, "  ", user(1), false, now);
        assert!(matches!(no_reason, Err(ExtensionError::Field(e)) if e.field == "reason"));
        let e1 = check_extension(
            &cal,
            &r,
            &f,
            true,
            30,
            "需调取交易流水",
            user(1),
            false,
            now,
        )
        .unwrap();
        let ext = [e1];
        let f2 = ClockFacts {
            extensions: &ext,
            ..f
        };
        let c = complaint_clocks(&cal, &r, &f2, now);
        assert_eq!(c.decision.deadline, Some(at(2026, 4, 1, 10, 0)));
        // The 60-day step needs a manager.
        let later = at(2026, 3, 25, 10, 0);
        assert_eq!(
            check_extension(&cal, &r, &f2, true, 60, "特别复杂", user(1), false, later),
            Err(ExtensionError::NeedsManager)
        );
        let e2 =
            check_extension(&cal, &r, &f2, true, 60, "特别复杂", user(2), true, later).unwrap();
        let ext = [ext[0].clone(), e2];
        let f3 = ClockFacts {
            extensions: &ext,
            ..f
        };
        assert_eq!(
            complaint_clocks(&cal, &r, &f3, later).decision.deadline,
            Some(at(2026, 5, 1, 10, 0))
        );
        assert_eq!(
            check_extension(&cal, &r, &f3, true, 61, "再延", user(2), true, later),
            Err(ExtensionError::NoFurtherStep)
        );
        // One configured step: a second extension is refused.
        let one = ComplaintRules::new(
            600,
            15,
            vec![ExtensionStep {
                to_days: 30,
                needs_manager: false,
            }],
        )
        .unwrap();
        assert_eq!(
            check_extension(&cal, &one, &f2, true, 30, "again", user(1), false, now),
            Err(ExtensionError::NoFurtherStep)
        );
        // Past the deadline, or after the decision: refused.
        assert_eq!(
            check_extension(
                &cal,
                &r,
                &f,
                true,
                30,
                "late",
                user(1),
                false,
                at(2026, 3, 20, 0, 0)
            ),
            Err(ExtensionError::Overdue)
        );
        assert_eq!(
            check_extension(&cal, &r, &f, false, 30, "x", user(1), false, now),
            Err(ExtensionError::NotAwaitingDecision)
        );
    }

    #[test]
    fn a_referral_runs_on_the_referrers_deadline_when_earlier() {
        let r = ComplaintRules::default();
        let received = at(2026, 3, 2, 10, 0);
        let mut f = facts(received);
        f.referral_deadline = Some(at(2026, 3, 9, 18, 0));
        let c = complaint_clocks(&cal(), &r, &f, received);
        assert_eq!(c.decision.deadline, Some(at(2026, 3, 9, 18, 0)));
        f.referral_deadline = Some(at(2026, 5, 1, 0, 0));
        let c = complaint_clocks(&cal(), &r, &f, received);
        assert_eq!(c.decision.deadline, Some(at(2026, 3, 17, 10, 0)));
        assert_eq!(
            check_extension(&cal(), &r, &f, true, 30, "x", user(1), false, received),
            Err(ExtensionError::Referral)
        );
    }

    #[test]
    fn escalation_tiers_handler_supervisor_management_fire_once() {
        let r = ComplaintRules::default();
        let cal = cal();
        let received = at(2026, 3, 2, 10, 0);
        let mut f = facts(received);
        f.acknowledged_at = Some(at(2026, 3, 2, 11, 0));
        let due = due_complaint_escalations(&cal, &r, &f, at(2026, 3, 14, 10, 0), &[]);
        let actions: Vec<_> = due.iter().map(|d| d.action.clone()).collect();
        assert_eq!(actions, vec![EscalationAction::NotifyAssignee]);
        let fired: Vec<_> = due.iter().map(|d| d.key).collect();
        let due = due_complaint_escalations(&cal, &r, &f, at(2026, 3, 17, 10, 0), &fired);
        let actions: Vec<_> = due.iter().map(|d| d.action.clone()).collect();
        assert_eq!(
            actions,
            vec![
                EscalationAction::NotifySupervisor,
                EscalationAction::NotifyManagement
            ]
        );
        assert_eq!(clock_name(due[1].key.clock), "decision");
        // Decided: nothing more is due.
        f.first_decided_at = Some(at(2026, 3, 16, 10, 0));
        assert!(due_complaint_escalations(&cal, &r, &f, at(2026, 3, 20, 0, 0), &fired).is_empty());
        assert_eq!(
            next_complaint_escalation_at(&cal, &r, &f, at(2026, 3, 20, 0, 0), &fired),
            None
        );
    }
}
