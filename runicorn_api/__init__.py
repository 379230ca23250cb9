"""runicorn_api: a typed, validated client for the Runicorn Viewer REST API.

import runicorn_api as api

with api.connect("http://127.0.0.1:23300") as client:
    print(client.server, client.list_projects())
"""

from ._client import DEFAULT_BASE_URL, RunicornClient, connect
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DownloadError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    MethodNotAllowedError,
    MissingDependencyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    RunicornAPIError,
    ServerError,
    UnprocessableEntityError,
    UnsupportedFeatureError,
)
from ._local import LocalViewer, local
from ._transport import RetryPolicy
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
from .models import (
    Artifact,
    ArtifactFile,
    ArtifactVersion,
    BestMetric,
    ConfigUpdate,
    Experiment,
    GPUDevice,
    GPUInfo,
    Health,
    MetricPoint,
    MetricSeries,
    Project,
    RemoteResult,
    ResponseValidationWarning,
    RunicornModel,
    RunMetrics,
    RunStatus,
    ServerInfo,
    ViewerConfig,
)

# The seed's names for the connection errors. They shadow the builtins only for code
# that imports them from here, as the seed's examples do.
ConnectionError = APIConnectionError
TimeoutError = APITimeoutError

__all__ = [
    "DEFAULT_BASE_URL",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "Artifact",
    "ArtifactFile",
    "ArtifactVersion",
    "AuthenticationError",
    "BadRequestError",
    "BestMetric",
    "ConfigUpdate",
    "ConflictError",
    "ConnectionError",
    "DownloadError",
    "Experiment",
    "GPUDevice",
    "GPUInfo",
    "Health",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "LocalViewer",
    "MethodNotAllowedError",
    "MetricPoint",
    "MetricSeries",
    "MissingDependencyError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "Project",
    "RateLimitError",
    "RemoteResult",
    "ResponseValidationError",
    "ResponseValidationWarning",
    "RetryPolicy",
    "RunMetrics",
    "RunStatus",
    "RunicornAPIError",
    "RunicornClient",
    "RunicornModel",
    "ServerError",
    "ServerInfo",
    "TimeoutError",
    "UnprocessableEntityError",
    "UnsupportedFeatureError",
    "ViewerConfig",
    "__version__",
    "connect",
    "local",
]
