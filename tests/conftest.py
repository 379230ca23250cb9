"""Real-viewer fixtures: one session-scoped viewer per pinned runicorn version.

The suite's folders: ``offline/`` (no viewer: pure code, scripted servers, a fake core),
``viewer/`` (features against real viewers), ``faults/`` (faults, storms, hostile
input), ``security/`` (hostile viewers and storage folders: ``SECURITY.md``),
``contract/`` (the docs, the original client's examples, the public names); helpers live
in ``support/``. Tests that use a viewer fixture are marked ``viewer``.

For each version the harness installs ``runicorn==<version>`` in a cached venv, writes
the data set with that version's SDK (see :mod:`runicorn_api.testing.copies`), and starts
the viewer with :func:`runicorn_api.local` on a free 127.0.0.1 port, with ``HOME``,
``XDG_CONFIG_HOME`` and ``RUNICORN_DIR`` inside a temporary folder that is removed at the
end. ``RUNICORN_VERSIONS=0.7.2`` narrows the versions.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import runicorn_api as api
from runicorn_api.testing import DEFAULT_VERSIONS, set_tags, viewer_python
from runicorn_api.testing.copies import write_dataset
from tests.support.viewers import Prepared, ViewerEnv

VIEWER_FIXTURES = frozenset({"prepared", "viewer", "client"})
"""Fixtures that start real viewers: a test that uses one is marked ``viewer``."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a real viewer, so ``-m "not viewer"`` is the fast tier."""
    for item in items:
        if VIEWER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.viewer)


VERSIONS = [v for v in os.environ.get("RUNICORN_VERSIONS", ",".join(DEFAULT_VERSIONS)).split(",")]


def _prepare(version: str, root: Path) -> Prepared:
    python = viewer_python(version)
    manifest, live = write_dataset(
        python, version, root / "storage", scratch=root / "scratch", home=root / "home"
    )
    return Prepared(version, python, root, manifest, live)


@pytest.fixture(scope="session")
def prepared() -> Iterator[dict[str, Prepared]]:
    """Every version's venv and data set, built concurrently at the first request."""
    roots = {v: Path(tempfile.mkdtemp(prefix=f"runicorn-api-test-{v}-")) for v in VERSIONS}
    done: dict[str, Prepared] = {}
    try:
        with ThreadPoolExecutor(max_workers=len(VERSIONS)) as pool:
            futures = {v: pool.submit(_prepare, v, roots[v]) for v in VERSIONS}
            for v, future in futures.items():
                done[v] = future.result()
        yield done
    finally:
        for item in done.values():
            item.live.stop()
        for root in roots.values():
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session", params=VERSIONS, ids=lambda v: f"runicorn-{v}")
def viewer(request: pytest.FixtureRequest, prepared: dict[str, Prepared]) -> Iterator[ViewerEnv]:
    """The real viewer of one version, serving the data set."""
    item = prepared[request.param]
    bin_dir = item.root / "bin"
    bin_dir.mkdir(exist_ok=True)
    client = api.local(
        item.storage,
        python=item.python,
        home=item.root / "home",
        env={"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    env = ViewerEnv(item, client, bin_dir)
    try:
        if item.manifest.generation == "0.7":
            set_tags(client.base_url, item.manifest)
        yield env
    finally:
        for extra in env.extra:
            extra.close()
        client.close()


@pytest.fixture
def client(viewer: ViewerEnv) -> api.RunicornClient:
    return viewer.client
