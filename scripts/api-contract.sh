#!/usr/bin/env bash
# API contract check: schemathesis (PyPI) against the generated OpenAPI document
# of a demo server, with a COA officer's token, in two runs: positive data
# (valid by the document: no server error, every answer as documented) and
# negative data (invalid by the document: also refused, with a documented 4xx).
# Usage: bash scripts/api-contract.sh [max-examples] [positive|negative|all]
# (PROFILE=debug tests a debug build, much quicker to build than the release).
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-50}"
modes="${2:-positive negative}"
[ "$modes" = all ] && modes="positive negative"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
command -v schemathesis >/dev/null || pip install -q schemathesis==4.32.5
profile="${PROFILE:-release}"
cargo build --profile "$( [ "$profile" = debug ] && echo dev || echo "$profile")" -q -p resettle
bin="$PWD/target/$profile/resettle"
cd "$work"
"$bin" serve --demo --listen 127.0.0.1:8095 > serve.log 2>&1 &
server=$!
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:8095/api/v1/health >/dev/null && break; sleep 1; done
token="$("$bin" tokens create --user demo-coa --database sqlite:resettle-demo.db --data-key-file resettle-demo.key 2>/dev/null)"
status=0
for mode in $modes; do
  echo "== schemathesis, $mode data"
  checks=not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance
  [ "$mode" = negative ] && checks="$checks,negative_data_rejection"
  schemathesis run http://127.0.0.1:8095/api/v1/openapi.json --url http://127.0.0.1:8095/api/v1 \
    -H "Authorization: Bearer $token" --max-examples "$examples" --mode "$mode" \
    --checks "$checks" || status=1
done
exit "$status"
