"""``client.system`` (``resources/system.py``) against recorded answers of both
generations: each call's route, its validated model, and its refusals."""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import MockResponse
from tests.support.recorded import RecordedViewer, same_values

# method, route, a key of the recorded body the model must carry, generations served
READS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("health", "/api/health", "status", ("0.5", "0.7")),
    ("monitor", "/api/system/monitor", "available", ("0.5", "0.7")),
    ("config", "/api/config", "storage", ("0.5", "0.7")),
    ("gpu", "/api/gpu/telemetry", "available", ("0.5", "0.7")),
    ("temperatures", "/api/system/temperatures", "available", ("0.5", "0.7")),
    ("metrics_cache_stats", "/api/metrics/cache/stats", "max_size", ("0.5", "0.7")),
    ("storage_stats", "/api/storage/stats", "storage_root", ("0.7",)),
    ("gpu_history", "/api/gpu/telemetry/history", "enabled", ("0.7",)),
    ("gpu_config", "/api/gpu/telemetry/config", "enabled", ("0.7",)),
]


@pytest.mark.parametrize(("method", "route", "key", "served"), READS, ids=[r[0] for r in READS])
def test_a_read_validates_the_recorded_answer(
    recorded: RecordedViewer,
    mock_client: api.RunicornClient,
    method: str,
    route: str,
    key: str,
    served: tuple[str, ...],
) -> None:
    call = getattr(mock_client.system, method)
    if recorded.generation not in served:
        with pytest.raises(api.UnsupportedFeatureError):
            call()
        assert recorded.sent() == []  # refused before any request
        return
    model = call()
    assert isinstance(model, api.RunicornModel)
    assert recorded.sent() == [route]
    body = recorded.body(route)
    assert key in same_values(model, body)


def test_health_reports_the_recorded_version(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    health = mock_client.health_check()
    assert health.version == recorded.body("/api/health")["version"]
    assert str(mock_client.server) == f"runicorn {recorded.body('/api/health')['version']}"


def test_storage_candidates_send_the_scan_root(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    root = recorded.values["storage"]
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError):
            mock_client.system.storage_candidates(root)
        assert recorded.sent() == []
        return
    found = mock_client.system.storage_candidates(root)
    assert recorded.calls[-1].params["scan_root"] == root
    recorded_paths = [c["path"] for c in recorded.body("/api/config/storage-candidates",
                                                       scan_root=root)["candidates"]]  # fmt: skip
    assert [c.path for c in found.candidates] == recorded_paths


@pytest.mark.parametrize("bad", ["", "   ", 3, None])
def test_update_config_refuses_a_bad_root_before_any_request(
    recorded: RecordedViewer, mock_client: api.RunicornClient, bad: Any
) -> None:
    with pytest.raises(api.InvalidArgumentError):
        mock_client.update_config({"user_root_dir": bad})
    assert recorded.sent("POST") == []


def test_update_config_posts_the_path(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    recorded.on(
        "POST",
        "/api/config/user_root_dir",
        MockResponse(json={"ok": True, "user_root_dir": "/data/runs"}),
    )
    result = mock_client.update_config({"user_root_dir": "/data/runs"})
    assert recorded.calls[-1].json() == {"path": "/data/runs"}
    assert result["user_root_dir"] == "/data/runs"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, api.BadRequestError),
        (401, api.AuthenticationError),
        (403, api.PermissionDeniedError),
        (404, api.NotFoundError),
        (409, api.ConflictError),
        (422, api.UnprocessableEntityError),
        (429, api.RateLimitError),
        (500, api.ServerError),
        (503, api.ServerError),
    ],
)
def test_an_error_status_is_its_typed_error_naming_the_call(
    recorded: RecordedViewer, mock_client: api.RunicornClient, status: int, error: type[Exception]
) -> None:
    recorded.on("GET", "/api/system/monitor", MockResponse(status, json={"detail": "nope"}))
    with pytest.raises(error) as info:
        mock_client.system.monitor()
    assert isinstance(info.value, api.APIStatusError)
    assert info.value.status_code == status
    assert "GET http://viewer.test/api/system/monitor" in str(info.value)
    assert "nope" in str(info.value)


def test_a_changed_shape_is_a_validation_error_naming_the_route(
    recorded: RecordedViewer,
) -> None:
    recorded.on("GET", "/api/gpu/telemetry", MockResponse(json=["not", "an", "object"]))
    with recorded.client(strict=True) as client, pytest.raises(api.ResponseValidationError) as info:
        client.get_gpu_info()
    assert "GET /api/gpu/telemetry" in str(info.value)
