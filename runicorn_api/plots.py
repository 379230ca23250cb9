"""Plots of metrics with matplotlib (the ``plot`` extra), imported only when drawing.

Each function returns the Axes or Figure it drew on and never calls ``show()``: a
notebook shows the figure itself, a script saves it (``fig.savefig(...)``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ._common.deps import require
from ._exceptions import InvalidArgumentError, InvalidArgumentTypeError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "Series",
    "SeriesSet",
    "axes_for",
    "check_smooth",
    "ema",
    "plot_band",
    "plot_metrics",
    "plot_series",
]


class Series(Protocol):
    """What a drawing reads of one metric (a :class:`~runicorn_api.MetricSeries`)."""

    @property
    def name(self) -> str: ...
    @property
    def run_id(self) -> str | None: ...
    @property
    def run_label(self) -> str | None: ...
    @property
    def steps(self) -> Sequence[int]: ...
    @property
    def values(self) -> Sequence[float | None]: ...


class SeriesSet(Protocol):
    """What a drawing reads of one run's metrics (a :class:`~runicorn_api.RunMetrics`)."""

    @property
    def run_id(self) -> str: ...
    @property
    def run_label(self) -> str | None: ...
    @property
    def names(self) -> list[str]: ...
    def __getitem__(self, name: str, /) -> Any: ...


def _pyplot() -> Any:
    return require("matplotlib.pyplot")


def check_smooth(smooth: float | None) -> None:
    """Refuse a smoothing weight outside ``[0, 1)``."""
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
    check_smooth(smooth)
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
    series: Series,
    ax: Axes | None = None,
    *,
    smooth: float | None = None,
    label: str | None = None,
    **line_kwargs: Any,
) -> Axes:
    """Draw one metric against its steps; returns the Axes.

    With ``smooth`` the raw values are drawn faintly and the :func:`ema` over them on
    top (the last line of ``ax.lines``). Nulls are gaps.
    """
    check_smooth(smooth)
    run = series.run_label or series.run_id
    if ax is None and run:
        ax = axes_for(None)
        ax.set_title(f"{series.name} · {run}")
    ax = axes_for(ax)
    steps = list(series.steps)
    values = [math.nan if v is None else v for v in series.values]
    name = label or run or series.name
    if smooth:
        (raw,) = ax.plot(steps, values, alpha=0.25, **line_kwargs)
        ax.plot(steps, ema(values, smooth), label=name, color=raw.get_color())
    else:
        ax.plot(steps, values, label=name, **line_kwargs)
    ax.set_xlabel("step")
    ax.set_ylabel(series.name)
    return ax


def plot_metrics(
    metrics: SeriesSet,
    names: Sequence[str] | None = None,
    *,
    smooth: float | None = None,
    title: str | None = None,
) -> Figure:
    """One Axes per metric of a run, stacked, titled ``title`` or the run's alias or
    path (else its id); returns the Figure."""
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
    fig: Figure
    fig, axes = _pyplot().subplots(
        len(chosen), 1, sharex=True, squeeze=False, figsize=(6.4, 2.2 * len(chosen) + 0.6)
    )
    for name, ax in zip(chosen, axes[:, 0], strict=True):
        plot_series(metrics[name], ax, smooth=smooth, label=name)
        ax.set_title(name, fontsize="medium")
        ax.set_xlabel("")
    axes[-1, 0].set_xlabel("step")
    fig.suptitle(title or metrics.run_label or metrics.run_id)
    fig.tight_layout()
    return fig


def plot_band(
    steps: Sequence[int],
    mean: Sequence[float | None],
    std: Sequence[float | None],
    ax: Axes,
    *,
    smooth: float | None = None,
    label: str | None = None,
) -> Axes:
    """A mean line (nulls are gaps; EMA-smoothed with ``smooth``) and a band of ± one
    standard deviation around it (a null std draws no width), on ``ax``; returns ``ax``."""
    check_smooth(smooth)
    middle = [math.nan if v is None else v for v in mean]
    width = [0.0 if v is None else v for v in std]
    line = ema(middle, smooth) if smooth else middle
    (drawn,) = ax.plot(steps, line, label=label)
    ax.fill_between(
        steps,
        [m - s for m, s in zip(line, width, strict=True)],
        [m + s for m, s in zip(line, width, strict=True)],
        alpha=0.2,
        color=drawn.get_color(),
    )
    return ax


def axes_for(ax: Axes | None = None) -> Axes:
    """``ax``, or the Axes of a new figure."""
    if ax is not None:
        return ax
    new: Axes
    _, new = _pyplot().subplots()
    return new
