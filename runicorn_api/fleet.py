"""Several viewers as one: :func:`connect_many` and :class:`Fleet`.

Runicorn is local-first: a lab that trains on several machines has a viewer on each. A
fleet asks all of them at once (concurrently, each with the filters it can apply
itself) and answers as one collection, in which every run knows its viewer::

    with api.connect_many({"gpu1": "http://gpu1:23300", "gpu2": "http://gpu2:23300"}) as fleet:
        best = fleet.experiments.filter(project="sweep").order_by("-metrics.acc.max")[:5]
        print(best.to_polars(["viewer", "id", "metrics.acc.max"]))

* Runs are told apart by viewer and id: the same run id on two viewers (a copied run)
  is two runs. A run is named ``"viewer:run_id"`` where one name must say both.
* A viewer that does not answer is never silently missing: with ``on_error="warn"``
  (the default) the answer holds the others' results and a :class:`FleetWarning` names
  each failed viewer and why (kept in :attr:`Fleet.errors`); with ``on_error="raise"``
  a :class:`FleetError` names them and carries the others' results.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from ._client import RunicornClient, connect
from ._common.collection import Collection
from ._exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    NotFoundError,
    RunicornAPIError,
)
from ._frames.experiments import experiments_frame
from ._frames.frame import Frame
from ._frames.metric_tables import metrics_frame
from ._storage.access import location_of
from ._validation import check_run_id
from .filters import Expr, F
from .models.experiment import Experiment, Project
from .models.metrics import RunMetrics
from .resources.experiments.collection import ExperimentCollection
from .resources.experiments.query import load_for_keys, refuse_keys, sort_experiments

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow
    from typing_extensions import Unpack

    from ._options import MoreOptions
    from .resources.experiments.query import RunFilters

__all__ = ["Fleet", "FleetError", "FleetMetrics", "FleetRuns", "FleetWarning", "connect_many"]

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
    named = _named(viewers)
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
    fleet = Fleet(clients, owned=set(opened), on_error=on_error)
    if failed:
        fleet._report("connect_many", failed, clients, close_on_raise=True)
    return fleet


def _named(
    viewers: Mapping[str, str | RunicornClient] | Sequence[str | RunicornClient],
) -> dict[str, str | RunicornClient]:
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
        self, clients: dict[str, RunicornClient], *, owned: set[str], on_error: OnError
    ) -> None:
        self.clients: dict[str, RunicornClient] = dict(clients)
        self._owned = owned
        self._on_error: OnError = on_error
        self.errors: dict[str, Exception] = {}
        """The viewers that failed in the last call, and why (empty when all answered)."""

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
            self, {n: c.experiments.all().strict_keys(False) for n, c in self.clients.items()}
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
        self.errors = failed
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
        self.errors = dict(failed)
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


class FleetRuns(Collection[Experiment]):
    """The runs of every viewer of a fleet, as one lazy collection: ``filter``,
    ``exclude``, ``order_by``, slices, ``len``, ``ids``, ``metrics`` and frames work as on
    one viewer's collection, each viewer asked concurrently with the filters it can
    apply. Runs come viewer by viewer unless ordered; each knows its ``viewer``, and
    frames have a ``viewer`` column first.

    :calls: nothing until used; then each viewer's listing (``GET /api/runs``, or the
        narrower listing it serves for the filters), concurrently, and what the keys
        need per viewer (run details, metric reductions)
    """

    _noun = "experiment"

    def __init__(
        self,
        fleet: Fleet,
        parts: dict[str, ExperimentCollection],
        *,
        order: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self._fleet = fleet
        self._parts = parts
        self._order = order

    def _with(self, parts: dict[str, ExperimentCollection], order: tuple[str, ...]) -> FleetRuns:
        self._check_unsliced()
        return FleetRuns(self._fleet, parts, order=order)

    def filter(self, *exprs: Expr, **kw: Unpack[RunFilters]) -> FleetRuns:
        """Keep runs matching every expression and keyword, on every viewer."""
        return self._with({n: p.filter(*exprs, **kw) for n, p in self._parts.items()}, self._order)

    def exclude(self, *exprs: Expr, **kw: Unpack[RunFilters]) -> FleetRuns:
        """Drop runs matching all the given expressions and keywords, on every viewer."""
        return self._with({n: p.exclude(*exprs, **kw) for n, p in self._parts.items()}, self._order)

    def order_by(self, *keys: str) -> FleetRuns:
        """Sort all runs together by fields (``"-key"`` descends; missing values last)."""
        for key in keys:
            F(key.lstrip("-"))
        return self._with({n: p.order_by(*keys) for n, p in self._parts.items()}, tuple(keys))

    def all(self) -> FleetRuns:
        return self._with(dict(self._parts), self._order)

    def _clone(self) -> FleetRuns:
        return FleetRuns(self._fleet, dict(self._parts), order=self._order)

    def ids(self) -> list[str]:
        """``"viewer:run_id"`` of each run, in order (a run id alone may not be unique)."""
        return [f"{e.viewer}:{e.id}" for e in self]

    def metrics(self, metric_names: Sequence[str] | None = None) -> FleetMetrics:
        """The metrics of these runs, in their order, each from its own viewer (read
        directly where that viewer's folder is on this machine).

        :calls: the listings, then what ``runs.metrics()`` calls on each viewer,
            concurrently
        """
        runs = self.to_list()
        by_viewer: dict[str, list[Experiment]] = {}
        for run in runs:
            by_viewer.setdefault(run.viewer or "", []).append(run)

        def read(name: str, client: RunicornClient) -> list[RunMetrics]:
            where = [location_of(e) for e in by_viewer[name]]
            return client.metrics.many(where, metric_names).to_list()

        found = self._fleet.gather("metrics", read, names=list(by_viewer))
        position = {name: iter(items) for name, items in found.items()}
        pairs = [
            (r.viewer or "", next(position[r.viewer or ""])) for r in runs if r.viewer in found
        ]
        return FleetMetrics(pairs)

    # -- producing ------------------------------------------------------------------------

    def _produce(self) -> Iterator[Experiment]:
        found = self._fleet.gather("experiments", lambda name, _c: self._parts[name].to_list(),
                                   names=list(self._parts))  # fmt: skip
        merged: list[Experiment] = []
        for name, items in found.items():
            for exp in items:
                exp.link.viewer = name
            merged.extend(items)
        for what in ("filter", "order_by"):
            # A key counts as a typo only if no listed run of any viewer has it.
            notes = [p.unknown_keys[what] for n, p in self._parts.items() if n in found
                     and what in p.unknown_keys]  # fmt: skip
            if notes:
                unknown = sorted(frozenset.intersection(*notes))
                refuse_keys(merged, unknown, what, where=f"from {len(found)} viewers")
        if self._order:
            merged = sort_experiments(merged, self._order)
        yield from merged

    def _frame(self, items: list[Experiment], columns: Sequence[str] | None) -> Frame:
        load_for_keys(items, list(columns or ()))
        inner = None if columns is None else [c for c in columns if c != "viewer"]
        frame = experiments_frame(items, inner, lambda group: load_for_keys(group, ["summary"]))
        whole = Frame(
            {"viewer": [e.viewer for e in items], **frame.columns},
            {"viewer": "str", **frame.types},
        )
        return whole.select(columns)

    def _describe(self) -> str:
        shown = "; ".join(f"{n}: {p.describe() or 'all'}" for n, p in self._parts.items())
        order = f" order_by {', '.join(self._order)}" if self._order else ""
        return f"across {len(self._parts)} viewers ({shown}){order}"


class FleetMetrics:
    """The metrics of a fleet's runs, in their order; frames have a ``viewer`` column."""

    def __init__(self, runs: list[tuple[str, RunMetrics]]) -> None:
        self._runs = runs

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self) -> Iterator[RunMetrics]:
        return (metrics for _, metrics in self._runs)

    def __getitem__(self, index: int) -> RunMetrics:
        return self._runs[index][1]

    @property
    def viewers(self) -> list[str]:
        """The viewer of each item, in order."""
        return [name for name, _ in self._runs]

    def to_list(self) -> list[RunMetrics]:
        return [metrics for _, metrics in self._runs]

    def _groups(self) -> list[tuple[str, list[RunMetrics]]]:
        groups: list[tuple[str, list[RunMetrics]]] = []
        for name, metrics in self._runs:
            if groups and groups[-1][0] == name:
                groups[-1][1].append(metrics)
            else:
                groups.append((name, [metrics]))
        return groups

    def to_polars(self, *, wide: bool = False) -> polars.DataFrame:
        """``viewer``, then the columns of ``runs.metrics(...).to_polars()``."""
        import polars as pl

        parts = [
            metrics_frame(items, wide=wide)
            .to_polars()
            .select(pl.lit(name, dtype=pl.String).alias("viewer"), pl.all())
            for name, items in self._groups()
        ]
        if not parts:
            empty = metrics_frame([], wide=wide).to_polars()
            return empty.select(pl.lit(None, dtype=pl.String).alias("viewer"), pl.all())
        joined: polars.DataFrame = pl.concat(parts, how="diagonal" if wide else "vertical")
        return joined

    def to_pandas(self, *, wide: bool = False) -> pandas.DataFrame:
        """The columns and types of :meth:`to_polars`, in pandas."""
        import pandas as pd

        parts = []
        for name, items in self._groups() or [("", [])]:
            frame = metrics_frame(items, wide=wide).to_pandas()
            frame.insert(0, "viewer", pd.Series([name] * len(frame), dtype=pd.StringDtype()))
            parts.append(frame)
        joined: pandas.DataFrame = pd.concat(parts, ignore_index=True)
        return joined

    def to_arrow(self, *, wide: bool = False) -> pyarrow.Table:
        """The columns and types of :meth:`to_polars`, as a :class:`pyarrow.Table`."""
        import pyarrow as pa

        tables = []
        for name, items in self._groups() or [("", [])]:
            table = metrics_frame(items, wide=wide).to_arrow()
            kind = table.schema.field("run_id").type
            tables.append(table.add_column(0, "viewer", pa.array([name] * table.num_rows, kind)))
        joined: pyarrow.Table = pa.concat_tables(tables, promote_options="default")
        return joined

    def __repr__(self) -> str:
        return f"<FleetMetrics of {len(self._runs)} runs on {len(set(self.viewers))} viewers>"
