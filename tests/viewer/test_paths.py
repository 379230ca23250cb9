"""``client.paths`` and the 0.7 client's path calls, against both real viewers: listings
and counts from the data set's manifest; create, delete and export on a copy of it."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest

import runicorn_api as api
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv, copy_viewer


def _expected_stats(viewer: ViewerEnv) -> dict[str, dict[str, int]]:
    """Per path and ancestor: total and the three statuses the viewer counts."""
    stats: dict[str, Counter[str]] = {}
    for run in viewer.manifest.runs:
        parts = run.path.split("/")
        for depth in range(1, len(parts) + 1):
            tally = stats.setdefault("/".join(parts[:depth]), Counter())
            tally["total"] += 1
            status = "running" if run.live else run.status
            if status in ("running", "finished", "failed"):
                tally[status] += 1
    return {
        path: {k: tally[k] for k in ("total", "running", "finished", "failed")}
        for path, tally in stats.items()
    }


def test_list_paths_with_counts(viewer: ViewerEnv) -> None:
    listing = viewer.client.list_paths(include_stats=True)
    paths = {r.path for r in viewer.manifest.runs}
    expected = _expected_stats(viewer)
    assert set(listing.paths) >= paths
    assert listing.stats is not None
    assert {p: listing.stats[p].to_dict() for p in expected} == expected
    # Other tests move runs away and back; the viewer keeps listing the emptied folders.
    left = set(listing.stats) - set(expected)
    assert {p: listing.stats[p].total for p in left} == dict.fromkeys(left, 0)
    for path in paths:  # the tree holds every path
        node = listing.tree
        for part in path.split("/"):
            node = node[part]
    assert viewer.client.list_paths().stats is None


def test_list_runs_by_path(viewer: ViewerEnv) -> None:
    client = viewer.client
    under = {r.run_id for r in viewer.manifest.runs if r.path.split("/")[0] == "vision"}
    assert {e.id for e in client.list_runs_by_path("vision")} == under
    some = next(r for r in viewer.manifest.runs if r.project == "vision")
    exact = {r.run_id for r in viewer.manifest.runs if r.path == some.path}
    assert {e.id for e in client.list_runs_by_path(some.path, exact=True)} == exact
    assert client.list_runs_by_path("vision", exact=True) == []
    assert {e.id for e in client.list_runs_by_path()} == viewer.manifest.ids()
    with counting(client) as sent, pytest.raises(api.InvalidArgumentError):
        client.list_runs_by_path("/")
    assert sent == []


def test_project_names(viewer: ViewerEnv) -> None:
    names = viewer.client.projects.names("rl")
    expected = {r.name for r in viewer.manifest.runs if r.project == "rl"}
    assert set(names) == expected


def test_writing_paths_needs_07(viewer: ViewerEnv) -> None:
    if viewer.generation == "0.7":
        pytest.skip("0.7.x writes paths")
    client = viewer.client
    with counting(client) as sent:
        for call in (
            lambda: client.paths.create("x/y"),
            lambda: client.paths.delete("vision"),
            lambda: client.paths.export("vision", "out.zip"),
        ):
            with pytest.raises(api.UnsupportedFeatureError, match=r"only 0\.7\.x viewers serve"):
                call()
    assert sent == []


@pytest.fixture(scope="module")
def copy07(viewer: ViewerEnv) -> api.RunicornClient:
    if viewer.generation != "0.7":
        pytest.skip("0.7.x only")
    return copy_viewer(viewer, "paths")[0]


def test_create_a_path(copy07: api.RunicornClient) -> None:
    created = copy07.paths.create("/scratch/new-one/")
    assert (created.ok, created.path) == (True, "scratch/new-one")
    with pytest.raises(api.ConflictError, match="already exists"):
        copy07.paths.create("scratch/new-one")
    with counting(copy07) as sent:
        for bad in ("a/../b", "semi;colon", ""):
            with pytest.raises(api.InvalidArgumentError):
                copy07.paths.create(bad)
    assert sent == []
    # a run moved into it is listed under it
    run = copy07.list_runs_by_path("rl/dqn", exact=True)[0]
    copy07.experiments.move(run.id, "scratch/new-one")
    assert [e.id for e in copy07.list_runs_by_path("scratch/new-one", exact=True)] == [run.id]


def test_export_a_path(viewer: ViewerEnv, copy07: api.RunicornClient, tmp_path: Path) -> None:
    vision = {r.run_id: r for r in viewer.manifest.runs if r.project == "vision"}
    written = copy07.paths.export("vision", tmp_path)
    assert written == tmp_path / "vision.zip"
    with zipfile.ZipFile(written) as zf:
        names = zf.namelist()
    assert "index.json" in names
    for run_id in vision:
        assert f"{run_id}/events.jsonl" in names
    assert not list(tmp_path.glob(".*part"))  # nothing half-written left beside it
    document = copy07.paths.export("vision", format="json")
    assert document.total_runs == len(vision)
    assert {r.run_id for r in document.runs} == set(vision)
    assert {r.run_id: r.path for r in document.runs} == {k: v.path for k, v in vision.items()}
    with pytest.raises(api.NotFoundError):
        copy07.paths.export("no/such/path", tmp_path / "none.zip")
    assert not (tmp_path / "none.zip").exists()


def test_delete_a_path(viewer: ViewerEnv, copy07: api.RunicornClient) -> None:
    nlp = {r.run_id for r in viewer.manifest.runs if r.project == "nlp"}
    result = copy07.paths.delete("nlp")
    assert result.deleted_count == len(nlp)
    assert copy07.list_runs_by_path("nlp") == []
    assert nlp <= {d.id for d in copy07.recycle_bin.list()}
    copy07.recycle_bin.restore(sorted(nlp))
    assert {e.id for e in copy07.list_runs_by_path("nlp")} == nlp
