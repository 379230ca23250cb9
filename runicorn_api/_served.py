"""Which routes the connected viewer serves, as it says itself: its ``/openapi.json``,
read once, at the first question, by :class:`ServedRoutes`.

Releases of one generation differ in routes (a 0.7-generation build without
``POST /api/runs/export``, a proxy that hides one), so the route table's generations
are only what a viewer *may* serve. Where the viewer's own document lists its routes,
a route it does not list is not served: the SDK takes its fallback path, or raises
:class:`~runicorn_api.UnsupportedFeatureError` before any request. A route the document
lists but the viewer's generation never served is not used either: the SDK reads each
route's answers as its generation writes them. WebSocket routes are not in an OpenAPI
document; for them, and for a viewer whose document cannot be read (a proxy that
blocks it, a viewer that turned it off), the generation decides.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ._exceptions import APIConnectionError, RunicornAPIError

__all__ = ["ServedRoutes"]

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


class ServedRoutes:
    """The routes one viewer's ``/openapi.json`` lists, read at the first question.

    Args:
        fetch: Reads the document (``GET /openapi.json``, parsed).
    """

    def __init__(self, fetch: Callable[[], Any]) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._routes: frozenset[tuple[str, str]] | None = None
        self._read = False

    def lists(self, method: str, path: str) -> bool | None:
        """Whether the document lists ``method path`` (a path template); ``None`` where
        it cannot say (a WebSocket route, or no document).

        :calls: ``GET /openapi.json``, the first time only (again after a connection
            error)
        """
        if method.upper() not in _METHODS:
            return None
        routes = self._load()
        if routes is None:
            return None
        return (method.upper(), path) in routes

    def _load(self) -> frozenset[tuple[str, str]] | None:
        with self._lock:
            if not self._read:
                try:
                    self._routes = _parse(self._fetch())
                except APIConnectionError:
                    raise  # the viewer is not there: asked again next time
                except RunicornAPIError:
                    self._routes = None  # no document: the generation decides
                self._read = True
            return self._routes


def _parse(document: Any) -> frozenset[tuple[str, str]] | None:
    """``(METHOD, template)`` of every operation of an OpenAPI document, or ``None`` if
    ``document`` is not one."""
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict) or not paths:
        return None
    found: set[tuple[str, str]] = set()
    for template, operations in paths.items():  # pyright: ignore[reportUnknownVariableType]
        if isinstance(template, str) and isinstance(operations, dict):
            for method in operations:  # pyright: ignore[reportUnknownVariableType]
                if isinstance(method, str) and method.upper() in _METHODS:
                    found.add((method.upper(), template))
    return frozenset(found)
