#!/usr/bin/env bash
# Makes an S3-compatible endpoint available for the photo store's tests and prints its
# URL on stdout (everything else goes to stderr):
#   export PASAR_TEST_S3_URL=$(tests/s3.sh)
# If PASAR_TEST_S3_URL is already set (a MinIO or LocalStack of your own), it is printed
# as is. Otherwise moto's server (PyPI `moto[server]`, installed once into a venv under
# target/) is started on a free loopback port with a bucket `pasar-test`. Safe to run
# twice: a server this script started and that still runs is reused. Stop it with
# `tests/s3.sh stop`.
set -euo pipefail

if [ -n "${PASAR_TEST_S3_URL:-}" ] && [ "${1:-}" != stop ]; then
  printf '%s\n' "$PASAR_TEST_S3_URL"
  exit 0
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base="$root/target/s3"
venv="$base/venv"
pid_file="$base/pid"
port_file="$base/port"
mkdir -p "$base"

running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

if [ "${1:-}" = stop ]; then
  if running; then kill "$(cat "$pid_file")"; fi
  rm -f "$pid_file" "$port_file"
  exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! running; then
  if [ ! -x "$venv/bin/moto_server" ]; then
    echo "installing moto's S3 server into target/s3/venv (PyPI)" >&2
    if ! python3 -m venv "$venv" >&2; then
      as_root apt-get update -qq >&2
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
      python3 -m venv "$venv" >&2
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.2.5" >&2
  fi
  port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  setsid "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$base/moto.log" 2>&1 < /dev/null &
  echo $! >"$pid_file"
  echo "$port" >"$port_file"
  for _ in $(seq 1 100); do
    if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
fi

port=$(cat "$port_file")
# The bucket the tests use (creating it again is harmless).
"$venv/bin/python" - "$port" >&2 <<'PY'
import sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/pasar-test", method="PUT")
urllib.request.urlopen(req).read()
PY
printf 'http://127.0.0.1:%s\n' "$port"
