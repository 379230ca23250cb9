"""Answers of bounded size, with what was cut said in them (:class:`Bounded`).

What a viewer or a storage folder sent reaches an AI assistant as data: every string has
its control characters escaped (:func:`~runicorn_api._common.text.clean`) and is cut at
:data:`MAX_TEXT` characters, every list at :data:`MAX_ITEMS` items and every mapping at
:data:`MAX_KEYS` keys; an answer whose JSON would still exceed :data:`MAX_ANSWER`
characters is refused with a hint to narrow the question. Nothing is cut silently: each
cut is a line of the answer's ``truncated`` list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .._common.text import clean, plain
from .._exceptions import InvalidArgumentError

__all__ = ["MAX_ANSWER", "MAX_ITEMS", "MAX_KEYS", "MAX_TEXT", "Bounded", "redact"]

MAX_TEXT = 2_000
"""Characters of one string."""
MAX_ITEMS = 1_000
"""Items of one list."""
MAX_KEYS = 200
"""Keys of one mapping (a run's config or summary)."""
MAX_ANSWER = 200_000
"""Characters of one answer's JSON."""


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret (a password of a viewer URL) replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class Bounded:
    """One answer being built: its values bounded, its cuts noted, ``secrets`` (the
    passwords the server was given) replaced wherever they appear."""

    def __init__(self, secrets: Sequence[str] = ()) -> None:
        self.notes: list[str] = []
        self.secrets = secrets

    def cut(self, note: str) -> None:
        """Say in the answer that something was left out, and how to get it."""
        self.notes.append(note)

    def items(self, rows: list[Any], limit: int, what: str) -> list[Any]:
        """The first ``limit`` of ``rows``, noting how many more there were."""
        if len(rows) > limit:
            self.cut(f"{what}: {len(rows) - limit} more not shown")
        return rows[:limit]

    def value(self, value: Any, where: str) -> Any:
        """``value`` as JSON-ready data, bounded (see the module docs)."""
        value = plain(value)
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                self.cut(f"{where}: {len(value) - MAX_TEXT} characters cut")
                value = value[:MAX_TEXT]
            return clean(redact(value, self.secrets))
        if isinstance(value, list):
            kept = self.items(value, MAX_ITEMS, where)  # pyright: ignore[reportUnknownArgumentType]
            return [self.value(v, f"{where}[{i}]") for i, v in enumerate(kept)]
        if isinstance(value, dict):
            pairs = list(value.items())  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType, reportUnknownVariableType]
            if len(pairs) > MAX_KEYS:
                self.cut(f"{where}: {len(pairs) - MAX_KEYS} more keys not shown")
            return {
                self.value(str(k), f"{where} key"): self.value(v, f"{where}.{k}")
                for k, v in pairs[:MAX_KEYS]  # pyright: ignore[reportUnknownVariableType]
            }
        return value

    def answer(self, **fields: Any) -> dict[str, Any]:
        """The answer: ``fields`` bounded, and ``truncated`` if anything was cut.

        Raises:
            InvalidArgumentError: The answer is over :data:`MAX_ANSWER` characters
                even so; the message says how to narrow it.
        """
        out: dict[str, Any] = {k: self.value(v, k) for k, v in fields.items()}
        if self.notes:
            out["truncated"] = list(self.notes)
        size = len(json.dumps(out))
        if size > MAX_ANSWER:
            raise InvalidArgumentError(
                f"The answer would be {size:,} characters (at most {MAX_ANSWER:,}); ask for "
                "fewer runs (limit), metrics (metric_names) or keys (columns)"
            )
        return out
