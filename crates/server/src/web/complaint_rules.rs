//! `/complaints/rules`: the provider's complaint clock rules — acknowledgement time, decision
//! period, extension steps — shown to complaint staff, edited by provider admins
//! (`service::complaints::save_rules`, the hidden `version` as If-Match).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use posdesk_core::authz::Permission;
use posdesk_core::complaint::ExtensionStep;
use posdesk_core::{FieldError, Rule};

use super::kit::{Chrome, CsrfForm, Fields, Query, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::error::ApiResult;
use crate::service;
use crate::state::AppState;

/// Extension step rows the form offers (empty rows are ignored).
const STEP_ROWS: usize = 3;

pub struct StepRow {
    pub index: usize,
    pub to_days: String,
    pub needs_manager: bool,
}

#[derive(Template)]
#[template(path = "complaint_rules.html")]
struct RulesPage {
    c: Chrome,
    can_edit: bool,
    version: i64,
    acknowledge_working_minutes: String,
    decision_days: String,
    steps: Vec<StepRow>,
    saved: bool,
    error: Option<String>,
}

fn rows(steps: &[ExtensionStep]) -> Vec<StepRow> {
    (0..STEP_ROWS)
        .map(|i| StepRow {
            index: i,
            to_days: steps
                .get(i)
                .map(|s| s.to_days.to_string())
                .unwrap_or_default(),
            needs_manager: steps.get(i).is_some_and(|s| s.needs_manager),
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    Query(q): Query,
) -> Response {
    let r = match service::complaints::rules(&user.ctx(&state)).await {
        Ok(r) => r,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let tpl = RulesPage {
        c: web.chrome(Some(&user), web.tr.t("crules-title")),
        can_edit: user.role().allows(Permission::SlaManage),
        version: r.version,
        acknowledge_working_minutes: r.rules.acknowledge_working_minutes.to_string(),
        decision_days: r.rules.decision_days.to_string(),
        steps: rows(&r.rules.extension_steps),
        saved: q.get("saved") == "1",
        error: None,
    };
    web.render(axum::http::StatusCode::OK, &tpl)
}

fn number(f: &Fields, field: &str) -> ApiResult<i64> {
    f.get(field).trim().parse::<i64>().map_err(|_| {
        FieldError::new(
            field,
            Rule::Pattern {
                expected: "a whole number",
            },
        )
        .into()
    })
}

pub async fn save(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let result = async {
        let ack = number(&f, "acknowledge_working_minutes")?;
        let days = number(&f, "decision_days")?;
        let mut steps = Vec::new();
        for i in 0..STEP_ROWS {
            let field = format!("extension_steps[{i}].to_days");
            if f.get(&field).trim().is_empty() {
                continue;
            }
            steps.push(ExtensionStep {
                to_days: number(&f, &field)?,
                needs_manager: f.checked(&format!("extension_steps[{i}].needs_manager")),
            });
        }
        let version = f.get("version").trim().parse::<i64>().ok();
        service::complaints::save_rules(&user.ctx(&state), ack, days, steps, version).await
    }
    .await;
    match result {
        Ok(_) => web.redirect("/complaints/rules?saved=1"),
        Err(e) if is_form_error(&e) => {
            let steps = (0..STEP_ROWS)
                .map(|i| StepRow {
                    index: i,
                    to_days: f.get(&format!("extension_steps[{i}].to_days")).to_owned(),
                    needs_manager: f.checked(&format!("extension_steps[{i}].needs_manager")),
                })
                .collect();
            let tpl = RulesPage {
                c: web.chrome(Some(&user), web.tr.t("crules-title")),
                can_edit: true,
                version: f.get("version").trim().parse().unwrap_or(0),
                acknowledge_working_minutes: f.get("acknowledge_working_minutes").to_owned(),
                decision_days: f.get("decision_days").to_owned(),
                steps,
                saved: false,
                error: Some(labels::error_message(&web.tr, &e)),
            };
            web.render(e.status(), &tpl)
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}
