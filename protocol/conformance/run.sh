#!/usr/bin/env bash
# Runs the conformance kit: the golden vectors, then a real doorstep-server (SQLite, a temporary
# data directory) driven by the kit's Python client over HTTP. Needs protoc (Debian:
# protobuf-compiler) and Python 3 with the protobuf package (Debian: python3-protobuf), which
# scripts/setup.sh --test installs. The Python code for the messages is generated here, at run
# time, from doorstep_sync.proto.
#
#   protocol/conformance/run.sh                 # builds doorstep-server (debug) and runs every check
#   DOORSTEP_SERVER=path/to/doorstep-server protocol/conformance/run.sh
#   protocol/conformance/run.sh --vectors-only  # no server
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
protocol=$(dirname "$here")
root=$(dirname "$protocol")
python=${PYTHON:-python3}
# Debian's python3-protobuf is installed for the system interpreter.
[[ -z ${PYTHON:-} && -x /usr/bin/python3 ]] && python=/usr/bin/python3
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

protoc --proto_path="$protocol" --python_out="$work" "$protocol/doorstep_sync.proto"
export PYTHONPATH="$work:$here"
if [[ ${1:-} == --vectors-only ]]; then
  exec "$python" "$here/kit.py" --protocol "$protocol"
fi

server=${DOORSTEP_SERVER:-}
if [[ -z $server ]]; then
  (cd "$root" && swift build --product doorstep-server >/dev/null)
  server="$root/.build/debug/doorstep-server"
fi
port=${PORT:-$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
# A small daily household budget, so the kit can spend it; a large request burst, so the kit's
# quick exchanges are never rate-limited.
"$server" serve --data-dir "$work/data" --host 127.0.0.1 --port "$port" --households-per-device-per-day 5 \
  --rate-burst 10000 --rate-per-second 1000 --log-level warning >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  [[ -s $work/data/admin.token ]] && "$python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=2)" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
"$python" "$here/kit.py" --protocol "$protocol" --server "http://127.0.0.1:$port" --admin-token "$work/data/admin.token" \
  || { echo "--- server log" >&2; tail -50 "$work/server.log" >&2; exit 1; }
