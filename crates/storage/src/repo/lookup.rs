//! The intake look-up (hotline and walk-in entry, issue 5): one typed text matched as a prefix
//! of MIDs, TIDs, SNs and merchant phone numbers and as a substring of merchant names, within
//! one provider; and what the intake panel shows about a terminal's recent tickets.
//!
//! Cost, by key:
//! * MID, TID, SN and the primary contact's phone (`contact_phone`): index ranges
//!   (`col >= q AND col < q || U+10FFFF`). SQLite compares text bytewise, so the existing unique
//!   indexes serve; PostgreSQL compares `COLLATE "C"` over the indexes of migration 0014 (a
//!   linguistic collation does not keep a prefix contiguous).
//! * Merchant names (substring) and the other contacts' phones (inside the `contacts` JSON):
//!   one pass over the provider's merchants, stopped at the first matches. A substring has no
//!   b-tree range; the phones ride along in the same pass (a pattern on the JSON text, checked
//!   exactly afterwards).

use std::collections::HashSet;

use posdesk_core::Timestamp;
use posdesk_core::authz::Scope;
use posdesk_core::ids::{MerchantId, TenantId, TerminalId, TicketId};
use posdesk_core::ticket::{Priority, TicketStatus};
use serde::Serialize;

use super::merchants::StoredContact;
use crate::{Conn, Dialect, Error, Result, Row, Value, parse_id, parse_opt_id};

/// The most candidates one look-up returns.
pub const MAX_CANDIDATES: usize = 10;

/// The keys one typed text is looked up by, prepared by the caller (the service parses the
/// text; storage only runs the ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupKeys {
    /// The text trimmed and in ASCII upper case: the MID, TID and SN prefix.
    pub code: String,
    /// The text lower-cased: the name substring.
    pub name: String,
    /// The phone prefixes as stored (`13812`, `010-6234`), if the text reads as the start of a
    /// phone number; first the digits as typed.
    pub phones: Vec<String>,
    /// The text's digits, for checking a contact's phone exactly (`0106234`).
    pub phone_digits: Option<String>,
}

/// Which key matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchField {
    Tid,
    Sn,
    Mid,
    Phone,
    Name,
}

impl MatchField {
    pub fn code(self) -> &'static str {
        match self {
            MatchField::Tid => "tid",
            MatchField::Sn => "sn",
            MatchField::Mid => "mid",
            MatchField::Phone => "phone",
            MatchField::Name => "name",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MerchantHit {
    pub id: MerchantId,
    pub mid: String,
    pub name: String,
    /// The phone that matched, else the primary contact's.
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminalHit {
    pub id: TerminalId,
    pub sn: String,
    pub tid: Option<String>,
    pub model: String,
    pub status: String,
}

/// One row of the look-up: a merchant and one of its terminals (either may be absent: a
/// merchant without terminals, a terminal bound to no merchant), and every key that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub merchant: Option<MerchantHit>,
    pub terminal: Option<TerminalHit>,
    pub matched: Vec<MatchField>,
}

/// `q` and the first string after every string starting with `q` (bytewise).
fn range(q: &str) -> (Value, Value) {
    (Value::from(q), Value::from(format!("{q}\u{10FFFF}")))
}

/// `COLLATE "C"` on PostgreSQL (bytewise, as the 0014 indexes), nothing on SQLite (BINARY).
fn bytewise(c: &dyn Conn) -> &'static str {
    match c.dialect() {
        Dialect::Sqlite => "",
        Dialect::Postgres => " COLLATE \"C\"",
    }
}

/// A LIKE pattern matching `s` literally (with `ESCAPE '\'`).
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for ch in s.chars() {
        if matches!(ch, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

const TERMINAL_COLS: &str = "id, sn, tid, model, status, merchant_id";
const MERCHANT_COLS: &str = "id, mid, name, contact_phone";

fn to_terminal(r: &Row) -> Result<(TerminalHit, Option<MerchantId>)> {
    Ok((
        TerminalHit {
            id: parse_id(r, 0, TerminalId::parse)?,
            sn: r.text(1)?,
            tid: r.opt_text(2)?,
            model: r.text(3)?,
            status: r.text(4)?,
        },
        parse_opt_id(r, 5, MerchantId::parse)?,
    ))
}

fn to_merchant(r: &Row) -> Result<MerchantHit> {
    Ok(MerchantHit {
        id: parse_id(r, 0, MerchantId::parse)?,
        mid: r.text(1)?,
        name: r.text(2)?,
        phone: r.opt_text(3)?,
    })
}

/// The tenant a scope looks up in, and the merchant it is confined to (merchant scopes).
fn confine(scope: &Scope) -> Option<(TenantId, Option<MerchantId>)> {
    match scope {
        Scope::Tenant(t) => Some((*t, None)),
        Scope::Merchant { tenant, merchant } => Some((*tenant, Some(*merchant))),
        Scope::Platform | Scope::Terminal { .. } => None,
    }
}

/// A condition on a merchant-id column for a merchant scope (`$n`), with its parameter.
fn merchant_cond(col: &str, merchant: Option<MerchantId>, n: usize) -> (String, Vec<Value>) {
    match merchant {
        Some(m) => (format!(" AND {col} = ${n}"), vec![m.into()]),
        None => (String::new(), vec![]),
    }
}

async fn terminals_by_prefix(
    c: &mut dyn Conn,
    tenant: TenantId,
    merchant: Option<MerchantId>,
    col: &str,
    q: &str,
) -> Result<Vec<(TerminalHit, Option<MerchantId>)>> {
    let cc = bytewise(c);
    let (lo, hi) = range(q);
    let (mc, mp) = merchant_cond("merchant_id", merchant, 4);
    let mut params = vec![tenant.into(), lo, hi];
    params.extend(mp);
    let rows = c
        .query(
            &format!(
                "SELECT {TERMINAL_COLS} FROM terminals WHERE tenant_id = $1 \
                 AND {col}{cc} >= $2 AND {col}{cc} < $3{mc} ORDER BY {col}{cc} LIMIT {MAX_CANDIDATES}"
            ),
            &params,
        )
        .await?;
    rows.iter().map(to_terminal).collect()
}

async fn merchants_by_prefix(
    c: &mut dyn Conn,
    tenant: TenantId,
    merchant: Option<MerchantId>,
    col: &str,
    q: &str,
) -> Result<Vec<MerchantHit>> {
    let cc = bytewise(c);
    let (lo, hi) = range(q);
    let (mc, mp) = merchant_cond("id", merchant, 4);
    let mut params = vec![tenant.into(), lo, hi];
    params.extend(mp);
    let rows = c
        .query(
            &format!(
                "SELECT {MERCHANT_COLS} FROM merchants WHERE tenant_id = $1 AND {col} IS NOT NULL \
                 AND {col}{cc} >= $2 AND {col}{cc} < $3{mc} ORDER BY {col}{cc} LIMIT {MAX_CANDIDATES}"
            ),
            &params,
        )
        .await?;
    rows.iter().map(to_merchant).collect()
}

/// A stored phone's digits (`010-62345678` → `01062345678`).
fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Merchants whose name contains `keys.name`, or one of whose contacts' phones starts with the
/// typed digits: one pass over the provider's merchants (see the module documentation).
async fn merchants_by_scan(
    c: &mut dyn Conn,
    tenant: TenantId,
    merchant: Option<MerchantId>,
    keys: &LookupKeys,
) -> Result<Vec<(MerchantHit, Vec<MatchField>)>> {
    let mut params: Vec<Value> = vec![
        tenant.into(),
        format!("%{}%", like_escape(&keys.name)).into(),
    ];
    let mut phone_terms = Vec::new();
    for p in &keys.phones {
        // A JSON string value starting with the prefix; checked exactly below.
        params.push(format!("%\"{}%", like_escape(p)).into());
        phone_terms.push(format!("contacts LIKE ${} ESCAPE '\\'", params.len()));
    }
    let phones = if phone_terms.is_empty() {
        String::new()
    } else {
        format!(
            " OR (contacts IS NOT NULL AND ({}))",
            phone_terms.join(" OR ")
        )
    };
    let (mc, mp) = merchant_cond("id", merchant, params.len() + 1);
    params.extend(mp);
    let rows = c
        .query(
            &format!(
                "SELECT {MERCHANT_COLS}, contacts FROM merchants WHERE tenant_id = $1{mc} \
                 AND (lower(name) LIKE $2 ESCAPE '\\'{phones}) ORDER BY mid LIMIT {}",
                MAX_CANDIDATES * 3
            ),
            &params,
        )
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let mut m = to_merchant(r)?;
        let mut matched = Vec::new();
        if m.name.to_lowercase().contains(&keys.name) {
            matched.push(MatchField::Name);
        }
        if let (Some(json), Some(d)) = (r.opt_text(4)?, &keys.phone_digits) {
            let contacts: Vec<StoredContact> = serde_json::from_str(&json)
                .map_err(|e| Error::Backend(format!("stored contacts: {e}")))?;
            if let Some(hit) = contacts.iter().find(|k| digits(&k.phone).starts_with(d)) {
                matched.push(MatchField::Phone);
                m.phone = Some(hit.phone.clone());
            }
        }
        if !matched.is_empty() {
            out.push((m, matched));
        }
    }
    Ok(out)
}

async fn merchant_by_id(
    c: &mut dyn Conn,
    tenant: TenantId,
    id: MerchantId,
) -> Result<Option<MerchantHit>> {
    c.query_opt(
        &format!("SELECT {MERCHANT_COLS} FROM merchants WHERE tenant_id = $1 AND id = $2"),
        &[tenant.into(), id.into()],
    )
    .await?
    .as_ref()
    .map(to_merchant)
    .transpose()
}

async fn terminals_of(
    c: &mut dyn Conn,
    tenant: TenantId,
    merchant: MerchantId,
    limit: usize,
) -> Result<Vec<TerminalHit>> {
    let rows = c
        .query(
            &format!(
                "SELECT {TERMINAL_COLS} FROM terminals WHERE tenant_id = $1 AND merchant_id = $2 \
                 ORDER BY sn LIMIT {limit}"
            ),
            &[tenant.into(), merchant.into()],
        )
        .await?;
    rows.iter()
        .map(|r| to_terminal(r).map(|(t, _)| t))
        .collect()
}

/// Collects candidates in order, merging the keys of a (merchant, terminal) pair seen twice.
#[derive(Default)]
struct Collector {
    items: Vec<Candidate>,
}

impl Collector {
    fn full(&self) -> bool {
        self.items.len() >= MAX_CANDIDATES
    }

    fn add(
        &mut self,
        merchant: Option<MerchantHit>,
        terminal: Option<TerminalHit>,
        matched: &[MatchField],
    ) {
        let key = (
            merchant.as_ref().map(|m| m.id),
            terminal.as_ref().map(|t| t.id),
        );
        if let Some(c) = self.items.iter_mut().find(|c| {
            (
                c.merchant.as_ref().map(|m| m.id),
                c.terminal.as_ref().map(|t| t.id),
            ) == key
        }) {
            for m in matched {
                if !c.matched.contains(m) {
                    c.matched.push(*m);
                }
            }
            return;
        }
        if !self.full() {
            self.items.push(Candidate {
                merchant,
                terminal,
                matched: matched.to_vec(),
            });
        }
    }
}

/// Up to [`MAX_CANDIDATES`] candidates for `keys` in the scope's provider (a merchant scope:
/// its own merchant only; platform and terminal scopes: none). Terminals matched by TID, then
/// SN; then merchants matched by MID, phone and name, each with its terminals.
pub async fn lookup(c: &mut dyn Conn, scope: &Scope, keys: &LookupKeys) -> Result<Vec<Candidate>> {
    let Some((tenant, only)) = confine(scope) else {
        return Ok(Vec::new());
    };
    let mut out = Collector::default();
    for (col, field) in [("tid", MatchField::Tid), ("sn", MatchField::Sn)] {
        for (t, m) in terminals_by_prefix(c, tenant, only, col, &keys.code).await? {
            let merchant = match m {
                Some(m) => merchant_by_id(c, tenant, m).await?,
                None => None,
            };
            out.add(merchant, Some(t), &[field]);
        }
    }
    let mut merchants: Vec<(MerchantHit, Vec<MatchField>)> = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |m: MerchantHit, f: Vec<MatchField>, merchants: &mut Vec<_>| {
        if seen.insert(m.id) {
            merchants.push((m, f));
        }
    };
    for m in merchants_by_prefix(c, tenant, only, "mid", &keys.code).await? {
        push(m, vec![MatchField::Mid], &mut merchants);
    }
    for p in &keys.phones {
        for m in merchants_by_prefix(c, tenant, only, "contact_phone", p).await? {
            push(m, vec![MatchField::Phone], &mut merchants);
        }
    }
    if !out.full() && merchants.len() < MAX_CANDIDATES {
        for (m, f) in merchants_by_scan(c, tenant, only, keys).await? {
            push(m, f, &mut merchants);
        }
    }
    for (m, matched) in merchants {
        if out.full() {
            break;
        }
        let room = MAX_CANDIDATES - out.items.len();
        let terminals = terminals_of(c, tenant, m.id, room).await?;
        if terminals.is_empty() {
            out.add(Some(m), None, &matched);
        } else {
            for t in terminals {
                out.add(Some(m.clone()), Some(t), &matched);
            }
        }
    }
    Ok(out.items)
}

/// A merchant of the provider by its exact MID (the unique index).
pub async fn merchant_by_mid(
    c: &mut dyn Conn,
    tenant: TenantId,
    mid: &str,
) -> Result<Option<MerchantHit>> {
    c.query_opt(
        &format!("SELECT {MERCHANT_COLS} FROM merchants WHERE tenant_id = $1 AND mid = $2"),
        &[tenant.into(), mid.into()],
    )
    .await?
    .as_ref()
    .map(to_merchant)
    .transpose()
}

/// A ticket as the intake panel lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketBrief {
    pub id: TicketId,
    pub number: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub subject: String,
    pub created_at: Timestamp,
    /// When it was resolved (or closed, if closed without a resolution).
    pub resolved_at: Option<Timestamp>,
}

/// Tickets on the terminal resolved or closed since `since`, newest first (at most `limit`):
/// the intake panel's "recent repairs" until repair orders exist. Served by the index
/// `tickets_by_terminal (tenant_id, terminal_id, status)`.
pub async fn recently_resolved(
    c: &mut dyn Conn,
    tenant: TenantId,
    terminal: TerminalId,
    since: Timestamp,
    limit: u32,
) -> Result<Vec<TicketBrief>> {
    let rows = c
        .query(
            &format!(
                "SELECT id, number, status, priority, subject, created_at, COALESCE(resolved_at, closed_at) \
                 FROM tickets WHERE tenant_id = $1 AND terminal_id = $2 AND status IN ('resolved', 'closed') \
                 AND COALESCE(resolved_at, closed_at) >= $3 \
                 ORDER BY COALESCE(resolved_at, closed_at) DESC, id DESC LIMIT {limit}"
            ),
            &[tenant.into(), terminal.into(), since.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let status = r.text(2)?;
            let priority = r.text(3)?;
            Ok(TicketBrief {
                id: parse_id(r, 0, TicketId::parse)?,
                number: r.text(1)?,
                status: TicketStatus::from_code(&status)
                    .ok_or_else(|| Error::Backend(format!("stored status {status}")))?,
                priority: Priority::from_code(&priority)
                    .ok_or_else(|| Error::Backend(format!("stored priority {priority}")))?,
                subject: r.text(4)?,
                created_at: r.ts(5)?,
                resolved_at: r.opt_ts(6)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_literally() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(like_escape("便利店"), "便利店");
    }

    #[test]
    fn ranges_bound_every_extension() {
        let (lo, hi) = range("T1");
        assert_eq!(lo, Value::from("T1"));
        let Value::Text(hi) = hi else { panic!() };
        for s in ["T1", "T1000000", "T1ZZZZZZ", "T1\u{4e2d}"] {
            assert!(s >= "T1" && s < hi.as_str(), "{s}");
        }
        assert!("T2" > hi.as_str());
    }

    #[test]
    fn phone_digits() {
        assert_eq!(digits("010-62345678-801"), "01062345678801");
    }
}
