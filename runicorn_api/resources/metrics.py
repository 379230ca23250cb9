"""Metrics of runs: ``GET /api/runs/{id}/metrics``, decoded straight into columns."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter
from typing import Any
from urllib.parse import quote

import pydantic_core
from pydantic import TypeAdapter, ValidationError

from .._collection import Collection
from .._exceptions import MissingDependencyError, ResponseValidationError
from .._metric_frames import metrics_frame
from .._types import NOT_GIVEN, Timeout
from ..cache import CacheStamp, MetricsCache, stamp_matches
from ..models.metrics import INDEX_COLUMNS, RunMetrics
from ._base import Resource

__all__ = ["MetricsCollection", "MetricsResource", "decode_body", "decode_metrics"]

_NUMBERS = TypeAdapter(list[float | None])
_STEPS = TypeAdapter(list[int])


def check_metric_args(
    metric_names: Sequence[str] | None,
    limit: int | None,
    downsample: int | None,
    start: int | None,
    end: int | None,
) -> None:
    """Refuse bad arguments before any request."""
    if isinstance(metric_names, str):
        raise TypeError("metric_names must be a list of names, not a single string")
    if metric_names is not None and not all(isinstance(n, str) and n for n in metric_names):
        raise ValueError(f"metric_names must be non-empty strings, got {metric_names!r}")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError(f"limit must be a non-negative int, got {limit!r}")
    if downsample is not None and (
        not isinstance(downsample, int) or not 100 <= downsample <= 50000
    ):
        raise ValueError(f"downsample must be an int between 100 and 50000, got {downsample!r}")
    if start is not None and end is not None and start > end:
        raise ValueError(f"start ({start}) is after end ({end})")


class MetricsResource(Resource):
    """``/api/runs/{id}/metrics``: rows merged by step, one column per metric."""

    def get(
        self,
        run_id: str,
        metric_names: Sequence[str] | None = None,
        limit: int | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> RunMetrics:
        """The run's metrics as one :class:`MetricSeries` per name.

        :calls: ``GET /api/runs/{run_id}/metrics[?downsample=N]``

        Args:
            run_id: The run.
            metric_names: Keep only these metrics (the viewer always sends all of them;
                they are dropped here). A name the run lacks raises ``KeyError``.
            limit: Keep the first ``limit`` rows (applied here; the viewer has no limit).
            downsample: Ask the viewer for about this many rows (100..50000). It picks
                whole rows by LTTB on the alphabetically first metric only; see
                :meth:`MetricSeries.downsample` for a per-metric reduction done here.
            start, end: Keep the rows with ``start <= step <= end`` (applied here).
        """
        from .experiments import check_run_id

        check_run_id(run_id)
        check_metric_args(metric_names, limit, downsample, start, end)
        cache = self._client.metrics_cache
        if cache is not None and downsample is None:
            return narrow(self._cached(run_id, cache, timeout), metric_names, limit, start, end)
        response = self._fetch(run_id, downsample, timeout)
        return narrow(self._decode(run_id, response), metric_names, limit, start, end)

    def _decode(self, run_id: str, response: Any) -> RunMetrics:
        self._client._transport.ensure_json(response)
        return decode_body(run_id, response.content, response.headers.get("X-Last-Step"))

    def _fetch(self, run_id: str, downsample: int | None, timeout: Timeout) -> Any:
        return self._client._transport.request(
            "GET", f"/api/runs/{quote(run_id)}/metrics", params={"downsample": downsample},
            timeout=timeout, expect="response",
        )  # fmt: skip

    def _cached(self, run_id: str, cache: MetricsCache, timeout: Timeout) -> RunMetrics:
        """The whole run from the cache if still valid, else fetched (and stored if done).

        :calls: nothing on a hit with local storage; ``GET .../metrics?downsample=100``
        (headers only) on a hit without; ``GET /api/runs/{id}`` and ``GET .../metrics``
        on a miss
        """
        hit = cache.load(run_id)
        if hit is not None:
            metrics, stamp = hit
            local = CacheStamp.events_file(stamp.run_dir)
            headers = None if local else self._fetch(run_id, 100, timeout).headers
            if stamp_matches(stamp, headers, local):
                return metrics
        detail = self._request("GET", f"/api/runs/{quote(run_id)}", timeout=timeout)
        response = self._fetch(run_id, None, timeout)
        headers = response.headers
        metrics = self._decode(run_id, response)
        running = not isinstance(detail, dict) or detail.get("status") == "running"
        if not running:
            run_dir = detail.get("run_dir") if isinstance(detail, dict) else None
            local = CacheStamp.events_file(run_dir)
            total = headers.get("X-Total-Count")
            stamp = CacheStamp(
                total=int(total) if total is not None else metrics.total,
                last_step=metrics.last_step,
                events_size=local[0] if local else None,
                events_mtime_ns=local[1] if local else None,
                run_dir=run_dir,
            )
            cache.store(metrics, stamp)
        return metrics

    def many(
        self,
        run_ids: Sequence[str] | Callable[[], list[str]],
        metric_names: Sequence[str] | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
        progress: bool = False,
    ) -> MetricsCollection:
        """Metrics of several runs, fetched concurrently, in the order of ``run_ids``.

        :calls: ``GET /api/runs/{id}/metrics`` per run, on a pool of ``max_workers``
        threads (on first use of the result)
        """
        check_metric_args(metric_names, None, downsample, start, end)
        ids = run_ids if callable(run_ids) else list(run_ids)

        def fetch(run_id: str) -> RunMetrics:
            return self.get(run_id, metric_names, downsample=downsample, start=start, end=end)

        return MetricsCollection(ids, fetch, workers=self._client.max_workers, progress=progress)


class MetricsCollection(Collection[RunMetrics]):
    """The metrics of several runs; fetched together, on first use, in run order."""

    _noun = "run"

    def __init__(
        self,
        run_ids: list[str] | Callable[[], list[str]],
        fetch: Callable[[str], RunMetrics],
        *,
        workers: int,
        progress: bool,
    ) -> None:
        super().__init__()
        # A callable defers listing the runs (e.g. a lazy experiment collection) to first use.
        self._ids = run_ids
        self._fetch = fetch
        self._workers = workers
        self._progress = progress
        if progress:
            _progress_bar(0).close()  # fail now, not mid-way, if tqdm is missing

    def _produce(self) -> Iterator[RunMetrics]:
        ids = self._ids() if callable(self._ids) else self._ids
        if not ids:
            return
        bar = _progress_bar(len(ids)) if self._progress else None
        try:
            with ThreadPoolExecutor(max_workers=min(self._workers, len(ids))) as pool:
                # map() keeps the order of the runs whatever order the answers come in.
                for result in pool.map(self._fetch, ids):
                    if bar is not None:
                        bar.update(1)
                    yield result
        finally:
            if bar is not None:
                bar.close()

    def _clone(self) -> MetricsCollection:
        return MetricsCollection(self._ids, self._fetch, workers=self._workers,
                                 progress=self._progress)  # fmt: skip

    def _describe(self) -> str:
        count = "?" if callable(self._ids) else str(len(self._ids))
        return f"of {count} runs{self._window_text()}"

    def to_pandas(self, columns: Sequence[str] | None = None, *, wide: bool = False) -> Any:
        """Long (run_id, step, metric, value, timestamp) or wide; the same schema as polars."""
        frame = metrics_frame(self.to_list(), wide=wide).to_pandas()
        return frame if columns is None else frame[list(columns)]

    def to_polars(self, columns: Sequence[str] | None = None, *, wide: bool = False) -> Any:
        """Long (run_id, step, metric, value, timestamp) or wide."""
        frame = metrics_frame(self.to_list(), wide=wide).to_polars()
        return frame if columns is None else frame.select(list(columns))


def _progress_bar(total: int) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError as err:
        raise MissingDependencyError(
            "progress=True needs tqdm: pip install 'runicorn-api[progress]'"
        ) from err
    return tqdm(total=total, unit="run", desc="metrics")


def decode_metrics(run_id: str, data: Any, *, last_step: Any = None) -> RunMetrics:
    """The viewer's parsed ``{columns, rows, total, sampled}`` body → validated columns.

    Rows are transposed once into columns and each column is validated as a whole by
    pydantic-core (numbers or null); no object is built per row. Everything is decoded;
    :func:`narrow` picks metrics and rows.
    """
    context = f"GET /api/runs/{run_id}/metrics"
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise ResponseValidationError(f"{context}: expected an object with 'rows'", body=None)
    declared = data.get("columns")
    if not isinstance(declared, list) or "global_step" not in declared:
        raise ResponseValidationError(f"{context}: 'columns' lacks 'global_step'", body=declared)
    names = [c for c in declared if c not in INDEX_COLUMNS]
    rows: list[Any] = data["rows"]
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
    columns: dict[str, list[float | None]] = {}
    text: dict[str, list[Any]] = {}
    for name, column in zip(names, table[2:], strict=True):
        try:
            columns[name] = _NUMBERS.validate_python(column)
        except ValidationError:
            text[name] = list(column)
    if "stage" in declared:
        text["stage"] = [r.get("stage") if isinstance(r, dict) else None for r in rows]
    return RunMetrics.model_construct(
        run_id=run_id,
        steps=steps,
        timestamps=stamps,
        columns=columns,
        text_columns=text,
        total=data.get("total"),
        sampled=data.get("sampled"),
        last_step=int(last_step) if last_step is not None else (steps[-1] if steps else None),
    )


def decode_body(run_id: str, body: bytes, last_step: Any = None) -> RunMetrics:
    """A metrics body → :class:`RunMetrics`: polars' parser when it can, else Python's."""
    fast = decode_with_polars(run_id, body, last_step)
    if fast is not None:
        return fast
    try:
        data = pydantic_core.from_json(body)
    except ValueError as err:
        raise ResponseValidationError(
            f"GET /api/runs/{run_id}/metrics sent a body that is not valid JSON: {err}"
        ) from err
    return decode_metrics(run_id, data, last_step=last_step)


def decode_with_polars(run_id: str, body: bytes, last_step: Any = None) -> RunMetrics | None:
    """The fast path: polars parses the whole body against a schema built from its
    ``columns``, in Rust, and validates every value's type while doing so.

    Returns ``None`` (the caller takes the pure-Python path) when polars is not
    installed or the body does not fit the schema, e.g. a metric logged as text.
    """
    try:
        import polars as pl
    except ImportError:
        return None
    try:
        head = body[: 1 << 20].decode("utf-8", errors="ignore")
        start = head.index('"columns":') + len('"columns":')
        declared, _ = json.JSONDecoder().raw_decode(head, start)
        if not isinstance(declared, list) or "global_step" not in declared or "stage" in declared:
            return None
        fields = {c: pl.Int64 if c == "global_step" else pl.Float64 for c in declared}
        schema: dict[str, Any] = {"columns": pl.List(pl.String), "rows": pl.List(pl.Struct(fields)),
                  "total": pl.Int64, "sampled": pl.Int64}  # fmt: skip
        frame = pl.read_json(io.BytesIO(body), schema=schema)
    except (ValueError, pl.exceptions.PolarsError):
        return None
    if frame.height != 1:
        return None
    rows = frame["rows"].explode().struct.unnest() if frame["rows"][0] is not None else None
    if rows is None or rows.height == 0 or rows["global_step"].null_count():
        return None
    names = [c for c in declared if c not in INDEX_COLUMNS]
    steps = rows["global_step"].to_list()
    metrics = RunMetrics.model_construct(
        run_id=run_id,
        steps=steps,
        timestamps=rows["time"].to_list() if "time" in rows.columns else [None] * len(steps),
        columns={n: rows[n].to_list() for n in names},
        text_columns={},
        total=frame["total"][0],
        sampled=frame["sampled"][0],
        last_step=int(last_step) if last_step is not None else steps[-1],
    )
    if "time" in rows.columns:
        metrics._polars_rows = rows.select("global_step", "time", *names)
    return metrics


def narrow(
    metrics: RunMetrics,
    metric_names: Sequence[str] | None,
    limit: int | None,
    start: int | None,
    end: int | None,
) -> RunMetrics:
    """A whole run's metrics cut down to some metrics and a window of rows."""
    columns = metrics.columns
    if metric_names is not None:
        _check_names(metrics.run_id, list(columns), metric_names)
        columns = {n: columns[n] for n in dict.fromkeys(metric_names)}
    keep = _row_window(metrics.steps, limit=limit, start=start, end=end)
    if keep is None and columns is metrics.columns:
        return metrics
    window = keep or slice(None)
    return RunMetrics.model_construct(
        run_id=metrics.run_id,
        steps=metrics.steps[window],
        timestamps=metrics.timestamps[window],
        columns={n: c[window] for n, c in columns.items()},
        text_columns={n: c[window] for n, c in metrics.text_columns.items()},
        total=metrics.total,
        sampled=metrics.sampled,
        last_step=metrics.last_step,
    )


def _check_names(run_id: str, available: list[str], wanted: Sequence[str]) -> None:
    missing = [m for m in wanted if m not in available]
    if missing:
        raise KeyError(
            f"Run {run_id} has no metric {', '.join(map(repr, missing))}; "
            f"it has {', '.join(available) or 'none'}"
        )


def _row_window(
    steps: list[int], *, limit: int | None, start: int | None, end: int | None
) -> slice | None:
    """The rows to keep, as a slice of the step-sorted rows (``None``: all of them)."""
    if limit is None and start is None and end is None:
        return None
    import bisect

    lo = bisect.bisect_left(steps, start) if start is not None else 0
    hi = bisect.bisect_right(steps, end) if end is not None else len(steps)
    if limit is not None:
        hi = min(hi, lo + limit)
    return slice(lo, hi)
