#!/usr/bin/env bash
# Linux Swift toolchain for Pasar's Swift binding tests, inside a Debian 13
# (trixie) chroot.
#
# Why a chroot: Debian 12 ships no Swift, and no Swift toolchain can be
# downloaded from the outside internet here. Trixie packages Swift 6.0.3 as
# `swiftlang` in its main archive, so a minimal trixie chroot built with
# debootstrap from the host's own Debian mirror gives us `swift build` /
# `swift test` (with XCTest). A native library built on the Debian 12 host
# runs fine inside the trixie chroot.
#
# Usage (as root):
#   tests/swift/chroot.sh ensure
#       Create the chroot if missing and install swiftlang in it. Idempotent,
#       about a second when everything is already there; redoes a
#       half-finished earlier attempt.
#   tests/swift/chroot.sh run PKG_DIR LIB_DIR -- CMD...
#       Copy the Swift package PKG_DIR to /build/pkg and the native library
#       folder LIB_DIR to /build/lib inside the chroot (fresh each run, but
#       /build/pkg/.build is kept between runs as a build cache), mount /proc,
#       run CMD there with cwd /build/pkg and LD_LIBRARY_PATH=/build/lib, then
#       unmount. Exits with CMD's exit code. Example:
#         tests/swift/chroot.sh run bindings/swift target/release -- \
#           swift test -Xlinker -L/build/lib
#
# Environment:
#   PASAR_SWIFT_ROOT    chroot location (default /var/cache/pasar/swift-trixie)
#   PASAR_SWIFT_MIRROR  Debian mirror (default: read from the host's apt
#                       sources, else http://deb.debian.org/debian)
set -euo pipefail

ROOT_DEFAULT=/var/cache/pasar/swift-trixie
SUITE=trixie
BOOTSTRAP_MARKER=.pasar-bootstrap-ok   # written after debootstrap succeeded
SWIFT_MARKER=.pasar-swift-ok           # written after swiftlang is installed
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf '[swift] %s\n' "$*" >&2; }
die() { printf '[swift] error: %s\n' "$*" >&2; exit 2; }

usage() {
    cat >&2 <<EOF
usage: $0 ensure
       $0 run PKG_DIR LIB_DIR -- CMD...
EOF
    exit 2
}

ROOT=$(realpath -m -- "${PASAR_SWIFT_ROOT:-$ROOT_DEFAULT}")
[[ "$ROOT" != / ]] || die "PASAR_SWIFT_ROOT must not be /"

# --- mounts ------------------------------------------------------------------

MOUNTED=()   # mount points (host paths) this process mounted, in order

is_mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }

mounts_under_root() {
    awk -v r="$ROOT" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

unmount_one() {
    umount "$1" 2>/dev/null || umount -l "$1" || log "warning: could not unmount $1"
}

# Leftovers of a killed earlier run (we hold the lock, so nobody else is using them).
unmount_stale() {
    local m
    while IFS= read -r m; do
        [[ -n "$m" ]] || continue
        log "unmounting stale $m"
        unmount_one "$m"
    done < <(mounts_under_root)
}

unmount_ours() {
    local i
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        unmount_one "${MOUNTED[i]}"
    done
    MOUNTED=()
}

mount_chroot_fs() {
    if ! is_mounted "$ROOT/proc"; then
        mount -t proc proc "$ROOT/proc"
        MOUNTED+=("$ROOT/proc")
    fi
}

# Processes still running inside the chroot (e.g. swift-frontend jobs orphaned
# by an interrupted `swift build`); we hold the lock, so they are ours.
chroot_pids() {
    local d
    for d in /proc/[0-9]*; do
        [[ "$(readlink "$d/root" 2>/dev/null)" == "$ROOT" ]] && printf '%s\n' "${d#/proc/}"
    done
    return 0
}

stop_chroot_procs() {
    local pids i
    for i in 1 2 3 4 5 6 7 8 9 10 11; do
        pids=$(chroot_pids)
        [[ -n "$pids" ]] || return 0
        if ((i == 1)); then
            log "stopping leftover processes in the chroot: $(echo $pids)"
        fi
        # shellcheck disable=SC2086
        if ((i < 11)); then kill -TERM $pids 2>/dev/null || true; else kill -KILL $pids 2>/dev/null || true; fi
        sleep 0.2
    done
}

RAN_CMD=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    ((RAN_CMD == 0)) || stop_chroot_procs
    unmount_ours
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- helpers -----------------------------------------------------------------

detect_mirror() {
    if [[ -n "${PASAR_SWIFT_MIRROR:-}" ]]; then
        printf '%s\n' "$PASAR_SWIFT_MIRROR"
        return
    fi
    local f m
    m=$(
        {
            for f in /etc/apt/sources.list.d/*.sources; do
                [[ -f "$f" ]] && sed -n 's/^URIs:[[:space:]]*//p' "$f"
            done
            for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
                [[ -f "$f" ]] && sed -n 's/^[[:space:]]*deb[[:space:]]\+//p' "$f" | grep -oE 'https?://[^[:space:]]+'
            done
        } 2>/dev/null | tr '[:space:]' '\n' | grep -E '^https?://[^[:space:]]+/debian/?$' | head -n1
    ) || true
    printf '%s\n' "${m:-http://deb.debian.org/debian}"
}

# apt_install WHERE PKG...: WHERE is "host" or "chroot". Runs `apt-get update`
# first only when a package has no install candidate (empty or stale lists),
# and once more if the install fails (lists pointing at vanished versions).
apt_install() {
    local where=$1; shift
    local -a pre=(env DEBIAN_FRONTEND=noninteractive PATH="$CHROOT_PATH")
    [[ "$where" == chroot ]] && pre=(chroot "$ROOT" "${pre[@]}")
    local p updated=0
    for p in "$@"; do
        # (no `| grep -q`: with pipefail, grep exiting early makes it flaky)
        if [[ "$("${pre[@]}" apt-cache policy "$p" 2>/dev/null)" != *"Candidate: "[0-9]* ]]; then
            log "apt-get update ($where)"
            "${pre[@]}" apt-get update -q
            updated=1
            break
        fi
    done
    log "apt-get install $* ($where)"
    if ! "${pre[@]}" apt-get install -y -q "$@"; then
        ((updated == 0)) || die "apt-get install $* failed ($where)"
        log "install failed; retrying after apt-get update ($where)"
        "${pre[@]}" apt-get update -q
        "${pre[@]}" apt-get install -y -q "$@"
    fi
}

# --- ensure --------------------------------------------------------------------

# /usr/bin/swift is an absolute symlink (alternatives), so test it from inside.
have_swift() { chroot "$ROOT" /usr/bin/test -x /usr/bin/swift 2>/dev/null; }

is_ready() {
    [[ -f "$ROOT/$BOOTSTRAP_MARKER" && -f "$ROOT/$SWIFT_MARKER" ]] && have_swift
}

ensure() {
    if is_ready; then
        log "chroot ready at $ROOT"
        return 0
    fi
    [[ $EUID -eq 0 ]] || die "must run as root (debootstrap, chroot, mount)"
    local t0=$SECONDS

    unmount_stale

    if [[ ! -f "$ROOT/$BOOTSTRAP_MARKER" ]]; then
        if [[ -e "$ROOT" ]]; then
            log "removing half-finished chroot $ROOT"
            [[ -z "$(mounts_under_root)" ]] || die "still mounted under $ROOT; refusing to delete"
            rm -rf --one-file-system -- "$ROOT"
        fi
        command -v debootstrap >/dev/null || apt_install host debootstrap
        local mirror
        mirror=$(detect_mirror)
        log "debootstrap --variant=minbase $SUITE $ROOT $mirror (about a minute)"
        mkdir -p "$ROOT"
        debootstrap --variant=minbase "$SUITE" "$ROOT" "$mirror"
        touch "$ROOT/$BOOTSTRAP_MARKER"
    fi

    if [[ ! -f "$ROOT/$SWIFT_MARKER" ]] || ! have_swift; then
        rm -f "$ROOT/$SWIFT_MARKER"
        mount_chroot_fs
        # Finish any dpkg run interrupted earlier.
        chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive PATH="$CHROOT_PATH" dpkg --configure -a
        log "installing swiftlang in the chroot (a minute or two)"
        apt_install chroot swiftlang
        chroot "$ROOT" env PATH="$CHROOT_PATH" apt-get clean
        have_swift || die "swiftlang installed but /usr/bin/swift is missing"
        touch "$ROOT/$SWIFT_MARKER"
        # (swift needs /proc: its $ORIGIN rpath is resolved via /proc/self/exe)
        log "$(chroot "$ROOT" swift --version 2>&1 | head -n1)"
        unmount_ours
    fi
    log "chroot ready at $ROOT ($((SECONDS - t0)) s)"
}

# --- run -----------------------------------------------------------------------

run() {
    [[ $# -ge 4 && "$3" == -- ]] || usage
    local pkg=$1 lib=$2
    shift 3
    [[ -d "$pkg" ]] || die "package dir not found: $pkg"
    [[ -d "$lib" ]] || die "library dir not found: $lib"
    [[ -f "$pkg/Package.swift" ]] || die "no Package.swift in $pkg"
    [[ $EUID -eq 0 ]] || die "must run as root (chroot, mount)"

    ensure
    unmount_stale

    local dst_pkg="$ROOT/build/pkg" dst_lib="$ROOT/build/lib"
    log "copying $pkg -> /build/pkg (keeping .build), $lib -> /build/lib"
    mkdir -p "$dst_pkg"
    find "$dst_pkg" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
    tar -C "$pkg" --exclude=./.build -cf - . | tar -C "$dst_pkg" -xf -
    rm -rf "$dst_lib"
    mkdir -p "$dst_lib"
    cp -a "$lib/." "$dst_lib/"

    mount_chroot_fs

    log "running in chroot: $*"
    local rc=0
    RAN_CMD=1
    # 9>&- : don't leak the lock fd into the command.
    chroot "$ROOT" /usr/bin/env -i \
        HOME=/root PATH="$CHROOT_PATH" LANG=C.UTF-8 TERM="${TERM:-dumb}" \
        LD_LIBRARY_PATH=/build/lib \
        /bin/sh -c 'cd /build/pkg && exec "$@"' pasar-swift "$@" 9>&- || rc=$?
    log "command exited with $rc"
    return "$rc"
}

# --- main ----------------------------------------------------------------------

[[ $# -ge 1 ]] || usage
cmd=$1
shift

# One ensure/run at a time per chroot (they share /build and the mounts).
mkdir -p "$(dirname "$ROOT")"
exec 9>"$ROOT.lock"
if ! flock -n 9; then
    log "waiting for lock $ROOT.lock"
    flock 9
fi

case "$cmd" in
    ensure) [[ $# -eq 0 ]] || usage; ensure ;;
    run) run "$@" ;;
    -h | --help | help) usage ;;
    *) usage ;;
esac
