"""The seed's API: the methods of the client the seed document describes
(``health_check``, ``list_experiments``, ``get_metrics``, ...), each a thin call into the
resource that does the work. :class:`~runicorn_api.RunicornClient` inherits them; code
written for that API runs on it with only the import changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._types import NOT_GIVEN, Timeout
from ._resources import OnResources

if TYPE_CHECKING:
    from ..models.experiment import Experiment, Project
    from ..models.gpu import GPUInfo
    from ..models.metrics import RunMetrics
    from ..models.system import ConfigUpdate, Health, ViewerConfig

__all__ = ["SeedAPI"]


class SeedAPI(OnResources):
    """The seed document's client methods, over the resources of the client."""

    def health_check(self, *, timeout: Timeout = NOT_GIVEN) -> Health:
        """:calls: ``GET /api/health``"""
        return self.system.health(timeout=timeout)

    def get_config(self, *, timeout: Timeout = NOT_GIVEN) -> ViewerConfig:
        """:calls: ``GET /api/config``"""
        return self.system.config(timeout=timeout)

    def update_config(
        self, config: Mapping[str, Any], *, timeout: Timeout = NOT_GIVEN
    ) -> ConfigUpdate:
        """Change the storage root; see :meth:`SystemResource.update_config`.

        :calls: ``POST /api/config/user_root_dir``
        """
        return self.system.update_config(config, timeout=timeout)

    def get_gpu_info(self, *, timeout: Timeout = NOT_GIVEN) -> GPUInfo:
        """:calls: ``GET /api/gpu/telemetry``"""
        return self.system.gpu(timeout=timeout)

    def list_experiments(
        self,
        project: str | None = None,
        name: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Experiment]:
        """Runs, filtered and sliced on the client (the viewer ignores all parameters).

        :calls: ``GET /api/runs``; see :meth:`ExperimentsResource.list`
        """
        return self.experiments.list(
            project=project, name=name, status=status, limit=limit, offset=offset
        )

    def get_experiment(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Experiment:
        """:calls: ``GET /api/runs/{run_id}``"""
        return self.experiments.get(run_id, timeout=timeout)

    def list_projects(self, *, timeout: Timeout = NOT_GIVEN) -> list[Project]:
        """Projects with run counts per status; see :meth:`ProjectsResource.list`.

        :calls: ``GET /api/paths?include_stats=true`` (0.7.x) or ``GET /api/runs`` (0.5.x)
        """
        return self.projects.list(timeout=timeout)

    def get_metrics(
        self,
        run_id: str,
        metric_names: Sequence[str] | None = None,
        limit: int | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> RunMetrics:
        """:calls: ``GET /api/runs/{run_id}/metrics``; see :meth:`MetricsResource.get`."""
        return self.metrics.get(
            run_id,
            metric_names,
            limit,
            downsample=downsample,
            start=start,
            end=end,
            timeout=timeout,
        )

    def export_experiment(
        self, run_id: str, format: str = "json", include_media: bool = False
    ) -> bytes:
        """A run exported as bytes, built on the client (the viewer's export endpoints
        answer 501 in the published wheels); see :meth:`ExportsResource.run`.

        :calls: ``GET /api/runs/{run_id}`` and ``GET /api/runs/{run_id}/metrics``; with
        ``include_media=True``, ``POST /api/runs/export`` (0.7.x)

        Raises:
            ValueError: Before any request, for a format other than json, csv, parquet.
            UnsupportedFeatureError: ``include_media=True`` on a 0.5.x viewer.
        """
        return self.exports.run(run_id, format, include_media=include_media)
