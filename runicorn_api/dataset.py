"""Hive-partitioned parquet datasets of runs and their metrics, written incrementally.

Layout of ``write_dataset(folder)``::

    folder/runs.parquet                                   one row per run (to_polars())
    folder/metrics/project=<p>/run_id=<id>/part-0.parquet long rows: step, metric, value,
                                                          timestamp (partition_by="project")
    folder/metrics/path=<a%2Fb>/run_id=<id>/part-0.parquet (partition_by="path")
    folder/_runicorn_dataset.json                         the stamp each run was written at

polars (``scan_parquet(folder / "metrics", hive_partitioning=True)``), DuckDB
(``read_parquet('folder/metrics/**/*.parquet', hive_partitioning = true)``), Spark and
Dask read it as is; the partition values come back as ``project``/``path`` and ``run_id``.

A later call into the same folder rewrites a run's partition only when the run is new,
moved, or changed, judged by the metrics cache's validity stamps (the size and mtime of
``events.jsonl`` under direct reads, else the viewer's ``X-Total-Count`` and
``X-Last-Step``); the runs table is rewritten every time. Runs no longer in the
collection lose their partitions, so the folder mirrors the collection. Each file is
written to a temporary name and moved into place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from ._common.deps import require
from ._common.progress import ProgressOption, check_progress
from ._exceptions import InvalidArgumentError, UnsupportedFeatureError
from ._frames.experiments import DETAIL_KEYS, EXPERIMENT_COLUMNS
from ._frames.metric_tables import metrics_frame
from .cache import CacheStamp

if TYPE_CHECKING:
    from .models.experiment import Experiment
    from .models.metrics import RunMetrics

__all__ = ["DatasetWrite", "PartitionBy", "write_dataset"]

PartitionBy = Literal["project", "path"]
STATE = "_runicorn_dataset.json"
FORMAT = "runicorn_api.dataset/1"


@dataclass
class DatasetWrite:
    """What one ``write_dataset`` call did."""

    folder: Path
    written: list[str] = field(default_factory=list)
    """Runs whose metrics partition was (re)written: new, moved or changed."""
    unchanged: list[str] = field(default_factory=list)
    """Runs whose partition still matched their stamp, left as they were."""
    removed: list[str] = field(default_factory=list)
    """Runs no longer in the collection, whose partitions were deleted."""
    details: bool = True
    """Whether ``runs.parquet`` has the ``summary.*`` and ``config.*`` columns. False
    only where the viewer serves them from run folders alone (0.5.x) and this client may
    not read them (``direct_reads="never"``); a warning then says so."""

    @property
    def runs(self) -> int:
        return len(self.written) + len(self.unchanged)


def _partition(exp: Experiment, partition_by: PartitionBy) -> str:
    value = (exp.project if partition_by == "project" else exp.path) or "__none__"
    return f"{partition_by}={quote(value, safe='')}/run_id={quote(exp.id, safe='')}"


def _replace(write: Callable[[Path], None], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_state(folder: Path) -> dict[str, Any]:
    try:
        state = json.loads((folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    runs = state.get("runs") if isinstance(state, dict) and state.get("format") == FORMAT else None
    return runs if isinstance(runs, dict) else {}


def write_dataset(
    list_runs: Callable[[], Sequence[Experiment]],
    folder: str | os.PathLike[str],
    *,
    stamps: Callable[[Sequence[Experiment]], list[CacheStamp | None]],
    read_metrics: Callable[[list[Experiment]], list[RunMetrics]],
    runs_table: Callable[[Sequence[str] | None], Any],
    metric_names: list[str] | None = None,
    partition_by: PartitionBy = "project",
    progress: ProgressOption = False,
) -> DatasetWrite:
    """Write (or bring up to date) a parquet dataset of the runs ``list_runs`` gives;
    see the module docs. :meth:`ExperimentCollection.write_dataset` is the way to call it.

    Args:
        list_runs: The runs (called once, after the arguments are checked).
        stamps: What says, per run, whether its metrics changed (``None``: unknown).
        read_metrics: The metrics of the runs to (re)write, in their order.
        runs_table: The runs as a polars DataFrame of these columns (``None``: all).

    :calls: what ``list_runs``, ``stamps``, ``read_metrics`` and ``runs_table`` call
    """
    require("polars")
    check_progress(progress)
    if partition_by not in ("project", "path"):
        raise InvalidArgumentError(
            f"partition_by must be 'project' or 'path', got {partition_by!r}"
        )
    root = Path(folder).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    recorded = _load_state(root)
    names = sorted(metric_names) if metric_names is not None else None
    experiments = list(list_runs())
    report = DatasetWrite(folder=root)
    state, todo = _plan(
        root, recorded, names, experiments, stamps(experiments), partition_by, report
    )
    fetched = read_metrics([exp for exp, _, _ in todo])
    for (exp, stamp, part), metrics in zip(todo, fetched, strict=True):
        _write_partition(root, recorded.get(exp.id), part, metrics)
        written = (stamp or CacheStamp(None, None)).to_json()
        state[exp.id] = {"partition": part, "stamp": written, "metrics": names}
        report.written.append(exp.id)
    for run_id, old in recorded.items():
        if run_id not in state:
            shutil.rmtree(root / "metrics" / old.get("partition", "__none__"), ignore_errors=True)
            report.removed.append(run_id)
    report.details = _write_runs_table(root, runs_table)
    text = json.dumps({"format": FORMAT, "partition_by": partition_by, "runs": state}, indent=1)
    (root / STATE).write_text(text, encoding="utf-8")
    return report


Todo = list[tuple["Experiment", "CacheStamp | None", str]]


def _plan(
    root: Path,
    recorded: dict[str, Any],
    names: list[str] | None,
    experiments: list[Experiment],
    stamps: list[CacheStamp | None],
    partition_by: PartitionBy,
    report: DatasetWrite,
) -> tuple[dict[str, Any], Todo]:
    """The state of the runs whose partitions still match their stamps (reported as
    unchanged), and the runs to (re)write with their stamps and partitions."""
    # A run written with other metric names is rewritten: its partition does not hold them.
    before = {k: v for k, v in recorded.items() if names is None or v.get("metrics") == names}
    state: dict[str, Any] = {}
    todo: Todo = []
    for exp, stamp in zip(experiments, stamps, strict=True):
        part = _partition(exp, partition_by)
        old = before.get(exp.id)
        fresh = (
            old is not None
            and stamp is not None
            and old.get("partition") == part
            and (root / "metrics" / part / "part-0.parquet").is_file()
            and CacheStamp.from_json(old["stamp"]).matches(stamp)
        )
        if fresh:
            report.unchanged.append(exp.id)
            state[exp.id] = old
        else:
            todo.append((exp, stamp, part))
    return state, todo


def _write_partition(
    root: Path, old: dict[str, Any] | None, part: str, metrics: RunMetrics
) -> None:
    """One run's long metrics as ``metrics/<part>/part-0.parquet`` (a moved run's old
    partition removed)."""
    if old is not None and old.get("partition") != part:
        shutil.rmtree(root / "metrics" / old["partition"], ignore_errors=True)
    frame = metrics_frame([metrics]).to_polars().drop("run_id")
    _replace(frame.write_parquet, root / "metrics" / part / "part-0.parquet")


def _write_runs_table(root: Path, runs_table: Callable[[Sequence[str] | None], Any]) -> bool:
    """``runs.parquet``; whether it has the detail columns (see :attr:`DatasetWrite.details`)."""
    details = True
    try:
        table = runs_table(None)
    except UnsupportedFeatureError as err:
        warnings.warn(f"runs.parquet has the listing's columns only: {err}", stacklevel=4)
        details = False
        table = runs_table([c for c in EXPERIMENT_COLUMNS if c not in DETAIL_KEYS])
    _replace(table.write_parquet, root / "runs.parquet")
    return details
