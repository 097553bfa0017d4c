//! Working-day calendars as stored: national holiday arrangements loaded at run time (the
//! binary carries 2020–2026; a new year's notice is loaded without a release), each provider's
//! weekly hours and make-up weekday, and date overrides per layer (`provider` now, service points
//! later). The rules themselves live in `posdesk_core::calendar`; this module only keeps text the
//! core parses (schedule text, `HH:MM-HH:MM` hours) and answers with it.

use futures::future::BoxFuture;
use posdesk_core::Timestamp;
use posdesk_core::audit::AuditDraft;
use posdesk_core::authz::Scope;
use posdesk_core::ids::TenantId;
use serde::Serialize;

use crate::{Applied, Conn, Ctx, Error, Mutation, Result, Row, Value, parse_id};

/// One national year loaded at run time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct HolidayYear {
    pub year: i64,
    /// The year in the schedule format (`year`, `source`, `off`, `work` lines).
    pub schedule: String,
    pub loaded_by: String,
    pub loaded_at: Timestamp,
    pub version: i64,
}

fn to_year(r: &Row) -> Result<HolidayYear> {
    Ok(HolidayYear {
        year: r.int(0)?,
        schedule: r.text(1)?,
        loaded_by: r.text(2)?,
        loaded_at: r.ts(3)?,
        version: r.int(4)?,
    })
}

/// Every loaded year, oldest first. National data: the same for every tenant.
pub async fn holiday_years(c: &mut dyn Conn) -> Result<Vec<HolidayYear>> {
    let rows = c
        .query(
            "SELECT year, schedule, loaded_by, loaded_at, version FROM holiday_years ORDER BY year",
            &[],
        )
        .await?;
    rows.iter().map(to_year).collect()
}

/// Loads (or replaces) national years; all of them in one transaction, each with its audit event
/// on the platform chain. `years` holds `(year, schedule text of that year alone)`, already
/// parsed and checked by the core.
pub struct LoadHolidayYears {
    pub years: Vec<(i64, String)>,
}

impl Mutation for LoadHolidayYears {
    type Output = Vec<HolidayYear>;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<Vec<HolidayYear>>>> {
        Box::pin(async move {
            let mut out = Vec::new();
            let mut audit = Vec::new();
            for (year, schedule) in &self.years {
                let before = c
                    .query_opt(
                        "SELECT year, schedule, loaded_by, loaded_at, version FROM holiday_years WHERE year = $1",
                        &[Value::Int(*year)],
                    )
                    .await?
                    .map(|r| to_year(&r))
                    .transpose()?;
                let row = HolidayYear {
                    year: *year,
                    schedule: schedule.clone(),
                    loaded_by: ctx.actor.id.clone(),
                    loaded_at: ctx.now,
                    version: before.as_ref().map_or(1, |b| b.version + 1),
                };
                match &before {
                    None => {
                        c.execute(
                            "INSERT INTO holiday_years (year, schedule, loaded_by, loaded_at, version) VALUES ($1, $2, $3, $4, $5)",
                            &[
                                Value::Int(row.year),
                                row.schedule.as_str().into(),
                                row.loaded_by.as_str().into(),
                                row.loaded_at.into(),
                                Value::Int(row.version),
                            ],
                        )
                        .await?;
                        audit.push(AuditDraft::created(None, "holiday_year", row.year, &row));
                    }
                    Some(b) => {
                        let n = c
                            .execute(
                                "UPDATE holiday_years SET schedule = $1, loaded_by = $2, loaded_at = $3, version = $4 WHERE year = $5 AND version = $6",
                                &[
                                    row.schedule.as_str().into(),
                                    row.loaded_by.as_str().into(),
                                    row.loaded_at.into(),
                                    Value::Int(row.version),
                                    Value::Int(row.year),
                                    Value::Int(b.version),
                                ],
                            )
                            .await?;
                        super::updated_one(n, b.version)?;
                        audit.push(AuditDraft::changed(
                            None,
                            "holiday_year",
                            row.year,
                            "replace",
                            b,
                            &row,
                        ));
                    }
                }
                out.push(row);
            }
            // Every provider's open tickets run on the national arrangement: their clocks are
            // recomputed by the next SLA scan pass (provisional deadlines settle).
            c.execute(
                "UPDATE tickets SET next_check = $1 WHERE status NOT IN ('resolved', 'closed', 'merged')",
                &[ctx.now.into()],
            )
            .await?;
            Ok(Applied::new(out, audit))
        })
    }
}

/// A provider's calendar settings as stored (text the core parses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CalendarSettings {
    pub tenant_id: TenantId,
    /// JSON object `{"mon": "08:00-18:00", …, "sun": "closed"}`.
    pub weekly: String,
    /// `mon` … `sun`.
    pub makeup_weekday: String,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// One date override as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StoredOverride {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `closed`, `open` or `hours`.
    pub rule: String,
    pub hours: Option<String>,
    pub note: String,
}

/// The layer name of a provider's own overrides.
pub const PROVIDER_LAYER: &str = "provider";

fn tenant_of(scope: &Scope) -> Result<TenantId> {
    match scope {
        Scope::Tenant(t) => Ok(*t),
        _ => Err(Error::NotFound),
    }
}

pub async fn settings(c: &mut dyn Conn, scope: &Scope) -> Result<Option<CalendarSettings>> {
    let tenant = tenant_of(scope)?;
    c.query_opt(
        "SELECT tenant_id, weekly, makeup_weekday, updated_at, version FROM provider_calendars WHERE tenant_id = $1",
        &[tenant.into()],
    )
    .await?
    .map(|r| {
        Ok(CalendarSettings {
            tenant_id: parse_id(&r, 0, TenantId::parse)?,
            weekly: r.text(1)?,
            makeup_weekday: r.text(2)?,
            updated_at: r.ts(3)?,
            version: r.int(4)?,
        })
    })
    .transpose()
}

fn to_override(r: &Row) -> Result<StoredOverride> {
    Ok(StoredOverride {
        day: r.text(0)?,
        rule: r.text(1)?,
        hours: r.opt_text(2)?,
        note: r.text(3)?,
    })
}

/// A layer's overrides, by date.
pub async fn overrides(
    c: &mut dyn Conn,
    scope: &Scope,
    layer: &str,
) -> Result<Vec<StoredOverride>> {
    let tenant = tenant_of(scope)?;
    let rows = c
        .query(
            "SELECT day, rule, hours, note FROM calendar_overrides WHERE tenant_id = $1 AND layer = $2 ORDER BY day",
            &[tenant.into(), layer.into()],
        )
        .await?;
    rows.iter().map(to_override).collect()
}

/// Sets a provider's weekly hours and make-up weekday (creating the row on first use).
/// `expected_version` is the `If-Match` version (0 = "no settings stored yet").
pub struct SetCalendarSettings {
    pub tenant: TenantId,
    pub weekly: String,
    pub makeup_weekday: String,
    pub expected_version: Option<i64>,
}

impl Mutation for SetCalendarSettings {
    type Output = CalendarSettings;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<CalendarSettings>>> {
        Box::pin(async move {
            let scope = Scope::Tenant(self.tenant);
            let before = settings(c, &scope).await?;
            super::check_version(
                self.expected_version,
                before.as_ref().map_or(0, |b| b.version),
            )?;
            let after = CalendarSettings {
                tenant_id: self.tenant,
                weekly: self.weekly.clone(),
                makeup_weekday: self.makeup_weekday.clone(),
                updated_at: ctx.now,
                version: before.as_ref().map_or(1, |b| b.version + 1),
            };
            let audit = match &before {
                None => {
                    c.execute(
                        "INSERT INTO provider_calendars (tenant_id, weekly, makeup_weekday, updated_at, version) VALUES ($1, $2, $3, $4, $5)",
                        &[
                            self.tenant.into(),
                            after.weekly.as_str().into(),
                            after.makeup_weekday.as_str().into(),
                            after.updated_at.into(),
                            Value::Int(after.version),
                        ],
                    )
                    .await?;
                    AuditDraft::created(Some(self.tenant), "calendar", self.tenant, &after)
                }
                Some(b) => {
                    let n = c
                        .execute(
                            "UPDATE provider_calendars SET weekly = $1, makeup_weekday = $2, updated_at = $3, version = $4 WHERE tenant_id = $5 AND version = $6",
                            &[
                                after.weekly.as_str().into(),
                                after.makeup_weekday.as_str().into(),
                                after.updated_at.into(),
                                Value::Int(after.version),
                                self.tenant.into(),
                                Value::Int(b.version),
                            ],
                        )
                        .await?;
                    super::updated_one(n, b.version)?;
                    AuditDraft::changed(
                        Some(self.tenant),
                        "calendar",
                        self.tenant,
                        "update",
                        b,
                        &after,
                    )
                }
            };
            super::tickets::recheck_all(c, self.tenant, ctx.now).await?;
            Ok(Applied::new(after, vec![audit]))
        })
    }
}

/// Sets, replaces or removes date overrides of one layer in one transaction; every day that
/// changes gets its own audit event (`calendar_day`, id `<layer>/<day>`). `remove_others`
/// first removes the layer's overrides not in `set` (an import that replaces the layer).
pub struct ChangeOverrides {
    pub tenant: TenantId,
    pub layer: String,
    pub set: Vec<StoredOverride>,
    pub remove: Vec<String>,
    pub remove_others: bool,
}

/// What a `ChangeOverrides` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct OverridesChanged {
    pub added: usize,
    pub replaced: usize,
    pub removed: usize,
    pub unchanged: usize,
}

impl Mutation for ChangeOverrides {
    type Output = OverridesChanged;
    fn apply<'a>(
        &'a self,
        c: &'a mut dyn Conn,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, Result<Applied<OverridesChanged>>> {
        Box::pin(async move {
            let scope = Scope::Tenant(self.tenant);
            let existing: std::collections::BTreeMap<String, StoredOverride> =
                overrides(c, &scope, &self.layer)
                    .await?
                    .into_iter()
                    .map(|o| (o.day.clone(), o))
                    .collect();
            let mut to_remove: Vec<&str> = self.remove.iter().map(String::as_str).collect();
            if self.remove_others {
                to_remove.extend(
                    existing
                        .keys()
                        .filter(|d| !self.set.iter().any(|s| &s.day == *d))
                        .map(String::as_str),
                );
            }
            let mut done = OverridesChanged {
                added: 0,
                replaced: 0,
                removed: 0,
                unchanged: 0,
            };
            let mut audit = Vec::new();
            let entity = |day: &str| format!("{}/{day}", self.layer);
            for day in to_remove {
                let Some(before) = existing.get(day) else {
                    if self.remove.iter().any(|d| d == day) {
                        return Err(Error::NotFound);
                    }
                    continue;
                };
                c.execute(
                    "DELETE FROM calendar_overrides WHERE tenant_id = $1 AND layer = $2 AND day = $3",
                    &[self.tenant.into(), self.layer.as_str().into(), day.into()],
                )
                .await?;
                done.removed += 1;
                audit.push(AuditDraft::changed(
                    Some(self.tenant),
                    "calendar_day",
                    entity(day),
                    "remove",
                    before,
                    serde_json::Value::Null,
                ));
            }
            for o in &self.set {
                match existing.get(&o.day) {
                    Some(before) if before == o => {
                        done.unchanged += 1;
                        continue;
                    }
                    Some(_) => {
                        c.execute(
                            "DELETE FROM calendar_overrides WHERE tenant_id = $1 AND layer = $2 AND day = $3",
                            &[self.tenant.into(), self.layer.as_str().into(), o.day.as_str().into()],
                        )
                        .await?;
                    }
                    None => {}
                }
                c.execute(
                    "INSERT INTO calendar_overrides (tenant_id, layer, day, rule, hours, note, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        self.tenant.into(),
                        self.layer.as_str().into(),
                        o.day.as_str().into(),
                        o.rule.as_str().into(),
                        o.hours.clone().into(),
                        o.note.as_str().into(),
                        ctx.now.into(),
                    ],
                )
                .await?;
                audit.push(match existing.get(&o.day) {
                    Some(before) => {
                        done.replaced += 1;
                        AuditDraft::changed(
                            Some(self.tenant),
                            "calendar_day",
                            entity(&o.day),
                            "replace",
                            before,
                            o,
                        )
                    }
                    None => {
                        done.added += 1;
                        AuditDraft::created(Some(self.tenant), "calendar_day", entity(&o.day), o)
                    }
                });
            }
            super::tickets::recheck_all(c, self.tenant, ctx.now).await?;
            Ok(Applied::new(done, audit))
        })
    }
}
