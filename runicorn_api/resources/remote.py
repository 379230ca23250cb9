"""SSH connections and remote viewers, run by the local viewer on our behalf."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from .._exceptions import InvalidArgumentError
from .._types import NOT_GIVEN, Timeout
from ..models.remote import RemoteResult, RemoteStatus
from ._base import Resource


@dataclass(frozen=True)
class _Login:
    host: str
    port: int
    username: str
    secrets: dict[str, SecretStr] = field(repr=False)
    """Password, passphrase, key path: unwrapped only into a request body."""


class RemoteResource(Resource):
    """``/api/remote/...``: the seed's Remote API with the bodies the viewer really takes.

    The viewer identifies an SSH connection by host, port and username, and starts a
    remote viewer by logging in again. :meth:`connect` therefore remembers the login
    under its ``connection_id`` (the host) for :meth:`start_viewer` and
    :meth:`disconnect`, in this client's memory only. POSTs here are never retried.
    """

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._logins: dict[str, _Login] = {}

    def connect(
        self,
        host: str,
        port: int = 22,
        username: str | None = None,
        password: str | None = None,
        private_key_path: str | None = None,
        passphrase: str | None = None,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> RemoteResult:
        """Open an SSH connection from the viewer.

        :calls: ``POST /api/remote/connect``

        Raises:
            ValueError: Before any request, without ``host`` or ``username``.
        """
        if not host or not username:
            raise InvalidArgumentError(
                "remote.connect needs host and username (the viewer requires both)"
            )
        secrets = {
            k: SecretStr(v)
            for k, v in (
                ("password", password),
                ("private_key_path", private_key_path),
                ("passphrase", passphrase),
            )
            if v is not None
        }
        login = _Login(host, port, username, secrets)
        data = self._request(
            "POST", "/api/remote/connect", json_body=self._body(login), timeout=timeout
        )
        self._logins[host] = login
        return self._result(data, "POST /api/remote/connect", connection_id=host)

    def start_viewer(
        self,
        connection_id: str,
        remote_root: str,
        local_port: int | None = None,
        remote_port: int | None = None,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> RemoteResult:
        """Start a viewer on the remote host and tunnel it to a local port.

        :calls: ``POST /api/remote/viewer/start``

        Raises:
            ValueError: Before any request, when ``connection_id`` was not opened with
                :meth:`connect` by this client.
        """
        login = self._login(connection_id)
        body = {
            **self._body(login),
            "remote_root": remote_root,
            "local_port": local_port,
            "remote_port": remote_port,
        }
        data = self._request("POST", "/api/remote/viewer/start", json_body=body, timeout=timeout)
        return self._result(data, "POST /api/remote/viewer/start", connection_id=connection_id)

    def get_remote_status(self, *, timeout: Timeout = NOT_GIVEN) -> RemoteStatus:
        """The viewer's SSH connections and remote viewer sessions, with their counts.

        :calls: ``GET /api/remote/status``
        """
        data = self._request("GET", "/api/remote/status", timeout=timeout)
        return self._model(RemoteStatus, data, context="GET /api/remote/status")

    def list_sessions(self, *, timeout: Timeout = NOT_GIVEN) -> list[RemoteResult]:
        """:calls: ``GET /api/remote/sessions``"""
        return self._sessions("/api/remote/sessions", timeout)

    def list_viewer_sessions(self, *, timeout: Timeout = NOT_GIVEN) -> list[RemoteResult]:
        """:calls: ``GET /api/remote/viewer/sessions``"""
        return self._sessions("/api/remote/viewer/sessions", timeout)

    def stop_viewer(self, session_id: str, *, timeout: Timeout = NOT_GIVEN) -> RemoteResult:
        """:calls: ``POST /api/remote/viewer/stop {"session_id"}``"""
        if not session_id:
            raise InvalidArgumentError("session_id must be a non-empty string")
        data = self._request(
            "POST", "/api/remote/viewer/stop", json_body={"session_id": session_id}, timeout=timeout
        )
        return self._result(data, "POST /api/remote/viewer/stop")

    def disconnect(self, host: str, *, timeout: Timeout = NOT_GIVEN) -> RemoteResult:
        """Close the SSH connection opened with :meth:`connect`.

        :calls: ``POST /api/remote/disconnect {"host", "port", "username"}``
        """
        login = self._login(host)
        body = {"host": login.host, "port": login.port, "username": login.username}
        data = self._request("POST", "/api/remote/disconnect", json_body=body, timeout=timeout)
        self._logins.pop(host, None)
        return self._result(data, "POST /api/remote/disconnect", connection_id=host)

    def _login(self, connection_id: str) -> _Login:
        try:
            return self._logins[connection_id]
        except KeyError:
            known = ", ".join(sorted(self._logins)) or "none"
            raise InvalidArgumentError(
                f"No SSH connection {connection_id!r} was opened by this client "
                f"(open ones: {known}); call client.remote.connect(...) first."
            ) from None

    @staticmethod
    def _body(login: _Login) -> dict[str, Any]:
        secrets = {k: v.get_secret_value() for k, v in login.secrets.items()}
        return {"host": login.host, "port": login.port, "username": login.username, **secrets}

    def _sessions(self, path: str, timeout: Timeout) -> list[RemoteResult]:
        data = self._request("GET", path, timeout=timeout)
        items = data.get("sessions", []) if isinstance(data, dict) else data
        return self._models(RemoteResult, items, context=f"GET {path}")

    def _result(self, data: Any, context: str, **extra: Any) -> RemoteResult:
        merged = {**data, **extra} if isinstance(data, dict) else {"result": data, **extra}
        return self._model(RemoteResult, merged, context=context)
