"""The viewer's rules for ``events.jsonl``, ported line for line: the reference that
the fast path must match (see :mod:`.fast`) and the reader of any file it cannot prove."""

from __future__ import annotations

import math
from typing import Any

from ..._common.jsontext import parse_json
from ...models.metrics import RunMetrics
from ..table import from_rows

__all__ = ["SKIPPED_KEYS", "ViewerRows", "metrics_event", "no_metrics"]

SKIPPED_KEYS = ("global_step", "step", "epoch")
"""Keys of a metrics event that are not metrics."""


class ViewerRows:
    """The viewer's line parser and per-step merge, line for line."""

    def __init__(self) -> None:
        self.columns: set[str] = set()
        self.step_rows: dict[int, dict[str, Any]] = {}

    def settle(self) -> None:
        """Nothing to do: lines are merged as they are fed."""

    def feed(self, chunk: bytes) -> None:
        for line in chunk.decode("utf-8", errors="ignore").split("\n"):
            line = line.strip()
            if line:
                self._line(line)

    def _line(self, line: str) -> None:
        event = metrics_event(line)
        if event is None:
            return
        step, data = event
        row = self.step_rows.setdefault(step, {"global_step": step})
        row.update(data)
        self.columns.update(data)

    def result(self, run_id: str) -> RunMetrics:
        if not self.step_rows:
            return no_metrics(run_id)
        declared = ["global_step", *sorted(self.columns)]
        rows = []
        for step in sorted(self.step_rows):
            row = dict(self.step_rows[step])
            for column in declared:
                row.setdefault(column, None)
            rows.append(row)
        return from_rows(
            run_id,
            declared,
            rows,
            total=None,
            sampled=None,
            last_step=None,
            source="storage",
            context=f"events.jsonl of {run_id}",
        )


def metrics_event(line: str) -> tuple[int, dict[str, float | int | str | None]] | None:
    """One stripped line → its step and the values it logs, as the viewer keeps them
    (NaN and ±Inf as ``None``); ``None`` for a line that is not a metrics event."""
    try:
        event = parse_json(line)
    except ValueError:  # deep nesting too: unparsable, as a bad line
        return None
    if not isinstance(event, dict) or event.get("type") != "metrics":
        return None
    data = event.get("data")
    if not isinstance(data, dict):
        return None
    value = data.get("global_step")
    if value is None:
        value = data.get("step")
    if value is None:
        return None
    try:
        step = int(value)
    except (ValueError, TypeError, OverflowError):
        return None
    kept: dict[str, float | int | str | None] = {}
    for key, item in data.items():
        if key in SKIPPED_KEYS:
            continue
        if isinstance(item, int | float):
            if isinstance(item, float) and (math.isnan(item) or math.isinf(item)):
                item = None
            kept[key] = item
        elif isinstance(item, str) or item is None:
            kept[key] = item
    return step, kept


def no_metrics(run_id: str) -> RunMetrics:
    """The metrics of an ``events.jsonl`` with no metrics row."""
    return from_rows(run_id, [], [], total=0, sampled=0, last_step=None, source="storage",
                     context="events.jsonl")  # fmt: skip
