//! Validation errors that name the field and the rule it broke.

use serde::Serialize;

/// The rule an input broke. Rendered to clients as a stable machine code plus a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    Required,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    Pattern {
        expected: &'static str,
    },
    OneOf {
        allowed: Vec<&'static str>,
    },
    Range {
        min: i64,
        max: i64,
    },
    Invalid {
        reason: &'static str,
    },
    /// A line of an uploaded text (schedule, CSV, iCal) broke the rule described.
    Line {
        line: usize,
        message: String,
    },
}

impl Rule {
    pub fn code(&self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::TooShort { .. } => "too_short",
            Rule::TooLong { .. } => "too_long",
            Rule::Pattern { .. } => "pattern",
            Rule::OneOf { .. } => "one_of",
            Rule::Range { .. } => "range",
            Rule::Invalid { .. } => "invalid",
            Rule::Line { .. } => "invalid_line",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rule::Required => write!(f, "is required"),
            Rule::TooShort { min } => write!(f, "must be at least {min} characters"),
            Rule::TooLong { max } => write!(f, "must be at most {max} characters"),
            Rule::Pattern { expected } => write!(f, "must be {expected}"),
            Rule::OneOf { allowed } => write!(f, "must be one of: {}", allowed.join(", ")),
            Rule::Range { min, max } => write!(f, "must be between {min} and {max}"),
            Rule::Invalid { reason } => write!(f, "is invalid: {reason}"),
            Rule::Line { line, message } => write!(f, "is invalid on line {line}: {message}"),
        }
    }
}

/// One field failed one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field} {rule}")]
pub struct FieldError {
    pub field: String,
    #[serde(flatten)]
    pub rule: Rule,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }
}
