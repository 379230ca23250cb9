"""Plots of metrics with matplotlib (the ``plot`` extra), imported only when drawing.

Each function returns the Axes or Figure it drew on and never calls ``show()``: a
notebook shows the figure itself, a script saves it (``fig.savefig(...)``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._exceptions import InvalidArgumentError, InvalidArgumentTypeError, MissingDependencyError

if TYPE_CHECKING:
    from ._client import RunicornClient
    from .models.metrics import MetricSeries, RunMetrics

__all__ = ["ema", "plot_metrics", "plot_runs", "plot_series"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise MissingDependencyError(
            "Plotting needs matplotlib: pip install 'runicorn-api[plot]'"
        ) from err
    return plt


def _check_smooth(smooth: float | None) -> None:
    if smooth is None:
        return
    if isinstance(smooth, bool) or not isinstance(smooth, int | float):
        raise InvalidArgumentTypeError(f"smooth must be a number in [0, 1), got {smooth!r}")
    if not 0 <= smooth < 1:
        raise InvalidArgumentError(f"smooth must be in [0, 1), got {smooth!r}")


def ema(values: Sequence[float | None], smooth: float) -> list[float]:
    """The debiased exponential moving average W&B and TensorBoard draw for a smoothing
    weight ``smooth`` in [0, 1) (0: the values themselves). Nulls and NaN stay gaps
    (NaN) and do not move the average."""
    _check_smooth(smooth)
    out: list[float] = []
    last, weight = 0.0, 0.0
    for value in values:
        if value is None or not math.isfinite(value):
            out.append(math.nan)
            continue
        last = last * smooth + (1 - smooth) * value
        weight = weight * smooth + (1 - smooth)
        out.append(last / weight)
    return out


def plot_series(
    series: MetricSeries,
    ax: Any = None,
    *,
    smooth: float | None = None,
    label: str | None = None,
    **line_kwargs: Any,
) -> Any:
    """Draw one metric against its steps; returns the Axes.

    With ``smooth`` the raw values are drawn faintly and the :func:`ema` over them on
    top (the last line of ``ax.lines``). Nulls are gaps.
    """
    _check_smooth(smooth)
    if ax is None:
        _, ax = _pyplot().subplots()
    else:
        _pyplot()
    steps = list(series.steps)
    values = [math.nan if v is None else v for v in series.values]
    name = label or (f"{series.run_id}" if series.run_id else series.name)
    if smooth:
        (raw,) = ax.plot(steps, values, alpha=0.25, **line_kwargs)
        ax.plot(steps, ema(values, smooth), label=name, color=raw.get_color())
    else:
        ax.plot(steps, values, label=name, **line_kwargs)
    ax.set_xlabel("step")
    ax.set_ylabel(series.name)
    return ax


def plot_metrics(
    metrics: RunMetrics, names: Sequence[str] | None = None, *, smooth: float | None = None
) -> Any:
    """One Axes per metric of a run, stacked; returns the Figure."""
    if isinstance(names, str):
        raise InvalidArgumentTypeError(f"metrics must be a list of names, got {names!r}")
    chosen = list(metrics.names if names is None else names)
    missing = [n for n in chosen if n not in metrics.names]
    if missing:
        raise InvalidArgumentError(
            f"run {metrics.run_id} has no metric {', '.join(map(repr, missing))} "
            f"(it has {', '.join(metrics.names)})"
        )
    if not chosen:
        raise InvalidArgumentError(f"run {metrics.run_id} has no metrics to plot")
    fig, axes = _pyplot().subplots(
        len(chosen), 1, sharex=True, squeeze=False, figsize=(6.4, 2.2 * len(chosen) + 0.6)
    )
    for name, ax in zip(chosen, axes[:, 0], strict=True):
        plot_series(metrics[name], ax, smooth=smooth, label=name)
        ax.set_title(name, fontsize="medium")
        ax.set_xlabel("")
    axes[-1, 0].set_xlabel("step")
    fig.suptitle(metrics.run_id)
    fig.tight_layout()
    return fig


def plot_runs(
    client: RunicornClient,
    run_ids: Sequence[str],
    metric: str,
    *,
    group_by: str | None = None,
    smooth: float | None = None,
    ax: Any = None,
) -> Any:
    """One metric of several runs on one Axes; returns it.

    Without ``group_by`` each run is a line labelled with its id. With ``group_by`` (a
    field such as ``"config.lr"`` or ``"summary.optimizer"``) each group of runs is its
    mean line, labelled with the group's value, and a band of ± one standard deviation,
    from :func:`runicorn_api.utils.aggregate_runs`.

    :calls: ``GET /api/runs/{id}/metrics`` per run, concurrently (the run folders where
        they are read directly), and with ``group_by`` the runs and their details
    """
    ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
    if not ids:
        raise InvalidArgumentError("plot_runs needs at least one run id")
    _check_smooth(smooth)
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots()
    if group_by is None:
        runs = client.metrics.many(ids, [metric]).to_list()
        for run in runs:
            if metric not in run.names:
                raise InvalidArgumentError(f"run {run.run_id} has no metric {metric!r}")
            plot_series(run[metric], ax, smooth=smooth, label=run.run_id)
    else:
        from .utils import aggregate_runs

        experiments = [client.experiments.get(i) for i in ids]
        table = aggregate_runs(experiments, metric, by=group_by, library="polars")
        for (group,), rows in table.sort("step").group_by(["group"], maintain_order=True):
            steps = rows["step"].to_list()
            mean = [math.nan if v is None else v for v in rows["mean"].to_list()]
            std = [0.0 if v is None else v for v in rows["std"].to_list()]
            line = ema(mean, smooth) if smooth else mean
            (drawn,) = ax.plot(steps, line, label=f"{group_by}={group}")
            ax.fill_between(steps, [m - s for m, s in zip(line, std, strict=True)],
                            [m + s for m, s in zip(line, std, strict=True)],
                            alpha=0.2, color=drawn.get_color())  # fmt: skip
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    ax.legend(fontsize="small")
    return ax
