#!/usr/bin/env bash
# The deployment of server/deploy/ on one machine: two doorstep-server instances on one PostgreSQL
# behind HAProxy (server/deploy/haproxy.cfg, given only its ports and paths) terminating TLS with
# a certificate made here by openssl; client-sim syncs DEVICES devices (default 30) over HTTPS
# through it, trusting the test CA; one instance is killed with SIGKILL mid-run; client-sim's
# verification must pass (every acknowledged write on the server exactly once, every replica
# equal to the server). Then the limits HAProxy holds for both instances must answer 429: 60
# enrolments from one address, and 200 syncs under one Authorization header, but not a sync
# under another. Prints the figures: devices, changes, requests HAProxy carried to the other
# instance and answered 5xx for the killed one, failed syncs, duration, requests limited.
#
# Installs nothing (scripts/setup.sh --test installs haproxy, openssl and curl; scripts/postgres.sh,
# PostgreSQL). Uses the PostgreSQL of DOORSTEP_TEST_POSTGRES_URL (scripts/test.sh starts one) or
# starts its own with scripts/postgres.sh on DOORSTEP_PG_PORT (default 54349) and stops it.
# Runs as root, as CI does: HAProxy starts as root and drops to the haproxy user in a chroot, as
# the production configuration says.
# Builds (or reuses) the debug binaries, or release with CONFIGURATION=release. Every process it
# starts, it stops; its scratch directory goes too unless it failed.
#
#   scripts/check-deploy.sh
#   DEVICES=50 SCENARIO=conflict-storm scripts/check-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=${CONFIGURATION:-debug}
devices=${DEVICES:-30}
scenario=${SCENARIO:-review-season}
proxy_port=${DOORSTEP_PROXY_PORT:-18443}
ports=(${DOORSTEP_INSTANCE_PORTS:-18481 18482})
for tool in haproxy openssl curl; do
  command -v "$tool" >/dev/null || { echo "check-deploy: $tool is missing; scripts/setup.sh --test installs it"; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-deploy.XXXXXX")
for product in doorstep-server client-sim; do
  swift build -c "$configuration" --product "$product" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
done
bin=.build/$configuration

pids=()
own_postgres=""
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n $own_postgres ]] && DOORSTEP_PG_PORT=$own_postgres scripts/postgres.sh stop >/dev/null 2>&1 || true
  if ((status == 0)); then rm -rf "$work"; else echo "check-deploy: failed; logs kept in $work"; fi
  exit $status
}
trap cleanup EXIT

base=${DOORSTEP_TEST_POSTGRES_URL:-}
if [[ -z $base ]]; then
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
    || { echo "check-deploy: PostgreSQL is not installed; scripts/postgres.sh start installs and starts it (give its URL as DOORSTEP_TEST_POSTGRES_URL)"; exit 1; }
  own_postgres=${DOORSTEP_PG_PORT:-54349}
  base=$(DOORSTEP_PG_PORT=$own_postgres scripts/postgres.sh start)
fi
[[ $base == *\?* ]] && sep="&" || sep="?"
database="$base${sep}schema=deploy_$(date +%Y%m%d_%H%M%S)_$$"

# A throwaway CA and a certificate for localhost and 127.0.0.1 signed by it; HAProxy reads the
# chain and key from one PEM file.
tls="$work/tls"
scripts/test-certificates.sh "$tls"
(umask 077; cat "$tls/server.crt" "$tls/server.key" >"$tls/proxy.pem")

wait_for() { # file pattern what
  for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "check-deploy: $3 did not start:"; cat "$1"; return 1
}

# The instances, one after the other: the first migrates the schema and writes the
# administrator token. They believe X-Forwarded-For from the proxy on loopback only.
"$bin/doorstep-server" admin generate-key --key-file "$work/data.keys" >/dev/null
for i in "${!ports[@]}"; do
  "$bin/doorstep-server" serve --database "$database" --data-dir "$work/instance-$i" --host 127.0.0.1 --port "${ports[$i]}" \
    --key-file "$work/data.keys" --behind-https-proxy true --trusted-proxies 127.0.0.1/32 \
    --enrolment-burst 5000 --enrolments-per-second 1000 2>"$work/instance-$i.log" &
  pids+=($!)
  wait_for "$work/instance-$i.log" listening "instance $i"
done
instance_pids=("${pids[@]}")

DOORSTEP_PROXY_BIND="127.0.0.1:$proxy_port" DOORSTEP_PROXY_CERT="$tls/proxy.pem" \
DOORSTEP_INSTANCE_1="127.0.0.1:${ports[0]}" DOORSTEP_INSTANCE_2="127.0.0.1:${ports[1]}" \
DOORSTEP_PROXY_LOG=stdout DOORSTEP_PROXY_SOCKET="$work/haproxy.sock" \
  haproxy -db -f server/deploy/haproxy.cfg >"$work/haproxy.log" 2>&1 &
pids+=($!)
proxy="https://localhost:$proxy_port"
for _ in $(seq 100); do curl -fsS --cacert "$tls/ca.crt" "$proxy/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS --cacert "$tls/ca.crt" "$proxy/readyz" >/dev/null || { echo "check-deploy: HAProxy does not answer over TLS:"; cat "$work/haproxy.log"; exit 1; }
if curl -fsS "$proxy/readyz" >/dev/null 2>&1; then echo "check-deploy: a client without the test CA was not refused"; exit 1; fi

# HAProxy's counters (`show stat` on its socket) of a proxy and a row (FRONTEND, BACKEND or a
# server): what it carried to another instance after a failed connection (wredis), connection
# retries (wretr), responses cut by a dying instance (eresp), 5xx answered to clients (hrsp_5xx).
proxy_stat() { # proxy row field
  python3 - "$work/haproxy.sock" "$@" <<'PY'
import csv, socket, sys
sock, proxy, row, field = sys.argv[1:]
s = socket.socket(socket.AF_UNIX); s.connect(sock); s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536): data += chunk
rows = list(csv.DictReader(data.decode().lstrip("# ").splitlines()))
print(sum(int(r[field] or 0) for r in rows if r["pxname"] == proxy and r["svname"] == row))
PY
}

started=$(date +%s)
# A run that hangs fails within RUN_LIMIT seconds, with its log, instead of holding CI to its limit.
timeout -k 10 "${RUN_LIMIT:-600}" "$bin/client-sim" run --devices "$devices" --scenario "$scenario" --server "$proxy" --ca-file "$tls/ca.crt" \
  --admin-token-file "$work/instance-0/admin.token" --run-dir "$work/run" --report "$work/report.json" \
  >"$work/client-sim.out" 2>"$work/client-sim.log" &
sim=$!
pids+=($sim)
# The second instance dies with SIGKILL in the middle of the fleet's second day, while devices sync.
for _ in $(seq 1800); do grep -q "day 1/" "$work/client-sim.log" 2>/dev/null && break; kill -0 $sim 2>/dev/null || break; sleep 0.1; done
sleep 2
kill -KILL "${instance_pids[1]}"
wait "${instance_pids[1]}" 2>/dev/null || true
killed_at=$(($(date +%s) - started))
status=0
wait $sim || status=$?
duration=$(($(date +%s) - started))
cat "$work/client-sim.out"
[[ $status -ne 124 ]] || { echo "check-deploy: client-sim did not finish within ${RUN_LIMIT:-600} s:"; tail -40 "$work/client-sim.log"; exit 1; }
[[ $status -eq 0 ]] || { echo "check-deploy: client-sim failed (status $status):"; tail -20 "$work/client-sim.log"; exit 1; }
grep -q "day 1/" "$work/client-sim.log" || { echo "check-deploy: the run ended before an instance was killed"; exit 1; }

# The proxy holds the enrolment limit for every instance at once: 50 a minute from one address,
# then 429 with the server's own error shape, whatever instance would have answered.
limited=0
for _ in $(seq 60); do
  code=$(curl -s -o "$work/enrol.json" -w '%{http_code}' --cacert "$tls/ca.crt" -H 'Content-Type: application/json' \
    -d '{"code":"AAAA-AAAA-AAAA","replica":"00000000000000000000000000000000","deviceName":"flood"}' "$proxy/v1/enrol")
  [[ $code == 429 ]] && grep -q '"rate_limited"' "$work/enrol.json" && limited=$((limited + 1))
done
((limited > 0)) || { echo "check-deploy: 60 enrolments from one address through the proxy were never limited"; exit 1; }
# And the per-device sync limit, keyed by the Authorization header: 200 sync requests under one
# header meet the proxy's own 429 past 180 a minute; a request under another header does not.
mkdir -p "$work/flood"
curl -s --cacert "$tls/ca.crt" -X POST -H 'Authorization: Bearer flood-device' -o "$work/flood/#1.json" "$proxy/v1/sync?n=[1-200]"
device_limited=$(grep -l 'too many sync requests from this device' "$work/flood"/*.json | wc -l)
((device_limited >= 20)) || { echo "check-deploy: 200 syncs under one Authorization header met the proxy's limit $device_limited times"; exit 1; }
curl -s --cacert "$tls/ca.crt" -X POST -H 'Authorization: Bearer another-device' -o "$work/other.json" "$proxy/v1/sync"
if grep -q 'from this device' "$work/other.json"; then echo "check-deploy: another device was limited with the first"; exit 1; fi

python3 - "$work/report.json" <<PY
import json, sys
r = json.load(open(sys.argv[1]))
v = r["verification"]
print(f"check-deploy: {r['devices']} devices ({r['scenario']}, {r['days']} days) over HTTPS through HAProxy to 2 instances on PostgreSQL, "
      f"instance 2 killed (SIGKILL) at {$killed_at} s")
print(f"check-deploy: {r['changesPushed']} changes pushed, {r['changesAcknowledged']} acknowledged, {r['syncs']} syncs ({r['failedSyncs']} failed and retried by the devices)")
print(f"check-deploy: HAProxy carried $(proxy_stat doorstep BACKEND wredis) requests to the other instance after a refused connection "
      f"($(proxy_stat doorstep BACKEND wretr) connection retries); $(proxy_stat doorstep BACKEND eresp) responses were cut by the kill, "
      f"$(proxy_stat doorstep_https FRONTEND hrsp_5xx) requests answered 5xx (the devices retry them)")
print(f"check-deploy: verification passed: {v['acknowledgedWrites']} acknowledged writes on the server exactly once, "
      f"{v['villagesCompared']} village replicas equal; {$duration} s")
print(f"check-deploy: limits at the proxy: {$limited} of 60 enrolments from one address answered 429 (past 50 a minute with the fleet's own), "
      f"{$device_limited} of 200 syncs under one Authorization header (past 180 a minute), none under another")
PY
