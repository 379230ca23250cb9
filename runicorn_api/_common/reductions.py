"""The grammar of per-run metric reduction keys, ``metrics.<name>.<reduction>``, shared
by the filters, the models and the frames."""

from __future__ import annotations

from typing import Literal

__all__ = ["REDUCTIONS", "Reduction", "reduction_key"]

Reduction = Literal["last", "last_step", "min", "max", "count"]
"""A per-run reduction of one metric, as in the key ``metrics.<name>.<reduction>``."""

REDUCTIONS: tuple[Reduction, ...] = ("last", "last_step", "min", "max", "count")


def reduction_key(key: str) -> tuple[str, Reduction] | None:
    """``"metrics.val/loss.min"`` → ``("val/loss", "min")``; ``None`` for any other key.

    The metric name is everything between ``metrics.`` and the last dot, so it may hold
    dots and slashes itself.
    """
    if not key.startswith("metrics."):
        return None
    name, _, reduction = key[len("metrics.") :].rpartition(".")
    for known in REDUCTIONS:
        if reduction == known and name:
            return name, known
    return None
