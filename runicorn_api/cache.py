"""An on-disk cache of finished runs' metrics, as parquet files (never pickle).

Enable it with ``connect(..., cache_dir="~/.cache/runicorn_api")``; ``get_metrics`` then
serves a finished run from disk while the run is unchanged. It needs polars.

* One file per run id (``<run_id>.parquet``), holding the rows as columns and, in the
  parquet key-value metadata, what the viewer said about them: ``X-Total-Count``,
  ``X-Last-Step``, and the size and modification time of the run's ``events.jsonl``.
* A running run is never cached, and never served from the cache.
* Before serving an entry it is checked: against the run's ``events.jsonl`` (size and
  mtime) when the client reads the run folder directly (``direct_reads``), which needs
  no request; otherwise against the viewer's ``X-Total-Count`` and ``X-Last-Step``
  headers (one ``GET .../metrics?downsample=100``). A mismatch refetches and replaces
  the entry. A ``direct_reads="never"`` client never looks at ``events.jsonl``.
* Safe with several processes: an entry is written to a temporary file in the same
  folder and moved into place with ``os.replace``, so a reader sees the old file or
  the new one, never a torn one.
* Per-run metric reductions (``metrics.<name>.min`` and the like, see
  :class:`~runicorn_api.MetricSummary`) are kept beside, in ``<run_id>.summaries.json``,
  with the stamp they were read under; a new process answers them from there while the
  run is unchanged.
* Only whole runs are cached: ``downsample=`` bypasses the cache, and ``metric_names``,
  ``limit``, ``start`` and ``end`` are applied to the cached rows. A run with text-valued
  keys is not cached.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ._common.deps import require
from ._common.jsontext import parse_json
from ._exceptions import InvalidArgumentError
from ._frames.columns import Column
from ._storage.access import RunLocation
from .models.metrics import MetricSummary, RunMetrics

__all__ = ["CacheStamp", "MetricsCache"]

FORMAT = "runicorn_api.metrics-cache/1"


class CacheStamp:
    """What an entry must still match to be served: the viewer's row count and last
    step, and (when the run folder was read directly) the size and mtime of its
    ``events.jsonl``."""

    def __init__(
        self,
        total: int | None,
        last_step: int | None,
        events_size: int | None = None,
        events_mtime_ns: int | None = None,
        location: RunLocation | None = None,
    ) -> None:
        self.total = total
        self.last_step = last_step
        self.events_size = events_size
        self.events_mtime_ns = events_mtime_ns
        self.location = location
        """The run folder the entry was read from, as proven then (checked again on use)."""

    def matches(self, current: CacheStamp) -> bool:
        """Whether a stored stamp still describes the run ``current`` describes now.

        ``current`` comes from one source: the file's size and mtime, or the viewer's
        headers. The stored stamp must have the same facts and agree on all of them.
        """
        if current.events_size is not None:
            return (self.events_size, self.events_mtime_ns) == (
                current.events_size,
                current.events_mtime_ns,
            )
        return current.total is not None and (self.total, self.last_step) == (
            current.total,
            current.last_step,
        )

    def to_json(self) -> str:
        data = dict(self.__dict__)
        data["location"] = asdict(self.location) if self.location is not None else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> CacheStamp:
        data = json.loads(text)
        where = data.get("location")
        return cls(
            total=data.get("total"),
            last_step=data.get("last_step"),
            events_size=data.get("events_size"),
            events_mtime_ns=data.get("events_mtime_ns"),
            location=RunLocation(**where) if isinstance(where, dict) else None,
        )

    def __repr__(self) -> str:
        return f"CacheStamp({self.__dict__})"


class MetricsCache:
    """The cache folder; see the module docs."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder: Path = Path(folder).expanduser()
        self.folder.mkdir(parents=True, exist_ok=True)
        require("polars")

    def path(self, run_id: str) -> Path:
        if not run_id or "/" in run_id or "\\" in run_id or run_id.startswith("."):
            raise InvalidArgumentError(f"Cannot cache run id {run_id!r}")
        return self.folder / f"{run_id}.parquet"

    def stamp(self, run_id: str) -> CacheStamp | None:
        """The stored stamp alone (the file's metadata, not its rows), or ``None``."""
        pl = require("polars")
        try:
            meta = pl.read_parquet_metadata(self.path(run_id))
            if meta.get("format") != FORMAT:
                return None
            return CacheStamp.from_json(meta["stamp"])
        except (OSError, ValueError, KeyError, TypeError, pl.exceptions.PolarsError):
            return None

    def load(self, run_id: str) -> tuple[RunMetrics, CacheStamp] | None:
        """The cached rows and their stamp, or ``None`` (absent or unreadable)."""
        pl = require("polars")
        path = self.path(run_id)
        try:
            meta = pl.read_parquet_metadata(path)
            if meta.get("format") != FORMAT:
                return None
            frame = pl.read_parquet(path)
            stamp = CacheStamp.from_json(meta["stamp"])
            names = json.loads(meta["columns"])
            metrics = RunMetrics.model_construct(
                run_id=run_id,
                steps=Column.from_polars(frame["step"], "int"),
                timestamps=Column.from_polars(frame["time"], "float", nan_free=True),
                columns={
                    n: Column.from_polars(frame[f"m:{n}"], "float", nan_free=True) for n in names
                },
                text_columns={},
                total=stamp.total,
                sampled=int(meta["sampled"]) if meta.get("sampled") else None,
                last_step=stamp.last_step,
                source="cache",
            )
        except (OSError, ValueError, KeyError, TypeError, pl.exceptions.PolarsError):
            return None  # absent, torn by another writer, or corrupted: fetch again
        return metrics, stamp

    def store(self, metrics: RunMetrics, stamp: CacheStamp) -> None:
        """Write the entry atomically (temporary file, then ``os.replace``)."""
        pl = require("polars")
        frame = pl.DataFrame(
            {
                "step": metrics.steps.to_polars(),
                "time": metrics.timestamps.to_polars(),
                **{f"m:{n}": c.to_polars() for n, c in metrics.columns.items()},
            }
        )
        meta = {
            "format": FORMAT,
            "stamp": stamp.to_json(),
            "columns": json.dumps(list(metrics.columns)),
            "sampled": str(metrics.sampled or ""),
        }
        self._replace(
            self.path(metrics.run_id),
            lambda tmp: frame.write_parquet(tmp, compression="lz4", metadata=meta),
        )

    def load_summaries(
        self, run_id: str, stamp: list[Any], names: frozenset[str]
    ) -> dict[str, MetricSummary] | None:
        """The reductions of ``names`` stored for ``run_id`` under this very ``stamp``,
        or ``None`` (absent, another stamp, or some of the names not asked then)."""
        try:
            data = parse_json(self._summaries_path(run_id).read_bytes())
            if data.get("stamp") != stamp or not names <= set(data["names"]):
                return None
            found = data["summaries"]
            return {n: MetricSummary.model_validate(found[n]) for n in names if n in found}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # absent, torn or corrupted: read the run again

    def store_summaries(
        self,
        run_id: str,
        stamp: list[Any],
        names: frozenset[str],
        summaries: dict[str, MetricSummary],
    ) -> None:
        """Keep every reduction of ``names`` (a whole-table read) under ``stamp``; a
        name without a summary has no value."""
        data = {
            "format": FORMAT,
            "stamp": stamp,
            "names": sorted(names),
            "summaries": {n: s.model_dump(mode="json") for n, s in summaries.items()},
        }
        payload = json.dumps(data).encode()
        self._replace(self._summaries_path(run_id), lambda tmp: tmp.write_bytes(payload))

    def _summaries_path(self, run_id: str) -> Path:
        return self.path(run_id).with_suffix(".summaries.json")

    def _replace(self, target: Path, write: Callable[[Path], object]) -> None:
        """``write`` a temporary file next to ``target``, then move it there at once:
        a reader sees the old entry or the new one, never half of one."""
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.folder)
        os.close(fd)
        try:
            write(Path(tmp))
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def clear(self) -> None:
        for pattern in ("*.parquet", "*.summaries.json"):
            for entry in self.folder.glob(pattern):
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()

    def __contains__(self, run_id: object) -> bool:
        return isinstance(run_id, str) and self.path(run_id).exists()

    def __repr__(self) -> str:
        return f"<MetricsCache {self.folder}>"
