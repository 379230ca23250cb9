"""``client.imports`` (``resources/imports.py``): archives uploaded as multipart bodies,
previewed first on 0.7.x, merged only on 0.5.x; bad input refused before any upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import MockRequest, MockResponse
from tests.support.recorded import RecordedViewer


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "runs.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return path


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"mode": "replace"}, api.InvalidArgumentError),
        ({"dry_run": "yes"}, api.InvalidArgumentError),
    ],
    ids=repr,
)
def test_bad_options_are_refused_before_any_upload(
    recorded: RecordedViewer,
    mock_client: api.RunicornClient,
    archive: Path,
    kwargs: dict[str, Any],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        mock_client.imports.archive(archive, **kwargs)
    assert recorded.sent("POST") == []


def test_a_missing_archive_is_refused_before_any_upload(
    recorded: RecordedViewer, mock_client: api.RunicornClient, tmp_path: Path
) -> None:
    with pytest.raises(api.InvalidArgumentError, match=r"missing\.zip"):
        mock_client.imports.archive(tmp_path / "missing.zip")
    assert recorded.sent("POST") == []


def test_0_5_merges_in_one_upload_and_refuses_a_dry_run(
    recorded: RecordedViewer, mock_client: api.RunicornClient, archive: Path
) -> None:
    if recorded.generation == "0.7":
        pytest.skip("0.7.x previews first (tested below)")
    with pytest.raises(api.UnsupportedFeatureError, match="dry_run"):
        mock_client.imports.archive(archive, dry_run=True)
    recorded.on(
        "POST", "/api/import/archive", MockResponse(json={"imported_count": 0, "run_ids": []})
    )
    mock_client.imports.archive(archive)
    (upload,) = [c for c in recorded.calls if c.method == "POST"]
    assert upload.path == "/api/import/archive"
    assert b'name="file"; filename="runs.zip"' in upload.body
    assert archive.read_bytes() in upload.body


def test_0_7_previews_then_imports_with_the_token(
    recorded: RecordedViewer, mock_client: api.RunicornClient, archive: Path
) -> None:
    if recorded.generation == "0.5":
        pytest.skip("0.5.x has no preview (tested above)")
    preview = {
        "filename": "runs.zip",
        "token": "tok-1",
        "runs": [
            {"run_id": "20250101_000000_aaaaaa", "conflict": False},
            {"run_id": "20250101_000000_bbbbbb", "conflict": True},
        ],
        "conflicts": [{"run_id": "20250101_000000_bbbbbb", "conflict": True}],
    }
    recorded.on("POST", "/api/import/preview", MockResponse(json=preview))

    def archive_route(request: MockRequest) -> Any:
        assert b"preview_token=tok-1" in request.body  # the file is not sent twice
        return {"imported_count": 1, "skipped_count": 1, "mode": "merge"}

    recorded.on("POST", "/api/import/archive", archive_route)
    dry = mock_client.imports.archive(archive, dry_run=True)
    assert dry.new_run_ids == ["20250101_000000_aaaaaa"]
    assert [c.path for c in recorded.calls if c.method == "POST"] == ["/api/import/preview"]
    result = mock_client.imports.archive(archive)
    posts = [c for c in recorded.calls if c.method == "POST"]
    assert [c.path for c in posts][-2:] == ["/api/import/preview", "/api/import/archive"]
    assert archive.read_bytes() not in posts[-1].body
    assert result.imported_count == 1
