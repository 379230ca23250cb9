"""Metrics speed on a real runicorn 0.7.2 viewer: decode, end to end, concurrency, cache.

Writes (once per invocation) 48 runs of 2,000 steps and one run of 200,000 steps with
4 metrics, using runicorn 0.7.2's own SDK in its own venv, starts the viewer with
``runicorn_api.local`` and measures, side by side in one run, each figure the median of
``--repeat`` rounds with the contenders alternating inside each round:

1. decode: our decode, validation and columns of the 200k-step body vs ``json.loads``
   of the same bytes (target <= 1.0x);
2. end to end: ``get_metrics(...).to_polars()`` vs runicorn 0.7.2's own
   ``runicorn.client`` ``get_metrics`` + ``pandas.DataFrame(rows)`` (target: ours
   >= 1.3x faster) and vs ``session.get(url).content`` alone (target <= 1.15x);
3. 48 runs fetched concurrently vs one after another (target >= 1.5x faster);
4. a cached finished run vs fetching it (target >= 10x faster).

Usage: ``python benchmarks/bench_metrics.py [--repeat 5] [--big-steps 200000]``
"""

from __future__ import annotations

import argparse
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

import runicorn_api as api
from runicorn_api.resources.metrics import decode_body
from runicorn_api.testing import viewer_python
from runicorn_api.testing.dataset import benchmark_specs, write_runs

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
    return f"  {label:<52} {seconds * 1e3:9.1f} ms  {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--big-steps", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=48)
    args = parser.parse_args()
    import pandas as pd
    import runicorn.client as theirs

    root = Path(tempfile.mkdtemp(prefix="runicorn-bench-"))
    try:
        python = viewer_python(VERSION)
        started = time.perf_counter()
        specs = benchmark_specs("0.7", runs=args.runs, big_steps=args.big_steps)
        manifest, _ = write_runs(python, VERSION, root / "storage", specs,
                                 scratch=root / "scratch", home=root / "home")  # fmt: skip
        print(f"wrote {len(specs)} runs with runicorn {VERSION}'s SDK in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        big = manifest["big"].run_id
        grid = [r.run_id for r in manifest.runs if r.key.startswith("grid-")]
        with api.local(root / "storage", python=python, home=root / "home") as client:
            report(client, theirs, pd, big, grid, root, args.repeat)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def report(client: api.RunicornClient, theirs: Any, pd: Any, big: str, grid: list[str],
           root: Path, repeat: int) -> None:  # fmt: skip
    url = f"{client.base_url}/api/runs/{big}/metrics"
    session = client.session
    body = session.get(url).content
    print(f"runicorn {VERSION} viewer, 200k-step run: {len(body) / 1e6:.1f} MB; "
          f"median of {repeat} alternating rounds; Python {sys.version.split()[0]}")  # fmt: skip

    def ours_decode() -> Any:
        return decode_body(big, body)  # what get_metrics runs on the body

    t = rounds({"json": lambda: json.loads(body), "ours": ours_decode}, repeat)
    print("1. decode, validation and columns of the same bytes")
    print(line("json.loads (stdlib)", t["json"], "1.00x"))
    print(
        line("runicorn_api decode", t["ours"], f"{t['ours'] / t['json']:.2f}x  (target <= 1.00x)")
    )

    their_client = theirs.connect(client.base_url)

    def theirs_e2e() -> Any:
        data = their_client.get_metrics(big)
        return pd.DataFrame(data["rows"])

    t = rounds({
        "transfer": lambda: session.get(url).content,
        "ours": lambda: client.get_metrics(big).to_polars(),
        "theirs": theirs_e2e,
    }, repeat)  # fmt: skip
    print("2. end to end: the 200k-step run as a DataFrame")
    print(line("session.get(url).content (transfer floor)", t["transfer"], "1.00x"))
    print(line("runicorn_api get_metrics -> polars long", t["ours"],
               f"{t['ours'] / t['transfer']:.2f}x  (target <= 1.15x)"))  # fmt: skip
    print(line("runicorn.client get_metrics -> pandas.DataFrame", t["theirs"],
               f"{t['theirs'] / t['transfer']:.2f}x; ours is {t['theirs'] / t['ours']:.2f}x "
               "faster (target >= 1.30x)"))  # fmt: skip

    def sequential() -> Any:
        return [client.get_metrics(run_id) for run_id in grid]

    def concurrent() -> Any:
        return client.metrics.many(grid).to_list()

    def transfers() -> Any:
        return [session.get(f"{client.base_url}/api/runs/{r}/metrics").content for r in grid]

    t = rounds({"seq": sequential, "conc": concurrent, "raw": transfers}, repeat)
    print(f"3. {len(grid)} runs of 2,000 steps")
    print(line("transfers alone, one after another (for scale)", t["raw"], ""))
    print(line("one after another", t["seq"], "1.00x"))
    print(line(f"concurrently (max_workers={client.max_workers})", t["conc"],
               f"{t['seq'] / t['conc']:.2f}x faster (target >= 1.50x)"))  # fmt: skip

    cached = api.connect(client.base_url, cache_dir=root / "cache")
    cached.get_metrics(big)  # store
    t = rounds({"fetch": lambda: client.get_metrics(big),
                "cache": lambda: cached.get_metrics(big)}, repeat)  # fmt: skip
    cached.close()
    print("4. a finished 200k-step run")
    print(line("fetched", t["fetch"], "1.00x"))
    print(line("from the on-disk cache (checked against events.jsonl)", t["cache"],
               f"{t['fetch'] / t['cache']:.1f}x faster (target >= 10x)"))  # fmt: skip

    code = "import sys, runicorn_api; print(sorted({'pandas', 'polars'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    print(f"5. modules `import runicorn_api` loads of pandas/polars: {out.strip()}")


if __name__ == "__main__":
    main()
