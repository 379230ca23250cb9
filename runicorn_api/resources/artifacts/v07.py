"""Artifacts on 0.7.x viewers, built from per-run assets (``GET /api/runs/{id}/assets``
for every run, concurrently; see :mod:`runicorn_api._generations.assets`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..._common.contain import open_regular
from ..._common.downloads import (
    PROGRESS_THRESHOLD,
    commit,
    folder_digest,
    sha256_file,
    staging,
    unzip_checked,
    updater,
)
from ..._common.jsontext import parse_json
from ..._common.progress import ProgressOption, open_bar
from ..._exceptions import DownloadError, NotFoundError, UnsupportedFeatureError
from ..._generations.assets import build_index
from ...models.artifact import Artifact, ArtifactFile, ArtifactVersion, RunArtifacts
from ...models.lineage import Lineage
from ._backend import ArtifactBackend

__all__ = ["V07Assets"]


class V07Assets(ArtifactBackend):
    """The original client's artifacts mapped from the 0.7.x per-run asset index."""

    def latest(self, type: str | None) -> list[Artifact]:
        """:calls: every run's ``GET /api/runs/{id}/assets``"""
        latest = [versions[-1] for versions in self._index().values()]
        return [
            self._model(Artifact, v, context="assets")
            for v in latest
            if type is None or v["type"] == type
        ]

    def versions(self, name: str) -> list[ArtifactVersion]:
        """:calls: every run's ``GET /api/runs/{id}/assets``"""
        found = self._index().get(name)
        if not found:
            raise NotFoundError(f"Artifact not found: {name}", status_code=404)
        return [self._model(ArtifactVersion, v, context="assets") for v in reversed(found)]

    def detail(self, version: ArtifactVersion) -> Artifact:
        """The index already holds all of it: no request."""
        return version

    def files(self, artifact: Artifact) -> list[ArtifactFile]:
        """The asset's manifest, read from the viewer's storage (readable from here)."""
        archive = str(artifact.metadata.get("archive_path") or "")
        if not artifact.metadata.get("manifest_path") and archive:
            # An output or a code snapshot: one archived file, its fingerprint its sha256.
            source = self._storage_file(archive, f"{artifact.id}: its archived file")
            sha = (
                artifact.fingerprint
                if artifact.metadata.get("fingerprint_kind") == "sha256"
                else None
            )
            name = "code.zip" if artifact.type == "code" else artifact.name
            return [
                ArtifactFile(
                    path=name,
                    size=source.stat().st_size,
                    digest=f"sha256:{sha}" if sha else None,
                    absolute_path=str(source),
                )
            ]
        manifest, blobs = self._manifest(artifact)
        return [
            ArtifactFile(
                path=path,
                size=int(info.get("size_bytes", 0)),
                digest=f"sha256:{info.get('sha256')}",
                absolute_path=str(blobs / info["sha256"][:2] / info["sha256"]),
            )
            for path, info in sorted((manifest.get("files") or {}).items())
        ]

    def lineage(self, version: ArtifactVersion) -> Lineage:
        """Built from the index: the creating run produces it, the using runs use it."""
        root = version.id
        runs = [version.created_by_run, *version.used_by_runs]
        nodes = [
            {
                "node_type": "artifact",
                "node_id": root,
                "label": root,
                "metadata": {"type": version.type, "size": version.size_bytes},
            }
        ]
        nodes += [
            {"node_type": "run", "node_id": f"run:{r}", "label": r, "metadata": {"run_id": r}}
            for r in runs
            if r
        ]
        edges = [
            {"source": f"run:{version.created_by_run}", "target": root, "edge_type": "produces"}
        ]
        edges += [
            {"source": root, "target": f"run:{r}", "edge_type": "uses"}
            for r in version.used_by_runs
        ]
        return Lineage(root_artifact=root, nodes=nodes, edges=edges)  # type: ignore[arg-type]

    def for_run(self, run_id: str) -> RunArtifacts:
        """:calls: every run's ``GET /api/runs/{id}/assets``"""
        return self.for_runs([run_id])[0]

    def for_runs(self, run_ids: list[str]) -> list[RunArtifacts]:
        """Each run's artifacts from one asset index.

        :calls: every run's ``GET /api/runs/{id}/assets``, once
        """
        found = {r: RunArtifacts(run_id=r) for r in run_ids}
        for versions in self._index().values():
            for v in versions:
                creator = found.get(v["created_by_run"])
                if creator is not None:
                    creator.created.append(self._model(Artifact, v, context="assets"))
                for user in v["used_by_runs"]:
                    if user in found and user != v["created_by_run"]:
                        found[user].used.append(self._model(Artifact, v, context="assets"))
        return [found[r] for r in run_ids]

    def download(self, artifact: Artifact, root: Path, progress: ProgressOption) -> list[Path]:
        """From the storage when this client may read it here, else through the viewer:
        :calls: ``GET /api/runs/{run_id}/assets/download?path=...``"""
        if self._readable_here(artifact):
            return self._copy_from_storage(artifact, root, progress)
        return self._download_via_viewer(artifact, root, progress)

    def _readable_here(self, artifact: Artifact) -> bool:
        """0.7.x: whether this client may read the version's archive from the storage."""
        meta = artifact.metadata
        source = meta.get("manifest_path") or meta.get("archive_path")
        found = self._core.storage.file(
            str(source or ""), root=self._storage_root(), what=f"{artifact.id}: its archive"
        )
        if found is not None:
            return True
        if self._core.storage.mode == "always" and source:
            self._storage_file(str(source), f"{artifact.id}: its archive")  # raises
        return False

    def _download_via_viewer(
        self, artifact: Artifact, root: Path, progress: ProgressOption
    ) -> list[Path]:
        meta = artifact.metadata
        manifest = meta.get("manifest_path")
        source = manifest or meta.get("archive_path")
        if not source or not artifact.created_by_run:
            ref = meta.get("path_or_uri") or meta.get("uri") or meta.get("path")
            raise UnsupportedFeatureError(
                f"{artifact.id} is only referenced ({ref}); nothing was archived, so "
                f"{self._core.server} has nothing to download."
            )
        bar = open_bar(
            progress, artifact.size_bytes, unit="B", desc=artifact.id, auto_from=PROGRESS_THRESHOLD
        )
        with staging(root) as stage:
            body = stage / "body"
            try:
                with open(body, "wb") as sink:
                    self._core.download(
                        f"/api/runs/{quote(artifact.created_by_run)}/assets/download",
                        sink,
                        params={"path": source},
                        on_chunk=updater(bar),
                        max_bytes=None if manifest else artifact.size_bytes,
                    )
            finally:
                if bar is not None:
                    bar.close()
            if manifest:
                options = self._core.options
                files = unzip_checked(
                    body,
                    stage / "files",
                    max_bytes=artifact.size_bytes,
                    max_ratio=options.max_unzip_ratio,
                    max_total=options.max_unzip_bytes,
                )
                _verify_folder(artifact, files)
            else:
                name = "code.zip" if artifact.type == "code" else artifact.name
                _verify_blob(artifact, body)
                files = {name: body}
            return commit(files, root)

    def _index(self) -> dict[str, list[dict[str, Any]]]:
        runs = self._runs_by_age()

        def fetch(run_id: str) -> dict[str, Any]:
            data = self._get(f"/api/runs/{quote(run_id)}/assets")
            assets = data.get("assets") if isinstance(data, dict) else None
            return assets if isinstance(assets, dict) else {}

        assets = self._core.concurrently(fetch, [r.id for r in runs])
        index = build_index(
            ((r.id, r.created_at, a) for r, a in zip(runs, assets, strict=True)),
            file_size=self._archived_size if self._core.storage.allowed else None,
        )
        unknown = [
            v
            for versions in index.values()
            for v in versions
            if v["size_bytes"] is None
            and v["metadata"].get("archive_path")
            and not v["metadata"].get("manifest_path")
        ]
        for version, size in zip(
            unknown, self._core.concurrently(self._blob_size, unknown), strict=True
        ):
            version["size_bytes"] = size
        return index

    def _archived_size(self, path: str) -> int | None:
        """An archived file's size read here, where it is in the proven storage folder.

        Raises:
            UnsafePathError: The viewer names an archive outside that folder.
        """
        found = self._core.storage.file(path, root=self._storage_root(), what="an asset")
        return None if found is None else found.stat().st_size

    def _blob_size(self, version: dict[str, Any]) -> int | None:
        """An archived file's size from the viewer, where the storage is not read here:
        the ``Content-Length`` of its download, whose body is not read.

        :calls: ``GET /api/runs/{run_id}/assets/download?path=...`` (headers only)
        """
        return self._core.content_length(
            f"/api/runs/{quote(version['created_by_run'])}/assets/download",
            params={"path": version["metadata"]["archive_path"]},
        )

    def _manifest(self, artifact: Artifact) -> tuple[dict[str, Any], Path]:
        manifest_path = self._storage_file(
            str(artifact.metadata.get("manifest_path") or ""), f"{artifact.id}: its file list"
        )
        with open_regular(manifest_path.parent, manifest_path, what=artifact.id) as handle:
            manifest = parse_json(handle.read())
        # <storage>/archive/manifests/<kind>/<xx>/<fingerprint>.json → <storage>/archive/blobs
        return manifest, manifest_path.parents[3] / "blobs"


def _verify_blob(artifact: Artifact, path: Path) -> None:
    """An archived file: its sha256 is its fingerprint, its size the recorded one."""
    size, digest = path.stat().st_size, sha256_file(path)
    kind = artifact.metadata.get("fingerprint_kind")
    if (kind == "sha256" and digest != artifact.fingerprint) or (
        artifact.size_bytes is not None and size != artifact.size_bytes
    ):
        raise DownloadError(
            f"{artifact.id}: downloaded {size} bytes with sha256 {digest}, expected "
            f"{artifact.size_bytes} bytes with sha256 {artifact.fingerprint}"
        )


def _verify_folder(artifact: Artifact, files: dict[str, Path]) -> None:
    """An archived folder: its fingerprint is the digest of its paths and file digests."""
    digests = {rel: sha256_file(path) for rel, path in files.items()}
    total = sum(path.stat().st_size for path in files.values())
    problems = []
    if artifact.fingerprint and folder_digest(digests) != artifact.fingerprint:
        problems.append(
            f"its files digest to {folder_digest(digests)}, "
            f"not the fingerprint {artifact.fingerprint}"
        )
    if artifact.size_bytes is not None and total != artifact.size_bytes:
        problems.append(f"{total} bytes, not the {artifact.size_bytes} recorded")
    if artifact.num_files is not None and len(files) != artifact.num_files:
        problems.append(f"{len(files)} files, not the {artifact.num_files} recorded")
    if problems:
        raise DownloadError(f"{artifact.id}: the download does not match: {'; '.join(problems)}")
