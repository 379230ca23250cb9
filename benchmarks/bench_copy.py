"""Copying the 200,000-step run between real viewers with ``utils.copy_runs``.

One run of ``--steps`` steps is written with each source version's own SDK. Each round
(the contenders alternate inside it) copies it into an empty 0.7.2 target and then
removes it from the target again, outside the timing:

* ``export + import``: the 0.7.2 source viewer's own export (``POST /api/runs/export``)
  and the target's import (preview, then ``POST /api/import/archive``), nothing more:
  the floor any copy through the viewers pays;
* ``copy_runs 0.7.2 -> 0.7.2``: the same transfer, plus the listing of both viewers and
  the comparison of every metric value (both sides read the run folder, as
  ``direct_reads="auto"`` does on this machine);
* ``copy_runs 0.5.3 -> 0.7.2``: the upgrade, the archive built from the 0.5.3 run folder;
* ``copy_runs 0.5.3 (HTTP only) -> 0.7.2``: the source with ``direct_reads="never"``,
  the run rebuilt from what its API serves (metrics, log).

Usage: ``python benchmarks/bench_copy.py [--steps 200000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import runicorn_api as api
import runicorn_api.utils
from runicorn_api.testing import viewer_python
from runicorn_api.testing.copies import specs_for, write_runs


def _write(version: str, root: Path, steps: int) -> tuple[Path, str]:
    generation = "0.7" if version.startswith("0.7") else "0.5"
    specs = specs_for(generation, [{"key": "big", "project": "bench", "tail": "big",
                                    "status": "finished", "seed": 0, "steps": steps}])  # fmt: skip
    manifest, _ = write_runs(viewer_python(version), version, root / "storage", specs,
                             scratch=root / "scratch", home=root / "home")  # fmt: skip
    return root / "storage", manifest.runs[0].run_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-copy-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        storage07, run_id = _write("0.7.2", root / "w07", args.steps)
        storage05, run_id05 = _write("0.5.3", root / "w05", args.steps)
        assert run_id == run_id05
        print(f"wrote the run with runicorn 0.7.2's and 0.5.3's SDKs in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        (root / "target").mkdir()
        opened = [
            api.local(storage07, python=viewer_python("0.7.2"), home=root / "h07"),
            api.local(storage05, python=viewer_python("0.5.3"), home=root / "h05"),
            api.local(root / "target", python=viewer_python("0.7.2"), home=root / "ht"),
        ]
        src07, src05, target = opened
        src05_http = api.connect(src05.base_url, direct_reads="never", timeout=600)
        opened.append(src05_http)
        try:
            zipped = root / "export.zip"

            def export_import() -> None:
                src07.experiments.export_archive([run_id], zipped)
                result = target.imports.archive(zipped)
                assert result.new_run_ids == [run_id], result
                zipped.unlink()

            def copy_from(source: api.RunicornClient) -> Callable[[], None]:
                def run() -> None:
                    report = api.utils.copy_runs(source, target, [run_id])
                    assert [r.run_id for r in report.copied] == [run_id], report.runs

                return run

            contenders: dict[str, Callable[[], None]] = {
                "export + import (the viewers alone)": export_import,
                "copy_runs 0.7.2 -> 0.7.2": copy_from(src07),
                "copy_runs 0.5.3 -> 0.7.2 (run folder)": copy_from(src05),
                "copy_runs 0.5.3 (HTTP only) -> 0.7.2": copy_from(src05_http),
            }
            times: dict[str, list[float]] = {name: [] for name in contenders}
            for _ in range(args.repeat):
                for name, job in contenders.items():
                    begin = time.perf_counter()
                    job()
                    times[name].append(time.perf_counter() - begin)
                    target.experiments.delete([run_id], permanent=True, confirm=True)
            size = (storage07 / "runs" / "bench" / "big" / run_id / "events.jsonl").stat().st_size
            print(f"a {args.steps:,}-step run (events.jsonl {size / 1e6:.1f} MB), median of "
                  f"{args.repeat} alternating rounds, Python {sys.version.split()[0]}")  # fmt: skip
            floor = statistics.median(times["export + import (the viewers alone)"])
            for name, spent in times.items():
                median = statistics.median(spent)
                print(f"  {name:<40} {median * 1000:8.0f} ms  {args.steps / median:>9,.0f} "
                      f"rows/s  {median / floor:5.2f}x the viewers alone")  # fmt: skip
        finally:
            for client in opened:
                client.close()


if __name__ == "__main__":
    main()
