//! uniffi's own bindgen CLI, built once from this workspace so its version always
//! matches the `uniffi` the library was built with.

fn main() {
    uniffi::uniffi_bindgen_main()
}
