#!/usr/bin/env python3
"""The Docker stack is consistent with the code (no container engine runs here): the compose file's command line
and environment start the real binary; ports, paths and the datasource uid agree across the files."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

import yaml

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/arbitrage"
compose = yaml.safe_load(open("docker-compose.yml"))
service = compose["services"]["arbitrage"]
problems = []

# The Dockerfile's default command is the compose command.
dockerfile = open("docker/Dockerfile").read()
cmd = json.loads(re.search(r'^CMD (\[.*\])$', dockerfile, re.M).group(1))
if cmd != service["command"]:
    problems.append(f"Dockerfile CMD {cmd} differs from compose command {service['command']}")

# Ports and paths line up.
port = service["environment"]["ARBITRAGE_PORT"]
if f"{port}:{port}" not in service["ports"]:
    problems.append(f"compose publishes {service['ports']}, the service listens on {port}")
prometheus = yaml.safe_load(open("docker/prometheus.yml"))
targets = prometheus["scrape_configs"][0]["static_configs"][0]["targets"]
if targets != [f"arbitrage:{port}"]:
    problems.append(f"prometheus scrapes {targets}, the service is arbitrage:{port}")
mounts = compose["services"]["prometheus"]["volumes"]
if not any(m.startswith("./docker/alerts.yml:" + prometheus["rule_files"][0]) for m in mounts):
    problems.append("the alert rules are not mounted where prometheus.yml reads them")
datasource = yaml.safe_load(open("grafana/provisioning/datasources/prometheus.yml"))["datasources"][0]
dashboard = json.load(open("grafana/dashboards/arbitrage.json"))
uids = {t["datasource"]["uid"] for p in dashboard["panels"] for t in p["targets"]}
if uids != {datasource["uid"]}:
    problems.append(f"dashboard uses datasource {uids}, provisioning names {datasource['uid']}")
provider = yaml.safe_load(open("grafana/provisioning/dashboards/dashboards.yml"))["providers"][0]["options"]["path"]
if not any(m.endswith(":" + provider + ":ro") for m in compose["services"]["grafana"]["volumes"]):
    problems.append(f"grafana reads dashboards from {provider}, which compose does not mount")

# The compose command line, with its environment, starts the real binary (on a free port and a temporary
# data directory instead of 8080 and /data) and stops on SIGTERM with exit 0.
env = dict(os.environ)
env.update({k: str(v) for k, v in service["environment"].items()})
env.update({"ARBITRAGE_PORT": "0", "ARBITRAGE_DATA_DIR": tempfile.mkdtemp()})
process = subprocess.Popen([binary] + service["command"], env=env, stderr=subprocess.PIPE, text=True)
listening = False
deadline = time.time() + 20
line = ""
while time.time() < deadline:
    line = process.stderr.readline()
    if "listening" in line:
        listening = True
        break
    if process.poll() is not None:
        break
if not listening:
    problems.append(f"the compose command did not start: {line.strip()} (exit {process.poll()})")
# Keep reading its log, so a full pipe never blocks the service on its way out.
threading.Thread(target=process.stderr.read, daemon=True).start()
process.send_signal(signal.SIGTERM)
code = process.wait(timeout=20)
if listening and code != 0:
    problems.append(f"the compose command exited {code} on SIGTERM")

print(f"stack: compose command starts the service ({'ok' if listening else 'FAILED'}); ports, paths and datasource checked")
if problems:
    print("stack FAILED:\n  " + "\n  ".join(problems))
    sys.exit(1)
