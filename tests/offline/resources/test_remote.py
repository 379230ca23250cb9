"""``client.remote`` (``resources/remote/``) against recorded answers: the listings a
viewer with no SSH connection gives, the saved connections, and the arguments refused
before any request. (SSH itself is tested against a real server in tests/viewer.)"""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import MockResponse
from tests.support.recorded import RecordedViewer

LISTINGS = [
    ("list_sessions", "/api/remote/sessions", "sessions"),
    ("list_viewer_sessions", "/api/remote/viewer/sessions", "sessions"),
    ("saved_connections", "/api/remote/connections/saved", "connections"),
    ("ssh_connections", "/api/config/ssh_connections", "connections"),
]


@pytest.mark.parametrize(("method", "route", "key"), LISTINGS, ids=[m for m, _, _ in LISTINGS])
def test_a_listing_is_the_recorded_list(
    recorded: RecordedViewer, mock_client: api.RunicornClient, method: str, route: str, key: str
) -> None:
    expected = recorded.body(route)[key]
    assert getattr(mock_client.remote, method)() == expected == []
    assert recorded.sent() == [route]


@pytest.mark.parametrize(("method", "route", "key"), LISTINGS, ids=[m for m, _, _ in LISTINGS])
def test_a_listing_under_its_key_is_validated_item_by_item(
    recorded: RecordedViewer, mock_client: api.RunicornClient, method: str, route: str, key: str
) -> None:
    item = {
        "connection_id": "alice@gpu1:22",
        "session_id": "s1",
        "host": "gpu1",
        "port": 22,
        "username": "alice",
        "key": "alice@gpu1:22",
        "name": "gpu1",
        "local_port": 23301,
        "connected": True,
    }
    recorded.on("GET", route, MockResponse(json={key: [item, dict(item, host="gpu2")]}))
    found = getattr(mock_client.remote, method)()
    assert [f["host"] for f in found] == ["gpu1", "gpu2"]


def test_the_remote_status(recorded: RecordedViewer, mock_client: api.RunicornClient) -> None:
    body = recorded.body("/api/remote/status")
    status = mock_client.remote.get_remote_status()
    assert status.connection_count == body["connection_count"]


def test_known_hosts_are_0_7_s(recorded: RecordedViewer, mock_client: api.RunicornClient) -> None:
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.remote.known_hosts()
        assert recorded.sent() == []
        return
    assert (
        mock_client.remote.known_hosts() == recorded.body("/api/remote/known-hosts/list")["entries"]
    )


def test_an_unknown_saved_connection_is_not_found(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    key = recorded.values["key"]
    with pytest.raises(api.NotFoundError) as info:
        mock_client.remote.ssh_connection(key)
    assert info.value.status_code == 404


@pytest.mark.parametrize(
    "kwargs",
    [
        {"host": ""},
        {"host": "gpu1", "port": 0},
        {"host": "gpu1", "port": 70000},
        {"host": "gpu1", "port": "22"},
        {"host": "gpu1", "username": ""},
        {"host": "gpu1", "host_key_fingerprint": "not-a-fingerprint"},
    ],
    ids=repr,
)
def test_connect_refuses_bad_arguments_before_any_request(
    recorded: RecordedViewer, mock_client: api.RunicornClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises((api.InvalidArgumentError, api.UnsupportedFeatureError)):
        mock_client.remote.connect(**kwargs)
    assert recorded.sent("POST") == []


def test_a_refused_connect_is_a_typed_error_naming_the_login(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    recorded.on(
        "POST",
        "/api/remote/connect",
        MockResponse(500, json={"detail": "Connection failed: Authentication failed."}),
    )
    with pytest.raises(api.RunicornAPIError) as info:
        mock_client.remote.connect("gpu1", username="alice", password="s3cret")
    assert "gpu1" in str(info.value)
    assert "s3cret" not in str(info.value)
    assert recorded.calls[-1].json()["password"] == "s3cret"  # sent once, to this viewer


def test_disconnect_of_a_closed_connection_counts_as_done(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    recorded.on(
        "POST",
        "/api/remote/disconnect",
        MockResponse(json={"ok": False, "message": "Connection not found"}),
    )
    result = mock_client.remote.disconnect("gpu1", username="alice")
    assert result.already_closed
    assert recorded.calls[-1].json() == {"host": "gpu1", "port": 22, "username": "alice"}


@pytest.mark.parametrize("body", [{"sessions": {"s1": {}}}, {"sessions": "none"}, "sessions"])
def test_a_listing_that_is_not_a_list_is_a_validation_error(
    recorded: RecordedViewer, mock_client: api.RunicornClient, body: Any
) -> None:
    recorded.on("GET", "/api/remote/sessions", MockResponse(json=body))
    with pytest.raises(api.ResponseValidationError, match="not a list") as info:
        mock_client.remote.list_sessions()
    assert "GET /api/remote/sessions" in str(info.value)
