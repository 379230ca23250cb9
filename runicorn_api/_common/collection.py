"""Lazy collections: no request until the items are needed, fetched items kept.

A collection makes its items from pages (:class:`Page`). A viewer endpoint without paging
is a source of one page, so the day the viewer pages, only the adapter that yields the
pages changes; callers do not.

* Nothing is requested when a collection is made (or filtered, ordered, sliced).
* The first request happens on iteration, indexing, ``len()``, ``bool()`` or conversion.
* Fetched items are kept: iterating twice requests once. :meth:`refresh` forgets them.
* ``len()`` is exact: it fetches what it must, and never guesses.
* Slices are lazy collections themselves.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, cast, overload

from .._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from .._validation import check_page

if TYPE_CHECKING:
    import pyarrow
    from typing_extensions import Self

if TYPE_CHECKING:
    import pandas
    import polars

    from .._frames.frame import Frame

__all__ = ["Collection", "Page"]

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page from a source; ``total`` is the size of the whole listing when known."""

    items: list[T]
    total: int | None = None


class Collection(Generic[T]):
    """A lazy, cached sequence of items. Subclasses implement :meth:`_produce`."""

    _noun = "item"

    def __init__(self) -> None:
        self._cache: list[T] = []
        self._source: Iterator[T] | None = None
        self._done = False
        # Set on a slice: the collection it was cut from, and the window.
        self._parent: Collection[T] | None = None
        self._window: slice | None = None

    # -- what subclasses provide ---------------------------------------------------

    def _produce(self) -> Iterator[T]:
        """The items, in order, fetched as they are consumed."""
        raise NotImplementedError

    def _clone(self) -> Collection[T]:
        """An unfetched collection of the same kind and query (slices are made from it)."""
        raise NotImplementedError

    def _frame(self, items: list[T], columns: Sequence[str] | None) -> Frame:
        raise NotImplementedError(f"{type(self).__name__} has no DataFrame form")

    def _describe(self) -> str:
        """What the query is, in words (a slice adds its window to its parent's)."""
        return ""

    def describe(self) -> str:
        """What the collection holds, in words, as its repr shows it; no request is made."""
        if self._parent is not None:
            return self._parent.describe() + self._window_text()
        return self._describe()

    def _window_text(self) -> str:
        if self._window is None:
            return ""
        w = self._window
        text = f"[{'' if w.start is None else w.start}:{'' if w.stop is None else w.stop}"
        return text + (f":{w.step}]" if w.step is not None else "]")

    # -- the sequence protocol -----------------------------------------------------

    def _fill(self, upto: int | None) -> None:
        """Fetch until ``upto`` items are cached (all of them for ``None``)."""
        if self._done:
            return
        if self._source is None:
            self._source = self._sliced() if self._parent is not None else self._produce()
        while upto is None or len(self._cache) < upto:
            try:
                self._cache.append(next(self._source))
            except StopIteration:
                self._done = True
                self._source = None
                return

    def __iter__(self) -> Iterator[T]:
        index = 0
        while True:
            if index < len(self._cache):
                yield self._cache[index]
                index += 1
            elif self._done:
                return
            else:
                self._fill(index + 1)

    def __len__(self) -> int:
        self._fill(None)
        return len(self._cache)

    def __bool__(self) -> bool:
        self._fill(1)
        return bool(self._cache)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Self: ...

    def __getitem__(self, index: int | slice) -> T | Self:
        if isinstance(index, slice):
            if index.step == 0:
                raise InvalidArgumentError("slice step cannot be zero")
            view = self._clone()
            view._parent, view._window = self, index
            return cast("Self", view)  # _clone() makes a collection of this very class
        if not isinstance(index, int):
            raise InvalidArgumentTypeError(
                f"indices must be int or slice, not {type(index).__name__}"
            )
        self._fill(None if index < 0 else index + 1)
        try:
            return self._cache[index]
        except IndexError:
            raise IndexError(
                f"{self._noun} index {index} out of range ({len(self._cache)} {self._noun}s)"
            ) from None

    # -- conveniences --------------------------------------------------------------

    def first(self) -> T | None:
        """The first item, or ``None`` if there is none (fetches one page at most)."""
        self._fill(1)
        return self._cache[0] if self._cache else None

    def to_list(self) -> list[T]:
        """All items, as a list."""
        self._fill(None)
        return list(self._cache)

    def page(self, limit: int | None = None, offset: int | None = None) -> list[T]:
        """Items ``offset`` to ``offset + limit`` (``None``: from the start, to the end),
        as a list: the ``limit``/``offset`` of a listing, applied here."""
        check_page(limit, offset)
        start = offset or 0
        stop = None if limit is None else start + limit
        return self[start:stop].to_list()

    def iter_pages(self, page_size: int = 100) -> Iterator[list[T]]:
        """The items in lists of ``page_size`` (the last may be shorter)."""
        if not isinstance(page_size, int) or page_size < 1:
            raise InvalidArgumentError(f"page_size must be a positive int, got {page_size!r}")
        iterator = iter(self)
        while batch := list(itertools.islice(iterator, page_size)):
            yield batch

    def _sliced(self) -> Iterator[T]:
        assert self._parent is not None
        assert self._window is not None
        start, stop, step = self._window.start, self._window.stop, self._window.step
        if all(v is None or v >= 0 for v in (start, stop)) and (step is None or step > 0):
            # Forward windows stream: [2:5] fetches no further than it needs.
            return itertools.islice(self._parent, start, stop, step)
        return iter(self._parent.to_list()[self._window])

    def _check_unsliced(self) -> None:
        if self._parent is not None:
            raise InvalidArgumentTypeError(
                "A slice cannot be filtered or ordered; filter and order first"
            )

    def refresh(self) -> Collection[T]:
        """Forget fetched items; the next use fetches again. Returns the collection."""
        self._cache = []
        self._source = None
        self._done = False
        if self._parent is not None:
            self._parent.refresh()
        return self

    @property
    def fetched(self) -> bool:
        """Whether every item has been fetched."""
        return self._done

    def to_pandas(self, columns: Sequence[str] | None = None) -> pandas.DataFrame:
        """A pandas DataFrame of the items (see the module docs of the frame schema)."""
        return self._frame(self.to_list(), columns).to_pandas()

    def to_polars(self, columns: Sequence[str] | None = None) -> polars.DataFrame:
        """A polars DataFrame with the same columns and types as :meth:`to_pandas`."""
        return self._frame(self.to_list(), columns).to_polars()

    def to_arrow(self, columns: Sequence[str] | None = None) -> pyarrow.Table:
        """A :class:`pyarrow.Table` with the columns of :meth:`to_polars` (the ``arrow``
        extra), for DuckDB, Spark, Ray or any Arrow reader."""
        return self._frame(self.to_list(), columns).to_arrow()

    # -- display -------------------------------------------------------------------

    def __repr__(self) -> str:
        name = type(self).__name__
        desc = self.describe()
        desc = f" {desc}" if desc else ""
        if not self._done:
            return f"<{name}{desc} (not fetched yet)>"
        shown = ", ".join(repr(i) for i in self._cache[:3])
        more = f", … {len(self._cache) - 3} more" if len(self._cache) > 3 else ""
        return f"<{name}{desc} {len(self._cache)} {self._noun}s: [{shown}{more}]>"

    def _repr_html_(self) -> str:
        name = html.escape(type(self).__name__)
        if not self._done:
            return f"<p><b>{name}</b> {html.escape(self.describe())} (not fetched yet)</p>"
        rows = "".join(f"<li>{html.escape(repr(i))}</li>" for i in self._cache[:20])
        more = f"<li>… {len(self._cache) - 20} more</li>" if len(self._cache) > 20 else ""
        return f"<p><b>{name}</b> {len(self._cache)} {self._noun}s</p><ul>{rows}{more}</ul>"
