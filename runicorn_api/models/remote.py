"""Remote viewer (SSH) answers. The viewer's shapes vary by release, so extra keys are kept."""

from __future__ import annotations

from ._base import RunicornModel

__all__ = ["RemoteResult"]


class RemoteResult(RunicornModel):
    """What a remote endpoint answered; every key the viewer sent is readable as ``r["key"]``."""

    connection_id: str | None = None
    """The id this client uses for the SSH connection: its host (the seed's convention)."""
