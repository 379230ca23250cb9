"""Models of runs copied from one viewer to another (:func:`runicorn_api.utils.copy_runs`):
what happened to each run, and the report of the whole copy."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .._exceptions import RunicornAPIError
from ._base import RunicornModel
from ._keys import CopyReportKeys, RunCopyKeys

__all__ = ["CopyReport", "RunCopy"]

Outcome = Literal["copied", "skipped", "failed"]


class RunCopy(RunCopyKeys, RunicornModel):
    """One run of a copy.

    ``outcome`` is ``"copied"`` (imported, and equal on the target), ``"skipped"``
    (already on the target with the same content) or ``"failed"`` (``reason`` says why;
    ``differences`` lists what differs between the two viewers, if they were compared).
    """

    run_id: str
    path: str | None = None
    """The run's path on the source."""
    target_path: str | None = None
    """Its path on the target (``imports/<timestamp>/<path>`` with ``mode="isolate"``)."""
    outcome: Outcome
    reason: str | None = None
    differences: list[str] = Field(default_factory=list)
    not_carried: list[str] = Field(default_factory=list)
    """What of the run the copy could not carry (the source serves it nowhere the copy
    can read, or the target keeps no such thing); the rest is compared."""
    source: Literal["export", "folder", "api", "target"] | None = None
    """Where the archive came from: the source viewer's own export, the run folder
    (direct reads), rebuilt from the source's API, or nothing (already on the target)."""


class CopyReport(CopyReportKeys, RunicornModel):
    """What :func:`~runicorn_api.utils.copy_runs` did, run by run."""

    source: str
    target: str
    mode: Literal["merge", "isolate"] = "merge"
    runs: list[RunCopy] = Field(default_factory=list)

    _mapping_properties: ClassVar[tuple[str, ...]] = ("copied", "skipped", "failed", "ok")

    def _of(self, outcome: Outcome) -> list[RunCopy]:
        return [r for r in self.runs if r.outcome == outcome]

    @property
    def copied(self) -> list[RunCopy]:
        """The runs imported into the target and found equal there."""
        return self._of("copied")

    @property
    def skipped(self) -> list[RunCopy]:
        """The runs the target already had, with the same content."""
        return self._of("skipped")

    @property
    def failed(self) -> list[RunCopy]:
        """The runs not copied, each with its ``reason``; none is left half-imported."""
        return self._of("failed")

    @property
    def ok(self) -> bool:
        """Whether no run failed."""
        return not self.failed

    def raise_for_failures(self) -> None:
        """Raise :class:`RunicornAPIError` naming the failed runs, if any did."""
        if self.failed:
            named = "; ".join(f"{r.run_id}: {r.reason}" for r in self.failed[:10])
            more = f" (and {len(self.failed) - 10} more)" if len(self.failed) > 10 else ""
            raise RunicornAPIError(
                f"{len(self.failed)} of {len(self.runs)} runs were not copied from "
                f"{self.source} to {self.target}: {named}{more}",
                body=self.to_dict(),
            )

    def __str__(self) -> str:
        return (
            f"{len(self.copied)} copied, {len(self.skipped)} skipped, "
            f"{len(self.failed)} failed ({self.source} → {self.target}, mode={self.mode})"
        )
