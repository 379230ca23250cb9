"""The DataFrame layer: one logical schema, rendered identically in pandas and polars.

pandas and polars are imported on first use only; a missing one raises
:class:`MissingDependencyError` naming the extra to install.

Logical types and what they become:

=========  =============================  ==========================
logical    pandas dtype                   polars dtype
=========  =============================  ==========================
``str``    ``string`` (``StringDtype``)   ``String``
``int``    ``Int64`` (nullable)           ``Int64``
``float``  ``float64`` (NaN for null)     ``Float64`` (null)
``bool``   ``boolean`` (nullable)         ``Boolean``
``time``   ``datetime64[us, UTC]``        ``Datetime("us", "UTC")``
``list``   ``object`` (Python lists)      ``List(String)``
=========  =============================  ==========================
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._common.deps import require
from .arrow import to_arrow

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow

__all__ = ["Frame", "flatten", "infer_type"]

Logical = Literal["str", "int", "float", "bool", "time", "list"]


def infer_type(values: Iterable[Any]) -> Logical:
    """The logical type of a flattened summary/config column.

    All bools → ``bool``; all ints → ``int``; ints and floats → ``float``; anything else
    (strings, mixed types, lists, dicts) → ``str`` (non-strings JSON-encoded).
    """
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return "float"
    if kinds == {bool}:
        return "bool"
    if kinds == {int}:
        return "int"
    if kinds <= {int, float}:
        return "float"
    return "str"


def _coerce(value: Any, logical: Logical) -> Any:
    if value is None:
        return None
    if logical == "str" and not isinstance(value, str):
        return json.dumps(value, sort_keys=True, default=str)
    if logical == "float":
        return float(value)
    return value


class Frame:
    """Columns (Python lists) with a logical type each; converts to pandas or polars."""

    def __init__(self, columns: Mapping[str, Sequence[Any]], types: Mapping[str, Logical]):
        self.columns = dict(columns)
        self.types = dict(types)

    def select(self, names: Sequence[str] | None) -> Frame:
        if names is None:
            return self
        unknown = [n for n in names if n not in self.columns]
        if unknown:
            raise KeyError(
                f"Unknown column {', '.join(map(repr, unknown))}; available: "
                + ", ".join(self.columns)
            )
        return Frame({n: self.columns[n] for n in names}, {n: self.types[n] for n in names})

    def _values(self, name: str) -> list[Any]:
        logical = self.types[name]
        raw = self.columns[name]
        if logical in ("str", "float"):
            return [_coerce(v, logical) for v in raw]
        return list(raw)

    def to_polars(self) -> polars.DataFrame:
        pl = require("polars")
        dtypes = {
            "str": pl.String,
            "int": pl.Int64,
            "float": pl.Float64,
            "bool": pl.Boolean,
            "time": pl.Datetime("us", "UTC"),
            "list": pl.List(pl.String),
        }
        frame: polars.DataFrame = pl.DataFrame(
            {
                name: pl.Series(
                    name, self._values(name), dtype=dtypes[self.types[name]], strict=False
                )
                for name in self.columns
            }
        )
        return frame

    def to_arrow(self) -> pyarrow.Table:
        """The frame as an Arrow table (see :mod:`.arrow`)."""
        return to_arrow(self)

    def to_pandas(self) -> pandas.DataFrame:
        pd = require("pandas")
        data: dict[str, Any] = {}
        for name in self.columns:
            values = self._values(name)
            logical = self.types[name]
            if logical == "str":
                data[name] = pd.array(values, dtype=pd.StringDtype())
            elif logical == "int":
                data[name] = pd.array(values, dtype="Int64")
            elif logical == "float":
                data[name] = pd.array(
                    [float("nan") if v is None else v for v in values], dtype="float64"
                )
            elif logical == "bool":
                data[name] = pd.array(values, dtype="boolean")
            elif logical == "time":
                data[name] = pd.Series(
                    [pd.NaT if v is None else v for v in values], dtype="datetime64[us, UTC]"
                )
            else:
                series = pd.Series([None] * len(values), dtype=object)
                series[:] = [None if v is None else list(v) for v in values]
                data[name] = series
        frame: pandas.DataFrame = pd.DataFrame(
            data, index=pd.RangeIndex(len(next(iter(data.values()), [])))
        )
        return frame


def flatten(prefix: str, value: Mapping[str, Any], out: dict[str, Any]) -> None:
    """``{"a": {"b": 1}}`` under ``summary`` → ``{"summary.a.b": 1}``."""
    for key, item in value.items():
        name = f"{prefix}.{key}"
        if isinstance(item, Mapping) and item:
            flatten(name, item, out)
        else:
            out[name] = item
