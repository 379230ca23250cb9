"""``client.artifacts``: the original client's Artifacts API on both viewer generations.

0.5.x has ``/api/artifacts...`` endpoints (:mod:`.v05`). 0.7.x removed them; the same API
is built from per-run assets there (:mod:`.v07`). The backend is chosen once, when the
resource is built; the 0.5.x model registry's methods come from :mod:`.registry`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..._common.progress import ProgressOption, check_progress
from ..._core import ClientCore
from ..._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ..._validation import check_run_id
from ...models.artifact import Artifact, ArtifactFile, ArtifactVersion, RunArtifacts
from ...models.lineage import Lineage
from .._runs import RunLookup
from ._backend import ArtifactBackend
from .collection import ArtifactCollection, parse_spec, pick_version
from .registry import ModelRegistry
from .v05 import V05Artifacts
from .v07 import V07Assets

__all__ = ["ArtifactCollection", "ArtifactsResource", "ModelRegistry", "parse_spec"]


class ArtifactsResource(ModelRegistry):
    """The original client's Artifacts API. See the module docs for the 0.7.x mapping."""

    def __init__(self, core: ClientCore, runs: RunLookup) -> None:
        super().__init__(core)
        backend = V07Assets if core.server.supports("assets") else V05Artifacts
        self._backend: ArtifactBackend = backend(core, runs)

    # -- the original client's methods ----------------------------------------------------------

    def list_artifacts(
        self, type: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> list[Artifact]:
        """The latest version of every artifact, optionally of one type.

        :calls: ``GET /api/artifacts[?type=]`` (0.5.x; ``limit``/``offset`` are applied
        here, the viewer ignores them) or every run's ``GET /api/runs/{id}/assets`` (0.7.x)
        """
        return self.filter(type=type).page(limit, offset)

    def filter(self, *, type: str | None = None, name: str | None = None) -> ArtifactCollection:
        """A lazy collection of artifacts; see :meth:`list_artifacts` for the calls."""
        return ArtifactCollection(self._backend.latest, type=type, name=name)

    def get_artifact(self, artifact_id: str) -> Artifact:
        """One version: ``name:vN``, ``name:N``, ``name:latest``, ``name:<alias>`` or
        ``name`` (the latest).

        :calls: ``GET /api/artifacts/{name}/versions`` then ``GET
        /api/artifacts/{name}/v{n}`` and its lineage (0.5.x), or the 0.7.x asset index

        Raises:
            NotFoundError: The name or version does not exist (the message names it).
        """
        return self._backend.detail(self._pick(artifact_id))

    def list_versions(self, name: str) -> list[ArtifactVersion]:
        """Every version of ``name``, newest first (so ``versions[0]`` is the latest).

        :calls: ``GET /api/artifacts/{name}/versions`` and ``GET /api/artifacts`` (0.5.x,
        whose per-version aliases are stale: the aliases come from the artifact's map),
        or the 0.7.x asset index
        """
        if not isinstance(name, str) or not name or ":" in name or "/" in name:
            raise InvalidArgumentError(f"Not an artifact name: {name!r}")
        return self._backend.versions(name)

    def files(self, artifact_id: str) -> list[ArtifactFile]:
        """The files of a version.

        :calls: ``GET /api/artifacts/{name}/v{n}/files`` (0.5.x); on 0.7.x the asset's
        manifest, read from the viewer's storage (readable from this machine)
        """
        return self._backend.files(self.get_artifact(artifact_id))

    def lineage(self, artifact_id: str) -> Lineage:
        """The runs that produced and used a version.

        :calls: ``GET /api/artifacts/{name}/v{n}/lineage`` (0.5.x) or the asset index
        """
        return self._backend.lineage(self._pick(artifact_id))

    def for_run(self, run_id: str) -> RunArtifacts:
        """The artifacts a run created and used.

        :calls: ``GET /api/runs/{run_id}/artifacts`` (0.5.x) or the asset index (0.7.x)
        """
        check_run_id(run_id)
        return self._backend.for_run(run_id)

    def for_runs(self, run_ids: Sequence[str]) -> list[RunArtifacts]:
        """What :meth:`for_run` answers, for each of ``run_ids``, in order.

        :calls: ``GET /api/runs/{run_id}/artifacts`` of each run (0.5.x), or the asset
            index once (0.7.x: every run's ``GET /api/runs/{id}/assets``)
        """
        if isinstance(run_ids, str | bytes) or not isinstance(run_ids, Sequence):
            raise InvalidArgumentTypeError(f"run_ids must be a list of run ids, got {run_ids!r}")
        ids = [check_run_id(r) for r in run_ids]
        return self._backend.for_runs(ids)

    def download(
        self, artifact_id: str | Artifact, dest: str | Path, *, progress: ProgressOption = None
    ) -> list[Path]:
        """Download a version's files into ``dest``, verified, and return their paths.
        ``artifact_id`` is a version as :meth:`get_artifact` takes it, or an
        :class:`Artifact` this viewer answered (then it is not looked up again).

        Files are staged in a private folder inside ``dest``, checked, then moved into
        place with ``os.replace``; a download that fails leaves nothing in ``dest``, and
        nothing is ever written outside it.

        * From the viewer's storage when this client may read it and it is here
          (``direct_reads``): each file is copied and its size and SHA-256 checked.
        * Otherwise, on 0.7.x, through the viewer: an archived file as is, checked
          against its sha256 fingerprint; an archived folder or dataset as a zip,
          unpacked only if every entry stays inside ``dest`` (no absolute paths, ``..``
          or symlinks) and within the recorded size, then checked file by file against
          the folder's fingerprint (the SDK's digest of its paths and file digests).
        * ``progress=True`` shows a tqdm bar; by default one is shown for downloads of
          64 MiB or more when tqdm is installed.

        :calls: ``GET /api/runs/{run_id}/assets/download?path=...`` (0.7.x, where the
        storage is not read directly); the reads of :meth:`get_artifact` and
        :meth:`files`

        Raises:
            UnsupportedFeatureError: 0.5.x and the files are not readable here (its viewer
                has no file download), raised before anything is written; or the version
                is only a reference, with nothing archived.
            DownloadError: A file does not match its size or digest, or a zip is unsafe.
            APIConnectionError: The download broke off or came short.
        """
        check_progress(progress)
        if not isinstance(dest, str | os.PathLike):
            raise InvalidArgumentTypeError(f"dest must be a folder path, got {dest!r}")
        root = Path(dest).resolve()
        if isinstance(artifact_id, Artifact):
            return self._backend.download(artifact_id, root, progress)
        return self._backend.download(self.get_artifact(artifact_id), root, progress)

    def _pick(self, artifact_id: str) -> ArtifactVersion:
        name, ref = parse_spec(artifact_id)
        return pick_version(name, ref, self.list_versions(name))
