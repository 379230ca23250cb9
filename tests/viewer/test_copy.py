"""Runs copied between real viewers with ``utils.copy_runs``: a 0.5.3 storage into a
0.7.2 viewer (the upgrade) and 0.7.2 into 0.7.2, with the source reading its run
folders directly and over HTTP only.

Each target is a fresh 0.7.2 viewer over an empty folder; each source a viewer over a
relocated copy of the data set. What the target holds afterwards is checked against
what the fixture's writer logged (the manifest), not against the copy's own report.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
import runicorn_api.utils
from runicorn_api.testing import RunRecord
from runicorn_api.testing.copies import expected_rows
from tests.support.cli import run_cli
from tests.support.counting import counting
from tests.support.expected import expected_versions
from tests.support.viewers import ViewerEnv, copy_viewer

TARGET = "0.7.2"


def _target(viewer: ViewerEnv, prepared: dict[str, Any], name: str) -> api.RunicornClient:
    """A 0.7.2 viewer over an empty storage folder of its own."""
    if TARGET not in prepared:
        pytest.skip(f"the copy's target is a {TARGET} viewer (RUNICORN_VERSIONS lacks it)")
    item = prepared[TARGET]
    storage = viewer.prepared.root / f"copy-target-{name}"
    storage.mkdir()
    home = viewer.prepared.root / f"copy-home-{name}"
    (home / ".config" / "runicorn").mkdir(parents=True)
    client = api.local(storage, python=item.python, home=home)
    viewer.extra.append(client)
    return client


@pytest.fixture(scope="module")
def source(viewer: ViewerEnv) -> Iterator[api.RunicornClient]:
    """A viewer over a relocated copy of the data set (other tests change the shared one)."""
    client, _ = copy_viewer(viewer, "copy-source")
    return client


def _record_rows(record: RunRecord) -> list[dict[str, Any]]:
    return [dict(row) for row in expected_rows(record)]


def _without_time(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "time"} for row in rows]


def _check_against_the_writer(
    viewer: ViewerEnv, target: api.RunicornClient, record: RunRecord, *, whole_summary: bool
) -> None:
    """The run on the target is what the writer logged on the source."""
    run = target.get_run(record.run_id)
    assert run.path == record.path
    assert run.status == record.status
    if viewer.generation == "0.7":
        assert run.alias == record.alias
        assert sorted(run.tags) == sorted(record.tags)
    else:  # 0.5.x has neither
        assert run.alias is None
        assert run.tags == []
    if whole_summary:
        assert {k: run.summary.get(k) for k in record.summary} == record.summary
    if record.best_metric_name is not None:
        assert run.best_metric is not None
        assert run.best_metric.name == record.best_metric_name
        assert run.best_metric.value == pytest.approx(record.best_metric_value)
    metrics = target.get_metrics(record.run_id)
    if record.edge is None:
        assert _without_time(metrics.rows) == _record_rows(record)
    else:  # the edge-case runs log raw shapes; the writer's own view is the source's
        assert metrics.total == viewer.client.get_metrics(record.run_id).total
    if record.log_lines:
        texts = [line.split(" | ", 1)[-1] for line in target.experiments.logs(record.run_id).lines]
        assert {t for t in record.log_lines if t} <= set(texts)


@pytest.mark.parametrize("direct_reads", ["auto", "never"])
def test_the_whole_data_set_is_copied_and_equal(
    viewer: ViewerEnv,
    prepared: dict[str, Any],
    source: api.RunicornClient,
    direct_reads: str,
) -> None:
    target = _target(viewer, prepared, f"all-{direct_reads}")
    reader = api.connect(source.base_url, direct_reads=direct_reads)  # type: ignore[arg-type]
    viewer.extra.append(reader)
    records = viewer.manifest.runs
    seen: list[tuple[int | None, int]] = []

    class Bar:
        def __init__(self, total: int | None, unit: str, desc: str) -> None:
            seen.append((total, 0))

        def update(self, n: int) -> None:
            seen[-1] = (seen[-1][0], seen[-1][1] + n)

        def close(self) -> None:
            pass

    report = api.utils.copy_runs(reader, target, [r.run_id for r in records], progress=Bar)
    live = {r.run_id for r in records if r.live}
    assert {r.run_id for r in report.failed} == live
    assert all("still running" in (r.reason or "") for r in report.failed)
    assert {r.run_id for r in report.copied} == {r.run_id for r in records} - live
    assert seen == [(len(records), len(records))]
    # A 0.7.x run's archived assets are in no export: read directly, its folder is used.
    expected_source = {"0.7": "folder" if direct_reads == "auto" else "export",
                       "0.5": "folder" if direct_reads == "auto" else "api"}  # fmt: skip
    assert {r.source for r in report.copied} == {expected_source[viewer.generation]}
    whole_summary = not (viewer.generation == "0.5" and direct_reads == "never")
    for record in records:
        if record.run_id not in live:
            _check_against_the_writer(viewer, target, record, whole_summary=whole_summary)
    if not whole_summary:  # what 0.5.x serves only from its folders is named, not lost
        assert all(any("summary" in n for n in r.not_carried) for r in report.copied)
    if viewer.generation == "0.5":
        with_artifacts = [r for r in records if r.artifacts and r.run_id not in live]
        assert with_artifacts
        for record in with_artifacts:
            (item,) = [r for r in report.copied if r.run_id == record.run_id]
            assert any("artifacts" in n for n in item.not_carried)
    images = viewer.manifest["resnet-s0"]
    if whole_summary and images.images:  # media travel in the run folder
        for image, wrote in zip(target.images.list(images.run_id), images.images, strict=True):
            assert hashlib.sha256(image.read_bytes()).hexdigest() == wrote["sha256"]

    again = api.utils.copy_runs(reader, target, [r.run_id for r in records])
    assert again.copied == []
    assert {r.run_id for r in again.skipped} == {r.run_id for r in records} - live
    assert str(again).startswith(
        f"0 copied, {len(records) - len(live)} skipped, {len(live)} failed"
    )


def test_archived_assets_travel_with_their_runs(
    viewer: ViewerEnv, prepared: dict[str, Any], source: api.RunicornClient
) -> None:
    """A target on another machine gets the blobs a run's assets.json references: the
    target's own storage holds them, and each downloads from it byte for byte."""
    if viewer.generation != "0.7":
        pytest.skip("per-run archived assets are 0.7.x")
    versions = [v for vs in expected_versions(viewer).values() for v in vs if v.files]
    live = {r.run_id for r in viewer.manifest.runs if r.live}
    runs = sorted({v.created_by for v in versions} - live)
    assert runs
    target = _target(viewer, prepared, "assets")
    report = api.utils.copy_runs(source, target, runs)
    assert {r.run_id for r in report.copied} == set(runs), report
    assert not [n for r in report.copied for n in r.not_carried if "assets" in n]
    assert {r.source for r in report.copied} == {"folder"}
    storage = Path(target.get_config().storage or "")
    assert list((storage / "archive").rglob("*"))  # in the target's own storage
    for v in versions:
        if v.created_by in live:
            continue
        (there,) = [a for a in target.artifacts.for_run(v.created_by).created if a.name == v.name
                    and a.fingerprint == _fingerprint(source, v.created_by, v.name)]  # fmt: skip
        assert str(there.metadata["archive_path"]).startswith(str(storage))
        dest = viewer.prepared.root / f"assets-{v.name}-{v.version}"
        target.artifacts.download(there.id, dest)
        for rel, text in (v.files or {}).items():
            assert (dest / rel).read_bytes() == text.encode()

    # Over HTTP only, or into an isolated import, the blobs cannot travel: said, not lost.
    reader = api.connect(source.base_url, direct_reads="never")
    viewer.extra.append(reader)
    for client, mode, name in ((reader, "merge", "assets-http"), (source, "isolate", "assets-iso")):
        other = _target(viewer, prepared, name)
        done = api.utils.copy_runs(client, other, runs[:1], mode=mode)  # type: ignore[arg-type]
        (item,) = done.copied
        assert any("archived assets" in n for n in item.not_carried), item


def _fingerprint(client: api.RunicornClient, run_id: str, name: str) -> str | None:
    (found,) = [a for a in client.artifacts.for_run(run_id).created if a.name == name]
    return found.fingerprint


def test_isolate_places_runs_under_imports(
    viewer: ViewerEnv, prepared: dict[str, Any], source: api.RunicornClient
) -> None:
    target = _target(viewer, prepared, "isolate")
    runs = source.experiments.filter(path_prefix="zoo")
    report = api.utils.copy_runs(source, target, runs, mode="isolate")
    expected = {r.run_id: r.path for r in viewer.manifest.runs if r.path.startswith("zoo/")}
    assert {r.run_id for r in report.copied} == set(expected)
    for item in report.copied:
        placed = target.get_run(item.run_id).path
        assert placed == item.target_path
        assert placed is not None
        assert placed.startswith("imports/")
        assert placed.endswith("/" + expected[item.run_id])
    again = api.utils.copy_runs(source, target, list(expected), mode="isolate")
    assert {r.run_id for r in again.skipped} == set(expected)


def test_a_run_changed_on_the_target_is_failed_and_never_overwritten(
    viewer: ViewerEnv, prepared: dict[str, Any], source: api.RunicornClient
) -> None:
    target = _target(viewer, prepared, "changed")
    record = viewer.manifest["zoo-a"]
    first = api.utils.copy_runs(source, target, record.run_id)
    assert [r.run_id for r in first.copied] == [record.run_id]
    target.experiments.update(record.run_id, alias="renamed-on-the-target")
    second = api.utils.copy_runs(source, target, [record.run_id])
    (failed,) = second.failed
    assert "never overwritten" in (failed.reason or "")
    assert any(d.startswith("alias:") for d in failed.differences)
    assert target.get_run(record.run_id).alias == "renamed-on-the-target"
    with pytest.raises(api.RunicornAPIError, match=record.run_id):
        second.raise_for_failures()


def test_a_half_imported_run_is_reported_and_removed(
    viewer: ViewerEnv, prepared: dict[str, Any], source: api.RunicornClient
) -> None:
    """The viewer's import logs a file it cannot write and goes on: here the target's
    storage holds a folder where the run's ``events.jsonl`` goes, so the run arrives
    without its metrics. The copy finds the difference and removes the run again."""
    target = _target(viewer, prepared, "half")
    broken, whole = viewer.manifest["zoo-b"], viewer.manifest["zoo-c"]
    storage = Path(target.get_config().storage or "")
    (storage / "runs" / broken.path / broken.run_id / "events.jsonl").mkdir(parents=True)
    report = api.utils.copy_runs(source, target, [broken.run_id, whole.run_id])
    assert [r.run_id for r in report.copied] == [whole.run_id], report.runs
    (failed,) = report.failed
    assert failed.run_id == broken.run_id
    assert "differs from the source" in (failed.reason or "")
    assert "removed from the target" in (failed.reason or "")
    assert any(d.startswith("metrics") for d in failed.differences), failed.differences
    with pytest.raises(api.NotFoundError):
        target.get_run(broken.run_id)
    assert not (storage / "runs" / broken.path / broken.run_id / "meta.json").exists()
    assert _without_time(target.get_metrics(whole.run_id).rows) == _record_rows(whole)


def test_bad_copies_are_refused_before_any_request(
    viewer: ViewerEnv, prepared: dict[str, Any], source: api.RunicornClient
) -> None:
    target = _target(viewer, prepared, "refused")
    run_id = viewer.manifest["zoo-a"].run_id
    with counting(source) as sent_source, counting(target) as sent_target:
        with pytest.raises(api.InvalidArgumentError, match="empty"):
            api.utils.copy_runs(source, target, [])
        with pytest.raises(api.InvalidArgumentError, match="mode"):
            api.utils.copy_runs(source, target, run_id, mode="replace")  # type: ignore[arg-type]
        with pytest.raises(api.InvalidArgumentError, match="same viewer"):
            api.utils.copy_runs(source, source, run_id)
        with pytest.raises(api.InvalidArgumentError):
            api.utils.copy_runs(source, target, ["../escape"])
        with pytest.raises(api.InvalidArgumentTypeError):
            api.utils.copy_runs(source, target, [42])  # type: ignore[list-item]
        if viewer.generation == "0.5":
            with pytest.raises(api.UnsupportedFeatureError, match=r"0\.7\.x target"):
                api.utils.copy_runs(target, source, run_id)
    assert sent_source == []
    assert sent_target == []
    report = api.utils.copy_runs(source.base_url, target.base_url, ["20990101_000000_abcdef"])
    (missing,) = report.failed
    assert "no run 20990101_000000_abcdef on the source" in (missing.reason or "")


def test_the_copy_command(
    viewer: ViewerEnv, prepared: dict[str, Any], source: api.RunicornClient
) -> None:
    target = _target(viewer, prepared, "cli")
    zoo = {r.run_id for r in viewer.manifest.runs if r.path.startswith("zoo/")}
    args = ("copy", "--from", source.base_url, "--to", target.base_url)
    done = run_cli(*args, "--path", "zoo", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {r["id"] for r in rows} == zoo
    assert {r["outcome"] for r in rows} == {"copied"}
    assert f"{len(zoo)} copied, 0 skipped, 0 failed" in done.stderr
    assert {e.id for e in target.experiments.list()} == zoo

    again = run_cli(*args, "--path", "zoo", "--format", "csv")
    assert again.returncode == 0, again.stderr
    table = list(csv.DictReader(io.StringIO(again.stdout)))
    assert {r["outcome"] for r in table} == {"skipped"}

    running = run_cli(*args, "--status", "running", "--mode", "isolate", "--format", "json")
    assert running.returncode == 1  # a run not copied: the row says why
    (row,) = json.loads(running.stdout)
    assert row["id"] == viewer.manifest["live"].run_id
    assert "still running" in row["reason"]

    nothing = run_cli(*args, "--path", "no/such/path")
    assert nothing.returncode == 1
    assert nothing.stderr.startswith("runicorn-api: error: no run on")
    assert nothing.stderr.count("\n") == 1

    if viewer.generation == "0.5":  # a 0.5.x target: one line, exit 1, nothing sent
        refused = run_cli("copy", "--from", target.base_url, "--to", source.base_url)
        assert refused.returncode == 1
        assert "needs a 0.7.x target" in refused.stderr
    bad = run_cli(*args, "--mode", "replace")
    assert bad.returncode == 2
