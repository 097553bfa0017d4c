//! Identifiers. Every id is a UUID (v7 for time order when minted by callers) kept as its
//! canonical lowercase text, which both backends store as TEXT. Parsing is the only constructor.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use crate::{FieldError, Rule};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an id minted by the caller (the core has no randomness).
            pub const fn from_uuid(u: Uuid) -> Self {
                Self(u)
            }
            pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
                Uuid::try_parse(s)
                    .map(Self)
                    .map_err(|_| FieldError::new(field, Rule::Pattern { expected: "a UUID" }))
            }
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

id_type!(
    /// A provider (服务商): the tenant every record belongs to.
    TenantId
);
id_type!(UserId);
id_type!(MerchantId);
id_type!(TerminalId);
id_type!(TokenId);
id_type!(AnnouncementId);
id_type!(ServicePointId);
id_type!(WebhookId);
id_type!(SessionId);
id_type!(
    /// A merchant's onboarding application (入网申请).
    ApplicationId
);
id_type!(
    /// A document attached to an onboarding application.
    DocumentId
);
id_type!(
    /// A service ticket (工单).
    TicketId
);
id_type!(
    /// A reply or internal note on a ticket.
    MessageId
);
id_type!(
    /// A file attached to a ticket (a row of `ticket_attachments`).
    AttachmentId
);
id_type!(
    /// A complaint (投诉).
    ComplaintId
);
id_type!(
    /// One version of an evidence file of a complaint (a row of `complaint_evidence`).
    EvidenceId
);
id_type!(
    /// A repair order (维修单) under a ticket.
    RepairId
);
id_type!(
    /// A quote of a repair.
    QuoteId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_roundtrips_and_rejects_garbage() {
        let s = "0192f5c0-7a1b-7cc3-9d2e-1234567890ab";
        assert_eq!(UserId::parse("id", s).unwrap().to_string(), s);
        let err = UserId::parse("user_id", "not-a-uuid").unwrap_err();
        assert_eq!(err.field, "user_id");
        assert_eq!(err.rule.code(), "pattern");
    }
}
