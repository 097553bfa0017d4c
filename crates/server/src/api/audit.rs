use axum::Json;
use axum::extract::State;
use posdesk_core::Timestamp;
use posdesk_core::{FieldError, Rule};
use posdesk_storage::repo::audit::Filter;

use super::dto::AuditPage;
use super::extract::QueryMap;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service;
use crate::state::AppState;

fn millis(q: &QueryMap, field: &'static str) -> ApiResult<Option<Timestamp>> {
    q.get(field)
        .map(|s| {
            s.parse::<i64>().map(Timestamp::from_millis).map_err(|_| {
                ApiError::BadRequest(FieldError::new(
                    field,
                    Rule::Pattern {
                        expected: "milliseconds since 1970 (UTC)",
                    },
                ))
            })
        })
        .transpose()
}

/// The provider's audit trail, newest first (platform admin: the platform's own chain).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(("entity_type" = Option<String>, Query), ("entity_id" = Option<String>, Query), ("actor" = Option<String>, Query),
        ("action" = Option<String>, Query), ("from" = Option<i64>, Query), ("to" = Option<i64>, Query),
        ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = AuditPage), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: QueryMap,
) -> ApiResult<Json<AuditPage>> {
    let filter = Filter {
        entity_type: q.get("entity_type").map(str::to_owned),
        entity_id: q.get("entity_id").map(str::to_owned),
        actor: q.get("actor").map(str::to_owned),
        action: q.get("action").map(str::to_owned),
        from: millis(&q, "from")?,
        to: millis(&q, "to")?,
    };
    let page = service::audit::list(&super::ctx(&state, &caller), filter, q.page()?).await?;
    Ok(Json(page.into()))
}
