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
