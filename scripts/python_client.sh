#!/usr/bin/env bash
# A typed Python client generated from openapi/openapi.yaml (openapi-python-client, no warning allowed), then used
# against the running service: create a simulated campaign, wait for it, read its stats and its trades.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/service.sh
out=.build/python-client
rm -rf "$out" && mkdir -p "$out"
log=$(mktemp)
openapi-python-client generate --path openapi/openapi.yaml --config openapi/python-client.yaml --meta none \
  --output-path "$out/arbitrage_client" > "$log" 2>&1 || { cat "$log"; exit 1; }
if grep -qiE "warning|unable|cannot|error" "$log"; then
  echo "python client: the generator warned:"; cat "$log"; exit 1
fi
start_service
PYTHONPATH="$out" python3 scripts/python_client_check.py "$SERVICE_URL"
stop_service || { echo "python client: nonzero exit after SIGTERM"; cat "$SERVICE_LOG"; exit 1; }
