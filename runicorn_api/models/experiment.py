"""Experiments (runs) and projects, one model set for both viewer generations."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Any, ClassVar

from pydantic import Field

from ._base import RunicornModel

__all__ = ["BestMetric", "Experiment", "Project", "RunStatus"]


class RunStatus(str, Enum):
    """The statuses a run can have. A viewer may report other strings; they are kept as is."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class BestMetric(RunicornModel):
    """The run's primary metric at its best, as the SDK's ``set_primary_metric`` tracked it."""

    name: str | None = None
    value: float | None = None
    step: int | None = None
    """Only the 0.7.x run detail reports the step."""
    mode: str | None = None
    """``"max"`` or ``"min"``; only the 0.7.x run detail reports it."""


class Experiment(RunicornModel):
    """One run.

    The two viewer generations name runs differently; both are mapped onto one model:

    * 0.5.x stores runs under ``project/name``; the model's ``path`` is ``"project/name"``.
    * 0.7.x stores runs under a path ``a/b/c``; the model's ``project`` is the first segment
      (``"a"``) and ``name`` the rest (``"b/c"``); a one-segment path has ``name=None``.

    ``tags`` and ``alias`` exist on 0.7.x only and are empty on 0.5.x.
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
        "is_running",
        "is_finished",
        "display_name",
    )

    @property
    def created_datetime(self) -> datetime | None:
        """``created_at`` (the seed's name for it)."""
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


def epoch_to_datetime(value: Any) -> datetime | None:
    """Unix seconds → an aware UTC datetime; ``None`` stays ``None``."""
    if value is None:
        return None
    return datetime.fromtimestamp(float(value), tz=timezone.utc)


class Project(RunicornModel):
    """A project (0.5.x) or top-level path (0.7.x) with its run counts."""

    name: str
    experiment_count: int = 0
    """Runs in the project (deleted runs excluded)."""
    running: int = 0
    finished: int = 0
    failed: int = 0
    interrupted: int = 0
