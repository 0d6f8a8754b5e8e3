#!/usr/bin/env bash
# HTTP smoke through the built binary: serve on a free port, run a short simulated campaign over the API, check
# its stats show trades, scrape /metrics (checked by promtool), then SIGTERM and expect exit 0.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/service.sh
start_service
base=$SERVICE_URL
echo "http smoke: serving on $base"
curl -fsS "$base/healthz" > /dev/null
id=$(curl -fsS -X POST "$base/campaigns" -H 'Content-Type: application/json' \
  -d '{"name": "smoke", "universe": {"top_n": 3}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "session": {"clock": "simulated", "max_runtime_seconds": 900}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
status=running
for _ in $(seq 1 300); do
  status=$(curl -fsS "$base/campaigns/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$status" != running ] && break
  sleep 0.1
done
[ "$status" = completed ] || { echo "http smoke: campaign ended $status"; exit 1; }
metrics=$(mktemp)
curl -fsS "$base/metrics" > "$metrics"
grep -q '^arbitrage_campaigns{state="completed"} 1' "$metrics" || { echo "http smoke: /metrics lacks the completed campaign"; exit 1; }
promtool check metrics < "$metrics"
echo "http smoke: /metrics scraped, $(grep -c '^# TYPE' "$metrics") families, promtool check metrics passed"
curl -fsS "$base/campaigns/$id/stats" | python3 -c '
import json, sys
s = json.load(sys.stdin)
opened = s["trades"]["opened"]
assert opened > 0, "no trades"
assert s["balances"]["reconciled"], "balances do not reconcile"
print("http smoke: campaign %s, %d round trips on %d routes" % (s["status"], opened, s["num_symbols"]))'
# A client that sends a whole oversized body before reading (urllib sends no `Expect: 100-continue`): each of 20
# in a row reads the 413, none sees a broken pipe or a reset.
python3 - "$base" <<'PY'
import sys, urllib.request, urllib.error
base = sys.argv[1]
body = b"{" + b" " * (2 << 20) + b"}"
for i in range(20):
    try:
        urllib.request.urlopen(urllib.request.Request(base + "/campaigns", data=body, headers={"Content-Type": "application/json"}))
        sys.exit("http smoke: a 2 MB body was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 413, "POST %d of 2 MB: HTTP %d" % (i + 1, e.code)
print("http smoke: 20 POSTs of 2 MB without Expect: each answered 413")
PY
stop_service || { echo "http smoke: nonzero exit after SIGTERM"; cat "$SERVICE_LOG"; exit 1; }
echo "http smoke: SIGTERM → exit 0"
