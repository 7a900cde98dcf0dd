#!/usr/bin/env bash
# Validates protocol/openapi.yaml against the OpenAPI 3.1 schema (openapi-spec-validator from
# PyPI, installed in a virtual environment under .build-tools on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build-tools/venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$venv"; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check openapi-spec-validator
fi
"$venv/bin/python" - <<'PY'
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
spec, _ = read_from_filename("protocol/openapi.yaml")
validate(spec)
print("protocol/openapi.yaml: valid OpenAPI", spec["openapi"], "with", len(spec["paths"]), "paths")
PY
