//! Service tickets (工单) and their SLA engine. Pure: no I/O, no clock — `now` is passed in;
//! every working-time computation is a call to the one calendar engine
//! ([`crate::calendar::Calendar`]).
//!
//! * [`model`]: the vocabulary — [`TicketKind`] (报修 fault / 咨询 request), [`Channel`],
//!   [`Category`], [`Priority`] P1–P4, [`TeamCode`], [`PolicyCode`].
//! * [`status`]: the status machine ([`TicketStatus`], [`TicketEvent`]; the table is in the
//!   documentation of [`TicketStatus`]) and the reopen window ([`ReopenWindow`]).
//! * [`sla`]: policies ([`SlaPolicy`]: first response, next update, resolution — each a
//!   [`Target`] on working time or around the clock, pause statuses and escalation levels),
//!   the rules that select one ([`SlaDocument::select`]), the brief's defaults
//!   ([`SlaDocument::builtin`]) and the JSON document storage versions per provider.
//! * [`clock`]: the clocks at an instant, rebuilt from the status history
//!   ([`compute_clocks`], [`next_deadline`]).
//! * [`escalation`]: which escalation levels are due and not yet fired ([`due_escalations`],
//!   [`next_escalation_at`], [`EscalationKey`]) and the late-fix notice ([`late_fix_notice`]).
//!
//! # A ticket's clocks, from intake to closure
//!
//! The service selects the policy from the ticket's facts (priority, category, the merchant's
//! risk level, the service point), builds the provider's calendar, and calls
//! [`compute_clocks`] with the status history, the first-response / last-update / resolution
//! instants and `now`. Storage keeps only those inputs and, for the scans, the indexed
//! instants [`next_deadline`] and [`next_escalation_at`]; it recomputes them whenever the
//! ticket, its policy or the calendar changes. A change of priority is a new selection and a
//! recomputation over the same history, never an adjustment of stored deadlines.

pub mod clock;
pub mod escalation;
pub mod model;
pub mod sla;
pub mod status;

pub use clock::{
    Clock, ClockInputs, ClockState, Clocks, HistoryError, StatusChange, StatusHistory,
    compute_clock, compute_clocks, next_deadline,
};
pub use escalation::{
    DEFAULT_LATE_NOTICE_THRESHOLD_MINUTES, DueEscalation, EscalationKey, LateFixNotice,
    LateNoticeError, LateReason, due_escalations, fix_will_be_late, late_fix_notice,
    next_escalation_at,
};
pub use model::{Category, Channel, PolicyCode, Priority, TeamCode, TicketKind};
pub use sla::{
    Basis, ClockKind, ClockSpec, DEFAULT_PAUSE_STATUSES, EscalationAction, EscalationLevel, Offset,
    OffsetUnit, PolicyName, PriorityDefaults, ResolutionStart, SUPERVISORS_TEAM, Selection,
    SelectionFacts, SelectionRule, SlaDocument, SlaError, SlaPolicy, Target, WORKING_DAY_MINUTES,
    default_levels,
};
pub use status::{ReopenWindow, TicketError, TicketEvent, TicketStatus};

#[cfg(test)]
mod tests;
