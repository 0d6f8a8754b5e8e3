#!/usr/bin/env bash
# Builds the service (release) and serves the control API on its embedded defaults: 127.0.0.1:8080, the synthetic
# market. Extra arguments go to `arbitrage serve` (see `arbitrage serve --help`). Ctrl-C or SIGTERM stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || { echo "swift toolchain not found on PATH" >&2; exit 1; }
./scripts/install-deps.sh service
swift build -c release --product arbitrage >&2
exec .build/release/arbitrage serve "$@"
