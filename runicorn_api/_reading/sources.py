"""Where a run's metrics come from: one interface, the viewer and the run folder behind it,
and the parquet cache in front of either.

:class:`ViewerSource` asks the viewer (``GET /api/runs/{id}/metrics``) and decodes the body
from the buffer it was received into. :class:`StorageSource` reads the run's
``events.jsonl`` with the viewer's own rules (see :mod:`.events`). Both answer
:meth:`MetricsSource.read` with the whole run and :meth:`MetricsSource.stamp` with what
the cache checks an entry against; :class:`CachedSource` puts the cache in front of one.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal, Protocol, overload
from urllib.parse import quote

from .._http.errors import int_header
from .._storage.access import RunLocation
from .._types import NOT_GIVEN, Timeout
from ..cache import CacheStamp, MetricsCache
from ..models.metrics import RunMetrics
from .body import decode_body
from .events import EventsFiles

if TYPE_CHECKING:
    import requests

    from .._http.transport import Body

__all__ = ["CachedSource", "MetricsSource", "StorageSource", "ViewerSource"]


class MetricsSource(Protocol):
    """Reads whole runs, and says what identifies the current state of one."""

    def read(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> RunMetrics:
        """All rows of the run, as the viewer would serve them."""
        ...

    def stamp(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> CacheStamp | None:
        """What a cached copy of the run must match to still be valid (``None``: unknown)."""
        ...


class RawCalls(Protocol):
    """What a :class:`ViewerSource` calls: the client core's ``raw()``."""

    @overload
    def raw(
        self,
        method: str,
        path: str,
        *,
        expect: Literal["buffer"],
        params: dict[str, Any] | None = ...,
        timeout: Timeout = ...,
    ) -> Body: ...
    @overload
    def raw(
        self,
        method: str,
        path: str,
        *,
        expect: Literal["response"],
        params: dict[str, Any] | None = ...,
        timeout: Timeout = ...,
    ) -> requests.Response: ...


class ViewerSource:
    """The viewer over HTTP."""

    def __init__(self, calls: RawCalls) -> None:
        self._calls = calls

    def read(
        self,
        run_id: str,
        *,
        downsample: int | None = None,
        timeout: Timeout = NOT_GIVEN,
        route: Literal["metrics", "metrics_step"] = "metrics",
    ) -> RunMetrics:
        """:calls: ``GET /api/runs/{run_id}/metrics[?downsample=N]`` (or ``/metrics_step``)"""
        body = self._calls.raw(
            "GET",
            f"/api/runs/{quote(run_id)}/{route}",
            params={"downsample": downsample},
            timeout=timeout,
            expect="buffer",
        )
        return decode_body(run_id, body.data, body.headers.get("X-Last-Step"))

    def stamp(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> CacheStamp | None:
        """:calls: ``GET /api/runs/{run_id}/metrics?downsample=100`` (its headers only)"""
        response = self._calls.raw(
            "GET",
            f"/api/runs/{quote(run_id)}/metrics",
            params={"downsample": 100},
            timeout=timeout,
            expect="response",
        )
        context = f"GET /api/runs/{run_id}/metrics"
        total = int_header(response.headers.get("X-Total-Count"), "X-Total-Count", context)
        last = int_header(response.headers.get("X-Last-Step"), "X-Last-Step", context)
        if total is None:
            return None
        return CacheStamp(total=total, last_step=last)


class StorageSource:
    """A run folder on this machine, proven to be the viewer's (see :mod:`.._storage`)."""

    def __init__(self, folder: str | os.PathLike[str], files: EventsFiles) -> None:
        self.folder = os.fspath(folder)  # a str: a Path per run costs more than its read
        self._files = files

    @property
    def events(self) -> str:
        return os.path.join(self.folder, "events.jsonl")

    def read(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> RunMetrics:
        """:calls: nothing; reads only the bytes appended since the last read"""
        return self._files.get(self.events).read(run_id)

    def stamp(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> CacheStamp | None:
        """:calls: nothing; the size and modification time of ``events.jsonl``"""
        try:
            stat = os.stat(self.events)
        except OSError:
            return None
        return CacheStamp(
            total=None, last_step=None, events_size=stat.st_size, events_mtime_ns=stat.st_mtime_ns
        )


class CachedSource:
    """The parquet cache in front of either source: a finished run is served from disk
    while the source's stamp still matches the one stored with it."""

    def __init__(self, cache: MetricsCache) -> None:
        self._cache = cache

    def stored_location(self, run_id: str) -> RunLocation | None:
        """Where the cached run's folder was proven to be, if it was read from one."""
        stamp = self._cache.stamp(run_id)
        return stamp.location if stamp is not None else None

    def lookup(
        self, run_id: str, source: ViewerSource | StorageSource, *, timeout: Timeout = NOT_GIVEN
    ) -> RunMetrics | None:
        """The cached run if its entry still matches what ``source`` says now.

        :calls: what ``source.stamp`` calls: nothing for a run folder, the headers of
        ``GET .../metrics?downsample=100`` for the viewer
        """
        stored = self._cache.stamp(run_id)  # the file's metadata only
        if stored is None:
            return None
        current = source.stamp(run_id, timeout=timeout)
        if current is None or not stored.matches(current):
            return None  # stale: its rows are never read
        entry = self._cache.load(run_id)
        return entry[0] if entry is not None else None

    def read(
        self,
        where: RunLocation,
        source: ViewerSource | StorageSource,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> RunMetrics:
        """Read the run from ``source``, and store it if it has finished."""
        local = isinstance(source, StorageSource)
        # A local stamp is taken before the read: if the file grows meanwhile, the entry is
        # newer than its stamp and the next check refetches it, never the reverse.
        before = source.stamp(where.run_id, timeout=timeout) if local else None
        metrics = source.read(where.run_id, timeout=timeout)
        if where.status not in (None, "running") and not metrics.text_columns:
            stamp = CacheStamp(total=metrics.total, last_step=metrics.last_step)
            if before is not None:
                stamp.events_size = before.events_size
                stamp.events_mtime_ns = before.events_mtime_ns
                stamp.location = where
            self._cache.store(metrics, stamp)
        return metrics
