"""Images a run logged (``run.log_image``), listed by the viewer or read from the run."""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from pydantic import PrivateAttr

from ._base import LinkedModel
from ._keys import RunImageKeys

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

__all__ = ["ImageActions", "RunImage"]


class ImageActions(Protocol):
    """What a :class:`RunImage` listed through a client calls: ``client.images``."""

    def read_bytes(self, image: RunImage) -> bytes: ...
    def open(self, image: RunImage) -> PILImage | bytes: ...
    def download_one(self, image: RunImage, dest: str | Path) -> Path: ...


class RunImage(RunImageKeys, LinkedModel):
    """One image of a run: ``GET /api/runs/{run_id}/images`` (0.7.x), or the run's
    ``events.jsonl`` read directly (both generations, under ``direct_reads``).

    The list holds what the viewer lists: image events whose file exists, in the order
    they were logged.
    """

    run_id: str
    key: str
    """The name the image was logged under (``run.log_image(key, ...)``)."""
    step: int | None = None
    path: str
    """Where the file is in the viewer's storage (on the viewer's machine)."""
    size: int | None = None
    """Bytes: the file's size in the storage, or the ``Content-Length`` the viewer sends."""
    source: Literal["storage", "viewer"] = "viewer"
    """Where the list came from, and where the bytes are read: the run folder (proven to
    be the viewer's) or the viewer."""

    _mapping_properties: ClassVar[tuple[str, ...]] = ("name", "type")
    _link: ImageActions | None = PrivateAttr(default=None)

    @property
    def name(self) -> str:
        """The file's name (the SDK's ``<ms>_<hex>_<key>.<format>``)."""
        return PurePath(self.path.replace("\\", "/")).name

    @property
    def type(self) -> str:
        """The MIME type its name implies (``image/png``), else ``application/octet-stream``."""
        guessed, _ = mimetypes.guess_type(self.name)
        return guessed or "application/octet-stream"

    def _api(self) -> ImageActions:
        actions: ImageActions = self._linked("client.images")
        return actions

    def read_bytes(self) -> bytes:
        """The file's bytes, checked against its size and type.

        :calls: ``GET /api/runs/{run_id}/assets/download?path=...`` unless the run folder
            is read directly
        """
        return self._api().read_bytes(self)

    def open(self) -> PILImage | bytes:
        """A ``PIL.Image.Image`` when Pillow is installed (the ``images`` extra), else the
        bytes. :calls: what :meth:`read_bytes` calls"""
        return self._api().open(self)

    def download(self, dest: str | Path) -> Path:
        """Save the file as ``dest/<name>``, verified; returns its path.

        :calls: what :meth:`read_bytes` calls
        """
        return self._api().download_one(self, dest)
