"""List, filter and convert 10,000 runs; compare the client-side work with json.loads.

The viewer's ``/api/runs`` has no paging, so listing 10,000 runs is one large JSON array.
No storage with 10,000 real runs can be written in reasonable time with the runicorn SDK
(about a second a run), so a loopback server answers ``/api/health`` and ``/api/runs``
with a payload in the exact 0.7.2 list shape (the items are the shape a real 0.7.2 viewer
returns; ids, paths, statuses and times vary).

Measured side by side in one process, each the median of ``--repeat`` rounds:

* ``json.loads``: stdlib parse of the payload bytes (the reference);
* ``fetch``: the client's whole listing: HTTP, decode, validation into models;
* ``client-side``: filter (status, path prefix and a created-at range) plus
  ``to_polars()`` of the result, on the fetched collection: the target is at most 2x
  ``json.loads``.

Usage: ``python benchmarks/bench_experiments.py [--runs 10000] [--repeat 7]``
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import runicorn_api as api
from runicorn_api._frames.experiments import DETAIL_KEYS, EXPERIMENT_COLUMNS
from tests.support.scripted_server import Reply, Script, scripted_server

STATUSES = ("finished", "failed", "running", "interrupted")
PATHS = ("vision/resnet", "vision/vit/ablation", "nlp/bert", "rl/ppo", "bench/big")


def payload(n: int) -> bytes:
    t0 = 1_760_000_000.0
    items = []
    for i in range(n):
        items.append({
            "id": f"2025{1 + i % 12:02d}{1 + i % 28:02d}_{i % 24:02d}{i % 60:02d}00_{i:06x}",
            "run_dir": f"/data/runicorn/runs/{PATHS[i % 5]}/run_{i:06x}",
            "created_time": t0 + i * 37.5,
            "status": STATUSES[i % 4],
            "pid": 1000 + i,
            "best_metric_value": 90 + (i % 100) / 10,
            "best_metric_name": "accuracy",
            "path": PATHS[i % 5],
            "alias": f"run-{i}" if i % 3 == 0 else None,
            "tags": ["baseline", "resnet"][: i % 3],
            "assets_count": i % 4,
        })  # fmt: skip
    return json.dumps(items).encode()


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    body = payload(args.runs)
    script = Script().on("GET", "/api/runs", Reply(200, raw=body))  # the same bytes every time
    with scripted_server(script) as url, api.connect(url) as client:
        # The columns the listing carries (no per-run detail requests).
        base = [c for c in EXPERIMENT_COLUMNS if c not in DETAIL_KEYS]
        cutoff = 1_760_000_000.0 + args.runs * 37.5 / 2

        def fetch() -> Any:
            return client.experiments.all().to_list()

        collection = client.experiments.all()
        collection.to_list()

        def client_side() -> Any:
            # Filtering a fetched collection reuses its items: no request is sent.
            chosen = collection.filter(
                status=["finished", "failed"], path_prefix="vision", created_after=cutoff
            )
            return chosen.to_polars(columns=base)

        t_json = median_time(lambda: json.loads(body), args.repeat)
        t_fetch = median_time(fetch, args.repeat)
        t_client = median_time(client_side, args.repeat)
        frame = client_side()
    print(f"runicorn_api benchmark: {args.runs} runs, payload {len(body) / 1e6:.2f} MB, "
          f"median of {args.repeat}, Python {platform.python_version()}")  # fmt: skip
    print(f"json.loads              {t_json * 1e3:8.1f} ms   1.00x")
    print(f"fetch (HTTP+validate)   {t_fetch * 1e3:8.1f} ms   {t_fetch / t_json:5.2f}x")
    print(f"client-side filter+pl   {t_client * 1e3:8.1f} ms   {t_client / t_json:5.2f}x"
          f"   (target <= 2.00x; {frame.height} rows x {frame.width} columns)")  # fmt: skip


if __name__ == "__main__":
    main()
