//! Repair and field service (维修, seeds 001 and 002), pure: no I/O, no clock.
//!
//! * [`order`]: repair method (remote · on site · mail-in), fault cause, the warranty decision
//!   ([`decide_coverage`]: in warranty and not human damage → free, else chargeable), the
//!   repair order's status machine ([`transition`]) and the rule that no chargeable work step
//!   is recorded before the quote is approved ([`check_work_step`]).
//! * [`quote`]: quote lines in whole fen ([`QuoteItem::parse`] refuses negative and
//!   non-integer amounts), the total, the validity, and who may answer how ([`check_answer`]).
//! * [`checklist`]: the post-repair checklist and [`may_resolve`].
//! * [`closure`]: loaner due dates, auto-close after 3 working days, ratings and follow-ups,
//!   repeat faults within 30 days, dispatch ranking, first-time fix and time to restore.

pub mod checklist;
pub mod closure;
pub mod order;
pub mod quote;

pub use checklist::{CheckItem, CheckResult, ChecklistError, may_resolve, parse_evidence};
pub use closure::{
    CONFIRM_WORKING_DAYS, Candidate, DEFAULT_LOAN_DAYS, LOW_RATING, REPEAT_WINDOW_DAYS, Rating,
    RestoreRow, RestoreStats, auto_close_at, is_repeat, loaner_due, loaner_overdue,
    needs_follow_up, rank_technicians, region_match, restore_stats, skill_for,
};
pub use order::{
    Coverage, CoverageReason, FaultCause, RepairError, RepairEvent, RepairMethod, RepairStatus,
    check_work_step, decide_coverage, transition,
};
pub use quote::{
    AnswerChannel, ItemKind, MAX_ITEMS, Quote, QuoteError, QuoteItem, QuoteStatus, check_answer,
    check_offer, whole,
};
