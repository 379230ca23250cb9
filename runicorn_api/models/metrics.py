"""Metric series, kept as columns: point objects are made only when asked for."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import Field

from ._base import RunicornModel

__all__ = ["MetricPoint", "MetricSeries", "RunMetrics"]

# Columns of the viewer's metrics rows that are bookkeeping, not metrics.
INDEX_COLUMNS = ("global_step", "time", "stage")


class MetricPoint(RunicornModel):
    """One logged value of one metric."""

    step: int
    value: float | None
    timestamp: float | None = None


class MetricSeries(RunicornModel):
    """One metric of one run, as parallel columns.

    Only the steps at which the metric has a value are kept: a metric logged every 50
    steps has one point per 50 steps, not 49 nulls and a value.
    """

    name: str
    steps: list[int] = Field(default_factory=list)
    values: list[float] = Field(default_factory=list)
    timestamps: list[float | None] = Field(default_factory=list)

    _mapping_properties: ClassVar[tuple[str, ...]] = ("points",)

    @property
    def points(self) -> list[MetricPoint]:
        """The series as :class:`MetricPoint` objects (built on each access)."""
        return [
            MetricPoint.model_construct(step=s, value=v, timestamp=t)
            for s, v, t in zip(self.steps, self.values, self.timestamps, strict=True)
        ]

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


class RunMetrics(RunicornModel):
    """All metrics of one run, keyed by name.

    ``run_metrics["loss"]`` is a :class:`MetricSeries`; ``run_metrics["metrics"]["loss"]``
    is its list of points, as the seed's examples read it (``p["value"]``).
    """

    run_id: str
    series: dict[str, MetricSeries] = Field(default_factory=dict)
    total: int | None = None
    """Rows the viewer has for the run."""
    sampled: int | None = None
    """Rows it sent (fewer than ``total`` when downsampled)."""

    _mapping_properties: ClassVar[tuple[str, ...]] = ("metrics", "names")

    @property
    def names(self) -> list[str]:
        return list(self.series)

    @property
    def metrics(self) -> dict[str, list[MetricPoint]]:
        """``{name: [MetricPoint, ...]}``, the seed's ``metrics["metrics"]`` shape."""
        return {name: s.points for name, s in self.series.items()}

    def __getitem__(self, key: str) -> Any:
        if key in self.series:
            return self.series[key]
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        return key in self.series or super().__contains__(key)

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        # Iterate metric names like a mapping; pydantic's (field, value) pairs stay
        # available through model_dump().
        return iter(self.series)

    def __len__(self) -> int:
        return len(self.series)
