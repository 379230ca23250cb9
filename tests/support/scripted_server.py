"""A loopback HTTP server that answers from a script, for what a real viewer can't be made
to do (bursts of 5xx, Retry-After on demand, slow or malformed bodies).

Unlike a mock it is a real socket, so urllib3's retries, backoff and Retry-After handling
run exactly as they do against a viewer.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEALTH = {"status": "ok", "version": "0.7.2", "storage": "/tmp/x"}


@dataclass
class Reply:
    status: int = 200
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class Script:
    """Replies per (method, path): consumed in order; the last one repeats."""

    replies: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    seen: list[tuple[str, str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, method: str, path: str, *replies: Reply) -> Script:
        self.replies[(method, path)] = list(replies)
        return self

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.seen if (m, p) == (method, path))

    def times(self, method: str, path: str) -> list[float]:
        return [t for m, p, t in self.seen if (m, p) == (method, path)]

    def next(self, method: str, path: str) -> Reply:
        with self.lock:
            self.seen.append((method, path, time.monotonic()))
            if path == "/api/health" and (method, path) not in self.replies:
                return Reply(body=HEALTH)
            queue = self.replies.get((method, path))
            if not queue:
                return Reply(404, {"detail": "Not Found"})
            return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            reply = script.next(self.command, self.path.split("?")[0])
            if reply.delay:
                time.sleep(reply.delay)
            payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def scripted_server(script: Script) -> Iterator[str]:
    with loopback_server(_handler(script)) as url:
        yield url


@contextmanager
def loopback_server(
    handler: type[BaseHTTPRequestHandler], *, tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    """A threaded HTTP server on a free 127.0.0.1 port for the ``with`` block; its URL
    (always ``http://``: a ``tls`` context makes it a TLS port spoken to by mistake)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
