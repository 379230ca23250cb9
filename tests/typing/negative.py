"""Mistakes a type checker must report. Each line carries ``# type: ignore``, and both
checkers are told to report an ignore that is not needed (mypy ``warn_unused_ignores``,
pyright ``reportUnnecessaryTypeIgnoreComment``): a mistake that stops being reported fails
the check, so no case here can silently pass."""

from __future__ import annotations

import runicorn_api as api


def wrong_keys(exp: api.Experiment, metrics: api.RunMetrics, point: api.MetricPoint) -> None:
    a: str = exp["idd"]  # type: ignore
    b: str = exp.get("nmae")  # type: ignore
    c: float = point["vlaue"]  # type: ignore
    d: int = api.Health(status="ok")["stauts"]  # type: ignore
    print(a, b, c, d, metrics)


def wrong_types(exp: api.Experiment) -> None:
    count: int = exp["id"]  # type: ignore
    value: str = exp["pid"]  # type: ignore
    print(count, value)


def wrong_arguments(client: api.RunicornClient) -> None:
    client.get_metrics(123)  # type: ignore
    client.list_experiments(limit="5")  # type: ignore
    client.experiments.filter(status=3)  # type: ignore
    api.connect(max_workers="8")  # type: ignore
    api.connect(max_worker=8)  # type: ignore
