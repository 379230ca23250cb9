"""The client, and the composition root: it builds the core, wires the resources and
owns the lifecycle. Nothing below it imports it."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import requests
from requests.adapters import BaseAdapter

from ._actions import ClientActions
from ._core import ClientCore
from ._exceptions import (
    InvalidArgumentTypeError,
)
from ._generations import Adapter, adapter_for
from ._handshake import handshake
from ._http.retry import RetryPolicy
from ._http.transport import Transport
from ._options import BASE_URL_ENV, DEFAULT_BASE_URL, ClientOptions, MoreOptions, resolve_base_url
from ._storage.access import StorageAccess
from ._types import NOT_GIVEN, DirectReads, Timeout, ViewerProcess
from .cache import MetricsCache
from .models.archives import ImportResult
from .models.experiment import Experiment, Project
from .models.gpu import GPUInfo
from .models.machine import StorageStats
from .models.metrics import RunMetrics
from .models.paths import PathListing
from .models.remote import RemoteSession
from .models.server import ServerInfo
from .models.system import ConfigUpdate, Health, StatusCheck, ViewerConfig
from .resources._runs import RunLookup
from .resources.artifacts import ArtifactsResource
from .resources.diagnostics import DiagnosticsResource
from .resources.experiments import ExperimentsResource
from .resources.exports import ExportsResource
from .resources.images import ImagesResource
from .resources.imports import ImportsResource
from .resources.metrics import MetricsResource
from .resources.paths import PathsResource
from .resources.projects import ProjectsResource
from .resources.recycle_bin import RecycleBinResource
from .resources.remote import RemoteResource
from .resources.system import SystemResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "RunicornClient", "connect"]


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
        session: A :class:`requests.Session` to use (its adapters are replaced).
        transport: A :mod:`requests` adapter that carries every request instead of a
            connection pool, such as :class:`~runicorn_api.testing.MockTransport` in tests
            (retries are the pool's, so they do not apply).
        **options: ``strict``, ``retry_deadline``, ``max_workers``, ``cache_dir``,
            ``direct_reads``, and for a viewer behind a proxy ``auth``, ``headers``,
            ``verify`` and ``cert``; see :class:`~runicorn_api._options.MoreOptions`.

    Every argument is checked before anything is created: a bad one raises
    :class:`InvalidArgumentError` with no folder made and no request sent.

    Raises:
        APIConnectionError: Nothing answers at ``base_url``, or not a viewer; a TLS
            certificate that does not verify (the message names ``verify=``).
        AuthenticationError: A proxy in front of the viewer asks for credentials (401),
            or refused the ones given; the message names the URL that asked.
    """

    def __init__(
        self,
        base_url: str | None = None,
        timeout: float | None = 30,
        max_retries: int = 3,
        *,
        session: requests.Session | None = None,
        transport: BaseAdapter | None = None,
        **options: Unpack[MoreOptions],
    ) -> None:
        url = resolve_base_url(base_url)
        if transport is not None and not isinstance(transport, BaseAdapter):
            raise InvalidArgumentTypeError(
                f"transport must be a requests adapter (requests.adapters.BaseAdapter, "
                f"such as runicorn_api.testing.MockTransport), got {transport!r}"
            )
        self.options: ClientOptions = ClientOptions.of(
            timeout=timeout, max_retries=max_retries, **options
        )
        """The client's validated knobs."""
        self._on_close: list[Callable[[], None]] = []
        self._closed = False
        self.viewer: ViewerProcess | None = None
        """The embedded viewer this client stops on close (see :func:`runicorn_api.local`)."""
        self.remote_session: RemoteSession | None = None
        """The remote viewer this client reaches through an SSH tunnel
        (see ``client.remote.open``)."""
        http = Transport(
            url,
            timeout=self.options.timeout,
            retry=RetryPolicy(max_retries=max_retries, deadline=self.options.retry_deadline),
            session=session,
            headers=self.options.headers,
            auth=self.options.auth,
            verify=self.options.verify,
            cert=self.options.cert,
            max_response_bytes=self.options.max_response_bytes,
            adapter=transport,
        )
        self._transport = http
        try:
            health = handshake(http, strict=self.options.strict)
            # A viewer that reports no usable version is taken as the newest generation.
            version = str(health.version) if health.version is not None else "unknown"
            adapter: Adapter = adapter_for(version, direct_reads=self.options.direct_reads)
            http.name_server(str(adapter.server))
            cache = (
                MetricsCache(self.options.cache_dir) if self.options.cache_dir is not None else None
            )
        except BaseException:
            http.close()
            raise
        self._core = ClientCore(
            transport=http,
            adapter=adapter,
            storage=StorageAccess(self.options.direct_reads, str(adapter.server)),
            options=self.options,
            metrics_cache=cache,
            actions=ClientActions(
                experiments=lambda: self.experiments,
                recycle_bin=lambda: self.recycle_bin,
                artifacts=lambda: self.artifacts,
                images=lambda: self.images,
                metrics=lambda: self.metrics,
            ),
        )
        self.metrics_cache: MetricsCache | None = cache
        """The on-disk cache of finished runs' metrics, if ``cache_dir`` was given."""

    @property
    def strict(self) -> bool:
        """Whether bodies are validated in pydantic's strict mode."""
        return self.options.strict

    @property
    def max_workers(self) -> int:
        """Threads for bulk requests (run details, multi-run metrics)."""
        return self.options.max_workers

    # -- attributes the original client documents -------------------------------------------------

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
        return self._core.server

    @property
    def direct_reads(self) -> DirectReads:
        """``"auto"``, ``"always"`` or ``"never"``; see :class:`RunicornClient`."""
        return self._core.storage.mode

    # -- resources, built on first access and wired here -------------------------------

    @cached_property
    def _runs(self) -> RunLookup:
        return RunLookup(self._core)

    @cached_property
    def system(self) -> SystemResource:
        return SystemResource(self._core)

    @cached_property
    def experiments(self) -> ExperimentsResource:
        return ExperimentsResource(self._core, self._runs, self.metrics)

    @cached_property
    def projects(self) -> ProjectsResource:
        return ProjectsResource(self._core, self._runs)

    @cached_property
    def paths(self) -> PathsResource:
        """Run paths (0.7.x; ``project/name`` on 0.5.x): listed, created, deleted, exported."""
        return PathsResource(self._core, self._runs, self.experiments)

    @cached_property
    def exports(self) -> ExportsResource:
        """One run as a file: JSON, CSV, parquet, the viewer's zip, or a report."""
        return ExportsResource(self._core, self.metrics, self.experiments)

    @cached_property
    def imports(self) -> ImportsResource:
        """Archives of runs imported into the viewer's storage."""
        return ImportsResource(self._core)

    @cached_property
    def diagnostics(self) -> DiagnosticsResource:
        """The viewer's own logs (0.7.x)."""
        return DiagnosticsResource(self._core)

    @cached_property
    def artifacts(self) -> ArtifactsResource:
        """The original client's Artifacts API (0.5.x endpoints, or 0.7.x per-run assets mapped)."""
        return ArtifactsResource(self._core, self._runs)

    @cached_property
    def images(self) -> ImagesResource:
        """A run's logged images: listed, opened and downloaded."""
        return ImagesResource(self._core, self._runs)

    @cached_property
    def recycle_bin(self) -> RecycleBinResource:
        return RecycleBinResource(self._core)

    @cached_property
    def metrics(self) -> MetricsResource:
        return MetricsResource(self._core, self._runs)

    @cached_property
    def remote(self) -> RemoteResource[RunicornClient]:
        return RemoteResource(self._core, open_client=self._open_remote)

    def _open_remote(
        self,
        url: str,
        session: RemoteSession,
        stop: Callable[[], None] | None,
        options: MoreOptions,
    ) -> RunicornClient:
        """A client for a remote viewer's tunnel (``client.remote.open``)."""
        chosen: MoreOptions = {**options, "direct_reads": "never"}
        remote = RunicornClient(url, **chosen)
        remote.remote_session = session
        if stop is not None:
            remote.add_close_hook(stop)
        return remote

    # -- the original client's methods ------------------------------------------------------------

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
            run_id,
            metric_names,
            limit,
            downsample=downsample,
            start=start,
            end=end,
            timeout=timeout,
        )

    def export_experiment(
        self, run_id: str, format: str = "json", include_media: bool = False
    ) -> bytes:
        """A run exported as bytes, built on the client (the viewer's export endpoints
        answer 501 in the published wheels); see :meth:`ExportsResource.run`.

        :calls: ``GET /api/runs/{run_id}`` and ``GET /api/runs/{run_id}/metrics``; with
        ``include_media=True``, ``POST /api/runs/export`` (0.7.x)

        Raises:
            ValueError: Before any request, for a format other than json, csv, parquet.
            UnsupportedFeatureError: ``include_media=True`` on a 0.5.x viewer.
        """
        return self.exports.run(run_id, format, include_media=include_media)

    # -- runicorn 0.7's own client (runicorn.client) -------------------------------------

    def list_runs(self) -> list[Experiment]:
        """Every run (runicorn 0.7's client's name for :meth:`list_experiments`).

        :calls: ``GET /api/runs``
        """
        return self.experiments.all().to_list()

    def list_paths(
        self, include_stats: bool = False, *, timeout: Timeout = NOT_GIVEN
    ) -> PathListing:
        """Every run path, as a list and a tree, with counts when ``include_stats``; see
        :meth:`PathsResource.list` (built on the client on 0.5.x).

        :calls: ``GET /api/paths`` (0.7.x) or ``GET /api/runs`` (0.5.x)
        """
        return self.paths.list(include_stats=include_stats, timeout=timeout)

    def list_runs_by_path(self, path: str | None = None, exact: bool = False) -> list[Experiment]:
        """The runs at ``path`` and below it (only at it with ``exact``); see
        :meth:`PathsResource.runs`. On 0.5.x a path is ``project/name``.

        :calls: ``GET /api/paths/runs?path=&exact=`` (0.7.x) or a 0.5.x listing
        """
        return self.paths.runs(path, exact=exact)

    def export_csv(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> bytes:
        """The run's metrics as CSV, one line per step; see :meth:`ExportsResource.csv`.

        :calls: ``GET /api/export/{run_id}/csv``, or on its 501 (as the published wheels
            answer) ``GET /api/runs/{run_id}/metrics``, the CSV written here
        """
        return self.exports.csv(run_id, timeout=timeout)

    def export_report(
        self, run_id: str, format: str = "markdown", *, timeout: Timeout = NOT_GIVEN
    ) -> bytes:
        """A ``"markdown"`` or ``"html"`` report of the run; see :meth:`ExportsResource.report`.

        :calls: ``GET /api/export/{run_id}/report?format=``, or on its 501
            ``GET /api/runs/{run_id}`` and ``GET /api/runs/{run_id}/metrics``
        """
        return self.exports.report(run_id, format, timeout=timeout)

    def set_user_root_dir(self, path: str, *, timeout: Timeout = NOT_GIVEN) -> ConfigUpdate:
        """Change the viewer's storage root (runicorn 0.7's client's name).

        :calls: ``POST /api/config/user_root_dir {"path"}``
        """
        return self.system.update_config({"user_root_dir": path}, timeout=timeout)

    def get_storage_stats(self, *, timeout: Timeout = NOT_GIVEN) -> StorageStats:
        """Disk usage of the storage root by part (0.7.x).

        :calls: ``GET /api/storage/stats``
        """
        return self.system.storage_stats(timeout=timeout)

    def check_status(self, *, timeout: Timeout = NOT_GIVEN) -> StatusCheck:
        """Have the viewer mark ``running`` runs whose process is gone.

        :calls: ``POST /api/status/check``
        """
        return self.system.check_status(timeout=timeout)

    def import_archive(
        self,
        path: str | os.PathLike[str],
        mode: Literal["merge", "isolate"] = "merge",
        dry_run: bool = False,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> ImportResult:
        """Import the runs of a zip or tar.gz archive; see :meth:`ImportsResource.archive`.

        :calls: ``POST /api/import/preview`` and ``POST /api/import/archive`` (0.7.x) or
            ``POST /api/import/archive`` (0.5.x)
        """
        return self.imports.archive(path, mode=mode, dry_run=dry_run, timeout=timeout)

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP session (and stop the viewer, for :func:`runicorn_api.local`)."""
        if self._closed:
            return
        self._closed = True
        self._transport.close()
        while self._on_close:
            self._on_close.pop()()

    def add_close_hook(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` when this client closes (hooks run last added, first called):
        how :func:`runicorn_api.local` stops its viewer and ``remote.open`` its tunnel."""
        if not callable(hook):
            raise InvalidArgumentTypeError(f"hook must be callable, got {hook!r}")
        self._on_close.append(hook)

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


def connect(
    base_url: str | None = None,
    timeout: float | None = 30,
    max_retries: int = 3,
    *,
    transport: BaseAdapter | None = None,
    **options: Unpack[MoreOptions],
) -> RunicornClient:
    """Connect to a running viewer; see :class:`RunicornClient`."""
    return RunicornClient(base_url, timeout, max_retries, transport=transport, **options)
