"""One client shared by 16 threads gives what the same calls give one after another."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import runicorn_api as api
from tests.support.reliability import report
from tests.support.viewers import ViewerEnv


def summary(value: Any) -> Any:
    """Comparable plain data for what a call returned."""
    if isinstance(value, api.RunMetrics):
        return (value.run_id, value.names, value.steps.to_list(),
                {n: c.to_list() for n, c in value.columns.items()})  # fmt: skip
    if isinstance(value, list):
        return [summary(v) for v in value]
    if isinstance(value, api.RunicornModel):
        data = value.to_dict()
        if data.get("status") == "running":
            # The viewer reports a running run's duration as of the moment it answers.
            data.pop("duration", None)
            data.pop("updated_at", None)
        return data
    return value


def test_sixteen_threads_agree_with_one(viewer: ViewerEnv) -> None:
    runs = [r for r in viewer.manifest.runs if not r.live and r.key != "big"]
    with api.connect(viewer.base_url) as fresh:
        calls: list[Callable[[], Any]] = []
        for run in runs:
            calls.append(lambda r=run: fresh.get_metrics(r.run_id, ["loss"]))
            calls.append(lambda r=run: fresh.get_experiment(r.run_id))
        calls += [
            fresh.list_experiments,
            lambda: fresh.experiments.filter(project="vision").metrics(["accuracy"]).to_list(),
            lambda: fresh.artifacts.list_artifacts(),
            fresh.list_projects,
        ] * 4
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            together = [summary(v) for v in pool.map(lambda call: call(), calls)]
        elapsed = time.monotonic() - started
        alone = [summary(call()) for call in calls]
    lost = sum(1 for a, b in zip(together, alone, strict=True) if a != b)
    report(viewer, "16 threads, one client, mixed calls", 0, len(calls), 0, lost, elapsed)
    assert together == alone
