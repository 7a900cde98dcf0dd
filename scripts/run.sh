#!/usr/bin/env bash
# The main job: sets up, builds in release, and shows the whole system in one command:
# client-sim starts an embedded sync server on SQLite, enrols field devices (each a real
# replica on its own SQLite file), plays the review-season scenario over modelled village
# networks, heals, verifies every acknowledged write against the server and prints the report
# (JSON in out/report.json). Any argument goes to `client-sim run` (e.g. --devices 1000,
# --scenario conflict-storm, --server URL --admin-token-file FILE for a running server).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product client-sim
mkdir -p out
run_dir="out/client-sim-$(date +%Y%m%d-%H%M%S)"
exec .build/release/client-sim run --devices "${DEVICES:-200}" --run-dir "$run_dir" --report out/report.json "$@"
