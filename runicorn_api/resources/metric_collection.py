"""The metrics of several runs as one lazy collection, read in windows: the folders of
a window are parsed together (see :data:`Primer`), the other runs read on a pool."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from .._common.collection import Collection
from .._common.progress import ProgressOption, check_progress, open_bar
from .._common.sizing import next_size
from .._frames.metric_tables import metrics_frame
from .._storage.access import RunLocation
from ..models.metrics import RunMetrics

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow

__all__ = ["MetricsCollection", "Primer", "RunRef"]

RunRef = str | RunLocation
_FIRST_WINDOW = 64
"""Runs read together at first in a multi-run read; later windows hold about
``_WINDOW_BYTES`` of the files the first ones parsed (64 to 1,024 runs), so that many
small runs are parsed in few polars calls and large ones do not pile up in memory."""
_WINDOW_BYTES = 32 << 20
_MAX_WINDOW = 1024

Primer = Callable[[Sequence[RunRef]], tuple[list[RunMetrics | None], int]]
"""Parses the folders of runs read directly, several at a time: per run its whole
metrics, or ``None`` where it is read on its own; and the bytes parsed."""


class MetricsCollection(Collection[RunMetrics]):
    """The metrics of several runs; read together, on first use, in run order."""

    _noun = "run"

    def __init__(
        self,
        runs: Sequence[RunRef] | Callable[[], Sequence[RunRef]],
        fetch: Callable[[RunRef], RunMetrics],
        *,
        workers: int,
        progress: ProgressOption,
        prime: Primer | None = None,
        shape: Callable[[RunMetrics], RunMetrics] = lambda whole: whole,
    ) -> None:
        super().__init__()
        self._prime = prime
        self._shape = shape  # what fetch does to a run's whole metrics (narrowing)
        # A callable defers listing the runs (e.g. a lazy experiment collection) to first use.
        self._runs = runs
        self._fetch = fetch
        self._workers = workers
        self._progress = progress
        check_progress(progress)  # fail now, not mid-way

    def _produce(self) -> Iterator[RunMetrics]:
        refs = list(self._runs() if callable(self._runs) else self._runs)
        if not refs:
            return
        bar = open_bar(self._progress, len(refs), unit="run", desc="metrics")
        try:
            with ThreadPoolExecutor(max_workers=min(self._workers, len(refs))) as pool:
                start, size = 0, _FIRST_WINDOW
                while start < len(refs):
                    window = refs[start : start + size]
                    start += len(window)
                    ready: list[RunMetrics | None] = [None] * len(window)
                    parsed = 0
                    if self._prime is not None:
                        ready, parsed = self._prime(window)
                    for result in self._read_window(window, ready, pool):
                        if bar is not None:
                            bar.update(1)
                        yield result
                    count = sum(r is not None for r in ready)
                    if count:  # about _WINDOW_BYTES of files like these, next time
                        size = next_size(
                            _WINDOW_BYTES, count, parsed, low=_FIRST_WINDOW, high=_MAX_WINDOW
                        )
        finally:
            if bar is not None:
                bar.close()

    def _read_window(
        self, window: list[RunRef], ready: list[RunMetrics | None], pool: ThreadPoolExecutor
    ) -> Iterator[RunMetrics]:
        """The window's metrics in run order: the runs whose folders were just parsed
        together are shaped in this thread, while the pool reads the others."""
        pending = {
            i: pool.submit(self._fetch, ref)
            for i, (ref, whole) in enumerate(zip(window, ready, strict=True))
            if whole is None
        }
        try:
            for i, whole in enumerate(ready):
                yield pending[i].result() if whole is None else self._shape(whole)
        finally:
            for future in pending.values():
                future.cancel()

    def _clone(self) -> MetricsCollection:
        return MetricsCollection(
            self._runs,
            self._fetch,
            workers=self._workers,
            progress=self._progress,
            prime=self._prime,
            shape=self._shape,
        )

    def _describe(self) -> str:
        count = "?" if callable(self._runs) else str(len(self._runs))
        return f"of {count} runs"

    def to_pandas(
        self, columns: Sequence[str] | None = None, *, wide: bool = False
    ) -> pandas.DataFrame:
        """Long (run_id, step, metric, value, timestamp) or wide; the same schema as polars."""
        frame = metrics_frame(self.to_list(), wide=wide).to_pandas()
        return frame if columns is None else frame[list(columns)]

    def to_polars(
        self, columns: Sequence[str] | None = None, *, wide: bool = False
    ) -> polars.DataFrame:
        """Long (run_id, step, metric, value, timestamp) or wide."""
        frame = metrics_frame(self.to_list(), wide=wide).to_polars()
        return frame if columns is None else frame.select(list(columns))

    def to_arrow(
        self, columns: Sequence[str] | None = None, *, wide: bool = False
    ) -> pyarrow.Table:
        """A :class:`pyarrow.Table` with the columns and types of :meth:`to_polars` (the
        ``arrow`` extra)."""
        table = metrics_frame(self.to_list(), wide=wide).to_arrow()
        return table if columns is None else table.select(list(columns))
