"""What a resource may use of its client: the one object every resource is built on.

A resource never sees :class:`~runicorn_api.RunicornClient`. It gets a :class:`ClientCore`
(built by the client, the composition root) and, where it needs one, a sibling resource
passed to it by name. This keeps resources free of the client and testable against a
fake core.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ._types import NOT_GIVEN, NotGiven, Timeout
from .models._base import validate_model
from .routes import find, require

if TYPE_CHECKING:
    from ._generations import Adapter
    from ._http.transport import Transport
    from ._options import ClientOptions
    from ._storage.access import StorageAccess
    from .cache import MetricsCache
    from .models._base import RunicornModel
    from .models.experiment import RunActions
    from .models.server import ServerInfo

__all__ = ["ClientCore"]

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound="RunicornModel")


@dataclass(frozen=True, eq=False)
class ClientCore:
    """The parts of one client that its resources share.

    Attributes:
        transport: The one object that sends requests (:mod:`runicorn_api._http`).
        adapter: What differs in the connected viewer's generation.
        storage: The policy for reading the viewer's storage folder directly.
        options: The client's validated knobs (timeout, strict, max_workers, ...).
        metrics_cache: The on-disk cache of finished runs' metrics, if configured.
        actions: What a fetched :class:`~runicorn_api.Experiment` calls for its own
            methods (``exp.metrics()``, ``exp.logs()``, ...).
    """

    transport: Transport
    adapter: Adapter
    storage: StorageAccess
    options: ClientOptions
    metrics_cache: MetricsCache | None
    actions: RunActions

    @property
    def server(self) -> ServerInfo:
        """The connected viewer's version, generation and features."""
        return self.adapter.server

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        files: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> Any:
        """One call through the transport; its parsed JSON (``files``/``form``: a
        multipart body)."""
        return self.transport.request(
            method,
            path,
            params=params,
            json_body=json_body,
            files=files,
            form=form,
            timeout=timeout,
        )

    def serves(self, method: str, path: str) -> bool:
        """Whether the viewer's generation serves ``method path`` (a template of
        :data:`~runicorn_api.ROUTES`)."""
        return self.adapter.generation in find(method, path).versions

    def require_route(self, method: str, path: str) -> None:
        """Raise :class:`UnsupportedFeatureError` before any request if the viewer's
        generation does not serve ``method path`` (a template of :data:`~runicorn_api.ROUTES`)."""
        require(method, path, self.adapter.generation, self.adapter.version)

    def wait(self, timeout: Timeout) -> float | None:
        """Seconds a call may wait: ``timeout``, or the client's default if not given."""
        return self.options.timeout if isinstance(timeout, NotGiven) else timeout

    def concurrently(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(item) for item in items]`` on a pool of the client's ``max_workers``
        threads (the one mechanism for bulk requests), results in the items' order."""
        if not items:
            return []
        workers = min(self.options.max_workers, len(items))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(fn, items))

    def model(self, model: type[M], data: Any, *, context: str, link: object = None) -> M:
        """``data`` validated into ``model`` in the client's strictness."""
        return validate_model(model, data, strict=self.options.strict, context=context, link=link)
