//! Text newtypes: once you hold one, it is valid. `parse` is the only constructor.

use serde::Serialize;

use crate::{FieldError, Rule};

pub(crate) fn bounded(
    field: &str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, FieldError> {
    let t = raw.trim();
    let n = t.chars().count();
    if n == 0 && min > 0 {
        return Err(FieldError::new(field, Rule::Required));
    }
    if n < min {
        return Err(FieldError::new(field, Rule::TooShort { min }));
    }
    if n > max {
        return Err(FieldError::new(field, Rule::TooLong { max }));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            Rule::Invalid {
                reason: "control characters",
            },
        ));
    }
    Ok(t.to_owned())
}

macro_rules! text_type {
    ($(#[$m:meta])* $name:ident, $min:expr, $max:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;
            pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
                $crate::text::bounded(field, raw, $min, $max).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use text_type;

text_type!(
    /// A person's or organisation's display name (Chinese or Latin).
    DisplayName, 1, 100
);
text_type!(Title, 1, 200);
text_type!(Body, 1, 20_000);
text_type!(Label, 1, 100);

/// A login name: 3–64 of `a-z 0-9 . _ -`, starting with a letter or digit; lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Login(String);

impl Login {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim().to_ascii_lowercase();
        if t.is_empty() {
            return Err(FieldError::new(field, Rule::Required));
        }
        if t.len() < 3 {
            return Err(FieldError::new(field, Rule::TooShort { min: 3 }));
        }
        if t.len() > 64 {
            return Err(FieldError::new(field, Rule::TooLong { max: 64 }));
        }
        let ok_first = t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let ok_rest = t
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !ok_first || !ok_rest {
            return Err(FieldError::new(
                field,
                Rule::Pattern {
                    expected: "letters a-z, digits and . _ - starting with a letter or digit",
                },
            ));
        }
        Ok(Self(t))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address: one `@`, a dot in the domain, no spaces, at most 254 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(FieldError::new(field, Rule::Required));
        }
        if t.len() > 254 {
            return Err(FieldError::new(field, Rule::TooLong { max: 254 }));
        }
        let valid = match t.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !t.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err(FieldError::new(
                field,
                Rule::Pattern {
                    expected: "an e-mail address like name@example.com",
                },
            ));
        }
        Ok(Self(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 10–128 characters, not all the same character. Never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let n = raw.chars().count();
        if n == 0 {
            return Err(FieldError::new(field, Rule::Required));
        }
        if n < 10 {
            return Err(FieldError::new(field, Rule::TooShort { min: 10 }));
        }
        if n > 128 {
            return Err(FieldError::new(field, Rule::TooLong { max: 128 }));
        }
        let mut chars = raw.chars();
        let first = chars.next();
        if chars.all(|c| Some(c) == first) {
            return Err(FieldError::new(
                field,
                Rule::Invalid {
                    reason: "all characters are the same",
                },
            ));
        }
        Ok(Self(raw.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A URL for outgoing webhooks: http(s) only, at most 2000 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(FieldError::new(field, Rule::Required));
        }
        if t.len() > 2000 {
            return Err(FieldError::new(field, Rule::TooLong { max: 2000 }));
        }
        let rest = t
            .strip_prefix("https://")
            .or_else(|| t.strip_prefix("http://"));
        match rest {
            Some(r)
                if !r.is_empty() && !r.starts_with('/') && !t.chars().any(char::is_whitespace) =>
            {
                Ok(Self(t.to_owned()))
            }
            _ => Err(FieldError::new(
                field,
                Rule::Pattern {
                    expected: "an http:// or https:// URL",
                },
            )),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_text_counts_characters_not_bytes() {
        let hundred_han: String = "商".repeat(100);
        assert!(DisplayName::parse("name", &hundred_han).is_ok());
        let err = DisplayName::parse("name", &"商".repeat(101)).unwrap_err();
        assert_eq!(err.rule, Rule::TooLong { max: 100 });
        assert_eq!(
            DisplayName::parse("name", "   ").unwrap_err().rule,
            Rule::Required
        );
        assert_eq!(
            DisplayName::parse("name", " 张三 ").unwrap().as_str(),
            "张三"
        );
        assert_eq!(
            Title::parse("title", "a\u{0}b").unwrap_err().rule.code(),
            "invalid"
        );
    }

    #[test]
    fn login_rules() {
        assert_eq!(
            Login::parse("login", "Agent.Wang").unwrap().as_str(),
            "agent.wang"
        );
        assert_eq!(
            Login::parse("login", "ab").unwrap_err().rule,
            Rule::TooShort { min: 3 }
        );
        assert_eq!(
            Login::parse("login", "-abc").unwrap_err().rule.code(),
            "pattern"
        );
        assert_eq!(
            Login::parse("login", "张三丰").unwrap_err().rule.code(),
            "pattern"
        );
    }

    #[test]
    fn email_and_password_and_url() {
        assert!(Email::parse("email", "li.na@example.cn").is_ok());
        for bad in ["", "no-at", "a@b", "a@@b.cn", "a b@c.cn", "a@.cn"] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
        assert!(NewPassword::parse("password", "correct horse").is_ok());
        assert_eq!(
            NewPassword::parse("password", "short").unwrap_err().rule,
            Rule::TooShort { min: 10 }
        );
        assert_eq!(
            NewPassword::parse("password", "aaaaaaaaaaaa")
                .unwrap_err()
                .rule
                .code(),
            "invalid"
        );
        assert_eq!(
            format!("{:?}", NewPassword::parse("p", "secret-secret").unwrap()),
            "NewPassword(***)"
        );
        assert!(WebhookUrl::parse("url", "https://hooks.example.cn/posdesk").is_ok());
        assert!(WebhookUrl::parse("url", "ftp://x").is_err());
        assert!(WebhookUrl::parse("url", "https://").is_err());
    }
}
