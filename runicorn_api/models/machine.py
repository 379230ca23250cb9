"""The viewer's machine: CPU, memory and disk now, temperatures, and storage use."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .._types import JSON
from ._base import RunicornModel
from ._keys import (
    StorageStatsKeys,
    SystemMonitorKeys,
    TemperatureSensorKeys,
    TemperaturesKeys,
)

__all__ = ["StorageStats", "SystemMonitor", "TemperatureSensor", "Temperatures"]


class SystemMonitor(SystemMonitorKeys, RunicornModel):
    """``GET /api/system/monitor``: the viewer machine's CPU, memory and disk (psutil)."""

    available: bool = False
    reason: str | None = None
    """Why not available (e.g. psutil missing on the viewer's side)."""
    ts: float | None = None
    cpu: dict[str, JSON] = Field(default_factory=dict)
    memory: dict[str, JSON] = Field(default_factory=dict)
    """Bytes: ``total``, ``available``, ``used``, ``percent``, ``swap_*``."""
    disk: dict[str, JSON] = Field(default_factory=dict)
    platform: dict[str, JSON] = Field(default_factory=dict)


class StorageStats(StorageStatsKeys, RunicornModel):
    """``GET /api/storage/stats`` (0.7.x): disk usage of the storage root, by part
    (``total``, ``archive`` with its blobs and manifests, ``runs``, ``index``; each
    ``{size_bytes, size_human, ...}``)."""

    storage_root: str | None = None
    total: dict[str, JSON] = Field(default_factory=dict)
    archive: dict[str, JSON] = Field(default_factory=dict)
    runs: dict[str, JSON] = Field(default_factory=dict)
    """``{size_bytes, size_human, paths_count, runs_count}``."""
    index: dict[str, JSON] = Field(default_factory=dict)

    _mapping_properties: ClassVar[tuple[str, ...]] = ("total_bytes", "runs_count")

    @property
    def runs_count(self) -> int | None:
        value = self.runs.get("runs_count")
        return value if isinstance(value, int) else None

    @property
    def total_bytes(self) -> int | None:
        value = self.total.get("size_bytes")
        return value if isinstance(value, int) else None


class TemperatureSensor(TemperatureSensorKeys, RunicornModel):
    """One sensor reading, in degrees Celsius."""

    label: str
    current: float | None = None
    high: float | None = None
    critical: float | None = None


class Temperatures(TemperaturesKeys, RunicornModel):
    """``GET /api/system/temperatures``: the viewer machine's sensors by chip, where the
    platform exposes them (``available`` false and ``reason`` otherwise)."""

    available: bool
    reason: str | None = None
    sensors: dict[str, list[TemperatureSensor]] = Field(default_factory=dict)
