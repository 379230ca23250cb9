"""Columns → :class:`RunMetrics`, from a polars frame or from row dicts; and narrowing.

Both sources end here, so a run reads the same whichever way it came: the viewer's
columns (``global_step`` first, then the logged keys sorted), ``time`` as timestamps,
every numeric key as a float column (null where absent, NaN or ±Inf), and every key
that holds text as a text column.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .._exceptions import InvalidArgumentError, InvalidArgumentTypeError, ResponseValidationError
from .._frames.columns import Column
from ..models.metrics import INDEX_COLUMNS, MetricsSource, RunMetrics

__all__ = ["check_metric_args", "from_frame", "from_rows", "narrow"]

_NUMBERS = TypeAdapter(list[float | None])
_STEPS = TypeAdapter(list[int])


def from_frame(
    run_id: str,
    frame: Any,
    *,
    total: int | None,
    sampled: int | None,
    last_step: int | None,
    source: MetricsSource,
) -> RunMetrics:
    """A polars frame of ``global_step``, maybe ``time``, and float metric columns without
    NaN (parsed JSON has none), in the viewer's column order → :class:`RunMetrics`,
    without copying."""
    # One pass over the frame's columns (each ``frame[name]`` is a lookup of its own,
    # which counts when thousands of small runs are read).
    series = {s.name: s for s in frame.get_columns()}
    steps = Column.from_polars(series.pop("global_step"), "int")
    n = frame.height
    if "time" in series:
        stamps = Column.from_polars(series.pop("time"), "float", nan_free=True)
    else:
        import polars as pl

        nothing = pl.repeat(None, n, dtype=pl.Float64, eager=True)
        stamps = Column.from_polars(nothing, "float", nan_free=True)
    return RunMetrics.model_construct(
        run_id=run_id,
        steps=steps,
        timestamps=stamps,
        columns={
            name: Column.from_polars(s, "float", nan_free=True)
            for name, s in series.items()
            if name not in INDEX_COLUMNS
        },
        text_columns={},
        total=n if total is None else total,
        sampled=n if sampled is None else sampled,
        last_step=last_step if last_step is not None else (steps[-1] if n else None),
        source=source,
    )


def from_rows(
    run_id: str,
    declared: list[Any],
    rows: list[Any],
    *,
    total: int | None,
    sampled: int | None,
    last_step: int | None,
    source: MetricsSource,
    context: str,
) -> RunMetrics:
    """The viewer's ``columns`` and ``rows`` (dicts) → :class:`RunMetrics`.

    Rows are transposed once into columns and each column is validated as a whole by
    pydantic-core (numbers or null); a column that is not numbers becomes a text column.
    """
    if not declared and not rows:
        return RunMetrics.model_construct(
            run_id=run_id, total=total or 0, sampled=sampled or 0, last_step=None, source=source
        )
    if "global_step" not in declared:
        raise ResponseValidationError(f"{context}: 'columns' lacks 'global_step'", body=declared)
    names = [c for c in declared if c not in INDEX_COLUMNS]
    wanted = ["global_step", "time", *names]
    try:
        table = (
            list(zip(*map(itemgetter(*wanted), rows), strict=True)) if rows else [()] * len(wanted)
        )
    except (KeyError, TypeError):
        # Rows that lack a key (or are not objects): the slower, forgiving path.
        table = [tuple(r.get(k) if isinstance(r, dict) else None for r in rows) for k in wanted]
    try:
        steps = _STEPS.validate_python(table[0])
        stamps = _NUMBERS.validate_python(table[1])
    except ValidationError as err:
        raise ResponseValidationError(f"{context}: bad global_step or time: {err}") from err
    columns: dict[str, Column] = {}
    text: dict[str, list[Any]] = {}
    for name, column in zip(names, table[2:], strict=True):
        try:
            columns[name] = Column.of(_NUMBERS.validate_python(column), "float")
        except ValidationError:
            text[name] = list(column)
    if "stage" in declared:
        text["stage"] = [r.get("stage") if isinstance(r, dict) else None for r in rows]
    return RunMetrics.model_construct(
        run_id=run_id,
        steps=Column.of(steps, "int"),
        timestamps=Column.of(stamps, "float"),
        columns=columns,
        text_columns=text,
        total=len(rows) if total is None else total,
        sampled=len(rows) if sampled is None else sampled,
        last_step=last_step if last_step is not None else (steps[-1] if steps else None),
        source=source,
    )


def check_metric_args(
    metric_names: Sequence[str] | None,
    limit: int | None,
    downsample: int | None,
    start: int | None,
    end: int | None,
) -> None:
    """Refuse bad arguments before any request."""
    if isinstance(metric_names, str):
        raise InvalidArgumentTypeError("metric_names must be a list of names, not a single string")
    if metric_names is not None and not all(isinstance(n, str) and n for n in metric_names):
        raise InvalidArgumentError(f"metric_names must be non-empty strings, got {metric_names!r}")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise InvalidArgumentError(f"limit must be a non-negative int, got {limit!r}")
    if downsample is not None and (
        not isinstance(downsample, int) or not 100 <= downsample <= 50000
    ):
        raise InvalidArgumentError(
            f"downsample must be an int between 100 and 50000, got {downsample!r}"
        )
    for label, bound in (("start", start), ("end", end)):
        if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
            raise InvalidArgumentTypeError(f"{label} must be an int step, got {bound!r}")
    if start is not None and end is not None and start > end:
        raise InvalidArgumentError(f"start ({start}) is after end ({end})")


def narrow(
    metrics: RunMetrics,
    metric_names: Sequence[str] | None,
    limit: int | None,
    start: int | None,
    end: int | None,
) -> RunMetrics:
    """A whole run's metrics cut down to some metrics and a window of rows (no copy)."""
    columns = metrics.columns
    if metric_names is not None:
        _check_names(metrics.run_id, list(columns), metric_names)
        columns = {n: columns[n] for n in dict.fromkeys(metric_names)}
    keep = _row_window(metrics.steps, limit=limit, start=start, end=end)
    if keep is None and columns is metrics.columns:
        return metrics
    if keep is None:  # every row: the columns as they are (a slice costs a query each)
        steps, stamps, texts = metrics.steps, metrics.timestamps, metrics.text_columns
    else:
        steps, stamps = metrics.steps.take(keep), metrics.timestamps.take(keep)
        columns = {n: c.take(keep) for n, c in columns.items()}
        texts = {n: c[keep.start : keep.stop] for n, c in metrics.text_columns.items()}
    return RunMetrics.model_construct(
        run_id=metrics.run_id,
        steps=steps,
        timestamps=stamps,
        columns=columns,
        text_columns=texts,
        total=metrics.total,
        sampled=metrics.sampled,
        last_step=metrics.last_step,
        source=metrics.source,
    )


def _check_names(run_id: str, available: list[str], wanted: Sequence[str]) -> None:
    missing = [m for m in wanted if m not in available]
    if missing:
        raise KeyError(
            f"Run {run_id} has no metric {', '.join(map(repr, missing))}; "
            f"it has {', '.join(available) or 'none'}"
        )


def _row_window(
    steps: Column, *, limit: int | None, start: int | None, end: int | None
) -> range | None:
    """The rows to keep, as a range of the step-sorted rows (``None``: all of them)."""
    if limit is None and start is None and end is None:
        return None
    n = len(steps)
    if start is None and end is None:
        return range(0, min(n, limit or 0) if limit is not None else n)
    values = steps.to_list()
    lo = bisect.bisect_left(values, start) if start is not None else 0
    hi = bisect.bisect_right(values, end) if end is not None else n
    if limit is not None:
        hi = min(hi, lo + limit)
    return range(lo, max(lo, hi))
