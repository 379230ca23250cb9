"""Resources: one per group of endpoints. Each is built on a
:class:`~runicorn_api._core.ClientCore` (and the sibling resources it is given), never on
the client."""

from .artifacts import ArtifactCollection, ArtifactsResource, ModelRegistry
from .diagnostics import DiagnosticsResource
from .experiments import ExperimentCollection, ExperimentsResource
from .exports import ExportsResource
from .images import ImagesResource
from .imports import ImportsResource
from .metrics import MetricsCollection, MetricsResource
from .paths import PathsResource
from .projects import ProjectsResource
from .recycle_bin import RecycleBinResource
from .remote import RemoteResource
from .system import SystemResource

__all__ = [
    "ArtifactCollection",
    "ArtifactsResource",
    "DiagnosticsResource",
    "ExperimentCollection",
    "ExperimentsResource",
    "ExportsResource",
    "ImagesResource",
    "ImportsResource",
    "MetricsCollection",
    "MetricsResource",
    "ModelRegistry",
    "PathsResource",
    "ProjectsResource",
    "RecycleBinResource",
    "RemoteResource",
    "SystemResource",
]
