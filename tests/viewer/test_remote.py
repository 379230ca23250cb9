"""The Remote API's local behaviour on both real viewers: empty listings, the seed's shapes,
and arguments refused before any request. The SSH flow itself is in test_remote_ssh.py."""

from __future__ import annotations

import pytest

import runicorn_api as api
from runicorn_api.resources.remote import errors as remote_errors
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv


def test_sessions_lists(viewer: ViewerEnv) -> None:
    assert viewer.client.remote.list_sessions() == []
    assert viewer.client.remote.list_viewer_sessions() == []
    status = viewer.client.remote.get_remote_status()  # runicorn's own API test script calls it
    assert (status.connections, status.viewer_sessions) == ([], [])
    assert (status.connection_count, status.viewer_session_count) == (0, 0)


def test_a_05_start_answer_reads_as_the_seed_reads_it() -> None:
    """0.5.3's start answer as the reference records it, read as a RemoteSession."""
    answer = {"ok": True, "message": "started", "session": {
        "sessionId": "s-1", "host": "h", "sshPort": 22, "username": "u", "localPort": 8081,
        "remotePort": 23300, "remoteRoot": "/data", "remotePid": 42, "status": "running",
        "startedAt": 1.0, "uptimeSeconds": 2.0, "isActive": True, "url": "http://localhost:8081",
    }}  # fmt: skip
    session = api.RemoteSession.model_validate(answer)
    assert session["local_port"] == 8081
    assert session["session_id"] == "s-1"
    assert session["session"]["localPort"] == session["localPort"] == 8081  # the viewer's keys stay
    assert session.uptime == 2.0


def test_bad_remote_calls_fail_before_any_request(viewer: ViewerEnv) -> None:
    remote = viewer.client.remote
    with counting(viewer.client) as sent:
        with pytest.raises(ValueError, match="host and username"):
            remote.connect("127.0.0.1")
        with pytest.raises(ValueError, match="'nowhere' was not opened by this client"):
            remote.disconnect("nowhere")
        with pytest.raises(ValueError, match="remote_root"):
            remote.start_viewer("nowhere", " ")
        with pytest.raises(ValueError, match="port must be within 1-65535"):
            remote.connect("127.0.0.1", port=70000, username="u", password="p")
        with pytest.raises(TypeError, match="port must be an int"):
            remote.connect("127.0.0.1", port=True, username="u", password="p")
        # 0.5.x cannot check a fingerprint at all; 0.7.x refuses a blank one.
        refused = api.UnsupportedFeatureError if viewer.generation == "0.5" else ValueError
        with pytest.raises(refused, match=r"host key|host_key_fingerprint"):
            remote.connect("127.0.0.1", username="u", host_key_fingerprint=" ")
        with pytest.raises(ValueError, match="session_id"):
            remote.stop_viewer("")
    assert sent == []


def test_stop_an_unknown_viewer_session(viewer: ViewerEnv) -> None:
    with pytest.raises(api.NotFoundError):
        viewer.client.remote.stop_viewer("no-such-session")


@pytest.mark.parametrize(
    ("version", "said", "kind"),
    [
        # What each generation's SSH library says when the host cannot be reached; a test
        # cannot reach beyond loopback, so these are the words, not a live failure.
        ("0.5.2", "Connection failed: [Errno -2] Name or service not known", "unreachable"),
        ("0.7.2", "Connection failed: ssh: Could not resolve hostname far: Name or service "
                  "not known", "unreachable"),
        ("0.7.2", "Connection failed: ssh: connect to host 10.0.0.9 port 22: No route to host",
         "unreachable"),
        ("0.6.3", "Failed to start Remote Viewer: SSH tunnel failed: Permission denied "
                  "(publickey,password).", "agent"),
    ],
)  # fmt: skip
def test_ssh_failures_are_typed_by_what_the_viewer_said(version: str, said: str, kind: str) -> None:
    answered = api.ServerError("500 ...", body={"detail": said}, status_code=500)
    error = remote_errors.remote_error(
        answered, host="far", port=2222, username="u", version=version
    )
    expected = {"unreachable": api.SSHHostUnreachableError, "agent": api.SSHAgentRequiredError}
    assert type(error) is expected[kind]
    assert isinstance(error, api.SSHConnectionError)
    assert (error.host, error.port) == ("far", 2222)
    assert said in str(error)  # the viewer's words are kept
    assert ("use_agent=True" in str(error)) is (kind == "agent")
    # Words that describe no SSH failure leave the error as it was.
    other = api.ServerError("500 ...", body={"detail": "disk full"}, status_code=500)
    assert (
        remote_errors.remote_error(other, host="h", port=22, username="u", version=version) is other
    )
