"""Artifact downloads through the viewer (0.7.x) from a client that reads no storage file,
and what a torn body, a wrong digest or a hostile zip leave behind: nothing.

Expected contents come from the files the fixture's writer logged.
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import runicorn_api as api
from tests.support.counting import counting
from tests.support.rewriting_proxy import tampering_proxy
from tests.support.viewers import ViewerEnv


@pytest.fixture
def over_http(viewer: ViewerEnv) -> Iterator[api.RunicornClient]:
    client = api.connect(viewer.base_url, direct_reads="never")
    yield client
    client.close()


def logged_files(viewer: ViewerEnv, name: str) -> dict[str, str]:
    """The files the first run that logged ``name`` wrote (outputs by their own name)."""
    for run in sorted(viewer.manifest.runs, key=lambda r: r.created_time):
        for art in run.artifacts:
            if art["name"] == name and art["files"] is not None:
                return dict(art["files"])
    raise KeyError(name)


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` (hidden staging folders included) and its text."""
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def test_downloads_through_the_viewer_are_verified(
    viewer: ViewerEnv, over_http: api.RunicornClient, tmp_path: Path
) -> None:
    arts = over_http.artifacts
    if viewer.generation == "0.5":
        dest = tmp_path / "never"
        with pytest.raises(api.UnsupportedFeatureError, match="direct_reads='never'") as info:
            arts.download("resnet-model:v1", dest)
        assert "serves no artifact file download" in str(info.value)
        assert not dest.exists() or not any(dest.iterdir())  # nothing was written
        return
    for name in ("gpt.ckpt", "cifar10", "resnet-model"):  # a blob, a dataset, a model folder
        dest = tmp_path / name
        with counting(over_http) as sent:
            written = arts.download(f"{name}:v1", dest, progress=True)
        assert any("/assets/download?path=" in s for s in sent)
        assert tree(dest) == logged_files(viewer, name)  # and no staging folder is left
        assert sorted(written) == sorted((dest / rel).resolve() for rel in tree(dest))
    with pytest.raises(api.UnsupportedFeatureError, match="only referenced"):
        arts.download("bert-base-uncased", tmp_path / "bert")
    # Sizes the viewer's asset records lack come from the archived file over HTTP.
    output = arts.get_artifact("gpt.ckpt")
    assert output.size_bytes == len(logged_files(viewer, "gpt.ckpt")["gpt.ckpt"])
    assert (arts.get_artifact("code").size_bytes or 0) > 0
    assert not any((tmp_path / "bert").glob("*"))


def only_downloads(change: object) -> object:
    def tamper(path: str, body: bytes) -> tuple[bytes, int | None]:
        if "/assets/download" not in path:
            return body, None
        return change(body)  # type: ignore[operator, no-any-return]

    return tamper


def zipped(entries: dict[str, bytes], *, link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if link is not None:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("label", "artifact", "change", "error", "match"),
    [
        ("torn blob", "gpt.ckpt:v1", lambda b: (b, len(b) // 2), api.APIConnectionError,
         "incomplete|connection failed"),
        ("torn zip", "cifar10:v1", lambda b: (b, len(b) - 10), api.APIConnectionError,
         "incomplete|connection failed"),
        ("wrong digest", "gpt.ckpt:v1", lambda b: (b[:-1] + b"X", None), api.DownloadError,
         "sha256"),
        ("traversal", "cifar10:v1", lambda b: (zipped({"../evil.txt": b"x"}), None),
         api.DownloadError, "would leave"),
        ("absolute", "cifar10:v1", lambda b: (zipped({"/tmp/evil.txt": b"x"}), None),
         api.DownloadError, "would leave"),
        ("symlink", "cifar10:v1", lambda b: (zipped({"a.txt": b"x"}, link="link"), None),
         api.DownloadError, "symlink"),
        ("zip bomb", "cifar10:v1", lambda b: (zipped({"big.bin": b"0" * 100_000}), None),
         api.DownloadError, "more than"),
        ("other files", "cifar10:v1", lambda b: (zipped({"weights.bin": b"c"}), None),
         api.DownloadError, "does not match"),
    ],
)  # fmt: skip
def test_a_bad_download_leaves_nothing(
    viewer: ViewerEnv, tmp_path: Path, label: str, artifact: str, change: object,
    error: type[Exception], match: str,
) -> None:  # fmt: skip
    if viewer.generation == "0.5":
        pytest.skip("0.5.x viewers serve no artifact file download")
    dest = tmp_path / "dest"
    with (
        tampering_proxy(viewer.base_url, only_downloads(change)) as url,  # type: ignore[arg-type]
        api.connect(url, direct_reads="never", max_retries=0) as client,
        pytest.raises(error, match=match),
    ):
        client.artifacts.download(artifact, dest)
    assert tree(tmp_path) == {}, label  # nothing in dest, nothing beside it
