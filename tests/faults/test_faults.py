"""The viewer dies in the middle of work and comes back on the same port."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing.copies import expected_rows, specs_for, write_runs
from tests.support.reliability import report
from tests.support.viewers import ViewerEnv


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


def test_viewer_death_in_the_middle_of_work(viewer: ViewerEnv) -> None:
    """The viewer dies after the first answer of a multi-run fetch, and between two steps
    of an iteration: a typed error each time, no partial frame, and the same client works
    once the viewer is back. (A download torn by a dying viewer is a body cut short on a
    closed connection; test_downloads shows such a download leaves no file.)"""
    client = viewer.start_viewer("midway", max_retries=1, direct_reads="never", max_workers=1)
    local = client.viewer
    assert local is not None
    runs = [r for r in viewer.manifest.runs if r.project == "vision" and r.status == "finished"]
    answered: list[str] = []

    def die_after_first_metrics(response: Any, *args: Any, **kwargs: Any) -> None:
        if "/metrics" in response.request.path_url:
            answered.append(response.request.path_url)
            if len(answered) == 1:
                local.stop(remove=False)

    client.session.hooks["response"].append(die_after_first_metrics)
    frame: Any = None
    with pytest.raises(api.APIConnectionError):
        frame = client.experiments.filter(project="vision").metrics(["loss"]).to_polars()
    assert frame is None  # one run arrived, the frame did not
    assert len(answered) == 1
    client.session.hooks["response"].remove(die_after_first_metrics)
    local.restart()

    seen: list[Any] = []

    def analyse() -> None:
        for experiment in client.experiments.filter(project="vision"):
            seen.append(experiment.metrics(["loss"]))
            if len(seen) == 1:
                local.stop(remove=False)

    with pytest.raises(api.APIConnectionError):
        analyse()
    assert len(seen) == 1
    local.restart()
    report(viewer, "viewer killed mid-fetch and mid-iteration, then restarted", 2,
           len(answered) + len(seen), 0, 0, 0.0)  # fmt: skip
    loss = {m.run_id: m for m in client.experiments.filter(project="vision", status="finished")
            .metrics(["loss"])}  # fmt: skip
    assert sorted(loss) == sorted(r.run_id for r in runs)
    for run in runs:
        assert loss[run.run_id]["loss"].values == [r["loss"] for r in expected_rows(run)]


def test_viewer_death_in_the_middle_of_a_download(viewer: ViewerEnv, tmp_path: Path) -> None:
    """A viewer killed once the answer's head has arrived, with 64 MiB still to send: a
    typed error, and nothing in the destination or beside it."""
    if viewer.generation == "0.5":
        pytest.skip("0.5.x viewers serve no file download (its refusal: test_downloads)")
    source = tmp_path / "big"
    source.mkdir()
    (source / "weights.bin").write_bytes(os.urandom(64 << 20))
    spec = specs_for(viewer.generation, [{"key": "big-download", "project": "dl",
                                          "tail": "big", "status": "finished", "seed": 0,
                                          "steps": 5, "artifacts": [{
                                              "name": "big-data", "type": "dataset",
                                              "source": str(source)}]}])  # fmt: skip
    storage = tmp_path / "storage"
    write_runs(viewer.prepared.python, viewer.version, storage, spec,
               scratch=tmp_path / "scratch", home=tmp_path / "home")  # fmt: skip
    dest = tmp_path / "dest"
    system_tmp = Path(tempfile.gettempdir())
    before = set(system_tmp.glob("runicorn_*"))
    with api.local(storage, python=viewer.prepared.python, home=tmp_path / "viewer-home",
                   direct_reads="never", max_retries=0) as client:  # fmt: skip
        local = client.viewer
        assert local is not None
        killed: list[str] = []

        def die_when_the_body_starts(response: Any, *args: Any, **kwargs: Any) -> None:
            if "/assets/download" in response.request.path_url and not killed:
                killed.append(response.request.path_url)
                local.stop(remove=False)

        client.session.hooks["response"].append(die_when_the_body_starts)
        with pytest.raises((api.APIConnectionError, api.DownloadError)):
            client.artifacts.download("big-data:v1", dest)
        assert killed  # the viewer died mid-answer, not before it
    report(viewer, "viewer killed mid-download (64 MiB)", 1, 1, 0, 0, 0.0)
    assert not dest.exists() or list(dest.rglob("*")) == []
    # The zip the viewer was building went with the viewer's own temporary folder.
    assert set(system_tmp.glob("runicorn_*")) - before == set()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
