#!/usr/bin/env python3
"""Evaluates every dashboard query (variables set to match all) and every alert expression on a live
Prometheus. Dashboard queries must return data; alert expressions must evaluate (an alert may rightly be empty)."""
import json
import sys
import urllib.parse
import urllib.request

import yaml

base, dashboard_path, rules_path = sys.argv[1:4]


def query(expr):
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


dashboard = json.load(open(dashboard_path))
problems = []
checked = 0
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        # The venue variable picked as one venue, so the route series' `pair` label is checked too.
        expr = target["expr"].replace("$campaign", ".*").replace("$symbol", ".*").replace("${venue:regex}", "upbit")
        answer = query(expr)
        checked += 1
        if answer.get("status") != "success":
            problems.append(f"dashboard '{panel['title']}': {expr}: {answer}")
        elif not answer["data"]["result"]:
            problems.append(f"dashboard '{panel['title']}': no data for {expr}")
for variable in dashboard["templating"]["list"]:
    if variable["type"] == "custom":
        continue  # a fixed list (the venues); the panels above query with one of its values
    expr = variable["definition"].replace("$campaign", ".*")
    inner = expr[len("label_values("):-1].rsplit(",", 1)[0].strip()
    answer = query(inner)
    checked += 1
    if answer.get("status") != "success" or not answer["data"]["result"]:
        problems.append(f"variable {variable['name']}: no data for {inner}")
alerts = 0
for group in yaml.safe_load(open(rules_path))["groups"]:
    for rule in group["rules"]:
        answer = query(rule["expr"])
        alerts += 1
        if answer.get("status") != "success":
            problems.append(f"alert {rule['alert']}: {answer}")
print(f"promql: {checked} dashboard queries and variables returned data, {alerts} alert expressions evaluated")
if problems:
    print("promql FAILED:\n  " + "\n  ".join(problems))
    sys.exit(1)
