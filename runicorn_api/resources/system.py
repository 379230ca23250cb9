"""Health, configuration, the viewer's machine (GPUs, temperatures, CPU and disk) and
its own state (metrics cache, status checks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import InvalidArgumentError, RunicornAPIError, UnsupportedFeatureError
from .._types import NOT_GIVEN, Timeout
from .._validation import check_bool, check_int
from ..models.gpu import GPUCollectorConfig, GPUHistory, GPUInfo
from ..models.machine import StorageStats, SystemMonitor, Temperatures
from ..models.system import (
    ConfigUpdate,
    Health,
    MetricsCacheStats,
    StatusCheck,
    StorageCandidates,
    ViewerConfig,
)
from ._base import Resource

# The only configuration the viewer's REST API can change, and the names accepted for it.
_USER_ROOT_KEYS = ("user_root", "user_root_dir", "storage")


class SystemResource(Resource):
    """The viewer's system endpoints."""

    def health(self, *, timeout: Timeout = NOT_GIVEN) -> Health:
        """:calls: ``GET /api/health``"""
        return self._get("/api/health", Health, timeout=timeout)

    def monitor(self, *, timeout: Timeout = NOT_GIVEN) -> SystemMonitor:
        """The viewer machine's CPU, memory and disk now.

        :calls: ``GET /api/system/monitor``
        """
        return self._get("/api/system/monitor", SystemMonitor, timeout=timeout)

    def storage_stats(self, *, timeout: Timeout = NOT_GIVEN) -> StorageStats:
        """Disk usage of the viewer's storage root, by part (0.7.x).

        :calls: ``GET /api/storage/stats``
        """
        self._adapter.require("storage_stats")
        return self._get("/api/storage/stats", StorageStats, timeout=timeout)

    def config(self, *, timeout: Timeout = NOT_GIVEN) -> ViewerConfig:
        """:calls: ``GET /api/config``"""
        return self._get("/api/config", ViewerConfig, timeout=timeout)

    def update_config(
        self, config: Mapping[str, Any], *, timeout: Timeout = NOT_GIVEN
    ) -> ConfigUpdate:
        """Change the viewer's storage root, the one setting its API can change.

        :calls: ``POST /api/config/user_root_dir {"path": ...}``

        Args:
            config: ``{"user_root": "/new/storage"}`` (``user_root_dir`` and ``storage``
                are accepted as the same key).

        Raises:
            UnsupportedFeatureError: Before any request, for any other key.
            ValueError: Before any request, for an empty or non-string path.
        """
        unknown = sorted(k for k in config if k not in _USER_ROOT_KEYS)
        if unknown or not config:
            raise UnsupportedFeatureError(
                f"The viewer's API cannot change {', '.join(map(repr, unknown)) or 'nothing'}"
                f"; the only supported key is 'user_root' (alias 'user_root_dir' or "
                f"'storage'), sent as POST /api/config/user_root_dir. No request was sent."
            )
        values = {str(config[k]) for k in config}
        if len(values) > 1:
            raise InvalidArgumentError(f"Conflicting storage roots given: {sorted(values)}")
        path = config[next(iter(config))]
        if not isinstance(path, str) or not path.strip():
            raise InvalidArgumentError(f"The storage root must be a non-empty string, got {path!r}")
        return self._post(
            "/api/config/user_root_dir", ConfigUpdate, json_body={"path": path}, timeout=timeout
        )

    def gpu(self, *, timeout: Timeout = NOT_GIVEN) -> GPUInfo:
        """:calls: ``GET /api/gpu/telemetry``"""
        return self._get("/api/gpu/telemetry", GPUInfo, timeout=timeout)

    def gpu_history(self, *, timeout: Timeout = NOT_GIVEN) -> GPUHistory:
        """The GPU samples the viewer's background collector kept (0.7.x).

        :calls: ``GET /api/gpu/telemetry/history``
        """
        self._core.require_route("GET", "/api/gpu/telemetry/history")
        return self._get("/api/gpu/telemetry/history", GPUHistory, timeout=timeout)

    def gpu_config(self, *, timeout: Timeout = NOT_GIVEN) -> GPUCollectorConfig:
        """The GPU background collector's settings (0.7.x).

        :calls: ``GET /api/gpu/telemetry/config``
        """
        self._core.require_route("GET", "/api/gpu/telemetry/config")
        return self._get("/api/gpu/telemetry/config", GPUCollectorConfig, timeout=timeout)

    def set_gpu_config(
        self,
        *,
        enabled: bool | None = None,
        interval_sec: float | None = None,
        max_duration_h: float | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> GPUCollectorConfig:
        """Change the GPU background collector (0.7.x): the viewer saves it in its
        config file; ``enabled`` applies at once, the other two from its next start.

        :calls: ``POST /api/gpu/telemetry/config``

        Raises:
            InvalidArgumentError: Before any request, with nothing to change or a
                non-positive number.
            RunicornAPIError: The viewer has no collector running to configure.
        """
        body: dict[str, bool | float] = {}
        if enabled is not None:
            body["enabled"] = check_bool("enabled", enabled)
        for name, value in (("interval_sec", interval_sec), ("max_duration_h", max_duration_h)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise InvalidArgumentError(f"{name} must be a positive number, got {value!r}")
            body[name] = float(value)
        if not body:
            raise InvalidArgumentError(
                "set_gpu_config needs enabled=, interval_sec= or max_duration_h="
            )
        self._core.require_route("POST", "/api/gpu/telemetry/config")
        data = self._post("/api/gpu/telemetry/config", json_body=body, timeout=timeout)
        if isinstance(data, dict) and data.get("ok") is False:
            raise RunicornAPIError(
                f"The viewer did not change its GPU collector: {data.get('error')}", body=data
            )
        return self._model(GPUCollectorConfig, data, context="POST /api/gpu/telemetry/config")

    def temperatures(self, *, timeout: Timeout = NOT_GIVEN) -> Temperatures:
        """The viewer machine's temperature sensors, where the platform exposes them.

        :calls: ``GET /api/system/temperatures``
        """
        return self._get("/api/system/temperatures", Temperatures, timeout=timeout)

    def metrics_cache_stats(self, *, timeout: Timeout = NOT_GIVEN) -> MetricsCacheStats:
        """The viewer's cache of parsed metrics files: size, hits and misses.

        :calls: ``GET /api/metrics/cache/stats``
        """
        return self._get("/api/metrics/cache/stats", MetricsCacheStats, timeout=timeout)

    def check_status(self, *, timeout: Timeout = NOT_GIVEN) -> StatusCheck:
        """Have the viewer look at every ``running`` run now and mark those whose process
        is gone (it also does so as it lists runs).

        :calls: ``POST /api/status/check``
        """
        return self._post("/api/status/check", StatusCheck, timeout=timeout)

    def storage_candidates(
        self, scan_root: str | None = None, max_depth: int = 3, *, timeout: Timeout = NOT_GIVEN
    ) -> StorageCandidates:
        """Folders on the viewer's machine that look like runicorn storage, best first
        (0.7.x; under the viewer user's home unless ``scan_root``).

        :calls: ``GET /api/config/storage-candidates?scan_root=&max_depth=``
        """
        check_int("max_depth", max_depth, minimum=1, maximum=8)
        if scan_root is not None and (not isinstance(scan_root, str) or not scan_root):
            raise InvalidArgumentError(f"scan_root must be a folder path, got {scan_root!r}")
        self._core.require_route("GET", "/api/config/storage-candidates")
        return self._get(
            "/api/config/storage-candidates",
            StorageCandidates,
            params={"scan_root": scan_root, "max_depth": max_depth},
            timeout=timeout,
        )
