"""The knobs of a client, validated once and before anything is created.

:func:`~runicorn_api.connect`, :class:`~runicorn_api.RunicornClient`,
:func:`~runicorn_api.local`, :meth:`LocalViewer.start` and ``client.remote.open`` take
the same keywords; :class:`ConnectOptions` types them in one place for all five, and
:class:`ClientOptions` checks them before a folder is made or a socket opened.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, TypedDict

from ._common.downloads import MAX_UNZIP_BYTES, MAX_UNZIP_RATIO
from ._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ._http.auth import (
    Auth,
    Cert,
    Verify,
    check_auth,
    check_cert,
    check_headers,
    check_verify,
    describe_auth,
    masked_headers,
)
from ._http.guards import redact_userinfo
from ._http.transport import MAX_RESPONSE_BYTES
from ._types import DIRECT_READS, DirectReads
from ._validation import check_bool, check_seconds, check_timeout, is_int

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "ClientOptions",
    "ConnectOptions",
    "MoreOptions",
    "resolve_base_url",
]

if TYPE_CHECKING:
    from typing_extensions import Unpack


DEFAULT_BASE_URL = "http://127.0.0.1:23300"
BASE_URL_ENV = "RUNICORN_VIEWER_URL"
"""The environment variable that names the viewer when no ``base_url`` is given."""


class MoreOptions(TypedDict, total=False):
    """The keyword-only knobs of a client (after ``timeout`` and ``max_retries``).

    Attributes:
        strict: Validate bodies in pydantic's strict mode and raise
            :class:`ResponseValidationError` naming the field path on any mismatch.
        retry_deadline: Seconds from the start of a call after which no retry starts.
        max_workers: Threads for bulk requests (details of many runs, multi-run metrics).
        cache_dir: A folder for the on-disk metrics cache of finished runs (see
            :mod:`runicorn_api.cache`; needs polars).
        direct_reads: Whether to read the viewer's storage folder directly where it is
            on this machine: ``"auto"`` (the default) reads a run folder once it is
            proven to be the one the viewer serves and asks the viewer otherwise;
            ``"always"`` raises :class:`UnsupportedFeatureError` where a folder cannot be
            read; ``"never"`` touches no storage file and works over HTTP alone.
        auth: Credentials for a viewer behind a proxy: a ``(user, password)`` pair (sent
            as HTTP basic auth) or any :class:`requests.auth.AuthBase`. Held as a secret:
            no message, repr or log line shows the password.
        headers: Extra headers sent with every request and WebSocket (an API token
            header, say); the values of ``Authorization``, ``Cookie`` and the like are
            shown as ``***``.
        verify: ``True`` (the system's CA certificates), ``False`` (no check; not for
            shared networks) or the path of a CA bundle, for an ``https://`` proxy.
        cert: A client certificate for the proxy: a file holding certificate and key,
            or a ``(certificate, key)`` pair of files.
        max_response_bytes: The largest response body held in memory (1 GiB by
            default); a larger one raises :class:`ResponseTooLargeError`, before anything
            is allocated when its ``Content-Length`` says so.
        max_unzip_ratio: A downloaded zip with no recorded size is refused if it would
            unpack to more than this many times its own size (100).
        max_unzip_bytes: ... or to more than this many bytes (64 GiB).
    """

    strict: bool
    retry_deadline: float
    max_workers: int
    cache_dir: str | os.PathLike[str] | None
    direct_reads: DirectReads
    auth: Auth | None
    headers: Mapping[str, str] | None
    verify: Verify
    cert: Cert | None
    max_response_bytes: int
    max_unzip_ratio: float
    max_unzip_bytes: int


class ConnectOptions(MoreOptions, total=False):
    """Every knob of a client, for :func:`~runicorn_api.local` and :meth:`LocalViewer.start`.

    Attributes:
        timeout: Default seconds per request attempt (``None`` waits forever).
        max_retries: Retries of idempotent requests on 429/5xx and connection errors.
    """

    timeout: float | None
    max_retries: int


@dataclass(frozen=True)
class ClientOptions:
    """The validated knobs (see :class:`ConnectOptions` for each); building one has no
    side effect, so a bad value is refused before any folder, session or socket exists."""

    timeout: float | None = 30
    max_retries: int = 3
    strict: bool = False
    retry_deadline: float = 60.0
    max_workers: int = 8
    cache_dir: str | os.PathLike[str] | None = None
    direct_reads: DirectReads = "auto"
    auth: Auth | None = None
    headers: Mapping[str, str] | None = None
    verify: Verify = True
    cert: Cert | None = None
    max_response_bytes: int = MAX_RESPONSE_BYTES
    max_unzip_ratio: float = MAX_UNZIP_RATIO
    max_unzip_bytes: int = MAX_UNZIP_BYTES

    def __post_init__(self) -> None:
        check_timeout(self.timeout)
        if not is_int(self.max_retries) or self.max_retries < 0:
            raise InvalidArgumentError(
                f"max_retries must be a non-negative int, got {self.max_retries!r}"
            )
        check_bool("strict", self.strict)
        check_seconds("retry_deadline", self.retry_deadline, 7 * 24 * 3600.0)
        if not is_int(self.max_workers) or self.max_workers < 1:
            raise InvalidArgumentError(
                f"max_workers must be a positive int, got {self.max_workers!r}"
            )
        if self.cache_dir is not None and not isinstance(self.cache_dir, str | os.PathLike):
            raise InvalidArgumentTypeError(
                f"cache_dir must be a folder path or None, got {self.cache_dir!r}"
            )
        if self.direct_reads not in DIRECT_READS:
            raise InvalidArgumentError(
                f"direct_reads must be one of {', '.join(DIRECT_READS)}, got {self.direct_reads!r}"
            )
        for name in ("max_response_bytes", "max_unzip_bytes"):
            value = getattr(self, name)
            if not is_int(value) or value < 1:
                raise InvalidArgumentError(f"{name} must be a positive int, got {value!r}")
        ratio = self.max_unzip_ratio
        if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 1 <= ratio < 1e9:
            raise InvalidArgumentError(f"max_unzip_ratio must be a number >= 1, got {ratio!r}")
        check_auth(self.auth)
        check_headers(self.headers)
        check_verify(self.verify)
        check_cert(self.cert)

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        shown["auth"] = _Shown(describe_auth(self.auth))
        shown["headers"] = masked_headers(self.headers)
        return f"ClientOptions({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @classmethod
    def of(cls, **options: Unpack[ConnectOptions]) -> ClientOptions:
        """The options from keywords; an unknown keyword is refused with the known ones."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise InvalidArgumentTypeError(
                f"Unknown client option {', '.join(map(repr, unknown))}; the options are "
                f"{', '.join(sorted(known))}"
            )
        return cls(**options)

    def with_(self, **changes: Unpack[ConnectOptions]) -> ClientOptions:
        """A copy with ``changes`` applied (and validated)."""
        ClientOptions.of(**changes)  # names the unknown keyword, if any
        return replace(self, **changes)


class _Shown(str):
    """A string a repr shows as it is (``describe_auth``'s masked form)."""

    def __repr__(self) -> str:
        return str(self)


def resolve_base_url(base_url: object) -> str:
    """``base_url``, else ``$RUNICORN_VIEWER_URL``, else the default; refused unless it is
    an ``http(s)://`` URL."""
    resolved = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if not isinstance(resolved, str) or not resolved.startswith(("http://", "https://")):
        shown = redact_userinfo(resolved) if isinstance(resolved, str) else resolved
        raise InvalidArgumentError(f"base_url must be an http(s) URL, got {shown!r}")
    return resolved
