#!/usr/bin/env bash
# API contract check: schemathesis (PyPI) against the generated OpenAPI document
# of a demo server, with a COA officer's token: no server error, no response
# that breaks the schema. Usage: bash scripts/api-contract.sh [max-examples]
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-50}"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
command -v schemathesis >/dev/null || pip install -q schemathesis
cargo build --release -q
bin="$PWD/target/release/resettle"
cd "$work"
"$bin" serve --demo --listen 127.0.0.1:8095 > serve.log 2>&1 &
server=$!
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:8095/api/v1/health >/dev/null && break; sleep 1; done
token="$("$bin" tokens create --user demo-coa --database sqlite:resettle-demo.db --data-key-file resettle-demo.key 2>/dev/null)"
schemathesis run http://127.0.0.1:8095/api/v1/openapi.json --url http://127.0.0.1:8095/api/v1 \
  -H "Authorization: Bearer $token" --max-examples "$examples" \
  --checks not_a_server_error,response_schema_conformance
