#!/usr/bin/env bash
# Schemathesis (every default check, schemathesis.toml) against the live service with openapi/openapi.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ARBITRAGE_BIN:-.build/debug/arbitrage}
examples=${SCHEMATHESIS_EXAMPLES:-25}
python3 -c "
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
validate(read_from_filename('openapi/openapi.yaml')[0])
print('openapi/openapi.yaml: valid OpenAPI 3.1')"
log=$(mktemp)
"$bin" serve --port 0 --data-dir "$(mktemp -d)" 2> "$log" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(grep -o 'url=http://127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/.*://' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "schemathesis: the service did not start"; cat "$log"; exit 1; }
set +e
schemathesis run openapi/openapi.yaml --url "http://127.0.0.1:$port" --max-examples "$examples" --seed 1 --no-color
result=$?
set -e
if ! kill -0 $pid 2>/dev/null; then echo "schemathesis: the service died"; tail -50 "$log"; exit 1; fi
kill -TERM $pid
wait $pid
trap - EXIT
exit $result
