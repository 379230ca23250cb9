"""A fleet of viewers: opening it (:func:`connect_many`), asking every viewer
(:meth:`Fleet.gather`), and the seed's methods across viewers."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from .._client import RunicornClient, connect
from .._exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    NotFoundError,
    RunicornAPIError,
)
from .._validation import check_run_id
from ..models.experiment import Experiment, Project
from ..models.metrics import RunMetrics
from .runs import FleetRuns

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._options import MoreOptions

__all__ = ["Fleet", "FleetError", "FleetWarning", "OnError", "connect_many", "named_viewers"]

OnError = Literal["warn", "raise"]
R = TypeVar("R")


class FleetError(RunicornAPIError):
    """Viewers of a fleet failed (``on_error="raise"``).

    Attributes:
        errors: Per failed viewer name, its error.
        partial: Per viewer that answered, its result.
    """

    def __init__(self, message: str, errors: dict[str, Exception], partial: dict[str, Any]):
        super().__init__(message)
        self.errors = errors
        self.partial = partial


class FleetWarning(UserWarning):
    """Viewers of a fleet failed (``on_error="warn"``); the answer holds the others'."""


def connect_many(
    viewers: Mapping[str, str | RunicornClient] | Sequence[str | RunicornClient],
    *,
    on_error: OnError = "warn",
    timeout: float | None = 30,
    max_retries: int = 3,
    **options: Unpack[MoreOptions],
) -> Fleet:
    """Open a :class:`Fleet` of viewers.

    :calls: ``GET /api/health`` of each URL, concurrently

    Args:
        viewers: Short names to base URLs or open clients (``{"gpu1": "http://gpu1:23300",
            "laptop": api.local(...)}``; a client from ``client.remote.open(...)`` too), or
            a list of them, each then named ``host:port``.
        on_error: ``"warn"``: a viewer that fails is left out with a :class:`FleetWarning`
            naming it; ``"raise"``: a :class:`FleetError`.
        timeout, max_retries, **options: What :func:`~runicorn_api.connect` takes
            (``auth``, ``headers``, ``verify``, ...), for the URLs opened here.

    Raises:
        InvalidArgumentError: No viewer, a blank or repeated name, or an entry that is
            neither a URL nor a client (before anything is opened).
        FleetError: ``on_error="raise"`` and a URL could not be opened (what was opened
            is closed again).
    """
    if on_error not in ("warn", "raise"):
        raise InvalidArgumentError(f"on_error must be 'warn' or 'raise', got {on_error!r}")
    named = named_viewers(viewers)
    urls = {name: v for name, v in named.items() if isinstance(v, str)}
    opened: dict[str, RunicornClient] = {}
    failed: dict[str, Exception] = {}

    def open_one(name: str) -> RunicornClient:
        return connect(urls[name], timeout, max_retries, **options)

    with ThreadPoolExecutor(max_workers=max(1, len(urls))) as pool:
        futures = {name: pool.submit(open_one, name) for name in urls}
        for name, future in futures.items():
            try:
                opened[name] = future.result()
            except InvalidArgumentError:
                for client in opened.values():
                    client.close()
                raise
            except RunicornAPIError as err:
                failed[name] = err
    clients = {
        name: opened[name] if isinstance(v, str) else v
        for name, v in named.items()
        if name not in failed
    }
    return Fleet(clients, owned=set(opened), on_error=on_error, failed=failed)


def named_viewers(
    viewers: Mapping[str, str | RunicornClient] | Sequence[str | RunicornClient],
) -> dict[str, str | RunicornClient]:
    """``viewers`` as :func:`connect_many` names them (a list: each ``host:port``),
    checked before anything is opened.

    Raises:
        InvalidArgumentError: No viewer, a blank or repeated name, or a blank URL.
        InvalidArgumentTypeError: An entry that is neither a URL nor a client.
    """
    if isinstance(viewers, str | bytes):
        raise InvalidArgumentTypeError("viewers must be a mapping of names to URLs or a list")
    if isinstance(viewers, Mapping):
        pairs = list(viewers.items())
    else:
        pairs = [(_host_port(v), v) for v in viewers]
    if not pairs:
        raise InvalidArgumentError("connect_many needs at least one viewer")
    named: dict[str, str | RunicornClient] = {}
    for name, viewer in pairs:
        if (
            not isinstance(name, str)
            or not name.strip()
            or (":" in name and not _is_host_port(name))
        ):
            raise InvalidArgumentError(
                f"A viewer name must be a non-blank string without ':' (or host:port), got {name!r}"
            )
        if name in named:
            raise InvalidArgumentError(f"Two viewers are named {name!r}; give each its own name")
        if not isinstance(viewer, str | RunicornClient):
            raise InvalidArgumentTypeError(
                f"Viewer {name!r} must be a base URL or a RunicornClient, got {viewer!r}"
            )
        if isinstance(viewer, str) and not viewer.strip():
            raise InvalidArgumentError(f"Viewer {name!r} has a blank URL")
        named[name] = viewer
    return named


def _host_port(viewer: str | RunicornClient) -> str:
    url = viewer.base_url if isinstance(viewer, RunicornClient) else viewer
    if not isinstance(url, str):
        raise InvalidArgumentTypeError(
            f"A viewer must be a base URL or a RunicornClient, got {url!r}"
        )
    parts = urlsplit(url if "://" in url else f"http://{url}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname:
        raise InvalidArgumentError(f"{url!r} is not a viewer URL")
    return f"{parts.hostname}:{port or (443 if parts.scheme == 'https' else 80)}"


def _is_host_port(name: str) -> bool:
    host, _, port = name.rpartition(":")
    return bool(host) and port.isdigit()


class Fleet:
    """Several viewers, asked as one. Made by :func:`connect_many`; see the module docs.

    ``fleet["gpu1"]`` is that viewer's client; ``fleet.names`` the names, in order.
    """

    def __init__(
        self,
        clients: dict[str, RunicornClient],
        *,
        owned: set[str],
        on_error: OnError,
        failed: dict[str, Exception] | None = None,
    ) -> None:
        self.clients: dict[str, RunicornClient] = dict(clients)
        self._owned = owned
        self._on_error: OnError = on_error
        self._opened_errors: dict[str, Exception] = dict(failed or {})
        self._calls = threading.local()  # each thread's last failures (see errors)
        if failed:  # viewers that could not be opened (see connect_many)
            self._report("connect_many", failed, clients, close_on_raise=True)

    @property
    def errors(self) -> dict[str, Exception]:
        """The viewers that failed in the last call made from this thread, and why (empty
        when all answered); before any call, those :func:`connect_many` could not open.
        Per thread, so that calls made at the same time (an MCP server's tools, say)
        each see their own failures."""
        found: dict[str, Exception] = getattr(self._calls, "errors", self._opened_errors)
        return found

    @property
    def names(self) -> list[str]:
        return list(self.clients)

    def __getitem__(self, name: str) -> RunicornClient:
        try:
            return self.clients[name]
        except KeyError:
            raise KeyError(
                f"No viewer {name!r} in this fleet; it has {', '.join(self.clients)}"
            ) from None

    def __len__(self) -> int:
        return len(self.clients)

    def __iter__(self) -> Iterator[str]:
        return iter(self.clients)

    # -- the same API, across viewers ---------------------------------------------------

    @property
    def experiments(self) -> FleetRuns:
        """Every run of every viewer, as one lazy collection (see :class:`FleetRuns`).

        :calls: nothing until the collection is used
        """
        return FleetRuns(
            self,
            {
                n: c.experiments.all().strict_keys(False).as_viewer(n)
                for n, c in self.clients.items()
            },
        )

    def list_experiments(
        self,
        project: str | None = None,
        name: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Experiment]:
        """The seed's ``list_experiments`` across viewers: each viewer's runs in its order,
        viewer by viewer, then ``offset``/``limit`` over the whole.

        :calls: ``GET /api/runs`` of each viewer, concurrently
        """
        runs = self.experiments.filter(project=project, name=name, status=status)
        return runs.page(limit, offset)

    def list_projects(self) -> list[Project]:
        """Projects (0.7.x: top-level paths) with their run counts summed across viewers,
        sorted by name.

        :calls: what ``client.list_projects()`` calls, on each viewer, concurrently
        """
        found = self.gather("list_projects", lambda _name, client: client.list_projects())
        totals: dict[str, Project] = {}
        for projects in found.values():
            for project in projects:
                seen = totals.get(project.name)
                if seen is None:
                    totals[project.name] = project.model_copy()
                    continue
                for field in ("experiment_count", "running", "finished", "failed", "interrupted"):
                    setattr(seen, field, getattr(seen, field) + getattr(project, field))
        return [totals[n] for n in sorted(totals)]

    def get_experiment(self, run: str | Experiment) -> Experiment:
        """One run: an :class:`Experiment` of this fleet, ``"viewer:run_id"``, or a bare
        run id that exactly one viewer has.

        :calls: ``GET /api/runs/{run_id}`` of the run's viewer (of every viewer, for a
            bare id)

        Raises:
            InvalidArgumentError: A bare id that several viewers have (they are named).
            NotFoundError: No viewer has the run.
        """
        name, run_id = self.locate(run)
        found = self[name].experiments.get(run_id)
        found.link.viewer = name
        return found

    def get_metrics(
        self,
        run: str | Experiment,
        metric_names: Sequence[str] | None = None,
        limit: int | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> RunMetrics:
        """One run's metrics, from its viewer (read directly where that viewer's folder
        is on this machine); the run as :meth:`get_experiment` takes it.

        :calls: what ``client.get_metrics`` calls, on the run's viewer
        """
        name, run_id = self.locate(run)
        return self[name].get_metrics(
            run_id, metric_names, limit, downsample=downsample, start=start, end=end
        )

    def locate(self, run: str | Experiment) -> tuple[str, str]:
        """``(viewer name, run id)`` of a run given as :meth:`get_experiment` takes it.

        :calls: nothing, unless ``run`` is a bare id: then ``GET /api/runs/{run_id}``
            of every viewer, concurrently
        """
        if isinstance(run, Experiment):
            if run.viewer is None or run.viewer not in self.clients:
                raise InvalidArgumentError(
                    f"Run {run.id} did not come from this fleet; give 'viewer:{run.id}'"
                )
            return run.viewer, run.id
        if not isinstance(run, str):
            raise InvalidArgumentTypeError(f"A run is an Experiment or a run id, got {run!r}")
        name, sep, run_id = run.rpartition(":")
        if sep:
            if name not in self.clients:
                raise InvalidArgumentError(
                    f"No viewer {name!r} in this fleet (it has {', '.join(self.clients)})"
                )
            return name, check_run_id(run_id)
        check_run_id(run)

        def has(_name: str, client: RunicornClient) -> bool:
            try:
                client.experiments.get(run)
            except NotFoundError:
                return False
            return True

        holders = [n for n, yes in self.gather("get_experiment", has).items() if yes]
        if len(holders) > 1:
            raise InvalidArgumentError(
                f"Run {run} is on {len(holders)} viewers ({', '.join(holders)}); "
                f"name one: {', '.join(f'{h}:{run}' for h in holders)}"
            )
        if not holders:
            raise NotFoundError(
                f"No viewer of this fleet ({', '.join(self.clients)}) has run {run}"
            )
        return holders[0], run

    # -- asking every viewer ------------------------------------------------------------

    def gather(
        self, what: str, ask: Callable[[str, RunicornClient], R], names: Sequence[str] | None = None
    ) -> dict[str, R]:
        """``ask(name, client)`` for each viewer (or those ``names``), concurrently, in the
        fleet's order; a viewer that fails is handled as ``on_error`` says. An error in
        the arguments (:class:`InvalidArgumentError`) is raised as it is."""
        chosen = list(self.clients) if names is None else list(names)
        results: dict[str, R] = {}
        failed: dict[str, Exception] = {}
        if chosen:
            with ThreadPoolExecutor(max_workers=len(chosen)) as pool:
                futures = {n: pool.submit(ask, n, self.clients[n]) for n in chosen}
                for name, future in futures.items():
                    try:
                        results[name] = future.result()
                    except InvalidArgumentError:
                        raise
                    except RunicornAPIError as err:
                        failed[name] = err
        self._calls.errors = failed
        if failed:
            self._report(what, failed, results)
        return results

    def _report(
        self,
        what: str,
        failed: dict[str, Exception],
        partial: Mapping[str, Any],
        *,
        close_on_raise: bool = False,
    ) -> None:
        self._calls.errors = dict(failed)
        reasons = "; ".join(f"{n}: {type(e).__name__}: {e}" for n, e in failed.items())
        message = (
            f"{what}: {len(failed)} of {len(failed) + len(partial)} viewers failed ({reasons})"
        )
        if self._on_error == "raise":
            if close_on_raise:
                self.close()
            raise FleetError(message, dict(failed), dict(partial))
        warnings.warn(message + "; the answer holds the others'", FleetWarning, stacklevel=4)

    # -- lifetime -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the clients this fleet opened (clients it was given stay open)."""
        for name in list(self._owned):
            client = self.clients.get(name)
            if client is not None:
                client.close()
        self._owned.clear()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={c.base_url}" for n, c in self.clients.items())
        return f"<Fleet {shown}>"
