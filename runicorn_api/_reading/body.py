"""The viewer's metrics body → columns, with polars when it can and pydantic-core if not.

The body is ``{"columns": [...], "rows": [{...}, ...], "total": N, "sampled": N}``,
written by Starlette's compact ``json.dumps``. Parsing it whole (``json.loads`` or
``polars.read_json``) costs 5-12x its size in memory. Instead the buffer the body was
received into is turned, in place and without changing its length, into newline-
delimited JSON: the text before the first row and after the last becomes blanks, and
each ``},{`` between two rows becomes ``}\\n{``. polars then parses it a few megabytes
at a time against a schema built from ``columns``, so the peak stays near twice the body.

Only a row boundary can read ``},{``: inside a string the same three characters leave
the line before them with an unterminated string, which fails to parse. Any failure (a
text-valued metric, a body of another shape) restores the buffer and takes the
pure-Python path, so the result never depends on which path ran.
"""

from __future__ import annotations

import io
from typing import Any

import pydantic_core

from .._common.deps import available
from .._common.jsontext import parse_json
from .._exceptions import ResponseValidationError
from .._http.errors import int_header
from ..models._base import reading
from ..models.metrics import RunMetrics
from .table import from_frame, from_rows

__all__ = ["decode_body"]

_PIECE = 2 << 20  # bytes of rows handed to polars at a time
_SWAP = 1 << 20  # bytes rewritten at a time when swapping row separators


def decode_body(run_id: str, body: bytearray | bytes, last_step: str | None = None) -> RunMetrics:
    """A metrics body → :class:`RunMetrics`. A ``bytearray`` may be rewritten in place."""
    context = f"GET /api/runs/{run_id}/metrics"
    last = int_header(last_step, "X-Last-Step", context)
    if available("polars") and isinstance(body, bytearray):
        fast = _decode_with_polars(run_id, body, last)
        if fast is not None:
            return fast
    try:
        data = pydantic_core.from_json(body)
    except ValueError as err:
        raise ResponseValidationError(
            f"{context} sent a body that is not valid JSON: {err}"
        ) from err
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise ResponseValidationError(f"{context}: expected an object with 'rows'", body=None)
    declared = data.get("columns")
    if not isinstance(declared, list) or not all(isinstance(c, str) for c in declared):
        raise ResponseValidationError(f"{context}: 'columns' is not a list of names", body=declared)
    with reading(context, None):
        return from_rows(
            run_id,
            declared,
            data["rows"],
            total=_int(data.get("total")),
            sampled=_int(data.get("sampled")),
            last_step=last,
            source="viewer",
            context=context,
        )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _decode_with_polars(run_id: str, buf: bytearray, last_step: int | None) -> RunMetrics | None:
    layout = _layout(buf)
    if layout is None:
        return None
    declared, rows_start, rows_end, tail = layout
    if not all(isinstance(c, str) for c in declared) or "global_step" not in declared:
        return None
    if "stage" in declared:
        return None
    import polars as pl

    schema = {c: pl.Int64 if c == "global_step" else pl.Float64 for c in declared}
    saved = bytes(buf[:rows_start]), bytes(buf[rows_end:])
    buf[:rows_start] = b" " * rows_start
    buf[rows_end:] = b" " * (len(buf) - rows_end)
    _swap(buf, rows_start, rows_end, b"},{", b"}\n{")
    try:
        frame = _parse_pieces(buf, rows_start, rows_end, schema)
    except (ValueError, pl.exceptions.PolarsError):
        frame = None
    if frame is None or frame["global_step"].null_count():
        # Put the body back as it came for the pure-Python path.
        _swap(buf, rows_start, rows_end, b"}\n{", b"},{")
        buf[:rows_start], buf[rows_end:] = saved
        return None
    return from_frame(
        run_id,
        frame,
        total=_int(tail.get("total")),
        sampled=_int(tail.get("sampled")),
        last_step=last_step,
        source="viewer",
    )


def _layout(buf: bytearray) -> tuple[list[Any], int, int, dict[str, Any]] | None:
    """``(columns, start of the rows, end of the rows, {total, sampled})``, or ``None`` if
    the body is not laid out as Starlette writes it."""
    head = bytes(buf[: 1 << 16]).decode("utf-8", errors="replace")
    key = '{"columns":'
    if not head.startswith(key):
        return None
    marker = ',"rows":['
    # A quote inside a JSON string is escaped, so the marker's first unescaped
    # occurrence follows the columns' closing bracket.
    end = head.find("]" + marker, len(key)) + 1
    if end <= 0:
        return None
    try:
        declared = parse_json(head[len(key) : end])
    except ValueError:
        return None
    if not isinstance(declared, list):
        return None
    # The column names are ASCII-safe here only if the decoded prefix kept its length.
    rows_start = len(head[: end + len(marker)].encode("utf-8"))
    tail_at = buf.rfind(b'],"total":', rows_start - 1)
    if tail_at < 0:
        return None
    try:
        tail = parse_json(b"{" + bytes(buf[tail_at + 2 :]))
    except ValueError:
        return None
    return declared, rows_start, tail_at, tail if isinstance(tail, dict) else {}


def _swap(buf: bytearray, start: int, end: int, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` (same length) in ``buf[start:end]``, in place, a window
    at a time; windows overlap by ``len(old) - 1`` so no occurrence is split."""
    over = len(old) - 1
    for i in range(start, end, _SWAP):
        j = min(end, i + _SWAP + over)
        window = buf[i:j]
        if old in window:
            buf[i:j] = window.replace(old, new)


def _parse_pieces(buf: bytearray, start: int, end: int, schema: dict[str, Any]) -> Any:
    """Parse the rows a few megabytes at a time (each piece ends at a newline)."""
    import polars as pl

    if start >= end:
        return pl.DataFrame(schema=schema)
    view = memoryview(buf)
    parts = []
    i = start
    try:
        while i < end:
            j = min(end, i + _PIECE)
            if j < end:
                nl = buf.find(b"\n", j, end)
                j = end if nl < 0 else nl + 1
            parts.append(pl.read_ndjson(io.BytesIO(view[i:j]), schema=schema))
            i = j
    finally:
        view.release()
    return pl.concat(parts, rechunk=False)
