"""Metric series, kept as columns: point objects are made only when asked for.

The viewer sends a run's metrics as rows merged by step, one column per metric, with
``null`` where a metric has no value at that step. It sends NaN and ±Inf as ``null`` too,
so the two cannot be told apart from the payload. A :class:`MetricSeries` therefore keeps
only the steps where its metric has a value, and reports as ``null_steps`` the steps *on
the metric's own cadence* (the greatest common stride of its logged steps) where it is
null: a metric logged every 50 steps is 40 points, not 1,960 nulls and 40 values, while a
NaN logged at step 100 of a per-step metric is one null step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from functools import reduce
from itertools import pairwise
from typing import Any, ClassVar, Literal

from pydantic import Field, PrivateAttr

from ._base import RunicornModel

__all__ = ["INDEX_COLUMNS", "MetricPoint", "MetricSeries", "RunMetrics"]

# Columns of the viewer's metrics rows that are bookkeeping, not metrics.
INDEX_COLUMNS = ("global_step", "time", "stage")


class MetricPoint(RunicornModel):
    """One logged value of one metric."""

    step: int
    value: float | None
    timestamp: float | None = None
    """Unix seconds when the value was logged."""


class MetricSeries(RunicornModel):
    """One metric of one run, as parallel columns (``steps``, ``values``, ``timestamps``)."""

    name: str
    steps: list[int] = Field(default_factory=list)
    values: list[float] = Field(default_factory=list)
    timestamps: list[float | None] = Field(default_factory=list)
    null_steps: list[int] = Field(default_factory=list)
    """Steps on the metric's cadence where the viewer sent null (a NaN or Inf was logged)."""
    run_id: str | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("points", "null_count")

    @classmethod
    def from_column(
        cls,
        name: str,
        steps: Sequence[int],
        column: Sequence[float | None],
        timestamps: Sequence[float | None],
        *,
        run_id: str | None = None,
        find_nulls: bool = True,
    ) -> MetricSeries:
        """Build from one aligned column of the viewer's rows (``None`` where absent)."""
        if None not in column:
            return cls.model_construct(
                name=name, steps=list(steps), values=list(column),
                timestamps=list(timestamps), null_steps=[], run_id=run_id,
            )  # fmt: skip
        kept = [i for i, v in enumerate(column) if v is not None]
        kept_steps = [steps[i] for i in kept]
        nulls: list[int] = []
        if find_nulls and len(kept_steps) > 1:
            first, last = kept_steps[0], kept_steps[-1]
            stride = reduce(math.gcd, (b - a for a, b in pairwise(kept_steps))) or 1
            nulls = [
                s
                for s, v in zip(steps, column, strict=True)
                if v is None and first <= s <= last and (s - first) % stride == 0
            ]
        return cls.model_construct(
            name=name,
            steps=kept_steps,
            values=[column[i] for i in kept],
            timestamps=[timestamps[i] for i in kept],
            null_steps=nulls,
            run_id=run_id,
        )

    @property
    def points(self) -> list[MetricPoint]:
        """The series as :class:`MetricPoint` objects (built on each access)."""
        return [
            MetricPoint.model_construct(step=s, value=v, timestamp=t)
            for s, v, t in zip(self.steps, self.values, self.timestamps, strict=True)
        ]

    @property
    def null_count(self) -> int:
        return len(self.null_steps)

    def __len__(self) -> int:
        return len(self.steps)

    def last_value(self) -> float | None:
        """The value at the highest step, or ``None`` for an empty series."""
        return self.values[-1] if self.values else None

    def min_value(self) -> float | None:
        return min(self.values) if self.values else None

    def max_value(self) -> float | None:
        return max(self.values) if self.values else None

    def mean(self) -> float | None:
        return math.fsum(self.values) / len(self.values) if self.values else None

    def best(self, mode: Literal["min", "max"] = "min") -> MetricPoint | None:
        """The point with the lowest (``"min"``) or highest (``"max"``) value; first wins."""
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if not self.values:
            return None
        pick = min if mode == "min" else max
        i = pick(range(len(self.values)), key=self.values.__getitem__)
        return MetricPoint.model_construct(
            step=self.steps[i], value=self.values[i], timestamp=self.timestamps[i]
        )

    def _take(self, index: Sequence[int] | slice) -> MetricSeries:
        if isinstance(index, slice):
            steps, values, stamps = self.steps[index], self.values[index], self.timestamps[index]
        else:
            steps = [self.steps[i] for i in index]
            values = [self.values[i] for i in index]
            stamps = [self.timestamps[i] for i in index]
        lo, hi = (steps[0], steps[-1]) if steps else (0, -1)
        return MetricSeries.model_construct(
            name=self.name, steps=steps, values=values, timestamps=stamps,
            null_steps=[s for s in self.null_steps if lo <= s <= hi], run_id=self.run_id,
        )  # fmt: skip

    def head(self, n: int) -> MetricSeries:
        """The first ``n`` points."""
        return self._take(slice(0, max(0, n)))

    def tail(self, n: int) -> MetricSeries:
        """The last ``n`` points."""
        return self._take(slice(max(0, len(self) - n), None))

    def between(self, start: int | None = None, end: int | None = None) -> MetricSeries:
        """The points with ``start <= step <= end`` (either bound may be ``None``)."""
        return self._take(
            [
                i
                for i, s in enumerate(self.steps)
                if (start is None or s >= start) and (end is None or s <= end)
            ]
        )

    def downsample(self, points: int) -> MetricSeries:
        """At most about ``points`` points that keep the shape, computed here.

        The series is cut into ``points // 4`` buckets of consecutive points; each bucket
        keeps its first, last, lowest and highest point (in step order), and the series'
        own first and last points are always kept. Unlike the viewer's ``downsample=``
        (LTTB over whole rows, chosen by the alphabetically first metric only), this runs
        per metric, so every metric keeps its own extremes.
        """
        if points < 4:
            raise ValueError(f"points must be at least 4, got {points}")
        n = len(self)
        if n <= points:
            return self._take(slice(None))
        buckets = points // 4
        size = n / buckets
        keep: set[int] = {0, n - 1}
        values = self.values
        for b in range(buckets):
            lo, hi = int(b * size), min(n, int((b + 1) * size))
            if lo >= hi:
                continue
            window = range(lo, hi)
            keep.update((lo, hi - 1, min(window, key=values.__getitem__),
                         max(window, key=values.__getitem__)))  # fmt: skip
        return self._take(sorted(keep))

    def __repr__(self) -> str:
        span = f"steps {self.steps[0]}..{self.steps[-1]}" if self.steps else "empty"
        return f"MetricSeries({self.name!r}, {len(self)} points, {span})"


class RunMetrics(RunicornModel):
    """All metrics of one run, keyed by name.

    ``run_metrics["loss"]`` is a :class:`MetricSeries`; ``run_metrics["metrics"]["loss"]``
    is its list of points, as the seed's examples read it (``p["value"]``). ``steps``,
    ``timestamps`` and ``columns`` hold the viewer's rows as columns (``None`` where a
    metric has no value at a step).
    """

    run_id: str
    steps: list[int] = Field(default_factory=list)
    timestamps: list[float | None] = Field(default_factory=list)
    columns: dict[str, list[float | None]] = Field(default_factory=dict)
    text_columns: dict[str, list[Any]] = Field(default_factory=dict)
    """Logged keys whose values are not numbers (e.g. ``stage``), kept as sent."""
    total: int | None = None
    """Rows the viewer has for the run."""
    sampled: int | None = None
    """Rows it sent (fewer than ``total`` when downsampled by the viewer)."""
    last_step: int | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("metrics", "names", "series")
    _series: dict[str, MetricSeries] | None = PrivateAttr(default=None)
    # The rows as a polars DataFrame when polars decoded them (global_step, time and the
    # metric columns, exactly ``steps``/``timestamps``/``columns``): to_polars() starts
    # from it instead of converting the lists back.
    _polars_rows: Any = PrivateAttr(default=None)

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    @property
    def downsampled(self) -> bool:
        return self.sampled is not None and self.total is not None and self.sampled < self.total

    @property
    def series(self) -> dict[str, MetricSeries]:
        """``{name: MetricSeries}`` (built on first access)."""
        if self._series is None:
            self._series = {
                name: MetricSeries.from_column(
                    name,
                    self.steps,
                    column,
                    self.timestamps,
                    run_id=self.run_id,
                    find_nulls=not self.downsampled,
                )
                for name, column in self.columns.items()
            }
        return self._series

    @property
    def metrics(self) -> dict[str, list[MetricPoint]]:
        """``{name: [MetricPoint, ...]}``, the seed's ``metrics["metrics"]`` shape."""
        return {name: s.points for name, s in self.series.items()}

    def __getitem__(self, key: str) -> Any:
        if key in self.columns:
            return self.series[key]
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        return key in self.columns or super().__contains__(key)

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        # Iterate metric names like a mapping; pydantic's (field, value) pairs stay
        # available through model_dump().
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def to_pandas(self, *, wide: bool = False) -> Any:
        """A pandas DataFrame: long (run_id, step, metric, value, timestamp) or wide."""
        from .._metric_frames import metrics_frame

        return metrics_frame([self], wide=wide).to_pandas()

    def to_polars(self, *, wide: bool = False) -> Any:
        """A polars DataFrame with the same columns and types as :meth:`to_pandas`."""
        from .._metric_frames import metrics_frame

        return metrics_frame([self], wide=wide).to_polars()

    def __repr__(self) -> str:
        return (f"RunMetrics({self.run_id!r}, {len(self.steps)} rows, "
                f"metrics={self.names})")  # fmt: skip
