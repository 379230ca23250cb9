"""The curated public namespace, and what importing it costs."""

from __future__ import annotations

import subprocess
import sys

import pytest

import runicorn_api as api

EXPORTED = [
    "APIConnectionError", "APIStatusError", "APITimeoutError", "Artifact", "ArtifactFile",
    "ArtifactVersion", "AuthenticationError", "DownloadError", "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "BadRequestError", "BestMetric", "ConfigUpdate", "ConflictError", "ConnectionError",
    "DEFAULT_BASE_URL", "Experiment", "GPUDevice", "GPUInfo", "Health", "LocalViewer",
    "MethodNotAllowedError", "MetricPoint", "MetricSeries", "MissingDependencyError",
    "JSON", "NOT_GIVEN", "NotFoundError", "NotGiven", "PermissionDeniedError", "Project",
    "RateLimitError", "RemoteResult", "ResponseValidationError", "ResponseValidationWarning",
    "RetryPolicy", "RunMetrics", "RunStatus", "RunicornAPIError", "RunicornClient",
    "RunicornModel", "ServerError", "ServerInfo", "TimeoutError", "UnprocessableEntityError",
    "UnsupportedFeatureError", "ViewerConfig", "__version__", "connect", "local",
    # the remote viewer over SSH
    "HostKey", "KnownHost", "RemoteConnection", "RemoteSession", "HostKeyConfirmationRequired",
    "HostKeyMismatchError", "SSHConnectionError", "SSHConnectionRefusedError",
    "SSHHostUnreachableError", "SSHTimeoutError", "SSHAgentRequiredError",
    # run contents, and the environment variable that names the viewer
    "RunImage", "BASE_URL_ENV",
    # what an untrusted server or storage folder is refused with
    "ResponseTooLargeError", "UnsafePathError", "UnsafeRedirectError",
    # the route table, and runicorn 0.7's own client's name for the host-key question
    "ROUTES", "Route", "HostKeyConfirmationRequiredError",
    # per-run metric reductions, and several viewers as one
    "MetricSummary", "Fleet", "FleetError", "FleetWarning", "connect_many",
]  # fmt: skip


def test_exported_members() -> None:
    assert sorted(api.__all__) == sorted(EXPORTED)
    for name in api.__all__:
        assert hasattr(api, name), name


def test_seed_error_names() -> None:
    assert api.ConnectionError is api.APIConnectionError
    for cls in (api.ConnectionError, api.NotFoundError, api.BadRequestError, api.ServerError,
                api.AuthenticationError, api.UnsupportedFeatureError,
                api.ResponseValidationError):  # fmt: skip
        assert issubclass(cls, api.RunicornAPIError)


def test_import_loads_neither_pandas_nor_polars() -> None:
    code = "import sys, runicorn_api; print(sorted({'pandas', 'polars'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_dataframe_library_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from runicorn_api._frames.frame import Frame

    frame = Frame({"id": ["a"]}, {"id": "str"})
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(api.MissingDependencyError, match=r"pip install 'runicorn-api\[polars\]'"):
        frame.to_polars()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"runicorn-api\[pandas\]"):
        frame.to_pandas()


def test_the_version_is_single_sourced() -> None:
    from importlib.metadata import version

    assert version("runicorn-api") == api.__version__
