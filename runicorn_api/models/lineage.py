"""How artifact versions and runs connect: the lineage graph of a version."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .._types import JSON
from ._base import RunicornModel
from ._keys import LineageEdgeKeys, LineageKeys, LineageNodeKeys

__all__ = ["Lineage", "LineageEdge", "LineageNode"]


class LineageNode(LineageNodeKeys, RunicornModel):
    node_type: str
    """``artifact`` or ``run``."""
    node_id: str
    """``name:vN`` or ``run:<id>``."""
    label: str | None = None
    metadata: dict[str, JSON] = Field(default_factory=dict)


class LineageEdge(LineageEdgeKeys, RunicornModel):
    source: str
    target: str
    edge_type: str
    """``produces`` (run → artifact) or ``uses`` (artifact → run)."""
    created_at: float | None = None


class Lineage(LineageKeys, RunicornModel):
    """Which runs produced and used an artifact version."""

    root_artifact: str
    nodes: list[LineageNode] = Field(default_factory=list)
    edges: list[LineageEdge] = Field(default_factory=list)

    _mapping_properties: ClassVar[tuple[str, ...]] = ("producers", "consumers")

    @property
    def producers(self) -> list[str]:
        """Runs with a ``produces`` edge into the root artifact."""
        return [
            e.source.removeprefix("run:")
            for e in self.edges
            if e.edge_type == "produces" and e.target == self.root_artifact
        ]

    @property
    def consumers(self) -> list[str]:
        """Runs with a ``uses`` edge from the root artifact (0.5.x lineage lists only some
        of them: the graph walks upstream; ``Artifact.used_by_runs`` has them all)."""
        return [
            e.target.removeprefix("run:")
            for e in self.edges
            if e.edge_type == "uses" and e.source == self.root_artifact
        ]
