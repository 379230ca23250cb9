"""What the real-viewer fixtures hand to tests (see ``tests/conftest.py``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import runicorn_api as api
from runicorn_api.testing import LiveRun, Manifest
from runicorn_api.testing.copies import copy_storage


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


def copy_viewer(env: ViewerEnv, name: str) -> tuple[api.RunicornClient, Path]:
    """A viewer of ``env``'s version over a copy of its data set, for tests that change
    runs; the client and the copy's folder (both go with the session's temporary folder)."""
    storage = env.prepared.root / f"storage-{name}"
    # Relocated: a 0.7.x storage keeps absolute paths (runicorn.db, archive paths), and a
    # plain copy's viewer would delete or move the original's files.
    copy_storage(env.prepared.storage, storage)
    home = env.prepared.root / f"home-{name}"
    (home / ".config" / "runicorn").mkdir(parents=True, exist_ok=True)
    client = api.local(storage, python=env.prepared.python, home=home)
    env.extra.append(client)
    return client, storage


def empty_viewer(env: ViewerEnv, name: str) -> tuple[api.RunicornClient, Path]:
    """A viewer of ``env``'s version over an empty storage folder of its own."""
    storage = env.prepared.root / f"storage-{name}"
    storage.mkdir()
    home = env.prepared.root / f"home-{name}"
    (home / ".config" / "runicorn").mkdir(parents=True, exist_ok=True)
    client = api.local(storage, python=env.prepared.python, home=home)
    env.extra.append(client)
    return client, storage


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
