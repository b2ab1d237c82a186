//! Time is UTC milliseconds since the Unix epoch; screens show it in WIB, WITA or WIT.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in UTC milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        // A clock set before 1970 is a broken phone, not a reason to crash.
        .unwrap_or(0)
}

/// Western Indonesian Time (WIB, UTC+7), where most markets keep their books: in
/// minutes east of UTC, for [`civil_date`].
pub const WIB_MINUTES: i32 = 7 * 60;

/// The calendar date (year, month 1–12, day 1–31) of `ms` at `offset_minutes` east of
/// UTC, in the proleptic Gregorian calendar (Howard Hinnant's `civil_from_days`).
pub fn civil_date(ms: i64, offset_minutes: i32) -> (i64, u32, u32) {
    let local = ms.saturating_add(i64::from(offset_minutes) * 60_000);
    let days = local.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_fall_on_the_local_calendar() {
        assert_eq!(civil_date(0, 0), (1970, 1, 1));
        // 2026-01-31 17:30 UTC is already 1 February in Jakarta.
        let ms = 1_769_880_600_000;
        assert_eq!(civil_date(ms, 0), (2026, 1, 31));
        assert_eq!(civil_date(ms, WIB_MINUTES), (2026, 2, 1));
        // A leap day, and a date before 1970.
        assert_eq!(civil_date(1_709_164_800_000, 0), (2024, 2, 29));
        assert_eq!(civil_date(-86_400_000, 0), (1969, 12, 31));
    }
}
