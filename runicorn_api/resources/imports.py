"""``client.imports``: archives of runs (zip or tar.gz) uploaded into the viewer's
storage, previewed first on 0.7.x."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, TypeVar

from .._exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    ServerError,
    UnsupportedFeatureError,
)
from .._types import NOT_GIVEN, Timeout
from .._validation import check_bool
from ..models._base import RunicornModel
from ..models.archives import ImportPreview, ImportResult
from ._base import Resource

__all__ = ["ImportsResource"]

Mode = Literal["merge", "isolate"]
_SLOW = 600.0
"""Default seconds for an upload and its extraction (the viewer answers when done)."""


M = TypeVar("M", bound=RunicornModel)


class ImportsResource(Resource):
    """``client.imports``: runs brought into the viewer from an archive."""

    def preview(
        self, archive: str | os.PathLike[str], *, timeout: Timeout = NOT_GIVEN
    ) -> ImportPreview:
        """What ``archive`` holds and which of its runs the viewer already has (0.7.x).

        :calls: ``POST /api/import/preview`` (multipart upload)
        """
        file = _archive(archive)
        self._core.require_route("POST", "/api/import/preview")
        return self._upload("/api/import/preview", ImportPreview, file, {}, timeout)

    def archive(
        self,
        archive: str | os.PathLike[str],
        *,
        mode: Mode = "merge",
        dry_run: bool = False,
        timeout: Timeout = NOT_GIVEN,
    ) -> ImportResult:
        """Import the runs of ``archive`` (a zip or tar.gz in the layout of
        :meth:`ExperimentsResource.export_archive`, or a 0.5.x storage's
        ``<project>/<name>/runs/<id>``).

        :calls: ``POST /api/import/preview``, then ``POST /api/import/archive`` with the
            preview's token (0.7.x: the file is uploaded once); ``POST /api/import/archive``
            (0.5.x, ``mode="merge"`` only)

        ``mode="merge"`` places runs at their own paths; ``"isolate"`` under
        ``imports/<timestamp>/``. Runs the viewer already has are skipped, never
        overwritten; ``skipped_run_ids`` names them. With ``dry_run`` the archive is
        previewed and nothing is imported: the result says what would be new and what
        would be skipped.

        Raises:
            InvalidArgumentError: Before any request, for a missing file or another mode.
            UnsupportedFeatureError: Before any request, ``dry_run`` or ``"isolate"`` on
                0.5.x; or a 0.5.x viewer installed without python-multipart (it cannot
                take uploads).
        """
        if mode not in ("merge", "isolate"):
            raise InvalidArgumentError(f"mode must be 'merge' or 'isolate', got {mode!r}")
        check_bool("dry_run", dry_run)
        file = _archive(archive)
        merge_only = not self._core.serves("POST", "/api/import/preview")  # 0.5.x
        if merge_only and (dry_run or mode != "merge"):
            what = "dry_run=True" if dry_run else f"mode={mode!r}"
            raise UnsupportedFeatureError(
                f"{self._core.server} imports archives by merging only, with no preview: "
                f"{what} needs a 0.7.x viewer. No request was sent."
            )
        self._core.require_route("POST", "/api/import/archive")
        if merge_only:  # one upload, merged
            return self._upload("/api/import/archive", ImportResult, file, {}, timeout)
        preview = self.preview(file, timeout=timeout)
        if dry_run:
            return ImportResult(
                dry_run=True,
                mode=mode,
                new_run_ids=sorted(r.run_id for r in preview.runs if not r.conflict),
                skipped_run_ids=list(preview.conflict_run_ids),
                skipped_count=preview.conflict_count,
                preview=preview,
            )
        form = {"mode": mode, "preview_token": preview.token or ""}
        result = self._post("/api/import/archive", ImportResult, form=form, timeout=_wait(timeout))
        result.preview = preview
        return result

    def _upload(
        self, path: str, model: type[M], file: Path, form: dict[str, str], timeout: Timeout
    ) -> M:
        """``file`` posted as the multipart field ``file``, the answer validated into
        ``model``."""
        try:
            with open(file, "rb") as handle:
                return self._post(
                    path,
                    model,
                    files={"file": (file.name, handle, "application/octet-stream")},
                    form=form or None,
                    timeout=_wait(timeout),
                )
        except ServerError as err:
            if err.status_code == 503 and "multipart" in str(err.body):
                raise UnsupportedFeatureError(
                    f"{self._core.server} cannot take uploads: python-multipart is not "
                    "installed beside the viewer (pip install python-multipart there, then "
                    "restart it)."
                ) from err
            raise


def _archive(archive: object) -> Path:
    if not isinstance(archive, str | os.PathLike):
        raise InvalidArgumentTypeError(f"archive must be a file path, got {archive!r}")
    path = Path(archive)
    if not path.is_file():
        raise InvalidArgumentError(f"archive {str(path)!r} is not a file")
    return path


def _wait(timeout: Timeout) -> Timeout:
    return _SLOW if timeout is NOT_GIVEN else timeout
