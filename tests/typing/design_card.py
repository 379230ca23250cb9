"""The README's and the design card's calls, as a type checker sees them: repositories,
lazy collections, DataFrames in pandas and polars, models' computed properties."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from typing_extensions import assert_type

import runicorn_api as api
from runicorn_api import utils
from runicorn_api.filters import F
from runicorn_api.resources import ExperimentCollection, MetricsCollection


def collections(client: api.RunicornClient) -> None:
    runs = client.experiments.filter(F("summary.accuracy") > 0.9, project="vision")
    assert_type(runs, ExperimentCollection)
    assert_type(runs.order_by("-created_at")[:5], ExperimentCollection)
    assert_type(runs[0], api.Experiment)
    assert_type(runs.first(), api.Experiment | None)
    assert_type(runs.ids(), list[str])
    assert_type(runs.to_polars(), pl.DataFrame)
    assert_type(runs.to_pandas(["id", "summary.accuracy"]), pd.DataFrame)
    many = runs.metrics(["loss"])
    assert_type(many, MetricsCollection)
    assert_type(many.to_polars(), pl.DataFrame)
    assert_type(many.to_arrow(), pa.Table)
    assert_type(runs.scan_metrics(["loss"], start=10), pl.LazyFrame)
    assert_type(runs.to_arrow(["id"]), pa.Table)
    assert_type(many[0], api.RunMetrics)
    best = runs.filter(F("metrics.loss.min") < 0.2).order_by("metrics.loss.last")
    assert_type(best, ExperimentCollection)
    assert_type(best.to_polars(["id", "metrics.loss.last"]), pl.DataFrame)
    summary = best[0].metric_summaries["loss"]
    assert_type(summary, api.MetricSummary)
    assert_type(summary.last, float)
    assert_type(summary.last_step, int)
    assert_type(summary.min, float | None)
    assert_type(summary.count, int | None)
    assert_type(summary["last"], float)


def models(client: api.RunicornClient, exp: api.Experiment) -> None:
    assert_type(exp.is_finished, bool)
    assert_type(exp.display_name, str)
    assert_type(exp.updated_at, datetime | None)
    assert_type(exp.metrics(), api.RunMetrics)
    assert_type(exp.images(), list[api.RunImage])
    assert_type(exp.artifacts().created, list[api.Artifact])
    assert_type(exp.logs().lines, list[str])
    assert_type(exp.environment().python_version, str | None)
    metrics = exp.metrics()
    assert_type(metrics.to_polars(), pl.DataFrame)
    assert_type(metrics.to_pandas(wide=True), pd.DataFrame)
    assert_type(metrics.to_arrow(), pa.Table)
    series = metrics["loss"]
    assert_type(series.to_polars(), pl.DataFrame)
    assert_type(series.to_pandas(), pd.DataFrame)
    assert_type(series.to_arrow(), pa.Table)
    assert_type(metrics.plot(), Figure)
    assert_type(metrics["loss"].plot(), Axes)
    assert_type(client.server.version_tuple, tuple[int, ...])


def helpers(client: api.RunicornClient, ids: list[str]) -> None:
    assert_type(utils.compare_runs(client, ids, "loss"), pd.DataFrame)
    assert_type(utils.compare_runs(client, ids, "loss", library="polars"), pl.DataFrame)
    runs = client.experiments.filter(project="vision").to_list()
    assert_type(utils.aggregate_runs(runs, "loss", by="config.lr", library="polars"), pl.DataFrame)
    assert_type(utils.plot_runs(client, ids, "loss"), Axes)
    assert_type(utils.metrics_to_dataframe(client.get_metrics(ids[0]), library="polars"),
                pl.DataFrame)  # fmt: skip


def moving_runs(source: api.RunicornClient, target: api.RunicornClient) -> None:
    report = utils.copy_runs(source, target, source.experiments.filter(path_prefix="vision"))
    assert_type(report, api.models.CopyReport)
    assert_type(report.failed, list[api.models.RunCopy])
    assert_type(report.ok, bool)
    assert_type(report.runs[0].differences, list[str])
    assert_type(utils.copy_runs("http://a", "http://b", ["20250101_120000_000000"]).copied,
                list[api.models.RunCopy])  # fmt: skip
    assert_type(source.experiments.folder("20250101_120000_000000"), Path | None)


def behind_a_proxy() -> None:
    client = api.connect("https://runicorn.example.org", auth=("alice", "pw"),
                         verify="/etc/ssl/ca.pem", headers={"X-Team": "a"},
                         cert=("c.pem", "k.pem"))  # fmt: skip
    assert_type(client, api.RunicornClient)


def fleet(client: api.RunicornClient) -> None:
    with api.connect_many({"gpu1": "http://gpu1:23300", "laptop": client}) as many:
        assert_type(many, api.Fleet)
        runs = many.experiments.filter(project="sweep").order_by("-metrics.acc.max")
        assert_type(runs[:5].to_polars(["viewer", "id"]), pl.DataFrame)
        assert_type(runs.ids(), list[str])
        assert_type(runs[0].viewer, str | None)
        assert_type(runs.metrics(["loss"]).to_arrow(), pa.Table)
        assert_type(many.get_metrics("gpu1:20250101_000000_abcdef"), api.RunMetrics)
        assert_type(many.list_experiments(project="sweep"), list[api.Experiment])
        assert_type(many.errors, dict[str, Exception])
    try:
        api.connect_many(["http://a:23300"], on_error="raise")
    except api.FleetError as err:
        assert_type(err.errors, dict[str, Exception])
