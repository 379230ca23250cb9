"""Response models. Every model derives from :class:`RunicornModel`."""

from ._base import ResponseValidationWarning, RunicornModel
from .artifact import (
    Artifact,
    ArtifactFile,
    ArtifactVersion,
    RunArtifacts,
)
from .contents import Environment, EnvironmentDiff, Progress
from .experiment import BestMetric, Experiment, RunStatus
from .lineage import Lineage, LineageEdge, LineageNode
from .machine import PathTree, StorageStats, SystemMonitor
from .media import RunImage
from .metrics import MetricSeries, RunMetrics
from .points import MetricPoint
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
from .remote import (
    CondaEnv,
    HostKey,
    KnownHost,
    RemoteConnection,
    RemoteDirectory,
    RemoteResult,
    RemoteSession,
    RemoteStatus,
)
from .runs import Project
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
    "CondaEnv",
    "ConfigUpdate",
    "Environment",
    "EnvironmentDiff",
    "Evaluation",
    "EvaluationReceipt",
    "Experiment",
    "GPUDevice",
    "GPUInfo",
    "Health",
    "HealthCache",
    "HostKey",
    "KnownHost",
    "Lineage",
    "LineageEdge",
    "LineageNode",
    "MetricPoint",
    "MetricSeries",
    "PathTree",
    "Progress",
    "Project",
    "Promotion",
    "RemoteConnection",
    "RemoteDirectory",
    "RemoteResult",
    "RemoteSession",
    "RemoteStatus",
    "ResponseValidationWarning",
    "RunArtifacts",
    "RunImage",
    "RunMetrics",
    "RunStatus",
    "RunicornModel",
    "ServerInfo",
    "StorageBackend",
    "StorageStats",
    "SystemMonitor",
    "TrainingMetrics",
    "VersionDeletion",
    "VersionPerformance",
    "ViewerConfig",
]
