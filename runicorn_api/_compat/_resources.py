"""What the compatibility methods call: the client's resources, declared for the type
checker (the client defines them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..resources.experiments import ExperimentsResource
    from ..resources.exports import ExportsResource
    from ..resources.imports import ImportsResource
    from ..resources.metrics import MetricsResource
    from ..resources.paths import PathsResource
    from ..resources.projects import ProjectsResource
    from ..resources.system import SystemResource

__all__ = ["OnResources"]


class OnResources:
    """A mixin of the client whose methods call its resources."""

    if TYPE_CHECKING:

        @property
        def system(self) -> SystemResource: ...
        @property
        def experiments(self) -> ExperimentsResource: ...
        @property
        def projects(self) -> ProjectsResource: ...
        @property
        def paths(self) -> PathsResource: ...
        @property
        def metrics(self) -> MetricsResource: ...
        @property
        def exports(self) -> ExportsResource: ...
        @property
        def imports(self) -> ImportsResource: ...
