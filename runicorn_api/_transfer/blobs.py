"""A 0.7.x run's archived assets, carried in its copy: the files under the storage's
``archive/`` folder that its ``assets.json`` references.

A run's ``assets.json`` names each archived asset by an absolute path in its storage
(``archive_path``, ``manifest_path``): a blob (``archive/blobs/<xx>/<sha256>``), a
folder's manifest (``archive/manifests/<kind>/<xx>/<fingerprint>.json``, which names
its files' blobs by sha256), or a file or folder kept per run
(``archive/<kind>/rolling/<run>/...``). :func:`archived_files` collects all of them,
read only inside ``<storage>/archive`` (a path elsewhere, a link or a special file is
left out and said why), and :func:`rebased` rewrites the run's paths to the target
storage's, where the target's import puts ``archive/...`` members.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from .._common.contain import contained, file_kind, open_regular, regular_files
from .._common.jsontext import parse_json
from .._exceptions import RunicornAPIError

__all__ = ["PATH_KEYS", "archived_files", "archived_paths", "rebased", "storage_root"]

PATH_KEYS = ("archive_path", "manifest_path")
"""The keys of an ``assets.json`` entry that name a file in the storage's archive."""


def storage_root(folder: Path, path: str | None) -> Path | None:
    """The storage folder that holds the run folder ``folder`` of the run at ``path``
    (``<storage>/runs/<path>/<id>``), or ``None`` if the folder is not laid out so."""
    depth = len([p for p in (path or "").split("/") if p])
    parents = folder.parents
    if len(parents) <= depth + 1 or parents[depth].name != "runs":
        return None
    return parents[depth + 1]


def archived_paths(assets: Any) -> list[str]:
    """Every path an ``assets.json`` names under :data:`PATH_KEYS`, each once, sorted."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():  # pyright: ignore[reportUnknownVariableType]
                if key in PATH_KEYS and isinstance(item, str) and item:
                    found.add(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:  # pyright: ignore[reportUnknownVariableType]
                walk(item)

    walk(assets)
    return sorted(found)


def archived_files(root: Path, paths: list[str]) -> tuple[list[tuple[str, Path]], dict[str, str]]:
    """The files ``paths`` reference, as ``(name under the storage, file)``: each path,
    a manifest's blobs, a folder's regular files. What cannot be carried is returned as
    ``{path: why}``: a path outside ``<root>/archive``, a link, a special file, a blob a
    manifest names that is not there."""
    root = Path(os.path.realpath(root))
    archive = root / "archive"
    members: dict[str, Path] = {}
    skipped: dict[str, str] = {}
    for raw in paths:
        try:
            path = contained(archive, raw, what="an archived asset")
        except RunicornAPIError as err:
            skipped[raw] = str(err)
            continue
        if path.is_dir():
            files, links = regular_files(path)
            for _rel, file in files:
                members[_name(root, file)] = file
            skipped.update({f"{raw}/{rel}": why for rel, why in links.items()})
            continue
        if not path.exists():
            skipped[raw] = "not in the source storage"
            continue
        mode = os.lstat(path).st_mode
        if not stat.S_ISREG(mode):
            skipped[raw] = f"{file_kind(mode)}, not read"
            continue
        members[_name(root, path)] = path
        if path.suffix == ".json" and "manifests" in path.relative_to(archive).parts:
            for sha in _manifest_blobs(path, raw, skipped):
                blob = archive / "blobs" / sha[:2] / sha
                if blob.is_file() and not blob.is_symlink():
                    members[_name(root, blob)] = blob
                else:
                    skipped[f"{raw}: blob {sha}"] = "not in the source storage"
    return sorted(members.items()), skipped


def _name(root: Path, file: Path) -> str:
    return file.relative_to(root).as_posix()


def _manifest_blobs(path: Path, raw: str, skipped: dict[str, str]) -> list[str]:
    """The sha256 of each file a folder's manifest lists."""
    with open_regular(path.parent, path, what="an asset manifest") as handle:
        manifest = parse_json(handle.read())
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict):
        skipped[raw] = "a manifest without a file list"
        return []
    found: list[str] = []
    for entry in files.values():  # pyright: ignore[reportUnknownVariableType]
        sha = entry.get("sha256") if isinstance(entry, dict) else None  # pyright: ignore[reportUnknownMemberType]
        if isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha):
            found.append(sha)
        else:
            skipped[f"{raw}: {entry!r}"] = "not a sha256 the blob store could hold"
    return found


def rebased(assets: Any, source_root: Path, target_root: str) -> bytes:
    """``assets.json`` with every archived path under ``source_root`` moved under
    ``target_root`` (the target viewer's storage), as the target's import places them."""
    source = os.path.realpath(source_root)
    target = target_root.rstrip("/\\")

    def move(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: _moved(v, source, target) if k in PATH_KEYS and isinstance(v, str) else move(v)
                for k, v in value.items()  # pyright: ignore[reportUnknownVariableType]
            }
        if isinstance(value, list):
            return [move(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
        return value

    return json.dumps(move(assets), indent=2).encode()


def _moved(path: str, source: str, target: str) -> str:
    real = os.path.realpath(path)
    if real != source and not real.startswith(source + os.sep):
        return path
    rel = Path(real).relative_to(source).as_posix()
    sep = "\\" if "\\" in target and "/" not in target else "/"
    return target + sep + rel.replace("/", sep)
