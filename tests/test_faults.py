"""The viewer dies in the middle of work and comes back on the same port."""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing.dataset import expected_rows
from tests.conftest import ViewerEnv


def test_viewer_death_then_restart_on_the_same_port(viewer: ViewerEnv) -> None:
    client = viewer.start_viewer("phoenix", max_retries=1, direct_reads="never")
    local = client.viewer
    assert local is not None
    before = sorted(e.id for e in client.list_experiments())
    port = local.port
    local.stop(remove=False)  # the viewer this test started, by its PID
    with pytest.raises(api.APIConnectionError):
        client.list_experiments()
    frame: Any = None
    with pytest.raises(api.APIConnectionError):
        frame = client.experiments.filter(project="vision").metrics(["loss"]).to_polars()
    assert frame is None  # no partial frame
    local.restart()
    assert local.port == port
    # The same client: its pool reconnects, nothing stale is reused.
    assert sorted(e.id for e in client.list_experiments()) == before
    run = viewer.manifest["resnet-s1"]
    loss = client.get_metrics(run.run_id, ["loss"])["loss"]
    assert loss.values == [r["loss"] for r in expected_rows(run)]
