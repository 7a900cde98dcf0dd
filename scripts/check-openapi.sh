#!/usr/bin/env bash
# Validates protocol/openapi.yaml against the OpenAPI 3.1 schema (openapi-spec-validator from
# PyPI, installed in a virtual environment under .build-tools on first use). Patterns are read as
# JSON Schema reads them, ECMA-262 with Unicode (regress), not as Python's `re`: a name's letters
# are `\p{L}` in any script.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build-tools/venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$venv"; }
fi
"$venv/bin/python" -c 'import openapi_spec_validator, regress' 2>/dev/null \
  || "$venv/bin/pip" install --quiet --disable-pip-version-check openapi-spec-validator regress
"$venv/bin/python" - <<'PY'
import jsonschema, openapi_schema_validator, regress
from openapi_spec_validator import validate
def ecma_regex(pattern):
    if isinstance(pattern, str): regress.Regex(pattern, "u")
    return True
for checker in (jsonschema.Draft202012Validator.FORMAT_CHECKER, openapi_schema_validator.oas31_format_checker):
    checker.checkers["regex"] = (ecma_regex, regress.RegressError)
from openapi_spec_validator.readers import read_from_filename
spec, _ = read_from_filename("protocol/openapi.yaml")
validate(spec)
print("protocol/openapi.yaml: valid OpenAPI", spec["openapi"], "with", len(spec["paths"]), "paths")
PY
