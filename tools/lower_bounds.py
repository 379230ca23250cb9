"""The declared lower bounds as a constraints file: every ``name>=X`` of the package's
dependencies and its user-facing extras pinned to ``name==X``, for one Python version.

A requirement whose environment marker excludes that Python is left out (a newer bound
for a newer Python is checked there, not here).

Usage: ``python tools/lower_bounds.py [--python 3.10] > constraints.txt``
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import tomllib
from packaging.markers import Marker
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
TOOL_EXTRAS = ("dev", "docs", "all", "viewer", "mcp")
"""Extras that are not the SDK's own dependencies (or only name other extras); ``viewer``
is runicorn itself, whose own requirements (fastapi's typing-extensions>=4.8) govern
where it is installed, and the tests run it from its own pinned venvs; ``mcp`` lives in
an environment of its own (it cannot share one with runicorn)."""


def pins(python: str) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra, items in project["optional-dependencies"].items():
        if extra not in TOOL_EXTRAS:
            wanted += items
    found: dict[str, str] = {}
    for text in wanted:
        req = Requirement(text)
        if req.name == project["name"]:
            continue  # an extra naming other extras of this package
        if req.marker is not None and not Marker(str(req.marker)).evaluate(
            {"python_version": python, "python_full_version": f"{python}.0"}
        ):
            continue
        lower = [s.version for s in req.specifier if s.operator == ">="]
        if not lower:
            raise SystemExit(f"{text!r} declares no lower bound")
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        found[name] = lower[0]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default="3.10")
    args = parser.parse_args()
    for name, version in sorted(pins(args.python).items()):
        sys.stdout.write(f"{name}=={version}\n")


if __name__ == "__main__":
    main()
