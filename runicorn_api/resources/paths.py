"""``client.paths``: the folders runs are filed under (0.7.x paths; on 0.5.x the
``project/name`` pairs), listed with counts, created, deleted and exported."""

from __future__ import annotations

import builtins
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from .._common.progress import ProgressOption, check_progress
from .._core import ClientCore
from .._exceptions import InvalidArgumentError, RunicornAPIError
from .._generations.base import RunsRequest
from .._types import NOT_GIVEN, Timeout
from .._validation import check_bool, check_path
from ..models.experiment import Experiment
from ..models.paths import PathCreated, PathDeletion, PathExport, PathListing
from ._base import Resource
from ._runs import RunLookup

if TYPE_CHECKING:
    from .experiments import ExperimentsResource

__all__ = ["PathsResource"]

_COUNTED = ("running", "finished", "failed")


class PathsResource(Resource):
    """``client.paths``: run paths. On 0.5.x a path is ``project/name``; listing and
    filtering work there too (built on the client), writing paths needs 0.7.x."""

    def __init__(self, core: ClientCore, runs: RunLookup, experiments: ExperimentsResource) -> None:
        super().__init__(core)
        self._runs = runs
        self._experiments = experiments

    def list(self, *, include_stats: bool = False, timeout: Timeout = NOT_GIVEN) -> PathListing:
        """Every path that holds runs, as a list and a tree, with run counts per path
        (ancestors included) when ``include_stats``.

        :calls: ``GET /api/paths[?include_stats=true]`` (0.7.x), or ``GET /api/runs``
            (0.5.x, which has no paths route: the listing is built here from each run's
            ``project/name``, counted as a 0.7.x viewer counts)
        """
        check_bool("include_stats", include_stats)
        if self._core.server.supports("paths"):
            params = {"include_stats": "true"} if include_stats else None
            return self._get("/api/paths", PathListing, params=params, timeout=timeout)
        counts: dict[str, dict[str, int]] = {}
        for page in self._runs.pages(RunsRequest("/api/runs"), timeout=timeout):
            for run in page.items:
                if run.path is None:
                    continue
                tally = counts.setdefault(run.path, {"total": 0, **dict.fromkeys(_COUNTED, 0)})
                tally["total"] += 1
                if run.status in _COUNTED:
                    tally[run.status] += 1
        return PathListing.of_paths(counts, include_stats=include_stats)

    def runs(self, path: str | None = None, *, exact: bool = False) -> builtins.list[Experiment]:
        """The runs at ``path`` and below it (whole segments: ``"vision"`` matches
        ``vision/resnet``, not ``visionary``), or only at it with ``exact``; every run
        without a path.

        :calls: ``GET /api/paths/runs?path=&exact=`` (0.7.x) or the narrowest 0.5.x
            listing (``GET /api/projects/{p}/names/{n}/runs`` or ``GET /api/runs``)
        """
        check_bool("exact", exact)
        if path is None:
            return self._experiments.all().to_list()
        clean = check_path("path", path)
        if exact:
            return self._experiments.filter(path=clean).to_list()
        return self._experiments.filter(path_prefix=clean).to_list()

    def create(self, path: str, *, timeout: Timeout = NOT_GIVEN) -> PathCreated:
        """An empty path, for runs to be moved into (0.7.x).

        :calls: ``POST /api/paths/create {"path"}``

        Raises:
            InvalidArgumentError: Before any request, for ``..`` or characters the
                viewer refuses.
            ConflictError: The path already exists.
        """
        clean = check_path("path", path, creating=True)
        self._core.require_route("POST", "/api/paths/create")
        return self._post(
            "/api/paths/create", PathCreated, json_body={"path": clean}, timeout=timeout
        )

    def delete(
        self, path: str, *, exact: bool = False, timeout: Timeout = NOT_GIVEN
    ) -> PathDeletion:
        """Move every run at ``path`` (and below it, unless ``exact``) to the recycle
        bin, and remove the path's folder (0.7.x).

        :calls: ``POST /api/paths/soft-delete {"path", "exact"}``

        Raises:
            RunicornAPIError: The viewer reported runs it could not delete (the result
                is the error's ``body``); the others were deleted.
        """
        clean = check_path("path", path)
        check_bool("exact", exact)
        self._core.require_route("POST", "/api/paths/soft-delete")
        result = self._post(
            "/api/paths/soft-delete",
            PathDeletion,
            json_body={"path": clean, "exact": exact},
            timeout=timeout,
        )
        if result.errors:
            raise RunicornAPIError(
                f"Deleting the path {clean!r} moved {result.deleted_count} runs to the recycle "
                f"bin but failed for others: {'; '.join(result.errors)}",
                body=result,
            )
        return result

    @overload
    def export(
        self,
        path: str,
        dest: str | os.PathLike[str],
        *,
        exact: bool = ...,
        format: Literal["zip"] = ...,
        progress: ProgressOption = ...,
        timeout: Timeout = ...,
    ) -> Path: ...
    @overload
    def export(
        self,
        path: str,
        dest: None = ...,
        *,
        exact: bool = ...,
        format: Literal["json"],
        progress: ProgressOption = ...,
        timeout: Timeout = ...,
    ) -> PathExport: ...
    def export(
        self,
        path: str,
        dest: str | os.PathLike[str] | None = None,
        *,
        exact: bool = False,
        format: Literal["zip", "json"] = "zip",
        progress: ProgressOption = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> Path | PathExport:
        """The runs under ``path`` as the viewer's zip, written to ``dest`` (a file, or a
        folder to hold ``<path>.zip``), or with ``format="json"`` their summaries as a model.

        :calls: ``GET /api/paths/export?path=&exact=&format=`` (0.7.x)

        The zip holds an ``index.json`` and one folder per run id, a layout
        :meth:`~runicorn_api.RunicornClient.import_archive` takes. It is written beside
        ``dest`` first and moved into place when whole.

        Raises:
            NotFoundError: No run is at the path (zip only; the JSON lists none).
        """
        clean = check_path("path", path)
        check_bool("exact", exact)
        check_progress(progress)
        self._core.require_route("GET", "/api/paths/export")
        params = {"path": clean, "exact": "true" if exact else "false", "format": format}
        if format == "json":
            if dest is not None:
                raise InvalidArgumentError("format='json' returns a model; pass no dest")
            return self._get("/api/paths/export", PathExport, params=params, timeout=timeout)
        if format != "zip":
            raise InvalidArgumentError(f"format must be 'zip' or 'json', got {format!r}")
        if dest is None:
            raise InvalidArgumentError("format='zip' needs dest, the file or folder to write to")
        return self._save_file(
            "/api/paths/export",
            dest,
            clean.replace("/", "_") + ".zip",
            progress=progress,
            desc=f"export {clean}",
            params=params,
            timeout=timeout,
        )
