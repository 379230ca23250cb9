"""The venv of the ``mcp`` extra, alone: ``pip install -e ".[mcp]"`` into a fresh venv.

Built once per ``pyproject.toml`` (its hash names the venv) under the test cache. Its
build is the proof that the extra resolves on its own (``pip check`` after it), which it
cannot beside the ``viewer`` extra (see ``pyproject.toml``).
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from runicorn_api.testing.envs import cache_root

ROOT = Path(__file__).resolve().parents[2]


def mcp_python() -> Path:
    """The interpreter of the ``mcp`` extra's venv (built on first use)."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    base = cache_root() / "mcp-env"
    base.mkdir(parents=True, exist_ok=True)
    venv = base / digest
    python = venv / "bin" / "python"
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / ".installed").exists() and python.exists():
            return python
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        for step in (["install", "--quiet", "-e", f"{ROOT}[mcp]"], ["check"]):
            done = subprocess.run([*pip, *step], capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"pip {step[0]} failed:\n{done.stdout}{done.stderr}")
        (venv / ".installed").write_text(digest)
    return python
