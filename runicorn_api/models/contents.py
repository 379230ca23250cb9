"""What a run has besides metrics (environment, progress), and the viewer's machine and
storage (system monitor, storage statistics, the path tree)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field, model_validator

from .._types import JSON
from ._base import RunicornModel
from ._keys import EnvironmentDiffKeys, EnvironmentKeys, ProgressKeys, RunLogKeys

__all__ = ["Environment", "EnvironmentDiff", "Progress", "RunLog"]

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==|===|\s@\s)\s*(.+?)\s*$")


def _packages(lines: Any) -> dict[str, str]:
    """``pip freeze`` lines → ``{normalized name: version or source}``."""
    found: dict[str, str] = {}
    for line in lines if isinstance(lines, list) else []:
        match = _REQUIREMENT.match(str(line))
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
        elif str(line).strip() and not str(line).startswith("#"):
            found[str(line).strip()] = ""  # an editable or otherwise unpinned entry
    return found


class Environment(EnvironmentKeys, RunicornModel):
    """``GET /api/environment/{run_id}``: what the run's SDK captured at start.

    A run started without environment capture has ``captured == False`` and empty fields;
    that is a state, not an error.
    """

    captured: bool = Field(default=False, alias="available")
    python_version: str | None = None
    """The full ``sys.version`` of the run's interpreter."""
    platform: str | None = None
    platform_details: dict[str, JSON] = Field(default_factory=dict)
    pip_packages: list[str] = Field(default_factory=list)
    """``pip freeze`` as captured."""
    conda_packages: list[str] | None = None
    conda_env: str | None = None
    git: dict[str, JSON] | None = Field(default=None, alias="git_info")
    env_variables: dict[str, JSON] = Field(default_factory=dict)
    gpu_info: list[dict[str, JSON]] | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("packages", "git_commit", "git_dirty")

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("environment"), dict):
            return {**data["environment"], "available": data.get("available", True)}
        return data

    @property
    def packages(self) -> dict[str, str]:
        """Installed packages, ``{name: version}``, names normalized as pip does."""
        return _packages(self.pip_packages)

    @property
    def git_commit(self) -> str | None:
        git = self.git or {}
        value = git.get("commit") or git.get("commit_hash") or git.get("sha")
        return str(value) if value else None

    @property
    def git_dirty(self) -> bool | None:
        git = self.git or {}
        for key in ("is_dirty", "dirty", "has_changes"):
            if key in git:
                return bool(git[key])
        return None


class EnvironmentDiff(EnvironmentDiffKeys, RunicornModel):
    """What differs between two runs' environments (:func:`utils.compare_environments`)."""

    run_a: str
    run_b: str
    captured: tuple[bool, bool]
    """Whether each run captured its environment at all."""
    packages_added: dict[str, str] = Field(default_factory=dict)
    """In ``run_b`` only: name → version."""
    packages_removed: dict[str, str] = Field(default_factory=dict)
    """In ``run_a`` only: name → version."""
    packages_changed: dict[str, tuple[str, str]] = Field(default_factory=dict)
    """name → (version in ``run_a``, version in ``run_b``)."""
    python: tuple[str | None, str | None]
    git_commit: tuple[str | None, str | None]
    git_dirty: tuple[bool | None, bool | None]

    _mapping_properties: ClassVar[tuple[str, ...]] = ("differs",)

    @property
    def differs(self) -> bool:
        """Whether anything above differs."""
        pairs = (self.python, self.git_commit, self.git_dirty, self.captured)
        changed = self.packages_added or self.packages_removed or self.packages_changed
        return bool(changed) or any(a != b for a, b in pairs)

    @classmethod
    def between(cls, run_a: str, a: Environment, run_b: str, b: Environment) -> EnvironmentDiff:
        pa, pb = a.packages, b.packages
        return cls(
            run_a=run_a,
            run_b=run_b,
            captured=(a.captured, b.captured),
            packages_added={k: v for k, v in pb.items() if k not in pa},
            packages_removed={k: v for k, v in pa.items() if k not in pb},
            packages_changed={k: (pa[k], pb[k]) for k in pa.keys() & pb.keys() if pa[k] != pb[k]},
            python=(a.python_version, b.python_version),
            git_commit=(a.git_commit, b.git_commit),
            git_dirty=(a.git_dirty, b.git_dirty),
        )


class RunLog(RunLogKeys, RunicornModel):
    """A run's console log (``logs.txt``), as lines without their line ends.

    Read from the run folder (``source == "storage"``) it is the whole file. Streamed by
    the viewer (``"viewer"``) it lacks blank lines, which the viewer does not send, and
    holds at most the last 10,000 lines: then ``truncated`` is True.
    """

    run_id: str
    lines: list[str] = Field(default_factory=list)
    source: str = "viewer"
    truncated: bool = False

    _mapping_properties: ClassVar[tuple[str, ...]] = ("text",)

    @property
    def text(self) -> str:
        """The lines joined, each ending in a newline."""
        return "".join(line + "\n" for line in self.lines)

    def __len__(self) -> int:
        return len(self.lines)


class Progress(ProgressKeys, RunicornModel):
    """``GET /api/runs/{id}/progress``. Both generations' viewers answer
    ``{"available": false, "status": "unknown"}`` for every run (they keep no progress);
    the model passes on whatever a viewer reports."""

    available: bool = False
    status: str | None = None
