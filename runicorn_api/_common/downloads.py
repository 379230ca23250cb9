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

from .._exceptions import DownloadError, InvalidArgumentError
from .contain import contained

__all__ = [
    "MAX_UNZIP_BYTES",
    "MAX_UNZIP_RATIO",
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


MAX_UNZIP_RATIO = 100
"""A zip whose files would unpack to more than this many times its own size is refused
(as common zip-bomb defences do), counted from its directory before anything is written
and again from the bytes written, since a directory can lie."""

MAX_UNZIP_BYTES = 64 << 30
"""What a zip with no recorded size may unpack to at the most (64 GiB), on top of the
ratio cap."""


def _remove_made(made: list[Path]) -> None:
    """Remove the folders a failed write created, innermost first, each only if empty
    (never what someone else put there)."""
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _made_dirs(dest: Path) -> list[Path]:
    """``dest`` and each missing parent of it, outermost first: what creating it adds."""
    missing = []
    for folder in (dest, *dest.parents):
        if folder.exists():
            break
        missing.append(folder)
    return missing[::-1]


@contextlib.contextmanager
def staging(dest: Path) -> Iterator[Path]:
    """A private temporary folder inside ``dest``, removed when the block ends; if the
    block fails, folders made for ``dest`` are removed too, so ``dest`` is as it was."""
    made = _made_dirs(dest)
    dest.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".runicorn-download-", dir=dest))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        _remove_made(made)
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _download_error(message: str, path: str, root: str) -> DownloadError:
    return DownloadError(message)


def inside(root: Path, rel: str) -> Path:
    """``root / rel`` if it stays inside ``root`` (links resolved), else
    :class:`DownloadError`; ``rel`` must be a relative path without ``..``."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    if not rel or pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0]:
        raise DownloadError(f"Refusing the path {rel!r}: it would leave {root}")
    return contained(root, Path(*pure.parts), what="a downloaded file", error=_download_error)


def unzip_checked(
    archive: Path,
    into: Path,
    *,
    max_bytes: int | None,
    max_ratio: float = MAX_UNZIP_RATIO,
    max_total: int = MAX_UNZIP_BYTES,
) -> dict[str, Path]:
    """Unpack ``archive`` into ``into``: every entry must be a plain file or folder whose
    path stays inside. The total is capped by ``max_bytes`` (the recorded size) where it
    is known, else by ``max_total`` and ``max_ratio`` times the zip's own size. The caps
    are checked against the zip's directory before anything is written, and against the
    bytes written (no entry may unpack past the size its directory gives)."""
    compressed = archive.stat().st_size
    cap = (
        max_bytes if max_bytes is not None else min(max_total, int(max_ratio * max(compressed, 1)))
    )
    why = (
        "the recorded size"
        if max_bytes is not None
        else (f"{max_ratio:g} times the zip's {compressed} bytes (or {max_total} bytes)")
    )
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
            if declared > cap:
                raise DownloadError(
                    f"The zip declares {declared} bytes, more than {cap} ({why}); "
                    "nothing was unpacked"
                )
            total = 0
            for info in members:
                target = inside(into, info.filename)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with zf.open(info) as source, open(target, "wb") as sink:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        written += len(block)
                        total += len(block)
                        if written > info.file_size or total > cap:
                            raise DownloadError(
                                f"The zip entry {info.filename!r} unpacks past what its "
                                f"directory declares, or the zip past {cap} bytes ({why})"
                            )
                        sink.write(block)
                files[PurePosixPath(info.filename.replace("\\", "/")).as_posix()] = target
    except zipfile.BadZipFile as err:
        raise DownloadError(f"The download is not a valid zip: {err}") from err
    return files


def commit(files: dict[str, Path], dest: Path) -> list[Path]:
    """Move verified staged files to ``dest/<relative path>`` (``os.replace``: each file
    appears whole or not at all). All or nothing: every target is checked first, and if
    a move fails, the files moved so far are taken back and any file they replaced is
    put back, as are the folders made for them."""
    plan = [(staged, inside(dest, rel)) for rel, staged in sorted(files.items())]
    for _, target in plan:
        if target.is_dir():
            raise DownloadError(f"Refusing to replace the folder {target} with a file")
    done: list[tuple[Path, Path, Path | None, list[Path]]] = []
    try:
        for staged, target in plan:
            made = _made_dirs(target.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            backup = None
            if target.exists() or target.is_symlink():
                backup = staged.with_name(staged.name + ".replaced")
                os.replace(target, backup)
            done.append((staged, target, backup, made))
            os.replace(staged, target)
    except BaseException as err:
        for staged, target, backup, made in reversed(done):
            with contextlib.suppress(OSError):
                os.replace(target, staged)
            if backup is not None:
                with contextlib.suppress(OSError):
                    os.replace(backup, target)
            _remove_made(made)
        if isinstance(err, OSError):
            raise DownloadError(
                f"Could not place the downloaded files in {dest} ({err}); it was left as it was"
            ) from err
        raise
    return [target for _, target in plan]


def updater(bar: Any) -> Callable[[int], None] | None:
    return None if bar is None else bar.update


def file_in_place(
    dest: str | os.PathLike[str], default_name: str, write: Callable[[BinaryIO], Any]
) -> Path:
    """Write a file with ``write(sink)`` to ``dest`` (or ``dest/default_name`` when
    ``dest`` is a folder): into a temporary file beside it first, moved into place only
    when ``write`` returned, so a failed download leaves no file behind."""
    target = Path(dest)
    made: list[Path] = []
    try:
        if target.is_dir():
            target = target / default_name
        made = _made_dirs(target.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as err:  # a name too long, a read-only folder: before any request
        _remove_made(made)
        shown = str(target) if len(str(target)) <= 200 else f"{str(target)[:200]}..."
        raise InvalidArgumentError(
            f"Cannot write a file at {shown!r}: {err.strerror or err}"
        ) from err
    try:
        with os.fdopen(fd, "wb") as sink:
            write(sink)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _remove_made(made)
        raise
    return target
