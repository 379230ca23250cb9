"""Models of the viewer's system endpoints: health, configuration and GPU telemetry."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import AliasChoices, Field

from ._base import RunicornModel

__all__ = [
    "ConfigUpdate",
    "GPUDevice",
    "GPUInfo",
    "Health",
    "HealthCache",
    "StorageBackend",
    "ViewerConfig",
]


class StorageBackend(RunicornModel):
    """The storage backend a 0.7.x viewer reads from (absent on 0.5.x)."""

    mode: str | None = None
    """``"sqlite"`` or ``"file"``."""
    label: str | None = None
    available: bool | None = None
    backend_class: str | None = None


class HealthCache(RunicornModel):
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


class Health(RunicornModel):
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


class ViewerConfig(RunicornModel):
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


class ConfigUpdate(RunicornModel):
    """``POST /api/config/user_root_dir``: the viewer's answer to a new storage root."""

    ok: bool | None = None
    user_root_dir: str | None = None
    storage: str | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("user_root",)

    @property
    def user_root(self) -> str | None:
        """The new storage root."""
        return self.user_root_dir or self.storage


def _alias(*names: str) -> Any:
    return Field(default=None, validation_alias=AliasChoices(*names))


class GPUDevice(RunicornModel):
    """One GPU as ``nvidia-smi`` reports it through the viewer.

    Field names follow the original client (``memory_total``); the viewer's own names
    (``mem_total_mib``, ...) are accepted on input. Memory is in MiB, which nvidia-smi
    labels "MB".
    """

    index: int | None = None
    name: str | None = None
    utilization_gpu: float | None = _alias("utilization_gpu", "util_gpu")
    """GPU utilisation, percent."""
    utilization_memory: float | None = _alias("utilization_memory", "util_mem")
    """Memory-controller utilisation, percent."""
    memory_total: float | None = _alias("memory_total", "mem_total_mib")
    """Total memory in MiB."""
    memory_used: float | None = _alias("memory_used", "mem_used_mib")
    """Used memory in MiB."""
    memory_used_pct: float | None = _alias("memory_used_pct", "mem_used_pct")
    temperature_c: float | None = _alias("temperature_c", "temp_c")
    power_w: float | None = None
    power_limit_w: float | None = None
    clock_sm_mhz: float | None = None
    clock_mem_mhz: float | None = None
    pstate: str | None = None
    fan_speed_pct: float | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("memory_free",)

    @property
    def memory_free(self) -> float | None:
        """Free memory in MiB."""
        if self.memory_total is None or self.memory_used is None:
            return None
        return self.memory_total - self.memory_used


class GPUInfo(RunicornModel):
    """``GET /api/gpu/telemetry``: the GPUs of the viewer's machine.

    When ``available`` is false, ``reason`` says why (for example ``nvidia-smi not found
    in PATH``) and ``devices`` is empty.
    """

    available: bool
    reason: str | None = None
    ts: float | None = None
    """When the viewer read the telemetry (Unix seconds)."""
    devices: list[GPUDevice] = Field(
        default_factory=list, validation_alias=AliasChoices("devices", "gpus")
    )
