//! Arbitrary bytes as a camera or gallery file, through `media::prepare_photo`, which
//! `Catalog::add_photo` runs on whatever the picker hands over: sniff, size limits,
//! decode (JPEG shrink-on-load, PNG, WebP), EXIF orientation, resize, JPEG encode,
//! thumbnail, BlurHash. It must answer a typed `PhotoError` or a photo within the
//! listing's bounds, and never allocate for pixels a header merely claims (libFuzzer's
//! `-rss_limit_mb` catches that).
//!
//! The decoders are third-party code, and `decode` catches a panic in them ("damaged
//! photo"), as the app would. libFuzzer's hook aborts on any panic before that can
//! happen, so the hook here lets a panic raised inside a registry crate unwind to the
//! production `catch_unwind` (counted, reported once) and aborts on any other: a panic
//! in our own code is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pasar_core::media::{JPEG_MIME, PhotoError, prepare_photo, sha256_hex};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

static THIRD_PARTY_PANICS: AtomicU64 = AtomicU64::new(0);

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_dependency = info
                .location()
                .is_some_and(|l| l.file().contains("/.cargo/registry/"));
            if in_dependency {
                if THIRD_PARTY_PANICS.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("a decoder panicked (caught by media::decode): {info}");
                }
            } else {
                abort_hook(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    install_hook();
    match prepare_photo(data) {
        Ok(p) => {
            assert!(p.width.max(p.height) <= 1280 && p.width.min(p.height) >= 1);
            assert!(p.thumb_width.max(p.thumb_height) <= 320);
            assert!(p.thumb_width.min(p.thumb_height) >= 1);
            assert_eq!(p.photo_mime, JPEG_MIME);
            assert!(p.photo.starts_with(&[0xff, 0xd8]) && p.thumbnail.starts_with(&[0xff, 0xd8]));
            assert_eq!(p.content_hash, sha256_hex(&p.photo));
            assert_eq!(p.blurhash.len(), 28, "4x3 components");
            assert!(p.source_width <= 16_384 && p.source_height <= 16_384);
            assert!(u64::from(p.source_width) * u64::from(p.source_height) <= 50_000_000);
        }
        Err(e) => {
            if let PhotoError::TooManyPixels { width, height } = e {
                assert!(
                    width > 16_384
                        || height > 16_384
                        || u64::from(width) * u64::from(height) > 50_000_000
                );
            }
            assert!(!e.user_message().en.is_empty());
        }
    }
});
