"""Filter expressions for collections: ``F("summary.accuracy") > 0.9``.

Expressions combine with ``&``, ``|`` and ``~``::

    from runicorn_api.filters import F

    good = client.experiments.filter(
        (F("summary.accuracy") > 90) & ~F("tags").contains("ablation")
    )

A key is a model attribute (``status``, ``created_at``, ``path``, ``tags``, ...) or a
dotted path into a dict or model attribute (``summary.lr``, ``config.optimizer.name``,
``best_metric.value``), or a per-run reduction of a metric,
``metrics.<name>.<reduction>`` with ``last``, ``last_step``, ``min``, ``max`` or
``count`` (``F("metrics.loss.min") < 0.2``), which the collection reads for the runs it
lists (see :class:`~runicorn_api.MetricSummary`). A key an
item lacks compares false with everything (``~`` of such a comparison is true), like a
SQL NULL; use :meth:`F.exists` to ask for the key itself. A key that no item of the
collection has at all is taken for a typo: iterating it raises an error naming the key
and the closest keys the items do have.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, ClassVar

from ._common.reductions import REDUCTIONS, reduction_key
from ._exceptions import InvalidArgumentError, InvalidArgumentTypeError

__all__ = ["MISSING", "Expr", "F", "reduction_key", "resolve", "to_utc"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""What :func:`resolve` returns for a key an item lacks."""


def resolve(item: Any, key: str) -> Any:
    """The value of ``key`` (dotted) on ``item``, or :data:`MISSING`.

    A reduction key (see :func:`reduction_key`) reads ``item.metric_summaries``.
    """
    reduced = reduction_key(key)
    if reduced is not None:
        summaries = getattr(item, "metric_summaries", None)
        summary = summaries.get(reduced[0]) if isinstance(summaries, dict) else None
        value = getattr(summary, reduced[1], None) if summary is not None else None
        return MISSING if value is None else value
    head, _, rest = key.partition(".")
    value = getattr(item, head, MISSING)
    for part in rest.split(".") if rest else ():
        if isinstance(value, dict):
            value = value.get(part, MISSING)
        else:  # a nested model, such as best_metric.value
            value = getattr(value, part, MISSING) if value is not None else MISSING
        if value is MISSING:
            return MISSING
    return value


def to_utc(value: datetime | str | float | int, *, label: str) -> datetime:
    """An aware UTC datetime from a datetime, ISO string or Unix seconds.

    Raises:
        ValueError: For a naive datetime (its zone would be a guess) or a bad string.
    """
    if isinstance(value, bool):
        raise InvalidArgumentTypeError(f"{label} must be a datetime, ISO string or Unix seconds")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as err:
            raise InvalidArgumentError(f"{label}: {value!r} is not an ISO 8601 datetime") from err
    if not isinstance(value, datetime):
        raise InvalidArgumentTypeError(f"{label} must be a datetime, ISO string or Unix seconds")
    if value.tzinfo is None:
        raise InvalidArgumentError(
            f"{label} is a naive datetime; give it a timezone "
            "(e.g. datetime(..., tzinfo=timezone.utc))"
        )
    return value.astimezone(timezone.utc)


class Expr:
    """A predicate over items; combine with ``&``, ``|``, ``~``."""

    def __init__(
        self,
        test: Callable[[Any], bool],
        text: str,
        keys: frozenset[str],
        optional: frozenset[str] = frozenset(),
    ) -> None:
        self._test = test
        self._text = text
        self.keys = keys
        """The keys the expression reads (used to know which details to fetch)."""
        self.optional = optional
        """The keys asked about with :meth:`F.exists`: no item need have them. Any other
        key that no fetched item has is taken for a typo (the collection says so)."""

    def __call__(self, item: Any) -> bool:
        return self._test(item)

    def __and__(self, other: Expr) -> Expr:
        return Expr(
            lambda i: self(i) and other(i),
            f"({self} & {other})",
            self.keys | other.keys,
            self.optional | other.optional,
        )

    def __or__(self, other: Expr) -> Expr:
        return Expr(
            lambda i: self(i) or other(i),
            f"({self} | {other})",
            self.keys | other.keys,
            self.optional | other.optional,
        )

    def __invert__(self) -> Expr:
        return Expr(lambda i: not self(i), f"~{self}", self.keys, self.optional)

    def __bool__(self) -> bool:
        raise InvalidArgumentTypeError("Combine filter expressions with &, | and ~, not and/or/not")

    def __repr__(self) -> str:
        return self._text


def _compare(key: str, op: Callable[[Any, Any], bool], symbol: str, other: Any) -> Expr:
    if isinstance(other, datetime | str) and key in ("created_at", "updated_at"):
        other = to_utc(other, label=f"F({key!r}) {symbol}")

    def test(item: Any) -> bool:
        value = resolve(item, key)
        if value is MISSING or value is None:
            return False
        try:
            return bool(op(value, other))
        except TypeError:
            return False

    return Expr(test, f"F({key!r}) {symbol} {other!r}", frozenset({key}))


class F:
    """A reference to a field of the items being filtered."""

    __hash__: ClassVar[None] = None  # type: ignore[assignment]

    def __init__(self, key: str) -> None:
        if not isinstance(key, str) or not key or key.startswith(".") or ".." in key:
            raise InvalidArgumentError(f"Invalid field key {key!r}")
        if key.startswith("metrics.") and reduction_key(key) is None:
            raise InvalidArgumentError(
                f"Invalid metric key {key!r}: use metrics.<name>.<reduction>, the reduction "
                f"one of {', '.join(REDUCTIONS)}"
            )
        self.key = key

    def __eq__(self, other: object) -> Expr:  # type: ignore[override]
        return _compare(self.key, operator.eq, "==", other)

    def __ne__(self, other: object) -> Expr:  # type: ignore[override]
        return _compare(self.key, operator.ne, "!=", other)

    def __gt__(self, other: Any) -> Expr:
        return _compare(self.key, operator.gt, ">", other)

    def __ge__(self, other: Any) -> Expr:
        return _compare(self.key, operator.ge, ">=", other)

    def __lt__(self, other: Any) -> Expr:
        return _compare(self.key, operator.lt, "<", other)

    def __le__(self, other: Any) -> Expr:
        return _compare(self.key, operator.le, "<=", other)

    def isin(self, values: Iterable[Any]) -> Expr:
        """The value is one of ``values``."""
        pool = list(values)
        return _compare(self.key, lambda v, p: v in p, "in", pool)

    def contains(self, member: Any) -> Expr:
        """The value (a list or string) contains ``member``."""
        return _compare(self.key, operator.contains, "contains", member)

    def startswith(self, prefix: str) -> Expr:
        return _compare(self.key, lambda v, p: str(v).startswith(p), "startswith", prefix)

    def exists(self) -> Expr:
        """The item has the key (its value may be ``None``)."""
        key = self.key
        return Expr(
            lambda i: resolve(i, key) is not MISSING,
            f"F({key!r}).exists()",
            frozenset({key}),
            frozenset({key}),
        )

    def __repr__(self) -> str:
        return f"F({self.key!r})"
