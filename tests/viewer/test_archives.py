"""Runs out of and into a viewer as archives, deleted for good, and the asset references
behind a permanent delete; against real viewers, on copies of the data set and on empty
storages, with expected values from the manifest."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import runicorn_api as api
from runicorn_api.testing.copies import expected_rows
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv, copy_viewer, empty_viewer


def _only07(viewer: ViewerEnv) -> None:
    if viewer.generation != "0.7":
        pytest.skip("0.7.x only")


def test_export_then_import_into_an_empty_viewer(viewer: ViewerEnv, tmp_path: Path) -> None:
    _only07(viewer)
    runs = [r for r in viewer.manifest.runs if r.project == "rl"]
    ids = sorted(r.run_id for r in runs)
    archive = viewer.client.experiments.export_archive(ids, tmp_path)
    assert archive == tmp_path / "runicorn_export.zip"
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
    assert {f"runs/{r.path}/{r.run_id}/events.jsonl" for r in runs} <= names

    target, _ = empty_viewer(viewer, "import-target")
    preview = target.imports.preview(archive)
    assert sorted(r.run_id for r in preview.runs) == ids
    assert preview.conflicts == []
    dry = target.import_archive(archive, dry_run=True)
    assert (dry.dry_run, dry.new_run_ids, dry.skipped_run_ids) == (True, ids, [])
    assert target.list_runs() == []  # a dry run imports nothing

    result = target.import_archive(archive)
    assert result.new_run_ids == ids
    assert result.skipped_run_ids == []
    by_id = {e.id: e for e in target.list_runs()}
    assert sorted(by_id) == ids
    for run in runs:
        assert by_id[run.run_id].path == run.path
        got = target.get_metrics(run.run_id)
        expected = expected_rows(run)
        assert got["accuracy"].steps == [int(r["global_step"]) for r in expected]  # type: ignore[arg-type]
        assert got["accuracy"].values == pytest.approx([r["accuracy"] for r in expected])

    again = target.import_archive(archive)  # the viewer skips the runs it has
    assert (again.new_run_ids, again.skipped_run_ids) == ([], ids)
    assert again.preview is not None
    assert sorted(r.run_id for r in again.preview.conflicts) == ids
    assert sorted(e.id for e in target.list_runs()) == ids


def test_isolate_places_runs_under_imports(viewer: ViewerEnv, tmp_path: Path) -> None:
    _only07(viewer)
    run = next(r for r in viewer.manifest.runs if r.project == "nlp")
    archive = viewer.client.experiments.export_archive(run.run_id, tmp_path / "one.zip")
    target, _ = empty_viewer(viewer, "import-isolate")
    result = target.import_archive(archive, mode="isolate")
    assert result.new_run_ids == [run.run_id]
    assert result.isolate_base is not None
    assert result.isolate_base.startswith("imports/")
    (imported,) = target.list_runs()
    assert imported.path == f"{result.isolate_base}/{run.path}"


def test_import_refuses_bad_input_before_any_request(viewer: ViewerEnv, tmp_path: Path) -> None:
    client = viewer.client
    archive = tmp_path / "a.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    with counting(client) as sent:
        with pytest.raises(api.InvalidArgumentError, match="not a file"):
            client.import_archive(tmp_path / "missing.zip")
        with pytest.raises(api.InvalidArgumentError, match="mode"):
            client.import_archive(archive, mode="replace")  # type: ignore[arg-type]
        if viewer.generation == "0.5":
            for kwargs in ({"dry_run": True}, {"mode": "isolate"}):
                with pytest.raises(api.UnsupportedFeatureError, match=r"0\.7\.x"):
                    client.import_archive(archive, **kwargs)  # type: ignore[arg-type]
    assert sent == []


def test_05_uploads_need_python_multipart(viewer: ViewerEnv, tmp_path: Path) -> None:
    if viewer.generation != "0.5":
        pytest.skip("0.5.x only")
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("p/n/runs/20200101_000000_abcdef/meta.json", "{}")
    with pytest.raises(api.UnsupportedFeatureError, match="python-multipart"):
        viewer.client.import_archive(archive)


def test_permanent_delete(viewer: ViewerEnv) -> None:
    client = viewer.client
    if viewer.generation == "0.5":
        with counting(client) as sent, pytest.raises(api.UnsupportedFeatureError):
            client.experiments.delete(viewer.manifest.runs[0].run_id, permanent=True, dry_run=True)
        assert sent == []
        return
    copy, storage = copy_viewer(viewer, "permanent")
    run = next(r for r in viewer.manifest.runs if r.key == "resnet-s0")
    folder = storage / "runs" / run.path / run.run_id
    assert folder.is_dir()
    with counting(copy) as sent:
        with pytest.raises(api.InvalidArgumentError, match="confirm=True"):
            copy.experiments.delete(run.run_id, permanent=True)
        with pytest.raises(api.InvalidArgumentError, match="permanent=True"):
            copy.experiments.delete(run.run_id, dry_run=True)  # type: ignore[call-overload]
    assert sent == []

    preview = copy.experiments.delete(run.run_id, permanent=True, dry_run=True)
    assert preview.dry_run is True
    assert preview.results[run.run_id].run_dir_deleted is True  # would be
    assert folder.is_dir()  # ...and is not
    assert copy.get_run(run.run_id).id == run.run_id

    done = copy.experiments.delete(run.run_id, permanent=True, confirm=True)
    assert (done.dry_run, done.deleted_count) == (False, 1)
    assert not folder.exists()
    with pytest.raises(api.NotFoundError):
        copy.get_run(run.run_id)
    assert run.run_id not in {d.id for d in copy.recycle_bin.list()}
    with pytest.raises(api.RunicornAPIError, match="Run not found") as gone:
        copy.experiments.delete(run.run_id, permanent=True, dry_run=True)
    assert isinstance(gone.value.body, api.models.PermanentDeletion)


def test_asset_refs(viewer: ViewerEnv) -> None:
    client = viewer.client
    run = next(r for r in viewer.manifest.runs if r.key == "resnet-s0")
    if viewer.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            client.experiments.asset_refs(run.run_id)
        return
    refs = client.experiments.asset_refs(run.run_id)
    assert refs.run_id == run.run_id
    listed = refs.orphaned_assets + refs.shared_assets
    assert {a.name for a in listed if a.name} == {a["name"] for a in run.artifacts}
    assert (refs.orphaned_count, refs.shared_count) == (
        len(refs.orphaned_assets),
        len(refs.shared_assets),
    )
    # resnet-s2 logged no datasets or models: only its config is recorded.
    bare = next(r for r in viewer.manifest.runs if r.key == "resnet-s2")
    theirs = client.experiments.asset_refs(bare.run_id)
    assert [a.name for a in theirs.orphaned_assets + theirs.shared_assets if a.name] == []
