"""The client, and the composition root: it builds the core, wires the resources and
owns the lifecycle. Nothing below it imports it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import requests
from requests.adapters import BaseAdapter

from ._compat import Client07API, SeedAPI
from ._core import ClientCore
from ._exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
)
from ._generations import Adapter, adapter_for
from ._handshake import handshake
from ._http.retry import RetryPolicy
from ._http.transport import Transport
from ._options import BASE_URL_ENV, DEFAULT_BASE_URL, ClientOptions, MoreOptions, resolve_base_url
from ._served import ServedRoutes
from ._storage.access import StorageAccess
from ._types import DirectReads, ViewerProcess
from .cache import MetricsCache
from .models.remote import RemoteSession
from .models.server import ServerInfo
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


R = TypeVar("R")


class RunicornClient(SeedAPI, Client07API):
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
        self._resources: dict[str, Any] = {}
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
            home=self,
            served=ServedRoutes(lambda: http.request("GET", "/openapi.json")),
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

    def serves(self, method: str, path: str) -> bool:
        """Whether the viewer serves ``method path``, a route of :data:`~runicorn_api.ROUTES`
        (``client.serves("POST", "/api/runs/export")``): its generation does, and its own
        ``/openapi.json`` lists it (read once; where it cannot be read, the generation
        decides). A method that needs a route the viewer does not serve takes its
        fallback path, or raises :class:`UnsupportedFeatureError` before any request.

        :calls: ``GET /openapi.json``, the first time only

        Raises:
            InvalidArgumentError: ``method path`` is not a route of
                :data:`~runicorn_api.ROUTES`.
        """
        if not isinstance(method, str) or not isinstance(path, str):
            raise InvalidArgumentTypeError(f"method and path must be strings: {method!r} {path!r}")
        try:
            return self._core.serves(method, path)
        except KeyError:
            raise InvalidArgumentError(
                f"{method} {path} is not a route of runicorn_api.ROUTES (give its path "
                "template, such as /api/runs/{run_id})"
            ) from None

    @property
    def direct_reads(self) -> DirectReads:
        """``"auto"``, ``"always"`` or ``"never"``; see :class:`RunicornClient`."""
        return self._core.storage.mode

    # -- resources, built on first access and wired here -------------------------------

    @cached_property
    def _runs(self) -> RunLookup:
        return RunLookup(self._core)

    @property
    def system(self) -> SystemResource:
        return self._resource("system", lambda: SystemResource(self._core))

    @property
    def experiments(self) -> ExperimentsResource:
        return self._resource(
            "experiments", lambda: ExperimentsResource(self._core, self._runs, self.metrics)
        )

    @property
    def projects(self) -> ProjectsResource:
        return self._resource("projects", lambda: ProjectsResource(self._core, self._runs))

    @property
    def paths(self) -> PathsResource:
        """Run paths (0.7.x; ``project/name`` on 0.5.x): listed, created, deleted, exported."""
        return self._resource(
            "paths", lambda: PathsResource(self._core, self._runs, self.experiments)
        )

    @property
    def exports(self) -> ExportsResource:
        """One run as a file: JSON, CSV, parquet, the viewer's zip, or a report."""
        return self._resource(
            "exports", lambda: ExportsResource(self._core, self.metrics, self.experiments)
        )

    @property
    def imports(self) -> ImportsResource:
        """Archives of runs imported into the viewer's storage."""
        return self._resource("imports", lambda: ImportsResource(self._core))

    @property
    def diagnostics(self) -> DiagnosticsResource:
        """The viewer's own logs (0.7.x)."""
        return self._resource("diagnostics", lambda: DiagnosticsResource(self._core))

    @property
    def artifacts(self) -> ArtifactsResource:
        """The original client's Artifacts API (0.5.x endpoints, or 0.7.x per-run assets mapped)."""
        return self._resource("artifacts", lambda: ArtifactsResource(self._core, self._runs))

    @property
    def images(self) -> ImagesResource:
        """A run's logged images: listed, opened and downloaded."""
        return self._resource("images", lambda: ImagesResource(self._core, self._runs))

    @property
    def recycle_bin(self) -> RecycleBinResource:
        return self._resource("recycle_bin", lambda: RecycleBinResource(self._core))

    @property
    def metrics(self) -> MetricsResource:
        return self._resource("metrics", lambda: MetricsResource(self._core, self._runs))

    @property
    def remote(self) -> RemoteResource[RunicornClient]:
        return self._resource(
            "remote", lambda: RemoteResource(self._core, open_client=self._open_remote)
        )

    def _resource(self, name: str, build: Callable[[], R]) -> R:
        """The resource ``name``, built on first use. (Plain properties over this, not
        ``cached_property``: a fetched run's ``RunHome`` reads them as read-only members.)"""
        found: R | None = self._resources.get(name)
        if found is None:
            found = self._resources[name] = build()
        return found

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
