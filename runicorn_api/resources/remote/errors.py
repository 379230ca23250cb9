"""What SSH failures the viewer's remote routes report, as typed errors.

The viewer reports SSH failures as 500 with the SSH library's words in ``detail``, and an
unknown host key as 409 ``HOST_KEY_CONFIRMATION_REQUIRED`` (0.7.x); :func:`remote_error`
turns them into the errors below or into :class:`SSHConnectionError` and its kinds. An
SSH login that fails is an :class:`AuthenticationError`, whatever status the viewer sent.
"""

from __future__ import annotations

import re
from typing import Any

from ..._exceptions import (
    APIStatusError,
    AuthenticationError,
    ConflictError,
    ServerError,
    SSHAgentRequiredError,
    SSHConnectionError,
    SSHConnectionRefusedError,
    SSHHostUnreachableError,
    SSHTimeoutError,
)
from ...models.remote import HostKey

__all__ = ["HostKeyConfirmationRequired", "HostKeyMismatchError", "remote_error"]


class HostKeyConfirmationRequired(ConflictError):
    """409 ``HOST_KEY_CONFIRMATION_REQUIRED``: the viewer was offered an SSH host key it
    does not trust yet (0.7.x). Nothing was trusted.

    Attributes:
        host_key: The offered key (:class:`~runicorn_api.HostKey`); check its
            ``fingerprint_sha256`` on the server, then pass it to
            ``client.remote.accept_host_key`` (or connect with ``host_key_fingerprint=``).
        detail: The 409's ``detail`` as the viewer sent it (``code``, ``message``,
            ``host_key``), as runicorn 0.7's client exposes it.
    """

    def __init__(self, message: str, *, host_key: HostKey, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.host_key = host_key


class HostKeyMismatchError(HostKeyConfirmationRequired):
    """The offered host key is not the one given as ``host_key_fingerprint``. Nothing was
    trusted and no login was attempted with it.

    Attributes:
        expected: The fingerprint the caller expected.
    """

    def __init__(self, message: str, *, expected: str, host_key: HostKey, **kwargs: Any) -> None:
        super().__init__(message, host_key=host_key, **kwargs)
        self.expected = expected


_SSH_FAILURES: tuple[tuple[re.Pattern[str], type[APIStatusError], str], ...] = (
    (
        re.compile(
            r"authentication failed|permission denied|auth(entication)? methods? "
            r"(failed|exhausted)|no authentication methods",
            re.I,
        ),
        AuthenticationError,
        "the SSH server refused the login. Check the username and the password, key or "
        "passphrase; for a key, check that its public half is in the server's "
        "~/.ssh/authorized_keys.",
    ),
    (
        re.compile(r"connection refused|unable to connect to port", re.I),
        SSHConnectionRefusedError,
        "nothing accepts SSH connections on that port. Check the port (sshd's Port "
        "setting) and that sshd is running there.",
    ),
    (
        re.compile(r"timed out|timeout|error reading ssh protocol banner", re.I),
        SSHTimeoutError,
        "the SSH server did not answer in time. Check that the port is the SSH port and "
        "that no firewall drops the traffic.",
    ),
    (
        re.compile(
            r"no route to host|network is unreachable|could not resolve|name or "
            r"service not known|nodename nor servname|getaddrinfo|name resolution",
            re.I,
        ),
        SSHHostUnreachableError,
        "the host cannot be reached from the viewer's machine. Check the host name and "
        "the network between the viewer and the host.",
    ),
)


def remote_error(
    error: APIStatusError, *, host: str, port: int, username: str, version: str
) -> APIStatusError:
    """Refine what a ``/api/remote/...`` route answered into the SSH error it describes.

    The viewer reports SSH failures as 500 with the SSH library's words in ``detail``; the
    words differ by version (paramiko on 0.5.x, OpenSSH on 0.7.x). The result names the
    user, host and port and says what to do next; the viewer's words are kept at the end.
    """
    if isinstance(error, HostKeyConfirmationRequired) or error.status_code == 409:
        detail = error.detail if isinstance(error.detail, dict) else {}
        if detail.get("code") != "HOST_KEY_CONFIRMATION_REQUIRED":
            return error
        key = detail.get("host_key") or {}
        changed = key.get("reason") == "changed"
        message = (
            f"The SSH host key of {host}:{port} "
            + ("CHANGED since it was trusted" if changed else "is not trusted yet")
            + f": {key.get('key_type')} {key.get('fingerprint_sha256')}. Compare this "
            "fingerprint with the server's own (ssh-keygen -lf on its host key), then call "
            "client.remote.accept_host_key(err.host_key), or connect again with "
            "host_key_fingerprint='SHA256:...'. Nothing was trusted."
        )
        offered = HostKey.model_validate(key)  # the viewer's shape; refused if not
        return HostKeyConfirmationRequired(message, host_key=offered, **_origin(error))
    if not isinstance(error, ServerError):
        return error
    said = str(error.detail or error.message)
    who = f"{username}@{host}:{port}"
    if version.startswith("0.6.") and re.search(r"tunnel", said, re.I):
        return SSHAgentRequiredError(
            f"The remote viewer's SSH tunnel to {host}:{port} failed on runicorn {version}, "
            "whose tunnel passes neither the key file nor the password to OpenSSH. Load the "
            "key into an ssh-agent (ssh-add) and connect with use_agent=True, or use a "
            f"0.5.x or 0.7.x viewer. The viewer said: {said}",
            host=host,
            port=port,
            **_origin(error),
        )
    for pattern, cls, advice in _SSH_FAILURES:
        if pattern.search(said):
            text = f"SSH to {who} failed: {advice} The viewer said: {said}"
            if issubclass(cls, SSHConnectionError):
                return cls(text, host=host, port=port, **_origin(error))
            return cls(text, **_origin(error))
    return error


def _origin(error: APIStatusError) -> dict[str, Any]:
    return {
        "method": error.method,
        "url": error.url,
        "body": error.body,
        "response": error.response,
        "status_code": error.status_code,
    }
