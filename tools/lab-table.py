#!/usr/bin/env python3
"""Prints the README's lab scenario table from `linger lab --list --json` (read on stdin)."""
import json
import sys

doc = json.load(sys.stdin)
print("| scenario | where | expected verdict | what it shows |")
print("|---|---|---|---|")
for s in doc["scenarios"]:
    where = "loopback" if s["place"] == "loopback" else "namespaces (root)"
    print(f"| `{s['id']}` | {where} | {s['expected_verdict'] or '-'} | {s['description']} |")
