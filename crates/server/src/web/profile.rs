//! The own provider's published profile (`/provider`): licence and its standing (a badge: valid,
//! expires soon with the days left, expired, missing), USCC, hotlines, service hours, warranty
//! policy and months per model, the fee schedule in ¥, the logo; for the provider admin the
//! edit form and the logo upload.
//!
//! The form takes the lists as text: hotlines one per line, warranty months per model as
//! `MODEL,months` per line, and fees as `code,name,kind,price,unit` per line with the price in
//! yuan (`50.00`), converted to fen exactly by `Fen::parse_non_negative` (never a float).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use posdesk_core::authz::Permission;
use posdesk_core::ids::TenantId;
use posdesk_core::registry::Fen;
use posdesk_core::registry::provider::LicenceStatus;
use posdesk_core::{FieldError, Rule};

use super::kit::{Chrome, CsrfForm, CsrfMultipart, Fields, Flash, Opt, Web, is_form_error};
use super::labels;
use super::session::WebUser;
use crate::api::profiles::{FeeItemIo, ProfileIn, parse_profile};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Tr;
use crate::service;
use crate::service::profiles::ProfileView;
use crate::state::AppState;

/// The licence badge: its CSS class and text.
pub struct Badge {
    pub class: &'static str,
    pub text: String,
}

/// The licence's standing as a badge (`badge-ok`, `badge-draft` for soon, `badge-danger`).
pub fn licence_badge(tr: &Tr, s: LicenceStatus) -> Badge {
    match s {
        LicenceStatus::Valid => Badge {
            class: "badge-ok",
            text: tr.t("licence-valid"),
        },
        LicenceStatus::ExpiresSoon { days_left } => Badge {
            class: "badge-draft",
            text: tr.ta("licence-expires-soon", &[("days", days_left.to_string())]),
        },
        LicenceStatus::Expired { days_ago } => Badge {
            class: "badge-danger",
            text: tr.ta("licence-expired", &[("days", days_ago.to_string())]),
        },
        LicenceStatus::NotYetValid => Badge {
            class: "badge-off",
            text: tr.t("licence-not-yet-valid"),
        },
        LicenceStatus::Missing => Badge {
            class: "badge-off",
            text: tr.t("licence-missing"),
        },
    }
}

/// The dashboard's banner for provider staff: the licence expires within 60 days or expired.
pub fn licence_warning(tr: &Tr, s: LicenceStatus) -> Option<(bool, String)> {
    match s {
        LicenceStatus::ExpiresSoon { days_left } => Some((
            false,
            tr.ta(
                "dashboard-licence-expires-soon",
                &[("days", days_left.to_string())],
            ),
        )),
        LicenceStatus::Expired { days_ago } => Some((
            true,
            tr.ta(
                "dashboard-licence-expired",
                &[("days", days_ago.to_string())],
            ),
        )),
        _ => None,
    }
}

pub struct FeeRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// `¥12.34`.
    pub price: String,
    pub unit: String,
}

pub struct WarrantyRow {
    pub model: String,
    /// `24 个月`.
    pub months: String,
}

/// The edit form's text, as stored or as the user typed it.
#[derive(Default)]
pub struct ProfileForm {
    pub uscc: String,
    pub kinds: Vec<Opt>,
    pub licence_number: String,
    pub valid_from: String,
    pub valid_to: String,
    pub hotlines: String,
    pub service_hours: String,
    pub warranty_policy: String,
    pub warranty_default: String,
    pub warranty_models: String,
    pub fees: String,
    pub version: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Chrome,
    name: String,
    short_name: String,
    uscc: String,
    licence_kind: String,
    licence_number: String,
    licence_valid: String,
    badge: Badge,
    hotlines: Vec<String>,
    service_hours: String,
    warranty_policy: String,
    warranty_default: String,
    warranty: Vec<WarrantyRow>,
    fees: Vec<FeeRow>,
    logo_src: Option<String>,
    can_manage: bool,
    form: ProfileForm,
    error: Option<String>,
    logo_error: Option<String>,
}

fn kind_label(tr: &Tr, code: &str) -> String {
    match code {
        "payment_licence" => tr.t("licence-kind-payment"),
        "bank_authorisation" => tr.t("licence-kind-bank"),
        other => other.to_owned(),
    }
}

fn kind_options(tr: &Tr, current: &str) -> Vec<Opt> {
    vec![
        Opt::new("", tr.t("licence-kind-none"), current),
        Opt::new("payment_licence", tr.t("licence-kind-payment"), current),
        Opt::new("bank_authorisation", tr.t("licence-kind-bank"), current),
    ]
}

fn fee_kind_label(tr: &Tr, code: &str) -> String {
    match code {
        "part" => tr.t("fee-kind-part"),
        "labour" => tr.t("fee-kind-labour"),
        "other" => tr.t("fee-kind-other"),
        other => other.to_owned(),
    }
}

fn months(tr: &Tr, n: u32) -> String {
    tr.ta("profile-months", &[("months", n.to_string())])
}

/// The form as the stored profile fills it.
fn stored_form(tr: &Tr, v: &ProfileView) -> ProfileForm {
    let d = &v.doc;
    ProfileForm {
        uscc: v.uscc.clone().unwrap_or_default(),
        kinds: kind_options(tr, d.licence_kind.as_deref().unwrap_or("")),
        licence_number: d.licence_number.clone().unwrap_or_default(),
        valid_from: d.licence_valid_from.clone().unwrap_or_default(),
        valid_to: d.licence_valid_to.clone().unwrap_or_default(),
        hotlines: d.hotlines.join("\n"),
        service_hours: d.service_hours.clone(),
        warranty_policy: d.warranty_policy.clone(),
        warranty_default: d.warranty_default_months.to_string(),
        warranty_models: d
            .warranty_months_by_model
            .iter()
            .map(|(m, n)| format!("{m},{n}"))
            .collect::<Vec<_>>()
            .join("\n"),
        fees: d
            .fees
            .iter()
            .map(|f| {
                format!(
                    "{},{},{},{},{}",
                    f.code,
                    f.name,
                    f.kind,
                    labels::yuan_plain(f.price_fen),
                    f.unit
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        version: v.version.to_string(),
    }
}

/// The form as the user submitted it.
fn submitted_form(tr: &Tr, f: &Fields) -> ProfileForm {
    ProfileForm {
        uscc: f.get("uscc").to_owned(),
        kinds: kind_options(tr, f.get("licence_kind")),
        licence_number: f.get("licence_number").to_owned(),
        valid_from: f.get("licence_valid_from").to_owned(),
        valid_to: f.get("licence_valid_to").to_owned(),
        hotlines: f.get("hotlines").to_owned(),
        service_hours: f.get("service_hours").to_owned(),
        warranty_policy: f.get("warranty_policy").to_owned(),
        warranty_default: f.get("warranty_default_months").to_owned(),
        warranty_models: f.get("warranty_months_by_model").to_owned(),
        fees: f.get("fees").to_owned(),
        version: f.get("version").to_owned(),
    }
}

/// Lines of a textarea, trimmed, blank ones skipped, with their 1-based numbers.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .map(str::trim)
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| (i + 1, l))
}

fn line_error(field: &str, line: usize, message: &str) -> FieldError {
    FieldError::new(
        field,
        Rule::Line {
            line,
            message: message.to_owned(),
        },
    )
}

/// `code,name,kind,price,unit` per line (unit optional), the price in yuan.
fn parse_fees(tr: &Tr, text: &str) -> Result<Vec<FeeItemIo>, FieldError> {
    let mut out = Vec::new();
    for (n, line) in lines(text) {
        let cols: Vec<&str> = line.splitn(5, [',', '，']).map(str::trim).collect();
        let (code, name, kind, price, unit) = match cols.as_slice() {
            [c, n, k, p] => (*c, *n, *k, *p, ""),
            [c, n, k, p, u] => (*c, *n, *k, *p, *u),
            _ => return Err(line_error("fees", n, &tr.t("profile-fees-columns"))),
        };
        let price = Fen::parse_non_negative("price", price)
            .map_err(|e| line_error("fees", n, &labels::rule(tr, &e.rule)))?;
        out.push(FeeItemIo {
            code: code.to_owned(),
            name: name.to_owned(),
            kind: kind.to_owned(),
            price_fen: price.fen(),
            unit: unit.to_owned(),
        });
    }
    Ok(out)
}

/// `MODEL,months` per line.
fn parse_models(tr: &Tr, text: &str) -> Result<BTreeMap<String, i64>, FieldError> {
    let field = "warranty_months_by_model";
    let mut out = BTreeMap::new();
    for (n, line) in lines(text) {
        let Some((model, months)) = line.split_once([',', '，']) else {
            return Err(line_error(field, n, &tr.t("profile-warranty-columns")));
        };
        let months = months
            .trim()
            .parse::<i64>()
            .map_err(|_| line_error(field, n, &tr.t("profile-warranty-columns")))?;
        out.insert(model.trim().to_owned(), months);
    }
    Ok(out)
}

fn optional(f: &Fields, name: &str) -> Option<String> {
    f.opt(name).map(str::to_owned)
}

fn profile_in(tr: &Tr, f: &Fields) -> Result<ProfileIn, FieldError> {
    let warranty_default_months = match f.opt("warranty_default_months") {
        None => None,
        Some(m) => Some(m.parse::<i64>().map_err(|_| {
            FieldError::new("warranty_default_months", Rule::Range { min: 0, max: 120 })
        })?),
    };
    Ok(ProfileIn {
        uscc: optional(f, "uscc"),
        licence_kind: optional(f, "licence_kind"),
        licence_number: optional(f, "licence_number"),
        licence_valid_from: optional(f, "licence_valid_from"),
        licence_valid_to: optional(f, "licence_valid_to"),
        hotlines: lines(f.get("hotlines"))
            .map(|(_, l)| l.to_owned())
            .collect(),
        service_hours: f.get("service_hours").to_owned(),
        warranty_policy: f.get("warranty_policy").to_owned(),
        warranty_default_months,
        warranty_months_by_model: parse_models(tr, f.get("warranty_months_by_model"))?,
        fees: parse_fees(tr, f.get("fees"))?,
    })
}

fn version_field(f: &Fields) -> Result<Option<i64>, FieldError> {
    f.opt("version")
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                FieldError::new(
                    "version",
                    Rule::Invalid {
                        reason: "not a number",
                    },
                )
            })
        })
        .transpose()
}

/// The signed-in user's provider (none for the platform admin: 404).
fn own_tenant(user: &WebUser) -> ApiResult<TenantId> {
    user.user.tenant_id.ok_or(ApiError::NotFound)
}

/// What a POST wants shown besides the stored profile.
#[derive(Default)]
struct Extras {
    status: Option<StatusCode>,
    form: Option<ProfileForm>,
    error: Option<String>,
    logo_error: Option<String>,
}

async fn render(state: &AppState, web: &Web, user: &WebUser, x: Extras) -> Response {
    let tr = web.tr;
    let ctx = user.ctx(state);
    let view = match own_tenant(user) {
        Ok(t) => service::profiles::get(&ctx, t).await,
        Err(e) => Err(e),
    };
    let v = match view {
        Ok(v) => v,
        Err(e) => return web.fail(Some(user), &e),
    };
    // The logo is shown when there is one; its hash keeps browsers from showing an old one.
    let logo_src = service::profiles::logo(&ctx, v.provider_id)
        .await
        .ok()
        .map(|l| format!("/provider/logo?v={}", l.sha256.get(..12).unwrap_or("")));
    let d = &v.doc;
    let licence_valid = match (&d.licence_valid_from, &d.licence_valid_to) {
        (Some(from), Some(to)) => tr.ta(
            "profile-licence-validity",
            &[("from", from.clone()), ("to", to.clone())],
        ),
        _ => String::new(),
    };
    let form = x.form.unwrap_or_else(|| stored_form(&tr, &v));
    let tpl = ProfilePage {
        c: web.chrome(Some(user), tr.t("profile-title")),
        name: v.name.clone(),
        short_name: v.short_name.clone(),
        uscc: v.uscc.clone().unwrap_or_default(),
        licence_kind: d
            .licence_kind
            .as_deref()
            .map(|k| kind_label(&tr, k))
            .unwrap_or_default(),
        licence_number: d.licence_number.clone().unwrap_or_default(),
        licence_valid,
        badge: licence_badge(&tr, v.licence_status),
        hotlines: d.hotlines.clone(),
        service_hours: d.service_hours.clone(),
        warranty_policy: d.warranty_policy.clone(),
        warranty_default: months(&tr, d.warranty_default_months),
        warranty: d
            .warranty_months_by_model
            .iter()
            .map(|(m, n)| WarrantyRow {
                model: m.clone(),
                months: months(&tr, *n),
            })
            .collect(),
        fees: d
            .fees
            .iter()
            .map(|f| FeeRow {
                code: f.code.clone(),
                name: f.name.clone(),
                kind: fee_kind_label(&tr, &f.kind),
                price: labels::yuan(f.price_fen),
                unit: f.unit.clone(),
            })
            .collect(),
        logo_src,
        can_manage: user.role().allows(Permission::ProfileManage),
        form,
        error: x.error,
        logo_error: x.logo_error,
    };
    web.render(x.status.unwrap_or(StatusCode::OK), &tpl)
}

pub async fn page(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    render(&state, &web, &user, Extras::default()).await
}

pub async fn save(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    CsrfForm(f): CsrfForm,
) -> Response {
    let tr = web.tr;
    let result: ApiResult<_> = async {
        let tenant = own_tenant(&user)?;
        let input = parse_profile(profile_in(&tr, &f)?)?;
        let version = version_field(&f)?;
        service::profiles::save(&user.ctx(&state), tenant, input, version).await
    }
    .await;
    match result {
        Ok(_) => web.redirect_flash("/provider", Flash::ProfileSaved),
        Err(e) if is_form_error(&e) => {
            let x = Extras {
                status: Some(e.status()),
                form: Some(submitted_form(&tr, &f)),
                error: Some(labels::error_message(&tr, &e)),
                ..Extras::default()
            };
            render(&state, &web, &user, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn upload_logo(
    State(state): State<AppState>,
    web: Web,
    user: WebUser,
    form: CsrfMultipart,
) -> Response {
    let result: ApiResult<_> = async {
        let tenant = own_tenant(&user)?;
        let bytes = form.file("logo").map(<[u8]>::to_vec).unwrap_or_default();
        service::profiles::set_logo(&user.ctx(&state), tenant, form.file_type("logo"), bytes).await
    }
    .await;
    // The checks name the upload `file`; on this page it is the logo.
    let result = result.map_err(|e| match e {
        ApiError::Invalid(mut f) if f.field == "file" => {
            f.field = "logo".into();
            ApiError::Invalid(f)
        }
        e => e,
    });
    match result {
        Ok(_) => web.redirect_flash("/provider", Flash::LogoSaved),
        Err(e) if is_form_error(&e) || matches!(e, ApiError::TooLarge { .. }) => {
            let x = Extras {
                status: Some(e.status()),
                logo_error: Some(labels::error_message(&web.tr, &e)),
                ..Extras::default()
            };
            render(&state, &web, &user, x).await
        }
        Err(e) => web.fail(Some(&user), &e),
    }
}

pub async fn logo(State(state): State<AppState>, web: Web, user: WebUser) -> Response {
    let result = match own_tenant(&user) {
        Ok(t) => service::profiles::logo(&user.ctx(&state), t).await,
        Err(e) => Err(e),
    };
    let logo = match result {
        Ok(l) => l,
        Err(e) => return web.fail(Some(&user), &e),
    };
    let mut res = logo.bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&logo.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", logo.sha256)) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    res
}
