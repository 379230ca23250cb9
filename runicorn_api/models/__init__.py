"""Response models. Every model derives from :class:`RunicornModel`."""

from ._base import ResponseValidationWarning, RunicornModel
from .artifact import (
    Artifact,
    ArtifactFile,
    ArtifactVersion,
    Lineage,
    LineageEdge,
    LineageNode,
    RunArtifacts,
)
from .experiment import BestMetric, Experiment, Project, RunStatus
from .metrics import MetricPoint, MetricSeries, RunMetrics
from .registry import (
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
from .remote import RemoteResult, RemoteStatus
from .server import FEATURES, ServerInfo
from .system import (
    ConfigUpdate,
    GPUDevice,
    GPUInfo,
    Health,
    HealthCache,
    StorageBackend,
    ViewerConfig,
)

__all__ = [
    "FEATURES",
    "STAGES",
    "TRANSITIONS",
    "Artifact",
    "ArtifactFile",
    "ArtifactStats",
    "ArtifactVersion",
    "BestMetric",
    "ConfigUpdate",
    "Evaluation",
    "EvaluationReceipt",
    "Experiment",
    "GPUDevice",
    "GPUInfo",
    "Health",
    "HealthCache",
    "Lineage",
    "LineageEdge",
    "LineageNode",
    "MetricPoint",
    "MetricSeries",
    "Project",
    "Promotion",
    "RemoteResult",
    "RemoteStatus",
    "ResponseValidationWarning",
    "RunArtifacts",
    "RunMetrics",
    "RunStatus",
    "RunicornModel",
    "ServerInfo",
    "StorageBackend",
    "TrainingMetrics",
    "VersionDeletion",
    "VersionPerformance",
    "ViewerConfig",
]
