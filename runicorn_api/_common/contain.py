"""Files stay in their folders: the one containment check for every path that comes from
a server or from inside a storage folder.

A viewer names paths (a run's ``run_dir``, an artifact's ``archive_path``, a zip entry),
and a storage folder holds paths of its own (image events in ``events.jsonl``, links,
special files). None of them is trusted. Every direct read, archive, copy and download
goes through this module:

* :func:`contained` resolves a path (links included) and refuses it unless it lies
  inside the folder it belongs to;
* :func:`open_regular` opens only a regular file inside that folder, never blocking: a
  FIFO, socket or device is refused from its ``stat``, and the file is opened with
  ``O_NONBLOCK | O_NOFOLLOW`` and checked again from the open descriptor, so a swap
  between the check and the open is caught too;
* :func:`regular_files` walks a folder without following links and says what it left
  out (a link, a FIFO, ...), so an archive never carries a file from elsewhere.

Refusals raise :class:`~runicorn_api.UnsafePathError` (or the error class a caller
names, e.g. :class:`~runicorn_api.DownloadError` for a destination).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .._exceptions import RunicornAPIError, UnsafePathError

__all__ = [
    "contained",
    "file_kind",
    "open_if_file",
    "open_regular",
    "read_at",
    "regular_file",
    "regular_files",
]

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
"""A FIFO opened without ``O_NONBLOCK`` blocks until a writer appears; the path given
to :func:`os.open` is already resolved, so ``O_NOFOLLOW`` only refuses a link put there
since."""

ErrorFactory = Callable[[str, str, str], RunicornAPIError]
"""``(message, path, root)`` → the error to raise."""


def _unsafe(message: str, path: str, root: str) -> RunicornAPIError:
    return UnsafePathError(message, path=path, root=root)


def contained(
    root: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    what: str,
    error: ErrorFactory = _unsafe,
) -> Path:
    """``path`` (absolute, or relative to ``root``) fully resolved, links included;
    refused unless it is ``root`` itself or lies inside it (``root`` resolved too).

    Raises:
        UnsafePathError: (or what ``error`` makes) naming ``what``, the path and the folder.
    """
    base = Path(os.path.realpath(root))
    raw = os.fspath(path)
    if "\x00" in raw:
        raise error(f"{what}: the path {raw!r} holds a NUL byte; refused", raw, str(base))
    resolved = Path(os.path.realpath(base / raw))  # an absolute ``raw`` replaces ``base``
    if resolved != base and base not in resolved.parents:
        raise error(
            f"{what}: the path {raw!r} leads to {resolved}, outside {base}; refused, and "
            "nothing was read or written",
            raw,
            str(base),
        )
    return resolved


def file_kind(mode: int) -> str:
    """What a ``stat`` mode names, in words (for refusals and copy reports)."""
    for test, name in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "a special file"


def _plain_regular(
    root: str | os.PathLike[str], path: str | os.PathLike[str]
) -> tuple[str, os.stat_result] | None:
    """A plain name in the folder that is a regular file there (not a link): it is
    inside the folder, whatever links lead to the folder itself, so no path needs
    resolving. The hot path (meta.json and events.jsonl of every run read); ``None``
    for anything else, which the caller resolves and checks in full.

    Raises:
        FileNotFoundError: It does not exist.
    """
    raw = os.fspath(path)
    if raw in ("", ".", "..") or "/" in raw or "\x00" in raw:
        return None
    candidate = os.path.join(root, raw)
    info = os.lstat(candidate)
    return (candidate, info) if stat.S_ISREG(info.st_mode) else None


def regular_file(
    root: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    what: str,
    error: ErrorFactory = _unsafe,
) -> tuple[Path, os.stat_result]:
    """``path`` resolved inside ``root`` and its ``stat``, if it is a regular file.

    Raises:
        FileNotFoundError: It does not exist (callers treat a missing file as absent).
        UnsafePathError: It leaves ``root``, or is not a regular file.
    """
    plain = _plain_regular(root, path)
    if plain is not None:
        return Path(plain[0]), plain[1]
    real = contained(root, path, what=what, error=error)
    info = os.stat(real)
    if not stat.S_ISREG(info.st_mode):
        raise error(
            f"{what}: {os.fspath(path)!r} is {file_kind(info.st_mode)}, not a regular "
            "file; refused without opening it",
            os.fspath(path),
            os.path.realpath(root),
        )
    return real, info


def open_regular(
    root: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    what: str,
    error: ErrorFactory = _unsafe,
    buffered: bool = True,
) -> BinaryIO:
    """``path`` opened for binary reading, if it is a regular file inside ``root``;
    unbuffered with ``buffered=False`` (cheaper to open, for a reader that asks for
    whole blocks, as the hot paths that read every run's folder do).

    Never blocks: a FIFO (or anything else that is not a regular file) is refused from
    its ``stat``, and the descriptor is checked again after the non-blocking open.

    Raises:
        FileNotFoundError: It does not exist.
        UnsafePathError: It leaves ``root``, or is not a regular file.
    """
    plain = _plain_regular(root, path)
    real = plain[0] if plain is not None else regular_file(root, path, what=what, error=error)[0]
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise error(
            f"{what}: {os.fspath(path)!r} could not be opened as a regular file ({err})",
            os.fspath(path),
            os.path.realpath(root),
        ) from err
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise error(
            f"{what}: {os.fspath(path)!r} became {file_kind(mode)} while it was opened; refused",
            os.fspath(path),
            os.path.realpath(root),
        )
    return open(fd, "rb") if buffered else open(fd, "rb", buffering=0)


def read_at(handle: BinaryIO, size: int, offset: int) -> bytes:
    """``size`` bytes of ``handle`` from ``offset``, fewer only at its end: one ``pread``
    each (no seek, and the handle's position is left alone), repeated where a read
    returns less than asked (a signal, a network or FUSE file system)."""
    pread = getattr(os, "pread", None)
    if pread is None:  # no pread on this system: seek, then read
        handle.seek(offset)
    fd = handle.fileno()
    data = b""
    while len(data) < size:
        want = size - len(data)
        more = handle.read(want) if pread is None else pread(fd, want, offset + len(data))
        if not more:
            break
        data += more
    return data


def open_if_file(
    root: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    what: str,
    buffered: bool = True,
) -> BinaryIO | None:
    """:func:`open_regular`, or ``None`` where the file is missing or a folder stands in
    its place (a run not written yet, or a half-written import): both read as empty.

    Raises:
        UnsafePathError: It leaves ``root``, or is a FIFO, socket, device or the like.
    """
    try:
        return open_regular(root, path, what=what, buffered=buffered)
    except FileNotFoundError:
        return None
    except UnsafePathError:
        if os.path.isdir(contained(root, path, what=what)):
            return None
        raise


def regular_files(folder: Path) -> tuple[list[tuple[str, Path]], dict[str, str]]:
    """Every regular file below ``folder`` as ``(relative POSIX path, path)``, sorted,
    and what was left out, as ``{relative path: why}``: links (never followed, to files
    or folders) and FIFOs, sockets and devices."""
    files: list[tuple[str, Path]] = []
    skipped: dict[str, str] = {}
    for top, dirs, names in os.walk(folder, followlinks=False):
        here = Path(top)
        for name in [*dirs, *names]:
            path = here / name
            rel = path.relative_to(folder).as_posix()
            mode = os.lstat(path).st_mode
            if stat.S_ISDIR(mode):
                continue
            if stat.S_ISREG(mode):
                files.append((rel, path))
            else:
                target = f" to {os.readlink(path)}" if stat.S_ISLNK(mode) else ""
                skipped[rel] = f"{file_kind(mode)}{target}, not followed or read"
    files.sort()
    return files, skipped
