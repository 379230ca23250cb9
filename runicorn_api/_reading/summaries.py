"""Per-run metric reductions (:class:`~runicorn_api.MetricSummary`) from the cheapest
source that gives the viewer's answer, and a memo of them per unchanged run.

* ``last`` and ``last_step`` alone: the end of ``events.jsonl`` read directly (see
  :mod:`.events.tail`), or over HTTP the viewer's smallest downsampled answer
  (``?downsample=100``), whose last row is the run's last step (``X-Last-Step``) and
  whose ``total`` says whether it holds every row. A metric with no value in that last
  row of a longer run needs the whole table.
* ``min``, ``max`` and ``count``: the whole table, from whichever source reads it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable

from ..models.metrics import MetricSummary, RunMetrics

__all__ = ["SummaryMemo", "from_last_values", "from_sample", "summarize"]

Summaries = dict[str, MetricSummary]


def summarize(metrics: RunMetrics, names: Iterable[str]) -> Summaries:
    """Every reduction of the wanted numeric metrics of a whole table."""
    found: Summaries = {}
    for name in names:
        if name in metrics.columns:
            summary = MetricSummary.of(metrics[name])
            if summary is not None:
                found[name] = summary
    return found


def from_last_values(last: dict[str, tuple[int, float]]) -> Summaries:
    """``last`` and ``last_step`` from a tail read (see :mod:`.events.tail`), whose
    values are already an int step and a float (so they are not validated again)."""
    return {
        name: MetricSummary.model_construct(name=name, last=value, last_step=step)
        for name, (step, value) in last.items()
    }


def from_sample(sample: RunMetrics, names: Iterable[str]) -> Summaries | None:
    """The reductions a downsampled answer proves: all of them when it holds every row,
    else ``last`` and ``last_step`` where the run's last row has the metric's value;
    ``None`` when a wanted metric needs the whole table."""
    rows = len(sample.steps)
    if sample.total is not None and rows >= sample.total:
        return summarize(sample, names)
    if not rows or sample.last_step is None or sample.steps[-1] != sample.last_step:
        return None
    found: Summaries = {}
    for name in names:
        column = sample.columns.get(name)
        if name in sample.text_columns:
            return None
        if column is None:
            continue  # the run never logged it: the viewer's columns are every key
        value = column[rows - 1]
        if value is None:
            return None
        found[name] = MetricSummary(name=name, last=value, last_step=sample.last_step)
    return found


_MEMO_RUNS = 50_000
"""Runs a client keeps reductions of (a few hundred bytes each): a long-lived client
that queries ever more runs holds a bounded memo, the least recently used dropped."""


class SummaryMemo:
    """Reductions per run, kept while the run's stamp (the size and mtime of its
    ``events.jsonl``, or the viewer's row count and last step) is unchanged, for the
    ``capacity`` runs used last."""

    def __init__(self, capacity: int = _MEMO_RUNS) -> None:
        self._lock = threading.Lock()
        self._capacity = capacity
        self._entries: OrderedDict[str, tuple[Hashable, frozenset[str], bool, Summaries]] = (
            OrderedDict()
        )

    def __len__(self) -> int:
        return len(self._entries)

    def get(
        self, run_id: str, stamp: Hashable, names: frozenset[str], full: bool
    ) -> Summaries | None:
        """What was found for ``names`` (every reduction if ``full``), if still valid."""
        with self._lock:
            entry = self._entries.get(run_id)
            if entry is not None:
                self._entries.move_to_end(run_id)
        if entry is None:
            return None
        kept_stamp, kept_names, kept_full, summaries = entry
        if kept_stamp != stamp or not names <= kept_names or (full and not kept_full):
            return None
        return {n: s for n, s in summaries.items() if n in names}

    def put(
        self, run_id: str, stamp: Hashable, names: frozenset[str], full: bool, found: Summaries
    ) -> None:
        with self._lock:
            self._entries[run_id] = (stamp, names, full, found)
            self._entries.move_to_end(run_id)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
