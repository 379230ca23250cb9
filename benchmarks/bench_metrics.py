"""Metrics speed and memory on a real runicorn 0.7.2 viewer: direct reads, HTTP, the seed's
read pattern, many runs.

Writes (once per invocation) 48 runs of 2,000 steps and one run of 200,000 steps with 4
metrics, using runicorn 0.7.2's own SDK in its own venv, starts the viewer with
``runicorn_api.local`` and measures side by side in one run, each time figure the median
of ``--repeat`` rounds with the contenders alternating inside each round. The baseline
is what runicorn's bundled clients do: ``requests`` + ``json.loads`` +
``pandas.DataFrame(rows)``.

1. the 200k-step run as a pandas DataFrame: direct read (target >= 5x faster than the
   baseline), over HTTP (>= 1.3x faster than the baseline, <= 1.2x the bare transfer);
2. peak memory added, each in a fresh process after a warm-up on a small run: over HTTP
   (<= 3x the payload bytes), a direct read (<= 1.5x the size of events.jsonl);
3. the seed's read pattern over one 200k-point series vs the same loop over 200k plain
   dicts (<= 5x);
4. 48 runs read directly and concurrently vs over HTTP concurrently (>= 5x faster).

Usage: ``python benchmarks/bench_metrics.py [--repeat 7] [--big-steps 200000]``
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests

import runicorn_api as api
from runicorn_api.testing import RunRecord, viewer_python
from runicorn_api.testing.copies import benchmark_specs, write_runs

VERSION = "0.7.2"


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def rounds(contenders: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median seconds of each contender, alternating them inside every round."""
    for fn in contenders.values():
        fn()  # warm up: the viewer's own metrics cache, connections, imports
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            samples[name].append(timed(fn))
    return {name: statistics.median(values) for name, values in samples.items()}


def line(label: str, seconds: float, ratio: str) -> str:
    return f"  {label:<56} {seconds * 1e3:9.1f} ms  {ratio}"


# Peak memory is measured in a fresh process: import, warm up on a small run (so that
# code pages and thread pools are already there), reset the kernel's high-water mark
# (clear_refs 5; ru_maxrss cannot be reset and still holds the imports' peak), then
# VmRSS before and VmHWM after.
MEMORY = """
import json, sys
import requests, pandas, polars
import runicorn_api as api
url, big, small, mode = sys.argv[1:5]
def status(key):
    for row in open("/proc/self/status"):
        if row.startswith(key + ":"):
            return int(row.split()[1]) * 1024
    raise KeyError(key)
client = api.connect(url, direct_reads="never" if mode == "http" else "auto")
if mode == "json":
    requests.get(f"{url}/api/runs/{small}/metrics").json()
else:
    client.get_metrics(small)
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")
before = status("VmRSS")
if mode == "json":
    data = requests.get(f"{url}/api/runs/{big}/metrics").json()
    n = len(data["rows"])
else:
    metrics = client.get_metrics(big)
    n = len(metrics.steps)
    assert metrics.source == ("viewer" if mode == "http" else "storage"), metrics.source
peak = status("VmHWM")
print(json.dumps({"added": peak - before, "rows": n}))
"""


def added_peak(url: str, big: str, small: str, mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", MEMORY, url, big, small, mode],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return int(json.loads(out)["added"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--big-steps", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=48)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="runicorn-bench-"))
    try:
        python = viewer_python(VERSION)
        started = time.perf_counter()
        specs = benchmark_specs("0.7", runs=args.runs, big_steps=args.big_steps)
        manifest, _ = write_runs(python, VERSION, root / "storage", specs,
                                 scratch=root / "scratch", home=root / "home")  # fmt: skip
        print(f"wrote {len(specs)} runs with runicorn {VERSION}'s SDK in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        big = manifest["big"]
        grid = [r for r in manifest.runs if r.key.startswith("grid-")]
        with api.local(root / "storage", python=python, home=root / "home") as client:
            report(client, big.run_id, Path(big.run_dir), grid, args.repeat)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def report(client: api.RunicornClient, big: str, big_dir: Path, grid: list[RunRecord],
           repeat: int) -> None:  # fmt: skip
    import pandas as pd
    import polars as pl

    url = f"{client.base_url}/api/runs/{big}/metrics"
    session = requests.Session()
    payload = len(session.get(url).content)
    events = (big_dir / "events.jsonl").stat().st_size
    print(f"runicorn {VERSION} viewer; 200k-step run: payload {payload / 1e6:.1f} MB, "
          f"events.jsonl {events / 1e6:.1f} MB; median of {repeat} alternating rounds; "
          f"Python {sys.version.split()[0]}")  # fmt: skip

    def baseline() -> Any:
        return pd.DataFrame(json.loads(session.get(url).content)["rows"])

    def fresh(mode: str) -> api.RunicornClient:
        # A new client per call: a direct read starts from nothing (no offsets or rows
        # kept from an earlier read), and both pay the same /api/health.
        return api.connect(client.base_url, direct_reads=mode)  # type: ignore[arg-type]

    def first_read(mode: str) -> Any:
        with fresh(mode) as c:
            return c.get_metrics(big).to_pandas(wide=True)

    t = rounds({
        "transfer": lambda: session.get(url).content,
        "baseline": baseline,
        "http": lambda: first_read("never"),
        "direct": lambda: first_read("auto"),
        "again": lambda: client.get_metrics(big).to_pandas(wide=True),
    }, repeat)  # fmt: skip
    print("1. the 200k-step run as a pandas DataFrame")
    print(line("requests: session.get(url).content (bare transfer)", t["transfer"], ""))
    print(line("baseline: requests + json.loads + pandas.DataFrame(rows)", t["baseline"],
               "1.00x"))  # fmt: skip
    print(line("get_metrics over HTTP -> to_pandas(wide=True)", t["http"],
               f"{t['baseline'] / t['http']:.2f}x faster (target >= 1.3x); "
               f"{t['http'] / t['transfer']:.2f}x the transfer (target <= 1.2x)"))  # fmt: skip
    print(line("get_metrics read directly -> to_pandas(wide=True)", t["direct"],
               f"{t['baseline'] / t['direct']:.2f}x faster (target >= 5x)"))  # fmt: skip
    print(line("  the same, read again in one client (unchanged run)", t["again"],
               f"{t['baseline'] / t['again']:.2f}x faster (for scale)"))  # fmt: skip

    small = grid[0].run_id
    print("2. peak memory added (fresh process, after a warm-up on a 2,000-step run)")
    for mode, label, size, target in (
        ("json", "requests + .json() (for scale)", payload, None),
        ("http", "get_metrics over HTTP", payload, 3.0),
        ("direct", "get_metrics read directly", events, 1.5),
    ):
        added = added_peak(client.base_url, big, small, mode)
        what = "payload" if size == payload else "events.jsonl"
        goal = f" (target <= {target}x)" if target else ""
        print(f"  {label:<56} {added / 1e6:7.1f} MB  {added / size:.2f}x the {what}{goal}")

    metrics = client.get_metrics(big)
    plain = [{"step": p["step"], "value": p["value"], "timestamp": p["timestamp"]}
             for p in metrics["accuracy"]]  # fmt: skip
    t = rounds({
        "dicts": lambda: max(p["value"] for p in plain),
        "seed": lambda: max(p["value"] for p in metrics["metrics"]["accuracy"]),
    }, repeat)  # fmt: skip
    print("3. max(p['value'] for p in metrics['metrics']['accuracy']), 200k points")
    print(line("over a list of 200k plain dicts", t["dicts"], "1.00x"))
    print(line("over the MetricSeries (points made while iterating)", t["seed"],
               f"{t['seed'] / t['dicts']:.2f}x (target <= 5x)"))  # fmt: skip

    def many(mode: str) -> Any:
        with fresh(mode) as c:
            return c.experiments.filter(project="grid").metrics().to_list()

    assert {m.source for m in many("auto")} == {"storage"}
    assert {m.source for m in many("never")} == {"viewer"}
    # The floor of a direct read: polars parsing the same bytes, already in memory, with
    # no proof, listing, file read or request.
    texts = [(Path(r.run_dir) / "events.jsonl").read_bytes() for r in grid]
    t = rounds({
        "http": lambda: many("never"),
        "direct": lambda: many("auto"),
        "parse": lambda: pl.read_ndjson([io.BytesIO(x) for x in texts]),
    }, repeat)  # fmt: skip
    print(f"4. {len(grid)} runs of 2,000 steps: listing, then metrics on "
          f"{client.max_workers} threads")  # fmt: skip
    print(line("over HTTP, concurrently (a new client each time)", t["http"], "1.00x"))
    print(line("read directly, concurrently (a new client each time)", t["direct"],
               f"{t['http'] / t['direct']:.2f}x faster (target >= 5x)"))  # fmt: skip
    size = sum(map(len, texts)) / 1e6
    print(line(f"  polars.read_ndjson alone, {size:.1f} MB in memory", t["parse"],
               f"{t['http'] / t['parse']:.2f}x faster (the ceiling, for scale)"))  # fmt: skip
    code = "import sys, runicorn_api; print(sorted({'pandas', 'polars'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    print(f"5. modules `import runicorn_api` loads of pandas/polars: {out.strip()}")


if __name__ == "__main__":
    main()
