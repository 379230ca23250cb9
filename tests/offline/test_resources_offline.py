"""Resources against a fake core: the seam between resources and the client works, with
no viewer and no client at all (see ``tests/support/fake_core.py``)."""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.resources._runs import RunLookup
from runicorn_api.resources.artifacts import ArtifactsResource
from runicorn_api.resources.experiments import ExperimentsResource
from runicorn_api.resources.metrics import MetricsResource
from runicorn_api.resources.projects import ProjectsResource
from runicorn_api.resources.recycle_bin import RecycleBinResource
from tests.support.fake_core import RecordingHome, fake_core, run_item

RUNS = [
    run_item("20250101_000000_aaaaaa", "vision/resnet", created=1.7e9 + 2),
    run_item("20250101_000001_bbbbbb", "vision/vit", status="failed", created=1.7e9 + 1),
    run_item("20250101_000002_cccccc", "nlp/bert", created=1.7e9 + 3),
]


def experiments(routes: dict[tuple[str, str], Any], **kw: Any) -> tuple[Any, Any, Any]:
    core, transport = fake_core(routes, **kw)
    runs = RunLookup(core)
    return ExperimentsResource(core, runs, MetricsResource(core, runs)), transport, core


def test_a_collection_sends_nothing_until_used_then_one_listing() -> None:
    resource, transport, _ = experiments({("GET", "/api/runs"): RUNS})
    query = resource.filter(status="finished").order_by("-created_at")
    assert transport.calls == []  # built, filtered and ordered: nothing sent yet
    assert query.ids() == ["20250101_000002_cccccc", "20250101_000000_aaaaaa"]
    assert query.ids() == ["20250101_000002_cccccc", "20250101_000000_aaaaaa"]
    assert transport.sent() == [("GET", "/api/runs")]  # fetched once, kept


def test_a_path_filter_is_pushed_down_to_the_viewer() -> None:
    vision = [r for r in RUNS if r["path"].startswith("vision/")]
    resource, transport, _ = experiments({("GET", "/api/paths/runs"): vision})
    assert [e.path for e in resource.filter(project="vision")] == ["vision/resnet", "vision/vit"]
    assert transport.calls[0].params == {"path": "vision", "exact": "false"}


def test_list_applies_limit_and_offset_here() -> None:
    resource, _, _ = experiments({("GET", "/api/runs"): RUNS})
    assert [e.id for e in resource.list(limit=1, offset=1)] == ["20250101_000001_bbbbbb"]
    with pytest.raises(api.InvalidArgumentError, match="offset must be >= 0"):
        resource.list(offset=-1)


def test_get_links_the_run_to_the_client_s_resources_and_loads_its_details() -> None:
    run_id = "20250101_000000_aaaaaa"
    detail = {**RUNS[0], "summary": {"best": 1}, "duration": 5.0, "start_time": 1.7e9}
    home = RecordingHome()
    resource, transport, _ = experiments(
        {("GET", f"/api/runs/{run_id}"): detail, ("GET", "/api/paths/runs"): RUNS[:1]},
        home=home,
    )
    exp = resource.get(run_id)
    assert transport.sent() == [("GET", f"/api/runs/{run_id}"), ("GET", "/api/paths/runs")]
    assert exp.summary == {"best": 1}  # no request: the details came with the detail
    assert exp.duration == 5.0
    assert len(transport.calls) == 2
    metrics = exp.metrics(["loss"])
    assert metrics.run_label == exp.display_name  # plots name the run by it
    exp.logs()
    assert [name for name, _ in home.asked] == ["metrics.get", "experiments.logs"]
    assert home.asked[0][1][0] == run_id


def test_details_load_in_bulk_once_for_a_frame_of_summaries() -> None:
    pytest.importorskip("polars")
    routes: dict[tuple[str, str], Any] = {("GET", "/api/runs"): RUNS}
    for run in RUNS:
        routes[("GET", f"/api/runs/{run['id']}")] = {
            **run,
            "summary": {"score": run["created_time"]},
        }
    resource, transport, _ = experiments(routes, max_workers=2)
    frame = resource.all().to_polars(["id", "summary.score"])
    assert frame["summary.score"].to_list() == [r["created_time"] for r in RUNS]
    details = [c for c in transport.calls if c.path.startswith("/api/runs/")]
    assert sorted(c.path for c in details) == sorted(f"/api/runs/{r['id']}" for r in RUNS)


def test_restore_posts_in_batches_of_one_hundred() -> None:
    ids = [f"20250101_000000_{i:06x}" for i in range(250)]

    def restored(_: Any, body: Any) -> dict[str, Any]:
        return {"results": {i: {"success": True} for i in body["run_ids"]}}

    core, transport = fake_core({("POST", "/api/recycle-bin/restore"): restored})
    result = RecycleBinResource(core).restore(ids)
    assert [len(c.body["run_ids"]) for c in transport.calls] == [100, 100, 50]
    assert result.succeeded == ids


def test_a_failed_restore_names_the_runs() -> None:
    answer = {"results": {"20250101_000000_aaaaaa": {"success": False, "error": "gone"}}}
    core, _ = fake_core({("POST", "/api/recycle-bin/restore"): answer})
    with pytest.raises(api.RunicornAPIError, match="20250101_000000_aaaaaa: gone"):
        RecycleBinResource(core).restore("20250101_000000_aaaaaa")


def test_projects_are_counted_from_the_runs_on_0_5() -> None:
    v05 = [{"id": r["id"], "project": r["path"].split("/")[0], "name": r["path"].split("/")[1],
            "status": r["status"], "created_time": r["created_time"]} for r in RUNS]  # fmt: skip
    core, _ = fake_core({("GET", "/api/runs"): v05}, version="0.5.3")
    projects = {p.name: p for p in ProjectsResource(core, RunLookup(core)).list()}
    assert (projects["vision"].experiment_count, projects["vision"].failed) == (2, 1)
    assert (projects["nlp"].experiment_count, projects["nlp"].finished) == (1, 1)


def test_0_5_artifacts_come_from_the_artifacts_endpoint() -> None:
    listing = [{"name": "weights", "type": "model", "latest_version": 2, "aliases": {"best": 2}}]
    core, transport = fake_core({("GET", "/api/artifacts"): listing}, version="0.5.3")
    (artifact,) = ArtifactsResource(core, RunLookup(core)).list_artifacts()
    assert (artifact.name, artifact.version, artifact.aliases) == ("weights", 2, ["best"])
    assert transport.sent() == [("GET", "/api/artifacts")]


def test_0_7_artifacts_come_from_every_run_s_assets() -> None:
    routes: dict[tuple[str, str], Any] = {("GET", "/api/runs"): RUNS}
    for run in RUNS:
        routes[("GET", f"/api/runs/{run['id']}/assets")] = {"assets": {}}
    core, transport = fake_core(routes)
    assert ArtifactsResource(core, RunLookup(core)).list_artifacts() == []
    assert sorted(p for _, p in transport.sent()[1:]) == sorted(
        f"/api/runs/{r['id']}/assets" for r in RUNS
    )


def test_a_bad_run_id_is_refused_before_any_request() -> None:
    resource, transport, _ = experiments({})
    for bad in ("", "a/b", None):
        with pytest.raises(api.InvalidArgumentError):
            resource.get(bad)  # type: ignore[arg-type]
    assert transport.calls == []


def test_a_permanent_delete_goes_in_batches_of_50_and_merges_them() -> None:
    ids = [f"20250101_000000_{i:06x}" for i in range(120)]

    def answer(params: Any, body: Any) -> dict[str, Any]:
        return {
            "dry_run": body["dry_run"],
            "deleted_count": len(body["run_ids"]),
            "total_blobs_deleted": 1,
            "total_bytes_freed": 10,
            "results": {i: {"success": True, "run_id": i} for i in body["run_ids"]},
        }

    resource, transport, _ = experiments({("POST", "/api/runs/permanent-delete"): answer})
    with pytest.raises(api.InvalidArgumentError, match="confirm=True"):
        resource.delete(ids, permanent=True)
    assert transport.calls == []
    done = resource.delete(ids, permanent=True, confirm=True)
    assert [len(c.body["run_ids"]) for c in transport.calls] == [50, 50, 20]
    assert (done.deleted_count, done.total_runs, done.total_bytes_freed) == (120, 120, 30)
    assert sorted(done.results) == ids
    assert done.failed == {}


def test_a_permanent_delete_names_the_runs_it_could_not_delete() -> None:
    run_id = "20250101_000000_aaaaaa"
    failed = {"success": False, "run_id": run_id, "errors": [f"Run not found: {run_id}"]}
    resource, _, _ = experiments({
        ("POST", "/api/runs/permanent-delete"): {"dry_run": True, "results": {run_id: failed}},
    })  # fmt: skip
    with pytest.raises(api.RunicornAPIError, match=f"Run not found: {run_id}") as info:
        resource.delete(run_id, permanent=True, dry_run=True)
    assert info.value.body.failed == {run_id: f"Run not found: {run_id}"}


def test_a_05_core_refuses_07_routes_before_any_request() -> None:
    resource, transport, _ = experiments({}, version="0.5.3")
    with pytest.raises(api.UnsupportedFeatureError, match="POST /api/runs/permanent-delete"):
        resource.delete("20250101_000000_aaaaaa", permanent=True, dry_run=True)
    with pytest.raises(api.UnsupportedFeatureError, match=r"only 0\.7\.x viewers serve it"):
        resource.asset_refs("20250101_000000_aaaaaa")
    assert transport.calls == []


def test_paths_on_05_are_counted_here_from_the_runs() -> None:
    from runicorn_api.resources.paths import PathsResource

    items = [
        {"id": f"20250101_00000{i}_aaaaaa", "project": "vision", "name": name, "status": status}
        for i, (name, status) in enumerate(
            [("resnet", "finished"), ("vit", "failed"), ("vit", "interrupted")]
        )
    ]
    core, transport = fake_core({("GET", "/api/runs"): items}, version="0.5.3")
    runs = RunLookup(core)
    paths = PathsResource(core, runs, ExperimentsResource(core, runs, MetricsResource(core, runs)))
    listing = paths.list(include_stats=True)
    assert listing.paths == ["vision/resnet", "vision/vit"]
    assert listing.tree == {"vision": {"resnet": {}, "vit": {}}}
    assert listing.stats is not None
    assert listing.stats["vision"].to_dict() == {
        "total": 3,
        "running": 0,
        "finished": 1,
        "failed": 1,
    }
    assert listing.stats["vision/vit"].total == 2
    assert paths.list().stats is None
    assert transport.sent() == [("GET", "/api/runs"), ("GET", "/api/runs")]


def test_metrics_answer_the_viewers_columns_and_rows() -> None:
    from runicorn_api._frames.columns import Column

    m = api.RunMetrics(
        run_id="r",
        steps=Column.of([1, 2], "int"),
        timestamps=Column.of([10.0, 20.0], "float"),
        columns={"loss": Column.of([0.5, None], "float"), "acc": Column.of([0.1, 0.2], "float")},
        text_columns={"stage": ["train", "val"]},
    )
    assert m["columns"] == ["global_step", "acc", "loss", "stage", "time"]
    assert m["rows"] == [
        {"global_step": 1, "loss": 0.5, "acc": 0.1, "stage": "train", "time": 10.0},
        {"global_step": 2, "loss": None, "acc": 0.2, "stage": "val", "time": 20.0},
    ]
    assert list(m.columns) == ["loss", "acc"]  # the attribute stays the typed columns
    assert m["loss"].values == [0.5]
    assert "rows" in m.keys()  # noqa: SIM118 - keys() is the model's list of keys


def test_saved_ssh_connections_never_keep_a_secret() -> None:
    from runicorn_api.models.ssh import SavedSSHConnection

    saved = SavedSSHConnection.model_validate(
        {"key": "h:22@u", "host": "h", "username": "u", "password": "pw-xyzzy", "passphrase": ""}
    )
    assert saved.has_password is True
    assert saved.has_passphrase is False
    assert "pw-xyzzy" not in repr(saved) + saved.to_json() + str(saved.to_dict())
