"""Browsing the remote host through the viewer: environments, storage, files."""

from __future__ import annotations

from typing import Any

from ..._core import ListOf
from ..._exceptions import InvalidArgumentError
from ..._types import NOT_GIVEN, Timeout
from ...models._base import RunicornModel
from ...models.remote import CondaEnv, RemoteDirectory, RemoteResult
from .logins import RemoteBase, slow

__all__ = ["HostMixin"]


class HostMixin(RemoteBase):
    """``client.remote``'s look at the remote host (over an SSH connection it opened)."""

    def conda_envs(self, connection_id: str, *, timeout: Timeout = NOT_GIVEN) -> list[CondaEnv]:
        """Python environments on the remote host.

        :calls: ``GET /api/remote/conda-envs?connection_id=``
        """
        envs: list[CondaEnv] = self._on_host(
            "/api/remote/conda-envs", connection_id, CondaEnv, timeout, items="envs"
        )
        return envs

    def env_configs(self, connection_id: str, *, timeout: Timeout = NOT_GIVEN) -> RemoteResult:
        """Each remote environment's Python and runicorn versions (0.7.x).

        :calls: ``GET /api/remote/env-configs?connection_id=``
        """
        self._adapter.require("remote_discovery")
        result: RemoteResult = self._on_host(
            "/api/remote/env-configs", connection_id, RemoteResult, timeout
        )
        return result

    def config(
        self, connection_id: str, conda_env: str = "system", *, timeout: Timeout = NOT_GIVEN
    ) -> RemoteResult:
        """The remote environment's runicorn version and default storage root.

        :calls: ``GET /api/remote/config?connection_id=&conda_env=``
        """
        result: RemoteResult = self._on_host(
            "/api/remote/config", connection_id, RemoteResult, timeout, conda_env=conda_env
        )
        return result

    def storage_candidates(
        self,
        connection_id: str,
        conda_env: str = "system",
        scan_root: str | None = None,
        max_depth: int = 3,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> RemoteResult:
        """Folders on the remote host that look like runicorn storage (0.7.x); the viewer
        caps ``max_depth`` at 8.

        :calls: ``GET /api/remote/storage-candidates?connection_id=&scan_root=&max_depth=``
        """
        self._adapter.require("remote_discovery")
        if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
            raise InvalidArgumentError(f"max_depth must be a positive int, got {max_depth!r}")
        result: RemoteResult = self._on_host(
            "/api/remote/storage-candidates",
            connection_id,
            RemoteResult,
            timeout,
            conda_env=conda_env,
            scan_root=scan_root,
            max_depth=max_depth,
        )
        return result

    def list_remote_storage_candidates(
        self,
        connection_id: str,
        conda_env: str = "system",
        scan_root: str | None = None,
        max_depth: int = 3,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> list[RemoteResult]:
        """runicorn 0.7's client's name: the ``candidates`` of :meth:`storage_candidates`.

        :calls: ``GET /api/remote/storage-candidates?connection_id=&scan_root=&max_depth=``
        """
        found = self.storage_candidates(
            connection_id, conda_env, scan_root, max_depth, timeout=timeout
        )
        return self._models(
            RemoteResult,
            found.get("candidates", []),
            context="GET /api/remote/storage-candidates",
        )

    def list_dir(
        self, connection_id: str, path: str = "~", *, timeout: Timeout = NOT_GIVEN
    ) -> RemoteDirectory:
        """A remote folder's entries, folders first (0.5.x).

        :calls: ``GET /api/remote/fs/list?connection_id=&path=``
        """
        self._adapter.require("remote_files")
        listing: RemoteDirectory = self._on_host(
            "/api/remote/fs/list", connection_id, RemoteDirectory, timeout, path=path
        )
        return listing

    def path_exists(
        self, connection_id: str, path: str, *, timeout: Timeout = NOT_GIVEN
    ) -> RemoteResult:
        """Whether a remote path exists; the result has ``exists`` and ``is_dir`` (0.5.x).

        :calls: ``GET /api/remote/fs/exists?connection_id=&path=``
        """
        self._adapter.require("remote_files")
        result: RemoteResult = self._on_host(
            "/api/remote/fs/exists", connection_id, RemoteResult, timeout, path=path
        )
        return result

    def saved_connections(self, *, timeout: Timeout = NOT_GIVEN) -> list[RemoteResult]:
        """The connections saved in the viewer's settings (secrets masked by the viewer).

        :calls: ``GET /api/remote/connections/saved``
        """
        return self._get(
            "/api/remote/connections/saved",
            ListOf(RemoteResult, key="connections"),
            timeout=timeout,
        )

    def _on_host(
        self,
        route: str,
        connection_id: str,
        model: type[RunicornModel],
        timeout: Timeout,
        *,
        items: str | None = None,
        **params: Any,
    ) -> Any:
        """``GET route?connection_id=...&params`` about the remote host, as ``model`` (or a
        list of them from the body's ``items`` key); ``None`` params are left out."""
        login = self._login(connection_id)
        query = {"connection_id": login.connection_id}
        query.update({k: v for k, v in params.items() if v is not None})
        cast_to = model if items is None else ListOf(model, key=items)
        return self._remote("GET", route, login, cast_to, params=query, timeout=slow(timeout))
