"""Reading a run's folder directly, for what a viewer does not serve over HTTP (its
summary files, its image events, its console log).

Used only on a folder that :class:`~runicorn_api._storage.access.StorageAccess` has allowed and
proven to be the viewer's. Callers raise :class:`UnsupportedFeatureError` when it is not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["FileTail", "image_events", "read_json", "read_lines"]


def read_json(folder: Path, name: str) -> dict[str, Any]:
    """A JSON object file of the run folder; ``{}`` if absent or unreadable."""
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def image_events(folder: Path) -> list[dict[str, Any]]:
    """The run's image events as the 0.7.x viewer lists them: ``type == "image"`` lines
    of ``events.jsonl`` with a string ``data.path`` whose file exists, in file order,
    as ``{"step", "key" (default "image"), "path" (joined to the folder)}``."""
    found: list[dict[str, Any]] = []
    try:
        handle = open(folder / "events.jsonl", encoding="utf-8", errors="ignore")  # noqa: SIM115
    except OSError:
        return found
    with handle:
        for line in handle:
            if '"image"' not in line:  # most lines are metrics; skip them unparsed
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            data = event.get("data") if isinstance(event, dict) else None
            if not isinstance(data, dict) or event.get("type") != "image":
                continue
            rel = data.get("path")
            if not rel or not isinstance(rel, str) or not (folder / rel).exists():
                continue
            found.append(
                {
                    "step": data.get("step"),
                    "key": data.get("key") or "image",
                    "path": str(folder / rel),
                }
            )
    return found


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
