"""Resources: one per group of endpoints; they name paths, parameters and models only."""

from .experiments import ExperimentsResource, ProjectsResource
from .metrics import MetricsResource
from .remote import RemoteResource
from .system import SystemResource

__all__ = [
    "ExperimentsResource",
    "MetricsResource",
    "ProjectsResource",
    "RemoteResource",
    "SystemResource",
]
