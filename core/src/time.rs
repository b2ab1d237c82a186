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
