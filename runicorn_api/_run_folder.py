"""Reading a run's folder directly, for what a viewer does not serve over HTTP.

Used only on a folder that :class:`~runicorn_api._storage.StorageAccess` has allowed and
proven to be the viewer's. Callers raise :class:`UnsupportedFeatureError` when it is not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["read_json"]


def read_json(folder: Path, name: str) -> dict[str, Any]:
    """A JSON object file of the run folder; ``{}`` if absent or unreadable."""
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
