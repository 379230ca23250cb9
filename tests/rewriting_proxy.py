"""A loopback proxy in front of a real viewer that rewrites paths in its JSON bodies.

It stands in for what a client on this machine cannot otherwise be shown: a viewer whose
storage lives elsewhere (behind an SSH tunnel, on a team server) while a folder at the
same path here holds other data. Every ``GET`` is forwarded to the viewer; occurrences of
``old`` in a JSON body are replaced with ``new`` before the body is passed on.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from tests.scripted_server import loopback_server


def _handler(upstream: str, old: bytes, new: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                with urllib.request.urlopen(upstream + self.path, timeout=60) as answer:
                    status, headers, body = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as err:
                status, headers, body = err.code, err.headers, err.read()
            if "json" in headers.get("Content-Type", ""):
                body = body.replace(old, new)
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection",
                                        "date", "server"):  # fmt: skip
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def rewriting_proxy(upstream: str, old: str, new: str) -> Iterator[str]:
    """A proxy on a free 127.0.0.1 port for the ``with`` block; yields its URL."""
    with loopback_server(_handler(upstream, old.encode(), new.encode())) as url:
        yield url
