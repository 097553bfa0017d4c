//! Hotline and walk-in intake (issue 5): the type-ahead look-up over MIDs, TIDs, SNs, merchant
//! phones and names, and the intake panel of one terminal — its merchant, warranty today, open
//! tickets (the duplicate warning), recently resolved tickets and firmware.
//!
//! Both are staff work: they need `TicketCreate` and `TicketWork` (a merchant user reports
//! through the portal and has no use for the provider's directory) plus the reads of merchants
//! and terminals; each permission is asked of `Principal::authorize`.

use posdesk_core::authz::{Permission, Scope};
use posdesk_core::calendar::LocalDate;
use posdesk_core::ids::{TenantId, TerminalId};
use posdesk_core::registry::terminal::{self as rules, WarrantyState};
use posdesk_core::{FieldError, Rule, Timestamp};
use posdesk_storage::repo::lookup::{
    self as repo, Candidate, LookupKeys, MerchantHit, TicketBrief,
};
use posdesk_storage::repo::{bindings, merchants, terminals, tickets};
use serde::Serialize;

use super::Ctx;
use crate::error::{ApiError, ApiResult};

/// Fewest and most characters of a look-up text.
pub const MIN_QUERY: usize = 2;
pub const MAX_QUERY: usize = 40;

/// How far back the panel lists resolved tickets.
pub const RECENT_DAYS: i64 = 90;

/// A checked look-up text and the keys derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupQuery {
    text: String,
    keys: LookupKeys,
}

impl LookupQuery {
    /// 2–40 characters after trimming, no control characters (`field` names the input).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let text = raw.trim();
        let n = text.chars().count();
        if n == 0 {
            return Err(FieldError::new(field, Rule::Required));
        }
        if n < MIN_QUERY {
            return Err(FieldError::new(field, Rule::TooShort { min: MIN_QUERY }));
        }
        if n > MAX_QUERY {
            return Err(FieldError::new(field, Rule::TooLong { max: MAX_QUERY }));
        }
        if text.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                Rule::Pattern {
                    expected: "text without control characters",
                },
            ));
        }
        let phone_digits = phone_digits(text);
        Ok(Self {
            text: text.to_owned(),
            keys: LookupKeys {
                code: text.to_ascii_uppercase(),
                name: text.to_lowercase(),
                phones: phone_digits
                    .as_deref()
                    .map(phone_prefixes)
                    .unwrap_or_default(),
                phone_digits,
            },
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn keys(&self) -> &LookupKeys {
        &self.keys
    }
}

/// The digits of a text that reads as the start of a phone number (digits, spaces and hyphens,
/// at least two digits; a `+86` / `0086` country prefix dropped), else `None`.
fn phone_digits(text: &str) -> Option<String> {
    let t: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let t = t
        .strip_prefix("+86")
        .or_else(|| t.strip_prefix("0086"))
        .unwrap_or(&t);
    (t.len() >= MIN_QUERY && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.to_owned())
}

/// The stored forms a phone starting with `digits` may take (`registry::Phone` keeps mobiles
/// as 11 digits and landlines as `area-local`, the area code three digits for `010`/`02x` and
/// four otherwise): the digits themselves, and for a leading `0` both hyphen positions.
fn phone_prefixes(digits: &str) -> Vec<String> {
    let mut out = vec![digits.to_owned()];
    if digits.starts_with('0') {
        for area in [3, 4] {
            if digits.len() > area {
                out.push(format!("{}-{}", &digits[..area], &digits[area..]));
            }
        }
    }
    out
}

/// The provider a staff member works for, after every permission intake needs.
fn staff_tenant(ctx: &Ctx<'_>) -> ApiResult<(TenantId, Scope)> {
    let mut scope = None;
    for p in [
        Permission::TicketCreate,
        Permission::TicketWork,
        Permission::MerchantRead,
        Permission::TerminalRead,
    ] {
        scope = Some(ctx.authorize(p)?);
    }
    match scope {
        Some(s @ Scope::Tenant(t)) => Ok((t, s)),
        _ => Err(ApiError::Forbidden(
            "the intake look-up is for a provider's staff".into(),
        )),
    }
}

/// Up to 10 candidates for the text in the caller's provider.
#[tracing::instrument(skip_all, fields(q = q.as_str()))]
pub async fn lookup(ctx: &Ctx<'_>, q: &LookupQuery) -> ApiResult<Vec<Candidate>> {
    let (_, scope) = staff_tenant(ctx)?;
    let keys = q.keys.clone();
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::lookup(c, &scope, &keys).await }))
        .await?)
}

/// The provider's merchant with exactly this MID (the intake form's typed MID), or a 422 on
/// `mid`.
pub async fn merchant_by_mid(ctx: &Ctx<'_>, mid: &str) -> ApiResult<MerchantHit> {
    let (tenant, _) = staff_tenant(ctx)?;
    let mid = mid.trim().to_owned();
    let found = ctx
        .state
        .store
        .read(move |c| Box::pin(async move { repo::merchant_by_mid(c, tenant, &mid).await }))
        .await?;
    found.ok_or_else(|| {
        FieldError::new(
            "mid",
            Rule::Invalid {
                reason: "no merchant with this MID",
            },
        )
        .into()
    })
}

/// The terminal as the panel shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TerminalFacts {
    pub id: TerminalId,
    pub sn: String,
    pub tid: Option<String>,
    pub model: String,
    pub manufacturer: String,
    pub firmware: Option<String>,
    pub status: String,
}

/// The warranty on `on` (today, Asia/Shanghai), by the core's rule
/// (`registry::terminal::warranty_on`) over the recorded install date and warranty end.
#[derive(Debug, Clone, Serialize)]
pub struct WarrantyFacts {
    /// `YYYY-MM-DD`.
    pub install_date: Option<String>,
    pub end: Option<String>,
    pub state: WarrantyState,
    pub on: Option<LocalDate>,
}

/// The current binding's placement.
#[derive(Debug, Clone, Serialize)]
pub struct BindingFacts {
    pub mid: String,
    pub tid: String,
    pub placement_address: String,
    pub started_at: Timestamp,
}

/// Everything the intake panel shows about one terminal.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeSummary {
    pub terminal: TerminalFacts,
    /// The current binding's merchant (else the terminal's recorded merchant).
    pub merchant: Option<MerchantHit>,
    pub binding: Option<BindingFacts>,
    pub warranty: WarrantyFacts,
    /// Active tickets on the terminal: a new one is probably a duplicate.
    pub open_tickets: Vec<TicketBrief>,
    /// Tickets on the terminal resolved or closed in the last [`RECENT_DAYS`] days (the
    /// "recent repairs" until repair orders exist).
    pub recent_resolved: Vec<TicketBrief>,
    pub recent_days: i64,
}

fn brief(t: tickets::Ticket) -> TicketBrief {
    TicketBrief {
        id: t.id,
        number: t.number,
        status: t.status,
        priority: t.priority,
        subject: t.subject,
        created_at: t.created_at,
        resolved_at: t.resolved_at,
    }
}

/// The intake panel of a terminal of the caller's provider (another provider's: 404).
#[tracing::instrument(skip(ctx))]
pub async fn summary(ctx: &Ctx<'_>, terminal: TerminalId) -> ApiResult<IntakeSummary> {
    let (tenant, scope) = staff_tenant(ctx)?;
    let now = posdesk_storage::now();
    let since = Timestamp::from_millis(now.millis() - RECENT_DAYS * 86_400_000);
    let (t, binding, merchant, open, recent) = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                let t = terminals::get(c, &scope, terminal).await?;
                let binding = bindings::current(c, tenant, terminal).await?;
                let merchant_id = binding.as_ref().map(|b| b.merchant_id).or(t.merchant_id);
                let merchant = match merchant_id {
                    Some(m) => Some(merchants::get(c, &scope, m).await?),
                    None => None,
                };
                let open = tickets::open_on_terminal(c, tenant, terminal).await?;
                let recent = repo::recently_resolved(c, tenant, terminal, since, 10).await?;
                Ok((t, binding, merchant, open, recent))
            })
        })
        .await?;
    let on = LocalDate::of_timestamp(now);
    let date = |s: &Option<String>| s.as_deref().and_then(|d| LocalDate::parse(d).ok());
    let state = match on {
        Some(on) => rules::warranty_on(date(&t.install_date), date(&t.warranty_end), on),
        None => WarrantyState::Unknown,
    };
    Ok(IntakeSummary {
        merchant: merchant.map(|m| MerchantHit {
            id: m.id,
            mid: m.mid,
            name: m.name,
            phone: m.contact_phone,
        }),
        binding: binding.map(|b| BindingFacts {
            mid: b.mid,
            tid: b.tid,
            placement_address: b.placement_address,
            started_at: b.started_at,
        }),
        warranty: WarrantyFacts {
            install_date: t.install_date.clone(),
            end: t.warranty_end.clone(),
            state,
            on,
        },
        open_tickets: open.into_iter().map(brief).collect(),
        recent_resolved: recent,
        recent_days: RECENT_DAYS,
        terminal: TerminalFacts {
            id: t.id,
            sn: t.sn,
            tid: t.tid,
            model: t.model,
            manufacturer: t.manufacturer,
            firmware: t.firmware,
            status: t.status,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_length_is_checked_on_the_trimmed_text() {
        let e = LookupQuery::parse("q", " 1 ").unwrap_err();
        assert_eq!((e.field.as_str(), e.rule.code()), ("q", "too_short"));
        assert_eq!(
            LookupQuery::parse("q", "  ").unwrap_err().rule.code(),
            "required"
        );
        let long = "1".repeat(41);
        assert_eq!(
            LookupQuery::parse("q", &long).unwrap_err().rule.code(),
            "too_long"
        );
        assert_eq!(
            LookupQuery::parse("q", "a\u{7}").unwrap_err().rule.code(),
            "pattern"
        );
        assert_eq!(LookupQuery::parse("q", "便利").unwrap().as_str(), "便利");
    }

    #[test]
    fn keys_cover_every_stored_phone_form() {
        let q = LookupQuery::parse("q", "0106-234").unwrap();
        assert_eq!(q.keys().code, "0106-234");
        assert_eq!(q.keys().phone_digits.as_deref(), Some("0106234"));
        assert_eq!(q.keys().phones, ["0106234", "010-6234", "0106-234"]);
        let m = LookupQuery::parse("q", "+86 138 0571").unwrap();
        assert_eq!(m.keys().phones, ["1380571"]);
        let name = LookupQuery::parse("q", "Star便利").unwrap();
        assert_eq!(name.keys().name, "star便利");
        assert_eq!(name.keys().code, "STAR便利");
        assert!(name.keys().phones.is_empty());
    }
}
