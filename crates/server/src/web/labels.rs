//! Localised names of codes (statuses, audiences, fields, rules, audit actions) and of service
//! errors. Each key is written out literally so `tests/i18n.rs` can find it.

use posdesk_core::Rule;
use posdesk_core::calendar::{DayHours, DayOverride, Weekday};
use posdesk_core::lifecycle::{AccountStatus, AnnouncementStatus, Audience};

use crate::error::ApiError;
use crate::i18n::{Locale, Tr};

/// `¥12.34` from exact fen (never a float).
pub fn yuan(fen: i64) -> String {
    posdesk_core::registry::Fen::new("fen", fen).map_or_else(|_| fen.to_string(), |f| f.to_string())
}

/// `12.34`, for a form field in yuan.
pub fn yuan_plain(fen: i64) -> String {
    posdesk_core::registry::Fen::new("fen", fen)
        .map_or_else(|_| fen.to_string(), |f| f.yuan_string())
}

pub fn account_status(tr: &Tr, s: AccountStatus) -> String {
    match s {
        AccountStatus::Active => tr.t("status-active"),
        AccountStatus::Disabled => tr.t("status-disabled"),
    }
}

pub fn announcement_status(tr: &Tr, s: AnnouncementStatus) -> String {
    match s {
        AnnouncementStatus::Draft => tr.t("status-draft"),
        AnnouncementStatus::Published => tr.t("status-published"),
        AnnouncementStatus::Archived => tr.t("status-archived"),
    }
}

pub fn audience(tr: &Tr, a: Audience) -> String {
    match a {
        Audience::Staff => tr.t("audience-staff"),
        Audience::Merchants => tr.t("audience-merchants"),
    }
}

pub fn locale_name(tr: &Tr, l: Locale) -> String {
    match l {
        Locale::ZhCn => tr.t("lang-zh"),
        Locale::En => tr.t("lang-en"),
    }
}

/// Provider, merchant and terminal records carry a status code; unknown codes show as stored.
pub fn record_status(tr: &Tr, code: &str) -> String {
    match code {
        "active" => tr.t("status-active"),
        "disabled" => tr.t("status-disabled"),
        "suspended" => tr.t("status-suspended"),
        "in_stock" => tr.t("status-in-stock"),
        "installed" => tr.t("status-installed"),
        "in_repair" => tr.t("status-in-repair"),
        "loaner" => tr.t("status-loaner"),
        "retired" => tr.t("status-retired"),
        other => other.to_owned(),
    }
}

/// A role code as recorded in the audit trail (`system` for jobs and the CLI).
pub fn actor_role(tr: &Tr, code: &str) -> String {
    match posdesk_core::authz::Role::parse("role", code) {
        Ok(r) => tr.role(r),
        Err(_) if code == "system" => tr.t("role-system"),
        Err(_) => code.to_owned(),
    }
}

pub fn entity_type(tr: &Tr, code: &str) -> String {
    match code {
        "user" => tr.t("entity-user"),
        "provider" => tr.t("entity-provider"),
        "announcement" => tr.t("entity-announcement"),
        "api_token" => tr.t("entity-api-token"),
        "merchant" => tr.t("entity-merchant"),
        "terminal" => tr.t("entity-terminal"),
        "webhook" => tr.t("entity-webhook"),
        "holiday_year" => tr.t("entity-holiday-year"),
        "calendar" => tr.t("entity-calendar"),
        "calendar_day" => tr.t("entity-calendar-day"),
        other => other.to_owned(),
    }
}

/// The entity types the audit browser offers as a filter.
pub const ENTITY_TYPES: [&str; 10] = [
    "user",
    "provider",
    "announcement",
    "api_token",
    "merchant",
    "terminal",
    "webhook",
    "holiday_year",
    "calendar",
    "calendar_day",
];

pub fn action(tr: &Tr, code: &str) -> String {
    match code {
        "create" => tr.t("action-create"),
        "update" => tr.t("action-update"),
        "disable" => tr.t("action-disable"),
        "enable" => tr.t("action-enable"),
        "reset_password" => tr.t("action-reset-password"),
        "change_password" => tr.t("action-change-password"),
        "enable_totp" => tr.t("action-enable-totp"),
        "disable_totp" => tr.t("action-disable-totp"),
        "login" => tr.t("action-login"),
        "login_password" => tr.t("action-login-password"),
        "logout" => tr.t("action-logout"),
        "publish" => tr.t("action-publish"),
        "archive" => tr.t("action-archive"),
        "revoke" => tr.t("action-revoke"),
        "deactivate" => tr.t("action-deactivate"),
        "replace" => tr.t("action-replace"),
        "remove" => tr.t("action-remove"),
        other => other.to_owned(),
    }
}

/// The actions the audit browser offers as a filter.
pub const ACTIONS: [&str; 17] = [
    "create",
    "update",
    "disable",
    "enable",
    "reset_password",
    "change_password",
    "enable_totp",
    "disable_totp",
    "login",
    "login_password",
    "logout",
    "publish",
    "archive",
    "revoke",
    "deactivate",
    "replace",
    "remove",
];

/// The label of a form field named in a validation error.
pub fn field(tr: &Tr, name: &str) -> String {
    match name {
        "login" => tr.t("field-login"),
        "rental_fen_per_month" => tr.t("binding-rental"),
        "deposit_fen" => tr.t("binding-deposit"),
        "display_name" => tr.t("field-display-name"),
        "email" => tr.t("field-email"),
        "role" => tr.t("field-role"),
        "provider_id" => tr.t("field-provider"),
        "merchant_id" => tr.t("field-merchant"),
        "terminal_id" => tr.t("field-terminal"),
        "subject" => tr.t("field-ticket-subject"),
        "description" => tr.t("field-ticket-description"),
        "category" => tr.t("field-ticket-category"),
        "priority" => tr.t("field-ticket-priority"),
        "channel" => tr.t("field-ticket-channel"),
        "assignee_id" => tr.t("field-ticket-assignee"),
        "team" => tr.t("field-ticket-team"),
        "event" => tr.t("field-ticket-event"),
        "mid" => tr.t("field-mid"),
        "ticket" => tr.t("field-ticket"),
        "action" => tr.t("field-ticket-action"),
        "password" => tr.t("field-password"),
        "new_password" => tr.t("field-new-password"),
        "current_password" => tr.t("field-current-password"),
        "locale" => tr.t("field-locale"),
        "code" | "totp" => tr.t("field-totp-code"),
        "name" => tr.t("field-name"),
        "short_name" => tr.t("field-short-name"),
        "uscc" => tr.t("field-uscc"),
        "hotline" => tr.t("field-hotline"),
        "title" => tr.t("field-title"),
        "body" => tr.t("field-body"),
        "audience" => tr.t("field-audience"),
        "status" => tr.t("field-status"),
        "expires_in_days" => tr.t("field-expires-days"),
        "from" => tr.t("field-date-from"),
        "to" => tr.t("field-date-to"),
        "cursor" | "limit" => tr.t("field-page"),
        "year" => tr.t("field-year"),
        "date" => tr.t("field-date"),
        "rule" => tr.t("field-day-rule"),
        "hours" => tr.t("field-hours"),
        "note" => tr.t("field-note"),
        "weekly" => tr.t("field-weekly-hours"),
        "makeup_weekday" => tr.t("field-makeup-weekday"),
        "file" => tr.t("field-import-file"),
        "schedule" => tr.t("field-schedule"),
        "licence_kind" => tr.t("field-licence-kind"),
        "licence_number" => tr.t("field-licence-number"),
        "licence_valid_from" => tr.t("field-licence-valid-from"),
        "licence_valid_to" => tr.t("field-licence-valid-to"),
        "licence" | "validity" => tr.t("profile-licence"),
        "hotlines" => tr.t("field-hotlines"),
        "service_hours" => tr.t("field-service-hours"),
        "warranty_policy" => tr.t("field-warranty-policy"),
        "warranty_default_months" => tr.t("field-warranty-default"),
        "warranty_months_by_model" => tr.t("field-warranty-months-by-model"),
        "fees" => tr.t("field-fees"),
        "version" => tr.t("field-version"),
        "logo" => tr.t("profile-logo-file"),
        "division_code" => tr.t("field-division-code"),
        "address" => tr.t("field-address"),
        "skills" => tr.t("field-skills"),
        "technicians" => tr.t("field-technicians"),
        other if other.starts_with("fees[") => fee_field(tr, other),
        other if other.starts_with("hotlines[") => tr.t("field-hotlines"),
        other if other.starts_with("skills[") => tr.t("field-skills"),
        other if other.starts_with("technicians[") => tr.t("field-technicians"),
        other if other.starts_with("warranty_months_by_model") => {
            tr.t("field-warranty-months-by-model")
        }
        other => match other
            .strip_prefix("weekly.")
            .and_then(|d| d.parse::<Weekday>().ok())
        {
            Some(d) => tr.ta("field-weekday-hours", &[("day", weekday(tr, d))]),
            None => other.to_owned(),
        },
    }
}

/// `fees[2].price_fen` → the fee item (counted from 1) and its part.
fn fee_field(tr: &Tr, name: &str) -> String {
    let rest = name.trim_start_matches("fees[");
    let Some((index, part)) = rest.split_once(']') else {
        return tr.t("field-fees");
    };
    let Ok(index) = index.parse::<usize>() else {
        return tr.t("field-fees");
    };
    let part = match part.trim_start_matches('.') {
        "code" => tr.t("field-fee-code"),
        "name" => tr.t("field-name"),
        "kind" => tr.t("field-fee-kind"),
        "price_fen" | "price" => tr.t("field-price"),
        "unit" => tr.t("field-unit"),
        _ => String::new(),
    };
    tr.ta(
        "field-fee-item",
        &[("n", index.saturating_add(1).to_string()), ("part", part)],
    )
}

pub fn rule(tr: &Tr, r: &Rule) -> String {
    match r {
        Rule::Required => tr.t("rule-required"),
        Rule::TooShort { min } => tr.ta("rule-too-short", &[("min", min.to_string())]),
        Rule::TooLong { max } => tr.ta("rule-too-long", &[("max", max.to_string())]),
        Rule::Pattern { .. } => tr.t("rule-pattern"),
        Rule::OneOf { .. } => tr.t("rule-one-of"),
        Rule::Range { min, max } => tr.ta(
            "rule-range",
            &[("min", min.to_string()), ("max", max.to_string())],
        ),
        Rule::Invalid { .. } => tr.t("rule-invalid"),
        Rule::Line { line, message } => tr.ta(
            "rule-line",
            &[("line", line.to_string()), ("message", message.clone())],
        ),
    }
}

pub fn weekday(tr: &Tr, d: Weekday) -> String {
    match d {
        Weekday::Mon => tr.t("weekday-mon"),
        Weekday::Tue => tr.t("weekday-tue"),
        Weekday::Wed => tr.t("weekday-wed"),
        Weekday::Thu => tr.t("weekday-thu"),
        Weekday::Fri => tr.t("weekday-fri"),
        Weekday::Sat => tr.t("weekday-sat"),
        Weekday::Sun => tr.t("weekday-sun"),
    }
}

/// The one- or two-letter weekday of a month grid's header.
pub fn weekday_short(tr: &Tr, d: Weekday) -> String {
    match d {
        Weekday::Mon => tr.t("weekday-short-mon"),
        Weekday::Tue => tr.t("weekday-short-tue"),
        Weekday::Wed => tr.t("weekday-short-wed"),
        Weekday::Thu => tr.t("weekday-short-thu"),
        Weekday::Fri => tr.t("weekday-short-fri"),
        Weekday::Sat => tr.t("weekday-short-sat"),
        Weekday::Sun => tr.t("weekday-short-sun"),
    }
}

/// Month 1–12 (anything else shows as the number).
pub fn month(tr: &Tr, m: u32) -> String {
    match m {
        1 => tr.t("month-1"),
        2 => tr.t("month-2"),
        3 => tr.t("month-3"),
        4 => tr.t("month-4"),
        5 => tr.t("month-5"),
        6 => tr.t("month-6"),
        7 => tr.t("month-7"),
        8 => tr.t("month-8"),
        9 => tr.t("month-9"),
        10 => tr.t("month-10"),
        11 => tr.t("month-11"),
        12 => tr.t("month-12"),
        other => other.to_string(),
    }
}

/// Business hours as people read them: the intervals, or "closed" in words.
pub fn hours(tr: &Tr, h: &DayHours) -> String {
    if h.is_closed() {
        tr.t("hours-closed")
    } else {
        h.to_string().replace(',', ", ")
    }
}

/// What a date override does.
pub fn day_rule(tr: &Tr, r: &DayOverride) -> String {
    match r {
        DayOverride::Closed => tr.t("day-rule-closed"),
        DayOverride::Open => tr.t("day-rule-open"),
        DayOverride::Hours(_) => tr.t("day-rule-hours"),
    }
}

/// A national holiday's name in the reader's language. The schedule writes the Chinese name,
/// then the English one (`国庆节 National Day`); a name without both shows as written.
pub fn holiday_name(tr: &Tr, name: &str) -> String {
    let name = name.trim();
    match name.split_once(' ') {
        Some((zh, en)) if !zh.is_ascii() && !en.trim().is_empty() && en.is_ascii() => {
            match tr.locale {
                Locale::ZhCn => zh.to_owned(),
                Locale::En => en.trim().to_owned(),
            }
        }
        _ => name.to_owned(),
    }
}

/// A service error in the reader's language.
pub fn error_message(tr: &Tr, e: &ApiError) -> String {
    match e {
        ApiError::Invalid(f) | ApiError::BadRequest(f) => tr.ta(
            "error-field",
            &[("field", field(tr, &f.field)), ("rule", rule(tr, &f.rule))],
        ),
        ApiError::Conflict { field: Some(f), .. } if f == "status" => {
            tr.t("error-illegal-transition")
        }
        ApiError::Conflict { field: Some(f), .. } => {
            tr.ta("error-taken", &[("field", field(tr, f))])
        }
        ApiError::Conflict {
            detail,
            field: None,
        } if detail.contains("your own account") => tr.t("error-self-disable"),
        ApiError::Conflict {
            detail,
            field: None,
        } if detail.contains("already revoked") => tr.t("error-already-revoked"),
        ApiError::Conflict {
            detail,
            field: None,
        } if detail.contains("TOTP is not enabled") => tr.t("error-totp-off"),
        ApiError::Conflict { field: None, .. } => tr.t("error-conflict"),
        ApiError::PreconditionFailed { .. } => tr.t("error-stale"),
        ApiError::TooManyRequests => tr.t("error-throttled"),
        ApiError::Unauthenticated => tr.t("error-unauthenticated"),
        ApiError::Forbidden(_) => tr.t("error-forbidden"),
        ApiError::NotFound => tr.t("error-not-found"),
        ApiError::TooLarge { .. } => tr.t("error-too-large"),
        ApiError::UnsupportedMediaType => tr.t("error-bad-request"),
        ApiError::Unavailable => tr.t("error-unavailable"),
        ApiError::Internal(_) => tr.t("error-internal"),
    }
}

/// `YYYY-MM-DD` as a calendar date in Asia/Shanghai → the UTC instant of its midnight (ms).
/// Shanghai is UTC+8 without daylight saving, so midnight there is 16:00 UTC the day before.
pub fn shanghai_midnight_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1970..=9999).contains(&y) || d == 0 || d > days_in_month {
        return None;
    }
    // Days from civil (Howard Hinnant).
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * i64::from(m2) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400_000 - 8 * 3_600_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holiday_names_follow_the_locale() {
        let zh = Tr::new(Locale::ZhCn);
        let en = Tr::new(Locale::En);
        assert_eq!(holiday_name(&zh, "国庆节 National Day"), "国庆节");
        assert_eq!(holiday_name(&en, "国庆节 National Day"), "National Day");
        assert_eq!(
            holiday_name(&en, "国庆节、中秋节 National Day and Mid-Autumn Festival"),
            "National Day and Mid-Autumn Festival"
        );
        assert_eq!(holiday_name(&en, "春节"), "春节");
        assert_eq!(holiday_name(&zh, "staff party"), "staff party");
        assert_eq!(holiday_name(&zh, "年会 公司聚餐"), "年会 公司聚餐");
    }

    #[test]
    fn calendar_fields_are_named() {
        let zh = Tr::new(Locale::ZhCn);
        assert_eq!(
            field(&zh, "weekly.sat"),
            zh.ta("field-weekday-hours", &[("day", zh.t("weekday-sat"))])
        );
        assert_eq!(field(&zh, "weekly.xyz"), "weekly.xyz");
        assert_eq!(field(&zh, "file"), zh.t("field-import-file"));
    }

    #[test]
    fn shanghai_midnight() {
        // 2026-11-25 00:00 +08:00 = 2026-11-24T16:00:00Z
        let ms = shanghai_midnight_ms("2026-11-25").unwrap();
        assert_eq!(
            posdesk_core::Timestamp::from_millis(ms).to_rfc3339(),
            "2026-11-24T16:00:00.000Z"
        );
        assert_eq!(
            posdesk_core::Timestamp::from_millis(ms).to_shanghai_display(),
            "2026-11-25 00:00"
        );
        assert_eq!(
            posdesk_core::Timestamp::from_millis(shanghai_midnight_ms("2024-02-29").unwrap())
                .to_rfc3339(),
            "2024-02-28T16:00:00.000Z"
        );
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-1-01",
            "abcd-ef-gh",
            "",
            "2026-04-31",
        ] {
            assert!(shanghai_midnight_ms(bad).is_none(), "{bad}");
        }
    }
}
