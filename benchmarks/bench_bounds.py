"""Bounded resources on real viewers: a 2,000,000-step run through ``get_metrics``, and
``iter_pages`` over 10,000 runs.

The storage starts from one run written by the version's own SDK. Its ``events.jsonl`` is
then extended to ``--steps`` steps in the SDK's own line format, and (for the many-runs
case, on a 0.5.3 viewer, which finds runs by scanning folders) its folder is copied
``--runs`` times under new run ids. Each measurement runs in a fresh process and reports
its wall time and the peak memory it added (``ru_maxrss`` after minus before).

Usage: ``python benchmarks/bench_bounds.py [--steps 2000000] [--runs 10000]``
Prints a JSON object; ``benchmarks/reliability.py`` puts it in RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import runicorn_api as api
from runicorn_api.testing import viewer_python
from runicorn_api.testing.copies import specs_for, write_runs

MEASURE = r"""
import json, resource, sys, time
import runicorn_api as api
mode, url, run_id = sys.argv[1], sys.argv[2], sys.argv[3]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
with api.connect(url, direct_reads=sys.argv[4], timeout=600) as client:
    if mode == "metrics":
        m = client.get_metrics(run_id)
        out = {"rows": len(m.steps), "last_step": m.steps[-1], "source": m.source}
    else:
        pages = runs = 0
        for page in client.experiments.filter().iter_pages(page_size=500):
            pages += 1
            runs += len(page)
        out = {"runs": runs, "pages": pages}
out["seconds"] = round(time.perf_counter() - started, 2)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out["peak_mb_added"] = round((peak - before) / 1024, 1)
print(json.dumps(out))
"""


def _seed_run(version: str, root: Path) -> tuple[Path, dict[str, Any]]:
    generation = "0.7" if version.startswith("0.7") else "0.5"
    specs = specs_for(generation, [{"key": "seed", "project": "bounds", "tail": "big",
                                    "status": "finished", "seed": 0, "steps": 20}])  # fmt: skip
    manifest, _ = write_runs(viewer_python(version), version, root / "storage", specs,
                             scratch=root / "scratch", home=root / "home")  # fmt: skip
    run = manifest.runs[0]
    return Path(run.run_dir), {"run_id": run.run_id, "storage": root / "storage"}


def _extend_events(run_dir: Path, steps: int) -> int:
    """Rewrite events.jsonl with ``steps`` metrics lines in the SDK's own format."""
    events = run_dir / "events.jsonl"
    sample = next(json.loads(line) for line in events.read_text().splitlines()
                  if '"metrics"' in line)  # fmt: skip
    template = dict(sample)
    with events.open("w") as out:
        for step in range(1, steps + 1):
            data = {"global_step": step, "loss": 1.0 / step, "accuracy": step / steps,
                    "lr": 0.1 * 0.5 ** (step // 100_000), "val_loss": 2.0 / step,
                    "time": template.get("ts")}  # fmt: skip
            out.write(json.dumps({**template, "data": data}) + "\n")
    return events.stat().st_size


def _copy_runs(run_dir: Path, count: int) -> None:
    """``count`` copies of a 0.5.x run folder, each with its own id."""
    runs = run_dir.parent
    meta = json.loads((run_dir / "meta.json").read_text())
    for i in range(count):
        new_id = f"20240101_000000_{i:06x}"
        target = runs / new_id
        shutil.copytree(run_dir, target)
        (target / "meta.json").write_text(json.dumps({**meta, "id": new_id}))


def _measure(mode: str, url: str, run_id: str, direct: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", MEASURE, mode, url, run_id, direct],
                          capture_output=True, text=True, timeout=1800, check=True)  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    report: dict[str, Any] = {"steps": args.steps, "runs": args.runs}
    root = Path(tempfile.mkdtemp(prefix="runicorn-api-bounds-"))
    try:
        run_dir, seed = _seed_run("0.7.2", root / "big")
        report["events_mb"] = round(_extend_events(run_dir, args.steps) / 2**20, 1)
        with api.local(seed["storage"], python=viewer_python("0.7.2"),
                       startup_timeout=300) as client:  # fmt: skip
            for direct in ("auto", "never"):
                report[f"metrics_{direct}"] = _measure("metrics", client.base_url,
                                                       seed["run_id"], direct)  # fmt: skip
        run_dir, seed = _seed_run("0.5.3", root / "many")
        _copy_runs(run_dir, args.runs - 1)
        with api.local(seed["storage"], python=viewer_python("0.5.3"),
                       startup_timeout=300, timeout=600) as client:  # fmt: skip
            report["iter_pages"] = _measure("pages", client.base_url, "", "never")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(report, indent=2))
    # The stated bounds: a direct read adds at most 1.5x the file, a listing at most
    # 10 KB per run, and nothing is dropped.
    direct, pages = report["metrics_auto"], report["iter_pages"]
    problems = [
        text for text, broken in (
            ("a direct read added more than 1.5x events.jsonl",
             direct["peak_mb_added"] > 1.5 * report["events_mb"]),
            ("iter_pages added more than 10 KB per run",
             pages["peak_mb_added"] * 1024 > 10 * args.runs),
            ("rows were lost", direct["rows"] != args.steps
             or report["metrics_never"]["rows"] != args.steps),
            ("runs were lost", pages["runs"] != args.runs),
        ) if broken
    ]  # fmt: skip
    if problems:
        raise SystemExit("bounds exceeded: " + "; ".join(problems))


if __name__ == "__main__":
    main()
