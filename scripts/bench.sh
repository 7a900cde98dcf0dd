#!/usr/bin/env bash
# Runs every benchmark, each beside a baseline measured in the same run, and writes the table to
# out/bench/BENCH.md and the figures to out/bench/bench.json. Arguments go to doorstep-bench
# (e.g. --households 200000 --small-households 20000 --devices 300 for a quicker, smaller run;
# --only wire to run one part).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product doorstep-bench
swift build -c release --product doorstep-server
mkdir -p out/bench
exec .build/release/doorstep-bench --markdown out/bench/BENCH.md --json out/bench/bench.json "$@"
