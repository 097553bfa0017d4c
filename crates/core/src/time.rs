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
    /// Parses an RFC 3339 date-time, `YYYY-MM-DDTHH:MM[:SS[.fff…]]` followed by `Z` or
    /// `±HH:MM` (`T` may be a space). Without an offset (`YYYY-MM-DDTHH:MM`, what an HTML
    /// `datetime-local` input sends) the time is read as Asia/Shanghai local time. `None` for
    /// anything else, including out-of-range fields; never panics.
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        use crate::calendar::LocalDate;
        let s = s.trim();
        let date = LocalDate::parse(s.get(..10)?).ok()?;
        let rest = s.get(10..)?;
        let rest = rest
            .strip_prefix('T')
            .or_else(|| rest.strip_prefix('t'))
            .or_else(|| rest.strip_prefix(' '))?;
        let two = |x: &str| -> Option<i64> {
            (x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit()))
                .then(|| x.parse().ok())
                .flatten()
        };
        let hour = two(rest.get(0..2)?)?;
        if rest.get(2..3)? != ":" {
            return None;
        }
        let minute = two(rest.get(3..5)?)?;
        let mut rest = rest.get(5..)?;
        let mut millis = 0i64;
        if let Some(r) = rest.strip_prefix(':') {
            let sec = two(r.get(0..2)?)?;
            if sec > 59 {
                return None;
            }
            millis += sec * 1000;
            rest = r.get(2..)?;
            if let Some(r) = rest.strip_prefix('.') {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 {
                    return None;
                }
                let frac = r.get(..n.min(3))?;
                let scale = [100, 10, 1];
                millis += frac
                    .bytes()
                    .zip(scale)
                    .map(|(d, k)| i64::from(d - b'0') * k)
                    .sum::<i64>();
                rest = r.get(n..)?;
            }
        }
        if hour > 23 || minute > 59 {
            return None;
        }
        let offset_ms = match rest {
            "" => SHANGHAI_OFFSET_MS,
            "Z" | "z" => 0,
            o => {
                let sign = match o.get(0..1)? {
                    "+" => 1,
                    "-" => -1,
                    _ => return None,
                };
                let oh = two(o.get(1..3)?)?;
                if o.get(3..4)? != ":" || o.len() != 6 {
                    return None;
                }
                let om = two(o.get(4..6)?)?;
                if oh > 23 || om > 59 {
                    return None;
                }
                sign * (oh * 60 + om) * 60_000
            }
        };
        let local = date.days() * 86_400_000 + (hour * 60 + minute) * 60_000 + millis;
        Some(Timestamp(local - offset_ms))
    }

    /// `YYYY-MM-DDTHH:MM` in Asia/Shanghai: the value of an HTML `datetime-local` input.
    pub fn to_shanghai_input(self) -> String {
        let shifted = Self(self.0.saturating_add(SHANGHAI_OFFSET_MS)).to_rfc3339();
        shifted[0..16].to_owned()
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
    fn rfc3339_parses_what_it_prints_and_local_times() {
        for ms in [0, 1_795_576_311_250, 951_782_400_000, -86_400_000] {
            let t = Timestamp::from_millis(ms);
            assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Some(t));
        }
        let utc = Timestamp::parse_rfc3339("2026-12-01T02:30:00Z");
        assert_eq!(Timestamp::parse_rfc3339("2026-12-01T10:30:00+08:00"), utc);
        assert_eq!(Timestamp::parse_rfc3339("2026-12-01T10:30"), utc);
        assert_eq!(Timestamp::parse_rfc3339("2026-11-30T21:30-05:00"), utc);
        assert_eq!(
            utc.map(Timestamp::to_shanghai_input).as_deref(),
            Some("2026-12-01T10:30")
        );
        for bad in [
            "",
            "2026-12-01",
            "2026-12-01T24:00Z",
            "2026-12-01T10:60Z",
            "2026-02-30T10:00Z",
            "2026-12-01T10:00:61Z",
            "2026-12-01T10:00+8",
            "2026-12-01T10:00.5Z",
            "2026-12-01T10:00:00.Z",
            "2026-12-01X10:00Z",
            "２026-12-01T10:00Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
    }

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
