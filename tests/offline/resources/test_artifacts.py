"""``client.artifacts`` (``resources/artifacts/``) against recorded answers: the 0.5.x
artifact store and model registry, the 0.7.x per-run assets, and each side's refusals."""

from __future__ import annotations

import pytest

import runicorn_api as api
from runicorn_api.testing import MockResponse
from tests.support.recorded import RecordedViewer


def _name(recorded: RecordedViewer) -> str:
    return recorded.values["artifact_name"]


def test_0_5_lists_the_recorded_artifacts(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.7":
        pytest.skip("0.7.x lists per-run assets (tested below)")
    listed = recorded.body("/api/artifacts")
    artifacts = mock_client.artifacts.list_artifacts()
    assert sorted(a.name for a in artifacts) == sorted(i["name"] for i in listed)


def test_0_5_versions_and_detail(recorded: RecordedViewer, mock_client: api.RunicornClient) -> None:
    if recorded.generation == "0.7":
        pytest.skip("0.7.x versions come from per-run assets (tests/viewer/test_artifacts*)")
    name = _name(recorded)
    versions = mock_client.artifacts.list_versions(name)
    listed = recorded.body(f"/api/artifacts/{name}/versions")
    assert [v.version for v in versions] == sorted((i["version"] for i in listed), reverse=True)
    detail = recorded.body(f"/api/artifacts/{name}/v1")
    artifact = mock_client.artifacts.get_artifact(f"{name}:v1")
    assert (artifact.name, artifact.version, artifact.type) == (
        detail["name"], detail["version"], detail["type"]
    )  # fmt: skip


def test_0_5_files_and_lineage(recorded: RecordedViewer, mock_client: api.RunicornClient) -> None:
    if recorded.generation == "0.7":
        pytest.skip("0.7.x files and lineage come from per-run assets")
    name = _name(recorded)
    files = mock_client.artifacts.files(f"{name}:v1")
    recorded_files = recorded.body(f"/api/artifacts/{name}/v1/files")["files"]
    assert [(f.path, f.size) for f in files] == [(f["path"], f["size"]) for f in recorded_files]
    lineage = mock_client.artifacts.lineage(f"{name}:v1")
    body = recorded.body(f"/api/artifacts/{name}/v1/lineage")
    assert len(lineage.nodes) == len(body["nodes"])
    assert len(lineage.edges) == len(body["edges"])


@pytest.mark.parametrize("bad", ["", "  ", ":v1", ":latest"])
def test_a_malformed_artifact_id_is_refused_before_any_request(
    recorded: RecordedViewer, mock_client: api.RunicornClient, bad: str
) -> None:
    with pytest.raises((api.InvalidArgumentError, api.UnsupportedFeatureError)):
        mock_client.artifacts.get_artifact(bad)
    assert recorded.sent() == []


def test_the_registry_reads_are_0_5_s(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    name = _name(recorded) if recorded.generation == "0.5" else "cifar10"
    registry = mock_client.artifacts
    if recorded.generation == "0.7":
        for call in (registry.stats, lambda: registry.evaluations(name)):
            with pytest.raises(api.UnsupportedFeatureError):
                call()
        assert recorded.sent() == []
        return
    stats = registry.stats()
    assert stats.total_artifacts == recorded.body("/api/artifacts/stats")["total_artifacts"]
    assert registry.evaluations(name) == []
    history = registry.performance_history(name)
    recorded_history = recorded.body(f"/api/artifacts/{name}/performance-history")
    assert [h.version for h in history] == [h["version"] for h in recorded_history]
    metrics = registry.training_metrics(name)
    assert metrics is not None
    recorded_metrics = recorded.body(f"/api/artifacts/{name}/training-metrics")
    assert metrics.run_id == recorded_metrics["run_id"]


def test_an_unknown_artifact_is_not_found(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.7":
        pytest.skip("0.7.x has no artifact store")
    recorded.on(
        "GET",
        "/api/artifacts/nope/v1",
        MockResponse(404, json={"detail": "Artifact not found: nope"}),
    )
    with pytest.raises(api.NotFoundError, match="Artifact not found: nope"):
        mock_client.artifacts.get_artifact("nope:v1")


@pytest.mark.parametrize("index", range(0, 20, 3))
def test_a_run_s_artifacts(
    recorded: RecordedViewer, mock_client: api.RunicornClient, index: int
) -> None:
    run_id = recorded.document["runs"][index]["run_id"]
    found = mock_client.artifacts.for_run(run_id)
    if recorded.generation == "0.5":
        body = recorded.body(f"/api/runs/{run_id}/artifacts")
        assert [a.name for a in found.created] == [a["name"] for a in body["created"]]
        assert [a.name for a in found.used] == [a["name"] for a in body["used"]]
    else:
        assets = recorded.body(f"/api/runs/{run_id}/assets")["assets"]
        kinds = ("datasets", "pretrained", "outputs")
        named = [a["name"] for kind in kinds for a in assets.get(kind, [])]
        assert sorted(a.name for a in found.created + found.used) == sorted(named)


def test_0_7_asset_refs(recorded: RecordedViewer, mock_client: api.RunicornClient) -> None:
    run_id = recorded.run_id
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.experiments.asset_refs(run_id)
        return
    body = recorded.body(f"/api/runs/{run_id}/assets/refs")
    refs = mock_client.experiments.asset_refs(run_id)
    assert refs.orphaned_count == body["orphaned_count"]
    assert [a.name for a in refs.orphaned_assets] == [a["name"] for a in body["orphaned_assets"]]
