//! Cursor pagination: lists are ordered by (created_at DESC, id DESC); the cursor is the last
//! row's key, opaque to clients (hex of `millis:id`).

use crate::{FieldError, Rule};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        hex::encode(format!("{}:{}", self.at, self.id))
    }
    pub fn decode(field: &str, s: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                Rule::Invalid {
                    reason: "not a cursor returned by this API",
                },
            )
        };
        let bytes = hex::decode(s).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let (at, id) = text.split_once(':').ok_or_else(bad)?;
        if id.is_empty() || id.len() > 64 {
            return Err(bad());
        }
        Ok(Self {
            at: at.parse().map_err(|_| bad())?,
            id: id.to_owned(),
        })
    }
}

/// A page request: at most `limit` rows after `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, FieldError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=i64::from(MAX_LIMIT)).contains(&n) => n as u32,
            Some(_) => {
                return Err(FieldError::new(
                    "limit",
                    Rule::Range {
                        min: 1,
                        max: i64::from(MAX_LIMIT),
                    },
                ));
            }
        };
        let after = cursor
            .filter(|c| !c.is_empty())
            .map(|c| Cursor::decode("cursor", c))
            .transpose()?;
        Ok(Self { limit, after })
    }
    pub fn first(limit: u32) -> Self {
        Self { limit, after: None }
    }
}

/// One page of results and the cursor for the next, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only signals "more".
    pub fn from_overfetch(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> Cursor) -> Self {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = if more { rows.last().map(key) } else { None };
        Self { items: rows, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_roundtrip_and_rejects_garbage() {
        let c = Cursor {
            at: 1_700_000_000_000,
            id: "abc".into(),
        };
        assert_eq!(Cursor::decode("cursor", &c.encode()).unwrap(), c);
        for bad in ["zz", "", "6162", "3a616263"] {
            assert!(Cursor::decode("cursor", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(
            PageRequest::parse(Some(0), None).unwrap_err().rule.code(),
            "range"
        );
        assert_eq!(
            PageRequest::parse(Some(201), None).unwrap_err().field,
            "limit"
        );
        let p = Page::from_overfetch(vec![1, 2, 3], 2, |n| Cursor {
            at: *n,
            id: n.to_string(),
        });
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next.unwrap().at, 2);
        let p = Page::from_overfetch(vec![1, 2], 2, |n| Cursor {
            at: *n,
            id: n.to_string(),
        });
        assert!(p.next.is_none());
    }
}
