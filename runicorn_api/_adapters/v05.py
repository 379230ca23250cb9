"""runicorn 0.5.x: runs live under ``<storage>/<project>/<name>/runs/<id>``; artifacts exist."""

from __future__ import annotations

from typing import Any, ClassVar

from ..models.server import Generation
from ._base import Adapter


class V05Adapter(Adapter):
    generation: ClassVar[Generation] = "0.5"
    features: ClassVar[frozenset[str]] = frozenset({"artifacts", "recycle_bin", "gpu_telemetry"})
    alternatives: ClassVar[dict[str, str]] = {
        "tags": "Tags can be written on a 0.7.x viewer only.",
        "alias": "Aliases can be written on a 0.7.x viewer only.",
        "assets": "Use client.artifacts, which reads 0.5.x artifacts.",
        "paths": "Filter by project and name instead.",
        "move": "0.5.x runs cannot be moved through the viewer.",
        "export_zip": "Use export_experiment(format='json'|'csv'|'parquet').",
    }

    def run_identity(self, item: dict[str, Any]) -> dict[str, Any]:
        project, name = item.get("project"), item.get("name")
        path = "/".join(p for p in (project, name) if p) or None
        return {"project": project, "name": name, "path": path}
