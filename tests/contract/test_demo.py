"""``make demo`` (examples/demo.py) end to end: it prints the runs it wrote and the path of
the loss plot it saved in the working folder, which is kept after it ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_examples import EvalExample, find_examples

pytestmark = pytest.mark.viewer  # the demo starts a viewer of its own

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo.py"
README = ROOT / "README.md"
CLI = Path(sys.executable).parent / "runicorn-api"


def test_demo_saves_and_names_its_plot(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "MPLBACKEND": "Agg"}  # fmt: skip
    done = subprocess.run([sys.executable, str(DEMO)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last == f"Saved the loss curves to {tmp_path / 'demo-loss.png'}"
    png = (tmp_path / "demo-loss.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "vision/resnet" in done.stdout
    assert "runicorn-api local ./demo-storage --port 23300" in done.stdout  # keep, reopen
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "demo-loss.png"
    ]  # the demo's storage and viewer folders are gone


def test_the_readme_prints_its_output_on_the_kept_demo_storage(
    tmp_path: Path, eval_example: EvalExample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's own two lines: keep the demo's storage, serve it with
    ``runicorn-api local DIR --port PORT``; then every README block prints the ``#>``
    output the README shows (a free port stands in for 23300)."""
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "MPLBACKEND": "Agg"}  # fmt: skip
    kept = tmp_path / "kept"
    done = subprocess.run([sys.executable, str(DEMO), "--storage", str(kept)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"runicorn-api local {kept} --port 23300" in done.stdout
    assert (kept / "runs").is_dir()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    serve = subprocess.Popen([str(CLI), "local", str(kept), "--port", str(port)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert serve.stdout is not None
        assert f"at {url} " in serve.stdout.readline()
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("MPLBACKEND", "Agg")
        monkeypatch.setenv("RUNICORN_VIEWER_URL", url)
        namespace: dict[str, Any] = {}
        checked = 0
        for block in find_examples(README):
            if block.source.lstrip().startswith("# Not run by the docs tests:"):
                continue
            block.source = block.source.replace("http://127.0.0.1:23300", url)
            namespace = eval_example.run_print_check(block, module_globals=namespace)
            checked += "print(" in block.source
        assert checked >= 5  # every block that prints was compared with what it shows
    finally:
        serve.send_signal(signal.SIGTERM)  # the command stops the viewer it started
        serve.communicate(timeout=60)
