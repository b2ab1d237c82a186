#!/usr/bin/env bash
# Makes a PostgreSQL server available for the tests and prints its URL on stdout
# (everything else goes to stderr):
#   export PASAR_TEST_POSTGRES_URL=$(tests/postgres.sh)
# If PASAR_TEST_POSTGRES_URL is already set, it is printed as is. Otherwise Debian's
# `postgresql` package is installed if missing, and a throwaway cluster owned by the
# `postgres` user is started on a free local port (trust authentication, listening on
# 127.0.0.1 only) with a database `pasar_test`. Safe to run twice: a cluster this
# script started and that still runs is reused. Stop it with `tests/postgres.sh stop`.
set -euo pipefail

if [ -n "${PASAR_TEST_POSTGRES_URL:-}" ] && [ "${1:-}" != stop ]; then
  printf '%s\n' "$PASAR_TEST_POSTGRES_URL"
  exit 0
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Under target/ so `cargo clean` or a fresh clone starts over; outside git's view.
base="$root/target/postgres"
data="$base/data"
log="$base/postgres.log"
port_file="$base/port"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# The cluster belongs to `postgres` (initdb refuses to run as root).
as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres -- "$@"; fi
}

# The newest installed server's bin dir, e.g. /usr/lib/postgresql/15/bin.
pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && printf '%s\n' "$dir"
}

bin=$(pg_bin || true)

if [ "${1:-}" = stop ]; then
  if [ -n "$bin" ] && [ -f "$data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >&2
  fi
  exit 0
fi

if [ -z "$bin" ]; then
  echo "installing PostgreSQL (Debian's postgresql package)" >&2
  as_root apt-get update -qq >&2
  # Debian's package creates and starts a `main` cluster on 5432; we leave it alone
  # and run our own, so the tests never touch a system database.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin=$(pg_bin) || { echo "postgresql installed but no initdb found under /usr/lib/postgresql" >&2; exit 1; }
fi

# The `postgres` user must be able to reach the data dir through every parent
# directory (the repository may live under /root). Make a private place for it.
if ! as_pg test -x "$root/target" 2>/dev/null; then
  base="${TMPDIR:-/tmp}/pasar-postgres-$(id -u)"
  data="$base/data"
  log="$base/postgres.log"
  port_file="$base/port"
fi
as_root mkdir -p "$base"
as_root chown postgres: "$base"

url_for() { printf 'postgres://postgres@127.0.0.1:%s/pasar_test\n' "$1"; }

running() { [ -f "$port_file" ] && as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

if running; then
  port=$(cat "$port_file")
else
  if [ ! -f "$data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2 \
      || as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
  fi
  # A free port: ask the kernel for one, then give it to PostgreSQL.
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || shuf -i 20000-60000 -n 1)
  # Unix socket in the data's own dir: /var/run/postgresql may not exist or be shared.
  as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-p $port -k $base -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { cat "$log" >&2 || true; exit 1; }
  as_pg sh -c "echo $port > '$port_file'"
fi

if ! as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'pasar_test'" | grep -q 1; then
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres pasar_test >&2
fi
url_for "$port"
