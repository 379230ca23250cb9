"""``client.experiments``' whole-run operations: exporting runs as the viewer's zip,
deleting them for good (with a dry run first), and the asset references that decide what
a permanent delete frees."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from ..._common.progress import ProgressOption, check_progress
from ..._exceptions import InvalidArgumentError, RunicornAPIError
from ..._types import NOT_GIVEN, Timeout
from ..._validation import check_bool, check_run_id, id_list
from ...models.archives import AssetRefs, PermanentDeletion
from .._base import Resource

__all__ = ["PERMANENT_BATCH", "ArchiveMixin"]

PERMANENT_BATCH = 50
"""The viewer's largest ``run_ids`` list for a permanent delete."""


class ArchiveMixin(Resource):
    def export_archive(
        self,
        run_ids: str | Iterable[str],
        dest: str | os.PathLike[str],
        *,
        progress: ProgressOption = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> Path:
        """The runs' folders as the viewer's zip (``runs/<path>/<id>/...``, the layout
        :meth:`~runicorn_api.RunicornClient.import_archive` takes), written to ``dest``
        (a file, or a folder to hold ``runicorn_export.zip``); returns the file's path.

        :calls: ``POST /api/runs/export {"run_ids"}`` (0.7.x)

        The zip is written beside ``dest`` first and moved into place when whole. The
        archive holds each run's own files; assets stored once for several runs (the
        storage's ``archive/`` blobs) are not in it.

        Raises:
            NotFoundError: One of the runs does not exist (nothing is written).
        """
        ids = id_list(run_ids)
        check_progress(progress)
        self._core.require_route("POST", "/api/runs/export")
        return self._save_file(
            "/api/runs/export",
            dest,
            "runicorn_export.zip",
            progress=progress,
            desc=f"export {len(ids)} runs",
            method="POST",
            json_body={"run_ids": ids},
            timeout=timeout,
        )

    def export_zip(self, run_id: str) -> bytes:
        """The viewer's zip of one run folder, media included, as bytes.

        :calls: ``POST /api/runs/export`` (0.7.x)
        """
        check_run_id(run_id)
        self._core.require_route("POST", "/api/runs/export")
        return self._core.raw(
            "POST", "/api/runs/export", json_body={"run_ids": [run_id]}, expect="bytes"
        )

    def asset_refs(self, run_id: str, *, timeout: Timeout = NOT_GIVEN) -> AssetRefs:
        """The run's assets, split into those only it uses (a permanent delete frees
        their stored files) and those other runs share (kept).

        :calls: ``GET /api/runs/{run_id}/assets/refs`` (0.7.x)
        """
        check_run_id(run_id)
        self._core.require_route("GET", "/api/runs/{run_id}/assets/refs")
        path = f"/api/runs/{quote(run_id)}/assets/refs"
        return self._get(path, AssetRefs, timeout=timeout)

    def _delete_permanently(
        self, run_ids: str | Iterable[str], *, dry_run: bool, confirm: bool
    ) -> PermanentDeletion:
        """:calls: ``POST /api/runs/permanent-delete {"run_ids", "dry_run"}`` in batches of 50"""
        check_bool("dry_run", dry_run)
        check_bool("confirm", confirm)
        ids = id_list(run_ids)
        if not dry_run and not confirm:
            raise InvalidArgumentError(
                f"A permanent delete removes {len(ids)} run(s) and the assets only they use "
                "from disk, with no recycle bin. Look first with dry_run=True, then pass "
                "confirm=True. No request was sent."
            )
        for run_id in ids:
            check_run_id(run_id)
        self._core.require_route("POST", "/api/runs/permanent-delete")
        merged = PermanentDeletion(dry_run=dry_run, total_runs=len(ids))
        for start in range(0, len(ids), PERMANENT_BATCH):
            batch = ids[start : start + PERMANENT_BATCH]
            part = self._post(
                "/api/runs/permanent-delete",
                PermanentDeletion,
                json_body={"run_ids": batch, "dry_run": dry_run},
            )
            merged.results.update(part.results)
            merged.deleted_count += part.deleted_count
            merged.total_blobs_deleted += part.total_blobs_deleted
            merged.total_bytes_freed += part.total_bytes_freed
        if merged.failed:
            verb = "check" if dry_run else "delete"
            listing = "; ".join(f"{k}: {v}" for k, v in merged.failed.items())
            raise RunicornAPIError(
                f"Could not {verb} {len(merged.failed)} of {len(ids)} runs for a permanent "
                f"delete: {listing}",
                body=merged,
            )
        return merged
