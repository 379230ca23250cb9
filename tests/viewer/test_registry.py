"""The 0.5.x model registry against a real 0.5.3 viewer, and its refusal on 0.7.x.

Promotions and deletions change the viewer's storage, so they run on a viewer of their
own over a copy of the data set. Expected values come from the fixture's manifest.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

import runicorn_api as api
from runicorn_api.models import STAGES, TRANSITIONS
from runicorn_api.testing.copies import copy_storage
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv


@pytest.fixture
def registry(viewer: ViewerEnv, tmp_path: Path) -> Iterator[api.RunicornClient]:
    if viewer.generation != "0.5":
        yield viewer.client
        return
    storage = tmp_path / "storage"
    copy_storage(viewer.prepared.storage, storage)
    client = api.local(storage, python=viewer.prepared.python, home=tmp_path / "home")
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def registry05(viewer: ViewerEnv, registry: api.RunicornClient) -> api.RunicornClient:
    """The registry client, for the tests of a registry that only 0.5.x viewers have."""
    if viewer.generation != "0.5":
        pytest.skip("0.7.x has no registry (its refusal is tested above)")
    return registry


def logged_versions(viewer: ViewerEnv, name: str) -> list[tuple[int, str]]:
    """(version, creating run) of each version of ``name`` the writer logged."""
    return sorted({(a["version"], run.run_id) for run in viewer.manifest.runs
                   for a in run.artifacts if a["name"] == name})  # fmt: skip


def test_registry_methods_name_what_07_has_instead(
    viewer: ViewerEnv, registry: api.RunicornClient
) -> None:
    if viewer.generation == "0.5":
        assert registry.server.supports("model_registry")
        return
    arts = registry.artifacts
    calls = [
        lambda: arts.promote("resnet-model:v1", "staging"),
        lambda: arts.evaluate("resnet-model:v1", {"acc": 1.0}),
        lambda: arts.evaluations("resnet-model"),
        lambda: arts.training_metrics("resnet-model"),
        lambda: arts.performance_history("resnet-model"),
        arts.stats,
        lambda: arts.delete_version("resnet-model:v1"),
    ]
    for call in calls:
        with counting(registry) as sent, pytest.raises(api.UnsupportedFeatureError) as info:
            call()
        assert sent == []
        assert f"runicorn {viewer.version}" in str(info.value)
        assert "no lifecycle stages, evaluations or version deletion" in str(info.value)


def test_promotion_moves_through_the_stages(
    viewer: ViewerEnv, registry05: api.RunicornClient
) -> None:
    arts = registry05.artifacts
    (first, creator), _ = logged_versions(viewer, "resnet-model")
    art = arts.get_artifact(f"resnet-model:v{first}")
    assert art.created_by_run == creator
    assert art.lifecycle_stage == "experimental"
    for bad, message in (("production", "can go to staging, archived only"),
                         ("prod", "to_stage must be one of experimental, staging")):  # fmt: skip
        with counting(registry05) as sent, pytest.raises(ValueError, match=message):
            arts.promote(art, bad)
        assert sent == []  # refused before any request
    done = arts.promote(art, "staging", notes="passed review")
    assert (done.artifact, done.from_stage, done.to_stage) == (art.id, "experimental", "staging")
    assert arts.get_artifact(art.id).lifecycle_stage == "staging"  # read back from the viewer
    assert arts.promote(art.id, "production").to_stage == "production"
    now = arts.get_artifact(art.id)
    assert now.lifecycle_stage == "production"
    with counting(registry05) as sent, pytest.raises(ValueError, match="'production' and can go"):
        arts.promote(now, "experimental")
    assert sent == []
    assert set(TRANSITIONS) == set(STAGES)


def test_evaluations_round_trip(viewer: ViewerEnv, registry05: api.RunicornClient) -> None:
    arts = registry05.artifacts
    (_, _), (second, _) = logged_versions(viewer, "resnet-model")
    with counting(registry05) as sent, pytest.raises(ValueError, match="finite number"):
        arts.evaluate(f"resnet-model:v{second}", {"acc": math.nan})
    assert sent == []
    receipt = arts.evaluate(
        f"resnet-model:v{second}", {"acc": 0.91, "f1": 0.8}, status="passed",
        notes="held-out set", test_dataset="cifar10",
    )  # fmt: skip
    found = arts.evaluations("resnet-model")
    assert [e.id for e in found] == [receipt.eval_id]
    assert found[0].metrics == {"acc": 0.91, "f1": 0.8}
    assert (found[0].model_version, found[0].status, found[0].notes) == (
        second, "passed", "held-out set")  # fmt: skip
    assert arts.evaluations("resnet-model", version=second + 5) == []


def test_training_metrics_history_stats_and_delete(
    viewer: ViewerEnv, registry05: api.RunicornClient
) -> None:
    arts = registry05.artifacts
    versions = logged_versions(viewer, "resnet-model")
    first, creator = versions[0]
    trained = arts.training_metrics("resnet-model", version=first)
    assert trained is not None
    assert trained.run_id == creator
    run = next(r for r in viewer.manifest.runs if r.run_id == creator)
    for key, value in run.summary.items():
        assert trained.metrics[key] == value
    history = arts.performance_history("resnet-model")
    assert [(h.version, h.run_id) for h in history] == versions
    assert history[0].metrics["final_accuracy"] == run.summary["final_accuracy"]
    stats = arts.stats()
    names = {a["name"] for r in viewer.manifest.runs for a in r.artifacts}
    pairs = {(a["name"], a["version"]) for r in viewer.manifest.runs for a in r.artifacts}
    assert (stats.total_artifacts, stats.total_versions) == (len(names), len(pairs))
    with pytest.raises(TypeError, match="permanent must be a bool"):
        arts.delete_version("vit-model:v1", permanent="yes")  # type: ignore[arg-type]
    gone = arts.delete_version("vit-model:latest")
    assert gone.success
    assert "vit-model:v1" in (gone.message or "")
