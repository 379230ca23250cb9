"""A loopback HTTP fault proxy (asyncio) between a client and a real viewer.

It reads each request on a client connection, and either forwards it to the viewer (on a
fresh upstream connection) and relays the answer, or applies the next matching fault:

- ``reset``: forward the request, then reset the client connection instead of answering
  (the viewer did the work; the client never hears of it);
- ``503``: answer 503 itself, with ``Retry-After: 0``; the viewer never sees the request;
- ``truncate``: relay the head with its ``Content-Length`` and half of the body, then close;
- ``stall``: read the request and send nothing for ``stall`` seconds, then close;
- ``drip``: relay the answer in ``drip`` bytes at a time, ``drip_delay`` seconds apart.

``log`` records every request: method, path, the fault applied, and whether the viewer saw
it; the tests count injected faults and requests from it.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from dataclasses import dataclass

_HEAD_END = b"\r\n\r\n"


@dataclass
class Fault:
    kind: str
    count: int
    """Faults still to apply."""
    method: str | None = None
    path: str = ""
    burst: int = 0
    """With ``burst=n``: ``n`` matching requests get the fault, the next one passes, and
    so on (0: every matching request gets it until ``count`` runs out)."""
    _run: int = 0

    def take(self, method: str, path: str) -> bool:
        """Whether this request gets the fault (and count it)."""
        if self.count <= 0 or method != (self.method or method) or not path.startswith(self.path):
            return False
        if self.burst and self._run == self.burst:
            self._run = 0  # this one passes
            return False
        self._run += 1
        self.count -= 1
        return True


@dataclass(frozen=True)
class Record:
    method: str
    path: str
    fault: str | None
    upstream: bool


class FaultProxy:
    """Start with :meth:`start` (returns self), stop with :meth:`stop`; ``url`` is its URL."""

    def __init__(
        self, upstream: tuple[str, int], *, stall: float = 5.0, drip: int = 256,
        drip_delay: float = 0.002,
    ) -> None:  # fmt: skip
        self.upstream = upstream
        self.stall = stall
        self.drip = drip
        self.drip_delay = drip_delay
        self.log: list[Record] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def inject(
        self, kind: str, count: int = 1, *, method: str | None = None, path: str = "",
        burst: int = 0,
    ) -> None:  # fmt: skip
        """Apply ``kind`` to ``count`` requests that match ``method`` and the ``path``
        prefix; with ``burst=n``, in runs of ``n`` with one request let through between."""
        assert kind in ("reset", "503", "truncate", "stall", "drip"), kind
        with self._lock:
            self._faults.append(Fault(kind, count, method, path, burst))

    def injected(self, kind: str | None = None) -> int:
        return sum(1 for r in self.log if r.fault is not None and kind in (None, r.fault))

    def seen_upstream(self, method: str, path: str = "") -> int:
        return sum(1 for r in self.log
                   if r.upstream and r.method == method and r.path.startswith(path))  # fmt: skip

    def pending(self) -> int:
        with self._lock:
            return sum(f.count for f in self._faults)

    def start(self) -> FaultProxy:
        self._thread.start()

        async def listen() -> asyncio.AbstractServer:
            return await asyncio.start_server(self._serve, "127.0.0.1", 0)

        self._server = asyncio.run_coroutine_threadsafe(listen(), self._loop).result(30)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()
            for task in list(self._tasks):  # client connections still open (keep-alive)
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(30)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
        self._loop.close()

    def _take(self, method: str, path: str) -> str | None:
        with self._lock:
            for fault in self._faults:
                if fault.take(method, path):
                    return fault.kind
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(_HEAD_END)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                method, path, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
                body = await reader.readexactly(_content_length(head))
                fault = self._take(method, path)
                if fault == "503":
                    self.log.append(Record(method, path, fault, False))
                    payload = b'{"detail":"injected by the fault proxy"}'
                    writer.write(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\n"
                                 b"Content-Type: application/json\r\nContent-Length: "
                                 + str(len(payload)).encode() + _HEAD_END + payload)  # fmt: skip
                    await writer.drain()
                    continue
                if fault == "stall":
                    self.log.append(Record(method, path, fault, False))
                    await asyncio.sleep(self.stall)
                    return
                answer = await self._forward(head, body)
                self.log.append(Record(method, path, fault, True))
                if fault == "reset":
                    _reset(writer)
                    return
                answer_head, _, answer_body = answer.partition(_HEAD_END)
                answer_head = _keep_alive(answer_head) + _HEAD_END
                if fault == "truncate":
                    writer.write(answer_head + answer_body[: len(answer_body) // 2])
                    await writer.drain()
                    return
                if fault == "drip":
                    data = answer_head + answer_body
                    for i in range(0, len(data), self.drip):
                        writer.write(data[i : i + self.drip])
                        await writer.drain()
                        await asyncio.sleep(self.drip_delay)
                    continue
                writer.write(answer_head + answer_body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._tasks.discard(task)
            writer.transport.abort()

    async def _forward(self, head: bytes, body: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(*self.upstream)
        try:
            writer.write(_closing(head) + body)
            await writer.drain()
            return await reader.read()  # the viewer closes after its answer
        finally:
            writer.close()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _closing(head: bytes) -> bytes:
    lines = [ln for ln in head[: -len(_HEAD_END)].split(b"\r\n")
             if not ln.lower().startswith(b"connection:")]  # fmt: skip
    return b"\r\n".join([*lines, b"Connection: close"]) + _HEAD_END


def _keep_alive(head: bytes) -> bytes:
    return b"\r\n".join(
        ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")
    )


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:  # SO_LINGER 0: close() sends RST, not FIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
