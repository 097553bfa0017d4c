//! A complaint's status machine.
//!
//! | from \ event | acknowledge | decide | accept | reject | review | close |
//! |---|---|---|---|---|---|---|
//! | `received` 已受理 | `in_progress` | – | – | – | – | – (no decision) |
//! | `in_progress` 处理中 | – | `decided` | – | – | – | – (no decision) |
//! | `decided` 已答复 | – | – | `closed` (accepted) | `rejected` | – | `closed` (no response) |
//! | `rejected` 不接受 | – | – | – | – | `under_review` | `closed` (not accepted) |
//! | `under_review` 复核中 | – | `decided` (review decision) | – | – | – | – |
//! | `closed` 已办结 | – | – | – | – | – | – |
//!
//! The decision clock stops at the first decision; a second-level review is a new decision by
//! someone other than the first decider ([`check_reviewer`]). A complaint is never closed
//! without a decision.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::registry::codes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// 已受理: the receipt number is issued; waiting for a handler's acknowledgement.
    Received,
    /// 处理中: acknowledged, under investigation.
    InProgress,
    /// 已答复: the decision was told to the complainant; waiting for their answer.
    Decided,
    /// 不接受: the complainant rejected the decision; a second-level review may follow.
    Rejected,
    /// 复核中: a second-level review by someone other than the first decider.
    UnderReview,
    /// 已办结: final.
    Closed,
}
codes!(ComplaintStatus {
    Received => "received",
    InProgress => "in_progress",
    Decided => "decided",
    Rejected => "rejected",
    UnderReview => "under_review",
    Closed => "closed",
});

impl ComplaintStatus {
    /// Not closed.
    pub fn is_open(self) -> bool {
        self != ComplaintStatus::Closed
    }

    /// Whether the decision clock still waits for a (first) decision in this status.
    pub fn awaits_decision(self) -> bool {
        matches!(
            self,
            ComplaintStatus::Received | ComplaintStatus::InProgress
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintEvent {
    /// The handler acknowledges receipt to the complainant (stops the acknowledgement clock).
    Acknowledge,
    /// The decision (or the review decision) is made and told to the complainant.
    Decide,
    /// The complainant accepts the decision.
    Accept,
    /// The complainant rejects the decision.
    Reject,
    /// A second-level review starts.
    Review,
    /// Closed without the complainant's acceptance: no answer to the decision, or the
    /// rejection stands (the complainant was told the outside routes).
    Close,
}
codes!(ComplaintEvent {
    Acknowledge => "acknowledge",
    Decide => "decide",
    Accept => "accept",
    Reject => "reject",
    Review => "review",
    Close => "close",
});

/// How a closed complaint ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintOutcome {
    /// The complainant accepted the decision.
    Accepted,
    /// The complainant did not accept it; they were told the outside routes.
    NotAccepted,
    /// The complainant did not answer the decision.
    NoResponse,
}
codes!(ComplaintOutcome {
    Accepted => "accepted",
    NotAccepted => "not_accepted",
    NoResponse => "no_response",
});

/// A step that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    #[error("cannot {event} a complaint that is {from}")]
    IllegalTransition {
        from: ComplaintStatus,
        event: ComplaintEvent,
    },
    #[error("a complaint cannot be closed without a decision")]
    CloseWithoutDecision,
    #[error("the second-level review must be made by someone other than the first decider")]
    OwnReview,
    #[error("the complaint is closed")]
    Closed,
}

/// The status after `event`, with the outcome when it closes the complaint.
pub fn transition(
    from: ComplaintStatus,
    event: ComplaintEvent,
) -> Result<(ComplaintStatus, Option<ComplaintOutcome>), ComplaintError> {
    use ComplaintEvent as E;
    use ComplaintStatus as S;
    Ok(match (from, event) {
        (S::Received, E::Acknowledge) => (S::InProgress, None),
        (S::InProgress, E::Decide) | (S::UnderReview, E::Decide) => (S::Decided, None),
        (S::Decided, E::Accept) => (S::Closed, Some(ComplaintOutcome::Accepted)),
        (S::Decided, E::Reject) => (S::Rejected, None),
        (S::Decided, E::Close) => (S::Closed, Some(ComplaintOutcome::NoResponse)),
        (S::Rejected, E::Review) => (S::UnderReview, None),
        (S::Rejected, E::Close) => (S::Closed, Some(ComplaintOutcome::NotAccepted)),
        (S::Received | S::InProgress, E::Close) => {
            return Err(ComplaintError::CloseWithoutDecision);
        }
        (S::Closed, _) => return Err(ComplaintError::Closed),
        (from, event) => return Err(ComplaintError::IllegalTransition { from, event }),
    })
}

/// The events allowed from `status` (what the UI offers).
pub fn allowed_events(status: ComplaintStatus) -> Vec<ComplaintEvent> {
    ComplaintEvent::ALL
        .iter()
        .copied()
        .filter(|e| transition(status, *e).is_ok())
        .collect()
}

/// A second-level review (starting it, and the review decision) must be by someone other than
/// whoever made the first decision.
pub fn check_reviewer(
    first_decider: Option<UserId>,
    reviewer: UserId,
) -> Result<(), ComplaintError> {
    if first_decider == Some(reviewer) {
        Err(ComplaintError::OwnReview)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_happy_path_and_the_review_path() {
        use ComplaintEvent as E;
        use ComplaintStatus as S;
        let mut s = S::Received;
        for (e, want) in [
            (E::Acknowledge, S::InProgress),
            (E::Decide, S::Decided),
            (E::Reject, S::Rejected),
            (E::Review, S::UnderReview),
            (E::Decide, S::Decided),
        ] {
            s = transition(s, e).unwrap().0;
            assert_eq!(s, want);
        }
        assert_eq!(
            transition(s, E::Accept).unwrap(),
            (S::Closed, Some(ComplaintOutcome::Accepted))
        );
    }

    #[test]
    fn no_close_without_a_decision_and_nothing_after_closed() {
        use ComplaintEvent as E;
        use ComplaintStatus as S;
        assert_eq!(
            transition(S::Received, E::Close),
            Err(ComplaintError::CloseWithoutDecision)
        );
        assert_eq!(
            transition(S::InProgress, E::Close),
            Err(ComplaintError::CloseWithoutDecision)
        );
        for e in ComplaintEvent::ALL {
            assert_eq!(transition(S::Closed, *e), Err(ComplaintError::Closed));
        }
        assert!(matches!(
            transition(S::Received, E::Decide),
            Err(ComplaintError::IllegalTransition { .. })
        ));
        assert_eq!(
            allowed_events(S::Decided),
            vec![E::Accept, E::Reject, E::Close]
        );
    }

    #[test]
    fn a_handler_cannot_review_their_own_decision() {
        let a = UserId::from_uuid(Uuid::from_u128(1));
        let b = UserId::from_uuid(Uuid::from_u128(2));
        assert_eq!(check_reviewer(Some(a), a), Err(ComplaintError::OwnReview));
        assert!(check_reviewer(Some(a), b).is_ok());
    }

    #[test]
    fn codes_match_serde() {
        for s in ComplaintStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        for e in ComplaintEvent::ALL {
            assert_eq!(serde_json::to_value(e).unwrap(), e.code());
        }
        for o in ComplaintOutcome::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), o.code());
        }
    }
}
