"""The client: one transport, one adapter for the viewer's generation, and the resources."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any

import requests

from ._adapters import Adapter, adapter_for
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InvalidArgumentError,
    ResponseValidationError,
    RunicornAPIError,
    UnsupportedFeatureError,
)
from ._storage import DIRECT_READS, DirectReads, StorageAccess
from ._transport import RetryPolicy, Transport, check_timeout
from ._types import NOT_GIVEN, Timeout
from .cache import MetricsCache
from .models.experiment import Experiment, Project
from .models.metrics import RunMetrics
from .models.remote import RemoteSession
from .models.server import ServerInfo
from .models.system import ConfigUpdate, GPUInfo, Health, ViewerConfig
from .resources.artifacts import ArtifactsResource
from .resources.experiments import ExperimentsResource, ProjectsResource, RecycleBinResource
from .resources.images import ImagesResource
from .resources.metrics import MetricsResource
from .resources.remote import RemoteResource
from .resources.system import SystemResource

if TYPE_CHECKING:
    from ._local import LocalViewer

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "RunicornClient", "connect"]

DEFAULT_BASE_URL = "http://127.0.0.1:23300"
BASE_URL_ENV = "RUNICORN_VIEWER_URL"
"""The environment variable that names the viewer when no ``base_url`` is given."""


def _resolve_base_url(base_url: str | None) -> str:
    return base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


class RunicornClient:
    """A connection to one Runicorn viewer.

    On construction the client calls ``GET /api/health``, learns the viewer's version and
    picks the adapter of its generation (0.5.x or 0.7.x); :attr:`server` tells both.

    Args:
        base_url: The viewer's URL; if not given, ``$RUNICORN_VIEWER_URL``, else
            ``http://127.0.0.1:23300``.
        timeout: Default seconds per request attempt (``None`` waits forever); every
            method takes ``timeout=`` to override it for one call.
        max_retries: Retries of idempotent requests on 429/5xx and connection errors.
        strict: Validate bodies in pydantic's strict mode and raise
            :class:`ResponseValidationError` naming the field path on any mismatch.
        retry_deadline: Seconds from the start of a call after which no retry starts.
        max_workers: Threads for bulk requests (details of many runs, multi-run metrics).
        cache_dir: A folder for the on-disk metrics cache of finished runs (see
            :mod:`runicorn_api.cache`; needs polars).
        direct_reads: Whether to read the viewer's storage folder directly where it is
            on this machine: ``"auto"`` (the default) reads a run folder once it is
            proven to be the one the viewer serves and asks the viewer otherwise;
            ``"always"`` raises :class:`UnsupportedFeatureError` where a folder cannot be
            read; ``"never"`` touches no storage file and works over HTTP alone (a remote
            viewer, a shared server). Results are the same either way; see
            :mod:`runicorn_api._storage`.
        session: A :class:`requests.Session` to use (its adapters are replaced).

    Raises:
        APIConnectionError: Nothing answers at ``base_url``.
    """

    def __init__(
        self,
        base_url: str | None = None,
        timeout: float | None = 30,
        max_retries: int = 3,
        *,
        strict: bool = False,
        retry_deadline: float = 60.0,
        max_workers: int = 8,
        cache_dir: str | os.PathLike[str] | None = None,
        direct_reads: DirectReads = "auto",
        session: requests.Session | None = None,
    ) -> None:
        base_url = _resolve_base_url(base_url)
        if direct_reads not in DIRECT_READS:
            raise InvalidArgumentError(
                f"direct_reads must be one of {', '.join(DIRECT_READS)}, got {direct_reads!r}"
            )
        if not isinstance(max_workers, int) or max_workers < 1:
            raise InvalidArgumentError(f"max_workers must be a positive int, got {max_workers!r}")
        self.max_workers = max_workers
        """Threads for bulk requests (run details, multi-run metrics)."""
        self.metrics_cache: MetricsCache | None = (
            MetricsCache(cache_dir) if cache_dir is not None else None
        )
        """The on-disk cache of finished runs' metrics, if ``cache_dir`` was given."""
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise InvalidArgumentError(f"base_url must be an http(s) URL, got {base_url!r}")
        check_timeout(timeout)
        if not isinstance(max_retries, int) or max_retries < 0:
            raise InvalidArgumentError(
                f"max_retries must be a non-negative int, got {max_retries!r}"
            )
        self.strict = strict
        self._transport = Transport(
            base_url,
            timeout=timeout,
            retry=RetryPolicy(max_retries=max_retries, deadline=retry_deadline),
            session=session,
        )
        base_url = self._transport.base_url  # without any user:password@, for messages
        self._on_close: list[Callable[[], None]] = []
        self.viewer: LocalViewer | None = None
        """The embedded viewer this client stops on close (see :func:`runicorn_api.local`)."""
        self.remote_session: RemoteSession | None = None
        """The remote viewer this client reaches through an SSH tunnel
        (see ``client.remote.open``)."""
        self._closed = False
        try:
            health = self.system.health()
        except (APIStatusError, UnsupportedFeatureError, ResponseValidationError) as err:
            self._transport.close()
            message = _not_a_viewer(base_url, err)
            if message is None:
                raise
            raise APIConnectionError(message, method="GET", url=err.url) from err
        except APITimeoutError:
            self._transport.close()
            raise
        except APIConnectionError as err:
            self._transport.close()
            if base_url.startswith("http://") and self._transport.speaks_tls():
                raise APIConnectionError(
                    f"{base_url} did not answer plain HTTP, but it completes a TLS "
                    f"handshake: it is an https:// endpoint. A runicorn viewer speaks "
                    f"plain HTTP; check the port, or use https:// if a proxy serves it.",
                    method="GET", url=err.url,
                ) from err  # fmt: skip
            raise
        except BaseException:
            self._transport.close()
            raise
        if not health.ok:
            self._transport.close()
            raise APIConnectionError(
                f"The viewer at {base_url} reports status {health.status!r}, not 'ok'."
            )
        # A viewer that reports no usable version is taken as the newest generation.
        version = str(health.version) if health.version is not None else "unknown"
        self._adapter: Adapter = adapter_for(version)
        self._adapter.server.direct_reads = direct_reads
        self._transport.server.version = version
        self._storage = StorageAccess(direct_reads, str(self._adapter.server))

    # -- attributes the seed documents -------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def timeout(self) -> float | None:
        return self._transport.timeout

    @property
    def session(self) -> requests.Session:
        return self._transport.session

    @property
    def server(self) -> ServerInfo:
        """The connected viewer's version, generation and supported features, and
        whether this client reads its storage directly (``direct_reads``)."""
        return self._adapter.server

    @property
    def direct_reads(self) -> DirectReads:
        """``"auto"``, ``"always"`` or ``"never"``; see :class:`RunicornClient`."""
        return self._storage.mode

    # -- resources, built on first access ----------------------------------------------

    @cached_property
    def system(self) -> SystemResource:
        return SystemResource(self)

    @cached_property
    def experiments(self) -> ExperimentsResource:
        return ExperimentsResource(self)

    @cached_property
    def projects(self) -> ProjectsResource:
        return ProjectsResource(self)

    @cached_property
    def artifacts(self) -> ArtifactsResource:
        """The seed's Artifacts API (0.5.x endpoints, or 0.7.x per-run assets mapped)."""
        return ArtifactsResource(self)

    @cached_property
    def images(self) -> ImagesResource:
        """A run's logged images: listed, opened and downloaded."""
        return ImagesResource(self)

    @cached_property
    def recycle_bin(self) -> RecycleBinResource:
        return RecycleBinResource(self)

    @cached_property
    def metrics(self) -> MetricsResource:
        return MetricsResource(self)

    @cached_property
    def remote(self) -> RemoteResource:
        return RemoteResource(self)

    # -- the seed's methods ------------------------------------------------------------

    def health_check(self, *, timeout: Timeout = NOT_GIVEN) -> Health:
        """:calls: ``GET /api/health``"""
        return self.system.health(timeout=timeout)

    def get_config(self, *, timeout: Timeout = NOT_GIVEN) -> ViewerConfig:
        """:calls: ``GET /api/config``"""
        return self.system.config(timeout=timeout)

    def update_config(
        self, config: Mapping[str, Any], *, timeout: Timeout = NOT_GIVEN
    ) -> ConfigUpdate:
        """Change the storage root; see :meth:`SystemResource.update_config`.

        :calls: ``POST /api/config/user_root_dir``
        """
        return self.system.update_config(config, timeout=timeout)

    def get_gpu_info(self, *, timeout: Timeout = NOT_GIVEN) -> GPUInfo:
        """:calls: ``GET /api/gpu/telemetry``"""
        return self.system.gpu(timeout=timeout)

    def list_experiments(
        self,
        project: str | None = None,
        name: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Experiment]:
        """Runs, filtered and sliced on the client (the viewer ignores all parameters).

        :calls: ``GET /api/runs``; see :meth:`ExperimentsResource.list`
        """
        return self.experiments.list(
            project=project, name=name, status=status, limit=limit, offset=offset
        )

    def get_experiment(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> Experiment:
        """:calls: ``GET /api/runs/{run_id}``"""
        return self.experiments.get(run_id, timeout=timeout)

    get_run = get_experiment

    def list_projects(self, *, timeout: Timeout = NOT_GIVEN) -> list[Project]:
        """Projects with run counts per status; see :meth:`ProjectsResource.list`.

        :calls: ``GET /api/paths?include_stats=true`` (0.7.x) or ``GET /api/runs`` (0.5.x)
        """
        return self.projects.list(timeout=timeout)

    def get_metrics(
        self,
        run_id: str,
        metric_names: Sequence[str] | None = None,
        limit: int | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> RunMetrics:
        """:calls: ``GET /api/runs/{run_id}/metrics``; see :meth:`MetricsResource.get`."""
        return self.metrics.get(
            run_id, metric_names, limit, downsample=downsample, start=start, end=end,
            timeout=timeout,
        )  # fmt: skip

    def export_experiment(
        self, run_id: str, format: str = "json", include_media: bool = False
    ) -> bytes:
        """A run exported as bytes, built on the client (the viewer's export endpoints
        answer 501 in the published wheels).

        :calls: ``GET /api/runs/{run_id}`` and ``GET /api/runs/{run_id}/metrics``; with
        ``include_media=True``, ``POST /api/runs/export`` (0.7.x: the viewer's zip of the
        run folder, whatever ``format`` says)

        Args:
            format: ``"json"`` (the run and its metric columns), ``"csv"`` or
                ``"parquet"`` (the long metrics table); see :mod:`runicorn_api.export`.

        Raises:
            ValueError: Before any request, for another format.
            UnsupportedFeatureError: ``include_media=True`` on a 0.5.x viewer.
        """
        from .export import export_run
        from .resources.experiments import check_run_id

        check_run_id(run_id)
        return export_run(self, run_id, format, include_media)

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP session (and stop the viewer, for :func:`runicorn_api.local`)."""
        if self._closed:
            return
        self._closed = True
        self._transport.close()
        while self._on_close:
            self._on_close.pop()()

    def __enter__(self) -> RunicornClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RunicornClient {self.base_url} ({self.server})>"


def _not_a_viewer(base_url: str, err: RunicornAPIError) -> str | None:
    """What answered ``GET /api/health`` where a viewer would have sent its JSON; ``None``
    for a JSON answer (a viewer whose body does not validate is not "not a viewer")."""
    response = err.response
    if response is None:
        return None
    ctype = response.headers.get("Content-Type", "")
    if "json" in ctype and response.status_code < 400:
        return None
    what = f"{response.status_code} {response.reason or ''}".strip()
    if ctype:
        what += f" ({ctype.split(';')[0]})"
    server = response.headers.get("Server")
    text = response.text[:2000] if response.content else ""
    title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    snippet = (title.group(1) if title else text).strip().replace("\n", " ")[:100]
    return (
        f"{base_url} does not look like a Runicorn viewer: GET /api/health answered {what}"
        + (f" from {server!r}" if server else "")
        + (f": {snippet!r}" if snippet else "")
        + '. A viewer answers 200 with JSON such as {"status": "ok", "version": "0.7.2"}; '
        "check the URL and the port (runicorn viewer listens on 23300 by default)."
    )


def connect(
    base_url: str | None = None,
    timeout: float | None = 30,
    max_retries: int = 3,
    *,
    strict: bool = False,
    retry_deadline: float = 60.0,
    max_workers: int = 8,
    cache_dir: str | os.PathLike[str] | None = None,
    direct_reads: DirectReads = "auto",
) -> RunicornClient:
    """Connect to a running viewer; see :class:`RunicornClient`."""
    return RunicornClient(
        base_url, timeout, max_retries, strict=strict, retry_deadline=retry_deadline,
        max_workers=max_workers, cache_dir=cache_dir, direct_reads=direct_reads,
    )  # fmt: skip
