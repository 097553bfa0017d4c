use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use posdesk_core::ids::WebhookId;
use posdesk_core::text::WebhookUrl;
use posdesk_storage::repo::webhooks::Created;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{WebhookList, WebhookOut};
use super::extract::{JsonBody, path_id};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::service::webhooks;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookIn {
    pub url: String,
    /// Event names, or `*` for all. Deliveries carry `X-Posdesk-Signature: t=<unix>,v1=<hex>`,
    /// the HMAC-SHA256 of `<t>.<body>` under the webhook's secret.
    pub events: Vec<String>,
}

impl From<Created> for WebhookOut {
    fn from(c: Created) -> Self {
        let mut out = WebhookOut::from(c.webhook);
        out.secret = Some(c.secret);
        out
    }
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = WebhookList), (status = 403, body = Problem)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<WebhookList>> {
    let items = webhooks::list(&super::ctx(&state, &caller)).await?;
    Ok(Json(WebhookList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Registers an endpoint; the signing secret is in this response. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = CreateWebhookIn,
    responses((status = 201, body = WebhookOut), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: JsonBody<CreateWebhookIn>,
) -> ApiResult<Response> {
    let url = WebhookUrl::parse("url", &body.value.url)?;
    let events = body.value.events.clone();
    super::create_idempotent::<Created, WebhookOut, _, _>(
        &state,
        &caller,
        &headers,
        "webhooks",
        &body.sha256,
        |tag| async {
            webhooks::create(
                &super::ctx(&state, &caller).with_idempotency(tag),
                url,
                events,
            )
            .await
        },
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deactivate", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = WebhookOut), (status = 404, body = Problem)))]
pub async fn deactivate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookOut>> {
    Ok(Json(
        webhooks::deactivate(
            &super::ctx(&state, &caller),
            path_id(&id, WebhookId::parse)?,
        )
        .await?
        .into(),
    ))
}
