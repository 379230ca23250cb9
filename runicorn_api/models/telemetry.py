"""Deprecated module: its models moved by topic. GPU telemetry is in
:mod:`runicorn_api.models.gpu`, temperatures in :mod:`runicorn_api.models.machine`, and the
viewer's own status (metrics cache, status checks, storage candidates) in
:mod:`runicorn_api.models.system`. Every model is also importable from
:mod:`runicorn_api.models` and from :mod:`runicorn_api` itself."""

from __future__ import annotations

import warnings
from typing import Any

_MOVED = {
    "GPUCollectorConfig": "gpu",
    "GPUHistory": "gpu",
    "MetricsCacheStats": "system",
    "StatusCheck": "system",
    "StorageCandidate": "system",
    "StorageCandidates": "system",
    "TemperatureSensor": "machine",
    "Temperatures": "machine",
}


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"runicorn_api.models.telemetry.{name} moved to runicorn_api.models.{module}; "
        f"import it from runicorn_api.models (this alias goes in 1.0)",
        DeprecationWarning,
        stacklevel=2,
    )
    import importlib

    return getattr(importlib.import_module(f"{__package__}.{module}"), name)
