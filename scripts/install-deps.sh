#!/usr/bin/env bash
# Installs the system packages the build and the tests need, when they are missing (Debian; run as root).
set -euo pipefail
missing=()
pkg-config --exists libmicrohttpd 2>/dev/null || missing+=(libmicrohttpd-dev pkg-config)
command -v python3 >/dev/null || missing+=(python3 python3-pip)
command -v curl >/dev/null || missing+=(curl)
command -v promtool >/dev/null || missing+=(prometheus)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Python tools the tests run (PyPI).
if ! command -v schemathesis >/dev/null || ! python3 -c 'import openapi_spec_validator, yaml' 2>/dev/null; then
  echo "installing: schemathesis openapi-spec-validator pyyaml" >&2
  python3 -m pip install -q schemathesis openapi-spec-validator pyyaml 2>&1 | grep -v 'Running pip as' >&2 || true
fi
