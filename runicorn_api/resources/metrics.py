"""Metrics of runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from .._exceptions import ResponseValidationError
from .._types import NOT_GIVEN, Timeout
from ..models.metrics import INDEX_COLUMNS, MetricSeries, RunMetrics
from ._base import Resource
from .experiments import check_run_id


class MetricsResource(Resource):
    """``/api/runs/{id}/metrics``: rows merged by step, one column per metric."""

    def get(
        self,
        run_id: str,
        metric_names: Sequence[str] | None = None,
        limit: int | None = None,
        *,
        downsample: int | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> RunMetrics:
        """The run's metrics as one :class:`MetricSeries` per name.

        :calls: ``GET /api/runs/{run_id}/metrics[?downsample=N]``

        Args:
            run_id: The run.
            metric_names: Keep only these metrics (filtered here; the viewer always sends
                all). A name the run does not have raises ``KeyError``.
            limit: Keep the first ``limit`` points of each series (applied here).
            downsample: Ask the viewer for about this many rows (100..50000), picked by
                its LTTB on the alphabetically first metric.
        """
        check_run_id(run_id)
        if isinstance(metric_names, str):
            raise TypeError("metric_names must be a list of names, not a single string")
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise ValueError(f"limit must be a non-negative int, got {limit!r}")
        if downsample is not None and not 100 <= downsample <= 50000:
            raise ValueError(f"downsample must be between 100 and 50000, got {downsample}")
        path = f"/api/runs/{quote(run_id)}/metrics"
        data = self._request("GET", path, params={"downsample": downsample}, timeout=timeout)
        return decode_metrics(run_id, data, metric_names=metric_names, limit=limit)


def decode_metrics(
    run_id: str,
    data: Any,
    *,
    metric_names: Sequence[str] | None = None,
    limit: int | None = None,
) -> RunMetrics:
    """Turn the viewer's ``{columns, rows}`` body into columns per metric."""
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise ResponseValidationError(
            f"GET /api/runs/{run_id}/metrics: expected an object with 'columns' and 'rows'",
            body=data if not isinstance(data, dict) else {k: data[k] for k in list(data)[:5]},
        )
    columns = [c for c in data.get("columns") or [] if c not in INDEX_COLUMNS]
    if metric_names is not None:
        missing = [m for m in metric_names if m not in columns]
        if missing:
            raise KeyError(
                f"Run {run_id} has no metric {', '.join(map(repr, missing))}; "
                f"it has {', '.join(columns) or 'none'}"
            )
        columns = list(dict.fromkeys(metric_names))
    rows: list[dict[str, Any]] = data["rows"]
    series: dict[str, MetricSeries] = {}
    for name in columns:
        steps: list[int] = []
        values: list[float] = []
        stamps: list[float | None] = []
        for row in rows:
            value = row.get(name)
            if value is None:
                continue
            steps.append(int(row["global_step"]))
            values.append(float(value))
            stamps.append(row.get("time"))
            if limit is not None and len(steps) >= limit:
                break
        series[name] = MetricSeries.model_construct(
            name=name, steps=steps, values=values, timestamps=stamps
        )
    return RunMetrics.model_construct(
        run_id=run_id, series=series, total=data.get("total"), sampled=data.get("sampled")
    )
