"""Metrics of runs: the resource picks a source (the run folder or the viewer, with the
cache in front) and narrows the answer; decoding lives in :mod:`runicorn_api._reading`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Literal

from .._common.contain import open_if_file
from .._common.follow import Follower, follow
from .._common.progress import ProgressOption
from .._core import ClientCore
from .._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from .._reading.events import EventsFiles
from .._reading.events.tail import last_values
from .._reading.sources import CachedSource, StorageSource, ViewerSource
from .._reading.summaries import SummaryMemo, from_last_values, from_sample, summarize
from .._reading.table import check_metric_args, narrow
from .._storage.access import RunLocation, location_of
from .._types import NOT_GIVEN, Timeout
from .._validation import check_run_id, check_seconds, check_timeout, strings
from ..cache import CacheStamp
from ..models.experiment import Experiment
from ..models.metrics import MetricSummary, RunMetrics
from ._base import Resource
from ._runs import RunLookup
from .metric_collection import MetricsCollection, RunRef

__all__ = ["MetricsCollection", "MetricsResource"]


class MetricsResource(Resource):
    """``/api/runs/{id}/metrics``, or the run's ``events.jsonl`` read directly."""

    def __init__(self, core: ClientCore, runs: RunLookup) -> None:
        super().__init__(core)
        self._runs = runs
        self._viewer = ViewerSource(core)
        self._files = EventsFiles()
        self._summaries = SummaryMemo()

    def get(
        self,
        run_id: str,
        metric_names: Sequence[str] | None = None,
        limit: int | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
        route: Literal["metrics", "metrics_step"] = "metrics",
        timeout: Timeout = NOT_GIVEN,
    ) -> RunMetrics:
        """The run's metrics as one :class:`MetricSeries` per name.

        Where the run's folder is on this machine and proven to be the viewer's (see
        ``direct_reads`` on :class:`RunicornClient`), its ``events.jsonl`` is read
        directly, giving exactly the viewer's answer; otherwise the viewer is asked.
        ``result.source`` says which.

        :calls: ``GET /api/runs/{run_id}`` (where the folder may be read, or a cache is
        set), then ``GET /api/runs/{run_id}/metrics[?downsample=N]`` unless the folder
        or the cache answers; with ``route="metrics_step"``,
        ``GET /api/runs/{run_id}/metrics_step[?downsample=N]`` only

        Args:
            run_id: The run.
            metric_names: Keep only these metrics (selected here; the viewer always sends
                all of them). A name the run lacks raises ``KeyError``.
            limit: Keep the first ``limit`` rows (applied here; the viewer has no limit).
            downsample: About this many rows (100..50000), picked by the viewer's LTTB
                over whole rows on the alphabetically first metric. This is always the
                viewer's own computation, asked over HTTP whatever ``direct_reads``
                says; see :meth:`MetricSeries.downsample` for a per-metric reduction
                done here.
            start, end: Keep the rows with ``start <= step <= end`` (applied here).
            route: ``"metrics_step"`` asks the viewer's step route, the one its web
                pages chart from (the same rows in 0.5.3-0.7.2), always over HTTP.

        Raises:
            UnsupportedFeatureError: ``direct_reads="always"`` and the run folder is not
                readable here.
        """
        check_run_id(run_id)
        check_metric_args(metric_names, limit, downsample, start, end)
        if route == "metrics_step":
            whole = self._viewer.read(run_id, downsample=downsample, timeout=timeout, route=route)
        elif route == "metrics":
            whole = self.read(run_id, downsample=downsample, timeout=timeout)
        else:
            raise InvalidArgumentError(f"route must be 'metrics' or 'metrics_step', got {route!r}")
        return narrow(whole, metric_names, limit, start, end)

    def read(
        self, run: RunRef, *, downsample: int | None = None, timeout: Timeout = NOT_GIVEN
    ) -> RunMetrics:
        """All rows of one run, from the source :meth:`get` describes."""
        run_id = run.run_id if isinstance(run, RunLocation) else check_run_id(run)
        if downsample is not None:
            return self._viewer.read(run_id, downsample=downsample, timeout=timeout)
        where = run if isinstance(run, RunLocation) else None
        cache = self._core.metrics_cache
        if cache is None:
            if where is None and self._core.storage.allowed:
                where = self._runs.location(run_id, timeout=timeout)
            return self._pick(where).read(run_id, timeout=timeout)
        cached = CachedSource(cache)
        known = where or cached.stored_location(run_id)
        if known is not None or not self._core.storage.allowed:
            hit = cached.lookup(run_id, self._pick(known), timeout=timeout)
            if hit is not None:
                return hit
        where = where or self._runs.location(run_id, timeout=timeout)
        return cached.read(where, self._pick(where), timeout=timeout)

    def _pick(self, where: RunLocation | None) -> ViewerSource | StorageSource:
        """The run folder where this client may read it and it is proven, else the viewer."""
        storage = self._core.storage
        folder = storage.folder_of(where, purpose="metrics") if where is not None else None
        return StorageSource(folder, self._files) if folder is not None else self._viewer

    def stamps(self, runs: Sequence[Experiment]) -> list[CacheStamp | None]:
        """What says, per run, whether its metrics changed since a stamp was taken (see
        :class:`~runicorn_api.cache.CacheStamp`); ``None`` where nothing can say.

        :calls: per run, concurrently: nothing under direct reads (the size of
            ``events.jsonl``), else the headers of ``GET /api/runs/{id}/metrics?downsample=100``
        """
        if isinstance(runs, str | bytes) or not all(isinstance(e, Experiment) for e in runs):
            raise InvalidArgumentTypeError("stamps takes a sequence of Experiment objects")
        sources = [self._pick(location_of(e)) for e in runs]
        return self._core.concurrently(
            lambda pair: pair[1].stamp(pair[0].id), list(zip(runs, sources, strict=True))
        )

    def follow(
        self,
        run_id: str | Sequence[str],
        metric_names: Sequence[str] | None = None,
        *,
        interval: float = 1.0,
        timeout: float | None = None,
        from_start: bool = False,
    ) -> Follower[RunMetrics]:
        """An iterator of the rows running runs log from this call on: each item is a
        :class:`RunMetrics` of one run (``run_id``) holding only its new rows
        (``to_polars()`` makes it a frame). Several runs may be given.

        It ends when every run has left ``running`` (after its last rows) or after
        ``timeout`` seconds; ``from_start=True`` yields the rows already logged first.

        :calls: ``GET /api/runs/{run_id}`` per run; then every ``interval`` seconds, per
            run, what says whether it grew (the size of ``events.jsonl`` under direct
            reads, read incrementally; else the ``X-Total-Count``/``X-Last-Step`` headers
            of ``GET /api/runs/{run_id}/metrics?downsample=100``), its metrics when it
            did (over HTTP the whole body, of which only the new steps are kept), and
            ``GET /api/runs/{run_id}`` about once a second for its status.
        """
        run_ids = [run_id] if isinstance(run_id, str) else list(run_id)
        if not run_ids:
            raise InvalidArgumentError("follow needs at least one run id")
        for rid in run_ids:
            check_run_id(rid)
        check_metric_args(metric_names, None, None, None, None)
        check_timeout(timeout)
        check_seconds("interval", interval, 3600)
        runs = [self._poll(rid, metric_names) for rid in run_ids]
        stopped: list[RunMetrics] = []  # what runs logged just before they stopped

        def new_rows(wait: float) -> list[RunMetrics] | None:
            if not runs and not stopped:
                return None
            found = stopped + [batch for run in runs if (batch := run.poll()) is not None]
            stopped.clear()
            if not found and wait:
                time.sleep(wait)
            return found

        def running() -> bool:
            for run in [r for r in runs if self._runs.status(r.run_id) != "running"]:
                last = run.poll()
                if last is not None:
                    stopped.append(last)
                runs.remove(run)
            return bool(runs)

        def batches() -> Iterator[RunMetrics]:
            if from_start:
                for run in runs:
                    if run.first.last_step is not None:
                        yield narrow(run.first, metric_names, None, None, None)
            yield from follow(new_rows, running, timeout=timeout, poll=interval)

        return Follower(batches())

    def _poll(self, run_id: str, names: Sequence[str] | None) -> _RunPoll:
        where = self._runs.location(run_id)
        return _RunPoll(run_id, names, source=self._pick(where), read=lambda: self.read(where))

    def many(
        self,
        runs: Sequence[RunRef] | Callable[[], Sequence[RunRef]],
        metric_names: Sequence[str] | None = None,
        *,
        downsample: int | None = None,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressOption = False,
    ) -> MetricsCollection:
        """Metrics of several runs, read concurrently, in the order given.

        Runs given as :class:`RunLocation` (as an experiment collection passes them) are
        read from their folders with no request at all where ``direct_reads`` allows;
        the rest as :meth:`get` reads them.

        :calls: what :meth:`get` calls, per run, on a pool of ``max_workers`` threads
        (polars releases the GIL while it parses), on first use of the result
        """
        check_metric_args(metric_names, None, downsample, start, end)
        refs = runs if callable(runs) else list(runs)
        for ref in refs if isinstance(refs, list) else ():
            if not isinstance(ref, str | RunLocation):
                raise InvalidArgumentTypeError(f"runs must be run ids, got {ref!r}")

        def shape(whole: RunMetrics) -> RunMetrics:
            return narrow(whole, metric_names, None, start, end)

        def fetch(ref: RunRef) -> RunMetrics:
            return shape(self.read(ref, downsample=downsample))

        prime = self._prime if downsample is None else None
        return MetricsCollection(
            refs,
            fetch,
            workers=self._core.options.max_workers,
            progress=progress,
            prime=prime,
            shape=shape,
        )

    def summaries(
        self, runs: Sequence[Experiment], metric_names: Sequence[str], *, full: bool
    ) -> list[dict[str, MetricSummary]]:
        """Per run, its :class:`MetricSummary` of each named metric it has a value of:
        ``last`` and ``last_step`` only, or with ``full=True`` also ``min``, ``max`` and
        ``count``. Kept per run while the run is unchanged, so asking again is free.

        ``last`` comes from the end of ``events.jsonl`` where the folder is read
        directly, which assumes the run's steps never go back (a line with a lower step
        than one before it, near the end, is seen and the whole file read instead).

        :calls: per run, concurrently: nothing where its folder is read directly (the
            end of ``events.jsonl``, or all of it for ``full``); else
            ``GET /api/runs/{id}/metrics?downsample=100``, and the whole
            ``GET /api/runs/{id}/metrics`` where that answer does not hold the reductions
        """
        if isinstance(runs, str | bytes) or not isinstance(runs, Sequence):
            raise InvalidArgumentTypeError(f"summaries takes a sequence of runs, got {runs!r}")
        if not all(isinstance(e, Experiment) for e in runs):
            raise InvalidArgumentTypeError("summaries takes Experiment objects")
        places = [location_of(e) for e in runs]
        names = frozenset(strings(metric_names, "metric_names"))
        if not isinstance(full, bool):
            raise InvalidArgumentTypeError(f"full must be True or False, got {full!r}")
        sources = [self._pick(place) for place in places]
        cache = self._core.metrics_cache
        # Run folders are read in this thread (a tail read costs less than a hand-off to
        # a worker); the viewer is asked concurrently.
        remote = [i for i, source in enumerate(sources) if isinstance(source, ViewerSource)]
        asked = self._core.concurrently(
            lambda i: self._cheap_summaries(places[i], sources[i], names, full), remote
        )
        by_index = dict(zip(remote, asked, strict=True))
        found = [
            by_index[i] if i in by_index else self._cheap_summaries(place, source, names, full)
            for i, (place, source) in enumerate(zip(places, sources, strict=True))
        ]
        rest = [i for i, got in enumerate(found) if got[0] is None]
        read = self.many([places[i] for i in rest]).to_list() if rest else []
        whole = dict(zip(rest, read, strict=True))
        answers: list[dict[str, MetricSummary]] = []
        for i, (got, stamp) in enumerate(found):
            if got is None:
                got = summarize(whole[i], names)
                self._summaries.put(places[i].run_id, stamp, names, True, got)
                if cache is not None and stamp is not None:
                    cache.store_summaries(places[i].run_id, list(stamp), names, got)
            answers.append(got)
        return answers

    def _cheap_summaries(
        self,
        where: RunLocation,
        source: ViewerSource | StorageSource,
        names: frozenset[str],
        full: bool,
    ) -> tuple[dict[str, MetricSummary] | None, tuple[object, ...] | None]:
        """The reductions without reading the whole table, if they can be had so (and
        the stamp the whole table's ones are to be kept under)."""
        if isinstance(source, StorageSource):
            handle = open_if_file(source.folder, "events.jsonl", what="metrics", buffered=False)
            if handle is None:
                return {}, None  # no events.jsonl: no metrics (as the viewer says)
            with handle:
                stat = os.fstat(handle.fileno())
                stamp: tuple[object, ...] = ("file", stat.st_size, stat.st_mtime_ns)
                known = self._known_summaries(where.run_id, stamp, names, full)
                if known is not None or full:
                    return known, stamp
                last = last_values(handle, sorted(names), size=stat.st_size)
            got = from_last_values(last) if last is not None else None
        else:
            sample = source.read(where.run_id, downsample=100)
            stamp = ("viewer", sample.total, sample.last_step)
            known = self._known_summaries(where.run_id, stamp, names, full)
            if known is not None:
                return known, stamp
            got = from_sample(sample, names)
            if got is not None and full and any(s.count is None for s in got.values()):
                got = None
        if got is not None:
            complete = all(s.count is not None for s in got.values())
            self._summaries.put(where.run_id, stamp, names, complete, got)
        return got, stamp

    def _known_summaries(
        self, run_id: str, stamp: tuple[object, ...], names: frozenset[str], full: bool
    ) -> dict[str, MetricSummary] | None:
        """What this client, or the cache folder, kept for the run under ``stamp``."""
        known = self._summaries.get(run_id, stamp, names, full)
        cache = self._core.metrics_cache
        if known is None and cache is not None:
            known = cache.load_summaries(run_id, list(stamp), names)
            if known is not None:
                self._summaries.put(run_id, stamp, names, True, known)
        return known

    def forget(self, runs: Sequence[RunLocation]) -> None:
        """Drop what this client keeps to read these runs' folders again incrementally
        (a scan reads each batch once, and must not hold the last batches in memory)."""
        if not isinstance(runs, Sequence) or isinstance(runs, str | bytes):
            raise InvalidArgumentTypeError(f"forget takes run locations, got {runs!r}")
        if not all(isinstance(r, RunLocation) for r in runs):
            raise InvalidArgumentTypeError(f"forget takes run locations, got {runs!r}")
        self._files.forget(os.path.join(r.run_dir, "events.jsonl") for r in runs if r.run_dir)

    def _prime(self, refs: Sequence[RunRef]) -> tuple[list[RunMetrics | None], int]:
        """Parse the run folders of ``refs`` that are read directly, several at a time
        (see :data:`Primer`); each folder is proven once, here."""
        storage = self._core.storage
        if not storage.allowed or self._core.metrics_cache is not None:
            # With a cache, each run is checked against, or stored in, the cache.
            return [None] * len(refs), 0
        paths: list[str | None] = []
        for ref in refs:
            folder = None
            if isinstance(ref, RunLocation):
                folder = storage.folder_of(ref, purpose="metrics")
            paths.append(os.path.join(folder, "events.jsonl") if folder is not None else None)
        parsed, size = self._files.prime([p for p in paths if p is not None])
        ready: list[RunMetrics | None] = []
        for ref, path in zip(refs, paths, strict=True):
            if path is None or not isinstance(ref, RunLocation):
                ready.append(None)
            elif path in parsed:
                ready.append(parsed[path].taken(ref.run_id))
            else:  # read before: only what was appended since is parsed, in this thread
                known = self._files.get(path)
                ready.append(known.read(ref.run_id) if known.parsed else None)
        return ready, size


class _RunPoll:
    """One followed run: its source, the last step given out and what it last looked like."""

    def __init__(
        self,
        run_id: str,
        names: Sequence[str] | None,
        *,
        source: ViewerSource | StorageSource,
        read: Callable[[], RunMetrics],
    ) -> None:
        self.run_id = run_id
        self.names = names
        self.source = source
        self.read = read
        self.first = read()
        self.last: int | None = self.first.last_step
        self.seen = source.stamp(run_id)

    def poll(self) -> RunMetrics | None:
        """The rows logged since the last poll, if any."""
        stamp = self.source.stamp(self.run_id)
        if stamp is not None and stamp == self.seen:
            return None
        self.seen = stamp
        whole = self.read()
        if whole.last_step is None or (self.last is not None and whole.last_step <= self.last):
            return None
        start = None if self.last is None else self.last + 1
        self.last = whole.last_step
        return narrow(whole, self.names, None, start, None)
