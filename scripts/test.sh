#!/usr/bin/env bash
# Sets up, builds and runs every test of Doorstep. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
# Under CI=true a suite that needs PostgreSQL fails without it rather than running on SQLite alone.
export CI=true
scripts/setup.sh --test
# Building tests first and then running with --skip-build avoids a second compile of the
# dependencies (swift test orders some build flags differently from swift build).
swift build --build-tests
# Every storage suite runs on SQLite and on a real PostgreSQL: a throwaway cluster, installed from
# Debian's packages when absent, stopped when the tests end. It accepts TCP connections over TLS
# only, with a certificate from a CA postgres.sh makes, and its URL says sslmode=verify-full with
# that CA: every PostgreSQL suite runs over verified TLS (PostgresTLSTests checks it does).
DOORSTEP_TEST_POSTGRES_URL=$(scripts/postgres.sh start)
export DOORSTEP_TEST_POSTGRES_URL
trap 'scripts/postgres.sh stop' EXIT
# At most 8 tests run at once (Swift Testing starts every one at once otherwise). The suite is
# CPU-bound on two cores: with ~150 suites started together, 20–30 threads waited to run, every
# test stretched to about the whole run's length, and waits with a bound of their own (a
# statement's 60 s, a test's time limit, an HTTP read) ran out on a machine half as fast
# (2026-12-07: six tests in a run of 2,228 s). With 8 the run queue holds ~5, the whole run is no
# slower (579 s against 632 s, same machine), and the PostgreSQL fault test took 95 s, not 297 s.
# DOORSTEP_TEST_WIDTH changes it.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${DOORSTEP_TEST_WIDTH:-8}
# On a failure, PostgreSQL's own account of lock waits and timeouts (a push's statement timeout
# under load is otherwise a bare 57014).
swift test --skip-build || { echo "PostgreSQL lock waits and timeouts:"; scripts/postgres.sh waits; exit 1; }
# promtool and headless Chromium check the metrics and the ops page the ops tests saved.
scripts/check-ops.sh
# The API description is valid OpenAPI (its routes are checked against the server by a test).
scripts/check-openapi.sh
# A property-based API tester from the description against a real server process, and promtool on
# that process's /metrics.
scripts/check-api.sh
# The conformance kit: an independent Python client written from protocol/ alone checks every
# golden vector byte for byte and drives a real doorstep-server through every change kind, a
# conflict, a repair by digest and every rejection reason of SPEC §6 (the server built above).
DOORSTEP_SERVER=.build/debug/doorstep-server protocol/conformance/run.sh
# The deployment of server/deploy/: two instances on the PostgreSQL above behind HAProxy with TLS,
# client-sim over HTTPS through it, one instance killed mid-run, the verification passing.
scripts/check-deploy.sh
# Database failover: a primary with a synchronous standby behind HAProxy, two instances, client-sim
# pushing; the primary killed (SIGKILL) and the standby promoted; the verification passing on it.
scripts/check-failover.sh
