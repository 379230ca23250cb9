"""The archive a copy uploads: runs in the 0.7.x layout ``runs/<path>/<id>/<files>``,
which a 0.7.x viewer's import places at their own paths.

Three ways to get one, best first: the source viewer's own export (0.7.x); the run
folders, read directly (0.5.x folders become 0.7.x ones: ``meta.json`` gains the
``path``); or, where neither is possible, files rebuilt from what the source's API
serves (the metrics, the console log, the status and the best metric).
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._client import RunicornClient
from .._common.contain import open_regular, regular_files
from .._common.jsontext import parse_json
from .._exceptions import UnsupportedFeatureError
from ..models.experiment import Experiment
from .blobs import archived_files, archived_paths, rebased, storage_root
from .snapshot import RunSnapshot

__all__ = ["from_api", "from_folder", "write_zip"]

_SKIPPED_FILES = (".lock",)
"""File endings the writer's SDK uses for its locks: not part of a run."""


def write_zip(dest: Path, members: Iterator[tuple[str, bytes | Path]]) -> Path:
    """``members`` (archive name, bytes or a file) as the zip ``dest``. A file is read
    only if it is still a regular file in its folder (never through a link put there
    since it was listed): see :mod:`runicorn_api._common.contain`."""
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in members:
            if isinstance(data, Path):
                with open_regular(data.parent, data.name, what=f"the archive member {name}") as src:
                    size = os.fstat(src.fileno()).st_size
                    with zf.open(name, "w", force_zip64=size >= _ZIP64) as sink:
                        shutil.copyfileobj(src, sink, 1 << 20)
            else:
                zf.writestr(name, data)
    return dest


_ZIP64 = 1 << 31
"""Members this large are written with ZIP64 headers (their size is not known to
:meth:`zipfile.ZipFile.open` beforehand)."""


def _prefix(experiment: Experiment) -> str:
    path = (experiment.path or "").strip("/")
    return f"runs/{path}/{experiment.id}" if path else f"runs/{experiment.id}"


def from_folder(
    experiment: Experiment, folder: Path, *, target_root: str | None = None
) -> tuple[list[tuple[str, bytes | Path]], dict[str, str]]:
    """The regular files of the run folder ``folder`` in the 0.7.x layout (a 0.5.x
    ``meta.json`` gains the run's ``path``, its ``project/name``), and what was left out:
    links (never followed: a link could carry any file of this machine into the target)
    and FIFOs, sockets and devices, as ``{relative path: why}``.

    With ``target_root`` (the target viewer's storage folder), a 0.7.x run's archived
    assets come too: the files its ``assets.json`` references under the source storage's
    ``archive/`` (see :mod:`.blobs`), with the paths in ``assets.json`` moved to the
    target's storage.
    """
    prefix = _prefix(experiment)
    files, skipped = regular_files(folder)
    members: list[tuple[str, bytes | Path]] = []
    for rel, file in files:
        if file.name.endswith(_SKIPPED_FILES):
            continue
        if rel == "meta.json":
            with open_regular(folder, rel, what=f"run {experiment.id}") as handle:
                meta = parse_json(handle.read())
            if isinstance(meta, dict) and "path" not in meta:
                meta["path"] = experiment.path
                meta.setdefault("alias", experiment.alias)
                members.append((f"{prefix}/meta.json", json.dumps(meta, indent=2).encode()))
                continue
        if rel == "assets.json" and target_root is not None:
            root = storage_root(folder, experiment.path)
            with open_regular(folder, rel, what=f"run {experiment.id}") as handle:
                assets = parse_json(handle.read())
            paths = archived_paths(assets)
            if root is not None and paths:
                blobs, left = archived_files(root, paths)
                members += blobs
                skipped.update(left)
                members.append((f"{prefix}/assets.json", rebased(assets, root, target_root)))
                continue
        members.append((f"{prefix}/{rel}", file))
    return members, skipped


def from_api(
    client: RunicornClient, experiment: Experiment, seen: RunSnapshot
) -> tuple[list[tuple[str, bytes | Path]], dict[str, str]]:
    """The run's files rebuilt from what ``client``'s viewer serves (``seen``: the run
    as read from it already, metrics and log), and what of the run they cannot carry.

    :calls: the summary (``GET /api/runs/{id}``) where the viewer serves it
    """
    prefix = _prefix(experiment)
    missing: dict[str, str] = {}
    created = experiment.created_at.timestamp() if experiment.created_at else None
    meta: dict[str, Any] = {
        "id": experiment.id,
        "path": experiment.path,
        "alias": experiment.alias,
        "tags": list(experiment.tags),
        "project": experiment.project,
        "name": experiment.name,
        "created_at": created,
        "pid": experiment.pid,
    }
    status = {"status": experiment.status, "started_at": created, "ended_at": None}
    try:
        summary: dict[str, Any] = dict(experiment.summary)
    except UnsupportedFeatureError:
        best = experiment.best_metric
        summary = {}
        if best is not None and best.name is not None:
            summary = {"best_metric_name": best.name, "best_metric_value": best.value}
        missing["summary"] = (
            f"the summary beyond its best metric, and the end time ({client.server} "
            "serves them only from the run folder, which this client does not read)"
        )
    events = bytearray()
    for row in seen.metrics.rows:
        stamp = row.get("time")
        data = {k: v for k, v in row.items() if v is not None}
        events += json.dumps({"ts": stamp, "type": "metrics", "data": data}).encode() + b"\n"
    members: list[tuple[str, bytes | Path]] = [
        (f"{prefix}/meta.json", json.dumps(meta, indent=2).encode()),
        (f"{prefix}/status.json", json.dumps(status, indent=2).encode()),
        (f"{prefix}/summary.json", json.dumps(summary, indent=2).encode()),
        (f"{prefix}/events.jsonl", bytes(events)),
    ]
    log = seen.console
    if log is None:
        missing["log"] = f"the console log ({seen.unknown.get('log', 'not served')})"
    else:
        if log.lines:
            members.append((f"{prefix}/logs.txt", log.text.encode()))
        missing["log"] = "blank lines of the console log (the viewer's stream leaves them out)"
        if log.truncated:
            missing["log"] += ", and the lines before its last 10,000"
    missing["images"] = f"images and other media ({client.server} serves no media files over HTTP)"
    missing["environment"] = "the environment capture"
    return members, missing
