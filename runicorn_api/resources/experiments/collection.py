""":class:`ExperimentCollection`: a lazy, filterable, orderable query of runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..._common.collection import Collection, Page
from ..._common.follow import Follower
from ..._common.progress import ProgressOption
from ..._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ..._frames.experiments import experiments_frame
from ..._frames.frame import Frame
from ..._generations.base import RunsRequest
from ..._reading.table import check_metric_args
from ..._storage.access import RunLocation, location_of
from ..._types import NOT_GIVEN, NotGiven
from ...filters import Expr, F, reduction_key
from ...models.experiment import Experiment
from ...models.metrics import RunMetrics
from .._runs import RunLookup
from .query import (
    RunFilters,
    and_,
    check_keys,
    keyword_filter,
    load_for_keys,
    metric_names_of,
    sort_experiments,
    unknown_keys,
)
from .scan import BATCH_RUNS

if TYPE_CHECKING:
    import polars
    from typing_extensions import Unpack

    from ...dataset import DatasetWrite
    from ..metrics import MetricsCollection, MetricsResource

__all__ = ["ExperimentCollection"]


class ExperimentCollection(Collection[Experiment]):
    """A lazy, filterable, orderable collection of runs.

    Built by ``client.experiments.filter(...)`` and friends; nothing is requested until
    it is iterated, indexed, measured or converted. Filters the viewer can apply (a path
    on 0.7.x, a project and name on 0.5.x) are sent to it; every filter is also applied
    here, so the result is the same either way (see :meth:`push_down`).
    """

    _noun = "experiment"

    def __init__(
        self,
        runs: RunLookup,
        metrics: MetricsResource,
        *,
        where: Expr | None = None,
        pushed: dict[str, Any] | None = None,
        order: tuple[str, ...] = (),
        push_down: bool = True,
        strict: bool = True,
        viewer: str | None = None,
        base: ExperimentCollection | None = None,
    ) -> None:
        super().__init__()
        self._runs = runs
        self._metrics = metrics
        self._where = where
        self._pushed = pushed or {}
        self._order = order
        self._push_down = push_down
        self._strict = strict
        self._viewer = viewer
        self.unknown_keys: dict[str, frozenset[str]] = {}
        """With :meth:`strict_keys` off: per check (``filter``, ``order_by``), the keys
        no listed run has, once fetched (absent when no run was listed)."""
        self.checked_runs: dict[str, list[Experiment]] = {}
        """With :meth:`strict_keys` off: per check, the runs its keys were looked for
        in (to suggest the keys they have)."""
        # A fully fetched collection this one narrows: its items are filtered here
        # instead of listing again (the result is the same; see push_down()).
        self._base = base

    def _derive(
        self,
        *,
        where: Expr | NotGiven | None = NOT_GIVEN,
        pushed: dict[str, Any] | None = None,
        order: tuple[str, ...] | None = None,
        push_down: bool | None = None,
        strict: bool | None = None,
        viewer: str | None = None,
    ) -> ExperimentCollection:
        self._check_unsliced()
        return ExperimentCollection(
            self._runs,
            self._metrics,
            where=self._where if isinstance(where, NotGiven) else where,
            pushed=self._pushed if pushed is None else pushed,
            order=self._order if order is None else order,
            push_down=self._push_down if push_down is None else push_down,
            strict=self._strict if strict is None else strict,
            viewer=self._viewer if viewer is None else viewer,
            base=self if self.fetched else self._base,
        )

    # -- building ------------------------------------------------------------------

    def filter(self, *exprs: Expr, **kw: Unpack[RunFilters]) -> ExperimentCollection:
        """Keep runs matching every expression and keyword (see :func:`keyword_filter`)."""
        where, pushed = self._combine(exprs, kw)
        merged = dict(self._pushed)
        for key, value in pushed.items():
            merged.setdefault(key, value)
        return self._derive(where=and_(self._where, where), pushed=merged)

    def exclude(self, *exprs: Expr, **kw: Unpack[RunFilters]) -> ExperimentCollection:
        """Drop runs matching all the given expressions and keywords."""
        where, _ = self._combine(exprs, kw)
        if where is None:
            return self._derive()
        return self._derive(where=and_(self._where, ~where))

    def order_by(self, *keys: str) -> ExperimentCollection:
        """Sort by fields (``"-created_at"`` descends); missing values go last."""
        for key in keys:
            F(key.lstrip("-"))  # validates the key
        return self._derive(order=tuple(keys))

    def all(self) -> ExperimentCollection:
        """An unfetched copy of this collection (it reuses items already fetched)."""
        return self._derive()

    def refresh(self) -> ExperimentCollection:
        """Forget fetched items (and any collection this one narrows); list again next."""
        self._base = None
        super().refresh()
        return self

    def _clone(self) -> ExperimentCollection:
        return self._derive()

    def push_down(self, enabled: bool = True) -> ExperimentCollection:
        """Let the viewer apply the filters it can (the default), or filter all here."""
        return self._derive(push_down=enabled)

    def strict_keys(self, enabled: bool = True) -> ExperimentCollection:
        """Refuse a filter or sort key that no listed run has (the default), or, for a
        caller that combines collections (a fleet), only note such keys in
        :attr:`unknown_keys`."""
        return self._derive(strict=enabled)

    def as_viewer(self, name: str) -> ExperimentCollection:
        """These runs, each carrying ``name`` as its ``viewer``, as a fleet's runs do
        (:func:`~runicorn_api.connect_many` names its viewers so): ``F("viewer")``
        filters and ``order_by("viewer")`` sort by it, as by any other key.

        :calls: nothing
        """
        if not isinstance(name, str):
            raise InvalidArgumentTypeError(f"as_viewer takes a viewer name, got {name!r}")
        if not name:
            raise InvalidArgumentError("as_viewer needs a viewer name, got an empty string")
        return self._derive(viewer=name)

    def ids(self) -> list[str]:
        """The run ids, in order."""
        return [e.id for e in self]

    def follow(
        self,
        metric_names: Sequence[str] | None = None,
        *,
        interval: float = 1.0,
        timeout: float | None = None,
        from_start: bool = False,
    ) -> Follower[RunMetrics]:
        """Follow these runs' metrics as they grow: see :meth:`MetricsResource.follow`
        (each item is one run's new rows; it ends when none of them is running).

        :calls: the listing, then what ``client.metrics.follow`` calls per run
        """
        ids = self.ids()
        if not ids:
            return Follower(iter(()))  # nothing runs: nothing to follow
        return self._metrics.follow(
            ids, metric_names, interval=interval, timeout=timeout, from_start=from_start
        )

    def metrics(
        self,
        metric_names: Sequence[str] | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressOption = False,
    ) -> MetricsCollection:
        """The metrics of these runs, in their order; lazy like the collection.

        Run folders on this machine that are proven to be the viewer's are read directly,
        in parallel, with no request beyond the listing (see ``direct_reads``).

        :calls: the listing, then ``GET /api/runs/{id}/metrics`` per run that is not read
        from its folder, on a thread pool of the client's ``max_workers``;
        ``progress=True`` shows a tqdm bar.
        """

        def locations() -> list[RunLocation]:
            return [location_of(e) for e in self]

        return self._metrics.many(
            locations,
            metric_names,
            downsample=downsample,
            start=start,
            end=end,
            progress=progress,
        )

    def scan_metrics(
        self,
        metric_names: Sequence[str] | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        batch_runs: int | None = BATCH_RUNS,
    ) -> polars.LazyFrame:
        """The long metrics table of these runs (``run_id, step, metric, value,
        timestamp``, as ``metrics(...).to_polars()``) as a polars ``LazyFrame``, read in
        batches of ``batch_runs`` runs (by default sized from the last batch, to about
        25,000 logged values) by a polars IO source that takes the projection,
        the predicate (a ``run_id`` condition skips runs unread) and ``head`` from the
        query; memory holds about one batch. Needs polars.

        :calls: the listing (once), then what :meth:`metrics` calls, per run read, at
        each collect
        """
        from .scan import scan_metrics

        check_metric_args(metric_names, None, None, start, end)
        return scan_metrics(
            lambda: [location_of(e) for e in self],
            self._metrics,
            metric_names,
            start=start,
            end=end,
            batch_runs=batch_runs,
        )

    def write_dataset(
        self,
        folder: str | Path,
        *,
        metric_names: list[str] | None = None,
        partition_by: Literal["project", "path"] = "project",
        progress: ProgressOption = False,
    ) -> DatasetWrite:
        """Write these runs and their metrics as a hive-partitioned parquet dataset that
        polars, DuckDB and Spark read lazily; a later call rewrites only the runs that
        are new or changed. See :mod:`runicorn_api.dataset` for the layout.

        :calls: the listing; per run, what tells whether it changed (the size of
            ``events.jsonl`` under direct reads, else the headers of ``GET
            /api/runs/{id}/metrics?downsample=100``); the metrics of the changed runs
        """
        from ...dataset import write_dataset

        metrics = self._metrics

        def read(runs: list[Experiment]) -> list[RunMetrics]:
            chosen = [location_of(e) for e in runs]
            return metrics.many(chosen, metric_names, progress=progress).to_list()

        return write_dataset(
            self.to_list,
            folder,
            stamps=metrics.stamps,
            read_metrics=read,
            runs_table=self.to_polars,
            metric_names=metric_names,
            partition_by=partition_by,
            progress=progress,
        )

    @staticmethod
    def _combine(
        exprs: Sequence[Expr], kw: Mapping[str, Any]
    ) -> tuple[Expr | None, dict[str, Any]]:
        for expr in exprs:
            if not isinstance(expr, Expr):
                raise InvalidArgumentTypeError(f"filter() takes F(...) expressions, got {expr!r}")
        where, pushed = keyword_filter(**kw)
        for expr in exprs:
            where = and_(where, expr)
        return where, pushed

    # -- producing -----------------------------------------------------------------

    def _request(self) -> RunsRequest:
        return self._runs.listing(self._pushed if self._push_down else {})

    def _source_pages(self) -> Iterator[Page[Experiment]]:
        base = self._base
        if base is not None and base.fetched:
            items = base.to_list()  # fetched: no request
            yield Page(items, total=len(items))
        else:
            yield from self._runs.pages(self._request())

    def _produce(self) -> Iterator[Experiment]:
        where = self._where
        listed: list[Experiment] = []
        kept: list[Experiment] = []
        for page in self._source_pages():
            items = page.items
            if self._viewer is not None:
                for exp in items:
                    exp.link.viewer = self._viewer
            if where is not None:
                load_for_keys(items, where.keys)
            listed.extend(items)
            kept.extend(e for e in items if where is None or where(e))
        # A key no listed run has is a typo until F(key).exists() says otherwise: an
        # empty answer would hide it. (The viewer sends one page, so nothing waits.)
        if where is not None:
            self._check(listed, where.keys - where.optional, "filter")
        if self._order:
            keys = [k.lstrip("-") for k in self._order]
            load_for_keys(kept, keys)
            self._check(kept, keys, "order_by")
            kept = sort_experiments(kept, self._order)
        yield from kept

    def _check(self, items: Sequence[Experiment], keys: Iterable[str], what: str) -> None:
        if self._strict:
            check_keys(items, keys, what, self._metric_names(items))
        elif items:
            self.unknown_keys[what] = frozenset(unknown_keys(items, keys))
            self.checked_runs[what] = list(items)

    def _frame(self, items: list[Experiment], columns: Sequence[str] | None) -> Frame:
        load_for_keys(items, [c for c in columns or () if reduction_key(c)])
        return experiments_frame(items, columns, self._runs.load_details)

    def _metric_names(self, items: Sequence[Experiment]) -> Callable[[], list[str]]:
        """The metric names of a few of ``items``, read when called (to suggest keys)."""
        return metric_names_of(self._metrics, items)

    def _describe(self) -> str:
        parts = []
        if self._where is not None:
            parts.append(f"where {self._where!r}")
        if self._order:
            parts.append(f"order_by {', '.join(self._order)}")
        return " ".join(parts)
