"""Plots draw the data the writer logged: the tests read the lines' x/y arrays, not pixels.

The smoothed line is compared with pandas' ``ewm(alpha=1 - smooth, adjust=True)``, which
is the same debiased EMA computed another way.
"""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Iterator
from typing import Any

import matplotlib
import pandas as pd
import pytest

import runicorn_api as api
from runicorn_api import utils
from runicorn_api.testing.copies import RunRecord, expected_rows
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _written(run: RunRecord, metric: str) -> tuple[list[int], list[float]]:
    rows = [r for r in expected_rows(run) if r[metric] is not None]
    return [int(r["global_step"] or 0) for r in rows], [float(r[metric] or 0) for r in rows]


def _same(drawn: Any, expected: list[float]) -> bool:
    pairs = zip(drawn, expected, strict=True) if len(drawn) == len(expected) else None
    return pairs is not None and all(math.isclose(a, b, rel_tol=1e-9) for a, b in pairs)


def test_a_series_draws_its_steps_and_values(viewer: ViewerEnv) -> None:
    run = viewer.manifest["resnet-s0"]
    steps, values = _written(run, "loss")
    ax = viewer.client.get_metrics(run.run_id)["loss"].plot()
    (line,) = ax.lines
    assert list(line.get_xdata()) == steps
    assert _same(line.get_ydata(), values)
    assert ax.get_ylabel() == "loss"


def test_smoothing_is_the_debiased_ema(viewer: ViewerEnv) -> None:
    run = viewer.manifest["resnet-s1"]
    _, values = _written(run, "loss")
    _, ax = plt.subplots()
    returned = viewer.client.get_metrics(run.run_id)["loss"].plot(ax, smooth=0.9)
    assert returned is ax
    raw, smoothed = ax.lines
    assert _same(raw.get_ydata(), values)
    reference = pd.Series(values).ewm(alpha=0.1, adjust=True).mean().tolist()
    assert _same(smoothed.get_ydata(), reference)
    assert smoothed.get_label() == run.run_id


def test_run_metrics_draw_one_axes_per_metric(viewer: ViewerEnv) -> None:
    run = viewer.manifest["vit-s0"]
    metrics = viewer.client.get_metrics(run.run_id)
    fig = metrics.plot(["loss", "val_loss"])
    assert [ax.get_title() for ax in fig.axes] == ["loss", "val_loss"]
    for ax, name in zip(fig.axes, ["loss", "val_loss"], strict=True):
        steps, values = _written(run, name)
        assert list(ax.lines[0].get_xdata()) == steps
        assert _same(ax.lines[0].get_ydata(), values)
    assert len(metrics.plot().axes) == len(metrics.names)
    with pytest.raises(api.InvalidArgumentError, match="nope"):
        metrics.plot(["loss", "nope"])


def test_plots_name_the_run_by_its_alias_or_path(viewer: ViewerEnv) -> None:
    run = viewer.manifest["vit-s0"]
    name = run.alias or run.path  # as the writer logged it
    exp = viewer.client.experiments.get(run.run_id)
    fig = exp.metrics().plot(["loss", "val_loss"])
    assert fig.get_suptitle() == name
    assert exp.metrics().plot(title="mine").get_suptitle() == "mine"
    ax = exp.metrics()["loss"].plot()
    assert ax.get_title() == f"loss · {name}"
    assert ax.lines[0].get_label() == name
    # Read by id alone, the run has no other name without another request: its id.
    by_id = viewer.client.get_metrics(run.run_id)
    assert by_id.plot(["loss"]).get_suptitle() == run.run_id
    assert by_id.run_label is None
    assert "run_label" not in by_id.to_dict()


def test_plot_runs_draws_each_run(viewer: ViewerEnv) -> None:
    runs = [viewer.manifest[k] for k in ("resnet-s0", "resnet-s1", "resnet-s2")]
    ax = utils.plot_runs(viewer.client, [r.run_id for r in runs], "val_loss")
    names = [r.alias or r.path for r in runs]  # what the writer gave each run
    expected = [
        n if names.count(n) == 1 else f"{n} ({r.run_id})" for n, r in zip(names, runs, strict=True)
    ]
    assert [line.get_label() for line in ax.lines] == expected
    for line, run in zip(ax.lines, runs, strict=True):
        steps, values = _written(run, "val_loss")
        assert list(line.get_xdata()) == steps
        assert _same(line.get_ydata(), values)


def test_plot_runs_group_by_draws_mean_and_std_bands(viewer: ViewerEnv) -> None:
    runs = [viewer.manifest[k] for k in ("resnet-s0", "resnet-s1", "resnet-s2", "vit-s0")]
    ax = utils.plot_runs(
        viewer.client, [r.run_id for r in runs], "val_loss", group_by="summary.optimizer"
    )
    groups: dict[str, list[RunRecord]] = {}
    for run in runs:
        groups.setdefault(run.summary["optimizer"], []).append(run)
    assert sorted(line.get_label() for line in ax.lines) == sorted(
        f"summary.optimizer={g}" for g in groups
    )
    assert len(ax.collections) == len(groups)  # one band per group
    for line, band in zip(ax.lines, ax.collections, strict=True):
        members = groups[line.get_label().split("=", 1)[1]]
        per_run = [dict(zip(*_written(r, "val_loss"), strict=True)) for r in members]
        steps = sorted(set().union(*per_run))
        assert list(line.get_xdata()) == steps
        means = [statistics.fmean(p[s] for p in per_run if s in p) for s in steps]
        assert _same(line.get_ydata(), means)
        if len(members) > 1:  # the band spans mean ± the sample standard deviation
            stdevs = [statistics.stdev([p[s] for p in per_run]) for s in steps]
            top = band.get_paths()[0].vertices[:, 1].max()
            assert math.isclose(top, max(m + d for m, d in zip(means, stdevs, strict=True)))


def test_bad_plot_arguments_fail_before_a_request(viewer: ViewerEnv) -> None:
    run_id = viewer.manifest["resnet-s0"].run_id
    with counting(viewer.client) as sent:
        with pytest.raises(api.InvalidArgumentError, match="smooth"):
            utils.plot_runs(viewer.client, [run_id], "loss", smooth=1.5)
        with pytest.raises(api.InvalidArgumentTypeError, match="smooth"):
            utils.plot_runs(viewer.client, [run_id], "loss", smooth="lots")  # type: ignore[arg-type]
        with pytest.raises(api.InvalidArgumentError, match="at least one"):
            utils.plot_runs(viewer.client, [], "loss")
    assert sent == []


def test_without_matplotlib_the_error_names_the_extra(
    viewer: ViewerEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = viewer.client.get_metrics(viewer.manifest["resnet-s0"].run_id)["loss"]
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(api.MissingDependencyError, match=r"runicorn-api\[plot\]"):
        series.plot()
