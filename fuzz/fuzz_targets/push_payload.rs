//! Arbitrary bytes as a push payload (FCM data, APNs userInfo, a UnifiedPush message):
//! the reader never panics, refuses what is not ours, and whatever it accepts is an
//! order id safe to put in a query or a deep link and a positive version.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pasar_core::sync::push::{PUSH_MAX_BYTES, parse_hint};

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(hint)) = parse_hint(data) {
        assert!(data.len() <= PUSH_MAX_BYTES);
        assert!(!hint.order_id.is_empty() && hint.order_id.len() <= 64);
        assert!(
            hint.order_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        );
        assert!(hint.version > 0);
    }
});
