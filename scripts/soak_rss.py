#!/usr/bin/env python3
"""Memory over a long run of the service: `arbitrage serve` with one realtime campaign of ROUTES routes
(checkpoints every 5 s), /metrics scraped every 10 s and /stats read every 30 s, the process's RSS sampled every
10 s. Prints the median RSS of the 10 minutes after warm-up (--warmup-minutes, default 20: the service's RSS
climbs for its first 20 minutes, while SQLite's caches, the allocator and the campaign's state reach their working
size) and of the last 10 minutes, and the growth between them, and the same from minutes 5-15 for comparison;
with --out, every sample as CSV; with --csv, the figures of a saved run without running anything.

    scripts/soak_rss.py [--binary .build/release/arbitrage] [--minutes 60] [--routes 1000] [--out rss.csv]
    scripts/soak_rss.py --csv rss.csv
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=".build/release/arbitrage")
    p.add_argument("--minutes", type=float, default=60)
    p.add_argument("--routes", type=int, default=1000)
    p.add_argument("--out")
    p.add_argument("--warmup-minutes", type=float, default=20)
    p.add_argument("--csv", help="report on a saved run's samples instead of running")
    a = p.parse_args()
    if a.csv:
        with open(a.csv) as f:
            next(f)
            samples = [tuple(float(x) for x in line.split(",")) for line in f if line.strip()]
        report(samples, samples[-1][0] / 60, a.warmup_minutes)
        return

    data = tempfile.mkdtemp(prefix="arb-soak-")
    proc = subprocess.Popen([a.binary, "serve", "--port", "0", "--data-dir", data], stderr=subprocess.PIPE, text=True)
    try:
        run(a, proc, data)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.system(f"rm -rf {data}")


def run(a, proc, data):
    port = None
    for line in proc.stderr:
        m = re.search(r"url=http://127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        sys.exit("the service did not start")
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    runtime = a.minutes * 60 + 120
    config = {
        "universe": {"top_n": a.routes},
        "engine": {"mode": "multi", "multi_symbol_enabled": True},
        "market_data": {"seed": 3, "updates_per_second": 10, "symbol_count": a.routes + 10},
        "multi_symbol_risk_guard": {
            "total_capital_usd": 1_000_000, "max_total_exposure_usd": 1_000_000, "max_symbol_allocation_pct": 0.01,
            "exchange": {"upbit": {"max_exposure_usd": 1_000_000, "max_orders_per_second": 1000},
                         "binance": {"max_exposure_usd": 1_000_000, "max_orders_per_second": 1000}},
        },
        "session": {"clock": "realtime", "max_runtime_seconds": runtime, "checkpoint_seconds": 5},
    }
    req = urllib.request.Request(base + "/campaigns", data=json.dumps(config).encode(),
                                 headers={"Content-Type": "application/json"})
    cid = json.load(urllib.request.urlopen(req))["id"]
    # Stats answer once the campaign has primed its books.
    for _ in range(600):
        try:
            urllib.request.urlopen(f"{base}/campaigns/{cid}/stats").read()
            break
        except urllib.error.HTTPError:
            time.sleep(0.1)
    start = time.time()
    samples = []
    next_metrics = next_stats = next_sample = start
    while time.time() - start < a.minutes * 60:
        now = time.time()
        if now >= next_metrics:
            urllib.request.urlopen(base + "/metrics").read()
            next_metrics += 10
        if now >= next_stats:
            urllib.request.urlopen(f"{base}/campaigns/{cid}/stats").read()
            next_stats += 30
        if now >= next_sample:
            samples.append((now - start, rss_mb(proc.pid)))
            next_sample += 10
        time.sleep(max(0.05, min(next_metrics, next_stats, next_sample) - time.time()))
    status = json.load(urllib.request.urlopen(f"{base}/campaigns/{cid}"))["status"]
    trades = json.load(urllib.request.urlopen(f"{base}/campaigns/{cid}/stats"))["trades"]["opened"]
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=60)

    if a.out:
        with open(a.out, "w") as f:
            f.write("seconds,rss_mb\n")
            for t, r in samples:
                f.write(f"{t:.0f},{r:.1f}\n")
    print(f"soak: {a.routes} routes, {a.minutes:g} min, campaign {status} with {trades} trades, exit {code} after SIGTERM")
    report(samples, a.minutes, a.warmup_minutes)


def report(samples, minutes, warmup):
    last = statistics.median([r for t, r in samples if t >= (minutes - 10) * 60])
    for start in (warmup, 5):
        w = statistics.median([r for t, r in samples if start * 60 <= t < (start + 10) * 60])
        print(f"soak: RSS median minutes {start:g}-{start + 10:g} {w:.1f} MB, last 10 minutes {last:.1f} MB, "
              f"growth {100 * (last - w) / w:+.1f} %")
    print(f"soak: RSS max {max(r for _, r in samples):.1f} MB")


if __name__ == "__main__":
    main()
