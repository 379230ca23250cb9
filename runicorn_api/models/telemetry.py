"""Deprecated module: its models moved by topic. GPU telemetry is in
:mod:`runicorn_api.models.gpu`, temperatures in :mod:`runicorn_api.models.machine`, and the
viewer's own status (metrics cache, status checks, storage candidates) in
:mod:`runicorn_api.models.system`; every one is also importable from
:mod:`runicorn_api.models`. The old names still answer here, with a
``DeprecationWarning``, until 1.0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._common.moved import moved

__getattr__: Callable[[str], Any] = moved(
    __name__,
    {
        "GPUCollectorConfig": "runicorn_api.models.gpu.GPUCollectorConfig",
        "GPUHistory": "runicorn_api.models.gpu.GPUHistory",
        "MetricsCacheStats": "runicorn_api.models.system.MetricsCacheStats",
        "StatusCheck": "runicorn_api.models.system.StatusCheck",
        "StorageCandidate": "runicorn_api.models.system.StorageCandidate",
        "StorageCandidates": "runicorn_api.models.system.StorageCandidates",
        "TemperatureSensor": "runicorn_api.models.machine.TemperatureSensor",
        "Temperatures": "runicorn_api.models.machine.Temperatures",
    },
)
