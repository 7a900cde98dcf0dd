#!/usr/bin/env bash
# Installs what building and testing Doorstep needs on a fresh Debian machine with Swift: the
# system zlib and SQLite headers; for the ops checks, promtool (prometheus), headless Chromium and
# a CJK font for its screenshot. Safe to run again: it installs only what is missing.
set -euo pipefail
packages=(zlib1g-dev libsqlite3-dev prometheus chromium fonts-wqy-zenhei)
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
