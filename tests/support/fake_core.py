"""A :class:`ClientCore` over a fake transport, for resource tests that need no viewer.

The transport answers from a table of routes and records every call, so a test can say
exactly which requests a resource sent (and that it sent none before it had to).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from runicorn_api._core import ClientCore
from runicorn_api._generations import adapter_for
from runicorn_api._options import ClientOptions
from runicorn_api._storage.access import StorageAccess
from runicorn_api._types import NOT_GIVEN, DirectReads, Timeout
from runicorn_api.models.experiment import Experiment
from runicorn_api.models.metrics import RunMetrics

Answer = Any | Callable[[dict[str, Any] | None, Any], Any]


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, Any] | None
    body: Any


@dataclass
class FakeTransport:
    """Answers ``(method, path)`` from ``routes`` (a value, or a function of the params
    and the JSON body); an unknown route fails the test loudly."""

    routes: dict[tuple[str, str], Answer]
    calls: list[Call] = field(default_factory=list)
    base_url: str = "http://127.0.0.1:9"
    timeout: float | None = 30
    server: str = "the fake viewer"

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
        expect: str = "json",
    ) -> Any:
        self.calls.append(Call(method, path, params, json_body))
        try:
            answer = self.routes[(method, path)]
        except KeyError:
            raise AssertionError(f"unexpected request {method} {path} {params}") from None
        return answer(params, json_body) if callable(answer) else answer

    def sent(self) -> list[tuple[str, str]]:
        return [(c.method, c.path) for c in self.calls]


@dataclass
class RecordingHome:
    """The client's resources as ``Experiment``'s methods reach them (``RunHome``):
    each call is recorded as ``("<resource>.<method>", args)``."""

    asked: list[tuple[str, Any]] = field(default_factory=list)
    loader: Callable[[Sequence[Experiment]], None] | None = None

    def __getattr__(self, resource: str) -> Any:
        home = self

        class Resource:
            def __getattr__(self, method: str) -> Callable[..., Any]:
                def act(*args: Any, **kwargs: Any) -> Any:
                    home.asked.append((f"{resource}.{method}", args))
                    if method == "load_details" and home.loader is not None:
                        home.loader(*args)
                    if (resource, method) == ("metrics", "get"):
                        return RunMetrics(run_id=args[0])  # the shape the resource answers
                    return None

                return act

        return Resource()


def fake_core(
    routes: dict[tuple[str, str], Answer],
    *,
    version: str = "0.7.2",
    direct_reads: DirectReads = "never",
    home: Any = None,
    **options: Any,
) -> tuple[ClientCore, FakeTransport]:
    """A core for ``version``'s generation over a :class:`FakeTransport` of ``routes``."""
    transport = FakeTransport(routes)
    adapter = adapter_for(version, direct_reads=direct_reads)
    core = ClientCore(
        transport=transport,  # type: ignore[arg-type]
        adapter=adapter,
        storage=StorageAccess(direct_reads, str(adapter.server)),
        options=ClientOptions(direct_reads=direct_reads, **options),
        metrics_cache=None,
        home=home if home is not None else RecordingHome(),
    )
    return core, transport


def run_item(run_id: str, path: str, *, status: str = "finished", created: float = 1.7e9,
             **extra: Any) -> dict[str, Any]:  # fmt: skip
    """A 0.7.x run list item, as ``GET /api/runs`` sends it."""
    return {"id": run_id, "path": path, "status": status, "created_time": created,
            "pid": 1, "run_dir": f"/nowhere/{run_id}", "tags": [], **extra}  # fmt: skip
