"""A response, or a failure of :mod:`requests`, turned into the typed error it means.

The one place where an HTTP status becomes an exception class (:func:`status_error_class`),
where a body that is not JSON is refused, and where a requests/urllib3 error chain is
read for its real cause.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from urllib3.exceptions import MaxRetryError

from .._common.jsontext import parse_json
from .._exceptions import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    UnprocessableEntityError,
    UnsupportedFeatureError,
)

__all__ = [
    "decode_json",
    "ensure_json",
    "int_header",
    "is_timeout",
    "root_cause",
    "status_error",
    "status_error_class",
    "tls_failure",
]

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


_DETAIL_SHOWN = 2000
"""Characters of a viewer's ``detail`` a message shows; the error's ``body`` has it all."""


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The one place where an HTTP error status is mapped to its exception class."""
    if status_code >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)


def status_error(
    response: requests.Response, server: object, *, cut: bool = False
) -> APIStatusError:
    """The typed error of a 4xx/5xx response; the message names the call, ``server``
    (what the transport calls the viewer) and the viewer's ``detail`` (``cut``: the body
    was read only in part, and the message says so)."""
    method = response.request.method or "GET"
    try:
        body: Any = parse_json(response.content)
    except ValueError:  # not JSON, or nested past pydantic-core's limit
        body = response.text
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, str) and "<html" in detail[:200].lower():  # a proxy's error page
        title = re.search(r"<title>(.*?)</title>", detail, re.IGNORECASE | re.DOTALL)
        detail = title.group(1).strip() if title else None
    if isinstance(detail, list):
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg')}"
            if isinstance(e, dict)
            else str(e)
            for e in detail
        )
    reason = response.reason or ""
    message = f"{response.status_code} {reason} for {method} {response.url} ({server})"
    if detail:
        message += f": {str(detail)[:_DETAIL_SHOWN]}"
        if len(str(detail)) > _DETAIL_SHOWN or cut:
            message += " [detail cut]"
    if response.status_code in (401, 407):
        message += _credentials_hint(response)
    cls = status_error_class(response.status_code)
    return cls(
        message,
        method=method,
        url=response.url,
        body=body,
        response=response,
        status_code=response.status_code,
    )


def ensure_json(
    response: requests.Response, server: object, data: bytes | bytearray | None = None
) -> None:
    """Refuse a body that is not JSON (a 0.7.x viewer's HTML page above all); ``data``
    is its body where it was read already."""
    method = response.request.method or "GET"
    ctype = response.headers.get("Content-Type", "")
    if "json" in ctype:
        return
    path = urlsplit(response.url).path
    if "text/html" in ctype:
        raise UnsupportedFeatureError(
            f"{method} {path} is not an endpoint of {server}: it answered "
            f"{response.status_code} with its web page (text/html) instead of JSON.",
            method=method,
            url=response.url,
            response=response,
            status_code=response.status_code,
        )
    raise ResponseValidationError(
        f"{method} {path} on {server} answered {ctype or 'no content type'}, not JSON.",
        method=method,
        url=response.url,
        body=None if data is None else bytes(data[:500]).decode("utf-8", "replace"),
        response=response,
        status_code=response.status_code,
    )


def decode_json(response: requests.Response, data: bytes | bytearray, server: object) -> Any:
    """Parse the JSON body ``data`` of ``response``, refusing anything that is not JSON
    (nesting deeper than pydantic-core's limit included)."""
    ensure_json(response, server, data)
    method = response.request.method or "GET"
    try:
        return parse_json(data)
    except ValueError as err:
        raise ResponseValidationError(
            f"{method} {response.url} on {server} sent a body that is not valid JSON: {err}",
            method=method,
            url=response.url,
            body=bytes(data[:500]).decode("utf-8", "replace"),
            response=response,
            status_code=response.status_code,
        ) from err


def is_timeout(err: BaseException) -> bool:
    """requests reports a read timeout that exhausted the retries as a ConnectionError."""
    if isinstance(err, requests.Timeout):
        return True
    args = getattr(err, "args", ())
    if not (args and isinstance(args[0], MaxRetryError)):
        return False
    reason = args[0].reason
    # urllib3's NewConnectionError (refused, unreachable) subclasses ConnectTimeoutError.
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return False
    return isinstance(reason, TimeoutError | urllib3.exceptions.TimeoutError)


def root_cause(err: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error chain, for readable messages."""
    seen: BaseException = err
    args = getattr(err, "args", ())
    if args and isinstance(args[0], MaxRetryError) and args[0].reason is not None:
        seen = args[0].reason
    text = str(seen)
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    return text


def _credentials_hint(response: requests.Response) -> str:
    """What a 401/407 means for the caller: credentials missing, or refused."""
    asked = response.headers.get(
        "WWW-Authenticate" if response.status_code == 401 else "Proxy-Authenticate", ""
    )
    origin = urlsplit(response.url)
    where = f"{origin.scheme}://{origin.netloc}"
    sent = "Authorization" in response.request.headers
    scheme = f" ({asked.split(',')[0].strip()})" if asked else ""
    if sent:
        return f". {where} refused the credentials sent{scheme}; check auth=."
    return f". {where} asks for credentials{scheme}; pass auth=(user, password)."


def tls_failure(base_url: str, err: BaseException) -> str:
    """The message of a failed TLS handshake, naming ``verify=`` (and ``cert=``)."""
    cause = root_cause(err)
    if "CERTIFICATE_VERIFY_FAILED" in cause or "certificate verify failed" in cause:
        return (
            f"TLS verification of {base_url} failed: its certificate is not signed by a "
            f"CA this client trusts ({cause}). Pass verify='path/to/ca.pem' with the CA "
            "that signed it, or verify=False to skip the check (not on shared networks)."
        )
    return (
        f"The TLS handshake with {base_url} failed ({cause}); check verify= (a CA bundle "
        "path, True or False) and cert= (a client certificate the server asks for)."
    )


_INT_HEADER = re.compile(r"-?[0-9]{1,18}")


def int_header(value: str | None, name: str, context: str) -> int | None:
    """A header that holds an integer (``X-Last-Step``, ``X-Total-Count``), or ``None``
    if absent; anything else is a :class:`ResponseValidationError` naming it."""
    if value is None:
        return None
    text = value.strip()
    if not _INT_HEADER.fullmatch(text):
        raise ResponseValidationError(
            f"{context}: the header {name} is not an integer: {text[:40]!r}", body=None
        )
    return int(text)
