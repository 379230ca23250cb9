"""Rows for the reliability report: a fault test calls :func:`report` with its counts.

With ``$RUNICORN_API_RELIABILITY`` naming a file, each row is appended to it as one JSON
line; ``benchmarks/reliability.py`` runs the fault tests that way and writes
``benchmarks/RELIABILITY.md``. Without it, rows are only printed (``pytest -s``).
"""

from __future__ import annotations

import json
import os
from typing import Any

ENV = "RUNICORN_API_RELIABILITY"


def report(
    viewer: Any, fault: str, injected: int, requests: int, retried: int, lost: int, seconds: float
) -> None:
    row = {
        "version": viewer.version,
        "fault": fault,
        "injected": injected,
        "requests": requests,
        "retried": retried,
        "lost": lost,
        "time": round(seconds, 2),
    }
    print(f"\n{row}")
    target = os.environ.get(ENV)
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")
