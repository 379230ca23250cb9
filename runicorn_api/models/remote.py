"""Remote viewer (SSH) answers.

The viewer answers in snake_case on some routes and camelCase on others (0.5.x and 0.7.x
``session`` objects are camelCase). Every model here reads both: each key is also offered
in snake_case, and the viewer's own keys stay reachable as ``model["localPort"]``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field, model_validator

from .._types import JSON
from ._base import RunicornModel
from ._keys import (
    CondaEnvKeys,
    HostKeyKeys,
    KnownHostKeys,
    RemoteConnectionKeys,
    RemoteDirectoryKeys,
    RemoteResultKeys,
    RemoteSessionKeys,
    RemoteStatusKeys,
)

__all__ = [
    "CondaEnv",
    "HostKey",
    "KnownHost",
    "RemoteConnection",
    "RemoteDirectory",
    "RemoteResult",
    "RemoteSession",
    "RemoteStatus",
]

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(key: str) -> str:
    return _CAMEL.sub("_", key).lower()


class RemoteResult(RemoteResultKeys, RunicornModel):
    """What a remote endpoint answered; every key the viewer sent is readable as ``r["key"]``,
    in its own spelling and in snake_case. A nested ``session`` object's keys are also
    offered at the top level, so the original client's ``session["local_port"]`` works on both
    generations."""

    ok: bool | None = None
    message: str | None = None

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
                    merged.setdefault(key, value)
                    merged.setdefault(_snake(key), value)
        return merged


class RemoteConnection(RemoteConnectionKeys, RemoteResult):  # pyright: ignore[reportIncompatibleMethodOverride]
    """An SSH connection the viewer holds (``POST /api/remote/connect``,
    ``GET /api/remote/sessions``).

    ``connection_id`` is the viewer's ``"user@host:port"``; every method of
    ``client.remote`` that takes a connection also accepts its bare host, as the original
    client does.
    """

    connection_id: str
    host: str
    port: int
    username: str
    connected: bool = True

    @model_validator(mode="before")
    @classmethod
    def _connection_id_from_key(cls, data: Any) -> Any:
        # GET /api/remote/sessions names the connection "key"; connect names it connection_id.
        if isinstance(data, dict) and "connection_id" not in data and "key" in data:
            return {**data, "connection_id": data["key"]}
        return data


class RemoteSession(RemoteSessionKeys, RemoteResult):  # pyright: ignore[reportIncompatibleMethodOverride]
    """A viewer running on the remote host, tunnelled to ``local_port`` on the viewer's
    machine (``POST /api/remote/viewer/start``, ``GET /api/remote/viewer/sessions``)."""

    session_id: str
    local_port: int
    remote_port: int | None = None
    host: str | None = None
    ssh_port: int | None = None
    username: str | None = None
    remote_root: str | None = None
    remote_pid: int | None = None
    status: str | None = None
    started_at: float | None = None
    """Milliseconds since the epoch, as the viewer reports it."""
    uptime_seconds: float | None = None
    is_active: bool | None = None
    url: str | None = None

    _mapping_properties: ClassVar[tuple[str, ...]] = ("uptime", "connection_id")

    @property
    def uptime(self) -> float | None:
        """Seconds the remote viewer had been up when the viewer answered."""
        return self.uptime_seconds

    @property
    def connection_id(self) -> str | None:
        """The SSH connection (``"user@host:port"``) the session runs over."""
        if self.username and self.host and self.ssh_port:
            return f"{self.username}@{self.host}:{self.ssh_port}"
        return None


class HostKey(HostKeyKeys, RunicornModel):
    """A host key the viewer was offered and does not yet trust (0.7.x).

    Check ``fingerprint_sha256`` against the server's own (``ssh-keygen -lf
    /etc/ssh/ssh_host_ed25519_key.pub`` there) before accepting it.
    """

    host: str
    port: int
    key_type: str
    fingerprint_sha256: str
    public_key: str
    known_hosts_host: str | None = None
    reason: str | None = None
    """``"unknown"`` for a first connection, ``"changed"`` when it differs from the trusted key."""
    expected_fingerprint_sha256: str | None = None
    """The fingerprint trusted so far, when the key changed."""

    def accept_body(self) -> dict[str, JSON]:
        """The body of ``POST /api/remote/known-hosts/accept``."""
        return {
            "host": self.host,
            "port": self.port,
            "key_type": self.key_type,
            "public_key": self.public_key,
            "fingerprint_sha256": self.fingerprint_sha256,
        }


class KnownHost(KnownHostKeys, RunicornModel):
    """A host key the viewer trusts (``GET /api/remote/known-hosts/list``, 0.7.x)."""

    host: str
    port: int
    key_type: str
    fingerprint_sha256: str
    known_hosts_host: str | None = None
    key_base64: str | None = None


class CondaEnv(CondaEnvKeys, RunicornModel):
    """A Python environment found on the remote host (``GET /api/remote/conda-envs``)."""

    name: str
    type: str | None = None
    python_version: str | None = None
    path: str | None = None
    is_default: bool | None = None


class RemoteDirectory(RemoteDirectoryKeys, RunicornModel):
    """A remote folder listing (``GET /api/remote/fs/list``, 0.5.x)."""

    path: str
    items: list[dict[str, JSON]] = Field(default_factory=list)
    """``{name, is_dir, size, mtime}`` per entry, folders first."""


class RemoteStatus(RemoteStatusKeys, RunicornModel):
    """``GET /api/remote/status``: the viewer's SSH connections and remote viewer sessions."""

    connections: list[dict[str, JSON]] = Field(default_factory=list)
    viewer_sessions: list[RemoteSession] = Field(default_factory=list)
    connection_count: int = 0
    viewer_session_count: int = 0
