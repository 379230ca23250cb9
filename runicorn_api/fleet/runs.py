"""A fleet's runs: one lazy collection over every viewer (:class:`FleetRuns`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from .._common.collection import Collection
from .._frames.experiments import experiments_frame
from .._frames.frame import Frame
from .._storage.access import location_of
from ..filters import Expr, F
from ..models.experiment import Experiment
from ..models.metrics import RunMetrics
from ..resources.experiments.collection import ExperimentCollection
from ..resources.experiments.query import load_for_keys, refuse_keys, sort_experiments
from .metrics import FleetMetrics

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import RunicornClient
    from ..resources.experiments.query import RunFilters

__all__ = ["FleetRuns", "Gatherer"]

R = TypeVar("R")


class Gatherer(Protocol):
    """What a fleet's collection asks its viewers through (:meth:`Fleet.gather`)."""

    def gather(
        self,
        what: str,
        ask: Callable[[str, RunicornClient], R],
        names: Sequence[str] | None = None,
    ) -> dict[str, R]: ...


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
        fleet: Gatherer,
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
        merged = [exp for items in found.values() for exp in items]  # each knows its viewer
        for what in ("filter", "order_by"):
            # A key counts as a typo only if no listed run of any viewer has it.
            checked = [p for n, p in self._parts.items() if n in found and what in p.unknown_keys]
            if checked:
                unknown = sorted(frozenset.intersection(*(p.unknown_keys[what] for p in checked)))
                runs = [e for p in checked for e in p.checked_runs[what]]
                where = "listed" if len(found) == 1 else f"from {len(found)} viewers"
                refuse_keys(runs, unknown, what, where=where)
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
