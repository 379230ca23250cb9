""":class:`ArtifactCollection` and the ``name:version`` spec of an artifact id."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from ..._common.collection import Collection
from ..._exceptions import InvalidArgumentError, NotFoundError
from ..._frames.frame import Frame, Logical
from ...models.artifact import Artifact, ArtifactVersion

__all__ = ["ARTIFACT_COLUMNS", "ArtifactCollection", "parse_spec", "pick_version"]

V = TypeVar("V", bound=ArtifactVersion)
_SPEC = re.compile(r"^(?P<name>[^:/\\\s][^:/\\]*)(?::(?P<ref>[^:/\\\s]+))?$")
"""``name[:ref]``: no separators, and neither part blank or starting with a space."""

ARTIFACT_COLUMNS: dict[str, Logical] = {
    "id": "str",
    "name": "str",
    "version": "int",
    "type": "str",
    "created_at": "time",
    "size_bytes": "int",
    "num_files": "int",
    "status": "str",
    "created_by_run": "str",
    "aliases": "list",
    "description": "str",
}


def parse_spec(spec: str) -> tuple[str, int | str | None]:
    """``"name:v3"``/``"name:3"`` → ``("name", 3)``; ``"name:latest"`` → ``("name", "latest")``;
    ``"name"`` → ``("name", None)`` (the latest)."""
    match = _SPEC.match(spec) if isinstance(spec, str) else None
    if match is None:
        raise InvalidArgumentError(
            f"Not an artifact id: {spec!r}; use 'name', 'name:vN' or 'name:alias'"
        )
    ref = match["ref"]
    if ref is None:
        return match["name"], None
    number = ref[1:] if ref[:1] == "v" and ref[1:].isdigit() else ref
    return match["name"], int(number) if number.isdigit() else ref


def pick_version(name: str, ref: int | str | None, versions: list[V]) -> V:
    """The version ``ref`` names (a number, an alias, or ``None`` for the newest)."""
    for v in versions:
        if ref is None or v.version == ref or (isinstance(ref, str) and ref in v.aliases):
            return v
    known = ", ".join(f"v{v.version}" for v in versions)
    raise NotFoundError(f"Version not found: {name}:{ref} (it has {known})", status_code=404)


class ArtifactCollection(Collection[Artifact]):
    """A lazy collection of artifacts (latest version of each name)."""

    _noun = "artifact"

    def __init__(
        self,
        latest: Callable[[str | None], list[Artifact]],
        *,
        type: str | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__()
        self._latest, self._type, self._name = latest, type, name

    def _produce(self) -> Iterator[Artifact]:
        for item in self._latest(self._type):
            if self._name is None or item.name == self._name:
                yield item

    def _clone(self) -> ArtifactCollection:
        return ArtifactCollection(self._latest, type=self._type, name=self._name)

    def filter(self, *, type: str | None = None, name: str | None = None) -> ArtifactCollection:
        """Keep artifacts of this type and/or name."""
        self._check_unsliced()
        return ArtifactCollection(self._latest, type=type or self._type, name=name or self._name)

    def ids(self) -> list[str]:
        return [a.id for a in self]

    def _frame(self, items: list[Artifact], columns: Sequence[str] | None) -> Frame:
        data = {c: [getattr(a, c) for a in items] for c in ARTIFACT_COLUMNS}
        return Frame(data, ARTIFACT_COLUMNS).select(columns)

    def _describe(self) -> str:
        parts = [f"{k}={v!r}" for k, v in (("type", self._type), ("name", self._name)) if v]
        return " ".join(parts)
