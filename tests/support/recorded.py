"""A mock viewer that answers with what a real one answered: the recordings in
``tests/offline/recorded/`` (each names its source; ``tools/record_responses.py`` makes
them). Tests built on it run in milliseconds and take their expected values from the
recording, never from the client under test.

A request the recording lacks gets what that generation's real viewer answers for an
unknown route: ``404 {"detail": "Not Found"}`` on 0.5.x, its web page (``200
text/html``) on 0.7.x for a ``GET``. ``on()`` overrides one route, for an answer a real
viewer cannot be made to give (a 500, a changed shape).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import runicorn_api as api
from runicorn_api.testing import MockRequest, MockResponse, MockTransport

RECORDED = Path(__file__).resolve().parents[1] / "offline" / "recorded"
VERSIONS = ("0.5.3", "0.7.2")
WEB_PAGE = b"<!doctype html><html><head><title>Runicorn</title></head><body></body></html>"


@cache
def _load(version: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (RECORDED / f"runicorn-{version}.json").read_text(encoding="utf-8")
    )
    return data


Answer = MockResponse | Callable[[MockRequest], Any]


class RecordedViewer:
    """The recorded viewer of one runicorn version."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.document = copy.deepcopy(_load(version))
        self.generation = "0.5" if version.startswith("0.5") else "0.7"
        self._overrides: dict[tuple[str, str], Answer] = {}
        self.transport = MockTransport(self._answer)

    @property
    def values(self) -> dict[str, str]:
        """What the recording's placeholders were filled with (``run_id``, ``path``, ...)."""
        values: dict[str, str] = self.document["values"]
        return values

    @property
    def run_id(self) -> str:
        """The run whose routes were recorded."""
        return self.values["run_id"]

    def recorded(self, route: str, **query: str) -> dict[str, Any]:
        """The recorded answer to ``GET route?query``: ``status``, ``headers``, ``body``
        (a copy)."""
        return copy.deepcopy(self._find("GET", route, query))

    def body(self, route: str, **query: str) -> Any:
        """The recorded body of ``GET route?query`` (a copy)."""
        return self.recorded(route, **query)["body"]

    def on(self, method: str, path: str, answer: Answer) -> None:
        """Answer ``method path`` (any query) with ``answer``: a response, or a function
        of the request."""
        self._overrides[(method.upper(), path)] = answer

    @property
    def calls(self) -> list[MockRequest]:
        """Every request sent, the handshake's included."""
        return self.transport.calls

    def sent(self, method: str = "GET") -> list[str]:
        """The paths of the requests sent with ``method``, after the handshake, without
        the client's one read of the viewer's route list (``GET /openapi.json``, before
        a route only some releases serve; ``tests/viewer/test_live_routes.py`` tests it
        against real viewers)."""
        return [c.path for c in self.calls[1:] if c.method == method
                and c.path != "/openapi.json"]  # fmt: skip

    def client(self, **options: Any) -> api.RunicornClient:
        """A client of this viewer (over HTTP alone: no storage folder is near)."""
        options.setdefault("direct_reads", "never")
        options.setdefault("max_retries", 0)
        return api.connect("http://viewer.test", transport=self.transport, **options)

    def _find(self, method: str, path: str, query: dict[str, str]) -> dict[str, Any]:
        candidates = [
            r for r in self.document["responses"] if r["method"] == method and r["path"] == path
        ]
        exact = [r for r in candidates if r["query"] == query]
        if exact:
            return exact[0]
        loose = [r for r in candidates if not r["query"]] or candidates
        if not loose:
            raise KeyError(f"{method} {path} was not recorded")
        return loose[0]

    def _answer(self, request: MockRequest) -> Any:
        override = self._overrides.get((request.method, request.path))
        if override is not None:
            return override if isinstance(override, MockResponse) else override(request)
        try:
            recorded = self._find(request.method, request.path, request.params)
        except KeyError:
            if self.generation == "0.7" and request.method == "GET":
                return MockResponse(
                    200, content=WEB_PAGE, headers={"Content-Type": "text/html; charset=utf-8"}
                )
            return MockResponse(404, json={"detail": "Not Found"})
        body = recorded["body"]
        headers = dict(recorded["headers"])
        if isinstance(body, str):
            return MockResponse(recorded["status"], content=body.encode(), headers=headers)
        return MockResponse(recorded["status"], json=copy.deepcopy(body), headers=headers)


def same_values(model: api.RunicornModel, body: dict[str, Any]) -> list[str]:
    """The keys of a recorded ``body`` whose plain values (``str``, ``int``, ``bool``) the
    model gives back unchanged under the viewer's name; fails on any that differ. The
    caller asserts the keys it needs were among them."""
    dumped = model.model_dump(mode="python", by_alias=True)
    dumped.update(model.model_dump(mode="python"))
    compared = []
    for key, value in body.items():
        if key not in dumped or not isinstance(value, str | int | bool) or value is None:
            continue
        got = dumped[key]
        if isinstance(got, str | int | bool) and not hasattr(got, "value"):
            assert got == value, f"{key}: {got!r} != recorded {value!r}"
            compared.append(key)
        elif hasattr(got, "value"):  # an enum of the viewer's strings
            assert got.value == value, f"{key}: {got!r} != recorded {value!r}"
            compared.append(key)
    return compared
