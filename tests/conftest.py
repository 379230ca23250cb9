"""Real-viewer fixtures: one session-scoped viewer per pinned runicorn version.

For each version the harness installs ``runicorn==<version>`` in a cached venv, writes
the data set with that version's SDK (see :mod:`runicorn_api.testing.dataset`), and starts
the viewer with :func:`runicorn_api.local` on a free 127.0.0.1 port, with ``HOME``,
``XDG_CONFIG_HOME`` and ``RUNICORN_DIR`` inside a temporary folder that is removed at the
end. ``RUNICORN_VERSIONS=0.7.2`` narrows the versions.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import DEFAULT_VERSIONS, LiveRun, Manifest, set_tags, viewer_python
from runicorn_api.testing.dataset import write_dataset

VERSIONS = [v for v in os.environ.get("RUNICORN_VERSIONS", ",".join(DEFAULT_VERSIONS)).split(",")]


@dataclass
class Prepared:
    version: str
    python: Path
    root: Path
    manifest: Manifest
    live: LiveRun

    @property
    def storage(self) -> Path:
        return Path(self.manifest.storage)


@dataclass
class ViewerEnv:
    """A running viewer with its data set, as the tests see it."""

    prepared: Prepared
    client: api.RunicornClient
    bin_dir: Path
    extra: list[api.RunicornClient] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.prepared.version

    @property
    def generation(self) -> str:
        return self.manifest.generation

    @property
    def manifest(self) -> Manifest:
        return self.prepared.manifest

    @property
    def live(self) -> LiveRun:
        return self.prepared.live

    @property
    def base_url(self) -> str:
        return self.client.base_url

    def start_viewer(self, name: str, **options: Any) -> api.RunicornClient:
        """Another viewer of this version over the same storage, with its own home.

        ``config_files`` maps file names to write into its ``$XDG_CONFIG_HOME/runicorn``
        before it starts (e.g. ``rate_limits.json``).
        """
        home = self.prepared.root / f"home-{name}"
        config_dir = home / ".config" / "runicorn"
        config_dir.mkdir(parents=True, exist_ok=True)
        for file_name, text in options.pop("config_files", {}).items():
            (config_dir / file_name).write_text(text)
        client = api.local(self.prepared.storage, python=self.prepared.python, home=home, **options)
        self.extra.append(client)
        return client


def rate_limits(prefix: str, *, max_requests: int, window: int, burst: int) -> str:
    """A ``rate_limits.json`` that turns the viewer's own limiter on for one path prefix.

    ``burst_size`` must be a number: 0.5.3 compares it with ``max_requests`` (None → 500).
    """
    return json.dumps({
        "default": {"max_requests": 10000, "window_seconds": 60, "burst_size": 10000},
        "endpoints": {prefix: {"max_requests": max_requests, "window_seconds": window,
                               "burst_size": burst}},
        "settings": {"enable_rate_limiting": True, "log_violations": False,
                     "whitelist_localhost": False},
    })  # fmt: skip


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
