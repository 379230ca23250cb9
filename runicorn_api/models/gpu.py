"""The GPUs of the viewer's machine: a sample now (``/api/gpu/telemetry``), the
samples its background collector kept, and the collector's settings."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import AliasChoices, Field

from ._base import RunicornModel
from ._keys import (
    GPUCollectorConfigKeys,
    GPUDeviceKeys,
    GPUHistoryKeys,
    GPUInfoKeys,
)

__all__ = ["GPUCollectorConfig", "GPUDevice", "GPUHistory", "GPUInfo"]


def _alias(*names: str) -> Any:
    """A field the viewer may send under any of ``names``."""
    return Field(default=None, validation_alias=AliasChoices(*names))


class GPUDevice(GPUDeviceKeys, RunicornModel):
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


class GPUInfo(GPUInfoKeys, RunicornModel):
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


class GPUHistory(GPUHistoryKeys, RunicornModel):
    """``GET /api/gpu/telemetry/history``: the samples the viewer's background collector
    kept since it started (up to its ``max_duration_h``)."""

    available: bool
    """Whether any sample was collected."""
    enabled: bool
    """Whether the collector runs."""
    samples: list[GPUInfo] = Field(default_factory=list)
    """Oldest first; each is what ``GET /api/gpu/telemetry`` answered then."""


class GPUCollectorConfig(GPUCollectorConfigKeys, RunicornModel):
    """``GET /api/gpu/telemetry/config``: the viewer's GPU background collector."""

    enabled: bool
    interval_sec: float
    """Seconds between samples."""
    max_duration_h: float
    """Hours of samples kept."""
