#!/usr/bin/env bash
# Builds the Android library: libpasar_ffi.so for arm64-v8a, armeabi-v7a and x86_64 with
# cargo-ndk, checks each against a size budget (as Mozilla application-services does for
# its megazord: every megabyte of app costs installs on 2-4 GB phones with little free
# storage), then packages the AAR with Gradle.
#
#   android/build-aar.sh [--libs-only] [--max-bytes N]
#
#   --libs-only    build and check the .so files only (no Android SDK or Gradle needed,
#                  only the NDK): a quick size check after a core change
#   --max-bytes N  the budget per ABI, in bytes (default: pasar.maxLibBytes in
#                  android/gradle.properties, else 4,500,000, the Gradle gate's default)
#
# Needs: rustup, cargo-ndk (`cargo install cargo-ndk`), the NDK (ANDROID_NDK_HOME, or
# ANDROID_HOME / ANDROID_SDK_ROOT with ndk/28.2.13676358 installed), and for the AAR the
# Android SDK and Gradle (./gradlew in android/ when present, else gradle on the PATH).
#
# The libraries land in android/pasar/build/rustJniLibs/<abi>/, where the Gradle module
# packages them from; cargo-ndk strips those copies, and the unstripped ones stay under
# target/<triple>/release/ for symbolication (ndk-stack) and for uniffi-bindgen.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
ndk_version=28.2.13676358
min_sdk=24
abis=(arm64-v8a armeabi-v7a x86_64)
triples=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android)
out="$here/pasar/build/rustJniLibs"

libs_only=0
max_bytes=""
while (($#)); do
  case "$1" in
    --libs-only) libs_only=1 ;;
    --max-bytes) max_bytes=${2:?--max-bytes needs a number}; shift ;;
    -h|--help) sed -n '2,24p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "build-aar: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ -z "$max_bytes" ]]; then
  max_bytes=$(sed -n 's/^[[:space:]]*pasar\.maxLibBytes[[:space:]]*=[[:space:]]*\([0-9_]*\).*/\1/p' \
    "$here/gradle.properties" | tr -d _ | tail -n 1)
  max_bytes=${max_bytes:-4500000}
fi
[[ "$max_bytes" =~ ^[0-9]+$ ]] || { echo "build-aar: --max-bytes must be a number of bytes" >&2; exit 2; }

# The NDK: the one the Gradle module names (ndkVersion), so both builds link alike.
if [[ -z "${ANDROID_NDK_HOME:-}" ]]; then
  sdk=${ANDROID_HOME:-${ANDROID_SDK_ROOT:-}}
  [[ -n "$sdk" && -d "$sdk/ndk/$ndk_version" ]] || {
    echo "build-aar: set ANDROID_NDK_HOME, or ANDROID_HOME with ndk/$ndk_version installed (sdkmanager \"ndk;$ndk_version\")" >&2
    exit 2
  }
  export ANDROID_NDK_HOME="$sdk/ndk/$ndk_version"
fi

for tool in cargo rustup; do
  command -v "$tool" >/dev/null || { echo "build-aar: $tool not found" >&2; exit 2; }
done
cargo ndk --version >/dev/null 2>&1 || { echo "build-aar: cargo-ndk not found: cargo install cargo-ndk" >&2; exit 2; }

installed=$(rustup target list --installed)
missing=()
for t in "${triples[@]}"; do
  grep -qx "$t" <<<"$installed" || missing+=("$t")
done
if ((${#missing[@]})); then
  rustup target add "${missing[@]}"
fi

cd "$root"
target_args=()
for abi in "${abis[@]}"; do target_args+=(-t "$abi"); done
echo "build-aar: cargo ndk ${abis[*]} (release, API $min_sdk)"
cargo ndk "${target_args[@]}" --platform "$min_sdk" -o "$out" build --release -p pasar-ffi

# The size gate: each ABI's packaged library against the budget.
over=()
echo "build-aar: libpasar_ffi.so per ABI (budget $max_bytes bytes)"
for abi in "${abis[@]}"; do
  lib="$out/$abi/libpasar_ffi.so"
  [[ -f "$lib" ]] || { echo "build-aar: $lib was not built" >&2; exit 1; }
  size=$(wc -c <"$lib")
  mark=ok
  if ((size > max_bytes)); then
    mark=OVER
    over+=("$abi=$size")
  fi
  printf '  %-12s %12d bytes  %s\n' "$abi" "$size" "$mark"
done
if ((${#over[@]})); then
  echo "build-aar: over the budget of $max_bytes bytes: ${over[*]}" >&2
  echo "build-aar: find what grew (bench/run size) before raising the budget, and raise it only on purpose" >&2
  exit 1
fi

((libs_only)) && exit 0

cd "$here"
if [[ -x ./gradlew ]]; then gradle=./gradlew; else gradle=gradle; fi
command -v "$gradle" >/dev/null || { echo "build-aar: no ./gradlew and no gradle on the PATH" >&2; exit 2; }
# assembleRelease runs cargo again (a no-op now), generates the Kotlin bindings, packages
# the AAR, and its checkAarSize repeats the gate on what the AAR really holds.
"$gradle" :pasar:assembleRelease -Ppasar.maxLibBytes="$max_bytes"
aar="$here/pasar/build/outputs/aar/pasar-release.aar"
printf 'build-aar: %s (%d bytes)\n' "$aar" "$(wc -c <"$aar")"
