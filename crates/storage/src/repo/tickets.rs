//! Service tickets (工单). The status machine, the SLA policy selection, the clocks and the
//! escalations are `posdesk_core::ticket`'s; this module keeps a ticket's inputs (its record,
//! its status history, its messages, the escalations that fired), and after every change asks
//! the core for the clocks and stores the one instant the scan needs (`next_check`: the earlier
//! of the next deadline and the next escalation), indexed. The calendar and the provider's SLA
//! document are assembled by the service and passed in.

use std::sync::Arc;

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::calendar::{Calendar, LocalDate};
use posdesk_core::ids::{MerchantId, MessageId, TenantId, TerminalId, TicketId, UserId};
use posdesk_core::page::{Cursor, Page, PageRequest};
use posdesk_core::registry::RiskLevel;
use posdesk_core::ticket::{
    Category, Channel, ClockInputs, Clocks, DueEscalation, EscalationAction, EscalationKey,
    Priority, ReopenWindow, SelectionFacts, SlaDocument, StatusChange, StatusHistory, TeamCode,
    TicketEvent, TicketKind, TicketStatus, compute_clocks, due_escalations, next_escalation_at,
};
use posdesk_core::ticket::{
    DEFAULT_LATE_NOTICE_THRESHOLD_MINUTES, LateNoticeError, LinkError, LinkKind, LinkSide,
    Occurrence, check_merge, check_split, late_fix_notice,
};
use posdesk_core::{FieldError, Rule};
use serde::{Deserialize, Serialize};

use super::ticket_notices::{self, Lookup, Targets, Told};
use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id, parse_opt_id};

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub tenant_id: TenantId,
    /// `T-YYYYMMDD-NNNN` (Asia/Shanghai date of creation), unique per provider; the e-mail tag
    /// is `[#<number>]`.
    pub number: String,
    pub kind: TicketKind,
    pub channel: Channel,
    pub category: Category,
    pub priority: Priority,
    pub status: TicketStatus,
    pub merchant_id: MerchantId,
    pub terminal_id: Option<TerminalId>,
    pub subject: String,
    pub description: String,
    pub assignee_id: Option<UserId>,
    pub team: Option<String>,
    pub tags: Vec<String>,
    /// The policy selected at the latest change.
    pub policy_code: String,
    pub first_response_at: Option<Timestamp>,
    pub last_update_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The earlier of the next deadline and the next escalation (`None`: nothing to watch).
    pub next_check: Option<Timestamp>,
    pub breached: bool,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

pub(crate) const COLS: &str = "id, tenant_id, number, kind, channel, category, priority, status, merchant_id, \
    terminal_id, subject, description, assignee_id, team, tags, policy_code, first_response_at, \
    last_update_at, resolved_at, closed_at, next_check, breached, created_by, created_at, \
    updated_at, version";

fn code<T>(r: &Row, i: usize, what: &str, f: impl Fn(&str) -> Option<T>) -> Result<T> {
    let s = r.text(i)?;
    f(&s).ok_or_else(|| backend(format!("stored {what} {s}")))
}

pub(crate) fn to_ticket(r: &Row) -> Result<Ticket> {
    Ok(Ticket {
        id: parse_id(r, 0, TicketId::parse)?,
        tenant_id: parse_id(r, 1, TenantId::parse)?,
        number: r.text(2)?,
        kind: code(r, 3, "kind", TicketKind::from_code)?,
        channel: code(r, 4, "channel", Channel::from_code)?,
        category: code(r, 5, "category", Category::from_code)?,
        priority: code(r, 6, "priority", Priority::from_code)?,
        status: code(r, 7, "status", TicketStatus::from_code)?,
        merchant_id: parse_id(r, 8, MerchantId::parse)?,
        terminal_id: parse_opt_id(r, 9, TerminalId::parse)?,
        subject: r.text(10)?,
        description: r.text(11)?,
        assignee_id: parse_opt_id(r, 12, UserId::parse)?,
        team: r.opt_text(13)?,
        tags: serde_json::from_str(&r.text(14)?).map_err(backend)?,
        policy_code: r.text(15)?,
        first_response_at: r.opt_ts(16)?,
        last_update_at: r.opt_ts(17)?,
        resolved_at: r.opt_ts(18)?,
        closed_at: r.opt_ts(19)?,
        next_check: r.opt_ts(20)?,
        breached: r.bool(21)?,
        created_by: r.text(22)?,
        created_at: r.ts(23)?,
        updated_at: r.ts(24)?,
        version: r.int(25)?,
    })
}

/// One ticket the scope can see (a merchant user only their own merchant's).
pub async fn get(c: &mut dyn Conn, scope: &Scope, id: TicketId) -> Result<Ticket> {
    let (sql, params) = get_query(scope, id);
    to_ticket(&c.query_one(&sql, &params).await?)
}

/// The statement [`get`] runs (for pipelining with other reads).
fn get_query(scope: &Scope, id: TicketId) -> (String, Vec<Value>) {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 2);
    params.insert(0, id.into());
    (
        format!("SELECT {COLS} FROM tickets WHERE id = $1 AND {cond}"),
        params,
    )
}

/// A queue: which tickets a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Everything in scope.
    All,
    /// Active tickets assigned to this user.
    Mine(UserId),
    /// Active tickets with no assignee.
    Unassigned,
    /// Active tickets of one team.
    Team,
    /// Active tickets with a breached clock.
    Breached,
    /// Active tickets whose next check (deadline or escalation) falls before the instant.
    DueBefore(Timestamp),
}

/// Statuses a queue of work shows (not resolved, closed or merged).
const ACTIVE: &str = "status NOT IN ('resolved', 'closed', 'merged')";

/// The scope's tickets in a view, newest first.
pub async fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    view: View,
    team: Option<&str>,
    page: &PageRequest,
) -> Result<Page<Ticket>> {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 1);
    let mut extra = String::new();
    match view {
        View::All => {}
        View::Mine(u) => {
            params.push(u.into());
            extra = format!(" AND {ACTIVE} AND assignee_id = ${}", params.len());
        }
        View::Unassigned => extra = format!(" AND {ACTIVE} AND assignee_id IS NULL"),
        View::Team => {
            params.push(team.unwrap_or_default().into());
            extra = format!(" AND {ACTIVE} AND team = ${}", params.len());
        }
        View::Breached => extra = format!(" AND {ACTIVE} AND breached = 1"),
        View::DueBefore(t) => {
            params.push(t.into());
            extra = format!(" AND {ACTIVE} AND next_check <= ${}", params.len());
        }
    }
    let (after, p2) = super::after_clause(&page.after, "created_at", "id", params.len() + 1);
    params.extend(p2);
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM tickets WHERE {cond}{extra}{after} \
                 ORDER BY created_at DESC, id DESC LIMIT {}",
                page.limit + 1
            ),
            &params,
        )
        .await?;
    let items = rows.iter().map(to_ticket).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |t| Cursor {
        at: t.created_at.millis(),
        id: t.id.to_string(),
    }))
}

/// Open tickets on the same terminal (the duplicate warning at intake).
pub async fn open_on_terminal(
    c: &mut dyn Conn,
    tenant: TenantId,
    terminal: TerminalId,
) -> Result<Vec<Ticket>> {
    let rows = c
        .query(
            &format!(
                "SELECT {COLS} FROM tickets WHERE tenant_id = $1 AND terminal_id = $2 AND {ACTIVE} \
                 ORDER BY created_at DESC LIMIT 20"
            ),
            &[tenant.into(), terminal.into()],
        )
        .await?;
    rows.iter().map(to_ticket).collect()
}

/// The ticket's status history, in order.
pub async fn history(c: &mut dyn Conn, ticket: TicketId) -> Result<StatusHistory> {
    let rows = c
        .query(
            "SELECT at, status FROM ticket_status_history WHERE ticket_id = $1 ORDER BY seq",
            &[ticket.into()],
        )
        .await?;
    let changes = rows
        .iter()
        .map(|r| {
            Ok(StatusChange::new(
                r.ts(0)?,
                code(r, 1, "status", TicketStatus::from_code)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    StatusHistory::new(changes).map_err(backend)
}

/// The ticket's status history and the escalation keys already fired, in one round trip
/// (what every change recomputes from).
pub async fn history_and_fired(
    c: &mut dyn Conn,
    ticket: TicketId,
) -> Result<(StatusHistory, Vec<EscalationKey>)> {
    parse_history_and_fired(&c.query(HISTORY_AND_FIRED, &[ticket.into()]).await?)
}

/// A ticket's status history and fired escalation keys, in one statement (`$1`: the ticket).
const HISTORY_AND_FIRED: &str = "SELECT CAST(0 AS BIGINT), seq, at, status FROM ticket_status_history WHERE ticket_id = $1 \
     UNION ALL \
     SELECT CAST(1 AS BIGINT), CAST(0 AS BIGINT), fired_at, escalation_key FROM ticket_escalations \
     WHERE ticket_id = $1 ORDER BY 1, 2";

fn parse_history_and_fired(rows: &[Row]) -> Result<(StatusHistory, Vec<EscalationKey>)> {
    let mut changes = Vec::new();
    let mut keys = Vec::new();
    for r in rows {
        if r.int(0)? == 0 {
            changes.push(StatusChange::new(
                r.ts(2)?,
                code(r, 3, "status", TicketStatus::from_code)?,
            ));
        } else {
            keys.push(EscalationKey::parse("escalation_key", &r.text(3)?).map_err(backend)?);
        }
    }
    Ok((StatusHistory::new(changes).map_err(backend)?, keys))
}

/// Who wrote a message and whether the merchant sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// A reply the merchant sees.
    Public,
    /// A note only staff see.
    Internal,
}

impl Visibility {
    pub fn code(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub visibility: Visibility,
    pub author: String,
    pub author_role: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// A ticket's messages in order; `public_only` for merchant users.
pub async fn messages(
    c: &mut dyn Conn,
    ticket: TicketId,
    public_only: bool,
) -> Result<Vec<Message>> {
    let only = if public_only {
        " AND visibility = 'public'"
    } else {
        ""
    };
    let rows = c
        .query(
            &format!(
                "SELECT id, ticket_id, visibility, author, author_role, body, created_at \
                 FROM ticket_messages WHERE ticket_id = $1{only} ORDER BY created_at, id"
            ),
            &[ticket.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Message {
                id: parse_id(r, 0, MessageId::parse)?,
                ticket_id: parse_id(r, 1, TicketId::parse)?,
                visibility: if r.text(2)? == "internal" {
                    Visibility::Internal
                } else {
                    Visibility::Public
                },
                author: r.text(3)?,
                author_role: r.text(4)?,
                body: r.text(5)?,
                created_at: r.ts(6)?,
            })
        })
        .collect()
}

/// A ticket whose next check has come, as the scan's query found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueCheck {
    pub tenant: TenantId,
    pub id: TicketId,
    /// The `next_check` read (the recompute goes ahead only if it is still this).
    pub next_check: Timestamp,
}

/// The tickets whose next check has come, across providers, earliest first (the breach and
/// escalation scan; served by the `next_check` index).
pub async fn due_checks(c: &mut dyn Conn, now: Timestamp, limit: u32) -> Result<Vec<DueCheck>> {
    let rows = c
        .query(
            &format!(
                "SELECT tenant_id, id, next_check FROM tickets WHERE next_check IS NOT NULL AND next_check <= $1 \
                 ORDER BY next_check LIMIT {limit}"
            ),
            &[now.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DueCheck {
                tenant: parse_id(r, 0, TenantId::parse)?,
                id: parse_id(r, 1, TicketId::parse)?,
                next_check: r.ts(2)?,
            })
        })
        .collect()
}

/// The scan's recompute of some of one provider's due tickets in one transaction: each ticket
/// whose `next_check` is still the one the scan read is recomputed exactly as a
/// `ChangeTicket { change: Recompute }` would (escalations inserted `ON CONFLICT DO NOTHING`
/// and carried out once, its audit events and notices), the others are left alone — a change
/// recomputed them since, or a changed calendar or SLA document marked them again for the next
/// pass (so a context older than that mark is never applied). On PostgreSQL the tickets are
/// locked `FOR UPDATE SKIP LOCKED` first: a ticket another server's scan or change holds is
/// left for the next pass instead of waited on, and nobody changes the others until commit.
pub struct RecomputeDue {
    pub tenant: TenantId,
    /// Ticket ids and the `next_check` the scan read.
    pub due: Vec<(TicketId, Timestamp)>,
    pub sla: SlaContext,
}

/// What a [`RecomputeDue`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recomputed {
    /// Tickets recomputed.
    pub checked: usize,
    /// Escalations fired.
    pub escalations: usize,
    /// Tickets left alone (changed since the scan's read, or held by another transaction).
    pub skipped: usize,
}

impl Mutation for RecomputeDue {
    type Output = Recomputed;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Recomputed>>> {
        Box::pin(async move {
            let mut out = Recomputed::default();
            if self.due.is_empty() {
                return Ok(Applied::unaudited(out));
            }
            let mut params: Vec<Value> = Vec::with_capacity(self.due.len());
            let mut marks = String::new();
            for (i, (id, _)) in self.due.iter().enumerate() {
                if i > 0 {
                    marks.push_str(", ");
                }
                marks.push_str(&format!("${}", i + 1));
                params.push((*id).into());
            }
            let lock = match c.dialect() {
                crate::Dialect::Postgres => " ORDER BY id FOR UPDATE SKIP LOCKED",
                crate::Dialect::Sqlite => "",
            };
            // By primary key only: with a tenant condition SQLite (no statistics) would walk
            // the provider's whole `(tenant_id, …)` index instead; the tenant is checked below.
            let rows = c
                .query(
                    &format!(
                        "SELECT id, tenant_id, next_check FROM tickets WHERE id IN ({marks}){lock}"
                    ),
                    &params,
                )
                .await?;
            let mut current = std::collections::HashMap::with_capacity(rows.len());
            for r in &rows {
                if parse_id(r, 1, TenantId::parse)? == self.tenant {
                    current.insert(parse_id(r, 0, TicketId::parse)?, r.opt_ts(2)?);
                }
            }
            let mut audit = Vec::new();
            // One provider: its webhook endpoints and audiences are looked up once per chunk.
            let mut targets = Targets::new(self.tenant);
            for (id, read) in &self.due {
                if current.get(id) != Some(&Some(*read)) {
                    out.skipped += 1;
                    continue;
                }
                let change = ChangeTicket {
                    tenant: self.tenant,
                    acting_merchant: None,
                    id: *id,
                    expected_version: None,
                    change: Change::Recompute,
                    // A recompute adds no message; the id is never stored.
                    message_id: MessageId::from_uuid(id.uuid()),
                    reopen_window: ReopenWindow::default(),
                    sla: self.sla.clone(),
                };
                let applied = change.apply_with(c, ctx, &mut targets).await?;
                out.checked += 1;
                out.escalations += applied.value.fired.len();
                audit.extend(applied.audit);
            }
            Ok(Applied::new(out, audit))
        })
    }
}

/// The provider's SLA document (`None`: the built-in defaults).
pub async fn sla_document(c: &mut dyn Conn, tenant: TenantId) -> Result<Option<SlaDocument>> {
    match c
        .query_opt(
            "SELECT doc FROM sla_policies WHERE tenant_id = $1",
            &[tenant.into()],
        )
        .await?
    {
        None => Ok(None),
        Some(r) => Ok(Some(SlaDocument::from_json(&r.text(0)?).map_err(backend)?)),
    }
}

/// What a computation needs besides the ticket: the provider's calendar and SLA document, as the
/// service assembled them.
#[derive(Clone)]
pub struct SlaContext {
    pub calendar: Arc<Calendar>,
    pub sla: Arc<SlaDocument>,
}

/// What the SLA rules select a policy by: the ticket's current facts.
fn facts(t: &Ticket, risk: Option<RiskLevel>) -> SelectionFacts {
    SelectionFacts {
        priority: t.priority,
        category: t.category,
        risk_level: risk,
        service_point: None,
    }
}

/// What the clocks are computed from, besides the calendar and the policy.
fn inputs<'a>(t: &Ticket, history: &'a StatusHistory) -> ClockInputs<'a> {
    ClockInputs {
        history,
        first_response_at: t.first_response_at,
        last_update_at: t.last_update_at,
        resolved_at: t.resolved_at,
    }
}

/// The clocks of `t` at `now`, with its policy selected from its current facts.
pub fn clocks_of(
    sla: &SlaContext,
    t: &Ticket,
    risk: Option<RiskLevel>,
    history: &StatusHistory,
    now: Timestamp,
) -> (String, Clocks) {
    let selection = sla.sla.select(&facts(t, risk));
    (
        selection.policy.code().as_str().to_owned(),
        compute_clocks(&sla.calendar, selection.policy, &inputs(t, history), now),
    )
}

/// Recomputes `t`'s policy, breach flag and next check from its history (pure core calls).
fn recompute(
    sla: &SlaContext,
    t: &mut Ticket,
    risk: Option<RiskLevel>,
    history: &StatusHistory,
    fired: &[EscalationKey],
    now: Timestamp,
) {
    let selection = sla.sla.select(&facts(t, risk));
    let inputs = inputs(t, history);
    let clocks = compute_clocks(&sla.calendar, selection.policy, &inputs, now);
    let escalation = next_escalation_at(&sla.calendar, selection.policy, &inputs, now, fired);
    t.policy_code = selection.policy.code().as_str().to_owned();
    t.breached = clocks.any_breached();
    // The scan looks again just after each future deadline of a counting clock (to record the
    // breach) and at the next unfired escalation; a deadline already passed is in `breached`
    // and is not looked at again, so breached tickets do not pile up in the scan.
    let deadline = clocks
        .iter()
        .filter(|c| c.counting)
        .filter_map(|c| c.deadline)
        .map(|d| Timestamp::from_millis(d.millis().saturating_add(1)))
        .filter(|d| *d > now)
        .min();
    t.next_check = match (deadline, escalation) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
}

async fn insert_status(
    c: &mut dyn Conn,
    ticket: TicketId,
    seq: i64,
    at: Timestamp,
    s: TicketStatus,
) -> Result<()> {
    c.execute(
        "INSERT INTO ticket_status_history (ticket_id, seq, at, status) VALUES ($1, $2, $3, $4)",
        &[ticket.into(), Value::Int(seq), at.into(), s.code().into()],
    )
    .await?;
    Ok(())
}

async fn insert_message(c: &mut dyn Conn, tenant: TenantId, m: &Message) -> Result<()> {
    c.execute_deferred(
        "INSERT INTO ticket_messages (id, tenant_id, ticket_id, visibility, author, author_role, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            m.id.into(),
            tenant.into(),
            m.ticket_id.into(),
            m.visibility.code().into(),
            m.author.as_str().into(),
            m.author_role.as_str().into(),
            m.body.as_str().into(),
            m.created_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A new ticket, checked by the service (texts, codes); the mutation checks what only the
/// database knows: the merchant is the provider's (a merchant user's own) and the terminal is
/// the merchant's.
pub struct CreateTicket {
    pub id: TicketId,
    pub tenant: TenantId,
    pub acting_merchant: Option<MerchantId>,
    pub kind: TicketKind,
    pub channel: Channel,
    pub category: Category,
    pub priority: Priority,
    pub merchant: MerchantId,
    pub terminal: Option<TerminalId>,
    pub subject: String,
    pub description: String,
    pub tags: Vec<String>,
    pub sla: SlaContext,
}

fn invalid(field: &'static str, reason: &'static str) -> Error {
    Error::Invalid(FieldError::new(field, Rule::Invalid { reason }))
}

/// What a ticket's `create` audit event records: its business fields as opened. The event
/// itself names the ticket, the provider, the actor and the instant, so the id, tenant,
/// creator, timestamps and version are not repeated, nor the fields a new ticket does not
/// have yet (assignee, team, response and resolution instants).
fn created_view(t: &Ticket) -> serde_json::Value {
    let mut v = serde_json::json!({
        "number": t.number,
        "kind": t.kind.code(),
        "channel": t.channel.code(),
        "category": t.category.code(),
        "priority": t.priority.code(),
        "status": t.status.code(),
        "merchant_id": t.merchant_id,
        "subject": t.subject,
        "description": t.description,
        "tags": t.tags,
        "policy_code": t.policy_code,
        "next_check": t.next_check,
    });
    if let (Some(term), Some(o)) = (t.terminal_id, v.as_object_mut()) {
        o.insert("terminal_id".into(), serde_json::json!(term));
    }
    v
}

/// What only the database knows about an intake, checked in the statement that takes the
/// ticket's number (one round trip on PostgreSQL): the merchant is the provider's (a merchant
/// user's own) — else no number is taken and nothing is returned — and the terminal, if any, is
/// the provider's and placed at that merchant. Returns the number and the merchant's risk level
/// (the SLA rules may select on it). The per-provider, per-day counter row is an upsert:
/// concurrent creations on several servers serialise on it.
async fn numbered_intake(
    c: &mut dyn Conn,
    m: &CreateTicket,
    now: Timestamp,
    targets: &mut Targets,
) -> Result<(String, Option<RiskLevel>)> {
    let not_ours = || invalid("merchant_id", "is not a merchant of this provider");
    if m.acting_merchant.is_some_and(|own| own != m.merchant) {
        return Err(not_ours());
    }
    let day = LocalDate::of_timestamp(now)
        .ok_or_else(|| backend("the clock is outside 0001–9999"))?
        .to_basic();
    // The receipt's look-ups (webhook endpoints, the merchant's users) go out in the same
    // round trip (pipelined on PostgreSQL).
    let lookups = [Lookup::Endpoints, Lookup::Merchant(m.merchant)];
    let mut stmts = vec![(
        "INSERT INTO ticket_counters (tenant_id, day, last) SELECT $1, $2, 1 \
         WHERE EXISTS (SELECT 1 FROM merchants WHERE id = $3 AND tenant_id = $1) \
         ON CONFLICT (tenant_id, day) DO UPDATE SET last = ticket_counters.last + 1 \
         RETURNING last, (SELECT risk_level FROM merchants WHERE id = $3 AND tenant_id = $1), \
         (SELECT COALESCE(merchant_id, '') FROM terminals WHERE tenant_id = $1 AND id = $4)",
        vec![
            m.tenant.into(),
            day.as_str().into(),
            m.merchant.into(),
            m.terminal.into(),
        ],
    )];
    stmts.extend(lookups.iter().map(|l| targets.query(*l)));
    let mut answers = c.query_all(&stmts).await?.into_iter();
    let row = answers
        .next()
        .and_then(|rows| rows.into_iter().next())
        .ok_or_else(not_ours)?;
    for (l, rows) in lookups.iter().zip(answers) {
        targets.fill(*l, &rows)?;
    }
    if m.terminal.is_some() {
        match row.opt_text(2)? {
            None => return Err(invalid("terminal_id", "is not a terminal of this provider")),
            Some(owner) if owner != m.merchant.to_string() => {
                return Err(invalid("terminal_id", "is not placed at this merchant"));
            }
            Some(_) => {}
        }
    }
    let n = row.int(0)?;
    let risk = row.opt_text(1)?.as_deref().and_then(RiskLevel::from_code);
    Ok((format!("T-{day}-{n:04}"), risk))
}

impl Mutation for CreateTicket {
    type Output = Ticket;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Ticket>>> {
        Box::pin(async move {
            let mut targets = Targets::new(self.tenant);
            let (number, risk) = numbered_intake(c, self, ctx.now, &mut targets).await?;
            let history = StatusHistory::created(ctx.now, TicketStatus::New);
            let mut t = Ticket {
                id: self.id,
                tenant_id: self.tenant,
                number,
                kind: self.kind,
                channel: self.channel,
                category: self.category,
                priority: self.priority,
                status: TicketStatus::New,
                merchant_id: self.merchant,
                terminal_id: self.terminal,
                subject: self.subject.clone(),
                description: self.description.clone(),
                assignee_id: None,
                team: None,
                tags: self.tags.clone(),
                policy_code: String::new(),
                first_response_at: None,
                last_update_at: None,
                resolved_at: None,
                closed_at: None,
                next_check: None,
                breached: false,
                created_by: ctx.actor.id.clone(),
                created_at: ctx.now,
                updated_at: ctx.now,
                version: 1,
            };
            recompute(&self.sla, &mut t, risk, &history, &[], ctx.now);
            // Plain INSERTs: on PostgreSQL held back and pipelined with what follows.
            c.execute_deferred(
                &format!(
                    "INSERT INTO tickets ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                     $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)"
                ),
                &[
                    t.id.into(),
                    t.tenant_id.into(),
                    t.number.as_str().into(),
                    t.kind.code().into(),
                    t.channel.code().into(),
                    t.category.code().into(),
                    t.priority.code().into(),
                    t.status.code().into(),
                    t.merchant_id.into(),
                    t.terminal_id.into(),
                    t.subject.as_str().into(),
                    t.description.as_str().into(),
                    t.assignee_id.into(),
                    t.team.clone().into(),
                    serde_json::to_string(&t.tags).map_err(backend)?.into(),
                    t.policy_code.as_str().into(),
                    t.first_response_at.into(),
                    t.last_update_at.into(),
                    t.resolved_at.into(),
                    t.closed_at.into(),
                    t.next_check.into(),
                    Value::Int(i64::from(t.breached)),
                    t.created_by.as_str().into(),
                    t.created_at.into(),
                    t.updated_at.into(),
                    Value::Int(t.version),
                ],
            )
            .await?;
            c.execute_deferred(
                "INSERT INTO ticket_status_history (ticket_id, seq, at, status) VALUES ($1, $2, $3, $4)",
                &[t.id.into(), Value::Int(1), ctx.now.into(), TicketStatus::New.code().into()],
            )
            .await?;
            ticket_notices::publish_to(c, ctx, &t, &[Told::new(Occurrence::Created)], &mut targets)
                .await?;
            let audit = vec![AuditDraft::created(
                Some(self.tenant),
                "ticket",
                t.id,
                created_view(&t),
            )];
            Ok(Applied::new(t, audit))
        })
    }
}

/// One change to a ticket.
#[derive(Debug, Clone)]
pub enum Change {
    /// A status event (the core's table; `reopen` also checks the window).
    Event(TicketEvent),
    /// A public reply (the first one is the first response) or an internal note.
    Message {
        visibility: Visibility,
        body: String,
    },
    /// Assign to a user (an active staff member of the provider) and/or a team.
    Assign {
        assignee: Option<UserId>,
        team: Option<TeamCode>,
    },
    /// A new priority: the policy is selected again and the clocks recomputed from the history.
    Priority(Priority),
    /// Nothing but a recomputation (the scan, a changed calendar or policy).
    Recompute,
    /// Tell the merchant the fix will be late: why, and the new estimate. The core decides
    /// whether the resolution clock is at risk and checks the texts (`late_fix_notice`).
    LateNotice {
        reason: String,
        new_estimate: Option<Timestamp>,
    },
}

impl Change {
    fn action(&self) -> &'static str {
        match self {
            Change::Event(e) => e.code(),
            Change::Message {
                visibility: Visibility::Public,
                ..
            } => "reply",
            Change::Message { .. } => "note",
            Change::Assign { .. } => "assign",
            Change::Priority(_) => "set_priority",
            Change::Recompute => "recompute",
            Change::LateNotice { .. } => "late_notice",
        }
    }
}

/// What a change produced: the ticket and the message it added, if any.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    pub ticket: Ticket,
    pub message: Option<Message>,
    /// Escalations this change fired (the scan).
    pub fired: Vec<String>,
    /// The late-fix notice this change told the merchant.
    pub late_notice: Option<LateNotice>,
}

/// A late-fix notice as stored (the latest one is the merchant's expected fix time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateNotice {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub reason: String,
    pub new_estimate: Timestamp,
    /// The resolution deadline when the notice was given (`None`: the clock was paused).
    pub deadline: Option<Timestamp>,
    pub created_by: String,
    pub created_at: Timestamp,
}

/// A ticket's late-fix notices, oldest first.
pub async fn late_notices(c: &mut dyn Conn, ticket: TicketId) -> Result<Vec<LateNotice>> {
    let rows = c
        .query(
            "SELECT id, ticket_id, reason, new_estimate, deadline, created_by, created_at \
             FROM ticket_late_notices WHERE ticket_id = $1 ORDER BY created_at, id",
            &[ticket.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(LateNotice {
                id: parse_id(r, 0, MessageId::parse)?,
                ticket_id: parse_id(r, 1, TicketId::parse)?,
                reason: r.text(2)?,
                new_estimate: r.ts(3)?,
                deadline: r.opt_ts(4)?,
                created_by: r.text(5)?,
                created_at: r.ts(6)?,
            })
        })
        .collect()
}

/// Applies a [`Change`], conditional on the version read (and `If-Match`).
pub struct ChangeTicket {
    pub tenant: TenantId,
    pub acting_merchant: Option<MerchantId>,
    pub id: TicketId,
    pub expected_version: Option<i64>,
    pub change: Change,
    pub message_id: MessageId,
    pub reopen_window: ReopenWindow,
    pub sla: SlaContext,
}

/// The columns a change may move, then `$16` the id and `$17` the version read.
const UPDATE: &str = "UPDATE tickets SET category = $1, priority = $2, status = $3, assignee_id = $4, team = $5, \
             tags = $6, policy_code = $7, first_response_at = $8, last_update_at = $9, resolved_at = $10, \
             closed_at = $11, next_check = $12, breached = $13, updated_at = $14, version = $15 \
             WHERE id = $16 AND version = $17";

fn update_params(before_version: i64, t: &Ticket) -> Result<Vec<Value>> {
    Ok(vec![
        t.category.code().into(),
        t.priority.code().into(),
        t.status.code().into(),
        t.assignee_id.into(),
        t.team.clone().into(),
        serde_json::to_string(&t.tags).map_err(backend)?.into(),
        t.policy_code.as_str().into(),
        t.first_response_at.into(),
        t.last_update_at.into(),
        t.resolved_at.into(),
        t.closed_at.into(),
        t.next_check.into(),
        Value::Int(i64::from(t.breached)),
        t.updated_at.into(),
        Value::Int(t.version),
        t.id.into(),
        Value::Int(before_version),
    ])
}

async fn update(c: &mut dyn Conn, before: &Ticket, t: &Ticket) -> Result<()> {
    let n = c
        .execute(UPDATE, &update_params(before.version, t)?)
        .await?;
    super::updated_one(n, before.version)
}

/// [`update`] of a row the transaction holds locked (`load_for_change`): its version cannot
/// have moved, so the statement goes out without waiting for its count (pipelined on
/// PostgreSQL).
async fn update_locked(c: &mut dyn Conn, before: &Ticket, t: &Ticket) -> Result<()> {
    c.execute_deferred(UPDATE, &update_params(before.version, t)?)
        .await
}

/// An assignee must be an active user of the provider whose role may work tickets (the core's
/// permission table decides which roles those are).
async fn check_assignee(c: &mut dyn Conn, tenant: TenantId, u: UserId) -> Result<()> {
    let role = c
        .query_opt(
            "SELECT role FROM users WHERE id = $1 AND tenant_id = $2 AND status = 'active'",
            &[u.into(), tenant.into()],
        )
        .await?
        .map(|r| r.text(0))
        .transpose()?;
    match role
        .as_deref()
        .and_then(|r| posdesk_core::authz::Role::parse("role", r).ok())
    {
        Some(r) if r.allows(posdesk_core::authz::Permission::TicketWork) => Ok(()),
        _ => Err(invalid(
            "assignee_id",
            "is not an active staff member of this provider who works tickets",
        )),
    }
}

/// The merchant's risk level of a ticket (`$1` the provider, `$2` the ticket).
const RISK_OF_TICKET: &str = "SELECT risk_level FROM merchants WHERE tenant_id = $1 \
     AND id = (SELECT merchant_id FROM tickets WHERE id = $2)";

/// What a change reads before it decides: the ticket, its history and fired escalations, its
/// merchant's risk level, and whichever notice look-ups `targets` lacks — one round trip
/// (pipelined on PostgreSQL).
async fn load_for_change(
    c: &mut dyn Conn,
    scope: &Scope,
    tenant: TenantId,
    id: TicketId,
    targets: &mut Targets,
) -> Result<(Ticket, StatusHistory, Vec<EscalationKey>, Option<RiskLevel>)> {
    let (mut get_sql, get_params) = get_query(scope, id);
    // On PostgreSQL the row stays locked to the end of the transaction: what is read next (the
    // history, the fired escalations) cannot move under the change, so its writes need no
    // answer and are sent pipelined (`execute_deferred`). SQLite's writer lock already holds.
    if c.dialect() == crate::Dialect::Postgres {
        get_sql.push_str(" FOR UPDATE");
    }
    let lookups = targets.missing(&[Lookup::Endpoints]);
    let mut stmts: Vec<(&str, Vec<Value>)> = vec![
        (&get_sql, get_params),
        (HISTORY_AND_FIRED, vec![id.into()]),
        (RISK_OF_TICKET, vec![tenant.into(), id.into()]),
    ];
    stmts.extend(lookups.iter().map(|l| targets.query(*l)));
    let mut answers = c.query_all(&stmts).await?.into_iter();
    let mut next = || {
        answers
            .next()
            .ok_or_else(|| backend("a pipelined read went missing"))
    };
    let ticket = to_ticket(next()?.first().ok_or(Error::NotFound)?)?;
    let (history, fired) = parse_history_and_fired(&next()?)?;
    let risk = match next()?.first() {
        Some(r) => r.opt_text(0)?.as_deref().and_then(RiskLevel::from_code),
        None => return Err(Error::NotFound),
    };
    for l in lookups {
        targets.fill(l, &next()?)?;
    }
    Ok((ticket, history, fired, risk))
}

impl Mutation for ChangeTicket {
    type Output = Changed;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Changed>>> {
        Box::pin(async move {
            let mut targets = Targets::new(self.tenant);
            self.apply_with(c, ctx, &mut targets).await
        })
    }
}

impl ChangeTicket {
    /// The change, with the notice look-ups kept in `targets` (shared by a scan chunk).
    async fn apply_with(
        &self,
        c: &mut dyn Conn,
        ctx: &Ctx,
        targets: &mut Targets,
    ) -> Result<Applied<Changed>> {
        {
            let scope = Scope::acting(self.tenant, self.acting_merchant);
            let (before, mut history, mut fired, risk) =
                load_for_change(c, &scope, self.tenant, self.id, targets).await?;
            super::check_version(self.expected_version, before.version)?;
            let mut t = Ticket {
                updated_at: ctx.now,
                version: before.version + 1,
                ..before.clone()
            };
            let mut message = None;
            let mut late = None;
            let mut fired_now = Vec::new();
            let mut audit = Vec::new();
            let mut told = Vec::new();
            match &self.change {
                Change::Event(e) => {
                    let to = match e {
                        TicketEvent::Reopen => {
                            let resolved = before.resolved_at.unwrap_or(before.updated_at);
                            before
                                .status
                                .reopen(resolved, ctx.now, self.reopen_window)
                                .map_err(|err| match err {
                                    posdesk_core::ticket::TicketError::Illegal(i) => {
                                        Error::Illegal(i)
                                    }
                                    other => Error::Rejected(other.to_string()),
                                })?
                        }
                        e => before.status.transition(*e)?,
                    };
                    t.status = to;
                    let mut feedback_token: Option<String> = None;
                    match e {
                        TicketEvent::Resolve => {
                            // A ticket with repairs resolves only when they are finished
                            // and their post-repair checklists passed (or were overridden).
                            super::repairs::resolve_gate(c, self.tenant, t.id).await?;
                            t.resolved_at = Some(ctx.now);
                            // The merchant is asked to confirm and rate: the change's own
                            // caller-minted id (random, used for nothing else by a status
                            // step) is the one-time link's secret; only its hash is stored.
                            let token = self.message_id.uuid().simple().to_string();
                            let close_at =
                                posdesk_core::repair::auto_close_at(&self.sla.calendar, ctx.now);
                            super::feedback::ask(
                                c,
                                &t,
                                &super::feedback::token_hash(&token),
                                close_at,
                                ctx.now,
                            )
                            .await?;
                            feedback_token = Some(token);
                        }
                        TicketEvent::Reopen => t.resolved_at = None,
                        TicketEvent::Close | TicketEvent::Merge => t.closed_at = Some(ctx.now),
                        _ => {}
                    }
                    let changed = Occurrence::StatusChanged {
                        from: before.status,
                        to,
                    };
                    told.push(match feedback_token {
                        // The resolve notice carries the link; `publish` keeps it out of
                        // webhook payloads.
                        Some(token) => {
                            Told::with(changed, serde_json::json!({ "feedback_token": token }))
                        }
                        None => Told::new(changed),
                    });
                    let seq = i64::try_from(history.changes().len()).unwrap_or(i64::MAX) + 1;
                    history
                        .push(StatusChange::new(ctx.now, to))
                        .map_err(backend)?;
                    insert_status(c, t.id, seq, ctx.now, to).await?;
                }
                Change::Message { visibility, body } => {
                    if before.status.is_final() {
                        return Err(Error::Rejected(format!(
                            "ticket {} is {}: no more messages",
                            before.number,
                            before.status.code()
                        )));
                    }
                    let staff = self.acting_merchant.is_none();
                    if *visibility == Visibility::Public && staff {
                        t.first_response_at.get_or_insert(ctx.now);
                        t.last_update_at = Some(ctx.now);
                    }
                    let m = Message {
                        id: self.message_id,
                        ticket_id: t.id,
                        visibility: *visibility,
                        author: ctx.actor.id.clone(),
                        author_role: ctx.actor.role.clone(),
                        body: body.clone(),
                        created_at: ctx.now,
                    };
                    insert_message(c, self.tenant, &m).await?;
                    told.push(Told::with(
                        match visibility {
                            Visibility::Public => Occurrence::Replied {
                                by_merchant: !staff,
                            },
                            Visibility::Internal => Occurrence::NoteAdded,
                        },
                        serde_json::json!({"message_id": m.id, "visibility": visibility.code(), "body": m.body}),
                    ));
                    audit.push(AuditDraft::created(
                        Some(self.tenant),
                        "ticket_message",
                        m.id,
                        &m,
                    ));
                    message = Some(m);
                }
                Change::Assign { assignee, team } => {
                    if let Some(u) = assignee {
                        check_assignee(c, self.tenant, *u).await?;
                    }
                    t.assignee_id = *assignee;
                    t.team = team.as_ref().map(|x| x.as_str().to_owned());
                    told.push(Told::new(Occurrence::Assigned {
                        assignee_changed: before.assignee_id != t.assignee_id,
                        now_assigned: t.assignee_id.is_some(),
                    }));
                }
                Change::Priority(p) => {
                    t.priority = *p;
                    if *p != before.priority {
                        told.push(Told::new(Occurrence::PriorityChanged));
                    }
                }
                Change::Recompute => {}
                Change::LateNotice {
                    reason,
                    new_estimate,
                } => {
                    let (_, clocks) = clocks_of(&self.sla, &before, risk, &history, ctx.now);
                    let notice = late_fix_notice(
                        &clocks.resolution,
                        DEFAULT_LATE_NOTICE_THRESHOLD_MINUTES,
                        reason,
                        *new_estimate,
                        ctx.now,
                    )
                    .map_err(|e| match e {
                        LateNoticeError::Field(f) => Error::Invalid(f),
                        LateNoticeError::NotLate => Error::Rejected(format!(
                            "ticket {}: the resolution clock is not at risk, no late notice is due",
                            before.number
                        )),
                    })?;
                    // Telling the merchant is an update (and a response, if it is the first).
                    t.first_response_at.get_or_insert(ctx.now);
                    t.last_update_at = Some(ctx.now);
                    let n = LateNotice {
                        id: self.message_id,
                        ticket_id: t.id,
                        reason: notice.reason.as_str().to_owned(),
                        new_estimate: notice.new_estimate,
                        deadline: notice.deadline,
                        created_by: ctx.actor.id.clone(),
                        created_at: ctx.now,
                    };
                    c.execute(
                        "INSERT INTO ticket_late_notices (id, tenant_id, ticket_id, reason, new_estimate, deadline, \
                         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        &[
                            n.id.into(),
                            self.tenant.into(),
                            n.ticket_id.into(),
                            n.reason.as_str().into(),
                            n.new_estimate.into(),
                            n.deadline.into(),
                            n.created_by.as_str().into(),
                            n.created_at.into(),
                        ],
                    )
                    .await?;
                    told.push(Told::with(
                        Occurrence::LateNotice,
                        serde_json::json!({
                            "reason": n.reason,
                            "new_estimate": n.new_estimate,
                            "estimate": n.new_estimate.to_shanghai_display(),
                        }),
                    ));
                    late = Some(n);
                }
            }
            // Escalations due now fire once: `fired` was read under the ticket's row lock (see
            // `load_for_change`), so no other server can have fired one of these since; the
            // key is also the primary key, so a duplicate would fail the change, not repeat.
            let selection = self.sla.sla.select(&facts(&t, risk));
            let due: Vec<DueEscalation> = due_escalations(
                &self.sla.calendar,
                selection.policy,
                &inputs(&t, &history),
                ctx.now,
                &fired,
            );
            for d in due {
                let key = d.key.code();
                c.execute_deferred(
                    "INSERT INTO ticket_escalations (ticket_id, escalation_key, action, fired_at) \
                     VALUES ($1, $2, $3, $4)",
                    &[
                        t.id.into(),
                        key.as_str().into(),
                        d.action.code().into(),
                        ctx.now.into(),
                    ],
                )
                .await?;
                match &d.action {
                    EscalationAction::RaisePriority => t.priority = t.priority.raised(),
                    EscalationAction::ReassignToTeam { .. } => {
                        t.team = d.action.reassign_team().map(str::to_owned);
                        t.assignee_id = None;
                    }
                    EscalationAction::NotifyAssignee
                    | EscalationAction::NotifySupervisor
                    | EscalationAction::NotifyManagement => {}
                }
                told.push(Told::with(
                    Occurrence::Escalated(d.action.clone()),
                    serde_json::json!({"escalation": key, "action": d.action.code(), "due_at": d.due_at}),
                ));
                audit.push(AuditDraft::changed(
                    Some(self.tenant),
                    "ticket",
                    t.id,
                    "escalate",
                    serde_json::json!({"escalation": key}),
                    serde_json::json!({"escalation": key, "action": d.action.code(), "due_at": d.due_at}),
                ));
                fired.push(d.key);
                fired_now.push(key);
            }
            recompute(&self.sla, &mut t, risk, &history, &fired, ctx.now);
            if t.breached && !before.breached {
                told.push(Told::new(Occurrence::Breached));
            }
            let unchanged = Ticket {
                updated_at: t.updated_at,
                version: t.version,
                ..before.clone()
            } == t;
            if matches!(self.change, Change::Recompute) && fired_now.is_empty() && unchanged {
                // Nothing moved: no new version, no audit event.
                return Ok(Applied::unaudited(Changed {
                    ticket: before,
                    message: None,
                    fired: fired_now,
                    late_notice: None,
                }));
            }
            update_locked(c, &before, &t).await?;
            ticket_notices::publish_to(c, ctx, &t, &told, targets).await?;
            if !matches!(self.change, Change::Recompute | Change::Message { .. }) {
                audit.insert(
                    0,
                    AuditDraft::changed(
                        Some(self.tenant),
                        "ticket",
                        t.id,
                        self.change.action(),
                        &before,
                        &t,
                    ),
                );
            }
            Ok(Applied::new(
                Changed {
                    ticket: t,
                    message,
                    fired: fired_now,
                    late_notice: late,
                },
                audit,
            ))
        }
    }
}

/// Marks every active ticket of the provider for the next scan pass (`next_check = now`): its
/// clocks depend on something that changed (the SLA document, the calendar), and the scan
/// recomputes them from their histories. Runs inside the changing mutation.
pub async fn recheck_all(c: &mut dyn Conn, tenant: TenantId, now: Timestamp) -> Result<u64> {
    c.execute(
        &format!("UPDATE tickets SET next_check = $1 WHERE tenant_id = $2 AND {ACTIVE}"),
        &[now.into(), tenant.into()],
    )
    .await
}

/// The provider's stored SLA document with its version (0: none stored, the built-in applies).
pub async fn sla_document_version(c: &mut dyn Conn, tenant: TenantId) -> Result<i64> {
    Ok(c.query_opt(
        "SELECT version FROM sla_policies WHERE tenant_id = $1",
        &[tenant.into()],
    )
    .await?
    .map(|r| r.int(0))
    .transpose()?
    .unwrap_or(0))
}

/// What the SLA document endpoints return.
#[derive(Debug, Clone, Serialize)]
pub struct StoredSla {
    /// The document as JSON (the core's `SlaDocument` format).
    pub document: serde_json::Value,
    /// 0 while the built-in defaults apply.
    pub version: i64,
    /// Active tickets marked for recomputation by this change.
    pub tickets_rechecked: u64,
}

/// Replaces the provider's SLA document (checked by the core before), conditional on the
/// version (`If-Match`), audited, and marks the active tickets for recomputation.
pub struct SaveSlaDocument {
    pub tenant: TenantId,
    pub doc: SlaDocument,
    pub expected_version: Option<i64>,
}

impl Mutation for SaveSlaDocument {
    type Output = StoredSla;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<StoredSla>>> {
        Box::pin(async move {
            let current = sla_document_version(c, self.tenant).await?;
            super::check_version(self.expected_version, current)?;
            let before = sla_document(c, self.tenant)
                .await?
                .unwrap_or_else(SlaDocument::builtin);
            let json = self.doc.to_json();
            let n = if current == 0 {
                c.execute(
                    "INSERT INTO sla_policies (tenant_id, doc, updated_at, version) VALUES ($1, $2, $3, 1)",
                    &[self.tenant.into(), json.as_str().into(), ctx.now.into()],
                )
                .await?
            } else {
                c.execute(
                    "UPDATE sla_policies SET doc = $1, updated_at = $2, version = $3 WHERE tenant_id = $4 AND version = $5",
                    &[
                        json.as_str().into(),
                        ctx.now.into(),
                        Value::Int(current + 1),
                        self.tenant.into(),
                        Value::Int(current),
                    ],
                )
                .await?
            };
            super::updated_one(n, current)?;
            let rechecked = recheck_all(c, self.tenant, ctx.now).await?;
            let parse = |s: String| serde_json::from_str::<serde_json::Value>(&s).map_err(backend);
            let out = StoredSla {
                document: parse(json)?,
                version: current + 1,
                tickets_rechecked: rechecked,
            };
            let audit = vec![AuditDraft::changed(
                Some(self.tenant),
                "sla_policies",
                self.tenant,
                "update",
                parse(before.to_json())?,
                &out.document,
            )];
            Ok(Applied::new(out, audit))
        })
    }
}

fn link_side(t: &Ticket) -> LinkSide {
    LinkSide {
        id: t.id,
        merchant: t.merchant_id,
        status: t.status,
    }
}

fn link_refused(e: LinkError) -> Error {
    match e {
        LinkError::SameTicket | LinkError::OtherMerchant => Error::Invalid(FieldError::new(
            "target_id",
            Rule::Invalid {
                reason: match e {
                    LinkError::SameTicket => "is the ticket itself",
                    _ => "belongs to another merchant",
                },
            },
        )),
        other => Error::Rejected(other.to_string()),
    }
}

async fn insert_link(
    c: &mut dyn Conn,
    ctx: &Ctx,
    tenant: TenantId,
    from: TicketId,
    kind: LinkKind,
    to: TicketId,
) -> Result<()> {
    c.execute(
        "INSERT INTO ticket_links (tenant_id, from_id, kind, to_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            tenant.into(),
            from.into(),
            kind.code().into(),
            to.into(),
            ctx.actor.id.as_str().into(),
            ctx.now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A new version of `t` that records only that something was linked to it (merge target,
/// split source): the version moves so every change has its own notices and audit event.
async fn touch(c: &mut dyn Conn, ctx: &Ctx, before: &Ticket) -> Result<Ticket> {
    let t = Ticket {
        updated_at: ctx.now,
        version: before.version + 1,
        ..before.clone()
    };
    update(c, before, &t).await?;
    Ok(t)
}

/// A link as seen from one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// `merged_into` / `split_from` (this ticket holds the link), `merged_from` / `split_into`
    /// (the other ticket holds it).
    pub relation: &'static str,
    pub other_id: TicketId,
    pub other_number: String,
    pub created_at: Timestamp,
}

/// The tickets linked to `ticket`, both directions, oldest first (the caller has checked that
/// the scope sees `ticket`; linked tickets are the same merchant's by construction).
pub async fn links(c: &mut dyn Conn, ticket: TicketId) -> Result<Vec<Link>> {
    let rows = c
        .query(
            "SELECT l.kind, 1, l.to_id, t.number, l.created_at FROM ticket_links l \
             JOIN tickets t ON t.id = l.to_id WHERE l.from_id = $1 \
             UNION ALL \
             SELECT l.kind, 0, l.from_id, t.number, l.created_at FROM ticket_links l \
             JOIN tickets t ON t.id = l.from_id WHERE l.to_id = $1 \
             ORDER BY 5",
            &[ticket.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let kind = code(r, 0, "link kind", LinkKind::from_code)?;
            let holds = r.int(1)? == 1;
            Ok(Link {
                relation: match (kind, holds) {
                    (LinkKind::MergedInto, true) => "merged_into",
                    (LinkKind::MergedInto, false) => "merged_from",
                    (LinkKind::SplitFrom, true) => "split_from",
                    (LinkKind::SplitFrom, false) => "split_into",
                },
                other_id: parse_id(r, 2, TicketId::parse)?,
                other_number: r.text(3)?,
                created_at: r.ts(4)?,
            })
        })
        .collect()
}

/// Merges a duplicate (`source`) into `target`: the duplicate takes the `merge` step (its
/// clocks stop), the link is recorded, the target gets a new version; both audited, the
/// merchant told which ticket carries on. Staff only; conditional on the duplicate's version.
pub struct MergeTickets {
    pub tenant: TenantId,
    pub source: TicketId,
    pub target: TicketId,
    pub expected_version: Option<i64>,
    pub message_id: MessageId,
    pub reopen_window: ReopenWindow,
    pub sla: SlaContext,
}

/// What a merge produced.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    pub source: Ticket,
    pub target: Ticket,
}

impl Mutation for MergeTickets {
    type Output = Merged;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Merged>>> {
        Box::pin(async move {
            let scope = Scope::Tenant(self.tenant);
            let source = get(c, &scope, self.source).await?;
            let target = get(c, &scope, self.target).await.map_err(|e| match e {
                Error::NotFound => invalid("target_id", "is not a ticket of this provider"),
                e => e,
            })?;
            super::check_version(self.expected_version, source.version)?;
            check_merge(link_side(&source), link_side(&target)).map_err(link_refused)?;
            let step = ChangeTicket {
                tenant: self.tenant,
                acting_merchant: None,
                id: self.source,
                expected_version: Some(source.version),
                change: Change::Event(TicketEvent::Merge),
                message_id: self.message_id,
                reopen_window: self.reopen_window,
                sla: self.sla.clone(),
            }
            .apply(c, ctx)
            .await?;
            insert_link(
                c,
                ctx,
                self.tenant,
                self.source,
                LinkKind::MergedInto,
                self.target,
            )
            .await?;
            let merged = step.value.ticket;
            let target_now = touch(c, ctx, &target).await?;
            ticket_notices::publish(
                c,
                ctx,
                &merged,
                &[Told::with(
                    Occurrence::MergedInto,
                    serde_json::json!({"into_id": target.id, "into": target.number}),
                )],
            )
            .await?;
            ticket_notices::publish(
                c,
                ctx,
                &target_now,
                &[Told::with(
                    Occurrence::Absorbed,
                    serde_json::json!({"merged_id": source.id, "merged": source.number}),
                )],
            )
            .await?;
            let mut audit = step.audit;
            audit.push(AuditDraft::changed(
                Some(self.tenant),
                "ticket",
                target.id,
                "absorb",
                serde_json::json!({"version": target.version}),
                serde_json::json!({"version": target_now.version, "merged": source.number, "merged_id": source.id}),
            ));
            Ok(Applied::new(
                Merged {
                    source: merged,
                    target: target_now,
                },
                audit,
            ))
        })
    }
}

/// Splits a new ticket off `source` for a second problem: the new ticket is created as any
/// other (its own number and clocks from now), linked `split_from` the source, whose version
/// moves; both audited. `new.merchant` must be the source's merchant (the service sets it).
pub struct SplitTicket {
    pub tenant: TenantId,
    pub source: TicketId,
    pub expected_version: Option<i64>,
    pub new: CreateTicket,
}

/// What a split produced.
#[derive(Debug, Clone, Serialize)]
pub struct Split {
    pub source: Ticket,
    pub created: Ticket,
}

impl Mutation for SplitTicket {
    type Output = Split;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Split>>> {
        Box::pin(async move {
            let source = get(c, &Scope::Tenant(self.tenant), self.source).await?;
            super::check_version(self.expected_version, source.version)?;
            check_split(link_side(&source)).map_err(link_refused)?;
            if self.new.merchant != source.merchant_id || self.new.tenant != self.tenant {
                return Err(invalid(
                    "merchant_id",
                    "must be the split ticket's merchant",
                ));
            }
            let created = self.new.apply(c, ctx).await?;
            insert_link(
                c,
                ctx,
                self.tenant,
                created.value.id,
                LinkKind::SplitFrom,
                source.id,
            )
            .await?;
            let source_now = touch(c, ctx, &source).await?;
            ticket_notices::publish(
                c,
                ctx,
                &source_now,
                &[Told::with(
                    Occurrence::SplitOff,
                    serde_json::json!({"split_id": created.value.id, "split": created.value.number}),
                )],
            )
            .await?;
            ticket_notices::publish(
                c,
                ctx,
                &created.value,
                &[Told::with(
                    Occurrence::SplitFrom,
                    serde_json::json!({"from_id": source.id, "from": source.number}),
                )],
            )
            .await?;
            let mut audit = created.audit;
            audit.push(AuditDraft::changed(
                Some(self.tenant),
                "ticket",
                source.id,
                "split",
                serde_json::json!({"version": source.version}),
                serde_json::json!({"version": source_now.version, "split": created.value.number, "split_id": created.value.id}),
            ));
            Ok(Applied::new(
                Split {
                    source: source_now,
                    created: created.value,
                },
                audit,
            ))
        })
    }
}

/// The scope's ticket with this number (`T-YYYYMMDD-NNNN`), if any.
pub async fn by_number(c: &mut dyn Conn, scope: &Scope, number: &str) -> Result<Ticket> {
    let (cond, mut params) = super::scope_filter(scope, "tenant_id", Some("merchant_id"), 2);
    params.insert(0, number.into());
    let r = c
        .query_one(
            &format!("SELECT {COLS} FROM tickets WHERE number = $1 AND {cond}"),
            &params,
        )
        .await?;
    to_ticket(&r)
}
