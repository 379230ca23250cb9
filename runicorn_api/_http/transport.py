"""The one object that sends requests: a session, retries, timeouts and typed errors.

Resources never touch :mod:`requests`; they call :meth:`Transport.request` with a
method, a path and parameters, and get parsed JSON (or bytes) back, or a typed error.
The rest of :mod:`runicorn_api._http` says how (retries, errors, URLs, WebSockets).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal, overload

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter

from .._exceptions import (
    APIConnectionError,
    APITimeoutError,
    InvalidArgumentError,
    ResponseTooLargeError,
    RunicornAPIError,
)
from .._types import NOT_GIVEN, NotGiven, Timeout
from .._validation import check_timeout
from .auth import Auth, Cert, Verify
from .errors import decode_json, ensure_json, is_timeout, root_cause, status_error, tls_failure
from .guards import body_deadline, redirect_guard
from .retry import CALL_DEADLINE, RetryPolicy, TransportStats
from .url import split_credentials
from .websocket import open_websocket

__all__ = ["Body", "Transport"]


@dataclass
class Body:
    """A response body received into one buffer of its announced length, and its headers."""

    data: bytearray
    headers: Mapping[str, str]


_READ_SIZE = 1 << 20  # bytes asked of the socket at a time when filling a body

MAX_RESPONSE_BYTES = 1 << 30
"""The default cap on one response body held in memory (1 GiB): many times the metrics
body of a 200,000-step run (about 20 MB). Downloads to a file have their own bound: the
size the viewer declared."""

_ERROR_BODY_CAP = 1 << 20
"""An error response's body is read up to this many bytes (a FastAPI ``detail`` is a few
hundred); the message says when it was cut."""


class Transport:
    """One :class:`requests.Session` per client, with retries, timeouts and error mapping.

    Args:
        base_url: The viewer's root URL, e.g. ``http://127.0.0.1:23300``.
        timeout: Default seconds per attempt; ``None`` waits forever.
        retry: The retry policy.
        session: A session to use instead of a new one (it is then not closed by us).
        headers: Extra headers for every request (and WebSocket).
        auth: Credentials for every request (and WebSocket); see :mod:`.auth`.
        verify: ``True``, ``False`` or a CA bundle path, for ``https://`` URLs.
        cert: A client certificate file, or a ``(certificate, key)`` pair.
        max_response_bytes: The largest body read into memory; a larger one raises
            :class:`ResponseTooLargeError` (announced: before anything is allocated).

    Every call refuses a redirect out of the base URL's origin (:mod:`.guards`), and
    gives a body held in memory an overall deadline of ``timeout`` seconds from its
    headers, not only a per-read one.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | None = 30.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        headers: Mapping[str, str] | None = None,
        auth: Auth | None = None,
        verify: Verify = True,
        cert: Cert | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        adapter: BaseAdapter | None = None,
    ) -> None:
        base_url, credentials = split_credentials(base_url)
        if credentials is not None and auth is not None:
            raise InvalidArgumentError(
                "Credentials were given twice, in base_url and as auth=; give them once "
                "(auth= keeps them out of the URL)."
            )
        self.base_url: str = base_url.rstrip("/")
        """The viewer's URL without any ``user:password@``: safe for messages and logs."""
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self._guard = redirect_guard(self.base_url)
        self.retry: RetryPolicy = retry or RetryPolicy()
        self._owns_session = session is None
        self.session: requests.Session = session or requests.Session()
        if credentials is not None:
            # Sent as an Authorization header only; the URLs requested (and so every
            # message, repr and log line that names one) carry no credentials.
            self.session.auth = credentials
        if auth is not None:
            self.session.auth = auth
        self._verify: bool | str | None = None
        """``verify`` as given, sent with every request: requests lets
        ``$REQUESTS_CA_BUNDLE`` override a session's own ``verify``, not a request's."""
        if verify is not True:
            self._verify = verify if isinstance(verify, bool) else str(verify)
            self.session.verify = self._verify
        if cert is not None:
            self.session.cert = (
                (str(cert[0]), str(cert[1])) if isinstance(cert, tuple) else str(cert)
            )
        self.stats: TransportStats = TransportStats()
        if adapter is None:
            adapter = HTTPAdapter(max_retries=self.retry.to_urllib3(self.stats), pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Accept": "application/json"})
        if headers:
            self.session.headers.update(headers)
        self.server: str = "the viewer"
        """What messages call the viewer; :meth:`name_server` sets it once it is known."""

    def name_server(self, label: str) -> None:
        """Call the viewer ``label`` (e.g. ``"runicorn 0.7.2"``) in error messages from
        now on: its version is only known once ``GET /api/health`` has answered."""
        self.server = label

    def timeout_for(self, timeout: Timeout) -> float | None:
        """Seconds a call may take: ``timeout``, or the client's default if not given."""
        return self.timeout if isinstance(timeout, NotGiven) else timeout

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
        files: dict[str, Any] | None = ...,
        form: dict[str, str] | None = ...,
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
        files: dict[str, Any] | None = ...,
        form: dict[str, str] | None = ...,
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
        files: dict[str, Any] | None = ...,
        form: dict[str, str] | None = ...,
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
        files: dict[str, Any] | None = ...,
        form: dict[str, str] | None = ...,
        timeout: Timeout = ...,
        expect: Literal["response", "stream"],
    ) -> requests.Response: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        files: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        timeout: Timeout = NOT_GIVEN,
        expect: Literal["json", "bytes", "response", "buffer", "stream"] = "json",
    ) -> Any:
        """Send one call (with its retries) and return the parsed JSON, bytes or response.

        ``files`` and ``form`` make a multipart body (as :mod:`requests` takes them).

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
        wait = self.timeout_for(timeout)
        token = CALL_DEADLINE.set(time.monotonic() + self.retry.deadline)
        try:
            # Always streamed: the body is read here, against a cap and a deadline.
            response = self.session.request(
                method,
                url,
                params=clean,
                json=json_body,
                files=files,
                data=form,
                timeout=wait,
                stream=True,
                verify=self._verify,
                # requests lets a request's hooks replace the session's: both are kept.
                hooks={"response": [self._guard, *self.session.hooks.get("response", [])]},
            )
        except requests.exceptions.SSLError as err:
            raise APIConnectionError(
                tls_failure(self.base_url, err), method=method, url=url
            ) from err
        except (requests.Timeout, requests.ConnectionError) as err:
            if not is_timeout(err):
                raise APIConnectionError(
                    f"Cannot reach the Runicorn viewer at {self.base_url} ({method} {url}): "
                    f"{root_cause(err)}. Start one with `runicorn viewer` "
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
            CALL_DEADLINE.reset(token)
        if response.status_code >= 400:
            data = self._receive(response, wait, cap=_ERROR_BODY_CAP, cut=True)
            _keep_body(response, bytes(data))
            raise status_error(response, self.server, cut=len(data) >= _ERROR_BODY_CAP)
        if expect == "stream":
            return response
        if expect == "buffer":
            try:
                ensure_json(response, self.server)
            except BaseException:
                response.close()
                raise
        data = self._receive(response, wait, cap=self.max_response_bytes)
        if expect == "buffer":
            return Body(data, response.headers)
        _keep_body(response, data)
        if expect == "response":
            return response  # its headers; the body was read (to its cap) and let go
        if expect == "bytes":
            return bytes(data)
        return decode_json(response, data, self.server)

    def _receive(
        self, response: requests.Response, wait: float | None, *, cap: int, cut: bool = False
    ) -> bytearray:
        """The body, read within ``wait`` seconds in all (not per read) and ``cap`` bytes
        (``cut``: the first ``cap`` bytes, else :class:`ResponseTooLargeError`).

        With a ``Content-Length`` at most ``cap``, the buffer is allocated once and the
        socket reads straight into it a window at a time; a larger announced length is
        refused before anything is allocated. Without one (chunked, or compressed) the
        decoded body is counted as it arrives.
        """
        method = response.request.method or "GET"
        url = response.url
        length = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding", "identity") != "identity"
        size = int(length) if length.isdigit() and not encoded else None
        if size is not None and size > cap and not cut:
            response.close()
            raise self._too_large(method, url, cap, f"announces {size} bytes")
        try:
            with body_deadline(response.raw, wait) as watch:
                try:
                    if size is not None:
                        buf = self._fill(response, min(size, cap))
                    else:
                        buf = self._gather(response, cap)
                except (urllib3.exceptions.ReadTimeoutError, requests.Timeout) as err:
                    raise APITimeoutError(
                        f"{method} {url} timed out after {wait}s while reading the body",
                        method=method,
                        url=url,
                    ) from err
                except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as err:
                    if watch.fired:
                        raise self._late(method, url, wait) from err
                    raise APIConnectionError(
                        f"{method} {url}: the connection broke while reading the body "
                        f"({err}); the body is incomplete and was not parsed.",
                        method=method,
                        url=url,
                    ) from err
            if watch.fired:
                raise self._late(method, url, wait)
        finally:
            response.close()
        if len(buf) > cap and not cut:
            raise self._too_large(method, url, cap, "kept sending bytes")
        if size is not None and len(buf) != min(size, cap):
            raise APIConnectionError(
                f"{method} {url} sent {len(buf)} of the {size} bytes it announced; "
                "the body is incomplete and was not parsed.",
                method=method,
                url=url,
            )
        return buf[:cap] if cut else buf

    @staticmethod
    def _fill(response: requests.Response, size: int) -> bytearray:
        """``size`` bytes read into one buffer (fewer if the body ends first)."""
        buf = bytearray(size)
        filled = 0
        with memoryview(buf) as view:
            while filled < size:
                got = response.raw.readinto(view[filled : min(size, filled + _READ_SIZE)])
                if not got:
                    break
                filled += got
        del buf[filled:]
        return buf

    @staticmethod
    def _gather(response: requests.Response, cap: int) -> bytearray:
        """The decoded body as it arrives, one byte past ``cap`` at the most."""
        buf = bytearray()
        for chunk in response.raw.stream(_READ_SIZE, decode_content=True):
            buf += chunk
            if len(buf) > cap:
                break
        return buf

    def _too_large(self, method: str, url: str, cap: int, what: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"{method} {url} on {self.server} {what}, more than the {cap} bytes this client "
            "holds in memory (max_response_bytes); it was not read. Raise "
            "max_response_bytes if the viewer is yours and the body is real.",
            limit=cap,
            method=method,
            url=url,
        )

    @staticmethod
    def _late(method: str, url: str, wait: float | None) -> APITimeoutError:
        return APITimeoutError(
            f"{method} {url}: the body did not arrive whole within {wait}s (an overall "
            "deadline, not per read); it was not parsed. Pass timeout= to wait longer.",
            method=method,
            url=url,
        )

    def download(
        self,
        path: str,
        sink: BinaryIO,
        *,
        params: dict[str, Any] | None = None,
        method: Literal["GET", "POST"] = "GET",
        json_body: Any = None,
        timeout: Timeout = NOT_GIVEN,
        on_chunk: Callable[[int], None] | None = None,
        max_bytes: int | None = None,
    ) -> tuple[int, Mapping[str, str]]:
        """Stream a response body (``GET``, or a ``POST`` that answers a file) into
        ``sink``; return the bytes written and the headers.

        The request is retried as its method is; the body is not (a partial file is the
        caller's to discard). Reading stops, with an error, past the ``Content-Length``
        the viewer announced or past ``max_bytes`` (a size the viewer listed elsewhere).

        Raises:
            APIConnectionError: The connection failed while reading, or the body ended
                before the ``Content-Length`` it announced.
        """
        response = self.request(
            method, path, params=params, json_body=json_body, timeout=timeout, expect="stream"
        )
        url = response.url
        announced = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding", "identity") != "identity"
        limit = int(announced) if announced.isdigit() and not encoded else None
        if max_bytes is not None and (limit is None or max_bytes < limit):
            limit, announced = max_bytes, f"{max_bytes} (listed)"
        written = 0
        try:
            for chunk in response.iter_content(chunk_size=_READ_SIZE):
                if limit is not None and written + len(chunk) > limit:
                    raise APIConnectionError(
                        f"{method} {url} sent more than the {announced} bytes declared; the "
                        "download was stopped there and is not kept.",
                        method=method,
                        url=url,
                    )
                sink.write(chunk)
                written += len(chunk)
                if on_chunk is not None:
                    on_chunk(len(chunk))
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as err:
            raise APIConnectionError(
                f"{method} {url}: the connection failed after {written} bytes: {err}",
                method=method,
                url=url,
            ) from err
        finally:
            response.close()
        if limit is not None and written != limit:
            raise APIConnectionError(
                f"{method} {url} sent {written} of the {announced} bytes declared; "
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

    def websocket(self, path: str, *, timeout: float | None) -> Any:
        """Open the WebSocket at ``path`` (``ws://`` or ``wss://`` beside ``base_url``)
        with the client's credentials; see :func:`~runicorn_api._http.websocket.open_websocket`."""
        url = "ws" + self.url(path)[len("http") :]
        return open_websocket(
            url,
            auth=self.session.auth,
            headers=self.session.headers,
            verify=self.session.verify,
            cert=self.session.cert,
            timeout=timeout,
            what=f"The WebSocket {path} of {self.server}",
        )

    def close(self) -> None:
        if self._owns_session:
            self.session.close()


def _keep_body(response: requests.Response, data: bytes | bytearray) -> None:
    """Let ``response.content``, ``.text`` and ``.json()`` serve the body read here (within
    its cap and deadline), so the ``response`` an error carries stays usable. requests has
    no public way to hand a response the body that was read from its stream."""
    response._content = data  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]
