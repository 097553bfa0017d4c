//! Complaints (投诉, seed 003): a record a regulator may ask to see. Pure: no I/O, no clock, no
//! randomness (the receipt number's random part is passed in).
//!
//! * [`model`]: channel, category, proposed resolution kinds, contact attempts, satisfaction,
//!   the receipt number ([`ReceiptNo`]: date + random + check character), the intake record
//!   ([`Intake::parse`], every field checked, referral with the referrer's deadline) and the
//!   e-mail gateway's guess ([`looks_like_complaint`]).
//! * [`status`]: the status machine ([`transition`]; never closed without a decision) and the
//!   second-level review rule ([`check_reviewer`]).
//! * [`clock`]: the statutory clock on the one SLA engine — acknowledge within 1 working day,
//!   decide within 15 days, extensions in configured steps ([`check_extension`]), escalation
//!   tiers handler → supervisor → management ([`due_complaint_escalations`]).
//! * [`evidence`]: what evidence may be kept ([`check_evidence`]: pictures, PDF, text,
//!   recordings; declared type must match the bytes; ≤ 50 MiB) and its SHA-256 address.
//! * [`record`]: timeline entries and which are public ([`EntryKind::is_public`]), the public
//!   tracking view, the outside routes printed on a decision letter.
//! * [`stats`]: monthly statistics.

pub mod clock;
pub mod evidence;
pub mod model;
pub mod record;
pub mod stats;
pub mod status;

pub use clock::{
    ClockFacts, ComplaintClocks, ComplaintRules, Extension, ExtensionError, ExtensionStep,
    check_extension, clock_name, complaint_clocks, due_complaint_escalations,
    next_complaint_escalation_at,
};
pub use evidence::{EvidenceKind, MAX_EVIDENCE_BYTES, check_evidence, evidence_sha256};
pub use model::{
    ComplaintCategory, ComplaintChannel, ContactChannel, ContactOutcome, HandlingText, Intake,
    Narrative, PhoneLast4, Place, RawIntake, ReceiptNo, Referral, ReferralText, Request,
    ResolutionKind, Satisfaction, looks_like_complaint,
};
pub use record::{
    EntryKind, OUTSIDE_ROUTES, OutsideRoute, PublicStep, PublicView, tracking_allows,
};
pub use stats::{MonthStats, StatRow, monthly, nearest_rank};
pub use status::{
    ComplaintError, ComplaintEvent, ComplaintOutcome, ComplaintStatus, allowed_events,
    check_reviewer, transition,
};
