//! Application services: the one place a request (API or web form) becomes a state change or a
//! scoped read. Each function authorises through `Principal::authorize`, calls storage, and maps
//! nothing else. Handlers stay thin: parse, call one function here, answer.

pub mod account;
pub mod announcements;
pub mod audit;
pub mod bindings;
pub mod calendars;
pub mod complaint_stats;
pub mod complaints;
pub mod directory;
pub mod feedback;
pub mod imports;
pub mod intake;
pub mod mail_imap;
pub mod mail_ingest;
pub mod onboarding;
pub mod profiles;
pub mod providers;
pub mod repair_reports;
pub mod repairs;
pub mod service_points;
pub mod sla_cache;
pub mod ticket_files;
pub mod tickets;
pub mod tokens;
pub mod users;
pub mod webhooks;

use posdesk_core::authz::{Permission, Principal, Scope};
use posdesk_storage::{Actor, IdemTag, Mutation, WriteMeta};

use crate::error::ApiResult;
use crate::state::AppState;

/// Everything a service call needs to know about its request.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub principal: &'a Principal,
    pub request_id: String,
    pub idempotency: Option<IdemTag>,
    /// Recorded as the actor instead of the principal (the operator's console, demo data).
    pub actor_override: Option<Actor>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        state: &'a AppState,
        principal: &'a Principal,
        request_id: impl Into<String>,
    ) -> Self {
        Self {
            state,
            principal,
            request_id: request_id.into(),
            idempotency: None,
            actor_override: None,
        }
    }

    /// The operator at the server's console (`posdesk admin`, `posdesk demo`): platform-wide
    /// scope, recorded in the audit trail as `system:<what>`.
    pub fn operator(state: &'a AppState, principal: &'a Principal, what: &str) -> Self {
        let mut ctx = Self::new(state, principal, format!("cli-{}", new_uuid()));
        ctx.actor_override = Some(Actor::system(what));
        ctx
    }

    pub fn with_idempotency(mut self, tag: Option<IdemTag>) -> Self {
        self.idempotency = tag;
        self
    }

    pub fn authorize(&self, p: Permission) -> ApiResult<Scope> {
        Ok(self.principal.authorize(p)?)
    }

    pub fn actor(&self) -> Actor {
        self.actor_override
            .clone()
            .unwrap_or_else(|| Actor::user(self.principal.user_id(), self.principal.role().code()))
    }

    pub fn meta(&self) -> WriteMeta {
        WriteMeta::new(self.actor(), self.request_id.clone())
            .with_idempotency(self.idempotency.clone())
    }

    pub async fn write<M: Mutation>(&self, meta: WriteMeta, m: M) -> ApiResult<M::Output> {
        let out = self.state.store.write(meta, m).await?;
        Ok(out)
    }
}

/// A fresh time-ordered id.
pub fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// The principal the operator's console acts as: the platform scope, no real account.
pub fn operator_principal() -> Principal {
    Principal::new(
        posdesk_core::ids::UserId::from_uuid(uuid::Uuid::nil()),
        posdesk_core::authz::Role::PlatformAdmin,
        None,
        None,
        None,
    )
    .unwrap_or_else(|_| unreachable!("a platform admin without bindings is valid"))
}
