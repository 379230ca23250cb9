"""A run's images: listed, read, opened and downloaded, verified."""

from __future__ import annotations

import builtins
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._common.contain import open_regular
from .._common.deps import require
from .._common.downloads import PROGRESS_THRESHOLD, commit, inside, staging, updater
from .._common.progress import ProgressOption, check_progress, open_bar
from .._core import ClientCore
from .._exceptions import (
    DownloadError,
    InvalidArgumentError,
    MissingDependencyError,
    ResponseValidationError,
)
from .._storage.run_folder import image_events
from .._types import NOT_GIVEN, Timeout
from .._validation import check_run_id
from ..models.media import RunImage
from ._base import Resource
from ._runs import RunLookup

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

__all__ = ["ImagesResource"]

# What the first bytes of each image format are, for a check that a file is what its
# name says (types not listed are not checked).
_SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/gif": lambda head: head.startswith((b"GIF87a", b"GIF89a")),
    "image/bmp": lambda head: head.startswith(b"BM"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}


class ImagesResource(Resource):
    """``GET /api/runs/{id}/images`` and the media files under the run (0.7.x), or the
    run folder itself where this client may read it (``direct_reads``, both generations).
    """

    def __init__(self, core: ClientCore, runs: RunLookup) -> None:
        super().__init__(core)
        self._runs = runs
        self._folders: dict[str, Path] = {}
        """The proven folder of each run whose images were listed from it."""

    def list(
        self, run_id: str, *, key: str | None = None, timeout: Timeout = NOT_GIVEN
    ) -> list[RunImage]:
        """The run's images in the order they were logged (``key``: only those logged
        under that name).

        :calls: ``GET /api/runs/{run_id}`` and its listing (to find the run folder), then
            reads ``events.jsonl`` where the folder is proven to be the viewer's; else
            ``GET /api/runs/{run_id}/images`` and, for each image's size, the headers of
            ``GET /api/runs/{run_id}/assets/download?path=...``

        Raises:
            UnsupportedFeatureError: A 0.5.x viewer (it serves no images) whose run folder
                this client may not read; ``direct_reads="always"`` and the folder is not
                the viewer's.
        """
        check_run_id(run_id)
        if key is not None and (not isinstance(key, str) or not key):
            raise InvalidArgumentError(f"key must be a non-empty string, got {key!r}")
        folder = self._runs.folder(run_id, "its images", timeout)
        items: builtins.list[Any]
        if folder is not None:
            self._folders[run_id] = folder
            items = [{**item, "source": "storage"} for item in image_events(folder)]
        else:
            self._adapter.require("images")
            data = self._get(f"/api/runs/{quote(run_id)}/images", timeout=timeout)
            got = data.get("images") if isinstance(data, dict) else None
            if not isinstance(got, list):
                raise ResponseValidationError(
                    f"GET /api/runs/{run_id}/images: expected {{'images': [...]}}, "
                    f"got {data!r:.200}"
                )
            items = [
                {**i, "source": "viewer"} if isinstance(i, dict) else i
                for i in got
                if key is None or not isinstance(i, dict) or i.get("key") == key
            ]
            sizes = self._core.concurrently(lambda i: self._size(run_id, i), items)
            for item, size in zip(items, sizes, strict=True):
                if isinstance(item, dict):
                    item["size"] = size
        images = self._models(
            RunImage,
            [{**i, "run_id": run_id} if isinstance(i, dict) else i for i in items],
            context="GET /api/runs/{id}/images",
            link=self,
        )
        return [i for i in images if key is None or i.key == key]

    def read_bytes(self, image: RunImage, *, timeout: Timeout = NOT_GIVEN) -> bytes:
        """An image's bytes, checked against its listed size and its format's signature.

        :calls: ``GET /api/runs/{run_id}/assets/download?path=...``, unless the file is
            read from the storage (``direct_reads``)
        """
        sink = io.BytesIO()
        self._fetch(image, sink, timeout=timeout)
        data = sink.getvalue()
        _verify(image, data[:16], len(data))
        return data

    def open(self, image: RunImage, *, timeout: Timeout = NOT_GIVEN) -> PILImage | bytes:
        """A ``PIL.Image.Image`` when Pillow is installed, else the bytes.

        :calls: what :meth:`read_bytes` calls
        """
        data = self.read_bytes(image, timeout=timeout)
        try:
            image_module = require("PIL.Image")
        except MissingDependencyError:
            return data
        opened: PILImage = image_module.open(io.BytesIO(data))
        return opened

    def download(
        self,
        run_id: str,
        dest: str | Path,
        *,
        key: str | None = None,
        progress: ProgressOption = None,
    ) -> builtins.list[Path]:
        """Save the run's images (or those logged under ``key``) as ``dest/<name>``, each
        checked against its size and format, and return their paths.

        Files are staged inside ``dest`` and moved into place once all are verified; a
        failure leaves nothing behind, and nothing is written outside ``dest``.
        ``progress=True`` shows a tqdm bar (by default, for 64 MiB or more); a callable
        ``progress(total, unit, description)`` may return any bar (see ``_progress``).

        :calls: what :meth:`list` calls, then what :meth:`read_bytes` calls per image
        """
        check_progress(progress)
        return self._save(self.list(run_id, key=key), dest, progress)

    def download_one(self, image: RunImage, dest: str | Path) -> Path:
        """Save one image as ``dest/<name>``, verified. :calls: what :meth:`read_bytes` calls"""
        return self._save([image], dest, False)[0]

    # -- plumbing ------------------------------------------------------------------

    def _save(
        self, images: Sequence[RunImage], dest: str | Path, progress: ProgressOption
    ) -> builtins.list[Path]:
        root = Path(dest).resolve()
        bar = open_bar(
            progress,
            sum(i.size or 0 for i in images),
            unit="B",
            desc="images",
            auto_from=PROGRESS_THRESHOLD,
        )
        try:
            with staging(root) as stage:
                staged: dict[str, Path] = {}
                for image in images:
                    target = inside(stage, image.name)
                    with open(target, "wb") as sink:
                        self._fetch(image, sink, on_chunk=updater(bar))
                    with open(target, "rb") as head:
                        _verify(image, head.read(16), target.stat().st_size)
                    staged[image.name] = target
                return commit(staged, root)
        finally:
            if bar is not None:
                bar.close()

    def _fetch(
        self, image: RunImage, sink: Any, *, timeout: Timeout = NOT_GIVEN, on_chunk: Any = None
    ) -> None:
        if image.source == "storage":
            folder = self._folders.get(image.run_id) or self._runs.folder(
                image.run_id, "its images", timeout
            )
            if folder is not None:
                with open_regular(folder, image.path, what=f"the image {image.name}") as source:
                    copied = _copy(source, sink)
                if on_chunk is not None:
                    on_chunk(copied)
                return
        self._adapter.require("images")
        self._core.download(
            f"/api/runs/{quote(image.run_id)}/assets/download",
            sink,
            params={"path": image.path},
            timeout=timeout,
            on_chunk=on_chunk,
            max_bytes=image.size,
        )

    def _size(self, run_id: str, item: Any) -> int | None:
        """:calls: ``GET /api/runs/{run_id}/assets/download?path=...`` (headers only)"""
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            return None
        return self._core.content_length(
            f"/api/runs/{quote(run_id)}/assets/download", params={"path": item["path"]}
        )


def _copy(source: Any, sink: Any) -> int:
    """Copy a file object into ``sink``; the bytes copied."""
    copied = 0
    for block in iter(lambda: source.read(1 << 20), b""):
        sink.write(block)
        copied += len(block)
    return copied


def _verify(image: RunImage, head: bytes, size: int) -> None:
    if image.size is not None and size != image.size:
        raise DownloadError(f"{image.name}: got {size} bytes, the listing says {image.size}")
    looks_right = _SIGNATURES.get(image.type)
    if looks_right is not None and not looks_right(head):
        raise DownloadError(f"{image.name}: its bytes are not a {image.type} file")
