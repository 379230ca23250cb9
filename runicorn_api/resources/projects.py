"""``client.projects``: projects (0.5.x) or top-level paths (0.7.x), with run counts."""

from __future__ import annotations

import builtins
from urllib.parse import quote

from .._core import ClientCore
from .._exceptions import InvalidArgumentError, ResponseValidationError
from .._generations.base import RunsRequest
from .._types import NOT_GIVEN, Timeout
from ..models.experiment import Project, RunStatus
from ..models.paths import PathTree
from ._base import Resource
from ._runs import RunLookup

__all__ = ["ProjectsResource"]


class ProjectsResource(Resource):
    """``client.projects``: projects (0.5.x) or top-level paths (0.7.x), with run counts."""

    def __init__(self, core: ClientCore, runs: RunLookup) -> None:
        super().__init__(core)
        self._runs = runs

    def tree(self, *, timeout: Timeout = NOT_GIVEN) -> PathTree:
        """Every run path as a nested tree (0.7.x).

        :calls: ``GET /api/paths/tree``
        """
        self._adapter.require("paths")
        return self._get("/api/paths/tree", PathTree, timeout=timeout)

    def names(self, project: str, *, timeout: Timeout = NOT_GIVEN) -> builtins.list[str]:
        """The experiment names under a project (0.5.x), or the path segments under a
        first segment (0.7.x, whose viewer keeps this route for older pages).

        :calls: ``GET /api/projects/{project}/names``
        """
        if not isinstance(project, str) or not project.strip("/"):
            raise InvalidArgumentError(f"project must be a non-empty name, got {project!r}")
        path = f"/api/projects/{quote(project.strip('/'), safe='')}/names"
        data = self._get(path, timeout=timeout)
        names = data.get("names") if isinstance(data, dict) else None
        if not isinstance(names, builtins.list) or not all(isinstance(n, str) for n in names):
            raise ResponseValidationError(f"GET {path}: no 'names' list of strings", body=data)
        return names

    def list(self, *, timeout: Timeout = NOT_GIVEN) -> list[Project]:
        """Every project with its run counts per status, sorted by name.

        :calls: ``GET /api/paths?include_stats=true`` (0.7.x; ``interrupted`` is the
        total less the other counts, since the viewer counts it in the total only) or
        ``GET /api/runs`` (0.5.x, whose ``/api/projects`` has no counts: counted here)
        """
        if self._core.server.supports("paths"):
            return self._from_paths(timeout)
        totals: dict[str, dict[str, int]] = {}
        for page in self._runs.pages(RunsRequest("/api/runs"), timeout=timeout):
            for run in page.items:
                if run.project is None:
                    continue
                counts = totals.setdefault(run.project, {s.value: 0 for s in RunStatus})
                if run.status in counts:
                    counts[run.status] += 1
                counts["experiment_count"] = counts.get("experiment_count", 0) + 1
        return [Project(name=name, **counts) for name, counts in sorted(totals.items())]

    def _from_paths(self, timeout: Timeout) -> builtins.list[Project]:
        data = self._get("/api/paths", params={"include_stats": "true"}, timeout=timeout)
        stats = data.get("stats") if isinstance(data, dict) else None
        if not isinstance(stats, dict):
            raise ResponseValidationError("GET /api/paths: no 'stats' object", body=data)
        projects = []
        for path, counts in sorted(stats.items()):
            if "/" in path or not isinstance(counts, dict):
                continue
            total = int(counts.get("total", 0))
            known = {s: int(counts.get(s, 0)) for s in ("running", "finished", "failed")}
            projects.append(
                Project(
                    name=path,
                    experiment_count=total,
                    interrupted=total - sum(known.values()),
                    **known,
                )
            )
        return projects
