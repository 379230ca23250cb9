"""The viewer's rules for ``events.jsonl`` on polars frames, a few megabytes at a time,
used only where a chunk proves it cannot differ from them (every key captured, numbers
only, no overwrite that a null could hide); see :mod:`.reference` for the rules."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import IO, Any

from ..._common.deps import available
from ..._frames.columns import owner_index
from ...models.metrics import RunMetrics
from ..table import from_frame
from .reference import SKIPPED_KEYS, no_metrics

__all__ = ["FastRows", "NeedPython", "Part", "parse"]


class NeedPython(Exception):
    """The fast path cannot prove it gives the viewer's answer for this file."""


class FastRows:
    """The same rules on polars frames; raises :class:`NeedPython` where it cannot be sure."""

    def __init__(self) -> None:
        self.frame: Any = None
        self.nulls_seen = False
        self._parts: list[Part] = []

    def feed(self, chunk: bytes) -> None:
        self.add(parse([chunk])[0])

    def add(self, part: Part) -> None:
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
            raise NeedPython
        return (
            frame.group_by("global_step", maintain_order=True)
            .agg(pl.all().drop_nulls().last())
            .sort("global_step")
        )

    def result(self, run_id: str) -> RunMetrics:
        if self.frame is None:
            return no_metrics(run_id)
        # Columns are global_step then the keys sorted, floats with no NaN (see parse).
        return from_frame(
            run_id, self.frame, total=None, sampled=None, last_step=None, source="storage"
        )


_NUMERIC_KINDS = ("Int", "UInt", "Float")


def _is_numeric(dtype: Any) -> bool:
    return str(dtype).startswith(_NUMERIC_KINDS)


@dataclass
class Part:
    """One file's share of parsed lines: its metrics rows (``global_step``, then the keys
    sorted, as float columns without NaN), whether any value in its lines was null (or
    NaN/Inf), and whether its steps are known to be strictly increasing."""

    frame: Any
    nulls: bool
    increasing: bool


_WORD_STEP = re.compile(rb'"(?:global_)?step"\s*:\s*-?(?:NaN|Infinity)')
"""A step written as NaN or ±Inf: the viewer drops such a line (no integer step), while
as a null it would fall back to the other step key; left to the exact parser."""


def _unwords(chunk: bytes) -> bytes:
    if b"NaN" in chunk or b"Infinity" in chunk:
        # Python's json writes NaN and ±Inf as bare words that polars refuses; the viewer
        # serves them as null. A string that happened to contain ": NaN" would be changed
        # too, so a file with text values is left to the exact parser (see _parse).
        if _WORD_STEP.search(chunk):
            raise NeedPython("a step written as NaN or Infinity")
        chunk = (
            chunk.replace(b": NaN", b": null")
            .replace(b": -Infinity", b": null")
            .replace(b": Infinity", b": null")
        )
    return chunk


def _count(text: bytes, byte: bytes) -> int:
    """How often ``byte`` occurs in ``text``: numpy compares 16 bytes at a time where it
    is installed (about 4x ``bytes.count``), else ``bytes.count``."""
    if available("numpy"):
        import numpy as np

        return int(np.count_nonzero(np.frombuffer(text, np.uint8) == ord(byte)))
    return text.count(byte)


def parse(segments: list[bytes]) -> list[Part]:
    """Whole lines of one or more files → one :class:`Part` per file, in one polars parse.

    Few polars calls, whatever the number of files: in eager polars each call is a query
    of its own, and a run of 2,000 steps is a few hundred kilobytes, so the count of
    calls, not the bytes, decides how fast many small runs are read.

    Raises:
        NeedPython: the lines hold something the fast path cannot prove it handles as
            the viewer does (the caller reads such files with the exact parser).
    """
    import polars as pl

    texts = list(segments)
    lines = None
    if len(texts) > 1:
        texts = [t if t.endswith(b"\n") else t + b"\n" for t in texts]
        lines = [_count(t, b"\n") for t in texts]
    frame, rows, stats, nulls, texts = _read_frame(texts, lines)
    empty = [Part(None, bool(n), True) for n in nulls]
    if "type" not in frame.columns or "data" not in frame.columns:
        return empty
    if frame["type"].dtype != pl.String or not isinstance(frame["data"].dtype, pl.Struct):
        raise NeedPython
    fields = frame["data"].dtype.to_schema()
    step_keys = [k for k in ("global_step", "step") if k in fields]
    for key in step_keys:
        if not (fields[key] == pl.Null or str(fields[key]).startswith(("Int", "UInt"))):
            raise NeedPython  # the viewer takes int() of a float or a string step
    if not step_keys:
        return empty
    names = _file_metric_names(texts, nulls, stats, fields)
    return _slice_parts(rows, stats, names, nulls)


def _read_frame(
    texts: list[bytes], lines: list[int] | None
) -> tuple[Any, Any, list[dict[str, int]], list[int], list[bytes]]:
    """The parsed lines, their metrics rows and per-file statistics, the nulls written
    per file, and the texts as parsed, once :func:`_prove_nothing_dropped` holds.

    Parses with a schema inferred from a few rows: of one file, its first rows; of
    several, which may log different keys, the first and last line of each as well
    (:func:`_probe`). If that drops a key or a null was written, with one inferred from
    all rows (about three times the cost). NaN and ±Inf (which polars refuses) are taken
    out and counted as nulls."""
    import polars as pl

    # Every key is followed by one colon; a colon inside a string only makes the count
    # disagree below, which sends the file to the exact parser (as text values do).
    keys = sum(_count(t, b":") for t in texts)

    def read(infer: int | None, schema: Any = None) -> Any:
        if lines is None:
            return pl.read_ndjson(io.BytesIO(texts[0]), infer_schema_length=infer)
        if schema is not None:
            # Several files, with the schema given, as one list of sources: polars reads
            # them in order without a joined copy (it would infer a schema from the
            # first source alone).
            sources: list[IO[bytes]] = [io.BytesIO(t) for t in texts]
            try:
                return pl.read_ndjson(sources, schema=schema)
            except TypeError:
                # An older polars reads one source, and 1.27 panics on a line that is
                # not JSON when given a schema: the joined copy, inferred from its first
                # rows, as before the probe.
                infer = 100
        # One joined copy: the schema from its first rows, or from every row.
        return pl.read_ndjson(io.BytesIO(b"".join(texts)), infer_schema_length=infer)

    # What polars raises for a line it refuses (older releases: a RuntimeError; and a
    # panic, which is no Exception, should a release panic where 1.27 does).
    refused = (ValueError, RuntimeError, pl.exceptions.PolarsError, pl.exceptions.PanicException)
    nulls: list[int] | None = None
    for every_row in (False, True):
        try:
            if every_row:
                frame = read(None)
            elif lines is None:
                frame = read(100)
            else:
                frame = read(None, _probe(texts))
        except refused:
            if every_row:
                raise NeedPython from None
            # NaN or ±Inf, which polars refuses (or, with a schema, a value of another
            # type than the probe saw): NaN and ±Inf out, counted as nulls; every row
            # decides the schema.
            every_row = True
            texts = [_unwords(t) for t in texts]
            nulls = [t.count(b'": null') for t in texts]
            try:
                frame = read(None)
            except refused:
                raise NeedPython from None
        if lines is not None and frame.height != sum(lines):
            raise NeedPython  # a blank line: rows no longer map to files by count
        framed = _with_files(frame, lines)
        # The statistics and the rows in one call: polars runs the two queries together.
        table, rows = pl.collect_all([_stats_query(framed), _rows_query(framed)])
        stats = _stats_rows(table, 1 if lines is None else len(lines))
        proven, nulls = _prove_nothing_dropped(keys, stats, nulls, texts, inferred_all=every_row)
        if proven:
            return frame, rows, stats, nulls, texts
        if every_row:
            break
    raise NeedPython


def _probe(texts: list[bytes]) -> Any:
    """A schema inferred from the first rows of the first file and the first and last
    line of every file: where runs log different keys, each run's usually show there.
    A key it misses is dropped by the parse, and the count of keys sees it; a value of
    another type than it saw makes polars refuse the parse.

    Of lines that differ only in their digits (the same keys, the same kinds of number)
    one is kept, so the sample is a few lines when the runs log alike."""
    import polars as pl

    first = texts[0]
    end = 0
    for _ in range(100):  # the first 100 lines, not a copy of the rest of the file
        end = first.find(b"\n", end) + 1
        if not end:
            end = len(first)
            break
    candidates = first[:end].split(b"\n")
    for text in texts:
        end = text.find(b"\n")
        candidates.append(text[:end])
        candidates.append(text[text.rfind(b"\n", 0, len(text) - 1) + 1 :])
    shapes = {line.translate(None, _DIGITS): line for line in candidates if line.strip()}
    sample = b"\n".join(shapes.values()) + b"\n"
    return pl.read_ndjson(io.BytesIO(sample), infer_schema_length=None).schema


_DIGITS = b"0123456789"


def _prove_nothing_dropped(
    keys: int,
    stats: list[dict[str, int]],
    nulls: list[int] | None,
    texts: list[bytes],
    *,
    inferred_all: bool,
) -> tuple[bool, list[int]]:
    """Whether the parse kept every key, and the nulls written per file (counted here
    when first needed).

    polars infers the schema from the first rows and silently drops a key it did not see
    there. Every key it kept is one non-null cell or one written null, so a count of
    colons that adds up proves nothing was dropped (and no nested object hid one). A
    written null and a dropped key look alike to that count: with nulls, the schema
    must be inferred from all rows, where nothing can be dropped."""
    cells = sum(row["cells"] for row in stats)
    if keys == cells:
        return True, nulls or [0] * len(texts)
    if nulls is None:
        nulls = [t.count(b'": null') for t in texts]
    return keys == cells + sum(nulls) and inferred_all, nulls


def _file_metric_names(
    texts: list[bytes], nulls: list[int], stats: list[dict[str, int]], fields: dict[str, Any]
) -> list[list[str]]:
    """Per file, the data keys its metrics events logged (sorted), numeric ones only."""
    names: list[list[str]] = []
    for text, n, row in zip(texts, nulls, stats, strict=True):
        mine = []
        for name in sorted(fields):
            if name in SKIPPED_KEYS:
                continue
            if row.get(f"m:{name}", 0) == 0:
                # No value of the key in a metrics line with a step. Unless the file wrote
                # nulls, it was never logged there; a written null in such a line would
                # make it a column of nulls, which a frame cannot tell from a null
                # elsewhere (a non-metrics line, a line without a step).
                others = row["rows"] > row["metrics"]
                if not n or (others and not _in_metrics_line(text, name)):
                    continue  # the key was never logged by a metrics event of this file
                raise NeedPython
            if not _is_numeric(fields[name]):
                raise NeedPython  # text, booleans, lists: the exact parser keeps them right
            mine.append(name)
        names.append(mine)
    return names


def _slice_parts(
    rows: Any, stats: list[dict[str, int]], names: list[list[str]], nulls: list[int]
) -> list[Part]:
    """Each file's rows, as a slice of the batch's columns (the rows keep the order of
    the files: a file's are the next ``kept`` of them), without a copy."""
    parts = []
    offset = 0
    chosen: dict[tuple[str, ...], Any] = {}  # the batch's columns, per set of names
    for index, (mine, n) in enumerate(zip(names, nulls, strict=True)):
        kept = stats[index].get("kept", 0)
        if not kept:
            parts.append(Part(None, bool(n), True))
            continue
        key = tuple(mine)
        if key not in chosen:  # one query per set of names, not one per file
            chosen[key] = rows.select("global_step", *mine)
        frame_i = chosen[key].slice(offset, kept)
        offset += kept
        parts.append(Part(frame_i, bool(n), bool(stats[index].get("increasing", False))))
    if offset != rows.height:
        raise NeedPython  # rows no longer map to files by count
    return parts


def _with_files(frame: Any, lines: list[int] | None) -> Any:
    """``frame``, lazily, with a ``__file`` column: which file each row came from."""
    import polars as pl

    if lines is None:
        return frame.lazy().with_columns(pl.lit(0, dtype=pl.Int64).alias("__file"))
    return frame.lazy().with_columns(owner_index(lines, "__file", pl.Int64))


def _is_metrics() -> Any:
    import polars as pl

    return (pl.col("type") == "metrics") & pl.col("data").is_not_null()


def _steps(fields: dict[str, Any]) -> Any:
    """The viewer's step, ``global_step`` else ``step``, where both are integers."""
    import polars as pl

    keys = [k for k in ("global_step", "step") if k in fields]
    if not keys or not all(
        str(fields[k]).startswith(("Int", "UInt")) or fields[k] == pl.Null for k in keys
    ):
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
        return pl.LazyFrame(
            {"__file": [], "global_step": []}, schema={"__file": pl.Int64, "global_step": pl.Int64}
        )
    data = pl.col("data").struct
    keep = [
        n for n, t in fields.items() if n not in SKIPPED_KEYS and (_is_numeric(t) or t == pl.Null)
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
    each ``data`` key among metrics rows with a step; ``kept``, the metrics rows with a step (the
    file's share of :func:`_rows_query`); ``increasing``, whether their steps strictly
    increase."""
    import polars as pl

    exprs = [pl.len().alias("rows")]
    for name, dtype in framed.collect_schema().items():
        if name == "__file":
            continue
        exprs.append(pl.col(name).count().alias(f"c:{name}"))
        if isinstance(dtype, pl.Struct):
            exprs.extend(
                pl.col(name).struct.field(f).count().alias(f"c:{name}.{f}")
                for f in dtype.to_schema()
            )
    fields = _data_fields(framed)
    if fields is not None:
        metrics = _is_metrics()
        exprs.append(metrics.sum().alias("metrics"))
        step = _steps(fields)
        # A metrics line counts only with a step: the viewer skips the others whole.
        stepped = metrics if step is None else metrics & step.is_not_null()
        exprs.extend(
            pl.col("data").struct.field(f).filter(stepped).count().alias(f"m:{f}") for f in fields
        )
        if step is not None:
            kept = step.filter(stepped)
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
