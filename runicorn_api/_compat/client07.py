"""runicorn 0.7's own client (``runicorn.client``): the methods its document names
that the seed's API does not (``list_runs``, ``list_paths``, ``export_csv``, ...), each
a thin call into the resource that does the work. :class:`~runicorn_api.RunicornClient`
inherits them; code written for ``runicorn.client`` runs on it with only the import
changed."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

from .._types import NOT_GIVEN, Timeout
from ._resources import OnResources

if TYPE_CHECKING:
    from ..models.archives import ImportResult
    from ..models.experiment import Experiment
    from ..models.machine import StorageStats
    from ..models.paths import PathListing
    from ..models.system import ConfigUpdate, StatusCheck

__all__ = ["Client07API"]


class Client07API(OnResources):
    """runicorn 0.7's ``runicorn.client`` methods, over the resources of the client."""

    def get_run(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Experiment:
        """One run (runicorn 0.7's client's name for ``get_experiment``).

        :calls: ``GET /api/runs/{run_id}``, then the run's listing
        """
        return self.experiments.get(run_id, timeout=timeout)

    def list_runs(self) -> list[Experiment]:
        """Every run (runicorn 0.7's client's name for :meth:`list_experiments`).

        :calls: ``GET /api/runs``
        """
        return self.experiments.all().to_list()

    def list_paths(
        self, include_stats: bool = False, *, timeout: Timeout = NOT_GIVEN
    ) -> PathListing:
        """Every run path, as a list and a tree, with counts when ``include_stats``; see
        :meth:`PathsResource.list` (built on the client on 0.5.x).

        :calls: ``GET /api/paths`` (0.7.x) or ``GET /api/runs`` (0.5.x)
        """
        return self.paths.list(include_stats=include_stats, timeout=timeout)

    def list_runs_by_path(self, path: str | None = None, exact: bool = False) -> list[Experiment]:
        """The runs at ``path`` and below it (only at it with ``exact``); see
        :meth:`PathsResource.runs`. On 0.5.x a path is ``project/name``.

        :calls: ``GET /api/paths/runs?path=&exact=`` (0.7.x) or a 0.5.x listing
        """
        return self.paths.runs(path, exact=exact)

    def export_csv(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> bytes:
        """The run's metrics as CSV, one line per step; see :meth:`ExportsResource.csv`.

        :calls: ``GET /api/export/{run_id}/csv``, or on its 501 (as the published wheels
            answer) ``GET /api/runs/{run_id}/metrics``, the CSV written here
        """
        return self.exports.csv(run_id, timeout=timeout)

    def export_report(
        self, run_id: str, format: str = "markdown", *, timeout: Timeout = NOT_GIVEN
    ) -> bytes:
        """A ``"markdown"`` or ``"html"`` report of the run; see :meth:`ExportsResource.report`.

        :calls: ``GET /api/export/{run_id}/report?format=``, or on its 501
            ``GET /api/runs/{run_id}`` and ``GET /api/runs/{run_id}/metrics``
        """
        return self.exports.report(run_id, format, timeout=timeout)

    def set_user_root_dir(self, path: str, *, timeout: Timeout = NOT_GIVEN) -> ConfigUpdate:
        """Change the viewer's storage root (runicorn 0.7's client's name).

        :calls: ``POST /api/config/user_root_dir {"path"}``
        """
        return self.system.update_config({"user_root_dir": path}, timeout=timeout)

    def get_storage_stats(self, *, timeout: Timeout = NOT_GIVEN) -> StorageStats:
        """Disk usage of the storage root by part (0.7.x).

        :calls: ``GET /api/storage/stats``
        """
        return self.system.storage_stats(timeout=timeout)

    def check_status(self, *, timeout: Timeout = NOT_GIVEN) -> StatusCheck:
        """Have the viewer mark ``running`` runs whose process is gone.

        :calls: ``POST /api/status/check``
        """
        return self.system.check_status(timeout=timeout)

    def import_archive(
        self,
        path: str | os.PathLike[str],
        mode: Literal["merge", "isolate"] = "merge",
        dry_run: bool = False,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> ImportResult:
        """Import the runs of a zip or tar.gz archive; see :meth:`ImportsResource.archive`.

        :calls: ``POST /api/import/preview`` and ``POST /api/import/archive`` (0.7.x) or
            ``POST /api/import/archive`` (0.5.x)
        """
        return self.imports.archive(path, mode=mode, dry_run=dry_run, timeout=timeout)
