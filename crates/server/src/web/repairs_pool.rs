//! The loaner pool (`/loaners`, 备用机), the parts catalogue with stock per service point
//! (`/parts`, 配件) and the technician's day list (`/me/day-list`, 今日任务), issue 6.
//!
//! * `/loaners`: the pool per service point (each loaner: available or out, and with whom — the
//!   MID and TID it now carries), open loans with overdue ones in red, each loaner's history
//!   (every merchant that held it), return buttons; with `?repair=<id>` the lend form for that
//!   repair's terminal (the repair page shows the same form). Provider admins add terminals in
//!   stock to a service point's pool by SN.
//! * `/parts`: the catalogue and stock; provider admins add or edit parts (price typed in 元)
//!   and receive or write off stock.
//! * `/me/day-list`: the signed-in technician's repairs for today (and those without an
//!   appointment), one column with big buttons (出发, 到达, open the repair), for a phone.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use posdesk_core::authz::Permission;
use posdesk_core::ids::{RepairId, ServicePointId, TerminalId};
use posdesk_core::registry::Fen;
use posdesk_core::repair::{DEFAULT_LOAN_DAYS, RepairMethod};
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::repairs::Repair;
use posdesk_storage::repo::service_points::ServicePoint;

use super::kit::{Chrome, CsrfForm, Fields, Flash, Opt, Query, Web, is_form_error};
use super::labels;
use super::repairs::{
    Failed, LoanRow, error_field, error_text, loan_row, method_label, next_or, repair_href,
    status_label,
};
use super::session::WebUser;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::state::AppState;

// ---- The lend form (here and on the repair page) ----------------------------------------------

/// Lending a loaner to the merchant of a repair's terminal (`templates/loaner_lend.html`).
#[derive(Default)]
pub struct LendForm {
    pub shown: bool,
    pub repair_id: String,
    pub terminal_id: String,
    /// "The merchant's MID and TID move from {terminal} to the loaner …".
    pub intro: String,
    /// Loaners in stock in the pool.
    pub loaners: Vec<Opt>,
    pub due_days: String,
    /// Where a successful lend returns.
    pub next: String,
    pub error: Option<String>,
    pub field: String,
}

impl LendForm {
    pub fn field_error(&self, field: &str) -> Option<&str> {
        self.error.as_deref().filter(|_| self.field == field)
    }
    pub fn form_error(&self) -> Option<&str> {
        self.error
            .as_deref()
            .filter(|_| !matches!(self.field.as_str(), "loaner_id" | "due_days"))
    }
}

async fn points(state: &AppState, user: &WebUser) -> Vec<ServicePoint> {
    service::service_points::list(&user.ctx(state), false)
        .await
        .unwrap_or_default()
}

fn point_names(points: &[ServicePoint]) -> HashMap<ServicePointId, String> {
    points.iter().map(|p| (p.id, p.name.clone())).collect()
}

/// The lend form for `r` (its terminal, its id), returning to `next`; `failed` re-fills it.
pub async fn lend_form(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    r: &Repair,
    next: &str,
    failed: Option<(&Fields, &ApiError)>,
) -> LendForm {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let names = point_names(&points(state, user).await);
    let chosen = failed.map(|(f, _)| f.get("loaner_id")).unwrap_or("");
    let mut loaners = vec![Opt::new("", tr.t("rep-choose"), chosen)];
    if let Ok(pool) = service::repairs::pool(&ctx).await {
        loaners.extend(pool.iter().filter(|p| p.status == "in_stock").map(|p| {
            Opt::new(
                p.terminal_id.to_string(),
                tr.ta(
                    "rep-loaner-option",
                    &[
                        ("sn", p.sn.clone()),
                        ("model", p.model.clone()),
                        (
                            "point",
                            names.get(&p.service_point_id).cloned().unwrap_or_default(),
                        ),
                    ],
                ),
                chosen,
            )
        }));
    }
    let terminal = match service::directory::terminal(&ctx, r.terminal_id).await {
        Ok(t) => match t.tid {
            Some(tid) => format!("{} · {}", t.sn, tid),
            None => t.sn,
        },
        Err(_) => r.terminal_id.to_string(),
    };
    LendForm {
        shown: true,
        repair_id: r.id.to_string(),
        terminal_id: r.terminal_id.to_string(),
        intro: tr.ta("rep-lend-intro", &[("terminal", terminal)]),
        loaners,
        due_days: failed
            .map(|(f, _)| f.get("due_days").to_owned())
            .unwrap_or_else(|| DEFAULT_LOAN_DAYS.to_string()),
        next: next.to_owned(),
        error: failed.map(|(_, e)| error_text(&tr, e)),
        field: failed.map(|(_, e)| error_field(e)).unwrap_or_default(),
    }
}

// ---- /loaners ---------------------------------------------------------------------------------

struct PoolRow {
    id: String,
    sn: String,
    model: String,
    href: String,
    status: String,
    status_code: String,
    /// The open loan: who holds it, with which MID and TID.
    out: Option<LoanRow>,
    /// Every loan of this loaner, newest first.
    history: Vec<LoanRow>,
}

struct PoolGroup {
    id: String,
    name: String,
    loaners: Vec<PoolRow>,
}

#[derive(Default)]
struct AddForm {
    points: Vec<Opt>,
    sn: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "loaners.html")]
struct LoanersPage {
    c: Chrome,
    can_manage: bool,
    can_work: bool,
    groups: Vec<PoolGroup>,
    open_loans: Vec<LoanRow>,
    lend: LendForm,
    /// The repair the lend form is for.
    repair_href: String,
    add: AddForm,
    return_error: Option<String>,
}

/// What failed on the loaners page.
enum LoanersFailed<'a> {
    None,
    Lend(&'a Fields, &'a ApiError),
    Return(&'a ApiError),
    Add(&'a Fields, &'a ApiError),
}

async fn render_loaners(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    repair: Option<RepairId>,
    failed: LoanersFailed<'_>,
    status: axum::http::StatusCode,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let pool = match service::repairs::pool(&ctx).await {
        Ok(p) => p,
        Err(e) => return web.fail(Some(user), &e),
    };
    let loans = match service::repairs::loans(&ctx, None, false).await {
        Ok(l) => l,
        Err(e) => return web.fail(Some(user), &e),
    };
    let points = points(state, user).await;
    let names = point_names(&points);
    let mut groups: Vec<PoolGroup> = Vec::new();
    for p in &pool {
        let history: Vec<LoanRow> = loans
            .iter()
            .filter(|l| l.loaner_id == p.terminal_id)
            .map(loan_row)
            .collect();
        let out = loans
            .iter()
            .find(|l| l.loaner_id == p.terminal_id && l.returned_at.is_none())
            .map(loan_row);
        let row = PoolRow {
            id: format!("loaner-{}", p.sn),
            sn: p.sn.clone(),
            model: p.model.clone(),
            href: format!("/terminals/{}", p.terminal_id),
            status: labels::record_status(&tr, &p.status),
            status_code: p.status.clone(),
            out,
            history,
        };
        let gid = format!("pool-{}", p.service_point_id);
        match groups.iter_mut().find(|g| g.id == gid) {
            Some(g) => g.loaners.push(row),
            None => groups.push(PoolGroup {
                id: gid,
                name: names
                    .get(&p.service_point_id)
                    .cloned()
                    .unwrap_or_else(|| p.service_point_id.to_string()),
                loaners: vec![row],
            }),
        }
    }
    let open_loans: Vec<LoanRow> = loans
        .iter()
        .filter(|l| l.returned_at.is_none())
        .map(loan_row)
        .collect();
    let (lend, repair_href_s) = match repair {
        Some(rid) => match service::repairs::get(&ctx, rid).await {
            Ok(d) => {
                let lf = match &failed {
                    LoanersFailed::Lend(f, e) => Some((*f, *e)),
                    _ => None,
                };
                let next = repair_href(rid);
                (
                    lend_form(state, web, user, &d.repair, &next, lf).await,
                    next,
                )
            }
            Err(e) => return web.fail(Some(user), &e),
        },
        None => (LendForm::default(), String::new()),
    };
    let can_manage = user.role().allows(Permission::ServicePointManage);
    let add = if can_manage {
        let (sn, chosen, error) = match &failed {
            LoanersFailed::Add(f, e) => (
                f.get("sn").to_owned(),
                f.get("service_point_id").to_owned(),
                Some(error_text(&tr, e)),
            ),
            _ => (String::new(), String::new(), None),
        };
        AddForm {
            points: points
                .iter()
                .map(|p| Opt::new(p.id.to_string(), p.name.clone(), &chosen))
                .collect(),
            sn,
            error,
        }
    } else {
        AddForm::default()
    };
    let tpl = LoanersPage {
        c: web.chrome(Some(user), tr.t("rep-loaners-title")),
        can_manage,
        can_work: user.role().allows(Permission::TicketWork),
        groups,
        open_loans,
        lend,
        repair_href: repair_href_s,
        add,
        return_error: match &failed {
            LoanersFailed::Return(e) => Some(error_text(&tr, e)),
            _ => None,
        },
    };
    web.render(status, &tpl)
}

fn repair_param(q: &Fields) -> ApiResult<Option<RepairId>> {
    q.opt("repair")
        .map(|r| RepairId::parse("repair", r).map_err(ApiError::from))
        .transpose()
}

/// `GET /loaners` (`?repair=<id>`: with the lend form for that repair).
pub async fn loaners(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    match repair_param(&q) {
        Ok(repair) => {
            render_loaners(
                &state,
                &web,
                &user,
                repair,
                LoanersFailed::None,
                axum::http::StatusCode::OK,
            )
            .await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// A GET on a form's action returns to the pool.
pub async fn to_loaners(web: Web) -> Response {
    web.redirect("/loaners")
}

fn terminal_field(field: &str, f: &Fields) -> ApiResult<TerminalId> {
    Ok(TerminalId::parse(field, f.get(field).trim())?)
}

fn due_days(f: &Fields) -> Result<Option<i64>, FieldError> {
    f.opt("due_days")
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                FieldError::new(
                    "due_days",
                    Rule::Invalid {
                        reason: "must be a whole number",
                    },
                )
            })
        })
        .transpose()
}

/// `POST /loaners/lend`: `loaner_id`, the repair's `terminal_id` and `repair_id`, `due_days`.
/// The merchant's MID and TID move to the loaner.
pub async fn lend(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let repair = RepairId::parse("repair_id", f.get("repair_id").trim()).ok();
    let result: ApiResult<_> = async {
        let loaner = match f.opt("loaner_id") {
            Some(_) => terminal_field("loaner_id", &f)?,
            None => return Err(FieldError::new("loaner_id", Rule::Required).into()),
        };
        let terminal = terminal_field("terminal_id", &f)?;
        service::repairs::lend(&user.ctx(&state), loaner, terminal, repair, due_days(&f)?).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash(&next_or(&f, "/loaners"), Flash::TicketUpdated),
        Err(e) if is_form_error(&e) => {
            render_loaners(
                &state,
                &web,
                &user,
                repair,
                LoanersFailed::Lend(&f, &e),
                e.status(),
            )
            .await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// `POST /loaners/{loan}/return`: the loaner comes back; the identity returns to the
/// merchant's own terminal.
pub async fn return_loan(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Path(loan): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Response {
    let Ok(loan) = uuid::Uuid::parse_str(loan.trim()) else {
        return web.fail(Some(&user), &ApiError::NotFound);
    };
    match service::repairs::return_loan(&user.ctx(&state), loan).await {
        Ok(_) => web.redirect_flash(&next_or(&f, "/loaners"), Flash::TicketUpdated),
        Err(e) if is_form_error(&e) => {
            render_loaners(
                &state,
                &web,
                &user,
                None,
                LoanersFailed::Return(&e),
                e.status(),
            )
            .await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

/// `POST /loaners/pool`: a terminal in stock (by `sn`) joins a service point's pool.
pub async fn add_to_pool(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let ctx = user.ctx(&state);
    let result: ApiResult<()> = async {
        let sn = f.get("sn").trim().to_ascii_uppercase();
        if sn.is_empty() {
            return Err(FieldError::new("sn", Rule::Required).into());
        }
        let q = service::intake::LookupQuery::parse("sn", &sn)?;
        let terminal = service::intake::lookup(&ctx, &q)
            .await?
            .into_iter()
            .filter_map(|c| c.terminal)
            .find(|t| t.sn.eq_ignore_ascii_case(&sn))
            .ok_or_else(|| {
                FieldError::new(
                    "sn",
                    Rule::Invalid {
                        reason: "no terminal of the provider has this SN",
                    },
                )
            })?;
        service::repairs::add_to_pool(&ctx, terminal.id, f.get("service_point_id")).await
    }
    .await;
    match result {
        Ok(()) => web.redirect_flash("/loaners", Flash::TicketUpdated),
        Err(e) if is_form_error(&e) => {
            render_loaners(
                &state,
                &web,
                &user,
                None,
                LoanersFailed::Add(&f, &e),
                e.status(),
            )
            .await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

// ---- /parts -----------------------------------------------------------------------------------

struct StockCell {
    id: String,
    point: String,
    on_hand: i64,
    reserved: i64,
    free: i64,
}

struct PartRow {
    id: String,
    code: String,
    name: String,
    price: String,
    stock: Vec<StockCell>,
}

#[derive(Template)]
#[template(path = "parts.html")]
struct PartsPage {
    c: Chrome,
    can_manage: bool,
    parts: Vec<PartRow>,
    points: Vec<Opt>,
    codes: Vec<Opt>,
    failed: Failed,
}

impl PartsPage {
    fn form_error(&self, form: &str) -> Option<&str> {
        let f = &self.failed;
        let inline = match form {
            "part" => ["code", "name", "unit_fen"].contains(&f.field.as_str()),
            "stock" => ["service_point_id", "code", "delta"].contains(&f.field.as_str()),
            _ => false,
        };
        (f.form == form && !inline && !f.message.is_empty()).then_some(f.message.as_str())
    }
    fn field_error(&self, form: &str, field: &str) -> Option<&str> {
        let f = &self.failed;
        (f.form == form && f.field == field && !f.message.is_empty()).then_some(f.message.as_str())
    }
    fn typed(&self, form: &str, field: &str) -> &str {
        if self.failed.form == form {
            self.failed.typed.get(field)
        } else {
            ""
        }
    }
}

async fn render_parts(state: &AppState, web: &Web, user: &WebUser, failed: Failed) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let stock = match service::repairs::stock(&ctx).await {
        Ok(s) => s,
        Err(e) => return web.fail(Some(user), &e),
    };
    let points = points(state, user).await;
    let names = point_names(&points);
    let mut parts: Vec<PartRow> = Vec::new();
    for s in &stock {
        let cell = s.service_point_id.map(|sp| StockCell {
            id: format!("stock-{}-{sp}", s.code),
            point: names.get(&sp).cloned().unwrap_or_else(|| sp.to_string()),
            on_hand: s.on_hand,
            reserved: s.reserved,
            free: s.on_hand - s.reserved,
        });
        match parts.iter_mut().find(|p| p.code == s.code) {
            Some(p) => p.stock.extend(cell),
            None => parts.push(PartRow {
                id: format!("part-{}", s.code),
                code: s.code.clone(),
                name: s.name.clone(),
                price: labels::yuan(s.unit_fen),
                stock: cell.into_iter().collect(),
            }),
        }
    }
    let chosen_sp = if failed.form == "stock" {
        failed.typed.get("service_point_id").to_owned()
    } else {
        String::new()
    };
    let chosen_code = if failed.form == "stock" {
        failed.typed.get("code").to_owned()
    } else {
        String::new()
    };
    let tpl = PartsPage {
        c: web.chrome(Some(user), tr.t("rep-parts-title")),
        can_manage: user.role().allows(Permission::ServicePointManage),
        codes: parts
            .iter()
            .map(|p| {
                Opt::new(
                    p.code.clone(),
                    format!("{} · {}", p.code, p.name),
                    &chosen_code,
                )
            })
            .collect(),
        parts,
        points: points
            .iter()
            .map(|p| Opt::new(p.id.to_string(), p.name.clone(), &chosen_sp))
            .collect(),
        failed,
    };
    let status = tpl.failed.status.unwrap_or(axum::http::StatusCode::OK);
    web.render(status, &tpl)
}

/// `GET /parts`.
pub async fn parts(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    render_parts(&state, &web, &user, Failed::default()).await
}

/// A GET on a form's action returns to the catalogue.
pub async fn to_parts(web: Web) -> Response {
    web.redirect("/parts")
}

async fn parts_result(
    state: &AppState,
    web: &Web,
    user: &WebUser,
    form: &str,
    f: Fields,
    result: ApiResult<()>,
) -> Response {
    match result {
        Ok(()) => web.redirect_flash("/parts", Flash::TicketUpdated),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: form.to_owned(),
                field: error_field(&e),
                message: error_text(&web.tr, &e),
                status: Some(e.status()),
                typed: f,
            };
            render_parts(state, web, user, failed).await
        }
        Err(e) => web.fail(Some(user), &e),
    }
}

/// `POST /parts`: adds or edits a part (`code`, `name`, `unit_price` in 元).
pub async fn save_part(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result: ApiResult<()> = async {
        let price = match f.opt("unit_price") {
            Some(p) => serde_json::Value::from(Fen::parse_non_negative("unit_fen", p)?.fen()),
            None => serde_json::Value::Null,
        };
        service::repairs::upsert_part(&user.ctx(&state), f.get("code"), f.get("name"), &price).await
    }
    .await;
    parts_result(&state, &web, &user, "part", f, result).await
}

/// `POST /parts/stock`: receives (`op=receive`) or writes off (`op=write_off`) `qty` of a part
/// at a service point.
pub async fn adjust_stock(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result: ApiResult<()> = async {
        let qty: i64 = f.get("qty").trim().parse().map_err(|_| {
            FieldError::new(
                "delta",
                Rule::Range {
                    min: 1,
                    max: 10_000,
                },
            )
        })?;
        if qty <= 0 {
            return Err(FieldError::new(
                "delta",
                Rule::Range {
                    min: 1,
                    max: 10_000,
                },
            )
            .into());
        }
        let delta = match f.get("op") {
            "receive" => qty,
            "write_off" => -qty,
            _ => {
                return Err(FieldError::new(
                    "op",
                    Rule::OneOf {
                        allowed: vec!["receive", "write_off"],
                    },
                )
                .into());
            }
        };
        service::repairs::adjust_stock(
            &user.ctx(&state),
            f.get("service_point_id"),
            f.get("code"),
            delta,
        )
        .await
    }
    .await;
    parts_result(&state, &web, &user, "stock", f, result).await
}

// ---- /me/day-list -----------------------------------------------------------------------------

struct DayCard {
    id: String,
    href: String,
    action: String,
    version: i64,
    merchant: String,
    address: String,
    phone: String,
    terminal: String,
    method: String,
    on_site: bool,
    status: String,
    status_code: &'static str,
    appointment: String,
    departed: String,
    arrived: String,
}

#[derive(Template)]
#[template(path = "day_list.html")]
struct DayListPage {
    c: Chrome,
    today: String,
    cards: Vec<DayCard>,
}

/// `GET /me/day-list`: the signed-in user's repairs for today (Asia/Shanghai).
pub async fn day_list(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(&state);
    let list = match service::repairs::day_list(&ctx, None).await {
        Ok(l) => l,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let mut cards = Vec::new();
    for r in &list {
        let (merchant, address, phone) =
            match service::directory::merchant(&ctx, r.merchant_id).await {
                Ok(m) => (
                    m.name,
                    m.address.unwrap_or_default(),
                    m.contact_phone.unwrap_or_default(),
                ),
                Err(_) => (r.merchant_id.to_string(), String::new(), String::new()),
            };
        let terminal = match service::directory::terminal(&ctx, r.terminal_id).await {
            Ok(t) => format!("{} · {}", t.model, t.sn),
            Err(_) => r.terminal_id.to_string(),
        };
        cards.push(DayCard {
            id: format!("day-{}", r.id),
            href: repair_href(r.id),
            action: format!("{}/action", repair_href(r.id)),
            version: r.version,
            merchant,
            address,
            phone,
            terminal,
            method: method_label(&tr, r.method),
            on_site: r.method == RepairMethod::OnSite,
            status: status_label(&tr, r.status),
            status_code: r.status.code(),
            appointment: match (r.appointment_start, r.appointment_end) {
                (Some(s), Some(e)) => format!(
                    "{} – {}",
                    s.to_shanghai_display(),
                    e.to_shanghai_display().get(11..).unwrap_or_default()
                ),
                (Some(s), None) => s.to_shanghai_display(),
                _ => tr.t("rep-no-appointment"),
            },
            departed: r
                .departed_at
                .map(|t| t.to_shanghai_display())
                .unwrap_or_default(),
            arrived: r
                .arrived_at
                .map(|t| t.to_shanghai_display())
                .unwrap_or_default(),
        });
    }
    let today = posdesk_storage::now().to_shanghai_display();
    let tpl = DayListPage {
        c: web.chrome(Some(&user), tr.t("rep-day-title")),
        today: today.get(..10).unwrap_or_default().to_owned(),
        cards,
    };
    web.render(axum::http::StatusCode::OK, &tpl)
}
