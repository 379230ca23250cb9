"""Cached venvs, one per pinned runicorn version."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["DEFAULT_VERSIONS", "cache_root", "viewer_python"]

DEFAULT_VERSIONS = ("0.5.3", "0.7.2")
"""The viewer releases the test suite runs against, one per generation."""


def cache_root() -> Path:
    """``$RUNICORN_API_CACHE``, else ``.cache/`` in the current directory."""
    return Path(os.environ.get("RUNICORN_API_CACHE", ".cache")).resolve()


def viewer_python(version: str, *, cache: Path | None = None) -> Path:
    """The interpreter of a venv that has ``runicorn==version``, created on first use.

    The venv lives in ``<cache>/viewers/runicorn-<version>`` and is reused while its
    marker file exists; a file lock keeps two processes from building it at once.
    """
    root = (cache or cache_root()) / "viewers"
    root.mkdir(parents=True, exist_ok=True)
    venv = root / f"runicorn-{version}"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    with open(root / f".runicorn-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and python.exists():
            return python
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"runicorn=={version}",
            ],
            check=True,
        )
        marker.write_text(version)
    return python


def main() -> None:
    """``python -m runicorn_api.testing.envs [VERSION ...]``: install the viewers' venvs."""
    for version in sys.argv[1:] or DEFAULT_VERSIONS:
        print(version, viewer_python(version))


if __name__ == "__main__":
    main()
