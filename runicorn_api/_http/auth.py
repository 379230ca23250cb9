"""The connection options of a viewer behind a proxy: credentials, extra headers and
TLS settings (as httpx names them), checked once and never shown in full.

``auth`` is a ``(user, password)`` pair or any :class:`requests.auth.AuthBase`;
``headers`` extra request headers; ``verify`` ``True``, ``False`` or a CA bundle (file
or folder); ``cert`` a client certificate file, or a ``(certificate, key)`` pair.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TypeAlias

import requests.auth

from .._exceptions import InvalidArgumentError, InvalidArgumentTypeError

__all__ = [
    "SECRET_HEADERS",
    "Auth",
    "Cert",
    "Verify",
    "check_auth",
    "check_cert",
    "check_headers",
    "check_verify",
    "describe_auth",
    "masked_headers",
]

Auth: TypeAlias = "tuple[str, str] | requests.auth.AuthBase"
Verify: TypeAlias = "bool | str | os.PathLike[str]"
Cert: TypeAlias = "str | os.PathLike[str] | tuple[str | os.PathLike[str], str | os.PathLike[str]]"

SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token",
})  # fmt: skip
"""Header names whose values are credentials: shown as ``***`` wherever options are."""


def check_auth(auth: object) -> None:
    """Refuse anything but ``None``, a ``(user, password)`` pair of strings or a
    :class:`requests.auth.AuthBase`."""
    if auth is None or isinstance(auth, requests.auth.AuthBase):
        return
    if (
        isinstance(auth, tuple) and len(auth) == 2 and all(isinstance(part, str) for part in auth)  # pyright: ignore[reportUnknownVariableType]
    ):
        return
    raise InvalidArgumentTypeError(
        "auth must be a (user, password) pair of strings or a requests.auth.AuthBase, "
        f"got {type(auth).__name__}"  # the value itself may be a secret
    )


def check_headers(headers: object) -> None:
    """Refuse anything but ``None`` or a mapping of header names to string values."""
    if headers is None:
        return
    if not isinstance(headers, Mapping):
        raise InvalidArgumentTypeError(
            f"headers must be a mapping of names to values, got {type(headers).__name__}"
        )
    for name, value in headers.items():  # pyright: ignore[reportUnknownVariableType]
        if not isinstance(name, str) or not name or any(c in name for c in ":\r\n "):
            raise InvalidArgumentError(f"headers: {name!r} is not a header name")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            shown = "***" if name.lower() in SECRET_HEADERS else repr(value)
            raise InvalidArgumentError(
                f"headers: the value of {name!r} must be a one-line string, got {shown}"
            )


def check_verify(verify: object) -> None:
    """Refuse anything but a bool or the path of an existing CA bundle (file or folder)."""
    if isinstance(verify, bool):
        return
    if not isinstance(verify, str | os.PathLike):
        raise InvalidArgumentTypeError(
            f"verify must be True, False or a CA bundle path, got {verify!r}"
        )
    if not Path(verify).exists():
        raise InvalidArgumentError(f"verify: the CA bundle {str(verify)!r} does not exist")


def check_cert(cert: object) -> None:
    """Refuse anything but ``None``, a certificate file or a ``(certificate, key)`` pair
    of existing files."""
    if cert is None:
        return
    parts: tuple[object, ...] = cert if isinstance(cert, tuple) else (cert,)  # pyright: ignore[reportUnknownVariableType]
    if len(parts) not in (1, 2) or not all(isinstance(p, str | os.PathLike) for p in parts):
        raise InvalidArgumentTypeError(
            f"cert must be a certificate file or a (certificate, key) pair, got {cert!r}"
        )
    for part in parts:
        if not Path(str(part)).is_file():
            raise InvalidArgumentError(f"cert: the file {str(part)!r} does not exist")


def describe_auth(auth: Auth | None) -> str:
    """``auth`` as a repr may show it: the user name, never the password."""
    if auth is None:
        return "None"
    if isinstance(auth, tuple):
        return f"({auth[0]!r}, '***')"
    return f"<{type(auth).__name__}>"


def masked_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` with the values of :data:`SECRET_HEADERS` replaced by ``***``."""
    if headers is None:
        return None
    return {k: "***" if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}
