"""``client.paths`` (``resources/paths.py``) against recorded answers: 0.7.x paths with
their counts, runs under a path, and writes; 0.5.x answers from ``project/name``."""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import MockRequest, MockResponse
from tests.support.recorded import RecordedViewer


def test_the_listing_is_the_recorded_paths(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    listing = mock_client.paths.list(include_stats=True)
    if recorded.generation == "0.7":
        body = recorded.body("/api/paths", include_stats="true")
        assert listing.paths == body["paths"]
        assert recorded.calls[-1].params == {"include_stats": "true"}
        for path, counts in body["stats"].items():
            assert listing.stats[path].total == counts["total"]
    else:  # built from the runs' project/name
        expected = {f"{i['project']}/{i['name']}" for i in recorded.body("/api/runs")}
        assert expected <= set(listing.paths)
        assert recorded.sent() == ["/api/runs"]


def test_runs_under_a_path(recorded: RecordedViewer, mock_client: api.RunicornClient) -> None:
    path = recorded.values["path"]
    runs = mock_client.list_runs_by_path(path)
    if recorded.generation == "0.7":
        assert [r.id for r in runs] == [
            i["id"] for i in recorded.body("/api/paths/runs", path=path)
        ]
    else:
        project, name = path.split("/")
        route = f"/api/projects/{project}/names/{name}/runs"
        assert [r.id for r in runs] == [i["id"] for i in recorded.body(route)]


@pytest.mark.parametrize("bad", ["", "  ", "a//b", "../x", "/", 5])
def test_create_refuses_a_bad_path_before_any_request(
    recorded: RecordedViewer, mock_client: api.RunicornClient, bad: Any
) -> None:
    with pytest.raises((api.InvalidArgumentError, api.UnsupportedFeatureError)):
        mock_client.paths.create(bad)
    assert recorded.sent("POST") == []


def test_create_posts_the_path_on_0_7_only(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.paths.create("team/new")
        assert recorded.sent("POST") == []
        return
    recorded.on("POST", "/api/paths/create", MockResponse(json={"ok": True, "path": "team/new"}))
    created = mock_client.paths.create("team/new")
    assert recorded.calls[-1].json() == {"path": "team/new"}
    assert created.path == "team/new"


def test_an_existing_path_is_a_conflict(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.5":
        pytest.skip("0.5.x has no paths to create (its refusal is tested above)")
    recorded.on(
        "POST", "/api/paths/create", MockResponse(409, json={"detail": "Path already exists"})
    )
    with pytest.raises(api.ConflictError, match="Path already exists"):
        mock_client.paths.create("zoo")


def test_delete_sends_path_and_exact(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.paths.delete("zoo/a")
        return

    def soft_delete(request: MockRequest) -> Any:
        return {"ok": True, "deleted_count": 1, "path": request.json()["path"], "errors": []}

    recorded.on("POST", "/api/paths/soft-delete", soft_delete)
    result = mock_client.paths.delete("zoo/a", exact=True)
    assert recorded.calls[-1].json() == {"path": "zoo/a", "exact": True}
    assert result.deleted_count == 1


def test_export_as_json_is_the_recorded_export(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    path = recorded.values["path"]
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.paths.export(path, format="json")
        assert recorded.sent() == []
        return
    body = recorded.body("/api/paths/export", path=path, format="json")
    export = mock_client.paths.export(path, format="json")
    assert export.total_runs == body["total_runs"]
    assert [r.run_id for r in export.runs] == [r["run_id"] for r in body["runs"]]
