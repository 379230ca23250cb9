"""The ``direct_reads`` switch: whether, and which, storage files this client may read.

Runicorn is local-first: the viewer usually runs on the machine that holds its storage,
and reading a run folder directly is many times faster than asking the viewer to turn it
into JSON. But a viewer reached through an SSH tunnel also answers on 127.0.0.1, and its
``run_dir`` paths may exist here by chance, holding other data. So a folder is read only
once it is *proven* to be the one the viewer serves: its ``meta.json`` must name the same
run id as the viewer, and the same process id and creation time wherever the viewer
reports them. Otherwise the client asks the viewer, silently and correctly.

* ``"auto"`` (the default): read proven folders, ask the viewer for the rest.
* ``"always"``: read folders, and raise :class:`UnsupportedFeatureError` where one is not
  readable or not proven (no silent HTTP fallback for what the folder holds).
* ``"never"``: touch no storage file at all; everything goes through the viewer. This is
  what a remote viewer or a shared team server needs.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._common.contain import contained, open_regular, read_at, regular_file
from .._common.jsontext import parse_json
from .._exceptions import InvalidArgumentError, UnsafePathError, UnsupportedFeatureError
from .._types import DIRECT_READS, DirectReads

if TYPE_CHECKING:
    from ..models.experiment import Experiment

__all__ = ["RunLocation", "StorageAccess", "location_of"]


# The viewer of 0.7.x reports the creation time it stored in runicorn.db, a few
# microseconds off meta.json's; a decoy copy made later differs by far more.
_CREATED_TOLERANCE = 0.5

_META_CAP = 1 << 20
"""Bytes of a ``meta.json`` read at most: a real one is a few hundred bytes."""


@dataclass(frozen=True)
class RunLocation:
    """What the viewer says about where a run lives, and what identifies it."""

    run_id: str
    run_dir: str | None
    pid: int | None = None
    created: float | None = None
    """Unix seconds, where the viewer reports a creation or start time."""
    status: str | None = None

    @classmethod
    def from_viewer(cls, run_id: str, item: dict[str, Any]) -> RunLocation:
        """From a run list item or a run detail of either generation."""
        created = item.get("created_time")
        if created is None:
            created = item.get("start_time")
        pid = item.get("pid")
        run_dir = item.get("run_dir")
        return cls(
            run_id=run_id,
            run_dir=run_dir if isinstance(run_dir, str) else None,
            pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
            created=float(created) if isinstance(created, int | float) else None,
            status=item.get("status") if isinstance(item.get("status"), str) else None,
        )


def location_of(experiment: Experiment) -> RunLocation:
    """What a listed run says about its folder, so that reading it needs no request."""
    created = experiment.created_at.timestamp() if experiment.created_at else None
    return RunLocation(
        run_id=experiment.id,
        run_dir=experiment.run_dir,
        pid=experiment.pid,
        created=created,
        status=experiment.status,
    )


class StorageAccess:
    """The client's policy for reading the viewer's storage; see the module docs."""

    def __init__(self, mode: DirectReads, server: str) -> None:
        if mode not in DIRECT_READS:
            raise InvalidArgumentError(
                f"direct_reads must be one of {', '.join(DIRECT_READS)}, got {mode!r}"
            )
        self.mode: DirectReads = mode
        self._server = server
        # Proofs already made, kept while meta.json is the same file, unchanged: reading
        # many runs proves each folder once, not once to plan and once to read.
        self._proofs: dict[RunLocation, tuple[tuple[int, ...], str | None]] = {}

    @property
    def allowed(self) -> bool:
        """Whether this client may read storage files at all."""
        return self.mode != "never"

    def run_folder(self, where: RunLocation, *, purpose: str) -> Path | None:
        """The run's folder, if this client may read it and it is proven to be the
        viewer's; ``None`` means: ask the viewer.

        Raises:
            UnsupportedFeatureError: ``direct_reads="always"`` and the folder is not
                readable here, or not the one the viewer serves.
        """
        folder = self.folder_of(where, purpose=purpose)
        return Path(folder) if folder is not None else None

    def folder_of(self, where: RunLocation, *, purpose: str) -> str | None:
        """:meth:`run_folder` as a str (the hot path of multi-run reads: a Path per run
        costs more than the proof's read).

        Raises:
            UnsupportedFeatureError: As :meth:`run_folder`.
        """
        if self.mode == "never":
            return None
        problem = self._prove(where)
        if problem is None:
            return where.run_dir
        if self.mode == "always":
            raise UnsupportedFeatureError(
                f"direct_reads='always' cannot read {purpose} of run {where.run_id} from "
                f"its folder: {problem}. Use direct_reads='auto' to fall back to "
                f"{self._server} over HTTP."
            )
        return None

    def file(self, path: str | None, *, root: Path | None, what: str) -> Path | None:
        """A storage file this client may read, or ``None`` (direct reads are off, no
        proven ``root`` is known, or the file is not here). The caller checks its content
        against the viewer's digest.

        Raises:
            UnsafePathError: ``path`` (named by the viewer) leaves ``root``, the proven
                storage folder, or is not a regular file.
        """
        if self.mode == "never" or not path or root is None:
            return None
        try:
            return regular_file(root, path, what=what)[0]
        except FileNotFoundError:
            return None

    def proven(self, where: RunLocation) -> Path | None:
        """The run's folder if it is proven to be the viewer's (no error in any mode)."""
        if self.mode == "never" or self._prove(where) is not None:
            return None
        return Path(where.run_dir or "")

    def storage_root(self, named: str | None, proven_folder: Path) -> Path | None:
        """``named`` (the storage folder a viewer's config names), resolved, if the proven
        run folder ``proven_folder`` lies inside it; else ``None``. Paths the viewer names
        for storage files (artifact archives) must then lie inside this root."""
        if not named:
            return None
        try:
            contained(named, proven_folder, what="a proven run folder")
        except UnsafePathError:
            return None
        return Path(os.path.realpath(named))

    def _prove(self, where: RunLocation) -> str | None:
        """``None`` if the folder is the viewer's, else why not."""
        if not where.run_dir:
            return "the viewer reports no run_dir"
        folder = where.run_dir  # a str (a Path per run read costs more than a syscall)
        try:
            handle = open_regular(folder, "meta.json", what=f"run {where.run_id}", buffered=False)
        except FileNotFoundError:
            return f"{folder} does not exist on this machine"
        except UnsafePathError as err:
            return f"its meta.json is refused ({err})"
        except OSError as err:
            return f"its meta.json is not readable here ({type(err).__name__})"
        try:
            with handle:
                stat = os.fstat(handle.fileno())
                key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
                known = self._proofs.get(where)
                if known is not None and known[0] == key:
                    return known[1]
                # As much as its stat says (no megabyte buffer per run); past the cap,
                # one byte more, which the cut leaves unparsable.
                wanted = min(stat.st_size, _META_CAP + 1)
                meta = parse_json(read_at(handle, wanted, 0)[:_META_CAP])
        except (OSError, ValueError) as err:
            return f"its meta.json is not readable here ({type(err).__name__})"
        problem = _compare(folder, meta, where)
        self._proofs[where] = (key, problem)
        return problem

    def __repr__(self) -> str:
        return f"<StorageAccess direct_reads={self.mode!r}>"


def _compare(folder: str, meta: Any, where: RunLocation) -> str | None:
    """``None`` if ``meta`` (the folder's meta.json) names the run the viewer describes."""
    if not isinstance(meta, dict) or meta.get("id") != where.run_id:
        return f"{folder}/meta.json names another run than the viewer's"
    if where.pid is not None and meta.get("pid") != where.pid:
        return f"{folder}/meta.json names another process than the viewer's"
    created = meta.get("created_at")
    if where.created is not None and not (
        isinstance(created, int | float)
        and math.isclose(created, where.created, rel_tol=0, abs_tol=_CREATED_TOLERANCE)
    ):
        return f"{folder}/meta.json names another creation time than the viewer's"
    return None
