//! Arbitrary text as a link the app was opened with, as a store's install referrer, and
//! as a chat message that may name a promoter's code: nothing may panic, and whatever
//! is read back must be what a share link of it reads as again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pasar_core::promo::link::{install_referrer, parse_install_referrer};
use pasar_core::promo::{PromoCode, find_in_chat, parse_link, share_link};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for referral in [parse_link(&text), parse_install_referrer(&text)]
        .into_iter()
        .flatten()
    {
        assert_eq!(
            parse_link(&share_link("https://pasar.app", &referral)).as_ref(),
            Some(&referral)
        );
        assert_eq!(
            parse_install_referrer(&install_referrer(&referral)).as_ref(),
            Some(&referral)
        );
    }
    if let Some(code) = find_in_chat(&text) {
        assert_eq!(PromoCode::parse(code.as_str()).as_ref(), Ok(&code));
    }
});
