"""What import-linter cannot see: an attribute read. Resources and models reach HTTP
only through the core's calls (``get``/``post``/.../``raw``/``download``), never through
its ``transport``, even though the core holds one."""

from __future__ import annotations

import ast
from pathlib import Path

import runicorn_api

PACKAGE = Path(runicorn_api.__file__).resolve().parent
"""The package under test: the source tree's, or the installed wheel's."""


def _transport_reads(folder: Path) -> list[str]:
    """``file:line`` of each ``.transport`` read under ``folder``."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("transport", "_transport"):
                found.append(f"{path.relative_to(folder).as_posix()}:{node.lineno}")
    return found


def test_resources_and_models_never_touch_the_transport() -> None:
    for folder in ("resources", "models", "_metrics"):
        assert _transport_reads(PACKAGE / folder) == [], folder


def test_the_check_sees_a_transport_read(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def f(core):\n    return core.transport.request()\n")
    assert _transport_reads(tmp_path) == ["bad.py:2"]
