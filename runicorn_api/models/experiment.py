"""Experiments (runs) and projects, one model set for both viewer generations."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import Field, PrivateAttr

from .._common.moved import moved
from .._types import JSON, NOT_GIVEN, NotGiven
from ._base import LinkedModel, RunicornModel
from ._keys import BestMetricKeys, ExperimentKeys, ProjectKeys

if TYPE_CHECKING:
    from .artifact import RunArtifacts
    from .contents import Environment, RunLog
    from .media import RunImage
    from .metrics import MetricSummary, RunMetrics
    from .runs import BatchResult

__all__ = ["BestMetric", "Experiment", "Project", "RunHome", "RunLink", "RunStatus"]


class RunStatus(str, Enum):
    """The statuses a run can have. A viewer may report other strings; they are kept as is."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class BestMetric(BestMetricKeys, RunicornModel):
    """The run's primary metric at its best, as the SDK's ``set_primary_metric`` tracked it."""

    name: str | None = None
    value: float | None = None
    step: int | None = None
    """Only the 0.7.x run detail reports the step."""
    mode: str | None = None
    """``"max"`` or ``"min"``; only the 0.7.x run detail reports it."""


class _Experiments(Protocol):
    """``client.experiments`` as a run calls it."""

    def get(self, run_id: str, /) -> Experiment: ...
    def update(
        self,
        run_id: str,
        /,
        *,
        tags: Sequence[str] | NotGiven = NOT_GIVEN,
        alias: str | NotGiven | None = NOT_GIVEN,
    ) -> Experiment: ...
    def delete(self, run_ids: str, /) -> BatchResult: ...
    def move(self, run_ids: str, target_path: str, /) -> BatchResult: ...
    def logs(self, run_id: str, /) -> RunLog: ...
    def environment(self, run_id: str, /) -> Environment: ...
    def load_details(self, items: Sequence[Experiment], /) -> None: ...


class _ManyMetrics(Protocol):
    def to_list(self) -> builtins.list[RunMetrics]: ...


class _Metrics(Protocol):
    """``client.metrics`` as a run calls it."""

    def get(
        self,
        run_id: str,
        metric_names: Sequence[str] | None = None,
        limit: int | None = None,
        /,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> RunMetrics: ...
    def many(
        self, runs: Sequence[str], metric_names: Sequence[str] | None = None, /
    ) -> _ManyMetrics: ...
    def summaries(
        self, runs: Sequence[Experiment], metric_names: Sequence[str], /, *, full: bool
    ) -> builtins.list[dict[str, MetricSummary]]: ...


class _Images(Protocol):
    """``client.images`` as a run calls it."""

    def list(self, run_id: str, /, *, key: str | None = None) -> builtins.list[RunImage]: ...


class _Artifacts(Protocol):
    def for_run(self, run_id: str, /) -> RunArtifacts: ...


class _RecycleBin(Protocol):
    def restore(self, run_ids: str, /) -> BatchResult: ...


class RunHome(Protocol):
    """Where a fetched :class:`Experiment` acts: the resources of the client that fetched
    it (the client itself), each reached directly (``exp.metrics()`` calls
    ``client.metrics.get``)."""

    @property
    def experiments(self) -> _Experiments: ...
    @property
    def metrics(self) -> _Metrics: ...
    @property
    def images(self) -> _Images: ...
    @property
    def artifacts(self) -> _Artifacts: ...
    @property
    def recycle_bin(self) -> _RecycleBin: ...


class RunLink:
    """What ties an :class:`Experiment` to the client that fetched it: that client's
    resources (:class:`RunHome`), and the run's detail-only fields once loaded
    (``details``).

    An internal interface of the SDK's resources; an Experiment built by hand has a link
    with no home.
    """

    __slots__ = ("details", "home", "summaries", "viewer")

    def __init__(self, home: RunHome | None) -> None:
        self.home: RunHome | None = home
        self.details: dict[str, JSON] | None = None
        self.summaries: dict[str, MetricSummary] = {}
        self.viewer: str | None = None


__getattr__: Callable[[str], Any] = moved(
    __name__, {"RunActions": "runicorn_api.models.experiment.RunHome"}
)


class Experiment(ExperimentKeys, LinkedModel):
    """One run.

    The two viewer generations name runs differently; both are mapped onto one model:

    * 0.5.x stores runs under ``project/name``; the model's ``path`` is ``"project/name"``.
    * 0.7.x stores runs under a path ``a/b/c``; the model's ``project`` is the first segment
      (``"a"``) and ``name`` the rest (``"b/c"``); a one-segment path has ``name=None``.

    ``tags`` and ``alias`` exist on 0.7.x only and are empty on 0.5.x.

    ``summary``, ``config``, ``duration`` and ``updated_at`` are not in the viewer's run
    lists; they load on first access (one ``GET /api/runs/{id}``), or in bulk with a
    bounded thread pool when a collection filters, orders or converts by them. 0.5.x
    viewers do not serve summaries at all; they are read from the run folder when the
    viewer's storage is readable from this machine.
    """

    id: str
    """The run id, e.g. ``20250124_120000_abc123``."""
    project: str | None = None
    name: str | None = None
    path: str | None = None
    alias: str | None = None
    status: str = "unknown"
    """``running``, ``finished``, ``failed`` or ``interrupted``; other strings are kept."""
    created_at: datetime | None = None
    """When the run started (timezone-aware, UTC)."""
    pid: int | None = None
    tags: list[str] = Field(default_factory=list)
    run_dir: str | None = None
    """The run's folder on the viewer's machine."""
    best_metric: BestMetric | None = None
    assets_count: int | None = None
    """0.7.x: how many assets the run recorded."""
    artifacts_created_count: int | None = None
    """0.5.x: how many artifacts the run logged."""
    artifacts_used_count: int | None = None
    """0.5.x: how many artifacts the run used."""

    _mapping_properties: ClassVar[tuple[str, ...]] = (
        "created_datetime",
        "updated_datetime",
        "updated_at",
        "duration",
        "summary",
        "config",
        "is_running",
        "is_finished",
        "is_done",
        "display_name",
    )

    # One private slot (pydantic initialises each private attribute per instance, which
    # costs more than the validation of a listing item): the client's actions for the
    # run, and the detail-only fields once loaded. The resource that validates the run
    # passes it in the validation context (see LinkedModel).
    _link: RunLink | None = PrivateAttr(default=None)

    @property
    def link(self) -> RunLink:
        """How this run reaches the client that fetched it (see :class:`RunLink`)."""
        # Read from pydantic's dict of private values: ``self._link`` goes through
        # ``BaseModel.__getattr__``, which counts when thousands of runs are framed.
        private = self.__pydantic_private__
        found = private.get("_link") if private is not None else None
        if found is None:
            found = self._link = RunLink(None)
        return found

    def _detail(self, key: str) -> Any:
        link = self.link
        if link.details is None:
            if link.home is None:
                return None
            link.home.experiments.load_details([self])
        return (link.details or {}).get(key)

    @property
    def details_loaded(self) -> bool:
        """Whether summary, config, duration and updated_at have been fetched."""
        return self.link.details is not None

    @property
    def summary(self) -> dict[str, JSON]:
        """The run's summary (``run.summary({...})`` in the runicorn SDK)."""
        value = self._detail("summary")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def config(self) -> dict[str, JSON]:
        """0.7.x: the logged ``args`` merged over ``extra`` (``run.log_config``); 0.5.x: ``{}``."""
        value = self._detail("config")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def duration(self) -> float | None:
        """Seconds the run took (or has taken so far), when the viewer reports it."""
        value = self._detail("duration")
        return float(value) if value is not None else None

    @property
    def updated_at(self) -> datetime | None:
        """When the run last changed: its end, or ``created_at + duration``."""
        value = self._detail("updated_at")
        return value if isinstance(value, datetime) else None

    @property
    def updated_datetime(self) -> datetime | None:
        """``updated_at`` (the original client's name for it)."""
        return self.updated_at

    def to_dict(self, *, exclude_none: bool = False) -> dict[str, JSON]:
        """Fields plus the detail-only ones (loading them if needed)."""
        data = super().to_dict(exclude_none=exclude_none)
        details = {
            "summary": self.summary,
            "config": self.config,
            "duration": self.duration,
            "updated_at": self.updated_at,
        }
        data.update({k: v for k, v in details.items() if not (exclude_none and v is None)})
        return data

    # -- actions through the client that fetched the run --------------------------------

    def _home(self) -> RunHome:
        home = self.link.home
        if home is None:
            raise RuntimeError(
                "This Experiment was not fetched through a client; use client.experiments"
            )
        return home

    def refresh(self) -> Experiment:
        """Re-read the run from the viewer, in place; returns it.

        :calls: ``GET /api/runs/{id}`` and the run's listing
        """
        fresh = self._home().experiments.get(self.id)
        for name in type(self).model_fields:
            setattr(self, name, getattr(fresh, name))
        self.link.details = fresh.link.details
        return self

    def set_tags(self, tags: list[str]) -> Experiment:
        """Replace the tags. :calls: ``PATCH /api/runs/{id}`` (0.7.x)"""
        self._home().experiments.update(self.id, tags=tags)
        return self.refresh()

    def set_alias(self, alias: str | None) -> Experiment:
        """Set (or with ``None`` clear) the alias. :calls: ``PATCH /api/runs/{id}`` (0.7.x)"""
        self._home().experiments.update(self.id, alias=alias)
        return self.refresh()

    def delete(self) -> BatchResult:
        """Move the run to the recycle bin. :calls: ``POST /api/runs/soft-delete``"""
        return self._home().experiments.delete(self.id)

    def restore(self) -> BatchResult:
        """Bring the run back from the recycle bin. :calls: ``POST /api/recycle-bin/restore``"""
        return self._home().recycle_bin.restore(self.id)

    def move_to(self, path: str) -> Experiment:
        """Move the run to another path. :calls: ``POST /api/runs/move`` (0.7.x)"""
        self._home().experiments.move(self.id, path)
        return self.refresh()

    def artifacts(self) -> RunArtifacts:
        """The artifacts the run created and used (a RunArtifacts).

        :calls: ``GET /api/runs/{id}/artifacts`` (0.5.x) or the 0.7.x asset index
        """
        return self._home().artifacts.for_run(self.id)

    def logs(self) -> RunLog:
        """The run's console log (a RunLog).

        :calls: see ``client.experiments.logs`` (the run folder, or the viewer's WebSocket)
        """
        return self._home().experiments.logs(self.id)

    def images(self, key: str | None = None) -> list[RunImage]:
        """The images the run logged (a list of RunImage).

        :calls: see ``client.images.list`` (the run folder, or ``GET /api/runs/{id}/images``)
        """
        return self._home().images.list(self.id, key=key)

    def environment(self) -> Environment:
        """What the run captured of its environment (an Environment).

        :calls: ``GET /api/environment/{id}``
        """
        return self._home().experiments.environment(self.id)

    def metrics(
        self,
        metric_names: list[str] | None = None,
        limit: int | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> RunMetrics:
        """The run's metrics, named by the run's alias or path for plots (``run_label``).

        :calls: ``GET /api/runs/{id}/metrics``
        """
        found = self._home().metrics.get(
            self.id, metric_names, limit, downsample=downsample, start=start, end=end
        )
        found.run_label = self.display_name
        return found

    def _repr_html_(self) -> str:
        """Notebooks: the run's record as a compact table (no request is made)."""
        from .._common.html import table

        best = self.best_metric
        rows = [
            ("id", self.id),
            ("path", self.path),
            ("status", self.status),
            ("alias", self.alias),
            ("tags", ", ".join(self.tags)),
            ("created", self.created_at),
            (
                "best",
                f"{best.name} = {best.value:.6g}" if best and best.value is not None else None,
            ),
        ]
        return table("Experiment", None, [r for r in rows if r[1] not in (None, "")])

    def __repr__(self) -> str:
        return (
            f"Experiment(id={self.id!r}, path={self.path!r}, status={self.status!r}"
            + (f", alias={self.alias!r}" if self.alias else "")
            + ")"
        )

    @property
    def created_datetime(self) -> datetime | None:
        """``created_at`` (the original client's name for it)."""
        return self.created_at

    @property
    def is_running(self) -> bool:
        return self.status == RunStatus.RUNNING.value

    @property
    def is_finished(self) -> bool:
        """Whether the run ended normally."""
        return self.status == RunStatus.FINISHED.value

    @property
    def is_done(self) -> bool:
        """Whether the run ended, in any way (finished, failed or interrupted)."""
        return self.status != RunStatus.RUNNING.value

    @property
    def metric_summaries(self) -> dict[str, MetricSummary]:
        """Per metric name, the reductions a collection loaded for this run when it
        filtered, sorted or converted by a key ``metrics.<name>.<reduction>`` (see
        :class:`MetricSummary`); empty until then. A metric the run has no value of
        is absent."""
        return self.link.summaries

    @property
    def viewer(self) -> str | None:
        """The name of the viewer this run came from, in a fleet
        (:func:`~runicorn_api.connect_many`); ``None`` for a run of one client."""
        return self.link.viewer

    @property
    def display_name(self) -> str:
        """The alias if there is one, else the path, else the id."""
        return self.alias or self.path or self.id

    @staticmethod
    def split_path(path: str | None) -> tuple[str | None, str | None]:
        """``"a/b/c"`` → ``("a", "b/c")``; ``"a"`` → ``("a", None)``."""
        if not path:
            return None, None
        head, _, rest = path.strip("/").partition("/")
        return head or None, rest or None


class Project(ProjectKeys, RunicornModel):
    """A project (0.5.x) or top-level path (0.7.x) with its run counts."""

    name: str
    experiment_count: int = 0
    """Runs in the project (deleted runs excluded)."""
    running: int = 0
    finished: int = 0
    failed: int = 0
    interrupted: int = 0
