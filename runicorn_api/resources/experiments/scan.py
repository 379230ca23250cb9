"""``runs.scan_metrics()``: the long metrics table of a run collection as a polars
``LazyFrame``, read by a registered polars IO source in batches of runs.

What polars pushes into the source, and what the source does with it:

* the projection: only the columns asked for leave the source;
* the predicate: applied to every batch; where it can rule a run out from its
  ``run_id`` alone (every other column unknown, so a comparison on them is null, never
  false), that run is not read at all;
* ``head``/slices (``n_rows``): reading stops once that many rows came out.

Memory holds one batch of runs at a time, so ``collect(engine="streaming")`` and
``sink_parquet`` stay about flat whatever the number of runs. A scan is a plan: each
collect reads the runs again (the collection's listing is fetched once and kept).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..._common.deps import require
from ..._common.sizing import next_size
from ..._frames.metric_tables import metrics_frame
from ..._reading.table import narrow
from ..._storage.access import RunLocation
from ..._validation import check_int

if TYPE_CHECKING:
    import polars

    from ..metrics import MetricsResource

__all__ = ["BATCH_RUNS", "scan_metrics"]

BATCH_RUNS: int | None = None
"""Runs read together by default: ``None`` sizes each batch from the last one, to about
``_BATCH_CELLS`` logged values (1 to 64 runs; the first batch is 4 runs): 2 runs of
2,000 steps with 3 metrics, 20 runs of 200 steps. Memory follows the batch: a sink of
1,000 runs of 2,000 steps peaked 72, 89 and 125 MB above the listing with 1, 8 and 32
runs a batch, 81 MB sized so (see ``benchmarks/bench_scale.py``)."""
_FIRST_BATCH = 4
_BATCH_CELLS = 12_000
_MAX_BATCH = 64

_NULL_SENSITIVE = ("null", "nan", "fill", "when", "coalesce", "horizontal", "count", "len")
"""Functions that treat an unknown (null) column as something known: a predicate using
one is never used to rule a run out before reading it (it is still applied to rows)."""


def scan_metrics(
    locations: Callable[[], Sequence[RunLocation]],
    metrics: MetricsResource,
    metric_names: Sequence[str] | None,
    *,
    start: int | None,
    end: int | None,
    batch_runs: int | None = BATCH_RUNS,
) -> polars.LazyFrame:
    """A LazyFrame over the runs ``locations()`` gives, with the schema of
    ``runs.metrics(...).to_polars()``; see the module docs."""
    pl = require("polars")
    from polars.io.plugins import register_io_source

    if batch_runs is not None:
        check_int("batch_runs", batch_runs, minimum=1)
    names = None if metric_names is None else list(metric_names)
    schema = {
        "run_id": pl.String,
        "step": pl.Int64,
        "metric": pl.String,
        "value": pl.Float64,
        "timestamp": pl.Datetime("us", "UTC"),
    }

    def source(
        with_columns: list[str] | None,
        predicate: polars.Expr | None,
        n_rows: int | None,
        batch_size: int | None,
    ) -> Iterator[polars.DataFrame]:
        runs = _prune(list(locations()), predicate, schema)
        produced = first = 0
        size = batch_runs or _FIRST_BATCH
        while first < len(runs):
            if n_rows is not None and produced >= n_rows:
                return
            batch = runs[first : first + size]
            first += len(batch)
            read = metrics.many(batch, None, start=start, end=end).to_list()
            metrics.forget(batch)
            if batch_runs is None:  # about _BATCH_CELLS values in the next batch
                cells = sum(len(m.steps) * max(1, len(m.columns)) for m in read)
                size = next_size(_BATCH_CELLS, len(batch), cells, low=1, high=_MAX_BATCH)
            if names is not None:  # only the wanted metrics are framed (a run may lack one)
                read = [narrow(m, [n for n in names if n in m.columns], None, None, None)
                        for m in read]  # fmt: skip
            frame = metrics_frame(read).to_polars()
            if predicate is not None:
                frame = frame.filter(predicate)
            if with_columns is not None:
                frame = frame.select(with_columns)
            if n_rows is not None:
                frame = frame.head(n_rows - produced)
            produced += frame.height
            yield frame

    scanned: polars.LazyFrame = register_io_source(source, schema=schema)
    return scanned


def _prune(
    runs: list[RunLocation], predicate: polars.Expr | None, schema: dict[str, Any]
) -> list[RunLocation]:
    """The runs ``predicate`` may keep a row of, judged from ``run_id`` alone."""
    if predicate is None or not runs:
        return runs
    text = str(predicate).lower()
    if any(word in text for word in _NULL_SENSITIVE):
        return runs
    pl = require("polars")
    probe = pl.DataFrame(
        {
            name: [r.run_id for r in runs] if name == "run_id" else [None] * len(runs)
            for name in schema
        },
        schema=schema,
    )
    try:
        keep = probe.select(predicate.alias("keep"))["keep"]
    except pl.exceptions.PolarsError:  # a predicate this probe cannot evaluate
        return runs
    return [run for run, kept in zip(runs, keep.to_list(), strict=True) if kept is not False]
