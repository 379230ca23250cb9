"""Status → error mapping, produced by the real viewers wherever they can produce it."""

from __future__ import annotations

import http.server
import logging
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api._http import errors as http_errors
from runicorn_api._local_viewer import free_port
from tests.support.counting import counting
from tests.support.scripted_server import loopback_server
from tests.support.viewers import ViewerEnv, rate_limits

UNKNOWN_RUN = "20990101_000000_abcdef"


def test_404_for_an_unknown_run(viewer: ViewerEnv) -> None:
    with pytest.raises(api.NotFoundError) as info:
        viewer.client.get_run(UNKNOWN_RUN)
    err = info.value
    assert err.status_code == 404
    assert err.method == "GET"
    assert err.url == f"{viewer.base_url}/api/runs/{UNKNOWN_RUN}"
    assert err.body == {"detail": "Run not found"}
    assert err.detail == "Run not found"
    assert str(viewer.client.server) in str(err)
    assert isinstance(err, api.APIStatusError)


def test_422_carries_fastapi_detail(viewer: ViewerEnv) -> None:
    # The client refuses downsample=5 before sending; the transport sends it raw here to
    # prove the mapping of the viewer's own 422.
    run_id = viewer.manifest["resnet-s0"].run_id
    with pytest.raises(ValueError, match="between 100 and 50000"):
        viewer.client.get_metrics(run_id, downsample=5)
    with pytest.raises(api.UnprocessableEntityError) as info:
        viewer.client._transport.request(
            "GET", f"/api/runs/{run_id}/metrics", params={"downsample": 5}
        )
    errors = info.value.errors
    assert errors[0]["loc"] == ["query", "downsample"]
    assert errors[0]["type"] == "greater_than_equal"
    assert "query.downsample" in str(info.value)


def test_405(viewer: ViewerEnv) -> None:
    with pytest.raises(api.MethodNotAllowedError) as info:
        viewer.client._transport.request("PUT", "/api/config", json_body={"user_root": "/x"})
    assert info.value.status_code == 405
    assert info.value.detail == "Method Not Allowed"


def test_501(viewer: ViewerEnv) -> None:
    run_id = viewer.manifest["resnet-s0"].run_id
    with pytest.raises(api.ServerError) as info:
        viewer.client._transport.request("GET", f"/api/export/{run_id}/csv")
    assert info.value.status_code == 501
    assert "not available" in str(info.value.detail)


def test_unknown_route(viewer: ViewerEnv) -> None:
    """0.5.x answers 404 JSON; 0.7.x answers 200 with its web page, which is never parsed."""
    if viewer.generation == "0.5":
        with pytest.raises(api.NotFoundError):
            viewer.client._transport.request("GET", "/api/no-such-endpoint")
        return
    with pytest.raises(api.UnsupportedFeatureError) as info:
        viewer.client._transport.request("GET", "/api/no-such-endpoint")
    message = str(info.value)
    assert "GET /api/no-such-endpoint" in message
    assert f"runicorn {viewer.client.server.version}" in message
    assert "text/html" in message
    assert info.value.status_code == 200


def test_429_from_the_viewers_own_rate_limiter(viewer: ViewerEnv) -> None:
    client = viewer.start_viewer(
        "ratelimit",
        max_retries=0,
        config_files={
            "rate_limits.json": rate_limits("/api/projects", max_requests=2, window=3, burst=2)
        },
    )
    transport = client._transport
    transport.request("GET", "/api/projects")
    transport.request("GET", "/api/projects")
    with pytest.raises(api.RateLimitError) as info:
        transport.request("GET", "/api/projects")
    err = info.value
    assert err.status_code == 429
    assert err.detail == "Rate limit exceeded"
    assert err.retry_after is not None
    assert 0 < err.retry_after <= 3 + 1  # 0.5.3 rounds up and adds a second
    # With retries on, the same call waits out the viewer's Retry-After and succeeds.
    patient = api.connect(client.base_url, max_retries=3)
    try:
        started = time.monotonic()
        assert "projects" in patient._transport.request("GET", "/api/projects")
        waited = time.monotonic() - started
    finally:
        patient.close()
    assert waited >= 0.5


def test_status_error_class_is_the_one_mapping() -> None:
    expected = {400: api.BadRequestError, 401: api.AuthenticationError,
                403: api.PermissionDeniedError, 404: api.NotFoundError,
                405: api.MethodNotAllowedError, 409: api.ConflictError,
                422: api.UnprocessableEntityError, 429: api.RateLimitError,
                500: api.ServerError, 501: api.ServerError, 503: api.ServerError,
                418: api.APIStatusError}  # fmt: skip
    for status, cls in expected.items():
        assert http_errors.status_error_class(status) is cls


def test_an_invalid_argument_is_a_bad_request_and_a_value_error(viewer: ViewerEnv) -> None:
    """The seed catches BadRequestError for invalid parameters, and runicorn's own API test
    script expects it for an unknown status; Python code catches ValueError/TypeError.
    Refused here, before any request: no status code."""
    client = viewer.client
    run = viewer.manifest["resnet-s0"]
    with counting(client) as sent:
        with pytest.raises(api.BadRequestError) as info:
            client.list_experiments(status="invalid_status_xyz")
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, api.InvalidArgumentError)
        assert info.value.status_code is None
        assert "Unknown status 'invalid_status_xyz'" in str(info.value)
        assert "the request was not sent" in str(info.value)
        with pytest.raises(api.BadRequestError) as typed:
            client.get_metrics(run.run_id, metric_names="loss")  # type: ignore[arg-type]
        assert isinstance(typed.value, TypeError)
        with pytest.raises(ValueError, match="downsample must be"):
            client.get_metrics(run.run_id, downsample=5)
    assert sent == []


class _Html(http.server.BaseHTTPRequestHandler):
    """A web app that answers every path with a page, as an SPA server does."""

    def do_GET(self) -> None:
        body = b"<html><head><title>Grafana</title></head><body>hi</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(handler: Any, tls: Path | None = None) -> Iterator[str]:
    context = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
    with loopback_server(handler, tls=context) as url:
        yield url


def self_signed(folder: Path) -> Path:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(folder / "key.pem"),
         "-out", str(folder / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return folder


def test_something_that_is_not_a_viewer_is_named(tmp_path: Path) -> None:
    handler = partial(_Files, directory=str(tmp_path))
    with serving(handler) as url, pytest.raises(api.APIConnectionError) as plain:
        api.connect(url, max_retries=0)
    text = str(plain.value)
    assert f"{url} does not look like a Runicorn viewer" in text
    assert "answered 404 File not found (text/html) from 'SimpleHTTP/" in text
    assert '"status": "ok"' in text
    with serving(_Html) as url, pytest.raises(api.APIConnectionError) as page:
        api.connect(url, max_retries=0)
    assert "answered 200 OK (text/html)" in str(page.value)
    assert "'Grafana'" in str(page.value)
    if shutil.which("openssl") is None:
        pytest.skip("openssl makes the TLS server's certificate")
    with (
        serving(_Html, tls=self_signed(tmp_path)) as url,
        pytest.raises(
            api.APIConnectionError, match="completes a TLS handshake: it is an https:// endpoint"
        ),
    ):
        api.connect(url, max_retries=0, timeout=5)


def test_credentials_never_show(viewer: ViewerEnv, caplog: pytest.LogCaptureFixture) -> None:
    """A user:password in the URL and a remote password appear in no message, repr, or
    DEBUG log line; the URL's credentials still go out, as an Authorization header."""
    secret = "hunter2-secret"
    port = viewer.base_url.rsplit(":", 1)[1]
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with api.connect(f"http://alice:{secret}@127.0.0.1:{port}") as client:
        texts += [repr(client), client.base_url, str(client.session.auth is not None)]
        with counting(client) as sent, pytest.raises(api.NotFoundError) as missing:
            client.get_experiment("20990101_000000_abcdef")
        texts += [str(missing.value), repr(missing.value), str(missing.value.url), *sent]
        with pytest.raises(api.RunicornAPIError) as remote:
            client.remote.connect("127.0.0.1", port=1, username="bob", password=secret)
        texts += [str(remote.value), repr(remote.value), repr(client.remote._logins)]
        # A key's text and its passphrase: the same, chained errors included.
        with pytest.raises(api.RunicornAPIError) as keyed:
            client.remote.connect("127.0.0.1", port=1, username="bob", passphrase=secret,
                                  private_key=f"-----BEGIN KEY-----{secret}")  # fmt: skip
        chain: BaseException | None = keyed.value
        while chain is not None:
            texts += [str(chain), repr(chain), str(getattr(chain, "body", ""))]
            chain = chain.__cause__ or chain.__context__
        texts.append(repr(client.remote._new_login("h", 22, "u", None, password=secret)))
    closed = free_port()
    with pytest.raises(api.APIConnectionError) as refused:
        api.connect(f"http://alice:{secret}@127.0.0.1:{closed}", max_retries=0)
    texts += [str(refused.value), *(r.getMessage() for r in caplog.records)]
    assert texts[2] == "True"  # the credentials are kept, for the Authorization header
    leaked = [t for t in texts if secret in t]
    assert leaked == []
