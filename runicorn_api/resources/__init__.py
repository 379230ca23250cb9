"""Resources: one per group of endpoints; they name paths, parameters and models only."""

from .experiments import (
    ExperimentCollection,
    ExperimentsResource,
    ProjectsResource,
    RecycleBinResource,
)
from .images import ImagesResource
from .metrics import MetricsResource
from .remote import RemoteResource
from .system import SystemResource

__all__ = [
    "ExperimentCollection",
    "ExperimentsResource",
    "ImagesResource",
    "MetricsResource",
    "ProjectsResource",
    "RecycleBinResource",
    "RemoteResource",
    "SystemResource",
]
