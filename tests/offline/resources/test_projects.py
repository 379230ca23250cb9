"""``client.projects`` (``resources/projects.py``) against recorded answers: names,
projects with their run counts, and the path tree."""

from __future__ import annotations

from collections import Counter

import pytest

import runicorn_api as api
from runicorn_api.testing import MockResponse
from tests.support.recorded import RecordedViewer


def test_names_of_a_project(recorded: RecordedViewer, mock_client: api.RunicornClient) -> None:
    project = recorded.values["project"]
    assert (
        mock_client.projects.names(project)
        == recorded.body(f"/api/projects/{project}/names")["names"]
    )


def test_a_names_answer_without_names_is_a_validation_error(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    project = recorded.values["project"]
    recorded.on("GET", f"/api/projects/{project}/names", MockResponse(json={"names": [1, 2]}))
    with pytest.raises(api.ResponseValidationError, match="names"):
        mock_client.projects.names(project)


def test_projects_count_the_recorded_runs(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    projects = {p.name: p for p in mock_client.list_projects()}
    if recorded.generation == "0.7":
        stats = recorded.body("/api/paths", include_stats="true")["stats"]
        for name, project in projects.items():
            assert project.experiment_count == stats[name]["total"]
    else:
        counts = Counter(i["project"] for i in recorded.body("/api/runs"))
        assert {n: p.experiment_count for n, p in projects.items()} == dict(counts)


def test_the_tree_is_0_7_s(recorded: RecordedViewer, mock_client: api.RunicornClient) -> None:
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.projects.tree()
        assert recorded.sent() == []
        return
    assert mock_client.projects.tree().tree == recorded.body("/api/paths/tree")["tree"]
