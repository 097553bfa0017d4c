//! State machines for the foundation's records. Each is an enum with a `transition` that only
//! allows the legal moves; storage persists what these decide.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event} when {from}")]
pub struct IllegalTransition {
    pub from: &'static str,
    pub event: &'static str,
}

macro_rules! codes {
    ($ty:ident { $($v:ident => $c:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$v),*];
            pub fn code(self) -> &'static str {
                match self { $($ty::$v => $c),* }
            }
            pub fn from_code(s: &str) -> Option<Self> {
                match s { $($c => Some($ty::$v),)* _ => None }
            }
        }
    };
}

/// A user account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Disabled,
}
codes!(AccountStatus { Active => "active", Disabled => "disabled" });

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountEvent {
    Disable,
    Enable,
}

impl AccountStatus {
    pub fn transition(self, e: AccountEvent) -> Result<Self, IllegalTransition> {
        match (self, e) {
            (AccountStatus::Active, AccountEvent::Disable) => Ok(AccountStatus::Disabled),
            (AccountStatus::Disabled, AccountEvent::Enable) => Ok(AccountStatus::Active),
            (from, e) => Err(IllegalTransition {
                from: from.code(),
                event: match e {
                    AccountEvent::Disable => "disable",
                    AccountEvent::Enable => "enable",
                },
            }),
        }
    }
}

/// A provider announcement (服务公告): drafted, published to its audience, then archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementStatus {
    Draft,
    Published,
    Archived,
}
codes!(AnnouncementStatus { Draft => "draft", Published => "published", Archived => "archived" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementEvent {
    Publish,
    Archive,
}

impl AnnouncementStatus {
    pub fn transition(self, e: AnnouncementEvent) -> Result<Self, IllegalTransition> {
        use AnnouncementStatus::*;
        match (self, e) {
            (Draft, AnnouncementEvent::Publish) => Ok(Published),
            (Draft | Published, AnnouncementEvent::Archive) => Ok(Archived),
            (from, e) => Err(IllegalTransition {
                from: from.code(),
                event: match e {
                    AnnouncementEvent::Publish => "publish",
                    AnnouncementEvent::Archive => "archive",
                },
            }),
        }
    }
    /// Content may be edited only before it is archived.
    pub fn editable(self) -> bool {
        self != AnnouncementStatus::Archived
    }
}

/// Who an announcement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Staff,
    Merchants,
}
codes!(Audience { Staff => "staff", Merchants => "merchants" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_transitions_exhaustive() {
        for s in AccountStatus::ALL {
            for e in [AccountEvent::Disable, AccountEvent::Enable] {
                let r = s.transition(e);
                let legal = matches!(
                    (s, e),
                    (AccountStatus::Active, AccountEvent::Disable)
                        | (AccountStatus::Disabled, AccountEvent::Enable)
                );
                assert_eq!(r.is_ok(), legal, "{s:?} {e:?}");
            }
        }
    }

    #[test]
    fn announcement_transitions_exhaustive() {
        use AnnouncementStatus::*;
        let expect = |s, e| match (s, e) {
            (Draft, AnnouncementEvent::Publish) => Some(Published),
            (Draft | Published, AnnouncementEvent::Archive) => Some(Archived),
            _ => None,
        };
        for s in AnnouncementStatus::ALL {
            for e in [AnnouncementEvent::Publish, AnnouncementEvent::Archive] {
                assert_eq!(s.transition(e).ok(), expect(*s, e), "{s:?} {e:?}");
            }
        }
        assert!(!Archived.editable());
        assert_eq!(AnnouncementStatus::from_code("published"), Some(Published));
        assert_eq!(AnnouncementStatus::from_code("nope"), None);
    }
}
