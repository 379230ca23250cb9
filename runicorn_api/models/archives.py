"""Models of moving runs in and out of a viewer as archives, and of deleting them for
good: an import's preview and result, a permanent deletion's report, and the asset
references that decide what a deletion frees."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .._types import JSON
from ._base import RunicornModel
from ._keys import (
    ArchiveRunKeys,
    AssetRefKeys,
    AssetRefsKeys,
    ImportPreviewKeys,
    ImportResultKeys,
    PermanentDeletionKeys,
    RunDeletionKeys,
)

__all__ = [
    "ArchiveRun",
    "AssetRef",
    "AssetRefs",
    "ImportPreview",
    "ImportResult",
    "PermanentDeletion",
    "RunDeletion",
]


class ArchiveRun(ArchiveRunKeys, RunicornModel):
    """One run in an archive, as the viewer's preview sees it."""

    run_id: str
    path: str | None = None
    files_count: int = 0
    conflict: bool = False
    """Whether the viewer already has a run with this id (it is skipped on import)."""


class ImportPreview(ImportPreviewKeys, RunicornModel):
    """``POST /api/import/preview``: what an archive holds, and which of its runs the
    viewer already has."""

    filename: str = ""
    runs: list[ArchiveRun] = Field(default_factory=list)
    total_runs: int = 0
    total_files: int = 0
    conflict_count: int = 0
    conflict_run_ids: list[str] = Field(default_factory=list)
    token: str | None = Field(default=None, repr=False)
    """The viewer's one-time token for importing the uploaded file without sending it again."""

    @property
    def conflicts(self) -> list[ArchiveRun]:
        """The runs the viewer already has, as models."""
        return [r for r in self.runs if r.conflict]

    _mapping_properties: ClassVar[tuple[str, ...]] = ("conflicts",)


class ImportResult(ImportResultKeys, RunicornModel):
    """``POST /api/import/archive``: what the import added (or, with ``dry_run``, would add)."""

    ok: bool = True
    dry_run: bool = False
    mode: str = "merge"
    imported_files: int = 0
    new_run_ids: list[str] = Field(default_factory=list)
    new_run_dirs: list[str] = Field(default_factory=list)
    skipped_run_ids: list[str] = Field(default_factory=list)
    """Runs the viewer already had: not touched."""
    skipped_count: int = 0
    isolate_base: str | None = None
    """With ``mode="isolate"``, the path under which the runs were placed."""
    preview: ImportPreview | None = None
    """The preview the import was checked against (0.7.x)."""


class RunDeletion(RunDeletionKeys, RunicornModel):
    """What deleting one run for good removed (or, in a dry run, would remove)."""

    success: bool
    run_id: str
    run_dir_deleted: bool = False
    orphaned_assets: list[dict[str, JSON]] = Field(default_factory=list)
    """Assets only this run used: their stored files go with it."""
    kept_assets: list[dict[str, JSON]] = Field(default_factory=list)
    """Assets other runs still use: kept."""
    blobs_deleted: int = 0
    manifests_deleted: int = 0
    outputs_deleted: int = 0
    bytes_freed: int = 0
    errors: list[str] = Field(default_factory=list)
    partial_failures: list[str] = Field(default_factory=list)


class PermanentDeletion(PermanentDeletionKeys, RunicornModel):
    """``POST /api/runs/permanent-delete``: runs removed from disk with the assets only
    they used. With ``dry_run`` nothing was removed; the figures say what would be."""

    dry_run: bool
    deleted_count: int = 0
    total_runs: int = 0
    total_blobs_deleted: int = 0
    total_bytes_freed: int = 0
    results: dict[str, RunDeletion] = Field(default_factory=dict)

    @property
    def failed(self) -> dict[str, str]:
        """``{run_id: error}`` of the runs not (or not wholly) deleted."""
        return {
            k: "; ".join(v.errors) or "failed" for k, v in self.results.items() if not v.success
        }

    _mapping_properties: ClassVar[tuple[str, ...]] = ("failed",)


class AssetRef(AssetRefKeys, RunicornModel):
    """An asset record of a run, with how many runs reference that record.

    A 0.7.x viewer records each run's assets separately, so two runs that log the same
    files have two records with one ``fingerprint``; a permanent delete keeps the stored
    blobs of a fingerprint another run still uses."""

    asset_id: str | int
    asset_type: str | None = None
    name: str | None = None
    fingerprint: str | None = None
    role: str | None = None
    ref_count: int


class AssetRefs(AssetRefsKeys, RunicornModel):
    """``GET /api/runs/{run_id}/assets/refs``: a run's asset records, split into those
    only it references and those other runs reference too (kept by a delete)."""

    run_id: str
    orphaned_assets: list[AssetRef] = Field(default_factory=list)
    shared_assets: list[AssetRef] = Field(default_factory=list)
    orphaned_count: int = 0
    shared_count: int = 0
