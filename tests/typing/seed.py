"""The original client's examples, as a type checker sees them (checked by mypy --strict
and pyright in ``make lint``; never run). Each ``assert_type`` fails the check if what the
SDK returns degrades (to ``Any`` above all)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from typing_extensions import assert_type

import runicorn_api as api
from runicorn_api import utils


def quick_start() -> None:
    client = api.connect("http://127.0.0.1:23300")
    experiments = client.list_experiments(project="vision")
    assert_type(experiments, list[api.Experiment])
    for exp in experiments[:3]:
        assert_type(exp["id"], str)
        metrics = client.get_metrics(exp["id"])
        assert_type(metrics, api.RunMetrics)
        assert_type(exp["name"], str | None)
        assert_type(metrics["metrics"], dict[str, api.MetricSeries])
        assert_type(list(metrics["metrics"].keys()), list[str])
    client.close()
    with api.connect() as context:
        assert_type(context, api.RunicornClient)


def metrics_reading(client: api.RunicornClient, run_id: str) -> None:
    metrics = client.get_metrics(run_id, metric_names=["loss", "accuracy"])
    for metric_name, points in metrics["metrics"].items():
        assert_type(metric_name, str)
        values = [p["value"] for p in points]
        assert_type(values, list[float])
        assert_type(min(values), float)
    assert_type(metrics["loss"], api.MetricSeries)
    assert_type(client.get_metrics(run_id)["loss"], api.MetricSeries)
    acc_points = metrics["metrics"]["accuracy"]
    assert_type(acc_points, api.MetricSeries)
    assert_type(max(p["value"] for p in acc_points), float)
    series = metrics["loss"]
    assert_type(series.best("min"), api.MetricPoint | None)
    assert_type(series[0], api.MetricPoint)
    assert_type(series[0]["step"], int)
    assert_type(series[0].get("timestamp"), float | None)
    assert_type(series[1:3], api.MetricSeries)
    assert_type(series.last_value(), float | None)


def one_run(client: api.RunicornClient, run_id: str) -> None:
    run = client.get_run(run_id)
    assert_type(run, api.Experiment)
    assert_type(run["project"], str | None)
    assert_type(run["status"], str)
    assert_type(run["created_at"], datetime | None)
    assert_type(run.get("pid"), int | None)
    assert_type(run["summary"], dict[str, api.JSON])


def system(client: api.RunicornClient) -> None:
    health = client.health_check()
    assert_type(health["status"], str)
    assert_type(client.get_config()["user_root"], str | None)
    assert_type(client.get_gpu_info(), api.GPUInfo)


def artifacts(client: api.RunicornClient) -> None:
    artifact = client.artifacts.get_artifact("resnet50:v3")
    size = artifact["size_bytes"]
    assert_type(size, int | None)
    assert_type(size / 1024 / 1024 if size else 0.0, float)
    versions = client.artifacts.list_versions("resnet50")
    latest = versions[0]
    assert_type(latest, api.ArtifactVersion)
    assert_type(latest["size_bytes"], int | None)
    assert_type(latest["aliases"], list[str])


def remote(client: api.RunicornClient) -> None:
    session = client.remote.start_viewer("user@host:22", "/data/runicorn")
    assert_type(session["local_port"], int)
    assert_type(client.remote.open("host", "/data/runicorn"), api.RunicornClient)


def dataframes(client: api.RunicornClient, run_id: str) -> None:
    experiments = client.list_experiments()
    assert_type(utils.experiments_to_dataframe(experiments), pd.DataFrame)
    metrics = client.get_metrics(run_id)
    assert_type(utils.metrics_to_dataframe(metrics), pd.DataFrame)
    data = client.export_experiment(run_id, format="json")
    assert_type(data, bytes)
