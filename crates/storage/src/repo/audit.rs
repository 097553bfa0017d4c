//! Reading and verifying the audit trail. Events are written only by the writer (see
//! `writer::append_audit`); the tables refuse UPDATE and DELETE.

use posdesk_core::Timestamp;
use posdesk_core::audit::{ChainBreak, ChainVerifier, PLATFORM_CHAIN, StoredEvent, chain_key};
use posdesk_core::authz::Scope;
use posdesk_core::page::{Cursor, Page, PageRequest};

use crate::{Conn, Error, Result, Row, Value};

const COLS: &str = "chain, seq, at, actor, actor_role, entity_type, entity_id, action, before_json, after_json, \
                    request_id, prev_hash, hash";

fn to_event(r: &Row) -> Result<StoredEvent> {
    Ok(StoredEvent {
        chain: r.text(0)?,
        seq: r.int(1)?,
        at: r.ts(2)?,
        actor: r.text(3)?,
        actor_role: r.text(4)?,
        entity_type: r.text(5)?,
        entity_id: r.text(6)?,
        action: r.text(7)?,
        before: r.opt_text(8)?,
        after: r.opt_text(9)?,
        request_id: r.text(10)?,
        prev_hash: r.text(11)?,
        hash: r.text(12)?,
    })
}

/// The INSERT statements that store `events` (multi-row, in chunks).
pub(crate) fn insert_statements(events: &[StoredEvent]) -> Vec<(String, Vec<Value>)> {
    events
        .chunks(50)
        .map(|chunk| {
            let mut sql = format!("INSERT INTO audit_events ({COLS}) VALUES ");
            let mut params = Vec::with_capacity(chunk.len() * 13);
            for (i, e) in chunk.iter().enumerate() {
                let b = i * 13;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                sql.push_str(
                    &(1..=13)
                        .map(|k| format!("${}", b + k))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
                sql.push(')');
                params.extend([
                    Value::from(e.chain.as_str()),
                    Value::Int(e.seq),
                    Value::from(e.at),
                    Value::from(e.actor.as_str()),
                    Value::from(e.actor_role.as_str()),
                    Value::from(e.entity_type.as_str()),
                    Value::from(e.entity_id.as_str()),
                    Value::from(e.action.as_str()),
                    Value::from(e.before.clone()),
                    Value::from(e.after.clone()),
                    Value::from(e.request_id.as_str()),
                    Value::from(e.prev_hash.as_str()),
                    Value::from(e.hash.as_str()),
                ]);
            }
            (sql, params)
        })
        .collect()
}

/// Filters for the audit browser; all optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// The chain a scope may read: a tenant's own, or the platform's for the platform admin.
fn chain_for(scope: &Scope) -> Result<String> {
    match scope {
        Scope::Platform => Ok(PLATFORM_CHAIN.to_owned()),
        Scope::Tenant(t) => Ok(chain_key(Some(*t))),
        _ => Err(Error::NotFound),
    }
}

/// Newest first; the cursor's `at` carries the sequence number.
pub async fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &Filter,
    page: &PageRequest,
) -> Result<Page<StoredEvent>> {
    let chain = chain_for(scope)?;
    let mut sql = format!("SELECT {COLS} FROM audit_events WHERE chain = $1");
    let mut params = vec![Value::from(chain)];
    let add = |cond: &str, v: Value, params: &mut Vec<Value>, sql: &mut String| {
        params.push(v);
        sql.push_str(&format!(" AND {cond} ${}", params.len()));
    };
    if let Some(v) = &f.entity_type {
        add("entity_type =", v.as_str().into(), &mut params, &mut sql);
    }
    if let Some(v) = &f.entity_id {
        add("entity_id =", v.as_str().into(), &mut params, &mut sql);
    }
    if let Some(v) = &f.actor {
        add("actor =", v.as_str().into(), &mut params, &mut sql);
    }
    if let Some(v) = &f.action {
        add("action =", v.as_str().into(), &mut params, &mut sql);
    }
    if let Some(v) = f.from {
        add("at >=", v.into(), &mut params, &mut sql);
    }
    if let Some(v) = f.to {
        add("at <", v.into(), &mut params, &mut sql);
    }
    if let Some(cur) = &page.after {
        add("seq <", Value::Int(cur.at), &mut params, &mut sql);
    }
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT {}", page.limit + 1));
    let rows = c.query(&sql, &params).await?;
    let events = rows.iter().map(to_event).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(events, page.limit, |e| Cursor {
        at: e.seq,
        id: e.chain.clone(),
    }))
}

/// The result of checking one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub chain: String,
    pub events: i64,
    pub result: std::result::Result<(), ChainBreak>,
}

/// Verifies every chain from genesis: sequence without gaps, links and contents.
pub async fn verify_all(c: &mut dyn Conn) -> Result<Vec<ChainReport>> {
    let chains: Vec<String> = c
        .query(
            "SELECT DISTINCT chain FROM audit_events ORDER BY chain",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    for chain in chains {
        let mut v = ChainVerifier::new(chain.clone());
        let mut last = 0i64;
        let mut result = Ok(());
        'pages: loop {
            let rows = c
                .query(
                    &format!("SELECT {COLS} FROM audit_events WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT 1000"),
                    &[Value::from(chain.as_str()), Value::Int(last)],
                )
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = to_event(r)?;
                last = e.seq;
                if let Err(b) = v.push(&e) {
                    result = Err(b);
                    break 'pages;
                }
            }
        }
        out.push(ChainReport {
            chain,
            events: v.head().0,
            result,
        });
    }
    Ok(out)
}
