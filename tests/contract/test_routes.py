"""``runicorn_api.ROUTES`` against each live viewer: every route the viewer serves (its
``/openapi.json`` plus its WebSocket routes, read from its app in its own venv) is in the
table with that version, every entry of the table for that version is served, and every
``sdk`` name resolves to a public callable whose docstring names the route."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import typing
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.routes import ROUTES, Route
from tests.support.viewers import ViewerEnv

METHODS = ("get", "post", "put", "patch", "delete")
WS_ROUTES = Path(__file__).resolve().parents[1] / "support" / "ws_routes.py"


def _served(viewer: ViewerEnv, tmp_path: Path) -> set[tuple[str, str]]:
    response = viewer.client.session.get(f"{viewer.base_url}/openapi.json", timeout=30)
    response.raise_for_status()
    served = {
        (method.upper(), path)
        for path, operations in response.json()["paths"].items()
        for method in operations
        if method in METHODS
    }
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    (tmp_path / "storage").mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "RUNICORN_DIR": str(tmp_path / "storage")}  # fmt: skip
    out = subprocess.run(
        [str(viewer.prepared.python), str(WS_ROUTES), str(tmp_path / "storage")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=True,
    )  # fmt: skip
    websockets = json.loads(out.stdout.strip().splitlines()[-1])
    assert websockets, "the viewer's app has at least the run logs socket"
    return served | {("WS", path) for path in websockets}


def test_the_table_matches_the_live_viewer(viewer: ViewerEnv, tmp_path: Path) -> None:
    served = _served(viewer, tmp_path)
    table = {(r.method, r.path) for r in ROUTES if viewer.generation in r.versions}
    assert sorted(served - table) == [], f"routes of runicorn {viewer.version} not in ROUTES"
    assert sorted(table - served) == [], f"ROUTES entries runicorn {viewer.version} lacks"


def test_the_table_is_well_formed() -> None:
    keys = Counter((r.method, r.path) for r in ROUTES)
    assert [k for k, n in keys.items() if n > 1] == []
    for route in ROUTES:
        assert route.versions
        assert set(route.versions) <= {"0.5", "0.7"}
        assert route.path.startswith("/api/")
        assert (route.sdk is None) != (route.reason is None)
    with pytest.raises(ValueError, match="exactly one"):
        Route("GET", "/api/x", ("0.7",))


def _resolve(name: str) -> Any:
    """A dotted ``sdk`` name to the callable: ``client.`` names walk the client's
    attributes by their annotated types, others start at the package."""
    first, *rest = name.split(".")
    obj: Any = api.RunicornClient if first == "client" else getattr(api, first)
    for part in rest:
        attr = inspect.getattr_static(obj, part)
        if isinstance(attr, cached_property | property):
            func = attr.func if isinstance(attr, cached_property) else attr.fget
            hint = typing.get_type_hints(func)["return"]
            obj = typing.get_origin(hint) or hint
        else:
            obj = getattr(obj, part)
    return obj


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.sdk], ids=str)
def test_every_sdk_name_resolves_and_names_its_route(route: Route) -> None:
    assert route.sdk is not None
    target = _resolve(route.sdk)
    assert callable(target), route.sdk
    doc = _shape(inspect.getdoc(target) or "")
    assert _shape(route.path) in doc, f"{route.sdk}'s docstring does not name {route}"


def test_reasons_say_what_to_use_instead_where_there_is_one() -> None:
    reasons = [r for r in ROUTES if r.reason]
    assert reasons, "some routes are deliberately not wrapped"
    for route in reasons:
        assert route.reason is not None
        assert len(route.reason) > 30, route
