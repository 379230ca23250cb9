"""The viewer itself: its health, configuration, status checks, metrics cache and the
storage folders it could use. (Its machine is in ``machine.py``, its GPUs in ``gpu.py``.)"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ._base import RunicornModel
from ._keys import (
    ConfigUpdateKeys,
    HealthCacheKeys,
    HealthKeys,
    MetricsCacheStatsKeys,
    StatusCheckKeys,
    StorageBackendKeys,
    StorageCandidateKeys,
    StorageCandidatesKeys,
    ViewerConfigKeys,
)

__all__ = [
    "ConfigUpdate",
    "Health",
    "HealthCache",
    "MetricsCacheStats",
    "StatusCheck",
    "StorageBackend",
    "StorageCandidate",
    "StorageCandidates",
    "ViewerConfig",
]


class StorageBackend(StorageBackendKeys, RunicornModel):
    """The storage backend a 0.7.x viewer reads from (absent on 0.5.x)."""

    mode: str | None = None
    """``"sqlite"`` or ``"file"``."""
    label: str | None = None
    available: bool | None = None
    backend_class: str | None = None


class HealthCache(HealthCacheKeys, RunicornModel):
    """The viewer's metrics cache statistics."""

    enabled: bool | None = None
    type: str | None = None
    hit_rate: str | None = None
    """As the viewer reports it, a percentage string such as ``"12.5%"``."""
    hits: int | None = None
    misses: int | None = None
    incremental_updates: int | None = None
    size: int | None = None
    max_size: int | None = None


class Health(HealthKeys, RunicornModel):
    """``GET /api/health``.

    Note that the runicorn 0.5.3 wheel reports its version as ``"0.5.2"``.
    """

    status: str
    """``"ok"`` on every viewer release seen so far."""
    version: str | None = None
    """The viewer's runicorn version as it reports it."""
    storage: str | None = None
    """The storage folder the viewer reads."""
    cache: HealthCache | None = None
    storage_backend: StorageBackend | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("ok",)

    @property
    def ok(self) -> bool:
        """Whether the viewer says it is healthy (``"ok"``; ``"healthy"`` is accepted too)."""
        return self.status.lower() in {"ok", "healthy"}


class ViewerConfig(ViewerConfigKeys, RunicornModel):
    """``GET /api/config``: where the viewer stores and reads runs."""

    user_root_dir: str | None = None
    """The storage root saved in the user's config file; ``""`` on 0.5.x when unset."""
    storage: str | None = None
    """The storage folder in use now."""
    config_file: str | None = None
    home_directory: str | None = None
    """0.7.x only."""
    storage_backend: StorageBackend | None = None
    """0.7.x only."""

    _mapping_properties: ClassVar[tuple[str, ...]] = ("user_root",)

    @property
    def user_root(self) -> str | None:
        """The storage root, as the original client names it: the configured root, else the
        folder in use."""
        return self.user_root_dir or self.storage


class ConfigUpdate(ConfigUpdateKeys, RunicornModel):
    """``POST /api/config/user_root_dir``: the viewer's answer to a new storage root."""

    ok: bool | None = None
    user_root_dir: str | None = None
    storage: str | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("user_root",)

    @property
    def user_root(self) -> str | None:
        """The new storage root."""
        return self.user_root_dir or self.storage


class MetricsCacheStats(MetricsCacheStatsKeys, RunicornModel):
    """``GET /api/metrics/cache/stats``: the viewer's in-process cache of parsed
    ``events.jsonl`` files."""

    size: int
    """Files cached."""
    max_size: int
    hits: int
    misses: int
    incremental_updates: int
    """Hits that read only the bytes appended since the last read."""
    hit_rate: float
    """Hits over all requests, 0 to 1."""
    incremental_rate: float


class StatusCheck(StatusCheckKeys, RunicornModel):
    """``POST /api/status/check``: the viewer looked at every ``running`` run and marked
    those whose process is gone."""

    checked: int
    updated: int
    message: str | None = None


class StorageCandidate(StorageCandidateKeys, RunicornModel):
    """A folder that looks like a runicorn storage root."""

    path: str
    run_count: int
    has_archive: bool
    has_index: bool
    score: float


class StorageCandidates(StorageCandidatesKeys, RunicornModel):
    """``GET /api/config/storage-candidates``: storage roots found on the viewer's
    machine, best first."""

    scan_root: str
    max_depth: int
    candidates: list[StorageCandidate] = Field(default_factory=list)
