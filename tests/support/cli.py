"""Running the ``runicorn-api`` command as a user would: a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import runicorn_api as api

CLI = Path(sys.executable).parent / "runicorn-api"


def run_cli(*args: str, url: str | None = None, home: Path | None = None,
            timeout: float = 120, columns: int | None = None,
            env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    base = {k: v for k, v in os.environ.items() if k != api.BASE_URL_ENV}
    env = {**base, **(env or {})}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    if url is not None:
        env[api.BASE_URL_ENV] = url
    if home is not None:
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, env=env,
                          timeout=timeout)  # fmt: skip
