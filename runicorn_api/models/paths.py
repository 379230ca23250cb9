"""Models of run paths (0.7.x; ``project/name`` on 0.5.x): listings with counts, the
path tree, and what creating, deleting and exporting a path report."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .._types import JSON
from ._base import RunicornModel
from ._keys import (
    ExportedRunKeys,
    PathCreatedKeys,
    PathDeletionKeys,
    PathExportKeys,
    PathListingKeys,
    PathStatsKeys,
    PathTreeKeys,
)

__all__ = [
    "ExportedRun",
    "PathCreated",
    "PathDeletion",
    "PathExport",
    "PathListing",
    "PathStats",
    "PathTree",
]


class PathStats(PathStatsKeys, RunicornModel):
    """Runs at a path and below it, by status (``interrupted`` runs count in ``total``
    only, as the viewer counts them)."""

    total: int = 0
    running: int = 0
    finished: int = 0
    failed: int = 0


class PathListing(PathListingKeys, RunicornModel):
    """``GET /api/paths``: every path that holds runs, as a list and as a tree
    (``{part: {part: {}}}``), with ``stats`` per path (ancestors included) when asked."""

    paths: list[str] = Field(default_factory=list)
    tree: dict[str, JSON] = Field(default_factory=dict)
    stats: dict[str, PathStats] | None = None

    @classmethod
    def of_paths(cls, paths: dict[str, dict[str, int]], *, include_stats: bool) -> PathListing:
        """A listing built on the client from each run path's counts (``{path: {status:
        n}}``): the tree and the ancestors' stats as a 0.7.x viewer makes them."""
        tree: dict[str, Any] = {}
        stats: dict[str, dict[str, int]] = {}
        for path, counts in paths.items():
            node = tree
            parts = path.split("/")
            for depth, part in enumerate(parts):
                node = node.setdefault(part, {})
                totals = stats.setdefault("/".join(parts[: depth + 1]), {})
                for key, n in counts.items():
                    totals[key] = totals.get(key, 0) + n
        return cls(
            paths=sorted(paths),
            tree=tree,
            stats={p: PathStats(**c) for p, c in sorted(stats.items())} if include_stats else None,
        )


class PathCreated(PathCreatedKeys, RunicornModel):
    """``POST /api/paths/create``: the path as the viewer stored it (slashes trimmed)."""

    ok: bool
    path: str


class PathDeletion(PathDeletionKeys, RunicornModel):
    """``POST /api/paths/soft-delete``: the runs moved to the recycle bin."""

    path: str
    deleted_count: int
    errors: list[str] | None = None


class ExportedRun(ExportedRunKeys, RunicornModel):
    """One run of a path's JSON export."""

    run_id: str
    path: str | None = None
    alias: str | None = None
    status: str | None = None
    created_time: float | None = None
    summary: dict[str, JSON] = Field(default_factory=dict)
    meta: dict[str, JSON] = Field(default_factory=dict)


class PathExport(PathExportKeys, RunicornModel):
    """``GET /api/paths/export?format=json``: the runs under a path with their summaries."""

    path: str
    exact: bool
    total_runs: int
    runs: list[ExportedRun] = Field(default_factory=list)


class PathTree(PathTreeKeys, RunicornModel):
    """``GET /api/paths/tree`` (0.7.x): run paths as a nested ``{part: {part: ...}}``."""

    tree: dict[str, JSON] = Field(default_factory=dict)

    def paths(self) -> list[str]:
        """Every path in the tree (inner nodes too), sorted."""
        found: list[str] = []

        def walk(node: Any, prefix: str) -> None:
            for part, child in sorted(node.items()) if isinstance(node, dict) else []:
                path = f"{prefix}/{part}" if prefix else part
                found.append(path)
                walk(child, path)

        walk(self.tree, "")
        return found
