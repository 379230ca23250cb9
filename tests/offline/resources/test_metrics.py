"""``client.metrics`` (``resources/metrics.py``) against recorded answers: the viewer's
columns and rows decoded into series, the selections applied here, the headers, and the
refusals of bad arguments before any request."""

from __future__ import annotations

import math
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import MockResponse
from tests.support.recorded import RecordedViewer


def _rows(recorded: RecordedViewer, **query: str) -> tuple[list[str], list[dict[str, Any]]]:
    body = recorded.body(f"/api/runs/{recorded.run_id}/metrics", **query)
    names = [c for c in body["columns"] if c not in ("global_step", "time", "stage")]
    return names, body["rows"]


def test_every_metric_is_a_series_of_the_recorded_rows(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    names, rows = _rows(recorded)
    metrics = mock_client.get_metrics(recorded.run_id)
    assert metrics.names == names
    assert metrics.source == "viewer"
    for name in names:
        kept = [r for r in rows if r.get(name) is not None]
        series = metrics[name]
        assert list(series.steps) == [r["global_step"] for r in kept]
        assert list(series.values) == pytest.approx([r[name] for r in kept])


@pytest.mark.parametrize("route", ["metrics", "metrics_step"])
def test_each_metrics_route_is_asked_as_named(
    recorded: RecordedViewer, mock_client: api.RunicornClient, route: str
) -> None:
    metrics = mock_client.metrics.get(recorded.run_id, route=route)  # type: ignore[arg-type]
    assert recorded.sent() == [f"/api/runs/{recorded.run_id}/{route}"]
    assert len(metrics.steps) == len(_rows(recorded)[1])


def test_downsample_is_the_viewer_s_and_is_asked_for(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    _, rows = _rows(recorded, downsample="100")
    metrics = mock_client.get_metrics(recorded.run_id, downsample=100)
    assert recorded.calls[-1].params == {"downsample": "100"}
    assert list(metrics.steps) == [r["global_step"] for r in rows]


@pytest.mark.parametrize(
    ("kwargs", "keep"),
    [
        ({"limit": 5}, lambda rows: rows[:5]),
        ({"start": 10, "end": 20}, lambda rows: [r for r in rows if 10 <= r["global_step"] <= 20]),
        ({"start": 30}, lambda rows: [r for r in rows if r["global_step"] >= 30]),
        ({"end": 3}, lambda rows: [r for r in rows if r["global_step"] <= 3]),
    ],
)
def test_row_selections_are_applied_here(
    recorded: RecordedViewer, mock_client: api.RunicornClient, kwargs: dict[str, int], keep: Any
) -> None:
    _, rows = _rows(recorded)
    metrics = mock_client.get_metrics(recorded.run_id, **kwargs)
    assert list(metrics.steps) == [r["global_step"] for r in keep(rows)]
    assert recorded.calls[-1].params == {}  # the viewer has no such parameters


def test_metric_names_keep_only_those_series(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    names, _ = _rows(recorded)
    metrics = mock_client.get_metrics(recorded.run_id, names[:2])
    assert metrics.names == names[:2]


def test_an_unknown_metric_name_lists_the_run_s_metrics(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    names, _ = _rows(recorded)
    with pytest.raises(KeyError) as info:
        mock_client.get_metrics(recorded.run_id, ["los"])
    for name in names:
        assert name in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit": -1},
        {"limit": "5"},
        {"downsample": 5},
        {"downsample": 60000},
        {"start": 10, "end": 5},
        {"metric_names": "loss"},
        {"metric_names": [3]},
    ],
    ids=repr,
)
def test_bad_arguments_are_refused_before_any_request(
    recorded: RecordedViewer, mock_client: api.RunicornClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(api.InvalidArgumentError):
        mock_client.get_metrics(recorded.run_id, **kwargs)
    assert recorded.sent() == []


def test_the_last_step_header_is_kept(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    headers = recorded.recorded(f"/api/runs/{recorded.run_id}/metrics")["headers"]
    last = {k.lower(): v for k, v in headers.items()}["x-last-step"]
    assert mock_client.get_metrics(recorded.run_id).last_step == int(last)


def test_null_values_are_gaps_not_zeros(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    route = f"/api/runs/{recorded.run_id}/metrics"
    body = {
        "columns": ["global_step", "acc", "loss"],
        "rows": [
            {"global_step": 1, "acc": 0.1, "loss": 0.5},
            {"global_step": 2, "acc": 0.2, "loss": 0.4},
            {"global_step": 3, "acc": 0.3, "loss": None},  # a NaN, sent as null
            {"global_step": 4, "acc": 0.4, "loss": 0.3},
        ],
        "total": 4,
        "sampled": 4,
    }
    recorded.on("GET", route, MockResponse(json=body))
    series = mock_client.get_metrics(recorded.run_id)["loss"]
    assert list(series.steps) == [1, 2, 4]
    assert series.null_steps == [3]
    assert not any(math.isnan(v) for v in series.values)


def test_a_body_that_is_not_columns_and_rows_is_a_validation_error(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    recorded.on("GET", f"/api/runs/{recorded.run_id}/metrics", MockResponse(json={"x": 1}))
    with pytest.raises(api.ResponseValidationError):
        mock_client.get_metrics(recorded.run_id)


def test_the_viewer_s_422_is_unprocessable(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    detail = recorded.body(f"/api/runs/{recorded.run_id}/metrics", downsample="5")["detail"]
    recorded.on(
        "GET", f"/api/runs/{recorded.run_id}/metrics", MockResponse(422, json={"detail": detail})
    )
    with pytest.raises(api.UnprocessableEntityError) as info:
        mock_client.get_metrics(recorded.run_id)
    assert "downsample" in str(info.value)


# -- Arrow, and frames of one series -----------------------------------------------------


def test_a_series_is_the_long_frame_of_one_metric(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    names, rows = _rows(recorded)
    name = names[0]
    kept = [r for r in rows if r.get(name) is not None]
    frame = mock_client.get_metrics(recorded.run_id)[name].to_polars()
    assert frame.columns == ["run_id", "step", "metric", "value", "timestamp"]
    assert frame["run_id"].unique().to_list() == [recorded.run_id]
    assert frame["metric"].unique().to_list() == [name]
    assert frame["step"].to_list() == [r["global_step"] for r in kept]
    assert frame["value"].to_list() == pytest.approx([r[name] for r in kept])
    pandas_frame = mock_client.get_metrics(recorded.run_id)[name].to_pandas()
    assert list(pandas_frame.columns) == frame.columns
    assert pandas_frame["value"].tolist() == pytest.approx(frame["value"].to_list())


@pytest.mark.parametrize("wide", [False, True])
def test_arrow_is_the_polars_frame(
    recorded: RecordedViewer, mock_client: api.RunicornClient, wide: bool
) -> None:
    import polars as pl

    metrics = mock_client.get_metrics(recorded.run_id)
    table = metrics.to_arrow(wide=wide)
    assert pl.from_arrow(table).equals(metrics.to_polars(wide=wide))
    series = metrics[metrics.names[0]]
    assert pl.from_arrow(series.to_arrow()).equals(series.to_polars())


def test_without_polars_arrow_comes_from_pandas_with_the_same_columns(
    recorded: RecordedViewer, mock_client: api.RunicornClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runicorn_api._common import deps

    metrics = mock_client.get_metrics(recorded.run_id)
    expected = metrics.to_polars()
    monkeypatch.setitem(deps._AVAILABLE, "polars", False)
    table = metrics.to_arrow()
    assert table.column_names == expected.columns
    assert table.column("value").to_pylist() == pytest.approx(expected["value"].to_list())
    assert table.column("step").to_pylist() == expected["step"].to_list()


def test_duckdb_queries_the_arrow_output_directly(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    import duckdb

    listing = recorded.body("/api/runs")
    db = duckdb.connect()
    db.register("runs", mock_client.experiments.all().to_arrow(["id", "status"]))
    by_status = db.sql(
        "select status, count(*) as n from runs group by status order by status"
    ).fetchall()
    expected: dict[str, int] = {}
    for item in listing:
        expected[item["status"]] = expected.get(item["status"], 0) + 1
    assert by_status == sorted(expected.items())

    names, rows = _rows(recorded)
    db.register("long", mock_client.metrics.many([recorded.run_id], [names[0]]).to_arrow())
    last = db.sql(
        "select run_id, max(step) from long where run_id = $run group by run_id",
        params={"run": recorded.run_id},
    ).fetchall()
    steps = [r["global_step"] for r in rows if r.get(names[0]) is not None]
    assert last == [(recorded.run_id, max(steps))]
