"""``runicorn_api.testing.MockTransport``: a client over a handler function reads answers
exactly as it reads a viewer's (caps, content types, typed errors), and every request
is kept for the test to inspect."""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import MockRequest, MockResponse, MockTransport

HEALTH = {"status": "ok", "version": "0.7.2"}


def _viewer(routes: dict[str, Any]) -> MockTransport:
    def handler(request: MockRequest) -> Any:
        if request.path == "/api/health":
            return HEALTH
        answer = routes.get(request.path)
        return MockResponse(404, json={"detail": "Not Found"}) if answer is None else answer

    return MockTransport(handler)


def test_plain_data_is_a_200_json_answer_and_every_request_is_kept() -> None:
    transport = _viewer({"/api/runs": []})
    with api.connect("http://viewer.test", transport=transport) as client:
        assert client.list_experiments() == []
        assert str(client.server) == "runicorn 0.7.2"
    assert [(c.method, c.path) for c in transport.calls] == [
        ("GET", "/api/health"),
        ("GET", "/api/runs"),
    ]
    assert transport.calls[1].headers["Accept"] == "application/json"


def test_a_json_body_and_query_reach_the_handler() -> None:
    seen: list[MockRequest] = []

    def handler(request: MockRequest) -> Any:
        seen.append(request)
        if request.path == "/api/health":
            return HEALTH
        if request.method == "GET":  # the route list (/openapi.json): this one has none
            return MockResponse(404, json={"detail": "Not Found"})
        return {"ok": True, "path": request.json()["path"]}

    with api.connect("http://viewer.test", transport=MockTransport(handler)) as client:
        client.paths.create("team/new")
    assert seen[-1].json() == {"path": "team/new"}
    assert seen[-1].method == "POST"


def test_a_status_is_its_typed_error() -> None:
    transport = _viewer({"/api/runs": MockResponse(503, json={"detail": "busy"})})
    with (
        api.connect("http://viewer.test", transport=transport) as client,
        pytest.raises(api.ServerError, match="busy") as info,
    ):
        client.list_experiments()
    assert info.value.status_code == 503
    assert "Service Unavailable" in str(info.value)


def test_the_response_cap_applies() -> None:
    big = MockResponse(content=b"[" + b"0," * 600_000 + b"0]",
                       headers={"Content-Type": "application/json"})  # fmt: skip
    transport = _viewer({"/api/runs": big})
    with (
        api.connect("http://viewer.test", transport=transport, max_response_bytes=1 << 20) as c,
        pytest.raises(api.ResponseTooLargeError),
    ):
        c.list_experiments()


def test_a_web_page_is_not_an_endpoint() -> None:
    page = MockResponse(content=b"<!doctype html>", headers={"Content-Type": "text/html"})
    with (
        api.connect("http://viewer.test", transport=_viewer({"/api/runs": page})) as client,
        pytest.raises(api.UnsupportedFeatureError, match="web page"),
    ):
        client.list_experiments()


def test_a_handler_must_be_callable_and_a_transport_an_adapter() -> None:
    with pytest.raises(TypeError, match="callable"):
        MockTransport("not a function")  # type: ignore[arg-type]
    with pytest.raises(api.InvalidArgumentError, match="requests adapter"):
        api.connect("http://viewer.test", transport=object())  # type: ignore[arg-type]
