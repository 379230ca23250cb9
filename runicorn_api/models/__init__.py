"""Response models. Every model derives from :class:`RunicornModel`."""

from ._base import ResponseValidationWarning, RunicornModel
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
    "BestMetric",
    "ConfigUpdate",
    "Experiment",
    "GPUDevice",
    "GPUInfo",
    "Health",
    "HealthCache",
    "MetricPoint",
    "MetricSeries",
    "Project",
    "RemoteResult",
    "ResponseValidationWarning",
    "RunMetrics",
    "RunStatus",
    "RunicornModel",
    "ServerInfo",
    "StorageBackend",
    "ViewerConfig",
]
