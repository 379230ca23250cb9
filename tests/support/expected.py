"""What the fixture logged, as the artifacts tests and the CLI tests expect it."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.viewers import ViewerEnv


@dataclass
class Expected:
    name: str
    type: str
    version: int
    files: dict[str, str] | None
    """None for a code snapshot: a zip whose bytes depend on file times."""
    created_by: str
    logged_by: list[str] = field(default_factory=list)

    @property
    def size(self) -> int | None:
        return None if self.files is None else sum(len(t.encode()) for t in self.files.values())


def expected_versions(viewer: ViewerEnv) -> dict[str, list[Expected]]:
    """``{name: [versions, oldest first]}`` from what the fixture logged."""
    out: dict[str, list[Expected]] = {}
    for run in sorted(viewer.manifest.runs, key=lambda r: r.created_time):
        for art in run.artifacts:
            versions = out.setdefault(art["name"], [])
            if viewer.generation == "0.5":
                versions.append(Expected(art["name"], art["type"], art["version"],
                                         art["files"], run.run_id, [run.run_id]))  # fmt: skip
                continue
            same = next((v for v in versions if v.files == art["files"]), None)
            if same is not None:
                same.logged_by.append(run.run_id)
            else:
                versions.append(Expected(art["name"], art["type"], len(versions) + 1,
                                         art["files"], run.run_id, [run.run_id]))  # fmt: skip
    for versions in out.values():
        versions.sort(key=lambda v: v.version)
    return out


@dataclass
class Reference:
    """A 0.7.x pretrained model or dataset logged by path or URI (``RunRecord.refs``)."""

    name: str
    type: str
    created_by: str
    used_by: list[str]
    files: dict[str, str]
    saved: bool

    @property
    def size(self) -> int | None:
        return sum(len(t.encode()) for t in self.files.values()) if self.files else None
