#!/usr/bin/env bash
# Fuzzes SyncProtocol's frame inflater and message decoders with libFuzzer for a given time.
#
#   scripts/fuzz.sh [SECONDS] [JOBS]        # default 600 s, 1 job
#
# Builds fuzz/ (its own package and scratch path, so the normal build is untouched) with
# -sanitize=fuzzer,address, seeds a corpus from the golden vectors, the hostile fixtures and the
# committed crashers, and runs. The corpus grows in out/fuzz/corpus across runs. A crasher is
# copied to Tests/SyncProtocolTests/Fixtures/fuzz-crashers/, which FuzzRegressionTests replays in
# every test run: fix the decoder, then commit the file.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
jobs="${2:-1}"
scripts/setup.sh
swift build --package-path fuzz --scratch-path .build-fuzz -c release \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -g
binary=".build-fuzz/release/doorstep-fuzz"

corpus=out/fuzz/corpus
artifacts=out/fuzz/artifacts
crashers=Tests/SyncProtocolTests/Fixtures/fuzz-crashers
mkdir -p "$corpus" "$artifacts" "$crashers"
for seed in protocol/vectors/*.pb protocol/vectors/*.pb.deflate \
            Tests/SyncProtocolTests/Fixtures/hostile-frames/*.bin Tests/SyncProtocolTests/Fixtures/hostile-messages/*.bin \
            "$crashers"/*; do
  [ -f "$seed" ] || continue
  case "$seed" in *.md) continue ;; esac
  # Seeds over the fuzzer's input cap would only be truncated; the 1 MiB frame cases stay out.
  [ "$(stat -c %s "$seed")" -le 262144 ] && cp -n "$seed" "$corpus/seed-$(basename "$seed")"
done

# With several jobs libFuzzer writes fuzz-N.log into the working directory: keep them in out/fuzz.
parallel=()
((jobs > 1)) && parallel=(-jobs="$jobs" -workers="$jobs")
status=0
(cd out/fuzz && "$OLDPWD/$binary" "$OLDPWD/$corpus" "${parallel[@]}" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=4096 \
  -timeout=20 -print_final_stats=1 -artifact_prefix="$OLDPWD/$artifacts/") 2>&1 | tee out/fuzz/last-run.log || status=$?
for crash in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
  [ -f "$crash" ] || continue
  cp -n "$crash" "$crashers/$(basename "$crash").bin"
  echo "crasher kept as $crashers/$(basename "$crash").bin"
done
exit "$status"
