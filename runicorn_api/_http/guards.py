"""What a server cannot make the client do: send its secrets elsewhere, or keep reading.

* **Origins.** Credentials belong to the origin (scheme, host, port) of the base URL.
  :func:`redirect_guard` refuses a redirect to any other origin, and every https → http
  redirect, before it is followed: requests would strip only ``Authorization`` there,
  and re-send the other headers, and a 307/308 re-sends the body. The refusal is an
  :class:`~runicorn_api.UnsafeRedirectError` naming where the redirect pointed, without
  its query string or user info. Redirects within the origin are followed as before.
* **Deadlines.** A socket timeout bounds each read, not a body: a server that trickles
  one byte a second never trips it. :func:`body_deadline` gives a body an overall
  deadline; one watchdog thread for the whole process shuts the socket down when it
  passes (``urllib3``'s :meth:`HTTPResponse.shutdown`), which wakes the blocked read.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from .._exceptions import UnsafeRedirectError

__all__ = [
    "Origin",
    "body_deadline",
    "origin_of",
    "redact_userinfo",
    "redirect_guard",
    "refuse_redirect",
    "shown_url",
]

Origin = tuple[str, str, int]
_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` of ``url``; ``ws``/``wss`` count as ``http``/``https``."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme.lower())
    try:
        port = parts.port
    except ValueError:
        port = -1  # a port that does not parse matches no origin
    return scheme, (parts.hostname or "").lower(), port or _PORTS.get(scheme, -1)


def shown_url(url: str) -> str:
    """``url`` as a message may show it: no user info, query string or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return parts._replace(netloc=host + port, query="", fragment="").geturl()


_USERINFO = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*:)?(?P<slashes>//)?[^/?#@\s]*@")


def redact_userinfo(text: str) -> str:
    """``text`` (a URL, or something meant to be one) with any ``user:password@`` shown
    as ``***@``: what a refusal of a malformed URL may echo."""
    return _USERINFO.sub(lambda m: f"{m['head'] or ''}{m['slashes'] or ''}***@", text, count=1)


def refuse_redirect(base: Origin, source: str, location: str, *, method: str) -> None:
    """Raise :class:`UnsafeRedirectError` if ``location`` (relative to ``source``) leaves
    the origin ``base``."""
    target = urljoin(source, location)
    if origin_of(target) == base:
        return
    shown = shown_url(target)
    downgrade = base[0] == "https" and origin_of(target)[0] != "https"
    why = "from https to plain http" if downgrade else "to another origin"
    raise UnsafeRedirectError(
        f"{method} {shown_url(source)} answered with a redirect {why}: {shown}. It was not "
        "followed, so no credential, header or body of this call reached it. Pass that "
        "viewer's own URL as base_url if you trust it.",
        location=shown,
        method=method,
        url=shown_url(source),
    )


def redirect_guard(base_url: str) -> Callable[..., requests.Response]:
    """A requests response hook that refuses a redirect out of ``base_url``'s origin
    (requests calls it on every response, each hop of a redirect chain included)."""
    base = origin_of(base_url)

    def guard(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        location = response.headers.get("Location")
        if response.is_redirect and location is not None:
            try:
                refuse_redirect(
                    base, response.url, location, method=response.request.method or "GET"
                )
            except UnsafeRedirectError:
                response.close()
                raise
        return response

    return guard


# -- body deadlines -------------------------------------------------------------------


@dataclass(eq=False)
class Watch:
    """One body being read: shut down when its deadline passes, unless done by then."""

    shutdown: Callable[[], None]
    fired: bool = False
    done: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.fired = True
        with contextlib.suppress(Exception):  # already closed or released: nothing to wake
            self.shutdown()

    def finish(self) -> None:
        with self._lock:
            self.done = True


class _Watchdog:
    """One daemon thread for the process, sleeping until the nearest deadline."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watch]] = []
        self._count = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, deadline: float, watch: Watch) -> None:
        with self._wake:
            heapq.heappush(self._heap, (deadline, next(self._count), watch))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="runicorn_api-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is watch:
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                deadline, _, watch = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
            watch.fire()


_WATCHDOG = _Watchdog()


@contextlib.contextmanager
def body_deadline(raw: Any, seconds: float | None) -> Iterator[Watch]:
    """While the block reads ``raw`` (a urllib3 response), shut its socket down once
    ``seconds`` have passed; ``watch.fired`` then says the deadline ended the read.
    ``None`` means no deadline."""
    watch = Watch(shutdown=raw.shutdown)
    if seconds is not None:
        _WATCHDOG.add(time.monotonic() + seconds, watch)
    try:
        yield watch
    finally:
        watch.finish()
