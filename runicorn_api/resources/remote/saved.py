"""The SSH connections saved in the viewer's settings (``/api/config/ssh_connections``).

The viewer masks secrets when it lists them; the models here keep only the flags
(``has_password``, ...) even if a viewer sent more.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from pydantic import SecretStr

from ..._core import ListOf
from ..._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ..._types import NOT_GIVEN, Timeout
from ..._validation import check_bool, check_host_port
from ...models.remote import RemoteResult
from ...models.ssh import SavedSSHConnection
from .logins import RemoteBase

__all__ = ["SavedMixin"]


class SavedMixin(RemoteBase):
    """``client.remote``'s saved SSH connections."""

    def ssh_connections(self, *, timeout: Timeout = NOT_GIVEN) -> list[SavedSSHConnection]:
        """The SSH connections saved in the viewer's settings, secrets masked.

        :calls: ``GET /api/config/ssh_connections``
        """
        return self._get(
            "/api/config/ssh_connections",
            ListOf(SavedSSHConnection, key="connections"),
            timeout=timeout,
        )

    def ssh_connection(self, key: str, *, timeout: Timeout = NOT_GIVEN) -> SavedSSHConnection:
        """One saved connection by its key (``"host:port@username"``), secrets masked.

        :calls: ``GET /api/config/ssh_connections/{key}/details``

        Raises:
            NotFoundError: No connection is saved under ``key``.
        """
        path = f"/api/config/ssh_connections/{_key(key)}/details"
        data = self._get(path, timeout=timeout)
        body = data.get("connection", data) if isinstance(data, dict) else data
        return self._model(SavedSSHConnection, body, context=f"GET {path}")

    def save_ssh_connection(
        self,
        host: str,
        port: int = 22,
        username: str | None = None,
        *,
        name: str = "",
        auth_method: Literal["password", "key", "agent"] = "password",
        private_key_path: str | None = None,
        password: str | SecretStr | None = None,
        private_key: str | SecretStr | None = None,
        passphrase: str | SecretStr | None = None,
        remember_secrets: bool = False,
        timeout: Timeout = NOT_GIVEN,
    ) -> SavedSSHConnection:
        """Save a connection in the viewer's settings (one per host, port and user: a
        second save replaces the first); returns it as the viewer now lists it.

        :calls: ``POST /api/config/ssh_connections``, then
            ``GET /api/config/ssh_connections/{key}/details``

        Secrets are sent only with ``remember_secrets=True`` (the viewer stores them
        then); otherwise only the address, ``auth_method`` and ``private_key_path`` are.

        Raises:
            InvalidArgumentError: Before any request, without ``username``, with a bad
                port, or with secrets but not ``remember_secrets``.
        """
        check_host_port(host, port)
        if not isinstance(username, str) or not username:
            raise InvalidArgumentError("save_ssh_connection needs username=")
        if not isinstance(name, str):
            raise InvalidArgumentTypeError(f"name must be a string, got {name!r}")
        if auth_method not in ("password", "key", "agent"):
            raise InvalidArgumentError(
                f"auth_method must be 'password', 'key' or 'agent', got {auth_method!r}"
            )
        check_bool("remember_secrets", remember_secrets)
        secrets = {
            k: v.get_secret_value() if isinstance(v, SecretStr) else v
            for k, v in (
                ("password", password),
                ("private_key", private_key),
                ("passphrase", passphrase),
            )
            if v is not None
        }
        if any(not isinstance(v, str) for v in secrets.values()):
            raise InvalidArgumentTypeError("password, private_key and passphrase must be strings")
        if secrets and not remember_secrets:
            raise InvalidArgumentError(
                f"{', '.join(sorted(secrets))} would be stored in the viewer's settings: pass "
                "remember_secrets=True to store them, or leave them out. No request was sent."
            )
        body: dict[str, object] = {
            "host": host,
            "port": port,
            "username": username,
            "name": name,
            "auth_method": auth_method,
            "remember_password": remember_secrets,
            **({"private_key_path": private_key_path} if private_key_path else {}),
            **secrets,
        }
        self._post("/api/config/ssh_connections", RemoteResult, json_body=body, timeout=timeout)
        return self.ssh_connection(f"{host}:{port}@{username}", timeout=timeout)

    def delete_ssh_connection(self, key: str, *, timeout: Timeout = NOT_GIVEN) -> RemoteResult:
        """Remove a saved connection (removing one that is not saved is not an error).

        :calls: ``DELETE /api/config/ssh_connections/{key}``
        """
        path = f"/api/config/ssh_connections/{_key(key)}"
        return self._delete(path, RemoteResult, timeout=timeout)


def _key(key: object) -> str:
    if not isinstance(key, str) or "@" not in key or ":" not in key:
        raise InvalidArgumentError(
            f"key must be a saved connection's 'host:port@username', got {key!r}"
        )
    return quote(key, safe="")
