//! The portable value model. Both backends store only these four kinds: integers (ids of counters,
//! UTC milliseconds, money in fen, flags), text (UUIDs, codes, JSON), blobs and NULL. Keeping the
//! set this small is what lets one SQL text and one repository function serve both engines.

use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
impl From<posdesk_core::Timestamp> for Value {
    fn from(v: posdesk_core::Timestamp) -> Self {
        Value::Int(v.millis())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

macro_rules! id_values {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::Text(v.to_string())
            }
        }
    )*};
}
id_values!(
    posdesk_core::ids::TenantId,
    posdesk_core::ids::UserId,
    posdesk_core::ids::MerchantId,
    posdesk_core::ids::TerminalId,
    posdesk_core::ids::TokenId,
    posdesk_core::ids::AnnouncementId,
    posdesk_core::ids::ServicePointId,
    posdesk_core::ids::WebhookId,
    posdesk_core::ids::ApplicationId,
    posdesk_core::ids::DocumentId,
    posdesk_core::ids::TicketId,
    posdesk_core::ids::MessageId,
    posdesk_core::ids::AttachmentId,
    posdesk_core::ids::ComplaintId,
    posdesk_core::ids::EvidenceId,
    posdesk_core::ids::RepairId,
    posdesk_core::ids::QuoteId
);

/// Builds a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { vec![$($crate::Value::from($v)),*] };
}

/// One result row, read by column index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> Result<&Value> {
        self.0
            .get(i)
            .ok_or_else(|| Error::Backend(format!("column {i} out of range")))
    }
    pub fn int(&self, i: usize) -> Result<i64> {
        match self.at(i)? {
            Value::Int(v) => Ok(*v),
            other => Err(Error::Backend(format!(
                "column {i}: expected integer, found {other:?}"
            ))),
        }
    }
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }
    pub fn text(&self, i: usize) -> Result<String> {
        match self.at(i)? {
            Value::Text(v) => Ok(v.clone()),
            other => Err(Error::Backend(format!(
                "column {i}: expected text, found {other:?}"
            ))),
        }
    }
    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }
    pub fn blob(&self, i: usize) -> Result<Vec<u8>> {
        match self.at(i)? {
            Value::Blob(v) => Ok(v.clone()),
            other => Err(Error::Backend(format!(
                "column {i}: expected blob, found {other:?}"
            ))),
        }
    }
    pub fn bool(&self, i: usize) -> Result<bool> {
        self.int(i).map(|v| v != 0)
    }
    pub fn ts(&self, i: usize) -> Result<posdesk_core::Timestamp> {
        self.int(i).map(posdesk_core::Timestamp::from_millis)
    }
    pub fn opt_ts(&self, i: usize) -> Result<Option<posdesk_core::Timestamp>> {
        self.opt_int(i)
            .map(|o| o.map(posdesk_core::Timestamp::from_millis))
    }
    pub fn values(&self) -> &[Value] {
        &self.0
    }
}

/// Parses a stored id column back into its newtype; a malformed stored id is a backend fault.
pub fn parse_id<T>(
    row: &Row,
    i: usize,
    parse: fn(&str, &str) -> std::result::Result<T, posdesk_core::FieldError>,
) -> Result<T> {
    let s = row.text(i)?;
    parse("id", &s).map_err(|e| Error::Backend(format!("stored id in column {i}: {e}")))
}

pub fn parse_opt_id<T>(
    row: &Row,
    i: usize,
    parse: fn(&str, &str) -> std::result::Result<T, posdesk_core::FieldError>,
) -> Result<Option<T>> {
    match row.opt_text(i)? {
        None => Ok(None),
        Some(s) => parse("id", &s)
            .map(Some)
            .map_err(|e| Error::Backend(format!("stored id in column {i}: {e}"))),
    }
}
