//! The ticket status machine and the reopen window.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::lifecycle::IllegalTransition;
use crate::registry::codes;
use crate::{FieldError, Rule};

/// Where a ticket stands.
///
/// | from | event | to | meaning |
/// |---|---|---|---|
/// | `new` | `triage` | `open` | an agent took it: category and priority checked, first reply sent |
/// | `open`, another waiting status | `wait_merchant` | `waiting_merchant` | we need information or a visit slot from the merchant |
/// | `open`, another waiting status | `wait_quote` | `waiting_quote` | a repair quote waits for the merchant's approval |
/// | `open`, another waiting status | `wait_parts` | `waiting_parts` | a spare part is on order |
/// | `open`, another waiting status | `await_device` | `in_transit` | the merchant is shipping the terminal to the repair centre |
/// | `waiting_merchant`, `waiting_quote`, `waiting_parts`, `in_transit` | `resume` | `open` | the wait is over |
/// | `open`, any waiting status | `resolve` | `resolved` | fixed (or the question answered); the merchant is told |
/// | `resolved` | `reopen` | `open` | the merchant says it is not fixed, within the reopen window ([`TicketStatus::reopen`]) |
/// | `resolved` | `close` | `closed` | confirmed, rated, or the reopen window passed |
/// | `new`, `open`, any waiting status | `merge` | `merged` | closed as a duplicate of another (open) ticket, which carries on |
///
/// "Another waiting status": a ticket may move from one wait to another directly (the quote is
/// approved and the part ordered: `waiting_quote → waiting_parts`); moving to the status it is
/// already in is illegal. `closed` and `merged` are final. Every other pair is an
/// [`IllegalTransition`]. Which waits pause which SLA clock is the policy's choice
/// ([`crate::ticket::sla::ClockSpec::pause_statuses`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// 新建: reported, not yet triaged.
    New,
    /// 处理中: someone is working on it.
    Open,
    /// 待商户回复: waiting for the merchant (information, access, a visit slot).
    WaitingMerchant,
    /// 待报价确认: waiting for the merchant to approve a repair quote (issue 6).
    WaitingQuote,
    /// 待配件: waiting for a spare part.
    WaitingParts,
    /// 寄修在途: the device is travelling from the merchant to the repair centre.
    InTransit,
    /// 已解决: fixed; may be reopened within the window.
    Resolved,
    /// 已关闭: final.
    Closed,
    /// 已合并: closed as a duplicate of another ticket; final.
    Merged,
}
codes!(TicketStatus {
    New => "new",
    Open => "open",
    WaitingMerchant => "waiting_merchant",
    WaitingQuote => "waiting_quote",
    WaitingParts => "waiting_parts",
    InTransit => "in_transit",
    Resolved => "resolved",
    Closed => "closed",
    Merged => "merged",
});

/// What can happen to a ticket's status; see [`TicketStatus`] for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketEvent {
    Triage,
    WaitMerchant,
    WaitQuote,
    WaitParts,
    AwaitDevice,
    Resume,
    Resolve,
    Reopen,
    Close,
    Merge,
}
codes!(TicketEvent {
    Triage => "triage",
    WaitMerchant => "wait_merchant",
    WaitQuote => "wait_quote",
    WaitParts => "wait_parts",
    AwaitDevice => "await_device",
    Resume => "resume",
    Resolve => "resolve",
    Reopen => "reopen",
    Close => "close",
    Merge => "merge",
});

/// A guarded status step failed: the table does not allow it (a conflict), or the reopen
/// window has passed (also a conflict: the merchant should open a new ticket).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error("the reopen window ended at {}", .closed_at.to_rfc3339())]
    ReopenWindowPassed { closed_at: Timestamp },
}

impl TicketStatus {
    /// The status after `event`, if the table allows it. Checks no precondition: services call
    /// [`TicketStatus::reopen`] for `reopen`.
    pub fn transition(self, event: TicketEvent) -> Result<Self, IllegalTransition> {
        use TicketEvent as E;
        use TicketStatus as S;
        let wait_target = match event {
            E::WaitMerchant => Some(S::WaitingMerchant),
            E::WaitQuote => Some(S::WaitingQuote),
            E::WaitParts => Some(S::WaitingParts),
            E::AwaitDevice => Some(S::InTransit),
            _ => None,
        };
        let to = match (self, event) {
            (S::New, E::Triage) => Some(S::Open),
            (from, E::WaitMerchant | E::WaitQuote | E::WaitParts | E::AwaitDevice) => {
                wait_target.filter(|to| from.is_workable() && *to != from)
            }
            (from, E::Resume) => from.is_waiting().then_some(S::Open),
            (from, E::Resolve) => from.is_workable().then_some(S::Resolved),
            (S::Resolved, E::Reopen) => Some(S::Open),
            (S::Resolved, E::Close) => Some(S::Closed),
            (from, E::Merge) => from.is_active().then_some(S::Merged),
            _ => None,
        };
        to.ok_or(IllegalTransition {
            from: self.code(),
            event: event.code(),
        })
    }

    /// Reopen a `resolved` ticket resolved at `resolved_at`, at `now`: legal by the table, and
    /// only while the reopen window lasts (`now ≤ window.closes_at(resolved_at)`).
    pub fn reopen(
        self,
        resolved_at: Timestamp,
        now: Timestamp,
        window: ReopenWindow,
    ) -> Result<Self, TicketError> {
        let next = self.transition(TicketEvent::Reopen)?;
        let closed_at = window.closes_at(resolved_at);
        if now > closed_at {
            return Err(TicketError::ReopenWindowPassed { closed_at });
        }
        Ok(next)
    }

    /// The events the table allows from this status, in [`TicketEvent::ALL`] order (for the
    /// buttons a page shows).
    pub fn events(self) -> Vec<TicketEvent> {
        TicketEvent::ALL
            .iter()
            .copied()
            .filter(|e| self.transition(*e).is_ok())
            .collect()
    }

    /// Waiting for someone or something: `waiting_merchant`, `waiting_quote`, `waiting_parts`,
    /// `in_transit`. Only these may pause an SLA clock.
    pub fn is_waiting(self) -> bool {
        matches!(
            self,
            TicketStatus::WaitingMerchant
                | TicketStatus::WaitingQuote
                | TicketStatus::WaitingParts
                | TicketStatus::InTransit
        )
    }

    /// `open` or waiting: triaged and not yet resolved.
    pub fn is_workable(self) -> bool {
        self == TicketStatus::Open || self.is_waiting()
    }

    /// Not resolved, closed or merged: SLA clocks may run (`new`, `open`, any waiting status).
    pub fn is_active(self) -> bool {
        self == TicketStatus::New || self.is_workable()
    }

    /// `resolved`, `closed` or `merged`: every SLA clock stops.
    pub fn stops_clocks(self) -> bool {
        !self.is_active()
    }

    /// No event leaves this status (`closed`, `merged`).
    pub fn is_final(self) -> bool {
        matches!(self, TicketStatus::Closed | TicketStatus::Merged)
    }

    /// Whether another ticket may be merged into a ticket in this status (the target must not
    /// be resolved, closed or merged). The source's own move is [`TicketEvent::Merge`].
    pub fn accepts_merge(self) -> bool {
        self.is_active()
    }
}

/// How long after resolution the merchant may reopen a ticket, in whole days of 24 hours
/// (wall clock, not working days: the merchant's own shop days decide when they notice).
/// Once it has passed, a resolved ticket is closed by the auto-close job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ReopenWindow(i64);

impl ReopenWindow {
    /// The shipped default: 7 days.
    pub const DEFAULT_DAYS: i64 = 7;
    /// The longest window accepted: 90 days.
    pub const MAX_DAYS: i64 = 90;

    /// A window of `days` (0 = no reopening; `range` on `field` outside 0–90).
    pub fn days(field: &str, days: i64) -> Result<Self, FieldError> {
        if !(0..=Self::MAX_DAYS).contains(&days) {
            return Err(FieldError::new(
                field,
                Rule::Range {
                    min: 0,
                    max: Self::MAX_DAYS,
                },
            ));
        }
        Ok(Self(days))
    }

    /// The window's length in days.
    pub fn in_days(self) -> i64 {
        self.0
    }

    /// The last instant a ticket resolved at `resolved_at` may be reopened (and the instant
    /// the auto-close job may close it after).
    pub fn closes_at(self, resolved_at: Timestamp) -> Timestamp {
        resolved_at.plus_secs(self.0 * 86_400)
    }
}

impl Default for ReopenWindow {
    fn default() -> Self {
        Self(Self::DEFAULT_DAYS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketEvent as E;
    use TicketStatus as S;

    /// The table of the documentation, written out pair by pair.
    fn expected(s: S, e: E) -> Option<S> {
        let waiting = [
            S::WaitingMerchant,
            S::WaitingQuote,
            S::WaitingParts,
            S::InTransit,
        ];
        let wait_to = |e| match e {
            E::WaitMerchant => Some(S::WaitingMerchant),
            E::WaitQuote => Some(S::WaitingQuote),
            E::WaitParts => Some(S::WaitingParts),
            E::AwaitDevice => Some(S::InTransit),
            _ => None,
        };
        match (s, e) {
            (S::New, E::Triage) => Some(S::Open),
            (S::Open, e) if wait_to(e).is_some() => wait_to(e),
            (s, e) if waiting.contains(&s) && wait_to(e).is_some() && wait_to(e) != Some(s) => {
                wait_to(e)
            }
            (s, E::Resume) if waiting.contains(&s) => Some(S::Open),
            (S::Open, E::Resolve) => Some(S::Resolved),
            (s, E::Resolve) if waiting.contains(&s) => Some(S::Resolved),
            (S::Resolved, E::Reopen) => Some(S::Open),
            (S::Resolved, E::Close) => Some(S::Closed),
            (S::New | S::Open, E::Merge) => Some(S::Merged),
            (s, E::Merge) if waiting.contains(&s) => Some(S::Merged),
            _ => None,
        }
    }

    #[test]
    fn every_status_event_pair() {
        let mut legal = 0;
        for s in TicketStatus::ALL {
            for e in TicketEvent::ALL {
                let got = s.transition(*e);
                assert_eq!(got.clone().ok(), expected(*s, *e), "{s} {e}");
                if let Err(err) = got {
                    assert_eq!(err.from, s.code());
                    assert_eq!(err.event, e.code());
                } else {
                    legal += 1;
                }
            }
        }
        // triage 1 + waits (open 4 + 4 waiting × 3) + resume 4 + resolve 5 + reopen 1 +
        // close 1 + merge 6.
        assert_eq!(legal, 1 + 16 + 4 + 5 + 1 + 1 + 6);
        for s in [S::Closed, S::Merged] {
            assert!(s.is_final());
            assert!(s.events().is_empty(), "{s} is final");
        }
        assert_eq!(S::Resolved.events(), vec![E::Reopen, E::Close]);
        assert_eq!(S::New.events(), vec![E::Triage, E::Merge]);
    }

    #[test]
    fn predicates() {
        for s in TicketStatus::ALL {
            assert_eq!(s.is_active(), !s.stops_clocks());
            assert_eq!(s.accepts_merge(), s.is_active());
            if s.is_waiting() {
                assert!(s.is_workable() && s.is_active());
            }
        }
        assert!(!S::New.is_workable());
        assert!(S::Resolved.stops_clocks());
    }

    #[test]
    fn codes_equal_serde_names() {
        for s in TicketStatus::ALL {
            assert_eq!(serde_json::to_string(s).expect("json"), format!("\"{s}\""));
            assert_eq!(TicketStatus::from_code(s.code()), Some(*s));
        }
        for e in TicketEvent::ALL {
            assert_eq!(serde_json::to_string(e).expect("json"), format!("\"{e}\""));
        }
    }

    #[test]
    fn reopen_only_within_the_window() {
        let resolved = Timestamp::from_millis(1_760_000_000_000);
        let w = ReopenWindow::default();
        assert_eq!(w.in_days(), 7);
        let last = resolved.plus_secs(7 * 86_400);
        assert_eq!(w.closes_at(resolved), last);
        assert_eq!(S::Resolved.reopen(resolved, last, w), Ok(S::Open));
        assert_eq!(
            S::Resolved.reopen(resolved, Timestamp::from_millis(last.millis() + 1), w),
            Err(TicketError::ReopenWindowPassed { closed_at: last })
        );
        // The table is checked first: a closed ticket is illegal, not "too late".
        assert!(matches!(
            S::Closed.reopen(resolved, resolved, w),
            Err(TicketError::Illegal(_))
        ));
        let none = ReopenWindow::days("reopen_days", 0).expect("zero");
        assert_eq!(S::Resolved.reopen(resolved, resolved, none), Ok(S::Open));
        assert!(
            S::Resolved
                .reopen(resolved, resolved.plus_secs(1), none)
                .is_err()
        );
        assert_eq!(
            ReopenWindow::days("reopen_days", -1).expect_err("neg"),
            FieldError::new("reopen_days", Rule::Range { min: 0, max: 90 })
        );
        assert!(ReopenWindow::days("reopen_days", 91).is_err());
    }
}
