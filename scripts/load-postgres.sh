#!/usr/bin/env bash
# client-sim against several doorstep-server instances sharing one PostgreSQL (server/SCALING.md):
# builds in release, starts a durable PostgreSQL cluster (fsync on) on its own port, a fresh
# schema, INSTANCES server processes (default 2) and DEVICES devices (default 1000) spread over
# them, then prints the client-sim report and each instance's peak memory and CPU time.
# Arguments go to `client-sim run` (e.g. --scenario conflict-storm). Output in out/load-postgres/.
#
#   scripts/load-postgres.sh                 # 1,000 devices, 2 instances, review season
#   INSTANCES=3 DEVICES=300 scripts/load-postgres.sh --scenario reconnect-storm
#   BASELINE=sqlite scripts/load-postgres.sh # the same fleet against one instance on SQLite
set -euo pipefail
cd "$(dirname "$0")/.."
instances=${INSTANCES:-2}
[[ ${BASELINE:-} == sqlite ]] && instances=1
devices=${DEVICES:-1000}
scripts/setup.sh
swift build -c release --product doorstep-server
swift build -c release --product client-sim
export DOORSTEP_PG_PORT=${DOORSTEP_PG_PORT:-54339} DOORSTEP_PG_FSYNC=on
base=$(scripts/postgres.sh start)
schema="load_$(date +%Y%m%d_%H%M%S)"
out="out/load-postgres/$schema"
mkdir -p "$out"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
servers=()
# Every instance seals with one key ring, kept beside the run's output.
.build/release/doorstep-server admin generate-key --key-file "$out/data.keys" >/dev/null
[[ $base == *\?* ]] && sep="&" || sep="?"
for ((i = 0; i < instances; i++)); do
  port=$((8190 + i))
  database="$base${sep}schema=$schema&pool=24"
  [[ ${BASELINE:-} == sqlite ]] && database=sqlite
  .build/release/doorstep-server serve --database "$database" --data-dir "$out/instance-$i" --port "$port" --key-file "$out/data.keys" \
    --enrolment-burst 5000 --enrolments-per-second 1000 2>"$out/instance-$i.log" &
  pids+=($!)
  for _ in $(seq 200); do grep -q listening "$out/instance-$i.log" && break; sleep 0.1; done
  grep -q listening "$out/instance-$i.log" || { cat "$out/instance-$i.log"; exit 1; }
  servers+=(--server "http://127.0.0.1:$port")
done
# PostgreSQL's own CPU: the postmaster, its live backends, and those it reaped (cutime, cstime).
pg_ticks() {
  [[ ${BASELINE:-} == sqlite ]] && { echo 0; return; }
  local postmaster; postmaster=$(head -1 "${TMPDIR:-/tmp}/doorstep-postgres-$DOORSTEP_PG_PORT/data/postmaster.pid")
  (awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat"
   for pid in $(pgrep -P "$postmaster"); do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null; done) | awk '{s += $1} END {print s + 0}'
}
pg_before=$(pg_ticks)
status=0
.build/release/client-sim run --devices "$devices" "${servers[@]}" --admin-token-file "$out/instance-0/admin.token" \
  --run-dir "$out/run" --report "$out/report.json" "$@" || status=$?
for ((i = 0; i < instances; i++)); do
  pid=${pids[$i]}
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  echo "instance $i: peak RSS $((hwm / 1024)) MB, CPU $((ticks / $(getconf CLK_TCK))) s"
done
if [[ ${BASELINE:-} != sqlite ]]; then
  echo "postgresql: CPU $(( ($(pg_ticks) - pg_before) / $(getconf CLK_TCK) )) s during the run"
fi
[[ ${BASELINE:-} == sqlite ]] && { echo "database: $(du -sh "$out/instance-0" | cut -f1) in $out/instance-0"; exit $status; }
echo "database: $("$(ls -d /usr/lib/postgresql/*/bin | head -1)/psql" "$base" -qtA -c \
  "SELECT pg_size_pretty(SUM(pg_total_relation_size(c.oid))) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$schema' AND c.relkind = 'r'") in schema $schema"
exit $status
