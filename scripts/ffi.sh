#!/usr/bin/env bash
# Builds the FFI library for this machine and generates the Kotlin and Swift bindings
# from it (uniffi library mode).
#
#   scripts/ffi.sh [debug|release]
#
# Output, under target/ffi/<profile>/:
#   lib/libpasar_ffi.so     the library (stripped for release)
#   kotlin/id/pasar/ffi/    generated Kotlin (package id.pasar.ffi)
#   swift/                  PasarBindings.swift, PasarFFI.h, PasarFFI.modulemap
set -euo pipefail
profile=${1:-debug}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

case "$profile" in
  debug) flags=() ;;
  release) flags=(--release) ;;
  *) echo "usage: scripts/ffi.sh [debug|release]" >&2; exit 2 ;;
esac

# Two cargo invocations on purpose: built together, cargo would unify uniffi's `cli`
# feature into the app library.
cargo build --quiet "${flags[@]}" -p pasar-ffi
cargo build --quiet -p uniffi-bindgen

out="target/ffi/$profile"
rm -rf "$out"
mkdir -p "$out/lib" "$out/gen"
# Library mode reads the metadata from the unstripped library: generate first, strip after.
# The release shared library is linked without it (scripts/ffi-cc): its bindings come
# from the static library of the same build.
meta="target/$profile/libpasar_ffi.so"
[ "$profile" = release ] && meta="target/$profile/libpasar_ffi.a"
target/debug/uniffi-bindgen generate --library "$meta" \
  --language kotlin --language swift --no-format \
  --config bindings/uniffi.toml --out-dir "$out/gen" >/dev/null
mkdir -p "$out/kotlin" "$out/swift"
mv "$out/gen/id" "$out/kotlin/"
mv "$out/gen/PasarBindings.swift" "$out/gen/PasarFFI.h" "$out/gen/PasarFFI.modulemap" "$out/swift/"
rmdir "$out/gen"
cp "target/$profile/libpasar_ffi.so" "$out/lib/"
if [ "$profile" = release ]; then
  strip --strip-unneeded "$out/lib/libpasar_ffi.so"
fi
echo "ffi: $out ($(stat -c %s "$out/lib/libpasar_ffi.so") bytes)"
