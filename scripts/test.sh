#!/usr/bin/env bash
# Runs every test. Installs what the build needs on a fresh Debian machine first.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v swift >/dev/null || { echo "swift toolchain not found on PATH" >&2; exit 1; }
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
fi

swift build --build-tests
swift test --skip-build --parallel 2>&1 | tee .build/test-output.txt
