//! SLA policies, their escalation levels, and the rules that choose a policy for a ticket.
//!
//! A provider keeps one [`SlaDocument`] (storage versions it): its policies, an ordered rule
//! list, and a default policy per priority. [`SlaDocument::builtin`] is the brief's table
//! (seed 001). Documents serialise to JSON ([`SlaDocument::to_json`]) and only come back
//! through [`SlaDocument::from_json`], which checks every field and names the first one that
//! breaks a rule (`policies[2].resolution.target.minutes` must be 1–527040, …).
//!
//! # The default table, as policies
//!
//! "Working hours" are the provider's calendar (default: working days 08:00–18:00). The
//! brief's hour figures for P2–P4 are read on that calendar as **working days of 24 hours
//! each**: "24 hours" is one working day (600 working minutes on the default calendar: by the
//! same time on the next working day), "48 hours" two. Read as 24 *working* hours (1440
//! minutes, 2.4 working days) P4's first response would be due after its resolution (2 working
//! days), so that reading cannot be what the table means. P1's figures are plain hours around
//! the clock.
//!
//! | policy | first response | next update | resolution |
//! |---|---|---|---|
//! | `default_p1` | 60 min around the clock | 600 working min | 240 min around the clock, from creation (a loaner counts: storage passes the instant service was restored) |
//! | `default_p2` | 1200 working min (48 h = 2 working days) | 600 working min | 1800 working min (72 h = 3 working days) **from the first response** |
//! | `default_p3` | 600 working min (24 h) | 600 working min | 1800 working min (3 working days) |
//! | `default_p4` | 600 working min (24 h) | 600 working min | 1200 working min (2 working days) |
//!
//! "72 hours after response" is [`ResolutionStart::FirstResponse`]: P2's resolution clock
//! does not exist until the first public response; it is `pending` (no deadline) before.
//! Every clock pauses in `waiting_merchant`, `waiting_quote` and `in_transit` (waiting for
//! parts is the provider's problem and keeps counting) and carries the default escalation
//! levels ([`default_levels`]). Targets are stored in minutes so that pauses subtract exactly;
//! a provider whose calendar has other hours edits the minutes.

use serde::{Deserialize, Serialize};

use super::model::{Category, PolicyCode, Priority, TeamCode};
use super::status::TicketStatus;
use crate::ids::ServicePointId;
use crate::registry::{RiskLevel, codes};
use crate::{FieldError, Rule};

/// The three clocks of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// 首次响应: from creation to the first public reply.
    FirstResponse,
    /// 进展更新: from the last public message to the next one, while the ticket is active.
    NextUpdate,
    /// 解决: from creation (or the first response) to the fix.
    Resolution,
}
codes!(ClockKind {
    FirstResponse => "first_response",
    NextUpdate => "next_update",
    Resolution => "resolution",
});

/// What a clock's minutes are counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Working minutes on the provider's calendar (holidays, 调休 and overrides included).
    Working,
    /// Every minute of every day ([`crate::calendar::Calendar::around_the_clock`]).
    AroundTheClock,
}
codes!(Basis {
    Working => "working",
    AroundTheClock => "around_the_clock",
});

/// The largest target or offset accepted: 366 days of minutes.
pub const MAX_TARGET_MINUTES: i64 = 366 * 24 * 60;
/// One working day on the default calendar (08:00–18:00).
pub const WORKING_DAY_MINUTES: i64 = 600;
/// Escalation levels per clock, at most.
pub const MAX_LEVELS: usize = 10;
/// Policies per document, at most.
pub const MAX_POLICIES: usize = 100;
/// Selection rules per document, at most.
pub const MAX_RULES: usize = 200;

/// A clock's budget: a positive number of minutes on its basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Target {
    basis: Basis,
    minutes: i64,
}

impl Target {
    /// `minutes` must be 1–[`MAX_TARGET_MINUTES`] (else `range` on `field`, which names the
    /// minutes, e.g. `resolution.target.minutes`).
    pub fn new(field: &str, basis: Basis, minutes: i64) -> Result<Self, FieldError> {
        if !(1..=MAX_TARGET_MINUTES).contains(&minutes) {
            return Err(FieldError::new(
                field,
                Rule::Range {
                    min: 1,
                    max: MAX_TARGET_MINUTES,
                },
            ));
        }
        Ok(Self { basis, minutes })
    }

    pub fn basis(self) -> Basis {
        self.basis
    }

    pub fn minutes(self) -> i64 {
        self.minutes
    }
}

/// What an escalation offset counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetUnit {
    /// The clock's own time: working minutes on a calendar clock, minutes on an
    /// around-the-clock one; pauses are honoured (a paused clock does not approach its levels).
    Working,
    /// Wall-clock minutes from the deadline, whatever the calendar.
    Plain,
}
codes!(OffsetUnit {
    Working => "working",
    Plain => "plain",
});

/// Where an escalation level sits relative to its clock's deadline: negative before, zero at,
/// positive after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Offset {
    unit: OffsetUnit,
    minutes: i64,
}

impl Offset {
    /// `minutes` within ±[`MAX_TARGET_MINUTES`] (else `range` on `field`).
    pub fn new(field: &str, unit: OffsetUnit, minutes: i64) -> Result<Self, FieldError> {
        if !(-MAX_TARGET_MINUTES..=MAX_TARGET_MINUTES).contains(&minutes) {
            return Err(FieldError::new(
                field,
                Rule::Range {
                    min: -MAX_TARGET_MINUTES,
                    max: MAX_TARGET_MINUTES,
                },
            ));
        }
        Ok(Self { unit, minutes })
    }

    pub fn unit(self) -> OffsetUnit {
        self.unit
    }

    /// Negative: before the deadline.
    pub fn minutes(self) -> i64 {
        self.minutes
    }
}

/// The supervisors' team queue: where a `reassign_to_team` level without a team sends a ticket.
pub const SUPERVISORS_TEAM: &str = "supervisors";

/// What an escalation level does when it fires (the service carries it out).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EscalationAction {
    /// Notify the assignee (or the team queue when unassigned).
    NotifyAssignee,
    /// Notify the team's supervisor.
    NotifySupervisor,
    /// Notify the provider's management (its provider admins): the last tier of the complaint
    /// clock (handler → supervisor → management). On a ticket it reaches the supervisors.
    NotifyManagement,
    /// Move the ticket to a team's queue, unassigned. `None`: the queue of the supervisor of
    /// the ticket's current team (the service resolves it).
    ReassignToTeam { team: Option<TeamCode> },
    /// Raise the priority one step ([`Priority::raised`]); the clocks are recomputed on the
    /// policy the new priority selects.
    RaisePriority,
}

impl EscalationAction {
    /// The action's stable code (the JSON `type`).
    pub fn code(&self) -> &'static str {
        match self {
            EscalationAction::NotifyAssignee => "notify_assignee",
            EscalationAction::NotifySupervisor => "notify_supervisor",
            EscalationAction::NotifyManagement => "notify_management",
            EscalationAction::ReassignToTeam { .. } => "reassign_to_team",
            EscalationAction::RaisePriority => "raise_priority",
        }
    }

    /// The team a `reassign_to_team` level moves the ticket to: its own, or the supervisors'
    /// queue ([`SUPERVISORS_TEAM`]) when it names none. `None` for the other actions.
    pub fn reassign_team(&self) -> Option<&str> {
        match self {
            EscalationAction::ReassignToTeam { team } => {
                Some(team.as_ref().map_or(SUPERVISORS_TEAM, |t| t.as_str()))
            }
            _ => None,
        }
    }

    /// Every action code.
    pub const CODES: [&'static str; 5] = [
        "notify_assignee",
        "notify_supervisor",
        "notify_management",
        "reassign_to_team",
        "raise_priority",
    ];
}

/// One escalation level of a clock: its number (the stable part of its key, 1–99), where it
/// sits, and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EscalationLevel {
    level: u8,
    offset: Offset,
    action: EscalationAction,
}

impl EscalationLevel {
    /// The highest level number.
    pub const MAX_LEVEL: i64 = 99;

    /// `level` must be 1–99 (else `range` on `field`).
    pub fn new(
        field: &str,
        level: i64,
        offset: Offset,
        action: EscalationAction,
    ) -> Result<Self, FieldError> {
        let n = u8::try_from(level)
            .ok()
            .filter(|n| (1..=Self::MAX_LEVEL).contains(&i64::from(*n)))
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    Rule::Range {
                        min: 1,
                        max: Self::MAX_LEVEL,
                    },
                )
            })?;
        Ok(Self {
            level: n,
            offset,
            action,
        })
    }

    pub fn level(&self) -> u8 {
        self.level
    }

    pub fn offset(&self) -> Offset {
        self.offset
    }

    pub fn action(&self) -> &EscalationAction {
        &self.action
    }
}

/// The shipped escalation levels of every clock:
///
/// | level | when | action |
/// |---|---|---|
/// | 1 | 30 working minutes before the deadline | notify the assignee |
/// | 2 | at the deadline | notify the supervisor |
/// | 3 | 2 working hours (120 working minutes) after the deadline | reassign to the supervisor's team queue (`team: null`) |
///
/// On an around-the-clock clock "working minutes" are its own (plain, pause-aware) minutes.
pub fn default_levels() -> Vec<EscalationLevel> {
    let level = |n: u8, minutes: i64, action| EscalationLevel {
        level: n,
        offset: Offset {
            unit: OffsetUnit::Working,
            minutes,
        },
        action,
    };
    vec![
        level(1, -30, EscalationAction::NotifyAssignee),
        level(2, 0, EscalationAction::NotifySupervisor),
        level(3, 120, EscalationAction::ReassignToTeam { team: None }),
    ]
}

/// The statuses that pause a clock by default: waiting on the merchant, waiting for the
/// merchant's quote approval, the device in transit from the merchant.
pub const DEFAULT_PAUSE_STATUSES: [TicketStatus; 3] = [
    TicketStatus::WaitingMerchant,
    TicketStatus::WaitingQuote,
    TicketStatus::InTransit,
];

/// One clock of a policy: its target, the statuses that pause it, its escalation levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockSpec {
    target: Target,
    pause_statuses: Vec<TicketStatus>,
    escalations: Vec<EscalationLevel>,
}

impl ClockSpec {
    /// Checks the pause statuses (waiting statuses only, each once: `invalid` on
    /// `{field}.pause_statuses[i]`) and the levels (at most [`MAX_LEVELS`], numbers unique:
    /// `invalid` on `{field}.escalations` / `{field}.escalations[i].level`). Both lists are
    /// kept sorted (statuses in [`TicketStatus::ALL`] order, levels by number).
    pub fn new(
        field: &str,
        target: Target,
        pause_statuses: Vec<TicketStatus>,
        escalations: Vec<EscalationLevel>,
    ) -> Result<Self, FieldError> {
        let mut pauses: Vec<TicketStatus> = Vec::with_capacity(pause_statuses.len());
        for (i, s) in pause_statuses.into_iter().enumerate() {
            let f = || format!("{field}.pause_statuses[{i}]");
            if !s.is_waiting() {
                return Err(FieldError::new(
                    f(),
                    Rule::Invalid {
                        reason: "only waiting statuses (waiting_merchant, waiting_quote, waiting_parts, in_transit) can pause a clock",
                    },
                ));
            }
            if pauses.contains(&s) {
                return Err(FieldError::new(
                    f(),
                    Rule::Invalid {
                        reason: "listed twice",
                    },
                ));
            }
            pauses.push(s);
        }
        pauses.sort_by_key(|s| TicketStatus::ALL.iter().position(|x| x == s));
        if escalations.len() > MAX_LEVELS {
            return Err(FieldError::new(
                format!("{field}.escalations"),
                Rule::Invalid {
                    reason: "at most 10 escalation levels per clock",
                },
            ));
        }
        for (i, l) in escalations.iter().enumerate() {
            if escalations[..i].iter().any(|e| e.level == l.level) {
                return Err(FieldError::new(
                    format!("{field}.escalations[{i}].level"),
                    Rule::Invalid {
                        reason: "level number used twice",
                    },
                ));
            }
        }
        let mut escalations = escalations;
        escalations.sort_by_key(|l| l.level);
        Ok(Self {
            target,
            pause_statuses: pauses,
            escalations,
        })
    }

    pub fn target(&self) -> Target {
        self.target
    }

    /// The statuses in which this clock does not count.
    pub fn pause_statuses(&self) -> &[TicketStatus] {
        &self.pause_statuses
    }

    /// Whether the clock pauses in `status`.
    pub fn pauses_in(&self, status: TicketStatus) -> bool {
        self.pause_statuses.contains(&status)
    }

    /// The escalation levels, by number.
    pub fn escalations(&self) -> &[EscalationLevel] {
        &self.escalations
    }

    /// A clock with the default pause statuses and levels.
    fn standard(basis: Basis, minutes: i64) -> Self {
        Self {
            target: Target { basis, minutes },
            pause_statuses: DEFAULT_PAUSE_STATUSES.to_vec(),
            escalations: default_levels(),
        }
    }
}

/// When the resolution clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionStart {
    /// At creation (the ticket's first status).
    Created,
    /// At the first public response ("72 hours after response", P2); `pending` before.
    FirstResponse,
}
codes!(ResolutionStart {
    Created => "created",
    FirstResponse => "first_response",
});

/// An SLA policy: the three clocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaPolicy {
    code: PolicyCode,
    name: PolicyName,
    first_response: ClockSpec,
    next_update: ClockSpec,
    resolution: ClockSpec,
    resolution_start: ResolutionStart,
}

impl SlaPolicy {
    pub fn new(
        code: PolicyCode,
        name: PolicyName,
        first_response: ClockSpec,
        next_update: ClockSpec,
        resolution: ClockSpec,
        resolution_start: ResolutionStart,
    ) -> Self {
        Self {
            code,
            name,
            first_response,
            next_update,
            resolution,
            resolution_start,
        }
    }

    pub fn code(&self) -> &PolicyCode {
        &self.code
    }

    pub fn name(&self) -> &PolicyName {
        &self.name
    }

    /// The spec of clock `kind`.
    pub fn clock(&self, kind: ClockKind) -> &ClockSpec {
        match kind {
            ClockKind::FirstResponse => &self.first_response,
            ClockKind::NextUpdate => &self.next_update,
            ClockKind::Resolution => &self.resolution,
        }
    }

    pub fn resolution_start(&self) -> ResolutionStart {
        self.resolution_start
    }

    /// This policy with clock `kind` replaced (an admin's edit; also used by tests).
    pub fn with_clock(mut self, kind: ClockKind, spec: ClockSpec) -> Self {
        match kind {
            ClockKind::FirstResponse => self.first_response = spec,
            ClockKind::NextUpdate => self.next_update = spec,
            ClockKind::Resolution => self.resolution = spec,
        }
        self
    }

    /// The built-in policy for `priority` (see the module documentation).
    pub fn builtin(priority: Priority) -> Self {
        use Basis::{AroundTheClock as Atc, Working as W};
        let (fr, res, start) = match priority {
            Priority::P1 => (
                ClockSpec::standard(Atc, 60),
                ClockSpec::standard(Atc, 240),
                ResolutionStart::Created,
            ),
            Priority::P2 => (
                ClockSpec::standard(W, 2 * WORKING_DAY_MINUTES),
                ClockSpec::standard(W, 3 * WORKING_DAY_MINUTES),
                ResolutionStart::FirstResponse,
            ),
            Priority::P3 => (
                ClockSpec::standard(W, WORKING_DAY_MINUTES),
                ClockSpec::standard(W, 3 * WORKING_DAY_MINUTES),
                ResolutionStart::Created,
            ),
            Priority::P4 => (
                ClockSpec::standard(W, WORKING_DAY_MINUTES),
                ClockSpec::standard(W, 2 * WORKING_DAY_MINUTES),
                ResolutionStart::Created,
            ),
        };
        let name = match priority {
            Priority::P1 => "P1 紧急 Emergency",
            Priority::P2 => "P2 重大 Major",
            Priority::P3 => "P3 一般 Ordinary",
            Priority::P4 => "P4 咨询 Question",
        };
        Self {
            code: PolicyCode(format!("default_{}", priority.code())),
            name: PolicyName(name.to_owned()),
            first_response: fr,
            next_update: ClockSpec::standard(W, WORKING_DAY_MINUTES),
            resolution: res,
            resolution_start: start,
        }
    }
}

/// A policy's display name: 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PolicyName(String);

impl PolicyName {
    /// Trims and checks `raw` (the rule of [`crate::text::Label`]).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        crate::text::Label::parse(field, raw).map(|l| Self(l.into_inner()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What policy selection looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectionFacts {
    pub priority: Priority,
    pub category: Category,
    /// The merchant's risk level, if it has one.
    pub risk_level: Option<RiskLevel>,
    /// The service point handling the ticket, if any.
    pub service_point: Option<ServicePointId>,
}

/// A selection rule: the policy to use when every condition given matches. An absent
/// condition matches anything; a condition lists the values it accepts (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectionRule {
    policy: PolicyCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    priorities: Option<Vec<Priority>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    categories: Option<Vec<Category>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk_levels: Option<Vec<RiskLevel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_points: Option<Vec<ServicePointId>>,
}

impl SelectionRule {
    /// A rule selecting `policy`; an empty condition list is `invalid` on
    /// `{field}.priorities` (etc.): omit a condition to match any value.
    pub fn new(
        field: &str,
        policy: PolicyCode,
        priorities: Option<Vec<Priority>>,
        categories: Option<Vec<Category>>,
        risk_levels: Option<Vec<RiskLevel>>,
        service_points: Option<Vec<ServicePointId>>,
    ) -> Result<Self, FieldError> {
        let empty = |name: &str| {
            FieldError::new(
                format!("{field}.{name}"),
                Rule::Invalid {
                    reason: "empty: omit the condition to match any value",
                },
            )
        };
        if priorities.as_ref().is_some_and(Vec::is_empty) {
            return Err(empty("priorities"));
        }
        if categories.as_ref().is_some_and(Vec::is_empty) {
            return Err(empty("categories"));
        }
        if risk_levels.as_ref().is_some_and(Vec::is_empty) {
            return Err(empty("risk_levels"));
        }
        if service_points.as_ref().is_some_and(Vec::is_empty) {
            return Err(empty("service_points"));
        }
        Ok(Self {
            policy,
            priorities,
            categories,
            risk_levels,
            service_points,
        })
    }

    pub fn policy(&self) -> &PolicyCode {
        &self.policy
    }

    /// Whether every condition given matches `facts` (a condition on the risk level or the
    /// service point does not match a ticket without one).
    pub fn matches(&self, facts: &SelectionFacts) -> bool {
        fn ok<T: PartialEq>(cond: &Option<Vec<T>>, fact: Option<&T>) -> bool {
            match cond {
                None => true,
                Some(values) => fact.is_some_and(|f| values.contains(f)),
            }
        }
        ok(&self.priorities, Some(&facts.priority))
            && ok(&self.categories, Some(&facts.category))
            && ok(&self.risk_levels, facts.risk_level.as_ref())
            && ok(&self.service_points, facts.service_point.as_ref())
    }
}

/// The policy for each priority when no rule matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorityDefaults {
    pub p1: PolicyCode,
    pub p2: PolicyCode,
    pub p3: PolicyCode,
    pub p4: PolicyCode,
}

impl PriorityDefaults {
    pub fn get(&self, priority: Priority) -> &PolicyCode {
        match priority {
            Priority::P1 => &self.p1,
            Priority::P2 => &self.p2,
            Priority::P3 => &self.p3,
            Priority::P4 => &self.p4,
        }
    }
}

/// The policy chosen for a ticket, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection<'a> {
    pub policy: &'a SlaPolicy,
    /// The index of the rule that matched; `None`: the priority's default.
    pub rule: Option<usize>,
}

/// A provider's SLA configuration: policies, ordered selection rules, defaults per priority.
/// Every policy code a rule or a default names exists, so [`SlaDocument::select`] always
/// finds a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaDocument {
    policies: Vec<SlaPolicy>,
    rules: Vec<SelectionRule>,
    defaults: PriorityDefaults,
}

/// Why an SLA document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    /// Not JSON, or not the document's shape (an unknown or missing field, a wrong type).
    #[error("not an SLA document: {message}")]
    Json { message: String },
    /// A field broke a rule.
    #[error(transparent)]
    Field(#[from] FieldError),
}

impl SlaError {
    /// The error as one field error (a shape error is `invalid` on `document`).
    pub fn to_field_error(&self) -> FieldError {
        match self {
            SlaError::Json { .. } => FieldError::new(
                "document",
                Rule::Invalid {
                    reason: "not an SLA document (malformed JSON, a missing or unknown field, or a wrong type)",
                },
            ),
            SlaError::Field(f) => f.clone(),
        }
    }
}

impl SlaDocument {
    /// Checks the cross-references: policy codes unique (`invalid` on `policies[i].code`), at
    /// most [`MAX_POLICIES`] policies and [`MAX_RULES`] rules, every rule's policy and every
    /// default known (`invalid` on `rules[i].policy`, `defaults.p1` …).
    pub fn new(
        policies: Vec<SlaPolicy>,
        rules: Vec<SelectionRule>,
        defaults: PriorityDefaults,
    ) -> Result<Self, FieldError> {
        if policies.len() > MAX_POLICIES {
            return Err(FieldError::new(
                "policies",
                Rule::Invalid {
                    reason: "at most 100 policies",
                },
            ));
        }
        if rules.len() > MAX_RULES {
            return Err(FieldError::new(
                "rules",
                Rule::Invalid {
                    reason: "at most 200 rules",
                },
            ));
        }
        for (i, p) in policies.iter().enumerate() {
            if policies[..i].iter().any(|q| q.code == p.code) {
                return Err(FieldError::new(
                    format!("policies[{i}].code"),
                    Rule::Invalid {
                        reason: "policy code used twice",
                    },
                ));
            }
        }
        let known = |c: &PolicyCode| policies.iter().any(|p| &p.code == c);
        let unknown = |field: String| {
            FieldError::new(
                field,
                Rule::Invalid {
                    reason: "no policy has this code",
                },
            )
        };
        for (i, r) in rules.iter().enumerate() {
            if !known(&r.policy) {
                return Err(unknown(format!("rules[{i}].policy")));
            }
        }
        for p in Priority::ALL {
            if !known(defaults.get(*p)) {
                return Err(unknown(format!("defaults.{}", p.code())));
            }
        }
        Ok(Self {
            policies,
            rules,
            defaults,
        })
    }

    /// The brief's defaults: `default_p1` … `default_p4`, no rules.
    pub fn builtin() -> Self {
        let policies: Vec<SlaPolicy> = Priority::ALL
            .iter()
            .map(|p| SlaPolicy::builtin(*p))
            .collect();
        let code = |p: Priority| PolicyCode(format!("default_{}", p.code()));
        Self {
            policies,
            rules: Vec::new(),
            defaults: PriorityDefaults {
                p1: code(Priority::P1),
                p2: code(Priority::P2),
                p3: code(Priority::P3),
                p4: code(Priority::P4),
            },
        }
    }

    pub fn policies(&self) -> &[SlaPolicy] {
        &self.policies
    }

    pub fn rules(&self) -> &[SelectionRule] {
        &self.rules
    }

    pub fn defaults(&self) -> &PriorityDefaults {
        &self.defaults
    }

    /// The policy with this code.
    pub fn policy(&self, code: &PolicyCode) -> Option<&SlaPolicy> {
        self.policies.iter().find(|p| &p.code == code)
    }

    /// The policy for a ticket: the first rule whose conditions all match, else the
    /// priority's default.
    pub fn select(&self, facts: &SelectionFacts) -> Selection<'_> {
        let (code, rule) = match self.rules.iter().position(|r| r.matches(facts)) {
            Some(i) => (&self.rules[i].policy, Some(i)),
            None => (self.defaults.get(facts.priority), None),
        };
        // Every referenced code exists (checked by `new`/`from_json`); the first policy is a
        // defensive fallback that cannot be reached.
        let policy = self.policy(code).unwrap_or(&self.policies[0]);
        Selection { policy, rule }
    }

    /// The document as JSON (the shape [`SlaDocument::from_json`] reads).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses and checks a document. Omitted `pause_statuses` and `escalations` of a clock
    /// take the defaults; an omitted `resolution_start` is `created`; omitted `rules` are none.
    pub fn from_json(json: &str) -> Result<Self, SlaError> {
        let raw: raw::Document = serde_json::from_str(json).map_err(|e| SlaError::Json {
            message: e.to_string(),
        })?;
        Ok(raw.check()?)
    }
}

impl SlaPolicy {
    /// One policy as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses and checks one policy (fields named without a prefix: `resolution.target.minutes`).
    pub fn from_json(json: &str) -> Result<Self, SlaError> {
        let raw: raw::Policy = serde_json::from_str(json).map_err(|e| SlaError::Json {
            message: e.to_string(),
        })?;
        Ok(raw.check("")?)
    }
}

/// The JSON shapes as read, before any rule is checked.
mod raw {
    use serde::Deserialize;

    use super::*;

    fn join(prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Document {
        policies: Vec<Policy>,
        #[serde(default)]
        rules: Vec<SelRule>,
        defaults: Defaults,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Defaults {
        p1: String,
        p2: String,
        p3: String,
        p4: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Policy {
        code: String,
        name: String,
        first_response: Clock,
        next_update: Clock,
        resolution: Clock,
        #[serde(default)]
        resolution_start: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Clock {
        target: TargetRaw,
        #[serde(default)]
        pause_statuses: Option<Vec<String>>,
        #[serde(default)]
        escalations: Option<Vec<Level>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct TargetRaw {
        basis: String,
        minutes: i64,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Level {
        level: i64,
        offset: OffsetRaw,
        action: Action,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct OffsetRaw {
        unit: String,
        minutes: i64,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Action {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        team: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct SelRule {
        policy: String,
        #[serde(default)]
        priorities: Option<Vec<String>>,
        #[serde(default)]
        categories: Option<Vec<String>>,
        #[serde(default)]
        risk_levels: Option<Vec<String>>,
        #[serde(default)]
        service_points: Option<Vec<String>>,
    }

    fn list<T>(
        field: &str,
        values: Option<Vec<String>>,
        parse: impl Fn(&str, &str) -> Result<T, FieldError>,
    ) -> Result<Option<Vec<T>>, FieldError> {
        values
            .map(|vs| {
                vs.iter()
                    .enumerate()
                    .map(|(i, v)| parse(&format!("{field}[{i}]"), v))
                    .collect()
            })
            .transpose()
    }

    impl Document {
        pub(super) fn check(self) -> Result<SlaDocument, FieldError> {
            let policies = self
                .policies
                .into_iter()
                .enumerate()
                .map(|(i, p)| p.check(&format!("policies[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            let rules = self
                .rules
                .into_iter()
                .enumerate()
                .map(|(i, r)| r.check(&format!("rules[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            let d = self.defaults;
            let defaults = PriorityDefaults {
                p1: PolicyCode::parse("defaults.p1", &d.p1)?,
                p2: PolicyCode::parse("defaults.p2", &d.p2)?,
                p3: PolicyCode::parse("defaults.p3", &d.p3)?,
                p4: PolicyCode::parse("defaults.p4", &d.p4)?,
            };
            SlaDocument::new(policies, rules, defaults)
        }
    }

    impl Policy {
        pub(super) fn check(self, prefix: &str) -> Result<SlaPolicy, FieldError> {
            let code = PolicyCode::parse(&join(prefix, "code"), &self.code)?;
            let name = PolicyName::parse(&join(prefix, "name"), &self.name)?;
            let first_response = self.first_response.check(&join(prefix, "first_response"))?;
            let next_update = self.next_update.check(&join(prefix, "next_update"))?;
            let resolution = self.resolution.check(&join(prefix, "resolution"))?;
            let resolution_start = match self.resolution_start {
                None => ResolutionStart::Created,
                Some(s) => ResolutionStart::parse(&join(prefix, "resolution_start"), &s)?,
            };
            Ok(SlaPolicy::new(
                code,
                name,
                first_response,
                next_update,
                resolution,
                resolution_start,
            ))
        }
    }

    impl Clock {
        fn check(self, prefix: &str) -> Result<ClockSpec, FieldError> {
            let basis = Basis::parse(&format!("{prefix}.target.basis"), &self.target.basis)?;
            let target = Target::new(
                &format!("{prefix}.target.minutes"),
                basis,
                self.target.minutes,
            )?;
            let pauses = match list(
                &format!("{prefix}.pause_statuses"),
                self.pause_statuses,
                TicketStatus::parse,
            )? {
                Some(p) => p,
                None => DEFAULT_PAUSE_STATUSES.to_vec(),
            };
            let levels = match self.escalations {
                None => default_levels(),
                Some(ls) => ls
                    .into_iter()
                    .enumerate()
                    .map(|(i, l)| l.check(&format!("{prefix}.escalations[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?,
            };
            ClockSpec::new(prefix, target, pauses, levels)
        }
    }

    impl Level {
        fn check(self, prefix: &str) -> Result<EscalationLevel, FieldError> {
            let unit = OffsetUnit::parse(&format!("{prefix}.offset.unit"), &self.offset.unit)?;
            let offset = Offset::new(
                &format!("{prefix}.offset.minutes"),
                unit,
                self.offset.minutes,
            )?;
            let type_field = format!("{prefix}.action.type");
            let team_field = format!("{prefix}.action.team");
            let action = match self.action.kind.trim() {
                "notify_assignee" => EscalationAction::NotifyAssignee,
                "notify_supervisor" => EscalationAction::NotifySupervisor,
                "notify_management" => EscalationAction::NotifyManagement,
                "raise_priority" => EscalationAction::RaisePriority,
                "reassign_to_team" => EscalationAction::ReassignToTeam {
                    team: self
                        .action
                        .team
                        .as_deref()
                        .map(|t| TeamCode::parse(&team_field, t))
                        .transpose()?,
                },
                _ => {
                    return Err(FieldError::new(
                        type_field,
                        Rule::OneOf {
                            allowed: EscalationAction::CODES.to_vec(),
                        },
                    ));
                }
            };
            if self.action.team.is_some()
                && !matches!(action, EscalationAction::ReassignToTeam { .. })
            {
                return Err(FieldError::new(
                    team_field,
                    Rule::Invalid {
                        reason: "only reassign_to_team takes a team",
                    },
                ));
            }
            EscalationLevel::new(&format!("{prefix}.level"), self.level, offset, action)
        }
    }

    impl SelRule {
        fn check(self, prefix: &str) -> Result<SelectionRule, FieldError> {
            let policy = PolicyCode::parse(&format!("{prefix}.policy"), &self.policy)?;
            let priorities = list(
                &format!("{prefix}.priorities"),
                self.priorities,
                Priority::parse,
            )?;
            let categories = list(
                &format!("{prefix}.categories"),
                self.categories,
                Category::parse,
            )?;
            let risk_levels = list(
                &format!("{prefix}.risk_levels"),
                self.risk_levels,
                RiskLevel::parse,
            )?;
            let service_points = list(
                &format!("{prefix}.service_points"),
                self.service_points,
                ServicePointId::parse,
            )?;
            SelectionRule::new(
                prefix,
                policy,
                priorities,
                categories,
                risk_levels,
                service_points,
            )
        }
    }
}
