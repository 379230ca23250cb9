"""Progress bars: one mechanism for every ``progress=`` option of the SDK.

``progress`` is ``False`` (none), ``True`` (a tqdm bar; the ``progress`` extra), ``None``
(the default: a tqdm bar only for work of at least ``auto_from`` units, when tqdm is
installed), or a factory ``progress(total, unit, description)`` that returns any object
with ``update(n)`` and ``close()`` (the CLI passes one that draws with rich).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .._exceptions import InvalidArgumentTypeError, MissingDependencyError
from .deps import require

__all__ = ["Bar", "ProgressFactory", "ProgressOption", "check_progress", "open_bar"]


class Bar(Protocol):
    def update(self, n: int, /) -> Any: ...

    def close(self) -> Any: ...


ProgressFactory = Callable[[int | None, str, str], Bar]
ProgressOption = bool | None | ProgressFactory


def check_progress(progress: object) -> None:
    """Refuse, before any work, a ``progress`` that is none of the four kinds; and
    ``True`` without tqdm."""
    if progress is None or isinstance(progress, bool):
        if progress:
            _tqdm()
        return
    if not callable(progress):
        raise InvalidArgumentTypeError(
            f"progress must be True, False, None or a callable(total, unit, description), "
            f"got {progress!r}"
        )


def _tqdm() -> Any:
    return require("tqdm.auto").tqdm


def open_bar(
    progress: ProgressOption,
    total: int | None,
    *,
    unit: str,
    desc: str,
    auto_from: int | None = None,
) -> Bar | None:
    """A bar for ``total`` units of work, or ``None`` for no bar (see the module docs)."""
    if progress is False:
        return None
    if callable(progress) and not isinstance(progress, bool):
        return progress(total, unit, desc)
    if progress is None:
        if auto_from is None or (total or 0) < auto_from:
            return None
        try:
            tqdm = _tqdm()
        except MissingDependencyError:
            return None
    else:
        tqdm = _tqdm()
    bar: Bar = tqdm(total=total, unit=unit, unit_scale=unit == "B", desc=desc)
    return bar
