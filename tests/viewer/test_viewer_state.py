"""What the viewer says about itself and its machine beyond health (temperatures, the
metrics cache, GPU collector, storage candidates, its own logs), its saved SSH
connections, and the metrics step route; against both real viewers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import runicorn_api as api
from runicorn_api.testing.copies import expected_rows
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv, copy_viewer


def test_temperatures(viewer: ViewerEnv) -> None:
    temps = viewer.client.system.temperatures()
    if temps.available:
        assert temps.sensors
        assert all(isinstance(s.label, str) for chip in temps.sensors.values() for s in chip)
    else:
        assert temps.reason
        assert temps.sensors == {}


def test_metrics_cache_stats_count_a_read(viewer: ViewerEnv) -> None:
    client = viewer.client
    run = viewer.manifest.runs[0]
    before = client.system.metrics_cache_stats()
    client.metrics.get(run.run_id, route="metrics_step")
    client.metrics.get(run.run_id, route="metrics_step")
    after = client.system.metrics_cache_stats()
    served = (after.hits + after.misses + after.incremental_updates) - (
        before.hits + before.misses + before.incremental_updates
    )
    assert served == 2
    assert after.size >= 1
    assert 0.0 <= after.hit_rate <= 1.0


def test_metrics_step_route_has_the_logged_rows(viewer: ViewerEnv) -> None:
    run = next(r for r in viewer.manifest.runs if r.project == "vision")
    with counting(viewer.client) as sent:
        got = viewer.client.metrics.get(run.run_id, route="metrics_step")
    assert [s.split("?")[0] for s in sent] == [f"GET /api/runs/{run.run_id}/metrics_step"]
    expected = expected_rows(run)
    assert got["loss"].steps == [int(r["global_step"]) for r in expected if r["loss"] is not None]  # type: ignore[arg-type]
    assert got["columns"][0] == "global_step"
    assert got["rows"][0]["global_step"] == 1
    assert got["rows"][0]["accuracy"] == pytest.approx(expected[0]["accuracy"])
    with pytest.raises(api.InvalidArgumentError, match="route"):
        viewer.client.metrics.get(run.run_id, route="steps")  # type: ignore[arg-type]


def test_gpu_collector(viewer: ViewerEnv) -> None:
    client = viewer.client
    if viewer.generation == "0.5":
        with counting(client) as sent:
            for call in (client.system.gpu_history, client.system.gpu_config):
                with pytest.raises(api.UnsupportedFeatureError, match=r"only 0\.7\.x"):
                    call()
            with pytest.raises(api.UnsupportedFeatureError):
                client.system.set_gpu_config(enabled=False)
        assert sent == []
        return
    history = client.system.gpu_history()
    assert history.available is False  # no GPU here: no sample was collected
    assert history.samples == []
    config = client.system.gpu_config()
    assert config.interval_sec > 0
    assert config.max_duration_h > 0
    own, _ = copy_viewer(viewer, "gpu-config")
    with counting(own) as sent:
        with pytest.raises(api.InvalidArgumentError, match="needs"):
            own.system.set_gpu_config()
        with pytest.raises(api.InvalidArgumentError, match="positive"):
            own.system.set_gpu_config(interval_sec=0)
    assert sent == []
    changed = own.system.set_gpu_config(enabled=not config.enabled)
    assert changed.enabled is (not config.enabled)
    assert own.system.gpu_config().enabled is (not config.enabled)
    assert own.system.gpu_history().enabled is (not config.enabled)


def test_storage_candidates(viewer: ViewerEnv) -> None:
    client = viewer.client
    if viewer.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            client.system.storage_candidates()
        return
    found = client.system.storage_candidates(str(viewer.prepared.root), max_depth=2)
    assert found.scan_root == str(viewer.prepared.root)
    by_path = {c.path: c for c in found.candidates}
    assert viewer.manifest.storage in by_path
    assert by_path[viewer.manifest.storage].run_count == len(viewer.manifest.runs)
    with pytest.raises(api.InvalidArgumentError):
        client.system.storage_candidates(max_depth=9)


def test_diagnostics(viewer: ViewerEnv) -> None:
    client = viewer.client
    if viewer.generation == "0.5":
        with counting(client) as sent:
            with pytest.raises(api.UnsupportedFeatureError):
                client.diagnostics.sources()
            with pytest.raises(api.UnsupportedFeatureError):
                client.diagnostics.logs("viewer")
        assert sent == []
        return
    sources = client.diagnostics.sources()
    assert sources.remote_mode is False
    assert sources.default_source in sources.ids()
    available = [s for s in sources.sources if s.available]
    assert available
    text = client.diagnostics.logs(available[0].id, lines=5)
    assert 0 < len(text.splitlines()) <= 5
    with pytest.raises(api.NotFoundError):
        client.diagnostics.logs("no-such-log")
    with pytest.raises(api.InvalidArgumentError):
        client.diagnostics.logs(lines=0)


def test_following_the_viewer_log(viewer: ViewerEnv) -> None:
    if viewer.generation == "0.5":
        pytest.skip("0.7.x only")
    client = viewer.client
    source = next(s for s in client.diagnostics.sources().sources if s.available)
    with client.diagnostics.follow(source.id, lines=3, timeout=20) as lines:
        first = [next(lines) for _ in range(3)]
        assert set(first) <= set(client.diagnostics.logs(source.id, lines=100).splitlines())
        # a line written to the log file (on this machine) arrives; none within the
        # 20 s ends the iterator, and next() fails the test
        marker = f"runicorn-api test marker {time.time()}"
        with open(source.path, "a", encoding="utf-8") as log:
            log.write(marker + "\n")
        assert marker in _until(lines, marker)
    with pytest.raises(api.NotFoundError), client.diagnostics.follow("nope", timeout=5) as bad:
        next(bad)


def _until(lines: Iterator[str], marker: str) -> list[str]:
    seen = []
    for line in lines:
        seen.append(line)
        if line == marker:
            break
    return seen


def test_saved_ssh_connections(viewer: ViewerEnv) -> None:
    own, _ = copy_viewer(viewer, "ssh-saved")
    r = own.remote
    assert r.ssh_connections() == []
    secret = "hunter2-do-not-show"
    with counting(own) as sent:
        with pytest.raises(api.InvalidArgumentError, match="remember_secrets"):
            r.save_ssh_connection("10.0.0.7", 2222, "alice", password=secret)
        with pytest.raises(api.InvalidArgumentError, match="username"):
            r.save_ssh_connection("10.0.0.7", 2222)
        with pytest.raises(api.InvalidArgumentError, match="host:port@username"):
            r.ssh_connection("alice")
    assert sent == []
    saved = r.save_ssh_connection("10.0.0.7", 2222, "alice", name="lab", auth_method="key",
                                  private_key_path="/keys/id_ed25519")  # fmt: skip
    assert (saved.key, saved.host, saved.port, saved.username) == (
        "10.0.0.7:2222@alice", "10.0.0.7", 2222, "alice")  # fmt: skip
    # 0.7.x stores the key's path encrypted, as a secret, and does not show it.
    shown_path = "/keys/id_ed25519" if viewer.generation == "0.5" else None
    assert (saved.name, saved.private_key_path, saved.has_password) == ("lab", shown_path, False)
    kept = r.save_ssh_connection("10.0.0.8", username="bob", password=secret,
                                 remember_secrets=True)  # fmt: skip
    assert kept.has_password is True
    listed = r.ssh_connections()
    assert {c.key for c in listed} == {"10.0.0.7:2222@alice", "10.0.0.8:22@bob"}
    for shown in (repr(listed), str([c.to_dict() for c in listed]), kept.to_json()):
        assert secret not in shown
    assert r.delete_ssh_connection("10.0.0.7:2222@alice")["ok"] is True
    assert [c.key for c in r.ssh_connections()] == ["10.0.0.8:22@bob"]
    with pytest.raises(api.NotFoundError):
        r.ssh_connection("10.0.0.7:2222@alice")
