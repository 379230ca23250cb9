"""``client.recycle_bin`` (``resources/recycle_bin.py``) against recorded answers."""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import MockRequest, MockResponse
from tests.support.recorded import RecordedViewer


def test_the_recorded_bin_is_empty(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    assert recorded.body("/api/recycle-bin")["deleted_runs"] == []
    assert mock_client.recycle_bin.list() == []


def test_deleted_runs_carry_their_identity(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    item = dict(recorded.body("/api/runs")[0])
    item["deleted_at"] = 1_700_000_000.0
    recorded.on("GET", "/api/recycle-bin", MockResponse(json={"deleted_runs": [item]}))
    (deleted,) = mock_client.recycle_bin.list()
    assert deleted.id == item["id"]
    if recorded.generation == "0.7":
        assert deleted.path == item["path"]
    else:
        assert (deleted.project, deleted.name) == (item["project"], item["name"])


def test_restore_posts_batches_of_100(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    ids = [f"20250101_000000_{n:06x}" for n in range(250)]
    batches: list[list[str]] = []

    def restore(request: MockRequest) -> Any:
        batches.append(request.json()["run_ids"])
        return {"results": {rid: {"success": True} for rid in batches[-1]}}

    recorded.on("POST", "/api/recycle-bin/restore", restore)
    result = mock_client.recycle_bin.restore(ids)
    assert [len(b) for b in batches] == [100, 100, 50]
    assert [rid for batch in batches for rid in batch] == ids
    assert len(result.results) == 250


def test_empty_needs_confirm_and_sends_nothing_without_it(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    with pytest.raises(api.InvalidArgumentError, match="confirm=True"):
        mock_client.recycle_bin.empty()
    assert recorded.sent("POST") == []
    recorded.on("POST", "/api/recycle-bin/empty", MockResponse(json={"deleted_count": 0}))
    mock_client.recycle_bin.empty(confirm=True)
    assert recorded.calls[-1].json() == {"confirm": True}
