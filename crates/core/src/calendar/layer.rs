//! Date overrides: a provider's or a service point's own closed days, extra working days and
//! special hours, layered over the national schedule.

use std::collections::BTreeMap;

use serde::Serialize;

use super::date::LocalDate;
use super::hours::DayHours;
use super::schedule::{DayEntry, DayKind};

/// What an override does to one date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "rule", content = "hours", rename_all = "snake_case")]
pub enum DayOverride {
    /// Closed all day, whatever the layers below say.
    Closed,
    /// A working day with the hours of the calendar's make-up weekday (as a 调休 day).
    Open,
    /// A working day with these hours (closed if empty).
    Hours(DayHours),
}

/// One override: its rule and a note for people (e.g. `staff training`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Override {
    pub rule: DayOverride,
    pub note: String,
}

/// A named set of date overrides (e.g. `provider` or `service point 12`). In a calendar, a
/// higher layer's override for a date hides every lower layer and the national schedule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OverrideLayer {
    name: String,
    days: BTreeMap<LocalDate, Override>,
}

impl OverrideLayer {
    /// An empty layer.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            days: BTreeMap::new(),
        }
    }

    /// A layer from imported entries: `off` → [`DayOverride::Closed`], `work` →
    /// [`DayOverride::Open`]; the entry's name becomes the note. A later entry for a date
    /// replaces an earlier one.
    pub fn from_entries(name: impl Into<String>, entries: &[DayEntry]) -> Self {
        let mut layer = Self::new(name);
        for e in entries {
            let rule = match e.kind {
                DayKind::Off => DayOverride::Closed,
                DayKind::Work => DayOverride::Open,
            };
            layer.set(e.date, rule, e.name.clone());
        }
        layer
    }

    /// This layer as entries for export: closed (or empty hours) → `off`, otherwise `work`.
    pub fn to_entries(&self) -> Vec<DayEntry> {
        self.days
            .iter()
            .map(|(date, o)| {
                let kind = match &o.rule {
                    DayOverride::Closed => DayKind::Off,
                    DayOverride::Hours(h) if h.is_closed() => DayKind::Off,
                    _ => DayKind::Work,
                };
                DayEntry::new(*date, kind, o.note.clone())
            })
            .collect()
    }

    /// The layer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sets `date`'s override, returning the one it replaced.
    pub fn set(
        &mut self,
        date: LocalDate,
        rule: DayOverride,
        note: impl Into<String>,
    ) -> Option<Override> {
        self.days.insert(
            date,
            Override {
                rule,
                note: note.into(),
            },
        )
    }

    /// This layer with `date`'s override set.
    pub fn with(mut self, date: LocalDate, rule: DayOverride, note: impl Into<String>) -> Self {
        self.set(date, rule, note);
        self
    }

    /// Removes `date`'s override.
    pub fn remove(&mut self, date: LocalDate) -> Option<Override> {
        self.days.remove(&date)
    }

    /// `date`'s override, if any.
    pub fn get(&self, date: LocalDate) -> Option<&Override> {
        self.days.get(&date)
    }

    /// The overrides, by date.
    pub fn iter(&self) -> impl Iterator<Item = (LocalDate, &Override)> + '_ {
        self.days.iter().map(|(d, o)| (*d, o))
    }

    /// Number of dates overridden.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// No overrides.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}
