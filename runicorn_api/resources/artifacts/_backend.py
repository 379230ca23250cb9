"""What a generation's artifacts backend does, and the parts both share: the runs by
age, files of the viewer's storage, and the verified copy out of it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..._common.contain import open_regular
from ..._common.downloads import PROGRESS_THRESHOLD, commit, inside, sha256_file, staging
from ..._common.progress import ProgressOption, open_bar
from ..._core import ClientCore
from ..._exceptions import DownloadError, UnsupportedFeatureError
from ..._storage.access import location_of
from ...models.artifact import Artifact, ArtifactFile, ArtifactVersion, RunArtifacts
from ...models.experiment import Experiment
from ...models.lineage import Lineage
from .._base import Resource
from .._runs import NEVER_READS, RunLookup

__all__ = ["ArtifactBackend"]


class ArtifactBackend(Resource):
    """One generation's way to the original client's Artifacts API; ``client.artifacts`` picks one
    when it is built (0.5.x endpoints, or 0.7.x per-run assets)."""

    def __init__(self, core: ClientCore, runs: RunLookup) -> None:
        super().__init__(core)
        self._runs = runs
        self._root: Path | None = None
        self._root_known = False

    # -- what each generation implements ---------------------------------------------

    def latest(self, type: str | None) -> list[Artifact]:
        """The latest version of every artifact (of ``type``)."""
        raise NotImplementedError

    def versions(self, name: str) -> list[ArtifactVersion]:
        """Every version of ``name``, newest first."""
        raise NotImplementedError

    def detail(self, version: ArtifactVersion) -> Artifact:
        """One version with everything the viewer knows of it."""
        raise NotImplementedError

    def files(self, artifact: Artifact) -> list[ArtifactFile]:
        """The files of a version."""
        raise NotImplementedError

    def lineage(self, version: ArtifactVersion) -> Lineage:
        """The runs that produced and used a version."""
        raise NotImplementedError

    def for_run(self, run_id: str) -> RunArtifacts:
        """The artifacts a run created and used."""
        raise NotImplementedError

    def for_runs(self, run_ids: list[str]) -> list[RunArtifacts]:
        """:meth:`for_run` of each run, in order."""
        return [self.for_run(run_id) for run_id in run_ids]

    def download(self, artifact: Artifact, root: Path, progress: ProgressOption) -> list[Path]:
        """A version's files, verified, into ``root`` (see ``client.artifacts.download``)."""
        return self._copy_from_storage(artifact, root, progress)

    # -- shared ------------------------------------------------------------------------

    def _runs_by_age(self) -> list[Experiment]:
        """Every run, oldest first. :calls: ``GET /api/runs``"""
        runs = [e for page in self._runs.pages(self._runs.listing({})) for e in page.items]
        return sorted(runs, key=lambda e: e.created_at or 0)

    def _storage_root(self) -> Path | None:
        """The viewer's storage folder on this machine, proven: the folder its config
        names, accepted only when a run folder that the viewer serves, proven by its
        ``meta.json``, lies inside it. Every storage file the viewer names must lie inside
        it (the viewer itself refuses other paths with 403).

        :calls: ``GET /api/config`` and ``GET /api/runs``, once per client
        """
        if self._root_known or not self._core.storage.allowed:
            return self._root
        config: Any = self._get("/api/config")
        named = (
            config.get("storage") or config.get("user_root_dir")
            if isinstance(config, dict)
            else None
        )
        for run in self._runs_by_age():
            folder = self._core.storage.proven(location_of(run))
            if folder is not None:
                self._root = self._core.storage.storage_root(
                    named if isinstance(named, str) else None, folder
                )
                break
        self._root_known = True
        return self._root

    def _storage_file(self, path: str | None, what: str) -> Path:
        """A file of the viewer's storage that this client may read (``direct_reads``)
        inside the proven storage folder, or :class:`UnsupportedFeatureError` saying why
        not (:class:`UnsafePathError` for a path that leaves that folder)."""
        found = self._core.storage.file(path, root=self._storage_root(), what=what)
        if found is not None:
            return found
        why = (
            NEVER_READS
            if not self._core.storage.allowed
            else "it is not readable from this machine, or the storage folder is not proven"
        )
        raise UnsupportedFeatureError(
            f"{what} is in the viewer's storage ({path}), and {why}; "
            f"{self._core.server} serves no artifact file download."
        )

    def _copy_from_storage(
        self, artifact: Artifact, root: Path, progress: ProgressOption
    ) -> list[Path]:
        """Copy the version's files out of the viewer's storage, each checked against
        its size and SHA-256; staged inside ``root``, then moved into place."""
        files = self.files(artifact)
        sources = []
        for f in files:  # every file is checked before anything is written
            if f.is_remote:
                raise UnsupportedFeatureError(
                    f"{artifact.id}: {f.path} is a remote reference ({f.absolute_path}); "
                    "there is no file to download."
                )
            sources.append(self._storage_file(f.absolute_path, f"{artifact.id}: {f.path}"))
        bar = open_bar(
            progress,
            sum(f.size or 0 for f in files),
            unit="B",
            desc=artifact.id,
            auto_from=PROGRESS_THRESHOLD,
        )
        try:
            with staging(root) as stage:
                staged: dict[str, Path] = {}
                for f, source in zip(files, sources, strict=True):
                    target = inside(stage, f.path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with (
                        open_regular(source.parent, source, what=f.path) as src,
                        open(target, "wb") as sink,
                    ):
                        shutil.copyfileobj(src, sink, 1 << 20)
                    _verify(target, f)
                    staged[f.path] = target
                    if bar is not None:
                        bar.update(target.stat().st_size)
                return commit(staged, root)
        finally:
            if bar is not None:
                bar.close()


def _verify(path: Path, expected: ArtifactFile) -> None:
    size = path.stat().st_size
    digest = sha256_file(path)
    want = (expected.digest or "").removeprefix("sha256:")
    if size != expected.size or (want and digest != want):
        raise DownloadError(
            f"{expected.path}: copied {size} bytes with sha256 {digest}, expected "
            f"{expected.size} bytes with sha256 {want}"
        )
