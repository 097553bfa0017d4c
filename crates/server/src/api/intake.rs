//! Hotline and walk-in intake: `GET /api/v1/lookup?q=` (type-ahead over MID, TID, SN, merchant
//! phone and name) and `GET /api/v1/terminals/{id}/intake-summary` (the intake panel). Staff
//! only (`TicketCreate` + `TicketWork`, and the merchant and terminal reads).

use axum::Json;
use axum::extract::{Path, State};
use posdesk_core::ids::TerminalId;
use posdesk_storage::repo::lookup::{Candidate, MerchantHit, TerminalHit, TicketBrief};
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::{QueryMap, path_id};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::intake::{self, IntakeSummary, LookupQuery};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct MerchantOut {
    pub id: String,
    /// 15-digit merchant number.
    pub mid: String,
    pub name: String,
    /// The phone that matched, else the primary contact's (as the merchant directory shows it).
    pub phone: Option<String>,
}

impl From<MerchantHit> for MerchantOut {
    fn from(m: MerchantHit) -> Self {
        Self {
            id: m.id.to_string(),
            mid: m.mid,
            name: m.name,
            phone: m.phone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerminalOut {
    pub id: String,
    pub sn: String,
    pub tid: Option<String>,
    pub model: String,
    /// A terminal status code (`active`, `in_repair`, …).
    pub status: String,
}

impl From<TerminalHit> for TerminalOut {
    fn from(t: TerminalHit) -> Self {
        Self {
            id: t.id.to_string(),
            sn: t.sn,
            tid: t.tid,
            model: t.model,
            status: t.status,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateOut {
    /// Absent for a terminal bound to no merchant.
    pub merchant: Option<MerchantOut>,
    /// Absent for a merchant without terminals.
    pub terminal: Option<TerminalOut>,
    /// What matched: `tid`, `sn`, `mid`, `phone`, `name` (first the key that found it).
    pub matched: Vec<String>,
}

impl From<Candidate> for CandidateOut {
    fn from(c: Candidate) -> Self {
        Self {
            merchant: c.merchant.map(Into::into),
            terminal: c.terminal.map(Into::into),
            matched: c.matched.iter().map(|m| m.code().to_owned()).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LookupOut {
    /// The text looked up (trimmed).
    pub q: String,
    /// At most 10.
    pub candidates: Vec<CandidateOut>,
}

/// Type-ahead for intake: `q` (2–40 characters) as a prefix of MIDs, TIDs, SNs and merchant
/// phone numbers (the primary contact's and every other contact's; `0106234` also finds
/// `010-62345678`) and as a substring of merchant names, within the caller's provider. Up to 10
/// candidates, terminals matched by TID or SN first, then merchants (with each terminal).
#[utoipa::path(get, path = "/api/v1/lookup", tag = "tickets",
    params(("q" = String, Query, description = "2–40 characters")),
    responses((status = 200, body = LookupOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn lookup(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<LookupOut>> {
    let query = LookupQuery::parse("q", q.get("q").unwrap_or_default())?;
    let found = intake::lookup(&super::ctx(&state, &caller), &query).await?;
    Ok(Json(LookupOut {
        q: query.as_str().to_owned(),
        candidates: found.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketBriefOut {
    pub id: String,
    /// `T-YYYYMMDD-NNNN`.
    pub number: String,
    pub status: String,
    /// `p1` … `p4`.
    pub priority: String,
    pub subject: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; resolved tickets only.
    pub resolved_at: Option<String>,
}

impl From<TicketBrief> for TicketBriefOut {
    fn from(t: TicketBrief) -> Self {
        Self {
            id: t.id.to_string(),
            number: t.number,
            status: t.status.code().to_owned(),
            priority: t.priority.code().to_owned(),
            subject: t.subject,
            created_at: t.created_at.to_rfc3339(),
            resolved_at: t.resolved_at.map(|r| r.to_rfc3339()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WarrantyOut {
    pub install_date: Option<String>,
    /// Last day covered, `YYYY-MM-DD`.
    pub end: Option<String>,
    /// On `on`: `in_warranty`, `expired`, `not_started` or `unknown` (no end recorded).
    pub state: String,
    /// Today in Asia/Shanghai, `YYYY-MM-DD`.
    pub on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BindingOut {
    pub mid: String,
    pub tid: String,
    pub placement_address: String,
    pub started_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeTerminalOut {
    pub id: String,
    pub sn: String,
    pub tid: Option<String>,
    pub model: String,
    pub manufacturer: String,
    pub firmware: Option<String>,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeSummaryOut {
    pub terminal: IntakeTerminalOut,
    /// The current binding's merchant (else the terminal's recorded merchant).
    pub merchant: Option<MerchantOut>,
    pub binding: Option<BindingOut>,
    pub warranty: WarrantyOut,
    /// Active tickets on this terminal: a new report is probably a duplicate.
    pub open_tickets: Vec<TicketBriefOut>,
    /// Tickets resolved or closed in the last `recent_days` days (the recent repairs until
    /// repair orders exist).
    pub recent_resolved: Vec<TicketBriefOut>,
    pub recent_days: i64,
}

impl From<IntakeSummary> for IntakeSummaryOut {
    fn from(s: IntakeSummary) -> Self {
        Self {
            terminal: IntakeTerminalOut {
                id: s.terminal.id.to_string(),
                sn: s.terminal.sn,
                tid: s.terminal.tid,
                model: s.terminal.model,
                manufacturer: s.terminal.manufacturer,
                firmware: s.terminal.firmware,
                status: s.terminal.status,
            },
            merchant: s.merchant.map(Into::into),
            binding: s.binding.map(|b| BindingOut {
                mid: b.mid,
                tid: b.tid,
                placement_address: b.placement_address,
                started_at: b.started_at.to_rfc3339(),
            }),
            warranty: WarrantyOut {
                install_date: s.warranty.install_date,
                end: s.warranty.end,
                state: s.warranty.state.code().to_owned(),
                on: s.warranty.on.map(|d| d.to_string()),
            },
            open_tickets: s.open_tickets.into_iter().map(Into::into).collect(),
            recent_resolved: s.recent_resolved.into_iter().map(Into::into).collect(),
            recent_days: s.recent_days,
        }
    }
}

/// The intake panel of a terminal: model, firmware and status, the current binding's merchant,
/// the warranty today (the core's rule over the recorded install date and end), open tickets on
/// it (the duplicate warning) and those resolved in the last 90 days.
#[utoipa::path(get, path = "/api/v1/terminals/{id}/intake-summary", tag = "tickets",
    params(("id" = String, Path)),
    responses((status = 200, body = IntakeSummaryOut), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<IntakeSummaryOut>> {
    let id = path_id(&id, TerminalId::parse)?;
    let s = intake::summary(&super::ctx(&state, &caller), id).await?;
    Ok(Json(s.into()))
}
