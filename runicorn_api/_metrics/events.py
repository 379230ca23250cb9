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
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .._columns import have_polars, importable
from ..models.metrics import RunMetrics
from .table import from_frame, from_rows

__all__ = ["EventsFile", "EventsFiles"]

_PIECE = 4 << 20  # bytes of one file read and parsed at a time (bounds a big run's peak)
_BATCH = 16 << 20  # bytes of several small files parsed together (fewer, larger calls)
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
        self._parts: list[_Part] = []

    def feed(self, chunk: bytes) -> None:
        self.add(_parse([chunk])[0])

    def add(self, part: _Part) -> None:
        """Take a parsed part (from :meth:`feed`, or from a batch of several files)."""
        self.nulls_seen = self.nulls_seen or part.nulls
        if part.frame is not None and part.frame.height:
            self._parts.append(part)

    def settle(self) -> None:
        """Merge what was fed since the last call into the rows."""
        if not self._parts:
            return
        import polars as pl

        if self.frame is None and len(self._parts) == 1:
            only = self._parts.pop()
            self.frame = only.frame if only.increasing else self._merge(only.frame)
            return
        frames = [p.frame for p in self._parts]
        parts = [self.frame, *frames] if self.frame is not None else frames
        self._parts = []
        merged = self._merge(pl.concat(parts, how="diagonal_relaxed", rechunk=False))
        names = sorted(c for c in merged.columns if c != "global_step")
        self.frame = merged.select("global_step", *names)

    def _merge(self, frame: Any) -> Any:
        import polars as pl

        increasing = frame.select(pl.col("global_step").diff().drop_nulls().gt(0).all()).item()
        if frame.height < 2 or increasing:
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
        # Columns are global_step then the keys sorted, floats with no NaN (see _parse_chunk).
        return from_frame(run_id, self.frame, total=None, sampled=None, last_step=None,
                          source="storage")  # fmt: skip


_NUMERIC_KINDS = ("Int", "UInt", "Float")


def _is_numeric(dtype: Any) -> bool:
    return str(dtype).startswith(_NUMERIC_KINDS)


@dataclass
class _Part:
    """One file's share of parsed lines: its metrics rows (``global_step``, then the keys
    sorted, as float columns without NaN), whether any value in its lines was null (or
    NaN/Inf), and whether its steps are known to be strictly increasing."""

    frame: Any
    nulls: bool
    increasing: bool


def _unwords(chunk: bytes) -> bytes:
    if b"NaN" in chunk or b"Infinity" in chunk:
        # Python's json writes NaN and ±Inf as bare words that polars refuses; the viewer
        # serves them as null. A string that happened to contain ": NaN" would be changed
        # too, so a file with text values is left to the exact parser (see _parse).
        chunk = (chunk.replace(b": NaN", b": null").replace(b": -Infinity", b": null")
                 .replace(b": Infinity", b": null"))  # fmt: skip
    return chunk


def _count(text: bytes, byte: bytes) -> int:
    """How often ``byte`` occurs in ``text``: numpy compares 16 bytes at a time where it
    is installed (about 4x ``bytes.count``), else ``bytes.count``."""
    if importable("numpy"):
        import numpy as np

        return int(np.count_nonzero(np.frombuffer(text, np.uint8) == ord(byte)))
    return text.count(byte)


def _parse(segments: list[bytes]) -> list[_Part]:
    """Whole lines of one or more files → one :class:`_Part` per file, in one polars parse.

    Few polars calls, whatever the number of files: in eager polars each call is a query
    of its own, and a run of 2,000 steps is a few hundred kilobytes, so the count of
    calls, not the bytes, decides how fast many small runs are read.

    Raises:
        _NeedPython: the lines hold something the fast path cannot prove it handles as
            the viewer does (the caller reads such files with the exact parser).
    """
    import polars as pl

    texts = list(segments)
    lines = None
    if len(texts) > 1:
        texts = [t if t.endswith(b"\n") else t + b"\n" for t in texts]
        lines = [_count(t, b"\n") for t in texts]
    # Every key is followed by one colon; a colon inside a string only makes the count
    # disagree below, which sends the file to the exact parser (as text values do).
    keys = sum(_count(t, b":") for t in texts)

    def read(infer: int | None) -> Any:
        # Several files are handed over as one list of sources: polars reads them in
        # order, without a joined copy.
        sources: list[IO[bytes]] = [io.BytesIO(t) for t in texts]
        if lines is None:
            return pl.read_ndjson(sources[0], infer_schema_length=infer)
        return pl.read_ndjson(sources, infer_schema_length=infer)

    nulls: list[int] | None = None
    for infer in (100, None):
        try:
            frame = read(infer)
        except (ValueError, pl.exceptions.PolarsError):
            if nulls is not None:
                raise _NeedPython from None
            infer = None
            # NaN or ±Inf, which polars refuses: take them out and count the nulls.
            texts = [_unwords(t) for t in texts]
            nulls = [t.count(b'": null') for t in texts]
            try:
                frame = read(None)
            except (ValueError, pl.exceptions.PolarsError):
                raise _NeedPython from None
        if lines is not None and frame.height != sum(lines):
            raise _NeedPython  # a blank line: rows no longer map to files by count
        framed = _with_files(frame, lines)
        # The statistics and the rows in one call: polars runs the two queries together.
        table, rows = pl.collect_all([_stats_query(framed), _rows_query(framed)])
        stats = _stats_rows(table, 1 if lines is None else len(lines))
        # polars infers the schema from the first rows and silently drops a key it did
        # not see there. Every key it kept is one non-null cell or one written null, so
        # a count of colons that adds up proves nothing was dropped (and no nested
        # object hid one).
        # A written null and a dropped key look alike to that count: with nulls, the
        # schema is inferred from all rows, where nothing can be dropped.
        cells = sum(row["cells"] for row in stats)
        if keys == cells:
            nulls = nulls or [0] * len(texts)
            break
        if nulls is None:
            nulls = [t.count(b'": null') for t in texts]
        if keys == cells + sum(nulls) and infer is None:
            break
    else:
        raise _NeedPython
    empty = [_Part(None, bool(n), True) for n in nulls]
    if "type" not in frame.columns or "data" not in frame.columns:
        return empty
    if frame["type"].dtype != pl.String or not isinstance(frame["data"].dtype, pl.Struct):
        raise _NeedPython
    fields = frame["data"].dtype.to_schema()
    step_keys = [k for k in ("global_step", "step") if k in fields]
    for key in step_keys:
        if not (fields[key] == pl.Null or str(fields[key]).startswith(("Int", "UInt"))):
            raise _NeedPython  # the viewer takes int() of a float or a string step
    if not step_keys:
        return empty
    names: list[list[str]] = []
    for text, n, row in zip(texts, nulls, stats, strict=True):
        mine = []
        for name in sorted(fields):
            if name in _SKIPPED_KEYS:
                continue
            if row.get(f"m:{name}", 0) == 0:
                others = row["rows"] > row["metrics"]
                if not n or (others and not _in_metrics_line(text, name)):
                    continue  # the key was never logged by a metrics event of this file
            elif not _is_numeric(fields[name]):
                raise _NeedPython  # text, booleans, lists: the exact parser keeps them right
            mine.append(name)
        names.append(mine)
    parts = []
    offset = 0
    for index, (mine, n) in enumerate(zip(names, nulls, strict=True)):
        kept = stats[index].get("kept", 0)
        if not kept:
            parts.append(_Part(None, bool(n), True))
            continue
        # The rows keep the order of the files: a file's are the next ``kept`` of them,
        # taken as a slice of the batch's columns, without a copy.
        frame_i = rows.slice(offset, kept).select("global_step", *mine)
        offset += kept
        parts.append(_Part(frame_i, bool(n), bool(stats[index].get("increasing", False))))
    if offset != rows.height:
        raise _NeedPython  # rows no longer map to files by count
    return parts


def _with_files(frame: Any, lines: list[int] | None) -> Any:
    """``frame``, lazily, with a ``__file`` column: which file each row came from."""
    import polars as pl

    if lines is None:
        return frame.lazy().with_columns(pl.lit(0, dtype=pl.Int64).alias("__file"))
    files = pl.Series("__file", range(len(lines)), dtype=pl.Int64)
    counts = pl.Series(lines, dtype=pl.Int64)
    column = pl.select(files.repeat_by(counts).explode()).to_series()
    return frame.lazy().with_columns(column.alias("__file"))


def _is_metrics() -> Any:
    import polars as pl

    return (pl.col("type") == "metrics") & pl.col("data").is_not_null()


def _steps(fields: dict[str, Any]) -> Any:
    """The viewer's step, ``global_step`` else ``step``, where both are integers."""
    import polars as pl

    keys = [k for k in ("global_step", "step") if k in fields]
    if not keys or not all(str(fields[k]).startswith(("Int", "UInt")) or fields[k] == pl.Null
                           for k in keys):  # fmt: skip
        return None
    return pl.coalesce([pl.col("data").struct.field(k).cast(pl.Int64) for k in keys])


def _data_fields(framed: Any) -> dict[str, Any] | None:
    import polars as pl

    schema = framed.collect_schema()
    data = schema.get("data")
    if schema.get("type") != pl.String or not isinstance(data, pl.Struct):
        return None
    fields: dict[str, Any] = dict(data.to_schema())
    return fields


def _rows_query(framed: Any) -> Any:
    """The metrics rows: ``__file``, ``global_step`` and every numeric (or all-null) data
    key as floats; the caller keeps each file's own keys."""
    import polars as pl

    fields = _data_fields(framed)
    step = _steps(fields) if fields is not None else None
    if fields is None or step is None:
        return pl.LazyFrame({"__file": [], "global_step": []},
                            schema={"__file": pl.Int64, "global_step": pl.Int64})  # fmt: skip
    data = pl.col("data").struct
    keep = [
        n for n, t in fields.items() if n not in _SKIPPED_KEYS and (_is_numeric(t) or t == pl.Null)
    ]
    return (
        framed.filter(_is_metrics())
        .select(
            "__file",
            step.alias("global_step"),
            *(data.field(n).cast(pl.Float64).alias(n) for n in sorted(keep)),
        )
        .filter(pl.col("global_step").is_not_null())
    )


def _stats_query(framed: Any) -> Any:
    """Per file: ``rows``; ``metrics`` rows; ``c:...``, the non-null cells counting the
    fields of top-level objects but not deeper ones; ``m:<key>``, the non-null values of
    each ``data`` key among metrics rows; ``kept``, the metrics rows with a step (the
    file's share of :func:`_rows_query`); ``increasing``, whether their steps strictly
    increase."""
    import polars as pl

    exprs = [pl.len().alias("rows")]
    for name, dtype in framed.collect_schema().items():
        if name == "__file":
            continue
        exprs.append(pl.col(name).count().alias(f"c:{name}"))
        if isinstance(dtype, pl.Struct):
            exprs.extend(pl.col(name).struct.field(f).count().alias(f"c:{name}.{f}")
                         for f in dtype.to_schema())  # fmt: skip
    fields = _data_fields(framed)
    if fields is not None:
        metrics = _is_metrics()
        exprs.append(metrics.sum().alias("metrics"))
        exprs.extend(pl.col("data").struct.field(f).filter(metrics).count().alias(f"m:{f}")
                     for f in fields)  # fmt: skip
        step = _steps(fields)
        if step is not None:
            kept = step.filter(metrics & step.is_not_null())
            exprs.append(kept.len().alias("kept"))
            exprs.append(kept.diff().drop_nulls().gt(0).all().alias("increasing"))
    return framed.group_by("__file").agg(exprs)


def _stats_rows(table: Any, count: int) -> list[dict[str, int]]:
    found = {row["__file"]: row for row in table.iter_rows(named=True)}
    stats = []
    for index in range(count):
        row = found.get(index, {"rows": 0})
        row.setdefault("metrics", 0)
        row["cells"] = sum(v for k, v in row.items() if k.startswith("c:") and v)
        stats.append({k: int(v or 0) for k, v in row.items() if k != "__file"})
    return stats


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
    def parsed(self) -> bool:
        """Whether the file was read before: reading it again parses only new bytes."""
        return self.identity is not None

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
        if _whole_line(pending):
            self.rows.feed(pending)
            self.offset += len(pending)
        self.rows.settle()

    def snapshot(self) -> tuple[bytes, tuple[int, int]] | None:
        """All whole lines of a file this object has not read yet, and its identity;
        ``None`` if it was read before, is large, or is read by the exact parser."""
        if self.parsed or self.exact_parser:
            return None
        try:
            with open(self.path, "rb") as handle:
                stat = os.fstat(handle.fileno())
                if stat.st_size > _PIECE:
                    return None
                data = handle.read(stat.st_size)
        except OSError:
            return None
        cut = data.rfind(b"\n") + 1
        if not _whole_line(data[cut:]):
            data = data[:cut]
        return data, (stat.st_dev, stat.st_ino)

    def take(self, part: _Part, consumed: int, identity: tuple[int, int]) -> None:
        """Adopt the lines of :meth:`snapshot`, parsed together with other files'."""
        with self._lock:
            if self.parsed or self.exact_parser:
                return  # read meanwhile by another thread
            self.identity = identity
            self.offset = consumed
            assert isinstance(self.rows, _FastRows)
            try:
                self.rows.add(part)
                self.rows.settle()
            except _NeedPython:
                self._reset(python=True)


def _whole_line(tail: bytes) -> bool:
    """Whether the bytes after the last newline are a whole line: the writer may not have
    added the newline yet (the next read skips it as an empty line), while a line being
    written is not valid JSON until it is complete, and is left for the next read."""
    if not tail.strip():
        return False
    try:
        json.loads(tail)
    except ValueError:
        return False
    return True


class EventsFiles:
    """The :class:`EventsFile` of recently read runs (least recently used dropped first)."""

    def __init__(self, capacity: int = 64) -> None:
        self._files: OrderedDict[Path, EventsFile] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def prime(self, paths: list[Path]) -> None:
        """Parse the files among ``paths`` that were never read, several per polars call,
        so that reading each afterwards costs next to nothing (many small runs are
        dominated by the cost of each call, not by their bytes)."""
        files = [self.get(p) for p in dict.fromkeys(paths)][: self._capacity]
        batch: list[tuple[EventsFile, bytes, tuple[int, int]]] = []
        size = 0
        for file in files:
            snap = file.snapshot()
            if snap is None:
                continue
            batch.append((file, *snap))
            size += len(snap[0])
            if size >= _BATCH:
                _take_batch(batch)
                batch, size = [], 0
        if batch:
            _take_batch(batch)

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


def _take_batch(batch: list[tuple[EventsFile, bytes, tuple[int, int]]]) -> None:
    try:
        parts = _parse([data for _, data, _ in batch])
    except _NeedPython:
        return  # each file will be read on its own, and the exact parser takes the odd one
    for (file, data, identity), part in zip(batch, parts, strict=True):
        file.take(part, len(data), identity)
