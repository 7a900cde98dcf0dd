#!/usr/bin/env bash
# The main job: sets up, builds in release, and writes a seeded synthetic village (households,
# members, a year of visits, discovery leads, relative filings) as JSON lines to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product doorstep-gen
mkdir -p out
.build/release/doorstep-gen --size "${SIZE:-village}" --seed "${SEED:-1}" --output out/dataset.jsonl
echo "wrote out/dataset.jsonl ($(wc -l < out/dataset.jsonl) records)"
