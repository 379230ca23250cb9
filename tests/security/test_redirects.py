"""Secrets stay with their origin: a redirect out of the base URL's origin is refused
before anything is sent there, for plain calls, POSTs with secret bodies, downloads and
the logs WebSocket; a redirect within the origin is still followed.

The hostile viewer is on 127.0.0.1; the other origin, a recorder, is on 127.0.0.2 (or on
another port of 127.0.0.1), and each test proves it received nothing.
"""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import runicorn_api as api
from runicorn_api._http.guards import origin_of, refuse_redirect
from tests.support.hostile import HostileViewer, Recorder, hostile_pair, redirect, send_json

SECRET = "s3cret-token"
PASSWORD = "hunter2-password"
RUN = "20250101_000000_aaaaaa"


def _connect(url: str) -> api.RunicornClient:
    return api.connect(
        url, headers={"X-Api-Key": SECRET}, auth=("alice", PASSWORD), max_retries=0, timeout=5
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("other_host", ["127.0.0.2", "127.0.0.1"])
def test_a_get_redirected_to_another_origin_is_refused(status: int, other_host: str) -> None:
    with hostile_pair(other_host) as (viewer, other):
        viewer.on("GET", "/api/runs", redirect(f"{other.url}/steal?token=abc", status))
        with _connect(viewer.url) as client, pytest.raises(api.UnsafeRedirectError) as info:
            client.list_experiments()
    err = info.value
    assert err.location == f"{other.url}/steal"  # named, without its query string
    assert "token=abc" not in str(err)
    assert other.url in str(err)
    assert other.seen == []  # neither the X-Api-Key nor the password went there
    assert isinstance(err, api.APIConnectionError)


def test_a_307_never_reposts_the_ssh_password_elsewhere() -> None:
    with hostile_pair() as (viewer, other):
        viewer.on("POST", "/api/remote/connect", redirect(f"{other.url}/api/remote/connect", 307))
        with _connect(viewer.url) as client, pytest.raises(api.UnsafeRedirectError):
            client.remote.connect("gpu1", username="bob", password=PASSWORD)
        posted = [s for s in viewer.seen if s.path == "/api/remote/connect"]
    assert len(posted) == 1
    assert PASSWORD.encode() in posted[0].body
    assert other.seen == []


def test_https_to_http_is_refused_even_on_the_same_host() -> None:
    base = origin_of("https://viewer.example:443/")
    with pytest.raises(api.UnsafeRedirectError, match="from https to plain http"):
        refuse_redirect(base, "https://viewer.example/api/runs", "http://viewer.example:443/x",
                        method="GET")  # fmt: skip
    # the same origin, spelled differently, is not a redirect out
    refuse_redirect(base, "https://viewer.example/api/runs", "HTTPS://Viewer.Example/api/x",
                    method="GET")  # fmt: skip


def test_a_redirect_within_the_origin_is_followed_with_its_credentials() -> None:
    with hostile_pair() as (viewer, other):
        viewer.on("GET", "/api/runs", redirect("/api/runs/", 307))
        viewer.on("GET", "/api/runs/", lambda h: send_json(h, []))
        with _connect(viewer.url) as client:
            assert client.list_experiments() == []
        second = [s for s in viewer.seen if s.path == "/api/runs/"]
    assert len(second) == 1
    assert second[0].headers["X-Api-Key"] == SECRET
    expected = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert second[0].headers["Authorization"] == f"Basic {expected}"
    assert other.seen == []


def test_a_download_redirected_elsewhere_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    with hostile_pair() as (viewer, other):
        viewer.on("POST", "/api/runs/export", redirect(f"{other.url}/x.zip", 307))
        with _connect(viewer.url) as client, pytest.raises(api.UnsafeRedirectError):
            client.experiments.export_archive([RUN], dest / "runs.zip")
    assert other.seen == []
    assert not dest.exists()


@contextmanager
def _ws_redirector(location: str) -> Iterator[str]:
    """A raw socket server whose every answer is a redirect (for the WebSocket upgrade)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    health = b'{"status": "ok", "version": "0.7.2"}'

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    got = conn.recv(4096)
                    if not got:
                        break
                    request += got
                if request.startswith(b"GET /api/health"):
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                                 % (len(health), health))  # fmt: skip
                else:
                    answer = f"HTTP/1.1 302 Found\r\nLocation: {location}\r\n"
                    conn.sendall(
                        (answer + "Content-Length: 0\r\nConnection: close\r\n\r\n").encode()
                    )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the accept()
        listener.close()
        thread.join(timeout=5)


def test_the_logs_websocket_does_not_follow_a_redirect_elsewhere() -> None:
    pytest.importorskip("websocket")
    other = Recorder()
    with other.running() as other_url:
        target = "ws" + other_url.removeprefix("http") + "/ws"
        with (
            _ws_redirector(target) as url,
            api.connect(
                url, auth=("alice", PASSWORD), direct_reads="never", max_retries=0, timeout=5
            ) as client,
            pytest.raises(api.UnsafeRedirectError) as info,
        ):
            client._core.transport.websocket(f"/api/runs/{RUN}/logs/ws", timeout=5)
    assert info.value.location == target
    assert other.seen == []  # the Authorization header never went there


def test_a_refused_url_does_not_echo_its_password() -> None:
    with pytest.raises(api.InvalidArgumentError) as info:
        api.connect(f"htp://alice:{PASSWORD}@127.0.0.1:1")
    assert PASSWORD not in str(info.value)
    assert "***@127.0.0.1:1" in str(info.value)


def test_the_hostile_viewer_is_what_it_says() -> None:
    """The fixture itself: a second origin that records what reaches it (so the
    ``other.seen == []`` checks above can fail)."""
    viewer = HostileViewer()
    other = Recorder()
    with viewer.running(), other.running():
        import requests

        requests.get(f"{other.url}/probe", headers={"X-Api-Key": SECRET}, timeout=5)
    assert [(s.path, s.headers["X-Api-Key"]) for s in other.seen] == [("/probe", SECRET)]
