#!/usr/bin/env python3
"""Checks the stats of `arbitrage run examples/top10_paper.yaml` (read on stdin): the seed's campaign trades on
all ten routes, records allowed and rejected decisions, evaluates 240 times per route and ends on time."""
import json
import sys

STABLE = {"USDC", "BUSD", "FDUSD", "TUSD", "DAI", "USDP", "USDD", "PYUSD", "USDE", "USD1"}

s = json.load(sys.stdin)
problems = []
if s["status"] != "completed" or s["stop_reason"] != "runtime":
    problems.append(f"status {s['status']} / {s['stop_reason']}")
if s["num_symbols"] != 10:
    problems.append(f"{s['num_symbols']} routes")
for sym in s["symbols"]:
    if sym[:-4] in STABLE:
        problems.append(f"stablecoin {sym} in the universe")
    p = s["per_symbol"][sym]
    if p["trades"] < 1:
        problems.append(f"{sym} did not trade")
    if p["iterations"] != 240:
        problems.append(f"{sym} evaluated {p['iterations']} times, not 240")
allowed = sum(sum(r.values()) for r in s["decisions"]["allowed"].values())
rejected = sum(sum(r.values()) for r in s["decisions"]["rejected"].values())
if allowed == 0 or rejected == 0:
    problems.append(f"decisions allowed {allowed}, rejected {rejected}")
off = s["runtime_seconds"] - 120
if not (0 <= off < 0.5):
    problems.append(f"runtime {s['runtime_seconds']} s")
if not s["balances"]["reconciled"]:
    problems.append("balances do not reconcile")
print(f"top10 smoke: runtime {s['runtime_seconds']:.4f} s ({off * 1000:+.1f} ms), trades per route "
      f"{[s['per_symbol'][x]['trades'] for x in s['symbols']]}, decisions allowed {allowed} rejected {rejected}")
if problems:
    print("top10 smoke FAILED: " + "; ".join(problems))
    sys.exit(1)
