"""A run as one viewer shows it, and what differs between two such views: how a copy
proves that the target holds what the source held."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._client import RunicornClient
from .._exceptions import MissingDependencyError, RunicornAPIError, UnsupportedFeatureError
from .._types import JSON
from ..models.artifact import Artifact
from ..models.contents import RunLog
from ..models.experiment import Experiment
from ..models.metrics import RunMetrics

__all__ = ["RunSnapshot", "asset_differences", "differences", "take"]


@dataclass
class RunSnapshot:
    """What one viewer shows of a run: the fields a copy must keep, and what it could
    not read there (``unknown``, each with why)."""

    run_id: str
    path: str | None
    alias: str | None
    tags: list[str]
    status: str
    summary: dict[str, JSON] | None
    metrics: RunMetrics
    log: list[str] | None
    images: list[tuple[str, int | None, str]] | None
    unknown: dict[str, str] = field(default_factory=dict)
    console: RunLog | None = None
    """The console log as read (blank lines and all, where the folder was read)."""


def take(client: RunicornClient, experiment: Experiment) -> RunSnapshot:
    """``experiment`` as ``client`` shows it.

    :calls: ``GET /api/runs/{id}`` (0.7.x, for the summary), the run's metrics, its
        console log and its image list, each from the run folder where the client reads
        it directly and over HTTP otherwise
    """
    run_id = experiment.id
    unknown: dict[str, str] = {}
    summary: dict[str, JSON] | None
    try:
        summary = experiment.summary
    except UnsupportedFeatureError as err:
        summary, unknown["summary"] = None, _why(err)
    log: list[str] | None
    read: RunLog | None = None
    try:
        read = client.experiments.logs(run_id)
        log = None if read.truncated else [line for line in read.lines if line.strip()]
        if read.truncated:
            unknown["log"] = "the viewer streams only the last 10,000 lines"
    except (UnsupportedFeatureError, MissingDependencyError) as err:
        log, unknown["log"] = None, _why(err)
    images: list[tuple[str, int | None, str]] | None
    try:
        images = sorted(
            ((i.key, i.step, i.name) for i in client.images.list(run_id)),
            key=lambda item: (item[0], item[1] or 0, item[2]),
        )
    except UnsupportedFeatureError as err:
        images, unknown["images"] = None, _why(err)
    return RunSnapshot(
        run_id=run_id,
        path=experiment.path,
        alias=experiment.alias,
        tags=sorted(experiment.tags),
        status=experiment.status,
        summary=summary,
        metrics=client.metrics.get(run_id),
        log=log,
        images=images,
        unknown=unknown,
        console=read,
    )


def differences(source: RunSnapshot, target: RunSnapshot, *, target_path: str | None) -> list[str]:
    """What ``target`` shows differently from ``source``, one line per difference;
    ``target_path`` is where the run should be on the target. What either side could
    not read is not compared (the report names it as not carried)."""
    found: list[str] = []
    expected = {
        "id": (source.run_id, target.run_id),
        "path": (target_path, target.path),
        "alias": (source.alias, target.alias),
        "tags": (source.tags, target.tags),
        "status": (source.status, target.status),
    }
    for name, (want, got) in expected.items():
        if want != got:
            found.append(f"{name}: {want!r} on the source, {got!r} on the target")
    if source.summary is not None and target.summary is not None:
        found += _mapping_diff("summary", source.summary, target.summary)
    found += _metrics_diff(source.metrics, target.metrics)
    if source.log is not None and target.log is not None and source.log != target.log:
        found.append(
            f"log: {len(source.log)} lines on the source, {len(target.log)} on the target"
            + _first_difference(source.log, target.log)
        )
    both = source.images is not None and target.images is not None
    if both and source.images != target.images:
        found.append(
            f"images: {len(source.images or [])} on the source, "
            f"{len(target.images or [])} on the target"
        )
    return found


def _mapping_diff(what: str, want: dict[str, JSON], got: dict[str, JSON]) -> list[str]:
    found = []
    for key in sorted(set(want) | set(got)):
        if key not in got:
            found.append(f"{what}[{key!r}]: missing on the target")
        elif key not in want:
            found.append(f"{what}[{key!r}]: only on the target")
        elif not _same(want[key], got[key]):
            found.append(
                f"{what}[{key!r}]: {want[key]!r} on the source, {got[key]!r} on the target"
            )
    return found


def _metrics_diff(want: RunMetrics, got: RunMetrics) -> list[str]:
    found = []
    if len(want.steps) != len(got.steps):
        return [f"metrics: {len(want.steps)} rows on the source, {len(got.steps)} on the target"]
    if not _same_list(want.steps.to_list(), got.steps.to_list()):
        found.append(
            "metrics: the steps differ"
            + _first_difference(want.steps.to_list(), got.steps.to_list())
        )
    names = set(want.columns) | set(got.columns)
    for name in sorted(names):
        if name not in got.columns or name not in want.columns:
            side = "target" if name not in got.columns else "source"
            found.append(f"metrics[{name!r}]: missing on the {side}")
            continue
        a, b = want.columns[name].to_list(), got.columns[name].to_list()
        if not _same_list(a, b):
            found.append(f"metrics[{name!r}]: values differ" + _first_difference(a, b))
    for name in sorted(set(want.text_columns) | set(got.text_columns)):
        if want.text_columns.get(name) != got.text_columns.get(name):
            found.append(f"metrics[{name!r}] (text): values differ")
    if len(want.timestamps) and len(got.timestamps):
        a, b = want.timestamps.to_list(), got.timestamps.to_list()
        if not _same_list(a, b):
            found.append("metrics: the timestamps differ" + _first_difference(a, b))
    return found


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _same_list(a: Sequence[object], b: Sequence[object]) -> bool:
    return a == b or (len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True)))


def _first_difference(a: Sequence[object], b: Sequence[object]) -> str:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if not _same(x, y):
            return f" (first at row {index}: {x!r} on the source, {y!r} on the target)"
    return ""


def _why(err: Exception) -> str:
    """The first clause of an error's message: why a part of a run could not be read."""
    return str(err).split("; ")[0].split(". ")[0].rstrip(".")


def asset_differences(
    source: RunicornClient, target: RunicornClient, run_ids: list[str], scratch: Path
) -> dict[str, list[str]]:
    """Per run, what of the archived assets it created on the source (0.7.x) the target
    does not hold: each must be there (same kind, name and fingerprint), and its files
    must download from the target and pass the fingerprint check. (An asset a run logged
    again after another run archived it is checked with that run.)

    :calls: the asset index of each viewer once (every run's ``GET /api/runs/{id}/assets``),
        and each asset's download from the target (or its files, read directly)
    """
    want = _archived(source, run_ids)
    have = _archived(target, run_ids)
    found: dict[str, list[str]] = {}
    for run_id in run_ids:
        problems = found.setdefault(run_id, [])
        for key, artifact in sorted(want[run_id].items()):
            there = have[run_id].get(key)
            if there is None:
                problems.append(f"asset {artifact.name} ({key}): not on the target")
                continue
            try:
                target.artifacts.download(there, scratch / f"check-{run_id}-{len(problems)}")
            except RunicornAPIError as err:
                problems.append(f"asset {artifact.name} ({key}): {err}")
    return found


def _archived(client: RunicornClient, run_ids: list[str]) -> dict[str, dict[str, Artifact]]:
    """Per run, the archived assets (those with files in the storage) it created."""
    return {
        mine.run_id: {
            f"{a.type}:{a.name}:{a.fingerprint}": a
            for a in mine.created
            if a.metadata.get("archive_path")
        }
        for mine in client.artifacts.for_runs(run_ids)
    }
