"""The only module that does HTTP: one session, retries, timeouts and error mapping.

Resources never touch :mod:`requests`; they call :meth:`Transport.request` with a
method, a path and parameters, and get parsed JSON (or bytes) back, or a typed error.
"""

from __future__ import annotations

import contextvars
import math
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal, overload
from urllib.parse import unquote, urlsplit

import pydantic_core
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    MissingDependencyError,
    ResponseValidationError,
    RunicornAPIError,
    UnsupportedFeatureError,
    status_error_class,
)
from ._types import NOT_GIVEN, NotGiven, Timeout

__all__ = ["Body", "RetryPolicy", "Transport", "TransportStats"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# The deadline of the call in progress on this thread. urllib3 copies a Retry object on
# every attempt and knows nothing of the call that started it, so the absolute deadline
# travels beside it instead of inside it.
_call_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "runicorn_api_call_deadline", default=None
)


@dataclass(frozen=True)
class RetryPolicy:
    """How failed requests are retried.

    Only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried on a status
    (429, 500, 502, 503, 504) or a read error; POST and PATCH never are, because the
    viewer may already have acted on them. A refused connection is retried for every
    method, since nothing reached the viewer.

    Attributes:
        max_retries: Retries after the first attempt.
        backoff_factor: The first wait; it doubles with each retry (0.5, 1, 2, 4, 8 s).
        backoff_max: The longest single wait.
        jitter: Each wait is scaled by a random factor in ``[1 - jitter, 1]``.
        deadline: Seconds from the start of a call after which no retry starts; a
            ``Retry-After`` that would end past it is not waited for.
    """

    max_retries: int = 3
    backoff_factor: float = 0.5
    backoff_max: float = 8.0
    jitter: float = 0.25
    deadline: float = 60.0

    def to_urllib3(self, stats: TransportStats | None = None) -> _DeadlineRetry:
        return _DeadlineRetry(
            stats=stats,
            total=self.max_retries,
            connect=self.max_retries,
            read=self.max_retries,
            status=self.max_retries,
            other=0,
            redirect=5,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            backoff_jitter=self.jitter,
            respect_retry_after_header=True,
            raise_on_status=False,
        )


def check_seconds(name: str, value: object, maximum: float, *, extra: str = "") -> None:
    """Refuse, before any request, a duration that is not seconds in ``(0, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentTypeError(f"{name} must be seconds (a number){extra}, got {value!r}")
    if not math.isfinite(value) or not 0 < value <= maximum:
        raise InvalidArgumentError(
            f"{name} must be within (0, {maximum:g}] seconds{extra}; got {value!r}"
        )


def check_timeout(timeout: Timeout) -> None:
    """Refuse a ``timeout=`` the socket layer cannot take, before any request."""
    if isinstance(timeout, NotGiven) or timeout is None:
        return
    check_seconds("timeout", timeout, MAX_TIMEOUT, extra=", or None to wait forever")


MAX_TIMEOUT = 7 * 24 * 3600.0
"""The longest ``timeout=`` accepted: a week (pass ``None`` to wait forever)."""


@dataclass
class TransportStats:
    """What one client sent: calls made, and retries among their attempts (for fault
    reports and tests; counted across threads)."""

    calls: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, *, calls: int = 0, retries: int = 0) -> None:
        with self._lock:
            self.calls += calls
            self.retries += retries


class _DeadlineRetry(Retry):
    """urllib3's Retry with the seed's backoff, proportional jitter and a call deadline."""

    def __init__(self, *args: Any, stats: TransportStats | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stats = stats

    def new(self, **kw: Any) -> _DeadlineRetry:
        # urllib3 copies a Retry on every attempt from its known parameters only.
        new = super().new(**kw)
        new.stats = self.stats
        return new

    def get_backoff_time(self) -> float:
        # urllib3 waits 0 s before the first retry; the seed documents 0.5 s, 1 s, 2 s, ...
        errors = sum(1 for h in self.history if h.redirect_location is None)
        if errors == 0:
            return 0.0
        nominal = min(self.backoff_max, self.backoff_factor * 2 ** (errors - 1))
        return float(nominal * (1.0 - self.backoff_jitter * random.random()))

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> _DeadlineRetry:
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        deadline = _call_deadline.get()
        if deadline is not None:
            wait = new.get_backoff_time()
            if response is not None and self.respect_retry_after_header:
                retry_after = new.get_retry_after(response)
                if retry_after is not None:
                    wait = retry_after
            if time.monotonic() + wait > deadline:
                reason = error or ResponseError(
                    f"retry deadline reached (next wait {wait:.1f}s would pass it)"
                )
                raise MaxRetryError(_pool, url or "", reason)
        if new.stats is not None:
            new.stats.add(retries=1)
        return new


@dataclass
class Body:
    """A response body received into one buffer of its announced length, and its headers."""

    data: bytearray
    headers: Mapping[str, str]


_WINDOW = 1 << 20  # bytes asked of the socket at a time when filling a Body


@dataclass
class ServerLabel:
    """What the transport says about the viewer in error messages."""

    version: str | None = None

    def __str__(self) -> str:
        return f"runicorn {self.version}" if self.version else "the viewer"


class Transport:
    """One :class:`requests.Session` per client, with retries, timeouts and error mapping.

    Args:
        base_url: The viewer's root URL, e.g. ``http://127.0.0.1:23300``.
        timeout: Default seconds per attempt; ``None`` waits forever.
        retry: The retry policy.
        session: A session to use instead of a new one (it is then not closed by us).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | None = 30.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        base_url, credentials = split_credentials(base_url)
        self.base_url = base_url.rstrip("/")
        """The viewer's URL without any ``user:password@``: safe for messages and logs."""
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._owns_session = session is None
        self.session = session or requests.Session()
        if credentials is not None:
            # Sent as an Authorization header only; the URLs requested (and so every
            # message, repr and log line that names one) carry no credentials.
            self.session.auth = credentials
        self.stats = TransportStats()
        adapter = HTTPAdapter(max_retries=self.retry.to_urllib3(self.stats), pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Accept": "application/json"})
        if headers:
            self.session.headers.update(headers)
        self.server = ServerLabel()

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = ...,
        json_body: Any = ...,
        timeout: Timeout = ...,
        expect: Literal["json"] = ...,
    ) -> Any: ...

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = ...,
        json_body: Any = ...,
        timeout: Timeout = ...,
        expect: Literal["bytes"],
    ) -> bytes: ...

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = ...,
        json_body: Any = ...,
        timeout: Timeout = ...,
        expect: Literal["response"],
    ) -> requests.Response: ...

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = ...,
        json_body: Any = ...,
        timeout: Timeout = ...,
        expect: Literal["buffer"],
    ) -> Body: ...

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = ...,
        json_body: Any = ...,
        timeout: Timeout = ...,
        expect: Literal["stream"],
    ) -> requests.Response: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        timeout: Timeout = NOT_GIVEN,
        expect: Literal["json", "bytes", "response", "buffer", "stream"] = "json",
    ) -> Any:
        """Send one call (with its retries) and return the parsed JSON, bytes or response.

        Raises:
            APIConnectionError: The viewer could not be reached.
            APITimeoutError: The viewer did not answer in time.
            APIStatusError: A subclass of it for any 4xx/5xx status.
            UnsupportedFeatureError: A 0.7.x viewer answered with its HTML page.
            ResponseValidationError: The body is not JSON where JSON was expected.
        """
        method = method.upper()
        check_timeout(timeout)
        url = self.url(path)
        self.stats.add(calls=1)
        clean = None if params is None else {k: v for k, v in params.items() if v is not None}
        wait = self.timeout if isinstance(timeout, NotGiven) else timeout
        token = _call_deadline.set(time.monotonic() + self.retry.deadline)
        stream = expect in ("buffer", "stream")
        try:
            response = self.session.request(
                method, url, params=clean, json=json_body, timeout=wait, stream=stream
            )
        except (requests.Timeout, requests.ConnectionError) as err:
            if not _is_timeout(err):
                raise APIConnectionError(
                    f"Cannot reach the Runicorn viewer at {self.base_url} ({method} {url}): "
                    f"{_root_cause(err)}. Start one with `runicorn viewer` "
                    f"(or use runicorn_api.local()), or pass the right base_url.",
                    method=method,
                    url=url,
                ) from err
            raise APITimeoutError(
                f"{method} {url} timed out after {wait}s; pass timeout= to wait longer",
                method=method,
                url=url,
            ) from err
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as err:
            raise APIConnectionError(
                f"{method} {url}: the connection broke while reading the body ({err}); the "
                "body is incomplete and was not parsed.",
                method=method,
                url=url,
            ) from err
        except requests.RequestException as err:
            raise RunicornAPIError(f"{method} {url} failed: {err}", method=method, url=url) from err
        finally:
            _call_deadline.reset(token)
        if response.status_code >= 400:
            raise self._status_error(response)
        if expect == "buffer":
            return self._receive(response, wait)
        if expect in ("response", "stream"):
            return response
        if expect == "bytes":
            return response.content
        return self.decode_json(response)

    def _receive(self, response: requests.Response, wait: float | None) -> Body:
        """The body of a JSON response read into one preallocated buffer.

        With ``Content-Length`` known the buffer is allocated once and the socket reads
        straight into it, a window at a time; there is no list of chunks to join.
        """
        method = response.request.method or "GET"
        try:
            self.ensure_json(response)
            length = response.headers.get("Content-Length")
            encoded = response.headers.get("Content-Encoding", "identity") != "identity"
            if length is None or encoded or not length.isdigit():
                return Body(bytearray(response.content), response.headers)
            size = int(length)
            buf = bytearray(size)
            view = memoryview(buf)
            filled = 0
            try:
                while filled < size:
                    got = response.raw.readinto(view[filled : min(size, filled + _WINDOW)])
                    if not got:
                        break
                    filled += got
            finally:
                view.release()
        except (urllib3.exceptions.ReadTimeoutError, requests.Timeout) as err:
            raise APITimeoutError(
                f"{method} {response.url} timed out after {wait}s while reading the body",
                method=method, url=response.url,
            ) from err  # fmt: skip
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as err:
            raise APIConnectionError(
                f"{method} {response.url}: the connection broke while reading the body "
                f"({err}); the body is incomplete and was not parsed.",
                method=method, url=response.url,
            ) from err  # fmt: skip
        finally:
            response.close()
        if filled != size:
            raise APIConnectionError(
                f"{method} {response.url} sent {filled} of the {size} bytes it announced; "
                "the body is incomplete and was not parsed.",
                method=method,
                url=response.url,
            )
        return Body(buf, response.headers)

    def decode_json(self, response: requests.Response) -> Any:
        """Parse a JSON body, refusing anything that is not JSON."""
        self.ensure_json(response)
        method = response.request.method or "GET"
        try:
            # pydantic-core's parser (already a dependency) is 2-3x faster than json.loads
            # on large bodies such as a 200,000-step metrics payload.
            return pydantic_core.from_json(response.content)
        except ValueError as err:
            raise ResponseValidationError(
                f"{method} {response.url} on {self.server} sent a body that is not valid "
                f"JSON: {err}",
                method=method,
                url=response.url,
                body=response.text[:500],
                response=response,
                status_code=response.status_code,
            ) from err

    def ensure_json(self, response: requests.Response) -> None:
        """Refuse a body that is not JSON (a 0.7.x viewer's HTML page above all)."""
        method = response.request.method or "GET"
        ctype = response.headers.get("Content-Type", "")
        if "json" not in ctype:
            path = urlsplit(response.url).path
            if "text/html" in ctype:
                raise UnsupportedFeatureError(
                    f"{method} {path} is not an endpoint of {self.server}: it answered "
                    f"{response.status_code} with its web page (text/html) instead of JSON.",
                    method=method,
                    url=response.url,
                    response=response,
                    status_code=response.status_code,
                )
            raise ResponseValidationError(
                f"{method} {path} on {self.server} answered {ctype or 'no content type'}, "
                "not JSON.",
                method=method,
                url=response.url,
                body=response.text[:500],
                response=response,
                status_code=response.status_code,
            )

    def _status_error(self, response: requests.Response) -> RunicornAPIError:
        method = response.request.method or "GET"
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        detail = body.get("detail") if isinstance(body, dict) else body
        if isinstance(detail, list):
            detail = "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg')}"
                if isinstance(e, dict)
                else str(e)
                for e in detail
            )
        reason = response.reason or ""
        message = f"{response.status_code} {reason} for {method} {response.url} ({self.server})"
        if detail:
            message += f": {detail}"
        cls = status_error_class(response.status_code)
        return cls(
            message,
            method=method,
            url=response.url,
            body=body,
            response=response,
            status_code=response.status_code,
        )

    def download(
        self,
        path: str,
        sink: BinaryIO,
        *,
        params: dict[str, Any] | None = None,
        timeout: Timeout = NOT_GIVEN,
        on_chunk: Callable[[int], None] | None = None,
    ) -> tuple[int, Mapping[str, str]]:
        """Stream a ``GET`` body into ``sink``; return the bytes written and the headers.

        The request is retried like any GET; the body is not (a partial file is the
        caller's to discard).

        Raises:
            APIConnectionError: The connection failed while reading, or the body ended
                before the ``Content-Length`` it announced.
        """
        response = self.request("GET", path, params=params, timeout=timeout, expect="stream")
        method, url = "GET", response.url
        announced = response.headers.get("Content-Length")
        written = 0
        try:
            for chunk in response.iter_content(chunk_size=_WINDOW):
                sink.write(chunk)
                written += len(chunk)
                if on_chunk is not None:
                    on_chunk(len(chunk))
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as err:
            raise APIConnectionError(
                f"{method} {url}: the connection failed after {written} bytes: {err}",
                method=method, url=url,
            ) from err  # fmt: skip
        finally:
            response.close()
        if announced is not None and announced.isdigit() and written != int(announced):
            raise APIConnectionError(
                f"{method} {url} sent {written} of the {announced} bytes it announced; "
                "the download is incomplete.",
                method=method,
                url=url,
            )
        return written, response.headers

    def content_length(self, path: str, *, params: dict[str, Any] | None = None) -> int | None:
        """The ``Content-Length`` a ``GET`` announces; its body is not read."""
        response = self.request("GET", path, params=params, expect="stream")
        response.close()
        length = response.headers.get("Content-Length")
        return int(length) if length is not None and length.isdigit() else None

    def speaks_tls(self, timeout: float = 3.0) -> bool:
        """Whether the host and port of ``base_url`` complete a TLS handshake: what a
        connection that an ``http://`` request saw aborted is most often talking to."""
        parts = urlsplit(self.base_url)
        if parts.hostname is None:
            return False
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        try:
            with (
                socket.create_connection((parts.hostname, parts.port or 80), timeout) as raw,
                context.wrap_socket(raw, server_hostname=parts.hostname),
            ):
                return True
        except (OSError, ssl.SSLError):
            return False

    def websocket(self, path: str, *, timeout: float | None) -> Any:
        """Open a WebSocket to ``path`` (``ws://`` or ``wss://`` beside ``base_url``),
        with the client's credentials; ``recv()`` waits at most ``timeout`` seconds.

        Needs the ``logs`` extra (websocket-client).

        Raises:
            MissingDependencyError: websocket-client is not installed.
            APIConnectionError: The viewer refused or dropped the upgrade.
        """
        try:
            import websocket
        except ImportError as err:
            raise MissingDependencyError(
                "Streaming from the viewer's WebSocket needs websocket-client: "
                "pip install 'runicorn-api[logs]'"
            ) from err
        url = "ws" + self.url(path)[len("http") :]
        headers: list[str] = []
        auth = self.session.auth
        if isinstance(auth, tuple):
            prepared = requests.Request("GET", url.replace("ws", "http", 1), auth=auth).prepare()
            headers.append(f"Authorization: {prepared.headers['Authorization']}")
        try:
            return websocket.create_connection(url, timeout=timeout, header=headers)
        except (OSError, websocket.WebSocketException) as err:
            raise APIConnectionError(
                f"The WebSocket {path} of {self.server} could not be opened: {err}",
                url=url,
            ) from err

    def close(self) -> None:
        if self._owns_session:
            self.session.close()


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``http://user:pass@host:port/x`` → (``http://host:port/x``, (user, pass))."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    clean = parts._replace(netloc=netloc).geturl()
    return clean, (unquote(parts.username or ""), unquote(parts.password or ""))


def _is_timeout(err: BaseException) -> bool:
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


def _root_cause(err: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error chain, for readable messages."""
    seen: BaseException = err
    args = getattr(err, "args", ())
    if args and isinstance(args[0], MaxRetryError) and args[0].reason is not None:
        seen = args[0].reason
    text = str(seen)
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    return text
