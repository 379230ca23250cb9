"""The hot paths read run folders unbuffered, one ``pread`` per block, where a read may
return fewer bytes than asked (a signal, a network or FUSE file system). Each file here is
read through a ``pread`` (or, where a system has none, a handle) that returns a few bytes
per call, and must read as it does in one piece: the values expected are the ones the
test wrote."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from runicorn_api._common.contain import read_at
from runicorn_api._reading.events import tail
from runicorn_api._reading.events.reader import EventsFile, EventsFiles

_STEPS = 300
_MOST = 7  # bytes a short read returns at most


@pytest.fixture
def short_preads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """``os.pread`` returning at most a few bytes a call; the sizes asked, in order."""
    real = os.pread
    asked: list[int] = []

    def short(fd: int, size: int, offset: int) -> bytes:
        asked.append(size)
        return real(fd, min(size, _MOST), offset)

    monkeypatch.setattr(os, "pread", short)
    return asked


class ShortReads(io.RawIOBase):
    """A real file whose reads return at most a few bytes each."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 (closed by close())

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)[:_MOST]
        return self._file.readinto(view) or 0

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()
        super().close()


def _loss(step: int) -> float:
    return 1.0 / step


def _write_run(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"type": "metrics", "data": {"global_step": s, "loss": _loss(s)}})
        for s in range(1, _STEPS + 1)
    ]
    path = folder / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_read_at_reads_the_whole_size_and_less_only_at_the_end(
    tmp_path: Path, short_preads: list[int]
) -> None:
    path = tmp_path / "meta.json"
    data = json.dumps({"id": "run", "pad": "x" * 100}).encode()
    path.write_bytes(data)
    with path.open("rb", buffering=0) as handle:
        assert read_at(handle, 50, 0) == data[:50]
        assert len(short_preads) > 1  # the system did return short reads
        assert read_at(handle, 10_000, 50) == data[50:]  # the end: fewer bytes, no error
        assert read_at(handle, 10, len(data)) == b""
        assert handle.tell() == 0  # the handle's position is left alone


def test_without_pread_the_handle_is_read_from_the_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "meta.json"
    data = b"0123456789" * 10
    path.write_bytes(data)
    monkeypatch.delattr(os, "pread")
    with ShortReads(path) as handle:
        assert handle.read(50) == data[:_MOST]  # the handle does return short reads
        assert read_at(handle, 50, 20) == data[20:70]
        assert read_at(handle, 500, 90) == data[90:]


def test_the_tail_read_is_the_same_through_short_preads(
    tmp_path: Path, short_preads: list[int]
) -> None:
    path = _write_run(tmp_path / "run")
    with path.open("rb") as file:
        assert tail.last_values(file, ["loss"], size=path.stat().st_size) == {
            "loss": (_STEPS, _loss(_STEPS))
        }
    assert len(short_preads) > 1  # the block was read in several short pieces


@pytest.mark.parametrize("together", [False, True], ids=["on its own", "primed"])
def test_a_run_read_through_short_preads_has_every_row(
    tmp_path: Path, short_preads: list[int], together: bool
) -> None:
    pytest.importorskip("polars")
    path = _write_run(tmp_path / "run")
    if together:
        parsed, size = EventsFiles().prime([str(path)])
        assert size == path.stat().st_size
        metrics = parsed[str(path)].taken("run")
        assert metrics is not None
    else:
        metrics = EventsFile(path).read("run")
    assert len(short_preads) > 1
    assert metrics.steps.to_list() == list(range(1, _STEPS + 1))
    assert metrics.columns["loss"].to_list() == [_loss(s) for s in range(1, _STEPS + 1)]
