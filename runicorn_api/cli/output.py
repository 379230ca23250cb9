"""Rows on stdout: a rich table for people, JSON or CSV for programs."""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

__all__ = ["FORMATS", "emit", "plain"]

FORMATS = ("table", "json", "csv")


def plain(value: Any) -> Any:
    """A JSON-ready value: datetimes as ISO text, sets and tuples as lists."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or Infinity
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(plain(value), sort_keys=True)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def emit(
    rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str], *, title: str | None = None
) -> None:
    """Write ``rows`` (only ``columns``, in that order) to stdout as ``fmt``."""
    picked = [{c: row.get(c) for c in columns} for row in rows]
    if fmt == "json":
        sys.stdout.write(json.dumps(plain(picked), indent=2, allow_nan=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_cell(row[c]) for c in columns] for row in picked)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in picked:
            table.add_row(*(_cell(row[c]) for c in columns))
        Console().print(table)
