"""runicorn 0.7.x: runs live under ``<storage>/runs/<path...>/<id>``; per-run assets."""

from __future__ import annotations

from typing import Any, ClassVar

from ..models.experiment import Experiment
from ..models.server import Generation
from ._base import Adapter


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
        }
    )
    alternatives: ClassVar[dict[str, str]] = {
        "artifacts": "0.7.x records per-run assets instead; client.artifacts maps them.",
    }

    def run_identity(self, item: dict[str, Any]) -> dict[str, Any]:
        path = item.get("path")
        project, name = Experiment.split_path(path)
        return {"project": project, "name": name, "path": path}
