"""The one ``progress=`` mechanism: False, True (tqdm), None (automatic) or a factory; and
the CLI's rich bar, which shows on a terminal and not in a pipe."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

import runicorn_api as api
from tests.support.cli import CLI
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv


class Recorder:
    def __init__(self) -> None:
        self.opened: list[tuple[int | None, str, str]] = []
        self.updates = 0
        self.closed = 0

    def __call__(self, total: int | None, unit: str, desc: str) -> Recorder:
        self.opened.append((total, unit, desc))
        return self

    def update(self, n: int) -> None:
        self.updates += n

    def close(self) -> None:
        self.closed += 1


def test_a_progress_factory_sees_every_run_and_byte(viewer: ViewerEnv, tmp_path: Path) -> None:
    runs = viewer.client.experiments.filter(project="vision").exclude(status="running")
    expected = {r.run_id for r in viewer.manifest.runs
                if r.project == "vision" and r.status != "running"}  # fmt: skip
    bar = Recorder()
    got = runs.metrics(["loss"], progress=bar).to_list()
    assert {m.run_id for m in got} == expected
    assert bar.opened == [(len(expected), "run", "metrics")]
    assert (bar.updates, bar.closed) == (len(expected), 1)
    downloads = Recorder()
    paths = viewer.client.artifacts.download("cifar10", tmp_path / "c", progress=downloads)
    size = sum(p.stat().st_size for p in paths)  # copied from the storage (direct reads)
    assert [(total, unit) for total, unit, _ in downloads.opened] == [(size, "B")]
    assert downloads.opened[0][2].startswith("cifar10:")
    assert (downloads.updates, downloads.closed) == (size, 1)


def test_a_bad_progress_fails_before_a_request(viewer: ViewerEnv, tmp_path: Path) -> None:
    with counting(viewer.client) as sent:
        with pytest.raises(api.InvalidArgumentTypeError, match="progress"):
            viewer.client.metrics.many(["20250101_120000_000000"], progress="yes")  # type: ignore[arg-type]
        with pytest.raises(api.InvalidArgumentTypeError, match="progress"):
            viewer.client.artifacts.download("cifar10", tmp_path, progress=3)  # type: ignore[arg-type]
    assert sent == []


def _stderr_on_a_terminal(args: list[str], out_file: Path) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal and stdout in a file."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    with open(out_file, "wb") as sink:
        proc = subprocess.Popen([str(CLI), *args], stdout=sink, stderr=slave, env=env)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed: the process ended
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    os.close(master)
    return proc.returncode, out_file.read_text(), b"".join(chunks).decode(errors="replace")


def test_the_cli_shows_a_bar_on_a_terminal_only(viewer: ViewerEnv, tmp_path: Path) -> None:
    ids = sorted(viewer.manifest.ids(project="vision", status="finished"))
    args = ["metrics", *ids, "--metric", "loss", "--url", viewer.base_url]
    code, out, err = _stderr_on_a_terminal(args, tmp_path / "out.csv")
    assert code == 0, err
    assert out.startswith("run_id,step,metric,value,timestamp")
    assert "metrics" in err  # the bar's description, drawn on the terminal
    assert f"{len(ids)}/{len(ids)}" in err or "━" in err
    args = [str(CLI), "metrics", *ids, "--metric", "loss", "--url", viewer.base_url]
    piped = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0
    assert piped.stderr == ""  # no bar when stderr is not a terminal
    assert piped.stdout == out
