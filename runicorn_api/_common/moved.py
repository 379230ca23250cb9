"""Names that moved: the old place keeps answering, with a ``DeprecationWarning`` that
names the new one, until 1.0. One mechanism for every rename; a module assigns what
:func:`moved` returns to its ``__getattr__``."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["moved"]


def moved(old: str, new: Mapping[str, str] | str) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the module ``old`` whose names now live in ``new``:
    one module for all of them, or a mapping ``{name: "module.name"}``.

    Any other name raises ``AttributeError`` as usual.
    """

    def getattr_(name: str) -> Any:
        if isinstance(new, str):
            module, attribute = new, name
        elif name in new:
            module, _, attribute = new[name].rpartition(".")
        else:
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), attribute, _MISSING)
        if value is _MISSING:
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warnings.warn(
            f"{old}.{name} moved to {module}.{attribute}; the old name goes in 1.0",
            DeprecationWarning,
            stacklevel=2,
        )
        return value

    return getattr_


_MISSING = object()
