"""Errors raised by runicorn_api.

Every error derives from :class:`RunicornAPIError`::

    RunicornAPIError
    ├── APIConnectionError            (``ConnectionError`` too, the original client's name)
    │   ├── APITimeoutError           (exported as ``TimeoutError`` too)
    │   └── UnsafeRedirectError       a redirect to another origin, refused (see SECURITY.md)
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
    │   └── ResponseTooLargeError     a body past ``max_response_bytes``, refused unread
    ├── DownloadError                 a downloaded file fails its digest, or a zip is unsafe
    ├── MissingDependencyError        an optional extra (pandas, polars, viewer) is not installed
    └── UnsafePathError               a path from a server or a storage folder leaves its
                                      folder, or names a link, FIFO, socket or device

A status maps to its class in exactly one place,
:func:`runicorn_api._http.errors.status_error_class`. What the viewer's remote routes say
about SSH refines it in :mod:`runicorn_api.resources.remote.errors`, where the two
host-key errors live (they carry a :class:`~runicorn_api.HostKey`). An SSH login that
fails is an :class:`AuthenticationError`, whatever status the viewer answered with.
"""

from __future__ import annotations

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
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "MethodNotAllowedError",
    "MissingDependencyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RunicornAPIError",
    "SSHAgentRequiredError",
    "SSHConnectionError",
    "SSHConnectionRefusedError",
    "SSHHostUnreachableError",
    "SSHTimeoutError",
    "ServerError",
    "UnprocessableEntityError",
    "UnsafePathError",
    "UnsafeRedirectError",
    "UnsupportedFeatureError",
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


class UnsafeRedirectError(APIConnectionError):
    """A viewer answered with a redirect to another origin (scheme, host or port), or
    from ``https`` to ``http``. It is refused, not followed: no credential or body the
    call carried is sent anywhere but the base URL's origin.

    Attributes:
        location: Where the redirect pointed, without its query string or user info.
    """

    def __init__(self, message: str, *, location: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


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

    The original client names :class:`BadRequestError` as the error for invalid parameters, and its
    examples catch it; Python code catches ``ValueError``. This is both.
    """

    status_code: int | None = None

    def __init__(self, message: str, *, checked_after: str | None = None) -> None:
        """``checked_after``: what had to be read first to find the problem (a filter key
        no listed run has), said instead of "the request was not sent"."""
        suffix = (
            f"refused by runicorn_api after {checked_after}"
            if checked_after
            else "refused by runicorn_api; the request was not sent"
        )
        super().__init__(f"{message} ({suffix})")


class InvalidArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument of the wrong type; also a ``TypeError``."""


class AuthenticationError(APIStatusError):
    """401: authentication failed."""

    status_code: int | None = 401


class PermissionDeniedError(APIStatusError):
    """403: the request is not allowed."""

    status_code: int | None = 403


class NotFoundError(APIStatusError):
    """404: the run, artifact or route does not exist."""

    status_code: int | None = 404


class MethodNotAllowedError(APIStatusError):
    """405: the route exists but not for this HTTP method."""

    status_code: int | None = 405


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state (e.g. the path already exists)."""

    status_code: int | None = 409


class UnprocessableEntityError(APIStatusError):
    """422: FastAPI rejected the query or body.

    Attributes:
        errors: FastAPI's validation error list (``loc``, ``msg``, ``type``, ...).
    """

    status_code: int | None = 422

    @property
    def errors(self) -> list[dict[str, Any]]:
        detail = self.detail
        return [e for e in detail if isinstance(e, dict)] if isinstance(detail, list) else []


class RateLimitError(APIStatusError):
    """429: the viewer's rate limiter refused the request.

    Attributes:
        retry_after: Seconds the viewer asked us to wait, from ``Retry-After`` or the body.
    """

    status_code: int | None = 429

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
        self.errors: list[dict[str, Any]] = errors or []


class DownloadError(RunicornAPIError):
    """A downloaded file does not match what the viewer recorded (size, digest), or a zip
    would write outside its destination or past its recorded size. Nothing is left."""


class MissingDependencyError(RunicornAPIError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class ResponseTooLargeError(ResponseValidationError):
    """A body larger than the client's ``max_response_bytes`` (announced by its
    ``Content-Length`` or counted while reading); nothing past the cap was kept.

    Attributes:
        limit: The cap, in bytes.
    """

    def __init__(self, message: str, *, limit: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit


class UnsafePathError(RunicornAPIError):
    """A path that came from a server or from inside a storage folder was refused before
    anything was read or written: it leaves the folder it belongs to (``..``, an absolute
    path, a symlink pointing out), or it names a FIFO, socket or device.

    Attributes:
        path: The path as it was given.
        root: The folder it had to stay inside.
    """

    def __init__(self, message: str, *, path: str, root: str) -> None:
        super().__init__(message)
        self.path = path
        self.root = root
