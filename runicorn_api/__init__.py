"""runicorn_api: a typed, validated client for the Runicorn Viewer REST API.

import runicorn_api as api

with api.connect("http://127.0.0.1:23300") as client:
    print(client.server, client.list_projects())

"The original client" in these docs is the Python client API that Runicorn itself
documents (``runicorn.api``): every method, model and helper it names works here with
only the import changed.
"""

from ._client import BASE_URL_ENV, DEFAULT_BASE_URL, RunicornClient, connect
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
    ResponseTooLargeError,
    ResponseValidationError,
    RunicornAPIError,
    ServerError,
    SSHAgentRequiredError,
    SSHConnectionError,
    SSHConnectionRefusedError,
    SSHHostUnreachableError,
    SSHTimeoutError,
    UnprocessableEntityError,
    UnsafePathError,
    UnsafeRedirectError,
    UnsupportedFeatureError,
)
from ._http.retry import RetryPolicy
from ._local_viewer import LocalViewer, local
from ._types import JSON, NOT_GIVEN, NotGiven
from ._version import __version__
from .fleet import Fleet, FleetError, FleetWarning, connect_many
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
    HostKey,
    KnownHost,
    MetricPoint,
    MetricSeries,
    MetricSummary,
    Project,
    RemoteConnection,
    RemoteResult,
    RemoteSession,
    ResponseValidationWarning,
    RunicornModel,
    RunImage,
    RunMetrics,
    RunStatus,
    ServerInfo,
    ViewerConfig,
)
from .resources.remote.errors import HostKeyConfirmationRequired, HostKeyMismatchError
from .routes import ROUTES, Route

# The original client's names for the connection errors. They shadow the builtins only for code
# that imports them from here, as the original client's examples do.
ConnectionError = APIConnectionError
TimeoutError = APITimeoutError
# runicorn 0.7's own client's name for the host-key question.
HostKeyConfirmationRequiredError = HostKeyConfirmationRequired

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "JSON",
    "NOT_GIVEN",
    "ROUTES",
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
    "Fleet",
    "FleetError",
    "FleetWarning",
    "GPUDevice",
    "GPUInfo",
    "Health",
    "HostKey",
    "HostKeyConfirmationRequired",
    "HostKeyConfirmationRequiredError",
    "HostKeyMismatchError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "KnownHost",
    "LocalViewer",
    "MethodNotAllowedError",
    "MetricPoint",
    "MetricSeries",
    "MetricSummary",
    "MissingDependencyError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "Project",
    "RateLimitError",
    "RemoteConnection",
    "RemoteResult",
    "RemoteSession",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ResponseValidationWarning",
    "RetryPolicy",
    "Route",
    "RunImage",
    "RunMetrics",
    "RunStatus",
    "RunicornAPIError",
    "RunicornClient",
    "RunicornModel",
    "SSHAgentRequiredError",
    "SSHConnectionError",
    "SSHConnectionRefusedError",
    "SSHHostUnreachableError",
    "SSHTimeoutError",
    "ServerError",
    "ServerInfo",
    "TimeoutError",
    "UnprocessableEntityError",
    "UnsafePathError",
    "UnsafeRedirectError",
    "UnsupportedFeatureError",
    "ViewerConfig",
    "__version__",
    "connect",
    "connect_many",
    "local",
]
