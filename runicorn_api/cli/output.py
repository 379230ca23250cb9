"""Rows on stdout: a rich table for people, JSON or CSV for programs.

Every value a server sent is text, never terminal control or markup: :func:`clean`
shows control characters (C0, DEL, C1, and the bidirectional overrides that reorder what
a reader sees) as visible escapes such as ``\\x1b``, in tables, CSV and messages; JSON
escapes them itself (``ensure_ascii``); and rich never reads a value as markup.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .._common.text import clean, plain

__all__ = ["FORMATS", "clean", "emit", "for_people", "plain"]

FORMATS = ("table", "json", "csv")


def _cell(value: Any) -> str:
    return clean(_text(value))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(plain(value), sort_keys=True)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def for_people(key: str, value: Any) -> Any:
    """A value as a table shows it: Unix times (``*_time``, ``*_at``) as ISO 8601 in UTC,
    a ``duration`` in seconds with its units; anything else as it is. JSON and CSV keep
    the raw numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return value
    if key == "duration":
        return _duration(float(value))
    if key.endswith(("_time", "_at")) and 0 <= value < 1e11:
        return datetime.fromtimestamp(value, tz=timezone.utc).isoformat(timespec="seconds")
    return value


def _duration(seconds: float) -> str:
    """``0.262 s``, ``42.5 s``, ``12 min 5 s``, ``3 h 02 min``."""
    if seconds < 60:
        return f"{seconds:.3g} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs} s"


def emit(
    rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str], *, title: str | None = None
) -> None:
    """Write ``rows`` (only ``columns``, in that order) to stdout as ``fmt``; a table is
    drawn by rich on a terminal, and written as plain aligned columns (never wrapped)
    when stdout is a pipe or a file."""
    picked = [{c: row.get(c) for c in columns} for row in rows]
    if fmt == "json":
        sys.stdout.write(json.dumps(plain(picked), indent=2, allow_nan=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_cell(row[c]) for c in columns] for row in picked)
    elif not sys.stdout.isatty():
        cells = [list(columns)] + [
            [_cell(for_people(c, row[c])) for c in columns] for row in picked
        ]
        widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
        for line in cells:
            sys.stdout.write(
                "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n"
            )
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=Text(clean(title)) if title else None, show_lines=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in picked:
            table.add_row(*(Text(_cell(for_people(c, row[c]))) for c in columns))
        Console(markup=False, emoji=False, highlight=False).print(table)
