"""Three real runicorn 0.5.3 viewers asked as one (``api.connect_many``) against the same
work done one viewer after another, side by side in one run.

Writes three storages of ``--runs`` runs x ``--steps`` steps (in the shape runicorn
0.5.3's SDK writes, see ``bench_scale.py``), starts a viewer on each with
``runicorn_api.local``, and measures, as the median of ``--repeat`` alternating rounds
with new clients each time (so nothing is kept from an earlier round):

1. the listing of every run: ``fleet.experiments.to_list()`` against
   ``[c.experiments.all().to_list() for c in clients]``;
2. one metric of every run over HTTP (``direct_reads="never"``):
   ``fleet.experiments.metrics(["loss"]).to_polars()`` against the same per client.

Usage: ``python benchmarks/bench_fleet.py [--runs 200] [--steps 500] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import VERSION, write_storage

import runicorn_api as api
from runicorn_api.testing import viewer_python

NAMES = ("gpu1", "gpu2", "gpu3")


def median_rounds(contenders: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():
        fn()  # warm up the viewers' own caches
    for _ in range(repeat):
        for name, fn in contenders.items():
            started = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="runicorn-bench-fleet-"))
    viewers: list[api.RunicornClient] = []
    try:
        for i, name in enumerate(NAMES):
            storage = write_storage(root / name, "lab", args.runs, args.steps,
                                    first=1 + i * args.runs)  # fmt: skip
            viewers.append(api.local(storage, python=viewer_python(VERSION),
                                     home=root / name / "home"))  # fmt: skip
        urls = {name: v.base_url for name, v in zip(NAMES, viewers, strict=True)}

        def fleet_list() -> int:
            with api.connect_many(urls) as fleet:
                return len(fleet.experiments.to_list())

        def one_by_one_list() -> int:
            total = 0
            for url in urls.values():
                with api.connect(url) as client:
                    total += len(client.experiments.all().to_list())
            return total

        def fleet_metrics() -> int:
            with api.connect_many(urls, direct_reads="never") as fleet:
                return fleet.experiments.metrics(["loss"]).to_polars().height

        def one_by_one_metrics() -> int:
            total = 0
            for url in urls.values():
                with api.connect(url, direct_reads="never") as client:
                    total += client.experiments.all().metrics(["loss"]).to_polars().height
            return total

        assert fleet_list() == one_by_one_list() == 3 * args.runs
        assert fleet_metrics() == one_by_one_metrics() == 3 * args.runs * args.steps
        t = median_rounds({"fleet_list": fleet_list, "one_list": one_by_one_list,
                           "fleet_metrics": fleet_metrics, "one_metrics": one_by_one_metrics},
                          args.repeat)  # fmt: skip
        print(f"3 runicorn {VERSION} viewers x {args.runs} runs x {args.steps} steps; median of "
              f"{args.repeat} alternating rounds; Python {sys.version.split()[0]}")  # fmt: skip
        for what, label in (("list", "listing every run"), ("metrics", "loss of every run, HTTP")):
            one, fleet = t[f"one_{what}"], t[f"fleet_{what}"]
            print(f"  {label:<32} one viewer after another {one * 1e3:8.1f} ms; "
                  f"connect_many {fleet * 1e3:8.1f} ms: {one / fleet:.2f}x faster")  # fmt: skip
    finally:
        for viewer in viewers:
            viewer.close()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
