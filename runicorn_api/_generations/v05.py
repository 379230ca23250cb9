"""runicorn 0.5.x: runs live under ``<storage>/<project>/<name>/runs/<id>``; artifacts exist."""

from __future__ import annotations

from typing import Any, ClassVar, Literal
from urllib.parse import quote

from ..models.server import Generation
from .base import Adapter, RunsRequest


class V05Adapter(Adapter):
    generation: ClassVar[Generation] = "0.5"
    features: ClassVar[frozenset[str]] = frozenset(
        {"artifacts", "model_registry", "recycle_bin", "gpu_telemetry", "remote_files"}
    )
    # The 0.5.x run detail has no summary, config or times; they are read from the folder.
    detail_source: ClassVar[Literal["http", "run_folder"]] = "run_folder"
    alternatives: ClassVar[dict[str, str]] = {
        "tags": "Tags can be written on a 0.7.x viewer only.",
        "alias": "Aliases can be written on a 0.7.x viewer only.",
        "assets": "Use client.artifacts, which reads 0.5.x artifacts.",
        "paths": "Filter by project and name instead.",
        "move": "0.5.x runs cannot be moved through the viewer.",
        "export_zip": "Use export_experiment(format='json'|'csv'|'parquet').",
        "gpu_history": "Poll get_gpu_info() instead.",
        "host_keys": "0.5.x viewers accept any SSH host key without asking.",
        "storage_stats": "client.artifacts.stats() gives the artifact storage totals.",
        "remote_discovery": "Use client.remote.conda_envs() and config() instead.",
        "images": (
            "Its runs' images are read from the run folder where this client may read it "
            "(direct_reads)."
        ),
    }

    def run_identity(self, item: dict[str, Any]) -> dict[str, Any]:
        project, name = item.get("project"), item.get("name")
        path = "/".join(p for p in (project, name) if p) or None
        return {"project": project, "name": name, "path": path}

    def runs_request(self, pushed: dict[str, Any]) -> RunsRequest:
        project, name = pushed.get("project"), pushed.get("name")
        if project is None and name is None and pushed.get("path"):
            project, _, name = str(pushed["path"]).partition("/")
        if project and name:
            # This listing always reports artifact counts as 0.
            return RunsRequest(
                f"/api/projects/{quote(project, safe='')}/names/{quote(name, safe='')}/runs",
                counts_known=False,
            )
        return RunsRequest("/api/runs")

    def sibling_request(self, item: dict[str, Any]) -> RunsRequest:
        return self.runs_request({"project": item.get("project"), "name": item.get("name")})

    def details_from_detail(self, detail: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError("0.5.x details come from the run folder")
