#!/usr/bin/env bash
# Database failover while devices push: a PostgreSQL primary with a synchronous standby
# (streaming replication, synchronous_commit = on), HAProxy in TCP mode in front of both (the
# standby a backup server), two doorstep-server instances on that one address, and client-sim's
# devices syncing through both instances. Mid-run the primary is killed (SIGKILL) and the standby
# promoted by script (`pg_ctl promote`); the instances reconnect through HAProxy, devices retry what
# failed, and client-sim's verification must pass: every acknowledged change on the new primary
# exactly once, every replica equal to the server. Prints how long the instances could not write.
#
#   scripts/check-failover.sh                       # 40 devices, debug builds
#   DEVICES=200 BUILD=release scripts/check-failover.sh
#
# Needs PostgreSQL and HAProxy (scripts/setup.sh --test installs both). Ports: PG_PORT (54410) for
# the primary, +1 the standby, +2 HAProxy; SERVER_PORT (8290) and +1 for the instances.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${DEVICES:-40}
build=${BUILD:-debug}
pg_port=${PG_PORT:-54410}
standby_port=$((pg_port + 1))
proxy_port=$((pg_port + 2))
server_port=${SERVER_PORT:-8290}
for product in doorstep-server client-sim; do
  [[ -x .build/$build/$product ]] || swift build -c "$build" --product "$product"
done
command -v haproxy >/dev/null || { echo "check-failover: haproxy is not installed (scripts/setup.sh --test)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-failover.XXXXXX")
chmod 755 "$work"
primary_root="$work/primary"
standby_root="$work/standby"
pids=()
pgbin=$(ls -d /usr/lib/postgresql/*/bin | head -1)
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${pids[@]}"; do pkill -9 -P "$pid" 2>/dev/null || true; kill -9 "$pid" 2>/dev/null || true; done
  as_postgres "$pgbin/pg_ctl" -D "$standby_root/data" -m immediate stop >/dev/null 2>&1 || true
  as_postgres "$pgbin/pg_ctl" -D "$primary_root/data" -m immediate stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  [[ ${KEEP:-} == 1 ]] || rm -rf "$work"
}
trap cleanup EXIT

# The primary: the throwaway cluster of scripts/postgres.sh, durable, TLS on.
base=$(DOORSTEP_PG_PORT=$pg_port DOORSTEP_PG_DIR=$primary_root DOORSTEP_PG_FSYNC=on scripts/postgres.sh start)
certs="$primary_root/tls"
psql_primary=("$pgbin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d doorstep -v ON_ERROR_STOP=1 -qtA)
# Replication connections over TLS from loopback; the file is the primary's and the standby's.
printf 'hostssl replication all 127.0.0.1/32 trust\n' >>"$primary_root/pg_hba.conf"
"${psql_primary[@]}" -c "SELECT pg_reload_conf()" >/dev/null

# The standby: a base backup streaming from the primary, with the primary's settings and certificate.
mkdir -p "$standby_root"
[[ $(id -u) -eq 0 ]] && chown postgres:postgres "$standby_root"
as_postgres "$pgbin/pg_basebackup" -d "host=127.0.0.1 port=$pg_port user=postgres sslmode=require" \
  -D "$standby_root/data" -X stream -R -c fast >/dev/null
echo "primary_conninfo = 'host=127.0.0.1 port=$pg_port user=postgres sslmode=require application_name=doorstep_standby'" \
  | as_postgres tee -a "$standby_root/data/postgresql.auto.conf" >/dev/null
settings="-c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=300"
settings+=" -c ssl=on -c ssl_cert_file=$certs/server.crt -c ssl_key_file=$certs/server.key -c hba_file=$primary_root/pg_hba.conf"
as_postgres "$pgbin/pg_ctl" -D "$standby_root/data" -l "$standby_root/server.log" -w -t 60 start \
  -o "-c port=$standby_port -c unix_socket_directories=$standby_root $settings" >/dev/null
"${psql_primary[@]}" -c "ALTER SYSTEM SET synchronous_standby_names = 'doorstep_standby'" -c "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 100); do
  state=$("${psql_primary[@]}" -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'doorstep_standby'")
  [[ $state == sync ]] && break
  sleep 0.2
done
[[ $state == sync ]] || { echo "check-failover: the standby never became synchronous ($state)" >&2; exit 1; }

# HAProxy: the primary while it answers, else the standby; sessions to a dead server are cut.
cat >"$work/haproxy.cfg" <<EOF
global
  maxconn 1000
defaults
  mode tcp
  timeout connect 2s
  timeout client 5m
  timeout server 5m
frontend postgres
  bind 127.0.0.1:$proxy_port
  default_backend postgres
backend postgres
  # A TCP connect check: pg_hba takes TLS only, which pgsql-check does not speak.
  option tcp-check
  default-server inter 300ms fall 2 rise 2 on-marked-down shutdown-sessions
  server primary 127.0.0.1:$pg_port check
  server standby 127.0.0.1:$standby_port check backup
EOF
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)

url="${base/:$pg_port\//:$proxy_port/}&schema=failover&pool=8"
.build/$build/doorstep-server admin generate-key --key-file "$work/data.keys" >/dev/null
servers=()
for i in 0 1; do
  port=$((server_port + i))
  .build/$build/doorstep-server serve --database "$url" --data-dir "$work/instance-$i" --port "$port" --key-file "$work/data.keys" \
    --enrolment-burst 5000 --enrolments-per-second 1000 --log-level "${LOG_LEVEL:-warning}" 2>"$work/instance-$i.log" &
  pids+=($!)
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/instance-$i.log" >&2; exit 1; }
  servers+=(--server "http://127.0.0.1:$port")
done

started=$(date +%s.%N)
# A run that hangs fails within RUN_LIMIT seconds, with its log, instead of holding CI to its limit.
timeout -k 10 "${RUN_LIMIT:-600}" .build/$build/client-sim run --devices "$devices" "${servers[@]}" --admin-token-file "$work/instance-0/admin.token" \
  --run-dir "$work/run" --report "$work/report.json" --time-scale 0 >"$work/client-sim.log" 2>&1 &
sim=$!
pids+=($sim)
# Kill the primary while devices push: a moment after they are enrolled and bootstrapping.
for _ in $(seq 1200); do
  grep -q "enrolled" "$work/client-sim.log" && break
  kill -0 $sim 2>/dev/null || break
  sleep 0.1
done
sleep "${KILL_AFTER:-3}"
changes=$("${psql_primary[@]}" -c "SELECT count(*) FROM failover.processed_dots")
kill -0 $sim 2>/dev/null || { cat "$work/client-sim.log" >&2; echo "check-failover: the run ended before the primary was killed" >&2; exit 1; }
primary_pid=$(head -1 "$primary_root/data/postmaster.pid")
killed=$(date +%s.%N)
kill -9 "$primary_pid"
echo "check-failover: primary killed (SIGKILL) with $changes device changes applied, $(seconds "$killed" "$started") s into the run"
# A scripted promotion: what an operator's runbook (or a watchdog) does once the primary is gone.
sleep "${PROMOTE_AFTER:-1}"
as_postgres "$pgbin/pg_ctl" -D "$standby_root/data" -w promote >/dev/null
promoted=$(date +%s.%N)
psql_standby=("$pgbin/psql" -h 127.0.0.1 -p "$standby_port" -U postgres -d doorstep -v ON_ERROR_STOP=1 -qtA)
for _ in $(seq 100); do
  "$pgbin/psql" "${url%%\?*}?sslmode=require" -qtA -c "SELECT pg_is_in_recovery()" 2>>"$work/proxy-psql.log" | grep -q f && break
  sleep 0.1
done
reachable=$(date +%s.%N)
echo "check-failover: the proxy reaches a writable primary $(seconds "$reachable" "$killed") s after the kill"
# The instances write again when a write through them commits: wait for a change the devices make.
before=$("${psql_standby[@]}" -c "SELECT count(*) FROM failover.processed_dots")
for _ in $(seq 600); do
  now=$("${psql_standby[@]}" -c "SELECT count(*) FROM failover.processed_dots")
  (( now > before )) && break
  kill -0 $sim 2>/dev/null || break
  sleep 0.05
done
writing=$(date +%s.%N)
echo "check-failover: standby promoted $(seconds "$promoted" "$killed") s after the kill; new writes committed $(seconds "$writing" "$killed") s after the kill"
status=0
wait $sim || status=$?
cat "$work/client-sim.log"
[[ $status -ne 124 ]] || { echo "check-failover: client-sim did not finish within ${RUN_LIMIT:-600} s" >&2; tail -30 "$work/instance-0.log" >&2; exit 1; }
[[ $status -eq 0 ]] || { echo "check-failover: client-sim's verification failed (exit $status)" >&2; tail -30 "$work/instance-0.log" >&2; exit 1; }
echo "check-failover: $devices devices, verification passed on the promoted standby"
