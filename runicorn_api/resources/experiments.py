"""Runs and projects."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from .._types import NOT_GIVEN, Timeout
from ..models.experiment import Experiment, Project, RunStatus
from ._base import Resource


def check_run_id(run_id: object) -> str:
    """Refuse, before any request, a run id that cannot name a run."""
    if not isinstance(run_id, str) or not run_id.strip():
        raise ValueError(f"run_id must be a non-empty string, got {run_id!r}")
    if "/" in run_id or "\\" in run_id:
        raise ValueError(f"run_id must not contain a path separator, got {run_id!r}")
    return run_id


def check_page(limit: int | None, offset: int | None) -> None:
    for label, value in (("limit", limit), ("offset", offset)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise TypeError(f"{label} must be an int or None, got {value!r}")
        if value is not None and value < 0:
            raise ValueError(f"{label} must be >= 0, got {value}")


class ExperimentsResource(Resource):
    """Runs, read with ``/api/runs``."""

    def list(
        self,
        *,
        project: str | None = None,
        name: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> list[Experiment]:
        """All runs, filtered and sliced.

        :calls: ``GET /api/runs``

        The viewer ignores every query parameter of ``/api/runs``, so ``project``,
        ``name``, ``status``, ``limit`` and ``offset`` are applied here, on the client.
        ``name`` matches the 0.5.x name or the 0.7.x path after the project segment.
        """
        check_page(limit, offset)
        items = self._request("GET", "/api/runs", timeout=timeout)
        runs = [
            self._model(Experiment, self._adapter.normalize_run(i), context="GET /api/runs")
            for i in _as_list(items, "GET /api/runs")
        ]
        runs = [
            r
            for r in runs
            if (project is None or r.project == project)
            and (name is None or r.name == name)
            and (status is None or r.status == status)
        ]
        start = offset or 0
        return runs[start:] if limit is None else runs[start : start + limit]

    def get(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Experiment:
        """One run.

        :calls: ``GET /api/runs/{run_id}``
        """
        check_run_id(run_id)
        context = f"GET /api/runs/{run_id}"
        detail = self._request("GET", f"/api/runs/{quote(run_id)}", timeout=timeout)
        return self._model(Experiment, self._adapter.normalize_run(detail), context=context)


class ProjectsResource(Resource):
    """Projects (0.5.x) or top-level paths (0.7.x), with run counts."""

    def list(self, *, timeout: Timeout = NOT_GIVEN) -> list[Project]:
        """Every project with its run counts per status, sorted by name.

        :calls: ``GET /api/runs`` (the viewer's ``/api/projects`` has no counts; they are
        counted here)
        """
        counts: dict[str, Counter[str]] = {}
        for run in self._client.experiments.list(timeout=timeout):
            if run.project is not None:
                counts.setdefault(run.project, Counter())[run.status] += 1
        return [
            Project(
                name=name,
                experiment_count=sum(c.values()),
                **{s.value: c[s.value] for s in RunStatus},
            )
            for name, c in sorted(counts.items())
        ]


def _as_list(data: Any, context: str) -> list[Any]:
    if not isinstance(data, list):
        from .._exceptions import ResponseValidationError

        raise ResponseValidationError(
            f"{context} answered {type(data).__name__}, expected a JSON array", body=data
        )
    return data
