"""0.7.x: artifacts built from per-run assets (the viewer has no artifact endpoints).

* datasets → type ``dataset``; pretrained weights → ``model``; outputs → ``output``;
  a code snapshot → ``code`` (named ``code``).
* A version is a distinct fingerprint of one name, numbered from 1 by first appearance
  across runs in creation order. ``created_by_run`` is the first run that logged it;
  every later run that logged the same fingerprint is in ``used_by_runs``.
* The newest version of each name has the alias ``latest``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..models.experiment import epoch_to_datetime

KINDS = (("datasets", "dataset"), ("pretrained", "model"), ("outputs", "output"))


def _entries(assets: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    for key, kind in KINDS:
        for item in assets.get(key) or []:
            if isinstance(item, dict):
                yield kind, item
    code = assets.get("code")
    snapshot = code.get("snapshot") if isinstance(code, dict) else None
    if isinstance(snapshot, dict) and snapshot:
        yield "code", {"name": "code", **snapshot}


def _size(item: dict[str, Any], read_files: bool) -> int | None:
    """The asset's size: as the viewer reports it, else its archived file's, if this
    client may read storage files and the file is here."""
    if item.get("total_size_bytes") is not None:
        return int(item["total_size_bytes"])
    archive = item.get("archive_path")
    if read_files and archive and not item.get("manifest_path"):
        try:
            return Path(archive).stat().st_size
        except OSError:
            return None
    return None


def build_index(
    runs: Iterable[tuple[str, datetime | None, dict[str, Any]]],
    *,
    read_files: bool,
) -> dict[str, list[dict[str, Any]]]:
    """``{name: [version data, ...]}`` (oldest first) from ``(run_id, created_at, assets)``
    in creation order; ``read_files``: whether sizes may be taken from archived files."""
    index: dict[str, list[dict[str, Any]]] = {}
    for run_id, created, assets in runs:
        for kind, item in _entries(assets):
            name = str(item.get("name") or item.get("key") or "")
            if not name:
                continue
            fingerprint = item.get("fingerprint") or f"{run_id}:{name}"
            versions = index.setdefault(name, [])
            known = next((v for v in versions if v["fingerprint"] == fingerprint), None)
            if known is not None:
                if run_id != known["created_by_run"] and run_id not in known["used_by_runs"]:
                    known["used_by_runs"].append(run_id)
                continue
            archived = item.get("archived_at")
            versions.append({
                "name": name,
                "version": len(versions) + 1,
                "type": kind,
                "created_at": epoch_to_datetime(archived) if archived else created,
                "size_bytes": _size(item, read_files),
                "num_files": item.get("file_count"),
                "description": item.get("description"),
                "status": "ready" if item.get("saved") else "referenced",
                "created_by_run": run_id,
                "used_by_runs": [],
                "fingerprint": item.get("fingerprint"),
                "metadata": {k: item[k] for k in ("uri", "path_or_uri", "path", "source_type",
                                                   "context", "fingerprint_kind",
                                                   "manifest_path", "archive_path")
                             if item.get(k) is not None},
                "aliases": [],
            })  # fmt: skip
    for versions in index.values():
        versions[-1]["aliases"] = ["latest"]
        for v in versions:
            v["num_versions"] = len(versions)
    return index
