"""A run's images, on both viewers: listed, read, opened and downloaded, verified.

The data set's ``resnet-s0`` logged small one-colour PNGs with its SDK's ``log_image``;
the expected keys, steps, bytes and colours are what the writer logged.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

import runicorn_api as api
from runicorn_api.models._base import LINK
from runicorn_api.testing.copies import RunRecord
from tests.support.counting import counting
from tests.support.viewers import ViewerEnv


def _written(viewer: ViewerEnv) -> RunRecord:
    run = viewer.manifest["resnet-s0"]
    assert run.images
    assert len(run.images) == 3
    return run


def _check(images: list[api.RunImage], run: RunRecord) -> None:
    assert run.images is not None
    assert [(i.key, i.step) for i in images] == [(w["key"], w["step"]) for w in run.images]
    for image, wrote in zip(images, run.images, strict=True):
        assert image.run_id == run.run_id
        assert image.name == Path(wrote["path"]).name
        assert Path(image.path) == Path(run.run_dir) / wrote["path"]
        assert image.size == wrote["bytes"]
        assert image.type == "image/png"
        assert image["name"] == image.name  # the seed's dict-style access


def test_images_equal_what_was_written(viewer: ViewerEnv) -> None:
    run = _written(viewer)
    images = viewer.client.get_run(run.run_id).images()
    assert {i.source for i in images} == {"storage"}
    _check(images, run)
    assert run.images is not None
    for image, wrote in zip(images, run.images, strict=True):
        assert hashlib.sha256(image.read_bytes()).hexdigest() == wrote["sha256"]
        picture = image.open()
        assert picture.size == tuple(wrote["size"])
        assert picture.convert("RGB").getpixel((0, 0)) == tuple(wrote["rgb"])
    samples = viewer.client.images.list(run.run_id, key="samples")
    assert [i.step for i in samples] == [w["step"] for w in run.images if w["key"] == "samples"]
    assert viewer.client.images.list(viewer.manifest["vit-s0"].run_id) == []


def test_images_through_the_viewer(viewer: ViewerEnv, tmp_path: Path) -> None:
    run = _written(viewer)
    assert run.images is not None
    with api.connect(viewer.base_url, direct_reads="never") as remote:
        if viewer.generation == "0.5":
            with counting(remote) as sent, pytest.raises(api.UnsupportedFeatureError) as err:
                remote.images.list(run.run_id)
            assert sent == []
            assert viewer.client.server.version in str(err.value)
            assert "direct_reads" in str(err.value)
            return
        images = remote.images.list(run.run_id)
        assert {i.source for i in images} == {"viewer"}
        _check(images, run)
        paths = remote.images.download(run.run_id, tmp_path / "all", progress=False)
        assert sorted(p.name for p in paths) == sorted(Path(w["path"]).name for w in run.images)
        for wrote in run.images:
            data = (tmp_path / "all" / Path(wrote["path"]).name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == wrote["sha256"]
        assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(
            p.name for p in paths
        )  # nothing else left behind (no staging folder)
        one = images[-1].download(tmp_path / "one")
        assert one == tmp_path / "one" / images[-1].name
        assert hashlib.sha256(one.read_bytes()).hexdigest() == run.images[-1]["sha256"]


def test_image_downloads_are_verified(viewer: ViewerEnv, tmp_path: Path) -> None:
    run = _written(viewer)
    image = viewer.client.images.list(run.run_id)[0]
    assert image.size is not None
    wrong_size = image.model_copy(update={"size": image.size + 1})  # still linked
    with pytest.raises(api.DownloadError, match="bytes"):
        wrong_size.download(tmp_path / "a")
    assert not (tmp_path / "a").exists()  # the destination is as it was: absent
    # A name that says JPEG over PNG bytes (inside the run folder: an image path outside
    # it is refused before anything is read): the signature check refuses it.
    renamed = Path(image.path).with_name("copy.jpg")
    renamed.write_bytes(Path(image.path).read_bytes())
    try:
        liar = image.model_copy(update={"path": str(renamed)})
        with pytest.raises(api.DownloadError, match="image/jpeg"):
            liar.read_bytes()
    finally:
        renamed.unlink()
    outside = tmp_path / "copy.png"
    outside.write_bytes(Path(image.path).read_bytes())
    with pytest.raises(api.UnsafePathError, match="outside"):
        image.model_copy(update={"path": str(outside)}).read_bytes()


def test_image_names_cannot_leave_the_folder(viewer: ViewerEnv, tmp_path: Path) -> None:
    hostile = api.RunImage.model_validate(
        {"run_id": _written(viewer).run_id, "key": "x", "path": "/srv/media/.."},
        context={LINK: viewer.client.images},  # as client.images.list links what it lists
    )
    with counting(viewer.client) as sent, pytest.raises(api.DownloadError, match="leave"):
        hostile.download(tmp_path / "dest")
    assert sent == []
    assert not (tmp_path / "dest").exists()  # the destination is as it was: absent


def test_open_without_pillow_gives_bytes(
    viewer: ViewerEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _written(viewer)
    image = viewer.client.images.list(run.run_id)[0]
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL now raises ImportError
    data = image.open()
    assert isinstance(data, bytes)
    assert run.images is not None
    assert hashlib.sha256(data).hexdigest() == run.images[0]["sha256"]


def test_bad_image_arguments_fail_before_a_request(viewer: ViewerEnv) -> None:
    with counting(viewer.client) as sent:
        with pytest.raises(api.InvalidArgumentError, match="key"):
            viewer.client.images.list(_written(viewer).run_id, key="")
        with pytest.raises(api.InvalidArgumentError, match="run_id"):
            viewer.client.images.list("")
    assert sent == []
