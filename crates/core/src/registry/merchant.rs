//! Merchants (商户): kind, risk level, status machine, and who may see an owner's full ID number.

use serde::{Deserialize, Serialize};

use super::identifiers::{DivisionCode, Mid, OwnerIdOrUscc};
use super::illegal;
use crate::authz::{Principal, Role};
use crate::ids::{MerchantId, TenantId};
use crate::lifecycle::IllegalTransition;
use crate::{FieldError, Rule};

/// What kind of business a merchant is; decides how it is identified and which onboarding
/// documents it needs ([`super::required_documents`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MerchantKind {
    /// 企业: a company with a business licence and a USCC.
    Company,
    /// 个体工商户: an individual business, identified by its USCC or by its owner's ID.
    Individual,
    /// 小微商户: a micro merchant without a business licence, identified by its owner's ID.
    Micro,
}
codes!(MerchantKind {
    Company => "company",
    Individual => "individual",
    Micro => "micro",
});

impl MerchantKind {
    /// Whether a merchant of this kind may be identified by `identity`: a company only by a
    /// USCC, a micro merchant only by its owner's resident ID, an individual business by either.
    pub fn admits(self, identity: &OwnerIdOrUscc) -> bool {
        match (self, identity) {
            (MerchantKind::Company, OwnerIdOrUscc::Uscc(_)) => true,
            (MerchantKind::Company, OwnerIdOrUscc::ResidentId(_)) => false,
            (MerchantKind::Individual, _) => true,
            (MerchantKind::Micro, OwnerIdOrUscc::ResidentId(_)) => true,
            (MerchantKind::Micro, OwnerIdOrUscc::Uscc(_)) => false,
        }
    }
}

/// A merchant's risk level (风险等级), set by risk officers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// 低.
    Low,
    /// 中.
    Medium,
    /// 高.
    High,
}
codes!(RiskLevel {
    Low => "low",
    Medium => "medium",
    High => "high",
});

/// A merchant's status.
///
/// | from | event | to | meaning |
/// |---|---|---|---|
/// | `pending` | `activate` | `active` | onboarding complete (application `active`) |
/// | `pending` | `close` | `closed` | onboarding withdrawn or abandoned |
/// | `active` | `suspend` | `suspended` | service suspended |
/// | `suspended` | `reinstate` | `active` | suspension lifted |
/// | `active`, `suspended` | `close` | `closed` | merchant agreement ended |
///
/// `closed` is final: the record is archived, not deleted (merchant files are kept at least
/// 5 years after the agreement ends). Every other pair is an [`IllegalTransition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MerchantStatus {
    /// 待入网: onboarding in progress.
    Pending,
    /// 正常: in service.
    Active,
    /// 已暂停.
    Suspended,
    /// 已解约.
    Closed,
}
codes!(MerchantStatus {
    Pending => "pending",
    Active => "active",
    Suspended => "suspended",
    Closed => "closed",
});

/// What can happen to a merchant; see [`MerchantStatus`] for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MerchantEvent {
    /// Onboarding complete.
    Activate,
    /// Suspend service.
    Suspend,
    /// Lift a suspension.
    Reinstate,
    /// End the relationship.
    Close,
}
codes!(MerchantEvent {
    Activate => "activate",
    Suspend => "suspend",
    Reinstate => "reinstate",
    Close => "close",
});

impl MerchantStatus {
    /// The status after `event`, if the table allows it.
    pub fn transition(self, event: MerchantEvent) -> Result<Self, IllegalTransition> {
        use MerchantEvent as E;
        use MerchantStatus as S;
        match (self, event) {
            (S::Pending, E::Activate) => Ok(S::Active),
            (S::Active, E::Suspend) => Ok(S::Suspended),
            (S::Suspended, E::Reinstate) => Ok(S::Active),
            (S::Pending | S::Active | S::Suspended, E::Close) => Ok(S::Closed),
            (from, e) => Err(illegal(from.code(), e.code())),
        }
    }
}

/// The masking policy for an individual merchant owner's resident ID: which roles see it in
/// full. Everyone else sees [`super::ResidentId::masked`].
///
/// | role | full ID | why |
/// |---|---|---|
/// | provider admin | yes | owns the merchant records |
/// | risk officer | yes | identity checks in suspension cases and appeals |
/// | auditor | yes | reads everything, changes nothing |
/// | merchant user | yes | it is their own (their scope covers only their own merchant) |
/// | platform admin, agent, technician, supervisor, complaints officer, terminal agent | no | masked is enough for their work |
///
/// This is the role half of the decision; [`shows_full_id`] adds the record's ownership.
pub fn can_see_full_id(role: Role) -> bool {
    match role {
        Role::ProviderAdmin | Role::RiskOfficer | Role::Auditor | Role::MerchantUser => true,
        Role::PlatformAdmin
        | Role::Agent
        | Role::Technician
        | Role::Supervisor
        | Role::ComplaintsOfficer
        | Role::TerminalAgent => false,
    }
}

/// Whether `principal` sees the full ID of merchant `merchant` of provider `tenant`: its role
/// is allowed ([`can_see_full_id`]), it belongs to that provider, and a merchant user is bound
/// to that very merchant.
pub fn shows_full_id(principal: &Principal, tenant: TenantId, merchant: MerchantId) -> bool {
    can_see_full_id(principal.role())
        && principal.tenant() == Some(tenant)
        && (principal.role() != Role::MerchantUser || principal.merchant() == Some(merchant))
}

/// The merchant identity as `role` may see it ([`OwnerIdOrUscc::shown`] under
/// [`can_see_full_id`]).
pub fn identity_for(role: Role, identity: &OwnerIdOrUscc) -> String {
    identity.shown(can_see_full_id(role))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::registry::identifiers::{ResidentId, Uscc};
    use uuid::Uuid;

    #[test]
    fn merchant_transitions_exhaustive() {
        use MerchantEvent as E;
        use MerchantStatus as S;
        let table = [
            (S::Pending, E::Activate, S::Active),
            (S::Pending, E::Close, S::Closed),
            (S::Active, E::Suspend, S::Suspended),
            (S::Suspended, E::Reinstate, S::Active),
            (S::Active, E::Close, S::Closed),
            (S::Suspended, E::Close, S::Closed),
        ];
        for s in S::ALL {
            for e in E::ALL {
                let want = table
                    .iter()
                    .find(|(f, ev, _)| f == s && ev == e)
                    .map(|t| t.2);
                assert_eq!(s.transition(*e).ok(), want, "{s:?} {e:?}");
            }
        }
        for e in E::ALL {
            assert!(S::Closed.transition(*e).is_err(), "closed is final: {e:?}");
        }
    }

    #[test]
    fn codes_match_serde() {
        fn check<T: Serialize + std::fmt::Display>(values: &[T]) {
            for v in values {
                assert_eq!(serde_json::to_string(v).expect("json"), format!("\"{v}\""));
            }
        }
        check(MerchantStatus::ALL);
        check(MerchantEvent::ALL);
        check(MerchantKind::ALL);
        check(RiskLevel::ALL);
        assert!(RiskLevel::Low < RiskLevel::High);
        assert_eq!(RiskLevel::parse("risk", "medium"), Ok(RiskLevel::Medium));
        assert_eq!(
            RiskLevel::parse("risk", "extreme")
                .expect_err("unknown")
                .rule,
            crate::Rule::OneOf {
                allowed: vec!["low", "medium", "high"]
            }
        );
    }

    fn owner_id() -> OwnerIdOrUscc {
        OwnerIdOrUscc::ResidentId(ResidentId::parse("id", "11010519491231002X").expect("id"))
    }

    #[test]
    fn kinds_admit_identities() {
        let uscc = OwnerIdOrUscc::Uscc(Uscc::parse("uscc", "91110000600037341L").expect("uscc"));
        let id = owner_id();
        assert!(MerchantKind::Company.admits(&uscc));
        assert!(!MerchantKind::Company.admits(&id));
        assert!(MerchantKind::Individual.admits(&uscc));
        assert!(MerchantKind::Individual.admits(&id));
        assert!(MerchantKind::Micro.admits(&id));
        assert!(!MerchantKind::Micro.admits(&uscc));
    }

    #[test]
    fn full_id_policy_per_role() {
        let full: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| can_see_full_id(*r))
            .collect();
        assert_eq!(
            full,
            [
                Role::ProviderAdmin,
                Role::RiskOfficer,
                Role::Auditor,
                Role::MerchantUser
            ]
        );
        assert_eq!(identity_for(Role::Agent, &owner_id()), "110***********002X");
        assert_eq!(
            identity_for(Role::Technician, &owner_id()),
            "110***********002X"
        );
        assert_eq!(
            identity_for(Role::RiskOfficer, &owner_id()),
            "11010519491231002X"
        );
    }

    #[test]
    fn full_id_needs_ownership_too() {
        let t = |n| TenantId::from_uuid(Uuid::from_u128(n));
        let m = |n| MerchantId::from_uuid(Uuid::from_u128(n));
        let user = UserId::from_uuid(Uuid::from_u128(1));
        let own = Principal::new(user, Role::MerchantUser, Some(t(1)), Some(m(7)), None)
            .expect("merchant user");
        assert!(shows_full_id(&own, t(1), m(7)));
        assert!(!shows_full_id(&own, t(1), m(8)));
        assert!(!shows_full_id(&own, t(2), m(7)));
        let admin =
            Principal::new(user, Role::ProviderAdmin, Some(t(1)), None, None).expect("admin");
        assert!(shows_full_id(&admin, t(1), m(7)));
        assert!(!shows_full_id(&admin, t(2), m(7)));
        let agent = Principal::new(user, Role::Agent, Some(t(1)), None, None).expect("agent");
        assert!(!shows_full_id(&agent, t(1), m(7)));
        let platform =
            Principal::new(user, Role::PlatformAdmin, None, None, None).expect("platform");
        assert!(!shows_full_id(&platform, t(1), m(7)));
    }
}

/// A merchant's identity from the form: a company by its USCC, a micro merchant by the
/// owner's resident ID, an individual merchant by either (the USCC when both are given).
pub fn parse_identity(
    kind: MerchantKind,
    uscc: Option<&str>,
    owner_id: Option<&str>,
) -> Result<OwnerIdOrUscc, FieldError> {
    fn given(o: Option<&str>) -> Option<&str> {
        o.filter(|s| !s.trim().is_empty())
    }
    let identity = match (kind, given(uscc), given(owner_id)) {
        (MerchantKind::Micro, _, Some(o)) | (MerchantKind::Individual, None, Some(o)) => {
            OwnerIdOrUscc::ResidentId(super::identifiers::ResidentId::parse("owner_id", o)?)
        }
        (MerchantKind::Micro, _, None) => {
            return Err(FieldError::new("owner_id", Rule::Required));
        }
        (_, Some(u), _) => OwnerIdOrUscc::Uscc(super::identifiers::Uscc::parse("uscc", u)?),
        (_, None, _) => return Err(FieldError::new("uscc", Rule::Required)),
    };
    debug_assert!(kind.admits(&identity));
    Ok(identity)
}

/// Most characters of a merchant's name.
pub const NAME_MAX: usize = 100;
/// Most characters of a merchant's address.
pub const ADDRESS_MAX: usize = 200;

/// A merchant's registry fields as entered (JSON body, web form, import row), before checking.
/// Blank optional fields count as not given.
#[derive(Debug, Clone, Copy, Default)]
pub struct MerchantInput<'a> {
    pub name: &'a str,
    pub mid: &'a str,
    pub kind: &'a str,
    pub uscc: Option<&'a str>,
    pub owner_id: Option<&'a str>,
    pub address: Option<&'a str>,
    pub division_code: Option<&'a str>,
    /// Not given: `low`.
    pub risk_level: Option<&'a str>,
}

/// A merchant's checked registry fields: the one validation behind registering, editing and
/// importing merchants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantFields {
    pub name: String,
    pub mid: Mid,
    pub kind: MerchantKind,
    pub identity: OwnerIdOrUscc,
    pub address: Option<String>,
    pub division: Option<DivisionCode>,
    pub risk_level: RiskLevel,
}

impl MerchantFields {
    /// Checks every field, in the order a form shows them: `name` (1–100 characters), `mid`
    /// (15 digits), `kind`, the identity the kind admits ([`parse_identity`]: `uscc` or
    /// `owner_id`), `address` (≤ 200), `division_code`, `risk_level`.
    pub fn parse(i: &MerchantInput<'_>) -> Result<Self, FieldError> {
        fn given(o: Option<&str>) -> Option<&str> {
            o.map(str::trim).filter(|s| !s.is_empty())
        }
        let name = super::bounded_text("name", i.name, 1, NAME_MAX)?;
        let mid = Mid::parse("mid", i.mid)?;
        let kind = MerchantKind::parse("kind", i.kind)?;
        let identity = parse_identity(kind, i.uscc, i.owner_id)?;
        let address = given(i.address)
            .map(|a| super::bounded_text("address", a, 1, ADDRESS_MAX))
            .transpose()?;
        let division = given(i.division_code)
            .map(|d| DivisionCode::parse("division_code", d))
            .transpose()?;
        let risk_level = match given(i.risk_level) {
            Some(r) => RiskLevel::parse("risk_level", r)?,
            None => RiskLevel::Low,
        };
        Ok(Self {
            name,
            mid,
            kind,
            identity,
            address,
            division,
            risk_level,
        })
    }

    /// `uscc` or `resident_id`, and the full number (for storage only: it leaves the service
    /// layer masked unless [`shows_full_id`] allows).
    pub fn identity_parts(&self) -> (&'static str, &str) {
        let number = match &self.identity {
            OwnerIdOrUscc::Uscc(u) => u.as_str(),
            OwnerIdOrUscc::ResidentId(r) => r.expose(),
        };
        (self.identity.kind_code(), number)
    }
}

#[cfg(test)]
mod fields_tests {
    use super::*;

    fn base() -> MerchantInput<'static> {
        MerchantInput {
            name: " 西湖茶社 ",
            mid: "102330154110001",
            kind: "company",
            uscc: Some("91110000600037341L"),
            ..MerchantInput::default()
        }
    }

    #[test]
    fn fields_checked_in_form_order() {
        let f = MerchantFields::parse(&base()).unwrap();
        assert_eq!(f.name, "西湖茶社");
        assert_eq!(f.risk_level, RiskLevel::Low);
        assert_eq!(f.identity_parts(), ("uscc", "91110000600037341L"));
        let micro = MerchantFields::parse(&MerchantInput {
            kind: "micro",
            owner_id: Some("11010519491231002X"),
            risk_level: Some("high"),
            division_code: Some("330106"),
            address: Some("文三路 90 号"),
            ..base()
        })
        .unwrap();
        assert_eq!(
            micro.identity_parts(),
            ("resident_id", "11010519491231002X")
        );
        assert_eq!(
            micro.division.map(|d| d.as_str().to_owned()).as_deref(),
            Some("330106")
        );
        let field = |i: MerchantInput<'_>| MerchantFields::parse(&i).unwrap_err().field;
        assert_eq!(
            field(MerchantInput {
                name: " ",
                ..base()
            }),
            "name"
        );
        let long = "商".repeat(101);
        assert_eq!(
            field(MerchantInput {
                name: &long,
                ..base()
            }),
            "name"
        );
        assert_eq!(
            field(MerchantInput {
                mid: "1023301541100",
                ..base()
            }),
            "mid"
        );
        assert_eq!(
            field(MerchantInput {
                kind: "shop",
                ..base()
            }),
            "kind"
        );
        assert_eq!(
            field(MerchantInput {
                kind: "micro",
                ..base()
            }),
            "owner_id"
        );
        assert_eq!(
            field(MerchantInput {
                uscc: Some("91110000600037341A"),
                ..base()
            }),
            "uscc"
        );
        let addr = "路".repeat(201);
        assert_eq!(
            field(MerchantInput {
                address: Some(&addr),
                ..base()
            }),
            "address"
        );
        assert_eq!(
            field(MerchantInput {
                division_code: Some("99"),
                ..base()
            }),
            "division_code"
        );
        assert_eq!(
            field(MerchantInput {
                risk_level: Some("extreme"),
                ..base()
            }),
            "risk_level"
        );
    }
}

#[cfg(test)]
mod identity_tests {
    use super::*;

    #[test]
    fn identity_per_kind() {
        let u = Some("91110000600037341L");
        let id = Some("11010519491231002X");
        assert!(matches!(
            parse_identity(MerchantKind::Company, u, None),
            Ok(OwnerIdOrUscc::Uscc(_))
        ));
        assert_eq!(
            parse_identity(MerchantKind::Company, None, id)
                .unwrap_err()
                .field,
            "uscc"
        );
        assert!(matches!(
            parse_identity(MerchantKind::Micro, u, id),
            Ok(OwnerIdOrUscc::ResidentId(_))
        ));
        assert_eq!(
            parse_identity(MerchantKind::Micro, u, None)
                .unwrap_err()
                .field,
            "owner_id"
        );
        assert!(matches!(
            parse_identity(MerchantKind::Individual, None, id),
            Ok(OwnerIdOrUscc::ResidentId(_))
        ));
        assert!(matches!(
            parse_identity(MerchantKind::Individual, u, id),
            Ok(OwnerIdOrUscc::Uscc(_))
        ));
        assert_eq!(
            parse_identity(MerchantKind::Company, Some("91110000600037341A"), None)
                .unwrap_err()
                .field,
            "uscc"
        );
    }
}
