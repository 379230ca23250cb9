"""``client.diagnostics``: the viewer's own logs (0.7.x), listed, read and followed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from .._common.deps import require
from .._common.follow import Follower
from .._exceptions import InvalidArgumentError, NotFoundError
from .._types import NOT_GIVEN, Timeout
from .._validation import check_bool, check_int, check_timeout
from ..models.diagnostics import DiagnosticsSources
from ._base import Resource

__all__ = ["DiagnosticsResource"]

MAX_LINES = 5000
"""The most lines the viewer returns from a log's end."""
_UNKNOWN = "[error] Unknown diagnostics source"
_WAITING = "[info] Waiting for diagnostics log"


class DiagnosticsResource(Resource):
    """``client.diagnostics``: the viewer's logs (``viewer``, ``session``, ...; 0.7.x)."""

    def sources(self, *, timeout: Timeout = NOT_GIVEN) -> DiagnosticsSources:
        """The logs the viewer keeps, and which it shows first.

        :calls: ``GET /api/diagnostics/sources``
        """
        self._core.require_route("GET", "/api/diagnostics/sources")
        return self._get("/api/diagnostics/sources", DiagnosticsSources, timeout=timeout)

    def logs(
        self,
        source: str | None = None,
        *,
        lines: int = 400,
        full: bool = False,
        timeout: Timeout = NOT_GIVEN,
    ) -> str:
        """The last ``lines`` lines of a log (the whole file with ``full``), as text;
        ``source`` defaults to the one the viewer shows first.

        :calls: ``GET /api/diagnostics/logs?source=&lines=&download=`` (and, without
            ``source``, ``GET /api/diagnostics/sources``)

        Raises:
            NotFoundError: The viewer has no log of that name.
        """
        check_int("lines", lines, minimum=1, maximum=MAX_LINES)
        check_bool("full", full)
        self._core.require_route("GET", "/api/diagnostics/logs")
        name = self._source(source, timeout)
        body = self._core.raw(
            "GET",
            "/api/diagnostics/logs",
            params={"source": name, "lines": lines, "download": "true" if full else "false"},
            timeout=timeout,
            expect="bytes",
        )
        return body.decode("utf-8", "replace")

    def follow(
        self, source: str | None = None, *, lines: int = 400, timeout: float | None = None
    ) -> Follower[str]:
        """The log's last ``lines`` lines, then each line as the viewer writes it, until
        ``timeout`` seconds pass (forever if ``None``) or the viewer closes the socket.
        ``close()`` it, or use it in a ``with`` block, to close the socket.

        :calls: ``WS /api/diagnostics/logs/ws?source=&lines=`` (and, without ``source``,
            ``GET /api/diagnostics/sources``)

        Raises:
            NotFoundError: The viewer has no log of that name (on the first line).
        """
        check_int("lines", lines, minimum=1, maximum=MAX_LINES)
        check_timeout(timeout)
        self._core.require_route("WS", "/api/diagnostics/logs/ws")
        name = self._source(source, NOT_GIVEN)
        query = urlencode({"source": name, "lines": lines})
        socket = self._core.websocket(f"/api/diagnostics/logs/ws?{query}")
        return Follower(_lines(socket, name, timeout), on_close=socket.close)

    def _source(self, source: str | None, timeout: Timeout) -> str:
        if source is None:
            return self.sources(timeout=timeout).default_source
        if not isinstance(source, str) or not source:
            raise InvalidArgumentError(
                f"source must be a log's id such as 'viewer' (see client.diagnostics."
                f"sources()), got {source!r}"
            )
        return source


def _lines(socket: Any, source: str, timeout: float | None) -> Iterator[str]:
    websocket = require("websocket")
    deadline = None if timeout is None else time.monotonic() + timeout
    while deadline is None or time.monotonic() < deadline:
        left = 0.5 if deadline is None else max(0.01, min(0.5, deadline - time.monotonic()))
        socket.settimeout(left)
        try:
            message = socket.recv()
        except websocket.WebSocketTimeoutException:
            continue
        except (websocket.WebSocketConnectionClosedException, OSError):
            return
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        if not text and not socket.connected:
            return
        if text.startswith(_UNKNOWN):
            raise NotFoundError(f"The viewer has no diagnostics log {source!r}")
        if text.startswith(_WAITING):
            continue
        yield text
