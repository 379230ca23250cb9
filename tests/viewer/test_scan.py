"""``runs.scan_metrics()`` against both real viewers, with direct reads and over HTTP
only: the rows are the logged values, and polars' projection, run predicates and
``head`` reach the reader (fewer runs read). Expected values come from the data set's
manifest (``expected_rows``), never from the client under test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import runicorn_api as api
from runicorn_api.testing.copies import expected_rows
from tests.support.counting import metric_requests
from tests.support.viewers import ViewerEnv

METRICS = ("accuracy", "loss", "lr", "val_loss")


@pytest.fixture(params=["auto", "never"])
def reader(viewer: ViewerEnv, request: pytest.FixtureRequest) -> Iterator[api.RunicornClient]:
    with api.connect(viewer.base_url, direct_reads=request.param) as client:
        yield client


def test_a_scan_holds_the_logged_values(viewer: ViewerEnv, reader: api.RunicornClient) -> None:
    runs = reader.experiments.filter(project="vision", status="finished")
    scanned = runs.scan_metrics(["loss"]).collect()
    assert scanned.columns == ["run_id", "step", "metric", "value", "timestamp"]
    assert scanned.equals(runs.metrics(["loss"]).to_polars().filter(pl.col("metric") == "loss"))
    for run in (r for r in viewer.manifest.runs if r.run_id in set(runs.ids())):
        logged = [r for r in expected_rows(run, upto=run.steps) if r["loss"] is not None]
        part = scanned.filter(pl.col("run_id") == run.run_id)
        assert part["step"].to_list() == [r["global_step"] for r in logged]
        assert part["value"].to_list() == pytest.approx([r["loss"] for r in logged])


def test_a_run_predicate_skips_the_other_runs_unread(viewer: ViewerEnv) -> None:
    with api.connect(viewer.base_url, direct_reads="never") as client:
        runs = client.experiments.filter(project="vision")
        wanted = viewer.manifest["resnet-s0"].run_id
        ids = runs.ids()
        assert len(ids) > 1
        seen = metric_requests(client)
        frame = runs.scan_metrics().filter(pl.col("run_id") == wanted).collect()
    assert frame["run_id"].unique().to_list() == [wanted]
    assert [url.split("/")[-2] for url in seen] == [wanted]


def test_head_stops_reading_early_and_projection_keeps_only_its_columns(
    viewer: ViewerEnv,
) -> None:
    with api.connect(viewer.base_url, direct_reads="never") as client:
        runs = client.experiments.all()
        seen = metric_requests(client)
        first = runs.scan_metrics(["loss"], batch_runs=2).select("step", "value").head(5).collect()
        total = len(runs)
    assert first.columns == ["step", "value"]
    assert first.height == 5
    assert len(seen) == 2 < total


def test_a_scan_is_a_plan_and_streams(
    viewer: ViewerEnv, reader: api.RunicornClient, tmp_path: Path
) -> None:
    runs = reader.experiments.filter(project="vision")
    plan = runs.scan_metrics(["loss", "accuracy"], start=10, end=50, batch_runs=1)
    once = plan.collect()
    assert plan.collect().equals(once)
    assert once["step"].min() >= 10
    assert once["step"].max() <= 50
    streamed = plan.collect(engine="streaming")
    assert streamed.sort("run_id", "metric", "step").equals(once.sort("run_id", "metric", "step"))
    plan.sink_parquet(tmp_path / "loss.parquet")
    written = pl.read_parquet(tmp_path / "loss.parquet")
    assert written.sort("run_id", "metric", "step").equals(once.sort("run_id", "metric", "step"))


@pytest.mark.parametrize("bad", [0, -1, "2"])
def test_a_bad_batch_size_is_refused_before_any_request(viewer: ViewerEnv, bad: Any) -> None:
    with api.connect(viewer.base_url) as client, pytest.raises(api.InvalidArgumentError):
        client.experiments.all().scan_metrics(batch_runs=bad)
