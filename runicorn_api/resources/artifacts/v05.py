"""Artifacts on 0.5.x viewers: the ``/api/artifacts`` endpoints."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..._exceptions import NotFoundError, ServerError
from ...models._base import epoch_to_datetime
from ...models.artifact import Artifact, ArtifactFile, ArtifactVersion, RunArtifacts
from ...models.lineage import Lineage
from ._backend import ArtifactBackend

__all__ = ["V05Artifacts"]


class V05Artifacts(ArtifactBackend):
    """``/api/artifacts/...`` and ``/api/runs/{id}/artifacts`` (0.5.x)."""

    def latest(self, type: str | None) -> list[Artifact]:
        """:calls: ``GET /api/artifacts[?type=]``"""
        out = []
        for item in self._listing(type):
            data = _artifact_fields(item)
            data["version"] = item.get("latest_version")
            aliases = item.get("aliases") or {}
            data["aliases"] = sorted(a for a, v in aliases.items() if v == data["version"])
            out.append(self._model(Artifact, data, context="GET /api/artifacts"))
        return out

    def versions(self, name: str) -> list[ArtifactVersion]:
        """:calls: ``GET /api/artifacts/{name}/versions`` and ``GET /api/artifacts`` (whose
        per-version aliases are stale: the aliases come from the artifact's map)"""
        summary = next((a for a in self._listing() if a.get("name") == name), None)
        if summary is None:
            raise NotFoundError(f"Artifact not found: {name}", status_code=404)
        raw = self._get(f"/api/artifacts/{quote(name)}/versions")
        alias_map: dict[str, Any] = summary.get("aliases") or {}
        versions = []
        for item in raw if isinstance(raw, list) else []:
            data = {
                **_artifact_fields(item),
                "name": name,
                "type": summary.get("type"),
                "num_versions": summary.get("num_versions"),
            }
            data["aliases"] = sorted(a for a, v in alias_map.items() if v == item.get("version"))
            versions.append(self._model(ArtifactVersion, data, context="versions"))
        return sorted(versions, key=lambda v: v.version, reverse=True)

    def detail(self, version: ArtifactVersion) -> Artifact:
        """:calls: ``GET /api/artifacts/{name}/v{n}``, the runs' artifact lists (for its
        users and stage)"""
        name = version.name
        try:
            data = self._get(f"/api/artifacts/{quote(name)}/v{version.version}")
        except ServerError:
            # runicorn 0.5.3 answers 500 for the detail of a version once it has been
            # promoted (its metadata model lacks lifecycle_stage): the listing serves.
            data = version.to_dict()
        data = _artifact_fields(data)
        data["aliases"] = version.aliases  # the detail repeats the stale version aliases
        data["used_by_runs"] = self._users(version.id)
        data["lifecycle_stage"] = self._stage(version)
        return self._model(Artifact, data, context="GET /api/artifacts/{name}/v{n}")

    def files(self, artifact: Artifact) -> list[ArtifactFile]:
        """:calls: ``GET /api/artifacts/{name}/v{n}/files``"""
        data = self._get(f"/api/artifacts/{quote(artifact.name)}/v{artifact.version}/files")
        files = data.get("files", []) if isinstance(data, dict) else []
        return [self._model(ArtifactFile, f, context="files") for f in files]

    def lineage(self, version: ArtifactVersion) -> Lineage:
        """:calls: ``GET /api/artifacts/{name}/v{n}/lineage``"""
        path = f"/api/artifacts/{quote(version.name)}/v{version.version}/lineage"
        return self._get(path, Lineage)

    def for_run(self, run_id: str) -> RunArtifacts:
        """:calls: ``GET /api/runs/{run_id}/artifacts``"""
        data = self._get(f"/api/runs/{quote(run_id)}/artifacts")
        lists = {
            k: [
                self._model(Artifact, _artifact_fields(a), context="run artifacts")
                for a in (data.get(k) or [])
            ]
            for k in ("created", "used")
        }
        return RunArtifacts(run_id=run_id, **lists)

    def _listing(self, type: str | None = None) -> list[dict[str, Any]]:
        data = self._get("/api/artifacts", params={"type": type})
        return [a for a in data if isinstance(a, dict)] if isinstance(data, list) else []

    def _stage(self, version: Artifact) -> str | None:
        """A version's lifecycle stage, as its creating run's artifacts list it."""
        if not version.created_by_run:
            return None
        created = self.for_run(version.created_by_run).created
        found = [a for a in created if a.name == version.name and a.version == version.version]
        return found[0].lifecycle_stage if found else None

    def _users(self, artifact_id: str) -> list[str]:
        """The runs whose ``used`` list has the version (the lineage graph of a version
        walks upstream and misses most of them), asked concurrently."""
        runs = self._runs_by_age()
        usage = self._core.concurrently(lambda r: self.for_run(r.id).used, runs)
        return [
            r.id
            for r, used in zip(runs, usage, strict=True)
            if any(a.id == artifact_id for a in used)
        ]


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
