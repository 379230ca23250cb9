"""Lean, immutable columns of numbers: Arrow memory through polars, else the stdlib ``array``.

A 200,000-step run has 800,000 metric values. As Python lists of floats they cost about
32 bytes a value; here they cost 8 (plus a validity bit with polars). A :class:`Column`
is a read-only :class:`~collections.abc.Sequence`, so ``len``, indexing, slicing,
iteration and ``==`` against a list behave as on a list, while ``to_polars()`` hands the
Arrow buffer over without a copy and ``to_numpy()`` needs at most one.

Without polars, float columns keep ``null`` as NaN inside an ``array('d')``: the viewer
(and the storage reader, which gives the viewer's answer) never yields a NaN value, so
the two cannot be confused.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar, Literal, overload

from .._common.deps import available

__all__ = ["Column", "Kind", "owner_index"]

Kind = Literal["int", "float"]


class Column(Sequence[Any]):
    """A column of ints (never null) or floats (``None`` where null).

    Build one with :meth:`of`, :meth:`from_polars` or :meth:`from_array`; never mutate it.
    """

    __slots__ = ("_data", "_kind")
    _data: Any
    _kind: Kind
    __hash__: ClassVar[None] = None  # type: ignore[assignment]

    def __init__(self, data: Any, kind: Kind) -> None:
        self._data = data  # a polars Series, or an array.array ('q' ints, 'd' floats)
        self._kind = kind

    # -- construction -----------------------------------------------------------------

    @classmethod
    def of(cls, values: Iterable[Any], kind: Kind) -> Column:
        """A column holding ``values`` (``None`` allowed for floats)."""
        if available("polars"):
            import polars as pl

            dtype = pl.Int64 if kind == "int" else pl.Float64
            return cls(pl.Series(values=list(values), dtype=dtype, strict=False), kind)
        if kind == "int":
            return cls(array("q", values), kind)
        return cls(array("d", (math.nan if v is None else v for v in values)), kind)

    @classmethod
    def from_polars(cls, series: Any, kind: Kind, *, nan_free: bool = False) -> Column:
        """Wrap a polars Series (cast to Int64 or Float64 if it is not already).

        NaN becomes null unless the caller knows there is none (``nan_free``): parsed JSON
        cannot hold one, and each check is a query of its own.
        """
        import polars as pl

        dtype = pl.Int64 if kind == "int" else pl.Float64
        if series.dtype != dtype:
            series = series.cast(dtype)
        if kind == "float" and not nan_free:
            series = series.fill_nan(None)
        return cls(series, kind)

    @classmethod
    def from_array(cls, data: array[Any], kind: Kind) -> Column:
        """Wrap a stdlib array (``'q'`` or ``'d'``; NaN means null in a float column)."""
        return cls(data, kind)

    @property
    def kind(self) -> Kind:
        return self._kind

    @property
    def is_polars(self) -> bool:
        return not isinstance(self._data, array)

    # -- the Sequence protocol ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._data)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> Column: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self.take(range(len(self))[index])
        n = len(self)
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError(f"column index {index} out of range for length {n}")
        value = self._data[i]
        if self._kind == "float" and value is not None and value != value:
            return None
        return value

    def __iter__(self) -> Iterator[Any]:
        # A column without nulls is iterated straight from its buffer: no list is built,
        # and each number becomes a Python object only as it is reached.
        if not self.is_polars and not self.null_count():
            return iter(self._data)
        if self.is_polars and available("numpy") and not self.null_count():
            return iter(memoryview(self._data.to_numpy()))
        return iter(self.to_list())

    def __reversed__(self) -> Iterator[Any]:
        values: list[Any] = self.to_list()
        return iter(values[::-1])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Column | list | tuple | array):
            return len(self) == len(other) and self.to_list() == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        n = len(self)
        head = self[:5].to_list() if n > 5 else self.to_list()
        more = f", ... ({n} values)" if n > 5 else ""
        return f"Column({head}{more})"

    # -- bulk access ---------------------------------------------------------------------

    def to_list(self) -> list[Any]:
        """The values as a Python list (``None`` for nulls)."""
        if self.is_polars:
            values: list[Any] = self._data.to_list()
            return values
        values = self._data.tolist()
        if self._kind == "float" and self.null_count():
            return [None if v != v else v for v in values]
        return values

    def null_count(self) -> int:
        if self.is_polars:
            return int(self._data.null_count())
        if self._kind == "int":
            return 0
        return sum(1 for v in self._data if v != v)

    def to_polars(self) -> Any:
        """A polars Series (the same Arrow buffer when polars holds it already)."""
        import polars as pl

        if self.is_polars:
            return self._data
        dtype = pl.Int64 if self._kind == "int" else pl.Float64
        series = pl.Series(values=self._data, dtype=dtype)
        return series.fill_nan(None) if self._kind == "float" else series

    def to_numpy(self) -> Any:
        """A numpy array: int64, or float64 with NaN for nulls."""
        import numpy as np

        if self.is_polars:
            if self._kind == "float":
                return self._data.to_numpy()
            return self._data.to_numpy().astype("int64", copy=False)
        dtype = "int64" if self._kind == "int" else "float64"
        return np.frombuffer(self._data, dtype=dtype)

    def take(self, indices: Sequence[int]) -> Column:
        """The values at ``indices`` (a ``range`` is taken as a slice, without a copy)."""
        if isinstance(indices, range) and indices.step == 1:
            start, stop = indices.start, max(indices.start, indices.stop)
            if self.is_polars:
                return Column(self._data.slice(start, stop - start), self._kind)
            return Column(self._data[start:stop], self._kind)
        if self.is_polars:
            import polars as pl

            return Column(self._data.gather(pl.Series(list(indices), dtype=pl.Int64)), self._kind)
        data = self._data
        return Column(array(data.typecode, (data[i] for i in indices)), self._kind)

    def present(self) -> list[int]:
        """Positions of the non-null values."""
        if self.is_polars:
            positions: list[int] = self._data.is_not_null().arg_true().to_list()
            return positions
        if self._kind == "int":
            return list(range(len(self)))
        return [i for i, v in enumerate(self._data) if v == v]


def owner_index(counts: Sequence[int], name: str, dtype: Any) -> Any:
    """A polars Series that holds ``i`` ``counts[i]`` times, in order: which run (or file)
    each row of stacked rows belongs to; flagged sorted, so that polars groups by it
    without hashing. numpy builds it where installed (several times faster than a polars
    ``repeat_by``)."""
    import polars as pl

    if available("numpy"):
        import numpy as np

        owners = np.repeat(np.arange(len(counts), dtype=np.int64), np.asarray(counts, np.int64))
        series = pl.Series(name, owners).cast(dtype)
    else:
        index = pl.Series(name, range(len(counts)), dtype=dtype)
        lengths = pl.Series(counts, dtype=pl.UInt32)
        series = pl.select(index.repeat_by(lengths).explode()).to_series()
    return series.set_sorted()
