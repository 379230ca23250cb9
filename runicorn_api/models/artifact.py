"""Artifacts: versioned files a run created or used, one model set for both generations.

0.5.x viewers have artifacts (``/api/artifacts``). 0.7.x viewers record per-run assets
instead; the client maps them onto the same models (see ``docs/guides/artifacts.md``).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from .._types import JSON
from ._base import RunicornModel
from ._keys import ArtifactFileKeys, ArtifactKeys, FingerprintStatsKeys, RunArtifactsKeys

__all__ = ["Artifact", "ArtifactFile", "ArtifactVersion", "FingerprintStats", "RunArtifacts"]


class FingerprintStats(FingerprintStatsKeys, RunicornModel):
    """What the 0.7.x SDK records of a dataset it did not archive: no digest, but the
    folder's file count, total size and newest modification time."""

    mtime: float | None = None
    file_count: int | None = None
    total_size_bytes: int | None = None


class Artifact(ArtifactKeys, RunicornModel):
    """One version of a named artifact (``name:vN``)."""

    name: str
    version: int
    """The version number, from 1."""
    type: str
    """``model``, ``dataset``, ``config``, ``output``, ``code`` or a custom type."""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    size_bytes: int | None = None
    """``None`` where the viewer does not say and the file is not readable here."""
    metadata: dict[str, JSON] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    """Aliases pointing at this version (``latest`` for the newest)."""
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    status: str | None = None
    num_files: int | None = None
    created_by_run: str | None = None
    """The run that logged this version first."""
    used_by_runs: list[str] = Field(default_factory=list)
    """Runs that used (0.5.x) or logged again (0.7.x) this version."""
    num_versions: int | None = None
    """On ``list_artifacts`` items: how many versions the name has."""
    fingerprint: str | None = None
    """The content digest (0.5.x manifest digest, 0.7.x asset fingerprint)."""
    fingerprint_stats: FingerprintStats | None = None
    """0.7.x unsaved datasets: the fingerprint the SDK took instead of a digest."""
    lifecycle_stage: str | None = None
    """0.5.x models: ``experimental``, ``staging``, ``production`` or ``archived`` (see
    :meth:`ArtifactsResource.promote`); ``None`` where the viewer keeps no stage."""

    _mapping_properties: ClassVar[tuple[str, ...]] = ("id", "size_mb")

    @property
    def id(self) -> str:
        """``"name:vN"``."""
        return f"{self.name}:v{self.version}"

    @property
    def size_mb(self) -> float | None:
        """``size_bytes`` in MiB (the original client divides by 1024 twice)."""
        return None if self.size_bytes is None else self.size_bytes / 1024 / 1024

    def __repr__(self) -> str:
        return f"Artifact({self.id!r}, type={self.type!r}, size_bytes={self.size_bytes})"


class ArtifactVersion(Artifact):
    """An item of ``list_versions``: one version, newest first."""


class ArtifactFile(ArtifactFileKeys, RunicornModel):
    """A file of an artifact version."""

    path: str
    """The path inside the artifact."""
    size: int
    digest: str | None = None
    """``sha256:<hex>``."""
    modified_at: float | None = None
    absolute_path: str | None = None
    """Where the viewer stores it (readable here when the storage is local)."""
    is_remote: bool = False


class RunArtifacts(RunArtifactsKeys, RunicornModel):
    """The artifacts a run created and used."""

    run_id: str
    created: list[Artifact] = Field(default_factory=list)
    used: list[Artifact] = Field(default_factory=list)
