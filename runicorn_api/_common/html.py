"""Notebook HTML: compact tables and inline SVG sparklines, with no dependency."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["sparkline", "table"]

WIDTH, HEIGHT, PAD = 120, 24, 2


def sparkline(values: Sequence[float | None], *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """An inline SVG polyline of ``values`` (nulls, NaN and Inf skipped). More values than
    ``width`` pixels are reduced to the first, min, max and last of each pixel column, so
    the line keeps every extreme."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    if not points:
        return ""
    n = max(len(values) - 1, 1)
    if len(points) > 4 * width:
        buckets: dict[int, list[tuple[int, float]]] = {}
        for i, v in points:
            buckets.setdefault(i * (width - 1) // n, []).append((i, v))
        kept: set[tuple[int, float]] = set()
        for group in buckets.values():
            kept.update(
                (
                    group[0],
                    group[-1],
                    min(group, key=lambda p: p[1]),
                    max(group, key=lambda p: p[1]),
                )
            )
        points = sorted(kept)
    low, high = min(v for _, v in points), max(v for _, v in points)
    span = (high - low) or 1.0
    coords = " ".join(
        f"{PAD + i * (width - 2 * PAD) / n:.1f},{PAD + (high - v) * (height - 2 * PAD) / span:.1f}"
        for i, v in points
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><polyline fill="none" stroke="currentColor" '
        f'stroke-width="1" points="{coords}"/></svg>'
    )


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return html.escape(f"{value:.6g}")
    return html.escape("" if value is None else str(value))


def table(
    title: str,
    header: Sequence[str] | None,
    rows: Iterable[Sequence[Any]],
    *,
    raw_last: bool = False,
) -> str:
    """A small HTML table; with ``raw_last`` the last cell of each row is HTML already."""
    head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in header or ())
    body = []
    for row in rows:
        cells = [_cell(v) for v in row[:-1]] + [str(row[-1]) if raw_last else _cell(row[-1])]
        body.append(
            "<tr>" + "".join(f"<td style='text-align:left'>{c}</td>" for c in cells) + "</tr>"
        )
    head_row = f"<tr>{head}</tr>" if head else ""
    return f"<b>{html.escape(title)}</b><table>{head_row}{''.join(body)}</table>"
