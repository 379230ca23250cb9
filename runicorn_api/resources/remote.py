"""SSH connections and remote viewers, run by the viewer on our behalf (``/api/remote``)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError

from .._exceptions import (
    APIStatusError,
    HostKeyConfirmationRequired,
    HostKeyMismatchError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    remote_error,
)
from .._types import NOT_GIVEN, Timeout
from ..models._base import RunicornModel
from ..models.remote import (
    CondaEnv,
    HostKey,
    KnownHost,
    RemoteConnection,
    RemoteDirectory,
    RemoteResult,
    RemoteSession,
    RemoteStatus,
)
from ._base import Resource

if TYPE_CHECKING:
    from .._client import RunicornClient

_SLOW = 180.0
"""Default seconds for calls that log in over SSH and run commands (a start takes 3-50 s)."""


@dataclass(frozen=True)
class _Login:
    host: str
    port: int
    username: str
    secrets: dict[str, SecretStr] = field(repr=False)
    """Password, passphrase, key: unwrapped only into a request body."""
    use_agent: bool | None = None

    @property
    def connection_id(self) -> str:
        return f"{self.username}@{self.host}:{self.port}"

    def body(self) -> dict[str, Any]:
        secrets = {k: v.get_secret_value() for k, v in self.secrets.items()}
        body: dict[str, Any] = {"host": self.host, "port": self.port, "username": self.username}
        if self.use_agent is not None:
            body["use_agent"] = self.use_agent
        return {**body, **secrets}


class RemoteResource(Resource):
    """``/api/remote/...``: the seed's Remote API with the bodies the viewer really takes.

    The viewer names an SSH connection ``"user@host:port"`` and starts a remote viewer by
    logging in again, so :meth:`connect` keeps the login (secrets as ``SecretStr``, in
    this client's memory only) for :meth:`start_viewer` and :meth:`disconnect`. Those take
    the connection id or, as in the seed, the bare host. POSTs here are never retried.
    SSH failures come back typed (:class:`AuthenticationError`,
    :class:`SSHConnectionError` and its kinds, :class:`HostKeyConfirmationRequired`).
    """

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._logins: dict[str, _Login] = {}

    # -- connections ---------------------------------------------------------------------

    def connect(
        self,
        host: str,
        port: int = 22,
        username: str | None = None,
        password: str | None = None,
        private_key_path: str | None = None,
        passphrase: str | None = None,
        *,
        private_key: str | None = None,
        use_agent: bool | None = None,
        host_key_fingerprint: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> RemoteConnection:
        """Open an SSH connection from the viewer.

        :calls: ``POST /api/remote/connect`` (and, with ``host_key_fingerprint``,
            ``POST /api/remote/known-hosts/accept`` and the connect again)

        A 0.7.x viewer first asks to confirm an unknown host key: this raises
        :class:`HostKeyConfirmationRequired` carrying the offered key. Given
        ``host_key_fingerprint="SHA256:..."``, the key is accepted only when its
        fingerprint is that one; otherwise :class:`HostKeyMismatchError` is raised and
        nothing is trusted. 0.5.x viewers accept any host key themselves, so a
        fingerprint cannot be checked there and passing one raises
        :class:`UnsupportedFeatureError` before any request.

        Raises:
            ValueError: Before any request, without ``host`` or ``username``, or with a
                port outside 1-65535.
            AuthenticationError: The SSH server refused the login.
            SSHConnectionError: Refused, unreachable or timed out (the subclass says which).
        """
        login = self._new_login(
            host,
            port,
            username,
            use_agent,
            password=password,
            private_key_path=private_key_path,
            passphrase=passphrase,
            private_key=private_key,
        )
        if host_key_fingerprint is not None:
            self._adapter.require("host_keys")
            _fingerprint(host_key_fingerprint)
        timeout = _slow(timeout)
        try:
            data = self._remote(
                "POST", "/api/remote/connect", login, body=login.body(), timeout=timeout
            )
        except HostKeyConfirmationRequired as err:
            if host_key_fingerprint is None:
                raise
            offered = err.host_key
            if _fingerprint(offered.fingerprint_sha256) != _fingerprint(host_key_fingerprint):
                raise HostKeyMismatchError(
                    f"{host}:{port} offered the {offered.key_type} host key "
                    f"{offered.fingerprint_sha256}, not the expected {host_key_fingerprint}. "
                    "Nothing was trusted: the server may not be the one you meant (or its "
                    "key was replaced). Check the fingerprint on the server itself.",
                    expected=host_key_fingerprint,
                    method=err.method,
                    url=err.url,
                    body=err.body,
                    response=err.response,
                    status_code=err.status_code,
                ) from None
            self.accept_host_key(offered, timeout=timeout)
            data = self._remote(
                "POST", "/api/remote/connect", login, body=login.body(), timeout=timeout
            )
        connection = self._model(RemoteConnection, data, context="POST /api/remote/connect")
        self._logins[connection.connection_id] = login
        return connection

    def disconnect(self, connection_id: str, *, timeout: Timeout = NOT_GIVEN) -> RemoteResult:
        """Close an SSH connection opened with :meth:`connect`.

        :calls: ``POST /api/remote/disconnect {"host", "port", "username"}``

        A 0.7.x viewer closes a connection itself when its last remote viewer stops, and
        then answers "Connection not found": that counts as done, and the result's
        ``already_closed`` and ``message`` say so.
        """
        login = self._login(connection_id)
        body = {"host": login.host, "port": login.port, "username": login.username}
        data = self._remote("POST", "/api/remote/disconnect", login, body=body, timeout=timeout)
        self._logins.pop(login.connection_id, None)
        result = dict(data) if isinstance(data, dict) else {"result": data}
        closed = result.get("ok") is False and "not found" in str(result.get("message")).lower()
        if closed:
            result.update(
                ok=True,
                viewer_message=result.get("message"),
                message=f"{login.connection_id} was already closed: the viewer closes a "
                "connection when its last remote viewer stops.",
            )
        result["already_closed"] = closed
        result["connection_id"] = login.connection_id
        return self._model(RemoteResult, result, context="POST /api/remote/disconnect")

    def list_sessions(self, *, timeout: Timeout = NOT_GIVEN) -> list[RemoteConnection]:
        """The viewer's open SSH connections.

        :calls: ``GET /api/remote/sessions``
        """
        data = self._request("GET", "/api/remote/sessions", timeout=timeout)
        return self._models(
            RemoteConnection, _items(data, "sessions"), context="GET /api/remote/sessions"
        )

    def get_remote_status(self, *, timeout: Timeout = NOT_GIVEN) -> RemoteStatus:
        """The viewer's SSH connections and remote viewer sessions, with their counts.

        :calls: ``GET /api/remote/status``
        """
        data = self._request("GET", "/api/remote/status", timeout=timeout)
        return self._model(RemoteStatus, data, context="GET /api/remote/status")

    # -- host keys (0.7.x) ---------------------------------------------------------------

    def accept_host_key(
        self, host_key: HostKey | Mapping[str, Any], *, timeout: Timeout = NOT_GIVEN
    ) -> RemoteResult:
        """Trust a host key, as offered by :class:`HostKeyConfirmationRequired`.

        :calls: ``POST /api/remote/known-hosts/accept``

        Check the fingerprint on the server before you call this.
        """
        self._adapter.require("host_keys")
        if not isinstance(host_key, HostKey):
            if not isinstance(host_key, Mapping):
                raise InvalidArgumentTypeError(
                    f"host_key must be a HostKey or a mapping, got {type(host_key).__name__}"
                )
            try:
                host_key = HostKey.model_validate(dict(host_key))
            except ValidationError as err:
                raise InvalidArgumentError(
                    "host_key needs host, port, key_type, public_key and fingerprint_sha256: "
                    + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
                ) from None
        data = self._request(
            "POST",
            "/api/remote/known-hosts/accept",
            json_body=host_key.accept_body(),
            timeout=timeout,
        )
        return self._model(RemoteResult, data, context="POST /api/remote/known-hosts/accept")

    def known_hosts(self, *, timeout: Timeout = NOT_GIVEN) -> list[KnownHost]:
        """The host keys the viewer trusts.

        :calls: ``GET /api/remote/known-hosts/list``
        """
        self._adapter.require("host_keys")
        data = self._request("GET", "/api/remote/known-hosts/list", timeout=timeout)
        return self._models(
            KnownHost, _items(data, "entries"), context="GET /api/remote/known-hosts/list"
        )

    def remove_host_key(
        self, host: str, port: int, key_type: str, *, timeout: Timeout = NOT_GIVEN
    ) -> RemoteResult:
        """Stop trusting a host key; the result's ``changed`` says whether one was removed.

        :calls: ``POST /api/remote/known-hosts/remove``
        """
        self._adapter.require("host_keys")
        _check_host_port(host, port)
        if not isinstance(key_type, str) or not key_type:
            raise InvalidArgumentError("key_type must be a non-empty string, e.g. 'ssh-ed25519'")
        body = {"host": host, "port": port, "key_type": key_type}
        data = self._request(
            "POST", "/api/remote/known-hosts/remove", json_body=body, timeout=timeout
        )
        return self._model(RemoteResult, data, context="POST /api/remote/known-hosts/remove")

    # -- remote viewers ------------------------------------------------------------------

    def start_viewer(
        self,
        connection_id: str,
        remote_root: str,
        local_port: int | None = None,
        remote_port: int | None = None,
        conda_env: str | None = None,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> RemoteSession:
        """Start a viewer on the remote host over ``remote_root`` and tunnel it to
        ``local_port`` on the viewer's machine (each port is chosen when not given).

        :calls: ``POST /api/remote/viewer/start`` (3-50 s: it logs in and runs commands;
            the default timeout is 180 s)

        The session answers the seed's ``session["local_port"]``.
        """
        if not isinstance(remote_root, str) or not remote_root.strip():
            raise InvalidArgumentError("remote_root must be the remote storage folder's path")
        for name, value in (("local_port", local_port), ("remote_port", remote_port)):
            if value is not None:
                _check_port(name, value)
        login = self._login(connection_id)
        body = {
            **login.body(),
            "remote_root": remote_root,
            "local_port": local_port,
            "remote_port": remote_port,
            "conda_env": conda_env,
        }
        data = self._remote(
            "POST", "/api/remote/viewer/start", login, body=body, timeout=_slow(timeout)
        )
        return self._model(RemoteSession, data, context="POST /api/remote/viewer/start")

    def list_viewer_sessions(self, *, timeout: Timeout = NOT_GIVEN) -> list[RemoteSession]:
        """The remote viewers the viewer runs.

        :calls: ``GET /api/remote/viewer/sessions``
        """
        data = self._request("GET", "/api/remote/viewer/sessions", timeout=timeout)
        return self._models(
            RemoteSession, _items(data, "sessions"), context="GET /api/remote/viewer/sessions"
        )

    def viewer_status(self, session_id: str, *, timeout: Timeout = NOT_GIVEN) -> RemoteSession:
        """One remote viewer's state.

        :calls: ``GET /api/remote/viewer/status/{session_id}``
        """
        path = f"/api/remote/viewer/status/{_session_id(session_id)}"
        data = self._request("GET", path, timeout=timeout)
        return self._model(RemoteSession, data, context=f"GET {path}")

    def stop_viewer(self, session_id: str, *, timeout: Timeout = NOT_GIVEN) -> RemoteResult:
        """Stop a remote viewer and its tunnel.

        :calls: ``POST /api/remote/viewer/stop {"session_id"}``
        """
        body = {"session_id": _session_id(session_id)}
        data = self._request("POST", "/api/remote/viewer/stop", json_body=body, timeout=timeout)
        return self._model(RemoteResult, data, context="POST /api/remote/viewer/stop")

    def open(
        self,
        connection_id: str,
        remote_root: str,
        local_port: int | None = None,
        remote_port: int | None = None,
        conda_env: str | None = None,
        *,
        timeout: Timeout = NOT_GIVEN,
        **client_options: Any,
    ) -> RunicornClient:
        """A client for the remote storage, through a remote viewer and its tunnel.

        :calls: ``GET /api/remote/viewer/sessions``, then ``POST /api/remote/viewer/start``
            unless a viewer of this connection already serves ``remote_root``

        The returned client is a context manager: closing it stops the remote viewer if
        this call started it. Its ``direct_reads`` is ``"never"``: the remote's paths are
        not this machine's. ``client_options`` go to :class:`RunicornClient`.
        """
        login = self._login(connection_id)
        if "direct_reads" in client_options:
            raise InvalidArgumentError(
                "a client for a remote viewer reads over HTTP only (direct_reads='never')"
            )
        reused = next(
            (
                s
                for s in self.list_viewer_sessions(timeout=timeout)
                if s.connection_id == login.connection_id
                and s.remote_root == remote_root
                and s.is_active is not False
                and local_port in (None, s.local_port)
            ),
            None,
        )
        session = reused or self.start_viewer(
            login.connection_id, remote_root, local_port, remote_port, conda_env, timeout=timeout
        )
        from .._client import RunicornClient

        viewer_host = urlsplit(self._client.base_url).hostname or "127.0.0.1"
        if ":" in viewer_host:
            viewer_host = f"[{viewer_host}]"
        try:
            remote = RunicornClient(
                f"http://{viewer_host}:{session.local_port}",
                direct_reads="never",
                **client_options,
            )
        except BaseException:
            if reused is None:
                with contextlib.suppress(APIStatusError):
                    self.stop_viewer(session.session_id)
            raise
        remote.remote_session = session
        if reused is None:
            remote._on_close.append(lambda: self._stop_quietly(session.session_id))
        return remote

    def _stop_quietly(self, session_id: str) -> None:
        # Closing a client must not fail because the session is already gone.
        with contextlib.suppress(APIStatusError):
            self.stop_viewer(session_id)

    # -- browsing the remote host --------------------------------------------------------

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
            "/api/remote/storage-candidates", connection_id, RemoteResult, timeout,
            conda_env=conda_env, scan_root=scan_root, max_depth=max_depth,
        )  # fmt: skip
        return result

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
        data = self._request("GET", "/api/remote/connections/saved", timeout=timeout)
        return self._models(
            RemoteResult, _items(data, "connections"), context="GET /api/remote/connections/saved"
        )

    # -- plumbing ------------------------------------------------------------------------

    def _new_login(
        self,
        host: str,
        port: int,
        username: str | None,
        use_agent: bool | None,
        **secrets: str | None,
    ) -> _Login:
        if not host or not username:
            raise InvalidArgumentError(
                "remote.connect needs host and username (the viewer requires both)"
            )
        _check_host_port(host, port)
        if not isinstance(username, str):
            raise InvalidArgumentTypeError(f"username must be a string, got {username!r}")
        if use_agent is not None and not isinstance(use_agent, bool):
            raise InvalidArgumentTypeError(f"use_agent must be a bool, got {use_agent!r}")
        held: dict[str, SecretStr] = {}
        for name, value in secrets.items():
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if not isinstance(value, str):
                raise InvalidArgumentTypeError(f"{name} must be a string")
            held[name] = SecretStr(value)
        return _Login(host, port, username, held, use_agent)

    def _login(self, connection_id: str) -> _Login:
        """The login behind ``"user@host:port"``, or behind a bare host opened once."""
        if not isinstance(connection_id, str) or not connection_id:
            raise InvalidArgumentError(
                f"connection_id must be 'user@host:port' or a host, got {connection_id!r}"
            )
        login = self._logins.get(connection_id)
        if login is not None:
            return login
        by_host = [
            v for v in self._logins.values() if connection_id in (v.host, f"{v.host}:{v.port}")
        ]
        if len(by_host) == 1:
            return by_host[0]
        known = ", ".join(sorted(self._logins)) or "none"
        problem = "matches several connections" if by_host else "was not opened by this client"
        raise InvalidArgumentError(
            f"SSH connection {connection_id!r} {problem} (open ones: {known}); call "
            "client.remote.connect(...) first, and pass its connection_id."
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
        data = self._remote("GET", route, login, params=query, timeout=_slow(timeout))
        if items is not None:
            return self._models(model, _items(data, items), context=f"GET {route}")
        return self._model(model, data, context=f"GET {route}")

    def _remote(
        self,
        method: str,
        path: str,
        login: _Login,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        timeout: Timeout,
    ) -> Any:
        """A request whose SSH failures are refined into typed errors naming the login."""
        try:
            return self._client._transport.request(
                method, path, params=params, json_body=body, timeout=timeout
            )
        except APIStatusError as err:
            refined = remote_error(
                err,
                host=login.host,
                port=login.port,
                username=login.username,
                version=self._adapter.version,
            )
            if refined is err:
                raise
            raise refined from None


def _items(data: Any, key: str) -> Any:
    return data.get(key, []) if isinstance(data, dict) else data


def _slow(timeout: Timeout) -> Timeout:
    return _SLOW if timeout is NOT_GIVEN else timeout


def _fingerprint(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(
            f"host_key_fingerprint must be 'SHA256:<base64>', as ssh-keygen -l prints it, "
            f"got {value!r}"
        )
    text = value.strip()
    return text[7:].rstrip("=") if text.upper().startswith("SHA256:") else text.rstrip("=")


def _session_id(session_id: str) -> str:
    if not isinstance(session_id, str) or not session_id.strip() or "/" in session_id:
        raise InvalidArgumentError(f"session_id must be a non-empty id, got {session_id!r}")
    return session_id


def _check_port(name: str, port: Any) -> None:
    if isinstance(port, bool) or not isinstance(port, int):
        raise InvalidArgumentTypeError(f"{name} must be an int, got {port!r}")
    if not 1 <= port <= 65535:
        raise InvalidArgumentError(f"{name} must be within 1-65535, got {port}")


def _check_host_port(host: Any, port: Any) -> None:
    if not isinstance(host, str) or not host.strip():
        raise InvalidArgumentError(f"host must be a non-empty string, got {host!r}")
    _check_port("port", port)
