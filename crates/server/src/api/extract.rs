//! Request extractors for the JSON API; each rejects bad input with a problem+json error that
//! names the field and the rule.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use posdesk_core::page::PageRequest;
use posdesk_core::{FieldError, Rule};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body: `Content-Type: application/json`, at most the configured size, valid UTF-8 JSON,
/// matching `T` exactly (DTOs deny unknown fields). Keeps the body's SHA-256 for idempotency.
pub struct JsonBody<T> {
    pub value: T,
    pub sha256: String,
}

fn bad_request(reason: &'static str) -> ApiError {
    ApiError::BadRequest(FieldError::new("body", Rule::Invalid { reason }))
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = state.config.max_body_bytes;
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| ApiError::TooLarge { limit })?;
        parse_json(&bytes)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &Bytes) -> Result<JsonBody<T>, ApiError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(bad_request("not valid UTF-8"));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                bad_request("malformed JSON")
            }
            serde_json::error::Category::Io => bad_request("unreadable body"),
            serde_json::error::Category::Data => {
                let msg = inner.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
                let quoted = msg.split('`').nth(1).map(str::to_owned);
                if msg.starts_with("unknown field") {
                    let f = quoted.unwrap_or_else(|| path.clone());
                    ApiError::Invalid(FieldError::new(
                        f,
                        Rule::Invalid {
                            reason: "unknown field",
                        },
                    ))
                } else if msg.starts_with("missing field") {
                    ApiError::Invalid(FieldError::new(quoted.unwrap_or(path), Rule::Required))
                } else {
                    let field = if path == "." { "body".to_owned() } else { path };
                    ApiError::Invalid(FieldError::new(
                        field,
                        Rule::Invalid {
                            reason: type_reason(&msg),
                        },
                    ))
                }
            }
        }
    })?;
    Ok(JsonBody {
        value,
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

fn type_reason(msg: &str) -> &'static str {
    if msg.contains("expected a string") || msg.contains("expected a borrowed string") {
        "must be a string"
    } else if msg.contains("expected i64") || msg.contains("expected u") || msg.contains("integer")
    {
        "must be an integer"
    } else if msg.contains("expected a boolean") {
        "must be true or false"
    } else if msg.contains("unknown variant") {
        "is not one of the allowed values"
    } else if msg.contains("expected a sequence") {
        "must be an array"
    } else {
        "has the wrong type"
    }
}

/// `If-Match: "N"` (or `W/"N"`): the version the client read. Absent means "no check".
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(v) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let s = v.to_str().unwrap_or("").trim();
        let s = s.strip_prefix("W/").unwrap_or(s);
        let n = s.trim_matches('"').parse::<i64>().map_err(|_| {
            ApiError::BadRequest(FieldError::new(
                "If-Match",
                Rule::Pattern {
                    expected: "an ETag like \"3\"",
                },
            ))
        })?;
        Ok(IfMatch(Some(n)))
    }
}

/// The query string as pairs, with a 400 on malformed encoding.
pub struct QueryMap(pub Vec<(String, String)>);

impl QueryMap {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn page(&self) -> Result<PageRequest, ApiError> {
        let limit = match self.get("limit") {
            None => None,
            Some(l) => Some(l.parse::<i64>().map_err(|_| {
                ApiError::BadRequest(FieldError::new(
                    "limit",
                    Rule::Pattern {
                        expected: "an integer",
                    },
                ))
            })?),
        };
        PageRequest::parse(limit, self.get("cursor")).map_err(|e| match e.field.as_str() {
            "cursor" => ApiError::BadRequest(e),
            _ => ApiError::Invalid(e),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .map(QueryMap)
            .map_err(|_| {
                ApiError::BadRequest(FieldError::new(
                    "query",
                    Rule::Invalid {
                        reason: "malformed query string",
                    },
                ))
            })
    }
}

/// The `Idempotency-Key` header, if any: 1–200 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or("");
    if s.is_empty() || s.len() > 200 || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::BadRequest(FieldError::new(
            "Idempotency-Key",
            Rule::Pattern {
                expected: "1-200 visible ASCII characters",
            },
        )));
    }
    Ok(Some(s.to_owned()))
}

/// Parses a path id; a malformed one is a 404 like any unknown id.
pub fn path_id<T>(
    raw: &str,
    parse: fn(&str, &str) -> Result<T, FieldError>,
) -> Result<T, ApiError> {
    parse("id", raw).map_err(|_| ApiError::NotFound)
}

/// A `YYYY-MM-DD` date, or a `pattern` error naming `field`.
pub fn parse_date(field: &str, s: &str) -> Result<posdesk_core::calendar::LocalDate, ApiError> {
    posdesk_core::calendar::LocalDate::parse(s).map_err(|_| {
        ApiError::Invalid(FieldError::new(
            field,
            Rule::Pattern {
                expected: "a date YYYY-MM-DD",
            },
        ))
    })
}
