"""A hostile viewer and a second origin, for what no real viewer can be made to do:
redirect a call (and its secrets) elsewhere, send an endless or trickling body, lie in
its headers, or name files outside its storage.

:class:`HostileViewer` answers each ``(method, path)`` from a handler function; every
other path 404s, and ``/api/health`` says 0.7.2. :class:`Recorder` is the other origin
a redirect points to (127.0.0.2, or another port): it records every request it gets,
headers and body, so a test can prove that nothing reached it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[BaseHTTPRequestHandler], None]


def send_json(h: BaseHTTPRequestHandler, body: Any, status: int = 200, **headers: str) -> None:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(payload)))
    for name, value in headers.items():
        h.send_header(name.replace("_", "-"), value)
    h.end_headers()
    h.wfile.write(payload)


def redirect(location: str, status: int = 302) -> Handler:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return handle


def chunked(
    chunks: Iterator[bytes], *, delay: float = 0.0, ctype: str = "application/json"
) -> Handler:
    """A chunked body from ``chunks`` (``delay`` seconds between them); stops quietly when
    the client hangs up."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for chunk in chunks:
                h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                h.wfile.flush()
                if delay:
                    time.sleep(delay)
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    return handle


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class _Server:
    host: str = "127.0.0.1"
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    health: dict[str, Any] = field(
        default_factory=lambda: {"status": "ok", "version": "0.7.2", "storage": "/nowhere"}
    )
    url: str = ""

    def on(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handle(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                server.seen.append(Seen(self.command, path, dict(self.headers.items()), body))
                handler = server.routes.get((self.command, path))
                if handler is not None:
                    handler(self)
                elif path == "/api/health":
                    send_json(self, server.health)
                else:
                    send_json(self, {"detail": "Not Found"}, 404)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handle

    @contextmanager
    def running(self) -> Iterator[str]:
        httpd = ThreadingHTTPServer((self.host, 0), self._handler())
        httpd.daemon_threads = True
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        self.url = f"http://{self.host}:{httpd.server_address[1]}"
        try:
            yield self.url
        finally:
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)


class HostileViewer(_Server):
    """The viewer the client was pointed at (127.0.0.1)."""


class Recorder(_Server):
    """The other origin: answers 200 ``{}`` to anything and records it."""

    def __init__(self, host: str = "127.0.0.2") -> None:
        super().__init__(host=host)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler()
        recorder = self

        class Record(base):  # type: ignore[misc, valid-type]
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                recorder.seen.append(Seen(self.command, path, dict(self.headers.items()), body))
                send_json(self, {})

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        return Record


@contextmanager
def hostile_pair(other_host: str = "127.0.0.2") -> Iterator[tuple[HostileViewer, Recorder]]:
    """A hostile viewer on 127.0.0.1 and a recorder on ``other_host``, both running."""
    viewer, other = HostileViewer(), Recorder(other_host)
    with viewer.running(), other.running():
        yield viewer, other
