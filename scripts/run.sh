#!/usr/bin/env bash
# The main job: sets up, builds the server and the command-line device in release, and starts
# the sync server on the embedded SQLite database in ./doorstep-data (created on first start,
# with an administrator token in doorstep-data/admin.token). Stop it with Ctrl-C or SIGTERM:
# in-flight syncs finish first. Arguments go to `doorstep-server serve` (e.g. --port 9090).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product doorstep-server
swift build -c release --product doorstep-device
exec .build/release/doorstep-server serve "$@"
