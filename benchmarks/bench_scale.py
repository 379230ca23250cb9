"""Thousands of runs on a real runicorn 0.5.3 viewer: one metric of every run, the last
value of every run, the lazy scan's memory, and the same answers over HTTP only.

Writes a storage of ``--runs`` runs x ``--steps`` steps (project ``scale``), then one of
``--small-runs`` runs x ``--small-steps`` steps (project ``wide``, in groups of 1,000
runs named ``g0``, ``g1``, ...), each served by its own viewer. One run is written with
runicorn 0.5.3's own SDK, for the shape of its files, and the rest in the same shape
with their own values (writing thousands of runs through the SDK would take an hour).
Each figure is measured in a fresh process, after the listing: the median time of
``--repeat`` processes, alternating, and the peak memory added (the kernel's high-water
mark, reset after the listing). A ratio of two times is the median of the ratios in each
round, where the two ran one after the other.

Figures and targets (issue 31):

1. one metric of every run, read directly, ``runs.metrics(["loss"]).to_polars()``:
   within 1.2x of polars parsing the same bytes alone (``polars.read_ndjson``);
2. ``metrics.loss.last`` of every run: at least 20x faster than (1);
3. ``runs.scan_metrics(["loss"]).sink_parquet(...)``: peak memory under 0.3x that of
   (1), and about flat from 1,000 to 4,000 runs;
4. two floors, with bare os calls and nothing checked: each run's ``meta.json`` read
   (the proof that the folder is the viewer's, which every direct read makes) and then
   the reference, the least a proven read of every point costs; and ``meta.json`` with
   the last 4 KB of ``events.jsonl``, the least any last-value read costs. The full
   read over the second floor bounds what (2) can reach;
5. over HTTP only (the first data set: a 0.5.3 viewer looks a run up among all of its
   runs on every request, so 10,000 runs take most of an hour), (1) and (2) give the
   same tables as direct reads; their time is reported against the bare transfer of
   the bodies (``requests``, on as many threads as the client uses);
6. a third data set, ``--mixed-runs`` x ``--mixed-steps``, where every other run logs
   one metric more: (1) against the same reference, for runs that log different
   metrics and are parsed together.

Usage: ``python benchmarks/bench_scale.py [--runs 1000] [--steps 2000]
[--small-runs 10000] [--small-steps 200] [--mixed-runs 1000] [--mixed-steps 2000]
[--repeat 3] [--sets scale,wide,mixed]``
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import runicorn_api as api
from runicorn_api.testing import viewer_python
from runicorn_api.testing.copies import benchmark_specs, write_runs

VERSION = "0.5.3"
GROUP = 1000  # runs per name in the project "wide"

# One figure, in a fresh process: list, reset the high-water mark, do the work.
FIGURE = r"""
import json, sys, time
from pathlib import Path
import polars as pl
import requests
import runicorn_api as api
# The SDK's own lazily imported modules are loaded before the clock starts, as polars is,
# and numpy, which the SDK loads lazily to count bytes (its import adds about 10 MB).
import numpy
import runicorn_api._frames.frame, runicorn_api._frames.metric_tables
import runicorn_api._reading.events.fast
from runicorn_api.filters import F

url, select, task, out = sys.argv[1:5]
def status(key):
    for row in open("/proc/self/status"):
        if row.startswith(key + ":"):
            return int(row.split()[1]) * 1024
    raise KeyError(key)
mode = "never" if task.endswith("_http") or task == "transfer" else "auto"
client = api.connect(url, direct_reads=mode)
project, _, groups = select.partition(":")
runs = client.experiments.filter(project=project)
if groups:
    runs = runs.filter(F("name").isin([f"g{i}" for i in range(int(groups))]))
started = time.perf_counter()
items = runs.to_list()
listing = time.perf_counter() - started
paths = [Path(e.run_dir) / "events.jsonl" for e in items]
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")
before = status("VmRSS")
started = time.perf_counter()
result = None
if task == "polars":
    import io
    pl.read_ndjson(io.BytesIO(b"".join(p.read_bytes() for p in paths)))
elif task in ("full", "full_http"):
    result = runs.metrics(["loss"]).to_polars()
elif task in ("last", "last_http"):
    result = runs.to_polars(columns=["id", "metrics.loss.last", "metrics.loss.last_step"])
elif task in ("floor_full", "floor_last"):
    # What a proven direct read cannot do without, with bare os calls and nothing
    # checked: each run's meta.json read (the proof that its folder is the viewer's),
    # then the polars reference (floor_full) or the last 4 KB of events.jsonl (floor_last).
    import io, os
    for e in items:
        fd = os.open(e.run_dir + "/meta.json", os.O_RDONLY)
        json.loads(os.read(fd, os.fstat(fd).st_size))
        os.close(fd)
    if task == "floor_full":
        pl.read_ndjson(io.BytesIO(b"".join(p.read_bytes() for p in paths)))
    else:
        for p in paths:
            fd = os.open(p, os.O_RDONLY)
            os.pread(fd, 4096, max(0, os.fstat(fd).st_size - 4096))
            os.close(fd)
elif task == "sink":
    runs.scan_metrics(["loss"]).sink_parquet(out)
elif task == "transfer":
    from concurrent.futures import ThreadPoolExecutor
    session = requests.Session()
    with ThreadPoolExecutor(client.options.max_workers) as pool:
        list(pool.map(lambda e: session.get(f"{url}/api/runs/{e.id}/metrics").content, items))
seconds = time.perf_counter() - started
peak = status("VmHWM")
if result is not None:
    result.write_parquet(out)
print(json.dumps({"seconds": seconds, "added": peak - before, "listing": listing,
                  "runs": len(items), "bytes": sum(p.stat().st_size for p in paths)}))
"""


def figure(url: str, select: str, task: str, out: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", FIGURE, url, select, task, str(out)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"{task} on {select} failed:\n{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def measure(url: str, select: str, tasks: list[str], repeat: int, out: Path
            ) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Per task, the median seconds and added bytes of ``repeat`` fresh processes,
    the tasks alternating inside each round."""
    samples: dict[str, list[dict[str, Any]]] = {t: [] for t in tasks}
    for _ in range(repeat):
        for task in tasks:
            samples[task].append(figure(url, select, task, out / f"{task}.parquet"))
    return {
        t: {
            "seconds": statistics.median(s["seconds"] for s in got),
            "added": statistics.median(s["added"] for s in got),
            "rounds": [s["seconds"] for s in got],
            **{k: got[0][k] for k in ("runs", "bytes", "listing")},
        }
        for t, got in samples.items()
    }


def ratio(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The median over rounds of a's time over b's in the same round: the two ran side
    by side, so a slow spell of the machine moves both."""
    return statistics.median(x / y for x, y in zip(a["rounds"], b["rounds"], strict=True))


# -- the storage -------------------------------------------------------------------------


def loss(run: int, step: int, steps: int) -> float:
    """The value written at a step (the last loss of each run is checked against it)."""
    return 2.0 * math.exp(-step / (0.3 * steps + run % 97)) + ((run * 7919 + step) % 1000) / 1e5


def write_storage(root: Path, project: str, runs: int, steps: int, *, first: int) -> Path:
    """``runs`` runs of ``steps`` steps in ``root/storage``, numbered from ``first``; in
    the project ``mixed``, every other run logs one metric more (``grad_norm``)."""
    storage = root / "storage"
    python = viewer_python(VERSION)
    specs = benchmark_specs("0.5", runs=1, steps=steps, big_steps=steps + 1)[:1]
    manifest, _ = write_runs(python, VERSION, storage, specs,
                             scratch=root / "scratch", home=root / "home")  # fmt: skip
    template = Path(manifest.runs[0].run_dir)
    meta = json.loads((template / "meta.json").read_text())
    shutil.rmtree(storage / specs[0]["project"])
    created = meta["created_at"]
    for index in range(first, first + runs):
        i = index - first
        name = f"g{i // GROUP}" if project == "wide" else f"s{i % 10}"
        run_id = f"20250101_120000_{index:06d}"
        folder = storage / project / name / "runs" / run_id
        folder.mkdir(parents=True)
        start = created + index
        meta.update(id=run_id, project=project, name=name, created_at=start,
                    storage_dir=str(storage))  # fmt: skip
        (folder / "meta.json").write_text(json.dumps(meta, indent=2))
        (folder / "status.json").write_text(json.dumps(
            {"status": "finished", "started_at": start, "ended_at": start + 60.0}))  # fmt: skip
        (folder / "summary.json").write_text(json.dumps({"seed": index}))
        extra = ', "grad_norm": 0.5' if project == "mixed" and index % 2 else ""
        lines = []
        for step in range(1, steps + 1):
            t = start + step * 0.01
            lines.append(
                f'{{"ts": {t!r}, "type": "metrics", "data": {{"loss": '
                f'{loss(index, step, steps)!r}, "accuracy": {step / steps * 100!r}, '
                f'"lr": 0.1{extra}, "global_step": {step}, "time": {t!r}}}}}\n'
            )
        (folder / "events.jsonl").write_text("".join(lines))
    return storage


# -- the report --------------------------------------------------------------------------


def line(label: str, seconds: float, note: str) -> str:
    return f"  {label:<58} {seconds * 1e3:9.1f} ms  {note}"


def check_last(out: Path, first_index: int, steps: int) -> None:
    import polars as pl

    frame = pl.read_parquet(out / "last.parquet").sort("id")
    for row in frame.iter_rows(named=True):
        index = int(row["id"].rsplit("_", 1)[1])
        assert row["metrics.loss.last_step"] == steps, row
        assert row["metrics.loss.last"] == loss(index, steps, steps), row
    assert frame.height
    assert int(frame["id"][0].rsplit("_", 1)[1]) == first_index


def same(out: Path, a: str, b: str, *keys: str) -> bool:
    import polars as pl

    left = pl.read_parquet(out / f"{a}.parquet").sort(*keys)
    right = pl.read_parquet(out / f"{b}.parquet").sort(*keys)
    return left.equals(right)


def report_set(url: str, select: str, label: str, repeat: int, out: Path, *,
               http: bool, first_index: int, steps: int) -> dict[str, dict[str, Any]]:  # fmt: skip
    tasks = ["polars", "full", "last", "sink", "floor_full", "floor_last"]
    t = measure(url, select, tasks, repeat, out)
    check_last(out, first_index, steps)
    full, polars, last, sink = t["full"], t["polars"], t["last"], t["sink"]
    floor_full, floor_last = t["floor_full"], t["floor_last"]
    print(f"{label}: {full['runs']} runs, events.jsonl {full['bytes'] / 1e6:.0f} MB, "
          f"listing {full['listing'] * 1e3:.0f} ms (not in the figures)")  # fmt: skip
    print(line("polars.read_ndjson of the same bytes (the reference)", polars["seconds"], "1.00x"))
    spread = sorted(f / p for f, p in zip(full["rounds"], polars["rounds"], strict=True))
    print(line('runs.metrics(["loss"]).to_polars(), read directly', full["seconds"],
               f"{ratio(full, polars):.2f}x polars (target <= 1.2x; rounds "
               f"{spread[0]:.2f}-{spread[-1]:.2f}x)"))  # fmt: skip
    print(line("metrics.loss.last of every run (to_polars columns)", last["seconds"],
               f"{ratio(full, last):.1f}x faster than the full read "
               "(target >= 20x)"))  # fmt: skip
    print(
        line(
            "floor: meta.json of every run read, then the reference",
            floor_full["seconds"],
            f"{ratio(floor_full, polars):.2f}x polars: the least a proven read costs",
        )
    )
    print(line("floor: meta.json and the last 4 KB of events.jsonl, bare", floor_last["seconds"],
               f"the full read is {ratio(full, floor_last):.1f}x this: the most a last "
               "read can gain"))  # fmt: skip
    print(f"  peak memory added: full read {full['added'] / 1e6:.0f} MB; "
          f"scan_metrics(['loss']).sink_parquet {sink['added'] / 1e6:.0f} MB = "
          f"{sink['added'] / full['added']:.2f}x (target < 0.3x)")  # fmt: skip
    if http:
        h = measure(url, select, ["transfer", "full_http", "last_http"], 1, out)
        print(line("bare transfer of every run's /metrics body (requests)",
                   h["transfer"]["seconds"], "1.00x"))  # fmt: skip
        print(line('runs.metrics(["loss"]).to_polars(), HTTP only', h["full_http"]["seconds"],
                   f"{h['full_http']['seconds'] / h['transfer']['seconds']:.2f}x the transfer; "
                   f"same table as direct: "
                   f"{same(out, 'full', 'full_http', 'run_id', 'step')}"))  # fmt: skip
        print(line("metrics.loss.last of every run, HTTP only", h["last_http"]["seconds"],
                   f"{h['last_http']['seconds'] / h['transfer']['seconds']:.2f}x the transfer; "
                   f"same table as direct: {same(out, 'last', 'last_http', 'id')}"))  # fmt: skip
    return t


def report_mixed(url: str, label: str, repeat: int, out: Path, *, runs: int, steps: int
                 ) -> None:  # fmt: skip
    t = measure(url, "mixed", ["polars", "full"], repeat, out)
    full, polars = t["full"], t["polars"]
    import polars as pl

    table = pl.read_parquet(out / "full.parquet")
    assert table.height == runs * steps
    assert table["metric"].unique().to_list() == ["loss"]
    print(f"{label}: {full['runs']} runs, events.jsonl {full['bytes'] / 1e6:.0f} MB; every "
          "other run logs one metric more")  # fmt: skip
    print(line("polars.read_ndjson of the same bytes (the reference)", polars["seconds"], "1.00x"))
    print(line('runs.metrics(["loss"]).to_polars(), read directly', full["seconds"],
               f"{ratio(full, polars):.2f}x polars"))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--small-runs", type=int, default=10_000)
    parser.add_argument("--small-steps", type=int, default=200)
    parser.add_argument("--mixed-runs", type=int, default=1000)
    parser.add_argument("--mixed-steps", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sets", default="scale,wide,mixed",
                        help="the data sets to measure, of scale, wide and mixed")  # fmt: skip
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP-only figures")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="runicorn-bench-scale-"))
    python = viewer_python(VERSION)
    try:
        print(f"runicorn {VERSION} viewer, one per data set; median of {args.repeat} fresh "
              f"processes per figure; Python {sys.version.split()[0]}")  # fmt: skip
        out = root / "out"
        out.mkdir()
        sets = (
            ("scale", args.runs, args.steps, 1, not args.no_http),
            ("wide", args.small_runs, args.small_steps, args.runs + 1, False),
            ("mixed", args.mixed_runs, args.mixed_steps, args.runs + args.small_runs + 1, False),
        )
        chosen = args.sets.split(",")
        for number, (project, runs, steps, first, http) in enumerate(sets, 1):
            if runs <= 0 or project not in chosen:
                continue  # a data set left out (--small-runs 0, --sets scale)
            home = root / project
            started = time.perf_counter()
            storage = write_storage(home, project, runs, steps, first=first)
            print(f"wrote {runs} runs x {steps} steps in {time.perf_counter() - started:.0f} s")
            with api.local(storage, python=python, home=home / "home") as client:
                url = client.base_url
                if project == "mixed":
                    report_mixed(url, f"{number}. {runs} runs x {steps} steps", args.repeat,
                                 out, runs=runs, steps=steps)  # fmt: skip
                    continue
                got = report_set(url, project, f"{number}. {runs} runs x {steps} steps",
                                 args.repeat, out, http=http, first_index=first,
                                 steps=steps)  # fmt: skip
                if project == "wide" and runs // GROUP >= 4:
                    print(f"{number}b. sink_parquet peak memory as the runs grow")
                    for n in (1, 2, 4):
                        sink = measure(url, f"wide:{n}", ["sink"], args.repeat, out)["sink"]
                        print(f"  {sink['runs']:>6} runs: {sink['added'] / 1e6:6.1f} MB")
                    print(f"  {got['sink']['runs']:>6} runs: {got['sink']['added'] / 1e6:6.1f} MB")
            shutil.rmtree(home, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
