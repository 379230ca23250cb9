"""What the fixture wrote: a record per run, the manifest of them, and the rows each
run logged, re-derived from the writer's own formula."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .writer import metric_row, val_loss

__all__ = ["Manifest", "RunRecord", "expected_rows"]


@dataclass
class RunRecord:
    """What the fixture wrote for one run."""

    key: str
    run_id: str
    project: str
    name: str
    path: str
    status: str
    seed: int
    steps: int
    val_every: int
    skill: float
    """Scales the run's accuracy (see ``writer.metric_row``)."""
    nan_step: int | None
    edge: str | None
    """Which metrics edge case the run logs (see ``writer.log_edge``), if any."""
    live: bool
    alias: str | None
    tags: list[str]
    summary: dict[str, Any]
    config: dict[str, Any] | None
    artifacts: list[dict[str, Any]]
    uses: list[str]
    run_dir: str = ""
    created_time: float = 0.0
    extra_steps: int = 0
    """Steps the live run logged after the data set was written."""
    outputs: dict[str, str] | None = None
    """0.7.x: files the run archived as outputs."""
    code: dict[str, str] | None = None
    """0.7.x: the workspace files of the run's code snapshot."""
    refs: list[dict[str, Any]] | None = None
    """0.7.x: pretrained models and datasets logged by path or URI (see ``_RESNET50``)."""
    log_lines: list[str] | None = None
    """Lines written with ``log_text`` after ``init`` (the SDK prefixes each with a time)."""
    images: list[dict[str, Any]] | None = None
    """Images logged with ``log_image``: key, step, size, rgb, caption, and the ``path``
    (relative to the run folder), ``bytes`` and ``sha256`` the writer saw."""
    env_packages: dict[str, str] | None = None
    """Packages planted in the run's environment capture (``None``: no capture)."""
    best_metric_name: str | None = None
    best_metric_value: float | None = None
    """The primary metric's best as the SDK recorded it (summary.json, else runicorn.db)."""

    @property
    def last_step(self) -> int:
        return self.steps + self.extra_steps


@dataclass
class Manifest:
    """Everything the fixture wrote, in creation order."""

    version: str
    generation: str
    storage: str
    runs: list[RunRecord] = field(default_factory=list)

    def __getitem__(self, key: str) -> RunRecord:
        for run in self.runs:
            if run.key == key:
                return run
        raise KeyError(key)

    def ids(self, **equal: Any) -> set[str]:
        """Ids of the runs whose attributes equal ``equal``."""
        return {r.run_id for r in self.runs if all(getattr(r, k) == v for k, v in equal.items())}

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def expected_rows(run: RunRecord, *, upto: int | None = None) -> list[dict[str, float | None]]:
    """The rows the writer logged for ``run`` (NaN as ``None``, as the viewer sends it)."""
    rows: list[dict[str, float | None]] = []
    for step in range(1, (upto or run.last_step) + 1):
        values: dict[str, float | None] = dict(
            metric_row(run.seed, step, run.steps, run.nan_step, run.skill)
        )
        if values["loss"] != values["loss"]:
            values["loss"] = None
        values["val_loss"] = (
            val_loss(run.seed, step, run.steps) if step % run.val_every == 0 else None
        )
        values["global_step"] = step
        rows.append(values)
    return rows
