"""Deprecated name of :mod:`runicorn_api.formats` (it collided with ``client.exports``);
its names still answer here, with a ``DeprecationWarning``, until 1.0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._common.moved import moved

__getattr__: Callable[[str], Any] = moved(__name__, "runicorn_api.formats")
