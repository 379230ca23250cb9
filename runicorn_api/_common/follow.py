"""Following something that grows (a run's log, its metrics) until the run stops."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Follower(Iterator[T], Generic[T]):
    """Items as a run produces them; ``close()`` or leaving a ``with`` block releases the
    file or socket behind it, even if it was never iterated."""

    def __init__(self, items: Iterator[T], on_close: Callable[[], None] | None = None) -> None:
        self._items = items
        self._on_close = on_close

    def __next__(self) -> T:
        try:
            return next(self._items)
        except StopIteration:
            self.close()
            raise

    def close(self) -> None:
        close = getattr(self._items, "close", None)
        if close is not None:
            close()
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close()

    def __enter__(self) -> Follower[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


def follow(
    next_items: Callable[[float], list[T] | None],
    running: Callable[[], bool],
    *,
    timeout: float | None,
    poll: float,
    check_every: float = 1.0,
) -> Iterator[T]:
    """Yield from ``next_items(wait)`` until the run stops running (then once more, for
    what came just before the end) or ``timeout`` seconds pass. ``next_items`` returns
    ``[]`` when there is nothing new yet (having waited up to ``wait`` seconds) and
    ``None`` when its source has ended for good."""
    deadline = None if timeout is None else time.monotonic() + timeout
    checked = time.monotonic()
    while deadline is None or time.monotonic() < deadline:
        items = next_items(poll)
        if items is None:
            return
        yield from items
        if items:
            continue
        if time.monotonic() - checked >= check_every:
            checked = time.monotonic()
            if not running():
                yield from next_items(0.0) or []
                return
