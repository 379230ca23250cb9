"""Landing downloaded files safely: staged inside the destination, verified, then moved
into place; zips unpacked only when every entry stays inside and the sizes are bounded.

Nothing is written outside the destination folder, and a download that fails (a torn
body, a wrong digest, a hostile zip) leaves nothing behind in it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from .._exceptions import DownloadError

__all__ = [
    "PROGRESS_THRESHOLD",
    "commit",
    "file_in_place",
    "folder_digest",
    "inside",
    "sha256_file",
    "staging",
    "unzip_checked",
    "updater",
]

PROGRESS_THRESHOLD = 64 << 20
"""Downloads at least this big show a progress bar by default (when tqdm is installed)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_digest(entries: dict[str, str]) -> str:
    """The 0.7.x SDK's fingerprint of an archived folder: sha256 over the sorted
    ``(relative path, file sha256)`` pairs, each part followed by a NUL byte."""
    digest = hashlib.sha256()
    for rel, sha in sorted(entries.items()):
        digest.update(rel.encode("utf-8") + b"\0" + sha.encode("utf-8") + b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def staging(dest: Path) -> Iterator[Path]:
    """A private temporary folder inside ``dest``, removed when the block ends."""
    dest.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".runicorn-download-", dir=dest))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def inside(root: Path, rel: str) -> Path:
    """``root / rel`` if it stays inside ``root``, else :class:`DownloadError`."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    if not rel or pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0]:
        raise DownloadError(f"Refusing the path {rel!r}: it would leave {root}")
    target = (root / Path(*pure.parts)).resolve()
    if root.resolve() not in target.parents:
        raise DownloadError(f"Refusing the path {rel!r}: it would leave {root}")
    return target


def unzip_checked(archive: Path, into: Path, *, max_bytes: int | None) -> dict[str, Path]:
    """Unpack ``archive`` into ``into``: every entry must be a plain file or folder whose
    path stays inside, and the unpacked total may not exceed ``max_bytes`` (counted as
    the bytes are written, not trusted from the zip's headers)."""
    files: dict[str, Path] = {}
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            for info in members:
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise DownloadError(f"Refusing the zip entry {info.filename!r}: a symlink")
                inside(into, info.filename)
            declared = sum(i.file_size for i in members)
            if max_bytes is not None and declared > max_bytes:
                raise DownloadError(
                    f"The zip declares {declared} bytes, more than the {max_bytes} recorded"
                )
            total = 0
            for info in members:
                target = inside(into, info.filename)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source, open(target, "wb") as sink:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        total += len(block)
                        if max_bytes is not None and total > max_bytes:
                            raise DownloadError(f"The zip unpacks to more than {max_bytes} bytes")
                        sink.write(block)
                files[PurePosixPath(info.filename.replace("\\", "/")).as_posix()] = target
    except zipfile.BadZipFile as err:
        raise DownloadError(f"The download is not a valid zip: {err}") from err
    return files


def commit(files: dict[str, Path], dest: Path) -> list[Path]:
    """Move verified staged files to ``dest/<relative path>`` (``os.replace``: each file
    appears whole or not at all)."""
    placed = []
    for rel, staged in sorted(files.items()):
        target = inside(dest, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        placed.append(target)
    return placed


def updater(bar: Any) -> Callable[[int], None] | None:
    return None if bar is None else bar.update


def file_in_place(
    dest: str | os.PathLike[str], default_name: str, write: Callable[[BinaryIO], Any]
) -> Path:
    """Write a file with ``write(sink)`` to ``dest`` (or ``dest/default_name`` when
    ``dest`` is a folder): into a temporary file beside it first, moved into place only
    when ``write`` returned, so a failed download leaves no file behind."""
    target = Path(dest)
    if target.is_dir():
        target = target / default_name
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as sink:
            write(sink)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
