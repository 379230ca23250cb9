"""Downloads land whole or not at all: zip bombs and lying zip directories are refused
before (or while) anything is written, and a refused commit leaves the destination
exactly as it was, down to files it would have replaced and folders it would have made."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

import runicorn_api as api
from runicorn_api._common.contain import contained, open_regular, regular_files
from runicorn_api._common.downloads import commit, file_in_place, staging, unzip_checked

MiB = 1 << 20


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every path below ``root`` with its bytes (``None`` for a folder)."""
    return {
        p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


def test_a_zip_bomb_without_a_recorded_size_is_refused_before_writing(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("zeros.bin", b"\0" * (150 * MiB))
    assert bomb.stat().st_size < 200 * 1024  # about 149 KiB, unpacking to 150 MiB
    into = tmp_path / "into"
    into.mkdir()
    with pytest.raises(api.DownloadError, match="100 times the zip's"):
        unzip_checked(bomb, into, max_bytes=None)
    assert _tree(into) == {}
    # configurable: a ratio that admits it unpacks it
    files = unzip_checked(bomb, into, max_bytes=None, max_ratio=2000)
    assert files["zeros.bin"].stat().st_size == 150 * MiB


def test_a_zip_whose_directory_lies_about_sizes_is_refused(tmp_path: Path) -> None:
    honest = tmp_path / "honest.zip"
    with zipfile.ZipFile(honest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.bin", b"x" * 100_000)
    data = bytearray(honest.read_bytes())
    # Claim 10 bytes for the entry in the local header (offset 22) and the central
    # directory (offset 24 of its record): the caps see a tiny zip.
    data[22:26] = struct.pack("<I", 10)
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 10)
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(data))
    into = tmp_path / "into"
    into.mkdir()
    with pytest.raises(api.DownloadError):
        unzip_checked(liar, into, max_bytes=10)


def test_zip_entries_that_leave_the_destination_are_refused(tmp_path: Path) -> None:
    for name in ("../evil.txt", "/etc/evil.txt", "a/../../evil.txt"):
        archive = tmp_path / "slip.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr(name, b"x")
        into = tmp_path / "into"
        into.mkdir(exist_ok=True)
        with pytest.raises(api.DownloadError, match="would leave"):
            unzip_checked(archive, into, max_bytes=None)
        assert not (tmp_path / "evil.txt").exists()


def test_a_commit_that_fails_half_way_takes_everything_back(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "a.txt").write_bytes(b"old a")
    (dest / "b").mkdir()
    (dest / "b" / "c").write_bytes(b"a file where the download needs a folder")
    (dest / "z").mkdir()
    (dest / "z" / "inside.txt").write_bytes(b"keep")
    before = _tree(dest)
    stage = tmp_path / "stage"
    stage.mkdir()

    def staged(files: dict[str, bytes]) -> dict[str, Path]:
        out = {}
        for rel, body in files.items():
            path = stage / rel.replace("/", "_")
            path.write_bytes(body)
            out[rel] = path
        return out

    # a.txt is replaced first; b/c/d.txt then fails (b/c is a file): a.txt comes back.
    with pytest.raises(api.DownloadError, match="left as it was"):  # b/c: a file, not a folder
        commit(staged({"a.txt": b"new a", "aa/new.txt": b"n", "b/c/d.txt": b"d"}), dest)
    assert _tree(dest) == before  # a.txt old again, no aa/, b/c untouched
    # a folder is never replaced by a file, and that is known before anything moves
    with pytest.raises(api.DownloadError, match="the folder"):
        commit(staged({"a.txt": b"new a", "z": b"not a folder"}), dest)
    assert _tree(dest) == before


def test_a_failed_download_removes_the_folders_it_made(tmp_path: Path) -> None:
    dest = tmp_path / "new" / "deeper"

    def broken_download() -> None:
        with staging(dest) as stage:
            (stage / "part").write_bytes(b"x")
            raise RuntimeError("the download broke")

    with pytest.raises(RuntimeError, match="broke"):
        broken_download()
    assert not (tmp_path / "new").exists()


def test_a_file_that_cannot_be_made_is_refused_before_the_download(tmp_path: Path) -> None:
    """Found by the hostile-arguments suite: a 5,000-character file name raised a bare
    OSError; now a typed refusal, before the download starts, and no folder is left."""
    writes: list[object] = []
    dest = tmp_path / "new" / ("x" * 5000)
    with pytest.raises(api.InvalidArgumentError, match="Cannot write a file at"):
        file_in_place(dest, "runicorn_export.zip", writes.append)
    assert writes == []
    assert not (tmp_path / "new").exists()


def test_containment_resolves_links(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret")
    (root / "sub" / "link").symlink_to(outside)
    (root / "inner").symlink_to(root / "sub")
    assert contained(root, "inner", what="t") == (root / "sub").resolve()
    with pytest.raises(api.UnsafePathError, match="outside"):
        contained(root, "sub/link", what="t")
    with pytest.raises(api.UnsafePathError, match="outside"):
        open_regular(root, "sub/link", what="t")
    with pytest.raises(api.UnsafePathError, match="NUL"):
        contained(root, "a\0b", what="t")
    files, skipped = regular_files(root)
    assert files == []
    assert set(skipped) == {"sub/link", "inner"}
    assert all("not followed" in why for why in skipped.values())
