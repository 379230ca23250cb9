"""Metric series, kept as lean columns: point objects are made only while iterating.

The viewer sends a run's metrics as rows merged by step, one column per metric, with
``null`` where a metric has no value at that step. It sends NaN and ±Inf as ``null`` too,
so the two cannot be told apart from the payload. A :class:`MetricSeries` therefore keeps
only the steps where its metric has a value, and reports as ``null_steps`` the steps *on
the metric's own cadence* (the greatest common stride of its logged steps) where it is
null: a metric logged every 50 steps is 40 points, not 1,960 nulls and 40 values, while a
NaN logged at step 100 of a per-step metric is one null step.

Every column is a :class:`~runicorn_api._frames.columns.Column` (Arrow memory through polars,
else a stdlib ``array``), never a Python list of floats.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import ConfigDict, Field, PrivateAttr

from .._common.reductions import REDUCTIONS, Reduction, reduction_key
from .._exceptions import InvalidArgumentError
from .._frames.columns import Column
from .._types import JSON
from ._base import RunicornModel
from ._columns import ColumnField, cadence_nulls, empty_column
from ._keys import MetricSeriesKeys, MetricSummaryKeys, RunMetricsKeys
from .points import MetricPoint, points_of

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .._frames.metric_tables import MetricsFrame

__all__ = [
    "INDEX_COLUMNS",
    "REDUCTIONS",
    "MetricSeries",
    "MetricSummary",
    "MetricsSource",
    "Reduction",
    "RunMetrics",
    "reduction_key",
]

# Columns of the viewer's metrics rows that are bookkeeping, not metrics.
INDEX_COLUMNS = ("global_step", "time", "stage")

MetricsSource = Literal["viewer", "storage", "cache"]
"""Where a :class:`RunMetrics` came from: the viewer over HTTP, the run folder read
directly (``direct_reads``), or the on-disk parquet cache."""


class MetricSeries(MetricSeriesKeys, RunicornModel):
    """One metric of one run: a sequence of :class:`MetricPoint`, stored as columns.

    ``len(series)``, ``series[i]`` (a point), ``series[a:b]`` (a series) and ``for p in
    series`` work as on a list of points; ``steps``, ``values`` and ``timestamps`` are the
    columns themselves.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(arbitrary_types_allowed=True)

    name: str
    steps: ColumnField = Field(default_factory=empty_column("int"))
    values: ColumnField = Field(default_factory=empty_column("float"))
    timestamps: ColumnField = Field(default_factory=empty_column("float"))
    null_steps: list[int] = Field(default_factory=list)
    """Steps on the metric's cadence where the viewer sent null (a NaN or Inf was logged)."""
    run_id: str | None = None
    run_label: str | None = Field(default=None, exclude=True)
    """The run's alias or path, where it was read through its
    :class:`~runicorn_api.Experiment`: plots name the run by it (else by its id)."""

    _mapping_properties: ClassVar[tuple[str, ...]] = ("points", "null_count")

    @classmethod
    def from_column(
        cls,
        name: str,
        steps: Column,
        column: Column,
        timestamps: Column,
        *,
        run_id: str | None = None,
        run_label: str | None = None,
        find_nulls: bool = True,
    ) -> MetricSeries:
        """Build from one aligned column of the viewer's rows (null where absent)."""
        nulls = column.null_count()
        if not nulls:
            return cls.model_construct(
                name=name,
                steps=steps,
                values=column,
                timestamps=timestamps,
                null_steps=[],
                run_id=run_id,
                run_label=run_label,
            )
        kept = column.present()
        kept_steps = steps.take(kept)
        null_steps: list[int] = []
        if find_nulls and len(kept) > 1:
            null_steps = cadence_nulls(steps, column, kept_steps)
        return cls.model_construct(
            name=name,
            steps=kept_steps,
            values=column.take(kept),
            timestamps=timestamps.take(kept),
            null_steps=null_steps,
            run_id=run_id,
            run_label=run_label,
        )

    # -- the sequence of points ------------------------------------------------------------

    @property
    def points(self) -> list[MetricPoint]:
        """The series as a list of :class:`MetricPoint` (built on each access)."""
        return list(self)

    def __iter__(self) -> Iterator[MetricPoint]:  # type: ignore[override]
        # Points, not pydantic's (field, value) pairs: the original client reads a series as a list
        # of points (``for p in points: p["value"]``). model_dump() still gives the fields.
        return points_of(self.steps, self.values, self.timestamps)

    def __len__(self) -> int:
        return len(self.steps)

    def _item(self, key: Any) -> Any:
        if isinstance(key, slice):
            return self._take(key)
        if isinstance(key, int) and not isinstance(key, bool):
            return MetricPoint.of(self.steps[key], self.values[key], self.timestamps[key])
        return super()._item(key)  # a str, or a KeyError to raise

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key)

    @property
    def null_count(self) -> int:
        return len(self.null_steps)

    # -- frames: the long schema of RunMetrics.to_polars(), one metric -----------------

    def to_pandas(self) -> pandas.DataFrame:
        """``run_id, step, metric, value, timestamp``, one row per point."""
        return self._frame().to_pandas()

    def to_polars(self) -> polars.DataFrame:
        """The columns and types of :meth:`to_pandas`, in polars."""
        return self._frame().to_polars()

    def to_arrow(self) -> pyarrow.Table:
        """The columns of :meth:`to_polars` as a :class:`pyarrow.Table` (``arrow`` extra)."""
        return self._frame().to_arrow()

    def _frame(self) -> MetricsFrame:
        from .._frames.metric_tables import SeriesTable, metrics_frame

        return metrics_frame([SeriesTable(self.run_id, self.name, self)])

    # -- summaries -----------------------------------------------------------------------

    def last_value(self) -> float | None:
        """The value at the highest step, or ``None`` for an empty series."""
        return self.values[-1] if len(self) else None

    def min_value(self) -> float | None:
        return min(self.values.to_list()) if len(self) else None

    def max_value(self) -> float | None:
        return max(self.values.to_list()) if len(self) else None

    def mean(self) -> float | None:
        return math.fsum(self.values.to_list()) / len(self) if len(self) else None

    def best(self, mode: Literal["min", "max"] = "min") -> MetricPoint | None:
        """The point with the lowest (``"min"``) or highest (``"max"``) value; first wins."""
        if mode not in ("min", "max"):
            raise InvalidArgumentError(f"mode must be 'min' or 'max', got {mode!r}")
        if not len(self):
            return None
        values = self.values.to_list()
        pick = min if mode == "min" else max
        return self[pick(range(len(values)), key=values.__getitem__)]

    # -- narrowing -----------------------------------------------------------------------

    def _take(self, index: Sequence[int] | slice) -> MetricSeries:
        positions = range(len(self))[index] if isinstance(index, slice) else index
        steps = self.steps.take(positions)
        lo, hi = (steps[0], steps[-1]) if len(steps) else (0, -1)
        return MetricSeries.model_construct(
            name=self.name,
            steps=steps,
            values=self.values.take(positions),
            timestamps=self.timestamps.take(positions),
            null_steps=[s for s in self.null_steps if lo <= s <= hi],
            run_id=self.run_id,
        )

    def head(self, n: int) -> MetricSeries:
        """The first ``n`` points."""
        return self._take(slice(0, max(0, n)))

    def tail(self, n: int) -> MetricSeries:
        """The last ``n`` points."""
        return self._take(slice(max(0, len(self) - n), None))

    def between(self, start: int | None = None, end: int | None = None) -> MetricSeries:
        """The points with ``start <= step <= end`` (either bound may be ``None``)."""
        import bisect

        steps = self.steps.to_list()
        lo = bisect.bisect_left(steps, start) if start is not None else 0
        hi = bisect.bisect_right(steps, end) if end is not None else len(steps)
        return self._take(slice(lo, max(lo, hi)))

    def downsample(self, points: int) -> MetricSeries:
        """At most about ``points`` points that keep the shape, computed here.

        The series is cut into ``points // 4`` buckets of consecutive points; each bucket
        keeps its first, last, lowest and highest point (in step order), and the series'
        own first and last points are always kept. Unlike the viewer's ``downsample=``
        (LTTB over whole rows, chosen by the alphabetically first metric only), this runs
        per metric, so every metric keeps its own extremes.
        """
        if points < 4:
            raise InvalidArgumentError(f"points must be at least 4, got {points}")
        n = len(self)
        if n <= points:
            return self._take(slice(None))
        buckets = points // 4
        size = n / buckets
        keep: set[int] = {0, n - 1}
        values = self.values.to_list()
        for b in range(buckets):
            lo, hi = int(b * size), min(n, int((b + 1) * size))
            if lo >= hi:
                continue
            window = range(lo, hi)
            keep.update(
                (
                    lo,
                    hi - 1,
                    min(window, key=values.__getitem__),
                    max(window, key=values.__getitem__),
                )
            )
        return self._take(sorted(keep))

    def _repr_html_(self) -> str:
        """Notebooks: the series' figures and an SVG sparkline of its values."""
        from .._common.html import sparkline, table

        best = self.best("min")
        rows = [
            ("run", self.run_id),
            ("points", len(self)),
            ("last", self.last_value()),
            ("min", self.min_value()),
            ("max", self.max_value()),
            ("best (min) at step", best.step if best else None),
        ]
        return table(f"MetricSeries {self.name}", None, rows) + sparkline(self.values)

    def plot(
        self, ax: Axes | None = None, *, smooth: float | None = None, **line_kwargs: Any
    ) -> Axes:
        """Draw the series against its steps (matplotlib, the ``plot`` extra); returns
        the Axes. ``smooth`` in [0, 1) adds an EMA line like W&B's smoothing slider. The
        line is labelled with the run (:attr:`run_label`, else its id); on a new figure
        the title names the metric and the run."""
        from ..plots import plot_series

        return plot_series(self, ax, smooth=smooth, **line_kwargs)

    def __repr__(self) -> str:
        span = f"steps {self.steps[0]}..{self.steps[-1]}" if len(self) else "empty"
        return f"MetricSeries({self.name!r}, {len(self)} points, {span})"


class MetricSummary(MetricSummaryKeys, RunicornModel):
    """One metric of one run reduced to a few numbers, by the viewer's rules: the rows
    are merged per step (the last write at a step wins) and a null (a logged NaN or
    Inf) is no value. A metric with no value at all has no summary.

    Collections fill these in for the keys ``metrics.<name>.<reduction>`` (see
    :attr:`Experiment.metric_summaries`); ``min``, ``max`` and ``count`` are ``None``
    where only ``last`` and ``last_step`` were asked, which need no full read.
    """

    name: str
    last: float
    """The value at the highest step with a value."""
    last_step: int
    """That step."""
    min: float | None = None
    max: float | None = None
    count: int | None = None
    """The steps with a value."""

    @classmethod
    def of(cls, series: MetricSeries) -> MetricSummary | None:
        """The summary of a series, or ``None`` when it has no value."""
        if not len(series):
            return None
        return cls(
            name=series.name,
            last=series.values[-1],
            last_step=series.steps[-1],
            min=series.min_value(),
            max=series.max_value(),
            count=len(series),
        )


class RunMetrics(RunMetricsKeys, RunicornModel):
    """All metrics of one run, keyed by name.

    ``run_metrics["loss"]`` and ``run_metrics["metrics"]["loss"]`` are the same
    :class:`MetricSeries`, a sequence of points (``p["value"]``), as the original client's examples
    read it. ``steps``, ``timestamps`` and ``columns`` hold the viewer's rows as columns
    (null where a metric has no value at a step).
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(arbitrary_types_allowed=True)

    run_id: str
    run_label: str | None = Field(default=None, exclude=True)
    """The run's alias or path, where it was read through its
    :class:`~runicorn_api.Experiment`: plots title the run with it (else its id)."""
    steps: ColumnField = Field(default_factory=empty_column("int"))
    timestamps: ColumnField = Field(default_factory=empty_column("float"))
    columns: dict[str, ColumnField] = Field(default_factory=dict)
    text_columns: dict[str, list[JSON]] = Field(default_factory=dict)
    """Logged keys whose values are not numbers (e.g. ``stage``), kept as sent."""
    total: int | None = None
    """Rows the run has."""
    sampled: int | None = None
    """Rows returned (fewer than ``total`` when downsampled by the viewer's LTTB)."""
    last_step: int | None = None
    source: MetricsSource = "viewer"
    """Where the rows came from: ``"viewer"`` (HTTP), ``"storage"`` (the run folder, read
    directly) or ``"cache"`` (the on-disk parquet cache)."""

    _mapping_properties: ClassVar[tuple[str, ...]] = ("metrics", "names", "series")
    _mapping_overrides: ClassVar[dict[str, str]] = {"columns": "column_names", "rows": "rows"}
    """``m["columns"]`` and ``m["rows"]`` answer the viewer's JSON, as runicorn 0.7's own
    client reads it; the ``columns`` attribute stays the typed columns by name."""
    _series: dict[str, MetricSeries] | None = PrivateAttr(default=None)

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    @property
    def column_names(self) -> list[str]:
        """The viewer's ``columns``: ``global_step``, then every logged key sorted (with
        ``time``, where the rows have timestamps)."""
        keys = [*self.columns, *self.text_columns]
        if len(self.timestamps):
            keys.append("time")
        return ["global_step", *sorted(keys)]

    @property
    def rows(self) -> list[dict[str, JSON]]:
        """The viewer's ``rows``: one dict per step, ``None`` where a key has no value
        (built from the columns on each access)."""
        names = [*self.columns, *self.text_columns]
        values: list[list[JSON]] = [self.steps.to_list()]
        values += [self.columns[n].to_list() for n in self.columns]
        values += [list(self.text_columns[n]) for n in self.text_columns]
        if len(self.timestamps):
            names.append("time")
            values.append(self.timestamps.to_list())
        keys = ["global_step", *names]
        return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]

    @property
    def downsampled(self) -> bool:
        return self.sampled is not None and self.total is not None and self.sampled < self.total

    @property
    def series(self) -> dict[str, MetricSeries]:
        """``{name: MetricSeries}`` (each built on first access, without copying values
        for a metric logged at every step)."""
        if self._series is None:
            self._series = {
                name: MetricSeries.from_column(
                    name,
                    self.steps,
                    column,
                    self.timestamps,
                    run_id=self.run_id,
                    run_label=self.run_label,
                    find_nulls=not self.downsampled,
                )
                for name, column in self.columns.items()
            }
        return self._series

    @property
    def metrics(self) -> dict[str, MetricSeries]:
        """``{name: MetricSeries}``, the original client's ``metrics["metrics"]``; each series is a
        sequence of points (``for p in series: p["value"]``)."""
        return self.series

    def _item(self, key: Any) -> Any:
        if key in self.columns or key in self._mapping_keys():  # else a misspelled metric
            return self.series[key] if key in self.columns else super()._item(key)
        raise KeyError(f"Run {self.run_id} has no metric {key!r}; its metrics: {self.names}")

    def __contains__(self, key: object) -> bool:
        return key in self.columns or super().__contains__(key)

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        # Iterate metric names like a mapping; pydantic's (field, value) pairs stay
        # available through model_dump().
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def to_pandas(self, *, wide: bool = False) -> pandas.DataFrame:
        """A pandas DataFrame: long (run_id, step, metric, value, timestamp) or wide."""
        from .._frames.metric_tables import metrics_frame

        return metrics_frame([self], wide=wide).to_pandas()

    def to_polars(self, *, wide: bool = False) -> polars.DataFrame:
        """A polars DataFrame with the same columns and types as :meth:`to_pandas`."""
        from .._frames.metric_tables import metrics_frame

        return metrics_frame([self], wide=wide).to_polars()

    def to_arrow(self, *, wide: bool = False) -> pyarrow.Table:
        """A :class:`pyarrow.Table` with the columns and types of :meth:`to_polars` (the
        ``arrow`` extra)."""
        from .._frames.metric_tables import metrics_frame

        return metrics_frame([self], wide=wide).to_arrow()

    def _repr_html_(self) -> str:
        """Notebooks: one row per metric with its figures and an SVG sparkline."""
        from .._common.html import sparkline, table

        rows = [
            (
                name,
                len(series),
                series.last_value(),
                series.min_value(),
                series.max_value(),
                sparkline(series.values),
            )
            for name, series in self.series.items()
        ]
        title = f"RunMetrics {self.run_id}: {len(self.steps)} rows (source {self.source})"
        return table(title, ["metric", "points", "last", "min", "max", ""], rows, raw_last=True)

    def plot(
        self,
        metrics: Sequence[str] | None = None,
        *,
        smooth: float | None = None,
        title: str | None = None,
    ) -> Figure:
        """One Axes per metric (all, or those named), stacked; returns the Figure, titled
        ``title``, else the run's alias or path (:attr:`run_label`), else its id."""
        from ..plots import plot_metrics

        return plot_metrics(self, metrics, smooth=smooth, title=title)

    def __repr__(self) -> str:
        return (
            f"RunMetrics({self.run_id!r}, {len(self.steps)} rows, "
            f"metrics={self.names}, source={self.source!r})"
        )
