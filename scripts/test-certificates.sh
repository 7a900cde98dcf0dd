#!/usr/bin/env bash
# A throwaway CA and a server certificate signed by it, for 127.0.0.1 and localhost, made with
# openssl for the TLS the tests run (PostgreSQL's, HAProxy's):
#
#   scripts/test-certificates.sh DIR   # DIR/ca.crt, ca.key, server.crt, server.key (keys mode 0600)
#
# Makes nothing when DIR already holds them.
set -euo pipefail
certs=${1:?usage: scripts/test-certificates.sh DIR}
[[ -s $certs/server.crt && -s $certs/ca.crt ]] && exit 0
mkdir -p "$certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Doorstep test CA" \
  -keyout "$certs/ca.key" -out "$certs/ca.crt" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$certs/server.key" -out "$certs/server.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$certs/server.ext"
openssl x509 -req -in "$certs/server.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial -days 3650 \
  -extfile "$certs/server.ext" -out "$certs/server.crt" >/dev/null 2>&1
chmod 600 "$certs/server.key" "$certs/ca.key"
chmod 644 "$certs/ca.crt" "$certs/server.crt"
