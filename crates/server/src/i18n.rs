//! Message catalogues (Fluent): `locales/zh-CN/main.ftl` (default) and `locales/en/main.ftl`,
//! compiled into the binary. Every user-visible string of the web UI and of e-mails comes from
//! here; a test checks both catalogues have the same keys.

use fluent_templates::{Loader, static_loader};
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, posdesk_core::FieldError> {
        match s {
            "zh-CN" | "zh" | "zh-cn" => Ok(Locale::ZhCn),
            "en" | "en-US" | "en-GB" => Ok(Locale::En),
            _ => Err(posdesk_core::FieldError::new(
                field,
                posdesk_core::Rule::OneOf {
                    allowed: vec!["zh-CN", "en"],
                },
            )),
        }
    }

    /// Best match for an `Accept-Language` header; Chinese unless English is preferred.
    pub fn from_accept_language(h: Option<&str>) -> Self {
        let Some(h) = h else { return Locale::ZhCn };
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("zh") {
                return Locale::ZhCn;
            }
            if tag.starts_with("en") {
                return Locale::En;
            }
        }
        Locale::ZhCn
    }

    fn langid(self) -> fluent_templates::LanguageIdentifier {
        match self {
            Locale::ZhCn => fluent_templates::langid!("zh-CN"),
            Locale::En => fluent_templates::langid!("en"),
        }
    }
}

/// A translator bound to one locale; templates call `tr.t("key")`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn new(locale: Locale) -> Self {
        Self { locale }
    }

    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(&self.locale.langid(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// A message with named arguments.
    pub fn ta(&self, key: &str, args: &[(&str, String)]) -> String {
        let map: HashMap<
            std::borrow::Cow<'static, str>,
            fluent_templates::fluent_bundle::FluentValue<'_>,
        > = args
            .iter()
            .map(|(k, v)| (std::borrow::Cow::Owned((*k).to_owned()), v.clone().into()))
            .collect();
        LOCALES
            .try_lookup_complete(&self.locale.langid(), key, Some(&map))
            .unwrap_or_else(|| key.to_owned())
    }

    pub fn role(&self, r: posdesk_core::authz::Role) -> String {
        self.t(&format!("role-{}", r.code().replace('_', "-")))
    }
}
