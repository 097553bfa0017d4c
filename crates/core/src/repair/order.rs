//! A repair order (维修单) under a fault ticket: how it is repaired, what caused the fault,
//! whether it is covered, and its status machine.
//!
//! | from \ event | diagnose | quote | approve | decline | start | complete | cancel |
//! |---|---|---|---|---|---|---|---|
//! | `open` 待诊断 | `diagnosed` | – | – | – | – | – | `cancelled` |
//! | `diagnosed` 已诊断 | `diagnosed` (re-diagnosis) | `quoted` (chargeable) | – | – | `in_repair` (free only) | – | `cancelled` |
//! | `quoted` 待确认报价 | – | `quoted` (a new quote) | `approved` | `declined` | – | – | `cancelled` |
//! | `approved` 报价已确认 | – | – | – | – | `in_repair` | – | `cancelled` |
//! | `in_repair` 维修中 | – | – | – | – | – | `repaired` | – |
//! | `repaired` 已修复 | – | – | – | – | – | – | – |
//! | `declined` 报价被拒 | – | `quoted` (a revised quote) | – | – | – | – | `cancelled` |
//! | `cancelled` 已取消 | – | – | – | – | – | – | – |
//!
//! No chargeable work step is recorded before the quote is approved ([`check_work_step`]):
//! `start` from `diagnosed` is refused for a chargeable repair.

use serde::{Deserialize, Serialize};

use crate::calendar::LocalDate;
use crate::registry::codes;
use crate::registry::terminal::{WarrantyState, warranty_on};

/// How the terminal is repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum RepairMethod {
    /// 远程: guided session, remote diagnosis, parameters pushed.
    Remote,
    /// 上门: a technician is dispatched.
    OnSite,
    /// 寄修: the merchant ships the terminal to the repair centre.
    MailIn,
}
codes!(RepairMethod {
    Remote => "remote",
    OnSite => "on_site",
    MailIn => "mail_in",
});

/// What caused the fault (decides warranty coverage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FaultCause {
    /// 正常损耗.
    NormalWear,
    /// 人为损坏 (dropped, liquid, opened by the merchant).
    HumanDamage,
    /// 环境因素 (power surge, heat, humidity).
    Environment,
    /// 原因不明.
    Unknown,
}
codes!(FaultCause {
    NormalWear => "normal_wear",
    HumanDamage => "human_damage",
    Environment => "environment",
    Unknown => "unknown",
});

/// Whether the repair is free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// 保修: in warranty and not human damage.
    Warranty,
    /// 收费: out of warranty, or human damage, or no warranty on record.
    Chargeable,
}
codes!(Coverage {
    Warranty => "warranty",
    Chargeable => "chargeable",
});

/// Why the coverage is what it is (shown to the merchant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageReason {
    InWarranty,
    HumanDamage,
    WarrantyExpired,
    NoWarrantyOnRecord,
    WarrantyNotStarted,
}
codes!(CoverageReason {
    InWarranty => "in_warranty",
    HumanDamage => "human_damage",
    WarrantyExpired => "warranty_expired",
    NoWarrantyOnRecord => "no_warranty_on_record",
    WarrantyNotStarted => "warranty_not_started",
});

/// The warranty decision at diagnosis (seeds 001, 002): within the warranty period a fault not
/// caused by the merchant is repaired free; otherwise it is chargeable and needs a quote.
pub fn decide_coverage(
    install: Option<LocalDate>,
    warranty_end: Option<LocalDate>,
    diagnosed_on: LocalDate,
    cause: FaultCause,
) -> (Coverage, CoverageReason) {
    match warranty_on(install, warranty_end, diagnosed_on) {
        WarrantyState::InWarranty if cause == FaultCause::HumanDamage => {
            (Coverage::Chargeable, CoverageReason::HumanDamage)
        }
        WarrantyState::InWarranty => (Coverage::Warranty, CoverageReason::InWarranty),
        WarrantyState::Expired => (Coverage::Chargeable, CoverageReason::WarrantyExpired),
        WarrantyState::Unknown => (Coverage::Chargeable, CoverageReason::NoWarrantyOnRecord),
        WarrantyState::NotStarted => (Coverage::Chargeable, CoverageReason::WarrantyNotStarted),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairStatus {
    Open,
    Diagnosed,
    Quoted,
    Approved,
    Declined,
    InRepair,
    Repaired,
    Cancelled,
}
codes!(RepairStatus {
    Open => "open",
    Diagnosed => "diagnosed",
    Quoted => "quoted",
    Approved => "approved",
    Declined => "declined",
    InRepair => "in_repair",
    Repaired => "repaired",
    Cancelled => "cancelled",
});

impl RepairStatus {
    /// Repaired or cancelled.
    pub fn is_final(self) -> bool {
        matches!(self, RepairStatus::Repaired | RepairStatus::Cancelled)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairEvent {
    Diagnose,
    Quote,
    Approve,
    Decline,
    Start,
    Complete,
    Cancel,
}
codes!(RepairEvent {
    Diagnose => "diagnose",
    Quote => "quote",
    Approve => "approve",
    Decline => "decline",
    Start => "start",
    Complete => "complete",
    Cancel => "cancel",
});

/// A step that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepairError {
    #[error("cannot {event} a repair that is {from}")]
    Illegal {
        from: RepairStatus,
        event: RepairEvent,
    },
    #[error("a chargeable repair needs an approved quote before work starts")]
    NeedsApprovedQuote,
    #[error("a repair under warranty is not quoted")]
    NotChargeable,
    #[error("diagnose the fault first: the coverage decides whether a quote is needed")]
    NotDiagnosed,
}

/// The status after `event`, given the coverage decided at diagnosis (if any).
pub fn transition(
    from: RepairStatus,
    event: RepairEvent,
    coverage: Option<Coverage>,
) -> Result<RepairStatus, RepairError> {
    use RepairEvent as E;
    use RepairStatus as S;
    let illegal = || RepairError::Illegal { from, event };
    Ok(match (from, event) {
        (S::Open | S::Diagnosed, E::Diagnose) => S::Diagnosed,
        (S::Diagnosed | S::Quoted | S::Declined, E::Quote) => match coverage {
            Some(Coverage::Chargeable) => S::Quoted,
            Some(Coverage::Warranty) => return Err(RepairError::NotChargeable),
            None => return Err(RepairError::NotDiagnosed),
        },
        (S::Quoted, E::Approve) => S::Approved,
        (S::Quoted, E::Decline) => S::Declined,
        (S::Diagnosed, E::Start) => match coverage {
            Some(Coverage::Warranty) => S::InRepair,
            Some(Coverage::Chargeable) => return Err(RepairError::NeedsApprovedQuote),
            None => return Err(RepairError::NotDiagnosed),
        },
        (S::Quoted | S::Declined, E::Start) => return Err(RepairError::NeedsApprovedQuote),
        (S::Open, E::Start | E::Quote) => return Err(RepairError::NotDiagnosed),
        (S::Approved, E::Start) => S::InRepair,
        (S::InRepair, E::Complete) => S::Repaired,
        (S::Open | S::Diagnosed | S::Quoted | S::Approved | S::Declined, E::Cancel) => S::Cancelled,
        _ => return Err(illegal()),
    })
}

/// Whether a work step (parts used, labour, a repair note) may be recorded now: only while in
/// repair — so a chargeable repair only after its quote was approved.
pub fn check_work_step(
    status: RepairStatus,
    coverage: Option<Coverage>,
) -> Result<(), RepairError> {
    match (status, coverage) {
        (RepairStatus::InRepair, _) => Ok(()),
        (RepairStatus::Open, _) | (_, None) => Err(RepairError::NotDiagnosed),
        (_, Some(Coverage::Chargeable)) => Err(RepairError::NeedsApprovedQuote),
        (from, Some(Coverage::Warranty)) => Err(RepairError::Illegal {
            from,
            event: RepairEvent::Start,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> LocalDate {
        LocalDate::new(y, m, day).unwrap()
    }

    #[test]
    fn coverage_by_warranty_and_cause() {
        let (i, e) = (Some(d(2025, 1, 10)), Some(d(2026, 1, 9)));
        assert_eq!(
            decide_coverage(i, e, d(2025, 6, 1), FaultCause::NormalWear),
            (Coverage::Warranty, CoverageReason::InWarranty)
        );
        assert_eq!(
            decide_coverage(i, e, d(2025, 6, 1), FaultCause::HumanDamage),
            (Coverage::Chargeable, CoverageReason::HumanDamage)
        );
        // The last day of the warranty is covered; the next is not.
        assert_eq!(
            decide_coverage(i, e, d(2026, 1, 9), FaultCause::Unknown).0,
            Coverage::Warranty
        );
        assert_eq!(
            decide_coverage(i, e, d(2026, 1, 10), FaultCause::Environment),
            (Coverage::Chargeable, CoverageReason::WarrantyExpired)
        );
        assert_eq!(
            decide_coverage(None, None, d(2026, 1, 10), FaultCause::NormalWear),
            (Coverage::Chargeable, CoverageReason::NoWarrantyOnRecord)
        );
    }

    #[test]
    fn no_chargeable_work_before_approval() {
        use RepairEvent as E;
        use RepairStatus as S;
        let c = Some(Coverage::Chargeable);
        assert_eq!(
            transition(S::Diagnosed, E::Start, c),
            Err(RepairError::NeedsApprovedQuote)
        );
        assert_eq!(
            transition(S::Quoted, E::Start, c),
            Err(RepairError::NeedsApprovedQuote)
        );
        assert_eq!(
            check_work_step(S::Quoted, c),
            Err(RepairError::NeedsApprovedQuote)
        );
        assert_eq!(
            check_work_step(S::Approved, c),
            Err(RepairError::NeedsApprovedQuote)
        );
        let mut s = S::Open;
        for e in [E::Diagnose, E::Quote, E::Approve, E::Start] {
            s = transition(s, e, c).unwrap();
        }
        assert_eq!(s, S::InRepair);
        assert!(check_work_step(s, c).is_ok());
        assert_eq!(transition(s, E::Complete, c), Ok(S::Repaired));
        // Warranty repairs start straight after diagnosis and are never quoted.
        let w = Some(Coverage::Warranty);
        assert_eq!(transition(S::Diagnosed, E::Start, w), Ok(S::InRepair));
        assert_eq!(
            transition(S::Diagnosed, E::Quote, w),
            Err(RepairError::NotChargeable)
        );
        assert_eq!(
            transition(S::Open, E::Quote, None),
            Err(RepairError::NotDiagnosed)
        );
        // A declined quote can be revised; a finished repair is final.
        assert_eq!(transition(S::Declined, E::Quote, c), Ok(S::Quoted));
        assert!(transition(S::Repaired, E::Cancel, c).is_err());
        assert!(transition(S::InRepair, E::Cancel, c).is_err());
    }

    #[test]
    fn codes_match_serde() {
        for s in RepairStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        for s in RepairEvent::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        for s in FaultCause::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        for s in RepairMethod::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
    }
}
