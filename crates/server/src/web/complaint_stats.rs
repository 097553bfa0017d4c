//! `/complaints/stats`: monthly complaint statistics for the provider's staff with
//! `ComplaintStats` (admins, supervisors, complaints officers, auditors) — a month range form
//! (`YYYY-MM`, at most 24 months, default the last 12), the table (`service::complaint_stats`),
//! two charts drawn here as inline SVG (no script: bars of each month's complaints in segments
//! by category, and a line of the share decided on time), and the downloads
//! `/complaints/stats.csv` and `/complaints/stats.xlsx` for the same range.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use posdesk_core::Rule;
use posdesk_core::complaint::{ComplaintCategory, ComplaintChannel, MonthStats};

use super::kit::{Chrome, Query, Web, is_form_error, link};
use super::labels;
use super::session::WebUser;
use crate::api::complaint_stats::{XLSX_TYPE, attachment};
use crate::error::ApiError;
use crate::i18n::Tr;
use crate::service::complaint_stats::{self as stats, Cell, REASON_ORDER, REASON_SPAN, StatsTable};
use crate::state::AppState;

// ---- Charts ----------------------------------------------------------------------------------

/// The drawing area of both charts, in SVG user units (the SVG scales to the page width).
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 50.0;

/// One colour per category, in `ComplaintCategory::ALL` order.
const PALETTE: [&str; 9] = [
    "#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d",
    "#64748b",
];

fn plot_w() -> f64 {
    WIDTH - LEFT - RIGHT
}

fn plot_h() -> f64 {
    HEIGHT - TOP - BOTTOM
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// A horizontal grid line with its value on the left.
pub struct Tick {
    pub y: String,
    pub label: String,
}

/// A month under the x axis: the month number, and the year under the first month and each
/// January.
pub struct XLabel {
    pub x: String,
    pub month: String,
    pub year: Option<String>,
}

/// A bar segment (or a point), with its hover text.
pub struct Rect {
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
    pub color: &'static str,
    pub title: String,
}

pub struct TextAt {
    pub x: String,
    pub y: String,
    pub text: String,
}

pub struct Point {
    pub x: String,
    pub y: String,
    pub title: String,
}

pub struct LegendItem {
    pub color: &'static str,
    pub label: String,
}

/// Geometry shared by both charts.
pub struct Frame {
    pub view_box: String,
    pub left: String,
    pub right: String,
    pub bottom: String,
    pub label_x: String,
    pub month_y: String,
    pub year_y: String,
    pub ticks: Vec<Tick>,
    pub months: Vec<XLabel>,
}

pub struct BarChart {
    pub frame: Frame,
    pub bars: Vec<Rect>,
    pub totals: Vec<TextAt>,
    pub legend: Vec<LegendItem>,
}

pub struct LineChart {
    pub frame: Frame,
    /// `x,y x,y …` for each run of consecutive months with a figure.
    pub lines: Vec<String>,
    pub points: Vec<Point>,
    pub labels: Vec<TextAt>,
}

/// The smallest 1, 2 or 5 × 10ⁿ step that draws `max` in at most four intervals.
fn nice_step(max: u64) -> u64 {
    let raw = max.div_ceil(4).max(1);
    let mut base = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = base.saturating_mul(m);
            if step >= raw {
                return step;
            }
        }
        base = base.saturating_mul(10);
    }
}

fn slot(count: usize) -> f64 {
    plot_w() / count.max(1) as f64
}

fn slot_center(i: usize, count: usize) -> f64 {
    LEFT + slot(count) * (i as f64 + 0.5)
}

/// The y coordinate of `v` on a scale from 0 to `top`.
fn y_of(v: f64, top: f64) -> f64 {
    TOP + plot_h() - (v / top).clamp(0.0, 1.0) * plot_h()
}

fn frame(months: &[MonthStats], ticks: Vec<Tick>) -> Frame {
    let count = months.len();
    Frame {
        view_box: format!("0 0 {WIDTH} {HEIGHT}"),
        left: n(LEFT),
        right: n(WIDTH - RIGHT),
        bottom: n(TOP + plot_h()),
        label_x: n(LEFT - 6.0),
        month_y: n(TOP + plot_h() + 16.0),
        year_y: n(TOP + plot_h() + 31.0),
        ticks,
        months: months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let (year, month) = m.month.split_once('-').unwrap_or((m.month.as_str(), ""));
                XLabel {
                    x: n(slot_center(i, count)),
                    month: month.trim_start_matches('0').to_owned(),
                    year: (i == 0 || month == "01").then(|| year.to_owned()),
                }
            })
            .collect(),
    }
}

/// Bars of each month's total, stacked by category (bottom up in category order).
pub fn bar_chart(tr: &Tr, months: &[MonthStats]) -> BarChart {
    let max = months.iter().map(|m| m.total).max().unwrap_or(0);
    let step = nice_step(max);
    let top = step * max.div_ceil(step).max(1);
    let ticks = (0..=top / step)
        .map(|k| {
            let v = k * step;
            Tick {
                y: n(y_of(v as f64, top as f64)),
                label: v.to_string(),
            }
        })
        .collect();
    let count = months.len();
    let bar_w = (slot(count) * 0.64).min(46.0);
    let mut bars = Vec::new();
    let mut totals = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let x = slot_center(i, count) - bar_w / 2.0;
        let mut below = 0u64;
        for (c, color) in ComplaintCategory::ALL.iter().zip(PALETTE) {
            let k = m.by_category.get(c.code()).copied().unwrap_or(0);
            if k == 0 {
                continue;
            }
            let y1 = y_of((below + k) as f64, top as f64);
            let y0 = y_of(below as f64, top as f64);
            bars.push(Rect {
                x: n(x),
                y: n(y1),
                w: n(bar_w),
                h: n(y0 - y1),
                color,
                title: format!("{} · {}：{k}", m.month, stats::category_label(tr, *c)),
            });
            below += k;
        }
        if m.total > 0 {
            totals.push(TextAt {
                x: n(slot_center(i, count)),
                y: n(y_of(m.total as f64, top as f64) - 4.0),
                text: m.total.to_string(),
            });
        }
    }
    let legend = ComplaintCategory::ALL
        .iter()
        .zip(PALETTE)
        .filter(|(c, _)| {
            months
                .iter()
                .any(|m| m.by_category.get(c.code()).copied().unwrap_or(0) > 0)
        })
        .map(|(c, color)| LegendItem {
            color,
            label: stats::category_label(tr, *c),
        })
        .collect();
    BarChart {
        frame: frame(months, ticks),
        bars,
        totals,
        legend,
    }
}

/// The share decided on time (0–100 %) per month; months without a decision leave a gap.
pub fn line_chart(months: &[MonthStats]) -> LineChart {
    let ticks = (0..=4)
        .map(|k| {
            let v = f64::from(k) * 25.0;
            Tick {
                y: n(y_of(v, 100.0)),
                label: format!("{v:.0}%"),
            }
        })
        .collect();
    let count = months.len();
    let mut lines = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut points = Vec::new();
    let mut labels = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let Some(share) = m.on_time_share else {
            if run.len() > 1 {
                lines.push(run.join(" "));
            }
            run.clear();
            continue;
        };
        let pct = share * 100.0;
        let (x, y) = (slot_center(i, count), y_of(pct, 100.0));
        run.push(format!("{},{}", n(x), n(y)));
        points.push(Point {
            x: n(x),
            y: n(y),
            title: format!("{}：{pct:.1}%", m.month),
        });
        if count <= 12 {
            labels.push(TextAt {
                x: n(x),
                y: n(y - 8.0),
                text: format!("{pct:.0}%"),
            });
        }
    }
    if run.len() > 1 {
        lines.push(run.join(" "));
    }
    LineChart {
        frame: frame(months, ticks),
        lines,
        points,
        labels,
    }
}

// ---- The page ----------------------------------------------------------------------------------

pub struct Row {
    pub month: String,
    pub cells: Vec<String>,
}

pub struct TableView {
    pub active_terminals: String,
    pub categories: Vec<String>,
    pub channels: Vec<String>,
    pub outcomes: Vec<String>,
    pub rows: Vec<Row>,
    /// Nothing was received in the range.
    pub empty: bool,
    pub any_decided: bool,
    pub bars: BarChart,
    pub line: LineChart,
    pub csv_href: String,
    pub xlsx_href: String,
}

#[derive(Template)]
#[template(path = "complaint_stats.html")]
struct StatsPage {
    c: Chrome,
    from: String,
    to: String,
    error: Option<String>,
    table: Option<TableView>,
}

fn table_view(tr: &Tr, t: &StatsTable) -> TableView {
    let range = [("from", t.from.as_str()), ("to", t.to.as_str())];
    TableView {
        active_terminals: tr.ta(
            "cstats-active-terminals",
            &[("count", t.active_terminals.to_string())],
        ),
        categories: ComplaintCategory::ALL
            .iter()
            .map(|c| stats::category_label(tr, *c))
            .collect(),
        channels: ComplaintChannel::ALL
            .iter()
            .map(|c| stats::channel_label(tr, *c))
            .collect(),
        outcomes: stats::outcomes()
            .into_iter()
            .map(|o| stats::outcome_label(tr, o))
            .collect(),
        rows: t
            .months
            .iter()
            .map(|m| Row {
                month: m.month.clone(),
                cells: stats::cells(m)
                    .iter()
                    .skip(1)
                    .map(|c| match c {
                        Cell::Empty => "—".to_owned(),
                        other => other.text(),
                    })
                    .collect(),
            })
            .collect(),
        empty: t.months.iter().all(|m| m.total == 0),
        any_decided: t.months.iter().any(|m| m.on_time_share.is_some()),
        bars: bar_chart(tr, &t.months),
        line: line_chart(&t.months),
        csv_href: link("/complaints/stats.csv", &range),
        xlsx_href: link("/complaints/stats.xlsx", &range),
    }
}

/// A range error in this page's words (which end, which rule).
fn range_error(tr: &Tr, e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) if f.field == "from" || f.field == "to" => {
            let field = if f.field == "from" {
                tr.t("cstats-from")
            } else {
                tr.t("cstats-to")
            };
            match &f.rule {
                Rule::Pattern { .. } => tr.ta("cstats-error-month", &[("field", field)]),
                Rule::Invalid { reason } if *reason == REASON_ORDER => tr.t("cstats-error-order"),
                Rule::Invalid { reason } if *reason == REASON_SPAN => tr.t("cstats-error-span"),
                _ => tr.t("cstats-error-range"),
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
    let (table, error, status) = match stats::monthly(&ctx, q.opt("from"), q.opt("to")).await {
        Ok(t) => {
            from.clone_from(&t.from);
            to.clone_from(&t.to);
            (Some(table_view(&tr, &t)), None, StatusCode::OK)
        }
        Err(e) if is_form_error(&e) => (None, Some(range_error(&tr, &e)), e.status()),
        Err(e) => return web.fail(Some(&user), &e),
    };
    let tpl = StatsPage {
        c: web.chrome(Some(&user), tr.t("cstats-title")),
        from,
        to,
        error,
        table,
    };
    web.render(status, &tpl)
}

pub async fn export_csv(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    match stats::export_csv(&user.ctx(&state), q.opt("from"), q.opt("to")).await {
        Ok(e) => attachment(e, "text/csv; charset=utf-8"),
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    match stats::export_xlsx(&user.ctx(&state), q.opt("from"), q.opt("to")).await {
        Ok(e) => attachment(e, XLSX_TYPE),
        Err(e) => web.fail(Some(&user), &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use std::collections::BTreeMap;

    fn month(label: &str, fees: u64, privacy: u64, share: Option<f64>) -> MonthStats {
        let mut by_category = BTreeMap::new();
        by_category.insert("fees", fees);
        by_category.insert("privacy", privacy);
        MonthStats {
            month: label.into(),
            total: fees + privacy,
            by_category,
            by_channel: BTreeMap::new(),
            by_outcome: BTreeMap::new(),
            decided: 0,
            decision_minutes_median: None,
            decision_minutes_p90: None,
            on_time_share: share,
            repeat_complainants: 0,
            per_1000_terminals: None,
        }
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0), 1);
        assert_eq!(nice_step(4), 1);
        assert_eq!(nice_step(5), 2);
        assert_eq!(nice_step(9), 5);
        assert_eq!(nice_step(37), 10);
        assert_eq!(nice_step(170), 50);
        assert_eq!(nice_step(u64::MAX), 5_000_000_000_000_000_000);
    }

    #[test]
    fn bars_stack_to_the_total() {
        let tr = Tr::new(Locale::ZhCn);
        let months = [
            month("2025-12", 3, 1, Some(0.5)),
            month("2026-01", 0, 0, None),
            month("2026-02", 2, 0, Some(1.0)),
        ];
        let c = bar_chart(&tr, &months);
        // Two segments in December, none in January, one in February.
        assert_eq!(c.bars.len(), 3);
        // Scale 0–4 in steps of 1: December's bar reaches the top of the plot.
        assert_eq!(c.frame.ticks.len(), 5);
        let top: f64 = c.bars[1].y.parse().unwrap();
        assert!((top - TOP).abs() < 0.06, "{top}");
        let h: f64 = c
            .bars
            .iter()
            .take(2)
            .map(|b| b.h.parse::<f64>().unwrap())
            .sum();
        assert!((h - plot_h()).abs() < 0.2, "{h}");
        assert!(c.bars[0].title.contains("收费问题：3"));
        assert_eq!(c.totals.len(), 2);
        assert_eq!(c.legend.len(), 2);
        // Years under the first month and under January.
        let years: Vec<Option<&str>> = c.frame.months.iter().map(|m| m.year.as_deref()).collect();
        assert_eq!(years, [Some("2025"), Some("2026"), None]);
        assert_eq!(c.frame.months[0].month, "12");
        assert_eq!(c.frame.months[1].month, "1");
    }

    #[test]
    fn the_line_breaks_where_nothing_was_decided() {
        let months = [
            month("2026-01", 1, 0, Some(1.0)),
            month("2026-02", 1, 0, Some(0.5)),
            month("2026-03", 1, 0, None),
            month("2026-04", 1, 0, Some(0.25)),
        ];
        let c = line_chart(&months);
        assert_eq!(c.points.len(), 3);
        // One line over January–February; April stands alone as a point.
        assert_eq!(c.lines.len(), 1);
        assert_eq!(c.lines[0].split(' ').count(), 2);
        assert_eq!(c.points[0].y, n(TOP));
        assert_eq!(c.labels[1].text, "50%");
        assert!(c.points[2].title.ends_with("25.0%"));
    }
}
