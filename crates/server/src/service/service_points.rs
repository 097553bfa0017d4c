//! Service points (服务网点): list (grouped by region), create, edit, deactivate. Their
//! calendars are in `service::calendars` (`for_service_point`, `service_point_days`).

use posdesk_core::authz::Permission;
use posdesk_core::calendar::WeeklyHours;
use posdesk_core::ids::{ServicePointId, UserId};
use posdesk_core::registry::DivisionCode;
use posdesk_core::registry::service_point::{Skill, check_division};
use posdesk_storage::repo::service_points::{
    self, CreateServicePoint, ServicePoint, ServicePointFields, UpdateServicePoint,
};

use super::{Ctx, new_uuid};
use crate::error::{ApiError, ApiResult};

/// A checked service point.
pub struct ServicePointInput {
    pub name: String,
    pub division: DivisionCode,
    pub address: String,
    pub weekly: WeeklyHours,
    pub skills: Vec<Skill>,
    pub technicians: Vec<UserId>,
    pub active: bool,
}

fn fields(i: ServicePointInput) -> ApiResult<ServicePointFields> {
    check_division(&i.division)?;
    Ok(ServicePointFields {
        name: i.name,
        division_code: i.division.as_str().to_owned(),
        address: i.address,
        weekly: super::calendars::weekly_to_text(&i.weekly),
        skills: i.skills.iter().map(|s| s.code().to_owned()).collect(),
        technicians: i.technicians,
        active: i.active,
    })
}

/// The provider's service points, by division code then name; `active_only` hides closed ones.
pub async fn list(ctx: &Ctx<'_>, active_only: bool) -> ApiResult<Vec<ServicePoint>> {
    let scope = ctx.authorize(Permission::ServicePointRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { service_points::list(c, &scope, active_only).await }))
        .await?)
}

pub async fn get(ctx: &Ctx<'_>, id: ServicePointId) -> ApiResult<ServicePoint> {
    let scope = ctx.authorize(Permission::ServicePointRead)?;
    Ok(ctx
        .state
        .store
        .read(move |c| Box::pin(async move { service_points::get(c, &scope, id).await }))
        .await?)
}

pub async fn create(ctx: &Ctx<'_>, input: ServicePointInput) -> ApiResult<ServicePoint> {
    let scope = ctx.authorize(Permission::ServicePointManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    ctx.write(
        ctx.meta(),
        CreateServicePoint {
            id: ServicePointId::from_uuid(new_uuid()),
            tenant,
            fields: fields(input)?,
        },
    )
    .await
}

pub async fn update(
    ctx: &Ctx<'_>,
    id: ServicePointId,
    input: ServicePointInput,
    if_match: Option<i64>,
) -> ApiResult<ServicePoint> {
    let scope = ctx.authorize(Permission::ServicePointManage)?;
    let tenant = scope.tenant().ok_or(ApiError::NotFound)?;
    ctx.write(
        ctx.meta(),
        UpdateServicePoint {
            id,
            tenant,
            fields: fields(input)?,
            expected_version: if_match,
        },
    )
    .await
}

/// The display names of the provider's technicians, for whoever may see its service points (an
/// agent booking a visit names the technician; logins and contact data stay behind `UserRead`).
pub async fn technician_names(
    ctx: &Ctx<'_>,
) -> ApiResult<std::collections::HashMap<UserId, String>> {
    let scope = ctx.authorize(Permission::ServicePointRead)?;
    let Some(tenant) = scope.tenant() else {
        return Ok(Default::default());
    };
    let page = ctx
        .state
        .store
        .read(move |c| {
            Box::pin(async move {
                posdesk_storage::repo::users::list(
                    c,
                    &posdesk_core::authz::Scope::Tenant(tenant),
                    &posdesk_storage::repo::users::Filter {
                        tenant: None,
                        role: Some(posdesk_core::authz::Role::Technician),
                    },
                    &posdesk_core::page::PageRequest::first(posdesk_core::page::MAX_LIMIT),
                )
                .await
            })
        })
        .await?;
    Ok(page
        .items
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}
