//! The API's representation of records (what clients see), separate from storage types.

use posdesk_core::Timestamp;
use posdesk_storage::repo::{
    announcements, merchants, providers, terminals, tokens, users, webhooks,
};
use serde::Serialize;
use utoipa::ToSchema;

fn ts(t: Timestamp) -> String {
    t.to_rfc3339()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub provider_id: Option<String>,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub merchant_id: Option<String>,
    pub terminal_id: Option<String>,
    pub locale: String,
    pub status: String,
    pub totp_enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl From<users::User> for UserOut {
    fn from(u: users::User) -> Self {
        Self {
            id: u.id.to_string(),
            provider_id: u.tenant_id.map(|t| t.to_string()),
            login: u.login,
            display_name: u.display_name,
            email: u.email,
            role: u.role.code().into(),
            merchant_id: u.merchant_id.map(|m| m.to_string()),
            terminal_id: u.terminal_id.map(|t| t.to_string()),
            locale: u.locale,
            status: u.status.code().into(),
            totp_enabled: u.totp_enabled,
            created_at: ts(u.created_at),
            updated_at: ts(u.updated_at),
            version: u.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderOut {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub uscc: Option<String>,
    pub hotline: Option<String>,
    pub status: String,
    pub created_at: String,
    pub version: i64,
}

impl From<providers::Provider> for ProviderOut {
    fn from(p: providers::Provider) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            short_name: p.short_name,
            uscc: p.uscc,
            hotline: p.hotline,
            status: p.status,
            created_at: ts(p.created_at),
            version: p.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MerchantOut {
    pub id: String,
    pub provider_id: String,
    pub name: String,
    pub mid: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub status: String,
    pub created_at: String,
    pub version: i64,
    /// `company`, `individual` or `micro`.
    pub kind: Option<String>,
    /// `uscc` or `resident_id`.
    pub identity_kind: Option<String>,
    /// The USCC, or the owner's resident ID — masked (`110***********002X`) for roles that
    /// may not see it in full.
    pub identity: Option<String>,
    /// `low`, `medium` or `high`.
    pub risk_level: Option<String>,
    pub division_code: Option<String>,
}

impl From<merchants::Merchant> for MerchantOut {
    fn from(m: merchants::Merchant) -> Self {
        Self {
            id: m.id.to_string(),
            provider_id: m.tenant_id.to_string(),
            name: m.name,
            mid: m.mid,
            contact_name: m.contact_name,
            contact_phone: m.contact_phone,
            address: m.address,
            status: m.status,
            created_at: ts(m.created_at),
            version: m.version,
            kind: m.kind,
            identity_kind: m.id_kind,
            identity: m.id_number,
            risk_level: m.risk_level,
            division_code: m.division_code,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerminalOut {
    pub id: String,
    pub provider_id: String,
    pub merchant_id: Option<String>,
    pub sn: String,
    pub tid: Option<String>,
    pub model: String,
    pub manufacturer: String,
    pub firmware: Option<String>,
    pub status: String,
    pub created_at: String,
    pub version: i64,
    /// `YYYY-MM-DD`.
    pub install_date: Option<String>,
    pub warranty_end: Option<String>,
    pub installed_address: Option<String>,
}

impl From<terminals::Terminal> for TerminalOut {
    fn from(t: terminals::Terminal) -> Self {
        Self {
            id: t.id.to_string(),
            provider_id: t.tenant_id.to_string(),
            merchant_id: t.merchant_id.map(|m| m.to_string()),
            sn: t.sn,
            tid: t.tid,
            model: t.model,
            manufacturer: t.manufacturer,
            firmware: t.firmware,
            status: t.status,
            created_at: ts(t.created_at),
            version: t.version,
            install_date: t.install_date,
            warranty_end: t.warranty_end,
            installed_address: t.installed_address,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementOut {
    pub id: String,
    pub provider_id: String,
    pub title: String,
    pub body: String,
    /// `staff` or `merchants`
    pub audience: String,
    /// `draft`, `published` or `archived`
    pub status: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub version: i64,
}

impl From<announcements::Announcement> for AnnouncementOut {
    fn from(a: announcements::Announcement) -> Self {
        Self {
            id: a.id.to_string(),
            provider_id: a.tenant_id.to_string(),
            title: a.title,
            body: a.body,
            audience: a.audience.code().into(),
            status: a.status.code().into(),
            created_by: a.created_by,
            created_at: ts(a.created_at),
            updated_at: ts(a.updated_at),
            published_at: a.published_at.map(ts),
            version: a.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: String,
    pub user_id: String,
    pub role: String,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
    /// The bearer secret: only in the response that created the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<tokens::ApiToken> for TokenOut {
    fn from(t: tokens::ApiToken) -> Self {
        Self {
            id: t.id.to_string(),
            user_id: t.user_id.to_string(),
            role: t.role.code().into(),
            name: t.name,
            prefix: t.prefix,
            created_at: ts(t.created_at),
            expires_at: t.expires_at.map(ts),
            revoked_at: t.revoked_at.map(ts),
            last_used_at: t.last_used_at.map(ts),
            secret: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOut {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: String,
    pub version: i64,
    /// The HMAC-SHA256 signing secret: only in the response that created the webhook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<webhooks::Webhook> for WebhookOut {
    fn from(w: webhooks::Webhook) -> Self {
        Self {
            id: w.id.to_string(),
            url: w.url,
            events: w.events,
            active: w.active,
            created_at: ts(w.created_at),
            version: w.version,
            secret: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub chain: String,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub actor_role: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
    pub request_id: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<posdesk_core::audit::StoredEvent> for AuditEventOut {
    fn from(e: posdesk_core::audit::StoredEvent) -> Self {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        Self {
            chain: e.chain,
            seq: e.seq,
            at: ts(e.at),
            actor: e.actor,
            actor_role: e.actor_role,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            action: e.action,
            before: parse(e.before),
            after: parse(e.after),
            request_id: e.request_id,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

macro_rules! page_type {
    ($name:ident, $item:ty) => {
        /// One page; pass `next_cursor` as `cursor` to get the next (absent on the last page).
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            pub next_cursor: Option<String>,
        }

        impl<T: Into<$item>> From<posdesk_core::page::Page<T>> for $name {
            fn from(p: posdesk_core::page::Page<T>) -> Self {
                Self {
                    items: p.items.into_iter().map(Into::into).collect(),
                    next_cursor: p.next.map(|c| c.encode()),
                }
            }
        }
    };
}

page_type!(UserPage, UserOut);
page_type!(MerchantPage, MerchantOut);
page_type!(TerminalPage, TerminalOut);
page_type!(AnnouncementPage, AnnouncementOut);
page_type!(AuditPage, AuditEventOut);

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderList {
    pub items: Vec<ProviderOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookOut>,
}
