//! Error policy for the HTTP layer, written once:
//!
//! * Every error answers `application/problem+json` (RFC 9457) with `type`, `title`, `status`,
//!   `detail`, and for input errors `field` and `rule`, so a client knows which field broke
//!   which rule.
//! * 400 malformed syntax (JSON, cursor, headers); 401 no or bad credentials; 403 authenticated
//!   but not allowed; 404 not found *or in another tenant* (cross-tenant ids never answer 403, so
//!   ids cannot be probed); 409 state conflicts (duplicates, illegal transitions, stale versions
//!   without `If-Match`); 412 stale `If-Match`; 413 body too large; 415 wrong content type;
//!   422 well-formed input that breaks a rule; 429 throttled; 503 storage unavailable.
//! * Internal errors are logged once here with the request id and answered with a generic 500;
//!   no database text reaches the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::FieldError;
use posdesk_core::authz::Denied;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(FieldError),
    #[error("{0}")]
    Invalid(FieldError),
    #[error("{detail}")]
    Conflict {
        detail: String,
        field: Option<String>,
    },
    #[error("the record changed since you read it (current version {current})")]
    PreconditionFailed { current: i64 },
    #[error("request body too large (limit {limit} bytes)")]
    TooLarge { limit: usize },
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("too many attempts; try again later")]
    TooManyRequests,
    #[error("service temporarily unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal(String),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn invalid(field: &str, rule: posdesk_core::Rule) -> Self {
        ApiError::Invalid(FieldError::new(field, rule))
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (field, rule) = match self {
            ApiError::BadRequest(f) | ApiError::Invalid(f) => {
                (Some(f.field.clone()), Some(f.rule.code().to_owned()))
            }
            ApiError::Conflict { field, .. } => {
                (field.clone(), field.as_ref().map(|_| "unique".to_owned()))
            }
            _ => (None, None),
        };
        let slug = match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound => "not-found",
            ApiError::BadRequest(_) => "bad-request",
            ApiError::Invalid(_) => "validation",
            ApiError::Conflict { .. } => "conflict",
            ApiError::PreconditionFailed { .. } => "stale-version",
            ApiError::TooLarge { .. } => "too-large",
            ApiError::UnsupportedMediaType => "unsupported-media-type",
            ApiError::TooManyRequests => "throttled",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal(_) => "internal",
        };
        Problem {
            kind: format!("https://posdesk.dev/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            field,
            rule,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let status = self.status();
        let mut res = (status, axum::Json(self.problem())).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        ApiError::Forbidden(d.to_string())
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Invalid(e)
    }
}

impl From<posdesk_storage::Error> for ApiError {
    fn from(e: posdesk_storage::Error) -> Self {
        use posdesk_storage::Error as E;
        match e {
            E::NotFound => ApiError::NotFound,
            E::Unique { columns } => {
                let field = columns
                    .rsplit(", ")
                    .next()
                    .unwrap_or(&columns)
                    .trim()
                    .to_owned();
                ApiError::Conflict {
                    detail: format!("{field} is already taken"),
                    field: Some(field),
                }
            }
            E::Stale { current } => ApiError::PreconditionFailed { current },
            E::Illegal(t) => ApiError::Conflict {
                detail: t.to_string(),
                field: Some("status".into()),
            },
            E::Invalid(f) => ApiError::Invalid(f),
            E::Rejected(msg) => ApiError::Conflict {
                detail: msg,
                field: None,
            },
            E::IdempotencyReplay => ApiError::Conflict {
                detail: "the Idempotency-Key was already used".into(),
                field: None,
            },
            E::Transient(_) | E::Unavailable => ApiError::Unavailable,
            E::Deferred(inner) => ApiError::from(*inner),
            E::Backend(msg) => ApiError::Internal(msg),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
