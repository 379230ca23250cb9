"""Reading a run's folder directly, for what a viewer does not serve over HTTP (its
summary files, its image events, its console log).

Used only on a folder that :class:`~runicorn_api._storage.access.StorageAccess` has allowed and
proven to be the viewer's. Callers raise :class:`UnsupportedFeatureError` when it is not.
Every file is opened through :mod:`runicorn_api._common.contain`: a regular file inside
the folder, or :class:`~runicorn_api.UnsafePathError` (a link out, a FIFO, a device).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._common.contain import contained, open_if_file, regular_file
from .._common.jsontext import parse_json

__all__ = ["FileTail", "image_events", "read_json", "read_lines"]

_JSON_CAP = 16 << 20
"""Bytes of a run's small JSON file (summary, status, meta) read at most."""


def read_json(folder: Path, name: str) -> dict[str, Any]:
    """A JSON object file of the run folder; ``{}`` if absent or unreadable.

    Raises:
        UnsafePathError: The file leaves the folder or is not a regular file.
    """
    handle = open_if_file(folder, name, what=f"{folder}: {name}")
    if handle is None:
        return {}
    with handle:
        raw = handle.read(_JSON_CAP + 1)
    if len(raw) > _JSON_CAP:
        return {}
    try:
        data = parse_json(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def image_events(folder: Path) -> list[dict[str, Any]]:
    """The run's image events as the 0.7.x viewer lists them: ``type == "image"`` lines
    of ``events.jsonl`` with a string ``data.path`` whose file exists, in file order,
    as ``{"step", "key" (default "image"), "path" (joined to the folder), "size"}``.

    Raises:
        UnsafePathError: An image path leaves the run folder (``..``, an absolute path,
            a link out), or names something that is not a regular file.
    """
    found: list[dict[str, Any]] = []
    handle = open_if_file(folder, "events.jsonl", what=f"{folder}: events.jsonl")
    if handle is None:
        return found
    with handle:
        for raw in handle:
            if b'"image"' not in raw:  # most lines are metrics; skip them unparsed
                continue
            try:
                event = parse_json(raw.decode("utf-8", errors="ignore"))
            except ValueError:
                continue
            data = event.get("data") if isinstance(event, dict) else None
            if not isinstance(data, dict) or event.get("type") != "image":
                continue
            rel = data.get("path")
            if not rel or not isinstance(rel, str):
                continue
            what = f"the image {rel!r} of {folder}"
            if os.path.isdir(contained(folder, rel, what=what)):
                continue  # a folder is no image: skipped, as a missing file is
            try:
                _, info = regular_file(folder, rel, what=what)
            except FileNotFoundError:
                continue
            found.append(
                {
                    "step": data.get("step"),
                    "key": data.get("key") or "image",
                    "path": os.path.join(folder, rel),
                    "size": info.st_size,
                }
            )
    return found


def read_lines(folder: Path, name: str) -> list[str]:
    """Every line of a log file of the folder (blank ones too), without line ends; none
    if missing.

    Raises:
        UnsafePathError: The file leaves the folder or is not a regular file.
    """
    handle = open_if_file(folder, name, what=f"{folder}: {name}")
    if handle is None:
        return []
    with handle:
        data = handle.read()
    return data.decode("utf-8", errors="replace").splitlines()


class FileTail:
    """Complete new lines of a growing file of a folder, by byte offset; a torn last
    line waits."""

    def __init__(self, folder: Path, name: str, *, from_start: bool) -> None:
        self.folder = folder
        self.name = name
        self.path = contained(folder, name, what=f"{folder}: {name}")
        self.offset = 0 if from_start or not self.path.exists() else self.path.stat().st_size
        self._pending = b""

    def lines(self) -> list[str]:
        handle = open_if_file(self.folder, self.name, what=f"{self.folder}: {self.name}")
        if handle is None:
            return []
        with handle:
            handle.seek(self.offset)
            data = handle.read()
        self.offset += len(data)
        data = self._pending + data
        complete, _, self._pending = data.rpartition(b"\n")
        if not complete and not data.endswith(b"\n"):
            self._pending = data
            return []
        return complete.decode("utf-8", errors="replace").split("\n")
