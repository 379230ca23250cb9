"""Sizing the next batch of a long read from the last one."""

from __future__ import annotations

__all__ = ["next_size"]


def next_size(target: int, count: int, measured: int, *, low: int, high: int) -> int:
    """How many items hold about ``target`` units, judging by the last ``count`` items,
    which held ``measured`` units; between ``low`` and ``high``."""
    return max(low, min(high, target * count // max(measured, 1)))
