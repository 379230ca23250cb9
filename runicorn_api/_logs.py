"""A run's console log (``logs.txt``): read from the run folder, or streamed by the viewer.

The viewer streams the log over a WebSocket (``/api/runs/{id}/logs/ws``): first the last
10,000 non-blank lines, then each new line as it is written, with ``[info] ...`` and
``[error] ...`` messages of its own in between. It never says when the first part ends,
so a reader takes a quiet spell of ``settle`` seconds as its end.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ._exceptions import NotFoundError

_TRUNCATED = re.compile(r"^\[info\] Showing last \d+ lines")
_NO_LOGS = ("[info] No logs available for this run", "[info] No logs yet")
SETTLE = 0.5
"""Seconds of silence after which the viewer's first burst of lines is taken as whole."""


def read_lines(path: Path) -> list[str]:
    """Every line of a log file (blank ones too), without line ends; none if missing."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return text.splitlines()


class FileTail:
    """Complete new lines of a growing file, by byte offset; a torn last line waits."""

    def __init__(self, path: Path, *, from_start: bool) -> None:
        self.path = path
        self.offset = 0 if from_start or not path.exists() else path.stat().st_size
        self._pending = b""

    def lines(self) -> list[str]:
        try:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return []
        self.offset += len(data)
        data = self._pending + data
        complete, _, self._pending = data.rpartition(b"\n")
        if not complete and not data.endswith(b"\n"):
            self._pending = data
            return []
        return complete.decode("utf-8", errors="replace").split("\n")


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
        import websocket

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
