"""The README's and the design card's calls, as a type checker sees them: repositories,
lazy collections, DataFrames in pandas and polars, models' computed properties."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import polars as pl
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
    assert_type(many[0], api.RunMetrics)


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
