"""Errors raised by runicorn_api.

Every error derives from :class:`RunicornAPIError`::

    RunicornAPIError
    ├── APIConnectionError            (exported as ``ConnectionError`` too, as the seed names it)
    │   └── APITimeoutError           (exported as ``TimeoutError`` too)
    ├── APIStatusError                the viewer answered with an error status
    │   ├── BadRequestError           400
    │   │   └── InvalidArgumentError  refused here, before any request (also a ValueError;
    │   │       └── InvalidArgumentTypeError        this one also a TypeError)
    │   ├── AuthenticationError       401
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── MethodNotAllowedError     405
    │   ├── ConflictError             409
    │   │   └── HostKeyConfirmationRequired   an SSH host key awaits confirmation (0.7.x)
    │   │       └── HostKeyMismatchError      ... and it is not the one you expected
    │   ├── UnprocessableEntityError  422 (carries FastAPI's ``detail`` list as ``errors``)
    │   ├── RateLimitError            429 (carries ``retry_after``)
    │   └── ServerError               >= 500
    │       └── SSHConnectionError        the viewer could not open SSH to host:port
    │           ├── SSHConnectionRefusedError, SSHHostUnreachableError, SSHTimeoutError
    │           └── SSHAgentRequiredError 0.6.x tunnels log in through an ssh-agent only
    ├── UnsupportedFeatureError       the connected viewer version has no such endpoint
    ├── ResponseValidationError       a body that does not match what the endpoint documents
    ├── DownloadError                 a downloaded file fails its digest, or a zip is unsafe
    └── MissingDependencyError        an optional extra (pandas, polars, viewer) is not installed

A status maps to its class in exactly one place, :func:`status_error_class`; what the
viewer's remote routes say about SSH refines it in :func:`remote_error`. (An SSH login that
fails is an :class:`AuthenticationError`, whatever status the viewer answered with.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "DownloadError",
    "HostKeyConfirmationRequired",
    "HostKeyMismatchError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "MethodNotAllowedError",
    "MissingDependencyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "RunicornAPIError",
    "SSHAgentRequiredError",
    "SSHConnectionError",
    "SSHConnectionRefusedError",
    "SSHHostUnreachableError",
    "SSHTimeoutError",
    "ServerError",
    "UnprocessableEntityError",
    "UnsupportedFeatureError",
    "reading",
    "remote_error",
    "status_error_class",
]


class RunicornAPIError(Exception):
    """Base class of every error this package raises.

    Attributes:
        message: The human-readable explanation.
        status_code: The HTTP status, or ``None`` when no response was received.
        method: The HTTP method of the request, when there was one.
        url: The full URL of the request, when there was one.
        body: The parsed JSON body of the error response (or its text), else ``None``.
        response: The :class:`requests.Response`, when there was one.
    """

    status_code: int | None = None

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        body: Any = None,
        response: requests.Response | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.body = body
        self.response = response
        if status_code is not None:
            self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class APIConnectionError(RunicornAPIError):
    """The viewer could not be reached (refused, reset, DNS, retries exhausted)."""


class APITimeoutError(APIConnectionError):
    """The viewer did not answer within the timeout."""


class APIStatusError(RunicornAPIError):
    """The viewer answered with a 4xx or 5xx status.

    Attributes:
        detail: FastAPI's ``detail`` field of the body (a string, list or dict), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        body: Any = None,
        response: requests.Response | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(
            message, method=method, url=url, body=body, response=response, status_code=status_code
        )
        self.detail: Any = body.get("detail") if isinstance(body, dict) else None


class BadRequestError(APIStatusError):
    """400: the viewer rejected the request's parameters."""

    status_code: int | None = 400


class InvalidArgumentError(BadRequestError, ValueError):
    """An argument refused by the client before the request was sent: no status code.

    The seed names :class:`BadRequestError` as the error for invalid parameters, and its
    examples catch it; Python code catches ``ValueError``. This is both.
    """

    status_code: int | None = None

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} (refused by runicorn_api; the request was not sent)")


class InvalidArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument of the wrong type; also a ``TypeError``."""


class AuthenticationError(APIStatusError):
    """401: authentication failed."""

    status_code = 401


class PermissionDeniedError(APIStatusError):
    """403: the request is not allowed."""

    status_code = 403


class NotFoundError(APIStatusError):
    """404: the run, artifact or route does not exist."""

    status_code = 404


class MethodNotAllowedError(APIStatusError):
    """405: the route exists but not for this HTTP method."""

    status_code = 405


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state (e.g. the path already exists)."""

    status_code = 409


class HostKeyConfirmationRequired(ConflictError):
    """409 ``HOST_KEY_CONFIRMATION_REQUIRED``: the viewer was offered an SSH host key it
    does not trust yet (0.7.x). Nothing was trusted.

    Attributes:
        host_key: The offered key (:class:`~runicorn_api.HostKey`); check its
            ``fingerprint_sha256`` on the server, then pass it to
            ``client.remote.accept_host_key`` (or connect with ``host_key_fingerprint=``).
    """

    @property
    def host_key(self) -> Any:
        from .models.remote import HostKey

        detail = self.detail if isinstance(self.detail, dict) else {}
        return HostKey.model_validate(detail.get("host_key") or {})


class HostKeyMismatchError(HostKeyConfirmationRequired):
    """The offered host key is not the one given as ``host_key_fingerprint``. Nothing was
    trusted and no login was attempted with it.

    Attributes:
        expected: The fingerprint the caller expected.
    """

    def __init__(self, message: str, *, expected: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.expected = expected


class UnprocessableEntityError(APIStatusError):
    """422: FastAPI rejected the query or body.

    Attributes:
        errors: FastAPI's validation error list (``loc``, ``msg``, ``type``, ...).
    """

    status_code = 422

    @property
    def errors(self) -> list[dict[str, Any]]:
        detail = self.detail
        return [e for e in detail if isinstance(e, dict)] if isinstance(detail, list) else []


class RateLimitError(APIStatusError):
    """429: the viewer's rate limiter refused the request.

    Attributes:
        retry_after: Seconds the viewer asked us to wait, from ``Retry-After`` or the body.
    """

    status_code = 429

    @property
    def retry_after(self) -> float | None:
        if self.response is not None:
            header = self.response.headers.get("Retry-After")
            if header is not None:
                try:
                    return float(header)
                except ValueError:
                    pass
        if isinstance(self.body, dict) and isinstance(self.body.get("retry_after"), int | float):
            return float(self.body["retry_after"])
        return None


class ServerError(APIStatusError):
    """A 5xx status (500 internal error, 501 not implemented in this build, 503, ...)."""


class SSHConnectionError(ServerError):
    """The viewer could not open an SSH connection to ``host:port``.

    Attributes:
        host: The SSH host the viewer was asked to reach.
        port: Its SSH port.
    """

    def __init__(self, message: str, *, host: str, port: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.host = host
        self.port = port


class SSHConnectionRefusedError(SSHConnectionError):
    """Nothing listens on the SSH port (connection refused)."""


class SSHHostUnreachableError(SSHConnectionError):
    """The SSH host name does not resolve, or there is no route to it."""


class SSHTimeoutError(SSHConnectionError):
    """The SSH server did not answer in time."""


class SSHAgentRequiredError(SSHConnectionError):
    """0.6.x viewers open their tunnel with OpenSSH and pass it neither the key file nor
    the password: only keys held by an ssh-agent work there."""


class UnsupportedFeatureError(RunicornAPIError):
    """The connected viewer version has no endpoint for this feature.

    Raised before any request is sent when the version is known to lack it, and when a
    0.7.x viewer answers an unknown ``/api`` route with its HTML web page.
    """


class ResponseValidationError(RunicornAPIError):
    """The viewer's body does not match the documented shape.

    Attributes:
        errors: pydantic's error list; each ``loc`` is the field path inside the body.
    """

    def __init__(
        self,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        method: str | None = None,
        url: str | None = None,
        body: Any = None,
        response: requests.Response | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(
            message, method=method, url=url, body=body, response=response, status_code=status_code
        )
        self.errors = errors or []


class DownloadError(RunicornAPIError):
    """A downloaded file does not match what the viewer recorded (size, digest), or a zip
    would write outside its destination or past its recorded size. Nothing is left."""


class MissingDependencyError(RunicornAPIError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


_STATUS_CLASSES: dict[int | None, type[APIStatusError]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        MethodNotAllowedError,
        ConflictError,
        UnprocessableEntityError,
        RateLimitError,
    )
}


_SSH_FAILURES: tuple[tuple[re.Pattern[str], type[APIStatusError], str], ...] = (
    (
        re.compile(r"authentication failed|permission denied|auth(entication)? methods? "
                   r"(failed|exhausted)|no authentication methods", re.I),
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
        re.compile(r"no route to host|network is unreachable|could not resolve|name or "
                   r"service not known|nodename nor servname|getaddrinfo|name resolution",
                   re.I),
        SSHHostUnreachableError,
        "the host cannot be reached from the viewer's machine. Check the host name and "
        "the network between the viewer and the host.",
    ),
)  # fmt: skip


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
        return HostKeyConfirmationRequired(message, **_origin(error))
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


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The one place where an HTTP error status is mapped to its exception class."""
    if status_code >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)


@contextmanager
def reading(context: str, body: Any) -> Iterator[None]:
    """Turn a body that breaks the code reading it (a field of another type, a missing
    key, a number out of range) into :class:`ResponseValidationError`, in one place."""
    try:
        yield
    except RunicornAPIError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as err:
        raise ResponseValidationError(
            f"{context}: the viewer's answer could not be read ({type(err).__name__}: {err})",
            body=body,
        ) from err
