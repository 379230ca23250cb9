"""A client that talks to a function instead of a viewer, for tests that run in
milliseconds (in the spirit of httpx's ``MockTransport``)::

    import runicorn_api as api
    from runicorn_api.testing import MockResponse, MockTransport

    def viewer(request):
        if request.path == "/api/health":
            return {"status": "ok", "version": "0.7.2"}
        if request.path == "/api/runs":
            return []
        return MockResponse(404, json={"detail": "Not Found"})

    client = api.connect("http://viewer.test", transport=MockTransport(viewer))
    assert client.list_experiments() == []

The handler gets each request as a :class:`MockRequest` and answers with a
:class:`MockResponse`, or with plain JSON data (a ``200`` answer). Every request is
also kept in :attr:`MockTransport.calls`. The client reads the answer exactly as it reads
a viewer's: through the same caps, validation and typed errors. Retries do not apply
(they belong to the real connection pool this replaces).
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

__all__ = ["MockRequest", "MockResponse", "MockTransport"]


@dataclass(frozen=True)
class MockRequest:
    """One request the client sent, as a handler sees it."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def path(self) -> str:
        """The URL's path (``/api/runs``), without the query."""
        return urlsplit(self.url).path

    @property
    def params(self) -> dict[str, str]:
        """The query parameters (the last value of a repeated one)."""
        return dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))

    def json(self) -> Any:
        """The JSON body the client sent (``None`` without one)."""
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class MockResponse:
    """An answer: ``json`` (sent as ``application/json``) or raw ``content``."""

    status_code: int = 200
    json: Any = None
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        """The body and the headers it goes out with."""
        headers = dict(self.headers)
        if self.content is not None:
            body = self.content
        else:
            body = json.dumps(self.json).encode()
            headers.setdefault("Content-Type", "application/json")
        headers.setdefault("Content-Length", str(len(body)))
        return body, headers


Handler = Callable[[MockRequest], "MockResponse | Any"]


class _Body(urllib3.HTTPResponse):
    """An answer held in memory; the read deadline's shutdown just closes it."""

    def shutdown(self) -> None:
        self.close()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class MockTransport(HTTPAdapter):
    """A :mod:`requests` adapter that answers every request from ``handler``; pass it as
    ``api.connect(url, transport=MockTransport(handler))``.

    Before its first call of a route that only some releases serve, a client reads the
    viewer's route list once, ``GET /openapi.json``: answer it with an OpenAPI document,
    or with a 404 to let the viewer's generation decide.

    Raises:
        TypeError: ``handler`` is not callable.
    """

    def __init__(self, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        super().__init__(max_retries=0)
        self.handler = handler
        self.calls: list[MockRequest] = []
        """Every request, in the order sent."""
        self._lock = threading.Lock()

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        """Answer ``request`` from the handler (the connection options are not used)."""
        body = request.body or b""
        seen = MockRequest(
            method=(request.method or "GET").upper(),
            url=request.url or "",
            headers=dict(request.headers),
            body=body.encode() if isinstance(body, str) else bytes(body),
        )
        with self._lock:
            self.calls.append(seen)
        answer = self.handler(seen)
        if not isinstance(answer, MockResponse):
            answer = MockResponse(json=answer)
        data, headers = answer.encoded()
        raw = _Body(
            body=io.BytesIO(data),
            headers=headers,
            status=answer.status_code,
            reason=_reason(answer.status_code),
            preload_content=False,
            decode_content=True,
            request_url=seen.url,
        )
        return self.build_response(request, raw)
