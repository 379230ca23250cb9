"""``client.experiments`` (``resources/experiments/``) against recorded answers of both
generations: listings, filters pushed to the viewer, details, writes and refusals."""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import MockRequest, MockResponse
from tests.support.recorded import RecordedViewer, same_values


def test_the_listing_is_every_recorded_run_in_the_viewer_s_order(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    listed = recorded.body("/api/runs")
    runs = mock_client.list_experiments()
    assert [r.id for r in runs] == [item["id"] for item in listed]
    assert recorded.sent() == ["/api/runs"]
    for run, item in zip(runs, listed, strict=True):
        assert {"id", "status"} <= set(same_values(run, item))


def test_the_listing_carries_each_generation_s_identity(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    listed = {item["id"]: item for item in recorded.body("/api/runs")}
    for run in mock_client.list_experiments():
        item = listed[run.id]
        if recorded.generation == "0.5":
            assert (run.project, run.name) == (item["project"], item["name"])
        else:
            assert (run.path, run.alias, run.tags) == (item["path"], item["alias"], item["tags"])


@pytest.mark.parametrize("status", ["finished", "failed", "running", "interrupted"])
def test_a_status_filter_keeps_the_recorded_runs_of_that_status(
    recorded: RecordedViewer, mock_client: api.RunicornClient, status: str
) -> None:
    expected = [i["id"] for i in recorded.body("/api/runs") if i["status"] == status]
    assert mock_client.experiments.filter(status=status).ids() == expected


def test_limit_and_offset_slice_the_listing(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    ids = [i["id"] for i in recorded.body("/api/runs")]
    assert [r.id for r in mock_client.list_experiments(limit=3, offset=2)] == ids[2:5]


def test_the_collection_is_lazy_until_read(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    runs = mock_client.experiments.filter(status="finished").order_by("-id")
    assert recorded.sent() == []
    assert len(runs) == len([i for i in recorded.body("/api/runs") if i["status"] == "finished"])
    assert recorded.sent() == ["/api/runs"]


def test_a_project_filter_is_pushed_to_the_viewer_s_own_route(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    values = recorded.values
    if recorded.generation == "0.5":
        runs = mock_client.experiments.filter(project=values["project"], name=values["name"])
        route = f"/api/projects/{values['project']}/names/{values['name']}/runs"
        expected = [i["id"] for i in recorded.body(route)]
    else:
        runs = mock_client.experiments.filter(path=values["path"])
        route = "/api/paths/runs"
        expected = [i["id"] for i in recorded.body(route, path=values["path"])]
    assert runs.ids() == expected
    assert recorded.sent() == [route]


def test_get_merges_the_detail_into_the_run(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    run_id = recorded.run_id
    detail = recorded.body(f"/api/runs/{run_id}")
    run = mock_client.get_experiment(run_id)
    assert {"id", "status"} <= set(same_values(run, detail))
    assert recorded.sent()[0] == f"/api/runs/{run_id}"
    if recorded.generation == "0.7":  # the detail's summary: the user's keys, and the best metric
        summary = detail["summary"]
        best = {k: summary.pop(k) for k in list(summary) if k.startswith("best_metric_")}
        assert run.summary == summary
        assert (run.best_metric.name, run.best_metric.step, run.best_metric.mode) == (
            best["best_metric_name"], best["best_metric_step"], best["best_metric_mode"]
        )  # fmt: skip
        assert run.best_metric.value == pytest.approx(best["best_metric_value"])


@pytest.mark.parametrize("bad", ["", "   ", "../etc", "a\\b", 12, None])
def test_a_malformed_run_id_is_refused_before_any_request(
    recorded: RecordedViewer, mock_client: api.RunicornClient, bad: Any
) -> None:
    with pytest.raises(api.InvalidArgumentError):
        mock_client.get_experiment(bad)
    assert recorded.sent() == []


def test_an_unknown_run_is_not_found(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    unknown = recorded.run_id[:-1] + "0"
    with pytest.raises(api.NotFoundError) as info:
        mock_client.get_experiment(unknown)
    assert info.value.status_code == 404
    assert recorded.body(f"/api/runs/{unknown}")["detail"] in str(info.value)


@pytest.mark.parametrize("method", ["progress", "environment"])
def test_run_side_reads_validate_the_recorded_answer(
    recorded: RecordedViewer, mock_client: api.RunicornClient, method: str
) -> None:
    run_id = recorded.run_id
    route = {
        "progress": f"/api/runs/{run_id}/progress",
        "environment": f"/api/environment/{run_id}",
    }[method]
    model = getattr(mock_client.experiments, method)(run_id)
    assert recorded.sent() == [route]
    assert "available" in same_values(model, recorded.body(route))


def test_delete_posts_the_ids_in_batches(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    ids = [i["id"] for i in recorded.body("/api/runs")][:3]

    def soft_delete(request: MockRequest) -> Any:
        return {"results": {rid: {"success": True} for rid in request.json()["run_ids"]}}

    recorded.on("POST", "/api/runs/soft-delete", soft_delete)
    result = mock_client.experiments.delete(ids)
    assert recorded.calls[-1].json() == {"run_ids": ids}
    assert sorted(result.results) == sorted(ids)


def test_a_failed_delete_names_the_run(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    run_id = recorded.run_id
    recorded.on(
        "POST",
        "/api/runs/soft-delete",
        MockResponse(json={"results": {run_id: {"success": False, "error": "locked"}}}),
    )
    with pytest.raises(api.RunicornAPIError, match=run_id):
        mock_client.experiments.delete(run_id)


def test_update_sends_a_patch_on_0_7_and_is_refused_on_0_5(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    run_id = recorded.run_id
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.experiments.update(run_id, alias="best")
        assert recorded.sent("PATCH") == []
        return
    recorded.on("PATCH", f"/api/runs/{run_id}", MockResponse(json={"ok": True}))
    mock_client.experiments.update(run_id, alias="best", tags=["a", "b"])
    patch = next(c for c in recorded.calls if c.method == "PATCH")
    assert patch.json() == {"alias": "best", "tags": ["a", "b"]}


def test_move_is_0_7_only_and_checks_its_target_first(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    run_id = recorded.run_id
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.experiments.move(run_id, "a/b")
        return
    for bad in ("  ", "/", " / ", 3):
        with pytest.raises(api.InvalidArgumentError):
            mock_client.experiments.move(run_id, bad)  # type: ignore[arg-type]
    assert recorded.sent("POST") == []
    moved = {"run_id": run_id, "new_path": "a/b"}
    recorded.on("POST", "/api/runs/move", MockResponse(json={"moved": [moved], "failed": []}))
    result = mock_client.experiments.move(run_id, "/a/b/")
    assert recorded.calls[-1].json() == {"run_ids": [run_id], "target_path": "a/b"}
    assert result.results[run_id]["success"] is True


def test_a_failed_move_names_the_run(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.5":
        pytest.skip("0.5.x has no move (its refusal is tested above)")
    run_id = recorded.run_id
    failed = {"run_id": run_id, "error": "target exists"}
    recorded.on("POST", "/api/runs/move", MockResponse(json={"moved": [], "failed": [failed]}))
    with pytest.raises(api.RunicornAPIError, match="target exists"):
        mock_client.experiments.move(run_id, "a/b")
