"""``client.artifacts``: the seed's Artifacts API on both viewer generations.

0.5.x has ``/api/artifacts...`` endpoints. 0.7.x removed them; the same API is built
from per-run assets there (``GET /api/runs/{id}/assets`` for every run, concurrently; see
:mod:`runicorn_api._adapters.assets`).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._adapters.assets import build_index
from .._collection import Collection
from .._downloads import (
    PROGRESS_THRESHOLD,
    commit,
    folder_digest,
    inside,
    sha256_file,
    staging,
    unzip_checked,
    updater,
)
from .._exceptions import (
    DownloadError,
    InvalidArgumentError,
    NotFoundError,
    ServerError,
    UnsupportedFeatureError,
)
from .._frames import Frame, Logical
from .._progress import ProgressOption, check_progress, open_bar
from ..models.artifact import (
    Artifact,
    ArtifactFile,
    ArtifactVersion,
    Lineage,
    RunArtifacts,
)
from ..models.experiment import epoch_to_datetime
from .experiments import check_page, check_run_id
from .registry import ModelRegistry

if TYPE_CHECKING:
    from .._client import RunicornClient

__all__ = ["ArtifactCollection", "ArtifactsResource", "parse_spec"]

_SPEC = re.compile(r"^(?P<name>[^:/\\]+)(?::(?P<ref>[^:/\\]+))?$")

ARTIFACT_COLUMNS: dict[str, Logical] = {
    "id": "str", "name": "str", "version": "int", "type": "str", "created_at": "time",
    "size_bytes": "int", "num_files": "int", "status": "str", "created_by_run": "str",
    "aliases": "list", "description": "str",
}  # fmt: skip


def parse_spec(spec: str) -> tuple[str, int | str | None]:
    """``"name:v3"``/``"name:3"`` → ``("name", 3)``; ``"name:latest"`` → ``("name", "latest")``;
    ``"name"`` → ``("name", None)`` (the latest)."""
    match = _SPEC.match(spec) if isinstance(spec, str) else None
    if match is None:
        raise InvalidArgumentError(
            f"Not an artifact id: {spec!r}; use 'name', 'name:vN' or 'name:alias'"
        )
    ref = match["ref"]
    if ref is None:
        return match["name"], None
    number = ref[1:] if ref[:1] == "v" and ref[1:].isdigit() else ref
    return match["name"], int(number) if number.isdigit() else ref


class ArtifactCollection(Collection[Artifact]):
    """A lazy collection of artifacts (latest version of each name)."""

    _noun = "artifact"

    def __init__(self, repo: ArtifactsResource, *, type: str | None = None,
                 name: str | None = None) -> None:  # fmt: skip
        super().__init__()
        self._repo, self._type, self._name = repo, type, name

    def _produce(self) -> Iterator[Artifact]:
        for item in self._repo._latest(self._type):
            if self._name is None or item.name == self._name:
                yield item

    def _clone(self) -> ArtifactCollection:
        return ArtifactCollection(self._repo, type=self._type, name=self._name)

    def filter(self, *, type: str | None = None, name: str | None = None) -> ArtifactCollection:
        """Keep artifacts of this type and/or name."""
        self._check_unsliced()
        return ArtifactCollection(self._repo, type=type or self._type, name=name or self._name)

    def ids(self) -> list[str]:
        return [a.id for a in self]

    def _frame(self, items: list[Artifact], columns: Sequence[str] | None) -> Frame:
        data = {c: [getattr(a, c) for a in items] for c in ARTIFACT_COLUMNS}
        return Frame(data, ARTIFACT_COLUMNS).select(columns)

    def _describe(self) -> str:
        parts = [f"{k}={v!r}" for k, v in (("type", self._type), ("name", self._name)) if v]
        return " ".join(parts) + self._window_text()


class ArtifactsResource(ModelRegistry):
    """The seed's Artifacts API. See the module docs for the 0.7.x mapping."""

    def __init__(self, client: RunicornClient) -> None:
        super().__init__(client)

    @property
    def _assets(self) -> bool:
        return self._client.server.supports("assets")

    # -- the seed's methods ----------------------------------------------------------

    def list_artifacts(
        self, type: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> list[Artifact]:
        """The latest version of every artifact, optionally of one type.

        :calls: ``GET /api/artifacts[?type=]`` (0.5.x; ``limit``/``offset`` are applied
        here, the viewer ignores them) or every run's ``GET /api/runs/{id}/assets`` (0.7.x)
        """
        check_page(limit, offset)
        start = offset or 0
        stop = None if limit is None else start + limit
        return self.filter(type=type)[start:stop].to_list()

    def filter(self, *, type: str | None = None, name: str | None = None) -> ArtifactCollection:
        """A lazy collection of artifacts; see :meth:`list_artifacts` for the calls."""
        return ArtifactCollection(self, type=type, name=name)

    def get_artifact(self, artifact_id: str) -> Artifact:
        """One version: ``name:vN``, ``name:N``, ``name:latest``, ``name:<alias>`` or
        ``name`` (the latest).

        :calls: ``GET /api/artifacts/{name}/versions`` then ``GET
        /api/artifacts/{name}/v{n}`` and its lineage (0.5.x), or the 0.7.x asset index

        Raises:
            NotFoundError: The name or version does not exist (the message names it).
        """
        name, ref = parse_spec(artifact_id)
        versions = self.list_versions(name)
        version = self._pick(name, ref, versions)
        if self._assets:
            return version
        try:
            data = self._request("GET", f"/api/artifacts/{quote(name)}/v{version.version}")
        except ServerError:
            # runicorn 0.5.3 answers 500 for the detail of a version once it has been
            # promoted (its metadata model lacks lifecycle_stage): the listing serves.
            data = version.to_dict()
        data = _artifact_fields(data)
        data["aliases"] = version.aliases  # the detail repeats the stale version aliases
        data["used_by_runs"] = self._users(version.id)
        data["lifecycle_stage"] = self._stage(version)
        return self._model(Artifact, data, context="GET /api/artifacts/{name}/v{n}")

    def _stage(self, version: Artifact) -> str | None:
        """0.5.x: a version's lifecycle stage, as its creating run's artifacts list it."""
        if not version.created_by_run:
            return None
        created = self.for_run(version.created_by_run).created
        found = [a for a in created if a.name == version.name and a.version == version.version]
        return found[0].lifecycle_stage if found else None

    def _users(self, artifact_id: str) -> list[str]:
        """0.5.x: the runs whose ``used`` list has the version (the lineage graph of a
        version walks upstream and misses most of them), asked concurrently."""
        runs = sorted(self._client.experiments.all(), key=lambda e: e.created_at or 0)
        usage = self._concurrently(lambda r: self.for_run(r.id).used, runs)
        return [r.id for r, used in zip(runs, usage, strict=True)
                if any(a.id == artifact_id for a in used)]  # fmt: skip

    def list_versions(self, name: str) -> list[ArtifactVersion]:
        """Every version of ``name``, newest first (so ``versions[0]`` is the latest).

        :calls: ``GET /api/artifacts/{name}/versions`` and ``GET /api/artifacts`` (0.5.x,
        whose per-version aliases are stale: the aliases come from the artifact's map),
        or the 0.7.x asset index
        """
        if not isinstance(name, str) or not name or ":" in name or "/" in name:
            raise InvalidArgumentError(f"Not an artifact name: {name!r}")
        if self._assets:
            found = self._index().get(name)
            if not found:
                raise NotFoundError(f"Artifact not found: {name}", status_code=404)
            return [self._model(ArtifactVersion, v, context="assets") for v in reversed(found)]
        summary = next((a for a in self._listing() if a.get("name") == name), None)
        if summary is None:
            raise NotFoundError(f"Artifact not found: {name}", status_code=404)
        raw = self._request("GET", f"/api/artifacts/{quote(name)}/versions")
        alias_map: dict[str, Any] = summary.get("aliases") or {}
        versions = []
        for item in raw if isinstance(raw, list) else []:
            data = {**_artifact_fields(item), "name": name, "type": summary.get("type"),
                    "num_versions": summary.get("num_versions")}  # fmt: skip
            data["aliases"] = sorted(a for a, v in alias_map.items() if v == item.get("version"))
            versions.append(self._model(ArtifactVersion, data, context="versions"))
        return sorted(versions, key=lambda v: v.version, reverse=True)

    def files(self, artifact_id: str) -> list[ArtifactFile]:
        """The files of a version.

        :calls: ``GET /api/artifacts/{name}/v{n}/files`` (0.5.x); on 0.7.x the asset's
        manifest, read from the viewer's storage (readable from this machine)
        """
        artifact = self.get_artifact(artifact_id)
        if not self._assets:
            data = self._request(
                "GET", f"/api/artifacts/{quote(artifact.name)}/v{artifact.version}/files"
            )
            files = data.get("files", []) if isinstance(data, dict) else []
            return [self._model(ArtifactFile, f, context="files") for f in files]
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
            return [ArtifactFile(path=name, size=source.stat().st_size,
                                 digest=f"sha256:{sha}" if sha else None,
                                 absolute_path=str(source))]  # fmt: skip
        manifest, blobs = self._manifest(artifact)
        return [
            ArtifactFile(path=path, size=int(info.get("size_bytes", 0)),
                         digest=f"sha256:{info.get('sha256')}",
                         absolute_path=str(blobs / info["sha256"][:2] / info["sha256"]))
            for path, info in sorted((manifest.get("files") or {}).items())
        ]  # fmt: skip

    def lineage(self, artifact_id: str) -> Lineage:
        """The runs that produced and used a version.

        :calls: ``GET /api/artifacts/{name}/v{n}/lineage`` (0.5.x) or the asset index
        """
        name, ref = parse_spec(artifact_id)
        if self._assets:
            version = self._pick(name, ref, self.list_versions(name))
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
            edges += [{"source": root, "target": f"run:{r}", "edge_type": "uses"}
                      for r in version.used_by_runs]  # fmt: skip
            return Lineage(root_artifact=root, nodes=nodes, edges=edges)  # type: ignore[arg-type]
        if not isinstance(ref, int):
            ref = self._pick(name, ref, self.list_versions(name)).version
        data = self._request("GET", f"/api/artifacts/{quote(name)}/v{ref}/lineage")
        return self._model(Lineage, data, context="GET .../lineage")

    def for_run(self, run_id: str) -> RunArtifacts:
        """The artifacts a run created and used.

        :calls: ``GET /api/runs/{run_id}/artifacts`` (0.5.x) or the asset index (0.7.x)
        """
        check_run_id(run_id)
        if self._assets:
            created, used = [], []
            for versions in self._index().values():
                for v in versions:
                    if v["created_by_run"] == run_id:
                        created.append(self._model(Artifact, v, context="assets"))
                    elif run_id in v["used_by_runs"]:
                        used.append(self._model(Artifact, v, context="assets"))
            return RunArtifacts(run_id=run_id, created=created, used=used)
        data = self._request("GET", f"/api/runs/{quote(run_id)}/artifacts")
        lists = {k: [self._model(Artifact, _artifact_fields(a), context="run artifacts")
                     for a in (data.get(k) or [])] for k in ("created", "used")}  # fmt: skip
        return RunArtifacts(run_id=run_id, **lists)

    def download(
        self, artifact_id: str, dest: str | Path, *, progress: ProgressOption = None
    ) -> list[Path]:
        """Download a version's files into ``dest``, verified, and return their paths.

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
        root = Path(dest).resolve()
        artifact = self.get_artifact(artifact_id)
        if self._assets and not self._readable_here(artifact):
            return self._download_via_viewer(artifact, root, progress)
        files = self.files(artifact_id)
        sources = []
        for f in files:  # every file is checked before anything is written
            if f.is_remote:
                raise UnsupportedFeatureError(
                    f"{artifact.id}: {f.path} is a remote reference ({f.absolute_path}); "
                    "there is no file to download."
                )
            sources.append(self._storage_file(f.absolute_path, f"{artifact.id}: {f.path}"))
        bar = open_bar(progress, sum(f.size or 0 for f in files), unit="B", desc=artifact.id,
                       auto_from=PROGRESS_THRESHOLD)  # fmt: skip
        try:
            with staging(root) as stage:
                staged: dict[str, Path] = {}
                for f, source in zip(files, sources, strict=True):
                    target = inside(stage, f.path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)
                    _verify(target, f)
                    staged[f.path] = target
                    if bar is not None:
                        bar.update(target.stat().st_size)
                return commit(staged, root)
        finally:
            if bar is not None:
                bar.close()

    def _readable_here(self, artifact: Artifact) -> bool:
        """0.7.x: whether this client may read the version's archive from the storage."""
        meta = artifact.metadata
        source = meta.get("manifest_path") or meta.get("archive_path")
        if self._client._storage.file(str(source or "")) is not None:
            return True
        if self._client.direct_reads == "always" and source:
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
                f"{self._client.server} has nothing to download."
            )
        bar = open_bar(
            progress, artifact.size_bytes, unit="B", desc=artifact.id, auto_from=PROGRESS_THRESHOLD
        )
        with staging(root) as stage:
            body = stage / "body"
            try:
                with open(body, "wb") as sink:
                    self._client._transport.download(
                        f"/api/runs/{quote(artifact.created_by_run)}/assets/download",
                        sink, params={"path": source}, on_chunk=updater(bar),
                    )  # fmt: skip
            finally:
                if bar is not None:
                    bar.close()
            if manifest:
                files = unzip_checked(body, stage / "files", max_bytes=artifact.size_bytes)
                _verify_folder(artifact, files)
            else:
                name = "code.zip" if artifact.type == "code" else artifact.name
                _verify_blob(artifact, body)
                files = {name: body}
            return commit(files, root)

    # -- plumbing ------------------------------------------------------------------

    def _listing(self, type: str | None = None) -> list[dict[str, Any]]:
        data = self._request("GET", "/api/artifacts", params={"type": type})
        return [a for a in data if isinstance(a, dict)] if isinstance(data, list) else []

    def _latest(self, type: str | None) -> list[Artifact]:
        if self._assets:
            latest = [versions[-1] for versions in self._index().values()]
            return [self._model(Artifact, v, context="assets") for v in latest
                    if type is None or v["type"] == type]  # fmt: skip
        out = []
        for item in self._listing(type):
            data = _artifact_fields(item)
            data["version"] = item.get("latest_version")
            aliases = item.get("aliases") or {}
            data["aliases"] = sorted(a for a, v in aliases.items() if v == data["version"])
            out.append(self._model(Artifact, data, context="GET /api/artifacts"))
        return out

    def _index(self) -> dict[str, list[dict[str, Any]]]:
        runs = sorted(self._client.experiments.all(), key=lambda e: e.created_at or 0)

        def fetch(run_id: str) -> dict[str, Any]:
            data = self._request("GET", f"/api/runs/{quote(run_id)}/assets")
            assets = data.get("assets") if isinstance(data, dict) else None
            return assets if isinstance(assets, dict) else {}

        assets = self._concurrently(fetch, [r.id for r in runs])
        index = build_index(((r.id, r.created_at, a) for r, a in zip(runs, assets, strict=True)),
                            read_files=self._client._storage.allowed)  # fmt: skip
        unknown = [v for versions in index.values() for v in versions
                   if v["size_bytes"] is None and v["metadata"].get("archive_path")
                   and not v["metadata"].get("manifest_path")]  # fmt: skip
        for version, size in zip(unknown, self._concurrently(self._blob_size, unknown),
                                 strict=True):  # fmt: skip
            version["size_bytes"] = size
        return index

    def _blob_size(self, version: dict[str, Any]) -> int | None:
        """An archived file's size from the viewer, where the storage is not read here:
        the ``Content-Length`` of its download, whose body is not read.

        :calls: ``GET /api/runs/{run_id}/assets/download?path=...`` (headers only)
        """
        return self._client._transport.content_length(
            f"/api/runs/{quote(version['created_by_run'])}/assets/download",
            params={"path": version["metadata"]["archive_path"]},
        )

    @staticmethod
    def _pick(name: str, ref: int | str | None, versions: list[ArtifactVersion]) -> Artifact:
        for v in versions:
            if ref is None or v.version == ref or (isinstance(ref, str) and ref in v.aliases):
                return v
        known = ", ".join(f"v{v.version}" for v in versions)
        raise NotFoundError(f"Version not found: {name}:{ref} (it has {known})", status_code=404)

    def _storage_file(self, path: str | None, what: str) -> Path:
        """A file of the viewer's storage that this client may read (``direct_reads``),
        or :class:`UnsupportedFeatureError` saying why not."""
        found = self._client._storage.file(path)
        if found is not None:
            return found
        why = (
            "this client was told never to read storage files (direct_reads='never')"
            if not self._client._storage.allowed
            else "it is not readable from this machine"
        )
        raise UnsupportedFeatureError(
            f"{what} is in the viewer's storage ({path}), and {why}; "
            f"{self._client.server} serves no artifact file download."
        )

    def _manifest(self, artifact: Artifact) -> tuple[dict[str, Any], Path]:
        manifest_path = self._storage_file(
            str(artifact.metadata.get("manifest_path") or ""), f"{artifact.id}: its file list"
        )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        # <storage>/archive/manifests/<kind>/<xx>/<fingerprint>.json → <storage>/archive/blobs
        return manifest, manifest_path.parents[3] / "blobs"


def _artifact_fields(item: Any) -> dict[str, Any]:
    data = dict(item) if isinstance(item, dict) else {}
    for key in ("created_at", "updated_at"):
        if isinstance(data.get(key), int | float):
            data[key] = epoch_to_datetime(data[key])
    if isinstance(data.get("aliases"), dict):
        data["aliases"] = sorted(data["aliases"])
    if "manifest_digest" in data:
        data["fingerprint"] = data["manifest_digest"]
    return data


def _verify(path: Path, expected: ArtifactFile) -> None:
    size = path.stat().st_size
    digest = sha256_file(path)
    want = (expected.digest or "").removeprefix("sha256:")
    if size != expected.size or (want and digest != want):
        raise DownloadError(
            f"{expected.path}: copied {size} bytes with sha256 {digest}, expected "
            f"{expected.size} bytes with sha256 {want}"
        )


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
        problems.append(f"its files digest to {folder_digest(digests)}, "
                        f"not the fingerprint {artifact.fingerprint}")  # fmt: skip
    if artifact.size_bytes is not None and total != artifact.size_bytes:
        problems.append(f"{total} bytes, not the {artifact.size_bytes} recorded")
    if artifact.num_files is not None and len(files) != artifact.num_files:
        problems.append(f"{len(files)} files, not the {artifact.num_files} recorded")
    if problems:
        raise DownloadError(f"{artifact.id}: the download does not match: {'; '.join(problems)}")
