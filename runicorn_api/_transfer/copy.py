"""Runs copied from one viewer into a 0.7.x viewer, each compared afterwards on both.

The target's import skips a run id it already has and never overwrites; a file it
cannot write is logged on the viewer's side and left out, so an import can leave a run
half-written and still answer ``ok``. The copy therefore trusts no answer: after each
import it compares every run on the two viewers, and removes from the target (for good:
it was not there before) any new run that differs, reporting it failed.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from .._client import RunicornClient
from .._common.progress import Bar, ProgressOption, check_progress, open_bar
from .._exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    RunicornAPIError,
    UnsupportedFeatureError,
)
from .._validation import check_run_id
from ..models.experiment import Experiment
from ..models.transfer import CopyReport, RunCopy
from .archive import from_api, from_folder, write_zip
from .snapshot import RunSnapshot, asset_differences, differences, take

__all__ = ["BATCH_RUNS", "copy_runs"]

Mode = Literal["merge", "isolate"]
Origin = Literal["export", "folder", "api", "target"]
BATCH_RUNS = 20
"""Runs per uploaded archive: one bad run costs one upload, and no archive is huge."""


def copy_runs(
    source: RunicornClient,
    target: RunicornClient,
    runs: str | Iterable[str] | Iterable[Experiment],
    *,
    mode: Mode = "merge",
    progress: ProgressOption = None,
) -> CopyReport:
    """Copy ``runs`` (ids, or runs of ``source``) from ``source`` into ``target``.

    See :func:`runicorn_api.utils.copy_runs`.
    """
    if not isinstance(source, RunicornClient) or not isinstance(target, RunicornClient):
        raise InvalidArgumentTypeError("source and target must be RunicornClient objects")
    if mode not in ("merge", "isolate"):
        raise InvalidArgumentError(f"mode must be 'merge' or 'isolate', got {mode!r}")
    check_progress(progress)
    wanted = _wanted(runs)
    if source.base_url == target.base_url:
        raise InvalidArgumentError(f"source and target are the same viewer ({source.base_url})")
    if target.server.generation != "0.7":
        raise UnsupportedFeatureError(
            f"copy_runs needs a 0.7.x target; {target.base_url} is {target.server}. A 0.5.x "
            "viewer cannot preview an import or say which runs it took, and 0.5.3 answers "
            "uploads with 503 (python-multipart is not installed with it). No request was "
            "sent to it."
        )
    report = CopyReport(source=source.base_url, target=target.base_url, mode=mode)
    on_source = {e.id: e for e in source.experiments.list()}
    on_target = {e.id for e in target.experiments.list()}
    todo: list[Experiment] = []
    for run_id in wanted:
        experiment = on_source.get(run_id)
        if experiment is None:
            report.runs.append(_failed(run_id, None, f"no run {run_id} on the source"))
        elif experiment.status == "running":
            report.runs.append(
                _failed(run_id, experiment.path, "it is still running; copy it once it ends")
            )
        else:
            todo.append(experiment)
    bar = open_bar(progress, len(wanted), unit="run", desc="copy", auto_from=50)
    try:
        if bar is not None:
            bar.update(len(wanted) - len(todo))
        present = [e for e in todo if e.id in on_target]
        report.runs += _compare_present(source, target, present, mode, bar)
        new = [e for e in todo if e.id not in on_target]
        # Archived assets go to the target storage's archive/, which an isolated import
        # (everything under runs/imports/<time>/) cannot reach.
        carry = mode == "merge" and any(e.assets_count for e in new)
        target_root = target.get_config().storage if carry else None
        with tempfile.TemporaryDirectory(prefix="runicorn-copy-") as scratch:
            for start in range(0, len(new), BATCH_RUNS):
                batch = new[start : start + BATCH_RUNS]
                report.runs += _copy_batch(
                    source, target, batch, mode, Path(scratch), bar, target_root
                )
    finally:
        if bar is not None:
            bar.close()
    order = {run_id: index for index, run_id in enumerate(wanted)}
    report.runs.sort(key=lambda r: order.get(r.run_id, len(order)))
    return report


def _wanted(runs: object) -> list[str]:
    """The run ids asked for, in order, each once; refused before any request."""
    if isinstance(runs, str):
        items: list[object] = [runs]
    elif isinstance(runs, Iterable):
        items = list(runs)  # pyright: ignore[reportUnknownArgumentType]
    else:
        raise InvalidArgumentTypeError(
            f"runs must be run ids or runs (a collection), got {type(runs).__name__}"
        )
    ids: list[str] = []
    for item in items:
        run_id = item.id if isinstance(item, Experiment) else item
        if not isinstance(run_id, str):
            raise InvalidArgumentTypeError(f"runs: {item!r} is neither a run id nor a run")
        ids.append(check_run_id(run_id))
    if not ids:
        raise InvalidArgumentError("runs is empty: nothing to copy")
    return list(dict.fromkeys(ids))


def _failed(run_id: str, path: str | None, reason: str, **more: object) -> RunCopy:
    return _entry(run_id, path, "failed", reason, **more)


def _entry(
    run_id: str, path: str | None, outcome: str, reason: str | None, **more: object
) -> RunCopy:
    return RunCopy.model_validate(
        {"run_id": run_id, "path": path, "outcome": outcome, "reason": reason, **more}
    )


def _snapshots(
    client: RunicornClient, runs: Sequence[Experiment | str]
) -> list[RunSnapshot | RunicornAPIError]:
    """Each run as ``client`` shows it (or the error reading it), read concurrently; a
    run given by id is fetched by its detail (a 0.7.2 viewer's run list can miss runs)."""

    def one(run: Experiment | str) -> RunSnapshot | RunicornAPIError:
        try:
            experiment = client.experiments.get(run) if isinstance(run, str) else run
            return take(client, experiment)
        except RunicornAPIError as err:
            return err

    with ThreadPoolExecutor(max_workers=min(4, client.max_workers)) as pool:
        return list(pool.map(one, runs))


def _verify(
    source: RunicornClient | list[RunSnapshot | RunicornAPIError],
    target: RunicornClient,
    runs: Sequence[Experiment],
    expected_path: Callable[[Experiment, str | None], str | None],
) -> dict[str, tuple[list[str], list[str], str | None]]:
    """Per run: the differences between the two viewers, what could not be compared,
    and the run's path on the target. ``source`` is the source client, or the runs as
    read from it already; ``expected_path(run, path_on_the_target)`` is where the run
    should be. A run that differs is read once more from the target before
    it counts as different (its run list can lag behind an import)."""
    if isinstance(source, RunicornClient):
        with ThreadPoolExecutor(max_workers=1) as pool:  # both viewers at once
            ahead = pool.submit(_snapshots, source, runs)
            theirs = _snapshots(target, [e.id for e in runs])
            mine = ahead.result()
    else:
        mine, theirs = source, _snapshots(target, [e.id for e in runs])
    checked: dict[str, tuple[list[str], list[str], str | None]] = {}
    for again in (False, True):
        retry: list[int] = []
        for index, e in enumerate(runs):
            a, b = mine[index], theirs[index]
            if isinstance(a, RunicornAPIError) or isinstance(b, RunicornAPIError):
                found, unread, where = (
                    [f"could not compare: {a if isinstance(a, RunicornAPIError) else b}"],
                    [],
                    None,
                )
            else:
                found = differences(a, b, target_path=expected_path(e, b.path))
                unread, where = _not_compared(a, b), b.path
            checked[e.id] = (found, unread, where)
            if found and not again:
                retry.append(index)
        if not retry:
            break
        time.sleep(1.0)
        again_theirs = _snapshots(target, [runs[i].id for i in retry])
        for i, snap in zip(retry, again_theirs, strict=True):
            theirs[i] = snap
    return checked


def _isolated(path: str | None, target_path: str | None) -> str | None:
    """The target's path if it is ``path`` under an ``imports/<timestamp>/`` folder."""
    if target_path and target_path.startswith("imports/") and target_path.endswith(f"/{path}"):
        return target_path
    return path


def _not_compared(mine: RunSnapshot, theirs: RunSnapshot) -> list[str]:
    return [
        f"{what} not compared: {why}" for what, why in {**theirs.unknown, **mine.unknown}.items()
    ]


def _compare_present(
    source: RunicornClient | list[RunSnapshot | RunicornAPIError],
    target: RunicornClient,
    present: list[Experiment],
    mode: Mode,
    bar: Bar | None,
    origins: dict[str, Origin] | None = None,
) -> list[RunCopy]:
    """Runs the target already has: skipped when equal, else failed; they are never
    overwritten. ``source`` as for :func:`_verify`."""

    def expected(e: Experiment, there: str | None) -> str | None:
        return _isolated(e.path, there) if mode == "isolate" else e.path

    checked = _verify(source, target, present, expected)
    done: list[RunCopy] = []
    for e in present:
        found, unread, where = checked[e.id]
        reason = (
            "the target already has this run, with other content (it is never overwritten)"
            if found
            else "already on the target with the same content"
        )
        done.append(
            _entry(
                e.id,
                e.path,
                "failed" if found else "skipped",
                reason,
                differences=found,
                target_path=where,
                not_carried=unread,
                source=(origins or {}).get(e.id, "target"),
            )
        )
        if bar is not None:
            bar.update(1)
    return done


def _archive(
    source: RunicornClient,
    batch: list[Experiment],
    dest: Path,
    seen: Callable[[], dict[str, RunSnapshot | RunicornAPIError]],
    target_root: str | None,
) -> tuple[Path, dict[str, dict[str, str]], dict[str, Origin]]:
    """The batch as one zip, and per run what the zip cannot carry (by aspect) and where
    its files came from: the source's export, unless a run has archived assets to carry
    (``target_root``: where they go on the target), which only its folder holds; else
    each run's folder; else its API (``seen()``: the runs as read from the source)."""
    notes: dict[str, dict[str, str]] = {e.id: {} for e in batch}
    carry = target_root is not None and source.server.generation == "0.7"
    # Only a run with assets to carry needs its folder before the export is chosen.
    folders = {e.id: source.experiments.folder(e.id) for e in batch if carry and e.assets_count}
    for e in batch:
        if e.assets_count and folders.get(e.id) is None:
            notes[e.id]["assets"] = _ASSETS_NOT_CARRIED
    exports = source.serves("POST", "/api/runs/export")
    if exports and not any(folder is not None for folder in folders.values()):
        zipped = source.experiments.export_archive([e.id for e in batch], dest)
        return zipped, notes, dict.fromkeys(notes, "export")
    members: list[tuple[str, bytes | Path]] = []
    origins: dict[str, Origin] = {}
    for e in batch:
        if source.server.generation == "0.5" and e.artifacts_created_count:
            notes[e.id]["artifacts"] = (
                f"{e.artifacts_created_count} artifacts it logged (0.7.x keeps no artifact "
                "store; they stay on the source)"
            )
        folder = folders[e.id] if e.id in folders else source.experiments.folder(e.id)
        if folder is not None:
            files, skipped = from_folder(e, folder, target_root=target_root)
            members += files
            if skipped:
                notes[e.id]["links"] = "files not carried: " + "; ".join(
                    f"{rel} ({why})" for rel, why in sorted(skipped.items())
                )
            origins[e.id] = "folder"
            continue
        snapshot = seen()[e.id]
        if isinstance(snapshot, RunicornAPIError):
            raise snapshot
        files, missing = from_api(source, e, snapshot)
        members += files
        notes[e.id].update(missing)
        origins[e.id] = "api"
    # Runs that share an asset share its blobs: each goes in once.
    unique = {name: data for name, data in reversed(members)}
    return write_zip(dest, iter(reversed(unique.items()))), notes, origins


_ASSETS_NOT_CARRIED = (
    "the files of its archived assets: they are carried from a run folder this client reads "
    "directly, in mode='merge' (the source's export and API hold each run's own files only)"
)


def _copy_batch(
    source: RunicornClient,
    target: RunicornClient,
    batch: list[Experiment],
    mode: Mode,
    scratch: Path,
    bar: Bar | None,
    target_root: str | None,
) -> list[RunCopy]:
    """One archive of ``batch`` imported, then each run compared; a new run that differs
    is removed from the target again."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The source is read while its archive is made and imported.
        ahead = pool.submit(_snapshots, source, batch)

        def seen() -> dict[str, RunSnapshot | RunicornAPIError]:
            return dict(zip((e.id for e in batch), ahead.result(), strict=True))

        zip_path, notes, origins = _archive(
            source, batch, scratch / f"batch-{batch[0].id}.zip", seen, target_root
        )
        try:
            result = target.imports.archive(zip_path, mode=mode)
        finally:
            zip_path.unlink(missing_ok=True)
        mine = seen()
    new_ids = set(result.new_run_ids)
    skipped_ids = set(result.skipped_run_ids)
    # Runs the target turned out to have (its run list had not shown them): as present.
    had = [e for e in batch if e.id in skipped_ids]
    done = _compare_present([mine[e.id] for e in had], target, had, mode, bar, origins)
    arrived = [e for e in batch if e.id in new_ids]
    unlisted = _index(target, [e.id for e in arrived])
    base = result.isolate_base

    def expected(e: Experiment, there: str | None) -> str | None:
        return f"{base}/{e.path}" if base and e.path else e.path

    checked = _verify([mine[e.id] for e in arrived], target, arrived, expected)
    with_assets = [e.id for e in arrived if e.assets_count and "assets" not in notes[e.id]]
    if target_root is not None and with_assets:
        for run_id, found in asset_differences(source, target, with_assets, scratch).items():
            checked[run_id][0].extend(found)
    broken: list[str] = []
    for e in batch:
        if e.id in skipped_ids:
            continue
        carried = notes[e.id]
        if e.id not in new_ids:
            done.append(
                _failed(
                    e.id, e.path, "the target's import did not create it",
                    not_carried=list(carried.values()), source=origins[e.id],
                )
            )  # fmt: skip
        else:
            found, unread, where = checked[e.id]
            left = [*carried.values(), *(u for u in unread if u.split(" ", 1)[0] not in carried)]
            if found:
                broken.append(e.id)
            done.append(
                _entry(
                    e.id,
                    e.path,
                    "failed" if found else "copied",
                    "the copy on the target differs from the source"
                    if found
                    else unlisted.get(e.id),
                    differences=found,
                    target_path=where,
                    not_carried=left,
                    source=origins[e.id],
                )
            )
        if bar is not None:
            bar.update(1)
    if broken:
        _remove(target, broken, done)
    return done


def _index(target: RunicornClient, run_ids: list[str]) -> dict[str, str]:
    """Make the target's run list show ``run_ids``; what still lacks them, by id.

    A 0.7.2 viewer indexes imported runs in its database, and its import sometimes
    leaves some out: they are served by id but missing from ``GET /api/runs`` (and so
    from its web page, and their tags with them). Setting the storage root to itself
    makes the viewer index its storage again; the copy does that only where the root in
    its config file is the folder it serves, so no setting changes.

    :calls: ``GET /api/runs`` (until the runs show, a few seconds at most), and where
        some do not, ``GET /api/config`` and ``POST /api/config/user_root_dir``
    """
    missing = set(run_ids)
    for attempt in range(2):
        missing -= {e.id for e in target.experiments.list()}
        if not missing:
            return {}
        if attempt == 0:
            time.sleep(0.5)  # the list has been seen to lag
    config = target.get_config()
    if config.storage and config.user_root_dir == config.storage:
        target.set_user_root_dir(config.storage)
        deadline = time.monotonic() + 15
        while missing and time.monotonic() < deadline:
            time.sleep(0.5)
            missing -= {e.id for e in target.experiments.list()}
    note = (
        "copied and served by id, but the target's run list does not show it: restart "
        "that viewer so that it indexes its storage again"
    )
    return dict.fromkeys(missing, note)


def _remove(target: RunicornClient, run_ids: list[str], done: list[RunCopy]) -> None:
    """Remove half-imported runs from the target for good, and say so in their reason."""
    try:
        target.experiments.delete(run_ids, permanent=True, confirm=True)
        outcome = "the copy was removed from the target"
    except RunicornAPIError as err:
        outcome = f"removing the copy from the target failed: {err}"
    for item in done:
        if item.run_id in run_ids:
            item.reason = f"{item.reason}; {outcome}"
