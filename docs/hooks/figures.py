"""mkdocs hook: draw the docs' figures from the demo runs before each build.

It runs ``examples/demo.py --figures docs/figures`` (the demo writes its runs with the
runicorn SDK and serves them with ``runicorn_api.local()``), so every figure in the docs
is what the SDK's plots draw today.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_DRAWN: set[Path] = set()
"""Folders drawn by this process: each language's build calls the hook again."""


def on_pre_build(config: Any) -> None:
    docs = Path(config["docs_dir"])
    if docs in _DRAWN:
        return
    _DRAWN.add(docs)
    root = docs.parent
    with tempfile.TemporaryDirectory(prefix="runicorn-docs-") as home:
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": str(Path(home) / ".config"),
               "MPLBACKEND": "Agg"}  # fmt: skip
        demo = root / "examples" / "demo.py"
        done = subprocess.run(
            [sys.executable, str(demo), "--figures", str(docs / "figures")],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"drawing the docs' figures failed:\n{done.stderr[-3000:]}")
