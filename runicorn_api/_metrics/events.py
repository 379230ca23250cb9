"""A run's ``events.jsonl`` → its metrics, by the viewer's own rules, read incrementally.

Both viewer generations build ``/api/runs/{id}/metrics`` from this file, and so does this
module, giving the same answer:

* only ``{"type": "metrics", "data": {...}}`` lines count; a line that is not JSON is
  skipped;
* the step is ``data.global_step``, else ``data.step`` (a line with neither is skipped);
  the keys ``global_step``, ``step`` and ``epoch`` are not metrics;
* rows are merged per step by dict update: a later value for the same key overwrites;
* numbers are kept (NaN and ±Inf become null), strings and nulls are kept, anything else
  (lists, objects) is ignored;
* columns are ``global_step`` then the keys sorted; rows are sorted by step.

Two implementations of those rules. The fast one hands the bytes to polars a few
megabytes at a time; it is used only when the chunk proves it cannot differ from the
rules (every key captured, numbers only, no overwrite that a null could hide), and
otherwise the file is read with a line-by-line port of the viewer's parser.

Reading is incremental, as the viewer's own cache is: the byte offset and the merged
rows are kept per file, so reading a growing run again parses only the new bytes. Only
whole lines are consumed; a last line without its newline is taken only if it is complete
JSON, so a row being written is never read torn.
"""

from __future__ import annotations

import io
import json
import math
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from .._columns import have_polars
from ..models.metrics import RunMetrics
from .table import from_frame, from_rows

__all__ = ["EventsFile", "EventsFiles"]

_PIECE = 4 << 20  # bytes read and parsed at a time
_SKIPPED_KEYS = ("global_step", "step", "epoch")


class _NeedPython(Exception):
    """The fast path cannot prove it gives the viewer's answer for this file."""


class _ViewerRows:
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
        try:
            event = json.loads(line)
        except ValueError:
            return
        if not isinstance(event, dict) or event.get("type") != "metrics":
            return
        data = event.get("data")
        if not isinstance(data, dict):
            return
        value = data.get("global_step")
        if value is None:
            value = data.get("step")
        if value is None:
            return
        try:
            step = int(value)
        except (ValueError, TypeError, OverflowError):
            return
        row = self.step_rows.setdefault(step, {"global_step": step})
        for key, item in data.items():
            if key in _SKIPPED_KEYS:
                continue
            if isinstance(item, int | float):
                if isinstance(item, float) and (math.isnan(item) or math.isinf(item)):
                    item = None
                row[key] = item
                self.columns.add(key)
            elif isinstance(item, str) or item is None:
                row[key] = item
                self.columns.add(key)

    def result(self, run_id: str) -> RunMetrics:
        if not self.step_rows:
            return from_rows(run_id, [], [], total=0, sampled=0, last_step=None,
                             source="storage", context="events.jsonl")  # fmt: skip
        declared = ["global_step", *sorted(self.columns)]
        rows = []
        for step in sorted(self.step_rows):
            row = dict(self.step_rows[step])
            for column in declared:
                row.setdefault(column, None)
            rows.append(row)
        return from_rows(run_id, declared, rows, total=None, sampled=None, last_step=None,
                         source="storage", context=f"events.jsonl of {run_id}")  # fmt: skip


class _FastRows:
    """The same rules on polars frames; raises :class:`_NeedPython` where it cannot be sure."""

    def __init__(self) -> None:
        self.frame: Any = None
        self.nulls_seen = False
        self._parts: list[Any] = []

    def feed(self, chunk: bytes) -> None:
        part, nulls = _parse_chunk(chunk)
        self.nulls_seen = self.nulls_seen or nulls
        if part is not None and part.height:
            self._parts.append(part)

    def settle(self) -> None:
        """Merge what was fed since the last call into the rows."""
        if not self._parts:
            return
        import polars as pl

        parts = [self.frame, *self._parts] if self.frame is not None else self._parts
        self._parts = []
        self.frame = self._merge(pl.concat(parts, how="diagonal_relaxed", rechunk=False))

    def _merge(self, frame: Any) -> Any:
        import polars as pl

        steps = frame["global_step"]
        if steps.len() < 2 or bool((steps.diff().drop_nulls() > 0).all()):
            return frame
        if self.nulls_seen:
            # A logged null (or NaN) overwrites an earlier value at the same step, and a
            # frame cannot tell it from a key that was not logged.
            raise _NeedPython
        return (frame.group_by("global_step", maintain_order=True)
                .agg(pl.all().drop_nulls().last()).sort("global_step"))  # fmt: skip

    def result(self, run_id: str) -> RunMetrics:
        if self.frame is None:
            return from_rows(run_id, [], [], total=0, sampled=0, last_step=None,
                             source="storage", context="events.jsonl")  # fmt: skip
        import polars as pl

        names = sorted(c for c in self.frame.columns if c != "global_step")
        frame = self.frame.select(
            pl.col("global_step").cast(pl.Int64),
            *(pl.col(n).cast(pl.Float64).fill_nan(None) for n in names),
        )
        return from_frame(run_id, frame, total=None, sampled=None, last_step=None,
                          source="storage")  # fmt: skip


_NUMERIC_KINDS = ("Int", "UInt", "Float")


def _is_numeric(dtype: Any) -> bool:
    return str(dtype).startswith(_NUMERIC_KINDS)


def _parse_chunk(chunk: bytes) -> tuple[Any, bool]:
    """Whole lines → a frame of their metrics rows (``global_step`` plus float columns),
    and whether any value was null (or NaN/Inf) in them."""
    import polars as pl

    if b"NaN" in chunk or b"Infinity" in chunk:
        # Python's json writes NaN and ±Inf as bare words that polars refuses; the viewer
        # serves them as null. A string that happened to contain ": NaN" would be changed
        # too, so a chunk with text values is left to the exact parser below.
        chunk = (chunk.replace(b": NaN", b": null").replace(b": -Infinity", b": null")
                 .replace(b": Infinity", b": null"))  # fmt: skip
    nulls = chunk.count(b'": null')
    keys = chunk.count(b'": ')
    frame = None
    for infer in (100, None):
        try:
            frame = pl.read_ndjson(io.BytesIO(chunk), infer_schema_length=infer)
        except (ValueError, pl.exceptions.PolarsError):
            continue
        # polars infers the schema from the first rows and silently drops a key it did
        # not see there. Every key it kept is one non-null cell or one written null, so
        # a count that adds up proves nothing was dropped (and no nested object hid one).
        # Nulls could hide a dropped key that was only ever null: then infer from all rows.
        if keys == _cells(frame) + nulls and not (nulls and infer is not None):
            break
        frame = None
    if frame is None:
        raise _NeedPython
    if "type" not in frame.columns or "data" not in frame.columns:
        return None, bool(nulls)
    if frame["type"].dtype != pl.String or not isinstance(frame["data"].dtype, pl.Struct):
        raise _NeedPython
    metrics = frame.filter((pl.col("type") == "metrics") & pl.col("data").is_not_null())
    others = frame.height - metrics.height
    rows = metrics.select(pl.col("data").struct.unnest())
    step_keys = [k for k in ("global_step", "step") if k in rows.columns]
    for key in step_keys:
        dtype = rows[key].dtype
        if not (dtype == pl.Null or str(dtype).startswith(("Int", "UInt"))):
            raise _NeedPython  # the viewer takes int() of a float or a string step
    if not step_keys:
        return None, bool(nulls)
    exprs = [pl.coalesce([pl.col(k).cast(pl.Int64) for k in step_keys]).alias("global_step")]
    for name in rows.columns:
        if name in _SKIPPED_KEYS:
            continue
        series = rows[name]
        if series.null_count() == series.len():
            if not nulls or (others and not _in_metrics_line(chunk, name)):
                continue  # the key was never logged by a metrics event here
        elif not _is_numeric(series.dtype):
            raise _NeedPython  # text, booleans, lists: the exact parser keeps them right
        exprs.append(pl.col(name).cast(pl.Float64))
    part = rows.select(exprs).filter(pl.col("global_step").is_not_null())
    return part, bool(nulls)


def _cells(frame: Any) -> int:
    """Non-null cells, counting the fields of top-level objects but not deeper ones."""
    import polars as pl

    total = 0
    for name in frame.columns:
        series = frame[name]
        total += series.len() - series.null_count()
        if isinstance(series.dtype, pl.Struct):
            for field in series.struct.unnest().iter_columns():
                total += field.len() - field.null_count()
    return total


def _in_metrics_line(chunk: bytes, key: str) -> bool:
    """Whether ``key`` is written in some ``"type": "metrics"`` line of ``chunk``."""
    needle = json.dumps(key, ensure_ascii=False).encode() + b": "
    at = chunk.find(needle)
    while at >= 0:
        start = chunk.rfind(b"\n", 0, at) + 1
        end = chunk.find(b"\n", at)
        end = len(chunk) if end < 0 else end
        if b'"type": "metrics"' in chunk[start:end]:
            return True
        at = chunk.find(needle, end)
    return False


class EventsFile:
    """The metrics of one ``events.jsonl``, kept up to date by reading only new bytes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._reset(python=not have_polars())

    def _reset(self, *, python: bool) -> None:
        self.offset = 0
        self.identity: tuple[int, int] | None = None
        self.rows: _ViewerRows | _FastRows = _ViewerRows() if python else _FastRows()

    @property
    def exact_parser(self) -> bool:
        """Whether the line-by-line parser reads this file (else polars does)."""
        return isinstance(self.rows, _ViewerRows)

    def read(self, run_id: str) -> RunMetrics:
        """The metrics as of now; parses only what was appended since the last read."""
        with self._lock:
            try:
                self._update()
            except _NeedPython:
                self._reset(python=True)
                self._update()
            return self.rows.result(run_id)

    def _update(self) -> None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self._reset(python=self.exact_parser)
            return
        identity = (stat.st_dev, stat.st_ino)
        if identity != self.identity or stat.st_size < self.offset:
            self._reset(python=self.exact_parser)  # replaced or truncated: start over
            self.identity = identity
        remaining = stat.st_size - self.offset
        if remaining <= 0:
            return
        pending = b""
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            while remaining > 0:
                data = handle.read(min(_PIECE, remaining))
                if not data:
                    break
                remaining -= len(data)
                piece = pending + data if pending else data
                cut = piece.rfind(b"\n") + 1
                if cut:
                    self.rows.feed(piece[:cut])
                    self.offset += cut
                pending = piece[cut:]
        if pending.strip() and _complete_json(pending):
            # The last line has no newline yet but is whole (the writer may add the
            # newline later, which the next read skips as an empty line).
            self.rows.feed(pending)
            self.offset += len(pending)
        self.rows.settle()


def _complete_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


class EventsFiles:
    """The :class:`EventsFile` of recently read runs (least recently used dropped first)."""

    def __init__(self, capacity: int = 64) -> None:
        self._files: OrderedDict[Path, EventsFile] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, path: Path) -> EventsFile:
        with self._lock:
            found = self._files.get(path)
            if found is None:
                found = self._files[path] = EventsFile(path)
                while len(self._files) > self._capacity:
                    self._files.popitem(last=False)
            else:
                self._files.move_to_end(path)
            return found
