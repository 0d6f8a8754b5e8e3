#!/usr/bin/env python3
"""Fails when a module under Sources/ imports one of this project's modules its place in the graph does not allow
(docs/architecture.md draws it), or when the core or the HTTP server reaches past what they may use.

    scripts/check_imports.py
"""
import pathlib
import re
import sys

# Which of the project's modules each may import: the edges of docs/architecture.md, each pointing down.
ALLOWED = {
    "ArbCore": set(),
    "ArbMarketData": {"ArbCore", "CZlib", "CPrefetch"},
    "ArbLive": {"ArbCore", "ArbMarketData"},
    "ArbEngine": {"ArbCore", "CCycleCounter", "CPrefetch"},
    "ArbStore": {"ArbCore"},
    "ArbMetrics": {"ArbCore", "ArbEngine"},
    "MicroHTTPD": {"CMicroHTTPD"},
    "ArbHTTP": {"ArbCore", "MicroHTTPD"},
    "ArbTesting": {"ArbCore", "ArbEngine", "ArbMarketData"},
    "ArbTestSupport": set(),
    "ArbBench": {"ArbCore", "ArbMarketData", "ArbEngine", "ArbStore", "ArbMetrics", "ArbTesting"},
    "ArbServer": {"ArbCore", "ArbMarketData", "ArbLive", "ArbEngine", "ArbStore", "ArbMetrics", "MicroHTTPD", "ArbHTTP",
                  "ArbBench", "CMalloc"},
}
# Modules that may import nothing else at all: the core (the standard library, Synchronization and the C
# library's clock) and the domain-free HTTP server.
ONLY = {
    "ArbCore": {"Synchronization", "Glibc", "Darwin"},
    "MicroHTTPD": {"CMicroHTTPD", "Synchronization", "Glibc", "Darwin"},
}
IMPORT = re.compile(r'^\s*(?:@testable\s+)?(?:@_\w+\s+)*import\s+(?:(?:struct|class|enum|protocol|func|typealias|var|let)\s+)?([A-Za-z_][A-Za-z0-9_]*)', re.M)


def main():
    root = pathlib.Path(__file__).resolve().parent.parent / "Sources"
    ours = {p.name for p in root.iterdir() if p.is_dir()}
    problems = []
    for module in sorted(ours):
        if module not in ALLOWED and not module.startswith("C"):
            problems.append(f"{module}: not in the graph of scripts/check_imports.py (add it, and to docs/architecture.md)")
            continue
        for f in sorted((root / module).rglob("*.swift")):
            for name in IMPORT.findall(f.read_text()):
                rel = f.relative_to(root.parent)
                if name in ours and name != module and name not in ALLOWED.get(module, set()):
                    problems.append(f"{rel}: {module} may not import {name}")
                if module in ONLY and name not in ONLY[module]:
                    problems.append(f"{rel}: {module} imports {name}; it may import only {', '.join(sorted(ONLY[module]))}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)
    print(f"imports: {len(ours)} modules, every import along the graph")


if __name__ == "__main__":
    main()
