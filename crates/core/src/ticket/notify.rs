//! Who hears about what happens to a ticket. Every change a ticket undergoes is an
//! [`Occurrence`]; each one is a webhook event for the provider's systems
//! ([`Occurrence::webhook_event`]) and may call for e-mail notices to the merchant, the assignee
//! or the provider's supervisors ([`Occurrence::notices`]). Storage resolves the audiences to
//! addresses and puts the notices in the outbox inside the changing transaction, so a notice
//! exists if and only if its change committed.

use serde::Serialize;

use super::sla::EscalationAction;
use super::status::TicketStatus;

/// Something that happened to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Occurrence {
    Created,
    /// A public reply, by the merchant or by staff.
    Replied {
        by_merchant: bool,
    },
    /// An internal note (staff only).
    NoteAdded,
    StatusChanged {
        from: TicketStatus,
        to: TicketStatus,
    },
    /// A new assignee (`Some`) or the assignee removed (`None`), or only the team changed.
    Assigned {
        assignee_changed: bool,
        now_assigned: bool,
    },
    PriorityChanged,
    /// An escalation level fired with its action.
    Escalated(EscalationAction),
    /// A clock crossed its deadline.
    Breached,
    /// The merchant was told the fix will be late (reason and new estimate).
    LateNotice,
    /// This ticket was merged into another one (it is the duplicate).
    MergedInto,
    /// Another ticket was merged into this one.
    Absorbed,
    /// A new ticket was split off this one.
    SplitOff,
    /// This ticket was made by splitting another.
    SplitFrom,
}

/// Who a notice goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The merchant's active users with an e-mail address.
    Merchant,
    /// The ticket's assignee.
    Assignee,
    /// The provider's active supervisors.
    Supervisors,
}

/// An e-mail notice: the audience and the message-catalogue template
/// (`email-<template>-subject` / `-body`). The person who caused the change is not told,
/// except by a receipt (`to_actor`): whoever reports a fault by e-mail or in the portal gets
/// its number in writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub audience: Audience,
    pub template: &'static str,
    pub to_actor: bool,
}

const fn notice(audience: Audience, template: &'static str) -> Notice {
    Notice {
        audience,
        template,
        to_actor: false,
    }
}

const fn receipt() -> Notice {
    Notice {
        audience: Audience::Merchant,
        template: "ticket-received",
        to_actor: true,
    }
}

/// Every webhook event name a ticket can emit (what endpoints may subscribe to).
pub const WEBHOOK_EVENTS: &[&str] = &[
    "ticket.created",
    "ticket.replied",
    "ticket.note_added",
    "ticket.status_changed",
    "ticket.assigned",
    "ticket.priority_changed",
    "ticket.escalated",
    "ticket.breached",
    "ticket.late_notice",
    "ticket.merged",
    "ticket.split",
];

impl Occurrence {
    /// The webhook event name (one of [`WEBHOOK_EVENTS`]).
    pub fn webhook_event(&self) -> &'static str {
        match self {
            Occurrence::Created => "ticket.created",
            Occurrence::Replied { .. } => "ticket.replied",
            Occurrence::NoteAdded => "ticket.note_added",
            Occurrence::StatusChanged { .. } => "ticket.status_changed",
            Occurrence::Assigned { .. } => "ticket.assigned",
            Occurrence::PriorityChanged => "ticket.priority_changed",
            Occurrence::Escalated(_) => "ticket.escalated",
            Occurrence::Breached => "ticket.breached",
            Occurrence::LateNotice => "ticket.late_notice",
            Occurrence::MergedInto | Occurrence::Absorbed => "ticket.merged",
            Occurrence::SplitOff | Occurrence::SplitFrom => "ticket.split",
        }
    }

    /// The e-mail notices this occurrence calls for. `has_assignee`: whether the ticket has an
    /// assignee after the change — an escalation that would notify the assignee of an
    /// unassigned ticket notifies the supervisors instead, so a warning never goes nowhere.
    pub fn notices(&self, has_assignee: bool) -> Vec<Notice> {
        use Audience::*;
        let assignee_or_supervisors = if has_assignee { Assignee } else { Supervisors };
        match self {
            Occurrence::Created => vec![receipt()],
            Occurrence::Replied { by_merchant: false } => vec![notice(Merchant, "ticket-replied")],
            Occurrence::Replied { by_merchant: true } if has_assignee => {
                vec![notice(Assignee, "ticket-merchant-replied")]
            }
            Occurrence::StatusChanged { to, .. } if *to == TicketStatus::Resolved => {
                vec![notice(Merchant, "ticket-resolved")]
            }
            Occurrence::StatusChanged { to, .. } if *to == TicketStatus::WaitingMerchant => {
                vec![notice(Merchant, "ticket-waiting-merchant")]
            }
            Occurrence::StatusChanged { from, to }
                if *from == TicketStatus::Resolved && to.is_active() && has_assignee =>
            {
                vec![notice(Assignee, "ticket-reopened")]
            }
            Occurrence::Assigned {
                assignee_changed: true,
                now_assigned: true,
            } => vec![notice(Assignee, "ticket-assigned")],
            Occurrence::Escalated(action) => match action {
                EscalationAction::NotifyAssignee | EscalationAction::RaisePriority => {
                    vec![notice(assignee_or_supervisors, "ticket-escalated")]
                }
                EscalationAction::NotifySupervisor
                | EscalationAction::NotifyManagement
                | EscalationAction::ReassignToTeam { .. } => {
                    vec![notice(Supervisors, "ticket-escalated")]
                }
            },
            Occurrence::LateNotice => vec![notice(Merchant, "ticket-late")],
            Occurrence::MergedInto => vec![notice(Merchant, "ticket-merged")],
            Occurrence::Replied { .. }
            | Occurrence::NoteAdded
            | Occurrence::StatusChanged { .. }
            | Occurrence::Assigned { .. }
            | Occurrence::PriorityChanged
            | Occurrence::Breached
            | Occurrence::Absorbed
            | Occurrence::SplitOff
            // The split-off ticket's own `Created` sends the receipt.
            | Occurrence::SplitFrom => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_names_a_listed_webhook_event() {
        let all = [
            Occurrence::Created,
            Occurrence::Replied { by_merchant: true },
            Occurrence::NoteAdded,
            Occurrence::StatusChanged {
                from: TicketStatus::New,
                to: TicketStatus::Open,
            },
            Occurrence::Assigned {
                assignee_changed: true,
                now_assigned: true,
            },
            Occurrence::PriorityChanged,
            Occurrence::Escalated(EscalationAction::NotifySupervisor),
            Occurrence::Breached,
            Occurrence::LateNotice,
            Occurrence::MergedInto,
            Occurrence::Absorbed,
            Occurrence::SplitOff,
            Occurrence::SplitFrom,
        ];
        for o in &all {
            assert!(WEBHOOK_EVENTS.contains(&o.webhook_event()), "{o:?}");
        }
    }

    #[test]
    fn the_merchant_hears_of_intake_staff_replies_resolution_and_late_fixes_only() {
        let merchant = |o: Occurrence| {
            o.notices(true)
                .iter()
                .filter(|n| n.audience == Audience::Merchant)
                .map(|n| n.template)
                .collect::<Vec<_>>()
        };
        assert_eq!(merchant(Occurrence::Created), ["ticket-received"]);
        assert!(Occurrence::Created.notices(false)[0].to_actor, "a receipt");
        assert!(
            !Occurrence::Replied { by_merchant: false }.notices(false)[0].to_actor,
            "the replier is not told of their own reply"
        );
        assert_eq!(
            merchant(Occurrence::Replied { by_merchant: false }),
            ["ticket-replied"]
        );
        assert!(merchant(Occurrence::Replied { by_merchant: true }).is_empty());
        assert!(
            merchant(Occurrence::NoteAdded).is_empty(),
            "notes are internal"
        );
        assert_eq!(
            merchant(Occurrence::StatusChanged {
                from: TicketStatus::Open,
                to: TicketStatus::Resolved
            }),
            ["ticket-resolved"]
        );
        assert_eq!(merchant(Occurrence::LateNotice), ["ticket-late"]);
        assert!(merchant(Occurrence::Escalated(EscalationAction::NotifySupervisor)).is_empty());
        assert!(merchant(Occurrence::Breached).is_empty());
    }

    #[test]
    fn an_escalation_for_nobody_goes_to_the_supervisors() {
        let n = Occurrence::Escalated(EscalationAction::NotifyAssignee);
        assert_eq!(n.notices(true)[0].audience, Audience::Assignee);
        assert_eq!(n.notices(false)[0].audience, Audience::Supervisors);
        assert!(
            Occurrence::Replied { by_merchant: true }
                .notices(false)
                .is_empty()
        );
    }

    #[test]
    fn a_reopen_tells_the_assignee() {
        let o = Occurrence::StatusChanged {
            from: TicketStatus::Resolved,
            to: TicketStatus::Open,
        };
        assert_eq!(
            o.notices(true),
            [notice(Audience::Assignee, "ticket-reopened")]
        );
    }
}
