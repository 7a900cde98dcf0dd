#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and for trying several server instances by hand.
#
#   scripts/postgres.sh start   # installs PostgreSQL from Debian's packages when absent, starts a
#                               # cluster in /tmp/doorstep-postgres-PORT on 127.0.0.1:${DOORSTEP_PG_PORT:-54329},
#                               # and prints its URL (postgres://doorstep@127.0.0.1:54329/doorstep?sslmode=verify-full&sslrootcert=…)
#   scripts/postgres.sh url     # prints the URL
#   scripts/postgres.sh stop    # stops it (its files stay in /tmp/doorstep-postgres-PORT)
#   scripts/postgres.sh waits   # prints the server log's lock waits, deadlocks and timeouts
#
# The cluster trusts local connections and runs as the `postgres` user when started by root.
# TCP connections must use TLS: the script makes a throwaway CA and a server certificate for
# 127.0.0.1 and localhost with openssl (in /tmp/doorstep-postgres-PORT/tls), and the URL it prints
# verifies the server against that CA (sslmode=verify-full). DOORSTEP_PG_TLS=off starts it
# without TLS and prints a URL with sslmode=disable.
# fsync is off by default: it holds test data only, and the tests kill server processes, not
# PostgreSQL. DOORSTEP_PG_FSYNC=on starts it durable, as measurements of a deployment need.
# Lock waits longer than deadlock_timeout (1 s) are logged with the waiting and holding processes
# and their statements, so a test failing on a timeout can say what it waited for.
# DOORSTEP_PG_ARCHIVE=DIR archives every completed WAL segment into DIR (archive_mode = on, a
# segment at least every minute), for point-in-time recovery (scripts/postgres-pitr.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${DOORSTEP_PG_PORT:-54329}
# Outside the checkout: the cluster runs as `postgres`, who may not enter a root-owned home.
root=${DOORSTEP_PG_DIR:-${TMPDIR:-/tmp}/doorstep-postgres-$port}
data="$root/data"
tls=${DOORSTEP_PG_TLS:-on}
certs="$root/tls"
if [[ $tls == on ]]; then
  url="postgres://doorstep@127.0.0.1:$port/doorstep?sslmode=verify-full&sslrootcert=$certs/ca.crt"
else
  url="postgres://doorstep@127.0.0.1:$port/doorstep?sslmode=disable"
fi
fsync=${DOORSTEP_PG_FSYNC:-off}
archive=${DOORSTEP_PG_ARCHIVE:-}

bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/initdb && -x $dir/pg_ctl ]] && { echo "$dir"; return 0; }
  done
  return 1
}

install_postgres() {
  bindir >/dev/null && return 0
  echo "postgres: installing PostgreSQL from Debian's packages" >&2
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  bindir >/dev/null || { echo "postgres: no initdb after installing postgresql" >&2; exit 1; }
}

# Runs a PostgreSQL program as the cluster's owner: root may not run the server itself.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A CA and a server certificate signed by it, for 127.0.0.1 and localhost (made once per cluster).
make_certificates() {
  scripts/test-certificates.sh "$certs"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$certs/server.key" "$certs/server.crt"; fi
}

start() {
  install_postgres
  local bin; bin=$(bindir)
  mkdir -p "$root"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$root"; fi
  if [[ ! -s $data/PG_VERSION ]]; then
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1 \
      || { cat "$root/initdb.log" >&2; exit 1; }
  fi
  local ssl=""
  if [[ $tls == on ]]; then
    make_certificates
    ssl="-c ssl=on -c ssl_cert_file=$certs/server.crt -c ssl_key_file=$certs/server.key"
    # Over TCP, TLS or nothing; the Unix socket stays for the owner's tools (pg_basebackup among them).
    printf 'local all all trust\nlocal replication all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n' >"$root/pg_hba.conf"
  else
    printf 'local all all trust\nlocal replication all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' >"$root/pg_hba.conf"
  fi
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$root/pg_hba.conf"; fi
  local archiving=""
  if [[ -n $archive ]]; then
    mkdir -p "$archive"
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$archive"; fi
    # Never overwrite a segment already archived (PostgreSQL's documented archive_command).
    archiving="-c archive_mode=on -c archive_timeout=60 -c archive_command='test ! -f $archive/%f && cp %p $archive/%f'"
  fi
  if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data" -l "$root/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$root -c fsync=$fsync -c synchronous_commit=$fsync -c full_page_writes=$fsync -c max_connections=300 -c shared_buffers=256MB -c log_lock_waits=on -c hba_file=$root/pg_hba.conf $ssl $archiving" >/dev/null \
      || { tail -n 30 "$root/server.log" >&2; exit 1; }
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA)
  "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'doorstep'" | grep -q 1 \
    || "${psql[@]}" -d postgres -c "CREATE ROLE doorstep LOGIN"
  "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'doorstep'" | grep -q 1 \
    || "${psql[@]}" -d postgres -c "CREATE DATABASE doorstep OWNER doorstep"
  echo "$url"
}

stop() {
  local bin; bin=$(bindir) || exit 0
  [[ -s $data/PG_VERSION ]] || exit 0
  as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# The log lines that explain a lock timeout, with the statements around them.
waits() {
  [[ -f $root/server.log ]] || exit 0
  grep -E -A2 "still waiting for|deadlock detected|statement timeout|acquired .* after" "$root/server.log" | tail -n 120 || true
}

case ${1:-} in
  start) start ;;
  waits) waits ;;
  stop) stop ;;
  url) echo "$url" ;;
  *) echo "usage: scripts/postgres.sh start|stop|url|waits" >&2; exit 2 ;;
esac
