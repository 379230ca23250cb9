"""What a resource may use of its client: the one object every resource is built on.

A resource never sees :class:`~runicorn_api.RunicornClient`. It gets a :class:`ClientCore`
(built by the client, the composition root) and, where it needs one, a sibling resource
passed to it by name. This keeps resources free of the client and testable against a
fake core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Generic, Literal, TypedDict, TypeVar, overload

from typing_extensions import Unpack

from ._exceptions import ResponseValidationError, UnsupportedFeatureError
from ._types import NOT_GIVEN, Timeout
from .models._base import validate_model
from .routes import find, require

if TYPE_CHECKING:
    import requests

    from ._generations import Adapter
    from ._http.transport import Body, Transport
    from ._options import ClientOptions
    from ._served import ServedRoutes
    from ._storage.access import StorageAccess
    from .cache import MetricsCache
    from .models._base import RunicornModel
    from .models.experiment import RunHome
    from .models.server import ServerInfo

__all__ = ["CallOptions", "ClientCore", "ListOf", "RawOptions"]

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound="RunicornModel")


@dataclass(frozen=True)
class ListOf(Generic[M]):
    """``cast_to`` for an answer that is a JSON list of ``model``: the body itself, or
    the list under ``key`` of an object body (``{"sessions": [...]}``; absent: none)."""

    model: type[M]
    key: str | None = None


class RawOptions(TypedDict, total=False):
    """What :meth:`ClientCore.raw` passes on to the transport."""

    params: dict[str, Any] | None
    json_body: Any
    timeout: Timeout


class CallOptions(TypedDict, total=False):
    """What :meth:`ClientCore.get` and its siblings pass on to :meth:`ClientCore.call`."""

    params: dict[str, Any] | None
    json_body: Any
    files: dict[str, Any] | None
    form: dict[str, str] | None
    timeout: Timeout
    link: object


@dataclass(frozen=True, eq=False)
class ClientCore:
    """The parts of one client that its resources share.

    Attributes:
        transport: The one object that sends requests (:mod:`runicorn_api._http`).
        adapter: What differs in the connected viewer's generation.
        storage: The policy for reading the viewer's storage folder directly.
        options: The client's validated knobs (timeout, strict, max_workers, ...).
        metrics_cache: The on-disk cache of finished runs' metrics, if configured.
        home: The client's resources, where a fetched :class:`~runicorn_api.Experiment`
            acts for its own methods (``exp.metrics()`` is ``client.metrics.get``).
        served: The routes the viewer's own ``/openapi.json`` lists, read at the first
            question (``None``: the generation alone decides).
    """

    transport: Transport
    adapter: Adapter
    storage: StorageAccess
    options: ClientOptions
    metrics_cache: MetricsCache | None
    home: RunHome
    served: ServedRoutes | None = None

    @property
    def server(self) -> ServerInfo:
        """The connected viewer's version, generation and features."""
        return self.adapter.server

    def call(
        self,
        method: str,
        path: str,
        cast_to: type[M] | ListOf[M] | None = None,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        files: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        timeout: Timeout = NOT_GIVEN,
        link: object = None,
    ) -> Any:
        """One call; its JSON validated into ``cast_to`` (a model, or :class:`ListOf` a
        model), or the parsed JSON as it came when ``cast_to`` is ``None``. A validation
        error names the call (``method path``). ``files``/``form`` make a multipart body.
        Typed per use by :meth:`get`, :meth:`post`, :meth:`patch` and :meth:`delete`."""
        data = self.transport.request(
            method, path, params=params, json_body=json_body, files=files, form=form,
            timeout=timeout,
        )  # fmt: skip
        if cast_to is None:
            return data
        context = f"{method.upper()} {path}"
        if isinstance(cast_to, ListOf):
            if cast_to.key is not None and isinstance(data, dict):
                data = data.get(cast_to.key, [])
            where = f" under {cast_to.key!r}" if cast_to.key is not None else ""
            return self.models(cast_to.model, data, context=f"{context}{where}", link=link)
        return self.model(cast_to, data, context=context, link=link)

    @overload
    def get(self, path: str, cast_to: type[M], **kw: Unpack[CallOptions]) -> M: ...
    @overload
    def get(self, path: str, cast_to: ListOf[M], **kw: Unpack[CallOptions]) -> list[M]: ...
    @overload
    def get(self, path: str, cast_to: None = None, **kw: Unpack[CallOptions]) -> Any: ...
    def get(self, path: str, cast_to: Any = None, **kw: Unpack[CallOptions]) -> Any:
        """``GET path``, validated into ``cast_to`` (see :meth:`call`)."""
        return self.call("GET", path, cast_to, **kw)

    @overload
    def post(self, path: str, cast_to: type[M], **kw: Unpack[CallOptions]) -> M: ...
    @overload
    def post(self, path: str, cast_to: ListOf[M], **kw: Unpack[CallOptions]) -> list[M]: ...
    @overload
    def post(self, path: str, cast_to: None = None, **kw: Unpack[CallOptions]) -> Any: ...
    def post(self, path: str, cast_to: Any = None, **kw: Unpack[CallOptions]) -> Any:
        """``POST path``, validated into ``cast_to`` (see :meth:`call`)."""
        return self.call("POST", path, cast_to, **kw)

    @overload
    def patch(self, path: str, cast_to: type[M], **kw: Unpack[CallOptions]) -> M: ...
    @overload
    def patch(self, path: str, cast_to: None = None, **kw: Unpack[CallOptions]) -> Any: ...
    def patch(self, path: str, cast_to: Any = None, **kw: Unpack[CallOptions]) -> Any:
        """``PATCH path``, validated into ``cast_to`` (see :meth:`call`)."""
        return self.call("PATCH", path, cast_to, **kw)

    @overload
    def delete(self, path: str, cast_to: type[M], **kw: Unpack[CallOptions]) -> M: ...
    @overload
    def delete(self, path: str, cast_to: None = None, **kw: Unpack[CallOptions]) -> Any: ...
    def delete(self, path: str, cast_to: Any = None, **kw: Unpack[CallOptions]) -> Any:
        """``DELETE path``, validated into ``cast_to`` (see :meth:`call`)."""
        return self.call("DELETE", path, cast_to, **kw)

    @overload
    def raw(
        self, method: str, path: str, *, expect: Literal["bytes"], **kw: Unpack[RawOptions]
    ) -> bytes: ...
    @overload
    def raw(
        self, method: str, path: str, *, expect: Literal["buffer"], **kw: Unpack[RawOptions]
    ) -> Body: ...
    @overload
    def raw(
        self,
        method: str,
        path: str,
        *,
        expect: Literal["response", "stream"],
        **kw: Unpack[RawOptions],
    ) -> requests.Response: ...
    def raw(
        self,
        method: str,
        path: str,
        *,
        expect: Literal["bytes", "buffer", "response", "stream"],
        **kw: Unpack[RawOptions],
    ) -> Any:
        """One call whose answer is not a model: its ``bytes``, its JSON ``buffer`` (for
        the metrics decoder), the ``response`` (headers; the body read) or the open
        ``stream``."""
        return self.transport.request(method, path, expect=expect, **kw)

    def download(
        self,
        path: str,
        sink: BinaryIO,
        *,
        method: Literal["GET", "POST"] = "GET",
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        timeout: Timeout = NOT_GIVEN,
        on_chunk: Callable[[int], None] | None = None,
        max_bytes: int | None = None,
    ) -> tuple[int, Mapping[str, str]]:
        """A file answer streamed into ``sink`` (at most ``max_bytes``); the bytes
        written and the answer's headers."""
        return self.transport.download(
            path, sink, method=method, params=params, json_body=json_body, timeout=timeout,
            on_chunk=on_chunk, max_bytes=max_bytes,
        )  # fmt: skip

    def content_length(self, path: str, *, params: dict[str, Any] | None = None) -> int | None:
        """The ``Content-Length`` a ``GET path`` announces; its body is not read."""
        return self.transport.content_length(path, params=params)

    def websocket(self, path: str, *, timeout: Timeout = NOT_GIVEN) -> Any:
        """An open WebSocket to ``path`` (same-origin redirects only)."""
        return self.transport.websocket(path, timeout=self.timeout_for(timeout))

    @property
    def base_url(self) -> str:
        """The viewer's base URL."""
        return self.transport.base_url

    def serves(self, method: str, path: str) -> bool:
        """Whether the viewer serves ``method path`` (a template of
        :data:`~runicorn_api.ROUTES`): its generation does, and its own route list does
        not leave it out (see :mod:`runicorn_api._served`).

        :calls: ``GET /openapi.json``, at the first question of a client only
        """
        if self.adapter.generation not in find(method, path).versions:
            return False
        return self.served is None or self.served.lists(method, path) is not False

    def require_route(self, method: str, path: str) -> None:
        """Raise :class:`UnsupportedFeatureError` before any request if the viewer does
        not serve ``method path`` (a template of :data:`~runicorn_api.ROUTES`).

        :calls: ``GET /openapi.json``, at the first question of a client only
        """
        require(method, path, self.adapter.generation, self.adapter.version)
        if not self.serves(method, path):
            raise UnsupportedFeatureError(
                f"The viewer at {self.base_url} (runicorn {self.adapter.version}) does not "
                f"serve {method.upper()} {path}: its /openapi.json does not list it. No "
                "request was sent."
            )

    def timeout_for(self, timeout: Timeout) -> float | None:
        """Seconds a call may take: ``timeout``, or the client's default if not given."""
        return self.transport.timeout_for(timeout)

    def concurrently(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(item) for item in items]`` on a pool of the client's ``max_workers``
        threads (the one mechanism for bulk requests), results in the items' order."""
        if not items:
            return []
        workers = min(self.options.max_workers, len(items))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(fn, items))

    def models(self, model: type[M], items: Any, *, context: str, link: object = None) -> list[M]:
        """``items`` validated into a list of ``model``; anything but a list is refused."""
        if not isinstance(items, list):
            raise ResponseValidationError(
                f"{context} on {self.server} answered {type(items).__name__}, not a list",
                body=items,
            )
        return [self.model(model, item, context=context, link=link) for item in items]

    def model(self, model: type[M], data: Any, *, context: str, link: object = None) -> M:
        """``data`` validated into ``model`` in the client's strictness."""
        return validate_model(model, data, strict=self.options.strict, context=context, link=link)
