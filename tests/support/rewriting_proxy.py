"""A loopback proxy in front of a real viewer that rewrites paths in its JSON bodies.

It stands in for what a client on this machine cannot otherwise be shown: a viewer whose
storage lives elsewhere (behind an SSH tunnel, on a team server) while a folder at the
same path here holds other data. Every ``GET`` is forwarded to the viewer; occurrences of
``old`` in a body are replaced with ``new`` before the body is passed on.
:func:`tampering_proxy` is the general form: it can tear or replace any body.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from tests.support.scripted_server import loopback_server

Tamper = Callable[[str, bytes], tuple[bytes, int | None]]
"""``(path, body) → (body, bytes to send)``: ``None`` sends the whole body; fewer bytes
than the announced ``Content-Length`` tear the body, as a dropped connection would."""


def _handler(upstream: str, tamper: Tamper) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                with urllib.request.urlopen(upstream + self.path, timeout=60) as answer:
                    status, headers, body = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as err:
                status, headers, body = err.code, err.headers, err.read()
            body, send = tamper(self.path, body)
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection",
                                        "date", "server"):  # fmt: skip
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body if send is None else body[:send])
            if send is not None:
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def rewriting_proxy(upstream: str, old: str, new: str) -> Iterator[str]:
    """A proxy on a free 127.0.0.1 port for the ``with`` block; yields its URL."""

    def rewrite(path: str, body: bytes) -> tuple[bytes, int | None]:
        return body.replace(old.encode(), new.encode()), None

    with tampering_proxy(upstream, rewrite) as url:
        yield url


@contextmanager
def tampering_proxy(upstream: str, tamper: Tamper) -> Iterator[str]:
    """A proxy on a free 127.0.0.1 port that passes every body through ``tamper``."""
    with loopback_server(_handler(upstream, tamper)) as url:
        yield url
