//! `/repairs/report`: the repair reports (`service::repair_reports`) for a provider's staff —
//! a day range form (`YYYY-MM-DD`, at most 366 days, default the last 30), the figures as
//! tables and as inline SVG drawn here (no script): bars by method, by fault cause and by
//! terminal model, the first-time-fix rate, mean time to restore with and without a loaner,
//! the parts used most, and the loaners out now with the overdue ones in red.
//!
//! [`dashboard_block`] is the supervisor dashboard's summary of the last 30 days (first-time
//! fix, time to restore with/without loaner, loaners out/overdue) as one compact chart linking
//! here.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::Rule;
use posdesk_core::authz::Role;
use posdesk_core::repair::{FaultCause, RepairMethod};
use posdesk_storage::repo::loans::Loan;

use super::kit::{Chrome, Query, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::error::ApiError;
use crate::i18n::Tr;
use crate::service::Ctx;
use crate::service::repair_reports::{
    self as reports, REASON_ORDER, REASON_SPAN, RepairReport, UNDIAGNOSED,
};
use crate::state::AppState;

// ---- Labels --------------------------------------------------------------------------------

/// A method's name in the catalogue.
pub fn method_label(tr: &Tr, code: &str) -> String {
    match RepairMethod::from_code(code) {
        Some(RepairMethod::Remote) => tr.t("rrep-method-remote"),
        Some(RepairMethod::OnSite) => tr.t("rrep-method-on-site"),
        Some(RepairMethod::MailIn) => tr.t("rrep-method-mail-in"),
        None => code.to_owned(),
    }
}

/// A cause's name in the catalogue ([`UNDIAGNOSED`]: not diagnosed yet).
pub fn cause_label(tr: &Tr, code: &str) -> String {
    match FaultCause::from_code(code) {
        Some(FaultCause::NormalWear) => tr.t("rrep-cause-normal-wear"),
        Some(FaultCause::HumanDamage) => tr.t("rrep-cause-human-damage"),
        Some(FaultCause::Environment) => tr.t("rrep-cause-environment"),
        Some(FaultCause::Unknown) => tr.t("rrep-cause-unknown"),
        None if code == UNDIAGNOSED => tr.t("rrep-cause-undiagnosed"),
        None => code.to_owned(),
    }
}

/// Minutes as hours and minutes (rounded to the minute); "—" without a figure.
pub fn duration(tr: &Tr, minutes: Option<f64>) -> String {
    let Some(m) = minutes.filter(|m| m.is_finite()) else {
        return "—".to_owned();
    };
    let total = m.round().max(0.0) as i64;
    let (h, min) = (total / 60, total % 60);
    if h == 0 {
        tr.ta("rrep-minutes", &[("minutes", min.to_string())])
    } else {
        tr.ta(
            "rrep-hours-minutes",
            &[("hours", h.to_string()), ("minutes", min.to_string())],
        )
    }
}

/// A share (0–1) as a percentage with one decimal; "—" without a figure.
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "—".to_owned(), |s| format!("{:.1}%", s * 100.0))
}

// ---- Charts --------------------------------------------------------------------------------

/// Horizontal bar charts, in SVG user units (the SVG scales to its box).
const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 150.0;
const VALUE_W: f64 = 110.0;
const ROW_H: f64 = 28.0;
const BAR_H: f64 = 18.0;
const PAD: f64 = 6.0;

const BLUE: &str = "#2563eb";
const GREEN: &str = "#16a34a";
const AMBER: &str = "#f59e0b";
const RED: &str = "#b3261e";
const GREY: &str = "#94a3b8";

fn n(v: f64) -> String {
    format!("{v:.1}")
}

fn track_w() -> f64 {
    WIDTH - LABEL_W - VALUE_W
}

/// One bar: its label on the left, the value after the bar, a hover text.
pub struct HBar {
    pub y: String,
    /// The baseline of the row's texts.
    pub text_y: String,
    pub w: String,
    pub value_x: String,
    pub label: String,
    pub value: String,
    pub title: String,
    pub color: &'static str,
}

pub struct HBarChart {
    pub view_box: String,
    pub label_x: String,
    pub bar_x: String,
    /// The zero line.
    pub axis_y2: String,
    pub bars: Vec<HBar>,
}

/// One row of a chart: label, value on the scale, the value as text, colour.
pub struct Datum {
    pub label: String,
    pub value: f64,
    pub text: String,
    pub color: &'static str,
}

/// Bars scaled to the largest value (a chart of zeros draws no bar, only the labels).
pub fn hbar_chart(data: Vec<Datum>) -> HBarChart {
    let max = data
        .iter()
        .map(|d| d.value)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let bars: Vec<HBar> = data
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let top = PAD + i as f64 * ROW_H;
            let w = if max > 0.0 && d.value.is_finite() {
                (d.value / max).clamp(0.0, 1.0) * track_w()
            } else {
                0.0
            };
            HBar {
                y: n(top + (ROW_H - BAR_H) / 2.0),
                text_y: n(top + ROW_H / 2.0 + 4.0),
                w: n(w),
                value_x: n(LABEL_W + w + 6.0),
                title: format!("{}：{}", d.label, d.text),
                label: d.label,
                value: d.text,
                color: d.color,
            }
        })
        .collect();
    let height = PAD * 2.0 + bars.len().max(1) as f64 * ROW_H;
    HBarChart {
        view_box: format!("0 0 {WIDTH} {}", n(height)),
        label_x: n(LABEL_W - 8.0),
        bar_x: n(LABEL_W),
        axis_y2: n(height - PAD),
        bars,
    }
}

/// A 0–100 % gauge: the full track and the filled share.
pub struct Gauge {
    pub view_box: String,
    pub track_w: String,
    pub fill_w: String,
    pub text_x: String,
    pub text: String,
    pub color: &'static str,
}

pub fn gauge(share: Option<f64>) -> Gauge {
    let track = WIDTH - VALUE_W;
    let s = share
        .filter(|s| s.is_finite())
        .unwrap_or(0.0)
        .clamp(0.0, 1.0);
    Gauge {
        view_box: format!("0 0 {WIDTH} 30"),
        track_w: n(track),
        fill_w: n(s * track),
        text_x: n(track + 8.0),
        text: percent(share),
        color: if share.is_none() {
            GREY
        } else if s >= 0.9 {
            GREEN
        } else if s >= 0.75 {
            AMBER
        } else {
            RED
        },
    }
}

fn count_datum(label: String, count: u64, color: &'static str) -> Datum {
    Datum {
        label,
        value: count as f64,
        text: count.to_string(),
        color,
    }
}

/// Mean time to restore: with a loaner, without, over all completed repairs.
fn restore_chart(tr: &Tr, r: &RepairReport) -> HBarChart {
    let row = |key: &str, minutes: Option<f64>, color| Datum {
        label: tr.t(key),
        value: minutes.unwrap_or(0.0),
        text: duration(tr, minutes),
        color,
    };
    hbar_chart(vec![
        row(
            "rrep-with-loaner",
            r.restore.mean_restore_minutes_with_loaner,
            GREEN,
        ),
        row(
            "rrep-without-loaner",
            r.restore.mean_restore_minutes_without_loaner,
            AMBER,
        ),
        row("rrep-all-completed", r.restore.mean_restore_minutes, BLUE),
    ])
}

// ---- The page ------------------------------------------------------------------------------

/// A row of a breakdown table.
pub struct CountRow {
    pub code: String,
    pub label: String,
    pub count: u64,
    /// Of the range's repairs.
    pub share: String,
}

pub struct PartRow {
    pub code: String,
    pub name: String,
    pub qty: i64,
    pub repairs: i64,
    pub value: String,
}

pub struct LoanRow {
    pub id: String,
    pub loaner_sn: String,
    pub merchant: String,
    pub tid: String,
    pub lent: String,
    pub due: String,
    pub overdue: bool,
}

fn loan_row(l: &Loan) -> LoanRow {
    LoanRow {
        id: l.id.to_string(),
        loaner_sn: l.loaner_sn.clone(),
        merchant: l.merchant_name.clone(),
        tid: l.tid.clone(),
        lent: l.lent_at.to_shanghai_display(),
        due: l.due_at.to_shanghai_display(),
        overdue: l.overdue,
    }
}

/// The most parts the chart shows (the table lists them all).
const TOP_PARTS: usize = 10;

pub struct ReportView {
    pub repairs: u64,
    pub completed: u64,
    pub cancelled: u64,
    pub first_time_fix: String,
    /// `fixed / completed`, e.g. `2 / 3`.
    pub first_time_fix_of: String,
    pub mean_with: String,
    pub mean_without: String,
    pub mean_all: String,
    pub with_loaner_text: String,
    pub repeated: u64,
    pub methods: Vec<CountRow>,
    pub causes: Vec<CountRow>,
    pub models: Vec<CountRow>,
    pub parts: Vec<PartRow>,
    pub loans_out_text: String,
    pub loans_overdue: i64,
    pub loans_overdue_text: String,
    pub lent_in_range_text: String,
    pub loans: Vec<LoanRow>,
    pub method_chart: HBarChart,
    pub cause_chart: HBarChart,
    pub model_chart: HBarChart,
    pub parts_chart: HBarChart,
    pub restore_chart: HBarChart,
    pub ftf_gauge: Gauge,
}

fn share(count: u64, of: u64) -> String {
    percent((of > 0).then(|| count as f64 / of as f64))
}

pub fn report_view(tr: &Tr, r: &RepairReport) -> ReportView {
    let rows = |items: Vec<(String, String, u64)>| -> Vec<CountRow> {
        items
            .into_iter()
            .map(|(code, label, count)| CountRow {
                share: share(count, r.repairs),
                code,
                label,
                count,
            })
            .collect()
    };
    let methods = rows(
        RepairMethod::ALL
            .iter()
            .map(|m| {
                let c = m.code();
                (
                    c.to_owned(),
                    method_label(tr, c),
                    r.by_method.get(c).copied().unwrap_or(0),
                )
            })
            .collect(),
    );
    let causes = rows(
        FaultCause::ALL
            .iter()
            .map(|c| c.code())
            .chain([UNDIAGNOSED])
            .map(|c| {
                (
                    c.to_owned(),
                    cause_label(tr, c),
                    r.by_cause.get(c).copied().unwrap_or(0),
                )
            })
            .collect(),
    );
    let models = rows(
        r.by_model
            .iter()
            .map(|m| (m.model.clone(), m.model.clone(), m.repairs))
            .collect(),
    );
    let chart = |rows: &[CountRow], color| {
        hbar_chart(
            rows.iter()
                .map(|row| count_datum(row.label.clone(), row.count, color))
                .collect(),
        )
    };
    let fixed = r.restore.repairs.saturating_sub(r.repeated);
    ReportView {
        repairs: r.repairs,
        completed: r.completed,
        cancelled: r.cancelled,
        first_time_fix: percent(r.restore.first_time_fix_rate),
        first_time_fix_of: format!("{fixed} / {}", r.restore.repairs),
        mean_with: duration(tr, r.restore.mean_restore_minutes_with_loaner),
        mean_without: duration(tr, r.restore.mean_restore_minutes_without_loaner),
        mean_all: duration(tr, r.restore.mean_restore_minutes),
        with_loaner_text: tr.ta(
            "rrep-repairs-count",
            &[("count", r.completed_with_loaner.to_string())],
        ),
        repeated: r.repeated,
        method_chart: chart(&methods, BLUE),
        cause_chart: chart(&causes, AMBER),
        model_chart: chart(&models, GREEN),
        parts_chart: hbar_chart(
            r.parts
                .iter()
                .take(TOP_PARTS)
                .map(|p| Datum {
                    label: p.name.clone(),
                    value: p.qty as f64,
                    text: p.qty.to_string(),
                    color: BLUE,
                })
                .collect(),
        ),
        restore_chart: restore_chart(tr, r),
        ftf_gauge: gauge(r.restore.first_time_fix_rate),
        methods,
        causes,
        models,
        parts: r
            .parts
            .iter()
            .map(|p| PartRow {
                code: p.code.clone(),
                name: p.name.clone(),
                qty: p.qty,
                repairs: p.repairs,
                value: labels::yuan(p.value_fen),
            })
            .collect(),
        loans_out_text: tr.ta("rrep-loans-out", &[("count", r.loans.out.to_string())]),
        loans_overdue: r.loans.overdue,
        loans_overdue_text: tr.ta(
            "rrep-loans-overdue",
            &[("count", r.loans.overdue.to_string())],
        ),
        lent_in_range_text: tr.ta(
            "rrep-lent-in-range",
            &[("count", r.loans.lent_in_range.to_string())],
        ),
        loans: r.loans.open.iter().map(loan_row).collect(),
    }
}

#[derive(Template)]
#[template(path = "repair_report.html")]
struct ReportPage {
    c: Chrome,
    from: String,
    to: String,
    error: Option<String>,
    report: Option<ReportView>,
}

/// A range error in this page's words (which end, which rule).
fn range_error(tr: &Tr, e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) if f.field == "from" || f.field == "to" => {
            let field = if f.field == "from" {
                tr.t("rrep-from")
            } else {
                tr.t("rrep-to")
            };
            match &f.rule {
                Rule::Pattern { .. } => tr.ta("rrep-error-day", &[("field", field)]),
                Rule::Invalid { reason } if *reason == REASON_ORDER => tr.t("rrep-error-order"),
                Rule::Invalid { reason } if *reason == REASON_SPAN => tr.t("rrep-error-span"),
                _ => tr.t("rrep-error-range"),
            }
        }
        other => labels::error_message(tr, other),
    }
}

pub async fn page(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(&state);
    let (mut from, mut to) = (q.get("from").to_owned(), q.get("to").to_owned());
    let (report, error, status) = match reports::report(&ctx, q.opt("from"), q.opt("to")).await {
        Ok(r) => {
            from.clone_from(&r.from);
            to.clone_from(&r.to);
            (Some(report_view(&tr, &r)), None, StatusCode::OK)
        }
        Err(e) if is_form_error(&e) => (None, Some(range_error(&tr, &e)), e.status()),
        Err(e) => return web.fail(Some(&user), &e),
    };
    let tpl = ReportPage {
        c: web.chrome(Some(&user), tr.t("rrep-title")),
        from,
        to,
        error,
        report,
    };
    web.render(status, &tpl)
}

// ---- The dashboard block -------------------------------------------------------------------

/// The supervisor dashboard's repair figures of the last 30 days.
pub struct DashBlock {
    pub first_time_fix: String,
    pub mean_with: String,
    pub mean_without: String,
    pub loans_out: i64,
    pub loans_overdue: i64,
    pub gauge: Gauge,
    pub restore_chart: HBarChart,
}

/// For supervisors and provider admins: the last 30 days' key figures (none for other roles,
/// or when the figures cannot be read — the dashboard never fails for them).
pub async fn dashboard_block(ctx: &Ctx<'_>, tr: &Tr, role: Role) -> Option<DashBlock> {
    if !matches!(role, Role::Supervisor | Role::ProviderAdmin) {
        return None;
    }
    let r = reports::report(ctx, None, None).await.ok()?;
    Some(DashBlock {
        first_time_fix: percent(r.restore.first_time_fix_rate),
        mean_with: duration(tr, r.restore.mean_restore_minutes_with_loaner),
        mean_without: duration(tr, r.restore.mean_restore_minutes_without_loaner),
        loans_out: r.loans.out,
        loans_overdue: r.loans.overdue,
        gauge: gauge(r.restore.first_time_fix_rate),
        restore_chart: hbar_chart(vec![
            Datum {
                label: tr.t("rrep-with-loaner"),
                value: r.restore.mean_restore_minutes_with_loaner.unwrap_or(0.0),
                text: duration(tr, r.restore.mean_restore_minutes_with_loaner),
                color: GREEN,
            },
            Datum {
                label: tr.t("rrep-without-loaner"),
                value: r.restore.mean_restore_minutes_without_loaner.unwrap_or(0.0),
                text: duration(tr, r.restore.mean_restore_minutes_without_loaner),
                color: AMBER,
            },
        ]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn bars_scale_to_the_largest() {
        let c = hbar_chart(vec![
            count_datum("a".into(), 4, BLUE),
            count_datum("b".into(), 2, BLUE),
            count_datum("c".into(), 0, BLUE),
        ]);
        assert_eq!(c.bars.len(), 3);
        assert_eq!(c.bars[0].w, n(track_w()));
        assert_eq!(c.bars[1].w, n(track_w() / 2.0));
        assert_eq!(c.bars[2].w, "0.0");
        assert_eq!(c.bars[1].title, "b：2");
        // A chart of zeros draws empty bars, not NaN.
        let z = hbar_chart(vec![count_datum("a".into(), 0, BLUE)]);
        assert_eq!(z.bars[0].w, "0.0");
    }

    #[test]
    fn durations_and_percentages() {
        let tr = Tr::new(Locale::ZhCn);
        assert_eq!(duration(&tr, None), "—");
        assert_eq!(duration(&tr, Some(45.4)), "45 分钟");
        assert_eq!(duration(&tr, Some(220.0)), "3 小时 40 分钟");
        let en = Tr::new(Locale::En);
        assert_eq!(duration(&en, Some(240.0)), "4 h 0 min");
        assert_eq!(percent(Some(2.0 / 3.0)), "66.7%");
        assert_eq!(percent(None), "—");
        let g = gauge(Some(0.5));
        assert_eq!(g.fill_w, n((WIDTH - VALUE_W) / 2.0));
        assert_eq!(g.color, RED);
        assert_eq!(gauge(None).fill_w, "0.0");
    }

    #[test]
    fn every_label_is_in_both_catalogues() {
        for locale in Locale::ALL {
            let tr = Tr::new(locale);
            for m in RepairMethod::ALL {
                assert!(!method_label(&tr, m.code()).starts_with("rrep-"));
            }
            for c in FaultCause::ALL
                .iter()
                .map(|c| c.code())
                .chain([UNDIAGNOSED])
            {
                assert!(!cause_label(&tr, c).starts_with("rrep-"), "{c}");
            }
        }
    }
}
