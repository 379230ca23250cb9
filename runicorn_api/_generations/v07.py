"""runicorn 0.7.x: runs live under ``<storage>/runs/<path...>/<id>``; per-run assets."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from ..models.experiment import Experiment
from ..models.server import Generation
from .base import Adapter, RunsRequest, end_time, user_summary


class V07Adapter(Adapter):
    generation: ClassVar[Generation] = "0.7"
    features: ClassVar[frozenset[str]] = frozenset(
        {
            "assets",
            "paths",
            "tags",
            "alias",
            "move",
            "export_zip",
            "recycle_bin",
            "gpu_telemetry",
            "gpu_history",
            "host_keys",
            "remote_discovery",
            "storage_stats",
            "images",
        }
    )
    detail_source: ClassVar[Literal["http", "run_folder"]] = "http"
    alternatives: ClassVar[dict[str, str]] = {
        "remote_files": "Use client.remote.storage_candidates() to find storage folders.",
        "artifacts": "0.7.x records per-run assets instead; client.artifacts maps them.",
        "model_registry": (
            "0.7.x has no lifecycle stages, evaluations or version deletion; its per-run "
            "assets are read through client.artifacts (list_versions, files, download)."
        ),
    }

    def run_identity(self, item: dict[str, Any]) -> dict[str, Any]:
        path = item.get("path")
        project, name = Experiment.split_path(path)
        return {"project": project, "name": name, "path": path}

    def runs_request(self, pushed: dict[str, Any]) -> RunsRequest:
        project, name = pushed.get("project"), pushed.get("name")
        if pushed.get("path"):
            return RunsRequest("/api/paths/runs", {"path": pushed["path"], "exact": "true"})
        if project and name:
            return RunsRequest("/api/paths/runs", {"path": f"{project}/{name}", "exact": "true"})
        prefix = pushed.get("path_prefix") or project
        if prefix:
            # The viewer matches whole segments: "vision" matches "vision/resnet".
            return RunsRequest("/api/paths/runs", {"path": prefix.strip("/"), "exact": "false"})
        return RunsRequest("/api/runs")

    def sibling_request(self, item: dict[str, Any]) -> RunsRequest:
        return self.runs_request({"path": item.get("path")})

    def details_from_detail(self, detail: dict[str, Any]) -> dict[str, Any]:
        logged = _dict(_dict(detail.get("assets")).get("config"))
        args, extra = _dict(logged.get("args")), _dict(logged.get("extra"))
        summary = _dict(detail.get("summary"))
        return {
            "summary": user_summary(summary),
            "config": {**extra, **args},
            "duration": detail.get("duration"),
            "updated_at": end_time(detail.get("start_time"), detail.get("duration")),
        }


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
