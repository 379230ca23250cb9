"""Remote viewer (SSH) answers. The viewer's shapes vary by release, so extra keys are kept."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, model_validator

from ._base import RunicornModel

__all__ = ["RemoteResult", "RemoteStatus"]

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(key: str) -> str:
    return _CAMEL.sub("_", key).lower()


class RemoteResult(RunicornModel):
    """What a remote endpoint answered; every key the viewer sent is readable as ``r["key"]``.

    0.5.x answers ``start_viewer`` with ``{ok, session: {sessionId, localPort, ...}}``
    in camelCase: the session's keys are also offered at the top level in snake_case, so
    the seed's ``session["local_port"]`` and ``session["session_id"]`` work on both
    generations.
    """

    connection_id: str | None = None
    """The id this client uses for the SSH connection: its host (the seed's convention)."""

    @model_validator(mode="before")
    @classmethod
    def _snake_case_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        nested = data.get("session")
        for source in (data, nested if isinstance(nested, dict) else {}):
            for key, value in source.items():
                if isinstance(key, str):
                    merged.setdefault(_snake(key), value)
        return merged


class RemoteStatus(RunicornModel):
    """``GET /api/remote/status``: the viewer's SSH connections and remote viewer sessions."""

    connections: list[dict[str, Any]] = Field(default_factory=list)
    viewer_sessions: list[RemoteResult] = Field(default_factory=list)
    connection_count: int = 0
    viewer_session_count: int = 0
