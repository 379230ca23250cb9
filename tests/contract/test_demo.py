"""``make demo`` (examples/demo.py) end to end: it prints the runs it wrote and the path of
the loss plot it saved in the working folder, which is kept after it ends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.viewer  # the demo starts a viewer of its own

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"


def test_demo_saves_and_names_its_plot(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "MPLBACKEND": "Agg"}  # fmt: skip
    done = subprocess.run([sys.executable, str(DEMO)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last == f"Saved the loss curves to {tmp_path / 'demo-loss.png'}"
    png = (tmp_path / "demo-loss.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "vision/resnet" in done.stdout
    assert "runicorn-api local ./demo-storage" in done.stdout  # how to keep and reopen it
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "demo-loss.png"
    ]  # the demo's storage and viewer folders are gone


def test_a_kept_storage_is_named_with_the_command_that_opens_it(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "MPLBACKEND": "Agg"}  # fmt: skip
    kept = tmp_path / "kept"
    done = subprocess.run([sys.executable, str(DEMO), "--storage", str(kept)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"runicorn-api local {kept}" in done.stdout
    assert (kept / "runs").is_dir()
