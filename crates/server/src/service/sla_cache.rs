//! The per-provider SLA context cache: a provider's working-time calendar and SLA document,
//! assembled once and shared by every ticket computation for a short while (the one cache
//! behind `service::tickets::sla_context`).
//!
//! Correctness across servers is the token cache's rule (`auth::TokenCache`): an entry lives
//! [`SlaCache::TTL`]; a change made through this process (the SLA document, the provider's
//! weekly hours or date overrides, a national holiday year) drops the entries it affects at
//! once, and another server on the same PostgreSQL database sees it within `TTL`.
//!
//! A load that began before an invalidation never stores its (possibly older) result: every
//! invalidation moves a generation counter, and [`SlaCache::put`] stores only when the
//! generation is still the one its [`Load`] began with.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use posdesk_core::ids::TenantId;
use posdesk_storage::repo::tickets::SlaContext;

/// A load in progress: taken before the reads begin.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    generation: u64,
    started: Instant,
}

struct Entry {
    /// When the reads that built it began (the data is at least this fresh).
    loaded_at: Instant,
    ctx: SlaContext,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<TenantId, Entry>,
}

#[derive(Default)]
pub struct SlaCache {
    inner: Mutex<Inner>,
}

impl SlaCache {
    /// How long an entry is used (the bound on what another server's change takes to apply).
    pub const TTL: Duration = Duration::from_secs(1);
    const MAX: usize = 10_000;

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The map holds no invariant a panic could break halfway: keep using it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The tenant's cached context if it is younger than `TTL` and, with `since`, was loaded
    /// from reads that began at or after `since`.
    pub fn get(&self, tenant: TenantId, since: Option<Instant>) -> Option<SlaContext> {
        self.get_at(tenant, since, Instant::now())
    }

    fn get_at(&self, tenant: TenantId, since: Option<Instant>, now: Instant) -> Option<SlaContext> {
        let inner = self.lock();
        let e = inner.entries.get(&tenant)?;
        let fresh = now.saturating_duration_since(e.loaded_at) < Self::TTL
            && since.is_none_or(|s| e.loaded_at >= s);
        fresh.then(|| e.ctx.clone())
    }

    /// Call before reading what a context is built from.
    pub fn begin(&self) -> Load {
        let generation = self.lock().generation;
        Load {
            generation,
            started: Instant::now(),
        }
    }

    /// Stores a context built by `load`, unless something was invalidated since it began.
    pub fn put(&self, tenant: TenantId, load: Load, ctx: SlaContext) {
        let mut inner = self.lock();
        if inner.generation != load.generation {
            return;
        }
        if inner.entries.len() >= Self::MAX {
            let now = Instant::now();
            inner
                .entries
                .retain(|_, e| now.saturating_duration_since(e.loaded_at) < Self::TTL);
        }
        let newer = inner
            .entries
            .get(&tenant)
            .is_some_and(|e| e.loaded_at > load.started);
        if !newer {
            inner.entries.insert(
                tenant,
                Entry {
                    loaded_at: load.started,
                    ctx,
                },
            );
        }
    }

    /// Drops the tenant's context (its SLA document or calendar changed).
    pub fn invalidate(&self, tenant: TenantId) {
        let mut inner = self.lock();
        inner.generation = inner.generation.wrapping_add(1);
        inner.entries.remove(&tenant);
    }

    /// Drops every context (a national holiday year changed).
    pub fn invalidate_all(&self) {
        let mut inner = self.lock();
        inner.generation = inner.generation.wrapping_add(1);
        inner.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use posdesk_core::calendar::Calendar;
    use posdesk_core::ticket::SlaDocument;

    use super::*;

    fn ctx() -> SlaContext {
        SlaContext {
            calendar: Arc::new(Calendar::builder().build()),
            sla: Arc::new(SlaDocument::builtin()),
        }
    }

    fn tenant() -> TenantId {
        TenantId::from_uuid(uuid::Uuid::now_v7())
    }

    #[test]
    fn hit_until_ttl_then_miss() {
        let c = SlaCache::default();
        let t = tenant();
        assert!(c.get(t, None).is_none());
        let load = c.begin();
        c.put(t, load, ctx());
        assert!(c.get(t, None).is_some());
        assert!(c.get(tenant(), None).is_none(), "per tenant");
        let later = load.started + SlaCache::TTL;
        assert!(c.get_at(t, None, later).is_none(), "expired at TTL");
        assert!(
            c.get_at(t, None, later - Duration::from_millis(1))
                .is_some()
        );
    }

    #[test]
    fn since_asks_for_reads_that_began_later() {
        let c = SlaCache::default();
        let t = tenant();
        let load = c.begin();
        c.put(t, load, ctx());
        assert!(c.get(t, Some(load.started)).is_some());
        let after = load.started + Duration::from_millis(1);
        assert!(c.get(t, Some(after)).is_none());
    }

    #[test]
    fn invalidation_drops_and_refuses_loads_begun_before_it() {
        let c = SlaCache::default();
        let (t, other) = (tenant(), tenant());
        c.put(t, c.begin(), ctx());
        c.put(other, c.begin(), ctx());
        // A load begins, the document changes (invalidation), the load ends: not stored.
        let stale = c.begin();
        c.invalidate(t);
        assert!(c.get(t, None).is_none());
        c.put(t, stale, ctx());
        assert!(c.get(t, None).is_none(), "a load begun before the change");
        // A load begun after it is stored.
        c.put(t, c.begin(), ctx());
        assert!(c.get(t, None).is_some());
        c.invalidate_all();
        assert!(c.get(t, None).is_none());
        assert!(c.get(other, None).is_none());
    }

    #[test]
    fn an_older_load_does_not_replace_a_newer_entry() {
        let c = SlaCache::default();
        let t = tenant();
        let older = c.begin();
        std::thread::sleep(Duration::from_millis(2));
        let newer = c.begin();
        c.put(t, newer, ctx());
        c.put(t, older, ctx());
        assert!(c.get(t, Some(newer.started)).is_some());
    }
}
