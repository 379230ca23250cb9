"""What the client knows about the viewer it is connected to."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .._exceptions import InvalidArgumentError
from ._base import RunicornModel
from ._keys import ServerInfoKeys

__all__ = ["FEATURES", "Generation", "ServerInfo"]

Generation = Literal["0.5", "0.7"]

FEATURES: dict[str, str] = {
    "artifacts": "versioned artifacts under /api/artifacts (0.5.x)",
    "model_registry": "a model registry: lifecycle stages, evaluations, training metrics, "
    "statistics and version deletion under /api/artifacts (0.5.x)",
    "assets": "per-run assets under /api/runs/{id}/assets (0.7.x)",
    "paths": "hierarchical run paths under /api/paths (0.7.x)",
    "tags": "run tags, written with PATCH /api/runs/{id} (0.7.x)",
    "alias": "run aliases, written with PATCH /api/runs/{id} (0.7.x)",
    "move": "moving runs to another path, POST /api/runs/move (0.7.x)",
    "export_zip": "zip export of runs, POST /api/runs/export (0.7.x)",
    "recycle_bin": "soft delete and restore, /api/runs/soft-delete and /api/recycle-bin",
    "gpu_telemetry": "GPU telemetry, GET /api/gpu/telemetry",
    "gpu_history": "GPU telemetry history, GET /api/gpu/telemetry/history (0.7.x)",
    "storage_stats": "storage usage by category, GET /api/storage/stats (0.7.x)",
    "host_keys": "SSH host key confirmation, /api/remote/known-hosts (0.6+/0.7.x)",
    "remote_discovery": "remote environment and storage discovery, "
    "/api/remote/env-configs and /api/remote/storage-candidates (0.7.x)",
    "images": "run images over HTTP, GET /api/runs/{id}/images (0.7.x)",
    "remote_files": "remote file browsing, /api/remote/fs/list and fs/exists (0.5.x)",
}
"""Every feature name :meth:`ServerInfo.supports` knows, with what it means."""


class ServerInfo(ServerInfoKeys, RunicornModel):
    """The connected viewer: its version, its generation and what that generation supports."""

    version: str
    """The version the viewer reports in ``/api/health`` (0.5.3 reports ``"0.5.2"``)."""
    generation: Generation
    """``"0.5"`` (project/name runs, artifacts) or ``"0.7"`` (paths, aliases, tags, assets)."""
    features: frozenset[str] = Field(default_factory=frozenset)
    """The names from :data:`FEATURES` this generation has."""
    direct_reads: Literal["auto", "always", "never"] = "auto"
    """How the client reads run data: from the storage folder where it is proven to be
    the viewer's (``"auto"``), only from it (``"always"``), or only over HTTP
    (``"never"``). Each :class:`RunMetrics` says in ``source`` where it came from."""

    _mapping_properties: ClassVar[tuple[str, ...]] = ("version_tuple",)

    @property
    def version_tuple(self) -> tuple[int, ...]:
        """The version as integers, e.g. ``(0, 7, 2)``."""
        return parse_version(self.version)

    def supports(self, feature: str) -> bool:
        """Whether the connected viewer has ``feature`` (a key of :data:`FEATURES`)."""
        if feature not in FEATURES:
            raise InvalidArgumentError(
                f"Unknown feature {feature!r}; known features: {', '.join(sorted(FEATURES))}"
            )
        return feature in self.features

    def __str__(self) -> str:
        return f"runicorn {self.version}"


def parse_version(text: str) -> tuple[int, ...]:
    """``"0.7.2"`` → ``(0, 7, 2)``; a non-numeric part ends the tuple (``"0.8.0rc1"`` → (0, 8))."""
    parts: list[int] = []
    for piece in text.strip().lstrip("v").split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)
