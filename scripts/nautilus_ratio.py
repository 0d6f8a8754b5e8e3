#!/usr/bin/env python3
"""SPEC §4's ratio to NautilusTrader on equal events, measured in one sitting (docs/benchmarks.md).

For each route count N: our whole `arbitrage run` process on a simulated config of N routes whose synthetic
market makes 2,000,000 book updates (10 updates/s per market, 2N + 1 markets), against NautilusTrader's
`engine.run()` alone on 2N instruments x 2,000,000 / (2N) quotes (../shared/anchors/nautilus_bench.py). The two
alternate, RUNS times each; medians and the ratio are printed as a Markdown table, every run as JSON on stderr.

    python3 -m venv /tmp/nt && /tmp/nt/bin/pip install nautilus_trader==1.221.0
    scripts/nautilus_ratio.py --python /tmp/nt/bin/python [--routes 10,50,200,1000] [--runs 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVENTS = 2_000_000


def config(n):
    seconds = EVENTS / ((2 * n + 1) * 10)
    capital = max(50_000, n * 1_000)
    return json.dumps({
        "universe": {"top_n": n}, "engine": {"mode": "multi", "multi_symbol_enabled": True},
        "market_data": {"seed": 3, "updates_per_second": 10, "symbol_count": n + 10},
        "multi_symbol_risk_guard": {
            "total_capital_usd": capital, "max_total_exposure_usd": capital, "max_symbol_allocation_pct": 0.05,
            "exchange": {"upbit": {"max_exposure_usd": capital, "max_orders_per_second": 1000},
                         "binance": {"max_exposure_usd": capital, "max_orders_per_second": 1000}}},
        "session": {"clock": "simulated", "max_runtime_seconds": round(seconds, 3)},
    })


def ours(binary, path):
    start = time.monotonic()
    out = subprocess.run([binary, "run", path, "--progress", "none", "--compact"], capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - start
    stats = json.loads(out)
    return wall, stats["performance"]["book_updates"], stats["trades"]["executed"], len(stats["symbols"])


def nautilus(python, n):
    ticks = EVENTS // (2 * n)
    out = subprocess.run([python, os.path.join(ROOT, "..", "shared", "anchors", "nautilus_bench.py"), "--n", str(n), "--mode", "arb",
                          "--ticks", str(ticks)], capture_output=True, text=True, check=True).stdout
    line = json.loads(out.strip().splitlines()[-1])
    return line["run_s"], line.get("quotes_total", 2 * n * ticks)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--python", required=True, help="a Python with nautilus_trader 1.221.0")
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "arbitrage"))
    p.add_argument("--routes", default="10,50,200,1000")
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(x) for x in a.routes.split(",")]:
            path = os.path.join(tmp, f"sim_{n}.json")
            with open(path, "w") as f:
                f.write(config(n))
            mine, theirs = [], []
            for _ in range(a.runs):
                wall, updates, trades, routes = ours(a.binary, path)
                mine.append(wall)
                print(json.dumps({"side": "arbitrage", "routes": routes, "wall_s": wall, "book_updates": updates, "trades": trades}), file=sys.stderr)
                run_s, quotes = nautilus(a.python, n)
                theirs.append(run_s)
                print(json.dumps({"side": "nautilus", "n": n, "run_s": run_s, "quotes": quotes}), file=sys.stderr)
            m, t = statistics.median(mine), statistics.median(theirs)
            rows.append((n, updates, m, m / updates * 1e9, quotes, t, t / m))
    print("| routes | our book updates | our whole run s (median) | ns per update | Nautilus quotes | Nautilus engine.run() s (median) | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n, updates, m, per, quotes, t, ratio in rows:
        print(f"| {n:,} | {updates:,} | {m:.2f} | {per:.0f} | {quotes:,} | {t:.1f} | {ratio:.1f}x |")


if __name__ == "__main__":
    main()
