"""Resources: one per group of endpoints. Each is built on a
:class:`~runicorn_api._core.ClientCore` (and the sibling resources it is given), never on
the client."""

from .artifacts import ArtifactCollection, ArtifactsResource, ModelRegistry
from .experiments import ExperimentCollection, ExperimentsResource
from .images import ImagesResource
from .metrics import MetricsCollection, MetricsResource
from .projects import ProjectsResource
from .recycle_bin import RecycleBinResource
from .remote import RemoteResource
from .system import SystemResource

__all__ = [
    "ArtifactCollection",
    "ArtifactsResource",
    "ExperimentCollection",
    "ExperimentsResource",
    "ImagesResource",
    "MetricsCollection",
    "MetricsResource",
    "ModelRegistry",
    "ProjectsResource",
    "RecycleBinResource",
    "RemoteResource",
    "SystemResource",
]
