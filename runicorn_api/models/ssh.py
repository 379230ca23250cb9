"""A saved SSH connection of the viewer (``/api/config/ssh_connections``): its address
and which secrets it holds, never the secrets."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from ._base import RunicornModel
from ._keys import SavedSSHConnectionKeys

SECRETS = ("password", "private_key", "passphrase")

__all__ = ["SavedSSHConnection"]


class SavedSSHConnection(SavedSSHConnectionKeys, RunicornModel):
    """One saved SSH connection, as the viewer shows it: secrets masked to flags."""

    key: str
    """``"host:port@username"``, the id the other calls take."""
    host: str
    port: int = 22
    username: str
    name: str = ""
    auth_method: str | None = None
    remember_password: bool = False
    private_key_path: str | None = None
    """Shown by 0.5.x; 0.7.x stores it encrypted, as a secret, and shows ``None``."""
    has_password: bool = False
    has_private_key: bool = False
    has_passphrase: bool = False

    @model_validator(mode="before")
    @classmethod
    def _mask(cls, data: Any) -> Any:
        """Keep a flag for each secret a viewer sent, never the secret itself."""
        if not isinstance(data, dict) or not any(k in data for k in SECRETS):
            return data
        masked = {k: v for k, v in data.items() if k not in SECRETS}
        for key in SECRETS:
            if data.get(key):
                masked[f"has_{key}"] = True
        return masked
