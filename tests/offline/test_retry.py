"""Retries, backoff, Retry-After, deadlines and timeouts, against a scripted loopback server.

A real viewer cannot be made to answer 503 twice and then 200, so these use
:mod:`scripted_server` (a real socket, so urllib3's retry machinery runs for real).
"""

from __future__ import annotations

import time

import pytest

import runicorn_api as api
from tests.support.scripted_server import HEALTH, Reply, Script, scripted_server

RUNS = "/api/runs"


def test_get_retried_on_503_twice_then_succeeds() -> None:
    script = Script().on("GET", RUNS, Reply(503, {"detail": "busy"}), Reply(503, {}),
                         Reply(200, []))  # fmt: skip
    with scripted_server(script) as url, api.connect(url, max_retries=3) as client:
        assert client.list_experiments() == []
    assert script.count("GET", RUNS) == 3
    first, second, third = script.times("GET", RUNS)
    # Backoff 0.5 s then 1 s, each scaled by jitter into [0.75, 1] of the nominal wait.
    assert 0.5 * 0.75 - 0.05 <= second - first <= 0.5 + 0.3
    assert 1.0 * 0.75 - 0.05 <= third - second <= 1.0 + 0.3


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_non_idempotent_methods_are_never_retried_on_status(method: str) -> None:
    script = Script().on(method, "/api/x", Reply(500, {"detail": "boom"}), Reply(200, {}))
    with scripted_server(script) as url, api.connect(url, max_retries=5) as client:
        started = time.monotonic()
        with pytest.raises(api.ServerError) as info:
            client._transport.request(method, "/api/x", json_body={"a": 1})
        assert time.monotonic() - started < 1.0
    assert script.count(method, "/api/x") == 1
    assert info.value.status_code == 500
    assert info.value.method == method
    assert info.value.body == {"detail": "boom"}


def test_retry_after_is_honoured() -> None:
    script = Script().on("GET", RUNS, Reply(503, {}, headers={"Retry-After": "2"}),
                         Reply(200, []))  # fmt: skip
    with scripted_server(script) as url, api.connect(url) as client:
        client.list_experiments()
    first, second = script.times("GET", RUNS)
    assert second - first >= 1.95


def test_429_retry_after_beyond_the_deadline_raises_rate_limit_error_at_once() -> None:
    script = Script().on(
        "GET", RUNS, Reply(429, {"detail": "Rate limit exceeded", "retry_after": 30},
                           headers={"Retry-After": "30"}))  # fmt: skip
    with scripted_server(script) as url, api.connect(url, retry_deadline=5) as client:
        started = time.monotonic()
        with pytest.raises(api.RateLimitError) as info:
            client.list_experiments()
        assert time.monotonic() - started < 2
    assert info.value.retry_after == 30
    assert script.count("GET", RUNS) == 1


def test_total_time_is_bounded_by_the_deadline() -> None:
    script = Script().on("GET", RUNS, Reply(503, {"detail": "down"}))
    with scripted_server(script) as url, api.connect(url, max_retries=50,
                                                     retry_deadline=2.5) as client:  # fmt: skip
        started = time.monotonic()
        with pytest.raises(api.ServerError) as info:
            client.list_experiments()
        elapsed = time.monotonic() - started
    # 0.5 + 1 s of waits fit in 2.5 s; the next (2 s) would not, so the call ends early.
    assert elapsed < 2.5
    assert 2 <= script.count("GET", RUNS) <= 3
    assert info.value.status_code == 503


def test_max_retries_bounds_the_count() -> None:
    script = Script().on("GET", RUNS, Reply(502, {}))
    with (
        scripted_server(script) as url,
        api.connect(url, max_retries=2) as client,
        pytest.raises(api.ServerError),
    ):
        client.list_experiments()
    assert script.count("GET", RUNS) == 3


def test_per_call_timeout_overrides_the_default() -> None:
    script = Script().on("GET", "/api/health", Reply(200, HEALTH), Reply(200, HEALTH, delay=1.5))
    with scripted_server(script) as url, api.connect(url, timeout=30, max_retries=0) as client:
        with pytest.raises(api.APITimeoutError) as info:
            client.health_check(timeout=0.3)
        assert "timed out after 0.3s" in str(info.value)
        assert isinstance(info.value, api.ConnectionError)
        assert client.health_check().ok  # the default timeout waits the 1.5 s out


def test_malformed_json_body_raises_response_validation_error() -> None:
    script = Script().on("GET", RUNS, Reply(200, raw=b"[{not json"))
    with (
        scripted_server(script) as url,
        api.connect(url) as client,
        pytest.raises(api.ResponseValidationError, match="not valid JSON"),
    ):
        client.list_experiments()


def test_non_json_content_type_is_never_parsed() -> None:
    script = Script().on("GET", RUNS, Reply(200, raw=b"[]", content_type="text/plain"))
    with (
        scripted_server(script) as url,
        api.connect(url) as client,
        pytest.raises(api.ResponseValidationError, match="text/plain"),
    ):
        client.list_experiments()


def test_unhandled_500_plain_text_maps_to_server_error() -> None:
    script = Script().on(
        "POST",
        "/api/runs/soft-delete",
        Reply(500, raw=b"Internal Server Error", content_type="text/plain"),
    )
    with (
        scripted_server(script) as url,
        api.connect(url) as client,
        pytest.raises(api.ServerError, match="Internal Server Error") as info,
    ):
        client._transport.request("POST", "/api/runs/soft-delete", json_body={})
    assert info.value.body == "Internal Server Error"
