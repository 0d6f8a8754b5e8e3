#!/usr/bin/env bash
# Builds the service (release) and runs a campaign on the embedded defaults: the synthetic market, the seed's
# Top 10 paper config (120 s, realtime). Stats JSON on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || { echo "swift toolchain not found on PATH" >&2; exit 1; }
./scripts/install-deps.sh
swift build -c release --product arbitrage >&2
exec .build/release/arbitrage run "${1:-examples/top10_paper.yaml}"
