"""The seed's Remote API against both real viewers, with SSH aimed at a closed loopback port
(a real SSH server is out of reach here; what can be proven is that the bodies are the
ones the viewer accepts and that its failures come back typed and unretried)."""

from __future__ import annotations

import time

import pytest

import runicorn_api as api
from runicorn_api._local import free_port
from tests.conftest import ViewerEnv
from tests.test_experiments import counting


def test_sessions_lists(viewer: ViewerEnv) -> None:
    assert viewer.client.remote.list_sessions() == []
    assert viewer.client.remote.list_viewer_sessions() == []
    status = viewer.client.remote.get_remote_status()  # runicorn's own API test script calls it
    assert (status.connections, status.viewer_sessions) == ([], [])
    assert (status.connection_count, status.viewer_session_count) == (0, 0)


def test_a_05_start_answer_reads_as_the_seed_reads_it() -> None:
    """0.5.3's start answer as observed over HTTP (shared/reference/server-api.md §10); a
    real start needs an SSH server, which this suite does not have yet."""
    answer = {"ok": True, "message": "started", "session": {
        "sessionId": "s-1", "host": "h", "sshPort": 22, "username": "u", "localPort": 8081,
        "remotePort": 23300, "remoteRoot": "/data", "remotePid": 42, "status": "running",
        "startedAt": 1.0, "uptimeSeconds": 2.0, "isActive": True, "url": "http://localhost:8081",
    }}  # fmt: skip
    session = api.RemoteResult.model_validate(answer)
    assert session["local_port"] == 8081
    assert session["session_id"] == "s-1"
    assert session["session"]["localPort"] == 8081  # the viewer's own keys stay


def test_connect_to_a_closed_port_fails_once_and_typed(viewer: ViewerEnv) -> None:
    remote = viewer.client.remote
    port = free_port()
    with counting(viewer.client) as sent:
        started = time.monotonic()
        with pytest.raises(api.RunicornAPIError) as info:
            remote.connect("127.0.0.1", port=port, username="nobody", password="x")
        elapsed = time.monotonic() - started
    # The viewer answers 500 "Connection failed: ..."; a POST is never retried.
    assert sent == ["POST /api/remote/connect"]
    assert isinstance(info.value, api.ServerError)
    assert info.value.status_code == 500
    assert "Connection failed" in str(info.value.detail)
    assert elapsed < 30
    # Nothing was remembered, so a viewer cannot be started on it.
    with pytest.raises(ValueError, match=r"No SSH connection '127\.0\.0\.1'"):
        remote.start_viewer("127.0.0.1", "/data")


def test_bad_remote_calls_fail_before_any_request(viewer: ViewerEnv) -> None:
    remote = viewer.client.remote
    with counting(viewer.client) as sent:
        with pytest.raises(ValueError, match="host and username"):
            remote.connect("127.0.0.1")
        with pytest.raises(ValueError, match="No SSH connection"):
            remote.disconnect("nowhere")
        with pytest.raises(ValueError, match="session_id"):
            remote.stop_viewer("")
    assert sent == []


def test_stop_an_unknown_viewer_session(viewer: ViewerEnv) -> None:
    with pytest.raises(api.NotFoundError):
        viewer.client.remote.stop_viewer("no-such-session")
