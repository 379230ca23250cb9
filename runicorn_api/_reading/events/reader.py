"""Reading an ``events.jsonl`` incrementally: the byte offset and the merged rows are kept
per file, so reading a growing run again parses only the new bytes, and only whole lines
are consumed. Files never read are parsed several per polars call (:meth:`EventsFiles.prime`)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from ..._common.contain import open_if_file, read_at
from ..._common.deps import available
from ..._common.jsontext import parse_json
from ..._exceptions import UnsafePathError
from ...models.metrics import RunMetrics
from .fast import FastRows, NeedPython, Part, parse
from .reference import ViewerRows

__all__ = ["EventsFile", "EventsFiles"]

_PIECE = 4 << 20  # bytes of one file read and parsed at a time (bounds a big run's peak)
_BATCH = 16 << 20  # bytes of several small files parsed together (fewer, larger calls)


class EventsFile:
    """The metrics of one ``events.jsonl``, kept up to date by reading only new bytes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)  # a str: a Path per run costs more than its read
        self._folder, self._name = os.path.split(self.path)
        self._lock = threading.Lock()
        self._reset(python=not available("polars"))

    def _reset(self, *, python: bool) -> None:
        self.offset = 0
        self.identity: tuple[int, int] | None = None
        self.rows: ViewerRows | FastRows = ViewerRows() if python else FastRows()

    @property
    def parsed(self) -> bool:
        """Whether the file was read before: reading it again parses only new bytes."""
        return self.identity is not None

    @property
    def exact_parser(self) -> bool:
        """Whether the line-by-line parser reads this file (else polars does)."""
        return isinstance(self.rows, ViewerRows)

    def read(self, run_id: str) -> RunMetrics:
        """The metrics as of now; parses only what was appended since the last read."""
        with self._lock:
            try:
                self._update()
            except NeedPython:
                self._reset(python=True)
                self._update()
            return self.rows.result(run_id)

    def _update(self) -> None:
        handle = self._open()
        if handle is None:  # missing, or a folder: no rows
            self._reset(python=self.exact_parser)
            return
        with handle:
            stat = os.fstat(handle.fileno())
            identity = (stat.st_dev, stat.st_ino)
            if identity != self.identity or stat.st_size < self.offset:
                self._reset(python=self.exact_parser)  # replaced or truncated: start over
                self.identity = identity
            remaining = stat.st_size - self.offset
            if remaining <= 0:
                return
            pending = b""
            position = self.offset
            while remaining > 0:
                data = read_at(handle, min(_PIECE, remaining), position)
                if not data:
                    break
                remaining -= len(data)
                position += len(data)
                piece = pending + data if pending else data
                cut = piece.rfind(b"\n") + 1
                if cut:
                    self.rows.feed(piece[:cut])
                    self.offset += cut
                pending = piece[cut:]
        if _whole_line(pending):
            self.rows.feed(pending)
            self.offset += len(pending)
        self.rows.settle()

    def _open(self) -> BinaryIO | None:
        """The file, opened if it is a regular file inside its run folder; ``None`` if
        it is missing or a folder (no rows yet, or a half-written import).

        Raises:
            UnsafePathError: A link out of the run folder, a FIFO, a socket or a device.
        """
        return open_if_file(self._folder, self._name, what="metrics", buffered=False)

    def snapshot(self) -> tuple[bytes, tuple[int, int]] | None:
        """All whole lines of a file this object has not read yet, and its identity;
        ``None`` if it was read before, is large, or is read by the exact parser."""
        if self.parsed or self.exact_parser:
            return None
        try:
            handle = self._open()
            if handle is None:
                return None
            with handle:
                stat = os.fstat(handle.fileno())
                if stat.st_size > _PIECE:
                    return None
                data = read_at(handle, stat.st_size, 0)
        except (OSError, UnsafePathError):
            return None  # read (and refused, if unsafe) on its own by read()
        cut = data.rfind(b"\n") + 1
        if not _whole_line(data[cut:]):
            data = data[:cut]
        return data, (stat.st_dev, stat.st_ino)

    def taken(self, run_id: str) -> RunMetrics | None:
        """The rows :meth:`take` adopted (``None`` if the batch was refused for this file):
        the file as of its snapshot, with no further read."""
        with self._lock:
            if not self.parsed or self.exact_parser:
                return None
            return self.rows.result(run_id)

    def take(self, part: Part, consumed: int, identity: tuple[int, int]) -> None:
        """Adopt the lines of :meth:`snapshot`, parsed together with other files'."""
        with self._lock:
            if self.parsed or self.exact_parser:
                return  # read meanwhile by another thread
            self.identity = identity
            self.offset = consumed
            assert isinstance(self.rows, FastRows)
            try:
                self.rows.add(part)
                self.rows.settle()
            except NeedPython:
                self._reset(python=True)


def _whole_line(tail: bytes) -> bool:
    """Whether the bytes after the last newline are a whole line: the writer may not have
    added the newline yet (the next read skips it as an empty line), while a line being
    written is not valid JSON until it is complete, and is left for the next read."""
    if not tail.strip():
        return False
    try:
        parse_json(tail)
    except ValueError:
        return False
    return True


class EventsFiles:
    """The :class:`EventsFile` of recently read runs (least recently used dropped first)."""

    def __init__(self, capacity: int = 64) -> None:
        self._files: OrderedDict[str, EventsFile] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def prime(self, paths: Sequence[str | os.PathLike[str]]) -> tuple[dict[str, EventsFile], int]:
        """Parse the files among ``paths`` that were never read, several per polars call
        (many small runs are dominated by the cost of each call, not by their bytes).

        Returns the files parsed now, by path as a str (their :meth:`EventsFile.taken` is the run
        as of this call, with nothing more to read), and the bytes parsed. The newest of
        them stay kept for incremental reads, as many as this registry keeps.
        """
        files = [self.get(p) for p in dict.fromkeys(paths)]
        batch: list[tuple[EventsFile, bytes, tuple[int, int]]] = []
        parsed: dict[str, EventsFile] = {}
        size = total = 0
        for file in files:
            snap = file.snapshot()
            if snap is None:
                continue
            batch.append((file, *snap))
            parsed[file.path] = file
            size += len(snap[0])
            if size >= _BATCH:
                _take_batch(batch)
                batch, total, size = [], total + size, 0
        if batch:
            _take_batch(batch)
        return parsed, total + size

    def forget(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        """Drop the kept state of these files (a read that must not hold memory)."""
        with self._lock:
            for path in paths:
                self._files.pop(os.fspath(path), None)

    def get(self, path: str | os.PathLike[str]) -> EventsFile:
        path = os.fspath(path)
        with self._lock:
            found = self._files.get(path)
            if found is None:
                found = self._files[path] = EventsFile(path)
                while len(self._files) > self._capacity:
                    self._files.popitem(last=False)
            else:
                self._files.move_to_end(path)
            return found


def _take_batch(batch: list[tuple[EventsFile, bytes, tuple[int, int]]]) -> None:
    try:
        parts = parse([data for _, data, _ in batch])
    except NeedPython:
        return  # each file will be read on its own, and the exact parser takes the odd one
    for (file, data, identity), part in zip(batch, parts, strict=True):
        file.take(part, len(data), identity)
