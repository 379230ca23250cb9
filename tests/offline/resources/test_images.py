"""``client.images`` (``resources/images.py``): a run's logged images, listed by a 0.7.x
viewer (0.5.x serves none over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

import runicorn_api as api
from runicorn_api.testing import MockRequest, MockResponse
from tests.support.recorded import RecordedViewer


def test_the_recorded_run_has_no_images(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    run_id = recorded.run_id
    if recorded.generation == "0.5":
        with pytest.raises(api.UnsupportedFeatureError, match="direct_reads"):
            mock_client.images.list(run_id)
        return
    assert recorded.body(f"/api/runs/{run_id}/images")["images"] == []
    assert mock_client.images.list(run_id) == []


def _png(name: str) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + name.encode() * 3


def _listed(recorded: RecordedViewer) -> list[dict[str, Any]]:
    run_dir = recorded.body(f"/api/runs/{recorded.run_id}")["run_dir"]
    return [
        {"step": 10, "key": "samples", "path": f"{run_dir}/media/a.png"},
        {"step": 20, "key": "masks", "path": f"{run_dir}/media/b.png"},
        {"step": 30, "key": "samples", "path": f"{run_dir}/media/c.png"},
    ]


def _serve(recorded: RecordedViewer) -> list[dict[str, Any]]:
    listed = _listed(recorded)
    recorded.on(
        "GET",
        f"/api/runs/{recorded.run_id}/images",
        MockResponse(json={"run_id": recorded.run_id, "images": listed}),
    )

    def download(request: MockRequest) -> MockResponse:
        name = request.params["path"].rsplit("/", 1)[-1]
        return MockResponse(content=_png(name), headers={"Content-Type": "image/png"})

    recorded.on("GET", f"/api/runs/{recorded.run_id}/assets/download", download)
    return listed


@pytest.mark.parametrize("key", [None, "samples", "masks"])
def test_images_in_logged_order_with_their_sizes(
    recorded: RecordedViewer, mock_client: api.RunicornClient, key: str | None
) -> None:
    if recorded.generation == "0.5":
        pytest.skip("0.5.x serves no images over HTTP (its refusal is tested above)")
    listed = [i for i in _serve(recorded) if key is None or i["key"] == key]
    images = mock_client.images.list(recorded.run_id, key=key)
    assert [(i.step, i.key) for i in images] == [(i["step"], i["key"]) for i in listed]
    names = [i["path"].rsplit("/", 1)[-1] for i in listed]
    assert [i.size for i in images] == [len(_png(n)) for n in names]


def test_image_bytes_are_the_viewer_s_download(
    recorded: RecordedViewer, mock_client: api.RunicornClient
) -> None:
    if recorded.generation == "0.5":
        pytest.skip("0.5.x serves no images over HTTP")
    _serve(recorded)
    first = mock_client.images.list(recorded.run_id)[0]
    assert mock_client.images.read_bytes(first) == _png("a.png")


@pytest.mark.parametrize("key", ["", 3])
def test_a_bad_key_is_refused_before_any_request(
    recorded: RecordedViewer, mock_client: api.RunicornClient, key: Any
) -> None:
    with pytest.raises(api.InvalidArgumentError):
        mock_client.images.list(recorded.run_id, key=key)
    assert recorded.sent() == []
