//! What a complaint's record holds after intake: its timeline entries (what was said and done,
//! when, by whom — append-only), which of them the complainant and the public tracking page
//! may see, the public view, and the outside routes told to an unsatisfied complainant.

use serde::{Deserialize, Serialize};

use super::model::PhoneLast4;
use super::status::{ComplaintOutcome, ComplaintStatus};
use crate::Timestamp;
use crate::registry::codes;

/// The kind of a timeline entry. Entries are never edited or deleted (storage refuses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Registered, receipt number issued.
    Received,
    /// The handler acknowledged receipt to the complainant.
    Acknowledged,
    /// A handler was assigned.
    Assigned,
    /// An investigation note (internal).
    Note,
    /// A contact attempt: time, channel, outcome (internal).
    ContactAttempt,
    /// The decision deadline was extended, with the reason (told to the complainant).
    Extended,
    /// A proposed resolution (internal until decided).
    Proposal,
    /// The decision, told to the complainant (the decision letter).
    Decided,
    /// The complainant accepted the decision.
    Accepted,
    /// The complainant rejected it.
    Rejected,
    /// The second-level review started.
    ReviewStarted,
    /// Closed, with the outcome.
    Closed,
    /// An evidence file was added (a new version or a new file).
    EvidenceAdded,
    /// Linked to a ticket (or later a repair or suspension case) (internal).
    Linked,
    /// The complainant's satisfaction was recorded.
    Satisfaction,
    /// An escalation level fired (internal).
    Escalated,
}
codes!(EntryKind {
    Received => "received",
    Acknowledged => "acknowledged",
    Assigned => "assigned",
    Note => "note",
    ContactAttempt => "contact_attempt",
    Extended => "extended",
    Proposal => "proposal",
    Decided => "decided",
    Accepted => "accepted",
    Rejected => "rejected",
    ReviewStarted => "review_started",
    Closed => "closed",
    EvidenceAdded => "evidence_added",
    Linked => "linked",
    Satisfaction => "satisfaction",
    Escalated => "escalated",
});

impl EntryKind {
    /// Whether the complainant (portal) and the public tracking page see the entry. Internal
    /// notes, contact attempts, proposals, links, assignments and escalations never leave
    /// the provider.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            EntryKind::Received
                | EntryKind::Acknowledged
                | EntryKind::Extended
                | EntryKind::Decided
                | EntryKind::Accepted
                | EntryKind::Rejected
                | EntryKind::ReviewStarted
                | EntryKind::Closed
        )
    }
}

/// One public step as the tracking page shows it: no names of staff, no internal text. The
/// extension's reason and the decision's summary are what the complainant was told anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicStep {
    pub at: Timestamp,
    pub kind: EntryKind,
    /// For `extended`: the reason; for `decided`: the decision summary; for `closed`: the
    /// outcome code.
    pub text: Option<String>,
    /// For `extended`: the new decision period in days after receipt.
    pub days: Option<i64>,
}

/// What anyone holding the receipt number and the phone's last four digits sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicView {
    pub receipt_no: String,
    pub status: ComplaintStatus,
    pub received_at: Timestamp,
    pub acknowledge_deadline: Option<Timestamp>,
    pub decision_deadline: Option<Timestamp>,
    pub decision_days: i64,
    pub outcome: Option<ComplaintOutcome>,
    pub steps: Vec<PublicStep>,
}

/// Whether a tracking request's digits match the complaint's phone. The service gives the same
/// answer for an unknown receipt and for wrong digits, so receipts cannot be enumerated; when
/// the receipt is unknown it compares against a dummy so the two take the same time.
pub fn tracking_allows(stored: Option<&PhoneLast4>, given: &PhoneLast4) -> bool {
    let dummy = PhoneLast4::parse("x", "0000").ok();
    match stored {
        Some(s) => s.matches(given),
        None => {
            let _ = dummy.is_some_and(|d| d.matches(given));
            false
        }
    }
}

/// An outside route the complainant may take if unsatisfied (seed 003), as printed on every
/// decision letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutsideRoute {
    pub code: &'static str,
    /// zh-CN name.
    pub name: &'static str,
    /// A hotline, where there is one national number.
    pub hotline: Option<&'static str>,
}

/// The outside routes in the order the letter lists them. The acquiring bank's name comes from
/// the provider's profile (printed beside the first route).
pub const OUTSIDE_ROUTES: [OutsideRoute; 7] = [
    OutsideRoute {
        code: "acquiring_bank",
        name: "收单银行",
        hotline: None,
    },
    OutsideRoute {
        code: "unionpay",
        name: "中国银联客服",
        hotline: Some("95516"),
    },
    OutsideRoute {
        code: "pboc",
        name: "中国人民银行金融消费权益保护咨询投诉电话",
        hotline: Some("12363"),
    },
    OutsideRoute {
        code: "market_regulation",
        name: "市场监督管理部门投诉举报电话",
        hotline: Some("12315"),
    },
    OutsideRoute {
        code: "consumer_association",
        name: "消费者协会",
        hotline: None,
    },
    OutsideRoute {
        code: "mediation",
        name: "金融纠纷调解组织申请调解",
        hotline: None,
    },
    OutsideRoute {
        code: "court",
        name: "向人民法院提起诉讼",
        hotline: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_entries_stay_internal() {
        for k in [
            EntryKind::Note,
            EntryKind::ContactAttempt,
            EntryKind::Proposal,
            EntryKind::Linked,
            EntryKind::Assigned,
            EntryKind::Escalated,
        ] {
            assert!(!k.is_public(), "{k:?}");
        }
        assert!(EntryKind::Extended.is_public());
        for k in EntryKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
        }
    }

    #[test]
    fn unknown_receipt_and_wrong_digits_look_the_same() {
        let s = PhoneLast4::parse("x", "5678").unwrap();
        let g = PhoneLast4::parse("x", "5678").unwrap();
        let w = PhoneLast4::parse("x", "5679").unwrap();
        assert!(tracking_allows(Some(&s), &g));
        assert!(!tracking_allows(Some(&s), &w));
        assert!(!tracking_allows(None, &g));
    }

    #[test]
    fn the_letter_names_every_outside_route() {
        let all: Vec<_> = OUTSIDE_ROUTES.iter().filter_map(|r| r.hotline).collect();
        assert_eq!(all, vec!["95516", "12363", "12315"]);
        assert_eq!(OUTSIDE_ROUTES.len(), 7);
    }
}
