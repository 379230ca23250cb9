"""A metric's points: ``(step, value, timestamp)`` tuples that read like mappings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from .._frames.columns import Column
from .._types import JSON
from ._keys import MetricPointKeys

__all__ = ["MetricPoint", "points_of"]


class _Fields(NamedTuple):
    step: int
    value: float
    timestamp: float | None


_FIELDS = frozenset(_Fields._fields)


class MetricPoint(MetricPointKeys, tuple[Any, ...]):
    """One logged value of one metric: ``p["step"]``, ``p["value"]``, ``p["timestamp"]``
    (Unix seconds), or the same as attributes (``p.value``).

    A tuple ``(step, value, timestamp)`` underneath, made in C while a series is iterated
    (declared ``tuple[Any, ...]``: mypy reads a fixed-length tuple's subscripts itself,
    and would not see the typed keys). Iterating a 200,000-point series costs a few times
    what iterating 200,000 plain dicts does, and nothing is validated per point. It reads
    like a mapping (``keys()``, ``items()``, ``get()``, ``"value" in p``, ``dict(p)``,
    ``to_dict()`` for JSON); ``for x in p``, unpacking and ``p[0]`` treat it as the tuple
    it is. Build one with :meth:`of`, or from a ``(step, value, timestamp)`` sequence as
    for ``time.struct_time``.
    """

    __slots__ = ()

    _fields: ClassVar[tuple[str, ...]] = _Fields._fields
    # The fields' C accessors, borrowed from the named tuple of the same fields. The class
    # itself defines no __new__, so calling it is tuple's own constructor, in C.
    step: int = _Fields.step
    value: float = _Fields.value
    """Never null: a series keeps the steps where its metric has a value (see
    :attr:`MetricSeries.null_steps` for the others)."""
    timestamp: float | None = _Fields.timestamp

    @classmethod
    def of(cls, step: int, value: float, timestamp: float | None) -> MetricPoint:
        """The point ``(step, value, timestamp)``."""
        return cls((step, value, timestamp))

    def _item(self, key: Any) -> Any:
        # A method written in Python is the fastest subscript a tuple subclass can have:
        # CPython runs its frame inline, and getattr() reads the field in C.
        try:
            if key in _FIELDS:
                return getattr(self, key)
        except TypeError:  # an unhashable key: a slice on Python 3.11
            pass
        if isinstance(key, int | slice):
            return tuple.__getitem__(self, key)
        raise KeyError(key)

    def keys(self) -> tuple[str, ...]:
        return self._fields

    def values(self) -> tuple[Any, ...]:
        return tuple(self)

    def items(self) -> list[tuple[str, Any]]:
        return list(zip(self._fields, self, strict=True))

    def _get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if key in self else default

    if not TYPE_CHECKING:  # typed by MetricPointKeys (models/_keys.pyi), found first
        __getitem__ = _item
        get = _get

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in _FIELDS

    def to_dict(self) -> dict[str, JSON]:
        return dict(self.items())

    def __repr__(self) -> str:
        return f"MetricPoint(step={self.step}, value={self.value!r})"


def points_of(steps: Column, values: Column, stamps: Column) -> Iterator[MetricPoint]:
    # The class called on zip's triples makes each point in C, from the columns' own
    # buffers where they hold no null (measured fastest; see benchmarks/RESULTS.md).
    return map(MetricPoint, zip(steps, values, stamps, strict=True))
