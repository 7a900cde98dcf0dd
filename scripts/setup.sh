#!/usr/bin/env bash
# Installs what building Doorstep needs on a fresh Debian machine with Swift: the system zlib and
# SQLite headers. With --test, also what the tests' checks use: promtool (prometheus), headless
# Chromium and a CJK font for its screenshot of the ops page, faketime (libfaketime) for the
# devices whose clocks are a year off, and openssl for the certificates of the TLS tests (the
# PostgreSQL cluster's and the server's own), protoc with Python's protobuf package for the
# conformance kit (protocol/conformance), python3-venv for the API checks' tools from PyPI and curl
# for their calls to a running server, and haproxy for the deployment check (scripts/check-deploy.sh).
# Safe to run again: it installs only what is missing.
set -euo pipefail
packages=(zlib1g-dev libsqlite3-dev)
[[ ${1:-} == --test ]] && packages+=(prometheus chromium fonts-wqy-zenhei faketime openssl protobuf-compiler python3-protobuf python3-venv curl haproxy)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
