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
//! * [`attachment`]: what may be attached to a ticket ([`AttachmentFile::check`]: at most
//!   10 MiB, JPEG/PNG/WebP/PDF by the registry's sniffer or UTF-8 text, declared type matching
//!   the bytes, a plain [`FileName`]) and which tickets still take files.
//! * [`links`]: merge and split ([`check_merge`], [`check_split`]).
//! * [`notify`]: who hears about what happens to a ticket ([`Occurrence`]: its webhook event
//!   and the e-mail notices to the merchant, the assignee or the supervisors).
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

pub mod attachment;
pub mod clock;
pub mod escalation;
pub mod links;
pub mod model;
pub mod notify;
pub mod sla;
pub mod status;

pub use attachment::{
    AttachmentFile, AttachmentId, AttachmentKind, FileName, MAX_ATTACHMENT_BYTES,
    accepts_attachments,
};
pub use clock::{
    Clock, ClockInputs, ClockState, Clocks, HistoryError, StatusChange, StatusHistory,
    compute_clock, compute_clocks, next_deadline,
};
pub use escalation::{
    DEFAULT_LATE_NOTICE_THRESHOLD_MINUTES, DueEscalation, EscalationKey, LateFixNotice,
    LateNoticeError, LateReason, due_escalations, fix_will_be_late, late_fix_notice,
    next_escalation_at,
};
pub use links::{LinkError, LinkKind, LinkSide, check_merge, check_split};
pub use model::{Category, Channel, PolicyCode, Priority, TeamCode, TicketKind};
pub use notify::{Audience, Notice, Occurrence, WEBHOOK_EVENTS};
pub use sla::{
    Basis, ClockKind, ClockSpec, DEFAULT_PAUSE_STATUSES, EscalationAction, EscalationLevel, Offset,
    OffsetUnit, PolicyName, PriorityDefaults, ResolutionStart, SUPERVISORS_TEAM, Selection,
    SelectionFacts, SelectionRule, SlaDocument, SlaError, SlaPolicy, Target, WORKING_DAY_MINUTES,
    default_levels,
};
pub use status::{ReopenWindow, TicketError, TicketEvent, TicketStatus};

#[cfg(test)]
mod tests;
