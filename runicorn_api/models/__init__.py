"""Response models. Every model derives from :class:`RunicornModel`."""

from ._base import ResponseValidationWarning, RunicornModel
from .archives import (
    ArchiveRun,
    AssetRef,
    AssetRefs,
    ImportPreview,
    ImportResult,
    PermanentDeletion,
    RunDeletion,
)
from .artifact import (
    Artifact,
    ArtifactFile,
    ArtifactVersion,
    RunArtifacts,
)
from .contents import Environment, EnvironmentDiff, Progress
from .diagnostics import DiagnosticsSource, DiagnosticsSources
from .experiment import BestMetric, Experiment, Project, RunStatus
from .gpu import GPUCollectorConfig, GPUDevice, GPUHistory, GPUInfo
from .lineage import Lineage, LineageEdge, LineageNode
from .machine import StorageStats, SystemMonitor, Temperatures, TemperatureSensor
from .media import RunImage
from .metrics import MetricSeries, MetricSummary, RunMetrics
from .paths import (
    ExportedRun,
    PathCreated,
    PathDeletion,
    PathExport,
    PathListing,
    PathStats,
    PathTree,
)
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
from .server import FEATURES, ServerInfo
from .ssh import SavedSSHConnection
from .system import (
    ConfigUpdate,
    Health,
    HealthCache,
    MetricsCacheStats,
    StatusCheck,
    StorageBackend,
    StorageCandidate,
    StorageCandidates,
    ViewerConfig,
)
from .transfer import CopyReport, RunCopy

__all__ = [
    "FEATURES",
    "STAGES",
    "TRANSITIONS",
    "ArchiveRun",
    "Artifact",
    "ArtifactFile",
    "ArtifactStats",
    "ArtifactVersion",
    "AssetRef",
    "AssetRefs",
    "BestMetric",
    "CondaEnv",
    "ConfigUpdate",
    "CopyReport",
    "DiagnosticsSource",
    "DiagnosticsSources",
    "Environment",
    "EnvironmentDiff",
    "Evaluation",
    "EvaluationReceipt",
    "Experiment",
    "ExportedRun",
    "GPUCollectorConfig",
    "GPUDevice",
    "GPUHistory",
    "GPUInfo",
    "Health",
    "HealthCache",
    "HostKey",
    "ImportPreview",
    "ImportResult",
    "KnownHost",
    "Lineage",
    "LineageEdge",
    "LineageNode",
    "MetricPoint",
    "MetricSeries",
    "MetricSummary",
    "MetricsCacheStats",
    "PathCreated",
    "PathDeletion",
    "PathExport",
    "PathListing",
    "PathStats",
    "PathTree",
    "PermanentDeletion",
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
    "RunCopy",
    "RunDeletion",
    "RunImage",
    "RunMetrics",
    "RunStatus",
    "RunicornModel",
    "SavedSSHConnection",
    "ServerInfo",
    "StatusCheck",
    "StorageBackend",
    "StorageCandidate",
    "StorageCandidates",
    "StorageStats",
    "SystemMonitor",
    "TemperatureSensor",
    "Temperatures",
    "TrainingMetrics",
    "VersionDeletion",
    "VersionPerformance",
    "ViewerConfig",
]
