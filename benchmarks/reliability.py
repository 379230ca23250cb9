"""Run the fault suite against real viewers and write ``benchmarks/RELIABILITY.md``.

Runs the fault tests with ``$RUNICORN_API_RELIABILITY`` set (each test adds its row: what
it injected, how many requests, how many were retried, how many lost), then
``bench_bounds.py`` for the bounded-resources figures, and renders both as tables.

Usage: ``python benchmarks/reliability.py [--steps 2000000] [--runs 10000]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/test_network_faults.py", "tests/test_faults.py", "tests/test_storm.py",
    "tests/test_cache.py", "tests/test_threads.py", "tests/test_schema_drift.py",
    "tests/test_hostile_args.py", "tests/test_errors.py", "tests/test_downloads.py",
]  # fmt: skip


def _rows(env_file: Path) -> list[dict[str, Any]]:
    if not env_file.exists():
        return []
    return [json.loads(line) for line in env_file.read_text().splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    rows_file = Path(tempfile.mkstemp(prefix="reliability-", suffix=".jsonl")[1])
    env = {**os.environ, "RUNICORN_API_RELIABILITY": str(rows_file)}
    started = time.monotonic()
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            *TESTS], cwd=ROOT, env=env, capture_output=True, text=True)  # fmt: skip
    summary = tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else "no output"
    suite_seconds = time.monotonic() - started
    rows = _rows(rows_file)
    rows_file.unlink(missing_ok=True)
    bounds = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_bounds.py"),
                             "--steps", str(args.steps), "--runs", str(args.runs)],
                            cwd=ROOT, capture_output=True, text=True, check=True)  # fmt: skip
    figures = json.loads(bounds.stdout[bounds.stdout.index("{") :])
    command = "python benchmarks/reliability.py" + (
        f" --steps {args.steps} --runs {args.runs}"
        if (args.steps, args.runs) != (2_000_000, 10_000)
        else ""
    )
    lines = [
        "# Reliability under faults and hostile input",
        "",
        f"Made by `{command}` on {time.strftime('%Y-%m-%d')}, against real runicorn 0.5.3 "
        "and 0.7.2 viewers on 127.0.0.1 (2 cores, shared machine).",
        f"Fault suite: `pytest {' '.join(TESTS)}` → {summary} ({suite_seconds:.0f} s).",
        "",
        "Each row is one test run on one viewer version. *injected*: faults put in (kills, "
        "resets, 503s, torn bodies, stalls, drips, drifted bodies, hostile calls); "
        "*requests*: the calls or requests it made; *retried*: retries the client made; "
        "*lost*: answers missing or different from a clean run (every test asserts 0).",
        "",
        "| version | fault | injected | requests | retried | lost | time (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: (r["fault"], r["version"])):
        cells = [row[k] for k in ("version", "fault", "injected", "requests", "retried",
                                  "lost", "time")]  # fmt: skip
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    m_auto, m_http, pages = figures["metrics_auto"], figures["metrics_never"], figures["iter_pages"]
    lines += [
        "",
        "## Bounded resources",
        "",
        f"A {figures['steps']:,}-step run with 4 metrics (`events.jsonl` "
        f"{figures['events_mb']} MB) on a 0.7.2 viewer, and {figures['runs']:,} runs on a "
        "0.5.3 viewer; each figure is one fresh process (`benchmarks/bench_bounds.py`, "
        "which fails when a direct read adds more than 1.5x the file, a listing more than "
        "10 KB per run, or a row or run is lost).",
        "",
        "| case | rows / runs | time (s) | peak memory added (MB) |",
        "|---|---|---|---|",
        f"| `get_metrics`, direct read | {m_auto['rows']:,} | {m_auto['seconds']} | "
        f"{m_auto['peak_mb_added']} ({m_auto['peak_mb_added'] / figures['events_mb']:.2f}x "
        "the file) |",
        f"| `get_metrics` over HTTP | {m_http['rows']:,} | {m_http['seconds']} | "
        f"{m_http['peak_mb_added']} |",
        f"| `experiments.filter().iter_pages(500)` | {pages['runs']:,} in {pages['pages']} "
        f"pages | {pages['seconds']} | {pages['peak_mb_added']} "
        f"({pages['peak_mb_added'] * 1024 / max(pages['runs'], 1):.1f} KB per run) |",
        "",
    ]
    (ROOT / "benchmarks" / "RELIABILITY.md").write_text("\n".join(lines))
    print("\n".join(lines))
    if tests.returncode != 0:
        print(tests.stdout[-4000:], file=sys.stderr)
        raise SystemExit(f"the fault suite failed: {summary}")


if __name__ == "__main__":
    main()
