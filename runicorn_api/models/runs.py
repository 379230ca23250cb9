"""Runs as other endpoints describe them: the recycle bin, and the per-run outcome of
batch writes."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from .._exceptions import RunicornAPIError
from .._types import JSON
from ._base import RunicornModel, epoch_to_datetime
from ._keys import BatchResultKeys, DeletedRunKeys

__all__ = ["BatchResult", "DeletedRun"]


class DeletedRun(DeletedRunKeys, RunicornModel):
    """A run in the recycle bin (``GET /api/recycle-bin``)."""

    id: str
    project: str | None = None
    name: str | None = None
    path: str | None = None
    alias: str | None = None
    created_time: float | None = None
    deleted_at: float | None = None
    delete_reason: str | None = None
    original_status: str | None = None
    run_dir: str | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("deleted_datetime",)

    @property
    def deleted_datetime(self) -> datetime | None:
        return epoch_to_datetime(self.deleted_at)


class BatchResult(BatchResultKeys, RunicornModel):
    """The per-run outcome of a batch write (delete, restore, move)."""

    results: dict[str, dict[str, JSON]] = Field(default_factory=dict)
    """``{run_id: {"success": bool, "error"?: str, ...}}``."""
    message: str | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("succeeded", "failed")

    @property
    def succeeded(self) -> list[str]:
        return [k for k, v in self.results.items() if v.get("success")]

    @property
    def failed(self) -> dict[str, str]:
        """``{run_id: error}`` of the runs the viewer did not change."""
        return {
            k: str(v.get("error") or "failed")
            for k, v in self.results.items()
            if not v.get("success")
        }

    def raise_for_failures(self, verb: str) -> None:
        """Raise :class:`RunicornAPIError` naming every run that failed, if any did."""
        if self.failed:
            listing = "; ".join(f"{k}: {v}" for k, v in self.failed.items())
            raise RunicornAPIError(
                f"Could not {verb} {len(self.failed)} of {len(self.results)} runs: {listing}",
                body=self.results,
            )
