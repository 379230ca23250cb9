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
from .remote import RemoteResult
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
    "Artifact",
    "ArtifactFile",
    "ArtifactVersion",
    "BestMetric",
    "ConfigUpdate",
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
    "RemoteResult",
    "ResponseValidationWarning",
    "RunArtifacts",
    "RunMetrics",
    "RunStatus",
    "RunicornModel",
    "ServerInfo",
    "StorageBackend",
    "ViewerConfig",
]
