#!/usr/bin/env bash
# A real Prometheus scrapes the service every second while a realtime campaign runs; then every PromQL
# expression of the Grafana dashboard must return data and every alert rule must evaluate without error, through
# Prometheus' HTTP API. promtool checks the config and the rules, amtool the Alertmanager config.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/service.sh

promtool check rules docker/alerts.yml
amtool check-config docker/alertmanager.yml
work=$(mktemp -d)
cp docker/alerts.yml "$work/alerts.yml"
sed -e "s#/etc/prometheus/alerts.yml#$work/alerts.yml#" \
  docker/prometheus.yml > "$work/compose-prometheus.yml"
promtool check config "$work/compose-prometheus.yml"

start_service
port=${SERVICE_URL##*:}
curl -fsS -X POST "$SERVICE_URL/campaigns" -H 'Content-Type: application/json' -d '{"name": "prometheus",
  "universe": {"top_n": 3}, "engine": {"mode": "multi", "multi_symbol_enabled": true},
  "strategy": {"entry_threshold_bps": -30}, "multi_symbol_risk_guard": {"cooldown_seconds": 1},
  "market_data": {"updates_per_second": 20}, "session": {"max_runtime_seconds": 120}}' > /dev/null

prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["$work/alerts.yml"]
scrape_configs:
  - job_name: arbitrage
    static_configs:
      - targets: ["127.0.0.1:$port"]
CONF
promtool check config "$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn > "$work/prometheus.log" 2>&1 &
prom_pid=$!
trap 'kill -9 $prom_pid $SERVICE_PID 2>/dev/null || true' EXIT
echo "prometheus on 127.0.0.1:$prom_port scraping $SERVICE_URL; waiting for samples"
sleep 20
python3 scripts/check_promql.py "http://127.0.0.1:$prom_port" grafana/dashboards/arbitrage.json docker/alerts.yml
kill $prom_pid
stop_service
trap - EXIT
