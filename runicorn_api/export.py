"""Exports rendered here from fetched runs (the viewer's own export endpoints answer 501
in the wheels); this module fetches nothing.

``json``: one object, ``{"format", "experiment", "metrics": {"steps", "timestamps",
"columns": {name: [...]}}}`` (columns aligned with ``steps``; ``null`` where not logged).
``csv`` and ``parquet``: the long metrics table ``run_id, step, metric, value, timestamp``
(CSV timestamps are Unix seconds, written exactly; parquet's are UTC datetimes).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._common.deps import install_hint
from ._exceptions import InvalidArgumentError, MissingDependencyError
from ._frames.columns import Column

if TYPE_CHECKING:
    from .models.experiment import Experiment
    from .models.metrics import RunMetrics

__all__ = ["FORMATS", "metrics_csv", "metrics_parquet", "render", "safe_filename", "write_inside"]

Format = Literal["json", "csv", "parquet"]
FORMATS = ("json", "csv", "parquet")
JSON_FORMAT = "runicorn_api.export/1"


def check_format(format: str) -> None:
    if format not in FORMATS:
        raise InvalidArgumentError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")


def render(format: str, metrics: RunMetrics, experiment: Experiment | None = None) -> bytes:
    """A run's export as bytes: ``json`` (needs ``experiment``), ``csv`` or ``parquet``;
    see the module docs for each layout. Nothing is fetched here."""
    check_format(format)
    if format == "json":
        if experiment is None:
            raise InvalidArgumentError("a json export needs the experiment as well")
        return experiment_json(experiment, metrics)
    if format == "csv":
        return metrics_csv([metrics])
    return metrics_parquet([metrics])


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Column):
        return value.to_list()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def experiment_json(experiment: Experiment, metrics: RunMetrics) -> bytes:
    document = {
        "format": JSON_FORMAT,
        "experiment": experiment.to_dict(),
        "metrics": {
            "steps": metrics.steps,
            "timestamps": metrics.timestamps,
            "columns": metrics.columns,
            "total": metrics.total,
        },
    }
    return json.dumps(document, default=_plain, allow_nan=False).encode()


def metrics_csv(runs: Iterable[RunMetrics], *, metric_names: list[str] | None = None) -> bytes:
    """The long table as CSV (timestamps in Unix seconds)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run_id", "step", "metric", "value", "timestamp"])
    for run in runs:
        for name, series in run.series.items():
            if metric_names is not None and name not in metric_names:
                continue
            for step, value, stamp in zip(
                series.steps.to_list(),
                series.values.to_list(),
                series.timestamps.to_list(),
                strict=True,
            ):
                writer.writerow(
                    [run.run_id, step, name, repr(value), "" if stamp is None else repr(stamp)]
                )
    return out.getvalue().encode()


def metrics_parquet(runs: Iterable[RunMetrics]) -> bytes:
    """The long table as parquet (polars, else pandas with pyarrow)."""
    from ._frames.metrics import metrics_frame

    frame = metrics_frame(list(runs))
    buffer = io.BytesIO()
    try:
        frame.to_polars().write_parquet(buffer)
    except MissingDependencyError:
        try:
            frame.to_pandas().to_parquet(buffer, index=False)
        except ImportError as err:
            raise MissingDependencyError(
                f"parquet export needs polars ({install_hint('polars')}) or pandas with pyarrow"
            ) from err
    return buffer.getvalue()


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """A file name made of ``[A-Za-z0-9._-]`` only: ``"vit/ablation"`` → ``"vit_ablation"``."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or "unnamed"
    return cleaned[:200]


def write_inside(folder: str | Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/safe_filename(name)``, never outside ``folder``."""
    root = Path(folder).resolve()
    root.mkdir(parents=True, exist_ok=True)
    target = (root / safe_filename(name)).resolve()
    if target.parent != root:
        raise InvalidArgumentError(f"Refusing to write {name!r} outside {root}")
    target.write_bytes(data)
    return target
