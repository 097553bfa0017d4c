//! Merge and split (合并 / 拆分). A merge closes a duplicate into the ticket that carries on;
//! a split starts a new ticket for a second problem found in one report. Both stay linked, so
//! either side shows the other.

use serde::Serialize;

use super::status::TicketStatus;
use crate::ids::{MerchantId, TicketId};

/// How two tickets are linked, read from the side that holds the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// This (the duplicate) was merged into the other.
    MergedInto,
    /// This was split off the other.
    SplitFrom,
}

impl LinkKind {
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::MergedInto => "merged_into",
            LinkKind::SplitFrom => "split_from",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "merged_into" => Some(LinkKind::MergedInto),
            "split_from" => Some(LinkKind::SplitFrom),
            _ => None,
        }
    }
}

/// What a merge or split needs to know of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSide {
    pub id: TicketId,
    pub merchant: MerchantId,
    pub status: TicketStatus,
}

/// Why two tickets cannot be merged, or a ticket not split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("a ticket cannot be merged into itself")]
    SameTicket,
    /// Only one merchant's reports can be one case: merging would show one merchant another's.
    #[error("the tickets belong to different merchants")]
    OtherMerchant,
    #[error("the duplicate is {}: only an active ticket can be merged", .0.code())]
    SourceNotActive(TicketStatus),
    #[error("the ticket to merge into is {}: it must be active", .0.code())]
    TargetNotActive(TicketStatus),
    #[error("the ticket is {}: a closed or merged ticket cannot be split", .0.code())]
    SplitFinal(TicketStatus),
}

/// Whether `source` (the duplicate) may be merged into `target`.
pub fn check_merge(source: LinkSide, target: LinkSide) -> Result<(), LinkError> {
    if source.id == target.id {
        return Err(LinkError::SameTicket);
    }
    if source.merchant != target.merchant {
        return Err(LinkError::OtherMerchant);
    }
    if !source.status.is_active() {
        return Err(LinkError::SourceNotActive(source.status));
    }
    if !target.status.accepts_merge() {
        return Err(LinkError::TargetNotActive(target.status));
    }
    Ok(())
}

/// Whether a new ticket may be split off `source` (any status but closed or merged: a problem
/// found while resolving is still worth its own ticket).
pub fn check_split(source: LinkSide) -> Result<(), LinkError> {
    if source.status.is_final() {
        return Err(LinkError::SplitFinal(source.status));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(n: u128, merchant: u128, status: TicketStatus) -> LinkSide {
        LinkSide {
            id: TicketId::from_uuid(uuid::Uuid::from_u128(n)),
            merchant: MerchantId::from_uuid(uuid::Uuid::from_u128(merchant)),
            status,
        }
    }

    #[test]
    fn merges_only_active_tickets_of_one_merchant() {
        use TicketStatus as S;
        assert_eq!(
            check_merge(side(1, 9, S::Open), side(2, 9, S::WaitingParts)),
            Ok(())
        );
        assert_eq!(
            check_merge(side(1, 9, S::Open), side(1, 9, S::Open)),
            Err(LinkError::SameTicket)
        );
        assert_eq!(
            check_merge(side(1, 9, S::Open), side(2, 8, S::Open)),
            Err(LinkError::OtherMerchant)
        );
        assert_eq!(
            check_merge(side(1, 9, S::Resolved), side(2, 9, S::Open)),
            Err(LinkError::SourceNotActive(S::Resolved))
        );
        assert_eq!(
            check_merge(side(1, 9, S::New), side(2, 9, S::Closed)),
            Err(LinkError::TargetNotActive(S::Closed))
        );
    }

    #[test]
    fn splits_anything_not_final() {
        use TicketStatus as S;
        assert_eq!(check_split(side(1, 9, S::Resolved)), Ok(()));
        assert_eq!(
            check_split(side(1, 9, S::Merged)),
            Err(LinkError::SplitFinal(S::Merged))
        );
        assert_eq!(
            check_split(side(1, 9, S::Closed)),
            Err(LinkError::SplitFinal(S::Closed))
        );
    }
}
