"""Arrow tables from the frame builders: the polars frame converted (zero-copy where
polars can), or, without polars, the pandas one. Either way the columns and their order
are those of ``to_polars()``; with polars the Arrow types are exactly its export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .._common.deps import available, require

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow

__all__ = ["FrameBuilder", "to_arrow"]


class FrameBuilder(Protocol):
    def to_polars(self) -> polars.DataFrame: ...
    def to_pandas(self) -> pandas.DataFrame: ...


def to_arrow(frame: FrameBuilder) -> pyarrow.Table:
    """``frame`` as a :class:`pyarrow.Table` (needs the ``arrow`` extra)."""
    pa = require("pyarrow")
    if available("polars"):
        table: pyarrow.Table = frame.to_polars().to_arrow()
        return table
    converted: pyarrow.Table = pa.Table.from_pandas(frame.to_pandas(), preserve_index=False)
    return converted
