//! Roles, permissions and scopes: the one place where "may this principal do that, and over which
//! records" is decided. Handlers ask `Principal::authorize(Permission)`; the `Scope` it returns is
//! what every storage query takes, so a query cannot run unscoped by accident.

use serde::{Deserialize, Serialize};

use crate::ids::{MerchantId, TenantId, TerminalId, UserId};
use crate::{FieldError, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PlatformAdmin,
    ProviderAdmin,
    Agent,
    Technician,
    Supervisor,
    ComplaintsOfficer,
    RiskOfficer,
    Auditor,
    MerchantUser,
    TerminalAgent,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::PlatformAdmin,
        Role::ProviderAdmin,
        Role::Agent,
        Role::Technician,
        Role::Supervisor,
        Role::ComplaintsOfficer,
        Role::RiskOfficer,
        Role::Auditor,
        Role::MerchantUser,
        Role::TerminalAgent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::ProviderAdmin => "provider_admin",
            Role::Agent => "agent",
            Role::Technician => "technician",
            Role::Supervisor => "supervisor",
            Role::ComplaintsOfficer => "complaints_officer",
            Role::RiskOfficer => "risk_officer",
            Role::Auditor => "auditor",
            Role::MerchantUser => "merchant_user",
            Role::TerminalAgent => "terminal_agent",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    Rule::OneOf {
                        allowed: Role::ALL.iter().map(|r| r.code()).collect(),
                    },
                )
            })
    }

    /// Staff of a provider (everyone bound to a tenant but not to a merchant or terminal).
    pub fn is_provider_staff(self) -> bool {
        !matches!(
            self,
            Role::PlatformAdmin | Role::MerchantUser | Role::TerminalAgent
        )
    }

    /// Roles that may sign in to the web UI (terminal agents are API-only machine identities).
    pub fn can_use_web(self) -> bool {
        self != Role::TerminalAgent
    }

    /// Whether a TOTP second factor may be enrolled (staff only).
    pub fn may_enroll_totp(self) -> bool {
        self == Role::PlatformAdmin || self.is_provider_staff()
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::PlatformAdmin => &[
                SelfRead,
                ProviderRead,
                ProviderCreate,
                UserRead,
                UserManage,
                TokenManage,
                AuditRead,
                HolidayRead,
                HolidayManage,
            ],
            Role::ProviderAdmin => &[
                SelfRead,
                ProviderRead,
                UserRead,
                UserManage,
                TokenManage,
                AuditRead,
                AnnouncementRead,
                AnnouncementWrite,
                MerchantRead,
                TerminalRead,
                WebhookManage,
                HolidayRead,
                CalendarRead,
                CalendarManage,
                ProfileManage,
                ServicePointRead,
                ServicePointManage,
                TerminalImport,
                MerchantImport,
                TerminalManage,
                MerchantManage,
                OnboardingRead,
                OnboardingSubmit,
                OnboardingReview,
                OnboardingInstall,
                TicketRead,
                TicketCreate,
                TicketReply,
                TicketWork,
                SlaManage,
                MailQuarantineRead,
                ComplaintRead,
                ComplaintCreate,
                ComplaintHandle,
                ComplaintApprove,
                ComplaintStats,
                RatingFollowUp,
            ],
            Role::Supervisor => &[
                SelfRead,
                ProviderRead,
                UserRead,
                TokenManage,
                AnnouncementRead,
                AnnouncementWrite,
                MerchantRead,
                TerminalRead,
                HolidayRead,
                CalendarRead,
                ServicePointRead,
                TerminalManage,
                MerchantManage,
                OnboardingRead,
                OnboardingSubmit,
                OnboardingReview,
                OnboardingInstall,
                TicketRead,
                TicketCreate,
                TicketReply,
                TicketWork,
                ComplaintRead,
                ComplaintCreate,
                ComplaintHandle,
                ComplaintApprove,
                ComplaintStats,
                RatingFollowUp,
            ],
            Role::Agent => &[
                SelfRead,
                ProviderRead,
                TokenManage,
                AnnouncementRead,
                MerchantRead,
                TerminalRead,
                HolidayRead,
                CalendarRead,
                ServicePointRead,
                OnboardingRead,
                OnboardingSubmit,
                OnboardingInstall,
                TicketRead,
                TicketCreate,
                TicketReply,
                TicketWork,
                ComplaintRead,
                ComplaintCreate,
            ],
            Role::Technician => &[
                SelfRead,
                ProviderRead,
                TokenManage,
                AnnouncementRead,
                MerchantRead,
                TerminalRead,
                HolidayRead,
                CalendarRead,
                ServicePointRead,
                OnboardingRead,
                OnboardingInstall,
                TicketRead,
                TicketCreate,
                TicketReply,
                TicketWork,
            ],
            Role::RiskOfficer => &[
                SelfRead,
                ProviderRead,
                TokenManage,
                AnnouncementRead,
                MerchantRead,
                TerminalRead,
                HolidayRead,
                CalendarRead,
                ServicePointRead,
                OnboardingRead,
                OnboardingReview,
                TicketRead,
            ],
            Role::ComplaintsOfficer => &[
                SelfRead,
                ProviderRead,
                TokenManage,
                AnnouncementRead,
                MerchantRead,
                TerminalRead,
                HolidayRead,
                CalendarRead,
                ServicePointRead,
                TicketRead,
                ComplaintRead,
                ComplaintCreate,
                ComplaintHandle,
                ComplaintStats,
            ],
            Role::Auditor => &[
                SelfRead,
                ProviderRead,
                UserRead,
                TokenManage,
                AuditRead,
                AnnouncementRead,
                MerchantRead,
                TerminalRead,
                HolidayRead,
                CalendarRead,
                ServicePointRead,
                OnboardingRead,
                TicketRead,
                ComplaintRead,
                ComplaintStats,
            ],
            Role::MerchantUser => &[
                SelfRead,
                ProviderRead,
                AnnouncementRead,
                MerchantRead,
                TerminalRead,
                OnboardingRead,
                OnboardingSubmit,
                TicketRead,
                TicketCreate,
                TicketReply,
                ComplaintRead,
                ComplaintCreate,
                ComplaintRespond,
                TicketRate,
            ],
            Role::TerminalAgent => &[SelfRead],
        }
    }

    pub fn allows(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }

    /// A token issued by a user of role `self` may carry `other` only if it grants nothing more
    /// and keeps the same binding kind (a merchant user's token stays a merchant user's).
    pub fn may_delegate_to(self, other: Role) -> bool {
        if self == other {
            return true;
        }
        if !self.is_provider_staff() || !other.is_provider_staff() {
            return false;
        }
        other.permissions().iter().all(|p| self.allows(*p))
    }
}

/// What can be done. One variant per capability; routes name the permission they need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    SelfRead,
    ProviderRead,
    ProviderCreate,
    UserRead,
    UserManage,
    TokenManage,
    AuditRead,
    AnnouncementRead,
    AnnouncementWrite,
    MerchantRead,
    TerminalRead,
    WebhookManage,
    /// The national holiday arrangements in force (national data, the same for every tenant).
    HolidayRead,
    /// Load a year's national arrangement (platform admin).
    HolidayManage,
    /// The provider's working-day calendar.
    CalendarRead,
    /// Edit the provider's business hours and date overrides, import and export them.
    CalendarManage,
    /// Edit the provider's own profile: licence, hotlines, service hours, warranty, fees, logo.
    ProfileManage,
    /// The provider's service points (服务网点).
    ServicePointRead,
    /// Create and edit service points, their hours, technicians and date overrides.
    ServicePointManage,
    /// Bulk-import terminals into the provider's registry.
    TerminalImport,
    /// Bulk-import merchants into the provider's registry (CSV or XLSX).
    MerchantImport,
    /// Move terminals through their status machine (install, activate, suspend, retire…).
    TerminalManage,
    /// Register merchants and move them through their status machine.
    MerchantManage,
    /// See onboarding applications (入网申请) and their documents.
    OnboardingRead,
    /// Open an application, attach documents, submit, resubmit or withdraw it.
    OnboardingSubmit,
    /// Review an application: approve, or reject with a reason.
    OnboardingReview,
    /// Installation, acceptance test, training, deposit and fees, activation.
    OnboardingInstall,
    /// See tickets (a merchant user: their own merchant's, public messages only).
    TicketRead,
    /// Open a ticket (report a fault, ask a question).
    TicketCreate,
    /// Reply on a ticket publicly, and reopen a resolved one.
    TicketReply,
    /// Work a ticket: status steps, internal notes, assignment, priority.
    TicketWork,
    /// Edit the provider's SLA policies and selection rules.
    SlaManage,
    /// The provider's quarantined inbound e-mail (unparseable, unknown sender, …) and its raw
    /// bytes, which may hold personal data of senders who are not the provider's users.
    MailQuarantineRead,
    /// See complaints (a merchant user: their own merchant's, public entries only).
    ComplaintRead,
    /// Register a complaint (hotline, branch, e-mail, referral; a merchant user in the portal).
    ComplaintCreate,
    /// Handle complaints: acknowledge, notes, contact attempts, extensions, proposals,
    /// decisions, the complainant's answer taken by phone, review, close, links, evidence.
    ComplaintHandle,
    /// Manager's part of complaints: the special-case extension step, the management
    /// dashboard of overdue complaints.
    ComplaintApprove,
    /// Answer a decision on one's own complaint in the portal (accept/reject, satisfaction)
    /// and add evidence to it.
    ComplaintRespond,
    /// Monthly complaint statistics and their CSV/XLSX export.
    ComplaintStats,
    /// Confirm and rate a resolved ticket of one's own merchant (the merchant's voice only:
    /// staff never rate on a merchant's behalf).
    TicketRate,
    /// See low ratings and record their follow-up (supervisors, provider admins).
    RatingFollowUp,
}

/// Who is acting. Built only through `Principal::new`, which enforces the binding invariants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    user_id: UserId,
    role: Role,
    tenant: Option<TenantId>,
    merchant: Option<MerchantId>,
    terminal: Option<TerminalId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    #[error("a platform admin belongs to no provider")]
    PlatformAdminWithTenant,
    #[error("role {0} must belong to a provider")]
    MissingTenant(&'static str),
    #[error("a merchant user must be bound to exactly one merchant")]
    MerchantBinding,
    #[error("a terminal agent must be bound to exactly one terminal")]
    TerminalBinding,
}

impl Principal {
    pub fn new(
        user_id: UserId,
        role: Role,
        tenant: Option<TenantId>,
        merchant: Option<MerchantId>,
        terminal: Option<TerminalId>,
    ) -> Result<Self, BindingError> {
        match role {
            Role::PlatformAdmin if tenant.is_some() => {
                return Err(BindingError::PlatformAdminWithTenant);
            }
            Role::PlatformAdmin => {}
            _ if tenant.is_none() => return Err(BindingError::MissingTenant(role.code())),
            _ => {}
        }
        if (role == Role::MerchantUser) != merchant.is_some() {
            return Err(BindingError::MerchantBinding);
        }
        if (role == Role::TerminalAgent) != terminal.is_some() {
            return Err(BindingError::TerminalBinding);
        }
        Ok(Self {
            user_id,
            role,
            tenant,
            merchant,
            terminal,
        })
    }

    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn tenant(&self) -> Option<TenantId> {
        self.tenant
    }
    pub fn merchant(&self) -> Option<MerchantId> {
        self.merchant
    }
    pub fn terminal(&self) -> Option<TerminalId> {
        self.terminal
    }

    /// The single permission check. The scope it returns bounds every query the caller may run.
    pub fn authorize(&self, permission: Permission) -> Result<Scope, Denied> {
        if !self.role.allows(permission) {
            return Err(Denied {
                role: self.role,
                permission,
            });
        }
        Ok(self.scope())
    }

    fn scope(&self) -> Scope {
        match (self.tenant, self.merchant, self.terminal) {
            (None, _, _) => Scope::Platform,
            (Some(tenant), Some(merchant), _) => Scope::Merchant { tenant, merchant },
            (Some(tenant), None, Some(terminal)) => Scope::Terminal { tenant, terminal },
            (Some(tenant), None, None) => Scope::Tenant(tenant),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role {} lacks permission {permission:?}", role.code())]
pub struct Denied {
    pub role: Role,
    pub permission: Permission,
}

/// The records a query may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The platform operator: providers and their accounts, across tenants.
    Platform,
    /// One provider's staff.
    Tenant(TenantId),
    /// One merchant's portal users.
    Merchant {
        tenant: TenantId,
        merchant: MerchantId,
    },
    /// One terminal's machine identity.
    Terminal {
        tenant: TenantId,
        terminal: TerminalId,
    },
}

impl Scope {
    /// The scope a mutation acts in: a provider's staff on their tenant, a merchant user
    /// (`acting_merchant`) only on their own merchant's records.
    pub fn acting(tenant: TenantId, acting_merchant: Option<MerchantId>) -> Self {
        match acting_merchant {
            Some(merchant) => Scope::Merchant { tenant, merchant },
            None => Scope::Tenant(tenant),
        }
    }
    /// For trusted callers with no principal (CLI administration, background jobs, demo data).
    /// Every use is an explicit, greppable decision.
    pub fn system(tenant: TenantId) -> Self {
        Scope::Tenant(tenant)
    }
    pub fn tenant(&self) -> Option<TenantId> {
        match self {
            Scope::Platform => None,
            Scope::Tenant(t)
            | Scope::Merchant { tenant: t, .. }
            | Scope::Terminal { tenant: t, .. } => Some(*t),
        }
    }
    pub fn merchant(&self) -> Option<MerchantId> {
        match self {
            Scope::Merchant { merchant, .. } => Some(*merchant),
            _ => None,
        }
    }
    /// Whether a record owned by `tenant` (and optionally a merchant) is inside this scope.
    pub fn covers(&self, tenant: TenantId, merchant: Option<MerchantId>) -> bool {
        match self {
            Scope::Platform => true,
            Scope::Tenant(t) => *t == tenant,
            Scope::Merchant {
                tenant: t,
                merchant: m,
            } => *t == tenant && merchant == Some(*m),
            Scope::Terminal { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn uid() -> UserId {
        UserId::from_uuid(Uuid::from_u128(1))
    }
    fn t(n: u128) -> TenantId {
        TenantId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn acting_scope_confines_a_merchant_user() {
        let m = MerchantId::from_uuid(Uuid::from_u128(9));
        assert_eq!(Scope::acting(t(1), None), Scope::Tenant(t(1)));
        let s = Scope::acting(t(1), Some(m));
        assert_eq!(
            s,
            Scope::Merchant {
                tenant: t(1),
                merchant: m
            }
        );
        assert!(s.covers(t(1), Some(m)));
        assert!(!s.covers(t(1), Some(MerchantId::from_uuid(Uuid::from_u128(8)))));
    }

    #[test]
    fn bindings_are_enforced() {
        let m = MerchantId::from_uuid(Uuid::from_u128(9));
        assert!(Principal::new(uid(), Role::PlatformAdmin, None, None, None).is_ok());
        assert_eq!(
            Principal::new(uid(), Role::PlatformAdmin, Some(t(1)), None, None),
            Err(BindingError::PlatformAdminWithTenant)
        );
        assert!(Principal::new(uid(), Role::Agent, None, None, None).is_err());
        assert_eq!(
            Principal::new(uid(), Role::MerchantUser, Some(t(1)), None, None),
            Err(BindingError::MerchantBinding)
        );
        assert_eq!(
            Principal::new(uid(), Role::Agent, Some(t(1)), Some(m), None),
            Err(BindingError::MerchantBinding)
        );
        assert!(Principal::new(uid(), Role::TerminalAgent, Some(t(1)), None, None).is_err());
    }

    #[test]
    fn auditor_changes_nothing_and_terminal_agent_only_reads_itself() {
        for p in Role::Auditor.permissions() {
            assert!(
                !matches!(
                    p,
                    Permission::UserManage
                        | Permission::AnnouncementWrite
                        | Permission::WebhookManage
                        | Permission::ProviderCreate
                ),
                "{p:?}"
            );
        }
        assert_eq!(Role::TerminalAgent.permissions(), &[Permission::SelfRead]);
    }

    #[test]
    fn scope_follows_binding_and_covers_only_own_records() {
        let m = MerchantId::from_uuid(Uuid::from_u128(9));
        let p = Principal::new(uid(), Role::MerchantUser, Some(t(1)), Some(m), None).unwrap();
        let s = p.authorize(Permission::MerchantRead).unwrap();
        assert!(s.covers(t(1), Some(m)));
        assert!(!s.covers(t(1), Some(MerchantId::from_uuid(Uuid::from_u128(8)))));
        assert!(!s.covers(t(2), Some(m)));
        assert!(p.authorize(Permission::UserManage).is_err());
        let staff = Principal::new(uid(), Role::Agent, Some(t(1)), None, None).unwrap();
        assert!(
            staff
                .authorize(Permission::MerchantRead)
                .unwrap()
                .covers(t(1), Some(m))
        );
        assert!(
            !staff
                .authorize(Permission::MerchantRead)
                .unwrap()
                .covers(t(2), None)
        );
    }

    #[test]
    fn delegation_never_widens() {
        assert!(Role::ProviderAdmin.may_delegate_to(Role::Auditor));
        assert!(!Role::Auditor.may_delegate_to(Role::ProviderAdmin));
        assert!(!Role::Agent.may_delegate_to(Role::Supervisor));
        assert!(!Role::ProviderAdmin.may_delegate_to(Role::MerchantUser));
        assert!(Role::MerchantUser.may_delegate_to(Role::MerchantUser));
        for a in Role::ALL {
            for b in Role::ALL {
                if a.may_delegate_to(b) {
                    assert!(
                        b.permissions().iter().all(|p| a.allows(*p)),
                        "{a:?} -> {b:?}"
                    );
                }
            }
        }
    }
}
