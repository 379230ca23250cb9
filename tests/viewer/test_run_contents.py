"""What a run has besides metrics, and the viewer's machine and storage, on both viewers.

Two runs of the data set captured their environment with planted packages on their
PYTHONPATH (``env_packages``); expected values come from those, from this machine and
from the data set's manifest.
"""

from __future__ import annotations

import os
import platform
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api import utils
from runicorn_api.testing.copies import expected_rows, specs_for, write_runs
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv


def test_a_captured_environment(viewer: ViewerEnv) -> None:
    run = viewer.manifest["resnet-s0"]
    assert run.env_packages
    env = viewer.client.get_run(run.run_id).environment()
    assert env.captured
    for name, version in run.env_packages.items():
        assert env.packages[name] == version
    assert env.packages["runicorn"] == viewer.version  # the writer's own SDK
    assert env.python_version is not None
    assert env.python_version.split()[0] == platform.python_version()
    assert env["packages"] == env.packages  # the seed's dict-style access


def test_an_environment_not_captured_is_a_state(viewer: ViewerEnv) -> None:
    run = viewer.manifest["vit-s0"]
    assert run.env_packages is None
    env = viewer.client.experiments.environment(run.run_id)
    assert env.captured is False
    assert env.packages == {}
    assert env.git_commit is None


def test_compare_environments_finds_the_planted_difference(viewer: ViewerEnv) -> None:
    a, b = viewer.manifest["resnet-s0"], viewer.manifest["resnet-s1"]
    assert a.env_packages is not None
    assert b.env_packages is not None
    diff = utils.compare_environments(viewer.client, a.run_id, b.run_id)
    assert diff.captured == (True, True)
    assert diff.packages_added == {k: v for k, v in b.env_packages.items()
                                   if k not in a.env_packages}  # fmt: skip
    assert diff.packages_removed == {}
    assert diff.packages_changed == {
        k: (v, b.env_packages[k]) for k, v in a.env_packages.items()
        if k in b.env_packages and b.env_packages[k] != v
    }  # fmt: skip
    assert diff.differs
    same = utils.compare_environments(viewer.client, a.run_id, a.run_id)
    assert not same.differs
    missing = utils.compare_environments(viewer.client, a.run_id, viewer.manifest["vit-s0"].run_id)
    assert missing.captured == (True, False)
    assert missing.differs


def test_progress_system_storage_and_tree(viewer: ViewerEnv) -> None:
    client = viewer.client
    run = viewer.manifest["resnet-s0"]
    progress = client.experiments.progress(run.run_id)
    assert progress.available is False  # neither generation's viewer tracks progress
    monitor = client.system.monitor()
    if monitor.available:  # the viewer's psutil measures this very machine
        assert monitor.memory["total"] == os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        assert monitor.platform["system"] == platform.system()
    else:
        assert monitor.reason
    expected_paths = {r.path for r in viewer.manifest.runs}
    if viewer.generation == "0.5":
        with counting(client) as sent:
            with pytest.raises(api.UnsupportedFeatureError, match=r"0\.5"):
                client.system.storage_stats()
            with pytest.raises(api.UnsupportedFeatureError, match=r"0\.5"):
                client.projects.tree()
        assert sent == []
        return
    stats = client.system.storage_stats()
    assert stats.runs_count == len(viewer.manifest.runs)
    assert stats.total_bytes is not None
    assert stats.total_bytes > 0
    tree = client.projects.tree()
    every = set(tree.paths())
    assert expected_paths <= every
    # every prefix of a path is a node too (other tests may have added paths by moving runs)
    assert {p.rsplit("/", 1)[0] for p in every if "/" in p} <= every


def _text(line: str) -> str:
    """What was logged: the SDK writes ``HH:MM:SS | text`` (0.7.x writes a blank as "")."""
    return line.split(" | ", 1)[1] if " | " in line else line


def test_logs_equal_what_was_written(viewer: ViewerEnv) -> None:
    run = viewer.manifest["resnet-s0"]
    assert run.log_lines
    direct = viewer.client.experiments.logs(run.run_id)
    assert direct.source == "storage"
    assert [_text(line) for line in direct.lines] == run.log_lines
    assert direct.text == (Path(run.run_dir) / "logs.txt").read_text(encoding="utf-8")
    with api.connect(viewer.base_url, direct_reads="never") as remote:
        streamed = remote.get_run(run.run_id).logs()
    assert streamed.source == "viewer"
    assert streamed.truncated is False
    # The viewer's WebSocket does not send blank lines; everything else arrives in order.
    assert streamed.lines == [line for line in direct.lines if line.strip()]
    silent = viewer.manifest["vit-s0"]
    assert silent.log_lines is None
    assert viewer.client.experiments.logs(silent.run_id).lines == []
    with api.connect(viewer.base_url, direct_reads="never") as remote:
        assert remote.experiments.logs(silent.run_id).lines == []
        with pytest.raises(api.NotFoundError):
            remote.experiments.logs("20990101_000000_abcdef")


@pytest.mark.parametrize("direct_reads", ["auto", "never"])
def test_follow_logs_yields_each_new_line_once(viewer: ViewerEnv, direct_reads: str) -> None:
    live = viewer.live
    with api.connect(viewer.base_url, direct_reads=direct_reads) as client:  # type: ignore[arg-type]
        before = client.experiments.logs(live.record.run_id).lines
        follower = client.experiments.follow_logs(live.record.run_id, timeout=60, poll=0.05)
        got: list[str] = []
        steps = [live.log_step() for _ in range(3)]  # written before the first next()
        for line in follower:
            got.append(line)
            if len(got) == len(steps):
                break
        follower.close()  # closes the socket or file
        more = [live.log_step()]
        again = list(client.experiments.follow_logs(live.record.run_id, timeout=1.5, poll=0.05,
                                                    from_start=True))  # fmt: skip
    assert [_text(line) for line in got] == [f"step {s}" for s in steps]
    assert [_text(line) for line in again][-4:] == [f"step {s}" for s in [*steps, *more]]
    assert again[: len(before)] == before
    assert len(again) == len(before) + 4  # each line once, none twice


@pytest.mark.parametrize("direct_reads", ["auto", "never"])
def test_follow_metrics_yields_each_new_row_once(viewer: ViewerEnv, direct_reads: str) -> None:
    live = viewer.live
    with api.connect(viewer.base_url, direct_reads=direct_reads) as client:  # type: ignore[arg-type]
        follower = client.metrics.follow(live.record.run_id, ["loss"], interval=0.05,
                                         timeout=60)  # fmt: skip
        steps = [live.log_step() for _ in range(3)]
        got: dict[int, float | None] = {}
        sources = set()
        with follower:
            for batch in follower:
                sources.add(batch.source)
                for step, value in zip(batch.steps, batch["loss"].values, strict=True):
                    assert step not in got  # each row once
                    got[step] = value
                if steps[-1] in got:
                    break
    assert list(got) == steps  # in order, nothing before the call
    expected = {int(r["global_step"]): r["loss"] for r in expected_rows(live.record)}  # type: ignore[arg-type]
    assert got == pytest.approx({s: expected[s] for s in steps})
    assert sources == {"storage" if direct_reads == "auto" else "viewer"}


def test_following_the_running_runs_of_a_collection(viewer: ViewerEnv) -> None:
    live = viewer.live
    running = viewer.client.experiments.filter(status="running")
    assert running.ids() == [live.record.run_id]  # the data set's one running run
    with running.follow(["accuracy"], interval=0.05, timeout=60) as follower:
        steps = [live.log_step() for _ in range(2)]
        got: list[tuple[str, int]] = []
        for batch in follower:
            got += [(batch.run_id, step) for step in batch.steps]
            if got and got[-1][1] == steps[-1]:
                break
    assert got == [(live.record.run_id, s) for s in steps]
    nothing = viewer.client.experiments.filter(status="running", project="no-such-project")
    assert list(nothing.follow(timeout=5)) == []


def test_followers_end_when_the_writer_finishes_the_run(viewer: ViewerEnv, tmp_path: Path) -> None:
    """A run of its own, whose writer logs two steps and then finishes it: both followers
    give every new line and row once and then end by themselves."""
    spec = specs_for(viewer.generation, [{"key": "short-lived", "project": "follow",
                                          "tail": "me", "status": "running", "seed": 4,
                                          "steps": 3, "live": True}])  # fmt: skip
    _, live = write_runs(viewer.prepared.python, viewer.version, tmp_path / "storage", spec,
                         scratch=tmp_path / "scratch", home=tmp_path / "home")  # fmt: skip
    assert live is not None
    results: dict[str, list[Any]] = {}
    try:
        with api.local(tmp_path / "storage", python=viewer.prepared.python,
                       home=tmp_path / "viewer-home") as client:  # fmt: skip
            run_id = live.record.run_id
            logs = client.experiments.follow_logs(run_id, timeout=90, poll=0.05)
            rows = client.metrics.follow(run_id, ["loss"], interval=0.05, timeout=90)

            def drain(name: str, it: Any) -> None:
                results[name] = list(it)

            threads = [threading.Thread(target=drain, args=("logs", logs)),
                       threading.Thread(target=drain, args=("rows", rows))]  # fmt: skip
            for thread in threads:
                thread.start()
            steps = [live.log_step() for _ in range(2)]
            live.finish()
            started = time.monotonic()
            for thread in threads:
                thread.join(timeout=60)
            assert not any(t.is_alive() for t in threads)  # both ended on their own
            assert time.monotonic() - started < 30  # soon after the run finished
    finally:
        live.stop()
    assert [_text(line) for line in results["logs"]] == [f"step {s}" for s in steps]
    assert [s for batch in results["rows"] for s in batch.steps] == steps


def test_followers_check_the_status_with_the_run_alone(viewer: ViewerEnv) -> None:
    """Each status check is the run's detail; the listing is read once, by follow_logs,
    to prove the run folder (it carries the creation time)."""
    run = viewer.manifest["resnet-s0"]  # finished: the followers end at the first check
    with api.connect(viewer.base_url) as client, counting(client) as sent:
        assert list(client.metrics.follow(run.run_id, ["loss"], interval=0.05, timeout=30)) == []
        assert list(client.experiments.follow_logs(run.run_id, timeout=30, poll=0.05)) == []
    details = [s for s in sent if s == f"GET /api/runs/{run.run_id}"]
    assert len(details) >= 3  # metrics.follow: locate + status; follow_logs: get + status
    assert len([s for s in sent if not s.startswith(f"GET /api/runs/{run.run_id}")]) == 1
