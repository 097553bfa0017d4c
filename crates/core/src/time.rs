//! Instants as UTC milliseconds since the Unix epoch: portable across both storage backends and
//! trivially ordered. The core never reads the clock; callers pass `Timestamp`s in.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The earliest representable instant (saturation floor).
    pub const MIN: Timestamp = Timestamp(i64::MIN);
    /// The latest representable instant (saturation ceiling; calendar operations return it for
    /// "never").
    pub const MAX: Timestamp = Timestamp(i64::MAX);

    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }
    pub const fn millis(self) -> i64 {
        self.0
    }
    pub fn plus_secs(self, secs: i64) -> Self {
        Self(self.0.saturating_add(secs.saturating_mul(1000)))
    }
    /// RFC 3339 in UTC, computed without a date library (civil-from-days, Howard Hinnant).
    pub fn to_rfc3339(self) -> String {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            sod / 3600,
            (sod % 3600) / 60,
            sod % 60
        )
    }
    /// `YYYY-MM-DD HH:MM` in Asia/Shanghai (UTC+8, no DST since 1991), for display.
    pub fn to_shanghai_display(self) -> String {
        let shifted = Self(self.0.saturating_add(SHANGHAI_OFFSET_MS)).to_rfc3339();
        format!("{} {}", &shifted[0..10], &shifted[11..16])
    }
}

/// Asia/Shanghai's offset from UTC in milliseconds: a fixed UTC+8 (no DST since 1991).
pub(crate) const SHANGHAI_OFFSET_MS: i64 = 8 * 3_600_000;

/// Proleptic Gregorian date of day `z` (days since 1970-01-01), as (year, month 1–12, day 1–31).
/// Exact for every `z` within ±2^60 (Howard Hinnant's civil_from_days).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
/// `m` must be 1–12 and `d` 1–31; callers validate. Exact for years within ±2^50.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(
            Timestamp::from_millis(0).to_rfc3339(),
            "1970-01-01T00:00:00.000Z"
        );
        // 2026-11-25T03:11:51.250Z
        assert_eq!(
            Timestamp::from_millis(1_795_576_311_250).to_rfc3339(),
            "2026-11-25T03:11:51.250Z"
        );
        assert_eq!(
            Timestamp::from_millis(951_782_400_000).to_rfc3339(),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_millis(1_795_576_311_250).to_shanghai_display(),
            "2026-11-25 11:11"
        );
    }

    #[test]
    fn days_from_civil_inverts_civil_from_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        for z in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        for z in [-(1_i64 << 40), 1 << 40, 106_751_991_167, -106_751_991_168] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }
}
