"""Reading a run's folder directly, for what a viewer does not serve over HTTP.

Used only when the viewer's storage is readable from this machine (the common local
case: the viewer's ``run_dir`` exists here). Callers raise
:class:`UnsupportedFeatureError` when it is not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["read_json", "readable"]


def readable(run_dir: str | None) -> Path | None:
    """The run folder as a local path, if it exists here."""
    if not run_dir:
        return None
    path = Path(run_dir)
    return path if path.is_dir() else None


def read_json(folder: Path, name: str) -> dict[str, Any]:
    """A JSON object file of the run folder; ``{}`` if absent or unreadable."""
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
