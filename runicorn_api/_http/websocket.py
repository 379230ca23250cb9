"""The viewer's WebSocket routes: opening one (with the client's credentials) and
reading a run's log stream from it.

The viewer streams a log over ``/api/runs/{id}/logs/ws``: first the last 10,000
non-blank lines, then each new line as it is written, with ``[info] ...`` and
``[error] ...`` messages of its own in between. It never says when the first part ends,
so a reader takes a quiet spell of :data:`SETTLE` seconds as its end.
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

import requests
import requests.auth

from .._common.deps import require
from .._exceptions import APIConnectionError, NotFoundError
from .guards import origin_of, refuse_redirect

__all__ = ["SETTLE", "ViewerStream", "open_websocket"]

_TRUNCATED = re.compile(r"^\[info\] Showing last \d+ lines")
_NO_LOGS = ("[info] No logs available for this run", "[info] No logs yet")
SETTLE = 0.5
"""Seconds of silence after which the viewer's first burst of lines is taken as whole."""


def open_websocket(
    url: str,
    *,
    auth: object,
    headers: Mapping[str, str | bytes] | None = None,
    verify: object = True,
    cert: object = None,
    timeout: float | None,
    what: str,
) -> Any:
    """Open the WebSocket at ``url`` (``ws://`` or ``wss://``) as the client's session
    would send a request: ``auth`` (a pair or a :class:`requests.auth.AuthBase`) and
    ``headers`` on the upgrade, ``verify`` and ``cert`` for TLS; ``recv()`` then waits at
    most ``timeout`` seconds. A redirect within ``url``'s origin is followed (3 at most);
    one to another origin raises :class:`UnsafeRedirectError`, and the credentials go
    nowhere else.

    Raises:
        MissingDependencyError: websocket-client (the ``logs`` extra) is not installed.
        APIConnectionError: The viewer (or a proxy) refused or dropped the upgrade.
    """
    websocket = require("websocket")
    prepared = requests.Request(
        "GET",
        "http" + url[len("ws") :],
        headers=dict(headers or {}),
        auth=auth if isinstance(auth, tuple | requests.auth.AuthBase) else None,
    ).prepare()
    header = [
        f"{name}: {value}"
        for name, value in prepared.headers.items()
        if name.lower() not in _NOT_ON_UPGRADE
    ]
    base = origin_of(url)
    for _ in range(_REDIRECTS + 1):
        socket = websocket.WebSocket(sslopt=_sslopt(verify, cert))
        try:
            # websocket-client would follow a redirect with the same headers, to any host.
            socket.connect(url, timeout=timeout, header=header, redirect_limit=0)
            return socket
        except (OSError, websocket.WebSocketException) as err:
            answer = getattr(socket, "handshake_response", None)
            location = answer.headers.get("location") if answer is not None else None
            if location is None or answer is None or answer.status not in _REDIRECT_STATUSES:
                raise APIConnectionError(f"{what} could not be opened: {err}", url=url) from err
            refuse_redirect(base, url, location, method="GET (WebSocket)")
            url = urljoin(url, location)
    raise APIConnectionError(f"{what} could not be opened: more than {_REDIRECTS} redirects")


_REDIRECTS = 3
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

_NOT_ON_UPGRADE = frozenset({"accept", "accept-encoding", "connection", "content-length", "host"})
"""Session headers the WebSocket handshake sets itself (or that would break it)."""


def _sslopt(verify: object, cert: object) -> dict[str, Any]:
    """websocket-client's TLS options for requests' ``verify`` and ``cert``."""
    options: dict[str, Any] = {}
    if verify is False:
        options["cert_reqs"] = ssl.CERT_NONE
        options["check_hostname"] = False
    elif isinstance(verify, str | os.PathLike):
        key = "ca_cert_path" if os.path.isdir(verify) else "ca_certs"
        options[key] = str(verify)
    if isinstance(cert, tuple):
        options["certfile"], options["keyfile"] = str(cert[0]), str(cert[1])  # pyright: ignore[reportUnknownArgumentType]
    elif isinstance(cert, str | os.PathLike):
        options["certfile"] = str(cert)
    return options


class ViewerStream:
    """The viewer's WebSocket stream of a run's log, as lines and flags."""

    def __init__(self, socket: Any, run_id: str) -> None:
        self.socket = socket
        self.run_id = run_id
        self.truncated = False
        self.finished_empty = False

    def receive(self, wait: float | None) -> list[str] | None:
        """The lines of the next message (``[]`` for a viewer's own note), or ``None``
        when nothing came within ``wait`` seconds or the stream ended."""
        websocket = require("websocket")

        self.socket.settimeout(wait)
        try:
            message = self.socket.recv()
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketConnectionClosedException, OSError):
            self.finished_empty = True
            return None
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        if text.startswith("[error] run not found"):
            raise NotFoundError(f"Run {self.run_id} not found (logs WebSocket)")
        if text.startswith(("[info] ", "[error] ")):
            if _TRUNCATED.match(text):
                self.truncated = True
            if text.startswith(_NO_LOGS):
                self.finished_empty = True
            return []
        return [text] if text else []

    def burst(self, first_wait: float | None) -> list[str]:
        """Every line the viewer sends before it falls quiet for :data:`SETTLE` s."""
        lines: list[str] = []
        wait = first_wait
        while not self.finished_empty:
            got = self.receive(wait)
            if got is None:
                break
            lines += got
            wait = SETTLE
        return lines

    def close(self) -> None:
        self.socket.close()
