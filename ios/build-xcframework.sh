#!/usr/bin/env bash
# Builds ios/build/PasarFFI.xcframework (the Rust core as static libraries, with its C
# header and module map) and generates ios/Sources/PasarBindings/PasarBindings.swift.
#
# Why: Package.swift uses the XCFramework as its PasarFFI binary target whenever it exists,
# so after this script an app (or `swift test` on the Mac) links the real core. Static
# libraries, not frameworks: the core is linked into the app binary, and the linker drops
# what the app does not call.
#
#   ios/build-xcframework.sh [--ios-only]
#
# Slices: iOS device (arm64), iOS simulator (arm64 + x86_64, one lipo'd library) and,
# unless --ios-only, macOS (arm64 + x86_64) so `swift build`/`swift test` on a Mac still
# link once the XCFramework exists. Needs macOS with Xcode and rustup.
set -euo pipefail

ios_only=0
case "${1:-}" in
  "") ;;
  --ios-only) ios_only=1 ;;
  *) echo "usage: ios/build-xcframework.sh [--ios-only]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

[[ "$(uname -s)" == Darwin ]] || { echo "build-xcframework: needs macOS with Xcode" >&2; exit 2; }
for tool in xcodebuild lipo rustup cargo; do
  command -v "$tool" >/dev/null || { echo "build-xcframework: $tool not found" >&2; exit 2; }
done

# The Package.swift platforms: objects (SQLite's C code too) are built for the same minimums.
export IPHONEOS_DEPLOYMENT_TARGET=15.0
export MACOSX_DEPLOYMENT_TARGET=12.0

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
((ios_only)) || targets+=(aarch64-apple-darwin x86_64-apple-darwin)

installed=$(rustup target list --installed)
missing=()
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$installed" || missing+=("$t")
done
if ((${#missing[@]})); then
  rustup target add "${missing[@]}"
fi

target_dir=${CARGO_TARGET_DIR:-$root/target}
[[ "$target_dir" == /* ]] || target_dir=$root/$target_dir
lib() { echo "$target_dir/$1/release/libpasar_ffi.a"; }

# Release profile: size-optimised, not stripped (uniffi-bindgen reads the metadata from the
# library; the app's own link and Xcode's strip step remove the symbols from what ships).
target_args=()
for t in "${targets[@]}"; do target_args+=(--target "$t"); done
cargo build --release -p pasar-ffi "${target_args[@]}"
# A cargo invocation of its own: built together with pasar-ffi, cargo would unify uniffi's
# `cli` feature into the app library.
cargo build -p uniffi-bindgen

work="$target_dir/xcframework"
rm -rf "$work"
mkdir -p "$work/gen" "$work/headers" "$work/ios-simulator" "$work/macos"

# One library per platform in an XCFramework: the simulator's two architectures (and the
# Mac's) go into one fat library.
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" \
  -output "$work/ios-simulator/libpasar_ffi.a"
if ((!ios_only)); then
  lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" \
    -output "$work/macos/libpasar_ffi.a"
fi

# uniffi library mode reads the metadata from the static library's object files too.
# The Swift bindings do not depend on the architecture; the device library serves.
"$target_dir/debug/uniffi-bindgen" generate --library "$(lib aarch64-apple-ios)" \
  --language swift --no-format --config bindings/uniffi.toml --out-dir "$work/gen" >/dev/null

mkdir -p ios/Sources/PasarBindings
cp "$work/gen/PasarBindings.swift" ios/Sources/PasarBindings/
# The header and the generated (non-system) module map, under the name clang looks for.
# Kept at the root of Headers/. Caveat: an app that also uses another XCFramework with a
# root module.modulemap can hit Xcode's "Multiple commands produce .../include/module.modulemap";
# nesting both files in Headers/PasarFFI/ avoids that.
cp "$work/gen/PasarFFI.h" "$work/headers/"
cp "$work/gen/PasarFFI.modulemap" "$work/headers/module.modulemap"

out=ios/build/PasarFFI.xcframework
rm -rf "$out"
mkdir -p ios/build
xc_args=(
  -library "$(lib aarch64-apple-ios)" -headers "$work/headers"
  -library "$work/ios-simulator/libpasar_ffi.a" -headers "$work/headers"
)
if ((!ios_only)); then
  xc_args+=(-library "$work/macos/libpasar_ffi.a" -headers "$work/headers")
fi
xcodebuild -create-xcframework "${xc_args[@]}" -output "$out" >/dev/null

echo "build-xcframework: $out"
for slice in "$out"/*/libpasar_ffi.a; do
  printf '  %-40s %12d bytes  (%s)\n' "${slice#"$out"/}" "$(wc -c <"$slice")" "$(lipo -archs "$slice")"
done
echo "build-xcframework: ios/Sources/PasarBindings/PasarBindings.swift"
