"""The client's :class:`~runicorn_api.models.experiment.RunActions`: what a fetched run's
own methods (``exp.metrics()``, ``exp.logs()``, ...) call, on the client that fetched it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ._types import NOT_GIVEN, NotGiven

if TYPE_CHECKING:
    from .models.artifact import RunArtifacts
    from .models.contents import Environment, RunLog
    from .models.experiment import Experiment
    from .models.media import RunImage
    from .models.metrics import RunMetrics
    from .models.runs import BatchResult
    from .resources.artifacts import ArtifactsResource
    from .resources.experiments import ExperimentsResource
    from .resources.images import ImagesResource
    from .resources.metrics import MetricsResource
    from .resources.recycle_bin import RecycleBinResource

__all__ = ["ClientActions"]


class ClientActions:
    """The client's :class:`~runicorn_api.models.experiment.RunActions`: what a fetched
    run's own methods call."""

    def __init__(
        self,
        *,
        experiments: Callable[[], ExperimentsResource],
        recycle_bin: Callable[[], RecycleBinResource],
        artifacts: Callable[[], ArtifactsResource],
        images: Callable[[], ImagesResource],
        metrics: Callable[[], MetricsResource],
    ) -> None:
        # Getters: the client builds each resource on first use, after this object.
        self._experiments = experiments
        self._recycle_bin = recycle_bin
        self._artifacts = artifacts
        self._images = images
        self._metrics = metrics

    def get(self, run_id: str) -> Experiment:
        return self._experiments().get(run_id)

    def update(
        self,
        run_id: str,
        *,
        tags: list[str] | None = None,
        alias: str | NotGiven | None = NOT_GIVEN,
    ) -> Experiment:
        return self._experiments().update(
            run_id, tags=NOT_GIVEN if tags is None else tags, alias=alias
        )

    def delete(self, run_id: str) -> BatchResult:
        return self._experiments().delete(run_id)

    def restore(self, run_id: str) -> BatchResult:
        return self._recycle_bin().restore(run_id)

    def move(self, run_id: str, path: str) -> BatchResult:
        return self._experiments().move(run_id, path)

    def artifacts(self, run_id: str) -> RunArtifacts:
        return self._artifacts().for_run(run_id)

    def logs(self, run_id: str) -> RunLog:
        return self._experiments().logs(run_id)

    def images(self, run_id: str, key: str | None) -> list[RunImage]:
        return self._images().list(run_id, key=key)

    def environment(self, run_id: str) -> Environment:
        return self._experiments().environment(run_id)

    def metrics(
        self,
        run_id: str,
        metric_names: list[str] | None,
        limit: int | None,
        *,
        downsample: int | None,
        start: int | None,
        end: int | None,
    ) -> RunMetrics:
        return self._metrics().get(
            run_id, metric_names, limit, downsample=downsample, start=start, end=end
        )

    def metrics_of(self, run_ids: list[str], metric_names: list[str]) -> list[RunMetrics]:
        return self._metrics().many(run_ids, metric_names).to_list()

    def load_details(self, items: Sequence[Experiment]) -> None:
        self._experiments().load_details(items)
