#!/usr/bin/env bash
# Checks the API of a real doorstep-server process against protocol/openapi.yaml, then its metrics:
#  - Schemathesis (a property-based API tester, from PyPI, pinned, in a virtual environment under
#    .build-tools) generates requests from the document for every operation — valid ones, which
#    the server must accept, and invalid ones, which it must refuse — with every check on, and
#    checks each answer's status, headers, media type and body against the document, that an
#    undeclared method is 405 with Allow, and that no operation works without its credential.
#    Operations run with an administrator's token; the device and reviewer ones with the token of
#    a device enrolled through the API. It must report no failure.
#  - promtool checks a scrape of the same process's /metrics (what Prometheus reads in production,
#    Hummingbird's request metrics included), after the traffic above.
# The server runs on SQLite in a scratch directory, built by `swift build` (scripts/test.sh builds
# first). EXAMPLES (default 100) bounds the generated requests per operation.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build-tools/schemathesis
version=4.32.5
if [[ ! -x $venv/bin/schemathesis ]] || [[ $("$venv/bin/schemathesis" --version) != *"$version"* ]]; then
  python3 -m venv "$venv" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$venv"; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
server="$(swift build --show-bin-path)/doorstep-server"
[[ -x $server ]] || { echo "check-api: $server is missing; run swift build first"; exit 1; }

dir=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The rate limiters stay on but out of reach: thousands of generated requests come from one address
# and one credential in a few minutes (FloodTests checks the limits themselves; 429 is documented).
printf '{"rateBurst": 1000000, "failedAuthBurst": 1000000, "enrolmentBurst": 1000000, "metricsRefresh": 0}\n' > "$dir/config.json"
"$server" serve --data-dir "$dir/data" --host 127.0.0.1 --port "$port" --config "$dir/config.json" --log-level warning > "$dir/server.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -sf "$url/healthz" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log"; echo "check-api: the server did not start"; exit 1; }
  sleep 0.2
done
admin=$(tr -d '\n' < "$dir/data/admin.token")

# A township reviewer's device, enrolled as a phone enrols: a worker, a one-time code, the code redeemed.
call() { curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' "$@"; }
call -X POST "$url/v1/admin/workers" \
  -d '{"id":"api.reviewer","name":"检查员","role":"townshipReviewer","villages":[],"townships":["140821100"],"counties":[],"cities":[]}' >/dev/null
code=$(call -X POST "$url/v1/admin/workers/api.reviewer/enrolment-codes" | python3 -c 'import json, sys; print(json.load(sys.stdin)["code"])')
device=$(curl -sf -H 'Content-Type: application/json' -X POST "$url/v1/enrol" \
  -d "{\"code\":\"$code\",\"replica\":\"00000000000a91c7\",\"deviceName\":\"API check\"}" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

export DOORSTEP_API_URL=$url SCHEMATHESIS_HOOKS=scripts/api-check/hooks.py
# The device's operations first, while its token is good: the administrator's run may revoke it.
# One worker: with two threads, Hypothesis's ast.parse of its own lambdas trips CPython 3.11's
# "AST constructor recursion depth mismatch" (the depth counter is shared between threads), a
# runtime error of the tester on whichever operation it was generating, not a server failure.
run() {
  DOORSTEP_TOKEN=$1 "$venv/bin/schemathesis" --config-file scripts/api-check/schemathesis.toml run protocol/openapi.yaml \
    --checks all --max-examples "${EXAMPLES:-100}" --seed "${SEED:-20261205}" --workers 1 --no-color "${@:2}"
}
status=0
run "$device" --include-tag device --include-tag reviewer || status=$?
run "$admin" --exclude-tag device --exclude-tag reviewer || status=$?
if grep -q 'request failed' "$dir/server.log"; then echo "check-api: the server logged failures:"; grep -m5 'request failed' "$dir/server.log"; status=1; fi
((status == 0)) || { echo "check-api: Schemathesis reported failures (exit $status)"; exit "$status"; }

curl -sf "$url/metrics" > "$dir/metrics.txt"
promtool check metrics < "$dir/metrics.txt"
echo "check-api: promtool accepts the running server's /metrics ($(grep -c '^# TYPE' "$dir/metrics.txt") families, $(grep -c '^hb_\|^http_server' "$dir/metrics.txt") Hummingbird samples)"
