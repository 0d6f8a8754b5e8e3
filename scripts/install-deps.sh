#!/usr/bin/env bash
# Installs what the build and the tests need, when missing (Debian; run as root).
#   install-deps.sh          everything the tests use
#   install-deps.sh service  only what building and running the service needs
#   install-deps.sh bench    the service's, and libcurl's development files for the release build the image
#                            ships and the benchmarks measure (`swift build -c release --static-swift-stdlib`)
set -euo pipefail
missing=()
pkg-config --exists libmicrohttpd 2>/dev/null || missing+=(libmicrohttpd-dev pkg-config)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ "${1:-tests}" = bench ]; then
  [ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || missing+=(libcurl4-openssl-dev)
fi
if [ "${1:-tests}" = tests ]; then
  command -v python3 >/dev/null || missing+=(python3 python3-pip)
  command -v curl >/dev/null || missing+=(curl)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ "${1:-tests}" = tests ] || exit 0
# Python tools the tests run (PyPI).
if ! command -v schemathesis >/dev/null || ! command -v openapi-python-client >/dev/null \
   || ! python3 -c 'import openapi_spec_validator, yaml' 2>/dev/null; then
  echo "installing: schemathesis openapi-python-client openapi-spec-validator pyyaml" >&2
  python3 -m pip install -q schemathesis openapi-python-client openapi-spec-validator pyyaml 2>&1 | grep -v 'Running pip as' >&2 || true
fi
