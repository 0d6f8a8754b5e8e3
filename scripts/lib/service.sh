# Sourced by the test scripts: starts `arbitrage serve` on a free port with a fresh data directory.
# Sets SERVICE_PID, SERVICE_LOG and SERVICE_URL; kills the service on exit unless stop_service ran.

start_service() {
  local bin=${ARBITRAGE_BIN:-.build/debug/arbitrage}
  SERVICE_LOG=$(mktemp)
  "$bin" serve --port 0 --data-dir "$(mktemp -d)" "$@" 2> "$SERVICE_LOG" &
  SERVICE_PID=$!
  trap 'kill -9 $SERVICE_PID 2>/dev/null || true' EXIT
  local port=""
  for _ in $(seq 1 100); do
    port=$(grep -o 'url=http://127.0.0.1:[0-9]*' "$SERVICE_LOG" | head -1 | sed 's/.*://' || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "the service did not start"; cat "$SERVICE_LOG"; return 1; }
  SERVICE_URL="http://127.0.0.1:$port"
}

# SIGTERM, then the exit status of the service.
stop_service() {
  kill -TERM "$SERVICE_PID"
  local code=0
  wait "$SERVICE_PID" || code=$?
  trap - EXIT
  return $code
}
