"""Notebook reprs: compact HTML tables and inline SVG sparklines of the data written."""

from __future__ import annotations

import re

import runicorn_api as api
from runicorn_api._common.html import sparkline
from runicorn_api.testing.copies import expected_rows
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv


def _polyline(svg: str) -> list[tuple[float, float]]:
    match = re.search(r'points="([^"]+)"', svg)
    assert match, svg
    return [(float(x), float(y)) for x, y in (p.split(",") for p in match[1].split())]


def test_sparkline_draws_the_values() -> None:
    values = [3.0, 1.0, None, 2.0, float("nan"), 5.0]
    points = _polyline(sparkline(values))
    assert len(points) == 4  # nulls and NaN are skipped
    xs, ys = zip(*points, strict=True)
    assert list(xs) == sorted(xs)
    finite = [v for v in values if v is not None and v == v]
    # SVG y grows downwards: the largest value is highest (smallest y).
    assert ys.index(min(ys)) == finite.index(max(finite))
    assert ys.index(max(ys)) == finite.index(min(finite))
    assert sparkline([None, float("inf")]) == ""


def test_a_long_sparkline_keeps_every_extreme() -> None:
    values = [float(i % 97) for i in range(100_000)]
    values[54_321] = 1000.0
    values[77_777] = -50.0
    points = _polyline(sparkline(values))
    assert len(points) <= 4 * 120
    ys = [y for _, y in points]
    assert min(ys) == 2.0  # the top of the box: the spike at 1000 is drawn
    assert max(ys) == 22.0  # the bottom: the dip to -50 is drawn


def test_model_reprs_show_the_data_without_requests(viewer: ViewerEnv) -> None:
    run = viewer.manifest["vit-s0"]
    metrics = viewer.client.get_metrics(run.run_id)
    exp = viewer.client.get_run(run.run_id)
    with counting(viewer.client) as sent:
        series_html = metrics["loss"]._repr_html_()
        run_html = metrics._repr_html_()
        exp_html = exp._repr_html_()
    assert sent == []
    rows = expected_rows(run)
    assert f"<td style='text-align:left'>{len(rows)}</td>" in series_html
    assert len(_polyline(series_html)) <= 480 < len(rows)  # reduced to pixel columns
    short = viewer.manifest["zoo-a"]
    loss = viewer.client.get_metrics(short.run_id)["loss"]
    drawn = _polyline(loss._repr_html_())
    assert len(drawn) == len(expected_rows(short))  # one point per step
    for name in ("loss", "accuracy", "lr", "val_loss"):
        assert f"<td style='text-align:left'>{name}</td>" in run_html
    assert run_html.count("<svg") == len(metrics.names)
    assert f"<td style='text-align:left'>{run.path}</td>" in exp_html
    assert (
        "<td style='text-align:left'>&lt;script&gt;</td>"
        in api.Experiment(
            id="20250101_000000_abcdef", path="<script>", status="finished"
        )._repr_html_()
    )
