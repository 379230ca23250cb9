"""Health, configuration and GPU telemetry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import InvalidArgumentError, UnsupportedFeatureError
from .._types import NOT_GIVEN, Timeout
from ..models.machine import StorageStats, SystemMonitor
from ..models.system import ConfigUpdate, GPUInfo, Health, ViewerConfig
from ._base import Resource

# The only configuration the viewer's REST API can change, and the names accepted for it.
_USER_ROOT_KEYS = ("user_root", "user_root_dir", "storage")


class SystemResource(Resource):
    """The viewer's system endpoints."""

    def health(self, *, timeout: Timeout = NOT_GIVEN) -> Health:
        """:calls: ``GET /api/health``"""
        data = self._request("GET", "/api/health", timeout=timeout)
        return self._model(Health, data, context="GET /api/health")

    def monitor(self, *, timeout: Timeout = NOT_GIVEN) -> SystemMonitor:
        """The viewer machine's CPU, memory and disk now.

        :calls: ``GET /api/system/monitor``
        """
        data = self._request("GET", "/api/system/monitor", timeout=timeout)
        return self._model(SystemMonitor, data, context="GET /api/system/monitor")

    def storage_stats(self, *, timeout: Timeout = NOT_GIVEN) -> StorageStats:
        """Disk usage of the viewer's storage root, by part (0.7.x).

        :calls: ``GET /api/storage/stats``
        """
        self._adapter.require("storage_stats")
        data = self._request("GET", "/api/storage/stats", timeout=timeout)
        return self._model(StorageStats, data, context="GET /api/storage/stats")

    def config(self, *, timeout: Timeout = NOT_GIVEN) -> ViewerConfig:
        """:calls: ``GET /api/config``"""
        data = self._request("GET", "/api/config", timeout=timeout)
        return self._model(ViewerConfig, data, context="GET /api/config")

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
        data = self._request(
            "POST", "/api/config/user_root_dir", json_body={"path": path}, timeout=timeout
        )
        return self._model(ConfigUpdate, data, context="POST /api/config/user_root_dir")

    def gpu(self, *, timeout: Timeout = NOT_GIVEN) -> GPUInfo:
        """:calls: ``GET /api/gpu/telemetry``"""
        data = self._request("GET", "/api/gpu/telemetry", timeout=timeout)
        return self._model(GPUInfo, data, context="GET /api/gpu/telemetry")
