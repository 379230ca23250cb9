"""The SSH logins a client opened, held for the viewer's later calls, and the request
that turns what the viewer says about SSH into typed errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from ..._core import ClientCore
from ..._exceptions import APIStatusError, InvalidArgumentError, InvalidArgumentTypeError
from ..._types import NOT_GIVEN, Timeout
from ..._validation import check_host_port
from .._base import Resource
from .errors import remote_error

__all__ = ["Login", "RemoteBase"]

SLOW = 180.0
"""Default seconds for calls that log in over SSH and run commands (a start takes 3-50 s)."""


@dataclass(frozen=True)
class Login:
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


class RemoteBase(Resource):
    """What every part of ``client.remote`` shares: the logins, and the SSH-aware request."""

    def __init__(self, core: ClientCore) -> None:
        super().__init__(core)
        self._logins: dict[str, Login] = {}

    def _new_login(
        self,
        host: str,
        port: int,
        username: str | None,
        use_agent: bool | None,
        **secrets: str | None,
    ) -> Login:
        if not host or not username:
            raise InvalidArgumentError(
                "remote.connect needs host and username (the viewer requires both)"
            )
        check_host_port(host, port)
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
        return Login(host, port, username, held, use_agent)

    def _login(self, connection_id: str) -> Login:
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

    def _address(
        self,
        connection_id: str | None,
        *,
        host: str | None,
        port: int | None,
        username: str | None,
        **secrets: str | None,
    ) -> Login:
        """The login a call names: ``connection_id`` (``"user@host:port"``, or a bare host
        opened once), or ``host``, ``port`` and ``username`` as runicorn 0.7's client
        passes them (the host may come first, in ``connection_id``'s place). Secrets
        given here make a new login for this call; otherwise the one :meth:`connect`
        kept is used, and without one the address alone."""
        given = {k: v for k, v in secrets.items() if v is not None}
        if host is None and port is None and username is None and not given:
            if connection_id is None:
                raise InvalidArgumentError(
                    "Name the SSH connection: a connection_id ('user@host:port') or "
                    "host=, port= and username="
                )
            return self._login(connection_id)
        if host is not None and connection_id is not None:
            raise InvalidArgumentError(
                f"Give connection_id or host=, not both (got {connection_id!r} and {host!r})"
            )
        host = host if host is not None else connection_id
        if not host or not username or "@" in host:
            raise InvalidArgumentError(
                f"host= and username= name an SSH connection together (got host={host!r}, "
                f"username={username!r}); or pass its connection_id alone"
            )
        port = 22 if port is None else port
        check_host_port(host, port)
        held = self._logins.get(f"{username}@{host}:{port}")
        if held is not None and not given:
            return held
        return self._new_login(host, port, username, None, **given)

    def _remote(
        self,
        method: str,
        path: str,
        login: Login,
        cast_to: Any = None,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        timeout: Timeout,
    ) -> Any:
        """A call (validated into ``cast_to``, see :meth:`ClientCore.call`) whose SSH
        failures are refined into typed errors naming the login."""
        try:
            return self._core.call(
                method, path, cast_to, params=params, json_body=body, timeout=timeout
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


def slow(timeout: Timeout) -> Timeout:
    """``timeout``, or :data:`SLOW` when not given."""
    return SLOW if timeout is NOT_GIVEN else timeout
