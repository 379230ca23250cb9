"""Where the time of a many-runs read goes, stage by stage (issue 31's 10,000 x 200 case).

Writes the storage of ``bench_scale.py``'s second data set (``--runs`` runs x ``--steps``
steps, one 0.5.3 viewer), then, in ``--repeat`` fresh processes per read, times each
stage of ``runs.metrics(["loss"]).to_polars()`` (the full read) and of
``runs.to_polars(columns=["id", "metrics.loss.last", ...])`` (the last values) with
wall-clock wrappers around the SDK's internal functions. Each stage's time is its median
over the processes; "the rest" is the read's time less the stages named.

The wrappers cost about a microsecond per call, so the stages add up to a little more
than ``bench_scale.py``'s figures. They name internals, so this script follows the code
it measures: it is a tool for deciding where to work, not a target.

Usage: ``python benchmarks/stages_scale.py [--runs 10000] [--steps 200] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import VERSION, write_storage

import runicorn_api as api
from runicorn_api.testing import viewer_python

STAGES = r"""
import collections, functools, json, sys, time
import numpy
import polars as pl
import runicorn_api as api
import runicorn_api._frames.metric_tables as tables
import runicorn_api._reading.events.fast as fast
import runicorn_api._reading.events.reader as reader
import runicorn_api._storage.access as access
import runicorn_api.resources.metrics as metrics

seconds = collections.Counter()

def timed(owner, name, stage):
    inner = getattr(owner, name)
    @functools.wraps(inner)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            seconds[stage] += time.perf_counter() - started
    setattr(owner, name, wrapper)

# Each stage is exclusive of the others: none of these calls another one.
timed(access.StorageAccess, "folder_of", "the folder proofs (meta.json of each run)")
timed(reader.EventsFile, "snapshot", "reading each events.jsonl whole")
timed(pl, "read_ndjson", "polars parsing the batches")
timed(pl, "collect_all", "the checks that nothing was dropped (polars)")
timed(fast, "_count", "counting newlines and colons (numpy)")
timed(reader.EventsFile, "taken", "a RunMetrics per run (from the batch)")
timed(metrics, "narrow", "narrowing each run to the metrics asked for")
timed(tables.MetricsFrame, "_long_together", "stacking the runs into the long frame")
timed(metrics, "last_values", "reading the end of each events.jsonl")

url, task = sys.argv[1:3]
runs = api.connect(url).experiments.filter(project="wide")
runs.to_list()
started = time.perf_counter()
if task == "full":
    runs.metrics(["loss"]).to_polars()
else:
    runs.to_polars(columns=["id", "metrics.loss.last", "metrics.loss.last_step"])
total = time.perf_counter() - started
print(json.dumps({"total": total, "stages": dict(seconds)}))
"""


def measure(url: str, task: str, repeat: int) -> tuple[float, dict[str, float]]:
    """The median total and per-stage seconds of ``repeat`` fresh processes."""
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", STAGES, url, task],
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"{task} failed:\n{done.stderr}")
        got = json.loads(done.stdout)
        totals.append(got["total"])
        for stage, value in got["stages"].items():
            stages.setdefault(stage, []).append(value)
    return statistics.median(totals), {s: statistics.median(v) for s, v in stages.items()}


def report(label: str, total: float, stages: dict[str, float], runs: int) -> None:
    print(f"{label}: {total * 1e3:.0f} ms")
    for stage, value in sorted(stages.items(), key=lambda item: -item[1]):
        print(f"  {stage:<52} {value * 1e3:7.0f} ms  {value / runs * 1e6:6.1f} us/run")
    rest = total - sum(stages.values())
    print(f"  {'the rest (listing excluded)':<52} {rest * 1e3:7.0f} ms  "
          f"{rest / runs * 1e6:6.1f} us/run")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="runicorn-bench-stages-"))
    try:
        home = root / "wide"
        storage = write_storage(home, "wide", args.runs, args.steps, first=1)
        print(f"runicorn {VERSION} viewer; {args.runs} runs x {args.steps} steps; median of "
              f"{args.repeat} fresh processes; Python {sys.version.split()[0]}")  # fmt: skip
        with api.local(storage, python=viewer_python(VERSION), home=home / "home") as client:
            for task, label in (("full", 'runs.metrics(["loss"]).to_polars()'),
                                ("last", "metrics.loss.last of every run")):  # fmt: skip
                report(label, *measure(client.base_url, task, args.repeat), args.runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
