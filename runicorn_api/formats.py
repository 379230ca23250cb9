"""Exports rendered here from fetched runs (the viewer's own export endpoints answer 501
in the wheels); this module fetches nothing.

``json``: one object, ``{"format", "experiment", "metrics": {"steps", "timestamps",
"columns": {name: [...]}}}`` (columns aligned with ``steps``; ``null`` where not logged).
``csv`` and ``parquet``: the long metrics table ``run_id, step, metric, value, timestamp``
(CSV timestamps are Unix seconds, written exactly; parquet's are UTC datetimes).
:func:`rows_csv` is the viewer's own table, one row per step (runicorn 0.7's
``export_csv``), and :func:`run_report` a Markdown or HTML report of one run.
"""

from __future__ import annotations

import csv
import html
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

__all__ = [
    "FORMATS",
    "REPORT_FORMATS",
    "metrics_csv",
    "metrics_parquet",
    "render",
    "rows_csv",
    "run_report",
    "safe_filename",
    "write_inside",
]

Format = Literal["json", "csv", "parquet"]
FORMATS = ("json", "csv", "parquet")
REPORT_FORMATS = ("markdown", "html")
JSON_FORMAT = "runicorn_api.formats/1"


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


def rows_csv(metrics: RunMetrics) -> bytes:
    """The viewer's metrics table as CSV: its ``columns`` as the header (``global_step``
    first), one line per step, empty where a key has no value; numbers written exactly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = metrics.column_names
    writer.writerow(names)
    for row in metrics.rows:
        writer.writerow(_cell(row.get(name)) for name in names)
    return out.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def run_report(format: str, experiment: Experiment, metrics: RunMetrics) -> bytes:
    """A report of one run: its identity, status, times, summary and best metric, and
    per metric the points, last, minimum and maximum; ``markdown`` or ``html``."""
    if format not in REPORT_FORMATS:
        raise InvalidArgumentError(
            f"format must be one of {', '.join(REPORT_FORMATS)}, got {format!r}"
        )
    facts: list[tuple[str, str]] = [
        ("Run", experiment.id),
        ("Path", experiment.path or ""),
        ("Alias", experiment.alias or ""),
        ("Status", str(experiment.status)),
        ("Created", experiment.created_at.isoformat() if experiment.created_at else ""),
        ("Duration (s)", "" if experiment.duration is None else f"{experiment.duration:.1f}"),
    ]
    if experiment.best_metric is not None:
        best = experiment.best_metric
        facts.append(("Best metric", f"{best.name} = {best.value!r} (step {best.step})"))
    facts += [(f"summary.{k}", json.dumps(v, default=str)) for k, v in experiment.summary.items()]
    header = ["Metric", "Points", "Last", "Min", "Max"]
    table = [
        [
            name,
            str(len(series)),
            repr(series.last_value()),
            repr(series.min_value()),
            repr(series.max_value()),
        ]
        for name, series in metrics.series.items()
    ]
    title = f"Run report: {experiment.alias or experiment.path or experiment.id}"
    if format == "markdown":
        lines = [f"# {_md(title)}", "", "| Field | Value |", "|---|---|"]
        lines += [f"| {_md(k)} | {_md(v)} |" for k, v in facts if v]
        lines += ["", "## Metrics", "", "| " + " | ".join(header) + " |", "|---" * 5 + "|"]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in table]
        return ("\n".join(lines) + "\n").encode()
    esc = html.escape
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts if v)
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in table)
    document = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"</head><body><h1>{esc(title)}</h1><table>{rows}</table><h2>Metrics</h2>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )
    return document.encode()


_MD_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MD_SPECIAL = re.compile(r"[\\`\[\]|]")


def _md(text: str) -> str:
    """Server-provided text for the report: HTML escaped (a run name is never markup in
    a renderer that allows raw HTML), control characters and line breaks as spaces, and
    the characters of links, images and code spans (``[ ] ` \\``) and cells (``|``)
    escaped, so ``![x](http://...)`` in a name loads nothing."""
    flat = _MD_CONTROL.sub(" ", html.escape(text, quote=False))
    return _MD_SPECIAL.sub(r"\\\g<0>", flat)


def metrics_parquet(runs: Iterable[RunMetrics]) -> bytes:
    """The long table as parquet (polars, else pandas with pyarrow)."""
    from ._frames.metric_tables import metrics_frame

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
