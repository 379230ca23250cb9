"""Running a documented example against a real viewer, its output captured."""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

from tests.support.viewers import ViewerEnv


def run_example(viewer: ViewerEnv | str, code: str, namespace: dict[str, Any] | None = None) -> str:
    """Run ``code`` against ``viewer`` (or the viewer at that URL); its printed output."""
    base_url = viewer if isinstance(viewer, str) else viewer.base_url
    for default in ("http://127.0.0.1:23300", "http://localhost:23300"):
        code = code.replace(default, base_url)
    out = io.StringIO()
    previous = os.environ.get("RUNICORN_VIEWER_URL")
    os.environ["RUNICORN_VIEWER_URL"] = base_url
    try:
        with contextlib.redirect_stdout(out):
            exec(
                compile(code, "<seed example>", "exec"), namespace if namespace is not None else {}
            )
    finally:
        if previous is None:
            del os.environ["RUNICORN_VIEWER_URL"]
        else:
            os.environ["RUNICORN_VIEWER_URL"] = previous
    return out.getvalue()
