"""Metrics, metric DataFrames, utils and exports against both real viewers.

Expected values are re-derived from the formulas the fixture's writer logged with
(``expected_rows``), never taken from the client's output.
"""

from __future__ import annotations

import csv
import io
import json
import math
import pickle
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import runicorn_api as api
from runicorn_api import utils
from runicorn_api.testing import RunRecord
from runicorn_api.testing.copies import expected_rows
from tests.support.viewers import ViewerEnv

METRICS = ("accuracy", "loss", "lr", "val_loss")


def expected_series(run: RunRecord, metric: str) -> tuple[list[int], list[float]]:
    rows = [r for r in expected_rows(run, upto=run.steps) if r[metric] is not None]
    return [int(r["global_step"]) for r in rows], [float(r[metric]) for r in rows]  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["resnet-s0", "bert-s1", "vit-ablation"])
def test_series_equal_what_was_logged(viewer: ViewerEnv, key: str) -> None:
    run = viewer.manifest[key]
    metrics = viewer.client.get_metrics(run.run_id)
    assert sorted(metrics.names) == sorted(METRICS)
    assert metrics.total == run.steps
    assert metrics.steps == list(range(1, run.steps + 1))
    for metric in METRICS:
        steps, values = expected_series(run, metric)
        series = metrics[metric]
        assert series.steps == steps
        assert series.values == pytest.approx(values, rel=1e-12)
        assert len(series.timestamps) == len(steps)
        assert series.last_value() == pytest.approx(values[-1])
        assert series.min_value() == pytest.approx(min(values))
        assert series.max_value() == pytest.approx(max(values))
        assert series.mean() == pytest.approx(math.fsum(values) / len(values))
    # A NaN logged at nan_step comes back null: one null step, not a gap in val_loss.
    expected_nulls = [run.nan_step] if run.nan_step else []
    assert metrics["loss"].null_steps == expected_nulls
    assert metrics["val_loss"].null_steps == []
    assert len(metrics["val_loss"]) == run.steps // run.val_every


def test_series_helpers(viewer: ViewerEnv) -> None:
    run = viewer.manifest["resnet-s1"]
    loss = viewer.client.get_metrics(run.run_id)["loss"]
    steps, values = expected_series(run, "loss")
    best = loss.best("min")
    assert best is not None
    low = min(range(len(values)), key=values.__getitem__)
    assert (best.step, best.value) == (steps[low], pytest.approx(values[low]))
    assert loss.tail(3).steps == steps[-3:]
    assert loss.head(2).values == pytest.approx(values[:2])
    assert loss.between(100, 110).steps == list(range(100, 111))
    small = loss.downsample(100)
    assert len(small) <= 100
    assert small.steps[0] == steps[0]
    assert small.steps[-1] == steps[-1]
    assert min(small.values) == pytest.approx(min(values))
    assert max(small.values) == pytest.approx(max(values))
    assert set(small.steps) <= set(steps)
    with pytest.raises(ValueError, match="mode must be"):
        loss.best("median")  # type: ignore[arg-type]


def test_metric_names_limit_range_and_downsample(viewer: ViewerEnv) -> None:
    client = viewer.client
    run = viewer.manifest["gpt-s0"]
    only = client.get_metrics(run.run_id, metric_names=["val_loss", "lr"])
    assert only.names == ["val_loss", "lr"]
    with pytest.raises(KeyError, match="has no metric 'nope'; it has accuracy, loss"):
        client.get_metrics(run.run_id, metric_names=["loss", "nope"])
    limited = client.get_metrics(run.run_id, limit=120)
    assert limited.steps == list(range(1, 121))
    assert limited["val_loss"].steps == [50, 100]
    window = client.get_metrics(run.run_id, start=1000, end=1100)
    assert window.steps == list(range(1000, 1101))
    assert window["val_loss"].steps == [1000, 1050, 1100]
    down = client.get_metrics(run.run_id, downsample=200)
    assert down.total == run.steps
    assert down.sampled == len(down.steps) <= 200
    assert down.downsampled
    expected = {int(r["global_step"]): r for r in expected_rows(run)}  # type: ignore[arg-type]
    for step, value in zip(down["accuracy"].steps, down["accuracy"].values, strict=True):
        assert value == pytest.approx(expected[step]["accuracy"])
    exp = client.get_run(run.run_id)
    assert exp.metrics(["loss"], start=5, end=7)["loss"].steps == [5, 6, 7]
    for bad in ({"downsample": 5}, {"limit": -1}, {"start": 10, "end": 5}):
        with pytest.raises(ValueError, match=r"downsample|limit|start"):
            client.get_metrics(run.run_id, **bad)
    with pytest.raises(TypeError, match="list of names"):
        client.get_metrics(run.run_id, metric_names="loss")  # type: ignore[arg-type]


def frames_equal(pdf: Any, pldf: pl.DataFrame) -> None:
    assert list(pdf.columns) == pldf.columns
    back = pl.from_pandas(pdf)
    assert back.schema == pldf.schema
    assert back.equals(pldf, null_equal=True)


def test_pandas_and_polars_metrics_frames_are_identical(viewer: ViewerEnv) -> None:
    run = viewer.manifest["bert-s1"]
    metrics = viewer.client.get_metrics(run.run_id)
    for wide in (False, True):
        frames_equal(metrics.to_pandas(wide=wide), metrics.to_polars(wide=wide))
    long = metrics.to_polars()
    assert long.columns == ["run_id", "step", "metric", "value", "timestamp"]
    assert long.height == sum(len(expected_series(run, m)[0]) for m in METRICS)
    wide = metrics.to_polars(wide=True)
    assert wide.columns[:3] == ["run_id", "step", "timestamp"]
    assert wide.height == run.steps
    assert wide.filter(pl.col("step") == run.nan_step)["loss"].to_list() == [None]


@pytest.mark.parametrize("direct_reads", ["auto", "never"])
def test_arrow_and_series_frames_hold_what_was_logged(viewer: ViewerEnv, direct_reads: str) -> None:
    import duckdb

    run = viewer.manifest["bert-s1"]
    with api.connect(viewer.base_url, direct_reads=direct_reads) as reader:  # type: ignore[arg-type]
        metrics = reader.get_metrics(run.run_id)
        assert metrics.source == ("viewer" if direct_reads == "never" else "storage")
        for metric in METRICS:
            steps, values = expected_series(run, metric)
            frame = metrics[metric].to_polars()
            assert frame["step"].to_list() == steps
            assert frame["value"].to_list() == pytest.approx(values, rel=1e-12)
            assert frame["metric"].unique().to_list() == [metric]
            assert pl.from_arrow(metrics[metric].to_arrow()).equals(frame)
        assert pl.from_arrow(metrics.to_arrow()).equals(metrics.to_polars())
        db = duckdb.connect()
        db.register("points", metrics.to_arrow())
        last = db.sql(
            "select metric, arg_max(value, step) from points group by metric order by metric"
        ).fetchall()
    assert [m for m, _ in last] == sorted(METRICS)
    for metric, value in last:
        assert value == pytest.approx(expected_series(run, metric)[1][-1])


def test_multi_run_metrics_keep_run_order(viewer: ViewerEnv) -> None:
    coll = viewer.client.experiments.filter(project="vision").order_by("created_at")
    frame = coll.metrics(["loss"], progress=True).to_polars()
    ordered = sorted((r for r in viewer.manifest.runs if r.project == "vision"),
                     key=lambda r: r.created_time)  # fmt: skip
    assert frame["run_id"].unique(maintain_order=True).to_list() == [r.run_id for r in ordered]
    for run in ordered:
        steps, values = expected_series(run, "loss")
        part = frame.filter(pl.col("run_id") == run.run_id)
        assert part["step"].to_list()[: len(steps)] == steps
        assert part["value"].to_list()[: len(steps)] == pytest.approx(values)
    frames_equal(coll.metrics(["loss"]).to_pandas(), coll.metrics(["loss"]).to_polars())


def test_compare_runs_and_aggregate(viewer: ViewerEnv) -> None:
    client = viewer.client
    runs = [viewer.manifest[k] for k in ("resnet-s0", "resnet-s1", "resnet-s2")]
    ids = [r.run_id for r in runs]
    wide = utils.compare_runs(client, ids, "val_loss")
    assert list(wide.columns) == ["step", *ids]
    assert wide["step"].tolist() == list(range(50, 2001, 50))
    for run in runs:
        assert wide[run.run_id].tolist() == pytest.approx(expected_series(run, "val_loss")[1])
    polars_wide = utils.compare_runs(client, ids, "val_loss", library="polars")
    frames_equal(wide, polars_wide)

    experiments = client.experiments.filter(ids=ids)
    table = utils.aggregate_runs(experiments, "val_loss", by="summary.optimizer")
    by_opt: dict[str, list[RunRecord]] = {}
    for run in runs:
        by_opt.setdefault(run.summary["optimizer"], []).append(run)
    assert sorted(table["group"].unique().tolist()) == sorted(by_opt)
    for group, members in by_opt.items():
        rows = table[(table["group"] == group) & (table["step"] == 1000)]
        values = [dict(zip(*expected_series(r, "val_loss"), strict=True))[1000] for r in members]
        assert rows["count"].tolist() == [len(values)]
        assert rows["mean"].tolist() == pytest.approx([sum(values) / len(values)])
        assert rows["min"].tolist() == pytest.approx([min(values)])
        assert rows["max"].tolist() == pytest.approx([max(values)])
    polars_table = utils.aggregate_runs(experiments, "val_loss", by="summary.optimizer",
                                        library="polars")  # fmt: skip
    assert polars_table.columns == list(table.columns)
    assert polars_table["mean"].to_list() == pytest.approx(table["mean"].tolist())


def test_exports_round_trip(viewer: ViewerEnv, tmp_path: Path) -> None:
    client = viewer.client
    run = viewer.manifest["bert-s1"]
    rows = expected_rows(run)
    document = json.loads(client.export_experiment(run.run_id, format="json"))
    assert document["experiment"]["id"] == run.run_id
    assert document["experiment"]["summary"] == run.summary
    assert document["metrics"]["steps"] == [r["global_step"] for r in rows]
    for metric in METRICS:
        assert document["metrics"]["columns"][metric] == pytest.approx([r[metric] for r in rows])

    table = list(csv.DictReader(io.StringIO(client.export_experiment(run.run_id, "csv").decode())))
    for metric in METRICS:
        steps, values = expected_series(run, metric)
        mine = [r for r in table if r["metric"] == metric]
        assert [int(r["step"]) for r in mine] == steps
        assert [float(r["value"]) for r in mine] == values  # written exactly (repr)
        assert all(r["run_id"] == run.run_id for r in mine)

    parquet = pl.read_parquet(io.BytesIO(client.export_experiment(run.run_id, "parquet")))
    assert parquet.columns == ["run_id", "step", "metric", "value", "timestamp"]
    for metric in METRICS:
        steps, values = expected_series(run, metric)
        part = parquet.filter(pl.col("metric") == metric)
        assert part["step"].to_list() == steps
        assert part["value"].to_list() == values

    with pytest.raises(ValueError, match="format must be one of json, csv, parquet"):
        client.export_experiment(run.run_id, format="xml")
    if viewer.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError, match="zip export"):
            client.export_experiment(run.run_id, include_media=True)
    else:
        archive = zipfile.ZipFile(
            io.BytesIO(client.export_experiment(run.run_id, include_media=True))
        )
        assert any(name.endswith("events.jsonl") for name in archive.namelist())

    path = utils.export_metrics_to_csv(client, run.run_id, tmp_path / "m" / "loss.csv", ["loss"])
    lines = Path(path).read_text().splitlines()
    assert lines[0] == "run_id,step,metric,value,timestamp"
    assert len(lines) == 1 + len(expected_series(run, "loss")[0])


def test_export_files_stay_inside_their_folder(viewer: ViewerEnv, tmp_path: Path) -> None:
    run = viewer.manifest["vit-ablation"]
    written = utils.export_experiments(viewer.client, [run.run_id], tmp_path / "out")
    assert [p.parent for p in written] == [(tmp_path / "out").resolve()]
    assert written[0].name == f"{run.path.replace('/', '_')}_{run.run_id}.json"
    assert json.loads(written[0].read_bytes())["experiment"]["path"] == run.path
    assert utils.safe_filename("../../etc/passwd") == "etc_passwd"


def test_polars_and_python_decoders_agree(viewer: ViewerEnv) -> None:
    """Both decode paths run on the same real body: polars' (a bytearray, rewritten in
    place) and the pure-Python one (without polars, or for bodies polars refuses)."""
    from runicorn_api._reading.body import decode_body

    run = viewer.manifest["bert-s1"]
    body = viewer.client.session.get(f"{viewer.base_url}/api/runs/{run.run_id}/metrics").content
    fast = decode_body(run.run_id, bytearray(body))
    slow = decode_body(run.run_id, body)
    assert fast.steps.is_polars
    assert fast.steps == slow.steps == list(range(1, run.steps + 1))
    assert fast.timestamps == slow.timestamps
    assert fast.columns == slow.columns
    assert (fast.total, fast.sampled) == (slow.total, slow.sampled) == (run.steps, run.steps)
    assert fast.columns["loss"][run.nan_step - 1] is None  # type: ignore[operator]
    # A text value: polars refuses the schema, the buffer is put back, Python decodes it.
    text = bytearray(body.replace(b'"accuracy":', b'"accuracy":"high","was":', 1))
    original = bytes(text)
    with pytest.raises(api.ResponseValidationError, match="columns"):
        decode_body(run.run_id, bytearray(b'{"rows": []}'))
    mixed = decode_body(run.run_id, text)
    assert bytes(text) == original
    assert mixed.text_columns["accuracy"][0] == "high"
    assert "accuracy" not in mixed.columns


def test_metric_points_read_like_mappings() -> None:
    point = api.MetricPoint.of(3, 0.25, 1700000000.5)
    assert point == api.MetricPoint((3, 0.25, 1700000000.5))  # as time.struct_time
    assert (point["step"], point["value"], point["timestamp"]) == (3, 0.25, 1700000000.5)
    assert (point.step, point.value, point.timestamp) == (3, 0.25, 1700000000.5)
    assert dict(point) == point.to_dict() == {"step": 3, "value": 0.25, "timestamp": 1700000000.5}
    assert "value" in point
    assert "loss" not in point
    assert 3 not in point  # membership is by field name, as in a dict
    assert [3] not in point
    assert point.get("loss", "absent") == "absent"
    assert list(point.items()) == list(point.to_dict().items())
    step, value, stamp = point  # unpacking gives the three values
    assert (step, value, stamp) == (3, 0.25, 1700000000.5)
    assert (point[0], point[-1], point[:2]) == (3, 1700000000.5, (3, 0.25))
    for missing in ("loss", "count", "_fields", "__class__"):  # fields only, not attributes
        with pytest.raises(KeyError, match=missing):
            point[missing]
    assert pickle.loads(pickle.dumps(point)) == point
    assert type(pickle.loads(pickle.dumps(point))) is api.MetricPoint
    assert repr(point) == "MetricPoint(step=3, value=0.25)"


@pytest.mark.parametrize("backend", ["polars", "numpy-less polars", "array"])
def test_columns_iterate_their_values_with_nulls_as_none(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column without nulls is iterated from its buffer, one with nulls from a list: the
    values and their Python types are the same on every path."""
    from runicorn_api._common import deps
    from runicorn_api._frames import columns as _columns

    if backend != "polars":
        monkeypatch.setitem(deps._AVAILABLE, "numpy", False)
    if backend == "array":
        monkeypatch.setitem(deps._AVAILABLE, "polars", False)
    floats = [0.5, -1.25, 3.0e300, 2.0]
    for values in (floats, [0.5, None, 2.0]):
        column = _columns.Column.of(values, "float")
        assert column.is_polars == (backend != "array")
        got = list(column)
        assert got == values
        assert list(column[1:3]) == values[1:3]  # a slice shares the buffer, at an offset
        assert [type(v) for v in got] == [type(v) for v in values]
    steps = _columns.Column.of([0, 5, 2**40], "int")
    assert list(steps) == [0, 5, 2**40]
    assert {type(v) for v in steps} == {int}
    series = api.MetricSeries(
        name="loss", steps=steps, values=_columns.Column.of([0.5, None, 2.0], "float"),
        timestamps=_columns.Column.of([1.0, 2.0, 3.0], "float"),
    )  # fmt: skip
    assert [(p["step"], p.value, p["timestamp"]) for p in series] == [
        (0, 0.5, 1.0), (5, None, 2.0), (2**40, 2.0, 3.0),
    ]  # fmt: skip
    assert all(type(p) is api.MetricPoint for p in series)


def test_an_unknown_metric_lists_the_runs_metrics(viewer: ViewerEnv) -> None:
    run = viewer.manifest["resnet-s0"]
    metrics = viewer.client.get_metrics(run.run_id)
    with pytest.raises(KeyError) as info:
        metrics["acuracy"]
    message = str(info.value.args[0])
    assert f"Run {run.run_id} has no metric 'acuracy'" in message
    assert all(name in message for name in metrics.names)
    assert "last_step" not in message  # the run's metrics, not the model's attributes
    assert metrics.get("acuracy") is None
