"""How the metric models hold their data: columns, and the nulls on a metric's cadence."""

from __future__ import annotations

import math
from functools import reduce
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import PlainSerializer

from .._frames.columns import Column

__all__ = ["ColumnField", "cadence_nulls", "empty_column"]

ColumnField = Annotated[Column, PlainSerializer(Column.to_list, return_type=list)]


def empty_column(kind: Literal["int", "float"]) -> Any:
    return lambda: Column.of((), kind)


def cadence_nulls(steps: Column, column: Column, kept_steps: Column) -> list[int]:
    """The steps between a metric's first and last value, on the greatest common stride
    of its logged steps, where it is null."""
    if steps.is_polars:
        import polars as pl

        present = kept_steps.to_polars()
        first, last = present[0], present[-1]
        strides = present.diff().drop_nulls().unique().to_list()
        stride = reduce(math.gcd, strides, 0) or 1
        s = steps.to_polars()
        frame = pl.DataFrame({"s": s, "v": column.to_polars()})
        found: list[int] = frame.filter(
            pl.col("v").is_null()
            & pl.col("s").is_between(first, last)
            & ((pl.col("s") - first) % stride == 0)
        )["s"].to_list()
        return found
    kept = kept_steps.to_list()
    first, last = kept[0], kept[-1]
    stride = reduce(math.gcd, (b - a for a, b in pairwise(kept)), 0) or 1
    return [
        s
        for s, v in zip(steps.to_list(), column.to_list(), strict=True)
        if v is None and first <= s <= last and (s - first) % stride == 0
    ]
