#!/usr/bin/env bash
# Runs every test: the Swift suites (unit, campaign, HTTP over real sockets), the HTTP smoke and schemathesis
# against the built service, then the seed's Top 10 campaign end to end through the executable (120 s realtime,
# checked by scripts/smoke_top10.py). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null || { echo "swift toolchain not found on PATH" >&2; exit 1; }
./scripts/install-deps.sh

echo "== module graph: every import along docs/architecture.md's edges; file and function sizes =="
python3 scripts/check_imports.py
python3 scripts/check_sizes.py

swift build --build-tests
swift test --skip-build

echo "== http smoke: arbitrage serve, a campaign over the API, SIGTERM =="
./scripts/http_smoke.sh

echo "== prometheus: a real Prometheus scrapes a realtime campaign; dashboard and alert queries =="
./scripts/prometheus_integration.sh

echo "== docker stack: compose command line and the files' agreement =="
python3 scripts/check_stack.py .build/debug/arbitrage

echo "== schemathesis against the live service =="
./scripts/schemathesis.sh

echo "== a Python client generated from openapi/openapi.yaml, used against the live service =="
./scripts/python_client.sh

echo "== top10 smoke: arbitrage run examples/top10_paper.yaml (120 s) =="
.build/debug/arbitrage run examples/top10_paper.yaml --progress none --compact > .build/top10-stats.json
python3 scripts/smoke_top10.py < .build/top10-stats.json
