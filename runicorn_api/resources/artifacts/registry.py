"""The 0.5.x model registry, as methods of ``client.artifacts``: stages, evaluations,
training metrics, statistics and version deletion.

Every method first checks that the viewer has a registry (0.5.x): on 0.7.x it raises
:class:`UnsupportedFeatureError` naming the version and what 0.7.x has instead, before
any request.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..._core import ListOf
from ..._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ...models.artifact import Artifact
from ...models.registry import (
    STAGES,
    TRANSITIONS,
    ArtifactStats,
    Evaluation,
    EvaluationReceipt,
    Promotion,
    TrainingMetrics,
    VersionDeletion,
    VersionPerformance,
)
from .._base import Resource

__all__ = ["ModelRegistry"]

EVALUATION_STATUSES = ("passed", "failed", "pending")


def check_stage(to_stage: object) -> str:
    if not isinstance(to_stage, str) or to_stage not in STAGES:
        raise InvalidArgumentError(f"to_stage must be one of {', '.join(STAGES)}; got {to_stage!r}")
    return to_stage


def check_transition(artifact: Artifact, to_stage: str) -> None:
    """Refuse a transition the viewer would refuse, listing the allowed ones."""
    current = artifact.lifecycle_stage or "experimental"
    allowed = TRANSITIONS.get(current, TRANSITIONS["experimental"])
    if to_stage not in allowed:
        every = "; ".join(f"{a} → {'|'.join(b)}" for a, b in TRANSITIONS.items())
        raise InvalidArgumentError(
            f"{artifact.id} is {current!r} and can go to {', '.join(allowed)} only, not "
            f"{to_stage!r}. The transitions are: {every}."
        )


class ModelRegistry(Resource):
    """The registry methods of :class:`ArtifactsResource` (0.5.x viewers)."""

    def get_artifact(self, artifact_id: str) -> Artifact:
        raise NotImplementedError  # ArtifactsResource resolves ids

    def _version(self, artifact: str | Artifact) -> Artifact:
        return artifact if isinstance(artifact, Artifact) else self.get_artifact(artifact)

    def promote(
        self,
        artifact: str | Artifact,
        to_stage: str,
        notes: str | None = None,
        evaluator_run_id: str | None = None,
    ) -> Promotion:
        """Move a model version to another lifecycle stage.

        The stage name is checked before anything else, and the transition against the
        version's current stage before the promotion is sent: a bad one raises
        ``ValueError`` listing what is allowed (with an :class:`Artifact`, as
        :meth:`get_artifact` returns it, no request is sent at all; with an id, only the
        reads that find its current stage). Promoting to ``production`` moves the
        ``production`` alias to this version.

        :calls: ``POST /api/artifacts/{name}/v{n}/promote`` (after the reads of
        :meth:`get_artifact` when given an id)
        """
        self._adapter.require("model_registry")
        stage = check_stage(to_stage)
        version = self._version(artifact)
        check_transition(version, stage)
        body = {"to_stage": stage, "notes": notes, "evaluator_run_id": evaluator_run_id}
        return self._post(
            f"/api/artifacts/{quote(version.name)}/v{version.version}/promote",
            Promotion,
            json_body=body,
        )

    def evaluate(
        self,
        artifact: str | Artifact,
        metrics: Mapping[str, float],
        *,
        status: str = "passed",
        test_dataset: str | None = None,
        notes: str | None = None,
        evaluator_run_id: str | None = None,
    ) -> EvaluationReceipt:
        """Record an evaluation of a model version.

        :calls: ``POST /api/artifacts/{name}/v{n}/evaluate``
        """
        self._adapter.require("model_registry")
        if status not in EVALUATION_STATUSES:
            raise InvalidArgumentError(
                f"status must be one of {', '.join(EVALUATION_STATUSES)}; got {status!r}"
            )
        if not isinstance(metrics, Mapping) or not metrics:
            raise InvalidArgumentError(
                f"metrics must be a non-empty mapping of name to number: {metrics!r}"
            )
        for key, value in metrics.items():
            if (
                not isinstance(key, str)
                or isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise InvalidArgumentError(f"metric {key!r} must be a finite number, got {value!r}")
        version = self._version(artifact)
        body = {
            "model_name": version.name,
            "model_version": version.version,
            "evaluation_date": time.time(),
            "evaluator_run_id": evaluator_run_id,
            "metrics": {k: float(v) for k, v in metrics.items()},
            "test_dataset": test_dataset,
            "status": status,
            "notes": notes,
        }
        return self._post(
            f"/api/artifacts/{quote(version.name)}/v{version.version}/evaluate",
            EvaluationReceipt,
            json_body=body,
        )

    def evaluations(self, name: str, *, version: int | None = None) -> list[Evaluation]:
        """Recorded evaluations of a model, newest first.

        :calls: ``GET /api/artifacts/{name}/evaluations[?version=N]``
        """
        self._adapter.require("model_registry")
        return self._get(
            f"/api/artifacts/{quote(_name(name))}/evaluations",
            ListOf(Evaluation),
            params={"version": _opt_version(version)},
        )

    def training_metrics(self, name: str, *, version: int | None = None) -> TrainingMetrics | None:
        """The run that created a version (the latest by default): its summary and status;
        ``None`` where the viewer knows no creating run.

        :calls: ``GET /api/artifacts/{name}/training-metrics[?version=N]``
        """
        self._adapter.require("model_registry")
        data = self._get(
            f"/api/artifacts/{quote(_name(name))}/training-metrics",
            params={"version": _opt_version(version)},
        )
        return None if data is None else self._model(TrainingMetrics, data, context="training")

    def performance_history(
        self, name: str, *, metric_name: str | None = None
    ) -> list[VersionPerformance]:
        """Each version's creating run and its numeric summary (or one metric of it).

        :calls: ``GET /api/artifacts/{name}/performance-history[?metric_name=]``
        """
        self._adapter.require("model_registry")
        return self._get(
            f"/api/artifacts/{quote(_name(name))}/performance-history",
            ListOf(VersionPerformance),
            params={"metric_name": metric_name},
        )

    def stats(self) -> ArtifactStats:
        """Sizes and deduplication of the artifact store.

        :calls: ``GET /api/artifacts/stats``
        """
        self._adapter.require("model_registry")
        return self._get("/api/artifacts/stats", ArtifactStats)

    def delete_version(self, artifact_id: str, *, permanent: bool = False) -> VersionDeletion:
        """Delete a version (soft by default). runicorn 0.5.3 answers success for a soft
        delete but keeps listing the version as ``ready``.

        :calls: ``DELETE /api/artifacts/{name}/v{n}[?permanent=true]`` (after the reads
        of :meth:`get_artifact`, which also resolve aliases)
        """
        self._adapter.require("model_registry")
        if not isinstance(permanent, bool):
            raise InvalidArgumentTypeError(f"permanent must be a bool, got {permanent!r}")
        version = self.get_artifact(artifact_id)
        return self._delete(
            f"/api/artifacts/{quote(version.name)}/v{version.version}",
            VersionDeletion,
            params={"type": version.type, "permanent": "true" if permanent else None},
        )


def _name(name: object) -> str:
    if not isinstance(name, str) or not name or ":" in name or "/" in name:
        raise InvalidArgumentError(f"Not an artifact name: {name!r}")
    return name


def _opt_version(version: Any) -> int | None:
    if version is None:
        return None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidArgumentError(f"version must be a positive int, got {version!r}")
    return version
