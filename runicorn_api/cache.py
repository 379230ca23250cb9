"""An on-disk cache of finished runs' metrics, as parquet files (never pickle).

Enable it with ``connect(..., cache_dir="~/.cache/runicorn_api")``; ``get_metrics`` then
serves a finished run from disk while the run is unchanged. It needs polars.

* One file per run id (``<run_id>.parquet``), holding the rows as columns and, in the
  parquet key-value metadata, what the viewer said about them: ``X-Total-Count``,
  ``X-Last-Step``, and the size and modification time of the run's ``events.jsonl``.
* A running run is never cached, and never served from the cache.
* Before serving an entry it is checked: against the run's ``events.jsonl`` (size and
  mtime) when the viewer's storage is readable from this machine, which needs no
  request; otherwise against the viewer's ``X-Total-Count`` and ``X-Last-Step`` headers
  (one ``GET .../metrics?downsample=100``). A mismatch refetches and replaces the entry.
* Safe with several processes: an entry is written to a temporary file in the same
  folder and moved into place with ``os.replace``, so a reader sees the old file or
  the new one, never a torn one.
* Only whole runs are cached: ``downsample=`` bypasses the cache, and ``metric_names``,
  ``limit``, ``start`` and ``end`` are applied to the cached rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ._frames import require
from .models.metrics import RunMetrics

__all__ = ["CacheStamp", "MetricsCache"]

FORMAT = "runicorn_api.metrics-cache/1"


class CacheStamp:
    """What an entry must still match to be served."""

    def __init__(
        self,
        total: int | None,
        last_step: int | None,
        events_size: int | None = None,
        events_mtime_ns: int | None = None,
        run_dir: str | None = None,
    ) -> None:
        self.total = total
        self.last_step = last_step
        self.events_size = events_size
        self.events_mtime_ns = events_mtime_ns
        self.run_dir = run_dir

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> CacheStamp:
        return cls(**json.loads(text))

    @staticmethod
    def events_file(run_dir: str | None) -> tuple[int, int] | None:
        """(size, mtime_ns) of the run's events.jsonl, if readable here."""
        if not run_dir:
            return None
        try:
            stat = (Path(run_dir) / "events.jsonl").stat()
        except OSError:
            return None
        return stat.st_size, stat.st_mtime_ns


class MetricsCache:
    """The cache folder; see the module docs."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).expanduser()
        self.folder.mkdir(parents=True, exist_ok=True)
        require("polars")

    def path(self, run_id: str) -> Path:
        if not run_id or "/" in run_id or "\\" in run_id or run_id.startswith("."):
            raise ValueError(f"Cannot cache run id {run_id!r}")
        return self.folder / f"{run_id}.parquet"

    def load(self, run_id: str) -> tuple[RunMetrics, CacheStamp] | None:
        """The cached rows and their stamp, or ``None`` (absent or unreadable)."""
        pl = require("polars")
        path = self.path(run_id)
        try:
            meta = pl.read_parquet_metadata(path)
            if meta.get("format") != FORMAT:
                return None
            frame = pl.read_parquet(path)
        except (OSError, ValueError, pl.exceptions.PolarsError):
            return None
        stamp = CacheStamp.from_json(meta["stamp"])
        names = json.loads(meta["columns"])
        metrics = RunMetrics.model_construct(
            run_id=run_id,
            steps=frame["step"].to_list(),
            timestamps=frame["time"].to_list(),
            columns={n: frame[f"m:{n}"].to_list() for n in names},
            text_columns={},
            total=stamp.total,
            sampled=int(meta["sampled"]) if meta.get("sampled") else None,
            last_step=stamp.last_step,
        )
        return metrics, stamp

    def store(self, metrics: RunMetrics, stamp: CacheStamp) -> None:
        """Write the entry atomically (temporary file, then ``os.replace``)."""
        pl = require("polars")
        frame = pl.DataFrame(
            {
                "step": pl.Series(metrics.steps, dtype=pl.Int64),
                "time": pl.Series(metrics.timestamps, dtype=pl.Float64),
                **{f"m:{n}": pl.Series(c, dtype=pl.Float64) for n, c in metrics.columns.items()},
            }
        )
        meta = {
            "format": FORMAT,
            "stamp": stamp.to_json(),
            "columns": json.dumps(list(metrics.columns)),
            "sampled": str(metrics.sampled or ""),
        }
        target = self.path(metrics.run_id)
        fd, tmp = tempfile.mkstemp(prefix=f".{metrics.run_id}.", suffix=".tmp", dir=self.folder)
        os.close(fd)
        try:
            frame.write_parquet(tmp, compression="lz4", metadata=meta)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def invalidate(self, run_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(run_id).unlink()

    def clear(self) -> None:
        for entry in self.folder.glob("*.parquet"):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()

    def __contains__(self, run_id: object) -> bool:
        return isinstance(run_id, str) and self.path(run_id).exists()

    def __repr__(self) -> str:
        return f"<MetricsCache {self.folder}>"


def stamp_matches(
    stamp: CacheStamp, headers: Any = None, local: tuple[int, int] | None = None
) -> bool:
    """Whether a stored stamp still describes the run."""
    if local is not None:
        return (stamp.events_size, stamp.events_mtime_ns) == local
    if headers is None:
        return False
    total, last = headers.get("X-Total-Count"), headers.get("X-Last-Step")
    return (
        total is not None
        and last is not None
        and int(total) == stamp.total
        and int(last) == stamp.last_step
    )
