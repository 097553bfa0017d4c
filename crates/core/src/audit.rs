//! The audit trail's rules: what an event holds and how events chain.
//!
//! Each chain (one per tenant, plus one for platform-level events) is a sequence numbered from 1.
//! An event's hash is SHA-256 over its length-prefixed stored fields and the previous event's
//! hash, so changing, removing or reordering any stored event breaks every hash after it.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Timestamp;
use crate::ids::TenantId;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
pub const PLATFORM_CHAIN: &str = "platform";

/// The chain an event belongs to.
pub fn chain_key(tenant: Option<TenantId>) -> String {
    tenant.map_or_else(|| PLATFORM_CHAIN.to_owned(), |t| t.to_string())
}

/// What a state change reports; the writer adds who, when, the sequence and the hashes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditDraft {
    pub tenant: Option<TenantId>,
    pub entity_type: &'static str,
    pub entity_id: String,
    pub action: &'static str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditDraft {
    pub fn created(
        tenant: Option<TenantId>,
        entity_type: &'static str,
        id: impl ToString,
        after: impl Serialize,
    ) -> Self {
        Self {
            tenant,
            entity_type,
            entity_id: id.to_string(),
            action: "create",
            before: None,
            after: serde_json::to_value(after).ok(),
        }
    }
    pub fn changed(
        tenant: Option<TenantId>,
        entity_type: &'static str,
        id: impl ToString,
        action: &'static str,
        before: impl Serialize,
        after: impl Serialize,
    ) -> Self {
        Self {
            tenant,
            entity_type,
            entity_id: id.to_string(),
            action,
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        }
    }
}

/// An audit event exactly as stored. All fields are the stored text, so verification needs no
/// re-serialisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEvent {
    pub chain: String,
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub actor_role: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredEvent {
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |s: &str| {
            h.update(s.len().to_string().as_bytes());
            h.update(b":");
            h.update(s.as_bytes());
            h.update(b";");
        };
        field(&self.chain);
        field(&self.seq.to_string());
        field(&self.at.millis().to_string());
        field(&self.actor);
        field(&self.actor_role);
        field(&self.entity_type);
        field(&self.entity_id);
        field(&self.action);
        field(self.before.as_deref().unwrap_or("\u{0}null"));
        field(self.after.as_deref().unwrap_or("\u{0}null"));
        field(&self.request_id);
        field(&self.prev_hash);
        hex::encode(h.finalize())
    }

    /// Seals the event: sets `hash` from every other field.
    pub fn seal(mut self) -> Self {
        self.hash = self.compute_hash();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("chain {chain}: expected sequence {expected}, found {found}")]
    Gap {
        chain: String,
        expected: i64,
        found: i64,
    },
    #[error("chain {chain} event {seq}: previous hash does not match the event before it")]
    Link { chain: String, seq: i64 },
    #[error("chain {chain} event {seq}: stored hash does not match its contents")]
    Content { chain: String, seq: i64 },
}

/// Incremental verifier for one chain; feed events in sequence order.
#[derive(Debug)]
pub struct ChainVerifier {
    chain: String,
    next_seq: i64,
    prev_hash: String,
}

impl ChainVerifier {
    pub fn new(chain: impl Into<String>) -> Self {
        Self {
            chain: chain.into(),
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
    pub fn push(&mut self, e: &StoredEvent) -> Result<(), ChainBreak> {
        if e.seq != self.next_seq {
            return Err(ChainBreak::Gap {
                chain: self.chain.clone(),
                expected: self.next_seq,
                found: e.seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Link {
                chain: self.chain.clone(),
                seq: e.seq,
            });
        }
        if e.chain != self.chain || e.compute_hash() != e.hash {
            return Err(ChainBreak::Content {
                chain: self.chain.clone(),
                seq: e.seq,
            });
        }
        self.next_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }
    /// The head after the events pushed so far: (last sequence, last hash).
    pub fn head(&self) -> (i64, &str) {
        (self.next_seq - 1, &self.prev_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: i64, prev: &str) -> StoredEvent {
        StoredEvent {
            chain: "t1".into(),
            seq,
            at: Timestamp::from_millis(1000 * seq),
            actor: "u1".into(),
            actor_role: "agent".into(),
            entity_type: "note".into(),
            entity_id: format!("n{seq}"),
            action: "create".into(),
            before: None,
            after: Some(format!("{{\"n\":{seq}}}")),
            request_id: "r".into(),
            prev_hash: prev.into(),
            hash: String::new(),
        }
        .seal()
    }

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut out: Vec<StoredEvent> = Vec::new();
        for seq in 1..=n {
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
            out.push(ev(seq, &prev));
        }
        out
    }

    fn verify(events: &[StoredEvent]) -> Result<(), ChainBreak> {
        let mut v = ChainVerifier::new("t1");
        events.iter().try_for_each(|e| v.push(e))
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(()));
    }

    #[test]
    fn any_tampering_is_detected() {
        let mut c = chain(5);
        c[2].after = Some("{\"n\":999}".into());
        assert_eq!(
            verify(&c),
            Err(ChainBreak::Content {
                chain: "t1".into(),
                seq: 3
            })
        );

        let mut c = chain(5);
        c.remove(1);
        assert!(matches!(
            verify(&c),
            Err(ChainBreak::Gap {
                expected: 2,
                found: 3,
                ..
            })
        ));

        // Re-sealing a forged event does not help: the next event's link breaks.
        let mut c = chain(5);
        c[1].actor = "intruder".into();
        c[1] = c[1].clone().seal();
        assert_eq!(
            verify(&c),
            Err(ChainBreak::Link {
                chain: "t1".into(),
                seq: 3
            })
        );
    }

    #[test]
    fn none_and_literal_null_text_hash_differently() {
        let a = ev(1, GENESIS_HASH);
        let mut b = a.clone();
        b.before = Some("null".into());
        assert_ne!(a.compute_hash(), b.compute_hash());
    }
}
