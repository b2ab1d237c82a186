//! Link settings of the phone library.
//!
//! Identical code folding: LTO leaves many functions that compile to the same bytes
//! (drop glue, uniffi's per-call wrappers for different types); lld keeps one copy of
//! each. Rust makes no promise that two functions have different addresses, so folding
//! is safe, and Android's NDK links with lld as well.
//!
//! Packed relocations: a shared library's pointers in data (vtables, string tables, the
//! lexicons) each need a relocation, 24 bytes in `.rela.dyn`, about 290 KB of the
//! library. Packed, the relative ones take a few bits each: Android's own packing
//! (APS2, read by the loader since API 23; the app's minSdk is 24) and the standard
//! DT_RELR on Linux (glibc 2.36 and later).
fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    // rustc links x86_64 Linux with its own lld; the NDK's clang links with lld too.
    let linker_is_lld = target == "x86_64-unknown-linux-gnu" || target.contains("android");
    if linker_is_lld && std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rustc-link-arg-cdylib=-Wl,--icf=all");
        println!("cargo:rustc-link-arg-cdylib=-Wl,-O2");
        if target.contains("android") {
            println!("cargo:rustc-link-arg-cdylib=-Wl,--pack-dyn-relocs=android");
        } else {
            println!("cargo:rustc-link-arg-cdylib=-Wl,-z,pack-relative-relocs");
        }
    }
}
