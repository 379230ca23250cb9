"""One adapter per viewer generation; :func:`adapter_for` picks it from the reported version.

An adapter knows what differs between generations (paths, shapes, features) and nothing
about HTTP: it turns a generation's raw JSON into the one shape the models expect.
"""

from __future__ import annotations

from .._types import DirectReads
from ..models.server import parse_version
from .base import Adapter
from .v05 import V05Adapter
from .v07 import V07Adapter

__all__ = ["Adapter", "V05Adapter", "V07Adapter", "adapter_for"]


def adapter_for(version: str, *, direct_reads: DirectReads = "auto") -> Adapter:
    """The adapter for a viewer reporting ``version``.

    Releases before 0.6 store runs by project/name (0.5 generation); 0.6 and later store
    them by path (0.7 generation). Only 0.5.3 and 0.7.2 are tested.
    """
    parsed = parse_version(version)
    if parsed and parsed < (0, 6):
        return V05Adapter(version, direct_reads=direct_reads)
    return V07Adapter(version, direct_reads=direct_reads)
