"""The 0.5.x model registry: lifecycle stages, evaluations, training metrics, statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from .._types import JSON
from ._base import RunicornModel, epoch_to_datetime
from ._keys import (
    ArtifactStatsKeys,
    EvaluationKeys,
    EvaluationReceiptKeys,
    PromotionKeys,
    TrainingMetricsKeys,
    VersionDeletionKeys,
    VersionPerformanceKeys,
)

__all__ = [
    "STAGES",
    "TRANSITIONS",
    "ArtifactStats",
    "Evaluation",
    "EvaluationReceipt",
    "Promotion",
    "TrainingMetrics",
    "VersionDeletion",
    "VersionPerformance",
]

STAGES = ("experimental", "staging", "production", "archived")
"""The lifecycle stages of a 0.5.x model version; a new version is ``experimental``."""

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "experimental": ("staging", "archived"),
    "staging": ("production", "experimental", "archived"),
    "production": ("staging", "archived"),
    "archived": ("experimental",),
}
"""The stages each stage may be promoted to, as the 0.5.x viewer enforces them."""


class _Epochs(RunicornModel):
    """Models whose listed fields the viewer sends as Unix seconds."""

    @field_validator("created_at", "evaluation_date", mode="before", check_fields=False)
    @classmethod
    def _epoch(cls, value: Any) -> Any:
        return epoch_to_datetime(value) if isinstance(value, int | float) else value


class Promotion(PromotionKeys, RunicornModel):
    """What ``POST /api/artifacts/{name}/v{n}/promote`` answered."""

    ok: bool = True
    artifact: str
    """``"name:vN"``."""
    from_stage: str
    to_stage: str
    message: str | None = None


class Evaluation(EvaluationKeys, _Epochs):
    """One recorded evaluation of a model version."""

    id: str
    model_name: str
    model_version: int
    evaluation_date: datetime | None = None
    evaluator_run_id: str | None = None
    metrics: dict[str, float] = Field(default_factory=dict)
    test_dataset: str | None = None
    status: str
    """``passed``, ``failed`` or ``pending``."""
    notes: str | None = None


class EvaluationReceipt(EvaluationReceiptKeys, RunicornModel):
    """What ``POST /api/artifacts/{name}/v{n}/evaluate`` answered."""

    ok: bool = True
    eval_id: str
    message: str | None = None


class TrainingMetrics(TrainingMetricsKeys, _Epochs):
    """The run that created a version: its summary, status and duration."""

    run_id: str
    run_name: str | None = None
    project: str | None = None
    metrics: dict[str, JSON] = Field(default_factory=dict)
    """The creating run's summary."""
    created_at: datetime | None = None
    duration_seconds: float | None = None
    status: str | None = None


class VersionPerformance(VersionPerformanceKeys, _Epochs):
    """One version's creating run and its numeric summary values."""

    version: int
    created_at: datetime | None = None
    run_id: str | None = None
    status: str | None = None
    metrics: dict[str, float] = Field(default_factory=dict)


class ArtifactStats(ArtifactStatsKeys, RunicornModel):
    """``GET /api/artifacts/stats``: sizes and deduplication of the artifact store."""

    total_artifacts: int | None = None
    total_versions: int | None = None
    total_size_bytes: int | None = None
    total_files: int | None = None
    dedup_enabled: bool | None = None
    by_type: dict[str, dict[str, JSON]] = Field(default_factory=dict)
    dedup_pool_size_bytes: int | None = None
    space_saved_bytes: int | None = None
    dedup_ratio: float | None = None


class VersionDeletion(VersionDeletionKeys, RunicornModel):
    """What ``DELETE /api/artifacts/{name}/v{n}`` answered."""

    success: bool
    message: str | None = None
