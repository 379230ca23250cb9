"""SSH connections and remote viewers, run by the viewer on our behalf (``/api/remote``).

``client.remote`` is one resource made of parts: the logins and the SSH-aware request
(:mod:`.logins`), remote viewers (:mod:`.viewers`), browsing the host (:mod:`.host`), the
viewer's saved connections (:mod:`.saved`) and the typed SSH errors (:mod:`.errors`);
connections and host keys are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from ..._core import ListOf
from ..._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ..._types import NOT_GIVEN, Timeout
from ..._validation import check_host_port
from ...models.remote import HostKey, KnownHost, RemoteConnection, RemoteResult, RemoteStatus
from .errors import HostKeyConfirmationRequired, HostKeyMismatchError
from .host import HostMixin
from .logins import slow
from .saved import SavedMixin
from .viewers import ViewersMixin

__all__ = ["HostKeyConfirmationRequired", "HostKeyMismatchError", "RemoteResource"]

C = TypeVar("C")


class RemoteResource(ViewersMixin[C], HostMixin, SavedMixin):
    """``/api/remote/...``: the original client's Remote API, with the bodies the viewer
    really takes.

    The viewer names an SSH connection ``"user@host:port"`` and starts a remote viewer by
    logging in again, so :meth:`connect` keeps the login (secrets as ``SecretStr``, in
    this client's memory only) for :meth:`start_viewer` and :meth:`disconnect`. Those take
    the connection id or, as in the original client, the bare host. POSTs here are never retried.
    SSH failures come back typed (:class:`AuthenticationError`,
    :class:`SSHConnectionError` and its kinds, :class:`HostKeyConfirmationRequired`).
    """

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
            fingerprint_of(host_key_fingerprint)
        timeout = slow(timeout)
        try:
            connection: RemoteConnection = self._remote(
                "POST", "/api/remote/connect", login, RemoteConnection, body=login.body(),
                timeout=timeout,
            )  # fmt: skip
        except HostKeyConfirmationRequired as err:
            if host_key_fingerprint is None:
                raise
            offered = err.host_key
            if fingerprint_of(offered.fingerprint_sha256) != fingerprint_of(host_key_fingerprint):
                raise HostKeyMismatchError(
                    f"{host}:{port} offered the {offered.key_type} host key "
                    f"{offered.fingerprint_sha256}, not the expected {host_key_fingerprint}. "
                    "Nothing was trusted: the server may not be the one you meant (or its "
                    "key was replaced). Check the fingerprint on the server itself.",
                    expected=host_key_fingerprint,
                    host_key=offered,
                    method=err.method,
                    url=err.url,
                    body=err.body,
                    response=err.response,
                    status_code=err.status_code,
                ) from None
            self.accept_host_key(offered, timeout=timeout)
            connection = self._remote(
                "POST", "/api/remote/connect", login, RemoteConnection, body=login.body(),
                timeout=timeout,
            )  # fmt: skip
        self._logins[connection.connection_id] = login
        return connection

    def disconnect(
        self,
        connection_id: str | None = None,
        port: int | None = None,
        username: str | None = None,
        *,
        host: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> RemoteResult:
        """Close an SSH connection: by its ``connection_id``, or as runicorn 0.7's client
        names it, ``disconnect(host, port=22, username=...)``.

        :calls: ``POST /api/remote/disconnect {"host", "port", "username"}``

        A 0.7.x viewer closes a connection itself when its last remote viewer stops, and
        then answers "Connection not found": that counts as done, and the result's
        ``already_closed`` and ``message`` say so.
        """
        login = self._address(connection_id, host=host, port=port, username=username)
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
        return self._get(
            "/api/remote/sessions", ListOf(RemoteConnection, key="sessions"), timeout=timeout
        )

    def get_remote_status(self, *, timeout: Timeout = NOT_GIVEN) -> RemoteStatus:
        """The viewer's SSH connections and remote viewer sessions, with their counts.

        :calls: ``GET /api/remote/status``
        """
        return self._get("/api/remote/status", RemoteStatus, timeout=timeout)

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
        return self._post(
            "/api/remote/known-hosts/accept",
            RemoteResult,
            json_body=host_key.accept_body(),
            timeout=timeout,
        )

    def confirm_host_key(
        self,
        host: str,
        port: int,
        key_type: str,
        public_key: str,
        fingerprint_sha256: str,
        *,
        timeout: Timeout = NOT_GIVEN,
    ) -> RemoteResult:
        """runicorn 0.7's client's form of :meth:`accept_host_key`, field by field (from
        :class:`HostKeyConfirmationRequired`'s ``host_key``); then retry the call.

        :calls: ``POST /api/remote/known-hosts/accept``
        """
        return self.accept_host_key(
            {
                "host": host,
                "port": port,
                "key_type": key_type,
                "public_key": public_key,
                "fingerprint_sha256": fingerprint_sha256,
            },
            timeout=timeout,
        )

    def known_hosts(self, *, timeout: Timeout = NOT_GIVEN) -> list[KnownHost]:
        """The host keys the viewer trusts.

        :calls: ``GET /api/remote/known-hosts/list``
        """
        self._adapter.require("host_keys")
        return self._get(
            "/api/remote/known-hosts/list", ListOf(KnownHost, key="entries"), timeout=timeout
        )

    def remove_host_key(
        self, host: str, port: int, key_type: str, *, timeout: Timeout = NOT_GIVEN
    ) -> RemoteResult:
        """Stop trusting a host key; the result's ``changed`` says whether one was removed.

        :calls: ``POST /api/remote/known-hosts/remove``
        """
        self._adapter.require("host_keys")
        check_host_port(host, port)
        if not isinstance(key_type, str) or not key_type:
            raise InvalidArgumentError("key_type must be a non-empty string, e.g. 'ssh-ed25519'")
        body = {"host": host, "port": port, "key_type": key_type}
        return self._post(
            "/api/remote/known-hosts/remove", RemoteResult, json_body=body, timeout=timeout
        )


def fingerprint_of(value: str) -> str:
    """A host key fingerprint without its ``SHA256:`` prefix and padding."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(
            f"host_key_fingerprint must be 'SHA256:<base64>', as ssh-keygen -l prints it, "
            f"got {value!r}"
        )
    text = value.strip()
    return text[7:].rstrip("=") if text.upper().startswith("SHA256:") else text.rstrip("=")
