"""0.7.x: artifacts built from per-run assets (the viewer has no artifact endpoints).

* datasets → type ``dataset``; pretrained weights → ``model``; outputs → ``output``;
  a code snapshot → ``code`` (named ``code``).
* A version is a distinct content of one name, numbered from 1 by first appearance
  across runs in creation order. Its identity is the viewer's fingerprint where there
  is one (the sha256 of an archived file, or of an archived folder's manifest), else
  the reference it was logged from (``path_or_uri`` / ``uri``, with the file count,
  size and mtime of an unsaved dataset's fingerprint object).
* An unsaved log of a path that an earlier run archived under the same name is that
  archived version: its content cannot be checked, and the path is the same.
* ``created_by_run`` is the first run that logged a version; every later run that
  logged the same identity is in ``used_by_runs``.
* The newest version of each name has the alias ``latest``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ..models._base import epoch_to_datetime

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


def _size(item: dict[str, Any], file_size: Callable[[str], int | None] | None) -> int | None:
    """The asset's size: as the viewer reports it, or its fingerprint object, else its
    archived file's, asked of ``file_size`` (``None``: this client reads no storage file)."""
    for known in (item.get("total_size_bytes"), _stats(item).get("total_size_bytes")):
        if isinstance(known, int) and not isinstance(known, bool):
            return known
    archive = item.get("archive_path")
    if (
        file_size is not None
        and isinstance(archive, str)
        and archive
        and not item.get("manifest_path")
    ):
        return file_size(archive)
    return None


def _stats(item: dict[str, Any]) -> dict[str, Any]:
    """An unsaved dataset's fingerprint object ``{mtime, file_count, total_size_bytes}``."""
    found = item.get("fingerprint")
    return found if isinstance(found, dict) else {}


def _reference(item: dict[str, Any]) -> str | None:
    ref = item.get("path_or_uri") or item.get("uri") or item.get("path")
    return str(ref) if ref else None


def _identity(item: dict[str, Any], run_id: str, name: str) -> str:
    """What makes two logs of one name the same version; see the module docs."""
    fingerprint = item.get("fingerprint")
    if isinstance(fingerprint, str) and fingerprint:
        return f"{item.get('fingerprint_kind') or 'sha256'}:{fingerprint}"
    ref = _reference(item)
    if ref is None:
        return f"run:{run_id}:{name}"
    stats = _stats(item)
    if stats:
        ref += "#" + ":".join(
            str(stats.get(k)) for k in ("file_count", "total_size_bytes", "mtime")
        )
    return f"ref:{ref}"


def build_index(
    runs: Iterable[tuple[str, datetime | None, dict[str, Any]]],
    *,
    file_size: Callable[[str], int | None] | None,
) -> dict[str, list[dict[str, Any]]]:
    """``{name: [version data, ...]}`` (oldest first) from ``(run_id, created_at, assets)``
    in creation order; ``file_size``: the size of an archived file, where this client may
    read the storage (it checks that the file lies inside the proven storage folder)."""
    index: dict[str, list[dict[str, Any]]] = {}
    archived_paths: dict[str, dict[str, str]] = {}  # name → {reference: identity}
    for run_id, created, assets in runs:
        for kind, item in _entries(assets):
            name = str(item.get("name") or item.get("key") or "")
            if not name:
                continue
            identity = _identity(item, run_id, name)
            versions = index.setdefault(name, [])
            archived_from = archived_paths.setdefault(name, {})
            ref = _reference(item)
            if identity.startswith("ref:") and ref in archived_from:
                identity = archived_from[ref]  # an unsaved re-log of an archived path
            known = next((v for v in versions if v["_identity"] == identity), None)
            if known is not None:
                if run_id != known["created_by_run"] and run_id not in known["used_by_runs"]:
                    known["used_by_runs"].append(run_id)
                continue
            if item.get("saved") and ref is not None and not identity.startswith("ref:"):
                archived_from.setdefault(ref, identity)
            stats = _stats(item)
            archived = item.get("archived_at")
            fingerprint = item.get("fingerprint")
            versions.append(
                {
                    "_identity": identity,
                    "name": name,
                    "version": len(versions) + 1,
                    "type": kind,
                    "created_at": epoch_to_datetime(archived) if archived else created,
                    "size_bytes": _size(item, file_size),
                    "num_files": item.get("file_count", stats.get("file_count")),
                    "description": item.get("description"),
                    "status": "ready" if item.get("saved") else "referenced",
                    "created_by_run": run_id,
                    "used_by_runs": [],
                    "fingerprint": fingerprint if isinstance(fingerprint, str) else None,
                    "fingerprint_stats": stats or None,
                    "metadata": {
                        k: item[k]
                        for k in (
                            "uri",
                            "path_or_uri",
                            "path",
                            "source_type",
                            "context",
                            "fingerprint_kind",
                            "manifest_path",
                            "archive_path",
                        )
                        if item.get(k) is not None
                    },
                    "aliases": [],
                }
            )
    for versions in index.values():
        versions[-1]["aliases"] = ["latest"]
        for v in versions:
            v["num_versions"] = len(versions)
            del v["_identity"]
    return index
