"""Models of the viewer's own logs (``/api/diagnostics``, 0.7.x)."""

from __future__ import annotations

from pydantic import Field

from ._base import RunicornModel
from ._keys import DiagnosticsSourceKeys, DiagnosticsSourcesKeys

__all__ = ["DiagnosticsSource", "DiagnosticsSources"]


class DiagnosticsSource(DiagnosticsSourceKeys, RunicornModel):
    """One log the viewer offers (``viewer``, ``session``, ...)."""

    id: str
    kind: str
    path: str
    """The file on the viewer's machine."""
    available: bool
    """Whether the file exists yet."""


class DiagnosticsSources(DiagnosticsSourcesKeys, RunicornModel):
    """``GET /api/diagnostics/sources``: the viewer's own logs."""

    remote_mode: bool = Field(alias="remoteMode")
    app_session_id: str | None = Field(default=None, alias="appSessionId")
    default_source: str = Field(alias="defaultSource")
    sources: list[DiagnosticsSource] = Field(default_factory=list)

    def ids(self) -> list[str]:
        """The sources' ids, as ``client.diagnostics.logs(source)`` takes them."""
        return [s.id for s in self.sources]
