"""Files stay in their folders: hostile storage folders.

A real viewer serves a storage where a run's ``events.jsonl`` is a link out of the
storage, image events name paths that climb out of the run folder, and a run folder holds
a link to a "private key": direct reads refuse them, and a copy never carries the key.
FIFOs and an artifact path outside the storage need a scripted viewer over a real folder
(a real viewer would itself hang on a FIFO, and never names such an archive path).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.utils import copy_runs
from tests.support.hostile import HostileViewer, send_json
from tests.support.viewers import ViewerEnv, copy_viewer, empty_viewer

KEY = b"-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key-but-secret\n"


@pytest.fixture(scope="module")
def hostile(viewer: ViewerEnv) -> tuple[api.RunicornClient, Path]:
    """A viewer of this version over its own copy of the data set, free to be defaced."""
    return copy_viewer(viewer, "hostile")


def _folder(client: api.RunicornClient, run_id: str) -> Path:
    run_dir = client.get_experiment(run_id).run_dir
    assert run_dir is not None
    return Path(run_dir)


def test_an_events_file_linked_out_of_the_storage_is_refused(
    viewer: ViewerEnv, hostile: tuple[api.RunicornClient, Path], tmp_path: Path
) -> None:
    client, _ = hostile
    run_id = viewer.manifest["ppo-s1"].run_id
    events = _folder(client, run_id) / "events.jsonl"
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_text(
        json.dumps({"ts": 1.0, "type": "metrics", "data": {"global_step": 1, "stolen": 42.0}})
        + "\n"
    )
    events.rename(events.with_name("events.jsonl.orig"))
    events.symlink_to(outside)
    try:
        with (
            api.connect(client.base_url) as fresh,
            pytest.raises(api.UnsafePathError, match="outside") as info,
        ):
            fresh.get_metrics(run_id)
        assert info.value.root == os.path.realpath(events.parent)
    finally:
        events.unlink()
        events.with_name("events.jsonl.orig").rename(events)


@pytest.mark.parametrize("how", ["climbing", "absolute"])
def test_image_paths_out_of_the_run_folder_are_refused(
    viewer: ViewerEnv, hostile: tuple[api.RunicornClient, Path], tmp_path: Path, how: str
) -> None:
    client, _ = hostile
    run_id = viewer.manifest["resnet-s0"].run_id
    folder = _folder(client, run_id)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + KEY)
    rel = os.path.relpath(secret, folder) if how == "climbing" else str(secret)
    assert (".." in rel) == (how == "climbing")
    events = folder / "events.jsonl"
    original = events.read_bytes()
    line = {"ts": 2.0, "type": "image", "data": {"key": "leak", "step": 99, "path": rel}}
    events.write_bytes(original + json.dumps(line).encode() + b"\n")
    try:
        with (
            api.connect(client.base_url) as fresh,
            pytest.raises(api.UnsafePathError, match="outside"),
        ):
            fresh.images.list(run_id)
    finally:
        events.write_bytes(original)


def test_a_copy_never_carries_a_link_out_of_the_run_folder(
    viewer: ViewerEnv,
    prepared: dict[str, Any],
    hostile: tuple[api.RunicornClient, Path],
    tmp_path: Path,
) -> None:
    if viewer.generation != "0.5":
        pytest.skip("a 0.7.x source builds the archive with its own export, not from folders")
    if "0.7.2" not in prepared:
        pytest.skip("the copy's target is a 0.7.2 viewer")
    client, _ = hostile
    run_id = viewer.manifest["ppo-s1"].run_id
    key = tmp_path / "id_rsa"
    key.write_bytes(KEY)
    folder = _folder(client, run_id)
    (folder / "notes.txt").symlink_to(key)
    (folder / "keys").symlink_to(tmp_path, target_is_directory=True)
    target_env = ViewerEnv(prepared["0.7.2"], client, viewer.bin_dir)  # for its version's venv
    target, target_storage = empty_viewer(target_env, "link-target")
    viewer.extra.append(target)
    try:
        report = copy_runs(client, target, [run_id])
    finally:
        (folder / "notes.txt").unlink()
        (folder / "keys").unlink()
    entry = report.runs[0]
    assert entry.outcome == "copied", entry
    assert any("notes.txt (a symbolic link" in note for note in entry.not_carried)
    assert any("keys (a symbolic link" in note for note in entry.not_carried)
    carried = [p for p in target_storage.rglob("*") if p.is_file()]
    assert carried, "the copy wrote the run's files"
    assert not any(KEY in p.read_bytes() for p in carried)
    assert not any(p.name == "notes.txt" for p in carried)


# -- a scripted viewer over a real, hostile folder ------------------------------------

RUN = "20250101_000000_aaaaaa"


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    root = tmp_path / "storage"
    run = root / "runs" / "p" / RUN
    run.mkdir(parents=True)
    (run / "meta.json").write_text(json.dumps({"id": RUN, "path": "p"}))
    (run / "events.jsonl").write_text(
        json.dumps({"ts": 1.0, "type": "metrics", "data": {"global_step": 1, "loss": 0.5}}) + "\n"
    )
    return root


@pytest.fixture
def scripted(storage: Path) -> Iterator[HostileViewer]:
    item = {
        "id": RUN,
        "run_dir": str(storage / "runs" / "p" / RUN),
        "status": "finished",
        "path": "p",
    }
    viewer = HostileViewer()
    viewer.on("GET", f"/api/runs/{RUN}", lambda h: send_json(h, item))
    viewer.on("GET", "/api/runs", lambda h: send_json(h, [item]))
    viewer.on("GET", "/api/paths/runs", lambda h: send_json(h, [item]))
    metrics = {"columns": ["global_step", "loss"], "rows": [{"global_step": 7, "loss": 0.25}],
               "total": 1, "sampled": 1}  # fmt: skip
    viewer.on("GET", f"/api/runs/{RUN}/metrics", lambda h: send_json(h, metrics))
    viewer.on("GET", "/api/config", lambda h: send_json(h, {"storage": str(storage)}))
    with viewer.running():
        yield viewer


def _within(seconds: float, call: Callable[[], Any]) -> Any:
    """``call()``'s result or error, failing the test if it has not returned in time."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as err:  # handed to the test below
            box["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the call hung for {seconds}s"
    box["elapsed"] = time.monotonic() - started
    return box


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def test_a_fifo_meta_json_falls_back_to_the_viewer(storage: Path, scripted: HostileViewer) -> None:
    _fifo(storage / "runs" / "p" / RUN / "meta.json")
    with api.connect(scripted.url, max_retries=0) as client:
        got = _within(10, lambda: client.get_metrics(RUN))
    assert "error" not in got, got.get("error")
    assert got["value"]["loss"].last_value() == 0.25  # the viewer's, not the folder's
    assert got["value"].source == "viewer"


@pytest.mark.parametrize("name", ["events.jsonl", "logs.txt"])
def test_a_fifo_in_a_run_folder_is_refused_at_once(
    storage: Path, scripted: HostileViewer, name: str
) -> None:
    _fifo(storage / "runs" / "p" / RUN / name)
    with api.connect(scripted.url, max_retries=0) as client:
        read = client.get_metrics if name == "events.jsonl" else client.experiments.logs
        got = _within(10, lambda: read(RUN))
    assert isinstance(got.get("error"), api.UnsafePathError), got
    assert "a FIFO" in str(got["error"])
    assert got["elapsed"] < 5


def test_a_fifo_image_is_refused(storage: Path, scripted: HostileViewer) -> None:
    run = storage / "runs" / "p" / RUN
    _fifo(run / "media.png")
    with (run / "events.jsonl").open("a") as events:
        events.write(
            json.dumps(
                {"ts": 2.0, "type": "image", "data": {"key": "x", "step": 1, "path": "media.png"}}
            )
            + "\n"
        )
    with api.connect(scripted.url, max_retries=0) as client:
        got = _within(10, lambda: client.images.list(RUN))
    assert isinstance(got.get("error"), api.UnsafePathError), got
    assert "a FIFO" in str(got["error"])


def test_an_artifact_path_outside_the_storage_is_refused(
    storage: Path, scripted: HostileViewer, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.bin"
    secret.write_bytes(KEY)
    assets = {"outputs": [{"key": "weights", "name": "weights", "kind": "file", "path": "w.bin",
                           "saved": True, "archive_path": str(secret), "fingerprint_kind": "sha256",
                           "fingerprint": "0" * 64, "archived_at": 1.0}]}  # fmt: skip
    scripted.on("GET", f"/api/runs/{RUN}/assets", lambda h: send_json(h, {"assets": assets}))
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "kept.txt").write_text("mine")
    with (
        api.connect(scripted.url, max_retries=0) as client,
        pytest.raises(api.UnsafePathError, match="outside"),
    ):
        client.artifacts.download("weights", dest)
    assert sorted(p.name for p in dest.iterdir()) == ["kept.txt"]
    assert (dest / "kept.txt").read_text() == "mine"


def test_an_image_event_naming_a_folder_is_skipped(storage: Path, scripted: HostileViewer) -> None:
    run = storage / "runs" / "p" / RUN
    (run / "media").mkdir()
    (run / "media" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 8)
    lines = [
        {"ts": 2.0, "type": "image", "data": {"key": "x", "step": 1, "path": "media"}},
        {"ts": 3.0, "type": "image", "data": {"key": "x", "step": 2, "path": "media/a.png"}},
    ]
    with (run / "events.jsonl").open("a") as events:
        events.writelines(json.dumps(line) + "\n" for line in lines)
    with api.connect(scripted.url, max_retries=0) as client:
        images = client.images.list(RUN)
    assert [(i.step, i.size) for i in images] == [(2, 16)]  # as the viewer lists files only
