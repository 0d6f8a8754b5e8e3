#!/usr/bin/env python3
"""GET /campaigns/{id}/stats at 1,000 routes, for each binary given (interleave them to compare builds):
`arbitrage serve`, a finished 1,000-route simulated campaign (stats read from the store) and a running 1,000-route
realtime campaign (stats built live), 40 GETs each; prints the medians and p90s.

    scripts/stats_latency.py BINARY [BINARY ...]
"""
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

LIMITS = {"max_exposure_usd": 1e6, "max_orders_per_second": 1000}
CONFIG = {"universe": {"top_n": 1000}, "engine": {"mode": "multi", "multi_symbol_enabled": True},
          "market_data": {"seed": 3, "symbol_count": 1010},
          "multi_symbol_risk_guard": {"total_capital_usd": 1e6, "max_total_exposure_usd": 1e6,
                                      "max_symbol_allocation_pct": 0.01,
                                      "exchange": {"upbit": LIMITS, "binance": LIMITS}}}


def start(binary):
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--data-dir", tempfile.mkdtemp()],
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"url=http://127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc, f"http://127.0.0.1:{m.group(1)}"
    sys.exit(f"{binary} did not start")


def create(base, session):
    body = dict(CONFIG, session=session)
    req = urllib.request.Request(base + "/campaigns", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["id"]


def timed(url, n=40):
    xs = []
    for _ in range(n):
        t = time.perf_counter()
        urllib.request.urlopen(url).read()
        xs.append((time.perf_counter() - t) * 1000)
    xs.sort()
    return statistics.median(xs), xs[int(len(xs) * 0.9)]


def main():
    for binary in sys.argv[1:]:
        proc, base = start(binary)
        done = create(base, {"clock": "simulated", "max_runtime_seconds": 120})
        while json.load(urllib.request.urlopen(f"{base}/campaigns/{done}"))["status"] == "running":
            time.sleep(0.2)
        stored = timed(f"{base}/campaigns/{done}/stats")
        live = create(base, {"clock": "realtime", "max_runtime_seconds": 120})
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/campaigns/{live}/stats").read()
                break
            except urllib.error.HTTPError:
                time.sleep(0.1)
        time.sleep(3)
        running = timed(f"{base}/campaigns/{live}/stats")
        print(f"{binary}: stored stats median {stored[0]:.2f} ms p90 {stored[1]:.2f}; "
              f"running campaign's stats median {running[0]:.2f} ms p90 {running[1]:.2f}")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


if __name__ == "__main__":
    main()
